"""The inbox page: the user's own messages, newest first; opening one marks
it read. Only ever the signed-in user's rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from shequ.core.models import Notification
from shequ.core.notifications import mark_all_read, mark_read, unread_count
from shequ.core.views.base import paginate


@login_required
@require_http_methods(["GET"])
def inbox(request):
    rows = Notification.objects.filter(user=request.user).order_by("-created_at", "-id")
    context = {"page": paginate(request, rows), "unread": unread_count(request.user)}
    return render(request, "core/notifications/inbox.html", context)


@login_required
@require_POST
def inbox_read(request, pk: int):
    """Mark one message read and follow its link (a local path only)."""
    row = mark_read(user=request.user, notification_id=pk)
    if (
        row is not None
        and row.link
        and url_has_allowed_host_and_scheme(
            row.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(row.link)
    return redirect(INBOX_URL)


@login_required
@require_POST
def inbox_read_all(request):
    mark_all_read(user=request.user)
    return redirect(INBOX_URL)


INBOX_URL = "core:inbox"
