"""Reads of work orders that depend on who asks. Every one starts from
:func:`visible`, so a list, a case page, the pool, a panel and the API show
the same cases to the same person.

Who sees a case: staff holding ``workorders.view`` over its area; its
reporter; its handler and the handlers of the department it was sent to; its
first-contact owner; and, while it waits in the pool, the party members and
volunteers who may claim it there.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind
from shequ.core.models import User
from shequ.core.scoping import path_filter, scope_paths
from shequ.core.services.audit import audit_access_denied
from shequ.workorders.choices import OPEN_STATES, Action, State
from shequ.workorders.models import Category, Department, TimelineEntry, WhistleCall, WorkOrder
from shequ.workorders.permissions import is_handler, is_owner, sees_reporter
from shequ.workorders.services import overdue_condition


def _visible_q(actor: User) -> Q:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Q(pk__in=[])
    # The department ids and whistle-called cases are read first (short lists,
    # empty for most people) so that every branch of the OR is an index scan:
    # a subquery in it makes PostgreSQL filter the whole table (work queues at
    # 1M cases, docs/performance.md).
    departments = list(Department.objects.filter(handlers=actor).values_list("pk", flat=True))
    condition = Q(reporter=actor) | Q(handler=actor) | Q(owner=actor)
    if departments:
        called = WhistleCall.objects.filter(department_id__in=departments)
        condition |= Q(department_id__in=departments)
        # Departments summoned by a whistle call see the case they were called to.
        condition |= Q(pk__in=list(called.values_list("order_id", flat=True)))
    view_paths = scope_paths(actor, Action.VIEW)
    if view_paths:
        condition |= path_filter(view_paths, "area_path")
    claim_paths = scope_paths(actor, Action.CLAIM)
    if claim_paths:
        condition |= Q(state=State.POOLED) & path_filter(claim_paths, "area_path")
    return condition


def visible(actor: User) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(_visible_q(actor))


def workorder_list(
    *,
    actor: User,
    state: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    mine: bool = False,
    overdue: bool = False,
) -> QuerySet[WorkOrder]:
    """The cases ``actor`` may see, newest first; ``mine``: the ones they
    reported, handle or own; ``state="open"``: all but the closed ones."""
    orders = visible(actor)
    if mine:
        orders = orders.filter(Q(reporter=actor) | Q(handler=actor) | Q(owner=actor))
    if state == "open":  # the work queue: every case not yet closed
        orders = orders.exclude(state=State.CLOSED)
    elif state:
        orders = orders.filter(state=state)
    if kind:
        orders = orders.filter(kind=kind)
    if category:
        orders = orders.filter(category__code=category)
    if overdue:
        orders = orders.filter(overdue_condition(timezone.now()))
    # The people and the merged-into case are fetched by id for the page's
    # rows (prefetch): joined, PostgreSQL hash-joins whole tables before the
    # top-50 sort (60 ms at 1M cases; docs/performance.md).
    return (
        orders.select_related("category", "area", "department")
        .prefetch_related("reporter", "owner", "handler", "merged_into")
        .order_by("-created_at", "-id")
    )


def workorder_get(*, actor: User, pk: int, for_claim: bool = False) -> WorkOrder:
    """One case the actor may see; 404 whether it is missing or not theirs.

    ``for_claim``: also a case just claimed by someone else in the actor's
    claim area, so a claimant who lost the race hears "already claimed" (409)
    rather than "not found"."""
    condition = _visible_q(actor)
    if for_claim:
        claim_paths = scope_paths(actor, Action.CLAIM)
        if claim_paths:
            condition |= Q(state=State.CLAIMED) & path_filter(claim_paths, "area_path")
    order = (
        WorkOrder.objects.filter(condition)
        .select_related(
            "category", "area", "reporter", "handler", "owner", "department", "merged_into"
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        hidden = WorkOrder.objects.filter(pk=pk).first()
        if hidden is not None:
            audit_access_denied(user=actor, obj=hidden, action=Action.VIEW)
        raise Http404
    return order


def workorder_pool(*, actor: User) -> QuerySet[WorkOrder]:
    """Pooled cases the actor may claim: in the communities where they serve."""
    paths = scope_paths(actor, Action.CLAIM)
    if not paths:
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(path_filter(paths, "area_path"), state=State.POOLED)
        .select_related("category", "area")
        .order_by("resolve_by", "id")
    )


def overdue(*, actor: User | None = None, now: datetime | None = None) -> QuerySet[WorkOrder]:
    """Open cases past a deadline; all of them for the system (actor None)."""
    orders = WorkOrder.objects.all() if actor is None else visible(actor)
    return orders.filter(overdue_condition(now or timezone.now()))


def timeline_for(*, order: WorkOrder, viewer: User) -> list[TimelineEntry]:
    """The whole history for staff and handlers; public lines for the reporter
    and claimants. ``actor_name`` is what to show as the actor: an anonymous
    reporter stays anonymous to other residents here too."""
    entries = order.timeline.select_related("actor").order_by("at", "id")
    if not (
        is_handler(order, viewer) or is_owner(order, viewer) or viewer.kind == AccountKind.STAFF
    ):
        entries = entries.filter(public=True)
    hide = order.reporter_id is not None and not sees_reporter(order, viewer)
    rows = list(entries)
    for entry in rows:
        if entry.actor_id is None:
            entry.actor_name = None
        elif hide and entry.actor_id == order.reporter_id:
            entry.actor_name = _("匿名居民")
        else:
            entry.actor_name = entry.actor.display_name
    return rows


def category_list(*, kind: str | None = None) -> list[Category]:
    categories = list(Category.objects.filter(is_active=True))
    return [c for c in categories if kind is None or c.applies_to(kind)]


def queue_summary(*, actor: User) -> dict:
    """The home panel: open cases in view by state, how many are overdue, and
    for party members and volunteers how many wait to be claimed nearby."""
    orders = visible(actor).filter(state__in=OPEN_STATES)
    by_state = dict(orders.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return {
        "by_state": [(State(s).label, by_state[s]) for s in State.values if by_state.get(s)],
        "open": sum(by_state.values()),
        "overdue": orders.filter(overdue_condition(timezone.now())).count(),
        "claimable": workorder_pool(actor=actor).count(),
        "can_claim": bool(scope_paths(actor, Action.CLAIM)),
    }


def waiting_for(*, actor: User) -> QuerySet[WorkOrder]:
    """待我处理: open cases assigned to the actor, or sent to one of their
    departments and not yet taken by a colleague, or with a whistle call to
    one of their departments still waiting for its report."""
    departments = Department.objects.filter(handlers=actor).values("pk")
    calls = WhistleCall.objects.filter(department_id__in=departments, reported_at__isnull=True)
    return (
        visible(actor)
        .filter(state__in=OPEN_STATES - {State.RESOLVED})
        .filter(
            Q(handler=actor)
            | Q(handler__isnull=True, department_id__in=departments)
            | Q(pk__in=calls.values("order_id"))
        )
        .select_related("category", "area", "handler", "department")
        .order_by("resolve_by", "id")
    )


def pending_whistles(*, actor: User) -> QuerySet[WhistleCall]:
    """Whistle calls to the actor's departments waiting for acknowledgement or
    a report, over areas where the actor handles cases."""
    paths = scope_paths(actor, Action.HANDLE)
    if not paths:
        return WhistleCall.objects.none()
    return (
        WhistleCall.objects.filter(
            path_filter(paths, "area_path"),
            department__handlers=actor,
            reported_at__isnull=True,
        )
        .select_related("order", "department")
        .order_by("acknowledge_by", "id")
    )


def whistle_calls(*, order: WorkOrder) -> list[WhistleCall]:
    """The joint-handling record of a case (its calls, oldest first), for
    someone who may see the case."""
    return list(
        WhistleCall.objects.filter(order=order)
        .select_related("department", "acknowledged_by", "reported_by", "summoned_by")
        .order_by("summoned_at", "id")
    )
