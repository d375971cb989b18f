"""Moving a resident between communities (跨社区迁移).

A worker of one community cannot write into another, and one ID number is one
resident across the installation, so a move from community A to community B
takes both sides:

* **pull**: B's worker enters the person's ID number on the B household they
  moved into. A live record in A becomes a pending request that A's staff
  accept or reject; a record A already moved out (迁出) is received at once.
* **push**: A's worker releases the person to a household of B, found by B's
  community, building or unit and room; B's staff accept or reject.

Accepting moves the same row (household, area path, relation to the head),
so the person's timeline continues, and writes one life event naming both
communities. Each function is one transaction: the transfer row is locked, so
of two decisions at once one wins; a resident has at most one pending
request (row lock plus a partial unique index). A request nobody decided
lapses after ``TRANSFER_DAYS`` days (``ResidentTransfer.is_lapsed``).

Only community staff (``registry.transfer``) on their own side act; grid
workers propose nothing here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent, Level
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.idnumbers import parse_id_number
from shequ.core.models import Area, RoleAssignment, User
from shequ.core.notifications import notify
from shequ.core.roles import roles_with
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record, diff, snapshot
from shequ.registry.choices import Action, Relation, TransferDirection, TransferState
from shequ.registry.models import (
    Household,
    LifeEvent,
    LifeEventKind,
    Resident,
    ResidentTransfer,
)
from shequ.registry.models_transfer import TRANSFER_DAYS
from shequ.registry.services import HOUSEHOLD_LEVELS, id_number_index
from shequ.registry.services_events import _clear_head, _event, _reason, _save

NOTICE_KIND = "transfer"
_NOTE_LIMIT = 200


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """ "张三" → "张*", "欧阳娜娜" → "欧***": what the other side sees before acceptance."""
    name = str(name or "")
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def community_of(path: str) -> Area:
    """The community (社区) an area path lies in."""
    parts = path.split(".")
    prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    community = Area.objects.filter(path__in=prefixes, level=Level.COMMUNITY).first()
    if community is None:
        raise InvalidInput(_("该地址不在任何社区之下。"), field="household")
    return community


def transfer_staff(community: Area) -> list[User]:
    """Who may act for ``community`` on transfers: the inbox of that side."""
    paths = [*community.ancestor_paths(), community.path]
    rows = RoleAssignment.objects.filter(
        role__in=roles_with(Action.TRANSFER), area_path__in=paths
    ).values("user_id")
    return list(User.objects.filter(is_active=True, pk__in=rows)[:20])


def _link(transfer: ResidentTransfer) -> str:
    return reverse("registry:transfer_detail", args=[transfer.pk])


def _relation(value: str | None) -> str:
    value = value or Relation.OTHER
    if value not in Relation.values:
        raise InvalidInput(
            _("“%(value)s”不是可选的值。") % {"value": value}, field="relation_to_head"
        )
    return value


def _note(text: str | None, *, required: bool) -> str:
    note = " ".join(str(text or "").split())
    if required and not note:
        raise InvalidInput(_("请填写拒绝的理由。"), field="note")
    if len(note) > _NOTE_LIMIT:
        raise InvalidInput(_("处理意见最多200个字。"), field="note")
    return note


def _lock_transfer(transfer: ResidentTransfer) -> ResidentTransfer:
    return ResidentTransfer.objects.select_for_update().get(pk=transfer.pk)


def _still_pending(transfer: ResidentTransfer) -> None:
    if transfer.is_lapsed:
        raise Conflict(
            _("该申请超过%(days)s天无人处理，已过期。如仍需迁移，请重新发起。")
            % {"days": TRANSFER_DAYS},
            code="transfer_expired",
        )
    if transfer.state != TransferState.PENDING:
        raise Conflict(
            _("该申请已处理：%(state)s。") % {"state": transfer.get_state_display()},
            code="transfer_decided",
        )


def _no_pending(resident: Resident) -> None:
    """Called with the resident row locked: at most one open request per person.
    A lapsed one is closed here, so it never blocks a new request."""
    pending = (
        ResidentTransfer.objects.select_for_update()
        .filter(resident=resident, state=TransferState.PENDING)
        .first()
    )
    if pending is None:
        return
    if not pending.is_lapsed:
        raise Conflict(
            _("该居民已有一项待对方确认的跨社区迁移申请，请等待处理或撤回后再发起。"),
            code="transfer_pending",
        )
    pending.state = TransferState.EXPIRED
    pending.decided_at = timezone.now()
    pending.save(update_fields=["state", "decided_at"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=None,
        obj=pending,
        changes={"before": {"state": "pending"}, "after": {"state": "expired"}},
        detail={"transfer": "expired"},
    )


def _create(**values) -> ResidentTransfer:
    try:
        with transaction.atomic():
            return ResidentTransfer.objects.create(**values)
    except IntegrityError as exc:  # a concurrent request for the same person
        raise Conflict(
            _("该居民已有一项待对方确认的跨社区迁移申请，请等待处理或撤回后再发起。"),
            code="transfer_pending",
        ) from exc


def _address(household: Household) -> str:
    return str(household)


def _move(
    *,
    actor: User,
    transfer: ResidentTransfer,
    resident: Resident,
    target: Household,
    relation: str,
) -> Resident:
    """Put the (locked) resident into the (locked) target household: the same
    row, so the timeline continues; the old household loses its head if they were it."""
    old = resident.household
    before = snapshot(resident)
    if not resident.is_removed:
        _clear_head(Household.objects.select_for_update().get(pk=old.pk), resident)
    resident.household = target
    resident.area_path = target.area_path
    resident.relation_to_head = relation
    resident.removed_at = None
    resident.removed_reason = ""
    _save(resident, "household", "area_path", "relation_to_head", "removed_at", "removed_reason")
    if relation == Relation.HEAD:
        target.head = resident
        target.version += 1
        target.save(update_fields=["head", "version", "updated_at"])
    from_name, to_name = transfer.from_community.name, transfer.to_community.name
    _event(
        kind=LifeEventKind.MOVE_BETWEEN_HOUSEHOLDS,
        actor=actor,
        resident=resident,
        household=target,
        reason=transfer.reason,
        details={
            "transfer": transfer.pk,
            "from_community": from_name,
            "to_community": to_name,
            "from_household": old.pk,
            "from": f"{from_name} {_address(old)}",
            "to_household": target.pk,
            "to": f"{to_name} {_address(target)}",
        },
    )
    audit_record(
        event=AuditEvent.MOVE,
        actor=actor,
        obj=resident,
        changes=diff(before, snapshot(resident)),
        detail={"life_event": LifeEventKind.MOVE_BETWEEN_HOUSEHOLDS, "transfer": transfer.pk},
    )
    return resident


def _moved_out_of(resident: Resident) -> bool:
    """Was the resident's last removal a move-out (迁出), not a death or an error?"""
    last = (
        LifeEvent.objects.filter(
            resident=resident,
            kind__in=[
                LifeEventKind.MOVE_OUT,
                LifeEventKind.DEATH,
                LifeEventKind.REMOVAL,
                LifeEventKind.RESTORE,
            ],
        )
        .order_by("-recorded_at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return last == LifeEventKind.MOVE_OUT


def _check_head(target: Household, relation: str) -> None:
    if relation == Relation.HEAD and target.head_id is not None:
        raise InvalidInput(_("该户已有户主。"), field="relation_to_head")


# --------------------------------------------------------------------------
# Finding the other side's household (push)
# --------------------------------------------------------------------------


def transfer_communities(*, actor: User) -> QuerySet[Area]:
    """Communities a person can be released to: every one but the actor's own.
    Only names: nothing of their residents."""
    own = [
        a.pk
        for a in Area.objects.filter(level=Level.COMMUNITY)
        if can(actor, Action.TRANSFER, a.path)
    ]
    return Area.objects.filter(level=Level.COMMUNITY).exclude(pk__in=own).order_by("path")


def transfer_addresses(*, community: Area) -> QuerySet[Area]:
    """Buildings and stairway units of ``community`` (the address picker of a push)."""
    return Area.objects.filter(
        level__in=HOUSEHOLD_LEVELS, path__startswith=community.path + "."
    ).order_by("path")


def transfer_target_household(*, community: Area, area: Area, room: str) -> Household:
    """The one live household of the other community at a building or unit and
    room. The releasing side sees no more than that address."""
    if area.level not in HOUSEHOLD_LEVELS or not area.is_within(community.path):
        raise InvalidInput(_("请选择对方社区的楼栋或单元。"), field="area")
    room = " ".join(str(room or "").split())
    found = list(Household.objects.filter(area=area, room=room, removed_at__isnull=True)[:2])
    if not found:
        raise InvalidInput(
            _(
                "对方社区在这个地址没有登记的户。请联系对方社区先登记该户，或由对方从户页面发起迁入。"
            ),
            field="room",
        )
    if len(found) > 1:
        raise InvalidInput(_("这个地址登记了多户，请联系对方社区，由对方发起迁入。"), field="room")
    return found[0]


# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------


@transaction.atomic
def transfer_request_pull(
    *,
    actor: User,
    household: Household,
    id_number: str,
    relation_to_head: str = Relation.OTHER,
    reason: str = "",
) -> ResidentTransfer:
    """The new community (B) asks for a person it found by ID number.

    A live record in another community becomes a pending request for that
    community's staff; a record that community already moved out is received
    at once (state ``accepted``). B learns only the masked name and the other
    community's name until the old community accepts.
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not can(actor, Action.TRANSFER, household.area_path):
        raise Forbidden()
    if household.is_removed:
        raise InvalidInput(_("该户已注销，不能再迁入成员。"), field="household")
    relation = _relation(relation_to_head)
    reason = _reason(reason, required=False)
    parsed = parse_id_number(id_number)
    resident = (
        Resident.objects.select_for_update()
        .filter(id_number_index=id_number_index(parsed.value))
        .first()
    )
    if resident is None:
        raise InvalidInput(
            _("居民台账中没有这个公民身份号码，请直接在本户登记该居民。"),
            field="id_number",
            code="transfer_not_found",
        )
    resident = Resident.objects.select_related("household__area").get(pk=resident.pk)
    to_community = community_of(household.area_path)
    from_community = community_of(resident.area_path)
    if from_community.pk == to_community.pk:
        raise InvalidInput(
            _("此人的记录就在本社区：请在其居民页面用“迁到另一户”或“恢复此记录”办理。"),
            field="id_number",
            code="transfer_same_community",
        )
    _check_head(household, relation)
    values = {
        "resident": resident,
        "from_household": resident.household,
        "to_household": household,
        "from_community": from_community,
        "to_community": to_community,
        "from_path": resident.area_path,
        "to_path": household.area_path,
        "direction": TransferDirection.PULL,
        "relation_to_head": relation,
        "reason": reason,
        "requested_by": actor,
    }
    if resident.is_removed:
        return _receive_moved_out(actor=actor, resident=resident, target=household, values=values)
    _no_pending(resident)
    transfer = _create(**values)
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=transfer,
        changes={"after": snapshot(transfer)},
        detail={"direction": TransferDirection.PULL},
    )
    notify(
        transfer_staff(from_community),
        kind=NOTICE_KIND,
        title=_("%(community)s申请迁入您社区的一位居民") % {"community": to_community.name},
        body=_("%(name)s · 请在“跨社区迁移”中确认或拒绝") % {"name": resident.name},
        link=_link(transfer),
    )
    return transfer


def _receive_moved_out(
    *, actor: User, resident: Resident, target: Household, values: dict
) -> ResidentTransfer:
    """A person the old community already moved out: B receives them at once."""
    if resident.anonymised_at is not None:
        raise InvalidInput(
            _("此人的原有记录已按保存期限匿名化，请直接在本户登记。"), field="id_number"
        )
    if not _moved_out_of(resident):
        raise InvalidInput(
            _("此人在%(community)s的记录已注销（并非迁出），请联系该社区核实后再办理。")
            % {"community": values["from_community"].name},
            field="id_number",
            code="transfer_removed",
        )
    now = timezone.now()
    transfer = _create(
        **values,
        state=TransferState.ACCEPTED,
        decided_by=actor,
        decided_at=now,
        decision_note=_("原社区已办理迁出，迁入社区直接接收。"),
    )
    _move(
        actor=actor,
        transfer=transfer,
        resident=resident,
        target=target,
        relation=values["relation_to_head"],
    )
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=transfer,
        changes={"after": snapshot(transfer)},
        detail={"direction": TransferDirection.PULL, "received_moved_out": True},
    )
    notify(
        transfer_staff(values["from_community"]),
        kind=NOTICE_KIND,
        title=_("您社区已迁出的一位居民已在%(community)s登记")
        % {"community": values["to_community"].name},
        body=resident.name,
        link=_link(transfer),
    )
    return transfer


@transaction.atomic
def transfer_request_push(
    *, actor: User, resident: Resident, target_household: Household, reason: str = ""
) -> ResidentTransfer:
    """The old community (A) releases a live resident to a household of
    another community, found with :func:`transfer_target_household`; that
    community's staff accept or reject."""
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .select_related("household__area")
        .get(pk=resident.pk)
    )
    if not can(actor, Action.TRANSFER, resident.area_path):
        raise Forbidden()
    if resident.is_removed:
        raise InvalidInput(_("该居民已被移除，请先恢复。"))
    target = (
        Household.objects.select_for_update(of=("self",))
        .select_related("area")
        .get(pk=target_household.pk)
    )
    if target.is_removed:
        raise InvalidInput(_("目标户已注销。"), field="room")
    reason = _reason(reason, required=False)
    from_community = community_of(resident.area_path)
    to_community = community_of(target.area_path)
    if from_community.pk == to_community.pk:
        raise InvalidInput(
            _("目标地址在本社区：请用“迁到另一户”办理。"),
            field="community",
            code="transfer_same_community",
        )
    _no_pending(resident)
    transfer = _create(
        resident=resident,
        from_household=resident.household,
        to_household=target,
        from_community=from_community,
        to_community=to_community,
        from_path=resident.area_path,
        to_path=target.area_path,
        direction=TransferDirection.PUSH,
        relation_to_head=Relation.OTHER,
        reason=reason,
        requested_by=actor,
    )
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=transfer,
        changes={"after": snapshot(transfer)},
        detail={"direction": TransferDirection.PUSH},
    )
    notify(
        transfer_staff(to_community),
        kind=NOTICE_KIND,
        title=_("%(community)s有一位居民将迁入您社区") % {"community": from_community.name},
        body=_("%(name)s · 迁入 %(address)s · 请在“跨社区迁移”中确认或拒绝")
        % {"name": mask_name(resident.name), "address": _address(target)},
        link=_link(transfer),
    )
    return transfer


# --------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------


@transaction.atomic
def transfer_decide(
    *,
    actor: User,
    transfer: ResidentTransfer,
    accept: bool,
    note: str = "",
    relation_to_head: str | None = None,
) -> ResidentTransfer:
    """The other side accepts (the resident moves) or rejects (with a reason).

    Of two decisions at once, one wins and the other answers "already
    decided". A resident who moved, was removed or changed household since the
    request cannot be moved by it. On a push the receiving side may set the
    relation to the head; on a pull the requester chose it (a head already
    there turns it into "other").
    """
    transfer = _lock_transfer(transfer)
    if not can(actor, Action.TRANSFER, transfer.deciding_path):
        raise Forbidden(_("只有对方社区可以确认或拒绝此申请。"))
    _still_pending(transfer)
    note = _note(note, required=not accept)
    before = snapshot(transfer)
    now = timezone.now()
    if accept:
        resident = (
            Resident.objects.select_for_update(of=("self",))
            .select_related("household__area")
            .get(pk=transfer.resident_id)
        )
        if resident.is_removed or resident.household_id != transfer.from_household_id:
            raise Conflict(
                _("该居民在申请后已迁出、移除或换了住户，此申请不能再确认，请拒绝后重新发起。"),
                code="transfer_stale",
            )
        target = (
            Household.objects.select_for_update(of=("self",))
            .select_related("area")
            .get(pk=transfer.to_household_id)
        )
        if target.is_removed:
            raise Conflict(_("迁入的户已注销，请拒绝此申请。"), code="transfer_stale")
        relation = transfer.relation_to_head
        if transfer.direction == TransferDirection.PUSH and relation_to_head:
            relation = _relation(relation_to_head)
            _check_head(target, relation)
        elif relation == Relation.HEAD and target.head_id is not None:
            relation = Relation.OTHER
        _move(actor=actor, transfer=transfer, resident=resident, target=target, relation=relation)
        transfer.state = TransferState.ACCEPTED
        transfer.relation_to_head = relation
    else:
        transfer.state = TransferState.REJECTED
    transfer.decided_by = actor
    transfer.decided_at = now
    transfer.decision_note = note
    transfer.save(
        update_fields=["state", "relation_to_head", "decided_by", "decided_at", "decision_note"]
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=transfer,
        changes=diff(before, snapshot(transfer)),
        detail={"transfer": transfer.state},
    )
    community = (
        transfer.from_community
        if transfer.direction == TransferDirection.PULL
        else transfer.to_community
    )
    title = (_("%(community)s已同意迁移申请") if accept else _("%(community)s拒绝了迁移申请")) % {
        "community": community.name
    }
    notify(transfer.requested_by, kind=NOTICE_KIND, title=title, body=note, link=_link(transfer))
    return transfer


@transaction.atomic
def transfer_cancel(*, actor: User, transfer: ResidentTransfer, note: str = "") -> ResidentTransfer:
    """The requesting side withdraws its request while it is pending."""
    transfer = _lock_transfer(transfer)
    if not can(actor, Action.TRANSFER, transfer.requesting_path):
        raise Forbidden(_("只有发起申请的社区可以撤回。"))
    _still_pending(transfer)
    before = snapshot(transfer)
    transfer.state = TransferState.CANCELLED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decision_note = _note(note, required=False)
    transfer.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=transfer,
        changes=diff(before, snapshot(transfer)),
        detail={"transfer": transfer.state},
    )
    return transfer
