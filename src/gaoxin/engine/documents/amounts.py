"""Money in a measure: every amount with its unit and role, in 万元; and percentage rates.

元, 千元, 万元, 百万元, 千万元, 亿元, 万亿元; arabic or Chinese numerals (一百五十万元, 五百亿元);
roles read from the words around the amount: 奖励/奖补 (award), 最高不超过 (cap), 不少于 (floor),
…以上 (threshold). ``按技术交易额的3%给予奖励`` is a :class:`Percentage`, not an amount.

Which amounts are money granted (``Amount.granted``) is read per sentence (up to 。；): where a
sentence caps what it gives (奖励100万元，最高不超过300万元), the cap is the most it grants;
otherwise its awards and floors (不少于5000万元奖励). Thresholds (累计200万元以上的) and plain
amounts (生产总值达到13.6万亿元) are never granted.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import cn2an

from gaoxin.engine.documents.model import Amount, AmountRole, Percentage

_CN = "零〇一二两三四五六七八九十百千"
_UNIT_IN_WAN = {
    "元": 0.0001,
    "千元": 0.1,
    "万元": 1.0,
    "十万元": 10.0,
    "百万元": 100.0,
    "千万元": 1000.0,
    "亿元": 10000.0,
    "十亿元": 100000.0,
    "百亿元": 1000000.0,
    "千亿元": 10000000.0,
    "万亿元": 100000000.0,
}
_AMOUNT = re.compile(
    rf"(?P<num>\d(?:[ \u3000]?\d)*(?:,\d{{3}})*(?:\.\d+)?|[{_CN}]+(?:点[{_CN}]+)?)?\s*"
    r"(?P<unit>万亿元|千亿元|百亿元|十亿元|亿元|千万元|百万元|十万元|万元|千元|元)"
)
_IMPLICIT_BEFORE = re.compile(r"(超|过|逾|近|达|上|破)$")
_IMPLICIT_AFTER = re.compile(r"^(以上|级|规模)")
_CAP = re.compile(
    r"(最高不超过|最高不高于|不超过|不高于|最高可达|最高额度可达|最高|最多|上限为?|封顶)[^，。；]{0,8}$"
)
_FLOOR = re.compile(r"(不少于|不低于|至少|最低)[^，。；]{0,6}$")
_AWARD = re.compile(r"(奖励|奖补|补助|补贴|资助|扶持|支持|给予|贴息|经费|资金)")
_PERCENT = re.compile(
    r"按(?P<cap>不超过|不高于|最高)?(?P<basis>[^，。；%]{0,30}?)的?\s*(?P<v>\d+(?:\.\d+)?)\s*%"
    r"(?=[^，。；]{0,6}(给予|奖励|补助|补贴|奖补|资助|支持))"
)


# "奖励50万" without 元: only where the clause is about money and nothing else is counted
_BARE_WAN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万|亿)(?![元人吨亩平方千台套件个家辆户名项次余多倍])"
)
_MONEY_WORDS = re.compile(
    r"(奖励|奖补|补助|补贴|资助|扶持资金|给予|最高|不超过|不少于)[^，。；]{0,10}$"
)


def _number(text: str) -> float | None:
    text = re.sub(r"[,\s\u3000]", "", text)  # 5 0万元: digits spaced out by a PDF extraction
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text in ("十", "百", "千"):
        return {"十": 10.0, "百": 100.0, "千": 1000.0}[text]
    try:
        return float(cn2an.cn2an(text.replace("〇", "零"), "normal"))
    except (ValueError, KeyError, TypeError):
        return None


def _role(before: str, after: str) -> AmountRole:
    if _CAP.search(before):
        return "cap"
    if _FLOOR.search(before):
        return "floor"
    if re.match(r"^(规模|额度|资金)?(以上|及以上|以下)", after):
        return "threshold"
    clause = re.split(r"[，。；]", before)[-1] + re.split(r"[，。；]", after)[0]
    if _AWARD.search(clause):
        return "award"
    return "amount"


def find_amounts(text: str, offset: int = 0) -> list[Amount]:
    """Every money amount in ``text``, in order; spans shifted by ``offset``."""
    out: list[Amount] = []
    for m in _AMOUNT.finditer(text):
        num, unit = m.group("num"), m.group("unit")
        before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 12]
        if unit == "元" and (
            re.match(r"[化素件器宵旦年月代首]", after)
            or (num and len(num) == 1 and not num.isdigit())
        ):
            continue  # 多元化, 统一元数据: not money
        if num:
            value = _number(num)
            # 一批亿元 / 统一万元: a Chinese numeral that is part of a word, not a number
            if value is None:
                continue
        elif _IMPLICIT_BEFORE.search(before) or _IMPLICIT_AFTER.match(after):
            value = 1.0
        else:
            continue
        if unit not in _UNIT_IN_WAN:
            continue
        wan = round(value * _UNIT_IN_WAN[unit], 6)
        start = m.start() if num else m.start("unit")
        out.append(
            Amount(
                text[start : m.end()],
                wan,
                unit,
                _role(before, after),
                (offset + start, offset + m.end()),
            )
        )
    for m in _BARE_WAN.finditer(text):
        before, after = text[max(0, m.start() - 20) : m.start()], text[m.end() : m.end() + 12]
        if not _MONEY_WORDS.search(before):
            continue
        value = float(m.group("num")) * (1.0 if m.group("unit") == "万" else 10000.0)
        span = (offset + m.start(), offset + m.end())
        out.append(Amount(m.group(0), value, m.group("unit") + "元", _role(before, after), span))
    out.sort(key=lambda a: a.span)
    _mark_granted(out, text, offset)
    return out


#: roles of money a measure grants where its sentence sets no cap
GRANTED = frozenset({"award", "floor"})
_SENTENCE_END = re.compile(r"[。；;\n]")


def _mark_granted(amounts: list[Amount], text: str, offset: int) -> None:
    """Set ``granted`` on the amounts a measure grants: per sentence, its caps if it has any,
    else its awards and floors."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    sentences: dict[int, list[Amount]] = {}
    for a in amounts:
        start = a.span[0] - offset
        sentences.setdefault(bisect_left(ends, start), []).append(a)
    for group in sentences.values():
        capped = any(a.role == "cap" for a in group)
        for a in group:
            a.granted = a.role == "cap" if capped else a.role in GRANTED


def find_percentages(text: str, offset: int = 0) -> list[Percentage]:
    """Rates of money: 按技术交易成交额的3%给予奖励."""
    out = []
    for m in _PERCENT.finditer(text):
        out.append(
            Percentage(
                m.group(0),
                float(m.group("v")),
                m.group("basis").strip(),
                (offset + m.start(), offset + m.end()),
            )
        )
    return out
