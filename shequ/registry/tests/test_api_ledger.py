"""/api/v1/registry/ writes: households, residents with versions, idempotent
creates, tags, life events, filtered search and export."""

import io
import json
import re

import pytest
from openpyxl import load_workbook

from shequ.core.choices import AuditEvent
from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login
from shequ.registry.models import Household, LifeEvent, Resident
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db
API = "/api/v1/registry"
ID18 = re.compile(r"\d{17}[\dX]")


def _send(client, method, path, body=None, **headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.generic(
        method, path, json.dumps(body or {}), content_type="application/json", **extra
    )


@pytest.fixture
def home(city):
    return make_household(city.units["A1a"])


@pytest.fixture
def mine(home):
    return make_resident(home, name="张三", relation_to_head="head", mobile="13800138000")


@pytest.fixture
def theirs(city):
    return make_resident(make_household(city.units["A1b"]), name="李四")


def test_households_list_detail_and_create(client, people, city, mine, theirs):
    login(client, people["grid_worker"])
    listed = client.get(f"{API}/households").json()
    assert [h["id"] for h in listed["items"]] == [mine.household_id]
    detail = client.get(f"{API}/households/{mine.household_id}").json()
    assert [m["name"] for m in detail["members"]] == ["张三"]
    assert not ID18.search(json.dumps(detail))
    assert client.get(f"{API}/households/{theirs.household_id}").status_code == 404
    created = _send(
        client, "POST", f"{API}/households", {"area_id": city.units["A1a"].pk, "room": "303"}
    )
    assert created.status_code == 201 and created.json()["room"] == "303"
    # Another grid's unit: 404, nothing created.
    before = Household.objects.count()
    refused = _send(
        client, "POST", f"{API}/households", {"area_id": city.units["A1b"].pk, "room": "1"}
    )
    assert refused.status_code == 404 and Household.objects.count() == before


def test_idempotent_create(client, people, city, home):
    login(client, people["grid_worker"])
    body = {"name": "王五", "id_number": new_id(), "mobile": "13900001111"}
    first = _send(
        client, "POST", f"{API}/households/{home.pk}/residents", body, **{"Idempotency-Key": "k-1"}
    )
    again = _send(
        client, "POST", f"{API}/households/{home.pk}/residents", body, **{"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Resident.objects.filter(name="王五").count() == 1
    assert not ID18.search(first.content.decode()) and "13900001111" not in first.content.decode()
    changed = _send(
        client,
        "POST",
        f"{API}/households/{home.pk}/residents",
        {**body, "name": "王六"},
        **{"Idempotency-Key": "k-1"},
    )
    assert (
        changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"
    )
    assert not Resident.objects.filter(name="王六").exists()
    h1 = _send(
        client,
        "POST",
        f"{API}/households",
        {"area_id": city.units["A1a"].pk},
        **{"Idempotency-Key": "h"},
    )
    h2 = _send(
        client,
        "POST",
        f"{API}/households",
        {"area_id": city.units["A1a"].pk},
        **{"Idempotency-Key": "h"},
    )
    assert h1.json()["id"] == h2.json()["id"]
    # Another user's same key is theirs alone.
    login(client, people["community_worker"])
    h3 = _send(
        client,
        "POST",
        f"{API}/households",
        {"area_id": city.units["A1a"].pk},
        **{"Idempotency-Key": "h"},
    )
    assert h3.json()["id"] != h1.json()["id"]


def test_create_validation_is_per_field(client, people, home):
    login(client, people["grid_worker"])
    bad = _send(
        client,
        "POST",
        f"{API}/households/{home.pk}/residents",
        {"name": "赵六", "id_number": "210202199001011235"},
    )
    assert bad.status_code == 400 and "id_number" in bad.json()["error"]["fields"]
    bad = _send(
        client,
        "POST",
        f"{API}/households/{home.pk}/residents",
        {"name": "赵六", "gender": "male", "mobile": "12345"},
    )
    assert "mobile" in bad.json()["error"]["fields"]


def test_patch_needs_the_current_version(client, people, mine):
    login(client, people["grid_worker"])
    url = f"{API}/residents/{mine.pk}"
    missing = _send(client, "PATCH", url, {"reason": "核对", "notes": "甲"})
    assert missing.status_code == 428
    ok = _send(client, "PATCH", url, {"reason": "核对", "notes": "甲", "version": mine.version})
    assert ok.status_code == 200 and ok.json()["version"] == mine.version + 1
    stale = _send(client, "PATCH", url, {"reason": "核对", "notes": "乙", "version": mine.version})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_version"
    stale_header = _send(
        client, "PATCH", url, {"reason": "核对", "notes": "乙"}, **{"If-Match": f'"{mine.version}"'}
    )
    assert stale_header.status_code == 412
    mine.refresh_from_db()
    assert mine.notes == "甲"
    fresh = _send(
        client, "PATCH", url, {"reason": "核对", "notes": "乙"}, **{"If-Match": f'"{mine.version}"'}
    )
    assert fresh.status_code == 200
    assert LifeEvent.objects.filter(resident=mine, kind="correction").count() == 2


def test_other_grid_gets_404_on_every_write(client, people, mine):
    login(client, people["grid_worker_b"])
    url = f"{API}/residents/{mine.pk}"
    before = (mine.version, LifeEvent.objects.count())
    for method, path, body in (
        ("PATCH", url, {"reason": "x", "notes": "y", "version": mine.version}),
        ("POST", f"{url}/events", {"kind": "remove", "reason": "x", "version": mine.version}),
        ("POST", f"{url}/tags", {"code": "veteran"}),
        ("DELETE", f"{url}/tags/veteran", None),
        ("GET", f"{url}/events", None),
        (
            "POST",
            f"{API}/households/{mine.household_id}/residents",
            {"name": "x", "gender": "male"},
        ),
        (
            "POST",
            f"{API}/households/{mine.household_id}/events",
            {"kind": "remove", "reason": "x", "version": 1},
        ),
    ):
        assert _send(client, method, path, body).status_code == 404, (method, path)
    mine.refresh_from_db()
    assert (mine.version, LifeEvent.objects.count()) == before


def test_tags(client, people, mine):
    login(client, people["grid_worker"])
    codes = [t["code"] for t in client.get(f"{API}/tags").json()]
    assert "elderly_alone" in codes
    added = _send(client, "POST", f"{API}/residents/{mine.pk}/tags", {"code": "veteran"})
    assert added.status_code == 201 and [t["code"] for t in added.json()["tags"]] == ["veteran"]
    assert (
        _send(client, "POST", f"{API}/residents/{mine.pk}/tags", {"code": "veteran"}).status_code
        == 400
    )
    assert (
        _send(client, "POST", f"{API}/residents/{mine.pk}/tags", {"code": "nope"}).status_code
        == 400
    )
    removed = _send(client, "DELETE", f"{API}/residents/{mine.pk}/tags/veteran")
    assert removed.status_code == 200 and removed.json()["tags"] == []


def test_life_events_through_the_api(client, people, city, mine, home):
    login(client, people["grid_worker"])
    url = f"{API}/residents/{mine.pk}/events"
    moved = _send(
        client, "POST", url, {"kind": "move_out", "destination": "北京市", "version": mine.version}
    )
    assert moved.status_code == 200 and moved.json()["is_removed"] is True
    events = client.get(url).json()["items"]
    assert [e["kind"] for e in events] == ["move_out"] and events[0]["details"] == {
        "destination": "北京市"
    }
    # Grid workers do not restore; community workers do.
    assert _send(client, "POST", url, {"kind": "restore"}).status_code == 403
    login(client, people["community_worker"])
    assert _send(client, "POST", url, {"kind": "restore", "reason": "误操作"}).status_code == 200
    assert [e["kind"] for e in client.get(url).json()["items"]] == ["restore", "move_out"]
    spouse = make_resident(home, name="李芳", gender="female", relation_to_head="spouse")
    home.refresh_from_db()
    changed = _send(
        client,
        "POST",
        f"{API}/households/{home.pk}/events",
        {"kind": "change_head", "new_head_id": spouse.pk, "version": home.version},
    )
    assert changed.status_code == 200 and changed.json()["head_id"] == spouse.pk


def test_rental_through_the_api(client, people, mine, home):
    login(client, people["grid_worker"])
    response = _send(
        client,
        "POST",
        f"{API}/households/{home.pk}/rentals",
        {"lease_start": "2025-01-01", "landlord_id": mine.pk, "tenant_ids": [mine.pk]},
    )
    assert response.status_code == 201 and response.json()["landlord"] == "张三"
    assert client.get(f"{API}/households/{home.pk}").json()["rentals"][0]["tenant_ids"] == [mine.pk]


def test_filter_and_export(client, people, mine, theirs):
    login(client, people["grid_worker"])
    found = _send(client, "POST", f"{API}/residents/filter", {"id_last4": mine.id_number[-4:]})
    assert [r["id"] for r in found.json()["items"]] == [mine.pk]
    none = _send(client, "POST", f"{API}/residents/filter", {"id_last4": theirs.id_number[-4:]})
    assert none.json()["items"] == [] or theirs.id_number[-4:] == mine.id_number[-4:]
    response = _send(client, "POST", f"{API}/residents/export", {"format": "xlsx"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[2:]] == ["张三"]
    assert not ID18.search(repr(rows))
    assert AuditEntry.objects.filter(event_type=AuditEvent.EXPORT).count() == 1
    bad = _send(client, "POST", f"{API}/residents/export", {"format": "pdf"})
    assert bad.status_code == 400
