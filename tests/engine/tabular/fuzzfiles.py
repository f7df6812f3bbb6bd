"""Hypothesis strategies for malformed statistics files: the CSV and XLSX people really send,
and the ways they go wrong.

A file is drawn as a table (title rows, a header, data rows of cells) and then rendered: CSV
with a separator, quoting, encoding and line ending drawn too, sometimes with a stray quote or
cut short; XLSX with merged cells, hidden sheets, formulas with and without a saved result,
error cells, sometimes cut short. Cells mix good figures with thousands separators, spaces,
full-width digits, huge and tiny values, NaN and infinity, 20-digit numbers, dates, periods
that cannot be, credit codes right and wrong, and arbitrary text.

The number of examples is ``GAOXIN_FUZZ_EXAMPLES`` (default :data:`DEFAULT_EXAMPLES`, a few
hundred, for ``make test``); CI's long job sets it to 10,000 or more.
"""

from __future__ import annotations

import datetime
import io
import os
from dataclasses import dataclass

import xlsxwriter
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

DEFAULT_EXAMPLES = 300


def examples(default: int = DEFAULT_EXAMPLES) -> int:
    return int(os.environ.get("GAOXIN_FUZZ_EXAMPLES", default))


def fuzz_settings(default: int = DEFAULT_EXAMPLES) -> settings:
    return settings(
        max_examples=examples(default),
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
        derandomize=os.environ.get("GAOXIN_FUZZ_EXAMPLES") is None,
    )


HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "代码",
    "名称",
    "期间",
    "营业收入（万元）",
    "营业收入（亿元）",
    "从业人员（人）",
    "工业总产值（万元）",
    "工业增加值（万元）",
    "R&D经费内部支出（万元）",
    "绿地率（%）",
    "净利润",
    "指标",
    "数值",
    "单位",
    "备注",
    "营收增速（%）",
    "",
]

NUMBERS = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: f"{x:,.2f}"),
    st.sampled_from(
        [
            "1,234.50",
            "1，234.5",
            "12 34",
            "1 234 567",
            "１２３４．５",
            "(123)",
            "12.5%",
            "1.2E+05",
            "1e308",
            "1e-320",
            "-0",
            "0.37",
            "12345678901234567890",
            "123456789012345678901234",
            "NaN",
            "inf",
            "-",
            "—",
            "/",
            "无",
            "#N/A",
            "#DIV/0!",
            "=A1*2",
            "+1",
            "@SUM(A1)",
            "1,23",
            "1.2.3",
            "٣",
        ]
    ),
)
PERIODS = st.sampled_from(
    [
        "2025",
        "2024",
        "2025Q3",
        "2025H1",
        "2025-07",
        "2025年1-7月",
        "2025年8月",
        "2025-07-01 00:00:00",
        "1900",
        "2099",
        "2025-13",
        "2025年13月",
        "０",
        "",
    ]
)
# Characters that matter to a reader: separators, quotes, line ends, spaces of every width,
# digits ASCII and full-width, signs, CJK, a BOM, a lone surrogate's neighbours, control codes.
TEXT = st.text(
    alphabet=st.sampled_from(
        list(",;|\t\"'\n\r =+-@.%()（），。：0123456789１２３\u00a0\u3000\ufeff\x01\x7f")
        + list("甲乙丙营业收入万元亿期间年月合计注企业名称代码")
        + ["\U0002a6a5", "é", "€"]
    ),
    max_size=16,
)


def _codes(valid: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(valid) if valid else st.nothing(),
        st.sampled_from(valid).map(str.lower) if valid else st.nothing(),
        st.sampled_from(
            [
                "91350200MA2XXXXXX0",
                "913502000000000",
                "ABCDEFGHIJKLMNOPQR",
                "9135 0200 0000 0000 1X",
            ]
        ),
        TEXT,
    )


def cells(codes: list[str], names: list[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(
        st.none(),
        NUMBERS,
        PERIODS,
        _codes(codes),
        st.sampled_from(names) if names else TEXT,
        TEXT,
        st.sampled_from(['"', '"quoted', 'a"b', "line\nbreak", "\r", "\t", "合计", "注：说明"]),
    )


@dataclass
class Table:
    title: list[str]
    header: list[str]
    rows: list[list[str | None]]


VARIABLE_HEADERS = [h for h in HEADERS if "（" in h and "增速" not in h] + ["净利润"]
GOOD_NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: f"{x:.2f}"),
)


@st.composite
def tables(draw, codes: list[str] = (), names: list[str] = ()) -> Table:  # type: ignore[assignment]
    """Mostly a real form (key columns, a period, figures) with noise in any cell; sometimes
    anything at all."""
    codes, names = list(codes), list(names)
    title = draw(
        st.lists(
            st.one_of(st.sampled_from(["2025年1-7月主要经济指标", "单位：万元"]), TEXT), max_size=2
        )
    )
    any_cell = cells(codes, names)
    if draw(st.integers(0, 4)) == 0:
        width = draw(st.integers(1, 7))
        header = draw(
            st.lists(st.one_of(st.sampled_from(HEADERS), TEXT), min_size=width, max_size=width)
        )
        rows = draw(st.lists(st.lists(any_cell, max_size=width + 2), max_size=12))
        return Table(title, header, rows)
    keys = draw(
        st.sampled_from(
            [
                ["统一社会信用代码", "企业名称", "期间"],
                ["代码", "名称", "期间"],
                ["企业名称", "期间"],
                ["统一社会信用代码", "期间"],
                ["代码", "名称"],
            ]
        )
    )
    figures = draw(st.lists(st.sampled_from(VARIABLE_HEADERS), min_size=1, max_size=4))
    header = keys + figures
    per_column = {
        "统一社会信用代码": _codes(codes),
        "代码": _codes(codes),
        "企业名称": st.sampled_from(names) if names else TEXT,
        "名称": st.sampled_from(names) if names else TEXT,
        "期间": PERIODS,
    }

    if codes and draw(st.integers(0, 2)) == 0:
        # A clean form: one row per entity, good figures, a period every variable accepts.
        period = draw(st.sampled_from(["2024", "2025"]))
        order = draw(st.permutations(range(len(codes))))[: draw(st.integers(1, len(codes)))]
        by_key = {
            "统一社会信用代码": lambda i: codes[i],
            "代码": lambda i: codes[i],
            "企业名称": lambda i: names[i] if i < len(names) else None,
            "名称": lambda i: names[i] if i < len(names) else None,
            "期间": lambda i: period,
        }
        rows = [
            # small whole figures: in range for every variable, 绿地率 and head counts included
            [by_key[h](i) if h in by_key else str(draw(st.integers(0, 100))) for h in header]
            for i in order
        ]
        return Table(title, header, rows)

    def cell(column: str) -> st.SearchStrategy[str | None]:
        proper = per_column.get(column, st.one_of(GOOD_NUMBERS, NUMBERS))
        return st.one_of(proper, proper, proper, any_cell)

    row = st.tuples(*(cell(h) for h in header)).map(list)
    rows = draw(st.lists(row, max_size=12))
    for r in rows:
        if draw(st.integers(0, 14)) == 0:
            r.append(draw(any_cell))  # a field too many
    return Table(title, header, rows)


@st.composite
def csv_files(draw, codes: list[str] = (), names: list[str] = ()) -> tuple[str, bytes]:  # type: ignore[assignment]
    table = draw(tables(codes, names))
    sep = draw(st.sampled_from([",", "\t", ";", "|"]))
    quote_all = draw(st.booleans())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    def render(cell: str | None) -> str:
        if cell is None:
            return ""
        if quote_all:
            return '"' + cell.replace('"', '""') + '"'
        return cell  # unquoted, as a careless writer would

    lines = list(table.title) + [sep.join(render(c) for c in table.header)]
    lines += [sep.join(render(c) for c in row) for row in table.rows]
    text = end.join(lines) + draw(st.sampled_from(["", end]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 19)) == 0:
        data = draw(st.binary(max_size=200))
    return draw(st.sampled_from(["data.csv", "data.txt", "data.tsv"])), data


@st.composite
def xlsx_files(draw, codes: list[str] = (), names: list[str] = ()) -> tuple[str, bytes]:  # type: ignore[assignment]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "nan_inf_to_errors": True}
    )
    book.set_properties({"created": datetime.datetime(2025, 1, 1)})  # same file for same draws
    n_sheets = draw(st.integers(1, 3))
    for s in range(n_sheets):
        table = draw(tables(codes, names))
        sheet = book.add_worksheet(
            draw(st.sampled_from(["填报", "Sheet", "指标说明", "企业"])) + str(s)
        )
        if s and draw(st.booleans()):
            sheet.hide()
        grid = [[t] for t in table.title] + [table.header] + table.rows
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                how = draw(st.integers(0, 9))
                if how == 0 and cell.startswith("="):
                    sheet.write_formula(r, c, cell, None, draw(st.sampled_from(["", "#N/A", 0])))
                elif how == 1:
                    sheet.write_formula(r, c, "=1/0", None, "#DIV/0!")
                elif how == 2:
                    try:
                        sheet.write_number(r, c, float(cell))
                    except (ValueError, OverflowError):
                        sheet.write_string(r, c, cell)
                else:
                    sheet.write_string(r, c, cell[:32767])
        if grid and draw(st.integers(0, 4)) == 0:
            last = max(len(grid[0]) - 1, 1)
            sheet.merge_range(0, 0, 0, last, grid[0][0] if grid[0] else "")
    book.close()
    data = buffer.getvalue()
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return draw(st.sampled_from(["data.xlsx", "data.xls", "data.csv"])), data


def files(codes: list[str] = (), names: list[str] = ()) -> st.SearchStrategy[tuple[str, bytes]]:  # type: ignore[assignment]
    return st.one_of(csv_files(codes, names), xlsx_files(codes, names))


#: The figures of a clean file, by header: the variable and the largest whole value drawn.
CLEAN_FIGURES = {"营业收入（万元）": ("revenue", 10**6), "从业人员（人）": ("employees", 10**4)}


@st.composite
def clean_files(draw, codes: list[str], names: list[str]) -> tuple[str, bytes, dict]:
    """A file with nothing wrong in it, as people really send one: CSV (any separator, quoting,
    line ending and a Chinese-capable encoding) or XLSX (figures as numbers or as text), keyed
    by the credit codes of ``names`` (firms) with or without the name. Returns (name, bytes, expected) where
    expected maps (credit code, variable, period) to the Decimal that must be stored exactly."""
    from decimal import Decimal

    codes, names = list(codes[: len(names)]), list(names)  # the firms (the rest are zones)
    period = draw(st.sampled_from(["2024", "2025"]))
    with_names = draw(st.booleans())
    figures = draw(
        st.lists(st.sampled_from(list(CLEAN_FIGURES)), min_size=1, max_size=2, unique=True)
    )
    chosen = draw(
        st.lists(st.integers(0, len(codes) - 1), min_size=1, max_size=len(codes), unique=True)
    )
    header = ["统一社会信用代码", *(["企业名称"] if with_names else []), "期间", *figures]
    rows, expected = [], {}
    for i in chosen:
        row = [codes[i], *([names[i]] if with_names else []), period]
        for h in figures:
            variable, top = CLEAN_FIGURES[h]
            if variable == "revenue" and draw(st.booleans()):
                value = Decimal(draw(st.integers(0, top * 100))) / 100  # 分 exact
            else:
                value = Decimal(draw(st.integers(0, top)))
            row.append(value)
            expected[(codes[i], variable, period)] = value
        rows.append(row)
    if draw(st.booleans()):
        sep = draw(st.sampled_from([",", "\t", ";"]))
        quote = draw(st.booleans())
        end = draw(st.sampled_from(["\n", "\r\n", "\r"]))

        def render(cell) -> str:
            text = f"{cell:f}" if isinstance(cell, Decimal) else str(cell)
            return f'"{text}"' if quote else text

        text = end.join(sep.join(render(c) for c in r) for r in [header, *rows]) + end
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
        return "data.csv", text.encode(encoding), expected
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": datetime.datetime(2025, 1, 1)})
    sheet = book.add_worksheet("填报")
    sheet.write_row(0, 0, header)
    as_text = draw(st.booleans())
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            if isinstance(cell, Decimal) and not as_text:
                sheet.write_number(r, c, float(cell))  # ≤ 10⁶ with 2 decimals: exact in a double
            else:
                sheet.write_string(r, c, f"{cell:f}" if isinstance(cell, Decimal) else str(cell))
    book.close()
    return "data.xlsx", buffer.getvalue(), expected


def files_and_expectations(
    codes: list[str],
    names: list[str] = (),  # type: ignore[assignment]
    clean: tuple[list[str], list[str]] | None = None,
) -> st.SearchStrategy[tuple[str, bytes, dict | None]]:
    """One file in four clean (with what it must store), the rest malformed (``None``). Clean
    files key the firms of ``clean`` (codes, names) where given: a malformed file that gets
    stored may leave a firm with figures (R&D 19) that a clean file's own (营业收入 0) would
    then contradict, and the import rightly refuses that."""
    malformed = files(codes, names).map(lambda named: (*named, None))
    return st.one_of(clean_files(*(clean or (codes, names))), malformed, malformed, malformed)
