"""Background work of the engine, on Django's tasks framework (django-tasks,
run by ``manage.py db_worker``).

django-tasks has no periodic scheduler, so the clock tick re-enqueues itself:
``deadline_tick`` runs everything the clock drives (``run_deadlines``:
reminders, claim timeouts, late whistle calls, escalation) and then queues
the next tick ``SHEQU_DEADLINE_TICK_SECONDS`` later (default 300). It is
started by ``manage.py workorders_schedule`` (``make demo`` calls it before
starting the worker); a tick already waiting in the queue is never doubled.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from shequ.workorders.services import run_deadlines, workorder_escalate_overdue
from shequ.workorders.services.numbering import prepare_days

DEFAULT_TICK_SECONDS = 300


def tick_interval() -> timedelta:
    return timedelta(
        seconds=int(getattr(settings, "SHEQU_DEADLINE_TICK_SECONDS", DEFAULT_TICK_SECONDS))
    )


@task()
def escalate_overdue_workorders() -> int:
    """Flag overdue cases and raise them community → street → district (one run)."""
    return workorder_escalate_overdue()


@task()
def deadline_tick() -> dict:
    """One tick of the clock, then the next one queued (even if this one failed).
    Also keeps the case-number sequences of today and tomorrow ready."""
    try:
        prepare_days()
        return run_deadlines()
    finally:
        schedule_next()


def _waiting_ticks():
    """Ticks queued and not yet started, when the queue is the database."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=deadline_tick.module_path, status=TaskResultStatus.READY
    )


def schedule_next(*, delay: timedelta | None = None) -> bool:
    """Queue the next tick unless one is already waiting; True when queued.
    The check and the insert hold a lock on the waiting ticks, so two
    schedulers at once do not pile up duplicates."""
    delay = tick_interval() if delay is None else delay
    with transaction.atomic():
        try:
            waiting = _waiting_ticks()
            if list(waiting.select_for_update().values_list("pk", flat=True)[:1]):
                return False
        except (ImportError, LookupError):  # another task backend: no queue to inspect
            pass
        deadline_tick.using(run_after=timezone.now() + delay).enqueue()
    return True
