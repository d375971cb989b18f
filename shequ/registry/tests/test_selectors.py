"""Search that understands Chinese names, and exact lookups through blind indexes only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shequ.registry.selectors import resident_list
from shequ.registry.tests.factories import make_household, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def residents(city):
    household = make_household(city.units["A1a"])
    return {
        "zhang": make_resident(household, name="张三", mobile="13800138000"),
        "zhao": make_resident(household, name="赵六"),
        "lv": make_resident(household, name="吕小曾"),
        "other_grid": make_resident(make_household(city.units["A1b"]), name="张三丰"),
    }


def names(actor, query):
    return sorted(r.name for r in resident_list(actor=actor, query=query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张三", ["张三"]),
        ("三", ["张三"]),
        ("zhangsan", ["张三"]),
        ("Zhang San", ["张三"]),
        ("zhang", ["张三"]),
        ("zs", ["张三"]),
        ("ZS", ["张三"]),
        ("z", ["张三", "赵六"]),
        ("lvxiao", ["吕小曾"]),
        ("lxc", ["吕小曾"]),
        ("", ["吕小曾", "张三", "赵六"]),
        ("1234", []),
    ],
)
def test_name_characters_pinyin_and_initials(people, residents, query, expected):
    assert names(people["grid_worker"], query) == expected


def test_community_worker_sees_both_grids(people, residents):
    assert names(people["community_worker"], "zs") == ["张三", "张三丰"]
    assert names(people["grid_worker_b"], "zs") == ["张三丰"]
    assert names(people["street_staff_b"], "zs") == []
    assert names(people["volunteer"], "") == []


def test_exact_id_and_mobile_go_through_the_blind_index_only(people, residents):
    zhang = residents["zhang"]
    with CaptureQueriesContext(connection) as queries:
        found = list(resident_list(actor=people["grid_worker"], query=zhang.id_number.lower()))
    assert found == [zhang]
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "id_number_index" in sql and zhang.id_number not in sql
    assert list(resident_list(actor=people["grid_worker"], query="+86 138 0013 8000")) == [zhang]
    # Out of scope: the exact ID of the other grid's resident finds nothing.
    assert (
        list(resident_list(actor=people["grid_worker"], query=residents["other_grid"].id_number))
        == []
    )


def test_pinyin_search_finds_the_same_people_in_one_community_and_across_a_street(
    people, residents
):
    """Within one community the pinyin is matched among the community's
    residents (no city-wide index walk); across a street through the index.
    Either way the same people are found, and nobody outside the scope."""
    from shequ.registry.selectors_search import ResidentFilters, resident_search

    def found(actor, query, **extra):
        filters = ResidentFilters(query=query, **extra)
        return sorted(r.name for r in resident_search(actor=actor, filters=filters))

    for query in ("zs", "zhangsan", "zhang", "z", "lxc"):
        street = found(people["street_staff"], query)
        assert found(people["community_worker"], query) == street
        assert found(people["street_staff_b"], query) == []
    assert found(people["grid_worker"], "zs") == ["张三"]
    assert found(people["grid_worker_b"], "zs") == ["张三丰"]
    # A street worker narrowing to one grid goes the community way.
    assert found(
        people["street_staff"], "zs", area_id=people["grid_worker_b"].roles.get().area_id
    ) == ["张三丰"]
