"""Policy packs: a policy document as data (parameters, rules, targets, measures), each item
citing the clause it implements. ``load_pack`` / ``check_pack`` read and check one; the rules
engine (gaoxin.engine.rules) and targets (gaoxin.engine.targets) run it. See docs/packs.md."""

from gaoxin.engine.packs.loader import (
    LoadedPack,
    check_pack,
    load_pack,
    normalise_text,
    pack_namespace,
)
from gaoxin.engine.packs.schema import (
    ACTION_ZH,
    Bracket,
    Budget,
    Cite,
    Input,
    Measure,
    Money,
    Pack,
    Parameter,
    Rule,
    RuleGroup,
    Target,
    Tiers,
)

__all__ = [
    "ACTION_ZH",
    "Bracket",
    "Budget",
    "Cite",
    "Input",
    "LoadedPack",
    "Measure",
    "Money",
    "Pack",
    "Parameter",
    "Rule",
    "RuleGroup",
    "Target",
    "Tiers",
    "check_pack",
    "load_pack",
    "normalise_text",
    "pack_namespace",
]
