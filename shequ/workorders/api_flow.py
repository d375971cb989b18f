"""/api/v1/workorders/ routes of the flow features: the handler's queue,
whistle calls, pausing the clocks, near-duplicates and merging, hotline
ticket push, and the signed-in user's inbox. Same services and selectors as
the web."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from shequ.core.api import PagePagination, RowPagination
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Notification
from shequ.core.notifications import mark_read
from shequ.core.scoping import can
from shequ.workorders import hotline
from shequ.workorders.api import ERRORS, ORDER, _expected_version, _order, router
from shequ.workorders.choices import Action
from shequ.workorders.models import Department, WhistleCall
from shequ.workorders.schemas import WorkOrderOut, WorkOrderRow
from shequ.workorders.selectors import visible, waiting_for, whistle_calls, workorder_get
from shequ.workorders.services import (
    near_duplicates,
    whistle_acknowledge,
    whistle_report,
    workorder_merge,
    workorder_pause,
    workorder_resume,
    workorder_whistle,
)


class WhistleIn(Schema):
    department_ids: list[int] = Field(max_length=20)
    note: str = Field("", max_length=500)
    hours: int | None = Field(None, ge=1, le=72, description="报到时限（小时），默认按系统设置")


class WhistleOut(Schema):
    id: int
    order_id: int
    department: str
    status: str = Field(description="pending / acknowledged / reported")
    summoned_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    report: str
    reported_at: datetime | None
    late: bool
    escalated: bool

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.department.name

    @staticmethod
    def resolve_late(obj) -> bool:
        return obj.is_late

    @staticmethod
    def resolve_escalated(obj) -> bool:
        return obj.escalated_at is not None


class ReportIn(Schema):
    report: str = Field(max_length=2000)


class AckIn(Schema):
    note: str = Field("", max_length=500)


class PauseIn(Schema):
    reason: str = Field(max_length=200, description="等待居民的原因，必填")


class MergeIn(Schema):
    kept_id: int = Field(description="保留的工单")
    note: str = Field("", max_length=500)


class HotlineIn(Schema):
    ticket_number: str = Field(max_length=40, description="12345 热线自己的工单编号（去重依据）")
    category: str = Field(max_length=60, description="类别编码或名称")
    area_id: int
    title: str = Field("", max_length=100)
    description: str = Field(max_length=4000)
    address: str = Field("", max_length=200)


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


@router.get(
    "queue/waiting",
    response={200: list[WorkOrderRow], **ERRORS},
    summary="待我处理（派给我或我所在部门、被吹哨的工单）",
)
@paginate(RowPagination, schema=WorkOrderOut)
def orders_waiting(request):
    if not can(request.user, Action.HANDLE):
        raise Forbidden()
    return waiting_for(actor=request.user)


@router.get(
    "inbox/messages", response={200: list[NotificationOut], **ERRORS}, summary="我的站内消息"
)
@paginate(PagePagination)
def notification_list(request, unread: bool = False):
    rows = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    return rows.filter(read_at__isnull=True) if unread else rows


@router.post(
    "inbox/messages/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="标为已读",
)
def notification_read(request, notification_id: int):
    from django.http import Http404

    row = mark_read(user=request.user, notification_id=notification_id)
    if row is None:
        raise Http404
    return row


@router.post(
    "hotline/tickets",
    response={201: WorkOrderOut, 200: WorkOrderOut, **ERRORS},
    summary="推送 12345 热线工单（按热线工单编号去重：重复推送返回 200 与原工单）",
)
def hotline_ticket_push(request, payload: HotlineIn):
    if not can(request.user, Action.HOTLINE_IMPORT):
        raise Forbidden()
    order, created = hotline.ticket_ingest(
        actor=request.user,
        ticket=payload.ticket_number,
        category=payload.category,
        area=str(payload.area_id),
        title=payload.title,
        description=payload.description,
        address=payload.address,
    )
    order = workorder_get(actor=request.user, pk=order.pk)
    return Status(201 if created else 200, order)


@router.get(
    "{order_id}/whistles",
    response={200: list[WhistleOut], **ERRORS},
    summary="吹哨报到记录（联合处置记录）",
)
def order_whistles(request, order_id: int):
    return whistle_calls(order=_order(request, order_id))


@router.post(
    "{order_id}/whistle",
    response={201: list[WhistleOut], **ERRORS},
    summary="吹哨：召集职能部门限时报到",
)
def order_whistle(request, order_id: int, payload: WhistleIn):
    order = _order(request, order_id)
    departments = list(
        Department.objects.select_related("district").filter(pk__in=payload.department_ids)
    )
    if len(departments) != len(set(payload.department_ids)):
        raise InvalidInput(_("请选择本区的职能部门。"), field="department_ids")
    calls = workorder_whistle(
        order=order,
        actor=request.user,
        departments=departments,
        note=payload.note,
        hours=payload.hours,
    )
    return Status(201, calls)


def _call(request, call_id: int) -> WhistleCall:
    from django.http import Http404

    call = WhistleCall.objects.select_related("department").filter(pk=call_id).first()
    if call is None:
        raise Http404
    workorder_get(actor=request.user, pk=call.order_id)
    return call


@router.post(
    "whistles/{call_id}/acknowledge",
    response={200: WhistleOut, **ERRORS},
    summary="部门报到",
)
def whistle_ack(request, call_id: int, payload: AckIn):
    return whistle_acknowledge(call=_call(request, call_id), actor=request.user, note=payload.note)


@router.post(
    "whistles/{call_id}/report",
    response={200: WhistleOut, **ERRORS},
    summary="部门反馈处置情况",
)
def whistle_feedback(request, call_id: int, payload: ReportIn):
    return whistle_report(call=_call(request, call_id), actor=request.user, report=payload.report)


@router.post("{order_id}/pause", response=ORDER, summary="等待居民：暂停计时（须填原因）")
def order_pause(request, order_id: int, payload: PauseIn):
    return workorder_pause(
        order=_order(request, order_id),
        actor=request.user,
        reason=payload.reason,
        expected_version=_expected_version(request),
    )


@router.post("{order_id}/resume", response=ORDER, summary="恢复计时（时限顺延暂停的时长）")
def order_resume(request, order_id: int, payload: AckIn):
    return workorder_resume(
        order=_order(request, order_id),
        actor=request.user,
        note=payload.note,
        expected_version=_expected_version(request),
    )


@router.get(
    "{order_id}/duplicates",
    response={200: list[WorkOrderOut], **ERRORS},
    summary="可能重复的工单（同类别、相近地点、24 小时内）",
)
def order_duplicates(request, order_id: int):
    return list(near_duplicates(_order(request, order_id), visible(request.user)))


@router.post(
    "{order_id}/merge", response=ORDER, summary="合并：本工单关闭并指向保留的工单（两边记录都保留）"
)
def order_merge(request, order_id: int, payload: MergeIn):
    duplicate = _order(request, order_id)
    kept = _order(request, payload.kept_id)
    return workorder_merge(duplicate=duplicate, kept=kept, actor=request.user, note=payload.note)
