"""Rows of the printed ledger are tall enough for their wrapped text."""

from gaoxin.engine.documents.ledger_xlsx import LINE_POINTS, row_height


def test_one_line_of_short_text():
    assert row_height(["一（一）", "短"], [24, 72]) == LINE_POINTS + 4


def test_chinese_text_wraps_at_half_the_column_width():
    text = "高" * 100  # 200 width units in a 72-wide column: 71 per line -> 3 lines
    assert row_height(["x", text], [24, 72]) == 3 * LINE_POINTS + 4


def test_the_tallest_cell_decides():
    assert row_height(["a" * 50, "b" * 10], [24, 72]) == 3 * LINE_POINTS + 4
