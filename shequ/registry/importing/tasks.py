"""Background work of an import: the dry run and the commit.

Each task takes the job id, does nothing unless the job is still in the state
that enqueued it (so a retried task cannot run a pass twice), and records any
failure on the job instead of raising: the worker's log holds the job id
only, never row contents.
"""

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from shequ.core.errors import DomainError
from shequ.registry.importing.models import ImportJob, ImportState
from shequ.registry.importing.runner import fail_job, run_commit, run_validation

logger = logging.getLogger(__name__)


def _claim(job_id: int, state: str) -> ImportJob | None:
    return (
        ImportJob.objects.select_related("area", "created_by")
        .filter(pk=job_id, state=state)
        .first()
    )


@task()
def validate_import(job_id: int) -> None:
    job = _claim(job_id, ImportState.VALIDATING)
    if job is None:
        return
    try:
        run_validation(job)
    except DomainError as error:
        fail_job(job, str(error.message))
    except Exception as exc:  # noqa: BLE001  recorded on the job
        logger.error("import validation failed (job %s): %s", job_id, type(exc).__name__)
        fail_job(job, _("检查时出错，请重新上传文件；如仍出错请联系管理员。"))


@task()
def commit_import(job_id: int) -> None:
    job = _claim(job_id, ImportState.COMMITTING)
    if job is None:
        return
    try:
        run_commit(job)
    except DomainError as error:
        fail_job(job, str(error.message))
    except Exception as exc:  # noqa: BLE001  recorded on the job
        logger.error("import commit failed (job %s): %s", job_id, type(exc).__name__)
        fail_job(job, _("导入时出错，请联系管理员。"))


@task()
def purge_import_files() -> int:
    """Daily housekeeping: see :mod:`shequ.registry.importing.housekeeping`."""
    from shequ.registry.importing.housekeeping import import_files_purge

    return import_files_purge()
