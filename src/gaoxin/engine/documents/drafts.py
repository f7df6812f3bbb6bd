"""Draft pack items from a parsed document: rules for money clauses, targets for goals.

Every item is marked ``status: draft`` and the file opens with a notice: these are
suggestions for a person to review and complete (conditions, formulas), never a pack.
Quotes are copied from the document so that ``packs check`` finds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gaoxin.engine.documents.model import Document

NOTICE = (
    "# 草稿（DRAFT）—— 由 gaoxin doc parse 从政策文件自动生成，未经人工审核。\n"
    "# 每一项都须对照原文核实，补全适用条件（where）与金额公式（amount）后，才能放入政策包。\n"
    "# status: draft 的条目不会被任何评价或奖补计算使用。\n"
)


def _article(path: list[str]) -> str:
    return "".join(path)


def draft_items(doc: Document) -> dict[str, Any]:
    """The draft rules and targets as plain data."""
    rules: list[dict[str, Any]] = []
    for m in doc.measures:
        by_sentence: dict[str, dict[str, Any]] = {}
        for a in m.amounts:
            quote = doc.sentence_at(a.span)
            item = by_sentence.setdefault(quote, {"amounts": [], "percentages": []})
            item["amounts"].append({"text": a.text, "value_wan": a.value_wan, "role": a.role})
        for p in m.percentages:
            quote = doc.sentence_at(p.span)
            item = by_sentence.setdefault(quote, {"amounts": [], "percentages": []})
            item["percentages"].append({"text": p.text, "percent": p.value, "basis": p.basis})
        for quote, found in by_sentence.items():
            roles = {a["role"] for a in found["amounts"]}
            if not (roles & {"award", "cap", "floor"} or found["percentages"]):
                continue  # statistics and thresholds alone are not money clauses
            rule: dict[str, Any] = {
                "id": f"draft-rule-{len(rules) + 1}",
                "status": "draft",
                "title": m.title,
                "cite": {"article": _article(m.path), "quote": quote},
                "unit": "万元",
                "amounts": found["amounts"],
            }
            if found["percentages"]:
                rule["percentages"] = found["percentages"]
            rule["applies_to"] = None
            rule["where"] = None
            rule["amount"] = None
            rule["interpretation"] = "待审核：请写明适用对象、条件与金额公式。"
            rules.append(rule)
    targets: list[dict[str, Any]] = []
    for t in doc.targets:
        targets.append(
            {
                "id": f"draft-target-{len(targets) + 1}",
                "status": "draft",
                "cite": {"article": _article(t.path), "quote": doc.text[t.span[0] : t.span[1]]},
                "indicator": None,
                "indicator_text": t.indicator,
                "comparator": t.comparator,
                "target": t.value,
                "unit": t.unit,
                "baseline": t.baseline,
                "by": t.year,
            }
        )
    return {
        "draft": True,
        "source": {
            "title": doc.title,
            "issuer": doc.issuer,
            "doc_number": doc.doc_number,
            "issued": doc.issued,
        },
        "rules": rules,
        "targets": targets,
    }


def drafts_yaml(doc: Document) -> str:
    body = yaml.safe_dump(draft_items(doc), allow_unicode=True, sort_keys=False, width=120)
    return NOTICE + body


def write_drafts(doc: Document, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(drafts_yaml(doc), encoding="utf-8")
    return path
