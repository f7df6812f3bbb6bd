"""Read CSV and spreadsheet files into grids of text cells, keeping spreadsheet row numbers.

A :class:`Grid` is one sheet as Polars string columns ``c0…cN`` plus ``__row``, the row number a
spreadsheet shows (1-based). CSV encodings are detected, never asked: a BOM, then strict UTF-8,
then GB18030 (the superset of GBK/GB2312 that mainland offices save as "ANSI"), then whatever
charset-normalizer finds. Workbooks (xlsx, xlsm, xlsb, xls, ods) are read through calamine:
cells arrive as displayed text (numbers as ``1234.5``, dates as ``2025-07-01 00:00:00``), merged
cells as their top-left value only.

What a reader refuses before anything is parsed, so that cost stays bounded and nothing is read
as missing that was not: a zip (xlsx) whose entries unpack, declared or actual, beyond
:data:`MAX_UNPACKED_BYTES`; a cell longer than :data:`MAX_CELL_CHARS` (Excel's own limit). What
it reports for the caller to refuse: cells that are Excel errors (``#DIV/0!``) or formulas
without a saved result, and hidden sheets (see :class:`Grid`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from gaoxin.engine.problems import Problem
from gaoxin.engine.tabular.safe import unprotect

ROW = "__row"
# Excel keeps at most 32,767 characters in a cell; a longer "cell" is a broken file.
MAX_CELL_CHARS = 32_767
# A workbook's parts unpacked: a 2,000-row form is a few MB; the Gansu demo export about 40 MB.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
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
    hidden: bool = False
    # Cells the grid holds as empty that were not: (row, column index, what, text), e.g.
    # (5, 3, "error", "#DIV/0!") or (5, 3, "formula", "=SUM(B2:B4)") with no saved result.
    unread: tuple[tuple[int, int, str, str], ...] = ()
    # CSV only: how many fields each record has (``__row``, ``fields``). Reading pads a short
    # record with empty cells, which would hide a lost cell that shifted the rest left.
    fields: pl.DataFrame | None = None

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


def _clean(frame: pl.DataFrame, first_row: int, rows: pl.Series | None = None) -> pl.DataFrame:
    """Strip cells, make empty cells null, number the rows (``rows``, else from ``first_row``
    on), drop empty rows and columns."""
    cols = frame.columns
    frame = frame.select(
        [
            pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(f"c{i}")
            for i, c in enumerate(cols)
        ]
    )
    if rows is None:
        frame = frame.with_row_index(ROW, offset=first_row)
    else:
        frame = frame.with_columns(rows.alias(ROW))
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
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                raise EncodingUnknown from None  # a BOM, then bytes not in its encoding
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


@contextlib.contextmanager
def _fields_up_to(size: int) -> Iterator[None]:
    """csv refuses fields over 128 KB with an exception; the cell-size check says why instead."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(limit)


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
    if "\r" in text:
        # Old Mac files end lines with CR alone; CRLF and CR both become LF.
        text = _LINE_ENDS.sub("\n", text)
    try:
        with _fields_up_to(len(text)):
            delimiter = detect_delimiter(text)
            frame = _read_delimited(text, delimiter)
    except csv.Error as error:
        return [], [
            Problem(
                "file_unreadable",
                f"CSV 文件格式错误（{error}）；请用 Excel 打开确认后另存为 xlsx 再上传",
                file=file,
            )
        ]
    lines = _line_numbers(frame)
    problems = _oversized_cells(frame, file, None, lines)
    if problems:
        return [], problems
    # gaoxin's CSV exports put an apostrophe before text a spreadsheet would run (safe.py)
    frame = frame.with_columns(unprotect(pl.col(c).cast(pl.String)) for c in frame.columns)
    fields = pl.DataFrame({ROW: lines, "fields": _field_counts(text, delimiter, lines)})
    grid = Grid(
        file, None, _clean(frame, 1, lines), encoding=encoding, delimiter=delimiter, fields=fields
    )
    return [grid], []


def _field_counts(text: str, delimiter: str, starts: pl.Series) -> pl.Series:
    """The number of fields of each record, from the line it starts on: separators + 1, or the
    csv module's count for the few lines holding a quote (a quoted separator is no field)."""
    if starts.len() == 0:
        return pl.Series("fields", [], dtype=pl.Int64)
    physical = pl.Series(text.split("\n"), dtype=pl.String)
    line = physical.gather((starts - 1).clip(0, physical.len() - 1))
    counts = (line.str.count_matches(delimiter, literal=True) + 1).cast(pl.Int64)
    quoted = line.str.contains('"', literal=True).arg_true()
    if quoted.len():
        exact = [len(next(csv.reader([t], delimiter=delimiter), [])) for t in line.gather(quoted)]
        counts = counts.scatter(quoted, pl.Series(exact, dtype=pl.Int64))
    return counts.alias("fields")


_LINE_ENDS = re.compile(r"\r\n?")


def _line_numbers(frame: pl.DataFrame) -> pl.Series:
    """The line each record starts on: a quoted cell holding line breaks spans several lines,
    so the record after it does not start on the next line (the number a text editor shows)."""
    if frame.width == 0:
        return pl.Series(ROW, [], dtype=pl.Int64)
    breaks = frame.select(
        pl.sum_horizontal(pl.col(c).str.count_matches("\n").fill_null(0) for c in frame.columns)
    ).to_series()
    lines = (breaks + 1).cast(pl.Int64)
    return (lines.cum_sum() - lines + 1).alias(ROW)


def _oversized_cells(
    frame: pl.DataFrame, file: str, sheet: str | None, rows: pl.Series
) -> list[Problem]:
    problems: list[Problem] = []
    for i, c in enumerate(frame.columns):
        lengths = frame[c].cast(pl.String).str.len_chars()
        for index in (lengths > MAX_CELL_CHARS).fill_null(False).arg_true().head(10):
            text = frame[c][index]
            problems.append(
                Problem(
                    "cell_too_long",
                    f"单元格有 {len(text)} 个字符，超过 Excel 单元格上限 {MAX_CELL_CHARS}："
                    "文件可能已损坏，或有未配对的引号把后面的内容并入了此格；请检查后重新导出",
                    file=file,
                    sheet=sheet,
                    row=int(rows[index]),
                    column=f"{column_letter(i)}列",
                    value=text[:40] + "…",
                )
            )
    return problems


# --- workbooks -----------------------------------------------------------------------------


def read_workbook_grids(
    source: Path | bytes, file: str, sheet: str | None = None
) -> tuple[list[Grid], list[Problem]]:
    import fastexcel
    import python_calamine

    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if raw[:4] == b"PK\x03\x04":
        too_big = _unpacked_too_large(raw, file)
        if too_big is not None:
            return [], [too_big]
    try:
        reader = fastexcel.read_excel(raw)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        hidden = {
            m.name
            for m in book.sheets_metadata
            if m.visible != python_calamine.SheetVisibleEnum.Visible
        }
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
            unread = _xlsx_unread_cells(raw, name)
        except Exception as error:
            return [], [_unreadable(file, error, name)]
        rows = pl.int_range(first_row, first_row + frame.height, eager=True, dtype=pl.Int64)
        oversized = _oversized_cells(frame, file, name, rows)
        if oversized:
            return [], oversized
        grids.append(
            Grid(
                file,
                name,
                _clean(frame, first_row),
                hidden=sheet is None and name in hidden,
                unread=unread,
            )
        )
    return grids, []


def _unpacked_too_large(raw: bytes, file: str) -> Problem | None:
    """A zip that unpacks beyond :data:`MAX_UNPACKED_BYTES`, by its directory or in fact.

    The directory can lie, so the entries are also inflated (and thrown away) up to the limit:
    a compression bomb of a few hundred KB costs at most that much work, never minutes.
    """
    message = (
        f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像是一份统计报表"
        "（可能已损坏或是压缩炸弹），未读取；如确为大文件，请拆分后分别导入"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            entries = z.infolist()
            if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return Problem("file_too_large", message, file=file)
            total = 0
            for entry in entries:
                with z.open(entry) as stream:
                    while chunk := stream.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNPACKED_BYTES:
                            return Problem("file_too_large", message, file=file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as e:
        return _unreadable(file, e)
    except RuntimeError as error:  # an encrypted entry
        return _unreadable(file, error)
    return None


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)")


def _xlsx_unread_cells(raw: bytes, sheet: str) -> tuple[tuple[int, int, str, str], ...]:
    """Cells of an xlsx sheet that calamine hands over as empty: Excel errors (``#N/A``) and
    formulas saved without their result (files written by programs, never opened in Excel)."""
    if raw[:4] != b"PK\x03\x04":
        return ()
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            path = _xlsx_sheet_path(z, sheet)
            if path is None:
                return ()
            xml = z.read(path)
    except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return ()  # not an OOXML package calamine reads by name: it reports its own way
    if b"<f" not in xml and b't="e"' not in xml:
        return ()
    found: list[tuple[int, int, str, str]] = []
    for match in _CELL.finditer(xml):
        attrs, body = match.group(1), match.group(2) or b""
        is_error = b't="e"' in attrs
        formula = _FORMULA.search(body)
        value = _VALUE.search(body)
        if not is_error and (formula is None or (value is not None and value.group(1))):
            continue
        ref = _REF.search(attrs)
        if ref is None:
            continue
        column = _column_index(ref.group(1).decode())
        row = int(ref.group(2))
        if is_error:
            text = value.group(1).decode() if value is not None else "#错误"
            found.append((row, column, "error", text))
        else:
            text = (formula.group(1) or b"").decode() if formula is not None else ""
            found.append((row, column, "formula", f"={text}" if text else "（共享公式）"))
    return tuple(found)


def _column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _xlsx_sheet_path(z: zipfile.ZipFile, sheet: str) -> str | None:
    if "xl/workbook.xml" not in z.namelist():
        return None
    workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    rid = next(
        (
            s.get(f"{{{_NS['r']}}}id")
            for s in workbook.iterfind("m:sheets/m:sheet", _NS)
            if s.get("name") == sheet
        ),
        None,
    )
    target = next(
        (r.get("Target") for r in rels.iterfind("p:Relationship", _NS) if r.get("Id") == rid),
        None,
    )
    if target is None:
        return None
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


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
        path = _xlsx_sheet_path(z, sheet)
        if path is None:
            return None
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
