"""Recording visits, online or from the phone's offline queue, and turning the
needs they found into cases of the work-order engine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind, AuditEvent
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import User
from shequ.core.scoping import can, get_scoped_or_404
from shequ.core.services.audit import audit_record
from shequ.field.choices import MUST_CONTACT_CODES, MUST_KNOW_CODES, Action
from shequ.field.models import (
    LedgerChangeProposal,
    Need,
    Outcome,
    ProposalKind,
    Visit,
    VisitPhoto,
)
from shequ.field.services._common import KeyReused, body_hash, client_uuid, server_time, text
from shequ.registry.choices import Gender, Relation
from shequ.registry.models import Household, Resident
from shequ.workorders import media
from shequ.workorders.choices import Channel, Kind
from shequ.workorders.models import Category, WorkOrder
from shequ.workorders.services import workorder_create

MAX_NEEDS = 10
MAX_PROPOSALS = 10
NEED_KINDS = (Kind.SERVICE_ORDER, Kind.INCIDENT)


class HouseholdRemoved(Conflict):
    code = "household_removed"
    default_message = _(
        "该户已在台账中注销（可能已搬走或合并），这条走访没有上传，仍保留在手机上。请联系社区核实后再处理。"
    )


@dataclass
class SyncResult:
    """What an upload produced; ``replayed``: the same item had arrived before."""

    visit: Visit
    replayed: bool = False
    warnings: list[str] = field(default_factory=list)


def _checklist(values: Any, allowed: list[str], name: str) -> list[str]:
    values = values or []
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise InvalidInput(_("清单项不正确。"), field=name)
    return [code for code in allowed if code in values]


def _needs(values: Any) -> list[dict[str, str]]:
    if not isinstance(values or [], list) or len(values or []) > MAX_NEEDS:
        raise InvalidInput(_("一次最多记录 %(n)s 项需求。") % {"n": MAX_NEEDS}, field="needs")
    needs = []
    for item in values or []:
        if not isinstance(item, dict):
            raise InvalidInput(_("需求格式不正确。"), field="needs")
        description = text(item.get("description"), field="needs", limit=500)
        if not description:
            continue
        kind = str(item.get("kind") or "")
        if kind and kind not in NEED_KINDS:
            raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": kind}, field="needs")
        needs.append(
            {"description": description, "kind": kind, "category": str(item.get("category") or "")}
        )
    return needs


def _category(code: str, kind: str) -> Category:
    category = Category.objects.filter(code=code or "other", is_active=True).first()
    if category is None or not category.applies_to(kind):
        category = Category.objects.filter(code="other", is_active=True).first()
    if category is None:
        raise InvalidInput(_("没有可用的工单类别，请联系管理员。"), field="needs")
    return category


def _case_from_need(*, actor: User, need: Need, household: Household, kind: str, category: str):
    staff = actor.kind == AccountKind.STAFF
    return workorder_create(
        actor=actor,
        kind=kind,
        category=_category(category, kind),
        area=household.area,
        title=(_("走访发现：%(text)s") % {"text": need.description})[:100],
        description=need.description,
        address=str(household)[:200],
        channel=Channel.GRID_REPORT if staff else Channel.PORTAL,
    )


def _proposals(values: Any, household: Household) -> list[dict[str, Any]]:
    if not isinstance(values or [], list) or len(values or []) > MAX_PROPOSALS:
        raise InvalidInput(_("台账变更格式不正确。"), field="proposals")
    cleaned = []
    for item in values or []:
        if not isinstance(item, dict) or item.get("kind") not in ProposalKind.values:
            raise InvalidInput(_("台账变更格式不正确。"), field="proposals")
        kind = item["kind"]
        row: dict[str, Any] = {"kind": kind, "data": {}, "resident": None, "mobile": None}
        if kind == ProposalKind.NEW_MEMBER:
            name = text(item.get("name"), field="proposals", limit=50, required=True)
            gender = item.get("gender") or ""
            if gender not in Gender.values:
                raise InvalidInput(_("请选择新成员的性别。"), field="proposals")
            relation = item.get("relation") or Relation.OTHER
            if relation not in Relation.values or relation == Relation.HEAD:
                relation = Relation.OTHER
            row["data"] = {"name": name, "gender": gender, "relation_to_head": relation}
            birth = text(item.get("birth_date"), field="proposals", limit=10)
            if birth:
                row["data"]["birth_date"] = birth
        else:
            resident = Resident.objects.filter(
                pk=_int(item.get("resident")), household=household, removed_at__isnull=True
            ).first()
            if resident is None:
                raise InvalidInput(_("请选择本户的一位成员。"), field="proposals")
            row["resident"] = resident
            row["resident_version"] = _int(item.get("resident_version"))
            if kind == ProposalKind.MOVED_OUT:
                row["data"] = {
                    "destination": text(item.get("destination"), field="proposals", limit=200)
                }
            else:
                from shequ.core.phones import normalize_mobile

                mobile = normalize_mobile(str(item.get("mobile") or "").strip())
                if mobile is None:
                    raise InvalidInput(
                        _("手机号码格式不正确，应为11位中国大陆手机号。"), field="proposals"
                    )
                row["mobile"] = mobile
        cleaned.append(row)
    return cleaned


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _store_photo(visit: Visit, item: media.Prepared) -> VisitPhoto:
    now = timezone.now()
    name = f"field/{now:%Y/%m}/{uuid.uuid4().hex}.{item.detected.ext}"
    saved = default_storage.save(name, ContentFile(item.data))
    return VisitPhoto.objects.create(
        visit=visit,
        storage_name=saved,
        content_type=item.content_type,
        size=len(item.data),
        width=item.width,
        height=item.height,
        area_path=visit.area_path,
    )


def _check_quota(actor: User, prepared: list) -> None:
    """Visit photos count towards the same daily upload quota as case files."""
    if not prepared:
        return
    since = timezone.now() - timedelta(days=1)
    visits = VisitPhoto.objects.filter(visit__worker=actor, visit__recorded_at__gte=since)
    used = (visits.aggregate(total=Sum("size"))["total"] or 0) + media.used_today(actor)
    if used + sum(len(p.data) for p in prepared) > media.daily_quota_bytes():
        raise InvalidInput(
            _("今日上传已达上限（%(mb)s MB），请明天再传。")
            % {"mb": media.daily_quota_bytes() // media.MB},
            field="photos",
            code="quota",
        )


def _replay(existing: Visit, digest: str) -> SyncResult:
    if existing.request_hash != digest:
        raise KeyReused()
    return SyncResult(visit=existing, replayed=True)


def visit_record(
    *,
    actor: User,
    household_id: Any,
    client_id: Any,
    payload: dict[str, Any],
    photos: list | None = None,
    client_sent_at: Any = None,
) -> SyncResult:
    """Record one visit, from the form or the offline queue.

    Rules: the household must be in the actor's grids (404 otherwise) and
    still in the ledger (a clear conflict if it was removed meanwhile, so the
    phone keeps the item); the same ``client_id`` with the same content
    returns the first visit, with other content it is refused (409); the
    time is the server's (see ``server_time``); photos lose their metadata;
    needs marked for a case become service orders or incidents, and proposed
    ledger changes wait for a community worker, all in the same transaction.
    """
    key = client_uuid(client_id)
    photos = [p for p in (photos or []) if p is not None]
    raw = []
    for upload in photos:
        upload.seek(0)
        raw.append(upload.read())
        upload.seek(0)
    digest = body_hash({"household": str(household_id), **payload}, raw)
    existing = Visit.objects.filter(worker=actor, client_id=key).first()
    if existing is not None:
        return _replay(existing, digest)
    if not can(actor, Action.VISIT):
        raise Forbidden()
    household = get_scoped_or_404(
        Household.objects.select_related("area"), actor, Action.VISIT, pk=_int(household_id) or 0
    )
    if household.is_removed:
        raise HouseholdRemoved()
    outcome = payload.get("outcome") or Outcome.MET
    if outcome not in Outcome.values:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": outcome}, field="outcome")
    values = {
        "outcome": outcome,
        "met": text(payload.get("met"), field="met", limit=100),
        "must_contact": _checklist(payload.get("must_contact"), MUST_CONTACT_CODES, "must_contact"),
        "must_know": _checklist(payload.get("must_know"), MUST_KNOW_CODES, "must_know"),
        "notes": text(payload.get("notes"), field="notes", limit=2000),
    }
    needs = _needs(payload.get("needs"))
    proposals = _proposals(payload.get("proposals"), household)
    prepared = media.prepare_all(photos, actor)
    _check_quota(actor, prepared)
    seen_version = _int(payload.get("household_version"))
    changed = seen_version is not None and seen_version != household.version
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                household=household,
                worker=actor,
                visited_at=server_time(payload.get("client_time"), client_sent_at),
                client_time=text(payload.get("client_time"), field="client_time", limit=40),
                household_version=seen_version,
                changed_meanwhile=changed,
                client_id=key,
                request_hash=digest,
                area_path=household.area_path,
                **values,
            )
            result = _record_parts(actor, visit, household, prepared, needs, proposals)
    except IntegrityError:
        # The same item sent twice at once: the other request stored it first.
        existing = Visit.objects.filter(worker=actor, client_id=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    if changed:
        result.warnings.append(
            _(
                "您离线期间，该户的台账信息已被他人修改。走访已保存；您提出的台账变更将由社区核对后处理。"
            )
        )
    return result


def _record_parts(actor, visit, household, prepared, needs, proposals) -> SyncResult:
    for item in prepared:
        _store_photo(visit, item)
    cases = []
    for item in needs:
        need = Need.objects.create(
            visit=visit, description=item["description"], area_path=visit.area_path
        )
        if item["kind"]:
            need.workorder = _case_from_need(
                actor=actor,
                need=need,
                household=household,
                kind=item["kind"],
                category=item["category"],
            )
            need.save(update_fields=["workorder"])
            cases.append(need.workorder.number)
    for item in proposals:
        resident = item["resident"]
        LedgerChangeProposal.objects.create(
            household=household,
            resident=resident,
            visit=visit,
            kind=item["kind"],
            data=item["data"],
            new_mobile=item["mobile"],
            household_version=visit.household_version or household.version,
            resident_version=item.get("resident_version")
            or (resident.version if resident else None),
            proposed_by=actor,
            area_path=household.area_path,
        )
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=visit,
        detail={
            "photos": len(prepared),
            "needs": len(needs),
            "cases": cases,
            "proposals": len(proposals),
            "changed_meanwhile": visit.changed_meanwhile,
        },
    )
    return SyncResult(visit=visit)


@transaction.atomic
def need_convert(*, actor: User, need: Need, kind: str, category: str = "") -> WorkOrder:
    """Turn a need found on a visit into a service order or an incident, in
    one tap. Pressing twice (or a retried request) gives the same case."""
    if kind not in NEED_KINDS:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": kind}, field="kind")
    need = Need.objects.select_for_update().select_related("visit__household__area").get(pk=need.pk)
    if not can(actor, Action.VISIT, need.area_path):
        raise Forbidden()
    if need.workorder_id:
        return need.workorder
    household = need.visit.household
    need.workorder = _case_from_need(
        actor=actor, need=need, household=household, kind=kind, category=category
    )
    need.save(update_fields=["workorder"])
    return need.workorder
