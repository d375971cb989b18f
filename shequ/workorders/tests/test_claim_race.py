"""Ten people tap "claim" on one pooled order at the same instant: exactly one
wins (SECURITY.md row 48). Needs PostgreSQL, where each thread has its own
connection and the conditional UPDATE really runs concurrently."""

import threading

import pytest
from django.db import connection, connections

from shequ.core.tests.factories import build_city, make_user
from shequ.workorders.choices import EntryKind, State
from shequ.workorders.errors import AlreadyClaimed
from shequ.workorders.models import TimelineEntry, WorkOrder
from shequ.workorders.services import workorder_claim
from shequ.workorders.tests.factories import ensure_default_categories, pooled

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_ten_concurrent_claims_wins():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises all writers, so it cannot show a claim race; run with DATABASE_URL=postgres://…"
        )
    ensure_default_categories()
    city = build_city()
    community = city.communities["A1"]
    claimants = [
        make_user("party_member" if i % 2 else "volunteer", community) for i in range(THREADS)
    ]
    order = pooled(city.units["A1a"])
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def claim(user):
        try:
            barrier.wait(timeout=30)
            workorder_claim(order=WorkOrder.objects.get(pk=order.pk), actor=user)
            outcome = "won"
        except AlreadyClaimed:
            outcome = "lost"
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=claim, args=(user,)) for user in claimants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["lost"] * (THREADS - 1) + ["won"], results
    order.refresh_from_db()
    assert order.state == State.CLAIMED and order.handler_id in {u.pk for u in claimants}
    assert TimelineEntry.objects.filter(order=order, kind=EntryKind.CLAIMED).count() == 1
    assert WorkOrder.objects.filter(pk=order.pk, handler__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_claims_over_the_api_give_one_200_and_nine_409():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises all writers, so it cannot show a claim race; run with DATABASE_URL=postgres://…"
        )
    from django.test import Client

    from shequ.core.tests.factories import login

    ensure_default_categories()
    city = build_city()
    community = city.communities["A1"]
    clients = []
    for i in range(THREADS):
        client = Client()
        login(client, make_user("party_member" if i % 2 else "volunteer", community))
        clients.append(client)
    order = pooled(city.units["A1a"])
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def claim(client):
        try:
            barrier.wait(timeout=30)
            status = client.post(f"/api/v1/workorders/{order.pk}/claim").status_code
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=claim, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] + [409] * (THREADS - 1), statuses
    assert TimelineEntry.objects.filter(order=order, kind=EntryKind.CLAIMED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_idempotency_key_sent_at_once_makes_one_case():
    """SECURITY.md row 47: concurrent retries with one key → one row; every
    answer is the first response replayed (or a 409), never a second case."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises all writers, so it cannot show the race; run with DATABASE_URL=postgres://…"
        )
    import json

    from django.test import Client

    from shequ.core.tests.factories import login

    ensure_default_categories()
    city = build_city()
    reporter = make_user("grid_worker", city.grids["A1a"])
    clients = []
    for _ in range(5):
        client = Client()
        login(client, reporter)
        clients.append(client)
    body = json.dumps(
        {
            "kind": "incident",
            "category": "sanitation",
            "area_id": city.grids["A1a"].pk,
            "title": "垃圾桶满溢",
            "description": "东侧垃圾桶满了。",
        }
    )
    barrier = threading.Barrier(len(clients))
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def send(client):
        try:
            barrier.wait(timeout=30)
            response = client.post(
                "/api/v1/workorders/",
                body,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="f3a1-retry",
            )
        finally:
            connections.close_all()
        with lock:
            answers.append((response.status_code, response.content))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert WorkOrder.objects.count() == 1
    created = [content for status, content in answers if status == 201]
    assert created and all(content == created[0] for content in created)
    assert {status for status, _ in answers} <= {201, 409}, answers
