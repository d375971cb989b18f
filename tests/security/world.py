"""The canonical test city and its people, built once per test package.

Argon2 makes every account cost about 0.1 s, so the city and its sixteen
people are created once, inside an outer transaction that is rolled back when
the package is done; each test then runs in its own savepoint (pytest-django's
``db``) and sees fresh copies of the rows, so nothing a test changes leaks into
the next one, and nothing leaks into other packages.

No test in a package using this may be transactional (``transaction=True``):
flushing would erase the shared rows.
"""

from __future__ import annotations

import sys
from dataclasses import fields

import pytest
from django.db import transaction

from shequ.core.models import Area, User
from shequ.core.roles import Role
from shequ.core.tests.factories import City, build_city, build_people, make_user

# Same-kind actors elsewhere, beyond what build_people() makes: key → (role, where).
EXTRA_PEOPLE = {
    "security_admin_a": (Role.SECURITY_ADMIN, lambda city: city.streets["A"]),
    "security_admin_b": (Role.SECURITY_ADMIN, lambda city: city.streets["B"]),
    "city_admin_b": (Role.CITY_ADMIN, lambda city: city.streets["B"]),
    "auditor_b": (Role.AUDITOR, lambda city: city.streets["B"]),
    "community_worker_b": (Role.COMMUNITY_WORKER, lambda city: city.communities["A2"]),
}


def _build() -> tuple[City, dict[str, int]]:
    city = build_city()
    people = build_people(city)
    for key, (role, where) in EXTRA_PEOPLE.items():
        people[key] = make_user(role, where(city), username=key)
    return city, {key: user.pk for key, user in people.items()}


@pytest.fixture(scope="package")
def committed_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def reload_city(city: City) -> City:
    """Fresh instances of every area, so in-memory changes never cross tests."""
    ids = [area.pk for f in fields(city) for area in _areas_of(getattr(city, f.name))]
    fresh = Area.objects.in_bulk(ids)
    kwargs = {}
    for f in fields(city):
        value = getattr(city, f.name)
        if isinstance(value, dict):
            kwargs[f.name] = {key: fresh[area.pk] for key, area in value.items()}
        else:
            kwargs[f.name] = fresh[value.pk]
    return City(**kwargs)


def _areas_of(value) -> list[Area]:
    return list(value.values()) if isinstance(value, dict) else [value]


def reload_people(ids: dict[str, int]) -> dict[str, User]:
    fresh = User.objects.in_bulk(list(ids.values()))
    return {key: fresh[pk] for key, pk in ids.items()}
