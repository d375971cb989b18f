"""Reminding embedded party members of this month's duty, in their inbox
(and by the inbox's email/SMS copies). Run daily by the scheduler through
``manage.py volunteer_duty_reminders``; each member is reminded at most once
a month, so running it again the same day or the next changes nothing."""

from __future__ import annotations

from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.notifications import notify
from shequ.volunteers.models import PartyMember
from shequ.volunteers.selectors import duty_reminders, month_bounds

KIND = "duty_reminder"


def duty_reminders_send(*, today: date | None = None) -> list[PartyMember]:
    """Notify the members ``duty_reminders`` names who have an account and
    have not been reminded this month; return the members notified."""
    from shequ.core.models import Notification

    today = today or timezone.localdate()
    first, last = month_bounds(today)
    month_start = timezone.make_aware(datetime.combine(first, time.min))
    members = [m for m in duty_reminders(today=today) if m.volunteer.user_id]
    already = set(
        Notification.objects.filter(
            kind=KIND,
            created_at__gte=month_start,
            user_id__in=[m.volunteer.user_id for m in members],
        ).values_list("user_id", flat=True)
    )
    sent = []
    for member in members:
        if member.volunteer.user_id in already:
            continue
        notify(
            member.volunteer.user,
            kind=KIND,
            title=_("本月双报到服务尚未完成"),
            body=_("本月还剩 %(days)s 天，请到%(community)s参加服务或认领服务单。")
            % {"days": (last - today).days + 1, "community": member.community.name},
            link=reverse("volunteers:me"),
        )
        sent.append(member)
    return sent
