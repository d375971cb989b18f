"""Changing the forces after they were set up (services/editing.py): a
group's name, leader and members, disbanding it; a volunteer's skills and
leaving; a building post's role and its end. Each change is audited, scoped
to the community, and refused once the row was deactivated."""

import pytest

from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import AuditEntry
from shequ.volunteers.models import BuildingTeamMember, Group
from shequ.volunteers.selectors import five_forces, volunteer_list
from shequ.volunteers.services import (
    building_post_assign,
    group_create,
    signup_create,
)
from shequ.volunteers.services.editing import (
    building_post_end,
    building_post_update,
    group_deactivate,
    group_member_add,
    group_member_remove,
    group_update,
    volunteer_deactivate,
    volunteer_edit,
)
from shequ.volunteers.tests.factories import make_activity, make_volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(city):
    a1 = city.communities["A1"]
    leader = make_volunteer(a1, name="队长甲")
    member = make_volunteer(a1, name="成员乙")
    group = group_create(
        actor=None, community=a1, name="助老服务队", kind="service", leader=leader, members=[member]
    )
    return {"group": group, "leader": leader, "member": member, "a1": a1}


def _updates(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            event_type="update", object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("id")
    )


def test_rename_and_hand_the_lead_to_a_member(people, team):
    worker = people["community_worker"]
    group = group_update(
        actor=worker, group=team["group"], name=" 应急先锋队 ", leader=team["member"]
    )
    group.refresh_from_db()
    assert group.name == "应急先锋队" and group.leader == team["member"]
    (line,) = _updates(group)
    assert line.actor == worker
    assert line.changes["after"] == {"name": "应急先锋队", "leader_id": team["member"].pk}


def test_the_leader_must_be_a_member_of_the_group(people, team):
    outsider = make_volunteer(team["a1"], name="路人丙")
    with pytest.raises(InvalidInput) as refused:
        group_update(actor=people["community_worker"], group=team["group"], leader=outsider)
    assert refused.value.field == "leader"
    with pytest.raises(InvalidInput):
        group_update(actor=people["community_worker"], group=team["group"], name="  ")
    team["group"].refresh_from_db()
    assert team["group"].leader == team["leader"] and not _updates(team["group"])


def test_add_and_remove_members_of_the_same_community(city, people, team):
    worker = people["community_worker"]
    newcomer = make_volunteer(team["a1"], name="新人丁")
    group_member_add(actor=worker, group=team["group"], volunteer=newcomer)
    assert set(team["group"].members.values_list("name", flat=True)) == {
        "队长甲",
        "成员乙",
        "新人丁",
    }
    with pytest.raises(Conflict):
        group_member_add(actor=worker, group=team["group"], volunteer=newcomer)
    elsewhere = make_volunteer(city.communities["A2"], name="外社区戊")
    with pytest.raises(InvalidInput):
        group_member_add(actor=worker, group=team["group"], volunteer=elsewhere)

    group_member_remove(actor=worker, group=team["group"], volunteer=team["member"])
    assert set(team["group"].members.values_list("name", flat=True)) == {"队长甲", "新人丁"}
    added, removed = _updates(team["group"])
    assert added.detail["member_added"] == newcomer.pk
    assert removed.detail["member_removed"] == team["member"].pk
    with pytest.raises(Conflict):
        group_member_remove(actor=worker, group=team["group"], volunteer=team["member"])


def test_removing_the_leader_needs_a_new_leader_first(people, team):
    worker = people["community_worker"]
    with pytest.raises(Conflict) as refused:
        group_member_remove(actor=worker, group=team["group"], volunteer=team["leader"])
    assert "新队长" in str(refused.value.message)
    group_update(actor=worker, group=team["group"], leader=team["member"])
    group_member_remove(actor=worker, group=team["group"], volunteer=team["leader"])
    assert list(team["group"].members.values_list("name", flat=True)) == ["成员乙"]


def test_a_deactivated_group_is_kept_but_no_longer_listed_or_changed(people, team):
    worker = people["community_worker"]
    group_deactivate(actor=worker, group=team["group"])
    group = Group.objects.get(pk=team["group"].pk)
    assert not group.is_active and group.deactivated_at is not None
    assert group.members.count() == 2  # kept as it was
    assert five_forces(community=team["a1"], year=2026)["groups"] == []
    for change in (
        lambda: group_update(actor=worker, group=group, name="新名字"),
        lambda: group_member_add(
            actor=worker, group=group, volunteer=make_volunteer(team["a1"], name="己")
        ),
        lambda: group_deactivate(actor=worker, group=group),
    ):
        with pytest.raises(Conflict):
            change()
    assert len(_updates(group)) == 1


def test_another_community_cannot_change_the_group(city, people, team):
    from shequ.core.tests.factories import make_user

    outsider = make_user("community_worker", city.communities["A2"])
    with pytest.raises(Forbidden):
        group_update(actor=outsider, group=team["group"], name="抢来的队")
    with pytest.raises(Forbidden):
        group_deactivate(actor=people["grid_worker"], group=team["group"])
    assert Group.objects.get(pk=team["group"].pk).name == "助老服务队"


def test_staff_edit_a_volunteers_skills_and_readiness(people, team):
    volunteer = volunteer_edit(
        actor=people["community_worker"],
        volunteer=team["member"],
        skills="理发，量血压",
        availability="周末上午",
        emergency_ready=True,
    )
    volunteer.refresh_from_db()
    assert volunteer.skill_list() == ["理发", "量血压"] and volunteer.emergency_ready
    (line,) = _updates(volunteer)
    assert line.changes["after"]["availability"] == "周末上午"
    with pytest.raises(InvalidInput):
        volunteer_edit(actor=people["community_worker"], volunteer=volunteer, skills="长" * 201)


def test_a_leaving_volunteer_leaves_groups_and_posts_but_keeps_their_record(city, people, team):
    worker = people["community_worker"]
    post = building_post_assign(
        actor=None, volunteer=team["member"], area=city.buildings["A1a"], post="information"
    )
    volunteer = volunteer_deactivate(actor=worker, volunteer=team["member"])
    assert not volunteer.is_active
    assert list(team["group"].members.values_list("name", flat=True)) == ["队长甲"]
    post.refresh_from_db()
    assert post.ended_at is not None
    (line,) = _updates(volunteer)
    assert line.detail == {"left_groups": [team["group"].pk], "ended_posts": [post.pk]}
    # Out of the roster (unless asked for) and out of reach of new duties.
    assert [v.name for v in volunteer_list(actor=worker)] == ["队长甲"]
    assert "成员乙" in [v.name for v in volunteer_list(actor=worker, include_inactive=True)]
    with pytest.raises(Conflict):
        signup_create(actor=None, activity=make_activity(team["a1"]), volunteer=volunteer)
    with pytest.raises(InvalidInput):
        group_member_add(actor=worker, group=team["group"], volunteer=volunteer)
    with pytest.raises(Conflict):
        volunteer_edit(actor=worker, volunteer=volunteer, skills="理发")


def test_a_leader_hands_over_before_leaving(people, team):
    with pytest.raises(Conflict) as refused:
        volunteer_deactivate(actor=people["community_worker"], volunteer=team["leader"])
    assert "助老服务队" in str(refused.value.message)
    team["leader"].refresh_from_db()
    assert team["leader"].is_active


def test_change_a_building_post_then_end_it(city, people, team):
    worker = people["community_worker"]
    post = building_post_assign(
        actor=None, volunteer=team["member"], area=city.buildings["A1a"], post="leader"
    )
    building_post_update(actor=worker, assignment=post, post="support")
    post.refresh_from_db()
    assert post.post == "support"
    with pytest.raises(InvalidInput):
        building_post_update(actor=worker, assignment=post, post="mayor")
    building_post_end(actor=worker, assignment=post)
    post.refresh_from_db()
    assert post.ended_at is not None
    assert five_forces(community=team["a1"], year=2026)["posts"] == []
    assert BuildingTeamMember.objects.filter(pk=post.pk).exists()  # kept as history
    with pytest.raises(Conflict):
        building_post_end(actor=worker, assignment=post)
    with pytest.raises(Conflict):
        building_post_update(actor=worker, assignment=post, post="leader")
    assert [line.changes["after"] for line in _updates(post)][0] == {"post": "support"}


def test_a_grid_worker_cannot_change_a_post(city, people, team):
    post = building_post_assign(
        actor=None, volunteer=team["member"], area=city.buildings["A1a"], post="leader"
    )
    with pytest.raises(Forbidden):
        building_post_end(actor=people["grid_worker"], assignment=post)
