"""The shape of a demo city's place data. One module per city fills it in
(``dalian.py``); the generator code knows nothing city-specific (FixMyStreet's
cobrands: per-city differences are data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DistrictPlan:
    """A district or county-level city with its GB/T 2260 code and its
    streets (街道) or towns (乡镇), most important first."""

    code: str
    name: str
    streets: tuple[str, ...]


@dataclass(frozen=True)
class CityPlan:
    """A city's real top of the tree and the name pools for what lies below.

    ``focus`` lists the district codes the generator fills first and deepest;
    the first of them is "home", where the demo personas work.
    """

    code: str
    name: str
    districts: tuple[DistrictPlan, ...]
    focus: tuple[str, ...]
    community_roots: tuple[str, ...]
    estate_prefixes: tuple[str, ...]
    estate_suffixes: tuple[str, ...]
    work_units: tuple[str, ...] = ()

    def ordered_districts(self) -> list[DistrictPlan]:
        """Focus districts first (in ``focus`` order), then the rest in code order."""
        rank = {code: i for i, code in enumerate(self.focus)}
        return sorted(self.districts, key=lambda d: (rank.get(d.code, len(rank)), d.code))
