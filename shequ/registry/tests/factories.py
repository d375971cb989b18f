"""Registry test data, built through the real services (importable by other apps' tests)."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from shequ.core.idnumbers import make_id_number
from shequ.registry.models import Household, Resident
from shequ.registry.services import household_create, resident_create

_rng = random.Random(11643)  # noqa: S311
_rooms = itertools.count(101)
_days = itertools.count(1)
_used: set[str] = set()


def new_id(birth: date | None = None, male: bool = True, region: str = "210202") -> str:
    """A valid ID number not handed out before in this test session."""
    birth = birth or date(1950, 1, 1) + timedelta(days=3 * next(_days))
    while True:
        value = make_id_number(region, birth, male, _rng)
        if value not in _used:
            _used.add(value)
            return value


def make_household(unit, *, actor=None, room: str | None = None) -> Household:
    return household_create(actor=actor, area=unit, room=room or str(next(_rooms)))


def make_resident(household: Household, *, actor=None, name: str = "张三", **data) -> Resident:
    if "id_number" not in data:
        male = data.get("gender", "male") == "male"
        data["id_number"] = new_id(data.pop("birth", None), male)
        data.setdefault("gender", "male" if male else "female")
    return resident_create(actor=actor, household=household, name=name, **data)
