"""Screens that change the forces after they were set up: a group (name,
leader, members, disbanding), a volunteer (skills, availability, emergency
readiness, leaving) and a building-team post (its role, stepping down).
Thin: parse, call the service in ``services/editing.py``, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.scoping import get_scoped_or_404
from shequ.core.views.base import form_error, requires
from shequ.volunteers.choices import Action
from shequ.volunteers.forms import GroupEditForm, MemberAddForm, PostEditForm, VolunteerEditForm
from shequ.volunteers.models import BuildingTeamMember, Group, Volunteer
from shequ.volunteers.services import editing
from shequ.volunteers.views._common import perform


def _group(request, pk: int) -> Group:
    return get_scoped_or_404(
        Group.objects.select_related("community", "leader"), request.user, Action.MANAGE, pk=pk
    )


def _volunteer(request, pk: int) -> Volunteer:
    return get_scoped_or_404(
        Volunteer.objects.select_related("community"), request.user, Action.MANAGE, pk=pk
    )


def _post(request, pk: int) -> BuildingTeamMember:
    return get_scoped_or_404(
        BuildingTeamMember.objects.select_related("volunteer", "area"),
        request.user,
        Action.MANAGE,
        pk=pk,
    )


def _saved(request, call, form) -> bool:
    try:
        call()
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        form_error(form, error)
        return False
    messages.success(request, _("已保存。"))
    return True


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    """A group's page: rename it, choose its leader among its members, add
    and remove members, disband it."""
    group = _group(request, pk)
    form = GroupEditForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        leader = form.cleaned_data["leader"]

        def call():
            editing.group_update(
                actor=request.user,
                group=group,
                name=form.cleaned_data["name"],
                # Leaving the choice empty keeps the current leader.
                **({"leader": leader} if leader is not None else {}),
            )

        if _saved(request, call, form):
            return redirect("volunteers:group_edit", pk=group.pk)
    members = group.members.order_by("name")
    return render(
        request,
        "volunteers/staff/group.html",
        {
            "group": group,
            "form": form,
            "add_form": MemberAddForm(group=group),
            "members": members,
        },
        status=400 if form.errors else 200,
    )


@requires(Action.MANAGE)
@require_POST
def group_member_add(request, pk: int):
    group = _group(request, pk)
    form = MemberAddForm(request.POST, group=group)
    if not form.is_valid():
        messages.error(request, _("请选择本社区在册、尚未入队的志愿者。"))
        return redirect("volunteers:group_edit", pk=group.pk)
    volunteer = form.cleaned_data["volunteer"]
    return perform(
        request,
        lambda: editing.group_member_add(actor=request.user, group=group, volunteer=volunteer),
        _("已加入：%(name)s") % {"name": volunteer.name},
        "volunteers:group_edit",
        pk=group.pk,
    )


@requires(Action.MANAGE)
@require_POST
def group_member_remove(request, pk: int, volunteer_pk: int):
    group = _group(request, pk)
    volunteer = get_scoped_or_404(group.members.all(), request.user, Action.MANAGE, pk=volunteer_pk)
    return perform(
        request,
        lambda: editing.group_member_remove(actor=request.user, group=group, volunteer=volunteer),
        _("已移出：%(name)s") % {"name": volunteer.name},
        "volunteers:group_edit",
        pk=group.pk,
    )


@requires(Action.MANAGE)
@require_POST
def group_deactivate(request, pk: int):
    group = _group(request, pk)
    return perform(
        request,
        lambda: editing.group_deactivate(actor=request.user, group=group),
        _("队伍已停用。"),
        "volunteers:group_edit",
        pk=group.pk,
    )


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def volunteer_edit(request, pk: int):
    """Correct a volunteer's skills, availability and emergency readiness."""
    volunteer = _volunteer(request, pk)
    initial = {
        "skills": volunteer.skills,
        "availability": volunteer.availability,
        "emergency_ready": volunteer.emergency_ready,
    }
    form = VolunteerEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _saved(
            request,
            lambda: editing.volunteer_edit(
                actor=request.user, volunteer=volunteer, **form.cleaned_data
            ),
            form,
        ):
            return redirect("volunteers:volunteer_edit", pk=volunteer.pk)
    return render(
        request,
        "volunteers/staff/edit.html",
        {
            "title": _("志愿者：%(name)s") % {"name": volunteer.name},
            "form": form,
            "inactive": not volunteer.is_active,
            "inactive_note": _("该志愿者已停用，不再出现在力量库中。"),
            "end_url": "volunteers:volunteer_deactivate",
            "end_pk": volunteer.pk,
            "end_label": _("停用该志愿者"),
            "end_help": _("停用后保留时长、积分和服务记录；同时退出所在队伍，楼栋岗位随之卸任。"),
        },
        status=400 if form.errors else 200,
    )


@requires(Action.MANAGE)
@require_POST
def volunteer_deactivate(request, pk: int):
    volunteer = _volunteer(request, pk)
    return perform(
        request,
        lambda: editing.volunteer_deactivate(actor=request.user, volunteer=volunteer),
        _("已停用：%(name)s") % {"name": volunteer.name},
        "volunteers:volunteer_edit",
        pk=volunteer.pk,
    )


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def post_edit(request, pk: int):
    """Change the role a volunteer holds in a building's team."""
    assignment = _post(request, pk)
    form = PostEditForm(request.POST or None, initial={"post": assignment.post})
    if request.method == "POST" and form.is_valid():
        if _saved(
            request,
            lambda: editing.building_post_update(
                actor=request.user, assignment=assignment, post=form.cleaned_data["post"]
            ),
            form,
        ):
            return redirect("volunteers:post_edit", pk=assignment.pk)
    return render(
        request,
        "volunteers/staff/edit.html",
        {
            "title": _("楼栋岗位：%(area)s · %(name)s")
            % {"area": assignment.area.name, "name": assignment.volunteer.name},
            "form": form,
            "inactive": assignment.ended_at is not None,
            "inactive_note": _("该岗位已卸任。"),
            "end_url": "volunteers:post_end",
            "end_pk": assignment.pk,
            "end_label": _("卸任"),
            "end_help": _("卸任后该记录保留为楼栋历史。"),
        },
        status=400 if form.errors else 200,
    )


@requires(Action.MANAGE)
@require_POST
def post_end(request, pk: int):
    assignment = _post(request, pk)
    return perform(
        request,
        lambda: editing.building_post_end(actor=request.user, assignment=assignment),
        _("已卸任。"),
        "volunteers:post_edit",
        pk=assignment.pk,
    )
