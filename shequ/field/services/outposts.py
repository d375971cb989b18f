"""Outpost service (驻点服务): scheduling outposts per estate, and recording
what was handled there, each item optionally turned into a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind, AuditEvent, Level
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record
from shequ.field.choices import Action
from shequ.field.models import Outpost, OutpostService, OutpostServiceKind
from shequ.field.services._common import KeyReused, body_hash, client_uuid, server_time, text
from shequ.workorders.choices import Channel, Kind
from shequ.workorders.models import Category
from shequ.workorders.services import workorder_create

MIN_DAYS_PER_WEEK = 3  # Daye: outposts at least three days a week
# What each kind becomes when turned into a case: (work-order kind, category).
CASE_OF = {
    OutpostServiceKind.CONSULTATION: (Kind.SERVICE_ORDER, "consultation"),
    OutpostServiceKind.ERRAND: (Kind.SERVICE_ORDER, "errands"),
    OutpostServiceKind.DISPUTE: (Kind.INCIDENT, "neighbour"),
}


def _weekdays(values: Any) -> list[int]:
    try:
        days = sorted({int(v) for v in values or []})
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("驻点日不正确。"), field="weekdays") from exc
    if any(d < 0 or d > 6 for d in days):
        raise InvalidInput(_("驻点日不正确。"), field="weekdays")
    if len(days) < MIN_DAYS_PER_WEEK:
        raise InvalidInput(
            _("驻点服务每周至少 %(n)s 天。") % {"n": MIN_DAYS_PER_WEEK}, field="weekdays"
        )
    return days


@transaction.atomic
def outpost_schedule(
    *,
    actor: User,
    area: Area,
    weekdays: Any,
    hours: str = "",
    staff: User | None = None,
) -> Outpost:
    """Set the outpost of an estate or building (one per place): its weekdays
    (at least three) and hours. Needs ``field.instruct`` there."""
    if not can(actor, Action.INSTRUCT, area.path):
        raise Forbidden()
    if area.level not in (Level.ESTATE, Level.BUILDING, Level.GRID):
        raise InvalidInput(_("驻点须设在小区、楼栋或网格。"), field="area")
    values = {
        "weekdays": _weekdays(weekdays),
        "hours": text(hours, field="hours", limit=50),
        "staff": staff,
        "is_active": True,
    }
    outpost = Outpost.objects.select_for_update().filter(area=area).first()
    created = outpost is None
    if created:
        outpost = Outpost(area=area, area_path=area.path)
    for key, value in values.items():
        setattr(outpost, key, value)
    outpost.save()
    audit_record(
        event=AuditEvent.CREATE if created else AuditEvent.UPDATE,
        actor=actor,
        obj=outpost,
        detail={"weekdays": values["weekdays"], "hours": values["hours"]},
    )
    return outpost


@dataclass
class ServiceResult:
    service: OutpostService
    replayed: bool = False


def outpost_service_record(
    *,
    actor: User,
    outpost: Outpost,
    client_id: Any,
    kind: str,
    description: str,
    to_case: bool = False,
    client_time: Any = None,
    client_sent_at: Any = None,
) -> ServiceResult:
    """Record one consultation, errand or dispute handled at the outpost
    (``field.outpost`` over it); ``to_case`` turns it into a service order or
    an incident at once. Idempotent by ``client_id`` like every queued item."""
    key = client_uuid(client_id)
    digest = body_hash(
        {"outpost": outpost.pk, "kind": kind, "description": description, "case": bool(to_case)}
    )
    existing = OutpostService.objects.filter(recorded_by=actor, client_id=key).first()
    if existing is not None:
        if existing.request_hash != digest:
            raise KeyReused()
        return ServiceResult(existing, replayed=True)
    if not can(actor, Action.OUTPOST, outpost.area_path):
        raise Forbidden()
    if kind not in OutpostServiceKind.values:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": kind}, field="kind")
    description = text(description, field="description", limit=500, required=True)
    try:
        with transaction.atomic():
            service = OutpostService.objects.create(
                outpost=outpost,
                kind=kind,
                description=description,
                recorded_by=actor,
                served_at=server_time(client_time, client_sent_at),
                client_id=key,
                request_hash=digest,
                area_path=outpost.area_path,
            )
            if to_case:
                case_kind, code = CASE_OF[kind]
                category = Category.objects.filter(code=code, is_active=True).first()
                category = category or Category.objects.get(code="other")
                service.workorder = workorder_create(
                    actor=actor,
                    kind=case_kind,
                    category=category,
                    area=outpost.area,
                    title=(
                        _("驻点%(kind)s：%(text)s")
                        % {"kind": service.get_kind_display(), "text": description}
                    )[:100],
                    description=description,
                    channel=Channel.FRONT_DESK
                    if actor.kind == AccountKind.STAFF
                    else Channel.PORTAL,
                )
                service.save(update_fields=["workorder"])
            audit_record(
                event=AuditEvent.CREATE,
                actor=actor,
                obj=service,
                detail={"kind": kind, "case": service.workorder.number if to_case else ""},
            )
    except IntegrityError:
        existing = OutpostService.objects.filter(recorded_by=actor, client_id=key).first()
        if existing is None:
            raise
        return ServiceResult(existing, replayed=True)
    return ServiceResult(service)


def week_start(day=None):
    day = day or timezone.localdate()
    return day - timezone.timedelta(days=day.weekday())
