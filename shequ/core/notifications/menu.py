"""The inbox in the navigation: a menu entry whose label carries the signed-in
user's unread count ("消息（3）"), read from the request context when the
page renders."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from shequ.core import context

INBOX = "notifications.inbox"  # every role holds it


def _label() -> str:
    from shequ.core.notifications import unread_count

    user = context.current().user
    count = unread_count(user) if user is not None else 0
    if count:
        return _("消息（%(n)s）") % {"n": count}
    return _("消息")


def inbox_label():
    return lazy(_label, str)()
