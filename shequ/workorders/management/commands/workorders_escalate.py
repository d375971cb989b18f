"""Flag overdue work orders and escalate them (run it every few minutes)."""

from django.core.management.base import BaseCommand

from shequ.workorders.services import workorder_escalate_overdue


class Command(BaseCommand):
    help = "Flag overdue work orders and escalate them community → street → district."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the task for the worker instead"
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            from shequ.workorders.tasks import escalate_overdue_workorders

            result = escalate_overdue_workorders.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        self.stdout.write(f"escalated {workorder_escalate_overdue()}")
