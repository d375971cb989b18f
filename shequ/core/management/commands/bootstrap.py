"""Start a new installation: the city at the top of the tree (with its
districts, when the city's GB/T 2260 data ships with Shequ) and the accounts of
the three separated roles (三权分立), each with a one-time password.

There is no superuser and no default password: each account must change its
password and bind a TOTP authenticator at its first login. Two security
administrators are created because granting city- or district-wide roles
needs a second one to approve (maker-checker).
"""

import secrets
import string

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.core.choices import Level
from shequ.core.demo.dalian import DALIAN
from shequ.core.models import Area, User
from shequ.core.roles import Role
from shequ.core.services.areas import area_create
from shequ.core.services.users import role_grant, user_create

KNOWN_CITIES = {DALIAN.code: DALIAN}
ACCOUNTS = (
    ("sysadmin", Role.CITY_ADMIN, "系统管理员"),
    ("secadmin1", Role.SECURITY_ADMIN, "安全管理员一"),
    ("secadmin2", Role.SECURITY_ADMIN, "安全管理员二"),
    ("auditadmin", Role.AUDITOR, "审计管理员"),
)


def one_time_password() -> str:
    """16 characters from all four classes, so it passes the staff password rules."""
    pools = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "-_#%+")
    alphabet = "".join(pools)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(16))
        if all(any(c in pool for c in candidate) for pool in pools):
            return candidate


class Command(BaseCommand):
    help = (
        "Create the city and the three separated administrator accounts on an empty installation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--city-code", required=True, help="GB/T 2260 code of the city, e.g. 210200"
        )
        parser.add_argument("--city-name", required=True, help="e.g. 大连市")
        parser.add_argument(
            "--with-districts",
            action="store_true",
            help="also create the districts Shequ knows for this city",
        )

    @transaction.atomic
    def handle(self, *args, city_code, city_name, with_districts, **options):
        if Area.objects.exists() or User.objects.exists():
            raise CommandError(
                "This installation is not empty; bootstrap runs only once, on an empty database."
            )
        city = area_create(
            actor=None, parent=None, level=Level.CITY, code=city_code, name=city_name
        )
        if with_districts:
            plan = KNOWN_CITIES.get(city_code)
            if plan is None:
                raise CommandError(
                    f"No district list ships for {city_code}; add districts in the area browser."
                )
            for district in plan.districts:
                area_create(
                    actor=None,
                    parent=city,
                    level=Level.DISTRICT,
                    code=district.code,
                    name=district.name,
                )
        self.stdout.write(f"City {city.name} ({city.code}) created.")
        self.stdout.write(
            "One-time passwords (shown once; each account must change it and bind TOTP at first login):"
        )
        for username, role, full_name in ACCOUNTS:
            password = one_time_password()
            user = user_create(
                actor=None,
                username=username,
                password=password,
                full_name=full_name,
                must_change_password=True,
            )
            role_grant(actor=None, user=user, role=role, area=city)
            self.stdout.write(f"  {username:<12} {Role(role).label:<8} {password}")
