"""Quantitative targets with their year."""

from gaoxin.engine.documents import parse_text
from gaoxin.engine.documents.targets import find_targets


def test_reach_exceed_raise_to_and_from_to():
    text = (
        "到2025年，全省建成国家高新区10家，研发投入占营收比例达4%以上，规上工业增加值占全市比重超过50%，"
        "园区产值占全省比重从13%提高到16%。"
    )
    targets = find_targets(text)
    got = [(t.year, t.comparator, t.value, t.unit) for t in targets]
    assert (2025, "=", 10.0, "家") in got
    assert (2025, ">=", 4.0, "%") in got
    assert (2025, ">", 50.0, "%") in got
    from_to = next(t for t in targets if t.baseline is not None)
    assert (from_to.baseline, from_to.value, from_to.unit) == (13.0, 16.0, "%")


def test_double_and_full_coverage_and_plan_end():
    targets = find_targets(
        "到“十四五”末，高新技术企业数量实现“双倍增”，省级以上高新区设区市实现全覆盖。"
    )
    assert [(t.year, t.comparator) for t in targets] == [(2025, "double"), (2025, "full_coverage")]


def test_striving_without_year():
    (t,) = find_targets("力争高新技术企业占全市35%以上")
    assert (t.year, t.comparator, t.value) == (None, ">=", 35.0)


def test_past_statistics_are_not_targets():
    assert find_targets("2020年，国家高新区生产总值达到13.6万亿元，占全国的13.3%。") == []


def test_targets_in_a_goal_section_carry_the_year_and_path():
    doc = parse_text("一、总体要求\n（二）发展目标。到2027年，高新技术企业占比超60%。\n")
    (t,) = doc.targets
    assert (t.year, t.comparator, t.value, t.unit, t.path) == (
        2027,
        ">",
        60.0,
        "%",
        ["一", "（二）"],
    )
    assert doc.text[t.span[0] : t.span[1]] == t.text


def test_as_of_a_past_year_is_not_a_deadline():
    assert find_targets("截至2020年底，国家高新区总数达169家，其中东部70家。") == []


def test_counts_listed_in_a_goal():
    doc = parse_text(
        "一、总体要求\n（二）发展目标。到2025年，全省建成国家高新区10家，省级高新区25家，力争形成超千亿元的园区15家以上。\n"
    )
    got = [(t.indicator, t.comparator, t.value) for t in doc.targets]
    assert got == [
        ("国家高新区", "=", 10.0),
        ("省级高新区", "=", 25.0),
        ("超千亿元的园区", ">=", 15.0),
    ]
