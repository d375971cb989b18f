"""/api/v1/workorders/: scoped lists and details, one POST per transition,
409 on illegal steps and lost claims, 412 on stale If-Match, idempotent
creation, and the anonymous reporter hidden from other residents only."""

import json

import pytest

from shequ.core.models import IdempotencyRecord
from shequ.core.tests.factories import login, make_user
from shequ.workorders.choices import State
from shequ.workorders.models import TimelineEntry, WorkOrder
from shequ.workorders.tests.factories import dispatched, make_order, pooled

pytestmark = pytest.mark.django_db
API = "/api/v1/workorders"


def post(client, path, body=None, **headers):
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


def as_user(client, user):
    login(client, user)
    return client


def assert_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert set(body["error"]) == {"code", "message", "fields"}


def test_the_whole_loop_over_the_api(client, city, people):
    resident, community, party = (
        people["resident"],
        people["community_worker"],
        people["party_member"],
    )
    created = post(
        as_user(client, resident),
        f"{API}/",
        {
            "kind": "service_order",
            "category": "elderly_help",
            "area_id": city.units["A1a"].pk,
            "title": "陪同就医",
            "description": "周四上午去中心医院复查。",
            "channel": "portal",
        },
    )
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    assert created.json()["state"] == "reported" and created.json()["reporter"]["id"] == resident.pk
    as_user(client, community)
    assert (
        post(client, f"{API}/{order_id}/triage", {"triage_class": "minor"}).json()["state"]
        == "triaged"
    )
    assert post(client, f"{API}/{order_id}/dispatch", {"to": "pool"}).json()["state"] == "pooled"
    as_user(client, party)
    assert client.get(f"{API}/", {"state": "pooled"}).json()["count"] == 1
    claimed = post(client, f"{API}/{order_id}/claim")
    assert claimed.json()["state"] == "claimed" and claimed.json()["handler"]["id"] == party.pk
    assert post(client, f"{API}/{order_id}/start").json()["state"] == "in_progress"
    assert post(client, f"{API}/{order_id}/notes", {"note": "已联系老人家属"}).status_code == 200
    assert_error(post(client, f"{API}/{order_id}/resolve", {"note": ""}), 400, "invalid")
    assert (
        post(client, f"{API}/{order_id}/resolve", {"note": "已陪同完成复查"}).json()["state"]
        == "resolved"
    )
    as_user(client, community)
    assert post(client, f"{API}/{order_id}/close").json()["state"] == "closed"
    assert_error(post(client, f"{API}/{order_id}/rate", {"rating": 5}), 403, "forbidden")
    as_user(client, resident)
    rated = post(client, f"{API}/{order_id}/rate", {"rating": 5, "comment": "谢谢"})
    assert rated.json()["rating"] == 5
    detail = client.get(f"{API}/{order_id}").json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "created",
        "triaged",
        "pooled",
        "claimed",
        "started",
        "note",
        "resolved",
        "closed",
        "rated",
    ]


def test_illegal_transitions_and_lost_claims_answer_409(client, city, people):
    order = make_order(city.grids["A1a"], people["grid_worker"])
    as_user(client, people["community_worker"])
    assert_error(post(client, f"{API}/{order.pk}/close", {"note": "x"}), 409, "illegal_transition")
    assert_error(
        post(client, f"{API}/{order.pk}/dispatch", {"to": "pool"}), 409, "illegal_transition"
    )
    taken = pooled(city.units["A1a"])
    assert post(as_user(client, people["volunteer"]), f"{API}/{taken.pk}/claim").status_code == 200
    # The one who tapped a moment later hears "already claimed", and sees no more of it.
    as_user(client, people["party_member"])
    assert_error(post(client, f"{API}/{taken.pk}/claim"), 409, "already_claimed")
    assert_error(client.get(f"{API}/{taken.pk}"), 404, "not_found")
    # A party member of another community gets 404, as for any case not theirs.
    as_user(client, make_user("party_member", city.communities["A2"]))
    assert_error(post(client, f"{API}/{taken.pk}/claim"), 404, "not_found")


def test_if_match_with_an_old_version_answers_412(client, city, people):
    order = make_order(city.grids["A1a"], people["grid_worker"])
    first, second = client, type(client)()
    as_user(first, people["community_worker"])
    as_user(second, people["community_worker"])
    etag = first.get(f"{API}/{order.pk}")["ETag"]
    assert etag == '"1"'
    ok = first.patch(
        f"{API}/{order.pk}",
        json.dumps({"title": "新标题"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = second.patch(
        f"{API}/{order.pk}",
        json.dumps({"title": "另一个标题"}),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert_error(stale, 412, "stale_version")
    assert_error(
        post(second, f"{API}/{order.pk}/triage", {"triage_class": "minor"}, HTTP_IF_MATCH='"1"'),
        412,
        "stale_version",
    )
    order.refresh_from_db()
    assert order.title == "新标题" and order.state == State.REPORTED


def test_creation_is_idempotent_on_the_key(client, city, people):
    as_user(client, people["grid_worker"])
    body = {
        "kind": "incident",
        "category": "fire_risk",
        "area_id": city.grids["A1a"].pk,
        "title": "楼道电动车充电",
        "description": "2单元一楼拉线充电。",
        "latitude": 38.91,
        "longitude": 121.61,
    }
    first = post(client, f"{API}/", body, HTTP_IDEMPOTENCY_KEY="b9a7c1e0-0001")
    again = post(client, f"{API}/", body, HTTP_IDEMPOTENCY_KEY="b9a7c1e0-0001")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert WorkOrder.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
    changed = post(
        client, f"{API}/", {**body, "title": "别的事"}, HTTP_IDEMPOTENCY_KEY="b9a7c1e0-0001"
    )
    assert_error(changed, 422, "idempotency_key_reused")
    assert WorkOrder.objects.count() == 1
    # Another user's identical key is theirs alone.
    other = type(client)()
    as_user(other, make_user("grid_worker", city.grids["A1a"]))
    assert post(other, f"{API}/", body, HTTP_IDEMPOTENCY_KEY="b9a7c1e0-0001").status_code == 201
    assert WorkOrder.objects.count() == 2
    # Without a key, each POST is a new case.
    post(client, f"{API}/", body)
    assert WorkOrder.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"kind": "rumour"}, "kind"),
        ({"latitude": 95}, "latitude"),
        ({"title": ""}, "title"),
        ({"channel": "carrier_pigeon"}, "channel"),
    ],
)
def test_bad_input_is_a_clear_400_and_creates_nothing(client, city, people, change, field):
    as_user(client, people["grid_worker"])
    body = {
        "kind": "incident",
        "category": "sanitation",
        "area_id": city.grids["A1a"].pk,
        "title": "垃圾",
        "description": "满了",
        **change,
    }
    response = post(client, f"{API}/", body)
    assert_error(response, 400, "invalid")
    assert field in response.json()["error"]["fields"]
    assert not WorkOrder.objects.exists()


def test_reporting_in_an_area_outside_scope_answers_404(client, city, people):
    as_user(client, people["grid_worker"])
    body = {
        "kind": "incident",
        "category": "sanitation",
        "area_id": city.grids["A1b"].pk,
        "title": "垃圾",
        "description": "满了",
    }
    assert_error(post(client, f"{API}/", body), 404, "not_found")
    assert not WorkOrder.objects.exists()


def test_another_grids_worker_gets_404_everywhere(client, city, people):
    order = dispatched(city.grids["A1a"], people["grid_worker"])
    as_user(client, people["grid_worker_b"])
    assert_error(client.get(f"{API}/{order.pk}"), 404, "not_found")
    for action in (
        "start",
        "notes",
        "resolve",
        "claim",
        "release",
        "close",
        "triage",
        "dispatch",
        "rate",
    ):
        assert (
            post(
                client,
                f"{API}/{order.pk}/{action}",
                {"note": "x", "triage_class": "minor", "to": "pool", "rating": 5},
            ).status_code
            == 404
        )
    assert client.get(f"{API}/").json()["count"] == 0
    assert TimelineEntry.objects.filter(order=order).count() == 3


def test_residents_see_only_their_own_cases(client, city, people):
    mine = make_order(city.units["A1a"], people["resident"])
    neighbour = make_user("resident", city.units["A1a"])
    theirs = make_order(city.units["A1a"], neighbour)
    make_order(city.grids["A1a"], people["grid_worker"])
    as_user(client, people["resident"])
    assert [o["id"] for o in client.get(f"{API}/").json()["items"]] == [mine.pk]
    assert_error(client.get(f"{API}/{theirs.pk}"), 404, "not_found")
    assert client.get(f"{API}/{mine.pk}").status_code == 200


def test_the_anonymous_reporter_is_hidden_from_residents_not_from_staff(client, city, people):
    resident = people["resident"]
    order = pooled(city.units["A1a"], resident, reporter_anonymous=True)
    as_user(client, people["party_member"])  # a resident account serving as party member
    seen = client.get(f"{API}/{order.pk}").json()
    assert seen["reporter"] is None
    assert seen["timeline"][0]["actor"] == "匿名居民"
    assert resident.username not in json.dumps(seen, ensure_ascii=False)
    assert client.get(f"{API}/").json()["items"][0]["reporter"] is None
    as_user(client, people["community_worker"])
    assert client.get(f"{API}/{order.pk}").json()["reporter"]["id"] == resident.pk
    as_user(client, resident)
    assert client.get(f"{API}/{order.pk}").json()["reporter"]["id"] == resident.pk
    # A named reporter is shown to the party member.
    named = pooled(city.units["A1a"], resident)
    as_user(client, people["party_member"])
    assert client.get(f"{API}/{named.pk}").json()["reporter"]["id"] == resident.pk


def test_residents_see_only_public_timeline_lines(client, city, people):
    from shequ.workorders.services import workorder_add_note

    order = dispatched(city.units["A1a"], people["grid_worker"], people["resident"])
    workorder_add_note(
        order=order, actor=people["grid_worker"], note="内部：需协调物业", public=False
    )
    as_user(client, people["resident"])
    lines = client.get(f"{API}/{order.pk}").json()["timeline"]
    assert [line["kind"] for line in lines] == ["created", "triaged", "dispatched"]
    as_user(client, people["community_worker"])
    assert client.get(f"{API}/{order.pk}").json()["timeline"][-1]["note"] == "内部：需协调物业"


def test_categories_list(client, people):
    as_user(client, people["resident"])
    codes = [c["code"] for c in client.get(f"{API}/categories", {"kind": "service_order"}).json()]
    assert "elderly_help" in codes and "sanitation" not in codes


def test_list_rows_show_each_case_exactly_as_its_detail_does(client, city, people):
    """Lists are rendered through core.api.RowPagination, detail through the
    schema itself: a client must see the same fields and values either way."""
    as_user(client, people["grid_worker"])
    created = post(
        client,
        f"{API}/",
        {
            "kind": "incident",
            "category": "fire_risk",
            "area_id": city.grids["A1a"].pk,
            "title": "楼道堆物",
            "description": "3单元一楼堆放纸箱。",
            "latitude": 38.91,
            "longitude": 121.61,
        },
    ).json()
    as_user(client, people["community_worker"])
    (row,) = client.get(f"{API}/?state=open").json()["items"]
    detail = client.get(f"{API}/{created['id']}").json()
    detail.pop("timeline"), detail.pop("attachments")
    assert row == detail
    assert set(created) == set(row) and created["number"] == row["number"]
