"""API shapes of the ledger. Personal numbers are masked in every output
schema except ``RevealOut``, which only the reveal route returns."""

from datetime import date

from ninja import Field, Schema


class TagOut(Schema):
    code: str = Field(..., alias="tag.code")
    name: str = Field(..., alias="tag.name")
    attributes: dict
    valid_from: date


class ResidentOut(Schema):
    id: int
    household_id: int
    name: str
    gender: str
    gender_display: str = Field(..., alias="get_gender_display")
    ethnicity: str
    birth_date: date | None
    id_number_masked: str
    mobile_masked: str
    other_phone_masked: str
    id_document_type: str
    id_document_number_masked: str
    residence_type: str
    living_status: str
    relation_to_head: str
    address: str
    tags: list[TagOut]

    @staticmethod
    def resolve_address(obj) -> str:
        return str(obj.household)

    @staticmethod
    def resolve_tags(obj) -> list:
        return list(obj.tags.all())


class ResidentDetailOut(ResidentOut):
    registered_address: str
    work_or_school: str
    notes: str
    area_path: str


class ResidentSearchIn(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=50,
        description="姓名、拼音、首字母、完整身份证号、手机号、固定电话或完整证件号码",
    )


class RevealIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200, description="查看事由，记入审计日志")


class RevealOut(Schema):
    resident_id: int
    id_number: str
    mobile: str
    other_phone: str
    id_document_number: str
