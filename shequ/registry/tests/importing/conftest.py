"""Import tests: files are built in the tests themselves (no binary fixtures),
stored under a temporary MEDIA_ROOT, and tasks run immediately."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.core.idnumbers import check_char


@pytest.fixture(autouse=True)
def import_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


def valid_id(first17: str) -> str:
    return first17 + check_char(first17)


def xlsx_bytes(sheets: dict[str, list[list]], text_columns: tuple[int, ...] = ()) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
