"""What every volunteers service shares: the scope check, text cleaning,
the community an area belongs to, and the points ledger."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext as _

from shequ.core.choices import Level
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import can
from shequ.volunteers.models import PointEntry, Volunteer


def require(actor: User | None, action: str, path: str) -> None:
    """``actor`` None is the system (commands, the demo, signal receivers)."""
    if actor is not None and not can(actor, action, path):
        raise Forbidden()


def text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    cleaned = (value or "").strip()
    if "\x00" in cleaned:
        raise InvalidInput(_("包含无效字符。"), field=field)
    if required and not cleaned:
        raise InvalidInput(_("此项为必填项。"), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("最多 %(n)s 个字符。") % {"n": limit}, field=field)
    return cleaned


def community_of(area: Area) -> Area | None:
    """The community an area lies in (the area itself when it is one)."""
    if area.level == Level.COMMUNITY:
        return area
    return Area.objects.filter(path__in=area.ancestor_paths(), level=Level.COMMUNITY).first()


def require_community(area: Area | None, field: str = "community") -> Area:
    """Only a community of this installation's tree may be chosen."""
    if area is None or area.level != Level.COMMUNITY:
        raise InvalidInput(_("请选择本平台内的社区。"), field=field)
    return area


def points_move(
    *,
    volunteer: Volunteer,
    delta: int,
    reason: str,
    record=None,
    redemption=None,
    note: str = "",
) -> PointEntry | None:
    """Move a volunteer's balance by ``delta`` with a conditional UPDATE that
    never lets it go below zero, and write the ledger line with the balance
    after it. Raises InvalidInput when the points are not there."""
    if delta == 0:
        return None
    updated = Volunteer.objects.filter(pk=volunteer.pk, points__gte=max(0, -delta)).update(
        points=F("points") + delta
    )
    if not updated:
        raise InvalidInput(_("积分不足。"), field="points", code="insufficient_points")
    balance = Volunteer.objects.values_list("points", flat=True).get(pk=volunteer.pk)
    volunteer.points = balance
    return PointEntry.objects.create(
        volunteer=volunteer,
        area_path=volunteer.area_path,
        delta=delta,
        balance=balance,
        reason=reason,
        record=record,
        redemption=redemption,
        note=note[:200],
    )
