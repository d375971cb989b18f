"""The import wizard in the staff console: upload → columns → dry run →
commit → result. Every job page is scoped (another area's job answers 404);
the progress of a running pass is polled by a small static script."""

import logging

from cryptography.exceptions import InvalidTag
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shequ.core.errors import DomainError
from shequ.core.exports import XLSX_TYPE
from shequ.core.views.base import form_error, requires
from shequ.registry.choices import Action
from shequ.registry.importing import reading, sealed, services
from shequ.registry.importing.forms import CommitForm, UploadForm, ValidateForm
from shequ.registry.importing.headers import FIELDS
from shequ.registry.importing.models import ImportState
from shequ.registry.importing.selectors import (
    import_areas,
    import_job_get,
    import_job_list,
    import_previous,
    import_problems,
)
from shequ.registry.importing.template import template_bytes
from shequ.registry.importing.uploads import cap_uploads

logger = logging.getLogger(__name__)
PROBLEMS_PER_PAGE = 50


def status_payload(job) -> dict:
    return {
        "id": job.pk,
        "state": job.state,
        "state_display": str(job.get_state_display()),
        "progress": job.progress,
        "counts": job.counts,
        "error_message": job.error_message,
        "failed_row": job.failed_row,
        "running": job.is_running,
    }


@requires(Action.CHANGE)
@require_GET
def import_list(request):
    page = Paginator(import_job_list(actor=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "registry/import/list.html", {"page": page})


def _upload_page(request, form, status=200, error=""):
    return render(
        request,
        "registry/import/upload.html",
        {"form": form, "max_mb": reading.MAX_UPLOAD_BYTES // 2**20, "error": error},
        status=status,
    )


@csrf_exempt
@requires(Action.CHANGE)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """The size cap is installed before the body is read, so the CSRF check
    moves inside (an oversized body is refused without changing anything)."""
    if request.method == "POST":
        cap_uploads(request)
        request.POST  # noqa: B018  parse the body now, under the cap
        if request.upload_too_large:
            form = UploadForm(areas=import_areas(actor=request.user))
            error = _("文件超过 %(mb)d MB，请拆分成较小的文件后再上传。") % {
                "mb": reading.MAX_UPLOAD_BYTES // 2**20
            }
            return _upload_page(request, form, status=400, error=error)
    return _upload_checked(request)


@csrf_protect
def _upload_checked(request):
    areas = import_areas(actor=request.user)
    if request.method != "POST":
        return _upload_page(request, UploadForm(areas=areas))
    form = UploadForm(request.POST, request.FILES, areas=areas)
    if form.is_valid():
        try:
            job = services.import_job_create(
                actor=request.user, area=form.cleaned_data["area"], upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            form_error(form, error)
        else:
            return redirect("registry:import_detail", pk=job.pk)
    return _upload_page(request, form, status=400)


def _columns(job):
    """Per sheet: (index, header, chosen field) for the mapping form."""
    sheets = []
    for sheet in job.mapping.get("sheets", []):
        columns = sheet.get("columns", {})
        sheets.append(
            {
                "name": sheet["name"],
                "header_row": sheet.get("header_row"),
                "columns": [
                    (index, header, columns.get(str(index), ""))
                    for index, header in enumerate(sheet.get("headers", []))
                ],
            }
        )
    return sheets


@requires(Action.CHANGE)
@require_GET
def import_detail(request, pk: int):
    job = import_job_get(actor=request.user, pk=pk)
    problems = Paginator(
        import_problems(job=job, level=request.GET.get("level")), PROBLEMS_PER_PAGE
    )
    context = {
        "job": job,
        "status": status_payload(job),
        "sheets": _columns(job),
        "fields": list(FIELDS.items()),
        "previous": import_previous(actor=request.user, job=job),
        "problems": problems.get_page(request.GET.get("page")),
        "validate_form": ValidateForm(initial={"duplicate_mode": job.duplicate_mode}),
        "commit_form": CommitForm(initial={"duplicate_mode": job.duplicate_mode}),
        "editable": job.state in (ImportState.UPLOADED, ImportState.VALIDATED)
        and bool(job.stored_file),
    }
    return render(request, "registry/import/detail.html", context)


def _fail(request, job, error: DomainError):
    messages.error(request, str(error.message))
    return redirect("registry:import_detail", pk=job.pk)


@requires(Action.CHANGE)
@require_POST
def import_mapping(request, pk: int):
    """Save the column choices, then start the dry run."""
    job = import_job_get(actor=request.user, pk=pk)
    sheets: dict[str, dict[str, str]] = {}
    for index, sheet in enumerate(job.mapping.get("sheets", [])):
        if not sheet.get("header_row"):
            continue
        sheets[sheet["name"]] = {
            str(col): request.POST.get(f"s{index}-c{col}", "")[:40]
            for col in range(len(sheet.get("headers", [])))
        }
    form = ValidateForm(request.POST)
    duplicate_mode = form.cleaned_data["duplicate_mode"] if form.is_valid() else job.duplicate_mode
    try:
        job = services.import_job_set_mapping(actor=request.user, job=job, sheets=sheets)
        services.import_job_validate(actor=request.user, job=job, duplicate_mode=duplicate_mode)
    except DomainError as error:
        return _fail(request, job, error)
    return redirect("registry:import_detail", pk=job.pk)


@requires(Action.CHANGE)
@require_POST
def import_commit(request, pk: int):
    job = import_job_get(actor=request.user, pk=pk)
    form = CommitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择导入方式。"))
        return redirect("registry:import_detail", pk=job.pk)
    try:
        services.import_job_commit(
            actor=request.user,
            job=job,
            mode=form.cleaned_data["mode"],
            duplicate_mode=form.cleaned_data["duplicate_mode"],
        )
    except DomainError as error:
        return _fail(request, job, error)
    return redirect("registry:import_detail", pk=job.pk)


@requires(Action.CHANGE)
@require_GET
def import_status(request, pk: int):
    job = import_job_get(actor=request.user, pk=pk)
    response = JsonResponse(status_payload(job))
    response["Cache-Control"] = "no-store"
    return response


def rejected_response(job):
    if not job.rejected_file or not default_storage.exists(job.rejected_file):
        raise Http404
    try:  # decrypted on the fly; a damaged or foreign file is not served
        chunks = sealed.decrypted_chunks(job.rejected_file)
    except InvalidTag:
        logger.error("rejected-rows file of import job %s does not decrypt", job.pk)
        raise Http404 from None
    response = StreamingHttpResponse(chunks, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, f"rejected-rows-{job.pk}.xlsx"
    )
    response["Content-Length"] = str(sealed.plain_size(job.rejected_file))
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.CHANGE)
@require_GET
def import_rejected(request, pk: int):
    """The rejected rows with a 原因 column (personal data: same scope as the job)."""
    return rejected_response(import_job_get(actor=request.user, pk=pk))


def template_response():
    from django.http import HttpResponse

    response = HttpResponse(template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="resident-import-template.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.CHANGE)
@require_GET
def import_template(request):
    return template_response()
