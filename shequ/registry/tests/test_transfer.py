"""Transfers between communities (跨社区迁移): services and selectors.

Community A1 (street A) and community B1 (street B) move a person between
them; community A2 is a third community that sees nothing.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from shequ.core.models import AuditEntry, Notification
from shequ.core.tests.factories import build_city, make_user
from shequ.registry.choices import TransferState
from shequ.registry.models import LifeEvent, LifeEventKind, Resident, ResidentTransfer
from shequ.registry.selectors import resident_list
from shequ.registry.selectors_search import resident_timeline
from shequ.registry.selectors_transfer import transfer_card, transfer_get, transfer_list
from shequ.registry.services import resident_create
from shequ.registry.services_events import resident_move_out, resident_record_death
from shequ.registry.services_transfer import (
    mask_name,
    transfer_cancel,
    transfer_decide,
    transfer_request_pull,
    transfer_request_push,
    transfer_target_household,
)
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def side(city, people):
    """Workers of A1 (old community), B1 (new) and A2 (a third one), and the person."""
    a = people["community_worker"]
    b = make_user("community_worker", city.communities["B1"], username="b1_worker")
    c = make_user("community_worker", city.communities["A2"], username="a2_worker")
    old_home = make_household(city.units["A1a"], room="301")
    new_home = make_household(city.units["B1a"], room="502")
    number = new_id()
    person = make_resident(old_home, name="欧阳娜娜", id_number=number, relation_to_head="head")
    return {
        "a": a,
        "b": b,
        "c": c,
        "old": old_home,
        "new": new_home,
        "person": person,
        "id": number,
    }


def _pull(s, **kw):
    return transfer_request_pull(
        actor=s["b"],
        household=s["new"],
        id_number=s["id"],
        relation_to_head=kw.pop("relation_to_head", "spouse"),
        reason=kw.pop("reason", "结婚后随配偶居住"),
        **kw,
    )


def test_pull_then_accept_moves_the_same_record_with_its_timeline(side):
    transfer = _pull(side)
    assert transfer.state == TransferState.PENDING
    # A's staff are told; B sees only the masked name and A's community name.
    inbox = Notification.objects.get(user=side["a"])
    assert "B1社区" in inbox.title and "欧阳娜娜" in inbox.body
    card_b = transfer_card(actor=side["b"], transfer=transfer)
    assert card_b.resident_name == "欧***" and card_b.from_community == "A1社区"
    assert card_b.from_address == "" and card_b.resident_id is None and not card_b.can_decide
    assert card_b.can_cancel
    card_a = transfer_card(actor=side["a"], transfer=transfer)
    assert card_a.resident_name == "欧阳娜娜" and card_a.can_decide and not card_a.can_cancel

    transfer_decide(actor=side["a"], transfer=transfer, accept=True, note="同意")
    person = Resident.objects.get(pk=side["person"].pk)
    assert person.household_id == side["new"].pk and person.area_path == side["new"].area_path
    assert person.relation_to_head == "spouse" and not person.is_removed
    side["old"].refresh_from_db()
    assert side["old"].head_id is None  # no longer heads the old household
    assert Resident.objects.filter(pk=person.pk).count() == 1  # one record, never copied
    # B now has the person; A no longer lists them.
    assert list(resident_list(actor=side["b"])) == [person]
    assert list(resident_list(actor=side["a"])) == []
    event = LifeEvent.objects.get(resident=person, kind=LifeEventKind.MOVE_BETWEEN_HOUSEHOLDS)
    assert event.details["from_community"] == "A1社区"
    assert event.details["to_community"] == "B1社区"
    timeline = resident_timeline(actor=side["b"], resident=person)
    assert any(
        "A1社区" in i.details.get("from", "") and "B1社区" in i.details["to"] for i in timeline
    )
    assert AuditEntry.objects.filter(
        event_type=AuditEvent.MOVE, object_id=str(person.pk), detail__transfer=transfer.pk
    ).exists()
    assert Notification.objects.filter(user=side["b"], title__contains="已同意").exists()
    card_b = transfer_card(actor=side["b"], transfer=ResidentTransfer.objects.get(pk=transfer.pk))
    assert card_b.resident_name == "欧阳娜娜" and card_b.resident_id == person.pk


def test_push_then_accept_by_the_new_community(side, city):
    target = transfer_target_household(
        community=city.communities["B1"], area=city.units["B1a"], room="502"
    )
    transfer = transfer_request_push(
        actor=side["a"], resident=side["person"], target_household=target, reason="购房迁居"
    )
    assert Notification.objects.filter(user=side["b"], body__contains="欧***").exists()
    card_a = transfer_card(actor=side["a"], transfer=transfer)
    assert card_a.to_community == "B1社区" and "502" in card_a.to_address
    with pytest.raises(Forbidden):  # the requester cannot accept their own push
        transfer_decide(actor=side["a"], transfer=transfer, accept=True)
    transfer_decide(actor=side["b"], transfer=transfer, accept=True, relation_to_head="head")
    person = Resident.objects.get(pk=side["person"].pk)
    side["new"].refresh_from_db()
    assert person.household_id == side["new"].pk and side["new"].head_id == person.pk


def test_push_target_must_be_a_registered_household_of_the_other_community(side, city):
    with pytest.raises(InvalidInput) as error:
        transfer_target_household(
            community=city.communities["B1"], area=city.units["B1a"], room="999"
        )
    assert error.value.field == "room"
    with pytest.raises(InvalidInput):
        transfer_target_household(
            community=city.communities["B1"], area=city.units["A1a"], room="301"
        )
    with pytest.raises(InvalidInput) as error:  # within one community: the ordinary move
        transfer_request_push(
            actor=side["a"], resident=side["person"], target_household=side["old"]
        )
    assert error.value.code == "transfer_same_community"


def test_reject_needs_a_reason_and_leaves_the_person_where_they_are(side):
    transfer = _pull(side)
    with pytest.raises(InvalidInput) as error:
        transfer_decide(actor=side["a"], transfer=transfer, accept=False)
    assert error.value.field == "note"
    transfer_decide(actor=side["a"], transfer=transfer, accept=False, note="此人仍在本社区居住")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.REJECTED and transfer.decided_by == side["a"]
    assert Resident.objects.get(pk=side["person"].pk).household_id == side["old"].pk
    assert Notification.objects.filter(user=side["b"], body="此人仍在本社区居住").exists()
    with pytest.raises(Conflict) as again:
        transfer_decide(actor=side["a"], transfer=transfer, accept=True)
    assert again.value.code == "transfer_decided"


def test_cancel_by_the_requesting_side_only_while_pending(side):
    transfer = _pull(side)
    with pytest.raises(Forbidden):
        transfer_cancel(actor=side["a"], transfer=transfer)
    transfer_cancel(actor=side["b"], transfer=transfer, note="登记错了")
    transfer.refresh_from_db()
    assert transfer.state == TransferState.CANCELLED
    with pytest.raises(Conflict):
        transfer_decide(actor=side["a"], transfer=transfer, accept=True)
    # A new request is possible after the cancellation.
    assert _pull(side).state == TransferState.PENDING


def test_a_second_request_for_the_same_person_is_refused(side, city):
    _pull(side)
    other = make_household(city.units["B1b"], room="101")
    with pytest.raises(Conflict) as error:
        transfer_request_pull(actor=side["b"], household=other, id_number=side["id"])
    assert error.value.code == "transfer_pending"
    target = make_household(city.units["A2a"], room="808")
    with pytest.raises(Conflict):
        transfer_request_push(actor=side["a"], resident=side["person"], target_household=target)


def test_requests_lapse_after_fourteen_days(side):
    transfer = _pull(side)
    ResidentTransfer.objects.filter(pk=transfer.pk).update(
        requested_at=timezone.now() - timedelta(days=15),
        expires_at=timezone.now() - timedelta(days=1),
    )
    transfer.refresh_from_db()
    card = transfer_card(actor=side["a"], transfer=transfer)
    assert card.state == TransferState.EXPIRED and not card.can_decide
    assert list(transfer_list(actor=side["a"], pending=True)) == []
    with pytest.raises(Conflict) as error:
        transfer_decide(actor=side["a"], transfer=transfer, accept=True)
    assert error.value.code == "transfer_expired"
    # A lapsed request does not block a new one; it is closed as expired.
    assert _pull(side).state == TransferState.PENDING
    transfer.refresh_from_db()
    assert transfer.state == TransferState.EXPIRED


def test_a_person_moved_out_of_a_is_received_at_once(side):
    resident_move_out(actor=side["a"], resident=side["person"], destination="B1社区")
    transfer = _pull(side, relation_to_head="head")
    assert transfer.state == TransferState.ACCEPTED and transfer.decided_by == side["b"]
    person = Resident.objects.get(pk=side["person"].pk)
    assert not person.is_removed and person.household_id == side["new"].pk
    kinds = list(
        LifeEvent.objects.filter(resident=person).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [LifeEventKind.MOVE_OUT, LifeEventKind.MOVE_BETWEEN_HOUSEHOLDS]
    assert Notification.objects.filter(user=side["a"], title__contains="已在B1社区登记").exists()


def test_a_deceased_person_is_not_received(side):
    resident_record_death(actor=side["a"], resident=side["person"])
    with pytest.raises(InvalidInput) as error:
        _pull(side)
    assert error.value.code == "transfer_removed"
    assert not ResidentTransfer.objects.exists()


def test_the_person_moved_meanwhile_gives_a_clear_error(side):
    transfer = _pull(side)
    resident_move_out(actor=side["a"], resident=side["person"], destination="外省")
    with pytest.raises(Conflict) as error:
        transfer_decide(actor=side["a"], transfer=transfer, accept=True)
    assert error.value.code == "transfer_stale"


def test_unknown_id_same_community_and_grid_workers(side, city, people):
    with pytest.raises(InvalidInput) as error:
        transfer_request_pull(actor=side["b"], household=side["new"], id_number=new_id())
    assert error.value.code == "transfer_not_found"
    with pytest.raises(InvalidInput) as error:
        transfer_request_pull(
            actor=side["a"],
            household=make_household(city.units["A1b"]),
            id_number=side["id"],
        )
    assert error.value.code == "transfer_same_community"
    grid_b1 = make_user("grid_worker", city.grids["B1a"])
    with pytest.raises(Forbidden):
        transfer_request_pull(actor=grid_b1, household=side["new"], id_number=side["id"])
    with pytest.raises(Forbidden):
        transfer_request_push(
            actor=people["grid_worker"], resident=side["person"], target_household=side["new"]
        )


def test_each_side_lists_it_and_a_third_community_gets_404(side):
    transfer = _pull(side)
    assert [t.pk for t in transfer_list(actor=side["a"], side="incoming")] == [transfer.pk]
    assert list(transfer_list(actor=side["a"], side="outgoing")) == []
    assert [t.pk for t in transfer_list(actor=side["b"], side="outgoing")] == [transfer.pk]
    assert list(transfer_list(actor=side["c"])) == []
    with pytest.raises(Http404):
        transfer_get(actor=side["c"], pk=transfer.pk)
    assert AuditEntry.objects.filter(
        event_type=AuditEvent.ACCESS_DENIED, object_id=str(transfer.pk)
    ).exists()
    with pytest.raises(Forbidden):
        transfer_decide(actor=side["c"], transfer=transfer, accept=True)


def test_the_duplicate_id_error_points_to_the_transfer(side):
    with pytest.raises(Conflict) as error:
        resident_create(
            actor=side["b"], household=side["new"], name="欧阳娜娜", id_number=side["id"]
        )
    assert error.value.code == "duplicate_id_number"
    assert "从其他社区迁入" in str(error.value.message)


def test_mask_name():
    assert (
        mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("李") == "李*"
    )


# --------------------------------------------------------------------------
# Races (PostgreSQL: each thread has its own connection)
# --------------------------------------------------------------------------


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    results, lock = [], threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
            outcome = "won"
        except DomainError as error:
            outcome = error.code
        except Exception as error:  # noqa: BLE001 - reported in the assertion
            outcome = f"error: {error!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; run with DATABASE_URL=postgres://…")


def _race_world():
    city = build_city()
    a1 = [make_user("community_worker", city.communities["A1"]) for _ in range(2)]
    b1 = [make_user("community_worker", city.communities["B1"]) for _ in range(3)]
    old = make_household(city.units["A1a"])
    number = new_id()
    person = make_resident(old, name="王芳", id_number=number, gender="male")
    homes = [make_household(city.units["B1a"]) for _ in b1]
    return a1, b1, person, number, homes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_one_wins():
    _skip_unless_postgres()
    a1, b1, person, number, homes = _race_world()
    transfer = transfer_request_pull(actor=b1[0], household=homes[0], id_number=number)
    results = _race(
        [
            lambda: transfer_decide(actor=a1[0], transfer=transfer, accept=True),
            lambda: transfer_decide(actor=a1[1], transfer=transfer, accept=False, note="不同意"),
        ]
    )
    assert sorted(results) == ["transfer_decided", "won"], results
    transfer.refresh_from_db()
    moved = Resident.objects.get(pk=person.pk).household_id == homes[0].pk
    assert moved == (transfer.state == TransferState.ACCEPTED)
    assert LifeEvent.objects.filter(resident=person).count() == int(moved)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_one_person_make_one_pending():
    _skip_unless_postgres()
    a1, b1, person, number, homes = _race_world()
    results = _race(
        [
            lambda w=w, h=h: transfer_request_pull(actor=w, household=h, id_number=number)
            for w, h in zip(b1, homes, strict=True)
        ]
    )
    assert sorted(results) == ["transfer_pending"] * (len(b1) - 1) + ["won"], results
    assert ResidentTransfer.objects.filter(state=TransferState.PENDING).count() == 1


def test_resident_create_for_b_works_when_id_is_new(side):
    """The ordinary entry is untouched for a new ID number."""
    other = resident_create(actor=side["b"], household=side["new"], name="李四", gender="male")
    assert other.household_id == side["new"].pk


def test_an_area_move_carries_the_transfer_paths(side, city):
    from shequ.core.services.areas import area_create, area_move

    transfer = _pull(side)
    street_c = area_create(
        actor=None, parent=city.district, level="street", code="009", name="C街道"
    )
    area_move(actor=None, area=city.communities["A1"], new_parent=street_c)
    transfer.refresh_from_db()
    assert transfer.from_path.startswith("210200.210202.009.01.")
    # A1's worker (role moved with the community) still sees and decides it.
    assert [t.pk for t in transfer_list(actor=side["a"], side="incoming")] == [transfer.pk]
