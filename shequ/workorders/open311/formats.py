"""Open311's two formats: the same rows rendered as JSON or as XML (built with
ElementTree, so every value is escaped), and the spec's error format."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}


class Open311Error(Exception):
    """An answer in the spec's error format: ``[{"code", "description"}]``."""

    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description
        super().__init__(description)


# Characters XML 1.0 cannot carry at all, even escaped: dropped from XML output.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml(root: str, item: str, rows: Iterable[Mapping[str, Any]]) -> str:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, list):
                for entry in value:  # service definition attributes: already element trees
                    child.append(entry)
            else:
                child.text = _text(value)
    body = ET.tostring(top, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>' + body


def render(
    fmt: str, rows: list[dict[str, Any]], *, root: str, item: str, status: int = 200
) -> HttpResponse:
    """A list of rows: a JSON array, or ``<root><item>…</item></root>``."""
    if fmt == "xml":
        body = _xml(root, item, rows)
    else:
        body = json.dumps(rows, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "no-store, private"
    return response


def render_object(fmt: str, row: dict[str, Any], *, root: str) -> HttpResponse:
    """One object (the service definition): a JSON object, or ``<root>…</root>``."""
    if fmt == "xml":
        top = ET.Element(root)
        for key, value in row.items():
            child = ET.SubElement(top, key)
            if isinstance(value, list):
                for entry in value:
                    child.append(entry)
            else:
                child.text = _text(value)
        body = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode")
    else:
        body = json.dumps(row, ensure_ascii=False)
    return HttpResponse(body, content_type=CONTENT_TYPES[fmt])


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    """``[{"code": 400, "description": …}]`` or ``<errors><error><code>…``."""
    rows = [{"code": status, "description": description}]
    return render(
        fmt if fmt in FORMATS else "json", rows, root="errors", item="error", status=status
    )
