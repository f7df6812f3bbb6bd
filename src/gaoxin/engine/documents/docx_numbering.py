"""Word's automatic list numbering, written back into paragraph text.

A .docx may number 一、/（一）/1. with Word lists rather than typed characters; the numbers
then live in numbering.xml, not in the paragraph. This renders them as Word would show them,
so that the heading reader sees the same text a person sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cn2an

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _attr(el: Any, name: str) -> str | None:
    return el.get(f"{W}{name}") if el is not None else None


def format_number(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "chineseLegalSimplified",
        "ideographTraditional",
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
    ):
        return str(cn2an.an2cn(n, "low"))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman" or fmt == "upperRoman":
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, s in vals:
            while k >= v:
                out, k = out + s, k - v
        return out if fmt == "lowerRoman" else out.upper()
    if fmt == "bullet" or fmt == "none":
        return ""
    return str(n)


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class Numbering:
    """Renders list labels paragraph by paragraph, keeping Word's counters."""

    levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # numId -> ilvl -> Level
    counters: dict[str, list[int]] = field(default_factory=dict)  # abstract id -> counters

    @classmethod
    def of(cls, document: Any) -> Numbering:
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return numbering
        abstract: dict[str, dict[int, Level]] = {}
        for an in root.findall(f"{W}abstractNum"):
            lv: dict[int, Level] = {}
            for lvl in an.findall(f"{W}lvl"):
                ilvl = int(_attr(lvl, "ilvl") or 0)
                fmt = _attr(lvl.find(f"{W}numFmt"), "val") or "decimal"
                text = _attr(lvl.find(f"{W}lvlText"), "val") or ""
                start = int(_attr(lvl.find(f"{W}start"), "val") or 1)
                lv[ilvl] = Level(fmt, text, start)
            abstract[_attr(an, "abstractNumId") or ""] = lv
        for num in root.findall(f"{W}num"):
            aid = _attr(num.find(f"{W}abstractNumId"), "val") or ""
            numbering.levels[_attr(num, "numId") or ""] = abstract.get(aid, {})
        return numbering

    def label(self, paragraph: Any) -> str:
        """The list label Word shows before ``paragraph`` ("" if it is not in a list)."""
        ppr = paragraph._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is None and paragraph.style is not None:
            style_ppr = paragraph.style.element.pPr
            num_pr = style_ppr.numPr if style_ppr is not None else None
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl].start
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        text = levels[ilvl].text
        for k in range(ilvl + 1):
            if k in levels:
                n = counters[k] or levels[k].start
                text = text.replace(f"%{k + 1}", format_number(n, levels[k].fmt))
        return text
