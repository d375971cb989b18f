"""Passports and permits of residents without a mainland ID: light checks per type."""

import pytest

from shequ.core.errors import InvalidInput
from shequ.core.iddocuments import (
    IdDocumentType,
    could_be_document,
    guess_document_type,
    mask_document,
    parse_document,
)
from shequ.core.idnumbers import check_char


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def wrong_check(value: str) -> str:
    return value[:17] + ("1" if value[17] != "1" else "2")


HK_RESIDENCE = with_check("81000019900101001")
TW_RESIDENCE = with_check("83000019850505002")
FOREIGN_NEW = with_check("93311519800101001")


@pytest.mark.parametrize(
    ("kind", "written", "stored"),
    [
        (IdDocumentType.PASSPORT, " e1234 5678 ", "E12345678"),
        (IdDocumentType.PASSPORT, "５５０１２３４５６", "550123456"),
        (IdDocumentType.HK_MACAO_PERMIT, "h12345678", "H12345678"),
        (IdDocumentType.HK_MACAO_PERMIT, "M1234567890", "M1234567890"),
        (IdDocumentType.TAIWAN_PERMIT, "12345678", "12345678"),
        (IdDocumentType.TAIWAN_PERMIT, "1234567890", "1234567890"),
        (IdDocumentType.FOREIGN_PERMANENT, "usa110012345678", "USA110012345678"),
        (IdDocumentType.FOREIGN_PERMANENT, FOREIGN_NEW, FOREIGN_NEW),
        (IdDocumentType.HMT_RESIDENCE, HK_RESIDENCE, HK_RESIDENCE),
        (IdDocumentType.HMT_RESIDENCE, TW_RESIDENCE, TW_RESIDENCE),
        (IdDocumentType.OTHER, "军字第12345号", "军字第12345号"),
    ],
)
def test_valid_numbers_are_normalised(kind, written, stored):
    assert parse_document(kind, written) == stored


@pytest.mark.parametrize(
    ("kind", "written", "words"),
    [
        (IdDocumentType.PASSPORT, "E12", "5至17位"),
        (IdDocumentType.PASSPORT, "E1234-5678", "5至17位"),
        (IdDocumentType.HK_MACAO_PERMIT, "12345678", "H或M"),
        (IdDocumentType.HK_MACAO_PERMIT, "H1234567", "H或M"),
        (IdDocumentType.TAIWAN_PERMIT, "123456789", "8位或10位"),
        (IdDocumentType.FOREIGN_PERMANENT, "USA1100123", "15位"),
        (
            IdDocumentType.FOREIGN_PERMANENT,
            wrong_check(FOREIGN_NEW),
            "校验位",
        ),
        (IdDocumentType.HMT_RESIDENCE, with_check("21020219900101001"), "810000"),
        (
            IdDocumentType.HMT_RESIDENCE,
            wrong_check(HK_RESIDENCE),
            "校验位",
        ),
        (IdDocumentType.HMT_RESIDENCE, with_check("81000019901301001"), "出生日期"),
        ("", "E12345678", "证件类型"),
        ("driving_licence", "E12345678", "证件类型"),
        (IdDocumentType.PASSPORT, "   ", "请填写证件号码"),
        (IdDocumentType.OTHER, "X" * 31, "最多30"),
    ],
)
def test_wrong_numbers_are_refused_with_a_reason(kind, written, words):
    with pytest.raises(InvalidInput) as caught:
        parse_document(kind, written)
    assert words in str(caught.value.message)


def test_type_is_guessed_from_the_shape_when_it_can_be():
    assert guess_document_type("H12345678") == "hk_macao_permit"
    assert guess_document_type("12345678") == "taiwan_permit"
    assert guess_document_type(HK_RESIDENCE) == "hmt_residence"
    assert guess_document_type(FOREIGN_NEW) == "foreign_permanent"
    assert guess_document_type("E12345678") is None  # a passport's shape says nothing


def test_search_box_entries_that_may_be_documents():
    assert could_be_document("E12345678") and could_be_document("h 1234 5678")
    assert not could_be_document("zhangsan") and not could_be_document("张三")
    assert not could_be_document("E12")


def test_masking_hides_most_of_the_number():
    assert mask_document("E12345678") == "E******78"
    assert mask_document(HK_RESIDENCE) == HK_RESIDENCE[:4] + "*" * 10 + HK_RESIDENCE[-4:]
    assert mask_document("") == "" and mask_document("AB1") == "***"
