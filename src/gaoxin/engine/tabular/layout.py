"""Find the table in a sheet: its header row, what each column holds, and the rows that are data.

Two layouts are recognised. **Long**: one row per value, with columns for the entity, the
period, the variable and the value (and optionally the unit). **Wide**: one row per enterprise
or zone, one column per variable (``营业收入（万元）``). The header is the first row, among the
first :data:`HEADER_SEARCH_ROWS` non-empty rows, that names an entity column and either a
catalogue variable (wide) or both a variable and a value column (long). Rows above it are
title rows, where a period (``2025年1-7月…``) and a table-wide unit (``单位：万元``) may be
written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from gaoxin.engine.periods import PeriodError, ReportedPeriod, parse_reported
from gaoxin.engine.tabular.readers import ROW, Grid
from gaoxin.engine.units import parse_unit, parse_units_row, split_header
from gaoxin.engine.variables import Catalogue, Variable, normalise_name

HEADER_SEARCH_ROWS = 15

Role = Literal["uscc", "code", "name", "period", "variable", "value", "unit", "data", "ignored"]
ENTITY_ROLES: tuple[Role, ...] = ("uscc", "code", "name")

_KEY_NAMES: dict[Role, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "credit_code"),
    "code": (
        "代码", "编码", "单位代码", "企业代码", "机构代码", "园区代码", "高新区代码",
        "code", "entity_code",
    ),
    "name": (
        "名称", "单位名称", "企业名称", "企业（单位）名称", "单位详细名称", "机构名称",
        "园区名称", "高新区名称", "高新区", "园区", "企业", "name", "entity", "entity_name",
    ),
    "period": (
        "期间", "时期", "年份", "月份", "年度", "统计期", "统计期间", "报告期", "统计时间",
        "period",
    ),
    "variable": ("指标", "变量", "指标名称", "指标项", "variable", "indicator"),
    "value": ("数值", "值", "数据", "指标值", "本期数", "填报值", "value"),
    "unit": ("单位", "计量单位", "unit"),
}  # fmt: skip
_KEYS: dict[str, Role] = {normalise_name(n): role for role, ns in _KEY_NAMES.items() for n in ns}

# Descriptive columns a form carries beside its statistics: read past without a problem.
_DESCRIPTIVE = frozenset(
    normalise_name(n)
    for n in (
        "序号", "编号", "行次", "栏次", "备注", "说明", "所属行业", "行业", "行业代码", "行业类别",
        "国民经济行业", "登记注册类型", "企业类型", "企业规模", "地址", "注册地址", "所在地",
        "联系人", "联系电话", "所属园区", "所属区县", "区县", "填报人", "法定代表人", "成立日期",
        "注册时间", "no", "no.", "remark", "note",
    )
)  # fmt: skip

_TOTAL = re.compile(
    r"^(?:合计|总计|小计|总合计|全部合计|[全本][区市省县园]合计|[全本][区市省县]总计)$"
)
_NOTES = re.compile(
    r"^(?:注[:：]|注\d|注释|备注[:：]|说明[:：]|填报人|填表人|制表人|审核人|单位负责人|统计负责人|"
    r"负责人[:：]|数据来源|资料来源|来源[:：]|联系电话|填报日期|报出日期|制表日期)"
)
_COLUMN_NUMBERS = frozenset({"甲", "乙", "丙", "丁", "戊", "栏次", "序号"})
_TITLE_PERIOD = re.compile(
    r"\d{4}\s*年\s*(?:"
    r"\d{1,2}\s*[-~—–至到]\s*\d{1,2}\s*月份?(?:累计)?"
    r"|前[一二三四1-4]个?季度"
    r"|第?[一二三四1-4]\s*季度(?:累计)?"
    r"|[上下]半年"
    r"|\d{1,2}\s*月份?(?:累计)?"
    r"|度)?"
    r"|\d{4}\s*[Qq][1-4]|\d{4}\s*[Hh][12]"
)


def key_role(header: str) -> Role | None:
    """The key role a header names (entity, period, variable, value, unit), or None."""
    key = normalise_name(header)
    if key in _KEYS:
        return _KEYS[key]
    # "统一社会信用代码（必填）", "企业名称(盖章)": a bracketed remark after a key name.
    bare = re.sub(r"[(（\[【].*?[)）\]】]$", "", unicodedata.normalize("NFKC", header)).strip()
    return _KEYS.get(normalise_name(bare)) if bare else None


def is_descriptive(header: str) -> bool:
    return normalise_name(header) in _DESCRIPTIVE


def lookup_variable(catalogue: Catalogue, header: str) -> tuple[Variable | None, str, str | None]:
    """The variable a header names, the name part and the unit written in the header."""
    name, unit = split_header(header)
    var = catalogue.lookup(name)
    if var is None and unit is not None:
        var = catalogue.lookup(header)  # an alias that itself ends in brackets
        if var is not None:
            name, unit = header, None
    return var, name, unit


@dataclass
class Column:
    """One column of the table: where it is, its header text and what it holds."""

    name: str  # the grid column, c0…cN
    header: str
    role: Role
    variable: Variable | None = None
    unit_given: str | None = None
    unit_source: Literal["header", "units_row", "title", "assumed"] | None = None


@dataclass
class Table:
    """A located table: its layout, header row, columns and data rows."""

    grid: Grid
    kind: Literal["long", "wide"]
    header_row: int
    columns: list[Column]
    title: list[str]
    data: pl.DataFrame
    units_row: int | None = None
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (row, kind, text)

    def role(self, role: Role) -> list[Column]:
        return [c for c in self.columns if c.role == role]


def _row_cells(frame: pl.DataFrame, i: int, cols: list[str]) -> list[str | None]:
    return [frame[c][i] for c in cols]


def find_table(grid: Grid, catalogue: Catalogue) -> Table | None:
    """Locate the header and classify the columns; None when no header row is found."""
    frame = grid.frame
    cols = grid.cell_columns
    for i in range(min(HEADER_SEARCH_ROWS, frame.height)):
        cells = _row_cells(frame, i, cols)
        roles: dict[str, Role] = {}
        variables: dict[str, tuple[Variable, str | None]] = {}
        for col, cell in zip(cols, cells, strict=True):
            if cell is None:
                continue
            role = key_role(cell)
            if role is not None:
                roles[col] = role
                continue
            var, _, unit = lookup_variable(catalogue, cell)
            if var is not None:
                variables[col] = (var, unit)
        has_entity = any(r in ENTITY_ROLES for r in roles.values())
        is_long = "variable" in roles.values() and "value" in roles.values()
        if has_entity and (variables or is_long):
            return _build_table(grid, catalogue, i, cells, roles, variables, is_long)
    return None


def _build_table(
    grid: Grid,
    catalogue: Catalogue,
    i: int,
    cells: list[str | None],
    roles: dict[str, Role],
    variables: dict[str, tuple[Variable, str | None]],
    is_long: bool,
) -> Table:
    frame = grid.frame
    cols = grid.cell_columns
    header_row = int(frame[ROW][i])
    title = [
        str(c) for j in range(i) for c in _row_cells(frame, j, cols) if c is not None and str(c)
    ]
    columns: list[Column] = []
    for col, cell in zip(cols, cells, strict=True):
        header = cell if cell is not None else _letter(grid, col)
        if col in roles:
            role = roles[col]
            if not is_long and role in ("variable", "value"):
                role = "data"  # a wide table with a column called 数值: not a key
            columns.append(Column(col, header, role))
        elif col in variables and not is_long:
            var, unit = variables[col]
            columns.append(
                Column(col, header, "data", var, unit, "header" if unit is not None else None)
            )
        elif cell is None or is_descriptive(header) or is_long:
            columns.append(Column(col, header, "ignored"))
        else:
            columns.append(Column(col, header, "data"))

    start = i + 1
    units_row = None
    if start < frame.height:
        units = parse_units_row(_row_cells(frame, start, cols))
        if units is not None:
            units_row = int(frame[ROW][start])
            for column, unit in zip(columns, units, strict=True):
                if unit is not None and column.unit_given is None:
                    column.unit_given, column.unit_source = unit, "units_row"
            start += 1
    skipped: list[tuple[int, str, str]] = []
    if start < frame.height:
        numbering = [c for c in _row_cells(frame, start, cols) if c is not None]
        if _is_column_numbers(numbering):
            skipped.append((int(frame[ROW][start]), "column_numbers", " ".join(numbering)))
            start += 1
    table_unit = _title_unit(title)
    if table_unit is not None:
        from gaoxin.engine.units import get_unit

        for column in columns:
            if column.variable is None or column.unit_given is not None:
                continue
            # "单位：万元" above a table applies to the columns it can measure (money columns),
            # not to 从业人员 beside them.
            if get_unit(column.variable.unit).dimension == get_unit(table_unit).dimension:
                column.unit_given, column.unit_source = table_unit, "title"
    return Table(
        grid=grid,
        kind="long" if is_long else "wide",
        header_row=header_row,
        columns=columns,
        title=title,
        data=frame.slice(start),
        units_row=units_row,
        skipped=skipped,
    )


def _is_column_numbers(cells: list[str]) -> bool:
    """A 栏次 row under a statistics header: 甲 乙 丙 1 2 3 (not an enterprise called 甲)."""
    if not cells or not all(c in _COLUMN_NUMBERS or c.isdigit() for c in cells):
        return False
    letters = [c for c in cells if not c.isdigit()]
    digits = [int(c) for c in cells if c.isdigit()]
    consecutive = len(digits) >= 2 and digits == list(range(1, len(digits) + 1))
    return "栏次" in letters or len(letters) >= 2 or (not letters and consecutive)


def _letter(grid: Grid, col: str) -> str:
    from gaoxin.engine.tabular.readers import column_letter

    return f"{column_letter(int(col[1:]))}列"


def _title_unit(title: list[str]) -> str | None:
    for text in title:
        t = unicodedata.normalize("NFKC", text)
        m = re.search(r"(?:计量)?单位\s*[:：]\s*(\S+?)\s*(?:[)）]|$|\s)", t)
        if m:
            unit = parse_unit(m.group(1))
            if unit is not None:
                return unit.symbol
    return None


def title_period(title: list[str]) -> tuple[ReportedPeriod, str] | None:
    """The period a title names (``2025年1-7月高新区主要经济指标`` → 2025-07, 累计)."""
    for text in title:
        t = unicodedata.normalize("NFKC", text)
        for m in _TITLE_PERIOD.finditer(t):
            try:
                return parse_reported(m.group(0)), m.group(0)
            except PeriodError:
                continue
    return None


def is_total(text: pl.Expr) -> pl.Expr:
    """True where an entity cell says 合计/总计/小计/全区合计."""
    return text.str.normalize("NFKC").str.replace_all(r"\s", "").str.contains(_TOTAL.pattern)


def notes_start(table: Table) -> int | None:
    """The spreadsheet row where notes (注：…, 填报人…, 数据来源…) begin, or None."""
    cols = [c.name for c in table.columns]
    if not cols or table.data.height == 0:
        return None
    first = table.data.select(
        pl.col(ROW),
        pl.coalesce([pl.col(c) for c in cols])
        .str.normalize("NFKC")
        .str.replace_all(r"\s", "")
        .alias("first"),
    ).filter(pl.col("first").str.contains(_NOTES.pattern))
    return int(first[ROW][0]) if first.height else None
