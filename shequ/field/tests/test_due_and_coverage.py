"""Visit-due rules per key-population tag, and monthly coverage."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from shequ.field.models import Visit, VisitRule
from shequ.field.selectors import coverage, due_visits
from shequ.field.tests.factories import household_with, visit

pytestmark = pytest.mark.django_db

TZ = timezone.get_fixed_timezone(8 * 60)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _visit_on(worker, household, day: date) -> Visit:
    row = visit(worker, household)
    Visit.objects.filter(pk=row.pk).update(visited_at=_at(day))
    return row


def _due_ids(worker, today):
    return {d.household.pk: d for d in due_visits(actor=worker, today=today)}


@time_machine.travel(_at(date(2026, 3, 20)), tick=False)
def test_default_rules_by_key_population(city, people):
    worker = people["grid_worker"]
    unit = city.units["A1a"]
    alone = household_with(unit, tag="elderly_alone", name="独居甲")
    empty = household_with(unit, tag="empty_nest", name="空巢乙")
    child = household_with(unit, tag="left_behind_child", name="留守丙")
    plain = household_with(unit, name="普通丁")
    today = date(2026, 3, 20)
    for household in (alone, empty, child, plain):
        _visit_on(worker, household, today - timedelta(days=8))  # 12 March, this month

    due = _due_ids(worker, today)
    assert set(due) == {alone.pk}, "weekly: 8 days ago is overdue; the others are not yet"
    assert due[alone.pk].urgent and due[alone.pk].reasons == ["独居老人"]

    later = date(2026, 3, 27)  # 15 days after the visit
    assert set(_due_ids(worker, later)) == {alone.pk, empty.pk}

    next_month = date(2026, 4, 2)  # monthly rule: not visited in April yet
    due = _due_ids(worker, next_month)
    assert set(due) == {alone.pk, empty.pk, child.pk, plain.pk}
    assert not due[plain.pk].urgent
    assert [d.household.pk for d in due_visits(actor=worker, today=next_month)][-1] == plain.pk


@time_machine.travel(_at(date(2026, 3, 20)), tick=False)
def test_never_visited_is_due_now_and_rules_are_data(city, people):
    worker = people["grid_worker"]
    alone = household_with(city.units["A1a"], tag="elderly_alone")
    assert _due_ids(worker, date(2026, 3, 20))[alone.pk].last_visit is None
    _visit_on(worker, alone, date(2026, 3, 18))
    assert alone.pk not in _due_ids(worker, date(2026, 3, 20))
    VisitRule.objects.filter(tag__code="elderly_alone").update(interval_days=1)
    assert alone.pk in _due_ids(worker, date(2026, 3, 20))


def test_a_grid_worker_sees_only_the_households_of_their_grid(city, people):
    mine = household_with(city.units["A1a"])
    theirs = household_with(city.units["A1b"])
    due = _due_ids(people["grid_worker"], timezone.localdate())
    assert mine.pk in due and theirs.pk not in due
    assert theirs.pk in _due_ids(people["grid_worker_b"], timezone.localdate())


@time_machine.travel(_at(date(2026, 3, 20)), tick=False)
def test_coverage_per_grid_unit_and_the_not_reached_list(city, people):
    worker = people["grid_worker"]
    a1a = [household_with(city.units["A1a"]) for _ in range(4)]
    a1b = [household_with(city.units["A1b"]) for _ in range(2)]
    for household in a1a[:3]:
        _visit_on(worker, household, date(2026, 3, 5))
    _visit_on(worker, a1a[3], date(2026, 2, 27))  # last month: does not count
    _visit_on(people["grid_worker_b"], a1b[0], date(2026, 3, 6))

    community = coverage(
        actor=people["community_worker"], area=city.communities["A1"], month=date(2026, 3, 1)
    )
    assert (community.total.visited, community.total.total) == (4, 6)
    by_grid = {t.area.pk: (t.visited, t.total, t.percent) for t in community.parts}
    assert by_grid[city.grids["A1a"].pk] == (3, 4, 75)
    assert by_grid[city.grids["A1b"].pk] == (1, 2, 50)
    assert {h.pk for h in community.not_reached} == {a1a[3].pk, a1b[1].pk}

    grid = coverage(actor=worker, area=city.grids["A1a"], month=date(2026, 3, 1))
    assert [(t.area.pk, t.visited, t.total) for t in grid.units] == [(city.units["A1a"].pk, 3, 4)]

    street = coverage(actor=people["street_staff"], area=city.streets["A"], month=date(2026, 3, 1))
    assert street.total.total == 6 and street.total.percent == 67

    february = coverage(
        actor=people["community_worker"], area=city.communities["A1"], month=date(2026, 2, 1)
    )
    assert february.total.visited == 1


def test_coverage_counts_only_what_the_asker_may_see(city, people):
    household_with(city.units["A1a"])
    household_with(city.units["A1b"])
    # Asked about the whole community, grid A1b's worker still counts only A1b.
    report = coverage(actor=people["grid_worker_b"], area=city.communities["A1"])
    assert report.total.total == 1


@time_machine.travel(_at(date(2026, 3, 20)), tick=False)
def test_a_labelled_tag_sets_the_interval_but_its_name_needs_clearance(city, people):
    """Row 14: a grid worker has no clearance for social assistance, so the
    household of a 低收入 family is due as often, under a neutral reason."""
    household = household_with(city.units["A1a"], tag="low_income", name="低收入甲")
    (worker_view,) = [
        d
        for d in due_visits(actor=people["grid_worker"], today=date(2026, 3, 20))
        if d.household.pk == household.pk
    ]
    assert worker_view.urgent and worker_view.reasons == ["重点关注"]
    # Cleared (here: the system), the rule's reason is the tag's own name.
    from shequ.field.selectors import _rules

    cleared, _floor = _rules(None)
    assert any("低收入" in reason for _interval, reason in cleared.values())
