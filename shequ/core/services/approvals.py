"""Maker-checker for sensitive changes (SECURITY.md row 16).

``role_grant_request`` grants ordinary roles at once and turns sensitive
grants (a separated role, or any role over a city or district) into an
``ApprovalRequest`` that a different holder of ``role.manage`` must approve
before it expires. Approval performs the grant in the same transaction.

Other kinds of request (a full, unmasked registry export…) plug in with
:func:`register_approval_kind` from their app's ``ready()``: the action an
approver needs on the request's area, and what approving does (called in the
deciding transaction; may be None when the requester acts on the approval
later, as the export's one download does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.errors import Conflict, Forbidden
from shequ.core.models import ApprovalRequest, Area, RoleAssignment, User
from shequ.core.roles import SEPARATED_ROLES, Action, Role
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record
from shequ.core.services.users import role_grant, role_grant_check

BROAD_LEVELS = {Level.CITY, Level.DISTRICT}


@dataclass(frozen=True)
class ApprovalKind:
    """How requests of one kind are decided."""

    action: str  # what the approver must be allowed on the request's area
    on_approve: Callable[[User, ApprovalRequest], None] | None = None


_KINDS: dict[str, ApprovalKind] = {}


def register_approval_kind(
    kind: str, *, action: str, on_approve: Callable[[User, ApprovalRequest], None] | None = None
) -> None:
    """Declare a kind of ``ApprovalRequest`` (call from an AppConfig's ``ready``)."""
    _KINDS[kind] = ApprovalKind(action=action, on_approve=on_approve)


def approval_kind(kind: str) -> ApprovalKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise Conflict(_("未知的审批类型。")) from None


def _grant_on_approve(actor: User, approval: ApprovalRequest) -> None:
    payload = approval.payload
    role_grant(
        actor=actor,
        user=User.objects.get(pk=payload["user_id"]),
        role=payload["role"],
        area=Area.objects.get(pk=payload["area_id"]),
    )


register_approval_kind(
    ApprovalRequest.Kind.ROLE_GRANT, action=Action.ROLE_MANAGE, on_approve=_grant_on_approve
)


def grant_needs_approval(*, role: str, area: Area) -> bool:
    return role in SEPARATED_ROLES or area.level in BROAD_LEVELS


@dataclass
class GrantOutcome:
    assignment: RoleAssignment | None = None
    approval: ApprovalRequest | None = None


@transaction.atomic
def role_grant_request(*, actor: User, user: User, role: str, area: Area) -> GrantOutcome:
    """Grant now, or file the grant for a second security administrator."""
    if not grant_needs_approval(role=role, area=area):
        return GrantOutcome(assignment=role_grant(actor=actor, user=user, role=role, area=area))
    role_grant_check(actor=actor, user=user, role=role, area=area)
    payload = {"user_id": user.pk, "role": role, "area_id": area.pk}
    if ApprovalRequest.objects.filter(
        state=ApprovalRequest.State.PENDING, payload=payload
    ).exists():
        raise Conflict(_("相同的授权申请已在审批中。"))
    now = timezone.now()
    approval = ApprovalRequest.objects.create(
        kind=ApprovalRequest.Kind.ROLE_GRANT,
        payload=payload,
        summary=f"{user.username} · {Role(role).label} · {area.name}"[:200],
        area_path=area.path,
        requested_by=actor,
        requested_at=now,
        expires_at=now + timezone.timedelta(hours=settings.APPROVAL_TTL_HOURS),
    )
    audit_record(event=AuditEvent.APPROVAL_REQUESTED, actor=actor, obj=approval, detail=payload)
    return GrantOutcome(approval=approval)


def approval_decide(*, actor: User, approval: ApprovalRequest, approve: bool) -> ApprovalRequest:
    """Approve or reject a pending request; never one's own, never after it expired.

    An expired request is marked so (and stays marked) before the refusal.
    """
    now = timezone.now()
    expired = ApprovalRequest.objects.filter(
        pk=approval.pk, state=ApprovalRequest.State.PENDING, expires_at__lte=now
    ).update(state=ApprovalRequest.State.EXPIRED)
    if expired:
        raise Conflict(_("该申请已过期，请重新提交。"))
    return _decide(actor=actor, approval=approval, approve=approve, now=now)


@transaction.atomic
def _decide(*, actor: User, approval: ApprovalRequest, approve: bool, now) -> ApprovalRequest:
    approval = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
    kind = approval_kind(approval.kind)
    if not can(actor, kind.action, approval.area_path):
        raise Forbidden()
    if approval.requested_by_id == actor.pk:
        raise Forbidden(_("不能审批自己提交的申请。"))
    if approval.state != ApprovalRequest.State.PENDING:
        raise Conflict(_("该申请已处理。"))
    if approve and kind.on_approve is not None:
        kind.on_approve(actor, approval)
    approval.state = ApprovalRequest.State.APPROVED if approve else ApprovalRequest.State.REJECTED
    approval.decided_by = actor
    approval.decided_at = now
    approval.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        event=AuditEvent.APPROVAL_APPROVED if approve else AuditEvent.APPROVAL_REJECTED,
        actor=actor,
        obj=approval,
        detail=approval.payload,
    )
    return approval
