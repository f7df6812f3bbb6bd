"""Decisions a 批复, 通报 or 决定 takes about named zones.

同意X升级为国家高新技术产业开发区 (upgrade), 同意设立X (approve), X更名为Y (rename),
同意X调整规划范围 (adjust_boundary), X评价结果为优秀 (evaluation, value 优秀), 对X予以通报表扬
(commend), 对X给予警告 (warn), 撤销X…资格 (revoke). A clause counts only where it names a zone
(岚江高新技术产业开发区, 青石高新区); 撤销其资格 or 国家高新技术产业开发区 name none. Titles cited
in 《》 (the request a 批复 answers) are not read.
"""

from __future__ import annotations

import re

from gaoxin.engine.documents.model import Decision, DecisionKind, Span
from gaoxin.engine.documents.text import CJK

# documents that decide about zones; a 方案 or 意见 states policy, it decides nothing
DECIDING_KINDS = ("批复", "通报", "决定", "复函", "函", "通知", "公告")

_ZONE_SUFFIX = (
    r"(?:高新技术产业开发区|高新技术产业园区|高新区|经济技术开发区|经济开发区|开发区|"
    r"工业园区|科技园区|产业园区|产业园)"
)
_ZONE = re.compile(rf"(?P<name>[{CJK}（）]{{2,20}}?{_ZONE_SUFFIX})")
# words that open a phrase before the zone's name (对评价结果为优秀的青石高新区)
_LEAD_IN = re.compile(r"同意|批准|对|将|的|把|由|予以|给予|设立|经综合评价|其中")
# a zone spoken of in general, not named: 国家高新区, 省级高新区, 该高新区, 各高新区
_GENERIC = re.compile(
    r"^(?:国家级?|省级?|市级?|该|本|其|各|有关|相关|所在|全省|全市|全国|上述|以上)"
)

# a grade, in quotes or not (评价等次为“优秀”的)
_GRADE = r"[“\"‘「]?(?P<value>优秀|良好|合格|不合格|较好|一般|较差|[A-D]类?|[A-D]级|[一二三四]等)[”\"’」]?"
_NAME = rf"[{CJK}（）]{{2,30}}?{_ZONE_SUFFIX}"
_TABLE_SEP = r"(?:[|\t]|[ \u3000]{2,})"
_PATTERNS: list[tuple[DecisionKind, re.Pattern[str]]] = [
    ("upgrade", re.compile(r"同意(?P<zones>[^，。；]+?)升级为国家级?高新(?:技术产业开发)?区")),
    (
        "approve",
        re.compile(
            # 同意设立甲高新区、乙高新区和丙高新区: every zone of the list
            rf"(?:同意|批准)(?:设立|建设)(?P<zones>[^，。；]*?{_ZONE_SUFFIX}"
            rf"(?:(?:、|和|及|与)[^，。；、]*?{_ZONE_SUFFIX})*)"
            # a park made a provincial zone (认定/创建/升级为省级高新区) is approved as one
            rf"|同意(?P<zones2>[^，。；]+?)(?:认定|建设|创建|升级)为省级高新(?:技术产业开发)?区"
        ),
    ),
    (
        # X更名为Y, X名称变更为“Y”; not the renaming of its 管委会 (…管理委员会相应更名为…)
        "rename",
        re.compile(
            rf"(?P<zones>[^，。；]+?)(?:更名为|名称(?:变更|调整|更改)为)[“\"]?(?P<value>{_NAME})"
            r"(?!管理委员会|管委会|管理机构)"
        ),
    ),
    (
        "adjust_boundary",
        re.compile(
            r"(?P<zones>[^，。；]+?)(?:(?:调整|扩大|调减|优化)(?:规划)?(?:范围|面积|四至|区位|边界)"
            r"|扩区|调区|扩容"
            # 规划面积由12.50平方公里扩大至18.36平方公里
            r"|(?:规划)?(?:面积|范围)由[^，。；]*?(?:扩大|调整|增加|调减|缩减|缩小)(?:至|为|到))"
        ),
    ),
    (
        "evaluation",
        re.compile(
            rf"(?P<zones>[^，。；]+?)(?:(?:综合)?(?:评价|考核|评估)(?:结果|等次|等级)?"
            rf"(?:为|是|评定为|确定为|被评为)|被评为|评定为|获评){_GRADE}"
        ),
    ),
    (
        # 评价结果为优秀的高新区（2个）：甲市高新区、乙县高新区 / 优秀等次：甲、乙
        "evaluation",
        re.compile(
            rf"{_GRADE}(?:等次|等级|档次)?的?(?:高新区|园区|开发区)?有?(?:（\d+[个家]）)?[：:]"
            rf"(?P<zones>[^。；]+)"
        ),
    ),
    (
        # a results table kept as text: 1 | 甲市高新区 | 86.5 | 优秀, cells by | or tabs or
        # runs of spaces; read wherever it stands (an attachment after the signature)
        "evaluation",
        re.compile(
            rf"(?P<zones>{_NAME})\s*(?:{_TABLE_SEP}[^|\t]*?)*{_TABLE_SEP}\s*{_GRADE}\s*\|?\s*$"
        ),
    ),
    (
        "commend",
        re.compile(r"(?P<zones>[^。；]+?)(?:予以|给予|进行)(?:通报)?(?:表扬|表彰)"),
    ),
    ("warn", re.compile(r"(?P<zones>[^。；]+?)(?:予以|给予|提出)(?:黄牌|书面|通报)?警告")),
    (
        "revoke",
        re.compile(r"(?:撤销|取消)(?P<zones>[^，。；]+?)(?:资格|称号|命名|牌子)"),
    ),
]
_TABLE_ROW = _PATTERNS[6][1]
# X高新区…，撤销其…资格 / …，退出省级高新区序列: the zone opening the sentence loses its
# title (not a threat: 将撤销, 直至退出, 对…的，…)
_REVOKE_ITS = re.compile(
    rf"(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)?\s*(?P<zones>{_NAME})"
    r"(?=[^。；]*?(?<![将拟可至])(?:(?:撤销|取消)其[^，。；]*?(?:资格|称号|命名|牌子)"
    r"|退出[^，。；]*?(?:序列|名单)))"
)
# a grade the sentence dates to a year (X高新区2023年度评价结果为D) or to the year before
_DATED = re.compile(r"(?P<year>\d{4})年度?|上一?年度?|去年|往年")


def zone_names(phrase: str) -> list[str]:
    """The zones a phrase names: 对评价结果为优秀的青石高新区、白沙高新区 -> both."""
    out = []
    for piece in re.split(r"[、，,和及与]", phrase):
        # an item's number opening the clause is no part of a name: （二）赤岭工业园区
        piece = re.sub(
            r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、)", "", piece
        )
        piece = piece.strip()
        # the name starts after the last lead-in word that leaves one (…优秀的青石高新区),
        # or at the start (松塘工业园区的市级园区资格)
        starts = [m.end() for m in _LEAD_IN.finditer(piece)][::-1] + [0]
        for start in starts:
            m = _ZONE.match(piece, start)
            if not m:
                continue
            name = m.group("name")
            place = re.sub(rf"{_ZONE_SUFFIX}$", "", name)
            # 评价结果为优秀的高新区: a description, not a name
            if len(place) >= 2 and not _GENERIC.match(place) and not re.search(r"的|为", place):
                if name not in out:
                    out.append(name)
                break
    return out


def _blank_titles(text: str) -> str:
    """《关于…升级为…的请示》 -> blanks of the same length (offsets kept)."""
    return re.sub(r"《[^《》]*》", lambda m: " " * len(m.group(0)), text)


def find_decisions(
    norm: str,
    original: str,
    kind: str | None,
    measures: list[tuple[list[str], Span]],
    body: Span | None = None,
) -> list[Decision]:
    """Every decision the document takes, in order; each zone decided once per kind and value.

    ``body``: where a document without numbered items is read by paragraph, its body after
    the title block, so that a list line without a full stop (优秀等次：甲市高新区、乙县高新区)
    is read too."""
    if kind not in DECIDING_KINDS:
        return []
    text = _blank_titles(norm)
    # the year the document decides on: the first 2024年度 written (its title's)
    own_year = re.search(r"(\d{4})年度", norm)
    found: list[Decision] = []
    seen: set[tuple[str, str, str | None]] = set()
    for clause in re.finditer(r"[^。；\n]+", text):
        # an indented paragraph (　　一、同意…) starts at its first character, inside its item
        start = clause.start() + len(clause.group(0)) - len(clause.group(0).lstrip())
        inside = body is not None and body[0] <= start < body[1]
        if not inside and not any(s <= start < e for _, (s, e) in measures):
            # the title (关于同意…的批复) announces the decision the body takes; a results
            # table's rows decide wherever they stand (an attachment after the signature)
            if start < (body[0] if body else min((s for _, (s, _) in measures), default=0)):
                continue
            patterns: list[tuple[DecisionKind, re.Pattern[str]]] = [("evaluation", _TABLE_ROW)]
        else:
            revoked = _REVOKE_ITS.match(text, start, clause.end())
            patterns = _PATTERNS + ([("revoke", _REVOKE_ITS)] if revoked else [])
        for decision_kind, pattern in patterns:
            # a table's cells are read as written: normalising makes a tab one space
            within = original if pattern is _TABLE_ROW else text
            for m in pattern.finditer(within, start, clause.end()):
                if pattern is _REVOKE_ITS and m.start() != start:
                    continue
                group = "zones2" if m.groupdict().get("zones2") else "zones"
                value = m.groupdict().get("value")
                dated = (
                    _DATED.search(m.group(group) or "") if decision_kind == "evaluation" else None
                )
                if dated and not (own_year and dated.group("year") == own_year.group(1)):
                    continue  # a grade of another year, recalled: not this document's decision
                zones = [
                    z
                    for z in zone_names(m.group(group) or "")
                    if (decision_kind, z, value) not in seen
                ]
                if not zones:
                    continue
                seen.update((decision_kind, z, value) for z in zones)
                span = (m.start(), m.end())
                path = next((p for p, (s, e) in measures if s <= span[0] < e), [])
                found.append(
                    Decision(
                        decision_kind,
                        zones,
                        original[span[0] : span[1]].strip(),
                        span,
                        value,
                        list(path),
                    )
                )
    return found
