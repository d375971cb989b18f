"""Screens of the full (unmasked) export: ask, decide, download once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.errors import DomainError
from shequ.core.models import ApprovalRequest, Area
from shequ.core.scoping import get_scoped_or_404, restrict
from shequ.core.services.approvals import approval_decide
from shequ.core.views.base import form_error, paginate, requires
from shequ.registry.choices import Action
from shequ.registry.full_export import (
    KIND,
    download_hours,
    downloadable,
    full_export_download,
    full_export_list,
    full_export_request,
)

SCOPE_LEVELS = ("district", "street", "community", "grid")


class FullExportForm(forms.Form):
    area = forms.TypedChoiceField(label=gettext_lazy("导出范围"), coerce=int)
    purpose = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：民政局低保年审核对")}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"), choices=[("xlsx", "Excel (xlsx)"), ("csv", "CSV")]
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        areas = restrict(Area.objects.filter(level__in=SCOPE_LEVELS), actor, Action.EXPORT_FULL)
        self.fields["area"].choices = [(a.pk, a.name) for a in areas.order_by("path")[:500]]


@requires(Action.EXPORT_FULL)
@require_http_methods(["GET", "POST"])
def full_export_list_view(request):
    """My requests and the ones I may decide; a form to ask for a new one."""
    form = FullExportForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            area = get_scoped_or_404(
                Area.objects.all(), request.user, Action.EXPORT_FULL, pk=form.cleaned_data["area"]
            )
            try:
                full_export_request(
                    actor=request.user,
                    area=area,
                    purpose=form.cleaned_data["purpose"],
                    fmt=form.cleaned_data["format"],
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("已提交，须由另一位有权限的工作人员批准后才能下载。"))
                return redirect("registry:full_export_list")
        status = 400
    requests_page = paginate(request, full_export_list(actor=request.user))
    for item in requests_page:
        item.can_download = downloadable(item, request.user)
    context = {"form": form, "requests": requests_page, "hours": download_hours()}
    return render(request, "registry/full_export_list.html", context, status=status)


def _approval(request, pk: int) -> ApprovalRequest:
    return get_scoped_or_404(
        ApprovalRequest.objects.filter(kind=KIND), request.user, Action.EXPORT_FULL, pk=pk
    )


@requires(Action.EXPORT_FULL)
@require_POST
def full_export_decide_view(request, pk: int):
    approval = _approval(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        approval_decide(actor=request.user, approval=approval, approve=approve)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已批准，申请人可下载一次。") if approve else _("已驳回。"))
    return redirect("registry:full_export_list")


@requires(Action.EXPORT_FULL)
@require_POST
def full_export_download_view(request, pk: int):
    approval = _approval(request, pk)
    try:
        return full_export_download(request=request, approval=approval)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("registry:full_export_list")
