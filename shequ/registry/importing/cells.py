"""Turning what a spreadsheet cell holds into a ledger value.

Each converter takes the raw cell (text, number, date or None) and returns
the value, or raises :class:`CellError` with a message for the worker.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from shequ.registry.choices import Gender, LivingStatus, Relation, ResidenceType
from shequ.registry.importing.headers import clean_text

EXCEL_EPOCH = date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s.*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


class CellError(Exception):
    def __init__(self, message: str, *, warning: bool = False):
        super().__init__(message)
        self.message = message
        self.warning = warning


def text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


_HAN = re.compile(r"[\u3400-\u9fff]")


def name(value: Any) -> str:
    """A Chinese name padded with spaces ("张　三") is one name ("张三")."""
    cleaned = text(value)
    return cleaned.replace(" ", "") if _HAN.search(cleaned) else cleaned


def id_number(value: Any) -> str:
    """The ID number as text. Excel turns an 18-digit number into a float with
    15 significant digits, so the last digits are gone for good: refuse it."""
    if isinstance(value, bool):
        raise CellError(_("身份证号格式不正确。"))
    if isinstance(value, int | float):
        raise CellError(
            _(
                "身份证号被 Excel 存成了数字，后几位已经丢失，无法还原。"
                "请把该列设为“文本”格式后重新填写完整号码。"
            )
        )
    raw = text(value).replace(" ", "")
    if _SCIENTIFIC.match(raw):
        raise CellError(
            _(
                "身份证号显示为科学计数法（如 2.10202E+17），说明 Excel 已把它存成数字，"
                "后几位已经丢失。请把该列设为“文本”格式后重新填写完整号码。"
            )
        )
    return raw


def _excel_serial(number: float) -> date:
    if not 1 <= number < 2958466:
        raise CellError(_("日期数值 %(value)s 超出范围。") % {"value": number})
    return EXCEL_EPOCH + timedelta(days=int(number))


def a_date(value: Any) -> date | None:
    """1990-01-02, 1990/1/2, 1990.1.2, 1990年1月2日, 19900102, a date cell, or an Excel serial."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 18000101 <= value <= 29991231 and float(value).is_integer():
            value = str(int(value))
        else:
            return _excel_serial(float(value))
    raw = text(value).replace(" ", "")
    if not raw:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError as exc:
                raise CellError(_("“%(value)s”不是有效日期。") % {"value": raw}) from exc
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return _excel_serial(float(raw))
    raise CellError(
        _("无法识别日期“%(value)s”，请写成 1990-01-02 或 1990年1月2日。") % {"value": raw[:20]}
    )


def mobile(value: Any) -> str:
    return text(value).replace(" ", "")


def _choice(value: Any, table: dict[str, str], what) -> str | None:
    raw = text(value).replace(" ", "")
    if not raw:
        return None
    found = table.get(raw, table.get(raw.lower()))
    if found is not None:
        return found
    raise CellError(_("无法识别的%(what)s“%(value)s”。") % {"what": what(), "value": raw[:20]})


_GENDERS = {"男": Gender.MALE, "男性": Gender.MALE, "M": Gender.MALE, "male": Gender.MALE}
_GENDERS |= {
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "F": Gender.FEMALE,
    "female": Gender.FEMALE,
}
_RESIDENCE = {
    "户籍": ResidenceType.REGISTERED,
    "户籍人口": ResidenceType.REGISTERED,
    "常住户籍": ResidenceType.REGISTERED,
    "本地": ResidenceType.REGISTERED,
    "流动": ResidenceType.FLOATING,
    "流动人口": ResidenceType.FLOATING,
    "外来": ResidenceType.FLOATING,
    "外来人口": ResidenceType.FLOATING,
    "暂住": ResidenceType.FLOATING,
    "境外": ResidenceType.FOREIGN,
    "境外人员": ResidenceType.FOREIGN,
    "外籍": ResidenceType.FOREIGN,
}
_LIVING = {
    "常住": LivingStatus.LIVING,
    "在住": LivingStatus.LIVING,
    "居住": LivingStatus.LIVING,
    "空挂": LivingStatus.ABSENT,
    "人户分离": LivingStatus.ABSENT,
    "外出": LivingStatus.ABSENT,
    "出租": LivingStatus.RENTED,
}
_RELATIONS = {
    Relation.HEAD: ("户主", "本人"),
    Relation.SPOUSE: ("配偶", "妻", "夫", "妻子", "丈夫", "爱人"),
    Relation.CHILD: (
        "子女",
        "子",
        "女",
        "儿子",
        "女儿",
        "长子",
        "次子",
        "长女",
        "次女",
        "三子",
        "三女",
    ),
    Relation.PARENT: ("父母", "父亲", "母亲", "父", "母"),
    Relation.GRANDCHILD: ("孙子女", "孙子", "孙女", "外孙", "外孙女", "外孙子"),
    Relation.GRANDPARENT: ("祖父母", "祖父", "祖母", "外祖父", "外祖母"),
    Relation.SIBLING: ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    Relation.CHILD_IN_LAW: ("儿媳/女婿", "儿媳", "女婿"),
    Relation.TENANT: ("租户", "租客", "承租人"),
    Relation.OTHER: ("其他",),
}
_RELATION_TABLE = {word: rel.value for rel, words in _RELATIONS.items() for word in words}
# The stored values themselves ("head", "floating", "passport"…) are accepted
# too: they are what the English instructions of the template name.
_RELATION_TABLE |= {rel.value: rel.value for rel in Relation}


# Plain-string tables, built once (not per cell); the label is translated only for a message.
_GENDER_TABLE = {k: v.value for k, v in _GENDERS.items()}
_RESIDENCE_TABLE = {k: v.value for k, v in _RESIDENCE.items()} | {
    v.value: v.value for v in ResidenceType
}
_LIVING_TABLE = {k: v.value for k, v in _LIVING.items()} | {v.value: v.value for v in LivingStatus}


def gender(value: Any) -> str | None:
    return _choice(value, _GENDER_TABLE, lambda: _("性别"))


def residence_type(value: Any) -> str | None:
    return _choice(value, _RESIDENCE_TABLE, lambda: _("人口类型"))


def living_status(value: Any) -> str | None:
    return _choice(value, _LIVING_TABLE, lambda: _("居住状态"))


def relation(value: Any) -> str | None:
    raw = text(value).replace(" ", "")
    if not raw:
        return None
    found = _RELATION_TABLE.get(raw, _RELATION_TABLE.get(raw.lower()))
    if found is not None:
        return found
    raise CellError(
        _("无法识别的与户主关系“%(value)s”，已按“其他”登记。") % {"value": raw[:20]}, warning=True
    )


def tag_names(value: Any) -> list[str]:
    return [part for part in re.split(r"[,，、;；/\s]+", text(value)) if part]


_BUILDING_SUFFIX = re.compile(r"(号楼|号|栋|幢|楼|座)$")
_UNIT_SUFFIX = re.compile(r"(单元|号)$")
_ROOM_SUFFIX = re.compile(r"(室|号|房)$")


def building_key(value: Any) -> str:
    """ "1号楼", "1栋", "1幢", "1" → "1"."""
    return _BUILDING_SUFFIX.sub("", text(value).replace(" ", ""))


def unit_key(value: Any) -> str:
    return _UNIT_SUFFIX.sub("", text(value).replace(" ", ""))


def room(value: Any) -> str:
    return _ROOM_SUFFIX.sub("", text(value).replace(" ", ""))


def phone(value: Any) -> str:
    """Another phone as text. Excel keeps a landline typed as a number without
    its leading 0 (41184567890): a number that is not a mobile gets it back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(_("电话号码格式不正确。"))
        digits = str(int(value))
        return digits if digits.startswith("1") and len(digits) == 11 else "0" + digits
    return text(value)


# 证件类型 as ledgers write it. "" is the mainland ID card: the number stays
# the 公民身份号码.
_DOCUMENT_TYPES = {
    "": (
        "居民身份证",
        "身份证",
        "二代身份证",
        "公民身份证",
        "公民身份号码",
        "内地居民身份证",
        "身份证号",
        "身份证号码",
        "临时身份证",
        "户口簿",
        "户口本",
    ),
    "passport": ("护照", "外国护照", "普通护照", "中国护照", "passport"),
    "hk_macao_permit": (
        "港澳居民来往内地通行证",
        "港澳通行证",
        "回乡证",
        "港澳居民通行证",
        "香港居民来往内地通行证",
        "澳门居民来往内地通行证",
    ),
    "taiwan_permit": ("台湾居民来往大陆通行证", "台胞证", "台湾通行证", "台湾居民通行证"),
    "foreign_permanent": (
        "外国人永久居留身份证",
        "外国人永久居留证",
        "永久居留身份证",
        "永久居留证",
        "中国绿卡",
        "绿卡",
    ),
    "hmt_residence": (
        "港澳台居民居住证",
        "港澳居民居住证",
        "台湾居民居住证",
        "香港居民居住证",
        "澳门居民居住证",
    ),
    "other": ("其他", "其它", "其他证件"),
}
_DOCUMENT_TABLE = {word: kind for kind, words in _DOCUMENT_TYPES.items() for word in words}
_DOCUMENT_TABLE |= {kind: kind for kind in _DOCUMENT_TYPES if kind} | {"id_card": ""}


def document_type(value: Any) -> str | None:
    """证件类型 → a document type value; "" for the mainland ID card; None when empty."""
    raw = text(value).replace(" ", "")
    if not raw:
        return None
    found = _DOCUMENT_TABLE.get(raw, _DOCUMENT_TABLE.get(raw.lower()))
    if found is None:
        raise CellError(
            _(
                "无法识别的证件类型“%(value)s”。可填：居民身份证、护照、港澳居民来往内地通行证、"
                "台湾居民来往大陆通行证、外国人永久居留身份证、港澳台居民居住证、其他。"
            )
            % {"value": raw[:20]}
        )
    return found


def document_number(value: Any) -> str:
    """A passport or permit number as text (spaces removed, upper case)."""
    if isinstance(value, bool):
        raise CellError(_("证件号码格式不正确。"))
    if isinstance(value, float) and (not value.is_integer() or value >= 1e15):
        raise CellError(
            _("证件号码被 Excel 存成了数字，可能已丢失末几位。请把该列设为“文本”格式后重新填写。")
        )
    return text(value).replace(" ", "").upper()
