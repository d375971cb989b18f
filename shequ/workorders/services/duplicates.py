"""Near-duplicates: the same problem reported twice (same category, the same
or a neighbouring place, within ``SHEQU_DUPLICATE_WINDOW_HOURS``, default 24)
is shown to staff, who may merge it into the case they keep. The merged case
is closed pointing to the kept one; both timelines stay; its reporter hears
about it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.workorders import notices
from shequ.workorders.choices import Action, EntryKind, State
from shequ.workorders.errors import IllegalTransition
from shequ.workorders.models import WorkOrder
from shequ.workorders.services._common import _apply, _audit, _check, _entry, _fresh, _text
from shequ.workorders.states import TRANSITIONS

NEAR = Decimal("0.002")  # about 200 m of latitude


def window() -> timedelta:
    return timedelta(hours=float(getattr(settings, "SHEQU_DUPLICATE_WINDOW_HOURS", 24)))


def near_duplicates(order: WorkOrder, among: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Open cases in ``among`` (the viewer's visible cases) that look like the
    same problem as ``order``: same category, within the window of its
    creation, in the same area or its parent area, or within ~200 m."""
    span = window()
    place = Q(area_path=order.area_path) | Q(area_id=order.area.parent_id)
    if order.area.parent_id:
        place |= Q(area__parent_id=order.area.parent_id)
    if order.latitude is not None and order.longitude is not None:
        place |= Q(
            latitude__range=(order.latitude - NEAR, order.latitude + NEAR),
            longitude__range=(order.longitude - NEAR, order.longitude + NEAR),
        )
    return (
        among.filter(
            place,
            category_id=order.category_id,
            state__in=TRANSITIONS["merge"].sources | {State.RESOLVED},
            merged_into__isnull=True,
            created_at__gte=order.created_at - span,
            created_at__lte=order.created_at + span,
        )
        .exclude(pk=order.pk)
        .select_related("area")
        .order_by("created_at")[:10]
    )


@transaction.atomic
def workorder_merge(
    *, duplicate: WorkOrder, kept: WorkOrder, actor: User | None, note: str = ""
) -> WorkOrder:
    """Close ``duplicate`` into ``kept``: staff holding ``workorders.merge`` over
    both; the kept case must still be open and not merged itself."""
    duplicate, kept = _fresh(duplicate), _fresh(kept)
    if duplicate.pk == kept.pk:
        raise InvalidInput(_("不能与自身合并。"), field="kept")
    if actor is not None and not can(actor, Action.MERGE, kept.area_path):
        raise Forbidden()
    _check(duplicate, "merge", actor, None)
    if kept.state == State.CLOSED or kept.merged_into_id:
        raise IllegalTransition(_("保留的工单已关闭或已被合并。"))
    note = _text(note, field="note", limit=500)
    before = duplicate.state
    now = timezone.now()
    duplicate = _apply(
        duplicate,
        "merge",
        expected_version=None,
        where={"merged_into__isnull": True},
        merged_into=kept,
        closed_at=now,
    )
    _entry(
        duplicate,
        EntryKind.MERGED,
        actor,
        _("与工单 %(number)s 反映的是同一问题，已合并办理。") % {"number": kept.number},
        kept=kept.number,
    )
    _entry(
        kept,
        EntryKind.MERGED,
        actor,
        note or _("合并了工单 %(number)s。") % {"number": duplicate.number},
        public=False,
        merged=duplicate.number,
    )
    _audit(duplicate, actor, "merge", before, kept=kept.number)
    transaction.on_commit(lambda: notices.merged(duplicate, kept))
    return duplicate
