"""Exporting a search result (xlsx or csv) for the community's own spreadsheets.

What goes out (SECURITY.md rows 43, 44): only residents in the exporter's
scope, ID, document and phone numbers masked, text that a spreadsheet would run as a
formula neutralised, a watermark naming the exporter, the time and the request,
a row cap, and one ``export`` audit row with the row count and which filters
were used (never a personal number). A full, unmasked export is not offered.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.choices import AuditEvent
from shequ.core.errors import InvalidInput
from shequ.core.exports import spreadsheet_response
from shequ.core.services.audit import audit_record
from shequ.registry.models import Resident
from shequ.registry.selectors_search import ResidentFilters, resident_search

MAX_EXPORT_ROWS = 50_000
# Where the full export (full_export.py) puts the unmasked numbers.
OTHER_PHONE_COLUMN, DOCUMENT_NUMBER_COLUMN = 14, 16
FORMATS = ("xlsx", "csv")


def export_headers() -> list[str]:
    return [
        _("姓名"),
        _("性别"),
        _("出生日期"),
        _("年龄"),
        _("公民身份号码"),
        _("手机号"),
        _("民族"),
        _("人口类型"),
        _("居住状态"),
        _("与户主关系"),
        _("住址"),
        _("户籍地址"),
        _("工作单位或学校"),
        _("重点人群"),
        # Added after the first columns, so spreadsheets built on them keep working.
        _("其他电话"),
        _("证件类型"),
        _("证件号码"),
    ]


def _row(resident: Resident, today) -> list:
    return [
        resident.name,
        resident.get_gender_display(),
        resident.birth_date,
        resident.age(today),
        resident.id_number_masked,
        resident.mobile_masked,
        resident.ethnicity,
        resident.get_residence_type_display(),
        resident.get_living_status_display(),
        resident.get_relation_to_head_display(),
        str(resident.household),
        resident.registered_address,
        resident.work_or_school,
        "、".join(t.tag.name for t in resident.tags.all()),
        resident.other_phone_masked,
        resident.get_id_document_type_display(),
        resident.id_document_number_masked,
    ]


def resident_export(*, request: HttpRequest, filters: ResidentFilters, fmt: str) -> HttpResponse:
    """The masked spreadsheet of ``filters``' result for ``request.user``.

    Refuses (``InvalidInput``) an unknown format or a result above
    :data:`MAX_EXPORT_ROWS`; writes one ``export`` audit row in the same
    transaction as the file is built, so a file never leaves unrecorded.
    """
    if fmt not in FORMATS:
        raise InvalidInput(_("导出格式只能是 xlsx 或 csv。"), field="format")
    actor = request.user
    residents = resident_search(actor=actor, filters=filters)
    total = residents.count()
    if total > MAX_EXPORT_ROWS:
        raise InvalidInput(
            _(
                "结果共 %(n)s 人，超过单次导出上限 %(max)s 人。请增加筛选条件（如网格、楼栋）后分批导出。"
            )
            % {"n": total, "max": MAX_EXPORT_ROWS},
            code="too_many_rows",
        )
    today = timezone.localdate()
    rows = (_row(r, today) for r in residents.iterator(chunk_size=2000))
    with transaction.atomic():
        response = spreadsheet_response(
            fmt=fmt,
            filename=f"residents-{timezone.localtime():%Y%m%d-%H%M%S}",
            headers=export_headers(),
            rows=rows,
            request=request,
            title=_("居民台账"),
        )
        audit_record(
            event=AuditEvent.EXPORT,
            actor=actor,
            object_type="registry.resident",
            object_repr=str(_("居民台账导出")),
            detail={
                "row_count": response.row_count,
                "format": fmt,
                "masked": True,
                "filters": filters.describe(),
            },
        )
    return response
