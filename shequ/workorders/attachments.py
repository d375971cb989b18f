"""Reading work-order attachments: who sees which file, and serving one.

A file is seen by whoever sees the timeline entry it came with
(``selectors.timeline_for``): staff and handlers see all of them, the
reporter and claimants only those on public entries. Files are streamed by
:func:`attachment_download` after that check, never from MEDIA_URL.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shequ.core.choices import AccountKind
from shequ.core.models import User
from shequ.workorders.models import Attachment, WorkOrder
from shequ.workorders.permissions import is_handler, is_owner
from shequ.workorders.selectors import workorder_get


def sees_internal(order: WorkOrder, viewer: User) -> bool:
    """The same rule as ``timeline_for``: who sees non-public entries."""
    return is_handler(order, viewer) or is_owner(order, viewer) or viewer.kind == AccountKind.STAFF


def attachments_for(*, order: WorkOrder, viewer: User) -> list[Attachment]:
    rows = (
        Attachment.objects.filter(order=order).select_related("entry").order_by("created_at", "id")
    )
    if not sees_internal(order, viewer):
        rows = rows.filter(entry__public=True)
    return list(rows)


def attachment_get(*, actor: User, pk: int) -> Attachment:
    """One attachment the actor may see; 404 otherwise (missing, out of scope,
    or on an internal entry for a resident)."""
    attachment = Attachment.objects.select_related("entry").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    order = workorder_get(actor=actor, pk=attachment.order_id)  # 404 (and audited) out of scope
    if attachment.entry is not None and not attachment.entry.public:
        if not sees_internal(order, actor):
            raise Http404
    elif attachment.entry is None and not sees_internal(order, actor):
        raise Http404
    return attachment


def attachment_url(attachment: Attachment) -> str:
    return reverse("workorders:attachment_download", kwargs={"pk": attachment.pk})


_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._()\- ]")


def content_disposition(name: str, disposition: str = "inline") -> str:
    """RFC 6266: an ASCII fallback and ``filename*`` in UTF-8. Quotes, CR/LF
    and other control characters cannot reach the header."""
    name = "".join(c for c in (name or "") if c.isprintable() and c not in '"\\\r\n;')
    name = name or "file"
    fallback = _ASCII_SAFE.sub("_", name).strip() or "file"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@login_required
@require_http_methods(["GET"])
def attachment_download(request, pk: int):
    attachment = attachment_get(actor=request.user, pk=pk)
    try:
        handle = default_storage.open(attachment.storage_name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
