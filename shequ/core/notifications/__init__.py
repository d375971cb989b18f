"""The in-app inbox every user has, and the copies sent by email and SMS.

``notify(users, kind=…, title=…, body=…, link=…)`` writes one inbox row per
user in the caller's transaction and, once it commits, queues the delivery to
the configured senders (``SHEQU_NOTIFICATION_SENDERS``, see ``senders``) as a
background task. Apps call it from their services; the texts must not carry
ID numbers or phone numbers (``notify`` masks anything that looks like one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from shequ.core.models import Notification, User

__all__ = ["Kind", "mark_all_read", "mark_read", "notify", "unread_count"]

_ID18 = re.compile(r"[1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class Kind:
    """The events that notify someone."""

    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    REMINDER = "reminder"
    OVERDUE = "overdue"
    WHISTLE = "whistle"
    RESOLVED = "resolved"
    RATED = "rated"
    MERGED = "merged"


def _clean(text: str, limit: int) -> str:
    """The text with anything that looks like an ID or mobile number masked
    (a case title typed by a resident may contain one)."""
    text = _ID18.sub("******************", str(text or ""))
    return _PHONE.sub("***********", text)[:limit]


def notify(
    users: User | Iterable[User | None] | None,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
) -> list[Notification]:
    """Put a message in each user's inbox (inactive users and duplicates
    skipped) and send the copies after the transaction commits."""
    if users is None or isinstance(users, User):
        users = [users]
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    if not seen:
        return []
    title, body = _clean(title, 120), _clean(body, 500)
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user, kind=kind, title=title, body=body, link=link[:200], created_at=now
            )
            for user in seen.values()
        ]
    )
    ids = [row.pk for row in rows if row.pk is not None]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids: list[int]) -> None:
    from shequ.core.notifications.tasks import deliver_notifications

    deliver_notifications.enqueue(ids)


def unread_count(user: User) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's own messages read; None when it is not theirs."""
    row = Notification.objects.filter(user=user, pk=notification_id).first()
    if row is not None and row.read_at is None:
        row.read_at = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=row.read_at)
    return row


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
