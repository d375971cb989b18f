"""Citizen identity numbers (公民身份号码, GB 11643-1999).

An ID number is 18 characters: a 6-digit region code (GB/T 2260), the birth
date as YYYYMMDD, a 3-digit sequence whose last digit is odd for men and even
for women, and a check character computed over the first 17 (ISO 7064
MOD 11-2; a remainder worth 10 is written X).

:func:`parse_id_number` is what every form, import and API calls on what people
typed; :func:`make_id_number` builds valid numbers for demo data and tests.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.core.errors import InvalidInput

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11
# Province-level prefixes of GB/T 2260 (71 Taiwan, 81 Hong Kong, 82 Macao).
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]
)
EARLIEST_BIRTH = date(1890, 1, 1)
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_NOISE = re.compile(r"[\s\u200b\u200c\u200d\ufeff\-]")


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    male: bool

    @property
    def region(self) -> str:
        return self.value[:6]


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str | None) -> str:
    """Full-width to half-width, spaces and dashes removed, x → X. No validation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", str(raw or ""))).upper()


def parse_id_number(raw: str | None, *, field: str = "id_number") -> IdNumber:
    """Validate what someone typed and return the normalised number with the
    birth date and gender it encodes. Raises ``InvalidInput`` naming the first
    thing wrong, in words a community worker understands."""
    value = normalize_id_number(raw)
    if not value:
        raise InvalidInput(_("请填写公民身份号码。"), field=field, code="id_required")
    if len(value) != 18:
        raise InvalidInput(
            _("公民身份号码应为18位，现在是%(n)d位。") % {"n": len(value)},
            field=field,
            code="id_length",
        )
    if not _SHAPE.match(value):
        raise InvalidInput(
            _("公民身份号码前17位只能是数字，最后一位是数字或X。"),
            field=field,
            code="id_characters",
        )
    if int(value[:2]) not in PROVINCES:
        raise InvalidInput(
            _("公民身份号码前6位（地区码）%(region)s 不是有效的行政区划代码。")
            % {"region": value[:6]},
            field=field,
            code="id_region",
        )
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth < EARLIEST_BIRTH:
        raise InvalidInput(
            _("公民身份号码第7至14位的出生日期 %(text)s 不是有效日期。") % {"text": value[6:14]},
            field=field,
            code="id_birth_date",
        )
    if birth > timezone.localdate():
        raise InvalidInput(
            _("公民身份号码中的出生日期 %(date)s 晚于今天。") % {"date": birth.isoformat()},
            field=field,
            code="id_birth_date",
        )
    if check_char(value[:17]) != value[17]:
        raise InvalidInput(
            _("公民身份号码校验位不正确，请逐位核对（常见原因：抄错一位或两位颠倒）。"),
            field=field,
            code="id_check_digit",
        )
    return IdNumber(value=value, birth_date=birth, male=int(value[16]) % 2 == 1)


def make_id_number(region: str, birth: date, male: bool, rng: random.Random | None = None) -> str:
    """A valid ID number for ``region`` (6 digits), ``birth`` and gender, with a
    random sequence number. For demo data and tests only."""
    rng = rng or random.Random()  # noqa: S311  (not a secret)
    if not re.fullmatch(r"\d{6}", region):
        raise ValueError("region must be 6 digits")
    gender_digit = rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region}{birth:%Y%m%d}{rng.randint(0, 99):02d}{gender_digit}"
    return first17 + check_char(first17)
