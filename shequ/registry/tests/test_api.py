"""/api/v1/registry/: scoped like the web, masked by default, reveal audited."""

import re

import pytest

from shequ.core.choices import AuditEvent
from shequ.core.models import AuditEntry
from shequ.core.tests.factories import login
from shequ.registry.tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db
ID18 = re.compile(r"\d{17}[\dX]")
API = "/api/v1/registry"


@pytest.fixture
def mine(city):
    return make_resident(make_household(city.units["A1a"]), name="张三", mobile="13800138000")


@pytest.fixture
def theirs(city):
    return make_resident(make_household(city.units["A1b"]), name="李四")


def test_list_is_scoped_paginated_and_masked(client, people, mine, theirs):
    login(client, people["grid_worker"])
    response = client.get(f"{API}/residents")
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1 and [r["name"] for r in body["items"]] == ["张三"]
    item = body["items"][0]
    assert item["id_number_masked"] == mine.id_number[:4] + "*" * 10 + mine.id_number[-4:]
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", item["mobile_masked"])
    assert "id_number" not in item and "mobile" not in item
    assert not ID18.search(response.content.decode())
    assert client.get(f"{API}/residents", {"q": "zs"}).json()["count"] == 1
    assert client.get(f"{API}/residents", {"page_size": 1000}).status_code == 400


def test_personal_numbers_are_refused_in_the_query_string(client, people, mine):
    login(client, people["grid_worker"])
    response = client.get(f"{API}/residents", {"q": mine.id_number})
    assert response.status_code == 400 and response.json()["error"]["fields"]["q"]
    response = client.post(
        f"{API}/residents/search", {"q": mine.id_number}, content_type="application/json"
    )
    assert [r["id"] for r in response.json()["items"]] == [mine.pk]


def test_detail_answers_404_out_of_scope(client, people, mine, theirs):
    login(client, people["grid_worker"])
    response = client.get(f"{API}/residents/{mine.pk}")
    assert response.status_code == 200 and response.json()["name"] == "张三"
    assert "no-store" in response["Cache-Control"]
    assert not ID18.search(response.content.decode())
    missing = client.get(f"{API}/residents/{theirs.pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get(f"{API}/residents/999999").json() == missing.json()
    assert (
        client.post(
            f"{API}/residents/search", {"q": theirs.id_number}, content_type="application/json"
        ).json()["count"]
        == 0
    )


def test_reveal(client, people, city, mine):
    url = f"{API}/residents/{mine.pk}/reveal"
    login(client, people["grid_worker"])
    assert client.post(url, {"reason": "核对"}, content_type="application/json").status_code == 403
    login(client, people["community_worker"])
    assert client.post(url, {}, content_type="application/json").status_code == 400
    blank = client.post(url, {"reason": "  "}, content_type="application/json")
    assert blank.status_code == 400 and blank.json()["error"]["fields"]["reason"]
    assert not AuditEntry.objects.filter(event_type=AuditEvent.PII_REVEAL).exists()
    response = client.post(url, {"reason": "低保复核"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "resident_id": mine.pk,
        "id_number": mine.id_number,
        "mobile": "13800138000",
        "other_phone": "",
        "id_document_number": "",
    }
    entry = AuditEntry.objects.get(event_type=AuditEvent.PII_REVEAL)
    assert entry.detail["reason"] == "低保复核" and entry.object_id == str(mine.pk)
    elsewhere = make_resident(make_household(city.units["B1a"]))
    assert (
        client.post(
            f"{API}/residents/{elsewhere.pk}/reveal",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_anonymous_and_roleless(client, people, mine):
    assert client.get(f"{API}/residents").status_code == 401
    login(client, people["volunteer"])
    assert client.get(f"{API}/residents").status_code == 403
    assert client.get(f"{API}/residents/{mine.pk}").status_code == 403


def test_openapi_has_no_personal_number_parameters(client, people):
    login(client, people["community_worker"])
    schema = client.get("/api/v1/openapi.json").json()
    registry_paths = {p: ops for p, ops in schema["paths"].items() if "/registry/" in p}
    assert len(registry_paths) >= 4
    for path, ops in registry_paths.items():
        assert not re.search(r"id_number|mobile|phone|sfz", path)
        for op in ops.values():
            for parameter in op.get("parameters", []):
                assert not re.search(r"id_number|mobile|phone|sfz", parameter["name"])


def test_list_query_count_does_not_grow_with_residents(
    client, people, city, django_assert_max_num_queries
):
    login(client, people["grid_worker"])
    household = make_household(city.units["A1a"])
    make_resident(household)
    client.get(f"{API}/residents")  # warm-up: session, roles
    with django_assert_max_num_queries(12) as few:
        client.get(f"{API}/residents")
    for index in range(10):
        make_resident(make_household(city.units["A1a"]), name=f"居民{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"{API}/residents")
    assert response.json()["count"] == 11
