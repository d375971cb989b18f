"""Reads of transfers between communities, for the side that asks.

A transfer belongs to two communities: each side reaches it through its own
household's path (``from_path`` or ``to_path``) with ``registry.transfer``;
a third community gets 404. :class:`TransferCard` is what one side may see of
it: before acceptance the receiving side of a pull sees only the masked name
and the old community's name; the old community sees only the new
community's name and the building and room.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shequ.core.models import User
from shequ.core.scoping import can, path_filter, scope_paths
from shequ.registry.choices import Action, TransferDirection, TransferState
from shequ.registry.models import ResidentTransfer
from shequ.registry.services_transfer import mask_name

SIDES = ("incoming", "outgoing")


def transfer_scope(*, actor: User) -> QuerySet[ResidentTransfer]:
    """Transfers with either household inside the actor's transfer scope."""
    paths = scope_paths(actor, Action.TRANSFER)
    if not paths:
        return ResidentTransfer.objects.none()
    return ResidentTransfer.objects.filter(
        path_filter(paths, "from_path") | path_filter(paths, "to_path")
    ).select_related(
        "resident",
        "from_household__area",
        "to_household__area",
        "from_community",
        "to_community",
        "requested_by",
        "decided_by",
    )


def _requesting(paths: list[str]) -> Q:
    """Transfers the actor's side asked for (pull into it, push out of it)."""
    return (Q(direction=TransferDirection.PULL) & path_filter(paths, "to_path")) | (
        Q(direction=TransferDirection.PUSH) & path_filter(paths, "from_path")
    )


def transfer_list(
    *, actor: User, side: str = "", pending: bool | None = None
) -> QuerySet[ResidentTransfer]:
    """The actor's transfers, newest first. ``side``: "incoming" (waiting for
    this side's decision, or decided by it), "outgoing" (asked for by this
    side). ``pending``: only open ones (True) or only closed and lapsed ones (False)."""
    transfers = transfer_scope(actor=actor)
    paths = scope_paths(actor, Action.TRANSFER)
    if side == "outgoing":
        transfers = transfers.filter(_requesting(paths))
    elif side == "incoming":
        transfers = transfers.exclude(_requesting(paths))
    if pending is not None:
        open_now = Q(state=TransferState.PENDING, expires_at__gt=timezone.now())
        transfers = transfers.filter(open_now) if pending else transfers.exclude(open_now)
    return transfers.order_by("-requested_at", "-id")


def transfer_get(*, actor: User, pk: int) -> ResidentTransfer:
    """One transfer of the actor's side; 404 whether missing or another community's."""
    found = transfer_scope(actor=actor).filter(pk=pk).first()
    if found is None:
        hidden = ResidentTransfer.objects.filter(pk=pk).first()
        if hidden is not None:
            from shequ.core.services.audit import audit_access_denied

            audit_access_denied(user=actor, obj=hidden, action=Action.TRANSFER)
        raise Http404
    return found


@dataclass
class TransferCard:
    """One transfer as one side may see it."""

    id: int
    direction: str
    direction_label: str
    state: str
    state_label: str
    resident_name: str
    resident_id: int | None  # set when the viewer may open the resident's page
    from_community: str
    to_community: str
    from_address: str  # only the old community's own staff see it
    to_address: str  # building and room: both sides
    relation_to_head: str
    relation_label: str
    reason: str
    decision_note: str
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    decided_by: str
    decided_at: datetime | None
    incoming: bool  # waiting for (or decided by) the viewer's side
    can_decide: bool
    can_cancel: bool


def transfer_card(*, actor: User, transfer: ResidentTransfer) -> TransferCard:
    on_from = can(actor, Action.TRANSFER, transfer.from_path)
    state = transfer.effective_state
    open_ = state == TransferState.PENDING
    sees_name = (
        on_from or transfer.direction == TransferDirection.PUSH or state == TransferState.ACCEPTED
    )
    resident = transfer.resident
    deciding = can(actor, Action.TRANSFER, transfer.deciding_path)
    return TransferCard(
        id=transfer.pk,
        direction=transfer.direction,
        direction_label=str(transfer.get_direction_display()),
        state=state,
        state_label=transfer.get_effective_state_display(),
        resident_name=resident.name if sees_name else mask_name(resident.name),
        resident_id=resident.pk if can(actor, Action.VIEW, resident.area_path) else None,
        from_community=transfer.from_community.name,
        to_community=transfer.to_community.name,
        from_address=str(transfer.from_household) if on_from else "",
        to_address=str(transfer.to_household),
        relation_to_head=transfer.relation_to_head,
        relation_label=str(transfer.get_relation_to_head_display()),
        reason=transfer.reason,
        decision_note=transfer.decision_note,
        requested_by=transfer.requested_by.get_username(),
        requested_at=transfer.requested_at,
        expires_at=transfer.expires_at,
        decided_by=transfer.decided_by.get_username() if transfer.decided_by_id else "",
        decided_at=transfer.decided_at,
        incoming=deciding and not can(actor, Action.TRANSFER, transfer.requesting_path),
        can_decide=open_ and deciding,
        can_cancel=open_ and can(actor, Action.TRANSFER, transfer.requesting_path),
    )


def transfer_cards(*, actor: User, transfers) -> list[TransferCard]:
    return [transfer_card(actor=actor, transfer=t) for t in transfers]
