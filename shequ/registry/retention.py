"""Retention (SECURITY.md row 25): residents who moved out or died more than
N years ago are anonymised, not deleted.

The policy is a table (:data:`POLICY`, years per reason, overridable with the
``REGISTRY_RETENTION_YEARS`` setting, a dict of the same keys). A resident
qualifies when they are removed from the ledger and their last move-out or
death on record happened at least that many years before today. Anonymising
keeps the row (households, counts and the timeline stay whole) and takes out
everything that identifies the person:

* the name becomes a placeholder, the pinyin keys are emptied;
* the encrypted ID, mobile, other phone and document numbers, their blind
  indexes and the document type are cleared;
* ethnicity, registered address, work or school and notes are emptied, the
  birth date keeps only its year;
* the key-population tags are deleted;
* the timeline stays: each life event keeps its kind and date, its reason
  and details (which may name people or places) are emptied.

The run is idempotent (an anonymised resident is never picked again), has a
dry run that changes nothing, and writes one ``delete`` audit row per run
with the counts (never a name). Audit rows written before keep their own
retention (``audit_purge``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import InvalidInput
from shequ.core.services.audit import audit_record
from shequ.registry.models import LifeEvent, LifeEventKind, Resident, ResidentTag

POLICY = {LifeEventKind.MOVE_OUT.value: 5, LifeEventKind.DEATH.value: 5}
PLACEHOLDER = "已匿名化"
BATCH = 500


def policy() -> dict[str, int]:
    table = dict(POLICY)
    table.update(getattr(settings, "REGISTRY_RETENTION_YEARS", {}) or {})
    for reason, years in table.items():
        if reason not in POLICY or not isinstance(years, int) or years < 1:
            raise InvalidInput(
                _("保存期限配置有误：%(reason)s = %(years)s（只能为迁出、死亡设置至少1年）。")
                % {"reason": reason, "years": years}
            )
    return table


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def due(reason: str, *, today: date | None = None) -> QuerySet[Resident]:
    """Residents removed for ``reason`` whose last such event is older than the policy."""
    table = policy()
    if reason not in table:
        raise InvalidInput(
            _("未知的保存期限类别“%(reason)s”，可选：%(known)s。")
            % {"reason": reason, "known": "、".join(table)}
        )
    cutoff = _years_before(today or timezone.localdate(), table[reason])
    last = (
        LifeEvent.objects.filter(resident=OuterRef("pk"), kind=reason)
        .values("resident")
        .annotate(on=Max("occurred_on"))
        .values("on")
    )
    return (
        Resident.objects.filter(removed_at__isnull=False, anonymised_at__isnull=True)
        .annotate(event_on=Subquery(last))
        .filter(event_on__isnull=False, event_on__lte=cutoff)
    )


def _anonymise(ids: list[int], now) -> None:
    residents = list(Resident.objects.select_for_update().filter(pk__in=ids))
    for resident in residents:
        resident.name = PLACEHOLDER
        resident.name_pinyin = resident.name_initials = ""
        resident.id_number = resident.mobile = None
        resident.id_number_index = resident.id_last4_index = resident.mobile_index = None
        resident.other_phone = resident.other_phone_index = None
        resident.id_document_number = resident.id_document_index = None
        resident.id_document_type = ""
        resident.ethnicity = resident.registered_address = resident.work_or_school = ""
        resident.notes = ""
        if resident.birth_date is not None:
            resident.birth_date = resident.birth_date.replace(month=1, day=1)
        resident.anonymised_at = now
        resident.version += 1
    Resident.objects.bulk_update(
        residents,
        [
            "name",
            "name_pinyin",
            "name_initials",
            "id_number",
            "mobile",
            "id_number_index",
            "id_last4_index",
            "mobile_index",
            "other_phone",
            "other_phone_index",
            "id_document_type",
            "id_document_number",
            "id_document_index",
            "ethnicity",
            "registered_address",
            "work_or_school",
            "notes",
            "birth_date",
            "anonymised_at",
            "version",
        ],
    )
    ResidentTag.objects.filter(resident_id__in=ids).delete()
    LifeEvent.objects.filter(resident_id__in=ids).update(reason="", details={})


@dataclass
class RetentionResult:
    found: dict[str, int]
    anonymised: int
    dry_run: bool


def registry_retention(
    *, reasons: list[str] | None = None, dry_run: bool = False, today: date | None = None
) -> RetentionResult:
    """Anonymise every resident past the retention period (see the module docstring)."""
    table = policy()
    reasons = list(reasons or table)
    found: dict[str, int] = {}
    ids: list[int] = []
    for reason in reasons:
        picked = list(due(reason, today=today).values_list("pk", flat=True))
        found[reason] = len(picked)
        ids += [pk for pk in picked if pk not in set(ids)]
    if dry_run or not ids:
        return RetentionResult(found=found, anonymised=0, dry_run=dry_run)
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            _anonymise(ids[start : start + BATCH], now)
        audit_record(
            event=AuditEvent.DELETE,
            actor=None,
            object_type="registry.resident",
            object_repr=str(_("保存期满居民匿名化")),
            detail={
                "anonymised": len(ids),
                "by_reason": found,
                "policy_years": {r: table[r] for r in reasons},
            },
        )
    return RetentionResult(found=found, anonymised=len(ids), dry_run=False)
