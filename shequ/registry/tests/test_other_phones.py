"""A resident's other phone (a landline with its area code, or a second mobile):
normalised, encrypted, found by search, masked everywhere, revealed with a reason."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from openpyxl import load_workbook

from shequ.core.choices import AuditEvent
from shequ.core.errors import InvalidInput
from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login
from shequ.registry.models import LifeEvent, Resident
from shequ.registry.retention import registry_retention
from shequ.registry.selectors import resident_list
from shequ.registry.services import resident_reveal, resident_update
from shequ.registry.services_events import resident_correct, resident_move_out
from shequ.registry.tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"


@pytest.fixture
def mine(city):
    return make_resident(
        make_household(city.units["A1a"], room="101"),
        name="张三",
        mobile="13800138000",
        other_phone="(0411)8456 7890转123",
    )


def test_landline_is_stored_in_canonical_form_and_encrypted(mine):
    assert Resident.objects.get(pk=mine.pk).other_phone == "0411-84567890-123"
    assert mine.other_phone_masked == "0411-****7890"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_resident WHERE id = %s", [mine.pk])
        raw = b"".join(
            bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
            for v in cursor.fetchone()
        )
    assert b"84567890" not in raw


def test_a_second_mobile_is_accepted_as_other_phone(city):
    resident = make_resident(make_household(city.units["A1a"]), other_phone="+86 139 0000 1111")
    assert resident.other_phone == "13900001111"


@pytest.mark.parametrize(
    ("written", "words"),
    [("84567890", "请带区号"), ("0411-123", "位数不正确"), ("电话0411", "只能包含数字")],
)
def test_wrong_other_phone_is_refused_in_chinese(city, written, words):
    with pytest.raises(InvalidInput) as caught:
        make_resident(make_household(city.units["A1a"]), other_phone=written)
    assert caught.value.field == "other_phone" and words in str(caught.value.message)


def test_search_finds_a_resident_by_either_number_within_scope_only(city, people, mine):
    worker, other = people["grid_worker"], people["grid_worker_b"]
    for query in ("0411-84567890-123", "0411 84567890 转123", "13800138000"):
        assert list(resident_list(actor=worker, query=query)) == [mine], query
        assert list(resident_list(actor=other, query=query)) == [], query
    second = make_resident(
        make_household(city.units["A1a"]), name="李四", other_phone="13911112222"
    )
    assert list(resident_list(actor=worker, query="139 1111 2222")) == [second]
    # A landline without its extension is another number: exact match only.
    assert list(resident_list(actor=worker, query="0411-84567890")) == []


def test_web_search_by_landline_is_posted_and_the_page_masks_it(client, people, mine):
    login(client, people["grid_worker"])
    response = client.post("/registry/residents/", {"q": "0411-84567890转123"})
    assert [r.pk for r in response.context["page"]] == [mine.pk]
    detail = client.get(f"/registry/residents/{mine.pk}/").content.decode()
    assert "0411-****7890" in detail and "84567890" not in detail


def test_api_shows_the_other_phone_masked_and_refuses_it_in_a_url(client, people, mine):
    login(client, people["grid_worker"])
    body = client.get(f"{API}/residents/{mine.pk}").json()
    assert body["other_phone_masked"] == "0411-****7890" and "other_phone" not in body
    found = client.post(
        f"{API}/residents/search", {"q": "041184567890-123"}, content_type="application/json"
    ).json()
    assert [r["id"] for r in found["items"]] == [mine.pk]
    assert client.get(f"{API}/residents", {"q": "0411-84567890"}).status_code == 400


def test_api_create_and_patch_the_other_phone(client, people, city):
    household = make_household(city.units["A1a"])
    login(client, people["grid_worker"])
    response = client.post(
        f"{API}/households/{household.pk}/residents",
        {"name": "王五", "gender": "male", "other_phone": "010 6234 5678"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.other_phone == "010-62345678"
    bad = client.patch(
        f"{API}/residents/{resident.pk}",
        {"reason": "更正电话", "other_phone": "6234 5678", "version": resident.version},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "区号" in bad.json()["error"]["fields"]["other_phone"][0]
    ok = client.patch(
        f"{API}/residents/{resident.pk}",
        {"reason": "更正电话", "other_phone": "0411-84560000", "version": resident.version},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["other_phone_masked"] == "0411-****0000"


def test_edit_form_never_holds_the_number_and_empty_keeps_it(client, people, mine):
    login(client, people["grid_worker"])
    url = f"/registry/residents/{mine.pk}/edit/"
    page = client.get(url)
    html = page.content.decode()
    assert "84567890" not in html and "0411-****7890" in html
    data = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    data.update(reason="核对", notes="改备注", birth_date="", gender="")
    assert data["other_phone"] == ""
    assert client.post(url, data).status_code == 302
    assert Resident.objects.get(pk=mine.pk).other_phone == "0411-84567890-123"


def test_reveal_shows_and_audits_the_other_phone(client, people, city, mine):
    revealed = resident_reveal(actor=people["community_worker"], resident=mine, reason="回访")
    assert revealed.other_phone == "0411-84567890-123"
    entry = AuditEntry.objects.get(event_type=AuditEvent.PII_REVEAL)
    assert "other_phone" in entry.detail["fields"] and "84567890" not in str(entry.detail)
    login(client, people["community_worker"])
    page = client.post(f"/registry/residents/{mine.pk}/reveal/", {"reason": "回访"})
    assert "0411-84567890-123" in page.content.decode()
    login(client, people["grid_worker_b"])
    assert client.post(
        f"{API}/residents/{mine.pk}/reveal", {"reason": "x"}, content_type="application/json"
    ).status_code in (403, 404)


def test_audit_rows_and_timeline_never_hold_the_number(people, mine):
    resident_correct(
        actor=people["grid_worker"], resident=mine, reason="换号", other_phone="0411-84569999"
    )
    resident_update(actor=None, resident=mine, other_phone="13900002222")
    for entry in AuditEntry.objects.filter(object_type="registry.resident"):
        text = str(entry.changes) + str(entry.detail)
        assert "8456" not in text and "13900002222" not in text and "other_phone_index" not in text
    event = LifeEvent.objects.get(resident=mine, kind="correction")
    assert event.details["changed_personal_numbers"] == ["other_phone"]
    assert "8456" not in str(event.details)


def test_masked_export_masks_it(client, people, mine):
    login(client, people["grid_worker"])
    response = client.post("/registry/residents/export/", {"format": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[1]
    column = header.index("其他电话")
    assert rows[2][column] == "0411-****7890"
    assert "84567890" not in str(rows)


def test_retention_clears_the_other_phone(city, settings):
    settings.REGISTRY_RETENTION_YEARS = {"move_out": 3, "death": 5}
    moved = make_resident(make_household(city.units["A1a"]), other_phone="0411-84567890")
    resident_move_out(actor=None, resident=moved, destination="沈阳", occurred_on=date(2020, 1, 1))
    registry_retention(today=date(2025, 6, 15))
    moved = Resident.objects.get(pk=moved.pk)
    assert moved.other_phone is None and moved.other_phone_index is None
