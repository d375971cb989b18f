"""The full (unmasked) export, with maker-checker (SECURITY.md rows 16 and 44).

The masked export (:mod:`shequ.registry.exporting`) stays the default. A
full export shows whole ID and mobile numbers, so it takes two people:

1. a worker allowed ``registry.export_full`` on an area asks for one, naming
   the area (the scope), the purpose and the format: an ``ApprovalRequest``
   of kind ``registry_full_export`` (the payload holds no personal number);
2. a *different* person allowed ``registry.export_full`` on that area
   approves or rejects it (``core.services.approvals.approval_decide``),
   before the request expires;
3. the requester, and only the requester, downloads the file once, within
   :data:`DOWNLOAD_HOURS` of the approval. The download turns the approval
   to "expired" in the same statement that checks it (a second click, or a
   second tab, finds it used), builds the watermarked file and writes one
   ``export`` audit row (``masked: false``, the approval, the row count).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.exports import spreadsheet_response
from shequ.core.models import ApprovalRequest, Area, User
from shequ.core.scoping import can, path_filter, restrict
from shequ.core.services.audit import audit_record
from shequ.registry.choices import Action
from shequ.registry.exporting import (
    DOCUMENT_NUMBER_COLUMN,
    FORMATS,
    MAX_EXPORT_ROWS,
    OTHER_PHONE_COLUMN,
    _row,
    export_headers,
)
from shequ.registry.labels import tags_prefetch
from shequ.registry.models import Resident

KIND = "registry_full_export"
DOWNLOAD_HOURS = 24
PURPOSE_MAX = 200


def download_hours() -> int:
    return int(getattr(settings, "REGISTRY_FULL_EXPORT_HOURS", DOWNLOAD_HOURS))


@transaction.atomic
def full_export_request(*, actor: User, area: Area, purpose: str, fmt: str) -> ApprovalRequest:
    """File a request for a full export of the residents under ``area``."""
    if not can(actor, Action.EXPORT_FULL, area.path):
        raise Forbidden(_("您没有申请导出完整信息的权限。"))
    if area.level not in (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID):
        raise InvalidInput(_("请选择社区、网格或更大的范围。"), field="area")
    purpose = " ".join(str(purpose or "").split())
    if len(purpose) < 4:
        raise InvalidInput(_("请写明导出用途（至少4个字）。"), field="purpose")
    if len(purpose) > PURPOSE_MAX:
        raise InvalidInput(_("用途最多200个字。"), field="purpose")
    if fmt not in FORMATS:
        raise InvalidInput(_("导出格式只能是 xlsx 或 csv。"), field="format")
    payload = {"area_id": area.pk, "purpose": purpose, "format": fmt}
    if ApprovalRequest.objects.filter(
        kind=KIND, state=ApprovalRequest.State.PENDING, requested_by=actor, payload=payload
    ).exists():
        raise Conflict(_("相同的导出申请已在审批中。"))
    now = timezone.now()
    approval = ApprovalRequest.objects.create(
        kind=KIND,
        payload=payload,
        summary=(_("完整信息导出") + f" · {area.name} · {purpose}")[:200],
        area_path=area.path,
        requested_by=actor,
        requested_at=now,
        expires_at=now + timezone.timedelta(hours=settings.APPROVAL_TTL_HOURS),
    )
    audit_record(event=AuditEvent.APPROVAL_REQUESTED, actor=actor, obj=approval, detail=payload)
    return approval


def full_export_list(*, actor: User) -> QuerySet[ApprovalRequest]:
    """Full-export requests in the actor's scope: theirs and the ones they may decide."""
    return (
        restrict(ApprovalRequest.objects.filter(kind=KIND), actor, Action.EXPORT_FULL)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at")
    )


def downloadable(approval: ApprovalRequest, user: User, now=None) -> bool:
    now = now or timezone.now()
    return (
        approval.kind == KIND
        and approval.state == ApprovalRequest.State.APPROVED
        and approval.requested_by_id == user.pk
        and approval.decided_at is not None
        and approval.decided_at + timezone.timedelta(hours=download_hours()) > now
    )


def _residents(actor: User, area: Area) -> QuerySet[Resident]:
    residents = restrict(Resident.objects.all(), actor, Action.EXPORT_FULL)
    return (
        residents.filter(path_filter([area.path], "area_path"), removed_at__isnull=True)
        .select_related("household__area")
        .prefetch_related(tags_prefetch(actor, area.path))
        .order_by("area_path", "household_id", "id")
    )


def _full_row(resident: Resident, today) -> list:
    row = _row(resident, today)
    row[4] = resident.id_number or ""
    row[5] = resident.mobile or ""
    row[OTHER_PHONE_COLUMN] = resident.other_phone or ""
    row[DOCUMENT_NUMBER_COLUMN] = resident.id_document_number or ""
    return row


def full_export_download(*, request: HttpRequest, approval: ApprovalRequest) -> HttpResponse:
    """The one download of an approved full export, by its requester."""
    actor = request.user
    now = timezone.now()
    if approval.kind != KIND or approval.requested_by_id != actor.pk:
        raise Forbidden(_("只有申请人本人可以下载。"))
    if not can(actor, Action.EXPORT_FULL, approval.area_path):
        raise Forbidden(_("您没有导出完整信息的权限。"))
    area = Area.objects.get(pk=approval.payload["area_id"])
    residents = _residents(actor, area)
    total = residents.count()
    if total > MAX_EXPORT_ROWS:
        raise InvalidInput(
            _("结果共 %(n)s 人，超过单次导出上限 %(max)s 人。请按社区或网格分批申请。")
            % {"n": total, "max": MAX_EXPORT_ROWS},
            code="too_many_rows",
        )
    with transaction.atomic():
        # Check and use in one statement: exactly one download wins.
        used = ApprovalRequest.objects.filter(
            pk=approval.pk,
            kind=KIND,
            state=ApprovalRequest.State.APPROVED,
            requested_by=actor,
            decided_at__gt=now - timezone.timedelta(hours=download_hours()),
        ).update(state=ApprovalRequest.State.EXPIRED)
        if not used:
            raise Conflict(
                _("该导出申请未获批准、已下载过或已超过下载期限，请重新申请。"),
                code="export_not_available",
            )
        today = timezone.localdate()
        response = spreadsheet_response(
            fmt=approval.payload.get("format", "xlsx"),
            filename=f"residents-full-{timezone.localtime():%Y%m%d-%H%M%S}",
            headers=export_headers(),
            rows=(_full_row(r, today) for r in residents.iterator(chunk_size=2000)),
            request=request,
            title=_("居民台账（完整信息）"),
        )
        audit_record(
            event=AuditEvent.EXPORT,
            actor=actor,
            object_type="registry.resident",
            object_repr=str(_("居民台账完整信息导出")),
            area_path=area.path,
            detail={
                "row_count": response.row_count,
                "format": approval.payload.get("format", "xlsx"),
                "masked": False,
                "approval": approval.pk,
                "approved_by": approval.decided_by_id,
                "purpose": approval.payload.get("purpose", ""),
            },
        )
    return response
