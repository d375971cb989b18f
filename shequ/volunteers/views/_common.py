from __future__ import annotations

import base64
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from shequ.core.errors import DomainError, Forbidden


def qr_data_uri(text: str) -> str:
    """An inline SVG QR code (no CDN, no file on disk)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def perform(request, call, success: str, *args, **kwargs):
    """Run a service for a POST button: a message either way, then back to
    ``redirect(*args, **kwargs)``. Bad input never becomes a 500."""
    try:
        call()
    except Forbidden as error:
        raise PermissionDenied from error
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, success)
    return redirect(*args, **kwargs)
