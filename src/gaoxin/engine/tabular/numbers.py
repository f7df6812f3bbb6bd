"""Numbers as people type them into statistics forms, parsed as Polars expressions.

Accepted: ``1234.5``, thousands separators (``1,234.5``, ``1，234.5``), full-width digits
(``１２３４．５``), accounting negatives (``(123)``), percentages (``12.5%``), scientific
notation as Excel displays it (``1.2E+05``). Blank, ``-``, ``—``, ``/`` and ``无`` mean "not
reported" and are skipped, not errors. Values are ``Decimal(38, 10)``: exact for what a person
can type, so the store, which keeps Decimal, receives what was written.
"""

from __future__ import annotations

import polars as pl

VALUE_DTYPE = pl.Decimal(38, 10)

MISSING_MARKS = ("-", "--", "---", "—", "——", "–", "/", "\\", "无", "空", "不适用", "…", "……")

_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_ACCOUNTING = r"^\((.+)\)$"


def normalised(raw: pl.Expr) -> pl.Expr:
    """Full-width to half-width (NFKC), with every space removed."""
    return raw.str.normalize("NFKC").str.replace_all(r"\s", "")


def is_missing(raw: pl.Expr) -> pl.Expr:
    """True where a cell says "not reported": empty or a dash-like mark."""
    s = normalised(raw)
    return raw.is_null() | (s == "") | s.is_in(MISSING_MARKS)


def is_percent(raw: pl.Expr) -> pl.Expr:
    return normalised(raw).str.strip_chars_start("(").str.strip_chars_end(")").str.ends_with("%")


def parse_number(raw: pl.Expr) -> pl.Expr:
    """The number a text cell holds, as ``Decimal(38, 10)``; null where it is not a number.

    A percentage keeps its figure (``12.5%`` → 12.5); callers decide whether a percentage is
    allowed. A comma is accepted only as a thousands separator in correct groups of three, so
    ``1,23`` (a decimal comma, or a typo) is not silently read as 123.
    """
    s = normalised(raw)
    negative = s.str.contains(_ACCOUNTING)
    core = pl.when(negative).then(s.str.extract(_ACCOUNTING, 1)).otherwise(s).str.strip_suffix("%")
    has_comma = core.str.contains(",", literal=True)
    core = (
        pl.when(has_comma & ~core.str.contains(_GROUPED))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(core.str.replace_all(",", "", literal=True))
    )
    number = core.cast(VALUE_DTYPE, strict=False)
    return pl.when(negative).then(-number).otherwise(number)
