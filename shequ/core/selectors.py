"""Reads that depend on who asks. Every one starts from ``scoping.restrict``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from shequ.core import registry
from shequ.core.models import ApprovalRequest, Area, AuditEntry, RoleAssignment, User
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.roles import Action
from shequ.core.scoping import get_scoped_or_404, path_filter, restrict, scope_paths
from shequ.core.services.audit import audit_access_denied


def area_list(
    *, actor: User, parent: Area | None = None, level: str | None = None, query: str = ""
) -> QuerySet[Area]:
    areas = restrict(Area.objects.all(), actor, Action.AREA_VIEW)
    if parent is not None:
        areas = areas.filter(parent=parent)
    if level:
        areas = areas.filter(level=level)
    if query:
        areas = areas.filter(Q(name__icontains=query) | Q(code=query))
    return areas.order_by("path")


def area_roots(*, actor: User) -> QuerySet[Area]:
    """The top areas of the user's scope: where their area browser starts."""
    paths = scope_paths(actor, Action.AREA_VIEW)
    return Area.objects.filter(path__in=paths).order_by("path")


def area_get(*, actor: User, pk: int, action: str = Action.AREA_VIEW) -> Area:
    return get_scoped_or_404(Area.objects.all(), actor, action, pk=pk)


def area_breadcrumbs(*, actor: User, area: Area) -> list[Area]:
    """Ancestors the user may see, top down, then the area itself."""
    visible = restrict(Area.objects.filter(path__in=area.ancestor_paths()), actor, Action.AREA_VIEW)
    return [*visible.order_by("depth"), area]


def _counter_sources() -> list[tuple[str, object, QuerySet, str]]:
    sources = [("areas", None, Area.objects.all(), "path")]
    for counter in registry.area_counters:
        sources.append(
            (
                counter.key,
                counter.label,
                counter.model._default_manager.filter(**counter.filters),
                counter.path_field,
            )
        )
    return sources


def area_counts(*, areas: list[Area]) -> dict[int, dict[str, int]]:
    """For each area: how many areas lie below it, plus every registered figure
    (households, residents…). One query per figure, not per area."""
    counts: dict[int, dict[str, int]] = {a.pk: {} for a in areas}
    if not areas:
        return counts
    for key, _label, queryset, field in _counter_sources():
        aggregates = {}
        for area in areas:
            below = Q(**{f"{field}__startswith": area.path + PATH_SEPARATOR})
            if key != "areas":
                below |= Q(**{field: area.path})
            aggregates[f"n{area.pk}"] = Count("pk", filter=below)
        union = Q()
        for area in areas:
            union |= Q(**{field: area.path}) | Q(
                **{f"{field}__startswith": area.path + PATH_SEPARATOR}
            )
        totals = queryset.filter(union).aggregate(**aggregates)
        for area in areas:
            counts[area.pk][key] = totals[f"n{area.pk}"]
    return counts


def area_counter_labels() -> list[tuple[str, object]]:
    return [(c.key, c.label) for c in registry.area_counters]


def area_children_by_level(*, area: Area) -> dict[str, int]:
    rows = (
        Area.objects.filter(path__startswith=area.path + PATH_SEPARATOR)
        .values("level")
        .annotate(n=Count("pk"))
    )
    return {row["level"]: row["n"] for row in rows}


def _holds_whole_city(paths: list[str]) -> bool:
    return any(PATH_SEPARATOR not in p for p in paths)


def user_list(*, actor: User, query: str = "") -> QuerySet[User]:
    """Accounts holding at least one role inside the actor's user-view scope.
    Accounts without any role are visible only to holders of a whole city."""
    paths = scope_paths(actor, Action.USER_VIEW)
    if not paths:
        return User.objects.none()
    holders = restrict(RoleAssignment.objects.all(), actor, Action.USER_VIEW).values("user_id")
    in_scope = Q(pk__in=holders)
    if _holds_whole_city(paths):
        in_scope |= Q(roles__isnull=True)
    users = User.objects.filter(in_scope).distinct()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return users.order_by("username")


def user_get(*, actor: User, pk: int) -> User:
    """One account in scope; out-of-scope ones answer 404 like missing ones."""
    user = user_list(actor=actor).filter(pk=pk).first()
    if user is None:
        if User.objects.filter(pk=pk).exists():
            audit_access_denied(user=actor, obj=User.objects.get(pk=pk), action=Action.USER_VIEW)
        raise Http404
    return user


def audit_list(*, actor: User, filters: dict | None = None) -> QuerySet[AuditEntry]:
    """Audit lines the auditor may read: everything under their area, plus
    events without an area (logins) for auditors of a whole city."""
    paths = scope_paths(actor, Action.AUDIT_VIEW)
    if not paths:
        return AuditEntry.objects.none()
    visible = path_filter(paths, "area_path")
    if _holds_whole_city(paths):
        visible |= Q(area_path="")
    entries = AuditEntry.objects.filter(visible)
    filters = filters or {}
    if filters.get("event_type"):
        entries = entries.filter(event_type=filters["event_type"])
    if filters.get("actor"):
        entries = entries.filter(actor_username__icontains=filters["actor"])
    if filters.get("object_type"):
        entries = entries.filter(object_type=filters["object_type"])
    if filters.get("source_ip"):
        entries = entries.filter(source_ip=filters["source_ip"])
    if filters.get("since"):
        entries = entries.filter(timestamp__gte=filters["since"])
    if filters.get("until"):
        entries = entries.filter(timestamp__lt=filters["until"])
    if filters.get("outcome") in (True, False):
        entries = entries.filter(outcome=filters["outcome"])
    return entries.order_by("-id")


def approval_list(*, actor: User, state: str | None = "pending") -> QuerySet[ApprovalRequest]:
    approvals = restrict(
        ApprovalRequest.objects.select_related("requested_by", "decided_by"),
        actor,
        Action.ROLE_MANAGE,
    ).filter(kind=ApprovalRequest.Kind.ROLE_GRANT)  # other kinds have their own pages
    if state:
        approvals = approvals.filter(state=state)
    return approvals.order_by("-requested_at")
