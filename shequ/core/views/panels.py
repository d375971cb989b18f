"""Home-page panels core provides: what the auditor, the security
administrator and the system administrator should look at first."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from shequ.core import registry
from shequ.core.choices import AuditEvent
from shequ.core.models import User
from shequ.core.phones import mask_mobile, normalize_mobile
from shequ.core.roles import Action, Role
from shequ.core.selectors import approval_list, audit_list, user_list

WATCHED_EVENTS = [
    AuditEvent.LOGIN_FAILED,
    AuditEvent.LOCKED_OUT,
    AuditEvent.ACCESS_DENIED,
    AuditEvent.PII_REVEAL,
    AuditEvent.EXPORT,
    AuditEvent.ROLE_GRANTED,
    AuditEvent.ROLE_REVOKED,
]


def auditor_context(request) -> dict:
    since = timezone.now() - timezone.timedelta(days=7)
    entries = audit_list(actor=request.user, filters={"since": since}).filter(
        event_type__in=WATCHED_EVENTS
    )
    return {"entries": list(entries[:10]), "total": entries.count()}


def locked_accounts() -> list[dict]:
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")[:20]
    shown = []
    for row in rows:
        user = User.objects.filter(username=row.username).only("pk").first()
        mobile = normalize_mobile(row.username or "")
        shown.append(
            {
                "name": mask_mobile(mobile) if mobile else (row.username or "—"),
                "ip": row.ip_address,
                "at": row.attempt_time,
                "user_id": user.pk if user else None,
            }
        )
    return shown


def security_context(request) -> dict:
    return {"approvals": list(approval_list(actor=request.user)[:10]), "locked": locked_accounts()}


def accounts_context(request) -> dict:
    users = user_list(actor=request.user)
    return {
        "total": users.count(),
        "disabled": users.filter(is_active=False).count(),
        "pending_change": users.filter(is_active=True, must_change_password=True).count(),
        "never_logged_in": users.filter(is_active=True, last_login__isnull=True).count(),
    }


def register() -> None:
    for panel in (
        registry.HomePanel(
            "core/panels/auditor.html",
            Action.AUDIT_VIEW,
            order=10,
            context=auditor_context,
            roles=frozenset({Role.AUDITOR}),
        ),
        registry.HomePanel(
            "core/panels/security.html",
            Action.ROLE_MANAGE,
            order=10,
            context=security_context,
            roles=frozenset({Role.SECURITY_ADMIN}),
        ),
        registry.HomePanel(
            "core/panels/accounts.html",
            Action.USER_MANAGE,
            order=20,
            context=accounts_context,
            roles=frozenset({Role.CITY_ADMIN}),
        ),
    ):
        registry.register_home_panel(panel)
