"""Striped audit hash chains (SECURITY.md row 20): on PostgreSQL, one
transaction holding its audit line uncommitted no longer makes every other
audited write in the installation wait, and every chain still verifies and
still reports an edited row."""

import threading

import pytest
from django.db import connection, connections, transaction

from shequ.core.models import AuditEntry
from shequ.core.services.audit import audit_record, audit_verify
from tests.security.test_audit import audit_guard_lifted

pytestmark = pytest.mark.django_db(transaction=True)


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers and keeps one chain; run with DATABASE_URL=postgres://…"
        )


def test_a_slow_transaction_does_not_hold_up_other_audited_writes():
    _needs_postgresql()
    written = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def slow_writer():
        try:
            with transaction.atomic():
                audit_record(event="update", object_type="test", object_id="slow")
                written.set()
                assert release.wait(timeout=30)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert written.wait(timeout=30)
    fast_done = threading.Event()

    def fast_writer():
        try:
            audit_record(event="update", object_type="test", object_id="fast")
            fast_done.set()
        finally:
            connections.close_all()

    fast = threading.Thread(target=fast_writer)
    fast.start()
    # With one chain this waited until the slow transaction committed.
    committed_while_slow_was_open = fast_done.wait(timeout=15)
    release.set()
    slow.join(timeout=30)
    fast.join(timeout=30)
    assert not errors, errors
    assert committed_while_slow_was_open
    rows = {e.object_id: e for e in AuditEntry.objects.filter(object_type="test")}
    assert rows["slow"].chain != rows["fast"].chain
    assert audit_verify() == []


def test_lines_of_one_transaction_stay_on_one_chain_and_each_chain_links():
    _needs_postgresql()
    with transaction.atomic():
        first = audit_record(event="update", object_type="test", object_id="1")
        second = audit_record(event="update", object_type="test", object_id="2")
    assert first.chain == second.chain
    assert second.prev_hash == first.hash


def test_an_edited_row_on_another_chain_is_reported():
    _needs_postgresql()
    hold = threading.Event()
    release = threading.Event()

    def elsewhere():
        try:
            with transaction.atomic():
                audit_record(event="update", object_type="test", object_id="other-0")
                hold.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=elsewhere)
    other.start()
    assert hold.wait(timeout=30)
    # The chain the other transaction holds is busy: these go to another one.
    mine = [
        audit_record(event="update", object_type="test", object_id=f"mine-{i}") for i in range(3)
    ]
    release.set()
    other.join(timeout=30)
    assert len({e.chain for e in mine}) == 1
    assert AuditEntry.objects.get(object_id="other-0").chain != mine[0].chain
    assert audit_verify() == []
    with audit_guard_lifted():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditentry SET object_repr = %s WHERE id = %s",
                ["forged", mine[1].pk],
            )
    assert audit_verify() == [mine[1].pk]
