"""A deadline as written -> the last day it allows; open-ended phrases have none."""

import datetime as dt

import pytest

from gaoxin.policy.deadlines import deadline_date


@pytest.mark.parametrize(
    "text,day",
    [
        ("2025年底前", dt.date(2025, 12, 31)),
        ("2024年底前完成", dt.date(2024, 12, 31)),
        ("2025年前", dt.date(2025, 12, 31)),
        ("2024年6月底前", dt.date(2024, 6, 30)),
        ("2024年2月前", dt.date(2024, 2, 29)),
        ("2025年3月15日前", dt.date(2025, 3, 15)),
        ("2025年上半年", dt.date(2025, 6, 30)),
        ("2025年第三季度", dt.date(2025, 9, 30)),
        ("“十四五”末", dt.date(2025, 12, 31)),
        ("十五五期间", dt.date(2030, 12, 31)),
        ("长期坚持", None),
        ("持续推进", None),
        ("", None),
        (None, None),
        ("2025年13月前", None),
    ],
)
def test_deadline_date(text, day):
    assert deadline_date(text) == day
