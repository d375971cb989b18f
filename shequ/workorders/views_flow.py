"""Whistle calls (吹哨报到), the handlers' "waiting for me" queue, and what
the case page shows of them. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.core.views.base import deny, paginate
from shequ.workorders import services
from shequ.workorders.choices import Action, State
from shequ.workorders.models import Department, GuidanceTemplate, WhistleCall, WorkOrder
from shequ.workorders.selectors import (
    pending_whistles,
    visible,
    waiting_for,
    whistle_calls,
    workorder_get,
)
from shequ.workorders.services.whistle import WHISTLE_STATES, ack_hours, may_answer
from shequ.workorders.states import TRANSITIONS


def _districts(order: WorkOrder):
    return Department.objects.filter(
        is_active=True, district__path__in=order.area.ancestor_paths()
    ).order_by("name")


def flow_context(order: WorkOrder, user: User) -> dict:
    """What the case page adds: the joint-handling record, the whistle form
    for the community, the answer forms for summoned departments, the pause
    state and, for private matters, the guidance templates."""
    calls = whistle_calls(order=order)
    for call in calls:
        call.answerable = may_answer(call, user)
    context = {"whistles": calls}
    if order.state in WHISTLE_STATES and can(user, Action.WHISTLE, order.area_path):
        open_ids = {c.department_id for c in calls if c.reported_at is None}
        context["whistle_departments"] = [d for d in _districts(order) if d.pk not in open_ids]
        context["whistle_hours"] = ack_hours()
    if order.state == State.TRIAGED and order.triage_class == "private":
        context["guidance"] = GuidanceTemplate.objects.filter(is_active=True).order_by("title")[:50]
    if order.merged_into_id:
        context["merged_into"] = order.merged_into
    if order.state in TRANSITIONS["merge"].sources and can(user, Action.MERGE, order.area_path):
        context["duplicates"] = list(services.near_duplicates(order, visible(user)))
    return context


@login_required
@require_POST
def order_whistle(request, pk: int):
    """The community summons departments to the case."""
    order = workorder_get(actor=request.user, pk=pk)
    ids = [int(v) for v in request.POST.getlist("departments") if v.isdigit()][:20]
    departments = list(Department.objects.select_related("district").filter(pk__in=ids))
    hours = request.POST.get("hours", "")
    try:
        services.workorder_whistle(
            order=order,
            actor=request.user,
            departments=departments,
            note=request.POST.get("note", ""),
            hours=int(hours) if hours.isdigit() else None,
        )
    except Forbidden:
        deny(request, Action.WHISTLE)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已吹哨，等待部门报到。"))
    return redirect("workorders:order_detail", pk=order.pk)


def _call_for(request, pk: int) -> WhistleCall:
    call = WhistleCall.objects.select_related("order").filter(pk=pk).first()
    if call is None:
        raise Http404
    workorder_get(actor=request.user, pk=call.order_id)  # 404 when the case is not theirs
    return call


@login_required
@require_POST
def whistle_answer(request, pk: int, step: str):
    """A summoned department acknowledges (报到) or reports what it did."""
    call = _call_for(request, pk)
    try:
        if step == "acknowledge":
            services.whistle_acknowledge(
                call=call, actor=request.user, note=request.POST.get("note", "")
            )
        elif step == "report":
            services.whistle_report(
                call=call, actor=request.user, report=request.POST.get("report", "")
            )
        else:
            raise Http404
    except Forbidden:
        deny(request, Action.HANDLE)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已完成。"))
    return redirect("workorders:order_detail", pk=call.order_id)


@login_required
@require_http_methods(["GET"])
def waiting(request):
    """待我处理: what the handler (a grid worker, a department handler, a
    party member) has to do now, and the whistle calls to their department."""
    if not can(request.user, Action.HANDLE):
        deny(request, Action.HANDLE)
    context = {
        "page": paginate(request, waiting_for(actor=request.user)),
        "calls": list(pending_whistles(actor=request.user)[:50]),
    }
    return render(request, "workorders/waiting.html", context)


@login_required
@require_POST
def order_merge(request, pk: int):
    """Staff merge this case into the one they keep (a near-duplicate)."""
    duplicate = workorder_get(actor=request.user, pk=pk)
    kept = visible(request.user).filter(pk=_int(request.POST.get("kept"))).first()
    if kept is None:
        messages.error(request, _("请选择要保留的工单。"))
        return redirect("workorders:order_detail", pk=duplicate.pk)
    try:
        services.workorder_merge(
            duplicate=duplicate, kept=kept, actor=request.user, note=request.POST.get("note", "")
        )
    except Forbidden:
        deny(request, Action.MERGE)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("workorders:order_detail", pk=duplicate.pk)
    messages.success(request, _("已合并到工单 %(number)s。") % {"number": kept.number})
    return redirect("workorders:order_detail", pk=kept.pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
