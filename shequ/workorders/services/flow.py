"""The transitions of a case after intake: triage, dispatch, claim, release,
start, notes, resolve, close, rate (and reopen), hand-off."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AccountKind
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.workorders import media, notices
from shequ.workorders.choices import (
    Action,
    DispatchTarget,
    EntryKind,
    State,
    TriageClass,
)
from shequ.workorders.errors import AlreadyClaimed, IllegalTransition, StaleVersion
from shequ.workorders.models import Attachment, AttachmentKind, Department, WorkOrder
from shequ.workorders.permissions import may
from shequ.workorders.services._common import (
    _apply,
    _audit,
    _check,
    _entry,
    _fresh,
    _text,
)

# --------------------------------------------------------------------------
# Triage and dispatch
# --------------------------------------------------------------------------


@transaction.atomic
def workorder_triage(
    *,
    order: WorkOrder,
    actor: User | None,
    triage_class: str,
    reason: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """三事分流: class the case major, minor or private. Changing the class of a
    case already triaged is a re-class and needs a reason."""
    order = _fresh(order)
    _check(order, "triage", actor, expected_version)
    if triage_class not in TriageClass.values:
        raise InvalidInput(
            _("“%(value)s”不是可选的值。") % {"value": triage_class}, field="triage_class"
        )
    reason = _text(reason, field="reason", limit=500)
    reclass = order.state == State.TRIAGED
    if reclass and not reason:
        raise InvalidInput(_("重新分类须填写原因。"), field="reason")
    before, previous = order.state, order.triage_class
    now = timezone.now()
    order = _apply(
        order,
        "triage",
        expected_version=expected_version,
        triage_class=triage_class,
        responded_at=order.responded_at or now,
    )
    kind = EntryKind.RECLASSED if reclass else EntryKind.TRIAGED
    _entry(order, kind, actor, reason, triage_class=triage_class, previous=previous)
    _audit(order, actor, "triage", before, triage_class=triage_class)
    return order


@transaction.atomic
def workorder_dispatch(
    *,
    order: WorkOrder,
    actor: User | None,
    to: str,
    handler: User | None = None,
    department: Department | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """The community sends a triaged case to a grid worker (or another handler
    in the area), to a department of the district, or to the open pool where
    party members and volunteers claim it. Private matters are not dispatched."""
    order = _fresh(order)
    _check(order, "dispatch", actor, expected_version)
    if order.triage_class == TriageClass.PRIVATE:
        raise IllegalTransition(_("私事由居民自行处理，请以指导意见关闭。"))
    note = _text(note, field="note", limit=2000)
    before = order.state
    values: dict[str, Any] = {"handler": None, "department": None, "claimed_at": None}
    if to == DispatchTarget.GRID:
        if (
            handler is None
            or not can(handler, Action.HANDLE, order.area_path)
            or not handler.is_active
        ):
            raise InvalidInput(_("请选择辖区内的处置人。"), field="handler_id")
        values["handler"] = handler
        target, kind = State.DISPATCHED, EntryKind.DISPATCHED
    elif to == DispatchTarget.DEPARTMENT:
        if (
            department is None
            or not department.is_active
            or not order.area.is_within(department.district.path)
        ):
            raise InvalidInput(_("请选择本区的职能部门。"), field="department_id")
        values["department"] = department
        target, kind = State.DISPATCHED, EntryKind.DISPATCHED
    elif to == DispatchTarget.POOL:
        target, kind = State.POOLED, EntryKind.POOLED
    else:
        raise InvalidInput(_("“%(value)s”不是可选的值。") % {"value": to}, field="to")
    order = _apply(order, "dispatch", expected_version=expected_version, target=target, **values)
    _entry(
        order,
        kind,
        actor,
        note,
        to=to,
        handler=handler.pk if values["handler"] else None,
        department=department.name if values["department"] else None,
    )
    _audit(order, actor, "dispatch", before, to=to)
    if to != DispatchTarget.POOL:
        transaction.on_commit(lambda: notices.assigned(order))
    return order


# --------------------------------------------------------------------------
# Claim, release, handling
# --------------------------------------------------------------------------


@transaction.atomic
def workorder_claim(
    *, order: WorkOrder, actor: User, expected_version: int | None = None
) -> WorkOrder:
    """A party member or volunteer of the case's community takes a pooled
    order. Exactly one concurrent claim wins; the others get AlreadyClaimed."""
    order = _fresh(order)
    if expected_version is not None and order.version != expected_version:
        raise StaleVersion()
    if not may(actor, order, "claim"):
        raise Forbidden()
    updated = WorkOrder.objects.filter(pk=order.pk, state=State.POOLED).update(
        state=State.CLAIMED,
        handler=actor,
        claimed_at=timezone.now(),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise AlreadyClaimed()
    order = _fresh(order)
    _entry(order, EntryKind.CLAIMED, actor)
    _audit(order, actor, "claim", State.POOLED)
    transaction.on_commit(lambda: notices.claimed(order))
    return order


@transaction.atomic
def workorder_release(
    *, order: WorkOrder, actor: User | None, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """The claimant (or the community) puts a claimed order back in the pool."""
    order = _fresh(order)
    _check(order, "release", actor, expected_version)
    note = _text(note, field="note", limit=2000)
    previous = order.handler_id
    order = _apply(
        order, "release", expected_version=expected_version, handler=None, claimed_at=None
    )
    _entry(order, EntryKind.RELEASED, actor, note, previous_handler=previous)
    _audit(order, actor, "release", State.CLAIMED)
    return order


@transaction.atomic
def workorder_start(
    *, order: WorkOrder, actor: User | None, expected_version: int | None = None
) -> WorkOrder:
    """The handler starts work. For a case sent to a department, the department
    handler who starts it becomes its handler."""
    order = _fresh(order)
    _check(order, "start", actor, expected_version)
    before = order.state
    values: dict[str, Any] = {"responded_at": order.responded_at or timezone.now()}
    where: dict[str, Any] = {}
    if order.handler_id is None and actor is not None:
        values["handler"] = actor
        where["handler__isnull"] = True
    order = _apply(order, "start", expected_version=expected_version, where=where, **values)
    _entry(order, EntryKind.STARTED, actor)
    _audit(order, actor, "start", before)
    return order


@transaction.atomic
def workorder_add_note(
    *,
    order: WorkOrder,
    actor: User | None,
    note: str,
    public: bool = True,
    expected_version: int | None = None,
    files=None,
) -> WorkOrder:
    """A progress note from the handler, the owner or staff of the area, with
    optional photos and videos (``files``: uploaded files, checked by
    ``media``). Non-public notes, and their files, are for staff only."""
    order = _fresh(order)
    _check(order, "note", actor, expected_version)
    note = _text(note, field="note", limit=4000, required=True)
    prepared = media.prepare_all(files, actor)
    order = _apply(order, "note", expected_version=expected_version)
    entry = _entry(order, EntryKind.NOTE, actor, note, public=public, files=len(prepared))
    media.store(prepared, order=order, entry=entry, user=actor)
    _audit(order, actor, "note", order.state, files=len(prepared))
    return order


def _has_site_photo(order: WorkOrder) -> bool:
    """A photo on a progress note since the work (last) started."""
    started = (
        order.timeline.filter(kind=EntryKind.STARTED).order_by("-at", "-id").values("at").first()
    )
    photos = Attachment.objects.filter(
        order=order, kind=AttachmentKind.PHOTO, entry__kind=EntryKind.NOTE
    )
    if started:
        photos = photos.filter(entry__at__gte=started["at"])
    return photos.exists()


@transaction.atomic
def workorder_resolve(
    *,
    order: WorkOrder,
    actor: User | None,
    note: str,
    expected_version: int | None = None,
    files=None,
) -> WorkOrder:
    """The handler finishes the work; a result note is required, and for
    on-site work (``Category.requires_photo_on_resolve``) a photo: with the
    result, or on a progress note since the work started."""
    order = _fresh(order)
    _check(order, "resolve", actor, expected_version)
    note = _text(note, field="note", limit=4000, required=True)
    prepared = media.prepare_all(files, actor)
    if (
        order.category.requires_photo_on_resolve
        and not any(p.detected.kind == AttachmentKind.PHOTO for p in prepared)
        and not _has_site_photo(order)
    ):
        raise InvalidInput(
            _("该类别为现场处置，办结时须上传至少一张现场照片。"),
            field="files",
            code="photo_required",
        )
    order = _apply(order, "resolve", expected_version=expected_version, resolved_at=timezone.now())
    entry = _entry(order, EntryKind.RESOLVED, actor, note, files=len(prepared))
    media.store(prepared, order=order, entry=entry, user=actor)
    _audit(order, actor, "resolve", State.IN_PROGRESS, files=len(prepared))
    transaction.on_commit(lambda: notices.resolved(order))
    return order


@transaction.atomic
def workorder_close(
    *, order: WorkOrder, actor: User | None, note: str = "", expected_version: int | None = None
) -> WorkOrder:
    """The community closes a resolved case, or a private matter straight after
    triage with guidance to the resident (the guidance note is required)."""
    order = _fresh(order)
    _check(order, "close", actor, expected_version)
    note = _text(note, field="note", limit=4000)
    if order.state == State.TRIAGED:
        if order.triage_class != TriageClass.PRIVATE:
            raise IllegalTransition(_("只有私事可在分流后直接关闭。"))
        if not note:
            raise InvalidInput(_("请填写给居民的指导意见。"), field="note")
    before = order.state
    order = _apply(order, "close", expected_version=expected_version, closed_at=timezone.now())
    _entry(order, EntryKind.CLOSED, actor, note)
    _audit(order, actor, "close", before)
    return order


@transaction.atomic
def workorder_rate(
    *,
    order: WorkOrder,
    actor: User,
    rating: int,
    comment: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """评单: only the reporter rates a closed case, 1 to 5, once per closure.
    A rating of 2 or less reopens the case once, for review by the community."""
    order = _fresh(order)
    _check(order, "rate", actor, expected_version)
    if order.rating is not None:
        raise IllegalTransition(_("您已评价过该工单。"))
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidInput(_("评价须为 1 到 5 分。"), field="rating")
    comment = _text(comment, field="comment", limit=500)
    reopen = rating <= 2 and order.reopened_count == 0
    order = _apply(
        order,
        "rate",
        expected_version=expected_version,
        where={"rating__isnull": True},
        rating=rating,
        rating_comment=comment,
    )
    _entry(order, EntryKind.RATED, actor, comment, rating=rating)
    _audit(order, actor, "rate", State.CLOSED, rating=rating)
    rated = order
    transaction.on_commit(lambda: notices.rated(rated, rating))
    if reopen:
        order = _apply(
            order,
            "reopen",
            expected_version=None,
            reopened_count=F("reopened_count") + 1,
            rating=None,
            rating_comment="",
            handler=None,
            department=None,
        )
        _entry(
            order, EntryKind.REOPENED, None, _("评价不满意，重新打开由社区复核。"), rating=rating
        )
        _audit(order, actor, "reopen", State.CLOSED, rating=rating)
    return order


@transaction.atomic
def workorder_hand_off(
    *,
    order: WorkOrder,
    actor: User | None,
    to_user: User,
    note: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """首问负责: the first-contact owner hands the case to a colleague who can see
    it; the hand-off is recorded and the colleague becomes the owner."""
    order = _fresh(order)
    _check(order, "hand_off", actor, expected_version)
    if (
        to_user.kind != AccountKind.STAFF
        or not to_user.is_active
        or not can(to_user, Action.VIEW, order.area_path)
    ):
        raise InvalidInput(_("只能转交给能查看该工单的工作人员。"), field="to_user_id")
    if to_user.pk == order.owner_id:
        raise InvalidInput(_("该工作人员已是首问负责人。"), field="to_user_id")
    note = _text(note, field="note", limit=2000)
    previous = order.owner_id
    order = _apply(order, "hand_off", expected_version=expected_version, owner=to_user)
    _entry(
        order,
        EntryKind.HANDED_OFF,
        actor,
        note,
        public=False,
        previous_owner=previous,
        new_owner=to_user.pk,
    )
    _audit(order, actor, "hand_off", order.state, new_owner=to_user.pk)
    return order
