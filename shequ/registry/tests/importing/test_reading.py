"""Bad files get a clear message, and dangerous ones never reach openpyxl."""

import codecs
import io
import struct
import zipfile
from datetime import date

import pytest

from shequ.core.errors import InvalidInput
from shequ.registry.importing import cells, reading, services
from shequ.registry.importing.headers import clean_text, detect_header, guess_mapping
from shequ.registry.importing.models import ImportJob
from shequ.registry.tests.importing.conftest import upload, xlsx_bytes


def _refused(city, people, content: bytes, name: str = "台账.xlsx") -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        services.import_job_create(
            actor=people["grid_worker"], area=city.grids["A1a"], upload=upload(content, name)
        )
    assert ImportJob.objects.count() == 0
    return caught.value


def _zip_bomb() -> bytes:
    """A small zip whose worksheet declares 1 GB uncompressed (central directory patched)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 500_000)
    data = bytearray(out.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    position = 0
    while True:
        central = data.find(b"PK\x01\x02", position)
        if data[central + 46 : central + 46 + len(name)] == name:
            break
        position = central + 4
    struct.pack_into("<I", data, central + 24, 1 << 30)  # uncompressed size
    return bytes(data)


def test_zip_bomb_is_refused_before_openpyxl_opens_it(city, people, monkeypatch):
    import openpyxl

    def forbidden(*args, **kwargs):
        raise AssertionError("openpyxl.load_workbook must not be called")

    monkeypatch.setattr(openpyxl, "load_workbook", forbidden)
    bomb = _zip_bomb()
    assert len(bomb) < 600_000
    error = _refused(city, people, bomb)
    assert error.code == "zip_bomb"
    assert "解压后过大" in str(error.message)


def _rewrite(content: bytes, old: bytes, new: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(old, new)
            archive.writestr(item.filename, data)
    return out.getvalue()


def test_macro_workbook_is_refused(city, people):
    plain = xlsx_bytes({"居民": [["姓名", "身份证号", "楼栋"]]})
    xlsm = _rewrite(plain, b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    error = _refused(city, people, xlsm, "台账.xlsx")
    assert error.code == "macro_xlsx"
    assert ".xlsm" in str(error.message)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "xls_or_encrypted",
        ),  # .xls or password-protected
        (b"PK\x03\x04" + b"garbage" * 50, "corrupt_xlsx"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "not_a_spreadsheet"),
        ("这是一封信，不是表格。\n祝好".encode(), "no_header"),
    ],
    ids=["empty", "xls-or-encrypted", "corrupt", "png-renamed", "text-renamed"],
)
def test_files_that_are_not_usable_spreadsheets_get_a_clear_message(city, people, content, code):
    error = _refused(city, people, content)
    assert error.code == code
    assert str(error.message)


def test_an_encrypted_zip_entry_is_refused(city, people):
    plain = bytearray(xlsx_bytes({"居民": [["姓名", "身份证号", "楼栋"]]}))
    position = plain.find(b"PK\x01\x02")
    struct.pack_into(
        "<H", plain, position + 8, struct.unpack_from("<H", plain, position + 8)[0] | 1
    )
    assert _refused(city, people, bytes(plain)).code == "encrypted_xlsx"


def test_a_sheet_with_200_columns_is_refused(city, people):
    wide = xlsx_bytes({"居民": [["姓名", "身份证号", "楼栋"] + [f"列{i}" for i in range(197)]]})
    error = _refused(city, people, wide)
    assert error.code == "too_many_columns"
    assert "100" in str(error.message)


def test_the_size_cap_is_checked_before_anything_is_read(city, people, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1000)
    error = _refused(city, people, b"x" * 5000, "big.csv")
    assert error.code == "too_large"


def test_gbk_and_bom_csv_are_read(city, people):
    text = "居民台账\n姓名,身份证号,楼号,单元,室\n张三,,1,1,101\n"
    for encoded in (text.encode("gbk"), codecs.BOM_UTF8 + text.encode(), text.encode("gb18030")):
        stream = io.BytesIO(encoded)
        rows = list(reading.iter_rows(stream, reading.kind_of(stream)))
        assert rows[1].cells[:2] == ["姓名", "身份证号"]
        assert rows[2].cells[0] == "张三"


def test_header_detection_below_title_rows_with_synonyms_and_noise():
    rows = [
        ["某某社区居民花名册"],
        ["填表人：", "", "日期："],
        [
            "序号",
            "姓\u200b名",
            "证件号码",
            "手机",
            "楼",
            "门牌号",
            "与户主的关系",
            "居住类型",
            "重点人群",
        ],
        ["1", "张三"],
    ]
    assert detect_header(rows) == 2
    mapping = guess_mapping([clean_text(c) for c in rows[2]])
    assert mapping == {
        "1": "name",
        "2": "id_number",
        "3": "mobile",
        "4": "building",
        "5": "room",
        "6": "relation_to_head",
        "7": "residence_type",
        "8": "tags",
    }
    assert guess_mapping(["公民身份号码", "身份证号码"]) == {"0": "id_number"}
    assert guess_mapping(["ＦＵＬＬ", "联系\n电话", " 单元 "]) == {"1": "mobile", "2": "unit"}


@pytest.mark.parametrize(
    "value",
    [
        "1990-01-02",
        "1990/1/2",
        "1990.1.2",
        "1990年1月2日",
        "19900102",
        19900102,
        32875,
        32875.0,
        "32875",
    ],
)
def test_dates_in_the_usual_written_forms_and_as_excel_serials(value):
    assert cells.a_date(value) == date(1990, 1, 2)


@pytest.mark.parametrize(
    "value", [210202199001011000, 2.10202199001011e17, "2.10202199001011E+17", "2.10202E+17"]
)
def test_id_numbers_that_excel_turned_into_numbers_are_refused(value):
    with pytest.raises(cells.CellError) as caught:
        cells.id_number(value)
    assert "丢失" in caught.value.message


def test_cells_are_cleaned_of_full_width_and_zero_width_characters():
    assert cells.name("张\u3000三\u200b") == "张三"
    assert cells.text("１号楼\n ") == "1号楼"
    assert (
        cells.building_key("1号楼") == cells.building_key("1栋") == cells.building_key("1") == "1"
    )
    assert cells.relation("妻子") == "spouse"
    assert cells.residence_type("流动人口") == "floating"


def test_billion_laughs_xml_is_refused(city, people):
    import defusedxml  # noqa: F401  installed, so openpyxl parses with it

    plain = xlsx_bytes({"居民": [["姓名", "身份证号", "楼栋"], ["张三", "x", "1"]]})
    source = zipfile.ZipFile(io.BytesIO(plain))
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode()
            archive.writestr(item.filename, data)
    assert "xl/worksheets/sheet1.xml" in source.namelist()
    assert _refused(city, people, out.getvalue()).code == "corrupt_xlsx"


def test_the_values_the_english_template_names_are_accepted():
    """The English instructions name the stored values (registered, head,
    passport…); a ledger filled in with them imports like the Chinese words."""
    assert cells.residence_type("Floating") == cells.residence_type("流动") == "floating"
    assert cells.relation("head") == cells.relation("户主") == "head"
    assert cells.living_status("rented") == cells.living_status("出租") == "rented"
    assert cells.document_type("hk_macao_permit") == cells.document_type("回乡证")
    assert cells.document_type("id_card") == ""
    with pytest.raises(cells.CellError):
        cells.residence_type("tourist")
