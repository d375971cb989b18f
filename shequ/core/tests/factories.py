"""Factories for tests everywhere: build state through the real services.

``build_city()`` makes the canonical test city of SECURITY.md: one city, one
district, two streets, each with two communities, each with two grids, each
grid with one estate, one building and one unit. ``build_people(city)`` makes
one user per role, placed on street A / community A1 / grid A1a.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from shequ.core.choices import AccountKind, Level
from shequ.core.models import Area, User
from shequ.core.roles import Role
from shequ.core.services.areas import area_create
from shequ.core.services.users import role_grant, user_create

PASSWORD = "Shequ-Test-2026!"
RESIDENT_PASSWORD = "qingshan-lvshui-88"
_seq = itertools.count(1)


@dataclass
class City:
    city: Area
    district: Area
    streets: dict[str, Area] = field(default_factory=dict)
    communities: dict[str, Area] = field(default_factory=dict)
    grids: dict[str, Area] = field(default_factory=dict)
    estates: dict[str, Area] = field(default_factory=dict)
    buildings: dict[str, Area] = field(default_factory=dict)
    units: dict[str, Area] = field(default_factory=dict)


def build_city() -> City:
    """Names: streets "A", "B"; communities "A1", "A2", "B1"…; grids "A1a", "A1b"…"""
    city = area_create(actor=None, parent=None, level=Level.CITY, code="210200", name="大连市")
    district = area_create(
        actor=None, parent=city, level=Level.DISTRICT, code="210202", name="中山区"
    )
    result = City(city=city, district=district)
    for s_index, s in enumerate("AB", start=1):
        street = area_create(
            actor=None, parent=district, level=Level.STREET, code=f"00{s_index}", name=f"{s}街道"
        )
        result.streets[s] = street
        for c_index in (1, 2):
            key = f"{s}{c_index}"
            community = area_create(
                actor=None,
                parent=street,
                level=Level.COMMUNITY,
                code=f"0{c_index}",
                name=f"{key}社区",
            )
            result.communities[key] = community
            for g in "ab":
                gkey = f"{key}{g}"
                grid = area_create(
                    actor=None, parent=community, level=Level.GRID, code=f"G{g}", name=f"{gkey}网格"
                )
                estate = area_create(
                    actor=None, parent=grid, level=Level.ESTATE, code="E1", name=f"{gkey}小区"
                )
                building = area_create(
                    actor=None, parent=estate, level=Level.BUILDING, code="1", name=f"{gkey}-1号楼"
                )
                unit = area_create(
                    actor=None,
                    parent=building,
                    level=Level.UNIT,
                    code="1",
                    name=f"{gkey}-1号楼1单元",
                )
                result.grids[gkey] = grid
                result.estates[gkey] = estate
                result.buildings[gkey] = building
                result.units[gkey] = unit
    return result


def make_user(
    role: str | None = None,
    area: Area | None = None,
    *,
    username: str | None = None,
    kind: str | None = None,
    password: str | None = None,
    **extra,
) -> User:
    """A user holding ``role`` on ``area``, with no first-login password change pending."""
    resident_like = role in {Role.RESIDENT, Role.VOLUNTEER, Role.PARTY_MEMBER, Role.BUILDING_TEAM}
    kind = kind or (AccountKind.RESIDENT if resident_like else AccountKind.STAFF)
    password = password or (RESIDENT_PASSWORD if kind == AccountKind.RESIDENT else PASSWORD)
    user = user_create(
        actor=None,
        username=username or f"{role or 'user'}{next(_seq)}",
        password=password,
        kind=kind,
        must_change_password=False,
        **extra,
    )
    if role is not None:
        role_grant(actor=None, user=user, role=role, area=area)
    return user


def build_people(city: City) -> dict[str, User]:
    """One user per role, in street A / community A1 / grid A1a, keyed by role,
    plus "grid_worker_b" on grid A1b and "street_staff_b" on street B."""
    where = {
        Role.CITY_ADMIN: city.city,
        Role.DISTRICT_STAFF: city.district,
        Role.STREET_STAFF: city.streets["A"],
        Role.COMMUNITY_WORKER: city.communities["A1"],
        Role.GRID_WORKER: city.grids["A1a"],
        Role.DEPARTMENT_HANDLER: city.district,
        Role.BUILDING_TEAM: city.buildings["A1a"],
        Role.PARTY_MEMBER: city.communities["A1"],
        Role.VOLUNTEER: city.communities["A1"],
        Role.RESIDENT: city.units["A1a"],
        Role.AUDITOR: city.city,
        Role.SECURITY_ADMIN: city.city,
    }
    people = {str(role): make_user(role, area, username=str(role)) for role, area in where.items()}
    people["grid_worker_b"] = make_user(
        Role.GRID_WORKER, city.grids["A1b"], username="grid_worker_b"
    )
    people["street_staff_b"] = make_user(
        Role.STREET_STAFF, city.streets["B"], username="street_staff_b"
    )
    return people


def login(client, user: User, *, verify_otp: bool = True) -> None:
    """Log ``client`` in as ``user``, with a verified TOTP device where the role needs one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="shequ.core.auth.backends.UsernameOrMobileBackend")
    session = client.session
    from django.utils import timezone

    now = timezone.now().isoformat()
    session["_shequ_seen"] = now
    session["_shequ_started"] = now
    if verify_otp:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session["otp_device_id"] = device.persistent_id
    session.save()
