"""Filters every template has without {% load %} (settings.TEMPLATES "builtins").

``period_label``: a period as the page's language writes it. Chinese is the engine's own label
(2025年7月、2025年第三季度、2025年1-7月); English writes the month or quarter the way English
reports do (Jul 2025, Q3 2025, Jan–Jul 2025), decision 035.
"""

from __future__ import annotations

import calendar

from django import template
from django.utils import translation

from gaoxin.engine.periods import Period, PeriodError, ReportedPeriod

register = template.Library()


def english(period: Period | ReportedPeriod) -> str:
    cumulative = isinstance(period, ReportedPeriod) and period.cumulative
    p = period.period if isinstance(period, ReportedPeriod) else period
    if p.kind == "year":
        return f"{p.year}"
    if p.kind == "half":
        return f"H{p.index} {p.year}"
    if p.kind == "quarter":
        return f"Q1–Q{p.index} {p.year}" if cumulative and p.index > 1 else f"Q{p.index} {p.year}"
    month = calendar.month_abbr[p.index]
    if cumulative:
        return f"Jan–{month} {p.year}" if p.index > 1 else f"Jan {p.year} (year to date)"
    return f"{month} {p.year}"


def period_text(value) -> str:
    """The label of a Period, a ReportedPeriod or a period code (2025-07) in the active language;
    anything else as it is."""
    if isinstance(value, str):
        try:
            value = Period.parse(value)
        except PeriodError:
            return value
    if not isinstance(value, Period | ReportedPeriod):
        return "" if value is None else str(value)
    if (translation.get_language() or "").startswith("zh"):
        return value.label()
    return english(value)


@register.filter
def period_label(value) -> str:
    return period_text(value)
