"""The two background passes of an import: the dry run and the commit.

Both stream the stored file through :mod:`pipeline`, write the problems they
find, keep ``progress`` current and write the rejected rows (original cells
plus a 原因 column) to a private xlsx the worker can fix and re-import.

The commit validates every row once, with the registry's own rules
(``Checker.check`` runs ``clean_resident_data`` and keeps the result on the
row), and writes updates of existing residents through
``resident_update``/``resident_tag_add``; new residents and households cost
no query per row: they are written in bulk, with ``COPY`` on PostgreSQL
(:mod:`copy_writer`) and ``bulk_create`` on SQLite (:class:`BulkInsert`).
It runs in chunks, each one transaction; a chunk only ends where no
household of the file is still open (all of its rows seen, computed by a
first address-only pass), so a crash part-way never leaves half a household.
Each chunk's transaction also records on the job how far it got
(``counts["committed_through"]``): a commit whose worker died is started
again (``manage.py registry_import_resume``) and carries on after that row.
In all-or-nothing mode the whole commit is one transaction.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import DomainError, Forbidden
from shequ.core.exports import neutralise
from shequ.core.scoping import can
from shequ.core.services.audit import audit_record
from shequ.registry.choices import Action, Relation
from shequ.registry.importing import pipeline
from shequ.registry.importing.addresses import AddressBook
from shequ.registry.importing.models import (
    CommitMode,
    DuplicateMode,
    ImportJob,
    ImportProblem,
    ImportState,
)
from shequ.registry.importing.sealed import open_decrypted, save_encrypted
from shequ.registry.models import Household, Resident, ResidentTag
from shequ.registry.services import (
    apply_resident_data,
    id_document_index,
    id_number_index,
    resident_tag_add,
    resident_update,
)

logger = logging.getLogger(__name__)
CHUNK_ROWS = 2000  # rows per transaction (more at a household boundary)
PROGRESS_EVERY = 1000
MAX_STORED_PROBLEMS = 20_000
REASON = "原因"  # the column header the re-import ignores; Chinese on purpose, it is file content
PRIVATE_DIR = "private/imports"


class CommitAborted(Exception):
    """All-or-nothing mode met a row it cannot write."""


class ProblemLog:
    def __init__(self, job: ImportJob):
        self.job = job
        self.buffer: list[ImportProblem] = []
        self.stored = 0

    def add(self, row: pipeline.Row) -> None:
        for column, level, message in row.problems:
            if self.stored >= MAX_STORED_PROBLEMS:
                return
            self.buffer.append(
                ImportProblem(
                    job=self.job,
                    sheet=row.sheet[:100],
                    row=row.number,
                    column=column[:100],
                    level=level,
                    message=message,
                )
            )
            self.stored += 1
        if len(self.buffer) >= 500:
            self.flush()

    def flush(self) -> None:
        ImportProblem.objects.bulk_create(self.buffer)
        self.buffer = []


class RejectedWriter:
    """Rows with errors, as they were (merged-cell blanks filled), plus why."""

    def __init__(self):
        from openpyxl import Workbook

        self.workbook = Workbook(write_only=True)
        self.sheets: dict[str, Any] = {}
        self.count = 0

    def add(self, row: pipeline.Row) -> None:
        sheet = self.sheets.get(row.sheet)
        if sheet is None:
            sheet = self.workbook.create_sheet(title=row.sheet[:31] or "Sheet")
            sheet.append([neutralise(h) for h in row.plan.headers] + [REASON])
            self.sheets[row.sheet] = sheet
        width = max(len(row.plan.headers), len(row.cells))
        values = [row.cells[i] if i < len(row.cells) else None for i in range(width)]
        reasons = "；".join(
            f"{column}：{message}" if column else message
            for column, level, message in row.problems
            if level == pipeline.ERROR
        )
        sheet.append([neutralise(v) for v in values] + [neutralise(reasons)])
        self.count += 1

    def save(self) -> str:
        if not self.count:
            return ""
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        try:
            self.workbook.save(path)
            with open(path, "rb") as data:
                return save_encrypted(f"{PRIVATE_DIR}/{uuid.uuid4().hex}.xlsx", data)
        finally:
            os.unlink(path)


def _set(job: ImportJob, **values: Any) -> None:
    values["updated_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)


def _remove(name: str) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove an import file of job")


def _replace_rejected(job: ImportJob, writer: RejectedWriter) -> str:
    _remove(job.rejected_file)
    return writer.save()


def run_validation(job: ImportJob) -> None:
    """The dry run: every row's problems and the counts, nothing written to the ledger."""
    job.problems.all().delete()
    counts = {"total": 0, "new": 0, "duplicate": 0, "rejected": 0, "warnings": 0}
    log, writer = ProblemLog(job), RejectedWriter()
    checker = pipeline.Checker(
        actor=job.created_by, duplicate_update=job.duplicate_mode == DuplicateMode.UPDATE
    )
    size = max(job.counts.get("estimated_rows", 0), 1)
    with open_decrypted(job.stored_file) as stream:
        rows = pipeline.parse_rows(
            stream, job.file_kind, pipeline.plans_from(job.mapping), AddressBook(job.area)
        )
        for row in checker.batched(rows):
            checker.check(row)
            counts["total"] += 1
            if row.has_error:
                counts["rejected"] += 1
                writer.add(row)
            elif row.duplicate:
                counts["duplicate"] += 1
            else:
                counts["new"] += 1
            if any(level == pipeline.WARNING for _c, level, _m in row.problems):
                counts["warnings"] += 1
            log.add(row)
            if counts["total"] % PROGRESS_EVERY == 0:
                _set(job, progress=min(99, counts["total"] * 100 // size))
    log.flush()
    counts["estimated_rows"] = counts["total"]
    _set(
        job,
        state=ImportState.VALIDATED,
        progress=100,
        counts=counts,
        rejected_file=_replace_rejected(job, writer),
        validated_at=timezone.now(),
        error_message="",
        failed_row="",
    )


def _open_households(job: ImportJob, plans, book) -> dict[tuple[int, str], int]:
    """The index of the last row of each household in the file."""
    last: dict[tuple[int, str], int] = {}
    with open_decrypted(job.stored_file) as stream:
        for row in pipeline.parse_rows(stream, job.file_kind, plans, book, address_only=True):
            if row.key is not None:
                last[row.key] = row.index
    return last


class BulkInsert:
    """New residents (and their new households) of a chunk, inserted together
    with ``bulk_create``: the SQLite path (PostgreSQL uses
    :class:`~shequ.registry.importing.copy_writer.CopyInsert`, same interface).

    Why not ``resident_create`` per row: it costs about 15 ms a row on
    SQLite (row lock, duplicate query, save, audit hash chain, head update),
    so 10,000 rows took minutes. New rows get exactly the same rules: the
    values come from ``clean_resident_data`` (run once, by the checker) and
    ``apply_resident_data`` (the services' own pinyin keys and blind
    indexes), the scope is checked per area, one head per household is
    checked by the pass, and the unique blind index still guards one ID, one
    resident. The commit's single ``import`` audit row (with the counts)
    stands for the rows inserted here. Updates of residents already in the
    ledger keep going through ``resident_update``, audited one by one.
    """

    LIMIT = 500

    def __init__(self, actor):
        self.actor = actor
        self.scope: dict[str, bool] = {}
        self.reset()

    def reset(self) -> None:
        self.households: dict[tuple[int, str], Household] = {}
        self.residents: list[tuple[Resident, list[str], bool]] = []
        self.ids: set[str] = set()
        self.names: set[tuple[tuple[int, str], str]] = set()

    def pending(self, key, data: dict) -> bool:
        """Is this person (by ID or document, or by name within the household) waiting
        to be inserted?"""
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

    def add(self, row: pipeline.Row, clean: dict, household_id: int | None) -> None:
        path = row.area.path
        self.check_scope(path)
        resident = Resident(area_path=path)
        if household_id is None:
            household = self.households.get(row.key)
            if household is None:
                household = Household(
                    area=row.area, room=row.room, number=row.household_number[:30], area_path=path
                )
                self.households[row.key] = household
            resident.household = household
        else:
            resident.household_id = household_id
        apply_resident_data(resident, clean)
        self.residents.append((resident, row.tags, clean["relation_to_head"] == Relation.HEAD))
        if resident.id_number_index:
            self.ids.add(resident.id_number_index)
        elif resident.id_document_index:
            self.ids.add(resident.id_document_index)
        else:
            self.names.add((row.key, clean["name"]))

    def flush(self, households: dict, tags: dict) -> int:
        """Insert what is pending; returns how many rows were NOT inserted (always 0 here:
        a concurrent duplicate raises ``IntegrityError`` and the chunk rolls back)."""
        if not self.residents:
            return 0
        Household.objects.bulk_create(list(self.households.values()))
        for key, household in self.households.items():
            households[key] = household.pk
        residents = [resident for resident, _t, _h in self.residents]
        for resident in residents:
            if resident.household_id is None:
                resident.household_id = resident.household.pk
        Resident.objects.bulk_create(residents)
        links, new_heads = [], []
        created = {h.pk: h for h in self.households.values()}
        for resident, names, head in self.residents:
            if head:
                household = created.get(resident.household_id)
                if household is not None:
                    if household.head_id is None:
                        household.head_id = resident.pk
                        new_heads.append(household)
                else:
                    Household.objects.filter(pk=resident.household_id, head__isnull=True).update(
                        head_id=resident.pk
                    )
            for tag in {tags[n] for n in names if n in tags}:
                links.append(ResidentTag(resident=resident, tag=tag))
        if new_heads:
            Household.objects.bulk_update(new_heads, ["head"])
        ResidentTag.objects.bulk_create(links)
        self.reset()
        return 0


def new_writer(actor):
    """The bulk writer of new rows for this database: ``COPY`` on PostgreSQL."""
    if connection.vendor == "postgresql":
        from shequ.registry.importing.copy_writer import CopyInsert

        return CopyInsert(actor)
    return BulkInsert(actor)


def _identity(row: pipeline.Row) -> tuple:
    clean = row.clean or {}
    if clean.get("id_number"):
        return ("id", clean["id_number"])
    if clean.get("id_document_number"):
        return ("document", clean["id_document_type"], clean["id_document_number"])
    return ("name", row.key, clean.get("name"))


def write_row(
    *,
    job: ImportJob,
    row: pipeline.Row,
    households: dict,
    tags: dict,
    bulk,
    checker: pipeline.Checker,
    written: set,
) -> str:
    """Write one checked row. Returns "created", "updated" or "skipped";
    raises ``DomainError`` when a rule refuses it.

    A new person (what the checker found: not in the ledger, not earlier in
    the file) costs no query here: it joins the bulk writer. Only duplicates
    in update mode read and write the ledger row by row (audited)."""
    actor = job.created_by
    clean = row.clean
    assert clean is not None  # noqa: S101  (checked rows without errors carry their values)
    key = row.key
    identity = _identity(row)
    # A duplicate of an earlier row of the file is new after all when that row
    # never got here (it was rejected).
    new = not row.duplicate or (not row.in_ledger and identity not in written)
    if new:
        household_id = None if key in bulk.households else checker.household_id(key)
        bulk.add(row, clean, household_id)
        written.add(identity)
        return "created"
    written.add(identity)
    if job.duplicate_mode != DuplicateMode.UPDATE:
        return "skipped"
    if bulk.pending(key, clean):
        bulk.flush(households, tags)  # the same person earlier in this chunk: insert it first
    household_id = checker.household_id(key)
    data = {name: row.data[name] for name in pipeline.PERSON_FIELDS if name in row.data}
    if clean["id_number"]:
        existing = Resident.objects.filter(
            id_number_index=id_number_index(clean["id_number"])
        ).first()
    elif clean.get("id_document_number"):
        existing = Resident.objects.filter(
            id_document_index=id_document_index(
                clean["id_document_type"], clean["id_document_number"]
            )
        ).first()
    else:
        existing = Resident.objects.filter(
            household_id=household_id, name=clean["name"], removed_at__isnull=True
        ).first()
    if existing is None:  # removed meanwhile: nothing to update
        return "skipped"
    changes = {
        k: v
        for k, v in data.items()
        if k != "relation_to_head" or existing.household_id == household_id
    }
    with transaction.atomic():
        resident = resident_update(actor=actor, resident=existing, **changes)
        have = set(ResidentTag.objects.filter(resident=resident).values_list("tag_id", flat=True))
        for name in row.tags:
            tag = tags.get(name)
            if tag is not None and tag.pk not in have:
                resident_tag_add(actor=actor, resident=resident, tag=tag)
                have.add(tag.pk)
    return "updated"


class _Commit:
    """The state of one commit pass (see :func:`run_commit`)."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.plans, self.book = pipeline.plans_from(job.mapping), AddressBook(job.area)
        self.all_or_nothing = job.commit_mode == CommitMode.ALL_OR_NOTHING
        self.counts = {"total": 0, "created": 0, "updated": 0, "skipped": 0, "rejected": 0}
        # A commit that was cut off (the worker process died) resumes after the
        # last chunk it committed: that chunk's transaction also wrote the mark.
        self.resume_after = 0
        if not self.all_or_nothing and "committed_through" in job.counts:
            self.resume_after = int(job.counts["committed_through"])
            for name in self.counts:
                self.counts[name] = int(job.counts.get(name, 0))
        self.log, self.writer = ProblemLog(job), RejectedWriter()
        self.checker = pipeline.Checker(
            actor=job.created_by, duplicate_update=job.duplicate_mode == DuplicateMode.UPDATE
        )
        self.households = self.checker.households  # one map: prefetched and created here
        self.bulk = new_writer(job.created_by)
        self.written: set = set()
        self.size = max(job.counts.get("estimated_rows", 0), 1)
        self.current: pipeline.Row | None = None
        self.rejected_before: dict[tuple[str, int], list] = {}
        if self.resume_after:
            for sheet, number, column, level, message in job.problems.filter(
                level=pipeline.ERROR
            ).values_list("sheet", "row", "column", "level", "message"):
                self.rejected_before.setdefault((sheet, number), []).append(
                    (column, level, message)
                )
        else:
            job.problems.all().delete()

    def flush(self) -> None:
        lost = self.bulk.flush(self.households, self.checker.tags)
        if lost:  # inserted meanwhile by someone else (ON CONFLICT DO NOTHING)
            self.counts["created"] -= lost
            self.counts["skipped"] += lost

    def one(self, row: pipeline.Row) -> None:
        self.checker.check(row)
        self.counts["total"] += 1
        if not row.has_error:
            try:
                outcome = write_row(
                    job=self.job,
                    row=row,
                    households=self.households,
                    tags=self.checker.tags,
                    bulk=self.bulk,
                    checker=self.checker,
                    written=self.written,
                )
                self.counts[outcome] += 1
            except DomainError as error:
                row.add(error.field or "", pipeline.ERROR, error.message)
            if len(self.bulk.residents) >= self.bulk.LIMIT:
                self.flush()
        if row.has_error:
            if self.all_or_nothing:
                raise CommitAborted
            self.counts["rejected"] += 1
            self.writer.add(row)
        self.log.add(row)
        if self.counts["total"] % PROGRESS_EVERY == 0:
            _set(self.job, progress=min(99, 10 + self.counts["total"] * 90 // self.size))

    def skip(self, row: pipeline.Row) -> None:
        """A row a previous, cut-off run already committed (or rejected)."""
        problems = self.rejected_before.get((row.sheet[:100], row.number))
        if problems:
            row.problems = list(problems)
            self.writer.add(row)

    def mark(self, row: pipeline.Row) -> None:
        """End of a chunk: write the resume mark in the chunk's own transaction."""
        values = dict(self.job.counts)
        values.update(self.counts, committed_through=row.index)
        _set(self.job, counts=values)


def run_commit(job: ImportJob) -> None:
    """Write the rows; see the module docstring for the transaction boundaries."""
    state = _Commit(job)
    last_row = _open_households(job, state.plans, state.book)
    _set(job, progress=10)
    try:
        with open_decrypted(job.stored_file) as stream:
            parsed = pipeline.parse_rows(stream, job.file_kind, state.plans, state.book)
            if state.resume_after:
                for row in parsed:
                    state.skip(row)
                    if row.index >= state.resume_after:
                        break
            rows = state.checker.batched(parsed)
            if state.all_or_nothing:
                with transaction.atomic():
                    for state.current in rows:
                        state.one(state.current)
                    state.flush()
                    state.log.flush()
                    _finish(job, state.counts)
            else:
                done = False
                while not done:
                    with transaction.atomic():
                        in_chunk, open_keys = 0, set()
                        for state.current in rows:
                            state.one(state.current)
                            in_chunk += 1
                            key = state.current.key
                            if key is not None:
                                if last_row.get(key, 0) > state.current.index:
                                    open_keys.add(key)
                                else:
                                    open_keys.discard(key)
                            if in_chunk >= CHUNK_ROWS and not open_keys:
                                break
                        else:
                            done = True
                        state.flush()
                        state.log.flush()
                        if done:
                            _finish(job, state.counts)
                        elif state.current is not None:
                            state.mark(state.current)
    except CommitAborted:
        _fail(
            job,
            state.current,
            _("全部无误才导入：该行不能导入，已撤销本次导入，台账未作任何修改。"),
            state.writer,
            state.current,
        )
        return
    except Exception as exc:  # noqa: BLE001  recorded on the job; the message may hold row data
        logger.error("import commit failed (job %s): %s", job.pk, type(exc).__name__)
        _fail(
            job,
            state.current,
            _("导入中途出错，出错的这一户及之后的行均未导入。"),
            state.writer,
            None,
        )
        return
    _set(job, rejected_file=_replace_rejected(job, state.writer))
    _remove(job.stored_file)
    _set(job, stored_file="")


def _finish(job: ImportJob, counts: dict) -> None:
    counts["estimated_rows"] = job.counts.get("estimated_rows", counts["total"])
    audit_record(
        event=AuditEvent.IMPORT,
        actor=job.created_by,
        obj=job,
        detail={
            "rows": counts["total"],
            "created": counts["created"],
            "updated": counts["updated"],
            "skipped": counts["skipped"],
            "rejected": counts["rejected"],
            "mode": job.commit_mode,
            "duplicates": job.duplicate_mode,
            "sha256": job.sha256,
        },
    )
    _set(job, state=ImportState.DONE, progress=100, counts=counts, finished_at=timezone.now())


def _fail(
    job: ImportJob, row: pipeline.Row | None, message: str, writer: RejectedWriter, rejected
) -> None:
    where = row.where if row is not None else ""
    detail = ""
    if rejected is not None:
        detail = "；".join(m for _c, level, m in rejected.problems if level == pipeline.ERROR)
        writer.add(rejected)
        ImportProblem.objects.bulk_create(
            ImportProblem(
                job=job,
                sheet=rejected.sheet[:100],
                row=rejected.number,
                column=c[:100],
                level=lv,
                message=m,
            )
            for c, lv, m in rejected.problems
        )
    _set(
        job,
        state=ImportState.FAILED,
        error_message=(f"{where}：{message} {detail}".strip("： "))[:500],
        failed_row=where[:120],
        finished_at=timezone.now(),
        rejected_file=_replace_rejected(job, writer),
    )
    _remove(job.stored_file)
    _set(job, stored_file="")


def fail_job(job: ImportJob, message: str) -> None:
    """A pass that could not start or read the file (bad file, crash)."""
    _set(
        job, state=ImportState.FAILED, error_message=str(message)[:500], finished_at=timezone.now()
    )
    _remove(job.stored_file)
    _set(job, stored_file="")
