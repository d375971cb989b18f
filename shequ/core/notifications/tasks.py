"""Delivering inbox messages to email and SMS, in the background worker."""

from __future__ import annotations

import logging

from django_tasks import task

from shequ.core.models import Notification
from shequ.core.notifications.senders import configured

log = logging.getLogger("shequ.notifications")


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send each message through every configured sender; a failing sender is
    logged and does not stop the others (the inbox copy is already there)."""
    sent = 0
    rows = Notification.objects.filter(pk__in=ids).select_related("user")
    for row in rows:
        for sender in configured():
            try:
                sent += bool(sender(row))
            except Exception:  # noqa: BLE001 - one gateway failing must not stop the rest
                log.exception("notification %s: sender %s failed", row.pk, sender.__name__)
    return sent
