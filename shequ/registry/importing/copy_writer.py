"""A PostgreSQL ``COPY`` write path for new residents and households.

The same job as :class:`shequ.registry.importing.runner.BulkInsert` (new rows
of an import, values from ``clean_resident_data`` and the services' own
pinyin keys and blind indexes, the scope checked per area), written with
psycopg 3's ``cursor.copy()`` instead of ``bulk_create``: one round trip to
reserve primary keys from the tables' sequences, then a binary-free text
``COPY`` stream per table. ``bulk_create`` spends most of its time building
model instances and one big ``INSERT … VALUES`` statement; ``COPY`` skips
both and lets the server parse rows as they arrive.

What still guards the data: the unique ``id_number_index`` (one ID, one
resident) and every foreign key are checked by PostgreSQL exactly as for an
``INSERT`` (Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``, which
is why a household may name its head before the head's row is copied). Run
it inside the caller's transaction; a failure rolls everything back.

PostgreSQL only (``connection.vendor == "postgresql"``): the wizard's commit
(``runner.run_commit``) uses it there through ``runner.new_writer``; SQLite
keeps ``BulkInsert``. ``bench/registry.py`` measures it.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shequ.core.crypto import encrypt
from shequ.core.errors import Forbidden
from shequ.core.scoping import can
from shequ.registry.choices import Action, Relation
from shequ.registry.models import Household, Resident, ResidentTag
from shequ.registry.pinyin import name_keys
from shequ.registry.services import (
    id_document_index,
    id_last4_index,
    id_number_index,
    mobile_index,
    other_phone_index,
)

RESIDENT_COLUMNS = (
    "id",
    "household_id",
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "ethnicity",
    "id_number",
    "id_number_index",
    "id_last4_index",
    "birth_date",
    "mobile",
    "mobile_index",
    "other_phone",
    "other_phone_index",
    "id_document_type",
    "id_document_number",
    "id_document_index",
    "residence_type",
    "living_status",
    "relation_to_head",
    "registered_address",
    "work_or_school",
    "notes",
    "area_path",
    "created_at",
    "updated_at",
    "removed_at",
    "removed_reason",
    "version",
    "anonymised_at",
)
HOUSEHOLD_COLUMNS = (
    "id",
    "area_id",
    "room",
    "number",
    "head_id",
    "area_path",
    "created_at",
    "updated_at",
    "removed_at",
    "removed_reason",
    "version",
)
# Columns filled from a resident's values; after them come the bookkeeping
# columns (area path, times, removal, version, anonymisation) set in ``flush``.
_VALUE_COLUMNS = RESIDENT_COLUMNS[2 : RESIDENT_COLUMNS.index("area_path") + 1]
TAG_COLUMNS = ("id", "resident_id", "tag_id", "attributes", "valid_from", "created_at")


def _columns(model) -> set[str]:
    return {field.column for field in model._meta.concrete_fields}


def check_schema() -> None:
    """Refuse to run against a model that gained or lost a column since this was written."""
    for model, columns in (
        (Resident, RESIDENT_COLUMNS),
        (Household, HOUSEHOLD_COLUMNS),
        (ResidentTag, TAG_COLUMNS),
    ):
        if _columns(model) != set(columns):
            raise RuntimeError(f"copy_writer: columns of {model.__name__} changed")


def reserve_ids(model, count: int) -> list[int]:
    """``count`` primary keys from the table's own sequence (one round trip)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns: tuple[str, ...], rows: list[tuple], *, table: str = "") -> None:
    """``COPY table (columns) FROM STDIN`` with psycopg 3, row by row from Python tuples."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = table or qn(model._meta.db_table)
    sql = f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def resident_values(clean: dict[str, Any], id_index: str | None = None) -> dict[str, Any]:
    """The stored form of one cleaned resident: search keys, blind indexes and ciphertexts.

    The same derivations as ``services.apply_resident_data`` plus the
    encryption ``EncryptedTextField.get_prep_value`` does on save."""
    pinyin, initials = name_keys(clean["name"])
    number, mobile = clean["id_number"], clean["mobile"]
    other, document = clean.get("other_phone"), clean.get("id_document_number")
    return {
        "name_pinyin": pinyin,
        "name_initials": initials,
        "id_number": encrypt(number) if number else None,
        "id_number_index": (id_index or id_number_index(number)) if number else None,
        "id_last4_index": id_last4_index(number) if number else None,
        "mobile": encrypt(mobile) if mobile else None,
        "mobile_index": mobile_index(mobile) if mobile else None,
        "other_phone": encrypt(other) if other else None,
        "other_phone_index": other_phone_index(other) if other else None,
        "id_document_type": clean.get("id_document_type") or "",
        "id_document_number": encrypt(document) if document else None,
        "id_document_index": (
            id_document_index(clean["id_document_type"], document) if document else None
        ),
    }


STAGE = "shequ_import_resident_stage"


def _stage(cursor) -> None:
    """A session-local staging table shaped like the resident table (no indexes)."""
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (LIKE {Resident._meta.db_table})"
        " ON COMMIT DELETE ROWS"
    )


class CopyInsert:
    """New residents (and their new households, and tag links) of a chunk,
    written with ``COPY``. Same interface as ``runner.BulkInsert``.

    Households are copied straight into their table (nobody else can know a
    household this chunk creates). Residents are copied straight into their
    table inside a savepoint; if that meets a unique violation, the savepoint
    is undone and the rows go through a staging table and
    ``INSERT … SELECT … ON CONFLICT DO NOTHING`` instead: a person a
    concurrent import or a worker's form entered after the dry run (same
    blind index of the ID number) is skipped instead of failing the chunk;
    :meth:`flush` returns how many were skipped so the counts stay true. The
    heads of households and the tag links are then set for the rows that
    were really inserted, and a new household left without members by such a
    skip is removed again, all inside the caller's transaction."""

    LIMIT = 5000

    def __init__(self, actor):
        check_schema()
        self.actor = actor
        self.scope: dict[str, bool] = {}
        self.reset()

    def reset(self) -> None:
        # key -> household fields, for households new in this chunk
        self.households: dict[tuple[int, str], dict[str, Any]] = {}
        self.residents: list[tuple[dict[str, Any], list[str], bool]] = []
        self.ids: set[str] = set()
        self.names: set[tuple[tuple[int, str], str]] = set()

    def pending(self, key, data: dict) -> bool:
        if data.get("id_number"):
            return id_number_index(data["id_number"]) in self.ids
        if data.get("id_document_number"):
            return id_document_index(data["id_document_type"], data["id_document_number"]) in (
                self.ids
            )
        return (key, data.get("name")) in self.names

    def check_scope(self, path: str) -> None:
        if path not in self.scope:
            self.scope[path] = can(self.actor, Action.CHANGE, path)
        if not self.scope[path]:
            raise Forbidden()

    def add(self, row, clean: dict, household_id: int | None) -> None:
        path = row.area.path
        self.check_scope(path)
        values = dict(clean)
        values.update(resident_values(clean, getattr(row, "id_index", None)))
        values["area_path"] = path
        if household_id is None:
            if row.key not in self.households:
                self.households[row.key] = {
                    "area_id": row.area.pk,
                    "room": row.room,
                    "number": row.household_number[:30],
                    "area_path": path,
                }
            values["household_key"] = row.key
        values["household_id"] = household_id
        head = clean["relation_to_head"] == Relation.HEAD
        self.residents.append((values, row.tags, head))
        if values["id_number_index"]:
            self.ids.add(values["id_number_index"])
        elif values["id_document_index"]:
            self.ids.add(values["id_document_index"])
        else:
            self.names.add((row.key, clean["name"]))

    def flush(self, households: dict, tags: dict) -> int:
        """Write what is pending; returns the number of residents skipped by ON CONFLICT."""
        if not self.residents:
            return 0
        now = timezone.now()
        new_households = list(self.households.values())
        for household, pk in zip(
            new_households, reserve_ids(Household, len(new_households)), strict=True
        ):
            household["id"] = pk
        resident_ids = reserve_ids(Resident, len(self.residents))
        resident_rows, heads, links = [], [], []
        for (values, names, head), pk in zip(self.residents, resident_ids, strict=True):
            if values["household_id"] is None:
                values["household_id"] = self.households[values["household_key"]]["id"]
            if head:
                heads.append((values["household_id"], pk))
            resident_rows.append(
                (pk, values["household_id"])
                + tuple(values[c] for c in _VALUE_COLUMNS)
                + (now, now, None, "", 1, None)
            )
            for tag in {tags[n] for n in names if n in tags}:
                links.append((pk, tag.pk))
        copy_rows(
            Household,
            HOUSEHOLD_COLUMNS,
            [
                (h["id"], h["area_id"], h["room"], h["number"], None, h["area_path"])
                + (now, now, None, "", 1)
                for h in new_households
            ],
        )
        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in RESIDENT_COLUMNS)
        try:
            # The usual case, nobody entered these people since the dry run:
            # straight into the table. A unique violation undoes only this.
            with transaction.atomic():
                copy_rows(Resident, RESIDENT_COLUMNS, resident_rows)
            staged = False
        except (IntegrityError, psycopg.IntegrityError):
            staged = True
        with connection.cursor() as cursor:
            if staged:
                # Someone else wrote one of these people meanwhile: through a
                # staging table, skipping whoever is already there.
                _stage(cursor)
                copy_rows(None, RESIDENT_COLUMNS, resident_rows, table=STAGE)
                cursor.execute(
                    f"INSERT INTO {qn(Resident._meta.db_table)} ({columns})"  # noqa: S608  (names from the model; values are parameters)
                    f" SELECT {columns} FROM {STAGE} ON CONFLICT DO NOTHING RETURNING id"
                )
                inserted = {pk for (pk,) in cursor.fetchall()}
                cursor.execute(f"TRUNCATE {STAGE}")
            else:
                inserted = {row[0] for row in resident_rows}
            lost = len(resident_rows) - len(inserted)
            heads = [(h, r) for h, r in heads if r in inserted]
            if heads:
                cursor.execute(
                    f"UPDATE {qn(Household._meta.db_table)} AS h SET head_id = v.r"  # noqa: S608  (names from the model; values are parameters)
                    " FROM unnest(%s::bigint[], %s::bigint[]) AS v(h, r)"
                    " WHERE h.id = v.h AND h.head_id IS NULL",
                    [[h for h, _r in heads], [r for _h, r in heads]],
                )
            if lost and new_households:
                cursor.execute(
                    f"DELETE FROM {qn(Household._meta.db_table)} AS h WHERE h.id = ANY(%s)"  # noqa: S608  (names from the model; values are parameters)
                    f" AND NOT EXISTS (SELECT 1 FROM {qn(Resident._meta.db_table)} AS r"
                    " WHERE r.household_id = h.id)",
                    [[h["id"] for h in new_households]],
                )
                cursor.execute(
                    f"SELECT id FROM {qn(Household._meta.db_table)} WHERE id = ANY(%s)",  # noqa: S608  (names from the model; values are parameters)
                    [[h["id"] for h in new_households]],
                )
                kept = {pk for (pk,) in cursor.fetchall()}
            else:
                kept = {h["id"] for h in new_households}
        for key, household in self.households.items():
            if household["id"] in kept:
                households[key] = household["id"]
        links = [(resident, tag) for resident, tag in links if resident in inserted]
        if links:
            today = timezone.localdate()
            empty = json.dumps({})
            link_ids = reserve_ids(ResidentTag, len(links))
            copy_rows(
                ResidentTag,
                TAG_COLUMNS,
                [
                    (pk, resident, tag, empty, today, now)
                    for pk, (resident, tag) in zip(link_ids, links, strict=True)
                ],
            )
        self.reset()
        return lost
