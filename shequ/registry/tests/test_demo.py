"""The demo step: thousands of believable, valid residents in a few seconds."""

import io
import random
import time
from collections import Counter

import pytest
from django.utils import timezone

from shequ.core import registry
from shequ.core.choices import AuditEvent
from shequ.core.idnumbers import parse_id_number
from shequ.core.models import AuditEntry
from shequ.registry.models import Household, Resident, ResidentTag

pytestmark = pytest.mark.django_db


def test_demo_step_is_registered_and_fills_2000_residents_fast(city):
    step = next(s for s in registry.demo_steps if s.name == "registry")
    out = io.StringIO()
    started = time.monotonic()
    step.run(city=city.city, residents=2000, rng=random.Random(7), stdout=out)
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"demo step took {elapsed:.1f}s"
    residents = list(Resident.objects.all())
    assert 2000 <= len(residents) < 2010
    assert Household.objects.count() > 500
    assert Household.objects.filter(head__isnull=True).count() == 0
    today = timezone.localdate()
    foreign = [r for r in residents if r.id_document_number]
    assert 1 <= len(foreign) <= 2 and all(r.residence_type == "foreign" for r in foreign)
    assert any(r.other_phone and r.other_phone.startswith("0411-") for r in residents)
    for resident in residents:
        if resident in foreign:
            assert resident.id_number is None and resident.id_document_type
            continue
        parsed = parse_id_number(resident.id_number)
        assert parsed.birth_date == resident.birth_date
        assert parsed.male == (resident.gender == "male")
        assert resident.area_path.startswith(city.city.path + ".")
        assert resident.household.area_path == resident.area_path
    elderly = sum(1 for r in residents if r.age(today) >= 65) / len(residents)
    assert 0.08 < elderly < 0.2
    tags = Counter(ResidentTag.objects.values_list("tag__code", flat=True))
    assert tags["elderly_alone"] and tags["empty_nest"] and tags["party_member"]
    assert Counter(r.residence_type for r in residents)["floating"] > 0
    assert (
        AuditEntry.objects.filter(event_type=AuditEvent.IMPORT, detail__source="demo").count() == 1
    )
    assert "2000" in out.getvalue() or "residents" in out.getvalue()


def test_second_run_does_not_collide(city):
    step = next(s for s in registry.demo_steps if s.name == "registry")
    step.run(city=city.city, residents=50, rng=random.Random(1), stdout=None)
    step.run(city=city.city, residents=50, rng=random.Random(1), stdout=None)
    assert Resident.objects.count() >= 100
