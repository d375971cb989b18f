"""REST routes that change the forces after they were set up, under
/api/v1/volunteers/: groups (name, leader, members, disbanding), a
volunteer's skills, availability and emergency readiness (and leaving), and
building-team posts (role, stepping down). Community staff
(``volunteers.manage``); another community's rows answer 404."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api import ERRORS, PagePagination
from shequ.core.scoping import can, get_scoped_or_404, restrict
from shequ.volunteers.choices import Action
from shequ.volunteers.models import BuildingTeamMember, Group, Volunteer
from shequ.volunteers.schemas import VolunteerOut
from shequ.volunteers.services import editing

router = Router(tags=["volunteers"])


class MemberOut(Schema):
    id: int
    name: str
    is_active: bool


class GroupOut(Schema):
    id: int
    name: str
    kind: str = Field(..., description="service：志愿服务队；emergency：应急小组")
    community_id: int
    is_active: bool = Field(..., description="false：已停用（仅保留记录）")
    deactivated_at: datetime | None
    leader_id: int | None
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.members.all())


class GroupFilters(Schema):
    kind: str = Field("", pattern="^(|service|emergency)$")
    include_inactive: bool = Field(False, description="true：包括已停用的队伍")


class GroupPatchIn(Schema):
    name: str | None = Field(None, max_length=100)
    leader_id: int | None = Field(None, description="新队长，须为本队成员")


class MemberIn(Schema):
    volunteer_id: int = Field(..., description="本社区在册的志愿者")


class VolunteerPatchIn(Schema):
    skills: str | None = Field(None, max_length=200)
    availability: str | None = Field(None, max_length=100)
    emergency_ready: bool | None = None


class PostOut(Schema):
    id: int
    volunteer_id: int
    volunteer_name: str
    area_id: int
    area_name: str
    post: str = Field(
        ...,
        description="leader 楼长 / information 信息员 / support 保障员 / alley_steward 小巷管家",
    )
    ended_at: datetime | None = Field(None, description="卸任时间；空表示在任")

    @staticmethod
    def resolve_volunteer_name(obj) -> str:
        return obj.volunteer.name

    @staticmethod
    def resolve_area_name(obj) -> str:
        return obj.area.name


class PostPatchIn(Schema):
    post: str = Field(..., pattern="^(leader|information|support|alley_steward)$")


def _require(request) -> None:
    if not can(request.user, Action.MANAGE):
        raise PermissionDenied


def _group(request, group_id: int) -> Group:
    return get_scoped_or_404(
        Group.objects.prefetch_related("members"), request.user, Action.MANAGE, pk=group_id
    )


def _volunteer(request, volunteer_id: int) -> Volunteer:
    return get_scoped_or_404(Volunteer.objects.all(), request.user, Action.MANAGE, pk=volunteer_id)


def _post(request, post_id: int) -> BuildingTeamMember:
    return get_scoped_or_404(
        BuildingTeamMember.objects.select_related("volunteer", "area"),
        request.user,
        Action.MANAGE,
        pk=post_id,
    )


@router.get(
    "groups",
    response={200: list[GroupOut], **ERRORS},
    summary="辖区志愿服务队与应急小组（默认不含已停用）",
)
@paginate(PagePagination)
def vol_groups(request, filters: Query[GroupFilters]):
    _require(request)
    rows = restrict(Group.objects.prefetch_related("members"), request.user, Action.MANAGE)
    if not filters.include_inactive:
        rows = rows.filter(is_active=True)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return rows


@router.get("groups/{int:group_id}", response={200: GroupOut, **ERRORS}, summary="队伍详情与成员")
def vol_group(request, group_id: int):
    _require(request)
    return _group(request, group_id)


@router.patch(
    "groups/{int:group_id}",
    response={200: GroupOut, **ERRORS},
    summary="修改队伍名称或更换队长（队长须为本队成员；已停用的队伍返回 409）",
)
def vol_group_patch(request, group_id: int, payload: GroupPatchIn):
    _require(request)
    group = _group(request, group_id)
    changes: dict = {}
    if payload.name is not None:
        changes["name"] = payload.name
    if payload.leader_id is not None:
        changes["leader"] = _volunteer(request, payload.leader_id)
    editing.group_update(actor=request.user, group=group, **changes)
    return _group(request, group_id)


@router.post(
    "groups/{int:group_id}/members",
    response={200: GroupOut, **ERRORS},
    summary="把本社区的志愿者加入队伍（已是成员返回 409）",
)
def vol_group_member_add(request, group_id: int, payload: MemberIn):
    _require(request)
    group = _group(request, group_id)
    volunteer = _volunteer(request, payload.volunteer_id)
    editing.group_member_add(actor=request.user, group=group, volunteer=volunteer)
    return _group(request, group_id)


@router.delete(
    "groups/{int:group_id}/members/{int:volunteer_id}",
    response={200: GroupOut, **ERRORS},
    summary="把成员移出队伍（队长须先换人，否则返回 409）",
)
def vol_group_member_remove(request, group_id: int, volunteer_id: int):
    _require(request)
    group = _group(request, group_id)
    volunteer = _volunteer(request, volunteer_id)
    editing.group_member_remove(actor=request.user, group=group, volunteer=volunteer)
    return _group(request, group_id)


@router.post(
    "groups/{int:group_id}/deactivate",
    response={200: GroupOut, **ERRORS},
    summary="停用队伍（保留记录，不再列入五社联动；已停用返回 409）",
)
def vol_group_deactivate(request, group_id: int):
    _require(request)
    editing.group_deactivate(actor=request.user, group=_group(request, group_id))
    return _group(request, group_id)


@router.patch(
    "volunteers/{int:volunteer_id}",
    response={200: VolunteerOut, **ERRORS},
    summary="修改志愿者的技能特长、可服务时间和应急可用（已停用返回 409）",
)
def vol_volunteer_patch(request, volunteer_id: int, payload: VolunteerPatchIn):
    _require(request)
    volunteer = _volunteer(request, volunteer_id)
    return editing.volunteer_edit(
        actor=request.user,
        volunteer=volunteer,
        skills=payload.skills,
        availability=payload.availability,
        emergency_ready=payload.emergency_ready,
    )


@router.post(
    "volunteers/{int:volunteer_id}/deactivate",
    response={200: VolunteerOut, **ERRORS},
    summary="停用志愿者（退出所在队伍、楼栋岗位卸任；仍是队长时返回 409）",
)
def vol_volunteer_deactivate(request, volunteer_id: int):
    _require(request)
    volunteer = _volunteer(request, volunteer_id)
    return editing.volunteer_deactivate(actor=request.user, volunteer=volunteer)


@router.get(
    "posts",
    response={200: list[PostOut], **ERRORS},
    summary="辖区楼栋一长二员与小巷管家（默认仅在任）",
)
@paginate(PagePagination)
def vol_posts(request, include_ended: bool = False):
    _require(request)
    rows = restrict(
        BuildingTeamMember.objects.select_related("volunteer", "area"), request.user, Action.MANAGE
    )
    return rows if include_ended else rows.filter(ended_at__isnull=True)


@router.patch(
    "posts/{int:post_id}",
    response={200: PostOut, **ERRORS},
    summary="调整楼栋岗位（楼长、信息员、保障员、小巷管家；已卸任返回 409）",
)
def vol_post_patch(request, post_id: int, payload: PostPatchIn):
    _require(request)
    assignment = _post(request, post_id)
    return editing.building_post_update(
        actor=request.user, assignment=assignment, post=payload.post
    )


@router.post(
    "posts/{int:post_id}/end",
    response={200: PostOut, **ERRORS},
    summary="卸任楼栋岗位（记录保留；已卸任返回 409）",
)
def vol_post_end(request, post_id: int):
    _require(request)
    return editing.building_post_end(actor=request.user, assignment=_post(request, post_id))
