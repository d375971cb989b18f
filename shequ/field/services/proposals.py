"""Deciding ledger change proposals: a community worker approves (the change
is applied through the registry's services) or rejects."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, Forbidden
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record
from shequ.field.choices import Action
from shequ.field.models import LedgerChangeProposal, ProposalKind, ProposalState
from shequ.field.services._common import text
from shequ.registry.services import resident_update
from shequ.registry.services_events import resident_move_in, resident_move_out


class ChangedSinceProposed(Conflict):
    """The household or resident changed after the grid worker saw it."""

    code = "changed_since_proposed"
    default_message = _(
        "网格员提出变更后，该户或该居民的台账信息已被修改。请先核对最新信息，确认无误后勾选“已核对”再通过。"
    )


def conflicts(proposal: LedgerChangeProposal) -> list[str]:
    """What changed in the ledger since the worker proposed, in words."""
    found = []
    household, resident = proposal.household, proposal.resident
    if household.is_removed:
        found.append(_("该户已注销。"))
    elif (
        proposal.kind == ProposalKind.NEW_MEMBER
        and proposal.household_version is not None
        and household.version != proposal.household_version
    ):
        found.append(_("该户信息在提出后已被修改。"))
    if resident is not None:
        if resident.is_removed:
            found.append(_("该居民已被移除或迁出。"))
        elif (
            proposal.resident_version is not None and resident.version != proposal.resident_version
        ):
            found.append(_("该居民信息在提出后已被修改。"))
    return found


def _apply(actor: User, proposal: LedgerChangeProposal) -> None:
    reason = _("网格员走访发现")
    if proposal.kind == ProposalKind.NEW_MEMBER:
        resident_move_in(
            actor=actor,
            household=proposal.household,
            reason=reason,
            mobile=proposal.new_mobile or "",
            **proposal.data,
        )
    elif proposal.kind == ProposalKind.MOVED_OUT:
        resident_move_out(
            actor=actor,
            resident=proposal.resident,
            destination=proposal.data.get("destination") or _("不详"),
            reason=reason,
        )
    else:
        resident_update(actor=actor, resident=proposal.resident, mobile=proposal.new_mobile)


@transaction.atomic
def proposal_decide(
    *,
    actor: User,
    proposal: LedgerChangeProposal,
    approve: bool,
    note: str = "",
    checked: bool = False,
) -> LedgerChangeProposal:
    """Approve or reject a pending proposal (``field.approve`` on its area).

    Approval applies the change with the registry's own rules; a change of
    the household or resident since it was proposed is refused unless the
    approver ``checked`` the current ledger first. A decided proposal is not
    decided again (409)."""
    proposal = (
        LedgerChangeProposal.objects.select_for_update(of=("self",))
        .select_related("household", "resident")
        .get(pk=proposal.pk)
    )
    if not can(actor, Action.APPROVE, proposal.area_path):
        raise Forbidden()
    if proposal.state != ProposalState.PENDING:
        raise Conflict(_("该申请已处理，无需重复操作。"), code="already_decided")
    note = text(note, field="note", limit=200)
    if approve:
        found = conflicts(proposal)
        if found and (not checked or proposal.household.is_removed):
            raise ChangedSinceProposed(
                " ".join([*found, str(ChangedSinceProposed.default_message)])
            )
        _apply(actor, proposal)
    proposal.state = ProposalState.APPROVED if approve else ProposalState.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(
        event=AuditEvent.APPROVAL_APPROVED if approve else AuditEvent.APPROVAL_REJECTED,
        actor=actor,
        obj=proposal,
        detail={"kind": proposal.kind, "note": note, "checked": checked},
    )
    return proposal
