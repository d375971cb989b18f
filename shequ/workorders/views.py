"""Work orders on the web: report, queues, the pool, the case page and its
actions. Thin: parse, call a selector or service, render. Cases the user may
not see answer 404 through the selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.choices import AccountKind
from shequ.core.errors import DomainError, Forbidden, InvalidInput
from shequ.core.models import RoleAssignment, User
from shequ.core.roles import roles_with
from shequ.core.scoping import can
from shequ.core.views.base import deny, form_error, paginate
from shequ.workorders import services
from shequ.workorders.attachments import attachments_for
from shequ.workorders.choices import Action, Channel, DispatchTarget, TriageClass
from shequ.workorders.forms import OrderFilterForm, ReportForm
from shequ.workorders.models import Department, GuidanceTemplate
from shequ.workorders.permissions import available_transitions, sees_reporter
from shequ.workorders.selectors import (
    timeline_for,
    visible,
    workorder_get,
    workorder_list,
    workorder_pool,
)
from shequ.workorders.views_flow import flow_context


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    if not can(request.user, Action.REPORT):
        deny(request, Action.REPORT)
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        staff = request.user.kind == AccountKind.STAFF
        try:
            order = services.workorder_create(
                actor=request.user,
                kind=data["kind"],
                category=data["category"],
                area=data["area"],
                title=data["title"],
                description=data["description"],
                address=data["address"],
                channel=data["channel"] if staff else Channel.PORTAL,
                reporter_anonymous=data.get("anonymous", False),
                files=data.get("files") or [],
            )
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("已提交，工单编号 %(number)s，查询码 %(code)s。")
                % {"number": order.number, "code": order.tracking_code},
            )
            if staff:
                similar = services.near_duplicates(order, visible(request.user))
                if similar:
                    messages.warning(
                        request,
                        _("可能与以下工单重复：%(numbers)s，可在工单页合并。")
                        % {"numbers": "、".join(o.number for o in similar)},
                    )
            return redirect("workorders:order_detail", pk=order.pk)
    return render(
        request, "workorders/report.html", {"form": form}, status=400 if form.errors else 200
    )


def _list(request, *, mine: bool, title: str):
    form = OrderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    orders = workorder_list(
        actor=request.user,
        mine=mine,
        state=filters.get("state") or None,
        kind=filters.get("kind") or None,
        overdue=bool(filters.get("overdue")),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": paginate(request, orders),
        "title": title,
        "query": query.urlencode(),
    }
    return render(request, "workorders/order_list.html", context)


@login_required
@require_http_methods(["GET"])
def order_list(request):
    """Every case the user may see: the community's queue for staff."""
    return _list(request, mine=False, title=_("工单"))


@login_required
@require_http_methods(["GET"])
def my_orders(request):
    """What the user reported, handles or owns."""
    return _list(request, mine=True, title=_("我的诉求与工单"))


@login_required
@require_http_methods(["GET"])
def pool(request):
    """Service orders waiting for a party member or volunteer of the community."""
    if not can(request.user, Action.CLAIM):
        deny(request, Action.CLAIM)
    return render(
        request,
        "workorders/pool.html",
        {"page": paginate(request, workorder_pool(actor=request.user))},
    )


def _handler_choices(order) -> list[User]:
    paths = [*order.area.ancestor_paths(), order.area_path]
    rows = RoleAssignment.objects.filter(role__in=roles_with(Action.HANDLE), area_path__in=paths)
    return list(
        User.objects.filter(is_active=True, pk__in=rows.values("user_id")).order_by("username")[
            :100
        ]
    )


def _colleagues(order) -> list[User]:
    paths = [*order.area.ancestor_paths(), order.area_path]
    rows = RoleAssignment.objects.filter(role__in=roles_with(Action.VIEW), area_path__in=paths)
    return list(
        User.objects.filter(is_active=True, kind=AccountKind.STAFF, pk__in=rows.values("user_id"))
        .exclude(pk=order.owner_id)
        .order_by("username")[:100]
    )


@login_required
@require_http_methods(["GET"])
def order_detail(request, pk: int):
    order = workorder_get(actor=request.user, pk=pk)
    actions = available_transitions(order, request.user)
    timeline = timeline_for(order=order, viewer=request.user)
    files_by_entry: dict[int, list] = {}
    for attachment in attachments_for(order=order, viewer=request.user):
        files_by_entry.setdefault(attachment.entry_id, []).append(attachment)
    for entry in timeline:
        entry.files = files_by_entry.get(entry.pk, [])
    context = {
        "order": order,
        "timeline": timeline,
        "attachments": [a for rows in files_by_entry.values() for a in rows],
        "actions": actions,
        "show_reporter": sees_reporter(order, request.user),
        "show_tracking": order.reporter_id == request.user.pk
        or request.user.kind == AccountKind.STAFF,
        "triage_classes": TriageClass.choices,
        "targets": DispatchTarget.choices,
        "ratings": range(5, 0, -1),
    }
    if "dispatch" in actions:
        context["handlers"] = _handler_choices(order)
        context["departments"] = Department.objects.filter(is_active=True).filter(
            Q(district__path__in=order.area.ancestor_paths())
        )
    if "hand_off" in actions:
        context["colleagues"] = _colleagues(order)
    context.update(flow_context(order, request.user))
    return render(request, "workorders/order_detail.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _fire(request, order, transition: str):
    data, actor = request.POST, request.user
    note = data.get("note", "")
    if transition == "triage":
        return services.workorder_triage(
            order=order,
            actor=actor,
            triage_class=data.get("triage_class", ""),
            reason=data.get("reason", ""),
        )
    if transition == "dispatch":
        handler = (
            User.objects.filter(pk=_int(data.get("handler"))).first()
            if data.get("handler")
            else None
        )
        department = (
            Department.objects.filter(pk=_int(data.get("department"))).first()
            if data.get("department")
            else None
        )
        return services.workorder_dispatch(
            order=order,
            actor=actor,
            to=data.get("to", ""),
            handler=handler,
            department=department,
            note=note,
        )
    if transition == "claim":
        return services.workorder_claim(order=order, actor=actor)
    if transition == "release":
        return services.workorder_release(order=order, actor=actor, note=note)
    if transition == "start":
        return services.workorder_start(order=order, actor=actor)
    if transition == "note":
        return services.workorder_add_note(
            order=order,
            actor=actor,
            note=note,
            public=data.get("public") == "1",
            files=request.FILES.getlist("files"),
        )
    if transition == "resolve":
        return services.workorder_resolve(
            order=order, actor=actor, note=note, files=request.FILES.getlist("files")
        )
    if transition == "close":
        if not note.strip() and data.get("guidance"):
            template = GuidanceTemplate.objects.filter(
                pk=_int(data.get("guidance")), is_active=True
            ).first()
            note = template.body if template else ""
        return services.workorder_close(order=order, actor=actor, note=note)
    if transition == "rate":
        return services.workorder_rate(
            order=order,
            actor=actor,
            rating=_int(data.get("rating")) or 0,
            comment=data.get("comment", ""),
        )
    if transition == "hand_off":
        to_user = User.objects.filter(pk=_int(data.get("to_user"))).first()
        if to_user is None:
            raise InvalidInput(_("只能转交给能查看该工单的工作人员。"), field="to_user")
        return services.workorder_hand_off(order=order, actor=actor, to_user=to_user, note=note)
    if transition == "pause":
        return services.workorder_pause(order=order, actor=actor, reason=data.get("reason", ""))
    if transition == "resume":
        return services.workorder_resume(order=order, actor=actor, note=note)
    raise Http404


TRANSITION_NAMES = (
    "triage",
    "dispatch",
    "claim",
    "release",
    "start",
    "note",
    "resolve",
    "close",
    "rate",
    "hand_off",
    "pause",
    "resume",
)


@login_required
@require_POST
def order_act(request, pk: int, transition: str):
    """One step of the state machine from the case page; the service decides."""
    if transition not in TRANSITION_NAMES:
        raise Http404
    order = workorder_get(actor=request.user, pk=pk, for_claim=transition == "claim")
    try:
        _fire(request, order, transition)
    except Forbidden:
        deny(request, f"workorders.{transition}")
    except DomainError as error:
        messages.error(request, str(error.message))
        if transition == "claim":  # lost to someone faster: the case is no longer theirs to see
            return redirect("workorders:pool")
    else:
        messages.success(request, _("已完成。"))
    return redirect("workorders:order_detail", pk=order.pk)
