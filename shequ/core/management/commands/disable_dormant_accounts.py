from django.conf import settings
from django.core.management.base import BaseCommand

from shequ.core.services.users import dormant_accounts_disable


class Command(BaseCommand):
    help = "Disable accounts not used for SHEQU_DORMANT_ACCOUNT_DAYS (default 90). Run daily."

    def handle(self, *args, **options):
        count = dormant_accounts_disable(days=settings.DORMANT_ACCOUNT_DAYS)
        self.stdout.write(f"disabled {count} dormant accounts")
