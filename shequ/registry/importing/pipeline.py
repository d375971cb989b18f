"""The row pass shared by the dry run and the commit.

:func:`parse_rows` streams the file and turns each data row into a
:class:`Row` (cells cleaned, merged-cell blanks filled, values converted,
address resolved). :class:`Checker` adds the checks that need memory of the
file or a look at the ledger: duplicates (same ID twice in the file, or
already in the ledger), a second head in one household, an ID registered
outside the worker's areas. Both passes run exactly this code, so what the
dry run promised is what the commit does.

Merged cells: openpyxl's read-only mode does not expose merged ranges, so an
empty cell in the building, unit, room or household-number column inherits
the value of the row above in the same sheet (what a merged block looks like
once read). A row with a name but no address therefore lands in the
household above it, as it does on the printed ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.db import connection
from django.utils.translation import gettext as _

from shequ.core.errors import DomainError
from shequ.core.iddocuments import guess_document_type
from shequ.core.idnumbers import normalize_id_number, parse_id_number
from shequ.core.models import User
from shequ.core.phones import normalize_landline, normalize_mobile
from shequ.core.scoping import can
from shequ.registry.choices import Action, Relation, ResidenceType
from shequ.registry.importing import cells
from shequ.registry.importing.addresses import AddressBook, AddressError
from shequ.registry.importing.headers import FIELDS, FILL_DOWN, clean_text, is_header_word, score
from shequ.registry.importing.reading import iter_rows
from shequ.registry.labels import cleared_labels
from shequ.registry.models import Household, KeyPopulationTag, Resident
from shequ.registry.services import clean_resident_data, id_document_index, id_number_index

ERROR, WARNING = "error", "warning"
PERSON_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "mobile",
    "other_phone",
    "id_document_type",
    "id_document_number",
    "residence_type",
    "living_status",
    "relation_to_head",
    "registered_address",
    "work_or_school",
    "notes",
)
_CONVERTERS = {
    "name": cells.name,
    "gender": cells.gender,
    "ethnicity": cells.text,
    "id_number": cells.id_number,
    "birth_date": cells.a_date,
    "mobile": cells.mobile,
    "other_phone": cells.phone,
    "id_document_type": cells.document_type,
    "id_document_number": cells.document_number,
    "residence_type": cells.residence_type,
    "living_status": cells.living_status,
    "relation_to_head": cells.relation,
    "registered_address": cells.text,
    "work_or_school": cells.text,
    "notes": cells.text,
}


@dataclass
class SheetPlan:
    """How to read one sheet: where its header is and what each column means."""

    name: str
    header_row: int | None
    headers: list[str]
    columns: dict[int, str]

    def __post_init__(self) -> None:
        # field -> column index; the first column wins, as in ``_cell`` before.
        self.index: dict[str, int] = {}
        for column, name in sorted(self.columns.items()):
            self.index.setdefault(name, column)

    def header_of(self, field_name: str) -> str:
        for index, name in self.columns.items():
            if name == field_name and index < len(self.headers):
                return self.headers[index] or str(FIELDS.get(field_name, field_name))
        return str(FIELDS.get(field_name, field_name))


def plans_from(mapping: dict) -> dict[str, SheetPlan]:
    plans = {}
    for sheet in mapping.get("sheets", []):
        columns = {int(k): v for k, v in (sheet.get("columns") or {}).items() if v in FIELDS}
        plans[sheet["name"]] = SheetPlan(
            sheet["name"], sheet.get("header_row"), list(sheet.get("headers") or []), columns
        )
    return plans


@dataclass
class Row:
    sheet: str
    number: int
    cells: list[Any]
    plan: SheetPlan
    data: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    area: Any = None
    room: str = ""
    household_number: str = ""
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    duplicate: bool = False
    index: int = 0
    # Set by ``Checker.check``: the validated values (``clean_resident_data``),
    # so the commit never validates a row twice; and, for a duplicate, whether
    # the person is already in the ledger (else: earlier in this file).
    clean: dict[str, Any] | None = None
    in_ledger: bool = False
    id_index: str | None = None  # blind index of the ID number, computed once
    document_index: str | None = None  # blind index of the passport or permit, if any
    # The column a document number came from: its own, or "证件号码" (the ID's)
    # when the row's 证件类型 names a passport or permit.
    document_field: str = "id_document_number"

    @property
    def key(self) -> tuple[int, str] | None:
        return (self.area.pk, self.room) if self.area is not None else None

    @property
    def has_error(self) -> bool:
        return any(level == ERROR for _c, level, _m in self.problems)

    def add(self, field_name: str, level: str, message: str) -> None:
        if field_name == "id_document_number":
            field_name = self.document_field
        column = self.plan.header_of(field_name) if field_name else ""
        self.problems.append((column, level, str(message)[:300]))

    @property
    def where(self) -> str:
        return _("工作表“%(sheet)s”第 %(row)d 行") % {"sheet": self.sheet, "row": self.number}


def _is_blank(values: list[Any]) -> bool:
    # Stops at the first cell with content (usually the first): cheap for data rows.
    return all(v is None or v == "" or clean_text(v) == "" for v in values)


def _repeats_header(values: list[Any], plan: SheetPlan) -> bool:
    """The header row repeated (a printed ledger repeats it on every page).
    Looked at in full only when the name column holds a header word."""
    column = plan.index.get("name")
    if column is not None and column < len(values):
        cell = values[column]
        if not (isinstance(cell, str) and cell and is_header_word(clean_text(cell))):
            return False
    return score(values) >= 3


def parse_rows(
    stream: IO[bytes],
    kind: str,
    plans: dict[str, SheetPlan],
    book: AddressBook,
    *,
    address_only: bool = False,
) -> Iterator[Row]:
    """Data rows below each sheet's header, converted; sheets without a plan
    are skipped. ``address_only``: resolve the address and nothing else (the
    commit's first pass, which only needs to know where each household ends)."""
    above: dict[str, dict[str, Any]] = {}
    index = 0
    for raw in iter_rows(stream, kind):
        plan = plans.get(raw.sheet)
        if plan is None or plan.header_row is None or raw.number <= plan.header_row:
            continue
        values = list(raw.cells)
        if _is_blank(values) or _repeats_header(values, plan):  # empty, or the header repeated
            continue
        filled = above.setdefault(raw.sheet, {})
        for column, name in plan.columns.items():
            if name not in FILL_DOWN:
                continue
            while len(values) <= column:
                values.append(None)
            if clean_text(values[column]) == "":
                values[column] = filled.get(name)
            else:
                filled[name] = values[column]
        index += 1
        row = Row(raw.sheet, raw.number, values, plan, index=index)
        if address_only:
            _address(row, book)
            yield row
            continue
        _convert(row, book)
        if row.data.get("name", "").startswith(("(示例)", "示例")):
            continue  # the example row of the blank template
        yield row


def _cell(row: Row, field_name: str) -> Any:
    column = row.plan.index.get(field_name)
    if column is None or column >= len(row.cells):
        return None
    return row.cells[column]


def _convert(row: Row, book: AddressBook) -> None:
    document_in_id_column = _document_in_id_column(row)
    for name, convert in _CONVERTERS.items():
        raw = _cell(row, name)
        if name == "id_number" and document_in_id_column:
            continue  # a passport or permit under "证件号码": see below
        if name == "id_document_number" and document_in_id_column:
            raw = _cell(row, "id_number")
            row.document_field = "id_number"
        try:
            value = convert(raw)
        except cells.CellError as error:
            row.add(name, WARNING if error.warning else ERROR, error.message)
            value = Relation.OTHER.value if name == "relation_to_head" else None
        if value not in (None, ""):
            row.data[name] = value
    _phones(row)
    _document_type(row)
    row.tags = cells.tag_names(_cell(row, "tags"))
    _address(row, book)


def _document_in_id_column(row: Row) -> bool:
    """Does this row's 证件类型 name a passport or permit whose number sits in
    the national ID's column ("证件类型 | 证件号码" ledgers), with the other
    document column absent or empty?"""
    if "id_document_type" not in row.plan.index or "id_number" not in row.plan.index:
        return False
    try:
        kind = cells.document_type(_cell(row, "id_document_type"))
    except cells.CellError:
        return False
    own = _cell(row, "id_document_number")
    return bool(kind) and (own is None or cells.text(own) == "")


def _phones(row: Row) -> None:
    """A landline in the mobile column ("联系电话") becomes the other phone
    when that one is free, instead of failing the mobile check."""
    raw = row.data.get("mobile")
    if raw and normalize_mobile(raw) is None and normalize_landline(raw) is not None:
        if "other_phone" not in row.data:
            row.data["other_phone"] = row.data.pop("mobile")
            row.add("mobile", WARNING, _("联系电话是固定电话，已登记为“其他电话”。"))


def _document_type(row: Row) -> None:
    """A document number without a type: a "护照号码" column says passport;
    otherwise the number's shape says which permit it is, when it can."""
    number = row.data.get("id_document_number")
    if not number or row.data.get("id_document_type"):
        return
    column = row.plan.index.get("id_document_number")
    header = (
        row.plan.headers[column] if column is not None and column < len(row.plan.headers) else ""
    )
    kind = "passport" if "护照" in str(header or "") else guess_document_type(number)
    if kind:
        row.data["id_document_type"] = kind


def _address(row: Row, book: AddressBook) -> None:
    row.household_number = cells.text(_cell(row, "household_number"))[:30]
    row.room = cells.room(_cell(row, "room"))
    try:
        row.area = book.resolve(cells.text(_cell(row, "building")), cells.text(_cell(row, "unit")))
    except AddressError as error:
        row.add(error.field, ERROR, error.message)
        return
    if not row.room and row.area.level != "building":
        row.add("room", ERROR, _("请填写室（门牌号）。"))
        row.area = None
    elif len(row.room) > 20:
        row.add("room", ERROR, _("门牌号最多20个字符。"))
        row.area = None


def _ledger_rows(indexes: list[str]) -> Iterable[tuple[str, str, int]]:
    """(blind index, area path, household) of the residents with these ID indexes.

    On PostgreSQL one array parameter (``= ANY``): a thousand ``IN`` placeholders
    cost more to build and send than the lookup itself."""
    if not indexes:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id_number_index, area_path, household_id FROM "  # noqa: S608  (names from the model; values are parameters)
                f"{Resident._meta.db_table} WHERE id_number_index = ANY(%s)",
                [indexes],
            )
            return cursor.fetchall()
    return Resident.objects.filter(id_number_index__in=indexes).values_list(
        "id_number_index", "area_path", "household_id"
    )


class Checker:
    """Checks that remember the file and look at the ledger. One per pass."""

    def __init__(self, *, actor: User, duplicate_update: bool):
        self.actor = actor
        self.duplicate_update = duplicate_update
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.seen_documents: dict[str, tuple[str, int]] = {}
        self.seen_names: set[tuple[int, str, str]] = set()
        self.heads: dict[tuple[int, str], str] = {}
        self.households: dict[tuple[int, str], int | None] = {}
        self.tags = {t.name: t for t in KeyPopulationTag.objects.filter(is_active=True)}
        self.tags.update({t.code: t for t in self.tags.values()})
        self.cleared = cleared_labels(actor)
        self.ledger: dict[str, tuple[str, int] | None] = {}
        self.index_of: dict[str, str] = {}

    def prefetch(self, rows: list[Row]) -> None:
        """Look up a batch of rows' IDs and households in two queries instead of one per row."""
        self.ledger = {}
        self.index_of: dict[str, str] = {}
        indexes = []
        for row in rows:
            number = normalize_id_number(row.data.get("id_number"))
            if len(number) == 18:
                self.index_of[number] = id_number_index(number)
                indexes.append(self.index_of[number])
        self.ledger = dict.fromkeys(indexes)
        for index, path, household in _ledger_rows(indexes):
            self.ledger[index] = (path, household)
        keys = {row.key for row in rows if row.key is not None and row.key not in self.households}
        if keys:
            rooms = Household.objects.filter(
                area_id__in={k[0] for k in keys},
                room__in={k[1] for k in keys},
                removed_at__isnull=True,
            ).order_by("-id")
            for key in keys:
                self.households[key] = None
            for pk, area_id, room in rooms.values_list("pk", "area_id", "room"):
                if (area_id, room) in keys:
                    self.households[(area_id, room)] = pk  # the oldest wins (ordered newest first)

    def batched(self, rows: Iterable[Row], size: int = 1000) -> Iterator[Row]:
        """The rows again, prefetched batch by batch."""
        iterator = iter(rows)
        while batch := list(islice(iterator, size)):
            self.prefetch(batch)
            yield from batch

    def household_id(self, key: tuple[int, str]) -> int | None:
        if key not in self.households:
            self.households[key] = (
                Household.objects.filter(area_id=key[0], room=key[1], removed_at__isnull=True)
                .order_by("id")
                .values_list("pk", flat=True)
                .first()
            )
        return self.households[key]

    def check(self, row: Row) -> None:
        if not row.data.get("name") and not row.has_error:
            row.add("name", ERROR, _("请填写姓名。"))
        if row.has_error:
            return
        try:
            clean = clean_resident_data(row.data)
        except DomainError as error:
            row.add(error.field or "", ERROR, error.message)
            return
        row.data["id_number"] = clean["id_number"]
        row.data["name"] = clean["name"]
        row.data.setdefault("gender", clean["gender"])
        row.clean = clean
        if clean["id_number"] is None and clean["id_document_number"] is None:
            row.add("id_number", WARNING, _("未填写身份证号，将按“同一户内姓名相同”判断是否重复。"))
        self._foreign(row, clean)
        for name in list(row.tags):
            if name not in self.tags:
                row.add(
                    "tags", WARNING, _("未知的重点人群类别“%(t)s”，已忽略。") % {"t": name[:20]}
                )
            elif self.tags[name].label and self.tags[name].label not in self.cleared:
                row.tags.remove(name)
                row.add(
                    "tags",
                    WARNING,
                    _("您没有登记“%(t)s”类信息的权限，已忽略。") % {"t": name[:20]},
                )
        key = row.key
        assert key is not None  # noqa: S101  (no error, so the address resolved)
        self._duplicates(row, clean, key)
        if row.has_error:
            return
        if clean["relation_to_head"] == Relation.HEAD:
            person = clean["id_number"] or clean["name"]
            earlier = self.heads.get(key)
            if earlier is not None and earlier != person:
                row.add(
                    "relation_to_head",
                    ERROR,
                    _("同一户已有户主（表格中前面的行），一户只能有一位户主。"),
                )
                return
            household = self.household_id(key)
            if earlier is None and household is not None and not row.duplicate:
                head = (
                    Household.objects.filter(pk=household).values_list("head_id", flat=True).first()
                )
                if head is not None:
                    row.add("relation_to_head", ERROR, _("该户在台账中已有户主。"))
                    return
            self.heads[key] = person

    def _foreign(self, row: Row, clean: dict) -> None:
        """A foreign resident with what looks like a mainland ID: a warning, not an error
        (a naturalised citizen, or the wrong column)."""
        if clean["residence_type"] != ResidenceType.FOREIGN:
            return
        if clean["id_number"]:
            row.add(
                "id_number",
                WARNING,
                _(
                    "人口类型为境外人员，却填写了内地公民身份号码，请核对；"
                    "境外人员一般应填写证件类型和护照等证件号码。"
                ),
            )
            return
        number = clean["id_document_number"]
        if number and clean["id_document_type"] != "hmt_residence":
            try:
                parse_id_number(number)
            except DomainError:
                return
            row.add(
                "id_document_number",
                WARNING,
                _("境外人员的证件号码看起来是内地公民身份号码，请核对证件类型和号码。"),
            )

    def _document_duplicates(self, row: Row, clean: dict) -> None:
        """Same passport or permit twice in the file, or already in the ledger."""
        index = id_document_index(clean["id_document_type"], clean["id_document_number"])
        row.document_index = index
        if index in self.seen_documents:
            row.duplicate = True
            sheet, first = self.seen_documents[index]
            row.add(
                "id_document_number",
                WARNING,
                _("与工作表“%(sheet)s”第 %(n)d 行的证件重复。") % {"sheet": sheet, "n": first},
            )
            return
        self.seen_documents[index] = (row.sheet, row.number)
        existing = (
            Resident.objects.filter(id_document_index=index)
            .values_list("area_path", "household_id")
            .first()
        )
        if existing is None:
            return
        area_path, household = existing
        if not can(self.actor, Action.CHANGE, area_path):
            row.add(
                "id_document_number",
                ERROR,
                _("此证件已在其他辖区的台账中登记，不能在此导入；请联系其所在社区。"),
            )
            return
        row.duplicate = True
        row.in_ledger = True
        row.add("id_document_number", WARNING, _("台账中已有此人（证件相同）。"))
        if self.duplicate_update and household != self.household_id(row.key):
            row.add(
                "building",
                WARNING,
                _("台账中此人住在其他地址；更新不会迁移住址，迁入迁出请在居民页面办理。"),
            )

    def _duplicates(self, row: Row, clean: dict, key: tuple[int, str]) -> None:
        number = clean["id_number"]
        if number is None and clean["id_document_number"]:
            self._document_duplicates(row, clean)
            return
        if number is None:
            name_key = (key[0], key[1], clean["name"])
            household = self.household_id(key)
            in_ledger = (
                household is not None
                and Resident.objects.filter(
                    household_id=household, name=clean["name"], removed_at__isnull=True
                ).exists()
            )
            if name_key in self.seen_names or in_ledger:
                row.duplicate = True
                row.in_ledger = in_ledger
                row.add("name", WARNING, _("同一户内已有同名居民，按重复处理。"))
            self.seen_names.add(name_key)
            return
        if number in self.seen_ids:
            row.duplicate = True
            sheet, first = self.seen_ids[number]
            row.add(
                "id_number",
                WARNING,
                _("与工作表“%(sheet)s”第 %(n)d 行的身份证号重复。") % {"sheet": sheet, "n": first},
            )
            return
        self.seen_ids[number] = (row.sheet, row.number)
        index = self.index_of.get(number) or id_number_index(number)
        row.id_index = index
        if index in self.ledger:
            existing = self.ledger[index]
        else:
            existing = (
                Resident.objects.filter(id_number_index=index)
                .values_list("area_path", "household_id")
                .first()
            )
        if existing is None:
            return
        area_path, household = existing
        if not can(self.actor, Action.CHANGE, area_path):
            row.add(
                "id_number",
                ERROR,
                _("此身份证号已在其他辖区的台账中登记，不能在此导入；请联系其所在社区。"),
            )
            return
        row.duplicate = True
        row.in_ledger = True
        row.add("id_number", WARNING, _("台账中已有此人（身份证号相同）。"))
        if self.duplicate_update and household != self.household_id(key):
            row.add(
                "building",
                WARNING,
                _("台账中此人住在其他地址；更新不会迁移住址，迁入迁出请在居民页面办理。"),
            )
