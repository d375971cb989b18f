"""The statistics a user may see, read from the maintained counters.

Everything starts from the user's ``dashboard.view`` areas (``scoping``): a
street's staff see their street and its communities, nothing else. One
grouped query over the counters answers the whole page; the only count made
on the cases themselves is "overdue now", which depends on the clock and is
read through the (area path, state) index of the open cases.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import Level
from shequ.core.errors import Forbidden
from shequ.core.models import Area, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.scoping import get_scoped_or_404, path_filter, scope_paths
from shequ.dashboard.models import STATE_FIELDS, VALUE_FIELDS, CaseCounter, MonthCounter
from shequ.dashboard.services import COMMUNITY_SEGMENTS, VIEW
from shequ.workorders.choices import Kind, State, TriageClass
from shequ.workorders.models import Category, WorkOrder
from shequ.workorders.services import overdue_condition

RANKING_SIZE = 20


def _live_counts(cases, prefixes: list[str]) -> dict[str, int]:
    """Cases per area path, counted now (not from the maintained counters)."""
    return {
        path: n
        for path, n in cases.values_list("area_path")
        .order_by()
        .annotate(n=Count("*"))
        .values_list("area_path", "n")
        if _within(path, prefixes)
    }


def _bump(figures: Figures, name: str, n: int) -> None:
    setattr(figures, name, getattr(figures, name) + n)


@dataclass
class Figures:
    """Sums of the counter columns for one slice, and the rates made from them."""

    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VALUE_FIELDS, 0))
    overdue: int = 0
    escalated: int = 0  # open cases raised to the street or district (live, like overdue)

    def add(self, row: dict) -> None:
        for column in VALUE_FIELDS:
            self.values[column] += row[column] or 0

    def __getattr__(self, name: str):
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    @property
    def open(self) -> int:
        return self.values["received"] - self.values["closed"]

    @property
    def on_time_rate(self) -> float | None:
        n = self.values["resolutions"]
        return round(100 * self.values["on_time"] / n, 1) if n else None

    @property
    def mean_hours(self) -> float | None:
        n = self.values["resolutions"]
        return round(self.values["resolve_seconds"] / n / 3600, 1) if n else None

    @property
    def satisfaction(self) -> float | None:
        n = self.values["rating_count"]
        return round(self.values["rating_sum"] / n, 2) if n else None

    def as_dict(self) -> dict:
        return {
            "received": self.values["received"],
            "open": self.open,
            "closed": self.values["closed"],
            "overdue": self.overdue,
            "escalated": self.escalated,
            "resolutions": self.values["resolutions"],
            "on_time": self.values["on_time"],
            "on_time_rate": self.on_time_rate,
            "mean_hours_to_resolve": self.mean_hours,
            "satisfaction": self.satisfaction,
            "ratings": self.values["rating_count"],
        }


@dataclass
class Slice:
    key: str
    label: str
    figures: Figures
    area: Area | None = None


@dataclass
class Stats:
    area: Area | None
    start: date | None
    end: date | None
    totals: Figures
    by_state: list[tuple[str, str, int]]
    by_kind: list[Slice]
    by_category: list[Slice]
    by_triage: list[Slice]
    by_area: list[Slice]
    ranking: list[Slice]
    breadcrumbs: list[Area]
    scope_areas: list[Area]


def _within(path: str, prefixes: list[str]) -> str | None:
    for prefix in prefixes:
        if path == prefix or path.startswith(prefix + PATH_SEPARATOR):
            return prefix
    return None


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_range(
    start: date | None, end: date | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[date | None, date | None]]]:
    """Cover the days ``start``..``end`` (None: open) with whole months, read
    from the month rows, and the days left at either end, read from the day
    rows: (first month, last day of the last month) or None, and day ranges."""
    first = start if start is None or start.day == 1 else _next_month(start)
    if end is None or (end + timedelta(days=1)).day == 1:
        last = end
    else:
        last = end.replace(day=1) - timedelta(days=1)
    if first is not None and last is not None and first > last:
        return None, [(start, end)]
    days = []
    if start is not None and first is not None and start < first:
        days.append((start, first - timedelta(days=1)))
    if end is not None and last is not None and last < end:
        days.append((last + timedelta(days=1), end))
    return (first, last), days


def _counter_rows(model, where: Q, day_from: date | None, day_to: date | None):
    rows = model.objects.filter(where)
    if day_from is not None:
        rows = rows.filter(day__gte=day_from)
    if day_to is not None:
        rows = rows.filter(day__lte=day_to)
    return (
        rows.values("area_path", "kind", "category_id", "triage_class")
        .order_by()
        .annotate(**{c: Sum(c) for c in VALUE_FIELDS})
    )


def statistics(
    *,
    actor: User,
    area_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Stats:
    """The statistics of the cases received from ``start`` to ``end`` (days,
    inclusive, either open) under ``area_id`` (default: the user's own area),
    as far as the user may see. 404 for an area outside their scope."""
    paths = scope_paths(actor, VIEW)
    if not paths:
        raise Forbidden()
    scope_areas = list(Area.objects.filter(path__in=paths).order_by("path"))
    if area_id is not None:
        area = get_scoped_or_404(Area.objects.all(), actor, VIEW, pk=area_id)
    elif len(scope_areas) == 1:
        area = scope_areas[0]
    else:
        area = None
    prefixes = [area.path] if area is not None else paths
    if area is not None:
        # One index range ("path%"), so "overdue now" is an index-only scan of
        # the open cases; rows of a sibling whose code merely starts the same
        # are dropped below (``_within``).
        where = Q(area_path__startswith=area.path)
    else:
        where = path_filter(prefixes, "area_path")
    cases = WorkOrder.objects.filter(where)
    if start:
        cases = cases.filter(created_at__gte=_local_start(start))
    if end:
        cases = cases.filter(created_at__lt=_local_start(end + timedelta(days=1)))
    months, days = split_range(start, end)
    parts = [(CaseCounter, d_from, d_to) for d_from, d_to in days]
    if months is not None:
        parts.append((MonthCounter, *months))
    rows = [
        row
        for model, d_from, d_to in parts
        for row in _counter_rows(model, where, d_from, d_to)
        if _within(row["area_path"], prefixes)
    ]
    overdue = _live_counts(cases.filter(overdue_condition(timezone.now())), prefixes)
    # Escalation moves no counter (it is a flag, not a transition): counted
    # live too, among the open cases (the partial index on open cases).
    escalated = _live_counts(
        cases.exclude(state=State.CLOSED).filter(escalation_level__gt=0), prefixes
    )

    # Drill-down: the children of the area (down to communities), or the user's areas.
    if area is None:
        children = scope_areas
    elif area.depth + 1 < COMMUNITY_SEGMENTS:
        children = list(Area.objects.filter(parent=area).order_by("path"))
    else:
        children = []
    child_paths = [c.path for c in children]

    totals = Figures()
    kinds: dict[str, Figures] = defaultdict(Figures)
    categories: dict[int, Figures] = defaultdict(Figures)
    triage: dict[str, Figures] = defaultdict(Figures)
    by_child: dict[str, Figures] = defaultdict(Figures)
    communities: dict[str, Figures] = defaultdict(Figures)
    for row in rows:
        totals.add(row)
        kinds[row["kind"]].add(row)
        categories[row["category_id"]].add(row)
        triage[row["triage_class"]].add(row)
        child = _within(row["area_path"], child_paths)
        if child:
            by_child[child].add(row)
        if row["area_path"].count(PATH_SEPARATOR) + 1 == COMMUNITY_SEGMENTS:
            communities[row["area_path"]].add(row)
    for name, counts in (("overdue", overdue), ("escalated", escalated)):
        for path, n in counts.items():
            _bump(totals, name, n)
            child = _within(path, child_paths)
            if child:
                _bump(by_child[child], name, n)
            community = PATH_SEPARATOR.join(path.split(PATH_SEPARATOR)[:COMMUNITY_SEGMENTS])
            if community in communities:
                _bump(communities[community], name, n)

    names = dict(Category.objects.values_list("pk", "name"))
    ranked = sorted(
        ((path, f) for path, f in communities.items() if f.values["received"]),
        key=lambda item: (
            -(item[1].on_time_rate or 0),
            -(item[1].satisfaction or 0),
            -item[1].values["received"],
            item[0],
        ),
    )[:RANKING_SIZE]
    community_areas = {
        a.path: a
        for a in Area.objects.filter(path__in=[p for p, _f in ranked], level=Level.COMMUNITY)
    }
    triage_labels = {"": str(_("未分流")), **{v: str(label) for v, label in TriageClass.choices}}
    return Stats(
        area=area,
        start=start,
        end=end,
        totals=totals,
        by_state=[
            (s, str(State(s).label), totals.values[s]) for s in STATE_FIELDS if totals.values[s]
        ],
        by_kind=[
            Slice(k, str(Kind(k).label), kinds[k])
            for k in Kind.values
            if kinds.get(k) and kinds[k].values["received"]
        ],
        by_category=sorted(
            (
                Slice(str(pk), names.get(pk, str(pk)), f)
                for pk, f in categories.items()
                if f.values["received"]
            ),
            key=lambda s: (-s.figures.values["received"], s.label),
        ),
        by_triage=[
            Slice(k or "none", triage_labels.get(k, k), triage[k])
            for k in ("major", "minor", "private", "")
            if k in triage and triage[k].values["received"]
        ],
        by_area=[Slice(c.path, c.name, by_child[c.path], c) for c in children],
        ranking=[
            Slice(path, community_areas[path].name, figures, community_areas[path])
            for path, figures in ranked
            if path in community_areas
        ],
        breadcrumbs=[*area.ancestors().filter(path_filter(paths, "path")), area]
        if area is not None
        else [],
        scope_areas=scope_areas,
    )


def panel_summary(*, actor: User) -> dict:
    """The home panel: this month's figures of the user's areas."""
    today = timezone.localdate()
    try:
        stats = statistics(actor=actor, start=today.replace(day=1), end=today)
    except Forbidden:
        return {}
    return {"totals": stats.totals, "area": stats.area}
