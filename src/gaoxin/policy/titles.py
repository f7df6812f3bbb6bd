"""The names users read for a pack and its rules, never their codes: the pack's title and a
rule's title (its article where a rule has none), read once per pack from the shipped pack.yaml."""

from __future__ import annotations

from functools import cache

import yaml
from django.utils.translation import gettext, gettext_noop

from gaoxin.engine.packs.schema import ACTION_ZH

__all__ = ["ACTION_ZH", "action_title", "pack_title", "pack_yaml", "rule_title"]

#: The action words of ACTION_ZH, listed for the catalogue (decision 035): pages show them
#: through :func:`action_title`.
ACTION_WORDS = (
    gettext_noop("通报表扬"),
    gettext_noop("督促警告"),
    gettext_noop("约谈"),
    gettext_noop("限期整改"),
    gettext_noop("撤销资格"),
    gettext_noop("优先推荐"),
    gettext_noop("倾斜支持"),
    gettext_noop("综合支持"),
)


def action_title(action: str) -> str:
    """An action in the reader's language: 限期整改 (Rectify within a deadline)."""
    return gettext(ACTION_ZH.get(action, action)) if action else ""


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
