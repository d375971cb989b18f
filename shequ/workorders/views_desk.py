"""The front desk's reception log, guidance templates, the catalog screens
(categories and departments) and the hotline file import. Thin: parse, call
a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.core.errors import DomainError, Forbidden
from shequ.core.scoping import can, restrict
from shequ.core.views.base import deny, form_error, paginate
from shequ.workorders import hotline
from shequ.workorders.choices import Action, Kind
from shequ.workorders.forms_desk import (
    CategoryForm,
    DepartmentForm,
    GuidanceForm,
    HotlineImportForm,
    ReceptionForm,
)
from shequ.workorders.models import Category, Department, GuidanceTemplate, ReceptionLog
from shequ.workorders.services.desk import (
    category_save,
    department_save,
    guidance_save,
    reception_record,
)


def _pk(request) -> int | None:
    """The object being edited, from ``?pk=`` (none: a new one)."""
    raw = request.GET.get("pk", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _require(request, action: str) -> None:
    if not can(request.user, action):
        deny(request, action)


@login_required
@require_http_methods(["GET", "POST"])
def reception(request):
    """首问接待: record every visitor at the desk; open a case when there is
    one to open (the receiving worker owns it until a recorded hand-off)."""
    _require(request, Action.RECEPTION)
    form = ReceptionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = None
        if data["outcome"] == "case_opened":
            description = data["description"]
            case = {
                "kind": Kind.INCIDENT
                if data["category"].applies_to(Kind.INCIDENT)
                else Kind.SERVICE_ORDER,
                "category": data["category"],
                "title": data["subject"][:100],
                "description": description,
            }
        try:
            log = reception_record(
                actor=request.user,
                area=data["area"],
                subject=data["subject"],
                outcome=data["outcome"],
                visitor=data["visitor"],
                note=data["note"],
                case=case,
            )
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            form_error(form, error)
        else:
            if log.order_id:
                messages.success(
                    request,
                    _("已受理为工单 %(number)s，查询码 %(code)s，您是首问负责人。")
                    % {"number": log.order.number, "code": log.order.tracking_code},
                )
                return redirect("workorders:order_detail", pk=log.order_id)
            messages.success(request, _("已登记接待记录。"))
            return redirect("workorders:reception")
    logs = restrict(ReceptionLog.objects.all(), request.user, Action.RECEPTION).select_related(
        "received_by", "order", "area"
    )
    context = {"form": form, "page": paginate(request, logs)}
    return render(request, "workorders/reception.html", context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------
# Guidance templates
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def guidance_list(request):
    _require(request, Action.GUIDANCE)
    rows = GuidanceTemplate.objects.select_related("category").order_by("title", "id")
    return render(request, "workorders/guidance_list.html", {"page": paginate(request, rows)})


@login_required
@require_http_methods(["GET", "POST"])
def guidance_edit(request):
    """New (no ``pk``) or edit (``?pk=``) a guidance template."""
    _require(request, Action.GUIDANCE)
    pk = _pk(request)
    template = get_object_or_404(GuidanceTemplate, pk=pk) if pk else None
    initial = (
        {
            "title": template.title,
            "body": template.body,
            "category": template.category_id,
            "is_active": template.is_active,
        }
        if template
        else None
    )
    form = GuidanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            guidance_save(actor=request.user, template=template, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workorders:guidance_list")
    title = _("编辑指导模板") if template else _("新建指导模板")
    return _form_page(request, form, title, "workorders:guidance_list")


def _form_page(request, form, title, back):
    return render(
        request,
        "workorders/simple_form.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.errors else 200,
    )


# --------------------------------------------------------------------------
# Catalog: categories and departments
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def category_list(request):
    _require(request, Action.CONFIGURE)
    context = {
        "categories": Category.objects.order_by("order", "code"),
        "departments": restrict(
            Department.objects.all(), request.user, Action.CONFIGURE, "district__path"
        )
        .select_related("district")
        .order_by("district__path", "name")[:500],
    }
    return render(request, "workorders/catalog.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request):
    _require(request, Action.CONFIGURE)
    pk = _pk(request)
    category = get_object_or_404(Category, pk=pk) if pk else None
    initial = None
    if category:
        initial = {f: getattr(category, f) for f in CategoryForm.base_fields}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            category_save(actor=request.user, category=category, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workorders:catalog")
    title = _("编辑类别") if category else _("新建类别")
    return _form_page(request, form, title, "workorders:catalog")


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request):
    _require(request, Action.CONFIGURE)
    pk = _pk(request)
    department = None
    if pk:
        scoped = restrict(
            Department.objects.all(), request.user, Action.CONFIGURE, "district__path"
        )
        department = get_object_or_404(scoped, pk=pk)
    initial = None
    if department:
        initial = {
            "name": department.name,
            "district": department.district_id,
            "handlers": list(department.handlers.values_list("pk", flat=True)),
            "is_active": department.is_active,
        }
    form = DepartmentForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department_save(
                actor=request.user,
                department=department,
                name=data["name"],
                district=data["district"],
                handlers=list(data["handlers"]),
                is_active=data["is_active"],
            )
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workorders:catalog")
    title = _("编辑职能部门") if department else _("新建职能部门")
    return _form_page(request, form, title, "workorders:catalog")


# --------------------------------------------------------------------------
# Hotline import
# --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def hotline_import(request):
    """Import a file of 12345 tickets; shows what was created, skipped and rejected."""
    _require(request, Action.HOTLINE_IMPORT)
    form = HotlineImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = hotline.import_file(actor=request.user, upload=upload, size=upload.size)
        except DomainError as error:
            form_error(form, error)
    return render(
        request,
        "workorders/hotline_import.html",
        {"form": form, "report": report},
        status=400 if form.errors else 200,
    )
