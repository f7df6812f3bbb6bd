"""Numbers as people type them into statistics forms, parsed column-wise with Polars.

Accepted: ``1234.5``, thousands separators (``1,234.5``, ``1，234.5``, ``1 234.5``), full-width digits
(``１２３４．５``), accounting negatives (``(123)``), percentages (``12.5%``), scientific
notation as Excel displays it (``1.2E+05``). Blank, ``-``, ``—``, ``/`` and ``无`` mean "not
reported" and are skipped, not errors. ``12 34`` is not 1234: a space splits a number only
between groups of three digits. Values are ``Decimal(38, 10)``: exact for what a person
can type, so the store, which keeps Decimal, receives what was written.

The work is done on whole columns; each clean-up step (full-width, spaces, parentheses,
separators) runs only on the cells that need it, so a column of plain numbers costs one cast.
"""

from __future__ import annotations

import polars as pl

VALUE_DTYPE = pl.Decimal(38, 10)

MISSING_MARKS = ("-", "--", "---", "—", "——", "–", "/", "\\", "无", "空", "不适用", "…", "……")

_GROUPED = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_ACCOUNTING = r"^\((.+)\)$"


def _patch(s: pl.Series, mask: pl.Series, fix: pl.Expr) -> pl.Series:
    """Apply ``fix`` (an expression over ``pl.col('s')``) only where ``mask`` is true."""
    idx = mask.fill_null(False).arg_true()
    if idx.len() == 0:
        return s
    fixed = pl.DataFrame({"s": s.gather(idx)}).select(fix).to_series()
    return s.scatter(idx, fixed)


# Spaces inside a number are removed only where they group digits in threes (``1 234 567``) or
# stand beside a sign, bracket or %; ``12 34`` stays as written and is not a number.
_SPACED_GROUPS = r"^[+-]?\d{1,3}( \d{3})+(\.\d*)?$"


def normalised(raw: pl.Series) -> pl.Series:
    """Full-width to half-width (NFKC); spaces at the ends, beside a sign, bracket or %, and
    between groups of three digits removed."""
    s = raw.cast(pl.String)
    s = _patch(s, s.str.contains(r"[^\x00-\x7f]"), pl.col("s").str.normalize("NFKC"))
    spaced = pl.col("s").str.strip_chars().str.replace_all(r"\s+", " ")
    spaced = spaced.str.replace(r"^([+\-(]) ", "${1}").str.replace(r" ([%)])$", "${1}")
    return _patch(
        s,
        s.str.contains(r"\s"),
        pl.when(spaced.str.contains(_SPACED_GROUPS))
        .then(spaced.str.replace_all(" ", "", literal=True))
        .otherwise(spaced),
    )


def parse_numbers(raw: pl.Series) -> pl.DataFrame:
    """Parse a column of text cells.

    Returns a frame, aligned with ``raw``, of ``number`` (``Decimal(38, 10)``, null where the
    cell is missing or not a number), ``missing`` (the cell says "not reported") and
    ``percent`` (the cell ends in ``%``; callers decide whether a percentage is allowed). A
    comma is accepted only as a thousands separator in groups of three, so ``1,23`` (a decimal
    comma, or a typo) is not silently read as 123.
    """
    s = normalised(raw)
    missing = (s.is_null() | (s == "") | s.is_in(MISSING_MARKS)).fill_null(True)
    negative = s.str.starts_with("(") & s.str.contains(_ACCOUNTING)
    s = _patch(s, negative, pl.col("s").str.extract(_ACCOUNTING, 1))
    percent = s.str.ends_with("%").fill_null(False)
    s = _patch(s, percent, pl.col("s").str.strip_suffix("%"))
    s = _patch(
        s,
        s.str.contains(",", literal=True),
        pl.when(pl.col("s").str.contains(_GROUPED))
        .then(pl.col("s").str.replace_all(",", "", literal=True))
        .otherwise(pl.lit(None, dtype=pl.String)),
    )
    number = s.cast(VALUE_DTYPE, strict=False)
    number = _patch(number, negative, -pl.col("s"))
    return pl.DataFrame({"number": number, "missing": missing, "percent": percent})


def parse_number(raw: pl.Expr) -> pl.Expr:
    """:func:`parse_numbers` as an expression (for small frames and ad-hoc use)."""
    return raw.map_batches(
        lambda s: parse_numbers(s)["number"], return_dtype=VALUE_DTYPE, is_elementwise=True
    )


def is_missing(raw: pl.Expr) -> pl.Expr:
    """True where a cell says "not reported": empty or a dash-like mark."""
    return raw.map_batches(
        lambda s: parse_numbers(s)["missing"], return_dtype=pl.Boolean, is_elementwise=True
    )


def is_percent(raw: pl.Expr) -> pl.Expr:
    return raw.map_batches(
        lambda s: parse_numbers(s)["percent"], return_dtype=pl.Boolean, is_elementwise=True
    )
