"""What the community and street see of the field work: ledger change
proposals to decide, monthly coverage, instructions and their roll-up, and
grid workers' work logs."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area, RoleAssignment, User
from shequ.core.roles import Role
from shequ.core.scoping import can, get_scoped_or_404, restrict, scope_paths
from shequ.core.views.base import deny
from shequ.field import selectors
from shequ.field.choices import Action
from shequ.field.models import LedgerChangeProposal
from shequ.field.services import instruction_send, proposal_decide, worklog_comment_add
from shequ.field.services.proposals import conflicts


def _require(request, action: str) -> None:
    if not can(request.user, action):
        deny(request, action)


@login_required
@require_GET
def proposals(request):
    _require(request, Action.VIEW)
    rows = list(selectors.proposal_list(actor=request.user)[:200])
    for row in rows:
        row.conflicts = conflicts(row)
        row.can_decide = can(request.user, Action.APPROVE, row.area_path)
    decided = selectors.proposal_list(actor=request.user, state=None).exclude(state="pending")[:20]
    return render(request, "field/proposals.html", {"rows": rows, "decided": decided})


@login_required
@require_POST
def proposal_decide_view(request, pk: int):
    proposal = get_scoped_or_404(
        LedgerChangeProposal.objects.all(), request.user, Action.VIEW, pk=pk
    )
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("请选择通过或驳回。"))
        return redirect("field:proposals")
    try:
        proposal_decide(
            actor=request.user,
            proposal=proposal,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
            checked=request.POST.get("checked") == "1",
        )
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("已通过，台账已更新。") if decision == "approve" else _("已驳回。"),
        )
    return redirect("field:proposals")


def _month(value: str | None) -> date:
    try:
        return datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
@require_GET
def coverage(request):
    """Monthly full coverage (全覆盖) of an area: per grid, building and unit,
    and the households not reached yet."""
    _require(request, Action.VIEW)
    areas = selectors.coverage_areas(actor=request.user)
    try:
        pk = int(request.GET.get("area") or 0)
    except ValueError:
        pk = 0
    if pk:
        area = get_scoped_or_404(Area.objects.all(), request.user, Action.VIEW, pk=pk)
    elif areas:
        area = areas[0]
    else:
        raise Http404
    month = _month(request.GET.get("month"))
    report = selectors.coverage(actor=request.user, area=area, month=month)
    return render(
        request,
        "field/coverage.html",
        {"report": report, "areas": areas, "month_value": month.strftime("%Y-%m")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def instructions(request):
    """Send an instruction to the grid workers of an area; see the roll-up."""
    _require(request, Action.INSTRUCT)
    targets = list(
        restrict(Area.objects.all(), request.user, Action.INSTRUCT)
        .filter(level__in=["street", "community", "grid"])
        .order_by("path")[:300]
    )
    values = {}
    status = 200
    if request.method == "POST":
        values = request.POST
        try:
            area = get_scoped_or_404(
                Area.objects.all(), request.user, Action.INSTRUCT, pk=int(values.get("area") or 0)
            )
            deadline = _deadline(values.get("deadline"))
            instruction_send(
                actor=request.user,
                area=area,
                title=values.get("title", ""),
                body=values.get("body", ""),
                checklist=values.get("checklist", ""),
                deadline=deadline,
                recipients=[int(v) for v in values.getlist("recipients") if v.isdigit()],
            )
        except ValueError:
            messages.error(request, _("请选择发往区域。"))
            status = 400
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            messages.error(request, str(error.message))
            status = 400
        else:
            messages.success(request, _("指令已发出。"))
            return redirect("field:instructions")
    return render(
        request,
        "field/instructions.html",
        {
            "targets": targets,
            "rollup": selectors.instruction_rollup(actor=request.user),
            "values": values,
            "workers": _workers(request),
        },
        status=status,
    )


def _deadline(value: str | None):
    try:
        parsed = datetime.strptime(value or "", "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return timezone.make_aware(parsed)


def _worker_for(request, worker_id: str | None) -> tuple[User, str]:
    """The worker whose log is asked for, and their grid: oneself, or a grid
    worker inside the asker's area (404 otherwise)."""
    user = request.user
    try:
        pk = int(worker_id or user.pk)
    except ValueError as exc:
        raise Http404 from exc
    if pk == user.pk and can(user, Action.VISIT):
        paths = scope_paths(user, Action.VISIT)
        return user, paths[0]
    role = (
        restrict(RoleAssignment.objects.all(), user, Action.VIEW, "area_path")
        .filter(user_id=pk, role__in=[Role.GRID_WORKER, Role.BUILDING_TEAM])
        .select_related("user")
        .first()
    )
    if role is None:
        raise Http404
    return role.user, role.area_path


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


@login_required
@require_GET
def worklog(request):
    """A day's work log: filled in from the day's visits, cases and instruction
    replies, with the worker's own notes and supervisors' comments."""
    _require(request, Action.VIEW)
    workers = _workers(request)
    asked = request.GET.get("worker")
    if not asked and not can(request.user, Action.VISIT):
        if not workers:
            return render(
                request,
                "field/worklog.html",
                {"workers": [], "nobody": True, "base": "core/base.html"},
            )
        asked = str(workers[0].pk)
    worker, path = _worker_for(request, asked)
    day = _day(request.GET.get("day"))
    context = selectors.worklog(actor=request.user, worker=worker, day=day)
    context["own"] = worker.pk == request.user.pk
    context["can_comment"] = can(request.user, Action.INSTRUCT, path)
    context["workers"] = workers
    context["base"] = "field/base.html" if can(request.user, Action.VISIT) else "core/base.html"
    return render(request, "field/worklog.html", context)


def _workers(request) -> list[User]:
    if not can(request.user, Action.INSTRUCT):
        return []
    ids = (
        restrict(RoleAssignment.objects.all(), request.user, Action.INSTRUCT, "area_path")
        .filter(role__in=[Role.GRID_WORKER, Role.BUILDING_TEAM])
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids).order_by("username")[:200])


@login_required
@require_POST
def worklog_comment(request):
    _require(request, Action.INSTRUCT)
    worker, path = _worker_for(request, request.POST.get("worker"))
    day = _day(request.POST.get("day"))
    try:
        worklog_comment_add(
            actor=request.user,
            worker=worker,
            day=day,
            area_path=path,
            comment=request.POST.get("comment", ""),
        )
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("点评已保存。"))
    return redirect(f"{reverse('field:worklog')}?worker={worker.pk}&day={day.isoformat()}")
