"""Plausible Chinese names for demo data: people, communities, estates.

Every function takes the caller's ``random.Random`` so a seeded run is
reproducible. Domain apps' demo steps may use :func:`person_name` for the
residents they invent (the household registry does).

Given names follow the generation a person was born in: a woman born in 1945
is more likely 秀英 or 桂兰, one born in 2010 梓涵 or 欣怡. Surnames are drawn
with roughly their national frequency (the most common hundred cover most
people). The data are fixture strings, not user-interface text.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

# (surname, relative weight), roughly the 2020 census order.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 70), ("张", 66), ("刘", 53), ("陈", 47), ("杨", 33), ("赵", 20),
    ("黄", 24), ("周", 19), ("吴", 19), ("徐", 14), ("孙", 15), ("胡", 11), ("朱", 11),
    ("高", 10), ("林", 10), ("何", 9), ("郭", 10), ("马", 10), ("罗", 7), ("梁", 7),
    ("宋", 6), ("郑", 6), ("谢", 5), ("韩", 6), ("唐", 5), ("冯", 5), ("于", 7),
    ("董", 5), ("萧", 2), ("程", 4), ("曹", 4), ("袁", 4), ("邓", 4), ("许", 4),
    ("傅", 3), ("沈", 3), ("曾", 3), ("彭", 3), ("吕", 3), ("苏", 3), ("卢", 3),
    ("蒋", 3), ("蔡", 3), ("贾", 3), ("丁", 3), ("魏", 3), ("薛", 2), ("叶", 3),
    ("阎", 2), ("余", 2), ("潘", 2), ("杜", 2), ("戴", 2), ("夏", 2), ("钟", 2),
    ("汪", 2), ("田", 3), ("任", 2), ("姜", 4), ("范", 2), ("方", 2), ("石", 2),
    ("姚", 2), ("谭", 2), ("廖", 2), ("邹", 2), ("熊", 2), ("金", 2), ("陆", 2),
    ("郝", 2), ("孔", 2), ("白", 2), ("崔", 3), ("康", 1), ("毛", 1), ("邱", 1),
    ("秦", 1), ("江", 1), ("史", 1), ("顾", 1), ("侯", 1), ("邵", 1), ("孟", 2),
    ("龙", 1), ("万", 1), ("段", 1), ("雷", 1), ("钱", 1), ("汤", 1), ("尹", 1),
    ("黎", 1), ("易", 1), ("常", 1), ("武", 1), ("乔", 1), ("贺", 1), ("赖", 1),
    ("龚", 1), ("文", 1), ("隋", 1), ("宫", 1), ("初", 1), ("曲", 1), ("鞠", 1),
)  # fmt: skip
_SURNAME_VALUES = [s for s, _w in SURNAMES]
_SURNAME_WEIGHTS = [w for _s, w in SURNAMES]

# Given names by generation and gender: (born before, male, female).
_GIVEN: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        1960,
        ("国华", "建国", "建华", "振华", "德胜", "福来", "长山", "玉林", "宝山", "志刚",
         "广义", "庆林", "凤山", "文斌", "树森", "殿臣", "永贵", "明", "军", "华"),
        ("秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "淑兰", "秀珍",
         "桂芝", "玉梅", "素芬", "淑芬", "凤兰", "翠花", "丽华", "秀云", "兰", "英"),
    ),
    (
        1980,
        ("建军", "志强", "海涛", "卫东", "红军", "永刚", "立新", "建平", "国强", "晓东",
         "海波", "立军", "忠诚", "春生", "伟", "勇", "军", "斌", "刚", "涛"),
        ("丽娟", "红梅", "春燕", "晓红", "丽萍", "海燕", "桂芳", "艳", "静", "敏",
         "丽", "红", "霞", "燕", "玉洁", "亚琴", "淑华", "晓梅", "秀梅", "美玲"),
    ),
    (
        2000,
        ("磊", "伟", "鹏", "浩", "超", "强", "杰", "帅", "晓光", "宇航",
         "俊杰", "志远", "博文", "明辉", "天宇", "海洋", "鑫", "东旭", "佳鹏", "文博"),
        ("婷婷", "丹", "娜", "静", "晶", "佳", "雪", "倩", "琳", "丽丽",
         "晓婷", "思雨", "佳琪", "欣然", "雨婷", "梦瑶", "文静", "颖", "楠", "慧"),
    ),
    (
        9999,
        ("梓轩", "浩宇", "子墨", "宇轩", "一诺", "睿", "俊熙", "铭泽", "皓轩", "子豪",
         "梓睿", "奕辰", "沐阳", "承泽", "嘉懿", "思远", "博涵", "锦程", "煜祺", "泽宇"),
        ("梓涵", "欣怡", "子涵", "诗涵", "一诺", "雨桐", "可馨", "梦琪", "语嫣", "思彤",
         "若汐", "佳怡", "紫萱", "安琪", "芷若", "梓萱", "沐晴", "欣妍", "依诺", "语桐"),
    ),
)  # fmt: skip

MALE = "M"
FEMALE = "F"


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_VALUES, weights=_SURNAME_WEIGHTS, k=1)[0]


def given_name(rng: random.Random, *, gender: str, birth_year: int) -> str:
    for born_before, male, female in _GIVEN:
        if birth_year < born_before:
            return rng.choice(male if gender == MALE else female)
    raise AssertionError("unreachable: the last bucket is open-ended")


def person_name(
    rng: random.Random,
    *,
    gender: str | None = None,
    birth_year: int | None = None,
    family_name: str | None = None,
) -> str:
    """A full name such as 王秀英 or 刘梓轩; pass ``family_name`` to keep a
    household's children on the father's (or mother's) surname."""
    gender = gender or rng.choice((MALE, FEMALE))
    birth_year = birth_year or rng.randint(1940, 2015)
    return (family_name or surname(rng)) + given_name(rng, gender=gender, birth_year=birth_year)


def unique_name(rng: random.Random, used: set[str], make, *, attempts: int = 50) -> str:
    """Call ``make(rng)`` until it returns a name not in ``used``; fall back to
    numbering ("…第二…") so generation never fails on a small pool."""
    for _ in range(attempts):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    base = make(rng)
    for n in range(2, 1000):
        name = _numbered(base, n)
        if name not in used:
            used.add(name)
            return name
    raise ValueError("name pool exhausted")


_NUMERALS = "零一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 99 → 九十九 (enough for grids and orders)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[ones]
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def _numbered(base: str, n: int) -> str:
    for suffix in ("社区", "小区", "花园", "家园"):
        if base.endswith(suffix):
            return f"{base[: -len(suffix)]}第{chinese_ordinal(n)}{suffix}"
    return f"{base}{chinese_ordinal(n)}"


def community_name(rng: random.Random, roots: Sequence[str]) -> str:
    """A residents' committee name after a road or place: 长江路社区, 秀月社区."""
    return f"{rng.choice(roots)}社区"


def grid_name(n: int) -> str:
    return f"第{chinese_ordinal(n)}网格"


def estate_name(
    rng: random.Random,
    *,
    prefixes: Sequence[str],
    suffixes: Sequence[str],
    work_units: Sequence[str] = (),
    roots: Sequence[str] = (),
) -> str:
    """A compound's name: mostly a developer-style name (海韵华庭), sometimes an
    old work-unit compound (港务局宿舍) or a road-named one (长江路小区)."""
    roll = rng.random()
    if work_units and roll < 0.15:
        return rng.choice(work_units) + rng.choice(("宿舍", "小区", "新村"))
    if roots and roll < 0.3:
        return rng.choice(roots) + "小区"
    return rng.choice(prefixes) + rng.choice(suffixes)
