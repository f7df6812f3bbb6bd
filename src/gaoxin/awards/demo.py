"""The demo's example of inputs the user supplies (decision 082): for a demo pack whose rules read
such inputs, a file in the data directory filled by a stated rule from the demo's own data, so that
the demo decides those rules (Fujian's 约谈 of a 较差 zone opens a case). For the demo only: the
values are made up from synthetic data by a rule anyone can check, not a reading of any policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gaoxin.engine.facts import FactFrame
from gaoxin.engine.periods import Period

DEMO_NOTE = "仅供演示：数值由演示数据按下述规则生成，不是任何评价考核或政策的结论。"


@dataclass(frozen=True)
class DemoRule:
    """How one pack's demo inputs are made: ``words`` (the rule, written in the file and in
    docs/demo-data.md) and ``values`` (facts, period → ``entity`` and a column per input)."""

    words: str
    values: Callable[[FactFrame, Period], pl.DataFrame]


def _fujian(facts: FactFrame, period: Period) -> pl.DataFrame:
    """The national zones of the year ordered by 营业收入 (largest first, a zone without it
    last, then by code): the first third (rounded up) 好, the last third (rounded down) 较差,
    the rest 一般."""
    zones = (
        facts.wide("year")
        .filter(
            (pl.col("period") == str(period))
            & (pl.col("kind") == "zone")
            & (pl.col("level") == "national")
        )
        .select("entity", "revenue")
        .sort(pl.col("revenue"), "entity", descending=[True, False], nulls_last=True)
        .with_row_index("place")
    )
    n = zones.height
    good, poor = -(-n // 3), n // 3
    grade = (
        pl.when(pl.col("place") < good)
        .then(pl.lit("好"))
        .when(pl.col("place") >= n - poor)
        .then(pl.lit("较差"))
        .otherwise(pl.lit("一般"))
    )
    return zones.select("entity", grade.alias("evaluation_result"))


DEMO_RULES: dict[str, DemoRule] = {
    "fujian-2021": DemoRule(
        "评价考核结果（好、一般、较差）：政策文件适用地区（福建省）当年的国家高新区按营业收入从高到低排列（无数据的排在最后，"
        "同额按代码），前三分之一（向上取整）为“好”，后三分之一（向下取整）为“较差”，其余为“一般”。"
        "其他需由用户提供的数据（全国排名、择优名单、科技城考核）不填，相关条款列入“待补数据”。",
        _fujian,
    ),
}


def demo_inputs_path(home: Path, pack_id: str) -> Path:
    return Path(home) / f"演示-用户提供输入-{pack_id}.xlsx"


def write_demo_inputs(pack: Any, period: Period, home: Path) -> Path | None:
    """Write the demo's inputs file of ``pack`` for ``period`` into ``home`` (the data
    directory), over the pack's region, and return its path; None for a pack without a demo
    rule."""
    from gaoxin.awards.services import inputs_template
    from gaoxin.awards.workbook import write_inputs_template
    from gaoxin.policy.titles import pack_title
    from gaoxin.registry.models import Entity
    from gaoxin.statistics import analytics

    rule = DEMO_RULES.get(pack.spec.id)
    if rule is None:
        return None
    # the pack's region: the store also holds the reference list of every national zone
    region = pack.spec.region
    scope = Entity.objects.filter(kind="region", code=region).first() if region else None
    template = inputs_template(pack, scope, by=None)
    facts, _ = analytics.facts(scope, by=None, fresh=True)
    path = demo_inputs_path(home, pack.spec.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_inputs_template(
        template,
        path,
        title=f"{pack_title(pack.spec.id)} 用户提供的输入（演示，{period}年）",
        values=rule.values(facts, period),
        notes=(DEMO_NOTE, f"生成规则：{rule.words}"),
    )
    return path
