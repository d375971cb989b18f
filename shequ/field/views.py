"""The phone pages of a grid worker's day: Today, the visit form, visit
history, photos, and turning a need into a case. Thin: parse, call a
selector or service, render. Objects outside the user's grids answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.views.base import deny, paginate
from shequ.field import selectors
from shequ.field.choices import MUST_CONTACT, MUST_KNOW, Action
from shequ.field.models import Need, Visit, VisitPhoto
from shequ.field.services import need_convert
from shequ.registry.choices import Gender, Relation
from shequ.workorders import media
from shequ.workorders.choices import OPEN_STATES, Kind
from shequ.workorders.selectors import category_list, workorder_list

TODAY_LIMIT = 40


def _require(request, action: str) -> None:
    if not can(request.user, action):
        deny(request, action)


@login_required
@require_GET
def today(request):
    """On opening: my grids, households due for a visit, open instructions,
    my open cases; the unsynced items are listed by the page's script."""
    _require(request, Action.VISIT)
    due = selectors.due_visits(actor=request.user)
    urgent = [d for d in due if d.urgent]
    monthly = [d for d in due if not d.urgent]
    cases = workorder_list(actor=request.user, mine=True).filter(state__in=OPEN_STATES)[:20]
    return render(
        request,
        "field/today.html",
        {
            "grids": selectors.my_grids(actor=request.user),
            "urgent": urgent[:TODAY_LIMIT],
            "monthly": monthly[:TODAY_LIMIT],
            "monthly_count": len(monthly),
            "assignments": selectors.my_assignments(actor=request.user),
            "cases": cases,
        },
    )


@login_required
@require_GET
def visit_form(request):
    """The visit form: one page for every household of my grids (the
    household comes from ?household= or the picker), cached by the service
    worker so it opens with no signal. It posts to the offline queue."""
    _require(request, Action.VISIT)
    households = selectors.household_choices(actor=request.user)
    units: dict[str, list] = {}
    for item in households:
        units.setdefault(item["unit"], []).append(item)
    members = {str(h["id"]): h["members"] for h in households}
    categories = {
        kind: [{"code": c.code, "name": c.name} for c in category_list(kind=kind)]
        for kind in (Kind.SERVICE_ORDER, Kind.INCIDENT)
    }
    return render(
        request,
        "field/visit_form.html",
        {
            "units": units,
            "members": members,
            "categories": categories,
            "must_contact": MUST_CONTACT,
            "must_know": MUST_KNOW,
            "genders": Gender.choices,
            "relations": [c for c in Relation.choices if c[0] != Relation.HEAD],
        },
    )


@login_required
@require_GET
def report_form(request):
    """Report an incident or a dispute lead from the street: location,
    photos (shrunk on the phone) and a short video; works offline."""
    _require(request, Action.VISIT)
    return render(
        request,
        "field/report_form.html",
        {
            "areas": selectors.report_areas(actor=request.user),
            "categories": category_list(kind=Kind.INCIDENT),
            "video_mb": media.video_max_bytes() // media.MB,
        },
    )


@login_required
@require_GET
def grid_map(request):
    """The grid's buildings with today's due visits and reports, drawn as
    SVG from our own data: works without internet map tiles."""
    _require(request, Action.VISIT)
    return render(request, "field/map.html", {"maps": selectors.grid_map(actor=request.user)})


@login_required
@require_GET
def visit_list(request):
    _require(request, Action.VIEW)
    try:
        household = int(request.GET.get("household") or 0) or None
    except ValueError:
        household = None
    visits = selectors.visit_list(actor=request.user, household=household)
    return render(request, "field/visit_list.html", {"page": paginate(request, visits, 30)})


@login_required
@require_GET
def visit_detail(request, pk: int):
    visit = get_scoped_or_404(
        Visit.objects.select_related("household__area__parent", "worker"),
        request.user,
        Action.VIEW,
        pk=pk,
    )
    return render(
        request,
        "field/visit_detail.html",
        {
            "visit": visit,
            "needs": visit.needs.select_related("workorder"),
            "photos": visit.photos.all(),
            "proposals": visit.proposals.select_related("resident"),
            "contact": [label for code, label in MUST_CONTACT if code in visit.must_contact],
            "know": [label for code, label in MUST_KNOW if code in visit.must_know],
            "can_convert": can(request.user, Action.VISIT, visit.area_path),
            "categories": {
                kind: category_list(kind=kind) for kind in (Kind.SERVICE_ORDER, Kind.INCIDENT)
            },
        },
    )


@login_required
@require_GET
def photo(request, pk: int):
    item = get_scoped_or_404(VisitPhoto.objects.all(), request.user, Action.VIEW, pk=pk)
    try:
        handle = default_storage.open(item.storage_name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(handle, content_type=item.content_type)


@login_required
@require_POST
def need_convert_view(request, pk: int):
    """One tap: a need found on a visit becomes a service order or an incident."""
    need = get_scoped_or_404(
        Need.objects.select_related("visit"), request.user, Action.VISIT, pk=pk
    )
    try:
        order = need_convert(
            actor=request.user,
            need=need,
            kind=request.POST.get("kind", ""),
            category=request.POST.get("category", ""),
        )
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已转为工单 %(number)s。") % {"number": order.number})
    return redirect("field:visit_detail", pk=need.visit_id)
