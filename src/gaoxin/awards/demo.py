"""The demo's example of the inputs the user supplies (decisions 082, 083): for a demo pack with
a ``demo:`` section, a file in the data directory filled by the pack's recipes from the demo's
own data (gaoxin.engine.packs.demo), so that the demo decides the rules that read them (Fujian's
约谈 of a 较差 zone opens a case). For the demo only: the values are made up from synthetic data
by rules anyone can check, not a reading of any policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gaoxin.engine.packs.demo import DEMO_NOTE, example_values, example_words
from gaoxin.engine.periods import Period

__all__ = ["DEMO_NOTE", "demo_inputs_path", "write_demo_inputs"]


def demo_inputs_path(home: Path, pack_id: str) -> Path:
    return Path(home) / f"演示-用户提供输入-{pack_id}.xlsx"


def write_demo_inputs(pack: Any, period: Period, home: Path) -> Path | None:
    """Write the demo's inputs file of ``pack`` for ``period`` into ``home`` (the data
    directory), over the pack's region, and return its path; None for a pack without a
    ``demo:`` section."""
    from gaoxin.awards.services import inputs_template
    from gaoxin.awards.workbook import write_inputs_template
    from gaoxin.policy.titles import pack_title
    from gaoxin.registry.models import Entity
    from gaoxin.statistics import analytics

    if pack.spec.demo is None:
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
        values=example_values(pack.spec, facts, period),
        notes=(DEMO_NOTE, *(f"生成规则：{w}" for w in example_words(pack.spec))),
    )
    return path
