"""Phones as people write them: mobiles and landlines with their area code."""

import pytest

from shequ.core.phones import (
    mask_landline,
    mask_phone,
    normalize_landline,
    normalize_phone,
    phone_problem,
)


@pytest.mark.parametrize(
    "written",
    [
        "0411-84567890",
        "0411 8456 7890",
        "(0411)84567890",
        "（0411）84567890",
        "041184567890",
        "+86 411 84567890",
        "0086-411-84567890",
        "０４１１－８４５６７８９０",  # full-width, as a Chinese input method types it
        "0411-8456-7890",
    ],
)
def test_usual_written_forms_of_a_landline_give_one_canonical_form(written):
    assert normalize_landline(written) == "0411-84567890"
    assert normalize_phone(written) == "0411-84567890"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("010-12345678", "010-12345678"),  # Beijing: three-digit area code
        ("021 6123456", "021-6123456"),  # seven-digit local number
        ("+86 10 62345678", "010-62345678"),
        ("0411-84567890转123", "0411-84567890-123"),
        ("0411-84567890 转 8001", "0411-84567890-8001"),
        ("0411-84567890-123", "0411-84567890-123"),
        ("0411-84567890 ext.123", "0411-84567890-123"),
        ("0411-84567890 EXT 12", "0411-84567890-12"),
        ("0411-84567890分机66", "0411-84567890-66"),
    ],
)
def test_area_codes_and_extensions(written, canonical):
    assert normalize_landline(written) == canonical


@pytest.mark.parametrize(
    "written",
    ["84567890", "0411-123456", "0411-845678901", "0411-04567890", "abc", "", None, "041"],
)
def test_what_is_not_a_landline(written):
    assert normalize_landline(written) is None


def test_normalize_phone_takes_a_mobile_or_a_landline():
    assert normalize_phone("+86 138-0000-0000") == "13800000000"
    assert normalize_phone("138 0000 0000") == "13800000000"
    assert normalize_phone("0411 84567890") == "0411-84567890"
    assert normalize_phone("12345") is None


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("84567890", "请带区号"),
        ("0411-123", "位数不正确"),
        ("1380000000", "手机号码格式不正确"),
        ("0411-8456789a", "只能包含数字"),
    ],
)
def test_problems_are_explained_in_chinese(written, words):
    assert normalize_phone(written) is None
    assert words in phone_problem(written)


def test_masks_keep_the_area_code_and_the_last_four():
    assert mask_landline("0411-84567890") == "0411-****7890"
    assert mask_landline("021-6123456") == "021-***3456"
    assert mask_phone("0411-84567890-123") == "0411-****7890"  # the extension is not shown
    assert mask_phone("13800001234") == "138****1234"
    assert mask_phone(None) == mask_phone("") == ""
    assert "8456" not in mask_phone("0411-84567890")
