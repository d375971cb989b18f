"""The maintained counters always equal a recount of the cases: after any
sequence of transitions, after a rebuild, and under concurrent intake."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequ.core.choices import Level
from shequ.core.errors import DomainError
from shequ.core.services.areas import area_create, area_move
from shequ.core.tests.factories import build_city
from shequ.dashboard.models import CaseCount, CaseCounter
from shequ.dashboard.services import community_path, counters, rebuild, recount
from shequ.workorders.choices import DispatchTarget, Kind, TriageClass
from shequ.workorders.models import WorkOrder
from shequ.workorders.services import (
    workorder_claim,
    workorder_close,
    workorder_rate,
    workorder_release,
    workorder_resolve,
    workorder_start,
    workorder_triage,
)
from shequ.workorders.services import workorder_dispatch as dispatch
from shequ.workorders.tests.factories import ensure_default_categories, make_order

AREAS = ("A1a", "A1b", "A2a", "B1a")
CODES = {Kind.INCIDENT: "noise", Kind.SERVICE_ORDER: "errands", Kind.HOTLINE: "neighbour"}


def _step(step, orders, city, people):
    op, index, arg = step
    if op == "create":
        kind = list(CODES)[index % 3]
        orders.append(make_order(city.units[AREAS[arg % 4]], kind=kind, code=CODES[kind]))
        return
    if not orders:
        return
    order = WorkOrder.objects.get(pk=orders[index % len(orders)].pk)
    act = {
        "triage": lambda: workorder_triage(
            order=order,
            actor=None,
            triage_class=list(TriageClass.values)[arg % 3],
            reason="重新判断" if arg % 2 else "",
        ),
        "pool": lambda: dispatch(order=order, actor=None, to=DispatchTarget.POOL),
        "grid": lambda: dispatch(
            order=order, actor=None, to=DispatchTarget.GRID, handler=people["grid_worker"]
        ),
        "claim": lambda: workorder_claim(order=order, actor=people["party_member"]),
        "release": lambda: workorder_release(order=order, actor=None),
        "start": lambda: workorder_start(order=order, actor=None),
        "resolve": lambda: workorder_resolve(order=order, actor=None, note="已处理。"),
        "close": lambda: workorder_close(order=order, actor=None, note="已告知居民。"),
        "rate": lambda: workorder_rate(order=order, actor=None, rating=arg % 5 + 1),
    }[op]
    try:
        act()
    except DomainError:
        pass  # a step the state machine refuses changes nothing, counters included


OPS = ("create", "triage", "pool", "grid", "claim", "release", "start", "resolve", "close", "rate")
steps = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(0, 20)), max_size=40
)


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_maintained_counters_equal_a_recount_after_any_transitions(city, people, steps):
    orders: list[WorkOrder] = []
    for step in steps:
        _step(step, orders, city, people)
    assert counters() == recount()
    assert counters(months=True) == recount(months=True)
    assert CaseCount.objects.count() == WorkOrder.objects.count()


@pytest.mark.django_db
def test_a_full_journey_moves_the_figures(city, people):
    unit = city.units["A1a"]
    order = make_order(unit, people["resident"], code="noise")
    (key,) = counters()
    assert key[0] == city.communities["A1"].path
    assert counters()[key]["received"] == counters()[key]["reported"] == 1
    order = workorder_triage(order=order, actor=None, triage_class=TriageClass.MINOR)
    order = dispatch(order=order, actor=None, to=DispatchTarget.GRID, handler=people["grid_worker"])
    order = workorder_start(order=order, actor=people["grid_worker"])
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        order = workorder_resolve(order=order, actor=people["grid_worker"], note="已劝导。")
    order = workorder_close(order=order, actor=None)
    order = workorder_rate(order=order, actor=people["resident"], rating=4)
    (row,) = counters().values()
    assert row["closed"] == 1 and row["reported"] == 0
    assert row["resolutions"] == row["on_time"] == 1
    assert 5 * 3600 - 60 < row["resolve_seconds"] < 5 * 3600 + 60
    assert (row["rating_sum"], row["rating_count"]) == (4, 1)
    assert counters() == recount()


@pytest.mark.django_db
def test_a_low_rating_reopens_and_takes_back_the_resolution_and_the_rating(city, people):
    from shequ.workorders.tests.factories import closed

    order = closed(city.units["A1a"], people["grid_worker"], people["resident"])
    workorder_rate(order=order, actor=people["resident"], rating=1)
    (row,) = counters().values()
    assert row["reopened"] == 1 and row["closed"] == 0
    assert row["resolutions"] == row["rating_count"] == row["rating_sum"] == 0
    assert counters() == recount()


@pytest.mark.django_db
def test_a_late_resolution_is_not_on_time(city, people):
    order = make_order(city.units["A1a"], code="noise")  # 48 hours to resolve
    order = workorder_triage(order=order, actor=None, triage_class=TriageClass.MINOR)
    order = dispatch(order=order, actor=None, to=DispatchTarget.GRID, handler=people["grid_worker"])
    order = workorder_start(order=order, actor=None)
    with time_machine.travel(timezone.now() + timedelta(hours=50)):
        workorder_resolve(order=order, actor=None, note="已处理。")
    (row,) = counters().values()
    assert (row["resolutions"], row["on_time"], row["resolved"]) == (1, 0, 1)


@pytest.mark.django_db
def test_a_refused_transition_leaves_the_counters_alone(city):
    order = make_order(city.units["A1a"], code="noise")
    before = counters()
    with pytest.raises(DomainError):
        workorder_close(order=order, actor=None)
    assert counters() == before


@pytest.mark.django_db
def test_rebuild_recomputes_both_tables_from_the_cases(city, people):
    for area in AREAS:
        make_order(city.units[area], code="noise")
    CaseCounter.objects.update(received=99)
    CaseCount.objects.filter(pk=WorkOrder.objects.first().pk).delete()
    assert counters() != recount()
    assert rebuild() == 3  # A1a and A1b share community A1
    assert counters() == recount()
    assert counters(months=True) == recount(months=True)
    assert CaseCount.objects.count() == 4


@pytest.mark.django_db
def test_counters_follow_a_community_that_moves_to_another_street(city, people):
    make_order(city.units["A2a"], code="noise")
    street_c = area_create(
        actor=None, parent=city.district, level=Level.STREET, code="003", name="C街道"
    )
    area_move(actor=None, area=city.communities["A2"], new_parent=street_c)
    city.communities["A2"].refresh_from_db()
    assert [k[0] for k in counters()] == [city.communities["A2"].path]
    assert counters() == recount()
    assert counters(months=True) == recount(months=True)


def test_community_path_cuts_deeper_paths_at_the_community():
    assert community_path("210200.210202.001.01.G1.E1.1") == "210200.210202.001.01"
    assert community_path("210200.210202.001") == "210200.210202.001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_into_one_counter_row_loses_no_count():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; run with DATABASE_URL=postgres://…")
    ensure_default_categories()
    city = build_city()
    threads, per_thread = 6, 5
    barrier = threading.Barrier(threads)
    errors: list[Exception] = []
    made: list[int] = []

    def intake():
        try:
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                made.append(make_order(city.units["A1a"], code="noise").pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=intake) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    (row,) = counters().values()
    # Every intake succeeds: numbers come from one upsert-incremented row.
    assert len(made) == threads * per_thread
    numbers = WorkOrder.objects.values_list("number", flat=True)
    assert len(set(numbers)) == len(made)
    assert row["received"] == row["reported"] == len(made) == WorkOrder.objects.count()
    assert counters() == recount()
    assert counters(months=True) == recount(months=True)
