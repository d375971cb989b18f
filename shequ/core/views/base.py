from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from shequ.core.errors import DomainError
from shequ.core.scoping import can


def requires(action: str):
    """Logged in, and allowed ``action`` somewhere; objects are then fetched
    through the scoped selectors, which answer 404 outside the user's areas."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, action):
                deny(request, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def deny(request, action: str):
    """Refuse with 403 and leave a trace in the audit log (SECURITY.md row 17)."""
    from shequ.core.choices import AuditEvent
    from shequ.core.services.audit import audit_record

    audit_record(
        event=AuditEvent.ACCESS_DENIED,
        actor=request.user,
        outcome=False,
        detail={"action": action, "path": request.path[:200]},
    )
    raise PermissionDenied


def form_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def paginate(request, queryset, per_page: int = 50):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
