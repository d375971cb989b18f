"""Search with filters, the "已移除" list, household lists, rentals and a
resident's timeline. Every read starts from ``scoping.restrict``.

Filters combine (AND); within tags any of the chosen kinds matches. Queries
that hold personal numbers (a full ID or document, a phone, the ID's last four) arrive in
POST bodies only: the web form posts, the API has POST search and export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.choices import LEVEL_ORDER, AuditEvent, Level
from shequ.core.errors import InvalidInput
from shequ.core.models import Area, AuditEntry, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.scoping import get_scoped_or_404, path_filter, restrict, scope_paths
from shequ.registry.choices import Action, LivingStatus, ResidenceType
from shequ.registry.labels import tags_prefetch, visible_tags
from shequ.registry.models import (
    Household,
    LifeEvent,
    Rental,
    Resident,
    ResidentTag,
)
from shequ.registry.selectors import is_exact_id, resident_search_condition
from shequ.registry.services import id_last4_index

LAST4 = re.compile(r"^\d{3}[\dX]$")
SORTS = {
    "name": ("name_pinyin", "id"),
    "age": ("-birth_date", "id"),  # youngest first
    "-age": ("birth_date", "id"),  # oldest first
}

COMMUNITY_SEGMENTS = LEVEL_ORDER.index(Level.COMMUNITY) + 1


@dataclass
class ResidentFilters:
    """What a search can combine. Every field is optional."""

    query: str = ""
    tags: list[str] = field(default_factory=list)  # tag codes, any of
    age_min: int | None = None
    age_max: int | None = None
    residence_type: str = ""
    living_status: str = ""
    area_id: int | None = None  # a building or unit (or any area) the household is under
    room: str = ""
    id_last4: str = ""
    sort: str = "name"
    removed: bool = False  # the "已移除" list instead of the live one

    def clean(self) -> ResidentFilters:
        """Validate, raising ``InvalidInput`` with the field it concerns."""
        self.query = (self.query or "").strip()[:50]
        if self.residence_type and self.residence_type not in ResidenceType.values:
            raise InvalidInput(_("人口类型不正确。"), field="residence_type")
        if self.living_status and self.living_status not in LivingStatus.values:
            raise InvalidInput(_("居住状态不正确。"), field="living_status")
        for name in ("age_min", "age_max"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 150:
                raise InvalidInput(_("年龄应在 0 到 150 之间。"), field=name)
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise InvalidInput(_("最小年龄不能大于最大年龄。"), field="age_min")
        self.id_last4 = (self.id_last4 or "").strip().upper()
        if self.id_last4 and not LAST4.match(self.id_last4):
            raise InvalidInput(_("身份证号后四位应为4位数字（最后一位可为X）。"), field="id_last4")
        self.room = (self.room or "").strip()[:20]
        if self.sort not in SORTS:
            raise InvalidInput(_("排序方式不正确。"), field="sort")
        self.tags = [str(t)[:40] for t in self.tags or [] if t][:20]
        return self

    def describe(self) -> dict:
        """The filters for an audit row: which were used, never a personal number."""
        return {
            "query": bool(self.query),
            "tags": self.tags,
            "age_min": self.age_min,
            "age_max": self.age_max,
            "residence_type": self.residence_type,
            "living_status": self.living_status,
            "area_id": self.area_id,
            "room": self.room,
            "id_last4": bool(self.id_last4),
            "sort": self.sort,
            "removed": self.removed,
        }


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _within_one_community(actor: User, action: str, area_id: int | None) -> bool:
    """Does the search cover at most one community's residents (the area asked
    for, or every area of the actor's scope, lies in one community)?"""
    paths = scope_paths(actor, action)
    if area_id is not None:
        asked = Area.objects.filter(pk=area_id).values_list("path", flat=True).first()
        paths = [asked] if asked is not None else paths
    communities = {
        tuple(p.split(PATH_SEPARATOR)[:COMMUNITY_SEGMENTS])
        for p in paths
        if p.count(PATH_SEPARATOR) + 1 >= COMMUNITY_SEGMENTS
    }
    return (
        bool(paths)
        and len(communities) == 1
        and all(p.count(PATH_SEPARATOR) + 1 >= COMMUNITY_SEGMENTS for p in paths)
    )


def resident_search(
    *, actor: User, filters: ResidentFilters, action: str = Action.VIEW
) -> QuerySet[Resident]:
    """Residents in the actor's scope matching every filter, sorted as asked."""
    filters.clean()
    residents = restrict(Resident.objects.all(), actor, action)
    residents = residents.filter(removed_at__isnull=not filters.removed)
    pinyin_fields = ("name_pinyin", "name_initials")
    if _within_one_community(actor, action, filters.area_id):
        # Start from the community's residents (the area path index) and
        # match the pinyin among them, as a name in characters already is:
        # PostgreSQL otherwise walks the city-wide pinyin prefix index, which
        # at 6M residents reads thousands of other communities' namesakes
        # (docs/performance.md). Lower() of the stored lower-case keys is the
        # same text, but no index serves it.
        residents = residents.alias(
            pinyin_key=Lower("name_pinyin"), initials_key=Lower("name_initials")
        )
        pinyin_fields = ("pinyin_key", "initials_key")
    condition = resident_search_condition(filters.query, pinyin_fields)
    if condition is None:
        return residents.none()
    residents = residents.filter(condition)
    if filters.tags:
        residents = residents.filter(
            Exists(
                ResidentTag.objects.filter(
                    visible_tags(actor),  # a labelled kind without clearance finds no one
                    resident=OuterRef("pk"),
                    tag__code__in=filters.tags,
                    tag__is_active=True,
                )
            )
        )
    today = timezone.localdate()
    if filters.age_min is not None:
        residents = residents.filter(birth_date__lte=_years_ago(today, filters.age_min))
    if filters.age_max is not None:
        residents = residents.filter(birth_date__gt=_years_ago(today, filters.age_max + 1))
    if filters.residence_type:
        residents = residents.filter(residence_type=filters.residence_type)
    if filters.living_status:
        residents = residents.filter(living_status=filters.living_status)
    if filters.area_id is not None:
        area_path = Area.objects.filter(pk=filters.area_id).values_list("path", flat=True).first()
        if area_path is None:
            return residents.none()
        residents = residents.filter(path_filter([area_path], "area_path"))
    if filters.room:
        residents = residents.filter(household__room=filters.room)
    if filters.id_last4:
        residents = residents.filter(id_last4_index=id_last4_index(filters.id_last4))
    residents = (
        residents.select_related("household__area")
        .prefetch_related(tags_prefetch(actor))
        .order_by(*SORTS[filters.sort])
    )
    if is_exact_id(filters.query):
        # At most one row (the blind index is unique): read it now, so the
        # paginator's count and page come from this one query instead of
        # three (count, page, tags), the service counter's lookup stays fast.
        residents._fetch_all()
    return residents


def resident_get_any(*, actor: User, pk: int, action: str = Action.VIEW) -> Resident:
    """One resident in scope, removed or not (the resident page shows both)."""
    return get_scoped_or_404(
        Resident.objects.select_related("household__area", "household__head"),
        actor,
        action,
        pk=pk,
    )


def household_list(
    *, actor: User, area_id: int | None = None, room: str = "", removed: bool = False
) -> QuerySet[Household]:
    households = restrict(Household.objects.all(), actor, Action.VIEW).filter(
        removed_at__isnull=not removed
    )
    if area_id is not None:
        area_path = Area.objects.filter(pk=area_id).values_list("path", flat=True).first()
        if area_path is None:
            return households.none()
        households = households.filter(path_filter([area_path], "area_path"))
    if room:
        households = households.filter(room=room.strip()[:20])
    return households.select_related("area", "head").order_by("area_path", "room", "id")


def household_areas(*, actor: User) -> QuerySet[Area]:
    """Units and buildings where the actor may register a household."""
    return restrict(
        Area.objects.filter(level__in=(Level.UNIT, Level.BUILDING)), actor, Action.CHANGE, "path"
    ).order_by("path")


def address_areas(*, actor: User, limit: int = 1000) -> list[tuple[int, str]]:
    """(id, name) of the buildings and units in the actor's view, for the address filter."""
    return list(
        restrict(
            Area.objects.filter(level__in=(Level.UNIT, Level.BUILDING)), actor, Action.VIEW, "path"
        )
        .order_by("path")
        .values_list("pk", "name")[:limit]
    )


def household_rentals(*, actor: User, household: Household) -> list[Rental]:
    return list(
        restrict(Rental.objects.filter(household=household), actor, Action.VIEW)
        .select_related("landlord")
        .prefetch_related("tenants")
    )


def rental_get(*, actor: User, pk: int) -> Rental:
    return get_scoped_or_404(Rental.objects.all(), actor, Action.VIEW, pk=pk)


def life_events(
    *, actor: User, resident: Resident | None = None, household: Household | None = None
):
    events = restrict(LifeEvent.objects.all(), actor, Action.VIEW)
    if resident is not None:
        events = events.filter(resident=resident)
    if household is not None:
        events = events.filter(household=household)
    return events.select_related("actor").order_by("-recorded_at", "-id")


@dataclass
class TimelineItem:
    at: datetime
    label: str
    reason: str = ""
    actor: str = ""
    details: dict = field(default_factory=dict)
    kind: str = ""
    # (field label, before, after) of ordinary fields; personal numbers are never here.
    changes: list[tuple[str, object, object]] = field(default_factory=list)


_SHOWN_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_document_type",
    "residence_type",
    "living_status",
    "relation_to_head",
    "registered_address",
    "work_or_school",
    "notes",
)


def _field_changes(details: dict) -> list[tuple[str, object, object]]:
    before, after = details.get("before") or {}, details.get("after") or {}
    rows = []
    for name in _SHOWN_FIELDS:
        if name in before or name in after:
            model_field = Resident._meta.get_field(name)
            choices = dict(model_field.choices or ())
            old, new = before.get(name), after.get(name)
            rows.append(
                (str(model_field.verbose_name), choices.get(old, old), choices.get(new, new))
            )
    return rows


_AUDIT_LABELS = {
    AuditEvent.CREATE: gettext_lazy("登记入册"),
    AuditEvent.UPDATE: gettext_lazy("修改信息"),
}


def resident_timeline(*, actor: User, resident: Resident) -> list[TimelineItem]:
    """A resident's history, newest first: their life events plus the ordinary
    edits the audit log holds (entry and corrections by form), without the
    audit rows that belong to a life event already shown. Personal numbers
    never appear: audit snapshots exclude them."""
    items = [
        TimelineItem(
            at=event.recorded_at,
            label=event.get_kind_display(),
            reason=event.reason,
            actor=event.actor.get_username() if event.actor_id else "",
            details=event.details,
            kind=event.kind,
            changes=_field_changes(event.details),
        )
        for event in life_events(actor=actor, resident=resident)[:200]
    ]
    entries = AuditEntry.objects.filter(
        object_type="registry.resident",
        object_id=str(resident.pk),
        event_type__in=list(_AUDIT_LABELS),
    ).order_by("-id")[:200]
    for entry in entries:
        if "life_event" in entry.detail or "restored" in entry.detail:
            continue
        changed = [n for n in _SHOWN_FIELDS if n in entry.changes.get("after", {})]
        if (
            entry.event_type == AuditEvent.UPDATE
            and not changed
            and not entry.detail.get("changed_personal_numbers")
        ):
            continue
        items.append(
            TimelineItem(
                at=entry.timestamp,
                label=str(_AUDIT_LABELS[entry.event_type]),
                actor=entry.actor_username,
                details={
                    "fields": changed if entry.event_type == AuditEvent.UPDATE else [],
                    "changed_personal_numbers": entry.detail.get("changed_personal_numbers", []),
                },
                kind=str(entry.event_type),
                changes=_field_changes(entry.changes)
                if entry.event_type == AuditEvent.UPDATE
                else [],
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    return items
