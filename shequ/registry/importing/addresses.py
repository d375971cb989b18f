"""Where an imported row lives: its building and unit cells resolved against
the area tree under the area the import was started on.

Strict on purpose: an address that is not in the tree is a row error, never a
new building. "1号楼", "1栋", "1幢" and "1" all mean the building whose code
or name says 1; when two buildings under the area would match, the worker is
asked to write the full building name.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from shequ.core.choices import Level
from shequ.core.models import Area
from shequ.core.models.area import PATH_SEPARATOR
from shequ.registry.importing import cells

_TRAILING_NUMBER = re.compile(r"(\d+)$")


class AddressError(Exception):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def _keys(area: Area, strip) -> set[str]:
    keys = {area.code, area.name, strip(area.name)}
    match = _TRAILING_NUMBER.search(strip(area.name))
    if match:
        keys.add(match[1].lstrip("0") or "0")
    if area.code.isdigit():
        keys.add(area.code.lstrip("0") or "0")
    return keys


def _norm(key: str) -> str:
    return key.lstrip("0") or "0" if key.isdigit() else key


class AddressBook:
    """Buildings and units under one area, loaded once per pass."""

    def __init__(self, base: Area):
        self.base = base
        below = Q(path=base.path) | Q(path__startswith=base.path + PATH_SEPARATOR)
        areas = list(Area.objects.filter(below, level__in=[Level.BUILDING, Level.UNIT]))
        self.buildings = [a for a in areas if a.level == Level.BUILDING]
        self.units: dict[int, list[Area]] = {}
        for area in areas:
            if area.level == Level.UNIT:
                self.units.setdefault(area.parent_id, []).append(area)
        self._cache: dict[tuple[str, str], Area | AddressError] = {}

    def _match(self, candidates: list[Area], cell: str, strip) -> list[Area]:
        exact = [a for a in candidates if a.name == cell]
        if exact:
            return exact
        key = _norm(strip(cell))
        return [a for a in candidates if key in {_norm(k) for k in _keys(a, strip)}]

    def _building(self, cell: str) -> Area:
        if self.base.level == Level.BUILDING:
            return self.base
        if not cell:
            raise AddressError(_("请填写楼栋。"), "building")
        found = self._match(self.buildings, cell, cells.building_key)
        if not found:
            raise AddressError(
                _(
                    "找不到楼栋“%(b)s”：所选区域“%(area)s”下没有这栋楼。请核对楼栋名称，或先在区域管理中添加。"
                )
                % {"b": cell, "area": self.base.name},
                "building",
            )
        if len(found) > 1:
            raise AddressError(
                _("楼栋“%(b)s”在所选区域内有 %(n)d 处，请写完整的楼栋名称（例如“%(example)s”）。")
                % {"b": cell, "n": len(found), "example": found[0].name},
                "building",
            )
        return found[0]

    def _resolve(self, building_cell: str, unit_cell: str) -> Area:
        if self.base.level == Level.UNIT:
            return self.base
        building = self._building(building_cell)
        units = self.units.get(building.pk, [])
        if not units:
            if unit_cell:
                raise AddressError(
                    _("楼栋“%(b)s”没有分单元，找不到单元“%(u)s”。")
                    % {"b": building.name, "u": unit_cell},
                    "unit",
                )
            return building
        if not unit_cell:
            raise AddressError(
                _("请填写单元（楼栋“%(b)s”分单元）。") % {"b": building.name}, "unit"
            )
        found = self._match(units, unit_cell, cells.unit_key)
        if len(found) != 1:
            raise AddressError(
                _("找不到单元“%(u)s”：楼栋“%(b)s”下没有这个单元。")
                % {"u": unit_cell, "b": building.name},
                "unit",
            )
        return found[0]

    def resolve(self, building_cell: str, unit_cell: str) -> Area:
        """The unit (or, for buildings without units, the building) of a row."""
        key = (building_cell, unit_cell)
        if key not in self._cache:
            try:
                self._cache[key] = self._resolve(building_cell, unit_cell)
            except AddressError as error:
                self._cache[key] = error
        result = self._cache[key]
        if isinstance(result, AddressError):
            raise result
        return result
