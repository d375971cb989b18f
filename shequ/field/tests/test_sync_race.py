"""A phone that lost its connection mid-upload retries while the first
request is still running: the same visit arrives five times at once. One
visit and one service order are stored; every request answers with that
visit (SECURITY.md row 47). Needs PostgreSQL, where the threads really race."""

import threading
import uuid

import pytest
from django.db import connection, connections

from shequ.core.roles import Role
from shequ.core.tests.factories import build_city, make_user
from shequ.field.models import Visit
from shequ.field.services import visit_record
from shequ.field.tests.factories import ensure_defaults, household_with
from shequ.workorders.models import WorkOrder

THREADS = 5


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_visit_sent_five_times_at_once_is_stored_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; run with DATABASE_URL=postgres://…")
    ensure_defaults()
    city = build_city()
    worker = make_user(Role.GRID_WORKER, city.grids["A1a"])
    household = household_with(city.units["A1a"])
    key = uuid.uuid4()
    payload = {"needs": [{"description": "需要助餐", "kind": "service_order"}]}
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def send():
        try:
            barrier.wait(timeout=30)
            result = visit_record(
                actor=worker, household_id=household.pk, client_id=key, payload=payload
            )
            outcome = f"visit {result.visit.pk}"
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    visit = Visit.objects.get()
    assert results == [f"visit {visit.pk}"] * THREADS, results
    assert WorkOrder.objects.count() == 1
