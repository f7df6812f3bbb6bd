"""Collective units: a responsible unit's name that stands for a class of entities
(各设区市人民政府, 各高新区管委会) and how it expands, read from data
(``gaoxin/packs/catalogue/collective_units.yaml``, decision 043). Pure: which entities of the
registry a rule takes is the caller's query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from gaoxin.engine.problems import Problem, ProblemsError

RULES_FILE = Path(__file__).resolve().parents[2] / "packs" / "catalogue" / "collective_units.yaml"
KINDS = {"region": ("city", "county"), "zone": ("national", "provincial")}


@dataclass(frozen=True)
class CollectiveRule:
    id: str
    label: str
    names: tuple[re.Pattern[str], ...]
    #: ``region`` or ``zone``; None for a unit that stays one (``stays``)
    kind: str | None = None
    level: str | None = None
    with_zone: bool = False

    @property
    def stays(self) -> bool:
        return self.kind is None

    def matches(self, name: str) -> bool:
        return any(p.fullmatch(name) for p in self.names)


def _rule(raw: dict, where: str) -> CollectiveRule:
    expand = raw.get("expand")
    if bool(expand) == bool(raw.get("stays")):
        raise ProblemsError(
            [Problem("collective.shape", f"{where}：expand 与 stays 必须且只能有一个")]
        )
    kind = level = None
    if expand:
        kind, level = expand.get("kind"), expand.get("level")
        if kind not in KINDS or (level is not None and level not in KINDS[kind]):
            raise ProblemsError(
                [Problem("collective.kind", f"{where}：不认识的拆分方式 {expand}", value=str(kind))]
            )
    try:
        names = tuple(re.compile(n) for n in raw["names"])
    except re.error as e:
        raise ProblemsError([Problem("collective.pattern", f"{where}：正则表达式有误：{e}")]) from e
    return CollectiveRule(
        id=str(raw["id"]),
        label=str(raw.get("label", raw["id"])),
        names=names,
        kind=kind,
        level=level,
        with_zone=bool(expand and expand.get("with_zone")),
    )


def load_rules(path: Path = RULES_FILE) -> tuple[CollectiveRule, ...]:
    """The rules of ``path``, in order (the first that matches a name wins)."""
    data = yaml.safe_load(path.read_text("utf-8"))
    return tuple(_rule(r, f"{path.name} 第{i}条") for i, r in enumerate(data["rules"], start=1))


@cache
def default_rules() -> tuple[CollectiveRule, ...]:
    return load_rules()


def collective_rule(
    name: str, rules: tuple[CollectiveRule, ...] | None = None
) -> CollectiveRule | None:
    """The first rule whose names match ``name`` (normalised: no spaces, full-width brackets)."""
    for rule in default_rules() if rules is None else rules:
        if rule.matches(name):
            return rule
    return None


def rule_by_id(rule_id: str) -> CollectiveRule | None:
    return next((r for r in default_rules() if r.id == rule_id), None)
