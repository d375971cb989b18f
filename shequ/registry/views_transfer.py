"""Screens of transfers between communities (跨社区迁移): the list of a
community's incoming and outgoing requests, one request with its decision,
"迁往其他社区" from a resident's page and "从其他社区迁入" from a household's.

Thin: parse a form, call one service, redirect. Only community staff
(``registry.transfer``) reach them; objects outside the user's side answer 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area
from shequ.core.scoping import get_scoped_or_404
from shequ.core.views.base import form_error, paginate, requires
from shequ.registry.choices import Action, Relation, TransferDirection, TransferState
from shequ.registry.models import Household
from shequ.registry.selectors_search import resident_get_any
from shequ.registry.selectors_transfer import (
    transfer_card,
    transfer_cards,
    transfer_get,
    transfer_list,
)
from shequ.registry.services_transfer import (
    transfer_addresses,
    transfer_cancel,
    transfer_communities,
    transfer_decide,
    transfer_request_pull,
    transfer_request_push,
    transfer_target_household,
)


class PullForm(forms.Form):
    id_number = forms.CharField(
        label=gettext_lazy("公民身份号码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    relation_to_head = forms.ChoiceField(
        label=gettext_lazy("与户主关系"), choices=Relation.choices, initial=Relation.OTHER
    )
    reason = forms.CharField(label=gettext_lazy("迁移原因"), max_length=200, required=False)


class PushForm(forms.Form):
    community = forms.TypedChoiceField(label=gettext_lazy("迁往社区"), coerce=int)
    area = forms.TypedChoiceField(label=gettext_lazy("楼栋或单元"), coerce=int)
    room = forms.CharField(label=gettext_lazy("门牌号/室"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("迁移原因"), max_length=200, required=False)

    def __init__(self, *args, actor, community: Area | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {a.pk: a for a in transfer_communities(actor=actor)}
        self.fields["community"].choices = [
            ("", "—"),
            *[(pk, a.name) for pk, a in self.communities.items()],
        ]
        addresses = transfer_addresses(community=community) if community else []
        self.addresses = {a.pk: a for a in addresses}
        self.fields["area"].choices = [(pk, a.name) for pk, a in self.addresses.items()]
        if community is not None:
            self.fields["community"].initial = community.pk


class DecideForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("处理意见（拒绝时必填）"), max_length=200, required=False
    )
    # Shown on a push only: the receiving side knows the household.
    relation_to_head = forms.ChoiceField(
        label=gettext_lazy("迁入后与户主关系"),
        choices=Relation.choices,
        initial=Relation.OTHER,
        required=False,
    )


class CancelForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


def _run(form, call):
    try:
        return call(), None
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        form_error(form, error)
        return None, error


@requires(Action.TRANSFER)
@require_http_methods(["GET"])
def transfer_list_view(request):
    """Pending incoming (to decide), pending outgoing (to wait for or withdraw), history."""
    actor = request.user
    context = {
        "incoming": transfer_cards(
            actor=actor, transfers=transfer_list(actor=actor, side="incoming", pending=True)[:200]
        ),
        "outgoing": transfer_cards(
            actor=actor, transfers=transfer_list(actor=actor, side="outgoing", pending=True)[:200]
        ),
    }
    history = paginate(request, transfer_list(actor=actor, pending=False))
    context["history_page"] = history
    context["history"] = transfer_cards(actor=actor, transfers=history)
    response = render(request, "registry/transfer_list.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _detail(request, transfer, *, decide_form=None, cancel_form=None, status=200):
    card = transfer_card(actor=request.user, transfer=transfer)
    context = {
        "t": card,
        "push": transfer.direction == TransferDirection.PUSH,
        "decide_form": decide_form or DecideForm(),
        "cancel_form": cancel_form or CancelForm(),
    }
    response = render(request, "registry/transfer_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.TRANSFER)
@require_http_methods(["GET"])
def transfer_detail_view(request, pk: int):
    return _detail(request, transfer_get(actor=request.user, pk=pk))


@requires(Action.TRANSFER)
@require_POST
def transfer_decide_view(request, pk: int):
    transfer = transfer_get(actor=request.user, pk=pk)
    form = DecideForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        relation = (
            form.cleaned_data["relation_to_head"] or None
            if transfer.direction == TransferDirection.PUSH
            else None
        )
        done, error = _run(
            form,
            lambda: transfer_decide(
                actor=request.user,
                transfer=transfer,
                accept=accept,
                note=form.cleaned_data["note"],
                relation_to_head=relation,
            ),
        )
        if done is not None:
            messages.success(request, _("已确认迁入。") if accept else _("已拒绝该申请。"))
            return redirect("registry:transfer_detail", pk=transfer.pk)
        return _detail(request, transfer, decide_form=form, status=getattr(error, "status", 400))
    return _detail(request, transfer, decide_form=form, status=400)


@requires(Action.TRANSFER)
@require_POST
def transfer_cancel_view(request, pk: int):
    transfer = transfer_get(actor=request.user, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        done, error = _run(
            form,
            lambda: transfer_cancel(
                actor=request.user, transfer=transfer, note=form.cleaned_data["note"]
            ),
        )
        if done is not None:
            messages.success(request, _("已撤回该申请。"))
            return redirect("registry:transfer_list")
        return _detail(request, transfer, cancel_form=form, status=getattr(error, "status", 400))
    return _detail(request, transfer, cancel_form=form, status=400)


@requires(Action.TRANSFER)
@require_http_methods(["GET", "POST"])
def transfer_pull_view(request, pk: int):
    """From a household of this community: "从其他社区迁入", by ID number (in the POST body)."""
    household = get_scoped_or_404(
        Household.objects.select_related("area"), request.user, Action.TRANSFER, pk=pk
    )
    form = PullForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            transfer, error = _run(
                form,
                lambda: transfer_request_pull(
                    actor=request.user,
                    household=household,
                    id_number=form.cleaned_data["id_number"],
                    relation_to_head=form.cleaned_data["relation_to_head"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            if transfer is not None:
                if transfer.state == TransferState.ACCEPTED:
                    messages.success(
                        request,
                        _("此人已由原社区办理迁出，已直接迁入本户，原有记录继续使用。"),
                    )
                    return redirect("registry:resident_detail", pk=transfer.resident_id)
                messages.success(
                    request,
                    _("已向%(community)s发出迁入申请，等待对方确认。")
                    % {"community": transfer.from_community.name},
                )
                return redirect("registry:transfer_detail", pk=transfer.pk)
        status = 400
    context = {"household": household, "form": form}
    response = render(request, "registry/transfer_pull.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.TRANSFER)
@require_http_methods(["GET", "POST"])
def transfer_push_view(request, pk: int):
    """From a resident's page: "迁往其他社区". Choose the community first (the
    page reloads with its buildings and units), then the address and room."""
    resident = resident_get_any(actor=request.user, pk=pk, action=Action.TRANSFER)
    chosen = request.POST.get("community") or request.GET.get("community") or ""
    community = None
    if chosen.isdigit():
        community = next(
            (a for a in transfer_communities(actor=request.user) if a.pk == int(chosen)), None
        )
    bound = request.method == "POST" and "room" in request.POST
    form = PushForm(request.POST if bound else None, actor=request.user, community=community)
    status = 200
    if bound:
        if form.is_valid() and community is not None:
            area = form.addresses.get(form.cleaned_data["area"])

            def push():
                target = transfer_target_household(
                    community=community, area=area, room=form.cleaned_data["room"]
                )
                return transfer_request_push(
                    actor=request.user,
                    resident=resident,
                    target_household=target,
                    reason=form.cleaned_data["reason"],
                )

            transfer, error = _run(form, push)
            if transfer is not None:
                messages.success(
                    request,
                    _("已通知%(community)s，对方确认后%(name)s将迁入。")
                    % {"community": community.name, "name": resident.name},
                )
                return redirect("registry:transfer_detail", pk=transfer.pk)
        status = 400
    context = {"resident": resident, "form": form, "community": community}
    response = render(request, "registry/transfer_push.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
