"""The community's five forces (五社联动) page and what staff add to it, and
the city administrator's rules page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shequ.core.choices import Level
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import Area
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.views.base import form_error, requires
from shequ.volunteers import services
from shequ.volunteers.choices import Action
from shequ.volunteers.selectors import five_forces, star_levels

# --- five forces -------------------------------------------------------------------------


@requires(Action.VIEW)
@require_http_methods(["GET"])
def forces(request, pk: int):
    community = get_scoped_or_404(
        Area.objects.filter(level=Level.COMMUNITY), request.user, Action.VIEW, "path", pk=pk
    )
    year = timezone.localdate().year
    return render(
        request,
        "volunteers/staff/forces.html",
        {
            "community": community,
            "year": year,
            "forces": five_forces(community=community, year=year),
            "can_manage": can(request.user, Action.MANAGE, community.path),
        },
    )


def _force_create(kind: str, *, actor, community, data):
    if kind == "organization":
        return services.organization_create(actor=actor, community=community, **data)
    if kind == "social_worker":
        return services.social_worker_create(actor=actor, community=community, **data)
    if kind == "group":
        return services.group_create(
            actor=actor,
            community=community,
            name=data["name"],
            kind=data["kind"],
            leader=data["leader"],
            members=list(data["members"]),
        )
    if kind == "resource":
        return services.charity_resource_add(actor=actor, community=community, **data)
    return services.building_post_assign(actor=actor, **data)


@requires(Action.MANAGE)
@require_http_methods(["GET", "POST"])
def forces_add(request, pk: int, kind: str):
    """Add to a community's forces database: an organisation, a social worker,
    a group, a charity resource or a building-team post."""
    from django.http import Http404

    from shequ.volunteers.forms import FORCE_FORMS

    community = get_scoped_or_404(
        Area.objects.filter(level=Level.COMMUNITY), request.user, Action.MANAGE, "path", pk=pk
    )
    if kind not in FORCE_FORMS:
        raise Http404
    form_class, title = FORCE_FORMS[kind]
    extra = {} if kind in ("organization", "resource") else {"community": community}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            _force_create(kind, actor=request.user, community=community, data=form.cleaned_data)
        except Forbidden as error:
            raise PermissionDenied from error
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("volunteers:forces", pk=community.pk)
    return render(
        request,
        "volunteers/staff/form.html",
        {"form": form, "title": f"{community.name} · {title}"},
        status=400 if form.errors else 200,
    )


@requires(Action.CONFIGURE)
@require_http_methods(["GET", "POST"])
def rules(request):
    """积分、双报到与星级规则: what the city administrator configures."""
    from shequ.volunteers.forms import RulesForm
    from shequ.volunteers.models import Policy
    from shequ.volunteers.services.rules import POLICY_FIELDS

    policy = Policy.current()
    initial = {name: getattr(policy, name) for name in POLICY_FIELDS}
    form = RulesForm(request.POST or None, initial=initial, levels=star_levels())
    if request.method == "POST" and form.is_valid():
        values, levels = form.split()
        try:
            services.rules_update(actor=request.user, policy=values, levels=levels)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("规则已保存。"))
            return redirect("volunteers:rules")
    return render(
        request,
        "volunteers/staff/form.html",
        {"form": form, "title": _("志愿服务规则")},
        status=400 if form.errors else 200,
    )
