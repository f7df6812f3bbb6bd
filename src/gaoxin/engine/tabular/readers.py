"""Read CSV and spreadsheet files into grids of text cells, keeping spreadsheet row numbers.

A :class:`Grid` is one sheet as Polars string columns ``c0…cN`` plus ``__row``, the row number a
spreadsheet shows (1-based). CSV encodings are detected, never asked: a BOM, then strict UTF-8,
then GB18030 (the superset of GBK/GB2312 that mainland offices save as "ANSI"), then whatever
charset-normalizer finds. Workbooks (xlsx, xlsm, xlsb, xls, ods) are read through calamine:
cells arrive as displayed text (numbers as ``1234.5``, dates as ``2025-07-01 00:00:00``), merged
cells as their top-left value only.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from gaoxin.engine.problems import Problem

ROW = "__row"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
DELIMITERS = (",", "\t", ";", "|")
# Sheets a reporting form carries for people, not data: skipped without a warning.
INSTRUCTION_SHEETS = frozenset({"指标说明", "填报说明", "填表说明", "说明"})


@dataclass(frozen=True)
class Grid:
    """One sheet (or a CSV file) as text cells: columns ``c0…cN`` and ``__row``."""

    file: str
    sheet: str | None
    frame: pl.DataFrame
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def cell_columns(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _clean(frame: pl.DataFrame, first_row: int) -> pl.DataFrame:
    """Strip cells, make empty cells null, number the rows, drop empty rows and columns."""
    cols = frame.columns
    frame = frame.select(
        [
            pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(f"c{i}")
            for i, c in enumerate(cols)
        ]
    ).with_row_index(ROW, offset=first_row)
    frame = frame.with_columns(pl.col(ROW).cast(pl.Int64))
    cells = [c for c in frame.columns if c != ROW]
    if not cells:
        return frame
    frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in cells]))
    keep = [c for c in cells if frame[c].null_count() < frame.height]
    return frame.select([ROW, *keep])


# --- text files ----------------------------------------------------------------------------


class EncodingUnknown(Exception):
    """The bytes are in no encoding we can read with confidence."""


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes; returns (text, encoding name)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name), name
    for name in ("utf-8", "gb18030"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise EncodingUnknown
    return str(best), best.encoding


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the sample into the most consistent number of fields.

    Title lines above a table hold no delimiter, so only lines that split count; among
    candidates, the one whose most common field count is largest and most frequent wins.
    """
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    best, best_score = ",", (0, 0)
    for d in DELIMITERS:
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=d) if len(r) > 1)
        if not counts:
            continue
        width, freq = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = (freq, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _read_delimited(text: str, delimiter: str) -> pl.DataFrame:
    sample = list(csv.reader(io.StringIO(text[:200_000]), delimiter=delimiter))
    width = max((len(r) for r in sample), default=0)
    if width == 0:
        return pl.DataFrame()
    schema = {f"c{i}": pl.String for i in range(width)}
    try:
        # Fast path: the Rust reader, told the width so short title lines do not narrow it.
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            has_header=False,
            separator=delimiter,
            schema=schema,
            missing_columns="insert",
            infer_schema=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError, pl.exceptions.ShapeError):
        # A row wider than the sampled ones: read it all with the csv module instead.
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        width = max(len(r) for r in records)
        padded = [r + [""] * (width - len(r)) for r in records]
        return pl.DataFrame(
            {
                f"c{i}": pl.Series(values=col, dtype=pl.String)
                for i, col in enumerate(zip(*padded, strict=True))
            }
        )


def read_text_grid(data: bytes, file: str) -> tuple[list[Grid], list[Problem]]:
    try:
        text, encoding = decode_text(data)
    except EncodingUnknown:
        return [], [
            Problem(
                "encoding_unknown",
                "无法识别文件的文字编码；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或直接上传 xlsx 文件",
                file=file,
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    delimiter = detect_delimiter(text)
    frame = _read_delimited(text, delimiter)
    grid = Grid(file, None, _clean(frame, 1), encoding=encoding, delimiter=delimiter)
    return [grid], []


# --- workbooks -----------------------------------------------------------------------------


def read_workbook_grids(
    source: Path | bytes, file: str, sheet: str | None = None
) -> tuple[list[Grid], list[Problem]]:
    import fastexcel
    import python_calamine

    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        reader = fastexcel.read_excel(raw)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as error:  # calamine raises several types for a damaged file
        return [], [_unreadable(file, error)]
    names = list(reader.sheet_names)
    if sheet is not None and sheet not in names:
        listed = "、".join(f"「{n}」" for n in names)
        return [], [
            Problem(
                "sheet_not_found",
                f"找不到工作表「{sheet}」；文件中的工作表有：{listed}",
                file=file,
                sheet=sheet,
            )
        ]
    grids: list[Grid] = []
    for name in [sheet] if sheet is not None else names:
        if sheet is None and name in INSTRUCTION_SHEETS:
            continue
        try:
            frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
            first_row = _first_used_row(raw, name, book)
        except Exception as error:
            return [], [_unreadable(file, error, name)]
        grids.append(Grid(file, name, _clean(frame, first_row)))
    return grids, []


def _first_used_row(raw: bytes, sheet: str, book: object) -> int:
    """The spreadsheet row calamine's range starts at (it drops leading empty rows).

    For xlsx this peeks at the sheet XML until the first row holding a value, instead of
    having calamine parse the whole sheet a second time; other formats ask calamine.
    """
    try:
        row = _xlsx_first_row(raw, sheet)
        if row is not None:
            return row
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        pass
    start = book.get_sheet_by_name(sheet).start  # type: ignore[attr-defined]
    return (start[0] + 1) if start else 1


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_ROW_WITH_VALUE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*>(.*?)</(?:\w+:)?row>', re.S)


def _xlsx_first_row(raw: bytes, sheet: str) -> int | None:
    if raw[:4] != b"PK\x03\x04":
        return None
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        if "xl/workbook.xml" not in z.namelist():
            return None
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        rid = next(
            s.get(f"{{{_NS['r']}}}id")
            for s in workbook.iterfind("m:sheets/m:sheet", _NS)
            if s.get("name") == sheet
        )
        target = next(
            r.get("Target") for r in rels.iterfind("p:Relationship", _NS) if r.get("Id") == rid
        )
        if target is None:
            return None
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        buffer = b""
        with z.open(path) as stream:
            while chunk := stream.read(1 << 16):
                buffer += chunk
                for m in _ROW_WITH_VALUE.finditer(buffer):
                    if b"<v>" in m.group(2) or b"<v " in m.group(2) or b"<is>" in m.group(2):
                        return int(m.group(1))
                cut = buffer.rfind(b"</row>")
                if cut >= 0 and len(buffer) > 1 << 20:
                    buffer = buffer[cut:]
    return 1


def _unreadable(file: str, error: Exception, sheet: str | None = None) -> Problem:
    return Problem(
        "file_unreadable",
        "文件无法读取（可能已损坏、加密或不是 Excel/CSV 文件）；请用 Excel 打开确认后另存为 xlsx 再上传",
        file=file,
        sheet=sheet,
        extra={"error": f"{type(error).__name__}: {error}"},
    )


def read_grids(
    source: Path | str | bytes, *, name: str | None = None, sheet: str | None = None
) -> tuple[list[Grid], list[Problem]]:
    """Read a file (a path, or bytes with ``name`` giving its file name) into grids."""
    if isinstance(source, bytes):
        file = name or "upload"
        data = source
    else:
        path = Path(source)
        file = name or path.name
        try:
            data = path.read_bytes()
        except OSError as error:
            return [], [_unreadable(file, error)]
    suffix = Path(file).suffix.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if suffix in WORKBOOK_SUFFIXES or is_zip or is_ole:
        return read_workbook_grids(data, file, sheet)
    return read_text_grid(data, file)
