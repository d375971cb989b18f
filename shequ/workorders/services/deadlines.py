"""Deadlines: what is overdue, and escalation community → street → district."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.services.audit import audit_record
from shequ.workorders.choices import (
    OPEN_STATES,
    EntryKind,
    EscalationLevel,
)
from shequ.workorders.models import WorkOrder
from shequ.workorders.services._common import (
    _entry,
)

# --------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------


def overdue_condition(now: datetime) -> Q:
    """Open cases past their resolution deadline, or not responded to in time."""
    return Q(state__in=OPEN_STATES) & (
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
    district), each in its own transaction with a timeline entry; returns how
    many cases climbed. Safe to run again: a case climbs each level once."""
    now = now or timezone.now()
    climbed = 0
    candidates = WorkOrder.objects.filter(
        overdue_condition(now), escalation_level__lt=EscalationLevel.DISTRICT
    )
    for order in candidates.select_related("category").iterator(chunk_size=500):
        level = _due_level(order, now)
        if level <= order.escalation_level:
            continue
        with transaction.atomic():
            if not WorkOrder.objects.filter(pk=order.pk, escalation_level__lt=level).update(
                escalation_level=level, version=F("version") + 1, updated_at=now
            ):
                continue
            order.refresh_from_db()
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
        climbed += 1
    return climbed
