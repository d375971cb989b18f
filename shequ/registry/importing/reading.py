"""Opening the files community workers send: ``.xlsx`` and ``.csv`` only,
recognised by their content, never by their name.

Before openpyxl ever sees an xlsx, :func:`preflight_xlsx` checks the zip
container (declared uncompressed size, entry count, compression ratio,
symlinks, encryption, macro content types), so a zip bomb or a macro workbook
is refused without being expanded. Workbooks are then read with
``read_only=True`` (openpyxl parses XML with defusedxml when it is installed),
and every reader yields rows one at a time so memory stays flat.
"""

from __future__ import annotations

import codecs
import csv
import io
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from shequ.core.errors import InvalidInput

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 200_000
MAX_COLUMNS = 100

XLSX = "xlsx"
CSV = "csv"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"vnd.ms-excel.sheet.binary")
_SHEET_MAIN = b"spreadsheetml.sheet.main+xml"


@dataclass(frozen=True)
class RawRow:
    """One row as it stands in the file: sheet name, 1-based row number, cells."""

    sheet: str
    number: int
    cells: list[Any]


def _bad(message: str, code: str) -> InvalidInput:
    return InvalidInput(message, field="file", code=code)


def sniff(head: bytes) -> str:
    """``xlsx`` or ``csv`` from the first bytes, or ``InvalidInput``."""
    if not head:
        raise _bad(_("文件是空的，请选择填好数据的表格文件。"), "empty_file")
    if head.startswith(_OLE_MAGIC):
        raise _bad(
            _(
                "这是旧版 Excel（.xls）文件或设置了打开密码的文件，无法读取。"
                "请在 Excel 中取消密码后“另存为”Excel 工作簿（.xlsx）再上传。"
            ),
            "xls_or_encrypted",
        )
    if head.startswith(_ZIP_MAGIC):
        return XLSX
    if b"\x00" in head[:4096] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _bad(
            _("这不是表格文件，请上传 Excel 工作簿（.xlsx）或 CSV 文件。"), "not_a_spreadsheet"
        )
    return CSV


def preflight_xlsx(stream: IO[bytes]) -> None:
    """Refuse a zip container that is not a plain, modest workbook, without
    decompressing anything."""
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _bad(
            _("文件已损坏，无法打开。请在 Excel 中重新保存后再上传。"), "corrupt_xlsx"
        ) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _bad(_("文件结构异常（包含的部件过多），已拒绝。"), "zip_entries")
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise _bad(
                _("文件设置了密码，无法读取。请在 Excel 中取消密码后再上传。"), "encrypted_xlsx"
            )
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise _bad(_("文件结构异常（包含链接），已拒绝。"), "zip_symlink")
        if entry.filename.startswith("/") or ".." in entry.filename.split("/"):
            raise _bad(_("文件结构异常，已拒绝。"), "zip_path")
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (
            entry.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
        ):
            raise _bad(
                _("文件解压后过大（可能是恶意构造的压缩文件），已拒绝。请拆分成较小的文件。"),
                "zip_bomb",
            )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise _bad(_("这不是 Excel 工作簿（.xlsx）文件。"), "not_xlsx")
    try:
        with archive.open("[Content_Types].xml") as handle:
            content_types = handle.read(1024 * 1024)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise _bad(
            _("文件已损坏，无法打开。请在 Excel 中重新保存后再上传。"), "corrupt_xlsx"
        ) from exc
    if any(marker in content_types for marker in _MACRO_TYPES) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise _bad(
            _("不接受包含宏的工作簿（.xlsm）或二进制工作簿。请另存为普通 Excel 工作簿（.xlsx）。"),
            "macro_xlsx",
        )
    if _SHEET_MAIN not in content_types:
        raise _bad(_("这不是 Excel 工作簿（.xlsx）文件。"), "not_xlsx")


def _too_wide() -> InvalidInput:
    return _bad(
        _("表格列数超过 %(n)d 列，请删去无关的列后再上传。") % {"n": MAX_COLUMNS},
        "too_many_columns",
    )


def _too_long() -> InvalidInput:
    return _bad(
        _("表格行数超过 %(n)d 行，请拆分成多个文件分批导入。") % {"n": MAX_ROWS}, "too_many_rows"
    )


def _trim(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return list(cells[:end])


def iter_xlsx(stream: IO[bytes], head: int | None = None) -> Iterator[RawRow]:
    """Rows of every sheet; with ``head``, only the first ``head`` rows of each."""
    import openpyxl

    stream.seek(0)
    preflight_xlsx(stream)
    stream.seek(0)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001  any parser failure is a corrupt file to the user
        raise _bad(
            _("文件已损坏，无法打开。请在 Excel 中重新保存后再上传。"), "corrupt_xlsx"
        ) from exc
    rows = 0
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "max_column", None) and sheet.max_column > MAX_COLUMNS * 5:
                raise _too_wide()
            try:
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    if head is not None and number > head:
                        break
                    cells = _trim(list(values))
                    if len(cells) > MAX_COLUMNS:
                        raise _too_wide()
                    rows += 1
                    if rows > MAX_ROWS:
                        raise _too_long()
                    yield RawRow(sheet.title, number, cells)
            except InvalidInput:
                raise
            except Exception as exc:  # noqa: BLE001
                raise _bad(
                    _("工作表“%(sheet)s”已损坏，无法读取。") % {"sheet": sheet.title},
                    "corrupt_xlsx",
                ) from exc
    finally:
        workbook.close()


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, else GB18030
    (a superset of GBK and GB2312, what Excel on Chinese Windows writes)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8"
    return "gb18030"


def iter_csv(stream: IO[bytes], head: int | None = None) -> Iterator[RawRow]:
    stream.seek(0)
    encoding = detect_encoding(stream.read(64 * 1024))
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        sample = text.read(8192)
        text.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(text, dialect)
        for number, cells in enumerate(reader, start=1):
            if head is not None and number > head:
                break
            cells = _trim(cells)
            if len(cells) > MAX_COLUMNS:
                raise _too_wide()
            if number > MAX_ROWS:
                raise _too_long()
            yield RawRow("CSV", number, cells)
    except UnicodeDecodeError as exc:
        raise _bad(
            _("文件编码无法识别，请在 Excel 中“另存为”CSV UTF-8 或 Excel 工作簿（.xlsx）。"),
            "encoding",
        ) from exc
    except csv.Error as exc:
        raise _bad(_("CSV 文件格式有误，无法读取。"), "bad_csv") from exc
    finally:
        text.detach()


def iter_rows(stream: IO[bytes], kind: str, head: int | None = None) -> Iterator[RawRow]:
    """Every row of every sheet, in order (or the first ``head`` of each)."""
    return iter_xlsx(stream, head) if kind == XLSX else iter_csv(stream, head)


def kind_of(stream: IO[bytes]) -> str:
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    kind = sniff(head)
    if kind == XLSX:
        preflight_xlsx(stream)
        stream.seek(0)
    return kind


def estimate_rows(stream: IO[bytes], kind: str) -> int:
    """Roughly how many rows the file holds, for the progress bar (no parsing of cells)."""
    stream.seek(0)
    if kind == CSV:
        lines = 0
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            lines += block.count(b"\n")
        stream.seek(0)
        return lines
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True)
        total = sum(sheet.max_row or 0 for sheet in workbook.worksheets)
        workbook.close()
    except Exception:  # noqa: BLE001  reading proper reports a broken file
        total = 0
    stream.seek(0)
    return total
