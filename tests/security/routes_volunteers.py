"""Route table rows of the volunteers app (merged into test_route_matrix.ROUTES).

Staff screens need ``volunteers.view`` / ``volunteers.manage`` (community
workers and street staff); objects live in community A1, so community A2's
worker (and street B's staff) get 404. The volunteer's own pages are
``LoggedIn``: they only ever show or change the caller's own profile."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.security.specs import LoggedIn, Public, Scoped, Staff, Target

CW = (("community_worker", "community_worker_b"),)
CW_STREET = (("community_worker", "community_worker_b"), ("street_staff", "street_staff_b"))
SECRET = "欧阳志愿者"


def _a1(w):
    return w.city.communities["A1"]


def _volunteer(w):
    from shequ.volunteers.tests.factories import make_volunteer

    return make_volunteer(_a1(w), name=SECRET)


def _activity(w):
    from shequ.volunteers.tests.factories import make_activity

    return make_activity(_a1(w), title=SECRET)


def _signup(w):
    from shequ.volunteers.models import SignUp

    activity = _activity(w)
    return SignUp.objects.create(
        activity=activity, volunteer=_volunteer(w), area_path=activity.area_path, status="confirmed"
    )


def _record(w, confirm=False):
    from shequ.volunteers.tests.factories import served

    return served(_volunteer(w), start=timezone.now() - timedelta(days=1), hours=1, confirm=confirm)


def _redemption(w):
    from shequ.volunteers.models import Volunteer
    from shequ.volunteers.services import redemption_create
    from shequ.volunteers.tests.factories import make_reward

    volunteer = _volunteer(w)
    Volunteer.objects.filter(pk=volunteer.pk).update(points=100)
    volunteer.refresh_from_db()
    return redemption_create(actor=None, reward=make_reward(_a1(w), cost=10), volunteer=volunteer)


def _span(prefix: str) -> dict:
    now = timezone.localtime()
    return {
        f"{prefix}-started_at": (now - timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"),
        f"{prefix}-ended_at": (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
    }


def t_party(w) -> Target:
    from shequ.volunteers.tests.factories import make_party_member

    member = make_party_member(_a1(w), name=SECRET, confirm=False)
    return Target({"pk": member.pk}, secret=SECRET)


def t_activity(w) -> Target:
    return Target({"pk": _activity(w).pk}, secret=SECRET)


def t_attendance(w) -> Target:
    signup = _signup(w)
    return Target({"pk": signup.pk}, _span(f"s{signup.pk}"), secret=SECRET)


def t_confirm(w) -> Target:
    return Target({"pk": _record(w).pk}, secret=SECRET)


def t_correct(w) -> Target:
    return Target({"pk": _record(w, True).pk}, {"hours": "2", "reason": "签退漏扫"}, secret=SECRET)


def t_hand_over(w) -> Target:
    return Target({"pk": _redemption(w).pk}, secret=SECRET)


def t_forces(w) -> Target:
    from shequ.volunteers.services import organization_create

    organization_create(actor=None, community=_a1(w), name=SECRET, status="registered")
    return Target({"pk": _a1(w).pk}, secret=SECRET)


def t_forces_add(w) -> Target:
    from shequ.volunteers.services import organization_create

    organization_create(actor=None, community=_a1(w), name=SECRET, status="registered")
    return Target(
        {"pk": _a1(w).pk, "kind": "social_worker"},
        {"name": "钱社工", "certificate_level": "assistant"},
        secret=SECRET,
    )


def t_api_forces(w) -> Target:
    t_forces(w)
    return Target({"community_id": _a1(w).pk}, secret=SECRET)


def t_api_party(w) -> Target:
    return Target({"member_id": t_party(w).kwargs["pk"]}, secret=SECRET)


def t_api_confirm(w) -> Target:
    return Target({"record_id": _record(w).pk}, {}, secret=SECRET)


def t_api_correct(w) -> Target:
    return Target(
        {"record_id": _record(w, True).pk}, {"hours": "2", "reason": "签退漏扫"}, secret=SECRET
    )


def t_api_hand_over(w) -> Target:
    return Target({"redemption_id": _redemption(w).pk}, secret=SECRET)


def _activity_data(w) -> dict:
    start = timezone.localtime() + timedelta(days=1)
    return {
        "community": _a1(w).pk,
        "title": "义诊进社区",
        "place": "社区服务站",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 10,
    }


def rules_data() -> dict:
    data = {
        "points_per_hour": 12,
        "points_per_activity": 5,
        "points_per_order": 10,
        "duty_services": 1,
        "duty_hours": "2",
        "remind_days": 7,
        "order_hours_cap": "4",
    }
    for stars, hours in zip(range(1, 6), (100, 300, 600, 1000, 1500), strict=True):
        data[f"hours_{stars}"] = hours
        data[f"benefits_{stars}"] = "免费乘公交"
    return data


OWN = "only the caller's own volunteer profile, or public activities of their community"

ROUTES = {
    # The volunteer's own pages.
    "volunteers:me": LoggedIn(OWN),
    "volunteers:join": LoggedIn("registers the caller themselves"),
    "volunteers:profile": LoggedIn(OWN),
    "volunteers:card": LoggedIn(OWN),
    "volunteers:activity": LoggedIn(OWN),
    "volunteers:signup": LoggedIn(OWN),
    "volunteers:signup_cancel": LoggedIn(OWN),
    "volunteers:checkin": LoggedIn("the caller's own sign-up, named by a signed code"),
    "volunteers:redeem": LoggedIn(OWN),
    "volunteers:redemption_cancel": LoggedIn(OWN),
    "volunteers:board": LoggedIn("a community's public hours board; anonymity respected"),
    "volunteers:verify": Public("a partner checks a signed card code: masked name and star only"),
    # The community's screens.
    "volunteers:dashboard": Staff("community_worker"),
    "volunteers:roster_export": Staff("community_worker"),
    "volunteers:volunteer_new": Staff(
        "community_worker", lambda w: {"community": _a1(w).pk, "name": "吴晓燕"}, mutates=True
    ),
    "volunteers:party": Staff("community_worker"),
    "volunteers:duty_export": Staff("community_worker"),
    "volunteers:party_confirm": Scoped(CW, t_party),
    "volunteers:activities": Staff("community_worker"),
    "volunteers:activity_new": Staff("community_worker", _activity_data, mutates=True),
    "volunteers:activity_manage": Scoped(CW_STREET, t_activity),
    "volunteers:activity_cancel": Scoped(CW, t_activity),
    "volunteers:attendance": Scoped(CW, t_attendance),
    "volunteers:record_confirm": Scoped(CW, t_confirm),
    "volunteers:record_correct": Scoped(CW, t_correct),
    "volunteers:hours": Staff("community_worker"),
    "volunteers:hours_export": Staff("community_worker"),
    "volunteers:rewards": Staff(
        "community_worker",
        lambda w: {
            "community": _a1(w).pk,
            "name": "保温杯",
            "points_cost": 50,
            "stock": 3,
            "per_person_limit": 1,
        },
        mutates=True,
    ),
    "volunteers:hand_over": Scoped(CW, t_hand_over),
    "volunteers:rules": Staff("city_admin", lambda w: rules_data(), mutates=True),
    "volunteers:forces": Scoped(CW_STREET, t_forces),
    "volunteers:forces_add": Scoped(CW_STREET, t_forces_add),
    # API
    "api:vol_me": LoggedIn(OWN),
    "api:vol_open_activities": LoggedIn(OWN),
    "api:vol_signup": LoggedIn(OWN),
    "api:vol_checkin": LoggedIn("the caller's own sign-up, named by a signed code"),
    "api:vol_redeem": LoggedIn(OWN),
    "api:vol_roster": Staff("community_worker"),
    "api:vol_activities": Staff("community_worker"),
    "api:vol_activity_new": Staff(
        "community_worker",
        lambda w: {
            "community_id": _a1(w).pk,
            "title": "义诊",
            "place": "服务站",
            "starts_at": (timezone.now() + timedelta(days=1)).isoformat(),
            "ends_at": (timezone.now() + timedelta(days=1, hours=2)).isoformat(),
            "capacity": 5,
        },
        mutates=True,
    ),
    "api:vol_records": Staff("community_worker"),
    "api:vol_duty": Staff("community_worker"),
    "api:vol_record_confirm": Scoped(CW, t_api_confirm),
    "api:vol_record_correct": Scoped(CW, t_api_correct),
    "api:vol_hand_over": Scoped(CW, t_api_hand_over),
    "api:vol_redemption_cancel": LoggedIn(OWN),
    "api:vol_board": LoggedIn("a community's public hours board; anonymity respected"),
    "api:vol_forces": Scoped(CW_STREET, t_api_forces),
    "api:vol_party_members": Staff("community_worker"),
    "api:vol_party_confirm": Scoped(CW, t_api_party),
    "api:vol_rewards": Staff("community_worker"),
    "api:vol_reward_new": Staff(
        "community_worker",
        lambda w: {"community_id": _a1(w).pk, "name": "保温杯", "points_cost": 50, "stock": 3},
        mutates=True,
    ),
    "api:vol_redemptions": Staff("community_worker"),
}


# --------------------------------------------------------------------------
# Editing groups, volunteers and building posts (services/editing.py): the
# rows live in community A1; community A2's worker gets 404.
# --------------------------------------------------------------------------


def _group(w, *, with_member: bool = False):
    """A group of community A1 named SECRET, led by 队长甲 (plus, when asked,
    a member 成员乙 who can be taken out)."""
    from shequ.volunteers.services import group_create
    from shequ.volunteers.tests.factories import make_volunteer

    leader = make_volunteer(_a1(w), name="队长甲")
    members = [leader]
    if with_member:
        members.append(make_volunteer(_a1(w), name="成员乙"))
    return group_create(
        actor=None, community=_a1(w), name=SECRET, kind="service", leader=leader, members=members
    )


def _member(group):
    return group.members.exclude(pk=group.leader_id).get()


def _building_post(w):
    from shequ.volunteers.services import building_post_assign

    return building_post_assign(
        actor=None, volunteer=_volunteer(w), area=w.city.buildings["A1a"], post="leader"
    )


def t_group_edit(w) -> Target:
    group = _group(w)
    return Target({"pk": group.pk}, {"name": "助老服务队", "leader": group.leader_id}, SECRET)


def t_group_member_add(w) -> Target:
    from shequ.volunteers.tests.factories import make_volunteer

    newcomer = make_volunteer(_a1(w), name="新成员丙")
    return Target({"pk": _group(w).pk}, {"volunteer": newcomer.pk}, secret=SECRET)


def t_group_member_remove(w) -> Target:
    group = _group(w, with_member=True)
    return Target({"pk": group.pk, "volunteer_pk": _member(group).pk}, secret=SECRET)


def t_group(w) -> Target:
    return Target({"pk": _group(w).pk}, secret=SECRET)


def t_volunteer_edit(w) -> Target:
    data = {"skills": "理发", "availability": "周末", "emergency_ready": "on"}
    return Target({"pk": _volunteer(w).pk}, data, secret=SECRET)


def t_volunteer(w) -> Target:
    return Target({"pk": _volunteer(w).pk}, secret=SECRET)


def t_post_edit(w) -> Target:
    return Target({"pk": _building_post(w).pk}, {"post": "information"}, secret=SECRET)


def t_post(w) -> Target:
    return Target({"pk": _building_post(w).pk}, secret=SECRET)


def t_api_group(w) -> Target:
    return Target({"group_id": _group(w).pk}, secret=SECRET)


def t_api_group_patch(w) -> Target:
    return Target({"group_id": _group(w).pk}, {"name": "助老服务队"}, secret=SECRET)


def t_api_group_member_add(w) -> Target:
    target = t_group_member_add(w)
    return Target(
        {"group_id": target.kwargs["pk"]}, {"volunteer_id": target.data["volunteer"]}, SECRET
    )


def t_api_group_member_remove(w) -> Target:
    group = _group(w, with_member=True)
    return Target({"group_id": group.pk, "volunteer_id": _member(group).pk}, secret=SECRET)


def t_api_volunteer_patch(w) -> Target:
    return Target({"volunteer_id": _volunteer(w).pk}, {"skills": "理发"}, secret=SECRET)


def t_api_volunteer(w) -> Target:
    return Target({"volunteer_id": _volunteer(w).pk}, secret=SECRET)


def t_api_post_patch(w) -> Target:
    return Target({"post_id": _building_post(w).pk}, {"post": "information"}, secret=SECRET)


def t_api_post(w) -> Target:
    return Target({"post_id": _building_post(w).pk}, secret=SECRET)


ROUTES.update(
    {
        "volunteers:group_edit": Scoped(CW, t_group_edit),
        "volunteers:group_member_add": Scoped(CW, t_group_member_add),
        "volunteers:group_member_remove": Scoped(CW, t_group_member_remove),
        "volunteers:group_deactivate": Scoped(CW, t_group),
        "volunteers:volunteer_edit": Scoped(CW, t_volunteer_edit),
        "volunteers:volunteer_deactivate": Scoped(CW, t_volunteer),
        "volunteers:post_edit": Scoped(CW, t_post_edit),
        "volunteers:post_end": Scoped(CW, t_post),
        "api:vol_groups": Staff("community_worker"),
        "api:vol_group": Scoped(CW, t_api_group),
        "api:vol_group_patch": Scoped(CW, t_api_group_patch),
        "api:vol_group_member_add": Scoped(CW, t_api_group_member_add),
        "api:vol_group_member_remove": Scoped(CW, t_api_group_member_remove),
        "api:vol_group_deactivate": Scoped(CW, t_api_group),
        "api:vol_volunteer_patch": Scoped(CW, t_api_volunteer_patch),
        "api:vol_volunteer_deactivate": Scoped(CW, t_api_volunteer),
        "api:vol_posts": Staff("community_worker"),
        "api:vol_post_patch": Scoped(CW, t_api_post_patch),
        "api:vol_post_end": Scoped(CW, t_api_post),
    }
)
