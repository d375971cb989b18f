"""Reads of the ledger that depend on who asks. Every one starts from
``scoping.restrict`` with ``registry.view``, so a grid worker's search, list,
detail page and API answer only ever contain their own grids' residents."""

from __future__ import annotations

import re

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)

from shequ.core.iddocuments import could_be_document, normalize_document_number
from shequ.core.idnumbers import normalize_id_number
from shequ.core.models import User
from shequ.core.phones import normalize_landline, normalize_mobile
from shequ.core.scoping import get_scoped_or_404, restrict
from shequ.registry.choices import Action, Relation
from shequ.registry.labels import tags_prefetch, visible_tags
from shequ.registry.models import Household, Resident, ResidentTag
from shequ.registry.pinyin import normalize_latin_query
from shequ.registry.services import (
    id_document_indexes,
    id_number_index,
    mobile_index,
    other_phone_index,
)

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_HAN = re.compile(r"[\u3400-\u9fff]")


def looks_like_personal_number(query: str) -> bool:
    """True for what may be an ID or phone number: such queries travel in a
    POST body, never in a URL (SECURITY.md row 27)."""
    return sum(ch.isdigit() for ch in normalize_id_number(query)) >= 6


def is_exact_id(query: str) -> bool:
    """Is this search an 18-character ID number (one resident at most)?"""
    return bool(query) and bool(_ID_SHAPE.match(normalize_id_number(query)))


def resident_search_condition(
    query: str, pinyin_fields: tuple[str, str] = ("name_pinyin", "name_initials")
) -> Q | None:
    """The filter for one search box entry, or None when it matches nothing.

    * an 18-character ID number: exact, through its blind index;
    * a mobile number: exact, through the blind index of the mobile or of the other phone;
    * a landline with its area code: exact, through the other phone's blind index;
    * a full passport or permit number: exact, through the document's blind index
      (whatever its type);
    * Chinese characters: part of the name;
    * Latin letters: the start of the full pinyin or of the initials
      (张三: "zhang", "zhangsan", "zs").

    Partial ID or phone digits cannot be searched: the numbers are encrypted.
    ``pinyin_fields`` names what the pinyin prefixes are matched against (the
    search within one community matches copies the indexes cannot serve).
    """
    query = query.strip()
    if not query:
        return Q()
    id_candidate = normalize_id_number(query)
    if _ID_SHAPE.match(id_candidate):
        return Q(id_number_index=id_number_index(id_candidate))
    condition = None
    mobile = normalize_mobile(query)
    if mobile:
        condition = Q(mobile_index=mobile_index(mobile)) | Q(
            other_phone_index=other_phone_index(mobile)
        )
    landline = None if mobile else normalize_landline(query)
    if landline:
        condition = Q(other_phone_index=other_phone_index(landline))
    if could_be_document(query):
        document = Q(id_document_index__in=id_document_indexes(normalize_document_number(query)))
        condition = document if condition is None else condition | document
    if condition is not None:
        return condition
    if _HAN.search(query):
        return Q(name__contains="".join(query.split()))
    latin = normalize_latin_query(query)
    if latin and not latin.isdigit():
        pinyin, initials = pinyin_fields
        return Q(**{f"{pinyin}__startswith": latin}) | Q(**{f"{initials}__startswith": latin})
    return None


def resident_list(
    *,
    actor: User,
    query: str = "",
    household: Household | None = None,
    residence_type: str | None = None,
    include_removed: bool = False,
) -> QuerySet[Resident]:
    """Residents in the actor's scope matching ``query`` (see
    :func:`resident_search_condition`), in pinyin order."""
    residents = restrict(Resident.objects.all(), actor, Action.VIEW)
    if not include_removed:
        residents = residents.filter(removed_at__isnull=True)
    if household is not None:
        residents = residents.filter(household=household)
    if residence_type:
        residents = residents.filter(residence_type=residence_type)
    condition = resident_search_condition(query)
    if condition is None:
        return residents.none()
    return (
        residents.filter(condition)
        .select_related("household__area")
        .prefetch_related(tags_prefetch(actor))
        .order_by("name_pinyin", "id")
    )


def resident_get(*, actor: User, pk: int) -> Resident:
    """One resident in scope; 404 whether missing or out of scope."""
    resident = get_scoped_or_404(
        Resident.objects.select_related("household__area", "household__head"),
        actor,
        Action.VIEW,
        pk=pk,
    )
    prefetch_related_objects([resident], tags_prefetch(actor, resident.area_path))
    return resident


def household_get(*, actor: User, pk: int) -> Household:
    return get_scoped_or_404(
        Household.objects.select_related("area", "head"), actor, Action.VIEW, pk=pk
    )


def household_members(*, actor: User, household: Household) -> QuerySet[Resident]:
    """The household's current members, the head first, then by age."""
    head_first = Case(
        When(relation_to_head=Relation.HEAD, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return resident_list(actor=actor, household=household).order_by(head_first, "birth_date", "id")


def ledger_summary(*, actor: User) -> dict:
    """Households, residents and each key population in the actor's areas: the
    first thing a grid or community worker looks at on their home page."""
    residents = restrict(Resident.objects.filter(removed_at__isnull=True), actor, Action.VIEW)
    households = restrict(Household.objects.filter(removed_at__isnull=True), actor, Action.VIEW)
    tags = (
        restrict(
            ResidentTag.objects.filter(
                visible_tags(actor), resident__removed_at__isnull=True, tag__is_active=True
            ),
            actor,
            Action.VIEW,
            path_field="resident__area_path",
        )
        .values("tag__name", "tag__order")
        .annotate(n=Count("pk"))
        .order_by("tag__order")
    )
    return {
        "households": households.count(),
        "residents": residents.count(),
        "tags": [(row["tag__name"], row["n"]) for row in tags],
    }
