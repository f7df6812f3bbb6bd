"""The demo's example of a pack's supplied inputs, made from the demo's own data by the recipe in
the pack's ``demo:`` section (decision 083): one pure Polars function per method, the values of
every recipe for a period, and the recipe in the words written into the file and the docs. For
the demo only: the values are made up, not a reading of any policy."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from gaoxin.engine.certifications import LEVELS as LEVEL_ZH
from gaoxin.engine.facts import ATTRIBUTES, FactFrame
from gaoxin.engine.packs.schema import DemoInput, Input, Pack
from gaoxin.engine.periods import Period
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.engine.zones import LEVELS as ZONE_LEVELS

#: Every file and page that shows the demo's example inputs says this first.
DEMO_NOTE = "仅供演示：数值由演示数据按下述规则生成，不是任何评价考核或政策的结论。"

#: The entities of each level, as the recipe's words name them.
ENTITY_ZH: dict[str, str] = {
    "zone": "高新区",
    "enterprise": "企业",
    "institution": "机构",
    "city": "市",
    "province": "省",
}
#: The values an attribute may take in a recipe's ``among``, with their words (only 园区级别's
#: are listed; another attribute's value is taken as written).
VALUE_ZH: dict[str, dict[str, str]] = {"level": {v: LEVEL_ZH[v] for v in ZONE_LEVELS}}

#: What a flag or an amount gives the entities of the input's level outside ``among``: they
#: cannot be among the first places, so they are not chosen (grades and ranks leave them blank).
OUTSIDE: dict[str, bool | float] = {"top": False, "amount": 0.0}

_DIGITS_ZH = "零一二三四五六七八九十"


# --- the methods: ``values`` is ``entity`` and ``value`` (the figure the places follow) --------


def placed(values: pl.DataFrame, *, high_first: bool = True) -> pl.DataFrame:
    """``values`` with ``place`` (1, 2, …): by ``value`` from the highest (or the lowest), an
    entity without it last, ties by code."""
    return values.sort(
        pl.col("value"), "entity", descending=[high_first, False], nulls_last=True
    ).with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.UInt32).alias("place"))


def _first(count: int | None, share: float | None) -> pl.Expr:
    """Whether a placed row is among the first ``count`` places, or the first ``share`` of them
    (rounded up); every row when neither is given."""
    if count is not None:
        return pl.col("place") <= count
    if share is not None:
        return pl.col("place") <= (pl.len() * share).ceil()
    return pl.lit(True)


def grades(values: pl.DataFrame, grades: list[str], *, high_first: bool = True) -> pl.DataFrame:
    """The k ``grades`` in equal shares by place: place p of n has grade ⌊(p-1)·k/n⌋, so grade
    i (from 1) goes to the places up to ⌈i·n/k⌉ not in an earlier grade."""
    k = len(grades)
    index = ((pl.col("place") - 1) * k) // pl.len()
    return placed(values, high_first=high_first).select(
        "entity",
        index.replace_strict(dict(enumerate(grades)), return_dtype=pl.String).alias("value"),
    )


def rank(values: pl.DataFrame, *, high_first: bool = True) -> pl.DataFrame:
    """The place itself (1 for the first)."""
    return placed(values, high_first=high_first).select(
        "entity", pl.col("place").cast(pl.Float64).alias("value")
    )


def top(
    values: pl.DataFrame,
    *,
    count: int | None = None,
    share: float | None = None,
    high_first: bool = True,
) -> pl.DataFrame:
    """True for the first ``count`` places (or the first ``share``, rounded up), False for the
    rest."""
    return placed(values, high_first=high_first).select(
        "entity", _first(count, share).alias("value")
    )


def amount(
    values: pl.DataFrame,
    factor: float,
    *,
    digits: int = 2,
    count: int | None = None,
    share: float | None = None,
    high_first: bool = True,
) -> pl.DataFrame:
    """``value`` times ``factor`` rounded half up to ``digits`` decimals; with ``count`` or
    ``share``, only for the first places (the rest 0); an entity without the figure has none."""
    times = (pl.col("value") * factor).round(digits, mode="half_away_from_zero")
    return placed(values, high_first=high_first).select(
        "entity", pl.when(_first(count, share)).then(times).otherwise(pl.lit(0.0)).alias("value")
    )


def apply(recipe: DemoInput, values: pl.DataFrame) -> pl.DataFrame:
    """``recipe``'s method over ``values`` (``entity``, ``value``): ``entity`` and ``value``."""
    high = recipe.order == "high_first"
    share = float(recipe.share) if recipe.share is not None else None
    if recipe.method == "grades":
        assert recipe.grades is not None
        return grades(values, recipe.grades, high_first=high)
    if recipe.method == "rank":
        return rank(values, high_first=high)
    if recipe.method == "top":
        return top(values, count=recipe.count, share=share, high_first=high)
    assert recipe.factor is not None
    return amount(
        values,
        float(recipe.factor),
        digits=recipe.digits,
        count=recipe.count,
        share=share,
        high_first=high,
    )


# --- a pack's recipes over the facts ------------------------------------------------------------


def _nothing_to_place(pack: Pack, n: int, recipe: DemoInput, inp: Input, period: Period) -> Problem:
    """The problem of a recipe whose ``by`` none of the entities it places has: its places
    would be the codes' order, presented as a ranking by ``by``."""
    from gaoxin.engine.packs.loader import facts_namespace

    label = facts_namespace()[recipe.by].label or recipe.by
    year = period.shift(-recipe.lag)
    return Problem(
        code="pack.demo",
        message=(
            f"政策包「{pack.id}」演示输入「{recipe.input}」：排列依据「{recipe.by}」（{label}）"
            f"在{year}年对要排列的{ENTITY_ZH.get(inp.level or '', inp.level)}全都没有数据，"
            "按它排列只会是按代码排列；请改用这些对象有数据的变量或指标"
        ),
        column=f"demo.inputs.{n}.by",
        value=recipe.by,
    )


def example_values(pack: Pack, facts: FactFrame, period: Period) -> pl.DataFrame:
    """``entity`` and a column per input of ``pack``'s demo recipes, for the entities of each
    input's level in ``facts`` (the pack's region) for ``period``; an entity no recipe covers
    has nulls. Empty (``entity`` only) for a pack without a ``demo:`` section. A recipe whose
    ``by`` is null for every entity it places is refused (:class:`ProblemsError`): its values
    would be the codes' order under the name of ``by``; some nulls are placed last."""
    from gaoxin.engine.packs.bindings import values_of

    out = pl.DataFrame(schema={"entity": pl.String})
    if pack.demo is None:
        return out
    wide = facts.wide(period.kind).filter(pl.col("period") == str(period))
    inputs = {i.id: i for i in pack.inputs}
    for n, recipe in enumerate(pack.demo.inputs):
        inp = inputs[recipe.input]
        assert inp.level is not None  # the pack check requires it
        level = wide.filter(pl.col("kind").cast(pl.String) == inp.level)
        chosen = level.filter(
            *[pl.col(a).cast(pl.String) == v for a, v in recipe.among.items()] or [pl.lit(True)]
        )
        figures = values_of(recipe.by, inp.level, facts, period.shift(-recipe.lag))
        them = chosen.select(pl.col("entity").cast(pl.String)).join(
            figures, on="entity", how="left"
        )
        if them.height and them["value"].null_count() == them.height:
            raise ProblemsError([_nothing_to_place(pack, n, recipe, inp, period)])
        made = apply(recipe, them)
        if recipe.method in OUTSIDE:  # a flag or an amount says no of the rest of the level
            rest = level.select(pl.col("entity").cast(pl.String)).join(
                made, on="entity", how="anti"
            )
            made = pl.concat(
                [made, rest.with_columns(pl.lit(OUTSIDE[recipe.method]).alias("value"))]
            )
        out = out.join(made.rename({"value": inp.id}), on="entity", how="full", coalesce=True)
    return out


# --- the recipe in words --------------------------------------------------------------------


def _share_zh(numerator: int, denominator: int) -> str:
    if denominator <= len(_DIGITS_ZH) - 1:
        return f"{_DIGITS_ZH[denominator]}分之{_DIGITS_ZH[numerator]}"
    return f"{numerator}/{denominator}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def recipe_words(recipe: DemoInput, inp: Input, region: str, by_label: str) -> str:
    """One recipe as a sentence: which entities, placed by what, then what each gets."""
    level = inp.level or ""
    when = "当年" if recipe.lag == 0 else ("上一年" if recipe.lag == 1 else f"{recipe.lag}年前")
    among = "".join(
        f"{ATTRIBUTES[a][1]}为“{VALUE_ZH.get(a, {}).get(v, v)}”的" for a, v in recipe.among.items()
    )
    direction = "从高到低" if recipe.order == "high_first" else "从低到高"
    subject = f"{inp.label}：政策文件适用地区（{region}）{among}{ENTITY_ZH.get(level, level)}"
    placing = f"按{when}的{by_label}{direction}排列（无数据的排在最后，同额按代码），"
    if recipe.count is not None:
        first = f"前{recipe.count}名"
    elif recipe.share is not None:
        first = f"前{_number(recipe.share * 100)}%（向上取整）"
    else:
        first = ""
    if recipe.method == "grades":
        assert recipe.grades is not None
        k = len(recipe.grades)
        steps = [
            f"名次在前{_share_zh(i, k)}（向上取整）以内的{'其余' if i > 1 else ''}为“{g}”"
            for i, g in enumerate(recipe.grades[:-1], start=1)
        ]
        tail = "，".join(steps) + f"，其余为“{recipe.grades[-1]}”"
    elif recipe.method == "rank":
        tail = "名次（从1起）即为所填的值"
    elif recipe.method == "top":
        tail = f"{first}为“是”，其余为“否”"
    else:
        assert recipe.factor is not None
        unit = f"（{inp.unit}）" if inp.unit else ""
        value = f"{by_label}×{_number(recipe.factor)}，四舍五入保留{recipe.digits}位小数{unit}"
        tail = f"{first}填{value}，其余填0" if first else f"填{when}的{value}（无数据的不填）"
    if among and recipe.method in OUTSIDE:
        tail += (
            f"；其他{ENTITY_ZH.get(level, level)}为“否”"
            if recipe.method == "top"
            else f"；其他{ENTITY_ZH.get(level, level)}填0"
        )
    elif among:
        tail += f"；其他{ENTITY_ZH.get(level, level)}不填"
    ordered = recipe.method != "amount" or bool(first)
    return subject + (placing if ordered else "") + tail + "。"


def example_words(pack: Pack) -> list[str]:
    """The sentences that state ``pack``'s demo recipes, then which supplied inputs the demo
    leaves blank; empty without a ``demo:`` section."""
    from gaoxin.engine.packs.bindings import inputs_read
    from gaoxin.engine.packs.loader import facts_namespace, jurisdiction_label

    if pack.demo is None:
        return []
    names = facts_namespace()
    region = jurisdiction_label(pack.region)
    inputs = {i.id: i for i in pack.inputs}
    out = [
        recipe_words(r, inputs[r.input], region, names[r.by].label or r.by)
        for r in pack.demo.inputs
    ]
    made = {r.input for r in pack.demo.inputs}
    blank = [i.label for i in inputs_read(pack) if i.source == "supplied" and i.id not in made]
    if blank:
        out.append(f"其他需由用户提供的数据（{'、'.join(blank)}）不填，相关条款列入“待补数据”。")
    return out
