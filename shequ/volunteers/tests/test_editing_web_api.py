"""The screens and API routes that edit groups, volunteers and building
posts, as a community worker uses them; another community gets 404."""

import json

import pytest
from django.test import Client

from shequ.core.tests.factories import login, make_user
from shequ.volunteers.models import BuildingTeamMember, Group, Volunteer
from shequ.volunteers.services import building_post_assign, group_create
from shequ.volunteers.tests.factories import make_volunteer

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


def _client(user):
    client = Client()
    login(client, user)
    return client


def _json(client, method, path, body=None):
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def team(city):
    a1 = city.communities["A1"]
    leader = make_volunteer(a1, name="队长甲")
    member = make_volunteer(a1, name="成员乙")
    newcomer = make_volunteer(a1, name="新人丙")
    group = group_create(
        actor=None, community=a1, name="助老服务队", kind="service", leader=leader, members=[member]
    )
    post = building_post_assign(
        actor=None, volunteer=member, area=city.buildings["A1a"], post="leader"
    )
    return {
        "group": group,
        "leader": leader,
        "member": member,
        "newcomer": newcomer,
        "post": post,
        "a1": a1,
    }


@pytest.fixture
def outsider(city):
    return _client(make_user("community_worker", city.communities["A2"]))


def test_a_worker_edits_a_group_from_the_five_forces_page(city, people, team):
    client = _client(people["community_worker"])
    group = team["group"]
    forces = client.get(f"/volunteers/forces/{team['a1'].pk}/").content.decode()
    assert f"/volunteers/groups/{group.pk}/" in forces
    assert f"/volunteers/posts/{team['post'].pk}/" in forces

    page = client.get(f"/volunteers/groups/{group.pk}/").content.decode()
    assert "成员乙" in page and "新人丙" in page  # a member, and someone to add

    added = client.post(
        f"/volunteers/groups/{group.pk}/members/add/", {"volunteer": team["newcomer"].pk}
    )
    assert added.status_code == 302
    assert group.members.filter(pk=team["newcomer"].pk).exists()

    renamed = client.post(
        f"/volunteers/groups/{group.pk}/", {"name": "红马甲服务队", "leader": team["newcomer"].pk}
    )
    assert renamed.status_code == 302
    group.refresh_from_db()
    assert group.name == "红马甲服务队" and group.leader == team["newcomer"]

    removed = client.post(
        f"/volunteers/groups/{group.pk}/members/{team['leader'].pk}/remove/", follow=True
    )
    assert "已移出：队长甲" in removed.content.decode()
    assert not group.members.filter(pk=team["leader"].pk).exists()


def test_the_leader_cannot_be_removed_and_a_non_member_cannot_lead(people, team):
    client = _client(people["community_worker"])
    group = team["group"]
    refused = client.post(
        f"/volunteers/groups/{group.pk}/members/{team['leader'].pk}/remove/", follow=True
    )
    assert "请先指定新队长" in refused.content.decode()
    assert group.members.filter(pk=team["leader"].pk).exists()
    # Someone outside the group is not even offered as leader.
    bad = client.post(
        f"/volunteers/groups/{group.pk}/", {"name": "助老服务队", "leader": team["newcomer"].pk}
    )
    assert bad.status_code == 400
    group.refresh_from_db()
    assert group.leader == team["leader"]


def test_a_deactivated_group_shows_as_a_record_only(people, team):
    client = _client(people["community_worker"])
    group = team["group"]
    client.post(f"/volunteers/groups/{group.pk}/deactivate/")
    page = client.get(f"/volunteers/groups/{group.pk}/").content.decode()
    assert "停用，仅保留记录" in page and "停用该队伍" not in page
    forces = client.get(f"/volunteers/forces/{team['a1'].pk}/").content.decode()
    assert "助老服务队" not in forces


def test_a_worker_edits_and_deactivates_a_volunteer(people, team):
    client = _client(people["community_worker"])
    volunteer = team["member"]
    roster = client.get("/volunteers/").content.decode()
    assert f"/volunteers/people/{volunteer.pk}/" in roster
    saved = client.post(
        f"/volunteers/people/{volunteer.pk}/",
        {"skills": "理发", "availability": "周末", "emergency_ready": "on"},
    )
    assert saved.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.skills, volunteer.availability, volunteer.emergency_ready) == (
        "理发",
        "周末",
        True,
    )
    left = client.post(f"/volunteers/people/{volunteer.pk}/deactivate/", follow=True)
    assert "已停用：成员乙" in left.content.decode()
    volunteer.refresh_from_db()
    assert not volunteer.is_active
    assert "成员乙" not in client.get("/volunteers/").content.decode()
    listed = client.get("/volunteers/", {"inactive": "on"}).content.decode()
    assert "成员乙" in listed and "已停用" in listed
    assert "该志愿者已停用" in client.get(f"/volunteers/people/{volunteer.pk}/").content.decode()


def test_a_worker_changes_and_ends_a_building_post(people, team):
    client = _client(people["community_worker"])
    post = team["post"]
    assert client.post(f"/volunteers/posts/{post.pk}/", {"post": "support"}).status_code == 302
    post.refresh_from_db()
    assert post.post == "support"
    client.post(f"/volunteers/posts/{post.pk}/end/")
    post.refresh_from_db()
    assert post.ended_at is not None
    assert "该岗位已卸任" in client.get(f"/volunteers/posts/{post.pk}/").content.decode()


def test_another_community_gets_404_on_every_screen(outsider, team):
    group, volunteer, post = team["group"], team["member"], team["post"]
    for method, url in (
        ("get", f"/volunteers/groups/{group.pk}/"),
        ("post", f"/volunteers/groups/{group.pk}/deactivate/"),
        ("post", f"/volunteers/groups/{group.pk}/members/{volunteer.pk}/remove/"),
        ("get", f"/volunteers/people/{volunteer.pk}/"),
        ("post", f"/volunteers/people/{volunteer.pk}/deactivate/"),
        ("post", f"/volunteers/posts/{post.pk}/end/"),
    ):
        response = getattr(outsider, method)(url)
        assert response.status_code == 404, url
        assert "助老服务队" not in response.content.decode()
    assert Group.objects.get(pk=group.pk).is_active
    assert Volunteer.objects.get(pk=volunteer.pk).is_active
    assert BuildingTeamMember.objects.get(pk=post.pk).ended_at is None


def test_the_api_edits_a_group(people, team):
    client = _client(people["community_worker"])
    group, newcomer = team["group"], team["newcomer"]
    listed = client.get(f"{API}/groups").json()
    assert [g["name"] for g in listed["items"]] == ["助老服务队"]

    body = _json(client, "POST", f"{API}/groups/{group.pk}/members", {"volunteer_id": newcomer.pk})
    assert body.status_code == 200, body.content
    assert {m["name"] for m in body.json()["members"]} == {"队长甲", "成员乙", "新人丙"}
    again = _json(client, "POST", f"{API}/groups/{group.pk}/members", {"volunteer_id": newcomer.pk})
    assert again.status_code == 409 and again.json()["error"]["code"]

    patched = _json(
        client, "PATCH", f"{API}/groups/{group.pk}", {"name": "红马甲", "leader_id": newcomer.pk}
    )
    assert patched.json()["name"] == "红马甲" and patched.json()["leader_id"] == newcomer.pk

    out = _json(client, "DELETE", f"{API}/groups/{group.pk}/members/{newcomer.pk}")
    assert out.status_code == 409  # the leader stays until someone else leads
    out = _json(client, "DELETE", f"{API}/groups/{group.pk}/members/{team['leader'].pk}")
    assert out.status_code == 200
    assert {m["name"] for m in out.json()["members"]} == {"成员乙", "新人丙"}

    gone = _json(client, "POST", f"{API}/groups/{group.pk}/deactivate")
    assert gone.json()["is_active"] is False and gone.json()["deactivated_at"]
    assert client.get(f"{API}/groups").json()["count"] == 0
    assert client.get(f"{API}/groups", {"include_inactive": "true"}).json()["count"] == 1
    late = _json(client, "PATCH", f"{API}/groups/{group.pk}", {"name": "复活"})
    assert late.status_code == 409


def test_the_api_edits_volunteers_and_posts(people, team):
    client = _client(people["community_worker"])
    volunteer, post = team["member"], team["post"]
    patched = _json(
        client,
        "PATCH",
        f"{API}/volunteers/{volunteer.pk}",
        {"skills": "电工", "emergency_ready": True},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["skills"] == "电工" and patched.json()["emergency_ready"] is True
    too_long = _json(client, "PATCH", f"{API}/volunteers/{volunteer.pk}", {"skills": "长" * 201})
    assert too_long.status_code == 400

    posts = client.get(f"{API}/posts").json()["items"]
    assert [(p["id"], p["post"], p["volunteer_name"]) for p in posts] == [
        (post.pk, "leader", "成员乙")
    ]
    changed = _json(client, "PATCH", f"{API}/posts/{post.pk}", {"post": "alley_steward"})
    assert changed.json()["post"] == "alley_steward"
    assert _json(client, "PATCH", f"{API}/posts/{post.pk}", {"post": "mayor"}).status_code == 400

    left = _json(client, "POST", f"{API}/volunteers/{volunteer.pk}/deactivate")
    assert left.status_code == 200 and left.json()["is_active"] is False
    assert client.get(f"{API}/posts").json()["count"] == 0  # their post ended with them
    ended = client.get(f"{API}/posts", {"include_ended": "true"}).json()["items"]
    assert ended[0]["ended_at"] is not None
    assert _json(client, "POST", f"{API}/posts/{post.pk}/end").status_code == 409
    # The leader of an active group must hand over first.
    leader = _json(client, "POST", f"{API}/volunteers/{team['leader'].pk}/deactivate")
    assert leader.status_code == 409 and "助老服务队" in leader.json()["error"]["message"]


def test_the_api_answers_404_to_another_community_and_403_without_the_right(people, team, outsider):
    group, volunteer = team["group"], team["member"]
    assert outsider.get(f"{API}/groups").json()["count"] == 0
    assert outsider.get(f"{API}/groups/{group.pk}").status_code == 404
    assert _json(outsider, "PATCH", f"{API}/groups/{group.pk}", {"name": "x"}).status_code == 404
    assert _json(outsider, "PATCH", f"{API}/volunteers/{volunteer.pk}", {}).status_code == 404
    # A volunteer of another community cannot be added by a worker who sees the group.
    elsewhere = make_volunteer(team["a1"].parent.children.exclude(pk=team["a1"].pk).first())
    mine = _client(people["community_worker"])
    sneak = _json(mine, "POST", f"{API}/groups/{group.pk}/members", {"volunteer_id": elsewhere.pk})
    assert sneak.status_code == 404
    grid = _client(people["grid_worker"])
    assert grid.get(f"{API}/groups").status_code == 403
    assert _json(grid, "POST", f"{API}/posts/{team['post'].pk}/end").status_code == 403
    group.refresh_from_db()
    assert group.name == "助老服务队" and group.members.count() == 2
