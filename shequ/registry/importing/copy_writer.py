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

PostgreSQL only (``connection.vendor == "postgresql"``). Status: used by
``bench/registry.py``; the wizard's commit (``runner.run_commit``) still uses
``BulkInsert`` — see ``docs/performance.md`` for why and what remains.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.utils import timezone

from shequ.core.crypto import encrypt
from shequ.core.errors import Forbidden
from shequ.core.scoping import can
from shequ.registry.choices import Action, Relation
from shequ.registry.models import Household, Resident, ResidentTag
from shequ.registry.pinyin import name_keys
from shequ.registry.services import id_last4_index, id_number_index, mobile_index

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


def copy_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """``COPY table (columns) FROM STDIN`` with psycopg 3, row by row from Python tuples."""
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        with raw.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def resident_values(clean: dict[str, Any]) -> dict[str, Any]:
    """The stored form of one cleaned resident: search keys, blind indexes and ciphertexts.

    The same derivations as ``services.apply_resident_data`` plus the
    encryption ``EncryptedTextField.get_prep_value`` does on save."""
    pinyin, initials = name_keys(clean["name"])
    number, mobile = clean["id_number"], clean["mobile"]
    return {
        "name_pinyin": pinyin,
        "name_initials": initials,
        "id_number": encrypt(number) if number else None,
        "id_number_index": id_number_index(number) if number else None,
        "id_last4_index": id_last4_index(number) if number else None,
        "mobile": encrypt(mobile) if mobile else None,
        "mobile_index": mobile_index(mobile) if mobile else None,
    }


class CopyInsert:
    """New residents (and their new households, and tag links) of a chunk,
    written with ``COPY``. Same interface as ``runner.BulkInsert``."""

    LIMIT = 5000

    def __init__(self, actor):
        check_schema()
        self.actor = actor
        self.scope: dict[str, bool] = {}
        self.reset()

    def reset(self) -> None:
        # key -> [household tuple fields…] for households new in this chunk
        self.households: dict[tuple[int, str], dict[str, Any]] = {}
        self.residents: list[tuple[dict[str, Any], list[str], bool]] = []
        self.ids: set[str] = set()
        self.names: set[tuple[tuple[int, str], str]] = set()

    def pending(self, key, data: dict) -> bool:
        if data.get("id_number"):
            return id_number_index(data["id_number"]) in self.ids
        return (key, data.get("name")) in self.names

    def add(self, row, clean: dict, household_id: int | None) -> None:
        path = row.area.path
        if path not in self.scope:
            self.scope[path] = can(self.actor, Action.CHANGE, path)
        if not self.scope[path]:
            raise Forbidden()
        values = dict(clean)
        values.update(resident_values(clean))
        values["area_path"] = path
        if household_id is None:
            if row.key not in self.households:
                self.households[row.key] = {
                    "area_id": row.area.pk,
                    "room": row.room,
                    "number": row.household_number[:30],
                    "area_path": path,
                    "head": None,
                }
            values["household_key"] = row.key
        values["household_id"] = household_id
        head = clean["relation_to_head"] == Relation.HEAD
        self.residents.append((values, row.tags, head))
        if values["id_number_index"]:
            self.ids.add(values["id_number_index"])
        else:
            self.names.add((row.key, clean["name"]))

    def flush(self, households: dict, tags: dict) -> None:
        if not self.residents:
            return
        now = timezone.now()
        household_ids = reserve_ids(Household, len(self.households))
        for (key, household), pk in zip(self.households.items(), household_ids, strict=True):
            household["id"] = pk
            households[key] = pk
        resident_ids = reserve_ids(Resident, len(self.residents))
        resident_rows, links, heads_of_existing = [], [], []
        for (values, names, head), pk in zip(self.residents, resident_ids, strict=True):
            if values["household_id"] is None:
                household = self.households[values["household_key"]]
                values["household_id"] = household["id"]
                if head and household["head"] is None:
                    household["head"] = pk
            elif head:
                heads_of_existing.append((values["household_id"], pk))
            resident_rows.append(
                (
                    pk,
                    values["household_id"],
                    values["name"],
                    values["name_pinyin"],
                    values["name_initials"],
                    values["gender"],
                    values["ethnicity"],
                    values["id_number"],
                    values["id_number_index"],
                    values["id_last4_index"],
                    values["birth_date"],
                    values["mobile"],
                    values["mobile_index"],
                    values["residence_type"],
                    values["living_status"],
                    values["relation_to_head"],
                    values["registered_address"],
                    values["work_or_school"],
                    values["notes"],
                    values["area_path"],
                    now,
                    now,
                    None,
                    "",
                    1,
                )
            )
            for tag in {tags[n] for n in names if n in tags}:
                links.append((pk, tag.pk))
        copy_rows(
            Household,
            HOUSEHOLD_COLUMNS,
            [
                (h["id"], h["area_id"], h["room"], h["number"], h["head"], h["area_path"])
                + (now, now, None, "", 1)
                for h in self.households.values()
            ],
        )
        copy_rows(Resident, RESIDENT_COLUMNS, resident_rows)
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
        for household_id, resident_id in heads_of_existing:
            Household.objects.filter(pk=household_id, head__isnull=True).update(head_id=resident_id)
        self.reset()
