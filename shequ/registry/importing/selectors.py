"""Reads of import jobs. A job is seen by whoever may change the ledger of
its area (the uploader, their community's workers); anyone else gets 404."""

from __future__ import annotations

from django.db.models import QuerySet

from shequ.core.models import Area, User
from shequ.core.scoping import get_scoped_or_404, restrict
from shequ.registry.choices import Action
from shequ.registry.importing.models import ImportJob, ImportProblem, ImportState
from shequ.registry.importing.services import IMPORT_LEVELS


def import_job_list(*, actor: User) -> QuerySet[ImportJob]:
    return restrict(ImportJob.objects.select_related("area", "created_by"), actor, Action.CHANGE)


def import_job_get(*, actor: User, pk: int) -> ImportJob:
    return get_scoped_or_404(
        ImportJob.objects.select_related("area", "created_by"), actor, Action.CHANGE, pk=pk
    )


def import_problems(*, job: ImportJob, level: str | None = None) -> QuerySet[ImportProblem]:
    problems = job.problems.all()
    if level in ImportProblem.Level.values:
        problems = problems.filter(level=level)
    return problems.order_by("id")


def import_previous(*, actor: User, job: ImportJob) -> ImportJob | None:
    """An earlier finished import of the very same file, within the actor's areas."""
    return (
        import_job_list(actor=actor)
        .filter(sha256=job.sha256, state=ImportState.DONE)
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .first()
    )


def import_areas(*, actor: User) -> QuerySet[Area]:
    """Areas the actor may import into, down to estates (buildings and units
    are chosen through the file's columns)."""
    return restrict(
        Area.objects.filter(level__in=IMPORT_LEVELS[:3]), actor, Action.CHANGE
    ).order_by("path")
