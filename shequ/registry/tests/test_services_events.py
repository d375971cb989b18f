"""Life events, soft removal and restoration, rentals, optimistic locking."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from shequ.core.choices import AuditEvent
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import AuditEntry
from shequ.registry.models import Household, LifeEvent, LifeEventKind, Resident
from shequ.registry.selectors import ledger_summary, resident_list
from shequ.registry.services import StaleVersion, resident_update
from shequ.registry.services_events import (
    household_change_head,
    household_remove,
    household_restore,
    resident_correct,
    resident_move_household,
    resident_move_in,
    resident_move_out,
    resident_record_birth,
    resident_record_death,
    resident_remove,
    resident_restore,
)
from shequ.registry.services_rentals import rental_end, rental_register
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(city):
    return make_household(city.units["A1a"])


@pytest.fixture
def head(home):
    return make_resident(home, name="王建国", relation_to_head="head", mobile="13912345678")


def _events(resident):
    return list(LifeEvent.objects.filter(resident=resident).values_list("kind", flat=True))


def test_move_out_removes_from_lists_and_counts_and_is_restorable(people, home, head):
    worker, community = people["grid_worker"], people["community_worker"]
    assert ledger_summary(actor=worker)["residents"] == 1
    resident_move_out(actor=worker, resident=head, destination="沈阳市和平区", reason="工作调动")
    head.refresh_from_db()
    assert head.is_removed and "沈阳市和平区" in head.removed_reason
    assert list(resident_list(actor=worker)) == []
    assert ledger_summary(actor=worker)["residents"] == 0
    home.refresh_from_db()
    assert home.head_id is None
    event = LifeEvent.objects.get(resident=head)
    assert event.kind == LifeEventKind.MOVE_OUT and event.details == {"destination": "沈阳市和平区"}
    assert event.actor == worker and event.area_path == head.area_path

    with pytest.raises(Forbidden):  # grid workers do not restore
        resident_restore(actor=worker, resident=head)
    resident_restore(actor=community, resident=head, reason="登记有误")
    head.refresh_from_db()
    assert not head.is_removed
    assert ledger_summary(actor=worker)["residents"] == 1
    home.refresh_from_db()
    assert home.head_id == head.pk  # back as head, the seat was free
    assert _events(head) == [LifeEventKind.RESTORE, LifeEventKind.MOVE_OUT]


def test_move_out_needs_a_destination_and_a_live_resident(people, head):
    with pytest.raises(InvalidInput) as error:
        resident_move_out(actor=people["grid_worker"], resident=head, destination="  ")
    assert error.value.field == "destination"
    resident_remove(actor=None, resident=head, reason="重复登记")
    with pytest.raises(InvalidInput):
        resident_move_out(actor=None, resident=head, destination="北京")


def test_other_grid_cannot_act(people, head, home):
    other = people["grid_worker_b"]
    for call in (
        lambda: resident_move_out(actor=other, resident=head, destination="北京"),
        lambda: resident_record_death(actor=other, resident=head),
        lambda: resident_remove(actor=other, resident=head, reason="x"),
        lambda: household_remove(actor=other, household=home, reason="x"),
        lambda: rental_register(
            actor=other, household=home, lease_start=date(2025, 1, 1), landlord_name="刘"
        ),
    ):
        with pytest.raises(Forbidden):
            call()
    head.refresh_from_db()
    assert not head.is_removed and LifeEvent.objects.count() == 0


def test_move_in_and_birth_create_residents_with_events(people, home, head):
    worker = people["grid_worker"]
    newcomer = resident_move_in(
        actor=worker, household=home, origin="大连市甘井子区", name="赵敏", gender="female"
    )
    assert _events(newcomer) == [LifeEventKind.MOVE_IN]
    baby = resident_record_birth(
        actor=worker, household=home, name="王小宝", gender="male", occurred_on=date(2025, 3, 1)
    )
    assert baby.birth_date == date(2025, 3, 1) and baby.relation_to_head == "child"
    assert _events(baby) == [LifeEventKind.BIRTH]
    with pytest.raises(InvalidInput):  # validation still applies
        resident_record_birth(actor=worker, household=home, name="", gender="male")


def test_move_between_households(people, city, home, head):
    worker = people["grid_worker"]
    other_home = make_household(city.units["A1a"])
    moved = resident_move_household(
        actor=worker, resident=head, household=other_home, relation_to_head="head"
    )
    assert moved.household_id == other_home.pk
    home.refresh_from_db()
    other_home.refresh_from_db()
    assert home.head_id is None and other_home.head_id == head.pk
    event = LifeEvent.objects.get(resident=head)
    assert event.details["from_household"] == home.pk
    # A household in another grid is out of scope for this grid worker.
    far = make_household(city.units["A1b"])
    with pytest.raises(Forbidden):
        resident_move_household(actor=worker, resident=head, household=far)
    with pytest.raises(InvalidInput):
        resident_move_household(actor=worker, resident=head, household=other_home)


def test_death_and_its_rules(people, head):
    with pytest.raises(InvalidInput):
        resident_record_death(
            actor=None, resident=head, occurred_on=timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(InvalidInput):
        resident_record_death(
            actor=None, resident=head, occurred_on=head.birth_date - timedelta(days=1)
        )
    resident_record_death(actor=people["grid_worker"], resident=head, occurred_on=date(2025, 1, 2))
    head.refresh_from_db()
    assert head.is_removed and _events(head) == [LifeEventKind.DEATH]


def test_change_of_head(people, home, head):
    spouse = make_resident(home, name="李芳", gender="female", relation_to_head="spouse")
    household_change_head(
        actor=people["grid_worker"], household=home, new_head=spouse, reason="户主变更"
    )
    home.refresh_from_db()
    head.refresh_from_db()
    spouse.refresh_from_db()
    assert home.head_id == spouse.pk
    assert spouse.relation_to_head == "head" and head.relation_to_head == "other"
    with pytest.raises(InvalidInput):
        household_change_head(actor=None, household=home, new_head=spouse)


def test_correction_records_before_after_but_never_numbers(people, head):
    old_id, old_mobile = head.id_number, head.mobile
    fresh_id = new_id(head.birth_date, male=True)
    resident_correct(
        actor=people["grid_worker"],
        resident=head,
        reason="户口本核对",
        name="王建军",
        id_number=fresh_id,
        mobile="13700002222",
        expected_version=head.version,
    )
    event = LifeEvent.objects.get(resident=head, kind=LifeEventKind.CORRECTION)
    assert event.reason == "户口本核对"
    assert (
        event.details["before"]["name"] == "王建国" and event.details["after"]["name"] == "王建军"
    )
    assert sorted(event.details["changed_personal_numbers"]) == ["id_number", "mobile"]
    audit = AuditEntry.objects.filter(
        object_type="registry.resident", event_type=AuditEvent.UPDATE
    ).last()
    text = json.dumps([event.details, audit.changes, audit.detail], ensure_ascii=False)
    for secret in (old_id, fresh_id, old_mobile, "13700002222", old_id[-4:] + '"'):
        assert secret not in text
    with pytest.raises(InvalidInput):
        resident_correct(actor=None, resident=head, reason="", name="x")


def test_stale_version_changes_nothing(people, head):
    seen = head.version
    resident_update(actor=None, resident=head, notes="第一位同事的修改", expected_version=seen)
    with pytest.raises(StaleVersion) as error:
        resident_update(actor=None, resident=head, notes="第二位同事的修改", expected_version=seen)
    assert error.value.status == 412
    head.refresh_from_db()
    assert head.notes == "第一位同事的修改" and head.version == seen + 1
    with pytest.raises(StaleVersion):
        resident_move_out(actor=None, resident=head, destination="北京", expected_version=seen)
    head.refresh_from_db()
    assert not head.is_removed


def test_every_write_bumps_the_version(head, home):
    start = head.version
    resident_update(actor=None, resident=head, notes="a")
    resident_remove(actor=None, resident=head, reason="重复")
    resident_restore(actor=None, resident=head)
    head.refresh_from_db()
    assert head.version == start + 3


def test_household_removal_needs_an_empty_household_and_is_restorable(people, home, head):
    community = people["community_worker"]
    with pytest.raises(InvalidInput):
        household_remove(actor=community, household=home, reason="空户")
    resident_move_out(actor=community, resident=head, destination="北京")
    household_remove(actor=community, household=home, reason="房屋拆迁")
    home.refresh_from_db()
    assert home.is_removed and ledger_summary(actor=community)["households"] == 0
    with pytest.raises(InvalidInput):  # its members cannot come back before it does
        resident_restore(actor=community, resident=head)
    with pytest.raises(Forbidden):
        household_restore(actor=people["grid_worker"], household=home)
    household_restore(actor=community, household=home)
    assert ledger_summary(actor=community)["households"] == 1
    assert (
        AuditEntry.objects.filter(
            object_type="registry.household", event_type=AuditEvent.DELETE
        ).count()
        == 1
    )


def test_removal_needs_a_reason_and_is_audited(head):
    with pytest.raises(InvalidInput) as error:
        resident_remove(actor=None, resident=head, reason=" ")
    assert error.value.field == "reason"
    resident_remove(actor=None, resident=head, reason="重复登记")
    line = AuditEntry.objects.filter(
        object_type="registry.resident", event_type=AuditEvent.DELETE
    ).get()
    assert line.detail == {"soft": True, "reason": "重复登记"}
    assert Resident.objects.filter(pk=head.pk).exists()


def test_rentals(people, city, home, head):
    worker = people["grid_worker"]
    tenant = make_resident(
        home, name="孙租客", residence_type="floating", relation_to_head="tenant"
    )
    with pytest.raises(InvalidInput):
        rental_register(actor=worker, household=home, lease_start=date(2025, 1, 1))
    with pytest.raises(InvalidInput):
        rental_register(
            actor=worker,
            household=home,
            lease_start=date(2025, 2, 1),
            lease_end=date(2025, 1, 1),
            landlord=head,
        )
    far = make_resident(make_household(city.units["A1b"]), name="外网格")
    with pytest.raises(Forbidden):
        rental_register(
            actor=worker, household=home, lease_start=date(2025, 1, 1), landlord=head, tenants=[far]
        )
    rental = rental_register(
        actor=worker, household=home, lease_start=date(2025, 1, 1), landlord=head, tenants=[tenant]
    )
    assert rental.landlord_display == "王建国" and list(rental.tenants.all()) == [tenant]
    assert rental.area_path == home.area_path
    rental_end(actor=worker, rental=rental, reason="租户退租", ended_on=date(2025, 6, 30))
    rental.refresh_from_db()
    assert rental.ended_at is not None and rental.lease_end == date(2025, 6, 30)
    with pytest.raises(InvalidInput):
        rental_end(actor=worker, rental=rental)
    assert Household.objects.get(pk=home.pk).rentals.count() == 1
