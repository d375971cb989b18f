"""/api/v1/dashboard/: the statistics page's figures, scoped the same way."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shequ.core.api import ERRORS
from shequ.core.errors import InvalidInput
from shequ.dashboard.selectors import Figures, Slice, statistics

router = Router(tags=["dashboard"])


class FiguresOut(Schema):
    received: int
    open: int
    closed: int
    overdue: int
    escalated: int = Field(description="已升级至街道或区、尚未关闭的工单（实时）")
    resolutions: int
    on_time: int
    on_time_rate: float | None
    mean_hours_to_resolve: float | None
    satisfaction: float | None
    ratings: int


class SliceOut(Schema):
    key: str
    label: str
    area_id: int | None = None
    figures: FiguresOut


class StateOut(Schema):
    state: str
    label: str
    count: int


class AreaOut(Schema):
    id: int
    name: str
    level: str
    path: str


class StatsOut(Schema):
    area: AreaOut | None
    start: date | None
    end: date | None
    totals: FiguresOut
    by_state: list[StateOut]
    by_kind: list[SliceOut]
    by_category: list[SliceOut]
    by_triage: list[SliceOut]
    by_area: list[SliceOut]
    ranking: list[SliceOut]


class StatsQuery(Schema):
    area: int | None = None
    start: date | None = None
    end: date | None = None


def _figures(f: Figures) -> dict:
    return f.as_dict()


def _slices(items: list[Slice]) -> list[dict]:
    return [
        {
            "key": s.key,
            "label": s.label,
            "area_id": s.area.pk if s.area else None,
            "figures": _figures(s.figures),
        }
        for s in items
    ]


@router.get(
    "/stats", response={200: StatsOut, **ERRORS}, url_name="dashboard_stats", summary="工单统计"
)
def stats(request, filters: Query[StatsQuery]):
    """Counts by kind, category, triage class, area and state; on-time rate,
    mean time to resolve, satisfaction; the communities ranked by on-time rate.
    Cases received from ``start`` to ``end`` (inclusive) under ``area``."""
    if filters.start and filters.end and filters.start > filters.end:
        raise InvalidInput(_("开始日期不能晚于结束日期。"), field="start")
    result = statistics(
        actor=request.user, area_id=filters.area, start=filters.start, end=filters.end
    )
    area = result.area
    return {
        "area": (
            {"id": area.pk, "name": area.name, "level": area.level, "path": area.path}
            if area
            else None
        ),
        "start": result.start,
        "end": result.end,
        "totals": _figures(result.totals),
        "by_state": [{"state": s, "label": label, "count": n} for s, label, n in result.by_state],
        "by_kind": _slices(result.by_kind),
        "by_category": _slices(result.by_category),
        "by_triage": _slices(result.by_triage),
        "by_area": _slices(result.by_area),
        "ranking": _slices(result.ranking),
    }
