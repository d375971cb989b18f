"""``manage.py demo_city``: generate the demo city that ``make demo`` shows.

It builds the area tree of a real city (Dalian by default: its real districts
and GB/T 2260 codes, real streets, generated communities, grids, estates,
buildings and units), opens one login per role on a coherent chain of places,
gives the roles that need it a confirmed TOTP authenticator with a fixed
secret, then runs every demo step other apps registered
(``shequ.core.registry.demo_steps``). All of it happens in one transaction:
a failed run leaves the database empty, so ``--if-empty`` never mistakes half
a city for a finished one.

The printout (kept under 30 lines: it is what a newcomer reads first) gives
the address, a table of the logins and the TOTP secrets. The passwords and
secrets are public, so the command refuses to run with ``DEBUG`` off unless
``--allow-without-debug`` says this is a public demo server on purpose.
"""

from __future__ import annotations

import random
import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.core import registry
from shequ.core.choices import Level
from shequ.core.demo import CITIES
from shequ.core.demo.personas import PERSONAS, personas_create
from shequ.core.demo.tree import SIZES, build_tree
from shequ.core.models import Area, RoleAssignment
from shequ.core.roles import Role

DEFAULT_URL = "http://127.0.0.1:8000/"
TOTP_HINT = ".venv/bin/python manage.py totp_code"
# Below these levels an area's own name ("第一网格", "1单元") needs its
# community's or estate's name in front of it to mean anything.
_CONTEXT_LEVELS = {Level.GRID, Level.ESTATE, Level.BUILDING, Level.UNIT}
_ANCHOR_LEVELS = {Level.COMMUNITY, Level.ESTATE}


class Command(BaseCommand):
    help = "Generate the demo city (default: Dalian) with one login per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="If any area exists already, generate nothing and just print the demo logins.",
        )
        parser.add_argument(
            "--residents",
            type=int,
            default=2000,
            help="How many residents the registered demo steps should invent (default 2000).",
        )
        parser.add_argument(
            "--seed", type=int, default=2102, help="Random seed; the same seed gives the same city."
        )
        parser.add_argument(
            "--size",
            choices=list(SIZES),
            default="medium",
            help="small: ~80 areas (tests); medium: ~2,500 (default); large: ~35,000.",
        )
        parser.add_argument("--city", choices=sorted(CITIES), default="dalian")
        parser.add_argument("--url", default=DEFAULT_URL, help="Address printed for the visitor.")
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run although DEBUG is off (a public demo server). Never on real data.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "DEBUG 已关闭：演示账户的密码和动态口令密钥是公开的，不能用于生产库。"
                " (DEBUG is off; demo logins are public. Use --allow-without-debug for a demo server.)"
            )
        if options["residents"] < 0:
            raise CommandError("--residents must be 0 or more.")
        if Area.objects.exists():
            if options["if_empty"]:
                self._print_existing(options["url"])
                return
            raise CommandError(
                "数据库中已有区域数据 (the database already has areas): "
                "use a fresh database, or --if-empty to just print the demo logins."
            )

        plan = CITIES[options["city"]]
        started = time.perf_counter()
        self.stdout.write(
            f"正在生成演示城市 (generating demo city) {plan.name} [{options['size']}]…"
        )
        with transaction.atomic():
            tree = build_tree(
                plan=plan, size=SIZES[options["size"]], rng=random.Random(options["seed"])
            )
            users = personas_create(tree=tree)
            for step in sorted(registry.demo_steps, key=lambda s: s.order):
                # Each step draws from its own stream, so adding a step does not
                # change what the others generate for the same seed.
                step.run(
                    city=tree.city,
                    residents=options["residents"],
                    rng=random.Random(f"{options['seed']}:{step.name}"),
                    stdout=self.stdout,
                )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"完成 (done): {tree.total:,} 个区域 (areas), {len(users)} 个账户 (accounts), "
                f"用时 (took) {elapsed:.1f} s"
            )
        )
        self._print_logins(options["url"])

    def _print_existing(self, url: str) -> None:
        if not RoleAssignment.objects.filter(
            user__username__in=[p.username for p in PERSONAS]
        ).exists():
            self.stdout.write(
                "数据库已有区域数据，未生成演示城市 (database not empty; demo not generated)."
            )
            return
        self.stdout.write("演示城市已存在，未重新生成 (demo city exists; nothing generated).")
        self._print_logins(url)

    def _print_logins(self, url: str) -> None:
        """One line per persona found in the database, then the TOTP secrets."""
        assignments = {
            (a.user.username, a.role): a.area
            for a in RoleAssignment.objects.select_related("user", "area").filter(
                user__username__in=[p.username for p in PERSONAS]
            )
        }
        rows = [("角色 (role)", "用户名 (username)", "密码 (password)", "区域 (area)", "")]
        totp = []
        for persona in PERSONAS:
            area = assignments.get((persona.username, persona.role))
            if area is None:
                continue
            rows.append(
                (
                    str(Role(persona.role).label),
                    persona.username,
                    persona.password,
                    _area_label(area),
                    "2FA" if persona.needs_totp else "",
                )
            )
            if persona.needs_totp:
                totp.append(persona)
        self.stdout.write(f"打开 (open) {url}  用下列账户登录 (log in as):")
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  "
                + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )
        if totp:
            self.stdout.write(
                "双因素验证 (2FA) 密钥，可加入身份验证器 App (TOTP secrets for an authenticator app):"
            )
            name_width = max(len(p.username) for p in totp)
            for persona in totp:
                self.stdout.write(f"  {persona.username:<{name_width}}  {persona.totp_secret}")
            self.stdout.write(f"当前口令 (current code): {TOTP_HINT} {totp[0].username}")


def _area_label(area: Area) -> str:
    """A name that means something on its own: 大连市, 人民路街道,
    长江路社区第一网格, 海韵华庭1号楼1单元."""
    if area.level not in _CONTEXT_LEVELS:
        return area.name
    parts = [area.name]
    for ancestor in reversed(list(area.ancestors())):
        parts.append(ancestor.name)
        if ancestor.level in _ANCHOR_LEVELS:
            break
    return "".join(reversed(parts))


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
