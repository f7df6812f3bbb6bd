"""Certification functions: ``certified("hte")``, ``became("hte")``, ``lost("hte")``.

They read the fact frame's ``__cert__<kind>`` (highest level held at the end of the period) and
``__certprev__<kind>`` (held on the day before the period starts) columns. ``level="provincial"``
means that level or above (省级以上): national 3 > provincial 2 > city 1 > held without a level 0.

- ``certified(kind, level=…)``: holds it at the end of the period;
- ``became(kind, level=…)``: holds it at the end but did not the day before the period began —
  newly certified (a renewal without a gap is not new; an upgrade to the level asked is);
- ``lost(kind, level=…)``: held it the day before the period began, not at its end.

Never missing: an entity without a certification row does not hold it.
"""

from __future__ import annotations

import polars as pl

from gaoxin.engine.certifications import ENTERPRISE_KINDS, INSTITUTION_KINDS, KINDS
from gaoxin.engine.expr.functions import CallArgs, CompileContext, FunctionSpec, Param
from gaoxin.engine.expr.namespace import ExprType

LEVELS = {"national": 3, "provincial": 2, "city": 1, "any": 0}
KIND_ZH = {**ENTERPRISE_KINDS, **INSTITUTION_KINDS}
LEVEL_ZH = {"national": "国家级", "provincial": "省级以上", "city": "市级以上", "any": ""}


def cert_column(kind: str, prev: bool = False) -> str:
    return f"__certprev__{kind}" if prev else f"__cert__{kind}"


def _rank(args: CallArgs) -> int:
    return LEVELS[str(args.literal("level", "any"))]


def _held(kind: str, rank: int, prev: bool) -> pl.Expr:
    return (pl.col(cert_column(kind, prev)) >= rank).fill_null(False)


def _certified(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    return _held(str(args.literal("kind")), _rank(args), False)


def _became(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    kind, rank = str(args.literal("kind")), _rank(args)
    return _held(kind, rank, False) & ~_held(kind, rank, True)


def _lost(args: CallArgs, ctx: CompileContext) -> pl.Expr:
    kind, rank = str(args.literal("kind")), _rank(args)
    return _held(kind, rank, True) & ~_held(kind, rank, False)


def _text(verb: str):  # noqa: ANN202
    def describe(a, r):  # type: ignore[no-untyped-def]
        kind = a["kind"].strip("“”\"'")
        level = a.get("level", "any").strip("“”\"'")
        return f"{verb}{LEVEL_ZH.get(level, level)}{KIND_ZH.get(kind, kind)}认定"

    return describe


_PARAMS = (
    Param("kind", ExprType.STRING, literal=True, choices=KINDS, label="认定类型"),
    Param(
        "level",
        ExprType.STRING,
        required=False,
        literal=True,
        choices=tuple(LEVELS),
        label="级别（及以上）",
    ),
)

SPECS = (
    FunctionSpec(
        name="certified",
        params=_PARAMS,
        returns=ExprType.BOOL,
        compile=_certified,
        label="持有认定",
        describe=_text("持有"),
    ),
    FunctionSpec(
        name="became",
        params=_PARAMS,
        returns=ExprType.BOOL,
        compile=_became,
        label="本期新获认定",
        describe=_text("本期新获"),
    ),
    FunctionSpec(
        name="lost",
        params=_PARAMS,
        returns=ExprType.BOOL,
        compile=_lost,
        label="本期失去认定",
        describe=_text("本期失去"),
    ),
)

MISSING = {s.name: "none" for s in SPECS}
