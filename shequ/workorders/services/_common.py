"""The machinery every transition shares: the state-machine check, the
conditional UPDATE, the timeline entry and the audit line."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import User
from shequ.core.services.audit import audit_record
from shequ.workorders.errors import IllegalTransition, StaleVersion
from shequ.workorders.models import TimelineEntry, WorkOrder
from shequ.workorders.permissions import may
from shequ.workorders.signals import transitioned
from shequ.workorders.states import TRANSITIONS

NUMBER_PREFIX = "GD"


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("此项为必填项。"), field=field)
    if len(text) > limit:
        raise InvalidInput(_("最多 %(n)s 个字符。") % {"n": limit}, field=field)
    return text


def _entry(
    order: WorkOrder,
    kind: str,
    actor: User | None,
    note: str = "",
    *,
    public: bool = True,
    **data: Any,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        order=order, kind=kind, actor=actor, note=note, public=public, data=data
    )


def _audit(
    order: WorkOrder, actor: User | None, transition: str, before: str, **detail: Any
) -> None:
    # Listeners first: the audit line takes the hash chain's lock, held until
    # commit, so whatever runs after it lengthens the part every write waits on.
    transitioned.send(
        sender=WorkOrder, order=order, transition=transition, before=before, actor=actor
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=order,
        changes={"before": {"state": before}, "after": {"state": order.state}},
        detail={"transition": transition, "number": order.number, **detail},
    )


def _fresh(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_related("department", "category").get(pk=order.pk)


def _check(order: WorkOrder, name: str, actor: User | None, expected_version: int | None) -> None:
    if expected_version is not None and order.version != expected_version:
        raise StaleVersion()
    if actor is not None and not may(actor, order, name):
        raise Forbidden()
    if order.state not in TRANSITIONS[name].sources:
        raise IllegalTransition()


def _apply(
    order: WorkOrder,
    name: str,
    *,
    expected_version: int | None,
    target: str | None = None,
    where: dict[str, Any] | None = None,
    **values: Any,
) -> WorkOrder:
    """The conditional UPDATE: only from an allowed state (and version), so a
    concurrent change makes this one fail instead of overwriting it."""
    transition = TRANSITIONS[name]
    rows = WorkOrder.objects.filter(pk=order.pk, state__in=transition.sources, **(where or {}))
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    new_state = target or transition.target
    if new_state:
        values["state"] = new_state
    if not rows.update(version=F("version") + 1, updated_at=timezone.now(), **values):
        current = WorkOrder.objects.get(pk=order.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleVersion()
        raise IllegalTransition()
    return _fresh(order)
