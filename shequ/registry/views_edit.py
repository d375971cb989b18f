"""Changing the ledger from the staff console: new households and residents,
edits with a reason, the life-event actions, soft removal and restoration,
rentals, tags, and the export of a search result.

Thin, like every view: parse a form, call one service, redirect or show the
form again with the service's message on the field it concerns. Objects are
fetched through the scoped selectors, so anything outside the user's areas
answers 404; a missing right answers 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError, Forbidden, InvalidInput
from shequ.core.views.base import form_error, requires
from shequ.registry import forms
from shequ.registry.choices import Action
from shequ.registry.exporting import resident_export
from shequ.registry.models import KeyPopulationTag
from shequ.registry.selectors import household_get
from shequ.registry.selectors_search import household_areas, resident_get_any
from shequ.registry.services import household_create, resident_create, resident_tag_add
from shequ.registry.services_events import (
    household_change_head,
    household_remove,
    household_restore,
    resident_correct,
    resident_move_household,
    resident_move_in,
    resident_move_out,
    resident_record_birth,
    resident_record_death,
    resident_remove,
    resident_restore,
    resident_tag_remove,
)
from shequ.registry.services_rentals import rental_end, rental_register


def _run(form, call):
    """Call a service; a domain error goes onto the form (a 403 stays a 403)."""
    try:
        return call(), None
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        form_error(form, error)
        return None, error


def _status(error) -> int:
    return getattr(error, "status", 400) if error is not None else 400


# --------------------------------------------------------------------------
# New households and residents, edits
# --------------------------------------------------------------------------


@requires(Action.CHANGE)
@require_http_methods(["GET", "POST"])
def household_create_view(request):
    form = forms.HouseholdForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            area = household_areas(actor=request.user).filter(pk=form.cleaned_data["area"]).first()
            if area is None:
                raise Http404
            household, error = _run(
                form,
                lambda: household_create(
                    actor=request.user,
                    area=area,
                    room=form.cleaned_data["room"],
                    number=form.cleaned_data["number"],
                ),
            )
            if household is not None:
                messages.success(request, _("已登记新户。"))
                return redirect("registry:household_detail", pk=household.pk)
        status = 400
    return render(request, "registry/household_form.html", {"form": form}, status=status)


@requires(Action.CHANGE)
@require_http_methods(["GET", "POST"])
def resident_add_view(request, pk: int):
    household = household_get(actor=request.user, pk=pk)
    form = forms.ResidentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.service_data(editing=False)
            how = form.cleaned_data["how"]

            def create():
                if how == "move_in":
                    return resident_move_in(
                        actor=request.user,
                        household=household,
                        origin=form.cleaned_data["origin"],
                        **data,
                    )
                if how == "birth":
                    return resident_record_birth(actor=request.user, household=household, **data)
                return resident_create(actor=request.user, household=household, **data)

            resident, error = _run(form, create)
            if resident is not None:
                messages.success(request, _("已登记 %(name)s。") % {"name": resident.name})
                return redirect("registry:resident_detail", pk=resident.pk)
        status = 400
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "household": household},
        status=status,
    )


@requires(Action.CHANGE)
@require_http_methods(["GET", "POST"])
def resident_edit_view(request, pk: int):
    resident = resident_get_any(actor=request.user, pk=pk)
    initial = {
        f: getattr(resident, f) for f in forms.ResidentForm.base_fields if hasattr(resident, f)
    }
    initial.update(id_number="", mobile="", version=resident.version)
    form = forms.ResidentForm(request.POST or None, initial=initial, resident=resident)
    status = 200
    if request.method == "POST":
        error = None
        if form.is_valid():
            data = form.service_data(editing=True)
            updated, error = _run(
                form,
                lambda: resident_correct(
                    actor=request.user,
                    resident=resident,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    **data,
                ),
            )
            if updated is not None:
                messages.success(request, _("已保存修改。"))
                return redirect("registry:resident_detail", pk=resident.pk)
        status = _status(error)
    return render(
        request,
        "registry/resident_form.html",
        {"form": form, "resident": resident, "household": resident.household},
        status=status,
    )


# --------------------------------------------------------------------------
# Life events, removal, tags (small forms on the resident page)
# --------------------------------------------------------------------------

RESIDENT_ACTIONS = {
    "move_out": forms.MoveOutForm,
    "death": forms.DeathForm,
    "move_household": forms.MoveHouseholdForm,
    "remove": forms.ReasonForm,
    "restore": forms.OptionalReasonForm,
    "tag_add": forms.TagForm,
    "tag_remove": forms.TagForm,
}


def _resident_call(request, resident, action: str, data: dict):
    actor = request.user
    version = data.get("version")
    if action == "move_out":
        return lambda: resident_move_out(
            actor=actor,
            resident=resident,
            destination=data["destination"],
            reason=data["reason"],
            occurred_on=data["occurred_on"],
            expected_version=version,
        )
    if action == "death":
        return lambda: resident_record_death(
            actor=actor,
            resident=resident,
            occurred_on=data["occurred_on"],
            reason=data["reason"],
            expected_version=version,
        )
    if action == "move_household":
        try:
            target = household_get(actor=actor, pk=data["household"])
        except Http404 as missing:
            raise InvalidInput(
                _("在您的辖区内没有找到这个户编号。"), field="household"
            ) from missing
        return lambda: resident_move_household(
            actor=actor,
            resident=resident,
            household=target,
            relation_to_head=data["relation_to_head"],
            reason=data["reason"],
            expected_version=version,
        )
    if action == "remove":
        return lambda: resident_remove(
            actor=actor, resident=resident, reason=data["reason"], expected_version=version
        )
    if action == "restore":
        return lambda: resident_restore(actor=actor, resident=resident, reason=data["reason"])
    tag = KeyPopulationTag.objects.get(code=data["tag"])
    if action == "tag_add":
        return lambda: resident_tag_add(
            actor=actor, resident=resident, tag=tag, valid_from=data.get("valid_from")
        )
    return lambda: resident_tag_remove(actor=actor, resident=resident, tag=tag)


@requires(Action.VIEW)
@require_POST
def resident_action_view(request, pk: int, action: str):
    """One life-event action on a resident; on a problem the resident page is
    shown again with the message beside the form that was sent."""
    from shequ.registry.views import resident_page

    form_class = RESIDENT_ACTIONS.get(action)
    if form_class is None:
        raise Http404
    resident = resident_get_any(actor=request.user, pk=pk)
    form = form_class(request.POST)
    error = None
    if form.is_valid():
        result, error = _run(
            form, lambda: _resident_call(request, resident, action, form.cleaned_data)()
        )
        if error is None:
            messages.success(request, _("已办理。"))
            return redirect("registry:resident_detail", pk=resident.pk)
    return resident_page(
        request,
        resident_get_any(actor=request.user, pk=pk),
        status=_status(error),
        forms_override={action: form},
    )


HOUSEHOLD_ACTIONS = {
    "change_head": forms.ChangeHeadForm,
    "remove": forms.ReasonForm,
    "restore": forms.OptionalReasonForm,
    "rental": forms.RentalForm,
    "rental_end": forms.RentalEndForm,
}


def _household_call(request, household, action: str, data: dict, members):
    from shequ.registry.selectors_search import rental_get

    actor = request.user
    by_id = {m.pk: m for m in members}
    if action == "change_head":
        return lambda: household_change_head(
            actor=actor,
            household=household,
            new_head=by_id[data["new_head"]],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
    if action == "remove":
        return lambda: household_remove(
            actor=actor,
            household=household,
            reason=data["reason"],
            expected_version=data.get("version"),
        )
    if action == "restore":
        return lambda: household_restore(actor=actor, household=household, reason=data["reason"])
    if action == "rental":
        return lambda: rental_register(
            actor=actor,
            household=household,
            landlord=by_id.get(data["landlord"]) if data.get("landlord") else None,
            landlord_name=data["landlord_name"],
            tenants=[by_id[t] for t in data["tenants"]],
            lease_start=data["lease_start"],
            lease_end=data["lease_end"],
            notes=data["notes"],
        )
    rental = rental_get(actor=actor, pk=data["rental"])
    if rental.household_id != household.pk:
        raise Http404
    return lambda: rental_end(actor=actor, rental=rental, reason=data["reason"])


@requires(Action.VIEW)
@require_POST
def household_action_view(request, pk: int, action: str):
    from shequ.registry.views import household_page

    form_class = HOUSEHOLD_ACTIONS.get(action)
    if form_class is None:
        raise Http404
    household = household_get(actor=request.user, pk=pk)
    from shequ.registry.selectors import household_members

    members = list(household_members(actor=request.user, household=household))
    kwargs = {"members": members} if action in ("change_head", "rental") else {}
    form = form_class(request.POST, **kwargs)
    error = None
    if form.is_valid():
        result, error = _run(
            form, _household_call(request, household, action, form.cleaned_data, members)
        )
        if error is None:
            messages.success(request, _("已办理。"))
            return redirect("registry:household_detail", pk=household.pk)
    return household_page(
        request,
        household_get(actor=request.user, pk=pk),
        status=_status(error),
        forms_override={action: form},
    )


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


@requires(Action.VIEW)
@require_POST
def resident_export_view(request):
    """The current search, as a masked xlsx or csv (filters in the POST body)."""
    form = forms.ResidentFilterForm(request.POST, actor=request.user)
    fmt_form = forms.ExportForm(request.POST)
    if form.is_valid() and fmt_form.is_valid():
        try:
            return resident_export(
                request=request, filters=form.filters(), fmt=fmt_form.cleaned_data["format"]
            )
        except DomainError as error:
            form_error(form, error)
    from shequ.registry.views import resident_list_page

    return resident_list_page(request, form, status=400)
