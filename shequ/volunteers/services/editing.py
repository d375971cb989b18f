"""Changes to the forces after they were set up: a group's name, leader and
members, disbanding it; a volunteer's skills, availability and emergency
readiness, and their leaving; a building-team post changed or ended.

Each service locks the row it changes (``select_for_update``) so two workers
editing the same group at once apply one after the other, checks the scope
on the row's own area, refuses changes to what was already deactivated, and
writes one audit line in the same transaction. Nothing is deleted: a group
is deactivated, a volunteer leaves the roster, a post gets an end time, so
the history of who served where stays readable.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, InvalidInput
from shequ.core.models import User
from shequ.core.services.audit import audit_record, diff, snapshot
from shequ.volunteers.choices import Action, BuildingPost
from shequ.volunteers.models import BuildingTeamMember, Group, Volunteer
from shequ.volunteers.services._common import require, text
from shequ.volunteers.services.people import volunteer_update

_UNCHANGED = object()


def _locked_group(actor: User | None, group: Group) -> Group:
    require(actor, Action.MANAGE, group.area_path)
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if not locked.is_active:
        raise Conflict(_("该队伍已停用，不能再修改。"), code="group_inactive")
    return locked


def _member_ids(group: Group) -> list[int]:
    return sorted(group.members.values_list("pk", flat=True))


def _check_member(group: Group, volunteer: Volunteer, field: str) -> None:
    if volunteer.area_path != group.area_path:
        raise InvalidInput(_("成员须为本社区志愿者。"), field=field)
    if not volunteer.is_active:
        raise InvalidInput(_("该志愿者已停用。"), field=field)


@transaction.atomic
def group_update(
    *,
    actor: User | None,
    group: Group,
    name: str | None = None,
    leader: Volunteer | None | object = _UNCHANGED,
) -> Group:
    """Rename a group or hand its lead to another of its members. The leader
    must already be a member (add them first); a group keeps a leader once
    it has one, so ``leader=None`` is refused when there is one."""
    group = _locked_group(actor, group)
    before = snapshot(group, ["name", "leader_id"])
    if name is not None:
        group.name = text(name, field="name", limit=100, required=True)
    if leader is not _UNCHANGED:
        if leader is None:
            if group.leader_id is not None:
                raise InvalidInput(_("请选择新队长。"), field="leader")
        else:
            assert isinstance(leader, Volunteer)
            _check_member(group, leader, "leader")
            if not group.members.filter(pk=leader.pk).exists():
                raise InvalidInput(_("队长须为本队成员，请先把他加入本队。"), field="leader")
            group.leader = leader
    group.save(update_fields=["name", "leader"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=group,
        changes=diff(before, snapshot(group, ["name", "leader_id"])),
    )
    return group


@transaction.atomic
def group_member_add(*, actor: User | None, group: Group, volunteer: Volunteer) -> Group:
    """Add a volunteer of the group's community to it."""
    group = _locked_group(actor, group)
    _check_member(group, volunteer, "volunteer")
    before = _member_ids(group)
    if volunteer.pk in before:
        raise Conflict(_("%(name)s 已是本队成员。") % {"name": volunteer.name})
    group.members.add(volunteer)
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=group,
        changes={"before": {"members": before}, "after": {"members": _member_ids(group)}},
        detail={"member_added": volunteer.pk},
    )
    return group


@transaction.atomic
def group_member_remove(*, actor: User | None, group: Group, volunteer: Volunteer) -> Group:
    """Take a member out of a group. The leader stays until another member
    has been made leader."""
    group = _locked_group(actor, group)
    before = _member_ids(group)
    if volunteer.pk not in before:
        raise Conflict(_("%(name)s 不是本队成员。") % {"name": volunteer.name})
    if group.leader_id == volunteer.pk:
        raise Conflict(
            _("%(name)s 是队长，请先指定新队长再移出。") % {"name": volunteer.name},
            code="leader",
        )
    group.members.remove(volunteer)
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=group,
        changes={"before": {"members": before}, "after": {"members": _member_ids(group)}},
        detail={"member_removed": volunteer.pk},
    )
    return group


@transaction.atomic
def group_deactivate(*, actor: User | None, group: Group) -> Group:
    """Disband a group: it stays on record (activities it organised keep
    pointing at it) but is no longer listed among the community's forces."""
    group = _locked_group(actor, group)
    group.is_active = False
    group.deactivated_at = timezone.now()
    group.save(update_fields=["is_active", "deactivated_at"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=group,
        changes={"before": {"is_active": True}, "after": {"is_active": False}},
    )
    return group


def _locked_volunteer(actor: User | None, volunteer: Volunteer) -> Volunteer:
    require(actor, Action.MANAGE, volunteer.area_path)
    locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not locked.is_active:
        raise Conflict(_("该志愿者已停用。"), code="volunteer_inactive")
    return locked


@transaction.atomic
def volunteer_edit(
    *,
    actor: User | None,
    volunteer: Volunteer,
    skills: str | None = None,
    availability: str | None = None,
    emergency_ready: bool | None = None,
) -> Volunteer:
    """Community staff correct a volunteer's skills, availability and
    emergency readiness (the volunteer's own board choice stays theirs)."""
    volunteer = _locked_volunteer(actor, volunteer)
    return volunteer_update(
        actor=actor,
        volunteer=volunteer,
        skills=skills,
        availability=availability,
        emergency_ready=emergency_ready,
    )


@transaction.atomic
def volunteer_deactivate(*, actor: User | None, volunteer: Volunteer) -> Volunteer:
    """A volunteer stops serving. Their hours, points and history stay; they
    leave their groups and their building posts end. Someone who leads an
    active group must hand the lead over first."""
    volunteer = _locked_volunteer(actor, volunteer)
    led = Group.objects.filter(leader=volunteer, is_active=True).order_by("name").first()
    if led is not None:
        raise Conflict(
            _("%(name)s 是“%(group)s”的队长，请先为该队指定新队长。")
            % {"name": volunteer.name, "group": led.name},
            code="leader",
        )
    now = timezone.now()
    groups = sorted(volunteer.groups.filter(is_active=True).values_list("pk", flat=True))
    for group in Group.objects.select_for_update().filter(pk__in=groups):
        group.members.remove(volunteer)
    posts = list(
        BuildingTeamMember.objects.select_for_update()
        .filter(volunteer=volunteer, ended_at__isnull=True)
        .values_list("pk", flat=True)
    )
    BuildingTeamMember.objects.filter(pk__in=posts).update(ended_at=now)
    volunteer.is_active = False
    volunteer.deactivated_at = now
    volunteer.save(update_fields=["is_active", "deactivated_at"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=volunteer,
        changes={"before": {"is_active": True}, "after": {"is_active": False}},
        detail={"left_groups": groups, "ended_posts": sorted(posts)},
    )
    return volunteer


def _locked_post(actor: User | None, assignment: BuildingTeamMember) -> BuildingTeamMember:
    require(actor, Action.MANAGE, assignment.area_path)
    locked = (
        BuildingTeamMember.objects.select_for_update()
        .select_related("volunteer", "area")
        .get(pk=assignment.pk)
    )
    if locked.ended_at is not None:
        raise Conflict(_("该岗位已卸任，不能再修改。"), code="post_ended")
    return locked


@transaction.atomic
def building_post_update(
    *, actor: User | None, assignment: BuildingTeamMember, post: str
) -> BuildingTeamMember:
    """Change the role a volunteer holds in a building's team (楼长 ⇄ 信息员…)."""
    assignment = _locked_post(actor, assignment)
    if post not in BuildingPost.values:
        raise InvalidInput(_("请选择有效的选项。"), field="post")
    before = snapshot(assignment, ["post"])
    assignment.post = post
    assignment.save(update_fields=["post"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=assignment,
        changes=diff(before, snapshot(assignment, ["post"])),
    )
    return assignment


@transaction.atomic
def building_post_end(*, actor: User | None, assignment: BuildingTeamMember) -> BuildingTeamMember:
    """A volunteer steps down from a building-team post; the row stays as history."""
    assignment = _locked_post(actor, assignment)
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=assignment,
        changes={
            "before": {"ended_at": None},
            "after": {"ended_at": assignment.ended_at.isoformat()},
        },
    )
    return assignment
