"""Remove stored import files that are no longer needed (the daily housekeeping task)."""

from django.core.management.base import BaseCommand

from shequ.registry.importing.housekeeping import import_files_purge


class Command(BaseCommand):
    help = (
        "Delete import uploads and rejected-row files past their keep time (see docs/registry.md)."
    )

    def handle(self, *args, **options):
        removed = import_files_purge()
        self.stdout.write(f"removed {removed} file(s)")
