"""Authentication events into the audit log. These are the framework's own
signals (login, logout, failure, lockout), not domain behaviour."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from shequ.core.choices import AuditEvent
from shequ.core.phones import mask_mobile, normalize_mobile


def _typed_name(credentials: dict) -> str:
    typed = str((credentials or {}).get("username", ""))[:150]
    mobile = normalize_mobile(typed)
    return mask_mobile(mobile) if mobile else typed


def on_login(sender, request, user, **kwargs) -> None:
    from shequ.core import context
    from shequ.core.middleware import start_session_clock
    from shequ.core.services.audit import audit_record

    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
        if request.session.session_key is None:
            request.session.save()
        type(user).objects.filter(pk=user.pk).update(
            current_session_key=request.session.session_key
        )
        user.current_session_key = request.session.session_key
    context.current().user = user
    audit_record(event=AuditEvent.LOGIN, actor=user, obj=user)


def on_logout(sender, request, user, **kwargs) -> None:
    from shequ.core.services.audit import audit_record

    if user is not None:
        audit_record(event=AuditEvent.LOGOUT, actor=user, obj=user)


def on_failure(sender, credentials, request=None, **kwargs) -> None:
    from shequ.core.auth.backends import find_user
    from shequ.core.services.audit import audit_record

    user = find_user(str((credentials or {}).get("username", "")))
    audit_record(
        event=AuditEvent.LOGIN_FAILED,
        outcome=False,
        object_type="core.user" if user else "",
        object_id=str(user.pk) if user else "",
        actor_username=user.username if user else _typed_name(credentials),
    )


def on_lockout(sender, request, username, ip_address, **kwargs) -> None:
    from shequ.core.services.audit import audit_record

    audit_record(
        event=AuditEvent.LOCKED_OUT,
        outcome=False,
        actor_username=_typed_name({"username": username}),
        detail={"ip": ip_address},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_login, dispatch_uid="shequ_audit_login")
    user_logged_out.connect(on_logout, dispatch_uid="shequ_audit_logout")
    user_login_failed.connect(on_failure, dispatch_uid="shequ_audit_login_failed")
    user_locked_out.connect(on_lockout, dispatch_uid="shequ_audit_lockout")
