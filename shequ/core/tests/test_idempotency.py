"""Core's one Idempotency-Key mechanism (SECURITY.md row 47): a retry replays
the first answer, another body with the same key is refused, a failure stores
nothing, and two requests racing with one key create one record."""

import threading

import pytest
from django.db import connection, connections

from shequ.core import idempotency
from shequ.core.errors import InvalidInput
from shequ.core.models import IdempotencyRecord
from shequ.core.tests.factories import make_user

pytestmark = pytest.mark.django_db


def counter():
    calls = []

    def produce():
        calls.append(1)
        return 201, f'{{"n": {len(calls)}}}'

    return calls, produce


def test_same_key_and_body_replays_the_first_answer():
    user = make_user()
    calls, produce = counter()
    first = idempotency.run_once(user=user, endpoint="e", key="k1", body={"a": 1}, produce=produce)
    again = idempotency.run_once(user=user, endpoint="e", key="k1", body={"a": 1}, produce=produce)
    assert (first.status, first.body, first.replayed) == (201, '{"n": 1}', False)
    assert (again.status, again.body, again.replayed) == (201, '{"n": 1}', True)
    assert len(calls) == 1 and IdempotencyRecord.objects.count() == 1


def test_same_key_with_another_body_is_refused():
    user = make_user()
    calls, produce = counter()
    idempotency.run_once(user=user, endpoint="e", key="k1", body={"a": 1}, produce=produce)
    with pytest.raises(idempotency.IdempotencyKeyReused) as caught:
        idempotency.run_once(user=user, endpoint="e", key="k1", body={"a": 2}, produce=produce)
    assert caught.value.status == 422 and caught.value.code == "idempotency_key_reused"
    assert len(calls) == 1


def test_keys_are_per_user_and_endpoint():
    alice, bob = make_user(), make_user()
    calls, produce = counter()
    for user, endpoint in ((alice, "e"), (bob, "e"), (alice, "other")):
        idempotency.run_once(user=user, endpoint=endpoint, key="k", body={}, produce=produce)
    assert len(calls) == 3


def test_without_a_key_every_request_runs():
    user = make_user()
    calls, produce = counter()
    for _ in range(2):
        idempotency.run_once(user=user, endpoint="e", key="", body={}, produce=produce)
    assert len(calls) == 2 and not IdempotencyRecord.objects.exists()


def test_a_failure_stores_nothing_so_the_retry_runs():
    user = make_user()

    def broken():
        raise InvalidInput("bad")

    with pytest.raises(InvalidInput):
        idempotency.run_once(user=user, endpoint="e", key="k", body={}, produce=broken)
    assert not IdempotencyRecord.objects.exists()
    calls, produce = counter()
    idempotency.run_once(user=user, endpoint="e", key="k", body={}, produce=produce)
    assert len(calls) == 1


def test_an_overlong_key_is_refused():
    with pytest.raises(InvalidInput):
        idempotency.run_once(
            user=make_user(), endpoint="e", key="x" * 101, body={}, produce=lambda: (201, "")
        )


def test_body_hash_ignores_key_order():
    assert idempotency.digest({"a": 1, "b": 2}) == idempotency.digest({"b": 2, "a": 1})
    assert idempotency.digest({"a": 1}) != idempotency.digest({"a": 2})


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_create_one_record():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    user = make_user()
    barrier = threading.Barrier(2)
    results, lock = [], threading.Lock()

    def produce():
        barrier.wait(timeout=30)  # both are inside their transaction now
        return 201, "first"

    def call():
        try:
            outcome = idempotency.run_once(
                user=user, endpoint="e", key="same", body={"a": 1}, produce=produce
            )
            result = (outcome.body, outcome.replayed)
        except Exception as error:  # noqa: BLE001 - shown in the assertion
            result = repr(error)
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [("first", False), ("first", True)], results
    assert IdempotencyRecord.objects.count() == 1
