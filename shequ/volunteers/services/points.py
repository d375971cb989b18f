"""Points exchange (积分兑换): a community's catalog of rewards, redemptions
that take the points and one item of stock at once, and the staff's hand-over.
Stock and balances move with conditional UPDATEs, so two people taking the
last item at the same moment cannot both get it, and no balance goes negative."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.services.audit import audit_record, snapshot
from shequ.volunteers.choices import Action, PointReason, RedemptionStatus
from shequ.volunteers.models import Redemption, Reward, Volunteer
from shequ.volunteers.services._common import points_move, require, require_community, text


def _positive(value, field: str, *, allow_zero: bool = False, limit: int = 1_000_000) -> int:
    low = 0 if allow_zero else 1
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= limit:
        raise InvalidInput(
            _("请输入%(low)s到%(high)s之间的整数。") % {"low": low, "high": limit}, field=field
        )
    return value


@transaction.atomic
def reward_create(
    *,
    actor: User | None,
    community: Area,
    name: str,
    points_cost: int,
    stock: int,
    per_person_limit: int = 1,
    description: str = "",
) -> Reward:
    """A community puts a reward in its catalog."""
    community = require_community(community)
    require(actor, Action.MANAGE, community.path)
    reward = Reward.objects.create(
        name=text(name, field="name", limit=100, required=True),
        description=text(description, field="description", limit=300),
        community=community,
        area_path=community.path,
        points_cost=_positive(points_cost, "points_cost"),
        stock=_positive(stock, "stock", allow_zero=True),
        per_person_limit=_positive(per_person_limit, "per_person_limit", limit=100),
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=reward, changes=snapshot(reward))
    return reward


@transaction.atomic
def reward_restock(*, actor: User | None, reward: Reward, add: int) -> Reward:
    """Add items to a reward's stock."""
    require(actor, Action.MANAGE, reward.area_path)
    add = _positive(add, "add", limit=100000)
    Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + add)
    reward.refresh_from_db()
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=reward,
        detail={"restock": add, "stock": reward.stock},
    )
    return reward


@transaction.atomic
def redemption_create(*, actor: User | None, reward: Reward, volunteer: Volunteer) -> Redemption:
    """A volunteer exchanges points for a reward of their community: within
    the per-person limit, while stock lasts, with the points they hold."""
    if actor is not None and volunteer.user_id != actor.pk:
        raise Forbidden()
    # One person's redemptions one at a time, so the per-person limit holds.
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    reward = Reward.objects.get(pk=reward.pk)
    if reward.area_path != volunteer.area_path or not reward.is_active:
        raise InvalidInput(_("只能兑换本社区上架的礼品。"), field="reward")
    taken = (
        Redemption.objects.filter(reward=reward, volunteer=volunteer)
        .exclude(status=RedemptionStatus.CANCELLED)
        .count()
    )
    if taken >= reward.per_person_limit:
        raise Conflict(
            _("该礼品每人限兑%(n)s件，您已达上限。") % {"n": reward.per_person_limit},
            code="limit_reached",
        )
    if volunteer.points < reward.points_cost:
        raise InvalidInput(_("积分不足。"), field="points", code="insufficient_points")
    if not Reward.objects.filter(pk=reward.pk, stock__gte=1).update(stock=F("stock") - 1):
        raise Conflict(_("礼品已兑完。"), code="out_of_stock")
    redemption = Redemption.objects.create(
        reward=reward, volunteer=volunteer, area_path=reward.area_path, points=reward.points_cost
    )
    points_move(
        volunteer=volunteer,
        delta=-reward.points_cost,
        reason=PointReason.REDEMPTION,
        redemption=redemption,
        note=reward.name,
    )
    audit_record(
        event=AuditEvent.CREATE,
        actor=actor,
        obj=redemption,
        detail={"reward": reward.pk, "points": reward.points_cost},
    )
    return redemption


@transaction.atomic
def redemption_hand_over(*, actor: User | None, redemption: Redemption) -> Redemption:
    """Staff hand the reward over and confirm it."""
    require(actor, Action.MANAGE, redemption.area_path)
    updated = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.PENDING).update(
        status=RedemptionStatus.HANDED_OVER, handed_over_by=actor, handed_over_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("该兑换已处理。"))
    redemption.refresh_from_db()
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=redemption,
        changes={"before": {"status": "pending"}, "after": {"status": redemption.status}},
    )
    return redemption


@transaction.atomic
def redemption_cancel(*, actor: User | None, redemption: Redemption) -> Redemption:
    """Cancel a redemption not yet handed over (by the volunteer or staff):
    the points and the item go back."""
    if actor is not None and redemption.volunteer.user_id != actor.pk:
        require(actor, Action.MANAGE, redemption.area_path)
    updated = Redemption.objects.filter(pk=redemption.pk, status=RedemptionStatus.PENDING).update(
        status=RedemptionStatus.CANCELLED
    )
    if not updated:
        raise Conflict(_("该兑换已处理。"))
    redemption.refresh_from_db()
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    points_move(
        volunteer=redemption.volunteer,
        delta=redemption.points,
        reason=PointReason.REFUND,
        redemption=redemption,
    )
    audit_record(
        event=AuditEvent.UPDATE,
        actor=actor,
        obj=redemption,
        changes={"before": {"status": "pending"}, "after": {"status": redemption.status}},
    )
    return redemption
