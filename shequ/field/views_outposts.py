"""Outpost service on the web: the week's coverage and the schedule
(community), and the outpost page where staff record what they handled."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area
from shequ.core.scoping import can, get_scoped_or_404, restrict
from shequ.core.views.base import deny
from shequ.field import selectors
from shequ.field.choices import Action
from shequ.field.models import Outpost, OutpostServiceKind
from shequ.field.services import outpost_schedule, outpost_service_record
from shequ.field.views_sync import _domain, _wants_json


@login_required
@require_http_methods(["GET", "POST"])
def outposts(request):
    if not can(request.user, Action.OUTPOST):
        deny(request, Action.OUTPOST)
    places = (
        list(
            restrict(Area.objects.all(), request.user, Action.INSTRUCT)
            .filter(level__in=["estate", "building"])
            .order_by("path")[:300]
        )
        if can(request.user, Action.INSTRUCT)
        else []
    )
    status = 200
    if request.method == "POST":
        if not can(request.user, Action.INSTRUCT):
            deny(request, Action.INSTRUCT)
        try:
            area = get_scoped_or_404(
                Area.objects.all(),
                request.user,
                Action.INSTRUCT,
                pk=int(request.POST.get("area") or 0),
            )
        except ValueError as exc:
            raise Http404 from exc
        try:
            outpost_schedule(
                actor=request.user,
                area=area,
                weekdays=request.POST.getlist("weekdays"),
                hours=request.POST.get("hours", ""),
                staff=request.user,
            )
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            messages.error(request, str(error.message))
            status = 400
        else:
            messages.success(request, _("驻点安排已保存。"))
            return redirect("field:outposts")
    return render(
        request,
        "field/outposts.html",
        {
            "rows": selectors.outpost_week(actor=request.user),
            "places": places,
            "weekdays": list(enumerate(selectors.WEEKDAY_NAMES)),
        },
        status=status,
    )


@login_required
@require_GET
def outpost_detail(request, pk: int):
    outpost = get_scoped_or_404(
        Outpost.objects.select_related("area"), request.user, Action.OUTPOST, pk=pk
    )
    return render(
        request,
        "field/outpost_detail.html",
        {
            "outpost": outpost,
            "kinds": OutpostServiceKind.choices,
            "recent": outpost.services.select_related("workorder", "recorded_by")[:30],
        },
    )


@login_required
@require_POST
def sync_outpost(request):
    """Upload one item handled at an outpost (from the offline queue)."""
    if not can(request.user, Action.OUTPOST):
        deny(request, Action.OUTPOST)
    try:
        pk = int(request.POST.get("outpost") or 0)
    except ValueError:
        pk = 0
    outpost = get_scoped_or_404(
        Outpost.objects.select_related("area"), request.user, Action.OUTPOST, pk=pk
    )
    try:
        result = outpost_service_record(
            actor=request.user,
            outpost=outpost,
            client_id=request.POST.get("client_id"),
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            to_case=request.POST.get("to_case") == "1",
            client_time=request.POST.get("client_time"),
            client_sent_at=request.POST.get("client_sent_at"),
        )
    except DomainError as error:
        return _domain(request, error, back="field:outposts")
    service = result.service
    if not _wants_json(request):
        messages.success(request, _("已记录。"))
        return redirect("field:outpost_detail", pk=outpost.pk)
    cases = (
        [{"number": service.workorder.number, "kind": service.workorder.get_kind_display()}]
        if service.workorder_id
        else []
    )
    return JsonResponse(
        {"id": service.pk, "replayed": result.replayed, "cases": cases},
        status=200 if result.replayed else 201,
    )
