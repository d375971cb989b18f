"""Audit rows of the volunteers app (merged into test_audit.ACTIONS and
AUDITED_ROUTES): each action sends one request and must leave exactly one
line of its event type."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.security.routes_volunteers import (
    _activity_data,
    _redemption,
    _span,
    rules_data,
)
from tests.security.specs import Act, act_as


class _World:
    def __init__(self, city, people):
        self.city, self.people = city, people


_made: dict = {}


def _me(city, people, who="party_member"):
    """The caller's own volunteer profile in community A1. Arranged with the
    ORM: a service would leave audit lines of the very type being counted."""
    from shequ.volunteers.models import Volunteer

    a1 = city.communities["A1"]
    volunteer = Volunteer.objects.filter(user=people[who]).first()
    return volunteer or Volunteer.objects.create(
        user=people[who], name="周建华", community=a1, area_path=a1.path
    )


def _activity(city):
    from shequ.volunteers.models import Activity

    a1 = city.communities["A1"]
    start = timezone.now() - timedelta(hours=1)
    return Activity.objects.create(
        title="楼道清理",
        community=a1,
        area_path=a1.path,
        place="3号楼",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=10,
    )


def _signed_up(city, people):
    from shequ.volunteers.services import signup_create

    activity = _activity(city)
    volunteer = _me(city, people)
    return signup_create(actor=None, activity=activity, volunteer=volunteer)


def _checkin_data(city, people):
    from shequ.volunteers.services import checkin_token

    signup = _signed_up(city, people)
    return {"t": checkin_token(activity=signup.activity, direction="in")}


def _reward_url(city, people):
    from shequ.volunteers.models import Reward, Volunteer

    volunteer = _me(city, people)
    Volunteer.objects.filter(pk=volunteer.pk).update(points=100)
    a1 = city.communities["A1"]
    return Reward.objects.create(
        name="保温杯", community=a1, area_path=a1.path, points_cost=10, stock=3
    ).pk


def _my_redemption(city, people):
    from shequ.volunteers.models import Redemption, Reward

    volunteer = _me(city, people)
    reward = Reward.objects.get(pk=_reward_url(city, people))
    return Redemption.objects.create(
        reward=reward, volunteer=volunteer, area_path=reward.area_path, points=reward.points_cost
    ).pk


def _pending_record(city, people, **extra):
    from shequ.volunteers.models import ServiceRecord, Volunteer

    a1 = city.communities["A1"]
    volunteer = Volunteer.objects.create(
        name="吴晓燕", community=a1, area_path=a1.path, hours_total=extra.get("hours", 0), points=50
    )
    start = timezone.now() - timedelta(days=1)
    return ServiceRecord.objects.create(
        volunteer=volunteer,
        area_path=a1.path,
        source="activity",
        title="助老服务",
        started_at=start,
        ended_at=start + timedelta(hours=1),
        service_date=timezone.localdate(start),
        **extra,
    )


def _confirmed_record(city, people):
    return _pending_record(city, people, status="confirmed", hours=1)


def _attendance_data(city, people):
    from shequ.volunteers.models import SignUp
    from shequ.volunteers.tests.factories import make_volunteer

    activity = _activity(city)
    signup = SignUp.objects.create(
        activity=activity,
        volunteer=make_volunteer(city.communities["A1"], name="吴晓燕"),
        area_path=activity.area_path,
        status="confirmed",
    )
    _made["signup"] = signup.pk
    return _span(f"s{signup.pk}")


def _party_member_url(city, people):
    from shequ.volunteers.tests.factories import make_party_member

    return (
        f"/volunteers/party/{make_party_member(city.communities['A1'], confirm=False).pk}/confirm/"
    )


CW = "community_worker"
W = _World

ACTIONS = {
    "volunteer join": Act(
        "create",
        act_as(
            "volunteer",
            "POST",
            lambda c, p: "/volunteers/join/",
            lambda c, p: {"community": c.communities["A1"].pk, "skills": "电工"},
        ),
        "volunteers.volunteer",
    ),
    "volunteer profile": Act(
        "update",
        act_as(
            "party_member",
            "POST",
            lambda c, p: (_me(c, p), "/volunteers/me/profile/")[1],
            lambda c, p: {"skills": "理发", "board_anonymous": "on"},
        ),
        "volunteers.volunteer",
    ),
    "activity signup (web)": Act(
        "create",
        act_as(
            "party_member",
            "POST",
            lambda c, p: (_me(c, p), f"/volunteers/a/{_activity(c).pk}/signup/")[1],
        ),
        "volunteers.signup",
    ),
    "activity signup cancel": Act(
        "update",
        act_as(
            "party_member",
            "POST",
            lambda c, p: f"/volunteers/a/{_signed_up(c, p).activity_id}/cancel/",
        ),
        "volunteers.signup",
    ),
    "qr check-in (web)": Act(
        "update",
        act_as("party_member", "POST", lambda c, p: "/volunteers/checkin/", _checkin_data),
        "volunteers.signup",
    ),
    "redeem (web)": Act(
        "create",
        act_as(
            "party_member", "POST", lambda c, p: f"/volunteers/rewards/{_reward_url(c, p)}/redeem/"
        ),
        "volunteers.redemption",
    ),
    "redemption cancel (web)": Act(
        "update",
        act_as(
            "party_member",
            "POST",
            lambda c, p: f"/volunteers/me/redemptions/{_my_redemption(c, p)}/cancel/",
        ),
        "volunteers.redemption",
    ),
    "activity cancel": Act(
        "update",
        act_as(CW, "POST", lambda c, p: f"/volunteers/activities/{_activity(c).pk}/cancel/"),
        "volunteers.activity",
    ),
    "volunteer rules": Act(
        "update",
        act_as("city_admin", "POST", lambda c, p: "/volunteers/rules/", lambda c, p: rules_data()),
        "volunteers.policy",
    ),
    "forces add": Act(
        "create",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/volunteers/forces/{c.communities['A1'].pk}/add/organization/",
            lambda c, p: {"name": "夕阳红助老服务中心", "status": "registered"},
        ),
        "volunteers.organization",
    ),
    "volunteer create (staff)": Act(
        "create",
        act_as(
            CW,
            "POST",
            lambda c, p: "/volunteers/new/",
            lambda c, p: {"community": c.communities["A1"].pk, "name": "吴晓燕"},
        ),
        "volunteers.volunteer",
    ),
    "party member confirm": Act(
        "update", act_as(CW, "POST", _party_member_url), "volunteers.partymember"
    ),
    "activity create (web)": Act(
        "create",
        act_as(
            CW,
            "POST",
            lambda c, p: "/volunteers/activities/new/",
            lambda c, p: _activity_data(W(c, p)),
        ),
        "volunteers.activity",
    ),
    "attendance record": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/volunteers/signups/{_made['signup']}/attendance/",
            _attendance_data,
        ),
        "volunteers.signup",
    ),
    "hours confirm (web)": Act(
        "update",
        act_as(CW, "POST", lambda c, p: f"/volunteers/records/{_pending_record(c, p).pk}/confirm/"),
        "volunteers.servicerecord",
    ),
    "hours correct (web)": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/volunteers/records/{_confirmed_record(c, p).pk}/correct/",
            lambda c, p: {"hours": "2", "reason": "签退漏扫"},
        ),
        "volunteers.servicerecord",
    ),
    "reward create": Act(
        "create",
        act_as(
            CW,
            "POST",
            lambda c, p: "/volunteers/rewards/",
            lambda c, p: {
                "community": c.communities["A1"].pk,
                "name": "保温杯",
                "points_cost": 50,
                "stock": 3,
                "per_person_limit": 1,
            },
        ),
        "volunteers.reward",
    ),
    "redemption hand-over (web)": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/volunteers/redemptions/{_redemption(W(c, p)).pk}/hand-over/",
        ),
        "volunteers.redemption",
    ),
    "roster export": Act(
        "export", act_as(CW, "GET", lambda c, p: "/volunteers/export/"), "volunteers.volunteer"
    ),
    "duty export": Act(
        "export",
        act_as(CW, "GET", lambda c, p: "/volunteers/party/export/"),
        "volunteers.partymember",
    ),
    "hours export": Act(
        "export",
        act_as(CW, "GET", lambda c, p: "/volunteers/hours/export/"),
        "volunteers.servicerecord",
    ),
    # API
    "activity signup (api)": Act(
        "create",
        act_as(
            "party_member",
            "POST",
            lambda c, p: (_me(c, p), f"/api/v1/volunteers/activities/{_activity(c).pk}/signup")[1],
            api=True,
        ),
        "volunteers.signup",
    ),
    "qr check-in (api)": Act(
        "update",
        act_as(
            "party_member",
            "POST",
            lambda c, p: "/api/v1/volunteers/checkin",
            lambda c, p: {"token": _checkin_data(c, p)["t"]},
            api=True,
        ),
        "volunteers.signup",
    ),
    "redeem (api)": Act(
        "create",
        act_as(
            "party_member",
            "POST",
            lambda c, p: f"/api/v1/volunteers/rewards/{_reward_url(c, p)}/redeem",
            api=True,
        ),
        "volunteers.redemption",
    ),
    "activity create (api)": Act(
        "create",
        act_as(
            CW,
            "POST",
            lambda c, p: "/api/v1/volunteers/activities",
            lambda c, p: {
                "community_id": c.communities["A1"].pk,
                "title": "义诊",
                "place": "服务站",
                "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
                "ends_at": (timezone.now() + timedelta(days=1, hours=2)).isoformat(),
                "capacity": 5,
            },
            api=True,
        ),
        "volunteers.activity",
    ),
    "hours confirm (api)": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/api/v1/volunteers/records/{_pending_record(c, p).pk}/confirm",
            api=True,
        ),
        "volunteers.servicerecord",
    ),
    "hours correct (api)": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/api/v1/volunteers/records/{_confirmed_record(c, p).pk}/correct",
            lambda c, p: {"hours": "2", "reason": "签退漏扫"},
            api=True,
        ),
        "volunteers.servicerecord",
    ),
    "redemption cancel (api)": Act(
        "update",
        act_as(
            "party_member",
            "POST",
            lambda c, p: f"/api/v1/volunteers/me/redemptions/{_my_redemption(c, p)}/cancel",
            api=True,
        ),
        "volunteers.redemption",
    ),
    "party member confirm (api)": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: (
                _party_member_url(c, p)
                .replace("/volunteers/party/", "/api/v1/volunteers/party-members/")
                .rstrip("/")
            ),
            api=True,
        ),
        "volunteers.partymember",
    ),
    "reward create (api)": Act(
        "create",
        act_as(
            CW,
            "POST",
            lambda c, p: "/api/v1/volunteers/rewards",
            lambda c, p: {
                "community_id": c.communities["A1"].pk,
                "name": "保温杯",
                "points_cost": 50,
                "stock": 3,
            },
            api=True,
        ),
        "volunteers.reward",
    ),
    "redemption hand-over (api)": Act(
        "update",
        act_as(
            CW,
            "POST",
            lambda c, p: f"/api/v1/volunteers/redemptions/{_redemption(W(c, p)).pk}/hand-over",
            api=True,
        ),
        "volunteers.redemption",
    ),
}

AUDITED_ROUTES = {
    "volunteers:join": "volunteer join",
    "volunteers:profile": "volunteer profile",
    "volunteers:signup": "activity signup (web)",
    "volunteers:signup_cancel": "activity signup cancel",
    "volunteers:checkin": "qr check-in (web)",
    "volunteers:redeem": "redeem (web)",
    "volunteers:volunteer_new": "volunteer create (staff)",
    "volunteers:redemption_cancel": "redemption cancel (web)",
    "volunteers:forces_add": "forces add",
    "volunteers:rules": "volunteer rules",
    "volunteers:activity_cancel": "activity cancel",
    "volunteers:party_confirm": "party member confirm",
    "volunteers:activity_new": "activity create (web)",
    "volunteers:attendance": "attendance record",
    "volunteers:record_confirm": "hours confirm (web)",
    "volunteers:record_correct": "hours correct (web)",
    "volunteers:rewards": "reward create",
    "volunteers:hand_over": "redemption hand-over (web)",
    "volunteers:roster_export": "roster export",
    "volunteers:duty_export": "duty export",
    "volunteers:hours_export": "hours export",
    "api:vol_signup": "activity signup (api)",
    "api:vol_checkin": "qr check-in (api)",
    "api:vol_redeem": "redeem (api)",
    "api:vol_activity_new": "activity create (api)",
    "api:vol_record_confirm": "hours confirm (api)",
    "api:vol_record_correct": "hours correct (api)",
    "api:vol_hand_over": "redemption hand-over (api)",
    "api:vol_redemption_cancel": "redemption cancel (api)",
    "api:vol_party_confirm": "party member confirm (api)",
    "api:vol_reward_new": "reward create (api)",
}


# Editing groups, volunteers and building posts: each change leaves one "update" line.
def _request(namespace: str, route: str, target: str):
    """URL and body of one request to ``namespace:route`` on the row that
    ``routes_volunteers.<target>`` builds (built once, whichever is asked first)."""
    from django.urls import reverse

    from tests.security import routes_volunteers as rv

    made: dict = {}

    def built(c, p):
        # One row per test run: a new run brings new ``people``.
        if made.get("people") is not p:
            made.update(people=p, target=getattr(rv, target)(W(c, p)))
        return made["target"]

    def url(c, p):
        return reverse(f"{namespace}:{route}", kwargs=built(c, p).kwargs)

    def body(c, p):
        return built(c, p).data

    return url, body


_EDITS = {
    # name: (web route, web target, api route, api target, api method, object type)
    "group edit": (
        "group_edit",
        "t_group_edit",
        "vol_group_patch",
        "t_api_group_patch",
        "PATCH",
        "group",
    ),
    "group member add": (
        "group_member_add",
        "t_group_member_add",
        "vol_group_member_add",
        "t_api_group_member_add",
        "POST",
        "group",
    ),
    "group member remove": (
        "group_member_remove",
        "t_group_member_remove",
        "vol_group_member_remove",
        "t_api_group_member_remove",
        "DELETE",
        "group",
    ),
    "group deactivate": (
        "group_deactivate",
        "t_group",
        "vol_group_deactivate",
        "t_api_group",
        "POST",
        "group",
    ),
    "volunteer edit": (
        "volunteer_edit",
        "t_volunteer_edit",
        "vol_volunteer_patch",
        "t_api_volunteer_patch",
        "PATCH",
        "volunteer",
    ),
    "volunteer deactivate": (
        "volunteer_deactivate",
        "t_volunteer",
        "vol_volunteer_deactivate",
        "t_api_volunteer",
        "POST",
        "volunteer",
    ),
    "building post edit": (
        "post_edit",
        "t_post_edit",
        "vol_post_patch",
        "t_api_post_patch",
        "PATCH",
        "buildingteammember",
    ),
    "building post end": (
        "post_end",
        "t_post",
        "vol_post_end",
        "t_api_post",
        "POST",
        "buildingteammember",
    ),
}

for _name, (_route, _target, _api_route, _api_target, _method, _type) in _EDITS.items():
    ACTIONS[f"{_name} (web)"] = Act(
        "update",
        act_as(CW, "POST", *_request("volunteers", _route, _target)),
        f"volunteers.{_type}",
    )
    ACTIONS[f"{_name} (api)"] = Act(
        "update",
        act_as(CW, _method, *_request("api", _api_route, _api_target), api=True),
        f"volunteers.{_type}",
    )
    AUDITED_ROUTES[f"volunteers:{_route}"] = f"{_name} (web)"
    AUDITED_ROUTES[f"api:{_api_route}"] = f"{_name} (api)"
