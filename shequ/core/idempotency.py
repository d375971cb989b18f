"""One ``Idempotency-Key`` mechanism for every create that accepts one (the
registry's households and residents, work orders, Open311 requests).

The client sends a key of its choosing (a UUID) with a create. The first
request runs and its answer is stored with a hash of the body; a retry with
the same key and body gets that answer back, byte for byte, and creates
nothing; the same key with another body is refused (422
``idempotency_key_reused``). Two requests with one key at the same moment:
the unique constraint lets one commit, the other lands on the
``IntegrityError`` path and replays the winner's answer.

Keys are per user and per endpoint, at most 100 characters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import DomainError, InvalidInput
from shequ.core.models import IdempotencyRecord, User

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key came with a different request body."""

    code = "idempotency_key_reused"
    status = 422
    default_message = _("该 Idempotency-Key 已用于内容不同的请求，请换一个新的键。")


@dataclass(frozen=True)
class Outcome:
    """What to answer: ``status`` and ``body`` (text); ``replayed`` when it is
    the stored answer of an earlier request."""

    status: int
    body: str
    replayed: bool = False


def request_key(request) -> str:
    """The request's ``Idempotency-Key`` header, stripped ("" without one);
    ``InvalidInput`` when it is too long."""
    key = (request.headers.get(HEADER) or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            _("Idempotency-Key 最多 %(n)s 个字符。") % {"n": MAX_KEY_LENGTH}, field=HEADER
        )
    return key


def digest(data: Any) -> str:
    """The hash of a request body (any JSON-able value; dict keys sorted)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Outcome:
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused(field=HEADER)
    return Outcome(record.status, record.response, replayed=True)


def run_once(
    *,
    user: User,
    endpoint: str,
    key: str,
    body: Any,
    produce: Callable[[], tuple[int, str]],
) -> Outcome:
    """Run ``produce`` (returns ``(status, text)``) at most once per
    ``(user, endpoint, key)``. Without a key it simply runs. ``produce`` runs
    in the same transaction as the stored record, so a failure stores nothing
    and the client may retry with the same key."""
    if not key:
        status, text = produce()
        return Outcome(status, text)
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            _("Idempotency-Key 最多 %(n)s 个字符。") % {"n": MAX_KEY_LENGTH}, field=HEADER
        )
    request_hash = digest(body)
    lookup = {"user": user, "endpoint": endpoint, "key": key}
    existing = IdempotencyRecord.objects.filter(**lookup).first()
    if existing is not None:
        return _replay(existing, request_hash)
    try:
        with transaction.atomic():
            status, text = produce()
            IdempotencyRecord.objects.create(
                **lookup, request_hash=request_hash, status=status, response=text
            )
    except IntegrityError:
        # The same key committed by a concurrent request while this one ran.
        raced = IdempotencyRecord.objects.filter(**lookup).first()
        if raced is None:
            raise
        return _replay(raced, request_hash)
    return Outcome(status, text)
