"""Input and output schemas of /api/v1/workorders/."""

from datetime import datetime

from ninja import Field, Schema

from shequ.core.api import row_model
from shequ.workorders.permissions import available_transitions, sees_reporter


class CategoryOut(Schema):
    code: str
    name: str
    kinds: list[str]
    default_triage: str
    default_handler: str
    response_hours: int
    resolution_hours: int


class PersonOut(Schema):
    id: int
    name: str


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.display_name}


class WorkOrderOut(Schema):
    id: int
    number: str
    kind: str
    category: str
    category_name: str
    title: str
    description: str
    area_id: int
    area_name: str
    address: str
    latitude: float | None
    longitude: float | None
    reporter: PersonOut | None = Field(None, description="匿名时对其他居民隐藏，对工作人员可见")
    reporter_anonymous: bool
    channel: str
    triage_class: str
    state: str
    owner: PersonOut | None
    handler: PersonOut | None
    department: str | None
    respond_by: datetime | None
    resolve_by: datetime | None
    claimed_at: datetime | None
    escalation_level: int
    overdue: bool
    rating: int | None
    rating_comment: str
    reopened_count: int
    version: int
    created_at: datetime
    updated_at: datetime
    actions: list[str] = Field(description="当前用户此刻可执行的操作")
    tracking_code: str | None = Field(
        None, description="受理回执上的查询码（仅反映人和工作人员可见），用于公开进度查询页"
    )
    paused: bool = Field(False, description="等待居民、暂停计时中")
    pause_reason: str = ""
    merged_into: str | None = Field(None, description="已并入的工单编号")

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name

    @staticmethod
    def resolve_latitude(obj) -> float | None:
        return None if obj.latitude is None else float(obj.latitude)

    @staticmethod
    def resolve_longitude(obj) -> float | None:
        return None if obj.longitude is None else float(obj.longitude)

    @staticmethod
    def resolve_reporter(obj, context) -> dict | None:
        viewer = context["request"].user
        return _person(obj.reporter) if sees_reporter(obj, viewer) else None

    @staticmethod
    def resolve_owner(obj) -> dict | None:
        return _person(obj.owner)

    @staticmethod
    def resolve_handler(obj) -> dict | None:
        return _person(obj.handler)

    @staticmethod
    def resolve_department(obj) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_tracking_code(obj, context) -> str | None:
        viewer = context["request"].user
        if obj.reporter_id == viewer.pk or viewer.kind == "staff":
            return obj.tracking_code
        return None

    @staticmethod
    def resolve_paused(obj) -> bool:
        return obj.paused_at is not None

    @staticmethod
    def resolve_merged_into(obj) -> str | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_actions(obj, context) -> list[str]:
        return available_transitions(obj, context["request"].user)


# The same fields as plain pydantic, for long lists (core.api.RowPagination).
WorkOrderRow = row_model(WorkOrderOut)


class TimelineOut(Schema):
    id: int
    kind: str
    actor: str | None
    at: datetime
    note: str
    public: bool
    data: dict

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor_name


class AttachmentOut(Schema):
    id: int
    kind: str = Field(description="photo / video")
    entry_id: int | None
    name: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    sha256: str
    created_at: datetime
    url: str = Field(description="经鉴权的下载地址（不是存储路径）")

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_url(obj) -> str:
        from shequ.workorders.attachments import attachment_url

        return attachment_url(obj)


class WorkOrderDetailOut(WorkOrderOut):
    timeline: list[TimelineOut] = Field(description="工作人员看到全部记录，居民只看到公开记录")
    attachments: list[AttachmentOut] = Field(description="照片与短视频；居民只看到公开记录上的附件")

    @staticmethod
    def resolve_attachments(obj, context) -> list:
        from shequ.workorders.attachments import attachments_for

        return attachments_for(order=obj, viewer=context["request"].user)

    @staticmethod
    def resolve_timeline(obj, context) -> list:
        from shequ.workorders.selectors import timeline_for

        return timeline_for(order=obj, viewer=context["request"].user)


class WorkOrderCreateIn(Schema):
    kind: str = Field(max_length=16, description="incident / service_order / hotline")
    category: str = Field(max_length=40, description="类别编码")
    area_id: int
    title: str = Field(max_length=100)
    description: str = Field(max_length=4000)
    address: str = Field("", max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    anonymous: bool = Field(False, description="对其他居民匿名（工作人员仍可见）")
    channel: str = Field("api", max_length=16)


class WorkOrderPatchIn(Schema):
    title: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=4000)
    address: str | None = Field(None, max_length=200)


class TriageIn(Schema):
    triage_class: str = Field(max_length=16, description="major / minor / private")
    reason: str = Field("", max_length=500, description="重新分类时必填")


class DispatchIn(Schema):
    to: str = Field(max_length=16, description="grid / department / pool")
    handler_id: int | None = None
    department_id: int | None = None
    note: str = Field("", max_length=2000)


class NoteIn(Schema):
    note: str = Field(max_length=4000)
    public: bool = True


class ResolveIn(Schema):
    note: str = Field(max_length=4000, description="处置结果，必填")


class OptionalNoteIn(Schema):
    note: str = Field("", max_length=4000)


class RateIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)


class HandOffIn(Schema):
    to_user_id: int
    note: str = Field("", max_length=2000)
