"""Case numbers: one per case, counted per day; on PostgreSQL drawn from the
day's sequence, so concurrent intakes never wait for each other's commit."""

import threading

import pytest
from django.db import connection, connections, transaction

from shequ.core.tests.factories import make_user
from shequ.workorders.models import DailyNumber, WorkOrder
from shequ.workorders.services import numbering
from shequ.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("sequences are PostgreSQL's; SQLite keeps the row counter")


def test_the_tick_prepares_today_and_tomorrow_and_numbers_continue(city, people):
    _postgresql()
    grid, worker = city.grids["A1a"], people["grid_worker"]
    first = make_order(grid, worker)  # before the tick: the row counter
    assert first.number.endswith("-0001")
    days = numbering.prepare_days()
    assert len(days) == 2
    second = make_order(grid, worker)  # the day's sequence, continuing the counter
    assert second.number.endswith("-0002")
    assert DailyNumber.objects.get(day=days[0]).counter == 1  # the counter was not used


def test_numbers_the_sequence_did_not_issue_are_skipped(city, people):
    """A restored backup or a bulk load put numbers behind the sequence's back:
    the intake that collides moves the sequence past the day's highest."""
    _postgresql()
    grid, worker = city.grids["A1a"], people["grid_worker"]
    day = numbering.prepare_days()[0]
    numbers = [make_order(grid, worker).number for _ in range(3)]
    assert numbers == [f"GD-{day}-000{n}" for n in (1, 2, 3)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s::regclass, 1)", [numbering.SEQUENCE_PREFIX + day])
    assert make_order(grid, worker).number == f"GD-{day}-0004"


@pytest.mark.django_db(transaction=True)
def test_an_open_intake_does_not_hold_up_the_next_one(city, people):
    """With the row counter, the second intake waited for the first to commit."""
    _postgresql()
    from shequ.workorders.tests.factories import ensure_default_categories

    ensure_default_categories()
    numbering.prepare_days()
    grid, worker = city.grids["A1a"], people["grid_worker"]
    # Another community and category: the statistics rows are not shared.
    other_grid = city.grids["B1a"]
    other_worker = make_user("grid_worker", other_grid)
    drawn, release = threading.Event(), threading.Event()

    def slow():
        try:
            with transaction.atomic():
                make_order(grid, worker)
                drawn.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    first = threading.Thread(target=slow)
    first.start()
    assert drawn.wait(timeout=30)
    done = threading.Event()
    numbers: list[str] = []

    def quick():
        try:
            numbers.append(make_order(other_grid, other_worker, code="parking").number)
            done.set()
        finally:
            connections.close_all()

    second = threading.Thread(target=quick)
    second.start()
    finished_while_first_open = done.wait(timeout=15)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert finished_while_first_open
    assert len(set(WorkOrder.objects.values_list("number", flat=True))) == 2


def test_old_days_are_dropped(city, people):
    _postgresql()
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(days=10)
    numbering.prepare_days(long_ago)
    old = numbering.SEQUENCE_PREFIX + timezone.localtime(long_ago).strftime("%Y%m%d")
    numbering.prepare_days()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [old])
        assert cursor.fetchone()[0] is None
