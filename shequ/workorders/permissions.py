"""Who may fire which transition on which work order.

The table is ``states.TRANSITIONS``; this module answers it for one actor and
one order. Role actions reach the areas below the role's area (core scoping);
``Who`` entries are relations to the order itself.
"""

from __future__ import annotations

from shequ.core.choices import AccountKind
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.workorders.choices import Action, State
from shequ.workorders.models import WorkOrder
from shequ.workorders.states import TRANSITIONS, USER_TRANSITIONS, Who


def is_reporter(order: WorkOrder, actor: User | None) -> bool:
    return actor is not None and order.reporter_id is not None and order.reporter_id == actor.pk


_DEPARTMENTS_ATTR = "_shequ_workorder_departments"


def department_ids(actor: User) -> frozenset[int]:
    """The departments ``actor`` handles for, cached on the user for the request."""
    ids = getattr(actor, _DEPARTMENTS_ATTR, None)
    if ids is None:
        ids = frozenset(actor.workorder_departments.values_list("pk", flat=True))
        setattr(actor, _DEPARTMENTS_ATTR, ids)
    return ids


def is_handler(order: WorkOrder, actor: User | None) -> bool:
    """The assigned handler, or, for a case sent to a department, any of its
    handlers who hold ``workorders.handle`` over the case's area."""
    if actor is None or not actor.is_authenticated:
        return False
    if order.handler_id is not None:
        return order.handler_id == actor.pk
    if order.department_id is not None:
        return order.department_id in department_ids(actor) and can(
            actor, Action.HANDLE, order.area_path
        )
    return False


def is_owner(order: WorkOrder, actor: User | None) -> bool:
    return actor is not None and order.owner_id is not None and order.owner_id == actor.pk


def may(actor: User | None, order: WorkOrder, name: str) -> bool:
    """May ``actor`` fire transition ``name`` on ``order`` (ignoring its state)?
    ``None`` is the system itself (commands, tasks, the demo)."""
    if actor is None:
        return True
    for who in TRANSITIONS[name].who:
        if who == Who.REPORTER and is_reporter(order, actor):
            return True
        if who == Who.HANDLER and is_handler(order, actor):
            return True
        if who == Who.OWNER and is_owner(order, actor):
            return True
        if "." in who and can(actor, who, order.area_path):
            return True
    return False


def available_transitions(order: WorkOrder, actor: User) -> list[str]:
    """What the case page offers ``actor`` now: allowed from the state, and theirs to fire."""
    names = []
    for name in USER_TRANSITIONS:
        if order.state not in TRANSITIONS[name].sources or not may(actor, order, name):
            continue
        if name == "rate" and order.rating is not None:
            continue
        if name == "close" and order.state == State.TRIAGED and order.triage_class != "private":
            continue
        if name == "dispatch" and order.triage_class == "private":
            continue
        if name == "pause" and order.paused_at is not None:
            continue
        if name == "resume" and order.paused_at is None:
            continue
        names.append(name)
    return names


def sees_reporter(order: WorkOrder, viewer: User | None) -> bool:
    """An anonymous reporter is hidden from other residents, never from staff."""
    if not order.reporter_anonymous or is_reporter(order, viewer):
        return True
    if viewer is None or not viewer.is_authenticated:
        return False
    return viewer.kind == AccountKind.STAFF and (
        can(viewer, Action.VIEW, order.area_path)
        or is_handler(order, viewer)
        or is_owner(order, viewer)
    )
