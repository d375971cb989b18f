"""Reports from the street: an incident or a dispute lead, with the phone's
location, photos and a short video, uploaded from the offline queue into the
work-order engine exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import can, get_scoped_or_404
from shequ.field.choices import Action
from shequ.field.models import FieldReport
from shequ.field.services._common import KeyReused, body_hash, client_uuid, text
from shequ.workorders.choices import Channel, Kind
from shequ.workorders.models import Category
from shequ.workorders.services import workorder_create

# A dispute lead (矛盾纠纷线索) is an incident of the neighbour-dispute category.
DISPUTE_CATEGORY = "neighbour"


@dataclass
class ReportResult:
    report: FieldReport
    replayed: bool = False


def _files_bytes(files: list) -> list[bytes]:
    raw = []
    for upload in files:
        upload.seek(0)
        raw.append(upload.read())
        upload.seek(0)
    return raw


def report_record(
    *,
    actor: User,
    client_id: Any,
    payload: dict[str, Any],
    files: list | None = None,
) -> ReportResult:
    """Report an incident (``kind`` "incident") or a dispute lead ("dispute")
    in an area of the actor's grids. No location is fine (the permission may
    have been refused): the case then carries only its area. The same
    ``client_id`` again returns the first report; with another body, 422."""
    key = client_uuid(client_id)
    files = [f for f in (files or []) if f is not None]
    digest = body_hash(payload, _files_bytes(files))
    existing = FieldReport.objects.filter(worker=actor, client_id=key).first()
    if existing is not None:
        if existing.request_hash != digest:
            raise KeyReused()
        return ReportResult(existing, replayed=True)
    if not can(actor, Action.VISIT):
        raise Forbidden()
    try:
        area_id = int(payload.get("area") or 0)
    except (TypeError, ValueError):
        area_id = 0
    area = get_scoped_or_404(Area.objects.all(), actor, Action.VISIT, pk=area_id)
    kind = payload.get("kind") or "incident"
    if kind not in ("incident", "dispute"):
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": kind}, field="kind")
    code = DISPUTE_CATEGORY if kind == "dispute" else str(payload.get("category") or "other")
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None or not category.applies_to(Kind.INCIDENT):
        raise InvalidInput(_("请选择事件类别。"), field="category")
    description = text(payload.get("description"), field="description", limit=4000, required=True)
    title = text(payload.get("title"), field="title", limit=100) or description[:40]
    try:
        with transaction.atomic():
            order = workorder_create(
                actor=actor,
                kind=Kind.INCIDENT,
                category=category,
                area=area,
                title=title,
                description=description,
                address=text(payload.get("address"), field="address", limit=200),
                latitude=payload.get("latitude"),
                longitude=payload.get("longitude"),
                channel=Channel.GRID_REPORT if actor.kind == AccountKind.STAFF else Channel.PORTAL,
                files=files,
            )
            report = FieldReport.objects.create(
                worker=actor,
                workorder=order,
                client_id=key,
                request_hash=digest,
                client_time=text(payload.get("client_time"), field="client_time", limit=40),
                area_path=order.area_path,
            )
    except IntegrityError:
        existing = FieldReport.objects.filter(worker=actor, client_id=key).first()
        if existing is None:
            raise
        if existing.request_hash != digest:
            raise KeyReused() from None
        return ReportResult(existing, replayed=True)
    return ReportResult(report)
