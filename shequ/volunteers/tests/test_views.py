"""The web and the API, as people use them: a party member's phone journey,
the organiser's page, the public card check, exports, and the scoping of
every staff screen."""

import json
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from shequ.core.tests.factories import login, make_user
from shequ.volunteers.models import Redemption, ServiceRecord, SignUp
from shequ.volunteers.services import checkin_token
from shequ.volunteers.tests.factories import (
    make_activity,
    make_party_member,
    make_reward,
    make_volunteer,
    served,
)

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    login(client, user)
    return client


@pytest.fixture
def member(city, people):
    return make_party_member(city.communities["A1"], people["party_member"])


def test_a_party_member_goes_from_sign_up_to_redeemed_reward(city, people, member):
    a1 = city.communities["A1"]
    activity = make_activity(a1, starts_in=timedelta(hours=-3), hours=4)
    reward = make_reward(a1, cost=20, stock=1)
    phone = _client(people["party_member"])
    assert activity.title in phone.get("/volunteers/me/").content.decode()
    phone.post(f"/volunteers/a/{activity.pk}/signup/")
    assert SignUp.objects.get(activity=activity).status == "confirmed"

    for direction in ("in", "out"):
        url = "/volunteers/checkin/?t=" + checkin_token(activity=activity, direction=direction)
        assert phone.get(url).status_code == 200
        response = phone.post(url)
        assert response.status_code == 302, response.content[:300]
    record = ServiceRecord.objects.get()
    assert record.status == "pending"

    organiser = _client(people["community_worker"])
    page = organiser.get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert "签到二维码" in page and member.volunteer.name in page
    start = timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M")
    end = timezone.localtime(activity.starts_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    prefix = f"s{record.signup_id}"
    organiser.post(
        f"/volunteers/records/{record.pk}/confirm/",
        {f"{prefix}-started_at": start, f"{prefix}-ended_at": end},
    )
    record.refresh_from_db()
    assert record.status == "confirmed" and record.hours == 2

    me = phone.get("/volunteers/me/").content.decode()
    assert 'id="my-points">25<' in me and 'id="my-hours">2<' in me
    phone.post(f"/volunteers/rewards/{reward.pk}/redeem/")
    redemption = Redemption.objects.get()
    organiser.post(f"/volunteers/redemptions/{redemption.pk}/hand-over/")
    redemption.refresh_from_db()
    assert redemption.status == "handed_over"


def test_an_expired_or_forged_code_shows_a_clear_message(city, people, member):
    activity = make_activity(city.communities["A1"])
    phone = _client(people["party_member"])
    response = phone.post("/volunteers/checkin/", {"t": "forged:in"})
    assert response.status_code == 400 and "二维码无效" in response.content.decode()
    out = "/volunteers/checkin/?t=" + checkin_token(activity=activity, direction="out")
    assert "二维码无效" not in phone.get(out).content.decode()


def test_the_card_qr_opens_a_public_page_with_only_the_masked_name(city, people, member):
    page = _client(people["party_member"]).get("/volunteers/me/card/")
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    url = page.context["verify_url"]
    public = Client().get(urlparse(url).path + "?" + urlparse(url).query)
    body = public.content.decode()
    assert public.status_code == 200 and "周**" in body and "周建华" not in body
    assert Client().get("/volunteers/verify/?c=forged-code").status_code == 404


def test_a_volunteer_without_a_profile_registers_with_dual_registration(city, people):
    phone = _client(people["party_member"])
    assert phone.get("/volunteers/me/").status_code == 302
    response = phone.post(
        "/volunteers/join/",
        {"community": city.communities["A1"].pk, "skills": "电工", "work_unit": "区财政局"},
    )
    assert response.status_code == 302
    assert people["party_member"].volunteer.party_member.status == "pending"
    worker = _client(people["community_worker"])
    assert "区财政局" in worker.get("/volunteers/party/").content.decode()


def test_the_community_sees_who_has_not_met_this_months_duty_and_exports_it(city, people, member):
    worker = _client(people["community_worker"])
    page = worker.get("/volunteers/party/").content.decode()
    assert "本月尚未达标" in page and "周建华" in page
    export = worker.get("/volunteers/party/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    assert worker.get("/volunteers/export/").status_code == 200
    assert worker.get("/volunteers/hours/export/").status_code == 200


def test_a2s_worker_cannot_see_or_change_a1s_things(city, people, member):
    a1 = city.communities["A1"]
    activity = make_activity(a1)
    record = served(
        member.volunteer, start=timezone.now() - timedelta(days=1), hours=1, confirm=False
    )
    reward = make_reward(a1, cost=1)
    from shequ.volunteers.models import Volunteer

    Volunteer.objects.filter(pk=member.volunteer_id).update(points=5)
    from shequ.volunteers.services import redemption_create

    redemption = redemption_create(actor=None, reward=reward, volunteer=member.volunteer)
    stranger = _client(make_user("community_worker", city.communities["A2"]))
    for url in (
        f"/volunteers/activities/{activity.pk}/",
        f"/volunteers/records/{record.pk}/correct/",
        f"/volunteers/forces/{a1.pk}/",
    ):
        assert stranger.get(url).status_code == 404, url
    for url in (
        f"/volunteers/records/{record.pk}/confirm/",
        f"/volunteers/redemptions/{redemption.pk}/hand-over/",
        f"/volunteers/party/{member.pk}/confirm/",
    ):
        assert stranger.post(url).status_code == 404, url
    listing = stranger.get("/volunteers/").content.decode()
    assert "周建华" not in listing
    assert "周建华" not in stranger.get("/volunteers/party/").content.decode()
    record.refresh_from_db()
    redemption.refresh_from_db()
    assert record.status == "pending" and redemption.status == "pending"


def test_a_volunteer_sees_only_their_community_and_no_staff_screen(city, people, member):
    other = make_activity(city.communities["A2"], title="别的社区的活动")
    phone = _client(people["party_member"])
    assert phone.get(f"/volunteers/a/{other.pk}/").status_code == 404
    assert "别的社区的活动" not in phone.get("/volunteers/me/").content.decode()
    for url in ("/volunteers/", "/volunteers/party/", "/volunteers/activities/"):
        assert phone.get(url).status_code == 403


def test_the_board_shows_names_or_anonymous(city, people):
    a1 = city.communities["A1"]
    served(
        make_volunteer(a1, name="吴晓燕", board_anonymous=True),
        start=timezone.now() - timedelta(hours=4),
        hours=1,
    )
    page = _client(people["resident"]).get(f"/volunteers/board/?community={a1.pk}").content.decode()
    assert "匿名志愿者" in page and "吴晓燕" not in page


# --- API ---------------------------------------------------------------------


def test_api_journey_and_errors(city, people, member):
    activity = make_activity(city.communities["A1"])
    phone = _client(people["party_member"])
    assert phone.get("/api/v1/volunteers/me").json()["volunteer"]["name"] == "周建华"
    assert phone.get("/api/v1/volunteers/me/activities").json()["count"] == 1
    assert phone.post(f"/api/v1/volunteers/activities/{activity.pk}/signup").status_code == 201
    again = phone.post(f"/api/v1/volunteers/activities/{activity.pk}/signup")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_signed_up"
    out = checkin_token(activity=activity, direction="out")
    early = phone.post(
        "/api/v1/volunteers/checkin", json.dumps({"token": out}), content_type="application/json"
    )
    assert early.status_code == 400 and early.json()["error"]["code"] == "not_checked_in"
    forged = phone.post(
        "/api/v1/volunteers/checkin", json.dumps({"token": "x"}), content_type="application/json"
    )
    assert forged.json()["error"]["code"] == "qr_invalid"
    assert phone.get("/api/v1/volunteers/volunteers").status_code == 403


def test_api_staff_routes_are_scoped(city, people, member):
    record = served(
        member.volunteer, start=timezone.now() - timedelta(days=1), hours=1, confirm=False
    )
    stranger = _client(make_user("community_worker", city.communities["A2"]))
    assert stranger.get("/api/v1/volunteers/volunteers").json()["count"] == 0
    assert (
        stranger.post(
            f"/api/v1/volunteers/records/{record.pk}/confirm", "{}", content_type="application/json"
        ).status_code
        == 404
    )
    worker = _client(people["community_worker"])
    assert worker.get("/api/v1/volunteers/volunteers").json()["count"] == 1
    ok = worker.post(
        f"/api/v1/volunteers/records/{record.pk}/confirm", "{}", content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    duty = worker.get("/api/v1/volunteers/duty").json()
    assert duty["members"] == 1
    created = worker.post(
        "/api/v1/volunteers/activities",
        json.dumps(
            {
                "community_id": city.communities["A1"].pk,
                "title": "义诊",
                "place": "服务站",
                "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
                "ends_at": (timezone.now() + timedelta(days=1, hours=2)).isoformat(),
                "capacity": 5,
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    bad = stranger.post(
        "/api/v1/volunteers/activities",
        json.dumps(
            {
                "community_id": city.communities["A1"].pk,
                "title": "x",
                "place": "y",
                "starts_at": timezone.now().isoformat(),
                "ends_at": (timezone.now() + timedelta(hours=1)).isoformat(),
                "capacity": 1,
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 404


def test_the_community_adds_partners_and_teams_to_its_forces(city, people):
    a1 = city.communities["A1"]
    leader = make_volunteer(a1, name="周建华", emergency_ready=True)
    worker = _client(people["community_worker"])
    base = f"/volunteers/forces/{a1.pk}/add"
    assert (
        worker.post(f"{base}/organization/", {"name": "夕阳红", "status": "filed"}).status_code
        == 302
    )
    assert (
        worker.post(
            f"{base}/group/",
            {
                "name": "应急突击队",
                "kind": "emergency",
                "leader": leader.pk,
                "members": [leader.pk],
            },
        ).status_code
        == 302
    )
    assert (
        worker.post(
            f"{base}/resource/", {"name": "爱心基金", "kind": "fund", "amount": "800"}
        ).status_code
        == 302
    )
    assert (
        worker.post(
            f"{base}/post/",
            {"volunteer": leader.pk, "area": city.buildings["A1a"].pk, "post": "leader"},
        ).status_code
        == 302
    )
    bad = worker.post(f"{base}/resource/", {"name": "x", "kind": "fund", "amount": "-1"})
    assert bad.status_code == 400
    page = worker.get(f"/volunteers/forces/{a1.pk}/").content.decode()
    for text in ("夕阳红", "应急突击队", "爱心基金", "A1a-1号楼"):
        assert text in page
    stranger = _client(make_user("community_worker", city.communities["A2"]))
    assert (
        stranger.post(f"{base}/organization/", {"name": "x", "status": "filed"}).status_code == 404
    )


def test_home_page_shows_my_volunteer_panel(city, people, member):
    page = _client(people["party_member"]).get("/").content.decode()
    assert "我的志愿服务" in page and "查看活动、时长和积分" in page


def test_a_volunteer_cancels_a_redemption_and_gets_points_back(city, people, member):
    from shequ.volunteers.models import Volunteer

    reward = make_reward(city.communities["A1"], cost=10, stock=1)
    Volunteer.objects.filter(pk=member.volunteer_id).update(points=10)
    phone = _client(people["party_member"])
    phone.post(f"/volunteers/rewards/{reward.pk}/redeem/")
    redemption = Redemption.objects.get()
    other = _client(make_user("volunteer", city.communities["A1"]))
    assert other.post(f"/volunteers/me/redemptions/{redemption.pk}/cancel/").status_code == 404
    phone.post(f"/volunteers/me/redemptions/{redemption.pk}/cancel/")
    assert Volunteer.objects.get(pk=member.volunteer_id).points == 10


def test_api_party_members_rewards_board_and_forces(city, people):
    a1 = city.communities["A1"]
    pending = make_party_member(a1, name="王强", confirm=False)
    worker = _client(people["community_worker"])
    rows = worker.get("/api/v1/volunteers/party-members?status=pending").json()["items"]
    assert [r["name"] for r in rows] == ["王强"]
    confirmed = worker.post(f"/api/v1/volunteers/party-members/{pending.pk}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    again = worker.post(f"/api/v1/volunteers/party-members/{pending.pk}/confirm")
    assert again.status_code == 409
    body = json.dumps({"community_id": a1.pk, "name": "保温杯", "points_cost": 50, "stock": 2})
    made = worker.post("/api/v1/volunteers/rewards", body, content_type="application/json")
    assert made.status_code == 201
    assert worker.get("/api/v1/volunteers/rewards").json()["count"] == 1
    assert worker.get(f"/api/v1/volunteers/forces/{a1.pk}").json()["party_members"] == 1
    stranger = _client(make_user("community_worker", city.communities["A2"]))
    assert stranger.get(f"/api/v1/volunteers/forces/{a1.pk}").status_code == 404
    assert stranger.get("/api/v1/volunteers/party-members").json()["count"] == 0
    assert (
        stranger.post(
            "/api/v1/volunteers/rewards", body, content_type="application/json"
        ).status_code
        == 404
    )
    served(pending.volunteer, start=timezone.now() - timedelta(hours=4), hours=2)
    board = _client(people["resident"]).get(f"/api/v1/volunteers/board/{a1.pk}").json()
    assert board[0]["name"] == "王强" and float(board[0]["hours"]) == 2


@pytest.mark.parametrize(
    "url", ["/volunteers/", "/volunteers/activities/", "/volunteers/party/", "/volunteers/hours/"]
)
def test_staff_lists_do_not_grow_queries_with_rows(
    city, people, url, django_assert_max_num_queries
):
    a1 = city.communities["A1"]
    worker = _client(people["community_worker"])

    def fill(n):
        for i in range(n):
            m = make_party_member(a1, name=f"党员{i}{n}", unit=f"单位{i % 3}")
            served(m.volunteer, start=timezone.now() - timedelta(hours=5 + i), hours=1)

    fill(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        worker.get(url)
    fill(8)
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        assert worker.get(url).status_code == 200


def test_my_page_shows_service_orders_to_claim_nearby(city, people, member):
    from shequ.workorders.tests.factories import pooled

    pooled(city.units["A1a"], title="陪同老人就医")
    page = _client(people["party_member"]).get("/volunteers/me/").content.decode()
    assert "陪同老人就医" in page and "/workorders/pool/" in page


def _rules_data(**changes):
    data = {
        "points_per_hour": 12,
        "points_per_activity": 5,
        "points_per_order": 10,
        "duty_services": 1,
        "duty_hours": "2",
        "remind_days": 7,
        "order_hours_cap": "4",
    }
    for stars, hours in zip(range(1, 6), (80, 300, 600, 1000, 1500), strict=True):
        data[f"hours_{stars}"] = hours
        data[f"benefits_{stars}"] = "免费乘公交" if stars == 1 else ""
    data.update(changes)
    return data


def test_the_city_administrator_configures_points_duty_and_stars(city, people):
    from shequ.volunteers.models import Policy

    admin = _client(people["city_admin"])
    assert admin.get("/volunteers/rules/").status_code == 200
    assert admin.post("/volunteers/rules/", _rules_data()).status_code == 302
    assert Policy.current().points_per_hour == 12
    star = star_for_hours(80)
    assert (star.stars, star.benefits) == (1, "免费乘公交")
    refused = admin.post("/volunteers/rules/", _rules_data(hours_2=50))
    assert refused.status_code == 400 and "逐级递增" in refused.content.decode()
    assert _client(people["community_worker"]).get("/volunteers/rules/").status_code == 403


def star_for_hours(hours):
    from decimal import Decimal

    from shequ.volunteers.selectors import star_for

    return star_for(Decimal(hours))
