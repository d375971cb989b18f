"""Small helpers the field services share: text, keys, the phone's clock."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shequ.core.errors import InvalidInput
from shequ.core.idempotency import IdempotencyKeyReused

# How far back an offline item may claim to have happened.
MAX_OFFLINE_AGE = timedelta(days=30)


class KeyReused(IdempotencyKeyReused):
    """The same offline item's ``client_id`` came back with a different body:
    core's answer (422 ``idempotency_key_reused``), in the field app's words."""

    default_message = _("该离线记录的编号已用于内容不同的提交，未保存。请重新填写后提交。")


def text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    cleaned = str(value or "").strip()
    if "\x00" in cleaned:
        raise InvalidInput(_("内容包含无效字符。"), field=field)
    if required and not cleaned:
        raise InvalidInput(_("此项为必填项。"), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("最多 %(n)s 个字符。") % {"n": limit}, field=field)
    return cleaned


def client_uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidInput(_("离线记录缺少有效的编号，请重新填写。"), field="client_id") from exc


def body_hash(payload: dict[str, Any], files: list[bytes] | None = None) -> str:
    """A fingerprint of what was sent, to tell a retry from a different body."""
    digest = hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    )
    for data in sorted(hashlib.sha256(item).hexdigest() for item in files or []):
        digest.update(data.encode())
    return digest.hexdigest()


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def server_time(client_time: Any, client_sent_at: Any) -> datetime:
    """When something recorded offline happened, by the server's clock.

    The phone's clock may be wrong by hours, but it is wrong by the same
    amount when the item was made and when it was sent; the server knows the
    true sending time (now), so it shifts the phone's time by that offset.
    Without both times, or beyond 30 days, the answer is now."""
    now = timezone.now()
    made, sent = _parse(client_time), _parse(client_sent_at)
    if made is None or sent is None:
        return now
    estimate = made + (now - sent)
    if estimate > now:
        return now
    if estimate < now - MAX_OFFLINE_AGE:
        return now - MAX_OFFLINE_AGE
    return estimate
