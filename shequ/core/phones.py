"""Mobile-number normalisation shared by login, accounts and the registry."""

from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NOISE = re.compile(r"[\s\-()（）\u200b\u200c\u200d\ufeff]")


def normalize_mobile(raw: str | None) -> str | None:
    """'+86 138-0000-0000', '１３８００００００００' → '13800000000'; None if not a mobile."""
    if not raw:
        return None
    text = _NOISE.sub("", unicodedata.normalize("NFKC", str(raw)))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text if MOBILE.match(text) else None


def mask_mobile(mobile: str | None) -> str:
    if not mobile:
        return ""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else "****"


# --- Landlines (固定电话) -----------------------------------------------------
#
# A Chinese landline is a trunk prefix 0, an area code and a local number:
# 010 and 020–029 are three digits with the 0 (Beijing, Guangzhou, Shanghai,
# Tianjin…), every other area code four (0411 Dalian); the local number has
# seven or eight digits and never starts with 0. People write the same
# number as 0411-84567890, 0411 8456 7890, (0411)84567890, 041184567890 or
# +86 411 84567890, sometimes with an extension (转123, -123, ext.123). The
# canonical form is "0411-84567890" or "0411-84567890-123".

_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))([1-9]\d{6,7})$")
_EXTENSION = re.compile(
    r"(?:转|分机|ext\.?|extn\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE
)  # written out: always an extension
_DASH_EXTENSION = re.compile(r"[-－—]\s*(\d{1,6})$")  # "-123": only if the rest is a number
_ALLOWED = re.compile(r"^[\d\s\-()（）+.]*$")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _without_country(text: str) -> str:
    """'+86 411 84567890' → '041184567890'; '+86 (0)411…' keeps its one 0."""
    compact = _NOISE.sub("", text).replace(".", "")
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            rest = compact[len(prefix) :]
            mobile = rest.startswith("1") and len(_digits(rest)) == 11
            return rest if rest.startswith("0") or mobile else "0" + rest
    return compact


def _split_landline(text: str) -> tuple[str, str] | None:
    match = _LANDLINE.match(_digits(_without_country(text)))
    return (match[1], match[2]) if match else None


def _landline_parts(raw: str | None) -> tuple[str, str, str] | None:
    """(area code, local number, extension) or None."""
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match[1], text[: match.start()].strip()
    if not _ALLOWED.match(text):
        return None
    parts = _split_landline(text)
    if parts is None and not extension:
        match = _DASH_EXTENSION.search(text)
        if match:
            parts = _split_landline(text[: match.start()])
            extension = match[1] if parts else ""
    if parts is None:
        return None
    return parts[0], parts[1], extension


def normalize_landline(raw: str | None) -> str | None:
    """'(0411)8456 7890转123', '+86 411 84567890' → '0411-84567890-123',
    '0411-84567890'; None if it is not a landline with its area code."""
    parts = _landline_parts(raw)
    if parts is None:
        return None
    area, local, extension = parts
    return f"{area}-{local}" + (f"-{extension}" if extension else "")


def normalize_phone(raw: str | None) -> str | None:
    """A mobile ('13800000000') or a landline ('0411-84567890'); None if neither."""
    return normalize_mobile(raw) or normalize_landline(raw)


def phone_problem(raw: str) -> str:
    """Why ``raw`` is neither a mobile nor a landline, in words a community
    worker understands (translated). Call only when :func:`normalize_phone` said None."""
    from django.utils.translation import gettext as _

    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text_no_ext = _EXTENSION.sub("", text).strip()
    if not _ALLOWED.match(text_no_ext):
        return _("电话号码只能包含数字、空格、括号和“-”，分机号可写成“转123”。")
    digits = _digits(_without_country(text_no_ext))
    if digits.startswith("1"):
        return _("手机号码格式不正确，应为11位中国大陆手机号，例如 13800000000。")
    if not digits.startswith("0"):
        return _("固定电话请带区号，例如 0411-84567890 或 010-12345678。")
    return _(
        "固定电话号码位数不正确：区号3至4位（如 010、0411），本地号码7至8位，例如 0411-84567890。"
    )


def mask_landline(value: str | None) -> str:
    """'0411-84567890' → '0411-****7890': the area code and the last four kept."""
    if not value:
        return ""
    area, _sep, rest = value.partition("-")
    local = rest.split("-", 1)[0]
    if not area or len(local) < 7:
        return "****"
    return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"


def mask_phone(value: str | None) -> str:
    """Mask a stored phone of either kind (see :func:`mask_mobile`, :func:`mask_landline`)."""
    if not value:
        return ""
    if MOBILE.match(value):
        return mask_mobile(value)
    return mask_landline(value)
