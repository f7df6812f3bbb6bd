"""The names users read for a pack and its rules, never their codes: the pack's title and a
rule's title (its article where a rule has none), read once per pack from the shipped pack.yaml."""

from __future__ import annotations

from functools import cache

import yaml

from gaoxin.engine.packs.schema import ACTION_ZH

__all__ = ["ACTION_ZH", "pack_title", "pack_yaml", "rule_title"]


@cache
def _pack(pack: str) -> dict:
    from gaoxin.evaluation.frameworks import shipped_pack_dirs

    d = shipped_pack_dirs().get(pack)
    if d is None or not (d / "pack.yaml").is_file():
        return {}
    return yaml.safe_load((d / "pack.yaml").read_text(encoding="utf-8")) or {}


def pack_yaml(pack: str) -> dict:
    """The shipped pack.yaml of ``pack`` as read (empty for an unknown pack)."""
    return _pack(pack)


def pack_title(pack: str) -> str:
    """《促进高新技术产业开发区高质量发展实施方案》 for fujian-2021; the id for an unknown pack."""
    title = _pack(pack).get("title")
    return f"《{title}》" if title else pack


def rule_title(pack: str, rule: str) -> str:
    """A rule's title (科技城建设奖励); its article (第八(二十二)条) where it has no title."""
    for spec in _pack(pack).get("rules") or []:
        if spec.get("id") == rule:
            cite = spec.get("cite") or {}
            return spec.get("title") or (f"第{cite['article']}条" if cite.get("article") else rule)
    return rule
