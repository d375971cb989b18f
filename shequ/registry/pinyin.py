"""Search keys for Chinese names: full pinyin and initials (张三 → "zhangsan", "zs").

``ü`` is written ``v`` (吕 → "lv"), as on phone keyboards. Latin letters and
digits in a name (foreign residents) are kept in lower case; other marks
(the middle dot of transliterated names, spaces) are dropped.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_KEEP = re.compile(r"[^a-z0-9]")


def _syllables(text: str) -> list[str]:
    parts = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: chunk.split())
    return [_KEEP.sub("", part.lower()) for part in parts if _KEEP.sub("", part.lower())]


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``name``, for storage and for queries alike."""
    syllables = _syllables(name)
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:50]


def normalize_latin_query(query: str) -> str:
    """What someone typed in Latin letters, lower-cased, without spaces or apostrophes."""
    return _KEEP.sub("", query.lower())
