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
