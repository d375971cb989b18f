from django.conf import settings
from django.core.management.base import BaseCommand

from shequ.core.services.audit import audit_purge


class Command(BaseCommand):
    help = (
        "Archive audit rows older than SHEQU_AUDIT_RETENTION_DAYS (at least 180) to a gzip "
        "JSON-lines file under SHEQU_AUDIT_ARCHIVE_DIR, then delete them. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be archived; change nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        result = audit_purge(days=settings.AUDIT_RETENTION_DAYS, dry_run=dry_run)
        verb = "would archive" if dry_run else "archived"
        self.stdout.write(
            f"{verb} {result.count} audit rows"
            + (f" to {result.archive}" if result.archive else "")
        )
