"""Taking a case in: numbering, validation, clocks, first-contact ownership."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind, AuditEvent
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record, snapshot
from shequ.workorders import media
from shequ.workorders.choices import (
    Action,
    Channel,
    EntryKind,
    Kind,
)
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.models import Category, WorkOrder
from shequ.workorders.services._common import (
    _apply,
    _check,
    _entry,
    _fresh,
    _text,
)
from shequ.workorders.services.numbering import catch_up, next_number
from shequ.workorders.signals import transitioned

# --------------------------------------------------------------------------
# Intake
# --------------------------------------------------------------------------


TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def new_tracking_code() -> str:
    """Eight characters printed on the receipt; with the number, they open the
    public tracking page (about 40 bits, guessed only by brute force, which the
    page's rate limit stops)."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def _coordinate(value: Any, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError as exc:
        raise InvalidInput(_("坐标格式不正确。"), field=field) from exc
    if not -bound <= number <= bound:
        raise InvalidInput(_("坐标超出范围。"), field=field)
    return number


@transaction.atomic
def workorder_create(
    *,
    actor: User | None,
    kind: str,
    category: Category,
    area: Area,
    title: str,
    description: str,
    channel: str,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
    reporter: User | None = None,
    reporter_anonymous: bool = False,
    files=None,
    external_ref: str = "",
) -> WorkOrder:
    """Take in a case. Needs ``workorders.report`` on the area. The reporter is
    the actor unless staff enter it for someone else (a hotline ticket has
    none). A staff member who takes it in becomes its first-contact owner
    (首问负责) until a recorded hand-off. The clocks start now, from the category.
    ``files``: photos and short videos of the report, checked by ``media``."""
    if actor is not None and not can(actor, Action.REPORT, area.path):
        raise Forbidden()
    if kind not in Kind.values:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": kind}, field="kind")
    if channel not in Channel.values:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": channel}, field="channel")
    if actor is not None and actor.kind != AccountKind.STAFF:
        # Residents, party members and volunteers report for themselves, from the portal or an app.
        if kind == Kind.HOTLINE or channel not in (Channel.PORTAL, Channel.API):
            raise InvalidInput(_("居民只能通过居民端或接口提交诉求。"), field="channel")
    if not category.is_active or not category.applies_to(kind):
        raise InvalidInput(_("该类别不适用于此类工单。"), field="category")
    prepared = media.prepare_all(files, actor)
    if (
        reporter is None
        and actor is not None
        and channel not in (Channel.HOTLINE, Channel.FRONT_DESK)
    ):
        reporter = actor
    now = timezone.now()
    order = WorkOrder(
        kind=kind,
        category=category,
        title=_text(title, field="title", limit=100, required=True),
        description=_text(description, field="description", limit=4000, required=True),
        area=area,
        area_path=area.path,
        address=_text(address, field="address", limit=200),
        latitude=_coordinate(latitude, "latitude", 90),
        longitude=_coordinate(longitude, "longitude", 180),
        reporter=reporter,
        reporter_anonymous=bool(reporter_anonymous),
        channel=channel,
        owner=actor if actor is not None and actor.kind == AccountKind.STAFF else None,
        respond_by=now + timedelta(hours=category.response_hours),
        resolve_by=now + timedelta(hours=category.resolution_hours),
        created_at=now,
        tracking_code=new_tracking_code(),
        external_ref=_text(external_ref, field="external_ref", limit=40),
    )
    for _attempt in range(3):
        order.number = next_number(now)
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            break
        except IntegrityError:
            # The number exists without the counter knowing it (cases loaded in
            # bulk, a restored backup): move the counter past the day's highest.
            order.pk = None
            catch_up(order.number)
    else:
        raise IllegalTransition(_("暂时无法生成工单编号，请重试。"))
    extra = {"files": len(prepared)} if prepared else {}
    entry = _entry(
        order, EntryKind.CREATED, actor, data={"channel": channel, "kind": kind}, **extra
    )
    media.store(prepared, order=order, entry=entry, user=actor)
    transitioned.send(sender=WorkOrder, order=order, transition="create", before="", actor=actor)
    audit_record(
        event=AuditEvent.CREATE, actor=actor, obj=order, changes={"after": snapshot(order)}
    )
    return order


@transaction.atomic
def workorder_update(
    *,
    order: WorkOrder,
    actor: User | None,
    expected_version: int | None = None,
    title: str | None = None,
    description: str | None = None,
    address: str | None = None,
) -> WorkOrder:
    """Correct what a case says before it is sent out (staff or its owner);
    ``expected_version`` (the API's If-Match) guards against lost updates."""
    order = _fresh(order)
    _check(order, "update", actor, expected_version)
    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = _text(title, field="title", limit=100, required=True)
    if description is not None:
        values["description"] = _text(description, field="description", limit=4000, required=True)
    if address is not None:
        values["address"] = _text(address, field="address", limit=200)
    before = {k: getattr(order, k) for k in values}
    order = _apply(order, "update", expected_version=expected_version, **values)
    _entry(order, EntryKind.UPDATED, actor, public=False, fields=sorted(values))
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=order,
        changes={"before": before, "after": values},
        detail={"transition": "update", "number": order.number},
    )
    return order
