"""/api/v1/registry/transfers: pull, push, decide, cancel, lists and scoping."""

import json
import re

import pytest

from shequ.core.tests.factories import login, make_user
from shequ.registry.models import Resident, ResidentTransfer
from shequ.registry.services_transfer import transfer_request_pull
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/transfers"
ID18 = re.compile(r"\d{17}[\dX]")


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def world(city, people):
    b = make_user("community_worker", city.communities["B1"], username="b1_worker")
    c = make_user("community_worker", city.communities["A2"], username="a2_worker")
    old_home = make_household(city.units["A1a"], room="301")
    new_home = make_household(city.units["B1a"], room="502")
    number = new_id()
    person = make_resident(old_home, name="欧阳娜娜", id_number=number)
    return {
        "a": people["community_worker"],
        "b": b,
        "c": c,
        "grid": people["grid_worker"],
        "old": old_home,
        "new": new_home,
        "person": person,
        "id": number,
    }


def test_pull_over_the_api_then_accept(client, world):
    login(client, world["b"])
    response = _post(
        client,
        f"{API}/pull",
        {"household_id": world["new"].pk, "id_number": world["id"], "relation_to_head": "child"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "pending" and body["resident_name"] == "欧***"
    assert body["from_community"] == "A1社区" and body["from_address"] == ""
    assert body["resident_id"] is None and not ID18.search(response.content.decode())
    listed = client.get(API, {"side": "outgoing", "pending": "true"}).json()
    assert [t["id"] for t in listed["items"]] == [body["id"]]
    client.logout()

    login(client, world["a"])
    incoming = client.get(API, {"side": "incoming"}).json()
    assert [t["resident_name"] for t in incoming["items"]] == ["欧阳娜娜"]
    response = _post(client, f"{API}/{body['id']}/decide", {"accept": True})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    person = Resident.objects.get(pk=world["person"].pk)
    assert person.household_id == world["new"].pk and person.relation_to_head == "child"
    # Decided already: a second decision is a conflict in the one error format.
    again = _post(client, f"{API}/{body['id']}/decide", {"accept": False, "note": "晚了"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "transfer_decided"


def test_push_over_the_api_with_the_address_pickers(client, world, city):
    login(client, world["a"])
    communities = client.get(f"{API}/communities").json()
    names = [c["name"] for c in communities]
    assert "B1社区" in names and "A1社区" not in names
    b1 = city.communities["B1"].pk
    addresses = client.get(f"{API}/communities/{b1}/addresses").json()
    assert city.units["B1a"].pk in [a["id"] for a in addresses]
    own = city.communities["A1"].pk
    assert client.get(f"{API}/communities/{own}/addresses").status_code == 404
    response = _post(
        client,
        f"{API}/push",
        {
            "resident_id": world["person"].pk,
            "community_id": b1,
            "area_id": city.units["B1a"].pk,
            "room": "502",
            "reason": "购房",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["direction"] == "push" and body["to_community"] == "B1社区"
    assert body["can_cancel"] and not body["can_decide"]
    response = _post(client, f"{API}/{body['id']}/cancel", {"note": "暂缓"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_reject_needs_a_note_and_errors_name_the_field(client, world):
    transfer = transfer_request_pull(
        actor=world["b"], household=world["new"], id_number=world["id"]
    )
    login(client, world["a"])
    response = _post(client, f"{API}/{transfer.pk}/decide", {"accept": False})
    assert response.status_code == 400 and "note" in response.json()["error"]["fields"]


def test_third_community_and_grid_worker_are_refused(client, world):
    transfer = transfer_request_pull(
        actor=world["b"], household=world["new"], id_number=world["id"]
    )
    login(client, world["c"])
    assert client.get(f"{API}/{transfer.pk}").status_code == 404
    assert client.get(API).json()["items"] == []
    response = _post(client, f"{API}/{transfer.pk}/decide", {"accept": True})
    assert response.status_code == 404
    assert ResidentTransfer.objects.get().state == "pending"
    client.logout()
    login(client, world["grid"])
    assert client.get(API).status_code == 403
    response = _post(
        client, f"{API}/pull", {"household_id": world["old"].pk, "id_number": world["id"]}
    )
    assert response.status_code == 403


def test_duplicate_id_on_plain_create_points_to_the_transfer(client, world):
    login(client, world["b"])
    response = _post(
        client,
        f"/api/v1/registry/households/{world['new'].pk}/residents",
        {"name": "欧阳娜娜", "id_number": world["id"]},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "duplicate_id_number" and "从其他社区迁入" in error["message"]
