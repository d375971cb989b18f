"""Recording visits: scope, idempotent sync, the phone's clock, photos, needs
turned into cases, households removed meanwhile."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from PIL import Image

from shequ.core.errors import Conflict, DomainError, InvalidInput
from shequ.field.models import LedgerChangeProposal, Need, Visit
from shequ.field.services import need_convert, visit_record
from shequ.field.tests.factories import gps_photo, household_with, visit
from shequ.registry.services_events import household_remove
from shequ.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _send(people, household, key, payload, **extra):
    return visit_record(
        actor=people["grid_worker"],
        household_id=household.pk,
        client_id=key,
        payload=payload,
        **extra,
    )


def test_the_same_item_sent_twice_is_one_visit_and_one_case(city, people):
    household = household_with(city.units["A1a"])
    key = uuid.uuid4()
    payload = {
        "outcome": "met",
        "notes": "老人腿脚不便",
        "needs": [{"description": "需要助餐", "kind": "service_order", "category": "elderly_help"}],
    }
    first = _send(people, household, key, payload)
    again = _send(people, household, key, payload)
    assert not first.replayed and again.replayed
    assert again.visit.pk == first.visit.pk
    assert Visit.objects.count() == 1
    assert WorkOrder.objects.count() == 1
    order = WorkOrder.objects.get()
    assert order.kind == "service_order" and order.category.code == "elderly_help"
    assert order.area_id == household.area_id
    assert Need.objects.get().workorder == order


def test_the_same_key_with_a_different_body_is_refused(city, people):
    household = household_with(city.units["A1a"])
    key = uuid.uuid4()
    _send(people, household, key, {"notes": "第一次"})
    with pytest.raises(DomainError) as error:
        _send(people, household, key, {"notes": "改过了"})
    assert error.value.code == "idempotency_key_reused"
    assert error.value.status == 422
    assert Visit.objects.get().notes == "第一次"


def test_a_household_outside_my_grids_is_not_found(city, people):
    other = household_with(city.units["A1b"])
    with pytest.raises(Http404):
        _send(people, other, uuid.uuid4(), {"notes": "越界"})
    assert not Visit.objects.exists()


def test_a_household_removed_meanwhile_is_a_clear_conflict(city, people):
    from shequ.registry.tests.factories import make_household

    household = make_household(city.units["A1a"])
    household_remove(actor=None, household=household, reason="整户迁出")
    with pytest.raises(Conflict) as error:
        _send(people, household, uuid.uuid4(), {"notes": "离线时记录"})
    assert error.value.code == "household_removed"
    assert "仍保留在手机上" in str(error.value.message)
    assert not Visit.objects.exists()


def test_a_phone_clock_hours_wrong_is_corrected_by_the_server(city, people):
    household = household_with(city.units["A1a"])
    now = timezone.now()
    # The phone is 5 hours fast; the visit was made 2 hours before upload.
    phone_made = now + timedelta(hours=5) - timedelta(hours=2)
    phone_sent = now + timedelta(hours=5)
    result = _send(
        people,
        household,
        uuid.uuid4(),
        {"client_time": phone_made.isoformat()},
        client_sent_at=phone_sent.isoformat(),
    )
    visit_row = result.visit
    assert abs(visit_row.visited_at - (now - timedelta(hours=2))) < timedelta(minutes=1)
    assert visit_row.client_time == phone_made.isoformat()


def test_a_phone_clock_in_the_future_never_dates_a_visit_after_now(city, people):
    household = household_with(city.units["A1a"])
    result = _send(
        people,
        household,
        uuid.uuid4(),
        {"client_time": (timezone.now() + timedelta(days=3)).isoformat()},
        client_sent_at=timezone.now().isoformat(),
    )
    assert result.visit.visited_at <= timezone.now()


def test_photos_are_stored_without_location_or_phone_model(city, people):
    household = household_with(city.units["A1a"])
    row = visit(people["grid_worker"], household, photos=[gps_photo()])
    stored = row.photos.get()
    with default_storage.open(stored.storage_name, "rb") as handle, Image.open(handle) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825)
        assert 0x010F not in exif and 0x0110 not in exif


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(city, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    household = household_with(city.units["A1a"])
    bad = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    with pytest.raises(InvalidInput):
        visit(people["grid_worker"], household, photos=[bad])
    assert not Visit.objects.exists()


def test_bad_checklist_or_outcome_is_refused(city, people):
    household = household_with(city.units["A1a"])
    with pytest.raises(InvalidInput):
        visit(people["grid_worker"], household, payload={"must_contact": ["nonsense"]})
    with pytest.raises(InvalidInput):
        visit(people["grid_worker"], household, payload={"outcome": "maybe"})
    with pytest.raises(InvalidInput):
        visit_record(
            actor=people["grid_worker"], household_id=household.pk, client_id="x", payload={}
        )


def test_a_need_becomes_a_case_once_however_often_it_is_tapped(city, people):
    household = household_with(city.units["A1a"])
    row = visit(people["grid_worker"], household, payload={"needs": [{"description": "楼道堆物"}]})
    need = row.needs.get()
    first = need_convert(actor=people["grid_worker"], need=need, kind="incident")
    second = need_convert(actor=people["grid_worker"], need=need, kind="incident")
    assert first.pk == second.pk and first.kind == "incident"
    assert WorkOrder.objects.count() == 1


def test_a_household_changed_meanwhile_keeps_the_visit_and_warns(city, people):
    household = household_with(city.units["A1a"])
    result = _send(
        people,
        household,
        uuid.uuid4(),
        {
            "household_version": household.version - 1 if household.version > 1 else 99,
            "proposals": [{"kind": "new_member", "name": "王小宝", "gender": "male"}],
        },
    )
    assert result.visit.changed_meanwhile
    assert result.warnings
    assert LedgerChangeProposal.objects.get().state == "pending"


def test_visit_photos_count_towards_the_daily_upload_quota(city, people, settings):
    from shequ.field.models import VisitPhoto

    settings.SHEQU_UPLOAD_DAILY_MB = 1
    household = household_with(city.units["A1a"])
    visit(people["grid_worker"], household, photos=[gps_photo()])
    VisitPhoto.objects.update(size=1024 * 1024)  # as if a megabyte went up today
    with pytest.raises(InvalidInput) as error:
        visit(people["grid_worker"], household, photos=[gps_photo()])
    assert error.value.code == "quota"
    assert Visit.objects.count() == 1
