"""Life events of the ledger (人口变动): moving in and out, between households,
births, deaths, a new head, corrections, and soft removal with restoration.

Nothing here deletes a row. Each function is one transaction that checks the
actor's scope, changes the resident or household, and writes one
:class:`LifeEvent` and one audit row with it, so the timeline and the audit log
always agree with the ledger. ID and mobile numbers never enter either: a
correction records only *that* they changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import InvalidInput
from shequ.core.models import User
from shequ.core.services.audit import audit_record, diff, snapshot
from shequ.registry.choices import Action, Relation
from shequ.registry.models import (
    Household,
    KeyPopulationTag,
    LifeEvent,
    LifeEventKind,
    Resident,
    ResidentTag,
)
from shequ.registry.services import (
    RESIDENT_FIELDS,
    _require,
    check_version,
    resident_create,
    resident_update,
)

RESTORE = Action.RESTORE
_PERSONAL = ("id_number", "mobile", "other_phone", "id_document_number")


def _reason(text: str | None, *, required: bool = True) -> str:
    reason = " ".join(str(text or "").split())
    if required and not reason:
        raise InvalidInput(_("请填写原因。"), field="reason")
    if len(reason) > 200:
        raise InvalidInput(_("原因最多200个字。"), field="reason")
    return reason


def _day(value: date | str | None) -> date:
    if value in (None, ""):
        return timezone.localdate()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput(_("日期格式应为 2024-01-31。"), field="occurred_on") from exc
    if value > timezone.localdate():
        raise InvalidInput(_("发生日期不能晚于今天。"), field="occurred_on")
    return value


def _lock_resident(resident: Resident, expected_version: int | None) -> Resident:
    resident = Resident.objects.select_for_update().select_related("household").get(pk=resident.pk)
    check_version(resident, expected_version)
    return resident


def _lock_household(household: Household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)


def _event(
    *,
    kind: str,
    actor: User | None,
    resident: Resident | None = None,
    household: Household | None = None,
    occurred_on: date | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> LifeEvent:
    place = resident if resident is not None else household
    return LifeEvent.objects.create(
        kind=kind,
        resident=resident,
        household=household if household is not None else getattr(resident, "household", None),
        occurred_on=occurred_on or timezone.localdate(),
        reason=reason,
        details=details or {},
        actor=actor,
        area_path=place.area_path,
    )


def _save(resident: Resident, *fields: str) -> None:
    resident.version += 1
    resident.save(update_fields=[*fields, "version", "updated_at"])


def _clear_head(household: Household, resident: Resident) -> None:
    if household.head_id == resident.pk:
        household.head = None
        household.version += 1
        household.save(update_fields=["head", "version", "updated_at"])


def _live(resident: Resident) -> None:
    if resident.is_removed:
        raise InvalidInput(_("该居民已被移除，请先恢复。"))


# --------------------------------------------------------------------------
# Moves
# --------------------------------------------------------------------------


@transaction.atomic
def resident_move_out(
    *,
    actor: User | None,
    resident: Resident,
    destination: str,
    reason: str = "",
    occurred_on: date | str | None = None,
    expected_version: int | None = None,
) -> Resident:
    """The resident left the community (迁出) for ``destination``: the record is
    removed from lists and counts, restorable, and the move is on their timeline."""
    resident = _lock_resident(resident, expected_version)
    _require(actor, Action.CHANGE, resident.area_path)
    _live(resident)
    destination = " ".join(str(destination or "").split())
    if not destination:
        raise InvalidInput(_("请填写迁往地址。"), field="destination")
    if len(destination) > 200:
        raise InvalidInput(_("迁往地址最多200个字。"), field="destination")
    reason = _reason(reason, required=False)
    day = _day(occurred_on)
    before = snapshot(resident)
    resident.removed_at = timezone.now()
    resident.removed_reason = (_("迁出至%(place)s") % {"place": destination})[:200]
    _save(resident, "removed_at", "removed_reason")
    _clear_head(resident.household, resident)
    _event(
        kind=LifeEventKind.MOVE_OUT,
        actor=actor,
        resident=resident,
        occurred_on=day,
        reason=reason,
        details={"destination": destination},
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={"life_event": LifeEventKind.MOVE_OUT},
    )
    return resident


@transaction.atomic
def resident_move_in(
    *,
    actor: User | None,
    household: Household,
    origin: str = "",
    reason: str = "",
    occurred_on: date | str | None = None,
    **data: Any,
) -> Resident:
    """Someone moved into a household of the community (迁入): a new resident
    entered with the usual validation, and a move-in on their timeline."""
    day = _day(occurred_on)
    resident = resident_create(actor=actor, household=household, **data)
    _event(
        kind=LifeEventKind.MOVE_IN,
        actor=actor,
        resident=resident,
        occurred_on=day,
        reason=_reason(reason, required=False),
        details={"origin": " ".join(str(origin or "").split())[:200]},
    )
    return resident


@transaction.atomic
def resident_move_household(
    *,
    actor: User | None,
    resident: Resident,
    household: Household,
    relation_to_head: str = Relation.OTHER,
    reason: str = "",
    occurred_on: date | str | None = None,
    expected_version: int | None = None,
) -> Resident:
    """Move a resident from one household to another (户间迁移). Needs
    ``registry.change`` on both; the resident stops heading the old household."""
    resident = _lock_resident(resident, expected_version)
    _require(actor, Action.CHANGE, resident.area_path)
    _live(resident)
    target = _lock_household(household)
    _require(actor, Action.CHANGE, target.area_path)
    if target.is_removed:
        raise InvalidInput(_("目标户已移除。"), field="household")
    if target.pk == resident.household_id:
        raise InvalidInput(_("该居民已在这一户。"), field="household")
    if relation_to_head not in Relation.values:
        raise InvalidInput(
            _("“%(value)s”不是可选的值。") % {"value": relation_to_head}, field="relation_to_head"
        )
    if relation_to_head == Relation.HEAD and target.head_id is not None:
        raise InvalidInput(_("该户已有户主。"), field="relation_to_head")
    reason = _reason(reason, required=False)
    day = _day(occurred_on)
    old = resident.household
    before = snapshot(resident)
    _clear_head(old, resident)
    resident.household = target
    resident.area_path = target.area_path
    resident.relation_to_head = relation_to_head
    _save(resident, "household", "area_path", "relation_to_head")
    if relation_to_head == Relation.HEAD:
        target.head = resident
        target.version += 1
        target.save(update_fields=["head", "version", "updated_at"])
    _event(
        kind=LifeEventKind.MOVE_BETWEEN_HOUSEHOLDS,
        actor=actor,
        resident=resident,
        household=target,
        occurred_on=day,
        reason=reason,
        details={
            "from_household": old.pk,
            "from": str(old),
            "to_household": target.pk,
            "to": str(target),
        },
    )
    audit_record(
        event=AuditEvent.MOVE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={"life_event": LifeEventKind.MOVE_BETWEEN_HOUSEHOLDS},
    )
    return resident


# --------------------------------------------------------------------------
# Births, deaths, heads, corrections
# --------------------------------------------------------------------------


@transaction.atomic
def resident_record_birth(
    *, actor: User | None, household: Household, occurred_on: date | str | None = None, **data: Any
) -> Resident:
    """A baby born into a household: a new resident whose birth date is the
    day of the event, with a birth on their timeline."""
    if "birth_date" not in data or not data["birth_date"]:
        data["birth_date"] = _day(occurred_on)
    data.setdefault("relation_to_head", Relation.CHILD)
    resident = resident_create(actor=actor, household=household, **data)
    _event(
        kind=LifeEventKind.BIRTH,
        actor=actor,
        resident=resident,
        occurred_on=resident.birth_date,
        details={},
    )
    return resident


@transaction.atomic
def resident_record_death(
    *,
    actor: User | None,
    resident: Resident,
    occurred_on: date | str | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Resident:
    """A resident died: removed from lists and counts (restorable if recorded
    in error), no longer head of the household, a death on the timeline."""
    resident = _lock_resident(resident, expected_version)
    _require(actor, Action.CHANGE, resident.area_path)
    _live(resident)
    day = _day(occurred_on)
    if resident.birth_date and day < resident.birth_date:
        raise InvalidInput(_("死亡日期不能早于出生日期。"), field="occurred_on")
    before = snapshot(resident)
    resident.removed_at = timezone.now()
    resident.removed_reason = (_("已去世（%(day)s）") % {"day": day.isoformat()})[:200]
    _save(resident, "removed_at", "removed_reason")
    _clear_head(resident.household, resident)
    _event(
        kind=LifeEventKind.DEATH,
        actor=actor,
        resident=resident,
        occurred_on=day,
        reason=_reason(reason, required=False),
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={"life_event": LifeEventKind.DEATH},
    )
    return resident


@transaction.atomic
def household_change_head(
    *,
    actor: User | None,
    household: Household,
    new_head: Resident,
    reason: str = "",
    occurred_on: date | str | None = None,
    expected_version: int | None = None,
) -> Household:
    """A member becomes the head (户主) of their household; the former head
    becomes "other" until someone corrects their relation."""
    household = _lock_household(household)
    _require(actor, Action.CHANGE, household.area_path)
    check_version(household, expected_version)
    if household.is_removed:
        raise InvalidInput(_("该户已移除。"), field="household")
    new_head = Resident.objects.select_for_update().get(pk=new_head.pk)
    if new_head.household_id != household.pk or new_head.is_removed:
        raise InvalidInput(_("新户主须是这一户的在册成员。"), field="new_head")
    if household.head_id == new_head.pk:
        raise InvalidInput(_("此人已是户主。"), field="new_head")
    reason = _reason(reason, required=False)
    old_head_id = household.head_id
    if old_head_id is not None:
        old = Resident.objects.select_for_update().get(pk=old_head_id)
        old.relation_to_head = Relation.OTHER
        _save(old, "relation_to_head")
    new_head.relation_to_head = Relation.HEAD
    _save(new_head, "relation_to_head")
    before = snapshot(household)
    household.head = new_head
    household.version += 1
    household.save(update_fields=["head", "version", "updated_at"])
    _event(
        kind=LifeEventKind.CHANGE_OF_HEAD,
        actor=actor,
        resident=new_head,
        household=household,
        occurred_on=_day(occurred_on),
        reason=reason,
        details={"from_head": old_head_id, "to_head": new_head.pk},
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=household,
        changes=diff(before, snapshot(household)),
        detail={"life_event": LifeEventKind.CHANGE_OF_HEAD},
    )
    return household


@transaction.atomic
def resident_correct(
    *,
    actor: User | None,
    resident: Resident,
    reason: str,
    expected_version: int | None = None,
    **changes: Any,
) -> Resident:
    """Correct what was entered wrongly, with a reason (信息更正). The same
    validation as on entry; the event and the audit row hold the before and
    after of ordinary fields and only the *names* of changed personal numbers."""
    reason = _reason(reason)
    before = snapshot(resident, [f for f in RESIDENT_FIELDS if f not in _PERSONAL])
    secrets_before = {name: getattr(resident, name) for name in _PERSONAL}
    resident = resident_update(
        actor=actor,
        resident=resident,
        expected_version=expected_version,
        life_event=LifeEventKind.CORRECTION,
        **changes,
    )
    after = snapshot(resident, [f for f in RESIDENT_FIELDS if f not in _PERSONAL])
    changed_numbers = [n for n, v in secrets_before.items() if getattr(resident, n) != v]
    change = diff(before, after)
    if not change["before"] and not changed_numbers:
        raise InvalidInput(_("没有需要更正的内容。"))
    _event(
        kind=LifeEventKind.CORRECTION,
        actor=actor,
        resident=resident,
        reason=reason,
        details={**change, "changed_personal_numbers": changed_numbers},
    )
    return resident


# --------------------------------------------------------------------------
# Soft removal and restoration
# --------------------------------------------------------------------------


@transaction.atomic
def resident_remove(
    *, actor: User | None, resident: Resident, reason: str, expected_version: int | None = None
) -> Resident:
    """Take a resident off the ledger's lists and counts, with a reason (a
    duplicate, an entry in error). Nothing is deleted; community staff can
    restore it from the "已移除" list."""
    resident = _lock_resident(resident, expected_version)
    _require(actor, Action.CHANGE, resident.area_path)
    _live(resident)
    reason = _reason(reason)
    before = snapshot(resident)
    resident.removed_at = timezone.now()
    resident.removed_reason = reason
    _save(resident, "removed_at", "removed_reason")
    _clear_head(resident.household, resident)
    _event(kind=LifeEventKind.REMOVAL, actor=actor, resident=resident, reason=reason)
    audit_record(
        event=AuditEvent.DELETE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={"soft": True, "reason": reason},
    )
    return resident


@transaction.atomic
def resident_restore(*, actor: User | None, resident: Resident, reason: str = "") -> Resident:
    """Bring a removed, moved-out or deceased resident back onto the ledger.
    Needs ``registry.restore`` (community staff), and a live household."""
    resident = _lock_resident(resident, None)
    _require(actor, RESTORE, resident.area_path)
    if not resident.is_removed:
        raise InvalidInput(_("该居民未被移除。"))
    if resident.anonymised_at is not None:
        raise InvalidInput(_("该居民的个人信息已按保存期限匿名化，不能恢复。"))
    if resident.household.is_removed:
        raise InvalidInput(_("所在户已移除，请先恢复该户。"), field="household")
    reason = _reason(reason, required=False)
    before = snapshot(resident)
    if resident.relation_to_head == Relation.HEAD and resident.household.head_id is not None:
        resident.relation_to_head = Relation.OTHER
    resident.removed_at = None
    resident.removed_reason = ""
    _save(resident, "removed_at", "removed_reason", "relation_to_head")
    if resident.relation_to_head == Relation.HEAD:
        household = _lock_household(resident.household)
        household.head = resident
        household.version += 1
        household.save(update_fields=["head", "version", "updated_at"])
    _event(kind=LifeEventKind.RESTORE, actor=actor, resident=resident, reason=reason)
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={"restored": True},
    )
    return resident


@transaction.atomic
def household_remove(
    *, actor: User | None, household: Household, reason: str, expected_version: int | None = None
) -> Household:
    """Take a household off the ledger, with a reason. Only an empty household
    (every member moved out, deceased or removed) can go, so nobody vanishes
    from the counts without their own event."""
    household = _lock_household(household)
    _require(actor, Action.CHANGE, household.area_path)
    check_version(household, expected_version)
    if household.is_removed:
        raise InvalidInput(_("该户已移除。"))
    reason = _reason(reason)
    if household.members.filter(removed_at__isnull=True).exists():
        raise InvalidInput(_("这一户还有在册成员，请先为他们办理迁出或移除。"), field="household")
    before = snapshot(household)
    household.removed_at = timezone.now()
    household.removed_reason = reason
    household.version += 1
    household.save(update_fields=["removed_at", "removed_reason", "version", "updated_at"])
    _event(kind=LifeEventKind.REMOVAL, actor=actor, household=household, reason=reason)
    audit_record(
        event=AuditEvent.DELETE,
        actor=actor,
        obj=household,
        changes=diff(before, snapshot(household)),
        detail={"soft": True, "reason": reason},
    )
    return household


@transaction.atomic
def household_restore(*, actor: User | None, household: Household, reason: str = "") -> Household:
    """Bring a removed household back (``registry.restore``)."""
    household = _lock_household(household)
    _require(actor, RESTORE, household.area_path)
    if not household.is_removed:
        raise InvalidInput(_("该户未被移除。"))
    before = snapshot(household)
    household.removed_at = None
    household.removed_reason = ""
    household.version += 1
    household.save(update_fields=["removed_at", "removed_reason", "version", "updated_at"])
    _event(
        kind=LifeEventKind.RESTORE,
        actor=actor,
        household=household,
        reason=_reason(reason, required=False),
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=household,
        changes=diff(before, snapshot(household)),
        detail={"restored": True},
    )
    return household


# --------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------


@transaction.atomic
def resident_tag_remove(*, actor: User | None, resident: Resident, tag: KeyPopulationTag) -> None:
    """A resident no longer belongs to a key population. The membership row
    goes; the audit row keeps what it was."""
    _require(actor, Action.CHANGE, resident.area_path)
    from shequ.registry.labels import require_clearance

    require_clearance(actor, tag, resident.area_path)
    item = ResidentTag.objects.filter(resident=resident, tag=tag).first()
    if item is None:
        raise InvalidInput(_("该居民没有此标记。"), field="tag")
    audit_record(
        event=AuditEvent.DELETE,
        actor=actor,
        obj=item,
        object_repr=f"{resident} · {tag.code}",
        area_path=resident.area_path,
        changes={"before": snapshot(item)},
    )
    item.delete()
