"""The ledger in the staff console: search, a resident's page, a household's page.

Thin: parse, call a selector or service, render. Objects outside the user's
areas answer 404 through the selectors. The changing views are in
``views_edit``.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.scoping import can
from shequ.core.views.base import form_error, requires
from shequ.registry import forms
from shequ.registry.choices import Action
from shequ.registry.forms import ResidentFilterForm, RevealForm
from shequ.registry.labels import visible_tags
from shequ.registry.selectors import household_get, household_members
from shequ.registry.selectors_search import (
    ResidentFilters,
    household_rentals,
    life_events,
    resident_get_any,
    resident_search,
    resident_timeline,
)
from shequ.registry.services import resident_reveal

PER_PAGE = 50


def resident_list_page(request, form, *, status: int = 200):
    filters, page_number = ResidentFilters(), 1
    if form.is_bound and form.is_valid():
        page_number = form.cleaned_data["page"] or 1
        filters = form.filters()
    try:
        residents = resident_search(actor=request.user, filters=filters)
    except InvalidInput as error:
        form_error(form, error)
        residents, status = (
            resident_search(actor=request.user, filters=ResidentFilters()).none(),
            400,
        )
    page = Paginator(residents, PER_PAGE).get_page(page_number)
    context = {
        "form": form,
        "query": filters.query,
        "filtered": form.is_bound,
        "removed": filters.removed,
        "page": page,
        "export_form": forms.ExportForm(),
        "can_change": can(request.user, Action.CHANGE),
        "can_export_full": can(request.user, Action.EXPORT_FULL),
    }
    return render(request, "registry/resident_list.html", context, status=status)


@requires(Action.VIEW)
@require_http_methods(["GET", "POST"])
def resident_list_view(request):
    """GET lists the residents in scope; POST searches and filters (the box
    and the last four digits may be personal numbers, never put in a URL)."""
    bound = request.method == "POST"
    form = ResidentFilterForm(request.POST if bound else None, actor=request.user)
    return resident_list_page(request, form)


def resident_page(request, resident, *, status: int = 200, forms_override=None, **extra):
    household = resident.household
    path = resident.area_path
    action_forms = {
        "move_out": forms.MoveOutForm(initial={"version": resident.version}),
        "death": forms.DeathForm(initial={"version": resident.version}),
        "move_household": forms.MoveHouseholdForm(initial={"version": resident.version}),
        "remove": forms.ReasonForm(initial={"version": resident.version}),
        "restore": forms.OptionalReasonForm(),
        "tag_add": forms.TagForm(),
    }
    action_forms.update(forms_override or {})
    context = {
        "resident": resident,
        "tags": list(
            resident.tags.filter(visible_tags(request.user, resident.area_path)).select_related(
                "tag"
            )
        ),
        "household": household,
        "can_reveal": can(request.user, Action.REVEAL, path),
        "can_change": can(request.user, Action.CHANGE, path),
        "can_restore": can(request.user, Action.RESTORE, path),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        "timeline": resident_timeline(actor=request.user, resident=resident),
        "action_forms": action_forms,
        **extra,
    }
    response = render(request, "registry/resident_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.VIEW)
def resident_detail(request, pk: int):
    return resident_page(request, resident_get_any(actor=request.user, pk=pk))


@requires(Action.VIEW)
@require_POST
def resident_reveal_view(request, pk: int):
    """Show the full numbers once, in this response only (never stored in the session or URL)."""
    resident = resident_get_any(actor=request.user, pk=pk)
    form = RevealForm(request.POST)
    status, revealed = 200, None
    if form.is_valid():
        try:
            revealed = resident_reveal(
                actor=request.user, resident=resident, reason=form.cleaned_data["reason"]
            )
        except Forbidden as error:
            raise PermissionDenied from error
        except InvalidInput as error:
            form.add_error("reason", str(error.message))
            status = 400
    else:
        status = 400
    return resident_page(request, resident, status=status, reveal_form=form, revealed=revealed)


def household_page(request, household, *, status: int = 200, forms_override=None):
    members = list(household_members(actor=request.user, household=household))
    action_forms = {
        "change_head": forms.ChangeHeadForm(
            members=members, initial={"version": household.version}
        ),
        "remove": forms.ReasonForm(initial={"version": household.version}),
        "restore": forms.OptionalReasonForm(),
        "rental": forms.RentalForm(members=members),
    }
    action_forms.update(forms_override or {})
    path = household.area_path
    context = {
        "household": household,
        "members": members,
        "rentals": household_rentals(actor=request.user, household=household),
        "events": list(life_events(actor=request.user, household=household)[:100]),
        "can_change": can(request.user, Action.CHANGE, path),
        "can_restore": can(request.user, Action.RESTORE, path),
        "action_forms": action_forms,
    }
    response = render(request, "registry/household_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.VIEW)
def household_detail(request, pk: int):
    return household_page(request, household_get(actor=request.user, pk=pk))
