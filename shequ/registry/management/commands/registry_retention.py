"""Anonymise residents who moved out or died longer ago than the retention policy."""

from django.core.management.base import BaseCommand, CommandError

from shequ.core.errors import DomainError
from shequ.registry.retention import registry_retention


class Command(BaseCommand):
    help = (
        "Anonymise residents who moved out or died more than REGISTRY_RETENTION_YEARS ago "
        "(idempotent, audited). Run daily from the scheduler; see docs/registry.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reason",
            action="append",
            dest="reasons",
            help="move_out or death (repeatable); default: both",
        )
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args, reasons=None, dry_run=False, **options):
        try:
            result = registry_retention(reasons=reasons, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        found = ", ".join(f"{k}={v}" for k, v in result.found.items())
        if dry_run:
            self.stdout.write(f"dry run: would anonymise {sum(result.found.values())} ({found})")
        else:
            self.stdout.write(f"anonymised {result.anonymised} resident(s) ({found})")
