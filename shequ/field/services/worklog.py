"""The work log (工作日志): a grid worker's own lines, and supervisors' comments."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequ.core.choices import AuditEvent
from shequ.core.errors import Forbidden
from shequ.core.models import User
from shequ.core.scoping import can, scope_paths
from shequ.core.services.audit import audit_record
from shequ.field.choices import Action
from shequ.field.models import WorkLogComment, WorkLogNote
from shequ.field.services._common import KeyReused, client_uuid, server_time, text


def worklog_note_add(
    *, actor: User, text_value: str, client_id: Any, client_time: Any = None, client_sent_at=None
) -> tuple[WorkLogNote, bool]:
    """Add a line to the actor's log for the day it was written (server
    time). Returns (note, replayed): the same ``client_id`` again gives the
    first note back."""
    key = client_uuid(client_id)
    body = text(text_value, field="text", limit=2000, required=True)
    existing = WorkLogNote.objects.filter(worker=actor, client_id=key).first()
    if existing is not None:
        if existing.text != body:
            raise KeyReused()
        return existing, True
    paths = scope_paths(actor, Action.VISIT)
    if not paths:
        raise Forbidden()
    when = server_time(client_time, client_sent_at)
    try:
        with transaction.atomic():
            note = WorkLogNote.objects.create(
                worker=actor,
                day=timezone.localtime(when).date(),
                text=body,
                client_id=key,
                area_path=paths[0],
            )
            audit_record(event=AuditEvent.CREATE, actor=actor, obj=note)
    except IntegrityError:
        existing = WorkLogNote.objects.filter(worker=actor, client_id=key).first()
        if existing is None:
            raise
        return existing, True
    return note, False


@transaction.atomic
def worklog_comment_add(
    *, actor: User, worker: User, day: date, area_path: str, comment: str
) -> WorkLogComment:
    """A supervisor (``field.instruct`` over the worker's grid) comments on a day's log."""
    if not can(actor, Action.INSTRUCT, area_path):
        raise Forbidden()
    item = WorkLogComment.objects.create(
        worker=worker,
        day=day,
        author=actor,
        text=text(comment, field="comment", limit=500, required=True),
        area_path=area_path,
    )
    audit_record(event=AuditEvent.CREATE, actor=actor, obj=item, detail={"day": day.isoformat()})
    return item
