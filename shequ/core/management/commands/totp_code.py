"""``manage.py totp_code <username>``: print the current TOTP code of a user's
confirmed authenticator.

A development convenience for demos and local testing (``make demo`` prints
the secrets of its demo accounts, and this saves reaching for a phone). It
reads the device's secret from the database, so on a real installation it
would let anyone with shell access bypass the second factor: it refuses to
run when ``settings.DEBUG`` is off.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's authenticator (development only; needs DEBUG)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "totp_code is a development convenience and refuses to run with DEBUG off."
            )
        user = User.objects.filter(username__iexact=options["username"].strip()).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            raise CommandError(f"{user.username} has no confirmed TOTP device.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now = time.time()
        totp.time = now
        code = f"{totp.token():0{device.digits}d}"
        remaining = device.step - int(now - device.t0) % device.step
        self.stdout.write(code)
        self.stderr.write(
            f"valid for {remaining} s more (then the next code); each code works once."
        )
