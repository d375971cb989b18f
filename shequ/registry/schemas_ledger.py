"""API shapes for households, new residents and edits, tags, life events,
filtered search and export. Personal numbers only ever go out masked."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from shequ.registry.schemas import ResidentDetailOut, ResidentOut

DocumentType = Literal[
    "",
    "passport",
    "hk_macao_permit",
    "taiwan_permit",
    "foreign_permanent",
    "hmt_residence",
    "other",
]


class ResidentVersionedOut(ResidentDetailOut):
    version: int
    is_removed: bool
    removed_reason: str


class HouseholdOut(Schema):
    id: int
    area_id: int
    area_name: str = Field(..., alias="area.name")
    room: str
    number: str
    head_id: int | None
    version: int
    is_removed: bool
    removed_reason: str


class RentalOut(Schema):
    id: int
    landlord_id: int | None
    landlord: str = Field(..., alias="landlord_display")
    tenant_ids: list[int]
    lease_start: date
    lease_end: date | None
    notes: str
    ended_at: datetime | None

    @staticmethod
    def resolve_tenant_ids(obj) -> list[int]:
        return [t.pk for t in obj.tenants.all()]


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut] = Field(..., alias="member_list")
    rentals: list[RentalOut] = Field(..., alias="rental_list")


class HouseholdIn(Schema):
    area_id: int = Field(..., description="单元或楼栋的区域编号")
    room: str = Field("", max_length=20)
    number: str = Field("", max_length=30)


class ResidentFields(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    gender: Literal["male", "female"] | None = None
    ethnicity: str = Field("", max_length=20)
    id_number: str = Field("", max_length=30, description="公民身份号码；可留空")
    birth_date: date | None = None
    mobile: str = Field("", max_length=30)
    other_phone: str = Field(
        "", max_length=40, description="其他电话：带区号的固定电话（可含分机）或第二个手机号"
    )
    id_document_type: DocumentType = Field(
        "", description="证件类型（无公民身份号码的境外人员、港澳台居民）"
    )
    id_document_number: str = Field("", max_length=40, description="证件号码；可留空")
    residence_type: Literal["registered", "floating", "foreign"] | None = None
    living_status: Literal["living", "absent", "rented"] | None = None
    relation_to_head: str | None = Field(None, max_length=16)
    registered_address: str = Field("", max_length=200)
    work_or_school: str = Field("", max_length=100)
    notes: str = Field("", max_length=2000)


class ResidentIn(ResidentFields):
    how: Literal["register", "move_in", "birth"] = Field(
        "register", description="登记方式：登记、迁入（记迁入事项）、出生（记出生事项）"
    )
    origin: str = Field("", max_length=200, description="迁入前住址（迁入时）")


class ResidentPatchIn(Schema):
    """Only the fields sent change. ``version`` (or an If-Match header) must
    be the version last read; ``reason`` goes on the timeline."""

    version: int | None = Field(None, ge=1)
    reason: str = Field(..., min_length=1, max_length=200, description="修改原因")
    name: str | None = Field(None, min_length=1, max_length=50)
    gender: Literal["male", "female"] | None = None
    ethnicity: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=30)
    birth_date: date | None = None
    mobile: str | None = Field(None, max_length=30)
    other_phone: str | None = Field(None, max_length=40)
    id_document_type: DocumentType | None = None
    id_document_number: str | None = Field(None, max_length=40)
    residence_type: Literal["registered", "floating", "foreign"] | None = None
    living_status: Literal["living", "absent", "rented"] | None = None
    relation_to_head: str | None = Field(None, max_length=16)
    registered_address: str | None = Field(None, max_length=200)
    work_or_school: str | None = Field(None, max_length=100)
    notes: str | None = Field(None, max_length=2000)


class KeyPopulationTagOut(Schema):
    code: str
    name: str
    description: str


class ResidentTagIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    attributes: dict = Field(default_factory=dict)
    valid_from: date | None = None


class LifeEventOut(Schema):
    id: int
    kind: str
    kind_display: str = Field(..., alias="get_kind_display")
    resident_id: int | None
    household_id: int | None
    occurred_on: date
    reason: str
    details: dict
    recorded_at: datetime
    actor: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor.get_username() if obj.actor_id else ""


class ResidentEventIn(Schema):
    kind: Literal["move_out", "death", "move_household", "remove", "restore"]
    version: int | None = Field(None, ge=1)
    reason: str = Field("", max_length=200)
    occurred_on: date | None = None
    destination: str = Field("", max_length=200, description="迁出时：迁往地址")
    household_id: int | None = Field(None, description="户间迁移时：目标户")
    relation_to_head: str = Field("other", max_length=16)


class HouseholdEventIn(Schema):
    kind: Literal["change_head", "remove", "restore"]
    version: int | None = Field(None, ge=1)
    reason: str = Field("", max_length=200)
    new_head_id: int | None = None


class RentalIn(Schema):
    lease_start: date
    lease_end: date | None = None
    landlord_id: int | None = None
    landlord_name: str = Field("", max_length=50)
    tenant_ids: list[int] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=2000)


class ResidentFilterIn(Schema):
    """A combined search, sent in the body (it may hold personal numbers)."""

    q: str = Field(
        "",
        max_length=50,
        description="姓名、拼音、首字母、完整身份证号、手机号、固定电话或完整证件号码",
    )
    tags: list[str] = Field(default_factory=list, max_length=20, description="重点人群代码，任一")
    age_min: int | None = Field(None, ge=0, le=150)
    age_max: int | None = Field(None, ge=0, le=150)
    residence_type: Literal["", "registered", "floating", "foreign"] = ""
    living_status: Literal["", "living", "absent", "rented"] = ""
    area_id: int | None = Field(None, description="楼栋或单元的区域编号")
    room: str = Field("", max_length=20)
    id_last4: str = Field("", max_length=4, description="身份证号后四位")
    sort: Literal["name", "age", "-age"] = "name"
    removed: bool = Field(False, description="只看已移除的记录")


class ExportIn(ResidentFilterIn):
    format: Literal["xlsx", "csv"] = "xlsx"
