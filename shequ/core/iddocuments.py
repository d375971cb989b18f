"""Identity documents other than the mainland 公民身份号码.

A foreign resident, or someone from Hong Kong, Macao or Taiwan, has no
mainland citizen ID: the ledger keeps their passport, permit or residence
card instead, with its type. :func:`parse_document` is what forms, imports
and the API call on what people typed: it normalises the number (spaces
removed, upper case) and checks its shape for the type, raising
``InvalidInput`` with a message a community worker understands.

The checks are light on purpose: a passport's format depends on the issuing
country, so only the shape is checked; the new-style foreign permanent
residence card (18 characters starting with 9) and the residence permit of
Hong Kong, Macao and Taiwan residents (18 characters starting with 810000,
820000 or 830000) carry the GB 11643 check character, which is verified.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.core.errors import InvalidInput
from shequ.core.idnumbers import EARLIEST_BIRTH, check_char


class IdDocumentType(models.TextChoices):
    """证件类型 of a resident without a mainland ID number."""

    PASSPORT = "passport", gettext_lazy("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", gettext_lazy("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", gettext_lazy("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT = "foreign_permanent", gettext_lazy("外国人永久居留身份证")
    HMT_RESIDENCE = "hmt_residence", gettext_lazy("港澳台居民居住证")
    OTHER = "other", gettext_lazy("其他")


DOCUMENT_TYPES = frozenset(IdDocumentType.values)
_NOISE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
_HK_MACAO = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN = re.compile(r"^\d{8}(\d{2})?$")
_FOREIGN_OLD = re.compile(r"^[A-Z]{3}\d{12}$")
_EIGHTEEN = re.compile(r"^\d{17}[\dX]$")
_HMT_PREFIXES = ("810000", "820000", "830000")
MAX_LENGTH = 30


def normalize_document_number(raw: str | None) -> str:
    """Full-width to half-width, whitespace removed, upper case. No validation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(raw or ""))).upper()


def _valid_birth(text: str) -> bool:
    try:
        birth = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return EARLIEST_BIRTH <= birth <= timezone.localdate()


def _check_eighteen(value: str, *, field: str, what: str) -> None:
    if not _EIGHTEEN.match(value):
        raise InvalidInput(
            _("%(what)s号码应为18位：前17位数字，最后一位数字或X。") % {"what": what},
            field=field,
            code="document_format",
        )
    if not _valid_birth(value[6:14]):
        raise InvalidInput(
            _("%(what)s号码第7至14位的出生日期 %(text)s 不是有效日期。")
            % {"what": what, "text": value[6:14]},
            field=field,
            code="document_format",
        )
    if check_char(value[:17]) != value[17]:
        raise InvalidInput(
            _("%(what)s号码校验位不正确，请逐位核对。") % {"what": what},
            field=field,
            code="document_check_digit",
        )


def parse_document(kind: str | None, raw: str | None, *, field: str = "id_document_number") -> str:
    """Validate a document number of type ``kind`` and return it normalised.

    Rules per type: a passport has 5–17 letters or digits; a Hong Kong or Macao
    permit is H or M and 8 or 10 digits; a Taiwan permit 8 or 10 digits; a
    foreign permanent residence card 15 characters (three letters, twelve
    digits) or 18 starting with 9 with a valid check character; a residence
    permit of Hong Kong, Macao and Taiwan residents 18 characters starting
    810000, 820000 or 830000 with a valid check character; any other document
    up to 30 characters."""
    value = normalize_document_number(raw)
    if not value:
        raise InvalidInput(_("请填写证件号码。"), field=field, code="document_required")
    if kind not in DOCUMENT_TYPES:
        raise InvalidInput(
            _("请选择证件类型（护照、通行证、永久居留身份证等）。"),
            field="id_document_type",
            code="document_type_required",
        )
    if len(value) > MAX_LENGTH:
        raise InvalidInput(
            _("证件号码最多%(n)d个字符。") % {"n": MAX_LENGTH}, field=field, code="document_format"
        )
    if kind == IdDocumentType.PASSPORT and not _PASSPORT.match(value):
        raise InvalidInput(
            _("护照号码应为5至17位字母或数字，例如 E12345678。"),
            field=field,
            code="document_format",
        )
    if kind == IdDocumentType.HK_MACAO_PERMIT and not _HK_MACAO.match(value):
        raise InvalidInput(
            _("港澳居民来往内地通行证号码应为字母H或M加8位或10位数字，例如 H12345678。"),
            field=field,
            code="document_format",
        )
    if kind == IdDocumentType.TAIWAN_PERMIT and not _TAIWAN.match(value):
        raise InvalidInput(
            _("台湾居民来往大陆通行证号码应为8位或10位数字，例如 12345678。"),
            field=field,
            code="document_format",
        )
    if kind == IdDocumentType.FOREIGN_PERMANENT:
        if len(value) == 18 and value.startswith("9"):
            _check_eighteen(value, field=field, what=_("外国人永久居留身份证"))
        elif not _FOREIGN_OLD.match(value):
            raise InvalidInput(
                _(
                    "外国人永久居留身份证号码应为15位（3位国籍字母加12位数字）"
                    "或以9开头的18位新版号码。"
                ),
                field=field,
                code="document_format",
            )
    if kind == IdDocumentType.HMT_RESIDENCE:
        if not value.startswith(_HMT_PREFIXES):
            raise InvalidInput(
                _("港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头。"),
                field=field,
                code="document_format",
            )
        _check_eighteen(value, field=field, what=_("港澳台居民居住证"))
    return value


def guess_document_type(value: str) -> str | None:
    """The type a bare number most likely is (an import column "通行证号码"
    without a type column): H/M + digits a Hong Kong or Macao permit, 8 or 10
    digits a Taiwan permit, 18 characters starting 810000/820000/830000 a
    residence permit, 18 starting with 9 a permanent residence card."""
    value = normalize_document_number(value)
    if _HK_MACAO.match(value):
        return IdDocumentType.HK_MACAO_PERMIT.value
    if _TAIWAN.match(value):
        return IdDocumentType.TAIWAN_PERMIT.value
    if len(value) == 18 and value.startswith(_HMT_PREFIXES):
        return IdDocumentType.HMT_RESIDENCE.value
    if (len(value) == 18 and value.startswith("9")) or _FOREIGN_OLD.match(value):
        return IdDocumentType.FOREIGN_PERMANENT.value
    return None


def could_be_document(value: str) -> bool:
    """Might a search box entry be a full document number (letters and digits,
    at least four digits)? Used to add the document lookup to a search."""
    value = normalize_document_number(value)
    return (
        5 <= len(value) <= MAX_LENGTH
        and value.isascii()
        and value.isalnum()
        and sum(c.isdigit() for c in value) >= 4
    )


def mask_document(value: str | None) -> str:
    """'E12345678' → 'E******78'; a long number keeps its first and last four like an ID."""
    if not value:
        return ""
    if len(value) >= 12:
        return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[0]}{'*' * (len(value) - 3)}{value[-2:]}"
