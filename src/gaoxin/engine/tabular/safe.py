"""Text cells a spreadsheet would run as formulas, written as text in every file gaoxin writes.

A name such as ``=HYPERLINK("http://…","点击")`` or ``@SUM(A1)``, imported from an enterprise's
file, must not become a live formula in the workbook or CSV a division officer opens
(CSV injection, OWASP). In XLSX a text cell is never evaluated, so writers only need to keep
text as text: xlsxwriter with :data:`XLSX_OPTIONS` (its ``write()`` otherwise turns a string
beginning with ``=`` into a formula), openpyxl through :func:`openpyxl_text`. A CSV has no cell
types, so a risky text cell gets a leading apostrophe, which Excel and WPS show and do not run;
gaoxin's importer takes it off again (:func:`unprotect`), so an export still imports unchanged.
Numbers (``-5``, ``+1.5e3``) are left alone: they are figures, not formulas.
"""

from __future__ import annotations

from typing import Any

import polars as pl

XLSX_OPTIONS: dict[str, Any] = {"strings_to_formulas": False}
_RISKY = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?(\d[\d,]*)?(\.\d+)?([eE][+-]?\d+)?%?$"


def risky(text: pl.Expr) -> pl.Expr:
    """True where a text cell would start a formula when a spreadsheet opens the file."""
    return text.str.contains(_RISKY) & ~text.str.contains(_NUMBER)


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with an apostrophe before every risky text cell (its string columns only)."""
    return frame.with_columns(
        pl.when(risky(pl.col(c))).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def csv_text(value: Any) -> Any:
    """One cell for ``csv.writer``: a risky string gets its apostrophe, anything else passes."""
    if isinstance(value, str) and value[:1] in "=+-@\t\r" and value:
        frame = pl.DataFrame({"v": [value]})
        if frame.select(risky(pl.col("v"))).item():
            return "'" + value
    return value


def openpyxl_text(cell: Any) -> None:
    """Keep an openpyxl cell holding a string starting with ``=`` as text (openpyxl would
    otherwise store it as a formula)."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def unprotect(text: pl.Expr) -> pl.Expr:
    """A CSV cell as written before :func:`csv_frame` protected it: ``'=x`` → ``=x``."""
    return text.str.replace(r"^'([=+\-@\t\r])", "${1}")
