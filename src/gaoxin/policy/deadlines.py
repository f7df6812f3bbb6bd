"""A measure's deadline as written (2025年底前, 2024年6月底前, “十四五”末) -> the last day it allows.

Where the words allow more than one reading, the latest day is taken, so that a measure is
never shown as 滞后 before its deadline could have passed: ``2025年前`` is read as the end of
2025, ``2024年3月前`` as 31 March 2024. Open-ended phrases (长期坚持, 持续推进) have no date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_FIVE_YEAR_PLANS = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
_QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}

_DAY = re.compile(r"(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_MONTH = re.compile(r"(?P<y>20\d{2})\s*年\s*(?P<m>\d{1,2})\s*月")
_QUARTER = re.compile(r"(?P<y>20\d{2})\s*年\s*(?:第)?(?P<q>[一二三四1234])\s*季度")
_HALF = re.compile(r"(?P<y>20\d{2})\s*年\s*(?P<h>上|下)半年")
_YEAR = re.compile(r"(?P<y>20\d{2})\s*年")
_PLAN = re.compile(r"(十[三四五六]五)")


def _month_end(year: int, month: int) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def deadline_date(text: str | None) -> dt.date | None:
    """The last day the deadline ``text`` allows, or None where it names no date."""
    if not text:
        return None
    if m := _DAY.search(text):
        try:
            return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            return None
    if m := _MONTH.search(text):
        return _month_end(int(m["y"]), int(m["m"]))
    if m := _QUARTER.search(text):
        return _month_end(int(m["y"]), _QUARTER_END[m["q"]])
    if m := _HALF.search(text):
        return _month_end(int(m["y"]), 6 if m["h"] == "上" else 12)
    if m := _YEAR.search(text):
        return dt.date(int(m["y"]), 12, 31)
    if m := _PLAN.search(text):
        return dt.date(_FIVE_YEAR_PLANS[m[1]], 12, 31)
    return None
