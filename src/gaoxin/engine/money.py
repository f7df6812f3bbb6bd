"""Money, exactly: amounts are integer 分 (Int64) in frames and ``Decimal`` 万元 in Python.

Formulas in the expression language compute in Float64 (docs/expressions.md). A formula's result
is therefore *snapped* first — rounded to the nearest 10⁻⁸ 万元 (0.01 分), far finer than any
rounding rule and coarser than Float64's spacing for amounts below 10⁷ 万元 (1,000 亿元), so
0.03 × 235 = 7.050000000000001 snaps to exactly 7.05 — and then rounded to the pack's declared
unit in integer arithmetic. Everything after that (floors, caps, budgets, sums) is integer 分.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Literal

import polars as pl

FEN_PER_WAN = 1_000_000
#: The snapping grid: 10⁻⁸ 万元, i.e. 100 grid steps per 分.
_GRID_PER_WAN = 100_000_000
_GRID_PER_FEN = _GRID_PER_WAN // FEN_PER_WAN
#: Largest amount the grid holds in an Int64 (about 9.2 × 10¹⁰ 万元).
MAX_WAN = (2**63 - 1) // _GRID_PER_WAN

RoundingMode = Literal["half_up", "down"]


def round_fen(expr: pl.Expr, unit_fen: int = 1, mode: RoundingMode = "half_up") -> pl.Expr:
    """Round an Int64 amount in 分 to a multiple of ``unit_fen`` (half away from zero, or down)."""
    return _round_int(expr, unit_fen, mode)


def wan_to_fen(expr: pl.Expr, unit_fen: int = 1, mode: RoundingMode = "half_up") -> pl.Expr:
    """A Float64 amount in 万元 as Int64 分, rounded to ``unit_fen`` (see the module docstring)."""
    x = expr.cast(pl.Float64)
    ok = x.is_finite() & (x.abs() <= MAX_WAN)
    grid = pl.when(ok).then((x * _GRID_PER_WAN).round(0)).cast(pl.Int64)
    return _round_int(grid, unit_fen * _GRID_PER_FEN, mode) // _GRID_PER_FEN


def _round_int(v: pl.Expr, unit: int, mode: RoundingMode) -> pl.Expr:
    if unit == 1:
        return v
    a = v.abs()
    q = (a + unit // 2) // unit if mode == "half_up" else a // unit
    return pl.when(v < 0).then(-(q * unit)).otherwise(q * unit)


def fen_text(expr: pl.Expr) -> pl.Expr:
    """Int64 分 as the 万元 text a user reads: ``7050000`` → ``"7.05"``, ``1000000`` → ``"1"``."""
    a = expr.abs()
    whole = (a // FEN_PER_WAN).cast(pl.String)
    frac = (a % FEN_PER_WAN).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    body = pl.when(frac == "").then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    return pl.concat_str([sign, body])


def fen_decimal(expr: pl.Expr) -> pl.Expr:
    """Int64 分 as a Polars Decimal column of 万元 (scale 6: exact to the 分)."""
    return fen_text(expr).cast(pl.Decimal(38, 6))


def to_fen(wan: Decimal | int | str, unit_fen: int = 1, mode: RoundingMode = "half_up") -> int:
    """A Decimal amount in 万元 as integer 分, rounded to ``unit_fen``."""
    fen = Decimal(wan) * FEN_PER_WAN
    rounding = ROUND_HALF_UP if mode == "half_up" else ROUND_DOWN
    return int((fen / unit_fen).quantize(Decimal(1), rounding=rounding)) * unit_fen


def to_wan(fen: int) -> Decimal:
    """Integer 分 as Decimal 万元 (exact)."""
    return Decimal(fen) / FEN_PER_WAN
