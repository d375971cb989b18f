"""Spreadsheet downloads shared by every export (xlsx and csv).

Text cells that a spreadsheet would run as a formula (starting with = + - @,
a tab or a carriage return) are prefixed with an apostrophe; numbers keep
their type. Every file carries a watermark: who exported it, when, and the
request id that ties it to the audit log.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
            if timezone.is_aware(value)
            else value
        )
    if isinstance(value, date):
        return value
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _watermark(request: HttpRequest) -> str:
    who = request.user.get_username() if request.user.is_authenticated else "-"
    return f"{who} {timezone.localtime():%Y-%m-%d %H:%M:%S} {getattr(request, 'request_id', '')}"


def spreadsheet_response(
    *,
    fmt: str,
    filename: str,
    headers: list[str],
    rows: Iterable[list[Any]],
    request: HttpRequest,
    title: str,
) -> HttpResponse:
    """Build the file in memory-light streaming mode and answer it as a download.

    The response has ``row_count`` set for the caller's audit entry.
    """
    count = 0
    mark = _watermark(request)
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # so Excel opens UTF-8 Chinese text correctly
        writer = csv.writer(buffer)
        writer.writerow([f"# {title} · {mark}"])
        writer.writerow(headers)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
            count += 1
        payload = buffer.getvalue().encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook
        from openpyxl.packaging.custom import StringProperty

        workbook = Workbook(write_only=True)
        workbook.properties.creator = request.user.get_username()
        workbook.properties.title = str(title)
        workbook.properties.description = mark
        workbook.custom_doc_props.append(
            StringProperty(name="request_id", value=getattr(request, "request_id", ""))
        )
        sheet = workbook.create_sheet(title=str(title)[:31])
        sheet.append([f"{title} · {mark}"])
        sheet.append(headers)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
            count += 1
        out = io.BytesIO()
        workbook.save(out)
        payload = out.getvalue()
        content_type = XLSX_TYPE
    response = HttpResponse(payload, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    response.row_count = count
    return response
