"""Rented housing (出租房屋): registering a let home with its landlord and
tenants, and ending the lease. One transaction and one audit row each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import InvalidInput
from shequ.core.models import User
from shequ.core.services.audit import audit_record, snapshot
from shequ.registry.choices import Action
from shequ.registry.models import Household, Rental, Resident
from shequ.registry.services import _require


@transaction.atomic
def rental_register(
    *,
    actor: User | None,
    household: Household,
    lease_start: date,
    lease_end: date | None = None,
    landlord: Resident | None = None,
    landlord_name: str = "",
    tenants: Iterable[Resident] = (),
    notes: str = "",
) -> Rental:
    """Register a home as let. The landlord is a resident of the ledger or just
    a name (many live elsewhere); tenants must be residents within the actor's
    scope; the lease may not end before it starts."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require(actor, Action.CHANGE, household.area_path)
    if household.is_removed:
        raise InvalidInput(_("该户已移除。"), field="household")
    landlord_name = " ".join(str(landlord_name or "").split())
    if landlord is None and not landlord_name:
        raise InvalidInput(_("请选择房东或填写房东姓名。"), field="landlord_name")
    if len(landlord_name) > 50:
        raise InvalidInput(_("房东姓名最多50个字。"), field="landlord_name")
    if lease_end is not None and lease_end < lease_start:
        raise InvalidInput(_("租期结束日期不能早于开始日期。"), field="lease_end")
    notes = str(notes or "").strip()
    if len(notes) > 2000:
        raise InvalidInput(_("最多 %(n)s 个字符。") % {"n": 2000}, field="notes")
    tenants = list(tenants)
    for person in [*tenants, *([landlord] if landlord else [])]:
        _require(actor, Action.VIEW, person.area_path)
        if person.is_removed:
            raise InvalidInput(_("%(name)s 已被移除。") % {"name": person.name}, field="tenants")
    rental = Rental.objects.create(
        household=household,
        landlord=landlord,
        landlord_name="" if landlord else landlord_name,
        lease_start=lease_start,
        lease_end=lease_end,
        notes=notes,
        area_path=household.area_path,
    )
    rental.tenants.set(tenants)
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=rental,
        changes={"after": {**snapshot(rental), "tenants": [t.pk for t in tenants]}},
    )
    return rental


@transaction.atomic
def rental_end(
    *, actor: User | None, rental: Rental, reason: str = "", ended_on: date | None = None
) -> Rental:
    """The lease is over (the tenants left, the owner moved back): the rental
    stays on record with the end date and reason."""
    rental = Rental.objects.select_for_update().get(pk=rental.pk)
    _require(actor, Action.CHANGE, rental.area_path)
    if rental.ended_at is not None:
        raise InvalidInput(_("该出租登记已结束。"))
    reason = " ".join(str(reason or "").split())
    if len(reason) > 200:
        raise InvalidInput(_("原因最多200个字。"), field="reason")
    ended_on = ended_on or timezone.localdate()
    if ended_on < rental.lease_start:
        raise InvalidInput(_("结束日期不能早于租期开始日期。"), field="ended_on")
    rental.ended_at = timezone.now()
    rental.ended_reason = reason
    if rental.lease_end is None or rental.lease_end > ended_on:
        rental.lease_end = ended_on
    rental.save(update_fields=["ended_at", "ended_reason", "lease_end"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=rental,
        changes={"after": {"ended_at": rental.ended_at, "lease_end": rental.lease_end}},
        detail={"reason": reason},
    )
    return rental
