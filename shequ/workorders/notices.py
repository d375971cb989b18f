"""Who hears what about a case: the inbox messages the services send (through
``shequ.core.notifications.notify``). Texts carry the case number and
title, never a person's ID or phone number."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.core.models import RoleAssignment, User
from shequ.core.notifications import Kind, notify
from shequ.core.roles import Role
from shequ.workorders.models import Department, WorkOrder

log = logging.getLogger("shequ.workorders")


def _link(order: WorkOrder) -> str:
    return reverse("workorders:order_detail", args=[order.pk])


def _head(order: WorkOrder) -> str:
    return f"{order.number} {order.title}"[:120]


def department_handlers(department: Department | None) -> list[User]:
    if department is None:
        return []
    return list(department.handlers.filter(is_active=True))


def handlers_of(order: WorkOrder) -> list[User]:
    """The assigned handler, or the handlers of the department it went to."""
    if order.handler_id:
        return [order.handler]
    return department_handlers(order.department)


def staff_at(path: str, *roles: str) -> list[User]:
    """Holders of ``roles`` on exactly the area at ``path`` (the street office
    of a case, its community…), for escalation messages."""
    rows = RoleAssignment.objects.filter(role__in=roles, area_path=path)
    return list(User.objects.filter(is_active=True, pk__in=rows.values("user_id")))


def community_staff(order: WorkOrder) -> list[User]:
    paths = order.area.ancestor_paths() + [order.area_path]
    rows = RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, area_path__in=paths)
    return list(User.objects.filter(is_active=True, pk__in=rows.values("user_id"))[:20])


def level_staff(order: WorkOrder, level: int) -> list[User]:
    """Street staff (level 1) or district staff (level 2) above the case."""
    role = Role.STREET_STAFF if level == 1 else Role.DISTRICT_STAFF
    paths = order.area.ancestor_paths()
    rows = RoleAssignment.objects.filter(Q(role=role), area_path__in=paths)
    return list(User.objects.filter(is_active=True, pk__in=rows.values("user_id"))[:20])


def _send(users: Iterable[User | None], kind: str, title: str, order: WorkOrder) -> None:
    """Called after the change committed: a failure here is logged, never
    turned into an error for the person who made the change."""
    try:
        notify(list(users), kind=kind, title=title, body=_head(order), link=_link(order))
    except Exception:  # noqa: BLE001
        log.exception("notification for %s failed", order.number)


def assigned(order: WorkOrder) -> None:
    _send(handlers_of(order), Kind.ASSIGNED, _("新工单派给您处理"), order)


def claimed(order: WorkOrder) -> None:
    _send([order.reporter, order.owner], Kind.CLAIMED, _("您的服务点单已有人认领"), order)


def claim_expired(order: WorkOrder, previous: User | None) -> None:
    _send([previous], Kind.REMINDER, _("认领后未开始处置，服务单已退回认领池"), order)


def resolved(order: WorkOrder) -> None:
    _send([order.reporter, order.owner], Kind.RESOLVED, _("工单已办结，欢迎评价"), order)


def rated(order: WorkOrder, rating: int) -> None:
    title = _("工单收到 %(n)s 分评价") % {"n": rating}
    _send([order.handler, order.owner, *community_staff(order)[:3]], Kind.RATED, title, order)


def reminder(order: WorkOrder, which: str) -> None:
    title = _("工单即将超过响应时限") if which == "response" else _("工单即将超过办结时限")
    people = handlers_of(order) or community_staff(order)
    _send([*people, order.owner], Kind.REMINDER, title, order)


def overdue(order: WorkOrder, level: int) -> None:
    title = _("工单已超时，升级至街道督办") if level == 1 else _("工单严重超时，升级至区督办")
    _send(
        [*level_staff(order, level), *handlers_of(order), order.owner], Kind.OVERDUE, title, order
    )


def whistled(order: WorkOrder, department: Department) -> None:
    _send(department_handlers(department), Kind.WHISTLE, _("社区吹哨，请部门报到"), order)


def whistle_late(order: WorkOrder, department: Department) -> None:
    title = _("%(dept)s 未按时报到") % {"dept": department.name}
    _send(level_staff(order, 1), Kind.WHISTLE, title, order)


def whistle_reported(order: WorkOrder, department: Department) -> None:
    title = _("%(dept)s 已反馈处置情况") % {"dept": department.name}
    _send([order.owner, *community_staff(order)[:5]], Kind.WHISTLE, title, order)


def merged(duplicate: WorkOrder, kept: WorkOrder) -> None:
    title = _("您反映的问题已与相同问题合并办理")
    _safe_notify(
        [duplicate.reporter],
        kind=Kind.MERGED,
        title=title,
        body=_head(duplicate),
        link=_link(duplicate),
    )


def _safe_notify(users, **fields) -> None:
    try:
        notify(users, **fields)
    except Exception:  # noqa: BLE001
        log.exception("notification failed")
