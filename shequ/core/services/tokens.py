"""Personal API tokens: "shq_<prefix>_<secret>", stored as a SHA-256 digest.

A plain digest (not Argon2) is enough because the secret is 32 random bytes,
not a human password; it also keeps each API request to one indexed lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import Forbidden, InvalidInput
from shequ.core.models import ApiToken, User
from shequ.core.services.audit import audit_record

TOKEN_PREFIX = "shq_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the plain token (shown once)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("请填写令牌用途（最长 100 字）。"), field="name")
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise InvalidInput(
            _("有效期须在 1 到 %(max)d 天之间。") % {"max": settings.API_TOKEN_MAX_DAYS},
            field="days",
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        expires_at=timezone.now() + timezone.timedelta(days=days),
    )
    audit_record(event=AuditEvent.TOKEN_CREATED, actor=user, obj=token, detail={"days": days})
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise Forbidden()
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        token.refresh_from_db()
        audit_record(event=AuditEvent.TOKEN_REVOKED, actor=actor, obj=token)
    return token


def token_authenticate(plain: str) -> User | None:
    """The active user behind a usable token, or None."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    try:
        prefix, secret = plain[len(TOKEN_PREFIX) :].split("_", 1)
    except ValueError:
        return None
    # Prefixes are token_hex(6): anything else (NUL bytes included) never reaches the database.
    if len(prefix) != 12 or prefix.strip("0123456789abcdef"):
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timezone.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
