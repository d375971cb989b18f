"""Every change to an import job: upload, column mapping, dry run, commit.

The dry run and the commit themselves run in the background
(:mod:`shequ.registry.importing.tasks`); these functions check the rules,
move the job to its next state in one transaction and enqueue the task once
that transaction has committed.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shequ.core.choices import Level
from shequ.core.errors import Conflict, Forbidden, InvalidInput
from shequ.core.models import Area, User
from shequ.core.scoping import can
from shequ.registry.choices import Action
from shequ.registry.importing import reading
from shequ.registry.importing.headers import (
    FIELDS,
    HEADER_SCAN_ROWS,
    clean_text,
    detect_header,
    guess_mapping,
)
from shequ.registry.importing.models import CommitMode, DuplicateMode, ImportJob, ImportState
from shequ.registry.importing.runner import PRIVATE_DIR
from shequ.registry.importing.sealed import save_encrypted

IMPORT_LEVELS = (Level.COMMUNITY, Level.GRID, Level.ESTATE, Level.BUILDING, Level.UNIT)
_EDITABLE = (ImportState.UPLOADED, ImportState.VALIDATED)


def _sheets(stream, kind: str) -> list[dict[str, Any]]:
    """Each sheet's name, detected header row, header texts and guessed mapping."""
    heads: dict[str, list[list[Any]]] = {}
    for raw in reading.iter_rows(stream, kind, head=HEADER_SCAN_ROWS):
        heads.setdefault(raw.sheet, []).append(raw.cells)
    sheets = []
    for name, rows in heads.items():
        index = detect_header(rows)
        if index is None:
            sheets.append({"name": name, "header_row": None, "headers": [], "columns": {}})
            continue
        headers = [clean_text(h) for h in rows[index]]
        sheets.append(
            {
                "name": name,
                "header_row": index + 1,
                "headers": headers,
                "columns": guess_mapping(headers),
            }
        )
    return sheets


def _safe_name(name: str) -> str:
    base = os.path.basename(str(name or "").replace("\\", "/"))
    return "".join(ch for ch in base if ch.isprintable() and ch not in '\r\n"')[:200] or "upload"


def import_job_create(*, actor: User, area: Area, upload) -> ImportJob:
    """Accept a spreadsheet for import into ``area`` (a community, grid, estate,
    building or unit the actor may change).

    Refuses, before storing anything: files over the size cap, anything that
    is not an xlsx or csv by content, macro workbooks, zip bombs, encrypted or
    corrupt workbooks, sheets over the column cap, and files in which no
    header row can be found.
    """
    if area.level not in IMPORT_LEVELS:
        raise InvalidInput(_("请选择社区、网格、小区、楼栋或单元作为导入范围。"), field="area")
    if not can(actor, Action.CHANGE, area.path):
        raise Forbidden()
    if upload is None:
        raise InvalidInput(_("请选择要导入的文件。"), field="file")
    if upload.size > reading.MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("文件超过 %(mb)d MB，请拆分成较小的文件后再上传。")
            % {"mb": reading.MAX_UPLOAD_BYTES // 2**20},
            field="file",
            code="too_large",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    kind = reading.kind_of(upload)
    sheets = _sheets(upload, kind)
    if not any(sheet["header_row"] for sheet in sheets):
        raise InvalidInput(
            _("没有找到表头行。请确认表格前 %(n)d 行中有“姓名”“身份证号”“楼栋”等列名。")
            % {"n": HEADER_SCAN_ROWS},
            field="file",
            code="no_header",
        )
    estimated = reading.estimate_rows(upload, kind)
    upload.seek(0)
    stored = save_encrypted(f"{PRIVATE_DIR}/{uuid.uuid4().hex}.{kind}", upload)
    return ImportJob.objects.create(
        created_by=actor,
        area=area,
        area_path=area.path,
        file_name=_safe_name(upload.name),
        file_kind=kind,
        file_size=upload.size,
        stored_file=stored,
        sha256=digest.hexdigest(),
        mapping={"sheets": sheets},
        counts={"estimated_rows": estimated},
    )


def _editable(job: ImportJob) -> None:
    if job.state not in _EDITABLE or not job.stored_file:
        raise Conflict(_("该导入已在进行中或已结束，不能再修改。"), code="import_state")


@transaction.atomic
def import_job_set_mapping(
    *, actor: User, job: ImportJob, sheets: dict[str, dict[str, str]]
) -> ImportJob:
    """Set what each column means, sheet by sheet ({sheet: {column index: field or ""}}).

    Rules: only known fields; one column per field in a sheet; every sheet
    with a header maps the name. The earlier dry run, if any, is void.
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can(actor, Action.CHANGE, job.area_path):
        raise Forbidden()
    _editable(job)
    mapping = job.mapping
    known = {sheet["name"]: sheet for sheet in mapping.get("sheets", [])}
    for name, columns in sheets.items():
        sheet = known.get(name)
        if sheet is None:
            raise InvalidInput(_("没有名为“%(s)s”的工作表。") % {"s": name[:50]}, field="sheets")
        chosen: dict[str, str] = {}
        for column, field_name in columns.items():
            if not field_name:
                continue
            if field_name not in FIELDS:
                raise InvalidInput(
                    _("“%(f)s”不是可导入的项目。") % {"f": field_name[:30]}, field="sheets"
                )
            if not str(column).isdigit() or int(column) >= len(sheet["headers"]):
                raise InvalidInput(_("列号不正确。"), field="sheets")
            if field_name in chosen.values():
                raise InvalidInput(
                    _("工作表“%(s)s”中有两列都对应“%(f)s”。")
                    % {"s": name[:50], "f": FIELDS[field_name]},
                    field="sheets",
                )
            chosen[str(int(column))] = field_name
        if sheet["header_row"] and "name" not in chosen.values():
            raise InvalidInput(
                _("工作表“%(s)s”须有一列对应“姓名”。") % {"s": name[:50]}, field="sheets"
            )
        sheet["columns"] = chosen
    job.mapping = mapping
    job.state = ImportState.UPLOADED
    job.counts = {"estimated_rows": job.counts.get("estimated_rows", 0)}
    job.validated_at = None
    job.save(update_fields=["mapping", "state", "counts", "validated_at", "updated_at"])
    return job


@transaction.atomic
def import_job_validate(
    *, actor: User, job: ImportJob, duplicate_mode: str = DuplicateMode.SKIP
) -> ImportJob:
    """Start the dry run in the background: nothing is written to the ledger."""
    if duplicate_mode not in DuplicateMode.values:
        raise InvalidInput(_("重复处理方式不正确。"), field="duplicate_mode")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can(actor, Action.CHANGE, job.area_path):
        raise Forbidden()
    _editable(job)
    job.state, job.progress, job.duplicate_mode = ImportState.VALIDATING, 0, duplicate_mode
    job.save(update_fields=["state", "progress", "duplicate_mode", "updated_at"])
    from shequ.registry.importing.tasks import validate_import

    transaction.on_commit(lambda: validate_import.enqueue(job.pk))
    return job


@transaction.atomic
def import_job_commit(
    *, actor: User, job: ImportJob, mode: str, duplicate_mode: str = DuplicateMode.SKIP
) -> ImportJob:
    """Start writing a checked file into the ledger, in the background.

    ``all_or_nothing`` is refused while the dry run found errors (nothing would
    be written anyway); ``valid_only`` writes the rows without errors.
    Duplicates are skipped or used to update the ledger, as chosen.
    """
    if mode not in CommitMode.values:
        raise InvalidInput(_("请选择导入方式。"), field="mode")
    if duplicate_mode not in DuplicateMode.values:
        raise InvalidInput(_("重复处理方式不正确。"), field="duplicate_mode")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not can(actor, Action.CHANGE, job.area_path):
        raise Forbidden()
    if job.state != ImportState.VALIDATED or not job.stored_file:
        raise Conflict(_("请先完成检查（试导入），再正式导入。"), code="import_state")
    rejected = job.counts.get("rejected", 0)
    if mode == CommitMode.ALL_OR_NOTHING and rejected:
        raise InvalidInput(
            _(
                "检查发现 %(n)d 行有错误。选择“全部无误才导入”时须先改正这些行，或改为“只导入无错误的行”。"
            )
            % {"n": rejected},
            field="mode",
            code="has_errors",
        )
    job.state, job.progress = ImportState.COMMITTING, 0
    job.commit_mode, job.duplicate_mode = mode, duplicate_mode
    job.save(update_fields=["state", "progress", "commit_mode", "duplicate_mode", "updated_at"])
    from shequ.registry.importing.tasks import commit_import

    transaction.on_commit(lambda: commit_import.enqueue(job.pk))
    return job
