"""Hours: the organiser confirms a record, staff correct one with a reason,
and a completed service order credits its claimant once. Time already
counted in another confirmed record of the same person is never counted
twice, and no day holds more than 24 hours. Confirmed hours earn points."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, DomainError, InvalidInput
from shequ.core.models import Area, User
from shequ.core.services.audit import audit_record
from shequ.volunteers.choices import Action, PointReason, RecordSource, RecordStatus
from shequ.volunteers.models import Policy, ServiceRecord, Volunteer
from shequ.volunteers.services._common import community_of, points_move, require, text

log = logging.getLogger(__name__)
DAY_LIMIT = Decimal("24")
CENT = Decimal("0.01")


def _hours(delta: timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / Decimal(3600)).quantize(CENT, ROUND_HALF_UP)


def counted_span(
    volunteer: Volunteer, start: datetime, end: datetime, exclude: int | None = None
) -> Decimal:
    """Hours of [start, end] not already inside another confirmed record."""
    others = ServiceRecord.objects.filter(
        volunteer=volunteer,
        status=RecordStatus.CONFIRMED,
        started_at__lt=end,
        ended_at__gt=start,
    )
    if exclude:
        others = others.exclude(pk=exclude)
    covered = timedelta(0)
    cursor = start
    for s, e in sorted(others.values_list("started_at", "ended_at")):
        s, e = max(s, cursor), min(e, end)
        if e > s:
            covered += e - s
            cursor = e
    return _hours((end - start) - covered)


def day_total(volunteer: Volunteer, day, exclude: int | None = None) -> Decimal:
    rows = ServiceRecord.objects.filter(
        volunteer=volunteer, status=RecordStatus.CONFIRMED, service_date=day
    )
    if exclude:
        rows = rows.exclude(pk=exclude)
    return rows.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def _check_day(volunteer: Volunteer, day, hours: Decimal, exclude: int | None = None) -> None:
    if day_total(volunteer, day, exclude) + hours > DAY_LIMIT:
        raise InvalidInput(
            _("同一天的服务时长合计不能超过24小时。"), field="hours", code="over_24_hours"
        )


def _hour_points(hours: Decimal, policy: Policy) -> int:
    return int((hours * policy.points_per_hour).quantize(Decimal("1"), ROUND_HALF_UP))


def _credit(record: ServiceRecord, policy: Policy) -> None:
    """Hours to the total and points to the ledger for a just-confirmed record."""
    volunteer = record.volunteer
    Volunteer.objects.filter(pk=volunteer.pk).update(hours_total=F("hours_total") + record.hours)
    points_move(
        volunteer=volunteer,
        delta=_hour_points(record.hours, policy),
        reason=PointReason.HOURS,
        record=record,
        note=record.title,
    )
    bonus, reason = (
        (policy.points_per_activity, PointReason.ACTIVITY)
        if record.source == RecordSource.ACTIVITY
        else (policy.points_per_order, PointReason.ORDER)
    )
    points_move(volunteer=volunteer, delta=bonus, reason=reason, record=record, note=record.title)


@transaction.atomic
def record_confirm(
    *,
    actor: User | None,
    record: ServiceRecord,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> ServiceRecord:
    """The organiser confirms a pending record, optionally adjusting the span
    to what they saw on site. Only time not already counted elsewhere counts."""
    require(actor, Action.MANAGE, record.area_path)
    record = ServiceRecord.objects.select_for_update().select_related("volunteer").get(pk=record.pk)
    if record.status != RecordStatus.PENDING:
        raise Conflict(_("该时长已确认。"), code="already_confirmed")
    start = started_at or record.started_at
    end = ended_at or record.ended_at
    if end <= start:
        raise InvalidInput(_("结束时间须晚于开始时间。"), field="ended_at")
    if end - start > timedelta(hours=24):
        raise InvalidInput(_("单次服务不能超过24小时。"), field="ended_at", code="over_24_hours")
    if end > timezone.now() + timedelta(minutes=5):
        raise InvalidInput(_("不能确认未来的时间。"), field="ended_at")
    # Serialise this person's confirmations so two at once cannot double count.
    Volunteer.objects.select_for_update().filter(pk=record.volunteer_id).first()
    hours = counted_span(record.volunteer, start, end, exclude=record.pk)
    day = timezone.localdate(start)
    _check_day(record.volunteer, day, hours)
    before = {"started_at": record.started_at, "ended_at": record.ended_at}
    record.started_at, record.ended_at, record.service_date = start, end, day
    record.hours = hours
    record.status = RecordStatus.CONFIRMED
    record.confirmed_by = actor
    record.confirmed_at = timezone.now()
    record.save()
    _credit(record, Policy.current())
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=record,
        changes={
            "before": {**before, "status": RecordStatus.PENDING},
            "after": {"started_at": start, "ended_at": end, "status": record.status},
        },
        detail={"hours": hours},
    )
    return record


@transaction.atomic
def record_correct(
    *, actor: User | None, record: ServiceRecord, hours: Decimal, reason: str
) -> ServiceRecord:
    """Staff correct a confirmed record's hours, with a reason (audited). The
    points follow; a cut is refused when the points are already spent."""
    require(actor, Action.MANAGE, record.area_path)
    reason = text(reason, field="reason", limit=200, required=True)
    record = ServiceRecord.objects.select_for_update().select_related("volunteer").get(pk=record.pk)
    if record.status != RecordStatus.CONFIRMED:
        raise Conflict(_("只能更正已确认的时长。"))
    try:
        hours = Decimal(str(hours)).quantize(CENT, ROUND_HALF_UP)
    except ArithmeticError as error:
        raise InvalidInput(_("请输入数字。"), field="hours") from error
    if hours < 0 or hours > DAY_LIMIT:
        raise InvalidInput(_("时长须在0到24小时之间。"), field="hours", code="over_24_hours")
    _check_day(record.volunteer, record.service_date, hours, exclude=record.pk)
    old = record.hours
    if hours == old:
        raise InvalidInput(_("时长没有变化。"), field="hours")
    policy = Policy.current()
    delta = _hour_points(hours, policy) - _hour_points(old, policy)
    try:
        points_move(
            volunteer=record.volunteer,
            delta=delta,
            reason=PointReason.CORRECTION,
            record=record,
            note=reason,
        )
    except InvalidInput as error:
        raise Conflict(_("积分已被兑换使用，不能下调这么多时长。"), field="hours") from error
    Volunteer.objects.filter(pk=record.volunteer_id).update(
        hours_total=F("hours_total") + (hours - old)
    )
    record.hours = hours
    record.correction_reason = reason
    record.save(update_fields=["hours", "correction_reason"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=record,
        changes={"before": {"hours": old}, "after": {"hours": hours}},
        detail={"reason": reason, "correction": True},
    )
    return record


CREDIT_TRANSITIONS = frozenset({"close", "rate"})


def on_transition(sender, order, transition, before, actor, **kwargs) -> None:
    """``shequ.workorders.signals.transitioned``: a service order closed by the
    community (or rated by the resident) credits its claimant's hours once."""
    if transition not in CREDIT_TRANSITIONS or order.kind != "service_order":
        return
    if order.handler_id is None or order.resolved_at is None:
        return
    if ServiceRecord.objects.filter(order_id=order.pk).exists():
        return
    try:
        with transaction.atomic():
            order_credit(order=order, actor=actor)
    except DomainError as error:  # never break the community's closing of the case
        log.warning("order %s: hours not credited (%s)", order.pk, error.code)


def order_credit(*, order, actor: User | None) -> ServiceRecord | None:
    """Credit the claimant of a completed service order: from the claim (or
    the start) to the resolution, at most ``Policy.order_hours_cap`` hours,
    confirmed at once; idempotent on the order."""
    handler = User.objects.get(pk=order.handler_id)
    volunteer = Volunteer.objects.select_for_update().filter(user=handler).first()
    if volunteer is None:
        from shequ.core.scoping import user_roles

        if not user_roles(handler) & {"party_member", "volunteer"}:
            return None
        community = community_of(Area.objects.get(pk=order.area_id))
        if community is None:
            return None
        volunteer = Volunteer.objects.create(
            user=handler,
            name=handler.display_name,
            community=community,
            area_path=community.path,
        )
    policy = Policy.current()
    end = order.resolved_at
    start = order.claimed_at or order.responded_at or order.created_at
    cap = timedelta(hours=float(policy.order_hours_cap))
    start = max(start, end - cap, end - timedelta(hours=24))
    if end <= start:
        return None
    hours = counted_span(volunteer, start, end)
    day = timezone.localdate(start)
    room = DAY_LIMIT - day_total(volunteer, day)
    hours = max(Decimal("0"), min(hours, room))
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        area_path=volunteer.area_path,
        source=RecordSource.ORDER,
        order_id=order.pk,
        title=order.title[:120],
        started_at=start,
        ended_at=end,
        service_date=day,
        hours=hours,
        status=RecordStatus.CONFIRMED,
        confirmed_by=actor if getattr(actor, "is_authenticated", False) else None,
        confirmed_at=timezone.now(),
    )
    _credit(record, policy)
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=record,
        detail={"order": order.number, "hours": hours},
    )
    return record
