"""/api/v1/field/: the same services and selectors as the web, scoped the same way."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from shequ.core.api import ERRORS
from shequ.core.models import Area
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.views.base import deny
from shequ.field import selectors
from shequ.field.choices import Action
from shequ.field.services import visit_record

router = Router(tags=["field"])


def _require(request, action: str) -> None:
    if not can(request.user, action):
        deny(request, action)


class DueOut(Schema):
    household_id: int
    address: str
    head_name: str
    reasons: list[str]
    urgent: bool
    last_visit: datetime | None
    overdue_days: int


@router.get(
    "due",
    response={200: list[DueOut], **ERRORS},
    summary="今日应访住户（本人网格）",
    url_name="field_due",
)
def due(request):
    _require(request, Action.VISIT)
    return [
        DueOut(
            household_id=d.household.pk,
            address=d.address,
            head_name=d.head_name,
            reasons=d.reasons,
            urgent=d.urgent,
            last_visit=d.last_visit,
            overdue_days=d.overdue_days,
        )
        for d in selectors.due_visits(actor=request.user)
    ]


class NeedIn(Schema):
    description: str = Field(..., max_length=500)
    kind: str = Field("", max_length=20)
    category: str = Field("", max_length=40)


class ProposalIn(Schema):
    kind: str = Field(..., max_length=20)
    resident: int | None = None
    resident_version: int | None = None
    name: str = Field("", max_length=50)
    gender: str = Field("", max_length=8)
    relation: str = Field("", max_length=16)
    birth_date: str = Field("", max_length=10)
    destination: str = Field("", max_length=200)
    mobile: str = Field("", max_length=20)


class VisitIn(Schema):
    client_id: uuid.UUID
    household_id: int
    outcome: str = Field("met", max_length=16)
    met: str = Field("", max_length=100)
    must_contact: list[str] = []
    must_know: list[str] = []
    notes: str = Field("", max_length=2000)
    household_version: int | None = None
    client_time: str = Field("", max_length=40)
    client_sent_at: str = Field("", max_length=40)
    needs: list[NeedIn] = []
    proposals: list[ProposalIn] = []


class CaseOut(Schema):
    number: str
    kind: str


class VisitOut(Schema):
    id: int
    household_id: int
    visited_at: datetime
    replayed: bool
    cases: list[CaseOut]
    warnings: list[str]


@router.post(
    "visits",
    response={200: VisitOut, 201: VisitOut, **ERRORS},
    summary="记录走访（client_id 为幂等键：重发返回首次结果）",
    url_name="field_visit_new",
)
def visit_new(request, payload: VisitIn):
    data = payload.dict()
    client_id = data.pop("client_id")
    household_id = data.pop("household_id")
    sent_at = data.pop("client_sent_at")
    result = visit_record(
        actor=request.user,
        household_id=household_id,
        client_id=client_id,
        payload={key: value for key, value in data.items() if value not in (None, "")},
        client_sent_at=sent_at or None,
    )
    visit = result.visit
    cases = [
        CaseOut(number=n.workorder.number, kind=n.workorder.kind)
        for n in visit.needs.select_related("workorder").filter(workorder__isnull=False)
    ]
    body = VisitOut(
        id=visit.pk,
        household_id=visit.household_id,
        visited_at=visit.visited_at,
        replayed=result.replayed,
        cases=cases,
        warnings=[str(w) for w in result.warnings],
    )
    return Status(200 if result.replayed else 201, body)


class CoverageFilters(Schema):
    area: int | None = None
    month: str = Field("", max_length=7, description="YYYY-MM，默认本月")


class TallyOut(Schema):
    area_id: int
    name: str
    visited: int
    total: int
    percent: int


class CoverageOut(Schema):
    area_id: int
    month: date
    total: TallyOut
    parts: list[TallyOut]
    units: list[TallyOut]
    not_reached: list[int]


def _tally(t) -> TallyOut:
    return TallyOut(
        area_id=t.area.pk, name=t.area.name, visited=t.visited, total=t.total, percent=t.percent
    )


@router.get(
    "coverage",
    response={200: CoverageOut, **ERRORS},
    summary="本月走访覆盖",
    url_name="field_coverage",
)
def coverage(request, filters: Query[CoverageFilters]):
    _require(request, Action.VIEW)
    if filters.area:
        area = get_scoped_or_404(Area.objects.all(), request.user, Action.VIEW, pk=filters.area)
    else:
        areas = selectors.coverage_areas(actor=request.user)
        if not areas:
            raise Http404
        area = areas[0]
    try:
        month = datetime.strptime(filters.month, "%Y-%m").date() if filters.month else None
    except ValueError:
        month = None
    report = selectors.coverage(actor=request.user, area=area, month=month)
    return CoverageOut(
        area_id=area.pk,
        month=report.month,
        total=_tally(report.total),
        parts=[_tally(t) for t in report.parts],
        units=[_tally(t) for t in report.units],
        not_reached=[h.pk for h in report.not_reached],
    )
