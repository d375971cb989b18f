"""Writing the audit log. Every service calls :func:`audit_record` inside its
own transaction, so a change and its audit line commit or fail together.

Rows form hash chains: each row's ``hash`` covers its content and the hash
of the previous row of the same chain. On PostgreSQL a writer takes one of
``AUDIT_CHAINS`` advisory transaction locks (the first one free, trying the
one this connection used last first) and holds it until commit, so each
chain has one order while that many transactions write audit lines side by
side: one single chain made every audited write in the installation wait for
the previous one's commit (docs/performance.md). A transaction that writes
several lines keeps its chain: taking a lock it already holds succeeds at
once. SQLite serialises writers by itself and uses chain 0.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from shequ.core import context
from shequ.core.choices import AuditEvent
from shequ.core.models import AuditEntry

_CHAIN_LOCK_ID = 0x5348_4551  # "SHEQ"
_connection_numbers = itertools.count()  # spreads new connections over the chains
MIN_RETENTION_DAYS = 180  # Cybersecurity Law art. 21(3); the PostgreSQL guard enforces it too
_HASHED_FIELDS = (
    "timestamp",
    "actor_id",
    "actor_username",
    "actor_roles",
    "event_type",
    "object_type",
    "object_id",
    "object_repr",
    "area_path",
    "outcome",
    "source_ip",
    "request_id",
    "changes",
    "detail",
    "prev_hash",
)
# The chain number joined the hashed fields when chains were striped; rows
# of chain 0 hash as before, so older rows still verify.
_CHAIN_FIELD = "chain"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def entry_digest(entry: AuditEntry) -> str:
    body = {name: _plain(getattr(entry, name)) for name in _HASHED_FIELDS}
    if entry.chain:
        body[_CHAIN_FIELD] = entry.chain
    if isinstance(entry.timestamp, datetime):
        body["timestamp"] = entry.timestamp.astimezone(UTC).isoformat()
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def snapshot(obj: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audit-safe values of ``obj``'s fields; models list what must never be
    copied into the log in ``audit_exclude`` (secrets, personal numbers)."""
    excluded = set(getattr(obj, "audit_exclude", ())) | {"password"}
    names = fields or [
        f.attname
        for f in obj._meta.concrete_fields
        if f.attname not in {"id", "created_at", "updated_at"}
    ]
    return {name: _plain(getattr(obj, name)) for name in names if name not in excluded}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "before": {k: before.get(k) for k in changed},
        "after": {k: after.get(k) for k in changed},
    }


def _roles_of(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from shequ.core.scoping import user_roles

    return ",".join(sorted(user_roles(user)))[:255]


def audit_record(
    *,
    event: AuditEvent | str,
    actor: Any = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    area_path: str | None = None,
    outcome: bool = True,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    actor_username: str = "",
) -> AuditEntry:
    """Append one line to the audit log, chained to the previous line."""
    ctx = context.current()
    actor = actor if actor is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        if area_path is None:
            path_field = getattr(obj, "scope_path_field", None)
            area_path = getattr(obj, path_field, "") if path_field else ""
    entry = AuditEntry(
        timestamp=timezone.now(),
        actor=actor,
        actor_username=(actor.get_username() if actor else actor_username)[:150],
        actor_roles=_roles_of(actor),
        event_type=str(event),
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        area_path=area_path or "",
        outcome=outcome,
        source_ip=ctx.source_ip,
        request_id=ctx.request_id,
        changes=_plain(changes or {}),
        detail=_plain(detail or {}),
    )
    # No savepoint: a failed audit write must fail the whole action anyway
    # (SECURITY.md row 20), and each savepoint is two more round trips.
    with transaction.atomic(savepoint=False):
        entry.chain = _take_chain() if connection.vendor == "postgresql" else 0
        last = (
            AuditEntry.objects.filter(chain=entry.chain)
            .order_by("-id")
            .values_list("hash", flat=True)
            .first()
        )
        entry.prev_hash = last or ""
        entry.hash = entry_digest(entry)
        entry.save(force_insert=True)
    return entry


def _take_chain() -> int:
    """Lock a chain for the rest of the transaction and return its number.

    Tries the chains in turn, starting with the one this connection took last
    (a lock already held is taken again at once, so the lines of one
    transaction stay on one chain); when all are busy, waits for that one.
    With no more concurrent writers than chains, the first try succeeds.
    """
    chains = settings.AUDIT_CHAINS
    first = getattr(connection, "_shequ_audit_chain", None)
    if first is None or first >= chains:
        first = next(_connection_numbers) % chains
    with connection.cursor() as cursor:
        for step in range(chains):
            chain = (first + step) % chains
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_ID, chain])
            if cursor.fetchone()[0]:
                break
        else:
            chain = first
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_ID, chain])
    connection._shequ_audit_chain = chain
    return chain


def audit_access_denied(*, user: Any, obj: Model, action: str) -> None:
    """An attempt to reach an object outside the user's scope (answered 404)."""
    audit_record(
        event=AuditEvent.ACCESS_DENIED,
        actor=user,
        obj=obj,
        outcome=False,
        detail={"action": action},
    )


def audit_verify(*, entries: Iterable[AuditEntry] | None = None) -> list[int]:
    """Ids of rows whose hash or chain link does not match; empty when intact.

    The first remaining row of each chain anchors it (older rows may have
    been archived by the retention purge).
    """
    broken: list[int] = []
    previous: dict[int, str] = {}
    rows = (
        entries
        if entries is not None
        else AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    )
    for entry in rows:
        before = previous.get(entry.chain)
        if entry_digest(entry) != entry.hash or (before is not None and entry.prev_hash != before):
            broken.append(entry.pk)
        previous[entry.chain] = entry.hash
    return broken


@dataclass
class PurgeResult:
    count: int
    archive: str | None


def audit_purge(*, days: int, dry_run: bool = False) -> PurgeResult:
    """Archive then delete audit rows older than ``days`` (never fewer than 180).

    The archive is written and flushed before the delete, and the delete runs
    in one transaction with ``shequ.audit_purge`` set, the only way past the
    PostgreSQL guard. The purge itself is audited.
    """
    days = max(days, MIN_RETENTION_DAYS)
    cutoff = timezone.now() - timedelta(days=days)
    # Only a prefix of every chain goes, so the rows that stay still link up.
    boundary = (
        AuditEntry.objects.filter(timestamp__gte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    old = AuditEntry.objects.filter(timestamp__lt=cutoff).order_by("id")
    if boundary is not None:
        old = old.filter(id__lt=boundary)
    count = old.count()
    if dry_run or count == 0:
        return PurgeResult(count=count, archive=None)
    archive_dir = Path(settings.AUDIT_ARCHIVE_DIR)
    archive_dir.mkdir(parents=True, exist_ok=True)
    target = archive_dir / f"audit-before-{cutoff:%Y%m%d}-{uuid.uuid4().hex[:8]}.jsonl.gz"
    last_id = 0
    with gzip.open(target, "wt", encoding="utf-8") as out:
        for entry in old.iterator(chunk_size=2000):
            row = {
                f.attname: _plain(getattr(entry, f.attname))
                for f in AuditEntry._meta.concrete_fields
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            last_id = entry.pk
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL shequ.audit_purge = 'on'")
        deleted, _ = AuditEntry.objects.filter(pk__lte=last_id).delete()
        audit_record(
            event=AuditEvent.AUDIT_PURGE,
            detail={"rows": deleted, "archive": target.name, "cutoff": cutoff},
        )
    return PurgeResult(count=deleted, archive=str(target))
