"""Retention (SECURITY.md row 25): moved out or died N years ago → anonymised,
N−1 day kept; dry run changes nothing; a second run changes nothing; the
policy table refuses unknown reasons instead of selecting everyone."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shequ.core.errors import InvalidInput
from shequ.core.models import AuditEntry
from shequ.registry.models import KeyPopulationTag, LifeEvent, Resident, ResidentTag
from shequ.registry.retention import PLACEHOLDER, registry_retention
from shequ.registry.services import resident_tag_add
from shequ.registry.services_events import (
    resident_move_out,
    resident_record_death,
    resident_restore,
)
from shequ.registry.tests.factories import make_household, make_resident

TODAY = date(2025, 6, 15)


@pytest.fixture
def gone(city, settings):
    settings.REGISTRY_RETENTION_YEARS = {"move_out": 3, "death": 5}
    household = make_household(city.units["A1a"], room="501")
    make_resident(household, name="留下的人")
    moved = make_resident(household, name="迁走的人", mobile="13900001111", notes="女儿在沈阳")
    resident_tag_add(actor=None, resident=moved, tag=KeyPopulationTag.objects.get(code="veteran"))
    resident_move_out(
        actor=None, resident=moved, destination="沈阳市和平区", occurred_on=date(2022, 6, 15)
    )
    recent = make_resident(household, name="刚迁走的人")
    resident_move_out(
        actor=None, resident=recent, destination="大连市", occurred_on=date(2022, 6, 16)
    )
    died = make_resident(household, name="去世的人")
    resident_record_death(actor=None, resident=died, occurred_on=date(2020, 6, 1))
    return {"moved": moved, "recent": recent, "died": died}


def test_moved_out_n_years_ago_is_anonymised_and_one_day_less_is_kept(gone):
    result = registry_retention(today=TODAY)
    assert result.anonymised == 2
    moved = Resident.objects.get(pk=gone["moved"].pk)
    assert moved.name == PLACEHOLDER and moved.name_pinyin == ""
    assert moved.id_number is None and moved.id_number_index is None
    assert moved.mobile is None and moved.mobile_index is None and moved.notes == ""
    assert moved.birth_date.month == 1 and moved.birth_date.day == 1
    assert moved.anonymised_at is not None
    assert not ResidentTag.objects.filter(resident=moved).exists()
    # The timeline stays, without what could identify anyone.
    events = LifeEvent.objects.filter(resident=moved)
    assert events.filter(kind="move_out").exists()
    assert all(e.details == {} and e.reason == "" for e in events)
    assert Resident.objects.get(pk=gone["recent"].pk).name == "刚迁走的人"
    assert Resident.objects.get(pk=gone["died"].pk).name == PLACEHOLDER
    assert Resident.objects.filter(name="留下的人").exists()


def test_dry_run_changes_nothing_and_a_second_run_changes_nothing(gone):
    before = list(Resident.objects.order_by("pk").values_list("name", flat=True))
    audit = AuditEntry.objects.count()
    dry = registry_retention(today=TODAY, dry_run=True)
    assert dry.found == {"move_out": 1, "death": 1} and dry.anonymised == 0
    assert list(Resident.objects.order_by("pk").values_list("name", flat=True)) == before
    assert AuditEntry.objects.count() == audit
    registry_retention(today=TODAY)
    (entry,) = AuditEntry.objects.filter(event_type="delete", object_type="registry.resident")
    assert entry.detail["anonymised"] == 2 and "迁走的人" not in str(entry.detail)
    again = registry_retention(today=TODAY)
    assert again.anonymised == 0 and again.found == {"move_out": 0, "death": 0}
    assert AuditEntry.objects.count() == audit + 1


def test_an_unknown_reason_or_a_bad_policy_is_refused_not_everything(gone, settings):
    with pytest.raises(InvalidInput):
        registry_retention(reasons=["removal"], today=TODAY)
    settings.REGISTRY_RETENTION_YEARS = {"everyone": 1}
    with pytest.raises(InvalidInput):
        registry_retention(today=TODAY)
    assert not Resident.objects.filter(name=PLACEHOLDER).exists()


def test_an_anonymised_resident_cannot_be_restored(gone):
    registry_retention(today=TODAY)
    with pytest.raises(InvalidInput):
        resident_restore(actor=None, resident=Resident.objects.get(pk=gone["moved"].pk))


def test_the_command_runs_with_dry_run_and_refuses_unknown_reasons(gone):
    out = StringIO()
    call_command("registry_retention", "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("registry_retention", "--reason", "everyone", stdout=StringIO())


def test_purge_import_files_command_runs(db):
    out = StringIO()
    call_command("purge_import_files", stdout=out)
    assert "removed 0" in out.getvalue()


def test_boundary_is_counted_from_the_event_date(gone):
    # One day before the third anniversary of the move: kept.
    result = registry_retention(today=date(2025, 6, 14), reasons=["move_out"], dry_run=True)
    assert result.found["move_out"] == 0
    assert TODAY - timedelta(days=1) == date(2025, 6, 14)
