"""Transfers between communities in the staff console: the buttons on the
resident and household pages, the pull and push forms, the list and the decision."""

import pytest

from shequ.core.tests.factories import login, make_user
from shequ.registry.choices import TransferState
from shequ.registry.models import Resident, ResidentTransfer
from shequ.registry.services_transfer import transfer_request_pull
from shequ.registry.tests.factories import make_household, make_resident, new_id

pytestmark = pytest.mark.django_db


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


def test_the_pages_show_the_transfer_buttons_to_community_staff_only(client, world):
    login(client, world["a"])
    page = client.get(f"/registry/residents/{world['person'].pk}/").content.decode()
    assert "迁往其他社区" in page and f"/registry/transfers/out/{world['person'].pk}/" in page
    page = client.get(f"/registry/households/{world['old'].pk}/").content.decode()
    assert "从其他社区迁入" in page
    client.logout()
    login(client, world["grid"])
    page = client.get(f"/registry/residents/{world['person'].pk}/").content.decode()
    assert "迁往其他社区" not in page
    assert client.get(f"/registry/transfers/out/{world['person'].pk}/").status_code == 403


def test_pull_by_id_number_then_the_old_community_accepts(client, world):
    login(client, world["b"])
    url = f"/registry/transfers/in/{world['new'].pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"id_number": world["id"], "relation_to_head": "spouse", "reason": "随配偶居住"}
    )
    transfer = ResidentTransfer.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/transfers/{transfer.pk}/"
    )
    page = client.get(response["Location"]).content.decode()
    # Before acceptance B sees the masked name and A's community name, not the address.
    assert "欧***" in page and "欧阳娜娜" not in page and "A1社区" in page
    assert "301" not in page and world["id"] not in page
    assert "撤回申请" in page and "同意迁移" not in page
    listing = client.get("/registry/transfers/").content.decode()
    assert "欧***" in listing and "等待对方确认" in listing
    client.logout()

    login(client, world["a"])
    listing = client.get("/registry/transfers/").content.decode()
    assert "欧阳娜娜" in listing and "确认或拒绝" in listing
    page = client.get(f"/registry/transfers/{transfer.pk}/").content.decode()
    assert "同意迁移" in page and "B1社区" in page
    response = client.post(
        f"/registry/transfers/{transfer.pk}/decide/", {"decision": "accept", "note": ""}
    )
    assert response.status_code == 302
    person = Resident.objects.get(pk=world["person"].pk)
    assert person.household_id == world["new"].pk and person.relation_to_head == "spouse"
    # A can no longer open the resident; B sees the move with both communities.
    assert client.get(f"/registry/residents/{person.pk}/").status_code == 404
    client.logout()
    login(client, world["b"])
    page = client.get(f"/registry/residents/{person.pk}/").content.decode()
    assert "户间迁移" in page and "A1社区" in page and "B1社区" in page


def test_reject_without_a_reason_shows_the_error(client, world):
    transfer = transfer_request_pull(
        actor=world["b"], household=world["new"], id_number=world["id"]
    )
    login(client, world["a"])
    response = client.post(f"/registry/transfers/{transfer.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 400 and "请填写拒绝的理由" in response.content.decode()
    response = client.post(
        f"/registry/transfers/{transfer.pk}/decide/",
        {"decision": "reject", "note": "此人仍在本社区"},
    )
    assert response.status_code == 302
    assert ResidentTransfer.objects.get().state == TransferState.REJECTED


def test_push_chooses_community_then_address(client, world, city):
    login(client, world["a"])
    url = f"/registry/transfers/out/{world['person'].pk}/"
    page = client.get(url).content.decode()
    assert "B1社区" in page and "A1社区" not in page.split("id_pick_community")[1]
    community = city.communities["B1"]
    page = client.get(url, {"community": community.pk}).content.decode()
    assert "B1a-1号楼1单元" in page and "502" not in page  # addresses, never B's households
    data = {
        "community": community.pk,
        "area": city.units["B1a"].pk,
        "room": "999",
        "reason": "购房",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "没有登记的户" in response.content.decode()
    response = client.post(url, {**data, "room": "502"})
    transfer = ResidentTransfer.objects.get()
    assert response.status_code == 302 and transfer.to_household_id == world["new"].pk
    client.logout()
    login(client, world["b"])
    response = client.post(
        f"/registry/transfers/{transfer.pk}/decide/",
        {"decision": "accept", "relation_to_head": "head", "note": "欢迎"},
    )
    assert response.status_code == 302
    assert Resident.objects.get(pk=world["person"].pk).relation_to_head == "head"


def test_a_third_community_gets_404_and_cancel_works(client, world):
    transfer = transfer_request_pull(
        actor=world["b"], household=world["new"], id_number=world["id"]
    )
    login(client, world["c"])
    assert client.get(f"/registry/transfers/{transfer.pk}/").status_code == 404
    response = client.post(f"/registry/transfers/{transfer.pk}/cancel/", {})
    assert response.status_code == 404
    assert "欧" not in client.get("/registry/transfers/").content.decode()
    client.logout()
    login(client, world["b"])
    response = client.post(f"/registry/transfers/{transfer.pk}/cancel/", {"note": "填错了"})
    assert response.status_code == 302
    assert ResidentTransfer.objects.get().state == TransferState.CANCELLED


def test_entering_a_known_id_number_as_new_points_to_the_transfer(client, world):
    login(client, world["b"])
    response = client.post(
        f"/registry/households/{world['new'].pk}/residents/new/",
        {
            "how": "register",
            "name": "欧阳娜娜",
            "gender": "",
            "ethnicity": "",
            "id_number": world["id"],
            "mobile": "",
            "residence_type": "registered",
            "living_status": "living",
            "relation_to_head": "other",
        },
    )
    assert response.status_code in (400, 409)
    assert "从其他社区迁入" in response.content.decode()


def test_pull_of_an_unknown_id_says_to_register_directly(client, world):
    login(client, world["b"])
    response = client.post(
        f"/registry/transfers/in/{world['new'].pk}/",
        {"id_number": new_id(), "relation_to_head": "other"},
    )
    assert response.status_code == 400 and "请直接在本户登记" in response.content.decode()
