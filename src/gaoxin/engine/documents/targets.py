"""Quantitative targets: 到2025年 … 达到 / 超过 / 提高到 / 从X%提高到Y% / 力争 / 双倍增 / 全覆盖.

A clause is a target only where it looks forward: a year to reach (到2025年, 2025年前,
到"十四五"末), a measure about goals (发展目标), or 力争/确保. Statistics of past years
(2020年，国家高新区生产总值达到13.6万亿元) are not targets.
"""

from __future__ import annotations

import re

from gaoxin.engine.documents.model import Target

_PLAN_END = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
_YEAR = re.compile(
    r"(?<![截止])(?:到|至)\s*(?P<y>20\d{2})\s*年|(?P<y2>20\d{2})\s*年(?:底|末)?(?:前|以前|之前)"
    r"|到\s*[“\"]?(?P<plan>十[三四五六]五)[”\"]?\s*(?:末|期末)"
)
_UNIT = r"(?:%|个百分点|万亿元|亿元|万元|家|个|项|倍|人|万人|所|座|平方公里|亩)"
_NUM = r"\d+(?:\.\d+)?"
_FROM_TO = re.compile(
    rf"从[^，。；]{{0,12}}?(?P<base>{_NUM})\s*(?P<bu>{_UNIT})?\s*(?:提高|提升|增加|增长|上升)(?:到|至)\s*(?P<v>{_NUM})\s*(?P<u>{_UNIT})?(?P<q>以上|左右)?"
)
_REACH = re.compile(
    rf"(?P<op>提高到|提高至|提升到|提升至|增加到|增长到|达到|达|超过|超|突破|不低于|不少于|保持在|占[^，。；\d]{{0,10}}?)\s*(?P<v>{_NUM})\s*(?P<u>{_UNIT})(?P<q>以上|左右|及以上)?"
)
# 建成国家高新区10家、省级高新区25家; 超千亿元的园区15家以上
_COUNT = re.compile(
    rf"(?P<what>[^，。；、\d]{{2,24}}?)(?P<v>{_NUM})\s*(?P<u>家|个|项|所|座)(?P<q>以上|左右)?(?=[、，。；]|$)"
)
_COUNT_LEAD = re.compile(
    r"^(?:全省|全市|全区)?(?:力争|确保)?(?:新?建成|形成|新增|培育|累计|达到?|打造|拥有)?"
)
_DOUBLE = re.compile(r"双倍增|翻一番|翻番|倍增")
_COVER = re.compile(r"全覆盖")
_FORWARD = re.compile(r"力争|确保|目标")


def _comparator(op: str, q: str | None) -> str:
    if q in ("以上", "及以上") or re.search(r"不低于|不少于", op):
        return ">="
    if re.search(r"超|突破|高于", op):
        return ">"
    return "="


def _indicator(clause: str, cut: int) -> str | None:
    ind = clause[:cut]
    ind = re.sub(r"^(?:到|至)\s*(?:20\d{2}\s*年|[“\"]?十[三四五六]五[”\"]?\s*末)[，,]?", "", ind)
    ind = re.sub(r"^(力争|确保|全面|基本|实现)", "", ind).strip('，、 “”"')
    ind = re.sub(r"力争|确保", "", ind)
    ind = re.sub(r"(实现|达到|保持|为|要)$", "", ind).strip('，、 “”"')
    return ind or None


def _clause_targets(clause: str, start: int, year: int | None) -> list[Target]:
    out: list[Target] = []
    m = _FROM_TO.search(clause)
    if m:
        out.append(
            Target(
                clause,
                year,
                (start, start + len(clause)),
                _indicator(clause, m.start()),
                ">=" if m.group("q") == "以上" else "=",
                float(m.group("v")),
                m.group("u") or m.group("bu"),
                baseline=float(m.group("base")),
            )
        )
        return out
    for m in _REACH.finditer(clause):
        out.append(
            Target(
                clause,
                year,
                (start, start + len(clause)),
                _indicator(clause, m.start()),
                _comparator(m.group("op"), m.group("q")),
                float(m.group("v")),
                m.group("u"),
            )
        )
    if not out:
        for m in _COUNT.finditer(clause):
            what = _COUNT_LEAD.sub("", m.group("what")).strip("，、 ")
            out.append(
                Target(
                    clause,
                    year,
                    (start, start + len(clause)),
                    what or None,
                    _comparator("", m.group("q")),
                    float(m.group("v")),
                    m.group("u"),
                )
            )
    if not out and _DOUBLE.search(clause):
        m = _DOUBLE.search(clause)
        assert m
        out.append(
            Target(
                clause, year, (start, start + len(clause)), _indicator(clause, m.start()), "double"
            )
        )
    if not out and _COVER.search(clause):
        m = _COVER.search(clause)
        assert m
        out.append(
            Target(
                clause,
                year,
                (start, start + len(clause)),
                _indicator(clause, m.start()),
                "full_coverage",
                100.0,
                "%",
            )
        )
    return out


def _year(m: re.Match[str]) -> int:
    if m.group("plan"):
        return _PLAN_END[m.group("plan")]
    return int(m.group("y") or m.group("y2"))


def find_targets(text: str, offset: int = 0, *, goal_section: bool = False) -> list[Target]:
    """Targets in one measure's text; the year in force carries over from sentence to sentence."""
    out: list[Target] = []
    year: int | None = None
    for cm in re.finditer(r"[^，。；\n]+", text):
        clause = cm.group(0).strip()
        years = list(_YEAR.finditer(clause))
        ym = years[-1] if years else None
        if ym:
            year = _year(ym)
        if year is None and not goal_section and not _FORWARD.search(clause):
            continue
        if re.search(r"(截至|截止|较)\s*20\d{2}", clause):
            continue
        lead = len(cm.group(0)) - len(cm.group(0).lstrip())
        out.extend(_clause_targets(clause, offset + cm.start() + lead, year))
    return out


__all__ = ["find_targets"]
