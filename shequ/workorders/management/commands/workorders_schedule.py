"""Start the deadline clock: queue the self-rescheduling ``deadline_tick``
for the task worker (``make demo`` calls this before ``db_worker``). Safe to
run again: a tick already waiting is not doubled."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from shequ.workorders.tasks import schedule_next


class Command(BaseCommand):
    help = (
        "Queue the periodic deadline tick (reminders, claim timeouts, whistle calls, escalation)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="run the first tick as soon as the worker is up"
        )

    def handle(self, *args, **options):
        queued = schedule_next(delay=timedelta(0) if options["now"] else None)
        self.stdout.write("deadline tick queued" if queued else "deadline tick already queued")
