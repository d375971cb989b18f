"""Who is acting, from where, in which request: read by the audit writer.

The request middleware fills it; management commands and tasks run with an
empty context and pass the actor explicitly.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    source_ip: str | None = None
    user: Any = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "shequ_request_context", default=None
)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext()
        _current.set(ctx)
    return ctx


def begin(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def end(token: contextvars.Token) -> None:
    _current.reset(token)
