"""REST routes of ledger imports, under /api/v1/registry/imports. Scoped like
the web: a job outside the caller's areas answers 404."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.core.api import ERRORS, PagePagination
from shequ.core.errors import InvalidInput
from shequ.core.models import Area
from shequ.core.schemas import ErrorOut
from shequ.core.scoping import can, get_scoped_or_404
from shequ.registry.choices import Action
from shequ.registry.importing import reading, services
from shequ.registry.importing.schemas import (
    ImportCommitIn,
    ImportJobOut,
    ImportMappingIn,
    ImportProblemOut,
    ImportValidateIn,
)
from shequ.registry.importing.selectors import (
    import_job_get,
    import_job_list,
    import_previous,
    import_problems,
)
from shequ.registry.importing.views import rejected_response, template_response

router = Router(tags=["registry-imports"])


class TooLarge(InvalidInput):
    status = 413
    code = "too_large"


def _require_change(request) -> None:
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied


def _job(request, job_id: int):
    job = import_job_get(actor=request.user, pk=job_id)
    job.previous = import_previous(actor=request.user, job=job)
    return job


@router.post(
    "",
    response={201: ImportJobOut, 413: ErrorOut, **ERRORS},
    summary="上传台账表格（xlsx 或 csv），识别表头",
)
def import_upload(request, area_id: int = Form(None), file: UploadedFile = File(None)):  # noqa: B008
    _require_change(request)
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > reading.MAX_UPLOAD_BYTES + 64 * 1024:
        raise TooLarge(
            _("文件超过 %(mb)d MB，请拆分成较小的文件后再上传。")
            % {"mb": reading.MAX_UPLOAD_BYTES // 2**20},
            field="file",
        )
    if area_id is None:
        raise InvalidInput(_("请选择导入到哪个区域。"), field="area_id")
    area = get_scoped_or_404(Area.objects.all(), request.user, Action.CHANGE, pk=area_id)
    job = services.import_job_create(actor=request.user, area=area, upload=file)
    job.previous = import_previous(actor=request.user, job=job)
    return Status(201, job)


@router.get("", response={200: list[ImportJobOut], **ERRORS}, summary="导入记录（仅本人辖区）")
@paginate(PagePagination)
def import_list(request):
    _require_change(request)
    return import_job_list(actor=request.user)


@router.get("template", response={200: None, **ERRORS}, summary="下载空白导入模板（xlsx）")
def import_template(request):
    _require_change(request)
    return template_response()


@router.get("{job_id}", response={200: ImportJobOut, **ERRORS}, summary="导入任务状态、进度和统计")
def import_get(request, job_id: int):
    _require_change(request)
    return _job(request, job_id)


@router.put(
    "{job_id}/mapping", response={200: ImportJobOut, **ERRORS}, summary="调整列与导入项目的对应"
)
def import_mapping(request, job_id: int, payload: ImportMappingIn):
    _require_change(request)
    job = services.import_job_set_mapping(
        actor=request.user, job=_job(request, job_id), sheets=payload.sheets
    )
    return _job(request, job.pk)


@router.post(
    "{job_id}/validate",
    response={200: ImportJobOut, **ERRORS},
    summary="检查（试导入，后台运行，不写入台账）",
)
def import_validate(request, job_id: int, payload: ImportValidateIn):
    _require_change(request)
    job = services.import_job_validate(
        actor=request.user, job=_job(request, job_id), duplicate_mode=payload.duplicate_mode
    )
    return _job(request, job.pk)


@router.post(
    "{job_id}/commit", response={200: ImportJobOut, **ERRORS}, summary="正式导入（后台运行）"
)
def import_commit(request, job_id: int, payload: ImportCommitIn):
    _require_change(request)
    job = services.import_job_commit(
        actor=request.user,
        job=_job(request, job_id),
        mode=payload.mode,
        duplicate_mode=payload.duplicate_mode,
    )
    return _job(request, job.pk)


class ProblemFilters(Schema):
    level: str | None = None


@router.get(
    "{job_id}/problems",
    response={200: list[ImportProblemOut], **ERRORS},
    summary="检查发现的问题（分页）",
)
@paginate(PagePagination)
def import_problem_list(request, job_id: int, filters: Query[ProblemFilters]):
    _require_change(request)
    return import_problems(job=_job(request, job_id), level=filters.level)


@router.get(
    "{job_id}/rejected",
    response={200: None, **ERRORS},
    summary="下载有错误的行（xlsx，含“原因”列）",
)
def import_rejected(request, job_id: int):
    _require_change(request)
    return rejected_response(_job(request, job_id))
