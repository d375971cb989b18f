"""Deadlines: what is overdue, reminders before a clock runs out, pausing the
clocks while a case waits for the resident, claims that time out back to the
pool, and escalation community → street → district.

``overdue_condition`` (a query) and ``WorkOrder.is_overdue_at`` (one row)
are the same rule, so the screens and the escalation agree. All of it runs
in the background through ``run_deadlines`` (``tasks.deadline_tick``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.models import User
from shequ.core.services.audit import audit_record
from shequ.workorders import notices
from shequ.workorders.choices import OPEN_STATES, EntryKind, EscalationLevel, State
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.models import WorkOrder
from shequ.workorders.services._common import _apply, _audit, _check, _entry, _fresh, _text

DEFAULT_REMIND_BEFORE_HOURS = 2
DEFAULT_CLAIM_TIMEOUT_HOURS = 24


def remind_before() -> timedelta:
    """How long before a deadline the reminder goes out (``SHEQU_WORKORDER_REMIND_BEFORE_HOURS``)."""
    hours = getattr(settings, "SHEQU_WORKORDER_REMIND_BEFORE_HOURS", DEFAULT_REMIND_BEFORE_HOURS)
    return timedelta(hours=float(hours))


def claim_timeout() -> timedelta:
    """How long a claimed order may wait unstarted (``SHEQU_WORKORDER_CLAIM_TIMEOUT_HOURS``)."""
    hours = getattr(settings, "SHEQU_WORKORDER_CLAIM_TIMEOUT_HOURS", DEFAULT_CLAIM_TIMEOUT_HOURS)
    return timedelta(hours=float(hours))


# --------------------------------------------------------------------------
# Overdue
# --------------------------------------------------------------------------


def overdue_condition(now: datetime) -> Q:
    """Open, not paused cases past their resolution deadline, or not responded
    to by the response deadline. Mirrors ``WorkOrder.is_overdue_at``."""
    return Q(state__in=OPEN_STATES, paused_at__isnull=True) & (
        Q(resolve_by__lt=now) | Q(responded_at__isnull=True, respond_by__lt=now)
    )


def _due_level(order: WorkOrder, now: datetime) -> int:
    """Community → street as soon as a clock runs out; → district when the
    case is late by a further full resolution period."""
    if order.resolve_by is not None and order.resolve_by < now:
        period = order.resolve_by - order.created_at
        if now > order.resolve_by + period:
            return EscalationLevel.DISTRICT
    return EscalationLevel.STREET


def workorder_escalate_overdue(*, now: datetime | None = None) -> int:
    """Flag every overdue case and raise it one level up (community → street →
    district), each in its own transaction with a timeline entry and a message
    to the staff of that level; returns how many cases climbed. Safe to run
    again: a case climbs each level once."""
    now = now or timezone.now()
    climbed = 0
    candidates = WorkOrder.objects.filter(
        overdue_condition(now), escalation_level__lt=EscalationLevel.DISTRICT
    )
    for order in candidates.select_related("category", "area").iterator(chunk_size=500):
        level = _due_level(order, now)
        if level <= order.escalation_level:
            continue
        with transaction.atomic():
            if not WorkOrder.objects.filter(pk=order.pk, escalation_level__lt=level).update(
                escalation_level=level, version=F("version") + 1, updated_at=now
            ):
                continue
            order = _fresh(order)
            label = EscalationLevel(level).label
            _entry(
                order,
                EntryKind.ESCALATED,
                None,
                _("已超时，升级至%(level)s督办。") % {"level": label},
                public=False,
                level=level,
            )
            audit_record(
                event=AuditEvent.UPDATE,
                obj=order,
                changes={"before": {}, "after": {"escalation_level": level}},
                detail={"transition": "escalate", "number": order.number},
            )
            transaction.on_commit(lambda o=order, lv=level: notices.overdue(o, lv))
        climbed += 1
    return climbed


# --------------------------------------------------------------------------
# Reminders
# --------------------------------------------------------------------------


def workorder_send_reminders(*, now: datetime | None = None) -> int:
    """One reminder per clock, ``remind_before()`` ahead of the deadline, to
    the handler (or the community) and the owner. Paused cases get none."""
    now = now or timezone.now()
    soon = now + remind_before()
    base = WorkOrder.objects.filter(state__in=OPEN_STATES, paused_at__isnull=True)
    sent = 0
    plans = (
        (
            "response",
            "response_reminded_at",
            base.filter(
                responded_at__isnull=True,
                response_reminded_at__isnull=True,
                respond_by__gt=now,
                respond_by__lte=soon,
            ),
        ),
        (
            "resolution",
            "resolve_reminded_at",
            base.filter(
                resolve_reminded_at__isnull=True, resolve_by__gt=now, resolve_by__lte=soon
            ).exclude(state=State.RESOLVED),
        ),
    )
    for which, field, rows in plans:
        for order in rows.select_related("area", "handler", "owner", "department").iterator(
            chunk_size=500
        ):
            with transaction.atomic():
                if not WorkOrder.objects.filter(pk=order.pk, **{f"{field}__isnull": True}).update(
                    **{field: now}
                ):
                    continue
                transaction.on_commit(lambda o=order, w=which: notices.reminder(o, w))
            sent += 1
    return sent


# --------------------------------------------------------------------------
# Claims that time out
# --------------------------------------------------------------------------


def workorder_expire_claims(*, now: datetime | None = None) -> int:
    """A claimed order not started within ``claim_timeout()`` goes back to the
    pool, with a timeline entry and a message to the claimant."""
    now = now or timezone.now()
    stale = WorkOrder.objects.filter(state=State.CLAIMED, claimed_at__lt=now - claim_timeout())
    released = 0
    for order in stale.select_related("handler").iterator(chunk_size=500):
        previous = order.handler
        with transaction.atomic():
            if not WorkOrder.objects.filter(
                pk=order.pk, state=State.CLAIMED, claimed_at=order.claimed_at
            ).update(
                state=State.POOLED,
                handler=None,
                claimed_at=None,
                version=F("version") + 1,
                updated_at=now,
            ):
                continue
            order = _fresh(order)
            _entry(
                order,
                EntryKind.CLAIM_EXPIRED,
                None,
                _("认领后超时未开始处置，已退回认领池。"),
                previous_handler=previous.pk if previous else None,
            )
            _audit(order, None, "claim_expire", State.CLAIMED)
            transaction.on_commit(lambda o=order, p=previous: notices.claim_expired(o, p))
        released += 1
    return released


# --------------------------------------------------------------------------
# Waiting for the resident
# --------------------------------------------------------------------------


@transaction.atomic
def workorder_pause(
    *, order: WorkOrder, actor: User | None, reason: str, expected_version: int | None = None
) -> WorkOrder:
    """Stop the clocks while the case waits for the resident (to be home, to
    send a document…); the reason is required and recorded."""
    order = _fresh(order)
    _check(order, "pause", actor, expected_version)
    reason = _text(reason, field="reason", limit=200, required=True)
    if order.paused_at is not None:
        raise IllegalTransition(_("该工单已暂停计时。"))
    order = _apply(
        order,
        "pause",
        expected_version=expected_version,
        where={"paused_at__isnull": True},
        paused_at=timezone.now(),
        pause_reason=reason,
    )
    _entry(order, EntryKind.PAUSED, actor, reason)
    _audit(order, actor, "pause", order.state, reason=reason)
    return order


@transaction.atomic
def workorder_resume(
    *, order: WorkOrder, actor: User | None, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """Start the clocks again: both deadlines move by the time paused, and
    the reminders for them may go out again."""
    order = _fresh(order)
    _check(order, "resume", actor, expected_version)
    note = _text(note, field="note", limit=500)
    if order.paused_at is None:
        raise IllegalTransition(_("该工单未暂停计时。"))
    now = timezone.now()
    paused = max(now - order.paused_at, timedelta(0))
    values = {
        "paused_at": None,
        "pause_reason": "",
        "paused_seconds": F("paused_seconds") + int(paused.total_seconds()),
        "response_reminded_at": None,
        "resolve_reminded_at": None,
    }
    if order.respond_by is not None:
        values["respond_by"] = order.respond_by + paused
    if order.resolve_by is not None:
        values["resolve_by"] = order.resolve_by + paused
    order = _apply(
        order,
        "resume",
        expected_version=expected_version,
        where={"paused_at": order.paused_at},
        **values,
    )
    minutes = int(paused.total_seconds() // 60)
    _entry(order, EntryKind.RESUMED, actor, note, paused_minutes=minutes)
    _audit(order, actor, "resume", order.state, paused_minutes=minutes)
    return order


# --------------------------------------------------------------------------
# The periodic run
# --------------------------------------------------------------------------


def run_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Everything the clock drives, once: reminders, claim timeouts, late
    whistle calls, escalation."""
    from shequ.workorders.services.whistle import whistle_escalate_late

    now = now or timezone.now()
    return {
        "reminded": workorder_send_reminders(now=now),
        "claims_released": workorder_expire_claims(now=now),
        "whistles_late": whistle_escalate_late(now=now),
        "escalated": workorder_escalate_overdue(now=now),
    }
