import io

from django.utils import translation
from openpyxl import load_workbook

from shequ.registry.importing.headers import detect_header, guess_mapping
from shequ.registry.importing.template import template_bytes


def test_the_template_downloaded_in_english_is_still_recognised():
    with translation.override("en"):
        content = template_bytes()
    rows = [
        list(row)
        for row in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(
            values_only=True
        )
    ]
    header = detect_header(rows)
    assert header is not None
    assert "id_number" in guess_mapping(rows[header]).values()
