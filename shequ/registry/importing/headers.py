"""Finding the header row and what each column means.

Ledgers carry one or two title rows ("XX社区居民信息台账", "填报单位：…")
above the header, and every community names its columns a little
differently. :func:`detect_header` scans the first rows of a sheet for the
row with the most recognised headers; :data:`SYNONYMS` lists the names
community workers actually use for each field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

HEADER_SCAN_ROWS = 20
MIN_RECOGNISED = 2

# Importable fields, in template order, with their label.
FIELDS: dict[str, Any] = {
    "name": _("姓名"),
    "gender": _("性别"),
    "ethnicity": _("民族"),
    "id_number": _("公民身份号码"),
    "birth_date": _("出生日期"),
    "mobile": _("联系电话"),
    "other_phone": _("其他电话"),
    "id_document_type": _("证件类型"),
    "id_document_number": _("其他证件号码"),
    "building": _("楼栋"),
    "unit": _("单元"),
    "room": _("室"),
    "household_number": _("户号"),
    "relation_to_head": _("与户主关系"),
    "registered_address": _("户籍地址"),
    "residence_type": _("人口类型"),
    "living_status": _("居住状态"),
    "work_or_school": _("工作单位/学校"),
    "notes": _("备注"),
    "tags": _("重点人群"),
}
# Columns whose empty cell inherits the value above (merged cells in the ledger).
FILL_DOWN = ("building", "unit", "room", "household_number")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "居民姓名", "名字", "人员姓名", "户主姓名/成员姓名"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "id_number": (
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "证件号码",
        "证件号",
        "身份证",
        "公民身份证号码",
        "身份证件号码",
    ),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "生日"),
    "mobile": ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式", "电话号码"),
    "other_phone": (
        "其他电话",
        "固定电话",
        "座机",
        "座机号码",
        "固话",
        "家庭电话",
        "住宅电话",
        "宅电",
        "联系电话2",
        "联系电话二",
        "电话2",
        "备用电话",
        "其他联系电话",
        "其他联系方式",
    ),
    # "证件号码" stays the national ID's column; a row whose 证件类型 names a
    # passport or permit moves its number to the document (pipeline._document).
    "id_document_type": ("证件类型", "证件种类", "证件名称"),
    "id_document_number": (
        "其他证件号码",
        "护照号码",
        "护照号",
        "护照",
        "通行证号码",
        "通行证号",
        "港澳通行证号码",
        "台胞证号码",
        "永久居留证号码",
        "境外证件号码",
    ),
    "building": ("楼栋", "楼号", "楼", "栋", "楼栋号", "栋号", "幢", "楼幢"),
    "unit": ("单元", "单元号"),
    "room": ("室", "门牌号", "房号", "房间号", "室号", "户室号", "门牌"),
    "household_number": ("户号", "户编号"),
    "relation_to_head": ("与户主关系", "与户主的关系", "关系", "家庭关系"),
    "registered_address": ("户籍地址", "户籍地", "户籍所在地", "户口所在地"),
    "residence_type": ("人口类型", "居住类型", "人员类型", "户籍类型"),
    "living_status": ("居住状态", "居住情况", "在住状态"),
    "work_or_school": (
        "工作单位/学校",
        "工作单位",
        "学校",
        "工作单位或学校",
        "就读学校",
        "工作单位（学校）",
    ),
    "notes": ("备注", "说明"),
    "tags": ("重点人群", "人员类别", "重点人群类别", "特殊人群", "人群类别"),
}

_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_DECORATION = re.compile(r"[*＊:：()（）\[\]【】]")


def clean_text(value: Any) -> str:
    """Full-width to half-width (NFKC), zero-width characters removed,
    runs of whitespace (including newlines inside a cell) made one space."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if value.isascii() and value.isprintable() and "  " not in value:
        return value.strip()  # nothing for NFKC or the patterns to change
    return _clean_str(value)


@lru_cache(maxsize=8192)  # 男, 汉族, 户主, 1号楼…: the same cells on every row
def _clean_str(value: str) -> str:
    text = unicodedata.normalize("NFKC", value)
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()


def header_key(value: Any) -> str:
    """What a header cell says, without spaces, stars or colons: "* 身份证号：" → "身份证号"."""
    return _DECORATION.sub("", clean_text(value).replace(" ", ""))


_LOOKUP = {header_key(name): field for field, names in SYNONYMS.items() for name in names}
_LOOKUP.update({header_key(str(label)): field for field, label in FIELDS.items()})


def is_header_word(cell: str) -> bool:
    """Is this (already cleaned) cell a header name? Cheap enough for every cell of every row."""
    return cell.replace(" ", "") in _LOOKUP or (
        _DECORATION.search(cell) is not None and field_for(cell) is not None
    )


def field_for(header: Any) -> str | None:
    return _LOOKUP.get(header_key(header))


def guess_mapping(headers: Iterable[Any]) -> dict[str, str]:
    """{column index (as text): field} for the recognised headers; the first
    column wins when two name the same field."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        field = field_for(header)
        if field and field not in taken:
            mapping[str(index)] = field
            taken.add(field)
    return mapping


def score(cells: list[Any]) -> int:
    return len({f for f in (field_for(c) for c in cells) if f})


def detect_header(rows: list[list[Any]]) -> int | None:
    """Index (0-based, within ``rows``) of the row with the most recognised
    headers among the first :data:`HEADER_SCAN_ROWS`, or None."""
    best, best_score = None, MIN_RECOGNISED - 1
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        current = score(cells)
        if current > best_score:
            best, best_score = index, current
    return best
