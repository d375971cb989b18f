"""The rules that are data: points, monthly duty, order hours (``Policy``) and
the star levels with their benefits. Only city administrators change them."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import User
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record, diff, snapshot
from shequ.volunteers.choices import Action
from shequ.volunteers.models import Policy, StarLevel

POLICY_FIELDS = (
    "points_per_hour",
    "points_per_activity",
    "points_per_order",
    "duty_services",
    "duty_hours",
    "remind_days",
    "order_hours_cap",
)


@transaction.atomic
def rules_update(*, actor: User | None, policy: dict, levels: list[tuple[int, int, str]]) -> Policy:
    """Change the policy and the star levels at once. Thresholds must rise
    with the stars; hours are between 0 and 24."""
    if actor is not None and not can(actor, Action.CONFIGURE):
        raise Forbidden()
    for name in ("duty_hours", "order_hours_cap"):
        value = Decimal(str(policy[name]))
        if not Decimal("0") < value <= Decimal("24"):
            raise InvalidInput(_("小时数须大于0且不超过24。"), field=name)
    thresholds = [hours for _stars, hours, _text in sorted(levels)]
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)) or any(
        h <= 0 for h in thresholds
    ):
        raise InvalidInput(_("星级所需时长须为正数并逐级递增。"), field="levels")
    current = Policy.current()
    before = {
        **snapshot(current, POLICY_FIELDS),
        "levels": list(StarLevel.objects.values_list("stars", "min_hours", "benefits")),
    }
    for name in POLICY_FIELDS:
        setattr(current, name, policy[name])
    current.save()
    for stars, hours, text in levels:
        StarLevel.objects.update_or_create(
            stars=stars, defaults={"min_hours": hours, "benefits": (text or "").strip()[:1000]}
        )
    after = {
        **snapshot(current, POLICY_FIELDS),
        "levels": list(StarLevel.objects.values_list("stars", "min_hours", "benefits")),
    }
    audit_record(event=AuditEvent.UPDATE, actor=actor, obj=current, changes=diff(before, after))
    return current
