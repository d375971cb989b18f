"""/api/v1/field/: due visits, idempotent visit upload, coverage; scoped."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from shequ.core.tests.factories import login
from shequ.field.models import Visit
from shequ.field.tests.factories import household_with
from shequ.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    login(client, user)
    return client


def _post(client, body):
    return client.post("/api/v1/field/visits", json.dumps(body), content_type="application/json")


def test_due_and_idempotent_visits_over_the_api(city, people):
    household = household_with(city.units["A1a"], tag="elderly_alone", name="独居周奶奶")
    client = _client(people["grid_worker"])
    due = client.get("/api/v1/field/due").json()
    assert [d["household_id"] for d in due] == [household.pk]
    assert due[0]["reasons"] == ["独居老人"] and due[0]["head_name"] == "独居周奶奶"
    body = {
        "client_id": str(uuid.uuid4()),
        "household_id": household.pk,
        "must_contact": ["home_visit"],
        "needs": [{"description": "助餐", "kind": "service_order", "category": "elderly_help"}],
    }
    first = _post(client, body)
    assert first.status_code == 201, first.content
    again = _post(client, body)
    assert again.status_code == 200 and again.json()["replayed"]
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1 and WorkOrder.objects.count() == 1
    changed = _post(client, {**body, "notes": "另一份内容"})
    assert changed.status_code == 422
    assert changed.json()["error"]["code"] == "idempotency_key_reused"
    assert client.get("/api/v1/field/due").json() == []


def test_the_api_answers_404_outside_my_grid(city, people):
    household = household_with(city.units["A1a"])
    outsider = _client(people["grid_worker_b"])
    refused = _post(outsider, {"client_id": str(uuid.uuid4()), "household_id": household.pk})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert outsider.get(f"/api/v1/field/coverage?area={city.grids['A1a'].pk}").status_code == 404
    assert not Visit.objects.exists()


def test_coverage_over_the_api(city, people):
    household_with(city.units["A1a"])
    household_with(city.units["A1b"])
    client = _client(people["community_worker"])
    report = client.get(f"/api/v1/field/coverage?area={city.communities['A1'].pk}").json()
    assert report["total"]["total"] == 2 and report["total"]["visited"] == 0
    assert len(report["parts"]) == 2 and len(report["not_reached"]) == 2
