"""System checks for what a production start must never get wrong
(SECURITY.md rows 6, 7): gov.E001 superusers and default names,
gov.E003 development secrets, gov.E004 audit retention below 180 days,
gov.W007 database and cache transport without TLS."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DEFAULT_NAMES = {"admin", "root", "test", "administrator", "guest"}


@register(Tags.security, deploy=True)
def no_superusers(app_configs, **kwargs):
    from django.db import DatabaseError

    from shequ.core.models import User

    try:
        bad = list(
            User.objects.filter(is_active=True)
            .filter(is_superuser=True)
            .values_list("username", flat=True)[:5]
        ) + list(
            User.objects.filter(is_active=True, username__in=DEFAULT_NAMES).values_list(
                "username", flat=True
            )[:5]
        )
    except DatabaseError:
        return []
    if bad:
        return [
            Error(
                f"Active superuser or default-named accounts: {', '.join(sorted(set(bad)))}",
                id="gov.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def no_development_secrets(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(Error("SHEQU_SECRET_KEY is the public development key.", id="gov.E003"))
    if "SHEQU_FIELD_KEYS" not in os.environ:
        errors.append(
            Error(
                "SHEQU_FIELD_KEYS is not set; personal data would use the development key.",
                id="gov.E003",
            )
        )
    if "SHEQU_BLIND_INDEX_KEY" not in os.environ:
        errors.append(Error("SHEQU_BLIND_INDEX_KEY is not set.", id="gov.E003"))
    return errors


@register(Tags.security)
def audit_retention(app_configs, **kwargs):
    if settings.AUDIT_RETENTION_DAYS < 180:
        return [
            Error(
                "SHEQU_AUDIT_RETENTION_DAYS must be at least 180 (网络安全法第二十一条).",
                id="gov.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def transport_encryption(app_configs, **kwargs):
    warnings = []
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql") and db.get("OPTIONS", {}).get("sslmode") not in {
        "verify-full",
        "verify-ca",
    }:
        warnings.append(
            Warning(
                "PostgreSQL connection does not verify TLS (add ?sslmode=verify-full to DATABASE_URL).",
                id="gov.W007",
            )
        )
    cache = settings.CACHES["default"].get("LOCATION", "")
    if isinstance(cache, str) and cache.startswith("redis://"):
        warnings.append(Warning("Redis cache without TLS (use rediss://).", id="gov.W007"))
    return warnings
