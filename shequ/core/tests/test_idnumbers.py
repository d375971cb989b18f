"""GB 11643 ID number validation (SECURITY.md row 30)."""

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core.errors import InvalidInput
from shequ.core.idnumbers import check_char, make_id_number, parse_id_number

VALID = "11010519491231002X"  # the standard's own example


def test_the_standards_example_is_valid():
    parsed = parse_id_number(VALID)
    assert parsed.value == VALID
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.male is False
    assert parsed.region == "110105"


def test_normalises_lowercase_x_full_width_and_spaces():
    assert parse_id_number(" 110105 19491231 002x ").value == VALID
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ").value == VALID
    assert parse_id_number("110105-19491231-002X").value == VALID


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("", "id_required", "请填写"),
        ("11010519491231002", "id_length", "18位"),
        ("1101051949123100234", "id_length", "18位"),
        ("11010519491231X02X", "id_characters", "数字"),
        ("990105194912310021", "id_region", "地区码"),
        ("160105194912310021", "id_region", "地区码"),
        ("110105194913310021", "id_birth_date", "出生日期"),
        ("110105194902300021", "id_birth_date", "出生日期"),
        ("110105180001010021", "id_birth_date", "出生日期"),
        ("110105194912310021", "id_check_digit", "校验位"),
    ],
)
def test_each_failure_has_its_own_chinese_message(raw, code, words):
    with pytest.raises(InvalidInput) as caught:
        parse_id_number(raw)
    assert caught.value.code == code
    assert words in str(caught.value.message)
    assert caught.value.field == "id_number"


def test_birth_date_in_the_future_is_refused():
    tomorrow = date.today() + timedelta(days=2)
    with pytest.raises(InvalidInput) as caught:
        parse_id_number(make_id_number("210202", tomorrow, True, random.Random(1)))
    assert caught.value.code == "id_birth_date"


def test_gender_from_the_seventeenth_digit():
    rng = random.Random(5)
    assert parse_id_number(make_id_number("210202", date(1990, 5, 6), True, rng)).male is True
    assert parse_id_number(make_id_number("210202", date(1990, 5, 6), False, rng)).male is False


def test_check_char_maps_ten_to_x():
    assert check_char(VALID[:17]) == "X"


regions = st.sampled_from(
    ["110105", "210202", "210203", "310104", "440305", "650102", "810000", "820000"]
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=births, male=st.booleans(), seed=st.integers(0, 2**32))
def test_generated_ids_are_accepted(region, birth, male, seed):
    value = make_id_number(region, birth, male, random.Random(seed))
    parsed = parse_id_number(value)
    assert (parsed.value, parsed.birth_date, parsed.male) == (value, birth, male)


@settings(max_examples=300, deadline=None)
@given(
    region=regions,
    birth=births,
    male=st.booleans(),
    seed=st.integers(0, 2**32),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
)
def test_any_single_character_mutation_is_rejected(
    region, birth, male, seed, position, replacement
):
    value = make_id_number(region, birth, male, random.Random(seed))
    if value[position] == replacement:
        replacement = "X" if replacement != "X" else "0"
        if value[position] == replacement:
            replacement = "1"
    mutated = value[:position] + replacement + value[position + 1 :]
    with pytest.raises(InvalidInput):
        parse_id_number(mutated)
