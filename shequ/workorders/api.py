"""/api/v1/workorders/: the same services and selectors as the web, scoped the
same way. Transitions answer the order as it now is; 409 for a step the
state machine does not allow or a lost claim; 412 when ``If-Match`` names an
older version; ``Idempotency-Key`` makes creation safe to retry."""

import hashlib
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.core import idempotency
from shequ.core.api import ERRORS as CORE_ERRORS
from shequ.core.api import RowPagination, schema_row
from shequ.core.errors import InvalidInput
from shequ.core.models import Area, User
from shequ.core.schemas import ErrorOut
from shequ.core.scoping import get_scoped_or_404
from shequ.workorders.choices import Action, Channel
from shequ.workorders.models import Category, Department
from shequ.workorders.schemas import (
    CategoryOut,
    DispatchIn,
    HandOffIn,
    NoteIn,
    OptionalNoteIn,
    RateIn,
    ResolveIn,
    TriageIn,
    WorkOrderCreateIn,
    WorkOrderDetailOut,
    WorkOrderOut,
    WorkOrderPatchIn,
    WorkOrderRow,
)
from shequ.workorders.selectors import category_list, workorder_get, workorder_list
from shequ.workorders.services import (
    workorder_add_note,
    workorder_claim,
    workorder_close,
    workorder_create,
    workorder_dispatch,
    workorder_hand_off,
    workorder_rate,
    workorder_release,
    workorder_resolve,
    workorder_start,
    workorder_triage,
    workorder_update,
)

router = Router(tags=["workorders"])
ERRORS = {**CORE_ERRORS, 412: ErrorOut, 422: ErrorOut}
ORDER = {200: WorkOrderOut, **ERRORS}
IDEMPOTENCY_ENDPOINT = "workorders.create"
API_CHANNELS = {
    Channel.API,
    Channel.PORTAL,
    Channel.GRID_REPORT,
    Channel.FRONT_DESK,
    Channel.HOTLINE,
}


def _expected_version(request) -> int | None:
    """The version in ``If-Match`` ("3", "\"3\"" or W/"3"), or None without one."""
    raw = request.headers.get("If-Match")
    if not raw:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise InvalidInput(_("If-Match 须为工单的版本号。"), field="If-Match")
    return int(value)


def _order(request, order_id: int):
    return workorder_get(actor=request.user, pk=order_id)


def _out(request, order) -> dict:
    """The case as the API shows it (plain pydantic: see core.api.RowPagination)."""
    row = schema_row(WorkOrderOut, order, {"request": request})
    return WorkOrderRow.model_validate(row).model_dump(mode="json")


class OrderFilters(Schema):
    state: str | None = Field(None, max_length=16)
    kind: str | None = Field(None, max_length=16)
    category: str | None = Field(None, max_length=40)
    mine: bool = False
    overdue: bool = False


@router.get("categories", response={200: list[CategoryOut], **ERRORS}, summary="工单类别")
def workorder_categories(request, kind: str | None = None):
    return category_list(kind=kind)


@router.get("", response={200: list[WorkOrderRow], **ERRORS}, summary="工单列表（仅本人可见范围）")
@paginate(RowPagination, schema=WorkOrderOut)
def workorders(request, filters: Query[OrderFilters]):
    return workorder_list(actor=request.user, **filters.dict())


@router.post(
    "",
    response={201: WorkOrderOut, **ERRORS},
    summary="上报事件、服务点单或热线工单（支持 Idempotency-Key 请求头）",
    description="同一 Idempotency-Key 与相同内容重试，返回第一次的结果且不重复建单；内容不同返回 422。",
)
def order_create(request, payload: WorkOrderCreateIn):
    return _create(request, payload, [])


@router.post(
    "multipart",
    response={201: WorkOrderOut, **ERRORS},
    summary="上报并附照片或短视频（multipart/form-data；支持 Idempotency-Key）",
    description="字段同 JSON 上报，另加 files（可多个）。照片重新编码并去除 EXIF；"
    "视频限 MP4/MOV。类型按内容判断，不看文件名。",
)
def order_create_multipart(
    request, payload: Form[WorkOrderCreateIn], files: File[list[UploadedFile]] = None
):
    return _create(request, payload, files or [])


def _create(request, payload: WorkOrderCreateIn, files: list) -> HttpResponse:
    key = idempotency.request_key(request)
    body = payload.dict()
    if files:
        body["files"] = [_file_digest(f) for f in files]

    def create() -> tuple[int, str]:
        category = Category.objects.filter(code=payload.category, is_active=True).first()
        if category is None:
            raise InvalidInput(_("没有这个类别。"), field="category")
        if payload.channel not in API_CHANNELS:
            raise InvalidInput(
                _("“%(value)s”不是可选的值。") % {"value": payload.channel}, field="channel"
            )
        area = get_scoped_or_404(
            Area.objects.all(), request.user, Action.REPORT, pk=payload.area_id
        )
        order = workorder_create(
            actor=request.user,
            kind=payload.kind,
            category=category,
            area=area,
            title=payload.title,
            description=payload.description,
            channel=payload.channel,
            address=payload.address,
            latitude=payload.latitude,
            longitude=payload.longitude,
            reporter_anonymous=payload.anonymous,
            files=files,
        )
        return 201, json.dumps(_out(request, order), ensure_ascii=False)

    outcome = idempotency.run_once(
        user=request.user, endpoint=IDEMPOTENCY_ENDPOINT, key=key, body=body, produce=create
    )
    return HttpResponse(
        outcome.body, status=outcome.status, content_type="application/json; charset=utf-8"
    )


def _file_digest(upload) -> str:
    """The uploaded bytes' sha256, for the idempotency check (the size limit
    first, so an oversized file is not hashed)."""
    from shequ.workorders.media import photo_max_bytes, video_max_bytes

    if (upload.size or 0) > max(photo_max_bytes(), video_max_bytes()):
        return f"size:{upload.size}"
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


@router.get("{order_id}", response={200: WorkOrderDetailOut, **ERRORS}, summary="工单详情与时间线")
def order_detail(request, order_id: int, response: HttpResponse):
    order = _order(request, order_id)
    response["ETag"] = f'"{order.version}"'
    return order


@router.patch("{order_id}", response=ORDER, summary="修改工单内容（If-Match 版本号，过期返回 412）")
def order_patch(request, order_id: int, payload: WorkOrderPatchIn):
    order = workorder_update(
        order=_order(request, order_id),
        actor=request.user,
        expected_version=_expected_version(request),
        **payload.dict(exclude_unset=True),
    )
    return order


@router.post(
    "{order_id}/triage", response=ORDER, summary="分流：大事、小事、私事（重新分类须填原因）"
)
def order_triage(request, order_id: int, payload: TriageIn):
    order = workorder_triage(
        order=_order(request, order_id),
        actor=request.user,
        triage_class=payload.triage_class,
        reason=payload.reason,
        expected_version=_expected_version(request),
    )
    return order


@router.post(
    "{order_id}/dispatch", response=ORDER, summary="派单：派给网格员、职能部门或放入认领池"
)
def order_dispatch(request, order_id: int, payload: DispatchIn):
    order = _order(request, order_id)
    handler = User.objects.filter(pk=payload.handler_id).first() if payload.handler_id else None
    department = (
        Department.objects.select_related("district").filter(pk=payload.department_id).first()
        if payload.department_id
        else None
    )
    order = workorder_dispatch(
        order=order,
        actor=request.user,
        to=payload.to,
        handler=handler,
        department=department,
        note=payload.note,
        expected_version=_expected_version(request),
    )
    return order


@router.post(
    "{order_id}/claim", response=ORDER, summary="认领服务单（并发认领只有一人成功，其余 409）"
)
def order_claim(request, order_id: int):
    order = workorder_get(actor=request.user, pk=order_id, for_claim=True)
    order = workorder_claim(
        order=order, actor=request.user, expected_version=_expected_version(request)
    )
    return order


@router.post("{order_id}/release", response=ORDER, summary="退回认领池")
def order_release(request, order_id: int, payload: OptionalNoteIn):
    order = workorder_release(
        order=_order(request, order_id),
        actor=request.user,
        note=payload.note,
        expected_version=_expected_version(request),
    )
    return order


@router.post("{order_id}/start", response=ORDER, summary="开始处置")
def order_start(request, order_id: int):
    order = workorder_start(
        order=_order(request, order_id),
        actor=request.user,
        expected_version=_expected_version(request),
    )
    return order


@router.post("{order_id}/notes", response=ORDER, summary="添加处置进展")
def order_note(request, order_id: int, payload: NoteIn):
    order = workorder_add_note(
        order=_order(request, order_id),
        actor=request.user,
        note=payload.note,
        public=payload.public,
        expected_version=_expected_version(request),
    )
    return order


@router.post(
    "{order_id}/attachments",
    response={200: WorkOrderDetailOut, **ERRORS},
    summary="添加处置进展并上传照片或短视频（multipart/form-data）",
    description="note 必填；public=false 时附件仅工作人员可见。现场处置类别办结前，"
    "可在此上传现场照片，再调用 resolve。",
)
def order_attachments(
    request,
    order_id: int,
    note: Form[str],
    files: File[list[UploadedFile]],
    public: Form[bool] = True,
):
    order = workorder_add_note(
        order=_order(request, order_id),
        actor=request.user,
        note=note,
        public=public,
        expected_version=_expected_version(request),
        files=files,
    )
    return order


@router.post(
    "{order_id}/resolve",
    response=ORDER,
    summary="办结（须填写处置结果；现场处置类别须先上传现场照片）",
)
def order_resolve(request, order_id: int, payload: ResolveIn):
    order = workorder_resolve(
        order=_order(request, order_id),
        actor=request.user,
        note=payload.note,
        expected_version=_expected_version(request),
    )
    return order


@router.post("{order_id}/close", response=ORDER, summary="关闭（私事须填写指导意见）")
def order_close(request, order_id: int, payload: OptionalNoteIn):
    order = workorder_close(
        order=_order(request, order_id),
        actor=request.user,
        note=payload.note,
        expected_version=_expected_version(request),
    )
    return order


@router.post("{order_id}/rate", response=ORDER, summary="评价（仅反映人；2 分及以下重新打开一次）")
def order_rate(request, order_id: int, payload: RateIn):
    order = workorder_rate(
        order=_order(request, order_id),
        actor=request.user,
        rating=payload.rating,
        comment=payload.comment,
        expected_version=_expected_version(request),
    )
    return order


@router.post("{order_id}/hand-off", response=ORDER, summary="首问负责人转交")
def order_hand_off(request, order_id: int, payload: HandOffIn):
    order = _order(request, order_id)
    to_user = User.objects.filter(pk=payload.to_user_id).first()
    if to_user is None:
        raise InvalidInput(_("只能转交给能查看该工单的工作人员。"), field="to_user_id")
    order = workorder_hand_off(
        order=order,
        actor=request.user,
        to_user=to_user,
        note=payload.note,
        expected_version=_expected_version(request),
    )
    return order


from shequ.workorders import api_flow  # noqa: E402,F401  (registers its routes on this router)
