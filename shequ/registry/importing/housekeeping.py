"""Removing import files nobody needs any more (SECURITY.md rows 26 and 44).

Uploaded files are removed when a commit ends, successfully or not; this
sweep takes care of the rest: uploads of jobs abandoned after the dry run,
passes whose worker died, rejected-row files past their time to live, and orphans (a file saved by an
upload whose transaction then rolled back). Run it daily through the task
``purge_import_files`` (or from a scheduler calling :func:`import_files_purge`).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.importing.runner import PRIVATE_DIR, _remove

KEEP_FILES = timedelta(days=7)
ORPHAN_AGE = timedelta(days=1)
# A running pass touches its job every hundred rows; one silent this long died
# with its worker (killed, machine restarted) and is marked failed.
STALLED = timedelta(hours=6)


def import_files_purge(*, keep: timedelta = KEEP_FILES) -> int:
    """Remove stale import files; returns how many files went."""
    now = timezone.now()
    removed = 0
    stalled = ImportJob.objects.filter(
        state__in=[ImportState.VALIDATING, ImportState.COMMITTING], updated_at__lt=now - STALLED
    )
    for job in stalled:
        _remove(job.stored_file)
        removed += bool(job.stored_file)
        ImportJob.objects.filter(pk=job.pk).update(
            stored_file="",
            state=ImportState.FAILED,
            error_message=_("后台任务中断（服务器重启或进程被终止），请重新上传文件导入。"),
            finished_at=now,
            updated_at=now,
        )
    expired = ImportJob.objects.filter(~Q(rejected_file=""), updated_at__lt=now - keep)
    for job in expired:
        _remove(job.rejected_file)
        removed += 1
        ImportJob.objects.filter(pk=job.pk).update(rejected_file="")
    idle = ImportJob.objects.filter(
        ~Q(stored_file=""),
        state__in=[ImportState.UPLOADED, ImportState.VALIDATED],
        updated_at__lt=now - keep,
    )
    for job in idle:
        _remove(job.stored_file)
        removed += 1
        ImportJob.objects.filter(pk=job.pk).update(
            stored_file="",
            state=ImportState.FAILED,
            error_message=_("上传的文件已超过保存期限并被删除，请重新上传。"),
            finished_at=now,
            updated_at=now,
        )
    try:
        _dirs, files = default_storage.listdir(PRIVATE_DIR)
    except (FileNotFoundError, NotImplementedError):
        return removed
    known = set(
        ImportJob.objects.filter(
            Q(stored_file__startswith=PRIVATE_DIR) | Q(rejected_file__startswith=PRIVATE_DIR)
        )
        .values_list("stored_file", "rejected_file")
        .iterator()
    )
    referenced = {name for pair in known for name in pair if name}
    for name in files:
        path = f"{PRIVATE_DIR}/{name}"
        if path in referenced:
            continue
        if default_storage.get_modified_time(path) < now - ORPHAN_AGE:
            _remove(path)
            removed += 1
    return removed
