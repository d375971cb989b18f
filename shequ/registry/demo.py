"""The registry's step of the demo city generator: believable households and
residents in every stairway unit of the city.

Why ``bulk_create`` and not the services: the demo fills thousands of rows in
seconds, and row-by-row services would spend that on one audit line and one
round trip per resident. The data is generated valid by construction (ID
numbers from :func:`make_id_number`, consistent with birth date and gender;
mobiles in the mainland format), encryption still happens per field in
``EncryptedTextField``, and blind indexes and pinyin keys are computed the
same way the services do. One summary audit row (event ``import``) records
the generation; per-resident audit rows would only be noise for made-up people.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequ.core.choices import AuditEvent, Level
from shequ.core.idnumbers import PROVINCES, make_id_number
from shequ.core.models import Area
from shequ.core.services.audit import audit_record
from shequ.registry.choices import Gender, LivingStatus, Relation, ResidenceType
from shequ.registry.models import Household, KeyPopulationTag, Resident, ResidentTag
from shequ.registry.pinyin import name_keys
from shequ.registry.services import (
    id_document_index,
    id_last4_index,
    id_number_index,
    mobile_index,
    other_phone_index,
)

BATCH = 500
_DATA = Path(__file__).parent / "data" / "demo_people.json"
# Household shapes and their shares; together they give about 2.8 people per
# household and about 13% of residents aged 65 or more.
_SHAPES = [
    ("elderly_alone", 6),
    ("elderly_couple", 9),
    ("family", 43),
    ("three_generations", 12),
    ("couple", 15),
    ("single", 10),
    ("tenants", 5),
]
_MOBILE_PREFIXES = [
    "130",
    "131",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "158",
    "159",
    "176",
    "177",
    "180",
    "182",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]


@dataclass
class _Person:
    name: str
    male: bool
    age: int
    relation: str
    residence_type: str = ResidenceType.REGISTERED
    living_status: str = LivingStatus.LIVING
    region: str = ""
    registered_address: str = ""
    tags: list[tuple[str, dict]] = field(default_factory=list)


def _load() -> dict[str, Any]:
    return json.loads(_DATA.read_text(encoding="utf-8"))


class _Generator:
    def __init__(self, rng: random.Random, data: dict[str, Any], today: date):
        self.rng = rng
        self.today = today
        self.surnames = [s for s, _w in data["surnames"]]
        self.surname_weights = [w for _s, w in data["surnames"]]
        self.given = {True: data["given_male"], False: data["given_female"]}
        self.ethnicities = [e for e, _w in data["ethnicities"]]
        self.ethnicity_weights = [w for _e, w in data["ethnicities"]]
        self.home_regions = data["home_regions"]

    def surname(self) -> str:
        return self.rng.choices(self.surnames, self.surname_weights)[0]

    def name(self, male: bool, surname: str | None = None) -> str:
        chars = self.given[male]
        given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return (surname or self.surname()) + given

    def person(self, *, male: bool, age: int, relation: str, surname: str | None = None) -> _Person:
        return _Person(name=self.name(male, surname), male=male, age=age, relation=relation)

    def birth_date(self, age: int) -> date:
        birth = date(self.today.year - age, 1, 1) + timedelta(days=self.rng.randint(0, 364))
        if birth > self.today:
            birth = birth.replace(year=birth.year - 1)
        return birth

    def mobile(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"

    def household(self) -> list[_Person]:
        rng = self.rng
        shape = rng.choices([s for s, _w in _SHAPES], [w for _s, w in _SHAPES])[0]
        head_male = rng.random() < 0.6
        surname = self.surname()
        people: list[_Person] = []

        def couple(low: int, high: int) -> None:
            age = rng.randint(low, high)
            people.append(
                self.person(male=head_male, age=age, relation=Relation.HEAD, surname=surname)
            )
            spouse_age = max(18, min(high + 3, age + rng.randint(-4, 4)))
            people.append(self.person(male=not head_male, age=spouse_age, relation=Relation.SPOUSE))

        if shape == "elderly_alone":
            people.append(
                self.person(
                    male=rng.random() < 0.35, age=rng.randint(65, 93), relation=Relation.HEAD
                )
            )
            people[0].tags.append(("elderly_alone", {}))
        elif shape == "elderly_couple":
            couple(65, 88)
            for p in people:
                p.tags.append(("empty_nest", {}))
        elif shape in ("family", "three_generations"):
            if shape == "family":
                couple(28, 55)
            else:
                couple(32, 52)
            parent_age = min(p.age for p in people)
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3)) if shape == "family" else 1):
                child_male = rng.random() < 0.51
                age = max(0, parent_age - rng.randint(22, 36))
                people.append(
                    self.person(male=child_male, age=age, relation=Relation.CHILD, surname=surname)
                )
            if shape == "three_generations":
                for male in rng.choice(((True, False), (True,), (False,))):
                    age = rng.randint(max(62, parent_age + 22), max(63, min(92, parent_age + 34)))
                    people.append(self.person(male=male, age=age, relation=Relation.PARENT))
                if rng.random() < 0.15:  # both parents work in another city
                    for p in people:
                        if p.relation in (Relation.HEAD, Relation.SPOUSE):
                            p.living_status = LivingStatus.ABSENT
                        elif p.relation == Relation.CHILD and p.age < 16:
                            p.tags.append(("left_behind_child", {}))
        elif shape == "couple":
            couple(25, 72)
        elif shape == "single":
            people.append(
                self.person(
                    male=rng.random() < 0.55, age=rng.randint(20, 60), relation=Relation.HEAD
                )
            )
            if rng.random() < 0.7:
                self._floating(people[0])
        else:  # tenants sharing a flat
            for index in range(rng.choice((2, 2, 3))):
                relation = Relation.HEAD if index == 0 else Relation.TENANT
                p = self.person(male=rng.random() < 0.5, age=rng.randint(19, 40), relation=relation)
                self._floating(p)
                people.append(p)
        if shape == "family" and rng.random() < 0.1:
            for p in people:
                self._floating(p)

        # Household-wide support, in the few-percent proportions communities report.
        roll = rng.random()
        support = "minimum_allowance" if roll < 0.02 else "low_income" if roll < 0.035 else None
        if shape == "elderly_alone" and rng.random() < 0.04:
            support = "extreme_poverty"
        for p in people:
            if support:
                p.tags.append((support, {}))
            if rng.random() < 0.01:
                p.tags.append(("disability", {"level": rng.randint(1, 4)}))
            if p.age >= 18 and rng.random() < 0.07:
                p.tags.append(("party_member", {}))
            if p.male and p.age >= 30 and rng.random() < 0.03:
                p.tags.append(("veteran", {}))
            if p.age < 16 and p.relation == Relation.CHILD and rng.random() < 0.004:
                p.tags.append(("child_in_difficulty", {}))
        return people

    def _floating(self, person: _Person) -> None:
        person.residence_type = ResidenceType.FLOATING
        person.living_status = LivingStatus.RENTED
        person.region, person.registered_address = self.rng.choice(self.home_regions)


def _region_of(unit: Area) -> str:
    """The district's GB/T 2260 code from the unit's path, else the city's."""
    for code in unit.path.split(".")[1::-1]:
        if len(code) == 6 and code.isdigit() and int(code[:2]) in PROVINCES:
            return code
    return "210202"


@transaction.atomic
def demo_registry(
    *, city: Area, residents: int = 2000, rng: random.Random | None = None, stdout=None
) -> dict[str, int]:
    """Fill about ``residents`` residents into households spread over the
    stairway units (or, lacking units, the buildings) under ``city``."""
    rng = rng or random.Random(2026)  # noqa: S311  (demo data)
    below = Area.objects.filter(path__startswith=city.path + ".")
    units = list(below.filter(level=Level.UNIT).order_by("path")) or list(
        below.filter(level=Level.BUILDING).order_by("path")
    )
    if not units:
        if stdout:
            stdout.write("registry: no units or buildings under the city, nothing generated")
        return {"households": 0, "residents": 0}
    # Spread over the whole city (every district's region code appears), one
    # household per unit per pass, in a shuffled but reproducible order.
    rng.shuffle(units)
    today = timezone.localdate()
    generator = _Generator(rng, _load(), today)
    tags = {tag.code: tag for tag in KeyPopulationTag.objects.all()}
    per_unit: Counter[int] = Counter()
    plans: list[tuple[Household, list[_Person]]] = []
    total = 0
    while total < residents:
        unit = units[len(plans) % len(units)]
        n = per_unit[unit.pk]
        per_unit[unit.pk] += 1
        room = f"{n // 2 + 1}{n % 2 + 1:02d}"
        household = Household(
            area=unit, room=room, number=f"D{unit.pk:05d}{room}", area_path=unit.path
        )
        people = generator.household()
        plans.append((household, people))
        total += len(people)

    Household.objects.bulk_create([h for h, _p in plans], batch_size=BATCH)

    seen: set[str] = set()
    rows: list[tuple[Resident, _Person]] = []
    for household, people in plans:
        region = _region_of(household.area)
        for person in people:
            birth = generator.birth_date(person.age)
            while True:
                id_number = make_id_number(person.region or region, birth, person.male, rng)
                index = id_number_index(id_number)
                if index not in seen:
                    seen.add(index)
                    break
            mobile = generator.mobile() if person.age >= 16 and rng.random() < 0.92 else None
            full, initials = name_keys(person.name)
            resident = Resident(
                household=household,
                name=person.name,
                name_pinyin=full,
                name_initials=initials,
                gender=Gender.MALE if person.male else Gender.FEMALE,
                ethnicity=rng.choices(generator.ethnicities, generator.ethnicity_weights)[0],
                id_number=id_number,
                id_number_index=index,
                id_last4_index=id_last4_index(id_number),
                birth_date=birth,
                mobile=mobile,
                mobile_index=mobile_index(mobile) if mobile else None,
                residence_type=person.residence_type,
                living_status=person.living_status,
                relation_to_head=person.relation,
                registered_address=person.registered_address,
                area_path=household.area_path,
            )
            rows.append((resident, person))
    _avoid_existing_ids(rows, seen, rng)
    _landlines_and_documents(rows)
    Resident.objects.bulk_create([r for r, _p in rows], batch_size=BATCH)

    heads = []
    links = []
    for resident, person in rows:
        if person.relation == Relation.HEAD:
            resident.household.head = resident
            heads.append(resident.household)
        for code, attributes in person.tags:
            if code in tags:
                links.append(ResidentTag(resident=resident, tag=tags[code], attributes=attributes))
    Household.objects.bulk_update(heads, ["head"], batch_size=BATCH)
    ResidentTag.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)

    summary = {"households": len(plans), "residents": len(rows), "tags": len(links)}
    audit_record(
        event=AuditEvent.IMPORT,
        object_type="registry.resident",
        object_repr="demo data",
        area_path=city.path,
        actor_username="demo",
        detail={"source": "demo", **summary},
    )
    if stdout:
        elderly = sum(1 for _r, p in rows if p.age >= 65)
        stdout.write(
            f"registry: {summary['households']} households, {summary['residents']} residents "
            f"({elderly * 100 // max(1, len(rows))}% aged 65+), {summary['tags']} key-population tags"
        )
    return summary


# Foreign residents of the demo: (document type, number prefix). Their own
# random source, so adding them left every other generated resident as it was.
_DEMO_DOCUMENTS = (("passport", "M"), ("hk_macao_permit", "H"))


def _landlines_and_documents(rows: list[tuple[Resident, _Person]]) -> None:
    """A few older heads of household with a landline (Dalian, 0411) as their
    other phone, and one or two single tenants made foreign residents with a
    passport or a Hong Kong permit instead of a mainland ID."""
    side = random.Random(f"shequ-demo-phones-documents-{len(rows)}")  # noqa: S311  (demo data)
    foreign = list(_DEMO_DOCUMENTS)
    for resident, person in rows:
        if person.relation == Relation.HEAD and person.age >= 50 and side.random() < 0.08:
            resident.other_phone = f"0411-8{side.randint(0, 9_999_999):07d}"
            resident.other_phone_index = other_phone_index(resident.other_phone)
        if foreign and person.residence_type == ResidenceType.FLOATING and person.age >= 20:
            kind, prefix = foreign.pop(0)
            while True:
                number = f"{prefix}{side.randint(10_000_000, 99_999_999)}"
                index = id_document_index(kind, number)
                if not Resident.objects.filter(id_document_index=index).exists():
                    break
            resident.residence_type = ResidenceType.FOREIGN
            resident.registered_address = ""
            resident.id_number = resident.id_number_index = resident.id_last4_index = None
            resident.id_document_type, resident.id_document_number = kind, number
            resident.id_document_index = index


def _avoid_existing_ids(
    rows: list[tuple[Resident, _Person]], seen: set[str], rng: random.Random
) -> None:
    """Re-draw the few generated ID numbers already in the ledger (a second demo run)."""
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        taken = set(
            Resident.objects.filter(
                id_number_index__in=[r.id_number_index for r, _p in chunk]
            ).values_list("id_number_index", flat=True)
        )
        for resident, person in chunk:
            if resident.id_number_index not in taken:
                continue
            while True:
                region = person.region or resident.id_number[:6]
                resident.id_number = make_id_number(region, resident.birth_date, person.male, rng)
                resident.id_number_index = id_number_index(resident.id_number)
                resident.id_last4_index = id_last4_index(resident.id_number)
                if (
                    resident.id_number_index not in seen
                    and not Resident.objects.filter(
                        id_number_index=resident.id_number_index
                    ).exists()
                ):
                    seen.add(resident.id_number_index)
                    break
