"""Background work of the engine, on Django's tasks framework (django-tasks)."""

from django_tasks import task

from shequ.workorders.services import workorder_escalate_overdue


@task()
def escalate_overdue_workorders() -> int:
    """Flag overdue cases and raise them community → street → district.

    Until a periodic scheduler is wired in, run it every few minutes with
    ``manage.py workorders_escalate`` (cron or a systemd timer), which calls
    the same service or, with ``--enqueue``, queues this task for the worker.
    """
    return workorder_escalate_overdue()
