"""System checks for what a production start must never get wrong
(SECURITY.md rows 6, 7): gov.E001 superusers and default names,
gov.E003 development secrets, gov.E004 audit retention below 180 days,
gov.W007 database and cache transport without TLS."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register

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


# --------------------------------------------------------------------------
# Data inventory (SECURITY.md row 24): gov.W002 / gov.E002
# --------------------------------------------------------------------------
#
# Every concrete field of every model is classified in the inventory: its
# class, its retention class and its purpose. Each app declares its own
# models in ``<app package>/inventory.py`` as
#
#     from shequ.core.checks import fields
#     DATA_INVENTORY = {
#         "myapp.MyModel": {
#             **fields("personal", "ledger", "why we keep it", "name mobile"),
#             **fields("general", "config", "why", "id created_at"),
#         },
#     }
#
# ``shequ/core/inventory.py`` holds core's models and the third-party ones
# (auth, sessions, axes, otp, tasks). ``manage.py check`` reports fields with
# no entry, entries for fields that no longer exist, and unknown classes.
# While ``DATA_INVENTORY_STRICT`` is False (the default, until every app has
# declared its fields): an app with no ``inventory.py`` at all is only listed
# (gov.I002, information), and gaps in the apps that do declare are warnings
# (gov.W002; ``make test`` runs ``check --deploy --fail-level WARNING``, so
# they fail CI). ``DATA_INVENTORY_STRICT = True`` checks every model of every
# app and reports gaps as errors (gov.E002). ``DATA_INVENTORY_EXEMPT_APPS``
# (app labels) skips apps explicitly.

CLASSES = {
    "general": "一般信息",
    "personal": "个人信息",
    "sensitive": "敏感个人信息",
}
RETENTION_CLASSES = {
    "ledger": "台账存续期间；迁出或死亡满 REGISTRY_RETENTION_YEARS 年后匿名化（registry_retention）",
    "ledger_history": "与台账同；匿名化后保留但不含个人信息",
    "account": "账号存续期间；停用后按账号管理规定处理",
    "audit": "在线保存至少180天，之后归档（audit_purge）",
    "security_log": "登录失败与锁定记录，按 django-axes 设置清理",
    "session": "会话到期即失效并清理",
    "import": "导入文件7天内删除（purge_import_files），任务记录随台账保留",
    "config": "配置数据，使用期间保留",
    "task": "后台任务记录，完成后定期清理",
    "workflow": "业务办理记录（审批、通知、工单等），结案后按业务规定保留",
}


def fields(kind: str, retention: str, purpose: str, names: str) -> dict[str, tuple]:
    """Inventory entries for the space-separated field ``names``, all alike."""
    return {name: (kind, retention, purpose) for name in names.split()}


def collect_inventory() -> tuple[dict[str, dict[str, tuple]], set[str]]:
    """Every app's ``inventory.DATA_INVENTORY`` merged by model label, and the
    labels of the apps whose models are declared (by themselves or by core)."""
    import importlib

    from django.apps import apps

    merged: dict[str, dict[str, tuple]] = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.inventory")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.inventory":
                raise
            continue
        for label, entries in getattr(module, "DATA_INVENTORY", {}).items():
            merged.setdefault(label, {}).update(entries)
    declared = {label.split(".", 1)[0] for label in merged}
    return merged, declared


def inventory_problems() -> tuple[list[str], list[str], list[str]]:
    """(fields with no valid entry, entries naming no field, apps not declared yet)."""
    from django.apps import apps

    inventory, declared = collect_inventory()
    strict = getattr(settings, "DATA_INVENTORY_STRICT", False)
    exempt = set(getattr(settings, "DATA_INVENTORY_EXEMPT_APPS", ()))
    missing, stale, pending = [], [], set()
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in exempt or meta.proxy:
            continue
        if not strict and meta.app_label not in declared:
            pending.add(meta.app_label)
            continue
        entries = inventory.get(meta.label, {})
        names = [f.name for f in meta.concrete_fields] + [f.name for f in meta.local_many_to_many]
        for name in names:
            entry = entries.get(name)
            if (
                entry is None
                or len(entry) != 3
                or entry[0] not in CLASSES
                or entry[1] not in RETENTION_CLASSES
                or not str(entry[2]).strip()
            ):
                missing.append(f"{meta.label}.{name}")
        stale += [f"{meta.label}.{name}" for name in entries if name not in names]
    return missing, stale, sorted(pending)


@register("governance")
def data_inventory(app_configs, **kwargs):
    missing, stale, pending = inventory_problems()
    strict = getattr(settings, "DATA_INVENTORY_STRICT", False)
    make, code = (Error, "gov.E002") if strict else (Warning, "gov.W002")
    found = []
    if pending:
        found.append(
            Info(
                "Apps whose models are not in the data inventory yet (no <app>/inventory.py): "
                + ", ".join(pending),
                hint="Add <app>/inventory.py; set DATA_INVENTORY_STRICT = True once all have one.",
                id="gov.I002",
            )
        )
    if missing:
        found.append(
            make(
                f"{len(missing)} model field(s) are not classified in the data inventory: "
                + ", ".join(missing),
                hint="Declare them in <app>/inventory.py (DATA_INVENTORY, see shequ/core/checks.py) "
                "with a class (general/personal/sensitive), a retention class and a purpose.",
                id=code,
            )
        )
    if stale:
        found.append(
            make(
                "Data inventory entries for fields that do not exist: " + ", ".join(stale),
                id=code,
            )
        )
    return found
