"""Start again the commits whose worker died part-way (they resume after the last committed chunk)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.importing.tasks import commit_import


class Command(BaseCommand):
    help = (
        "Re-enqueue imports stuck in 'committing' with no progress for --idle minutes; the "
        "commit resumes after its last committed chunk (runner.run_commit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--idle", type=int, default=15, help="minutes without progress")

    def handle(self, *args, idle=15, **options):
        stale = ImportJob.objects.filter(
            state=ImportState.COMMITTING,
            updated_at__lt=timezone.now() - timedelta(minutes=idle),
        ).exclude(stored_file="")
        count = 0
        for job in stale:
            commit_import.enqueue(job.pk)
            count += 1
        self.stdout.write(f"re-enqueued {count} import(s)")
