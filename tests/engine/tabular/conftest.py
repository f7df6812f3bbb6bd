"""Builders for import fixtures: real-shaped files written by the test, not binary blobs."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from gaoxin.engine.variables import Catalogue, default_catalogue

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"

Rows = Sequence[Sequence[Any]]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return default_catalogue()


def write_xlsx(
    path: Path, sheets: dict[str, Rows], merges: dict[str, list[str]] | None = None
) -> Path:
    """Write sheets of rows; None is an empty cell; ``merges`` maps sheet → ranges like A1:F1."""
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        merged = (merges or {}).get(name, [])
        for ref in merged:
            first = ref.split(":")[0]
            r, c = xlsxwriter.utility.xl_cell_to_rowcol(first)
            sheet.merge_range(ref, rows[r][c])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or any(
                    ref.split(":")[0] == xlsxwriter.utility.xl_rowcol_to_cell(r, c)
                    for ref in merged
                ):
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write(r, c, value)
    book.close()
    return path


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    def make(
        rows: Rows, name: str = "data.xlsx", sheet: str = "Sheet1", merges: list[str] | None = None
    ) -> Path:
        return write_xlsx(tmp_path / name, {sheet: rows}, {sheet: merges or []})

    return make


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[..., Path]:
    def make(text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


USCC_A = "91110000600037341L"  # valid (the python-stdnum example)
USCC_B = "91350100M000100Y43"  # valid
USCC_C = "91440300708461136T"  # valid


def write_ods(path: Path, sheets: dict[str, Rows]) -> Path:
    """A minimal OpenDocument spreadsheet (what WPS and LibreOffice save), written by hand."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join(
            "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        + "</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path
