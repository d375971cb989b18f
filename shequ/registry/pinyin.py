"""Search keys for Chinese names: full pinyin and initials (张三 → "zhangsan", "zs").

``ü`` is written ``v`` (吕 → "lv"), as on phone keyboards. Latin letters and
digits in a name (foreign residents) are kept in lower case; other marks
(the middle dot of transliterated names, spaces) are dropped.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

_KEEP = re.compile(r"[^a-z0-9]")


def _syllables(text: str) -> list[str]:
    parts = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chunk: chunk.split())
    return [_KEEP.sub("", part.lower()) for part in parts if _KEEP.sub("", part.lower())]


@cache  # bounded by the characters that exist (about 21,000 in use)
def _only_reading(char: str) -> str | None:
    """The reading of a Chinese character that has exactly one (tones dropped), else None."""
    if not "\u4e00" <= char <= "\u9fff":
        return None
    readings = {
        _KEEP.sub("", r.lower()) for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0]
    }
    return readings.pop() if len(readings) == 1 and "" not in readings else None


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``name``, for storage and for queries alike.

    Fast path (an import computes this a million times): when every character
    of the name has a single reading, the result is the readings joined, read
    from a per-character cache; context cannot change a single reading. A
    name with a polyphonic character (曾, 单, 解…) or anything else goes
    through pypinyin's phrase-aware conversion, cached per name."""
    syllables = []
    for char in name:
        reading = _only_reading(char)
        if reading is None:
            return _name_keys(name)
        syllables.append(reading)
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:50]


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> tuple[str, str]:
    syllables = _syllables(name)
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:50]


def normalize_latin_query(query: str) -> str:
    """What someone typed in Latin letters, lower-cased, without spaces or apostrophes."""
    return _KEEP.sub("", query.lower())
