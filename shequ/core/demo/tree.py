"""Build a demo city's area tree from its :class:`CityPlan` and a size.

Down to the grids, every node goes through ``services.areas.area_create``, so
the governance levels obey exactly the rules a real tree does (codes,
placement, path) and each leaves its own audit row.

Estates, buildings and units are bulk-created instead, one
``Area.objects.bulk_create`` per level, with ``path`` (parent path + "." +
code) and ``depth`` (parent depth + 1) computed here, inside the caller's
transaction. Why: they are four in five of the rows, and one ``area_create``
each (existence check, two savepoints, the audit chain's lock and last-hash
read) made the default city take 10–15 s on a busy two-core machine, and the
``large`` size several minutes; in bulk the whole tree takes a few seconds.
Their codes are generated valid and checked against the service's pattern,
and one audit row per level records the bulk creation.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from shequ.core.choices import AuditEvent, Level
from shequ.core.demo import names
from shequ.core.demo.places import CityPlan, DistrictPlan
from shequ.core.models import Area
from shequ.core.models.area import PATH_SEPARATOR
from shequ.core.services.areas import LOCAL_CODE, area_create
from shequ.core.services.audit import audit_record

Span = tuple[int, int]  # inclusive range, drawn with rng.randint
# Created in bulk, parents before children (see the module docstring).
BULK_LEVELS: tuple[str, ...] = (Level.ESTATE, Level.BUILDING, Level.UNIT)


@dataclass(frozen=True)
class SizeProfile:
    """How much of the city to fill.

    The first ``full_districts`` districts (focus order) get every street down
    to stairway units; the others get ``light_*`` streets, communities and
    grids only, so the whole city shows up on maps and in lists without
    costing thousands of rows.
    """

    full_districts: int
    full_streets: int | None  # streets per full district; None = every street in the plan
    communities: Span
    grids: Span
    estates: Span
    buildings: Span
    units: Span
    scattered: float  # share of grids that also have a few buildings outside any estate
    light_streets: int
    light_communities: int
    light_grids: int


SIZES: dict[str, SizeProfile] = {
    # Tests: one district, 2 streets × 2 communities × 2 grids; about 80 nodes.
    "small": SizeProfile(
        full_districts=1, full_streets=2, communities=(2, 2), grids=(2, 2), estates=(1, 1),
        buildings=(2, 2), units=(2, 2), scattered=0.0,
        light_streets=0, light_communities=0, light_grids=0,
    ),
    # `make demo`: 中山区 and 西岗区 in full, two streets in each other district;
    # about 2,500 nodes.
    "medium": SizeProfile(
        full_districts=2, full_streets=None, communities=(2, 3), grids=(3, 4), estates=(1, 2),
        buildings=(2, 5), units=(1, 3), scattered=0.2,
        light_streets=2, light_communities=2, light_grids=2,
    ),
    # Load and query-plan checks: four central districts in full; about 35,000 nodes.
    "large": SizeProfile(
        full_districts=4, full_streets=None, communities=(3, 5), grids=(4, 6), estates=(1, 3),
        buildings=(3, 8), units=(2, 4), scattered=0.3,
        light_streets=3, light_communities=3, light_grids=3,
    ),
}  # fmt: skip


@dataclass
class DemoTree:
    """What the generator made: the city, the chain of nodes the personas work
    in (one per level, from the home district down to a unit), and counts."""

    city: Area
    home: dict[str, Area] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class _Builder:
    def __init__(self, plan: CityPlan, size: SizeProfile, rng: random.Random) -> None:
        self.plan = plan
        self.size = size
        self.rng = rng
        self.tree: DemoTree | None = None
        self.pending: dict[str, list[Area]] = {level: [] for level in BULK_LEVELS}

    def create(self, parent: Area, level: str, code: str, name: str) -> Area:
        if level in self.pending:
            assert LOCAL_CODE.match(code) and len(name) <= 100, (code, name)
            area = Area(
                parent=parent,
                level=level,
                code=code,
                name=name,
                path=f"{parent.path}{PATH_SEPARATOR}{code}",
                depth=parent.depth + 1,
            )
            self.pending[level].append(area)
        else:
            area = area_create(actor=None, parent=parent, level=level, code=code, name=name)
        assert self.tree is not None
        self.tree.counts[level] += 1
        self._remember(area)
        return area

    def _remember(self, area: Area) -> None:
        """The first node made at each level lies on the home chain, because
        the home district is built first and depth-first."""
        assert self.tree is not None
        self.tree.home.setdefault(area.level, area)

    def span(self, bounds: Span) -> int:
        return self.rng.randint(*bounds)

    def build(self) -> DemoTree:
        city = area_create(
            actor=None, parent=None, level=Level.CITY, code=self.plan.code, name=self.plan.name
        )
        self.tree = DemoTree(city=city)
        self.tree.counts[Level.CITY] += 1
        self._remember(city)
        for index, district_plan in enumerate(self.plan.ordered_districts()):
            district = self.create(city, Level.DISTRICT, district_plan.code, district_plan.name)
            if index < self.size.full_districts:
                self._full_district(district, district_plan)
            else:
                self._light_district(district, district_plan)
        self._flush()
        return self.tree

    def _flush(self) -> None:
        """Insert the pending estates, then buildings, then units; each level's
        primary keys come back from the insert, so the next level's parent
        ids resolve."""
        assert self.tree is not None
        for level in BULK_LEVELS:
            rows = self.pending[level]
            if not rows:
                continue
            Area.objects.bulk_create(rows, batch_size=500)
            audit_record(
                event=AuditEvent.CREATE,
                object_type=Area._meta.label_lower,
                object_repr=f"{len(rows)} × {Level(level).label}",
                area_path=self.tree.city.path,
                detail={"bulk": True, "level": level, "count": len(rows), "source": "demo_city"},
            )
            rows.clear()

    def _streets(self, district: Area, plan: DistrictPlan, count: int | None) -> list[Area]:
        chosen = plan.streets if count is None else plan.streets[:count]
        return [
            self.create(district, Level.STREET, f"{n:03d}", street_name)
            for n, street_name in enumerate(chosen, start=1)
        ]

    def _communities(self, street: Area, count: int, used: set[str]) -> list[Area]:
        roots = self.plan.community_roots
        return [
            self.create(
                street,
                Level.COMMUNITY,
                f"{n:03d}",
                names.unique_name(self.rng, used, lambda r: names.community_name(r, roots)),
            )
            for n in range(1, count + 1)
        ]

    def _grids(self, community: Area, count: int) -> list[Area]:
        return [
            self.create(community, Level.GRID, f"{n:02d}", names.grid_name(n))
            for n in range(1, count + 1)
        ]

    def _light_district(self, district: Area, plan: DistrictPlan) -> None:
        used: set[str] = set()
        for street in self._streets(district, plan, self.size.light_streets):
            for community in self._communities(street, self.size.light_communities, used):
                self._grids(community, self.size.light_grids)

    def _full_district(self, district: Area, plan: DistrictPlan) -> None:
        used_communities: set[str] = set()
        for street in self._streets(district, plan, self.size.full_streets):
            for community in self._communities(
                street, self.span(self.size.communities), used_communities
            ):
                used_estates: set[str] = set()
                for grid in self._grids(community, self.span(self.size.grids)):
                    self._fill_grid(grid, used_estates)

    def _fill_grid(self, grid: Area, used_estates: set[str]) -> None:
        plan = self.plan
        for n in range(1, self.span(self.size.estates) + 1):
            estate_name = names.unique_name(
                self.rng,
                used_estates,
                lambda r: names.estate_name(
                    r,
                    prefixes=plan.estate_prefixes,
                    suffixes=plan.estate_suffixes,
                    work_units=plan.work_units,
                    roots=plan.community_roots,
                ),
            )
            estate = self.create(grid, Level.ESTATE, f"E{n:02d}", estate_name)
            self._buildings(estate, self.span(self.size.buildings), lambda b: f"{b}号楼")
        if self.rng.random() < self.size.scattered:
            # Old streets: a few houses with a street address and no estate.
            road = self.rng.choice(
                [r for r in plan.community_roots if r[-1] in "路街"] or ["中山路"]
            )
            numbers = sorted(self.rng.sample(range(1, 200), self.rng.randint(1, 3)))
            for number in numbers:
                building = self.create(grid, Level.BUILDING, str(number), f"{road}{number}号")
                self._units(building, self.span((1, 2)))

    def _buildings(self, estate: Area, count: int, label) -> None:
        for b in range(1, count + 1):
            building = self.create(estate, Level.BUILDING, str(b), label(b))
            self._units(building, self.span(self.size.units))

    def _units(self, building: Area, count: int) -> None:
        for u in range(1, count + 1):
            self.create(building, Level.UNIT, str(u), f"{u}单元")


def build_tree(*, plan: CityPlan, size: SizeProfile, rng: random.Random) -> DemoTree:
    """Create ``plan``'s city and fill it to ``size``. Call inside a transaction."""
    spans = (size.communities, size.grids, size.estates, size.buildings, size.units)
    if size.full_districts < 1 or size.full_streets == 0 or min(low for low, _high in spans) < 1:
        # The personas need one node of every level on the home chain.
        raise ValueError("the home district must be built in full, down to units")
    return _Builder(plan, size, rng).build()
