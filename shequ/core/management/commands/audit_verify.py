from django.core.management.base import BaseCommand, CommandError

from shequ.core.services.audit import audit_verify


class Command(BaseCommand):
    help = "Check the audit log's hash chain; print the ids of rows that were altered."

    def handle(self, *args, **options):
        broken = audit_verify()
        if broken:
            raise CommandError(f"audit chain broken at rows: {', '.join(map(str, broken[:50]))}")
        self.stdout.write("audit chain intact")
