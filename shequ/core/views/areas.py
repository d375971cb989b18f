from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.core.choices import ALLOWED_CHILDREN, Level
from shequ.core.errors import DomainError
from shequ.core.forms import AreaEditForm, AreaForm, AreaMoveForm
from shequ.core.models import Area
from shequ.core.roles import Action
from shequ.core.scoping import can, restrict
from shequ.core.selectors import (
    area_breadcrumbs,
    area_children_by_level,
    area_counter_labels,
    area_counts,
    area_get,
    area_list,
    area_roots,
)
from shequ.core.services.areas import area_create, area_move, area_update
from shequ.core.views.base import form_error, paginate, requires


@requires(Action.AREA_VIEW)
def area_browser(request):
    """Where the user's area tree starts: the top areas of their scope."""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:50]  # PostgreSQL refuses NUL
    areas = (
        list(area_list(actor=request.user, query=query)[:100])
        if query
        else list(area_roots(actor=request.user))
    )
    counts = area_counts(areas=areas)
    for area in areas:
        area.counts = counts[area.pk]
    return render(
        request,
        "core/area_browser.html",
        {"areas": areas, "query": query, "counter_labels": area_counter_labels()},
    )


@requires(Action.AREA_VIEW)
def area_detail(request, pk: int):
    area = area_get(actor=request.user, pk=pk)
    children = paginate(request, area_list(actor=request.user, parent=area), per_page=100)
    counts = area_counts(areas=[area, *children])
    for child in children:
        child.counts = counts[child.pk]
    by_level = area_children_by_level(area=area)
    return render(
        request,
        "core/area_detail.html",
        {
            "area": area,
            "breadcrumbs": area_breadcrumbs(actor=request.user, area=area),
            "children": children,
            "counts": counts[area.pk],
            "below": [
                (Level(level).label, by_level[level]) for level in Level.values if level in by_level
            ],
            "counter_labels": area_counter_labels(),
            "can_change": can(request.user, Action.AREA_CHANGE, area.path),
            "can_edit": area.parent is not None
            and can(request.user, Action.AREA_CHANGE, area.parent.path),
            "child_levels": [
                Level(level) for level in Level.values if level in ALLOWED_CHILDREN[area.level]
            ],
        },
    )


@requires(Action.AREA_CHANGE)
@require_http_methods(["GET", "POST"])
def area_create_view(request, pk: int):
    parent = area_get(actor=request.user, pk=pk, action=Action.AREA_CHANGE)
    allowed = [
        (lvl, Level(lvl).label) for lvl in Level.values if lvl in ALLOWED_CHILDREN[parent.level]
    ]
    form = AreaForm(request.POST or None, initial={"level": request.GET.get("level")})
    form.fields["level"].choices = allowed
    if request.method == "POST" and form.is_valid():
        try:
            area = area_create(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已新增区域“%(name)s”。") % {"name": area.name})
            return redirect("core:area_detail", pk=parent.pk)
    return render(
        request,
        "core/area_form.html",
        {
            "form": form,
            "parent": parent,
            "breadcrumbs": area_breadcrumbs(actor=request.user, area=parent),
            "title": _("新增下级区域"),
        },
    )


@requires(Action.AREA_CHANGE)
@require_http_methods(["GET", "POST"])
def area_edit_view(request, pk: int):
    area = area_get(actor=request.user, pk=pk)
    form = AreaEditForm(request.POST or None, initial={"code": area.code, "name": area.name})
    if request.method == "POST" and form.is_valid():
        try:
            area_update(actor=request.user, area=area, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("core:area_detail", pk=area.pk)
    return render(
        request,
        "core/area_form.html",
        {
            "form": form,
            "area": area,
            "breadcrumbs": area_breadcrumbs(actor=request.user, area=area),
            "title": _("编辑区域"),
        },
    )


def _move_targets(user, area: Area):
    parent_levels = [lvl for lvl, children in ALLOWED_CHILDREN.items() if area.level in children]
    targets = restrict(Area.objects.filter(level__in=parent_levels), user, Action.AREA_CHANGE)
    return (
        targets.exclude(pk=area.parent_id)
        .exclude(path__startswith=area.path + ".")
        .order_by("path")[:500]
    )


@requires(Action.AREA_CHANGE)
@require_http_methods(["GET", "POST"])
def area_move_view(request, pk: int):
    area = area_get(actor=request.user, pk=pk)
    form = AreaMoveForm(request.POST or None)
    form.fields["new_parent"].widget.choices = [
        (t.pk, f"{t.get_level_display()} · {t.name} ({t.path})")
        for t in _move_targets(request.user, area)
    ]
    if request.method == "POST" and form.is_valid():
        try:
            target = area_get(
                actor=request.user, pk=form.cleaned_data["new_parent"], action=Action.AREA_CHANGE
            )
            area_move(actor=request.user, area=area, new_parent=target)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已移动到“%(name)s”下。") % {"name": target.name})
            return redirect("core:area_detail", pk=area.pk)
    return render(
        request,
        "core/area_form.html",
        {
            "form": form,
            "area": area,
            "breadcrumbs": area_breadcrumbs(actor=request.user, area=area),
            "title": _("移动区域"),
        },
    )
