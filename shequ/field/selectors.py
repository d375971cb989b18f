"""Reads of the field app that depend on who asks: my grids, due visits,
monthly coverage, visits, proposals, instructions and work logs. Every one
starts from the actor's scope (``shequ.core.scoping``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import Level
from shequ.core.models import Area, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.scoping import path_filter, restrict, scope_paths
from shequ.field.choices import Action
from shequ.field.models import (
    AssignmentState,
    InstructionAssignment,
    LedgerChangeProposal,
    ProposalState,
    Visit,
    VisitRule,
)
from shequ.registry.labels import cleared_labels
from shequ.registry.models import Household, Resident, ResidentTag


def address(household: Household) -> str:
    """ "3号楼 1单元 201": the building, the unit and the room, as on the door."""
    area = household.area
    parts = [area.name]
    if area.level == Level.UNIT and area.parent_id and not area.name.startswith(area.parent.name):
        parts.insert(0, area.parent.name)
    return " ".join([*parts, household.room]).strip()


def my_grids(*, actor: User) -> list[Area]:
    """The areas where the actor records visits (a grid, or a building for a building team)."""
    paths = scope_paths(actor, Action.VISIT)
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def report_areas(*, actor: User) -> list[Area]:
    """Where the actor may report from: their grids and the estates,
    buildings and units inside them."""
    return list(
        restrict(Area.objects.all(), actor, Action.VISIT)
        .filter(level__in=[Level.GRID, Level.ESTATE, Level.BUILDING, Level.UNIT])
        .order_by("path")[:300]
    )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, datetime.min.time(), tzinfo=tz),
        datetime.combine(end, datetime.min.time(), tzinfo=tz),
    )


def live_households(*, actor: User, action: str = Action.VISIT, under: Area | None = None):
    households = restrict(Household.objects.filter(removed_at__isnull=True), actor, action)
    if under is not None:
        households = households.filter(path_filter([under.path], "area_path"))
    return households


@dataclass
class Due:
    """One household to visit: why, since when, and how urgent."""

    household: Household
    last_visit: datetime | None
    due_on: date
    reasons: list[str] = field(default_factory=list)
    urgent: bool = False  # a key-population rule, not only the monthly round
    head_name: str = ""
    address: str = ""
    members: list[tuple[int, str, int]] = field(default_factory=list)

    @property
    def overdue_days(self) -> int:
        return max((timezone.localdate() - self.due_on).days, 0)


def _rules(actor: User | None = None) -> tuple[dict[int, tuple[int, str]], int | None]:
    """Each tag's visit interval and the reason shown for it. A tag under a
    security label the actor is not cleared for (低保, disability…) still sets
    the interval, so the household is visited as often, but its name is not
    shown: the reason reads "重点关注" (SECURITY.md row 14)."""
    cleared = cleared_labels(actor)
    by_tag: dict[int, tuple[int, str]] = {}
    floor = None
    for rule in VisitRule.objects.filter(is_active=True).select_related("tag"):
        if rule.tag_id is None:
            floor = rule.interval_days
        elif rule.tag.is_active:
            shown = not rule.tag.label or rule.tag.label in cleared
            by_tag[rule.tag_id] = (rule.interval_days, rule.tag.name if shown else _("重点关注"))
    return by_tag, floor


def due_visits(
    *, actor: User, today: date | None = None, households: QuerySet | None = None
) -> list[Due]:
    """Households in the actor's grids due for a visit today, most urgent first.

    A household with someone of a key population is due ``interval`` days
    after its last visit (the shortest interval among its members' tags); every
    household is due once each calendar month when the rule without a tag is
    active. Never visited: due now."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    by_tag, floor = _rules(actor)
    rows = households if households is not None else live_households(actor=actor)
    rows = list(rows.select_related("area__parent", "head"))
    ids = [h.pk for h in rows]
    last = dict(
        Visit.objects.filter(household_id__in=ids)
        .values_list("household_id")
        .annotate(last=Max("visited_at"))
        .values_list("household_id", "last")
    )
    tags: dict[int, list[int]] = {}
    for household_id, tag_id in ResidentTag.objects.filter(
        resident__household_id__in=ids, resident__removed_at__isnull=True, tag_id__in=list(by_tag)
    ).values_list("resident__household_id", "tag_id"):
        tags.setdefault(household_id, []).append(tag_id)
    due: list[Due] = []
    for household in rows:
        seen = last.get(household.pk)
        seen_day = timezone.localtime(seen).date() if seen else None
        candidates: list[tuple[date, str, bool]] = []
        for tag_id in set(tags.get(household.pk, [])):
            interval, name = by_tag[tag_id]
            on = seen_day + timedelta(days=interval) if seen_day else today
            candidates.append((on, name, True))
        if floor is not None and (seen_day is None or seen_day < month_start):
            candidates.append((month_start if seen_day else today, "", False))
        ready = [c for c in candidates if c[0] <= today]
        if not ready:
            continue
        due.append(
            Due(
                household=household,
                last_visit=seen,
                due_on=min(c[0] for c in ready),
                reasons=sorted({c[1] for c in ready if c[1]}),
                urgent=any(c[2] for c in ready),
                head_name=household.head.name if household.head_id else "",
                address=address(household),
            )
        )
    due.sort(key=lambda d: (not d.urgent, d.due_on, d.household.area_path, d.household.room))
    return due


def household_choices(*, actor: User) -> list[dict[str, Any]]:
    """Every household of the actor's grids for the visit form, grouped by
    building and unit, with the live members (names only, never a number)."""
    households = list(
        live_households(actor=actor)
        .select_related("area__parent")
        .order_by("area_path", "room", "id")
    )
    members: dict[int, list[dict[str, Any]]] = {}
    for resident in Resident.objects.filter(
        household__in=[h.pk for h in households], removed_at__isnull=True
    ).only("id", "name", "household_id", "version", "relation_to_head"):
        members.setdefault(resident.household_id, []).append(
            {"id": resident.pk, "name": resident.name, "version": resident.version}
        )
    return [
        {
            "id": h.pk,
            "unit": address(h).rsplit(" ", 1)[0] if h.room else address(h),
            "room": h.room,
            "version": h.version,
            "members": members.get(h.pk, []),
        }
        for h in households
    ]


# --------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------


@dataclass
class Tally:
    area: Area
    total: int = 0
    visited: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.visited / self.total) if self.total else 0


@dataclass
class Coverage:
    area: Area
    month: date
    total: Tally
    parts: list[Tally]  # grids below a community or street; units/buildings of a grid
    units: list[Tally]
    not_reached: list[Household]


def coverage_areas(*, actor: User) -> list[Area]:
    """The areas whose coverage the actor may look at: their own, and the
    communities and grids below them."""
    paths = scope_paths(actor, Action.VIEW)
    if not paths:
        return []
    return list(
        restrict(Area.objects.all(), actor, Action.VIEW)
        .filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
        .order_by("path")[:500]
    )


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + PATH_SEPARATOR)


def coverage(*, actor: User, area: Area, month: date | None = None) -> Coverage:
    """Which households under ``area`` were visited in ``month``: the total,
    per grid (for a community or street) or per building and unit (for a
    grid), and the households not reached yet."""
    month = (month or timezone.localdate()).replace(day=1)
    start, end = month_bounds(month)
    households = list(
        live_households(actor=actor, action=Action.VIEW, under=area)
        .select_related("area__parent", "head")
        .order_by("area_path", "room", "id")
    )
    for h in households:
        h.address = address(h)
    visited = set(
        Visit.objects.filter(
            household_id__in=[h.pk for h in households], visited_at__gte=start, visited_at__lt=end
        ).values_list("household_id", flat=True)
    )
    total = Tally(area, len(households), sum(1 for h in households if h.pk in visited))
    below_level = Level.GRID if area.level in (Level.STREET, Level.COMMUNITY) else None
    parts: list[Tally] = []
    if below_level:
        for grid in Area.objects.filter(
            path_filter([area.path], "path"), level=below_level
        ).order_by("path"):
            mine = [h for h in households if _under(h.area_path, grid.path)]
            parts.append(Tally(grid, len(mine), sum(1 for h in mine if h.pk in visited)))
    units: dict[int, Tally] = {}
    if area.level not in (Level.STREET,):
        for h in households:
            tally = units.setdefault(h.area_id, Tally(h.area))
            tally.total += 1
            tally.visited += h.pk in visited
    return Coverage(
        area=area,
        month=month,
        total=total,
        parts=parts,
        units=sorted(units.values(), key=lambda t: t.area.path),
        not_reached=[h for h in households if h.pk not in visited][:500],
    )


# --------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------


def visit_list(*, actor: User, household: int | None = None) -> QuerySet[Visit]:
    visits = restrict(Visit.objects.all(), actor, Action.VIEW)
    if household:
        visits = visits.filter(household_id=household)
    return visits.select_related("household__area__parent", "worker").order_by("-visited_at", "-id")


def proposal_list(*, actor: User, state: str | None = ProposalState.PENDING):
    proposals = restrict(LedgerChangeProposal.objects.all(), actor, Action.VIEW)
    if state:
        proposals = proposals.filter(state=state)
    return proposals.select_related(
        "household__area__parent", "household__head", "resident", "proposed_by", "decided_by"
    )


def my_assignments(*, actor: User, open_only: bool = True) -> QuerySet[InstructionAssignment]:
    rows = InstructionAssignment.objects.filter(recipient=actor).select_related(
        "instruction__issuer"
    )
    if open_only:
        rows = rows.exclude(state=AssignmentState.DONE)
    return rows.order_by("instruction__deadline", "id")


def instruction_rollup(*, actor: User):
    """Instructions sent in the actor's area, each with counts by state and overdue."""
    from shequ.field.models import Instruction

    instructions = restrict(Instruction.objects.all(), actor, Action.INSTRUCT).select_related(
        "area", "issuer"
    )[:100]
    now = timezone.now()
    result = []
    for instruction in instructions:
        rows = list(instruction.assignments.select_related("recipient"))
        done = [r for r in rows if r.state == AssignmentState.DONE]
        result.append(
            {
                "instruction": instruction,
                "total": len(rows),
                "acknowledged": sum(1 for r in rows if r.state != AssignmentState.SENT),
                "done": len(done),
                "overdue": [
                    r
                    for r in rows
                    if r.state != AssignmentState.DONE and instruction.deadline < now
                ],
                "rows": rows,
            }
        )
    return result


def worklog(*, actor: User, worker: User, day: date) -> dict[str, Any]:
    """One worker's log of one day: the day's visits, cases, instruction
    replies (filled in by themselves), the worker's notes and the comments."""
    from shequ.field.models import FieldReport, Need, WorkLogComment, WorkLogNote

    start = datetime.combine(day, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    end = start + timedelta(days=1)
    visits = restrict(
        Visit.objects.filter(worker=worker, visited_at__gte=start, visited_at__lt=end),
        actor,
        Action.VIEW,
    ).select_related("household__area__parent")
    needs = restrict(
        Need.objects.filter(visit__in=visits, workorder__isnull=False), actor, Action.VIEW
    ).select_related("workorder")
    replies = restrict(
        InstructionAssignment.objects.filter(recipient=worker).filter(
            Q(acknowledged_at__gte=start, acknowledged_at__lt=end)
            | Q(completed_at__gte=start, completed_at__lt=end)
        ),
        actor,
        Action.VIEW,
    ).select_related("instruction")
    reports = restrict(
        FieldReport.objects.filter(worker=worker, created_at__gte=start, created_at__lt=end),
        actor,
        Action.VIEW,
    ).select_related("workorder")
    notes = restrict(WorkLogNote.objects.filter(worker=worker, day=day), actor, Action.VIEW)
    comments = restrict(
        WorkLogComment.objects.filter(worker=worker, day=day), actor, Action.VIEW
    ).select_related("author")
    return {
        "worker": worker,
        "day": day,
        "visits": list(visits),
        "cases": [n.workorder for n in needs] + [r.workorder for r in reports],
        "replies": list(replies),
        "notes": list(notes),
        "comments": list(comments),
    }


# --------------------------------------------------------------------------
# Outposts
# --------------------------------------------------------------------------

WEEKDAY_NAMES = [
    _("周一"),
    _("周二"),
    _("周三"),
    _("周四"),
    _("周五"),
    _("周六"),
    _("周日"),
]


def outpost_week(*, actor: User, week: date | None = None) -> list[dict[str, Any]]:
    """The outposts the actor may see, with this week's coverage: the days
    scheduled so far, the days something was recorded there, and counts."""
    from shequ.field.models import Outpost, OutpostService

    today = timezone.localdate()
    start = (week or today) - timedelta(days=(week or today).weekday())
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    until = since + timedelta(days=7)
    outposts = list(
        restrict(Outpost.objects.filter(is_active=True), actor, Action.VIEW).select_related(
            "area", "staff"
        )
    )
    services = OutpostService.objects.filter(
        outpost__in=outposts, served_at__gte=since, served_at__lt=until
    ).values_list("outpost_id", "served_at", "kind")
    held: dict[int, set[int]] = {}
    counts: dict[int, dict[str, int]] = {}
    for outpost_id, served_at, kind in services:
        held.setdefault(outpost_id, set()).add(timezone.localtime(served_at).weekday())
        bucket = counts.setdefault(outpost_id, {})
        bucket[kind] = bucket.get(kind, 0) + 1
    rows = []
    for outpost in outposts:
        due = [d for d in outpost.weekdays if start + timedelta(days=d) <= today]
        done = held.get(outpost.pk, set())
        rows.append(
            {
                "outpost": outpost,
                "days": str(_("、")).join(str(WEEKDAY_NAMES[d]) for d in outpost.weekdays),
                "scheduled": len(due),
                "held": len(done & set(due)),
                "missed": [WEEKDAY_NAMES[d] for d in due if d not in done],
                "counts": counts.get(outpost.pk, {}),
                "total": sum(counts.get(outpost.pk, {}).values()),
            }
        )
    return rows


# --------------------------------------------------------------------------
# Map
# --------------------------------------------------------------------------

CELL_W, CELL_H, GAP = 150, 96, 14


def grid_map(*, actor: User) -> list[dict[str, Any]]:
    """A schematic map per grid, drawn from our own data (areas have no
    coordinates): each building a box, with its due visits and today's
    reports; no internet tiles."""
    import math

    from shequ.workorders.selectors import visible

    due = due_visits(actor=actor)
    start = datetime.combine(
        timezone.localdate(), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    reports = list(visible(actor).filter(created_at__gte=start).values_list("area_path", "title"))
    maps = []
    for grid in my_grids(actor=actor):
        buildings = list(
            Area.objects.filter(path_filter([grid.path], "path"), level=Level.BUILDING).order_by(
                "path"
            )
        )
        columns = max(1, math.ceil(math.sqrt(len(buildings) or 1)))
        boxes = []
        for index, building in enumerate(buildings):
            x = GAP + (index % columns) * (CELL_W + GAP)
            y = GAP + (index // columns) * (CELL_H + GAP)
            boxes.append(
                {
                    "area": building,
                    "x": x,
                    "y": y,
                    "w": CELL_W,
                    "h": CELL_H,
                    "tx": x + 8,
                    "ty": y + 22,
                    "due": sum(1 for d in due if _under(d.household.area_path, building.path)),
                    "urgent": sum(
                        1 for d in due if d.urgent and _under(d.household.area_path, building.path)
                    ),
                    "reports": [t for p, t in reports if _under(p, building.path)],
                }
            )
        rows = math.ceil(len(buildings) / columns) if buildings else 1
        elsewhere = [
            t
            for p, t in reports
            if _under(p, grid.path) and not any(_under(p, b.path) for b in buildings)
        ]
        maps.append(
            {
                "grid": grid,
                "boxes": boxes,
                "width": GAP + columns * (CELL_W + GAP),
                "height": GAP + rows * (CELL_H + GAP),
                "elsewhere": elsewhere,
            }
        )
    return maps


def today_panel(*, actor: User) -> dict[str, Any]:
    due = due_visits(actor=actor)
    return {
        "urgent": sum(1 for d in due if d.urgent),
        "monthly": sum(1 for d in due if not d.urgent),
        "assignments": my_assignments(actor=actor).count(),
    }


def review_panel(*, actor: User) -> dict[str, Any]:
    areas = coverage_areas(actor=actor)
    return {
        "pending": proposal_list(actor=actor).count(),
        "coverage": coverage(actor=actor, area=areas[0]) if areas else None,
    }
