"""The ledger in the staff console: search, a resident's page, a household's page.

Thin: parse, call a selector or service, render. Objects outside the user's
areas answer 404 through the selectors.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.scoping import can
from shequ.core.views.base import requires
from shequ.registry.choices import Action
from shequ.registry.forms import ResidentSearchForm, RevealForm
from shequ.registry.selectors import household_get, household_members, resident_get, resident_list
from shequ.registry.services import resident_reveal

PER_PAGE = 50


@requires(Action.VIEW)
@require_http_methods(["GET", "POST"])
def resident_list_view(request):
    """GET lists the residents in scope; POST searches (the box may hold an ID number)."""
    form = ResidentSearchForm(request.POST if request.method == "POST" else None)
    query, page_number = "", 1
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"].strip()
        page_number = form.cleaned_data["page"] or 1
    residents = resident_list(actor=request.user, query=query)
    page = Paginator(residents, PER_PAGE).get_page(page_number)
    return render(
        request, "registry/resident_list.html", {"form": form, "query": query, "page": page}
    )


def _detail_context(request, resident, **extra):
    return {
        "resident": resident,
        "tags": list(resident.tags.all()),
        "household": resident.household,
        "can_reveal": can(request.user, Action.REVEAL, resident.area_path),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        **extra,
    }


@requires(Action.VIEW)
def resident_detail(request, pk: int):
    resident = resident_get(actor=request.user, pk=pk)
    return render(request, "registry/resident_detail.html", _detail_context(request, resident))


@requires(Action.VIEW)
@require_POST
def resident_reveal_view(request, pk: int):
    """Show the full numbers once, in this response only (never stored in the session or URL)."""
    resident = resident_get(actor=request.user, pk=pk)
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
    context = _detail_context(request, resident, reveal_form=form, revealed=revealed)
    return render(request, "registry/resident_detail.html", context, status=status)


@requires(Action.VIEW)
def household_detail(request, pk: int):
    household = household_get(actor=request.user, pk=pk)
    members = list(household_members(actor=request.user, household=household))
    return render(
        request, "registry/household_detail.html", {"household": household, "members": members}
    )
