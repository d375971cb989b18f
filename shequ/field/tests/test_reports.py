"""Reports from the street: into the work-order engine once, with location
when there is one, metadata stripped, and only in my grids."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from shequ.core.errors import DomainError, InvalidInput
from shequ.field.models import FieldReport
from shequ.field.services import report_record
from shequ.field.tests.factories import gps_photo
from shequ.workorders.models import Attachment, WorkOrder

pytestmark = pytest.mark.django_db


def _report(people, area, key=None, **payload):
    return report_record(
        actor=people["grid_worker"],
        client_id=key or uuid.uuid4(),
        payload={"area": area.pk, "description": "3号楼楼道堆满纸箱", **payload},
        files=payload.pop("files", None),
    )


def test_an_incident_with_location_becomes_one_case_however_often_it_is_sent(city, people):
    key = uuid.uuid4()
    payload = {"category": "fire_risk", "latitude": "38.914", "longitude": "121.614"}
    first = _report(people, city.units["A1a"], key, **payload)
    again = _report(people, city.units["A1a"], key, **payload)
    assert again.replayed and again.report.pk == first.report.pk
    order = WorkOrder.objects.get()
    assert order.kind == "incident" and order.category.code == "fire_risk"
    assert str(order.latitude).startswith("38.914") and order.channel == "grid_report"
    with pytest.raises(DomainError) as error:
        _report(people, city.units["A1a"], key, category="noise")
    assert error.value.status == 422


def test_a_dispute_lead_without_location_permission_is_still_reported(city, people):
    result = _report(people, city.grids["A1a"], kind="dispute", description="楼上楼下漏水纠纷")
    order = result.report.workorder
    assert order.category.code == "neighbour" and order.latitude is None
    assert order.area == city.grids["A1a"]


def test_report_photos_lose_their_metadata(city, people):

    _report(people, city.units["A1a"], files=[gps_photo()])
    attachment = Attachment.objects.get()
    with attachment_file(attachment) as image:
        assert not image.getexif().get_ifd(0x8825)


def attachment_file(attachment):
    from contextlib import contextmanager

    from django.core.files.storage import default_storage
    from PIL import Image

    @contextmanager
    def opened():
        with (
            default_storage.open(attachment.storage_name, "rb") as handle,
            Image.open(handle) as image,
        ):
            yield image

    return opened()


def test_a_place_outside_my_grids_or_bad_input_is_refused(city, people):
    with pytest.raises(Http404):
        _report(people, city.units["A1b"])
    with pytest.raises(InvalidInput):
        _report(people, city.units["A1a"], description="")
    with pytest.raises(InvalidInput):
        _report(people, city.units["A1a"], kind="rumour")
    assert not FieldReport.objects.exists() and not WorkOrder.objects.exists()
