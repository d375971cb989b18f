"""Every change to the ledger. Each function is one transaction that checks the
actor's scope, validates what people typed, and writes its audit row.

``actor=None`` is the system itself (management commands, the demo generator):
no scope check, audited without a user.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.crypto import blind_index
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.iddocuments import DOCUMENT_TYPES, parse_document
from shequ.core.idnumbers import parse_id_number
from shequ.core.models import Area, User
from shequ.core.phones import normalize_mobile, normalize_phone, phone_problem
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record, diff, snapshot
from shequ.registry.choices import Action, Gender, LivingStatus, Relation, ResidenceType
from shequ.registry.models import Household, KeyPopulationTag, Resident, ResidentTag
from shequ.registry.pinyin import name_keys

ID_PURPOSE = "id_number"
MOBILE_PURPOSE = "mobile"
LAST4_PURPOSE = "id_last4"
OTHER_PHONE_PURPOSE = "other_phone"
DOCUMENT_PURPOSE = "id_document"
HOUSEHOLD_LEVELS = (Level.UNIT, Level.BUILDING)
RESIDENT_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "mobile",
    "other_phone",
    "id_document_type",
    "id_document_number",
    "residence_type",
    "living_status",
    "relation_to_head",
    "registered_address",
    "work_or_school",
    "notes",
)
_TEXT_LIMITS = {"ethnicity": 20, "registered_address": 200, "work_or_school": 100, "notes": 2000}
_ENUMS = {
    "gender": Gender,
    "residence_type": ResidenceType,
    "living_status": LivingStatus,
    "relation_to_head": Relation,
}
# Personal numbers: encrypted, never in an audit snapshot or a life event,
# shown only masked unless revealed.
PERSONAL_NUMBERS = ("id_number", "mobile", "other_phone", "id_document_number")
# ``Choices.values`` builds a new list on every access: look values up in sets.
_ENUM_VALUES = {field: frozenset(enum.values) for field, enum in _ENUMS.items()}


_TODAY: tuple[float, date] = (0.0, date.min)


def _today() -> date:
    """``timezone.localdate()``, re-read at most once a second (an import asks a million times)."""
    global _TODAY  # noqa: PLW0603
    now = time.monotonic()
    if now - _TODAY[0] > 1.0:
        _TODAY = (now, timezone.localdate())
    return _TODAY[1]


def id_number_index(value: str) -> str:
    return blind_index(value, ID_PURPOSE)


def mobile_index(value: str) -> str:
    return blind_index(value, MOBILE_PURPOSE)


def other_phone_index(value: str) -> str:
    """Keyed hash of a normalised other phone (a landline "0411-84567890" or a mobile)."""
    return blind_index(value, OTHER_PHONE_PURPOSE)


def id_document_index(kind: str, number: str) -> str:
    """Keyed hash of a document's type and normalised number: unique, one document one resident."""
    return blind_index(f"{kind}:{number}", DOCUMENT_PURPOSE)


def id_document_indexes(number: str) -> list[str]:
    """The blind indexes ``number`` would have under every document type (search by number)."""
    return [id_document_index(kind, number) for kind in sorted(DOCUMENT_TYPES)]


def id_last4_index(value: str) -> str:
    """Keyed hash of the last four characters of an ID number (or of four typed ones)."""
    return blind_index(value[-4:].upper(), LAST4_PURPOSE)


class StaleVersion(Conflict):
    """The row changed since the form or client read it: nothing is written."""

    code = "stale_version"
    status = 412


def check_version(obj: Resident | Household, expected: int | None) -> None:
    """Refuse a write based on an older read (optimistic locking). ``None``
    means the caller did not say which version it saw (services, commands)."""
    if expected is not None and int(expected) != obj.version:
        raise StaleVersion(
            _("该记录已被他人修改，您的修改未保存。请刷新页面查看最新内容后重新填写。"),
            field="version",
        )


def _require(actor: User | None, action: str, path: str) -> None:
    if actor is not None and not can(actor, action, path):
        raise Forbidden()


def _duplicate_id() -> Conflict:
    return Conflict(
        _(
            "该公民身份号码已在居民台账中登记。一个身份号码只能对应一位居民，请先查找原有记录；"
            "如果此人从其他社区迁来，请在户页面点“从其他社区迁入”，输入身份号码办理跨社区迁移。"
        ),
        field="id_number",
        code="duplicate_id_number",
    )


def _duplicate_document() -> Conflict:
    return Conflict(
        _("该证件已在居民台账中登记。一个证件只能对应一位居民，请先查找原有记录。"),
        field="id_document_number",
        code="duplicate_id_document",
    )


def clean_phone(raw: Any, *, field: str = "other_phone") -> str | None:
    """A mobile or a landline with its area code, normalised; ``InvalidInput`` otherwise."""
    text = str(raw or "").strip()
    if not text:
        return None
    phone = normalize_phone(text)
    if phone is None:
        raise InvalidInput(phone_problem(text), field=field, code="phone_format")
    return phone


def clean_document(data: dict[str, Any], clean: dict[str, Any]) -> None:
    """Document type and number (for residents without a mainland ID)."""
    kind = str(data.get("id_document_type") or "").strip()
    if kind and kind not in DOCUMENT_TYPES:
        raise InvalidInput(
            _("“%(value)s”不是可选的证件类型。") % {"value": kind[:20]}, field="id_document_type"
        )
    raw = str(data.get("id_document_number") or "").strip()
    number = parse_document(kind or None, raw) if raw else None
    if number is not None and clean.get("id_number"):
        raise InvalidInput(
            _("已填写公民身份号码的居民不再登记其他证件；境外人员请只填写证件类型和证件号码。"),
            field="id_document_number",
            code="id_and_document",
        )
    clean["id_document_type"] = kind
    clean["id_document_number"] = number


def clean_resident_data(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise one resident's fields (everything in ``RESIDENT_FIELDS``).

    Rules: a name is required; the ID number must pass GB 11643 and, when a
    birth date or gender was also entered, agree with them (otherwise they are
    taken from the ID); a mobile must be a mainland mobile number, the other
    phone a mobile or a landline with its area code; a document number needs
    its type, must have that type's shape, and excludes a mainland ID number;
    enumerations must be known values. Raises ``InvalidInput`` on the first problem.
    """
    clean: dict[str, Any] = {}
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise InvalidInput(_("请填写姓名。"), field="name")
    if len(name) > 50:
        raise InvalidInput(_("姓名最多50个字。"), field="name")
    clean["name"] = name

    for field, values in _ENUM_VALUES.items():
        value = data.get(field) or None
        if value is not None and value not in values:
            raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": value}, field=field)
        clean[field] = value

    birth = data.get("birth_date") or None
    if birth is not None and not isinstance(birth, date):
        try:
            birth = date.fromisoformat(str(birth))
        except ValueError as exc:
            raise InvalidInput(_("出生日期格式应为 2024-01-31。"), field="birth_date") from exc

    raw_id = str(data.get("id_number") or "").strip()
    if raw_id:
        parsed = parse_id_number(raw_id)
        derived_gender = Gender.MALE if parsed.male else Gender.FEMALE
        if birth is not None and birth != parsed.birth_date:
            raise InvalidInput(
                _("出生日期 %(entered)s 与身份号码中的出生日期 %(derived)s 不一致。")
                % {"entered": birth.isoformat(), "derived": parsed.birth_date.isoformat()},
                field="birth_date",
            )
        if clean["gender"] is not None and clean["gender"] != derived_gender:
            raise InvalidInput(
                _("性别与身份号码不一致：身份号码第17位表示%(gender)s。")
                % {"gender": derived_gender.label},
                field="gender",
            )
        clean["id_number"] = parsed.value
        clean["birth_date"] = parsed.birth_date
        clean["gender"] = derived_gender.value
    else:
        clean["id_number"] = None
        clean["birth_date"] = birth
    if clean["gender"] is None:
        raise InvalidInput(_("请选择性别。"), field="gender")
    if clean["birth_date"] is not None and clean["birth_date"] > _today():
        raise InvalidInput(_("出生日期不能晚于今天。"), field="birth_date")

    raw_mobile = str(data.get("mobile") or "").strip()
    if raw_mobile:
        mobile = normalize_mobile(raw_mobile)
        if mobile is None:
            raise InvalidInput(
                _("手机号码格式不正确，应为11位中国大陆手机号，例如 13800000000。"), field="mobile"
            )
        clean["mobile"] = mobile
    else:
        clean["mobile"] = None
    clean["other_phone"] = clean_phone(data.get("other_phone"))
    clean_document(data, clean)

    for field, limit in _TEXT_LIMITS.items():
        text = str(data.get(field) or "").strip()
        if len(text) > limit:
            raise InvalidInput(_("最多 %(n)s 个字符。") % {"n": limit}, field=field)
        clean[field] = text

    clean["residence_type"] = clean["residence_type"] or ResidenceType.REGISTERED
    clean["living_status"] = clean["living_status"] or LivingStatus.LIVING
    clean["relation_to_head"] = clean["relation_to_head"] or Relation.OTHER
    return clean


def apply_resident_data(resident: Resident, clean: dict[str, Any]) -> None:
    """Set cleaned values and the derived search keys on an unsaved or locked row."""
    for field, value in clean.items():
        setattr(resident, field, value)
    resident.name_pinyin, resident.name_initials = name_keys(clean["name"])
    resident.id_number_index = id_number_index(clean["id_number"]) if clean["id_number"] else None
    resident.id_last4_index = id_last4_index(clean["id_number"]) if clean["id_number"] else None
    resident.mobile_index = mobile_index(clean["mobile"]) if clean["mobile"] else None
    other = clean.get("other_phone")
    resident.other_phone_index = other_phone_index(other) if other else None
    number = clean.get("id_document_number")
    resident.id_document_index = (
        id_document_index(clean["id_document_type"], number) if number else None
    )


def _save_resident(resident: Resident) -> None:
    others = Resident.objects.exclude(pk=resident.pk)
    if (
        resident.id_number_index
        and others.filter(id_number_index=resident.id_number_index).exists()
    ):
        raise _duplicate_id()
    document = resident.id_document_index
    if document and others.filter(id_document_index=document).exists():
        raise _duplicate_document()
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:  # a concurrent insert of the same ID number or document
        if document and others.filter(id_document_index=document).exists():
            raise _duplicate_document() from exc
        raise _duplicate_id() from exc


@transaction.atomic
def household_create(
    *, actor: User | None, area: Area, room: str = "", number: str = ""
) -> Household:
    """Register a household at a room of a stairway unit (or at a building, for
    scattered houses). Needs ``registry.change`` on that area."""
    if area.level not in HOUSEHOLD_LEVELS:
        raise InvalidInput(_("户的地址须为单元或楼栋。"), field="area")
    _require(actor, Action.CHANGE, area.path)
    room, number = (room or "").strip(), (number or "").strip()
    if len(room) > 20:
        raise InvalidInput(_("门牌号最多20个字符。"), field="room")
    if len(number) > 30:
        raise InvalidInput(_("户号最多30个字符。"), field="number")
    household = Household.objects.create(area=area, room=room, number=number, area_path=area.path)
    audit_record(
        event=AuditEvent.CREATE, actor=actor, obj=household, changes={"after": snapshot(household)}
    )
    return household


@transaction.atomic
def resident_create(*, actor: User | None, household: Household, **data: Any) -> Resident:
    """Enter a resident into a household's ledger.

    Enforces the validation of :func:`clean_resident_data`, one resident per
    ID number across the installation, at most one head per household, and
    ``registry.change`` on the household's area. The audit row records the
    change without the ID or mobile number.
    """
    unknown = set(data) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require(actor, Action.CHANGE, household.area_path)
    if household.is_removed:
        raise InvalidInput(_("该户已注销，不能再登记成员。"), field="household")
    clean = clean_resident_data(data)
    if clean["relation_to_head"] == Relation.HEAD and household.head_id is not None:
        raise InvalidInput(_("该户已有户主。"), field="relation_to_head")
    resident = Resident(household=household, area_path=household.area_path)
    apply_resident_data(resident, clean)
    _save_resident(resident)
    if clean["relation_to_head"] == Relation.HEAD:
        household.head = resident
        household.version += 1
        household.save(update_fields=["head", "updated_at", "version"])
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=resident,
        changes={"after": snapshot(resident)},
        detail={name: bool(getattr(resident, name)) for name in PERSONAL_NUMBERS},
    )
    return resident


@transaction.atomic
def resident_update(
    *,
    actor: User | None,
    resident: Resident,
    expected_version: int | None = None,
    life_event: str | None = None,
    **changes: Any,
) -> Resident:
    """Correct a resident's details. The same validation as on entry applies to
    the result as a whole (a new birth date must still agree with the ID). The
    audit row holds the before/after of ordinary fields and only the names of
    changed personal numbers. ``expected_version`` (what the form or client
    read) must still be current, or nothing is written (:class:`StaleVersion`)."""
    unknown = set(changes) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    resident = Resident.objects.select_for_update().select_related("household").get(pk=resident.pk)
    _require(actor, Action.CHANGE, resident.area_path)
    if resident.is_removed:
        raise InvalidInput(_("该居民已被移除，请先恢复再修改。"))
    check_version(resident, expected_version)
    before = snapshot(resident)
    before_secret = {name: getattr(resident, name) for name in PERSONAL_NUMBERS}
    merged = {field: getattr(resident, field) for field in RESIDENT_FIELDS}
    merged.update(changes)
    if "id_number" in changes and "birth_date" not in changes:
        merged["birth_date"] = None  # taken from the new ID
    if "id_number" in changes and "gender" not in changes:
        merged["gender"] = None
    clean = clean_resident_data(merged)
    household = resident.household
    becomes_head = clean["relation_to_head"] == Relation.HEAD and household.head_id != resident.pk
    if becomes_head and household.head_id is not None:
        raise InvalidInput(_("该户已有户主。"), field="relation_to_head")
    apply_resident_data(resident, clean)
    resident.version += 1
    _save_resident(resident)
    if becomes_head:
        household.head = resident
        household.version += 1
        household.save(update_fields=["head", "updated_at", "version"])
    elif household.head_id == resident.pk and clean["relation_to_head"] != Relation.HEAD:
        household.head = None
        household.version += 1
        household.save(update_fields=["head", "updated_at", "version"])
    sensitive = [name for name, old in before_secret.items() if getattr(resident, name) != old]
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={
            "changed_personal_numbers": sensitive,
            **({"life_event": life_event} if life_event else {}),
        },
    )
    return resident


@transaction.atomic
def resident_tag_add(
    *,
    actor: User | None,
    resident: Resident,
    tag: KeyPopulationTag,
    attributes: dict | None = None,
    valid_from: date | None = None,
) -> ResidentTag:
    """Mark a resident as belonging to a key population (elderly living alone…).
    A labelled kind (health, disability, assistance) needs its clearance."""
    _require(actor, Action.CHANGE, resident.area_path)
    from shequ.registry.labels import require_clearance

    require_clearance(actor, tag, resident.area_path)
    if ResidentTag.objects.filter(resident=resident, tag=tag).exists():
        raise InvalidInput(_("该居民已有此标记。"), field="tag")
    values = {"resident": resident, "tag": tag, "attributes": attributes or {}}
    if valid_from is not None:
        values["valid_from"] = valid_from
    item = ResidentTag.objects.create(**values)
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=item,
        object_repr=f"{resident} · {tag.code}",
        area_path=resident.area_path,
        changes={"after": snapshot(item)},
    )
    return item


@dataclass(frozen=True)
class Revealed:
    resident_id: int
    id_number: str
    mobile: str
    other_phone: str = ""
    id_document_number: str = ""


@transaction.atomic
def resident_reveal(*, actor: User, resident: Resident, reason: str) -> Revealed:
    """Show one resident's full ID, document and phone numbers to a worker allowed to
    see them (``registry.reveal`` on the resident's area), for a stated
    reason. Every reveal is one ``pii_reveal`` audit row with that reason."""
    if not can(actor, Action.REVEAL, resident.area_path):
        raise Forbidden(_("您没有查看完整个人信息的权限。"))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput(_("请填写查看完整信息的事由。"), field="reason")
    if len(reason) > 200:
        raise InvalidInput(_("事由最多200个字。"), field="reason")
    audit_record(
        event=AuditEvent.PII_REVEAL,
        actor=actor,
        obj=resident,
        detail={"reason": reason, "fields": list(PERSONAL_NUMBERS)},
    )
    return Revealed(
        resident_id=resident.pk,
        id_number=resident.id_number or "",
        mobile=resident.mobile or "",
        other_phone=resident.other_phone or "",
        id_document_number=resident.id_document_number or "",
    )
