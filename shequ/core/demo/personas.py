"""The demo city's people: one login per role, placed coherently on the home
chain (the city, 中山区, its first street, community, grid, building, unit).

The passwords and TOTP secrets are public on purpose: they are printed for
every visitor of a demo. ``demo_city`` therefore refuses to run when
``settings.DEBUG`` is off unless told otherwise.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequ.core.choices import AccountKind, AuditEvent, Level
from shequ.core.demo.tree import DemoTree
from shequ.core.models import User
from shequ.core.roles import STAFF_ROLES, Role
from shequ.core.services.audit import audit_record
from shequ.core.services.users import role_grant, user_create

# Staff: at least 12 characters from three classes, without any demo username.
STAFF_PASSWORD = "Shequ-Demo-2026"
# Residents, volunteers, party members, building teams: at least 8 characters,
# easy to type on a phone.
RESIDENT_PASSWORD = "jumin-2026"
TOTP_DEVICE_NAME = "demo"


@dataclass(frozen=True)
class Persona:
    role: str
    username: str
    full_name: str
    level: str  # the level on the home chain where the role is held

    @property
    def kind(self) -> str:
        return AccountKind.STAFF if self.role in STAFF_ROLES else AccountKind.RESIDENT

    @property
    def password(self) -> str:
        return STAFF_PASSWORD if self.kind == AccountKind.STAFF else RESIDENT_PASSWORD

    @property
    def needs_totp(self) -> bool:
        return self.role in settings.OTP_REQUIRED_ROLES

    @property
    def totp_secret(self) -> str:
        return demo_totp_secret(self.username)


# Usernames avoid the names the gov.E001 check refuses (admin, root, test…).
PERSONAS: tuple[Persona, ...] = (
    Persona(Role.CITY_ADMIN, "cityadmin", "刘志强", Level.CITY),
    Persona(Role.DISTRICT_STAFF, "district", "陈静", Level.DISTRICT),
    Persona(Role.STREET_STAFF, "street", "张伟", Level.STREET),
    Persona(Role.COMMUNITY_WORKER, "community", "李娜", Level.COMMUNITY),
    Persona(Role.GRID_WORKER, "grid", "王磊", Level.GRID),
    Persona(Role.DEPARTMENT_HANDLER, "dept", "赵明", Level.DISTRICT),
    Persona(Role.BUILDING_TEAM, "building", "孙桂兰", Level.BUILDING),
    Persona(Role.PARTY_MEMBER, "party", "周建华", Level.COMMUNITY),
    Persona(Role.VOLUNTEER, "volunteer", "吴晓燕", Level.COMMUNITY),
    Persona(Role.RESIDENT, "resident", "郑秀英", Level.UNIT),
    Persona(Role.AUDITOR, "auditor", "杨帆", Level.CITY),
    Persona(Role.SECURITY_ADMIN, "security", "徐东", Level.CITY),
)


def demo_totp_secret(username: str) -> str:
    """The fixed, public base32 TOTP secret of a demo account (160 bits, the
    RFC 4226 recommendation), the same on every installation so a visitor's
    authenticator app keeps working after ``make clean && make demo``."""
    seed = f"shequ-demo-totp:{username}".encode()
    digest = hashlib.sha1(seed, usedforsecurity=False).digest()
    return base64.b32encode(digest).decode()


def _totp_device_create(*, user: User, secret: str) -> TOTPDevice:
    """A confirmed authenticator for ``user`` holding ``secret``."""
    device = TOTPDevice.objects.create(
        user=user,
        name=TOTP_DEVICE_NAME,
        key=base64.b32decode(secret).hex(),
        confirmed=True,
    )
    audit_record(event=AuditEvent.OTP_DEVICE_CONFIRMED, obj=user, detail={"source": "demo_city"})
    return device


@transaction.atomic
def personas_create(*, tree: DemoTree) -> list[User]:
    """Open one account per persona and grant its role on the home chain."""
    users = []
    for persona in PERSONAS:
        user = user_create(
            actor=None,
            username=persona.username,
            password=persona.password,
            full_name=persona.full_name,
            kind=persona.kind,
            must_change_password=False,
        )
        role_grant(actor=None, user=user, role=persona.role, area=tree.home[persona.level])
        if persona.needs_totp:
            _totp_device_create(user=user, secret=persona.totp_secret)
        users.append(user)
    return users
