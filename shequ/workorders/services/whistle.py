"""吹哨报到: the community summons departments to a case; each acknowledges
within the call's deadline and reports what it did. A call not acknowledged
in time climbs to the street office (``whistle_escalate_late``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record
from shequ.workorders import notices
from shequ.workorders.choices import OPEN_STATES, Action, EntryKind, State
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.models import Department, WhistleCall, WorkOrder
from shequ.workorders.permissions import department_ids
from shequ.workorders.services._common import _entry, _fresh, _text

DEFAULT_ACK_HOURS = 2
WHISTLE_STATES = OPEN_STATES - {State.RESOLVED}


def ack_hours() -> int:
    """How long a summoned department has to acknowledge (``SHEQU_WHISTLE_ACK_HOURS``)."""
    return int(getattr(settings, "SHEQU_WHISTLE_ACK_HOURS", DEFAULT_ACK_HOURS))


def _audit(call: WhistleCall, actor: User | None, step: str, **detail) -> None:
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=call.order,
        changes={"after": {"whistle": step, "department": call.department.name}},
        detail={"transition": f"whistle_{step}", "number": call.order.number, **detail},
    )


@transaction.atomic
def workorder_whistle(
    *,
    order: WorkOrder,
    actor: User | None,
    departments: list[Department],
    note: str = "",
    hours: int | None = None,
) -> list[WhistleCall]:
    """Summon ``departments`` (of the case's district) to a case still being
    handled. Each gets a call to acknowledge within ``hours`` (default
    ``ack_hours()``); a department already summoned and not done is refused."""
    order = _fresh(order)
    if actor is not None and not can(actor, Action.WHISTLE, order.area_path):
        raise Forbidden()
    if order.state not in WHISTLE_STATES:
        raise IllegalTransition(_("只能对正在办理的工单吹哨。"))
    if not departments:
        raise InvalidInput(_("请至少选择一个职能部门。"), field="departments")
    note = _text(note, field="note", limit=500)
    hours = ack_hours() if hours is None else hours
    if not 1 <= int(hours) <= 72:
        raise InvalidInput(_("报到时限须在 1 到 72 小时之间。"), field="hours")
    now = timezone.now()
    calls = []
    for department in departments:
        if not department.is_active or not order.area.is_within(department.district.path):
            raise InvalidInput(_("请选择本区的职能部门。"), field="departments")
        try:
            with transaction.atomic():
                call = WhistleCall.objects.create(
                    order=order,
                    department=department,
                    area_path=order.area_path,
                    summoned_by=actor,
                    summoned_at=now,
                    note=note,
                    acknowledge_by=now + timedelta(hours=int(hours)),
                )
        except IntegrityError:
            raise InvalidInput(
                _("%(dept)s 已在报到中，请勿重复吹哨。") % {"dept": department.name},
                field="departments",
            ) from None
        calls.append(call)
    WorkOrder.objects.filter(pk=order.pk).update(version=F("version") + 1, updated_at=now)
    names = "、".join(c.department.name for c in calls)
    _entry(
        order,
        EntryKind.WHISTLED,
        actor,
        note,
        departments=[c.department_id for c in calls],
        names=names,
        hours=int(hours),
    )
    for call in calls:
        _audit(call, actor, "summon", hours=int(hours))
        transaction.on_commit(lambda c=call: notices.whistled(c.order, c.department))
    return calls


def _call(call: WhistleCall) -> WhistleCall:
    return WhistleCall.objects.select_related("order", "order__area", "department").get(pk=call.pk)


def may_answer(call: WhistleCall, actor: User) -> bool:
    """A handler of the summoned department, holding ``workorders.handle`` over the case."""
    return call.department_id in department_ids(actor) and can(actor, Action.HANDLE, call.area_path)


@transaction.atomic
def whistle_acknowledge(*, call: WhistleCall, actor: User | None, note: str = "") -> WhistleCall:
    """报到: the department says it is on the case. Late is still recorded (and
    stays marked late); twice is refused."""
    call = _call(call)
    if actor is not None and not may_answer(call, actor):
        raise Forbidden()
    note = _text(note, field="note", limit=500)
    now = timezone.now()
    if not WhistleCall.objects.filter(pk=call.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    ):
        raise IllegalTransition(_("该部门已报到。"))
    call.refresh_from_db()
    late = now > call.acknowledge_by
    _entry(
        call.order,
        EntryKind.WHISTLE_ACKNOWLEDGED,
        actor,
        note,
        department=call.department.name,
        late=late,
    )
    _audit(call, actor, "acknowledge", late=late)
    return call


@transaction.atomic
def whistle_report(*, call: WhistleCall, actor: User | None, report: str) -> WhistleCall:
    """The department reports what it did; this ends its call."""
    call = _call(call)
    if actor is not None and not may_answer(call, actor):
        raise Forbidden()
    report = _text(report, field="report", limit=2000, required=True)
    now = timezone.now()
    if not WhistleCall.objects.filter(pk=call.pk, reported_at__isnull=True).update(
        report=report,
        reported_at=now,
        reported_by=actor,
        acknowledged_at=call.acknowledged_at or now,
        acknowledged_by=call.acknowledged_by or actor,
    ):
        raise IllegalTransition(_("该部门已反馈。"))
    call.refresh_from_db()
    _entry(call.order, EntryKind.WHISTLE_REPORTED, actor, report, department=call.department.name)
    _audit(call, actor, "report")
    transaction.on_commit(lambda: notices.whistle_reported(call.order, call.department))
    return call


def whistle_escalate_late(*, now: datetime | None = None) -> int:
    """Calls not acknowledged by their deadline: marked, recorded on the
    case's timeline and told to the street office, once each."""
    now = now or timezone.now()
    late = WhistleCall.objects.filter(
        acknowledged_at__isnull=True, escalated_at__isnull=True, acknowledge_by__lt=now
    ).select_related("order", "order__area", "department")
    count = 0
    for call in late.iterator(chunk_size=200):
        with transaction.atomic():
            if not WhistleCall.objects.filter(pk=call.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            _entry(
                call.order,
                EntryKind.WHISTLE_LATE,
                None,
                _("%(dept)s 未在时限内报到，已报街道督办。") % {"dept": call.department.name},
                public=False,
                department=call.department.name,
            )
            _audit(call, None, "late")
            transaction.on_commit(lambda c=call: notices.whistle_late(c.order, c.department))
        count += 1
    return count
