"""Read the statistics people send (CSV, Excel) into one clean long frame, with every problem.

:func:`read_observations` is the pure half of an import: it never stops at the first problem, and
it touches no database. The caller (the statistics import) resolves entities and writes the
observations atomically only when :attr:`ParsedTable.errors` is empty.

Rules this module applies, so a reviewer can check them:

* **Values** are ``Decimal(38, 10)`` after conversion to the catalogue unit (exact for typed
  figures; a non-terminating factor such as 亩→公顷 ÷15 is rounded at the 10th decimal).
* **Units**: a column's unit comes from its header (``营业收入（亿元）``), else a units row under
  the header, else a ``单位：万元`` line above the table (applied only to columns of the same
  dimension), else the catalogue unit is assumed and the mapping says so.
* **Period**: from a period column, else the title rows, else the ``period=`` argument.
* **累计**: ``cumulative`` is true when the file says year-to-date (``2025年1-7月``) and the
  variable is a flow the catalogue keeps year-to-date. A stock (从业人员) given for 1-N月 is its
  value at the end of month N (``cumulative`` false, no problem). The store's own month code
  (``2025-07``, as gaoxin exports it) means what the store holds: 1-7月 for a 累计 variable. A
  累计 variable given for a single month in words (``2025年8月``) after January is an error:
  a 当月 figure is never stored as the 1-N月 total (decision 030). A period finer than the
  variable's period type (a yearly statistic given for a month or 1-N月) is a
  ``period_mismatch`` error; a period before the catalogue's ``earliest_year`` or not yet
  begun is a ``bad_period`` error.
* **Percentages**: ``38.5%`` is accepted only for a variable measured in %, and means 38.5;
  a plain ``0.385`` in a % column is taken as written (0.385%), not multiplied by 100.
* **Missing** cells (blank, ``-``, ``—``, ``/``, ``无``) are skipped silently; a 合计 row and
  notes under the table (``注：``, ``填报人``, ``数据来源``…, and every row after them) are
  skipped with a warning.
* Observations hold only cells that parsed cleanly; every other cell is in ``problems``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import polars as pl

from gaoxin.engine.periods import PERIOD_TYPES, PeriodError, ReportedPeriod, parse_reported
from gaoxin.engine.problems import Problem
from gaoxin.engine.tabular import numbers
from gaoxin.engine.tabular.layout import (
    ENTITY_ROLES,
    Column,
    Table,
    find_table,
    is_total,
    lookup_variable,
    notes_start,
    title_period,
)
from gaoxin.engine.tabular.readers import ROW, Grid, read_grids
from gaoxin.engine.units import UnitError, conversion_factor, get_unit, split_header
from gaoxin.engine.variables import Catalogue

OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "entity_key": pl.String(),
    "entity_key_type": pl.String(),
    "entity_name": pl.String(),
    "variable": pl.String(),
    "period": pl.String(),
    "value": numbers.VALUE_DTYPE,
    "raw_value": pl.String(),
    "unit_given": pl.String(),
    "cumulative": pl.Boolean(),
}

# Coarseness of period types; a value may be given for its variable's type or a coarser one.
_RANK = {kind: rank for rank, kind in enumerate(reversed(PERIOD_TYPES))}  # month 0 … year 3
_PERIOD_ZH = {"month": "月", "quarter": "季度", "half": "半年", "year": "年"}


@dataclass(frozen=True)
class ColumnMapping:
    """How one header (or, in a long table, one variable name) was read."""

    sheet: str | None
    header: str
    variable: str
    unit_given: str | None
    unit: str
    factor: Fraction
    unit_source: str | None = None

    def describe(self) -> str:
        """``列「营业收入（亿元）」→ revenue，亿元→万元 ×10000``"""
        head = f"列「{self.header}」→ {self.variable}"
        if self.unit_given is None:
            return f"{head}，未注明单位，按{self.unit}"
        if self.factor == 1:
            return f"{head}，{self.unit}"
        f = self.factor
        if f.denominator == 1:
            how = f"×{f.numerator}"
        elif f.numerator == 1:
            how = f"÷{f.denominator}"
        else:
            how = f"×{f.numerator}/{f.denominator}"
        return f"{head}，{self.unit_given}→{self.unit} {how}"


@dataclass
class ParsedTable:
    """What a file holds: observations in the catalogue's units, and every problem found."""

    observations: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    mappings: list[ColumnMapping] = field(default_factory=list)
    layouts: dict[str | None, str] = field(default_factory=dict)  # sheet → 'long' | 'wide'

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def describe_mappings(self) -> list[str]:
        return [m.describe() for m in self.mappings]


def empty_observations() -> pl.DataFrame:
    return pl.DataFrame(schema=OBSERVATION_SCHEMA)


def read_observations(
    source: str | Path | bytes | BinaryIO,
    catalogue: Catalogue,
    *,
    sheet: str | None = None,
    period: str | None = None,
    name: str | None = None,
    today: dt.date | None = None,
) -> ParsedTable:
    """Read a CSV or workbook into observations, collecting every problem.

    ``source`` is a path, bytes or a binary stream (then ``name`` gives the file name shown
    in problems and, through its suffix, a hint of the format). With ``sheet=None`` every
    sheet is read; sheets without a table are skipped with a warning, unless no sheet has one.
    ``period`` is the period to use when neither a period column nor the title names one.
    ``today`` (default: the system date) refuses periods that have not yet begun.
    """
    today = today or dt.date.today()
    if hasattr(source, "read"):
        source = source.read()  # type: ignore[union-attr]
    grids, problems = read_grids(source, name=name, sheet=sheet)  # type: ignore[arg-type]
    frames: list[pl.DataFrame] = []
    mappings: list[ColumnMapping] = []
    layouts: dict[str | None, str] = {}
    no_header: list[Problem] = []
    found = False
    for grid in grids:
        if grid.frame.height == 0:
            continue
        table = find_table(grid, catalogue)
        if table is None:
            no_header.append(_no_header(grid))
            continue
        found = True
        if grid.hidden:
            problems.append(
                Problem(
                    "hidden_sheet",
                    "此工作表是隐藏的，其中的数据可能并非有意报送：请在 Excel 中取消隐藏后确认，"
                    "或删除此工作表；也可导入时指定只读某个工作表",
                    file=grid.file,
                    sheet=grid.sheet,
                )
            )
        layouts[grid.sheet] = table.kind
        frame, table_mappings, table_problems = _read_table(table, catalogue, period, today)
        frames.append(frame)
        mappings.extend(table_mappings)
        problems.extend(table_problems)
    if grids and not found:
        problems.extend(no_header or [_no_header(grids[0])])
    elif sheet is None:
        problems.extend(
            Problem(
                "sheet_skipped",
                "该工作表中未找到数据表头，已跳过",
                file=p.file,
                sheet=p.sheet,
                severity="warning",
            )
            for p in no_header
        )
    else:
        problems.extend(no_header)
    observations = pl.concat(frames) if frames else empty_observations()
    problems.extend(_duplicates(observations))
    sheets = [g.sheet for g in grids]
    return ParsedTable(observations, _ordered(problems, sheets), mappings, layouts)


def _ordered(problems: list[Problem], sheets: list[str | None]) -> list[Problem]:
    """File-level problems first, then sheet by sheet in workbook order, row by row.

    The sort is stable: within a row, problems stay in the order the checks found them.
    """
    order = {name: i for i, name in enumerate(sheets)}

    def key(p: Problem) -> tuple[int, int]:
        return (order.get(p.sheet, -1) if p.sheet is not None else -1, p.row or 0)

    # A bad period= argument is found once per sheet; say it once.
    return sorted(dict.fromkeys(problems), key=key)


def _no_header(grid: Grid) -> Problem:
    return Problem(
        "no_header_row",
        "前15行中未找到表头：表头应包含单位列（统一社会信用代码/名称）和指标列（如“营业收入（万元）”），"
        "长表格式应包含“指标”和“数值”列；请检查表头文字",
        file=grid.file,
        sheet=grid.sheet,
    )


# --- one table -----------------------------------------------------------------------------


class _Collector:
    def __init__(self, grid: Grid):
        self.file, self.sheet = grid.file, grid.sheet
        self.problems: list[Problem] = []

    def add(
        self,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        warning: bool = False,
        **extra: object,
    ) -> None:
        self.problems.append(
            Problem(
                code,
                message,
                file=self.file,
                sheet=self.sheet,
                row=row,
                column=column,
                value=None if value is None else str(value),
                severity="warning" if warning else "error",
                extra=dict(extra),
            )
        )


def _read_table(
    table: Table, catalogue: Catalogue, period_arg: str | None, today: dt.date
) -> tuple[pl.DataFrame, list[ColumnMapping], list[Problem]]:
    out = _Collector(table.grid)
    if table.grid.delimiter is not None:
        _check_text_rows(table, out)
    if table.grid.unread:
        _check_unread_cells(table, out)
    data = _drop_notes_and_totals(table, out)

    keys: dict[str, Column] = {}
    for column in table.columns:
        if column.role in (*ENTITY_ROLES, "period", "variable", "value", "unit"):
            if column.role in keys:
                first = keys[column.role]
                out.add(
                    "duplicate_column",
                    f"列「{column.header}」与列「{first.header}」含义相同，只能保留一列；"
                    f"请删除或改名其中一列",
                    row=table.header_row,
                    column=column.header,
                    value=column.header,
                )
                continue
            keys[column.role] = column

    default_period = _default_period(table, period_arg, out)
    rows = _rows_with_keys(data, keys, default_period)
    bad_codes = _check_uscc(rows, keys.get("uscc"), out)

    if table.kind == "wide":
        cells, mappings = _wide_cells(table, rows, data, catalogue, out)
    else:
        cells, mappings = _long_cells(table, rows, data, keys, catalogue, out)

    frame = _finish(cells, table, keys, catalogue, default_period, bad_codes, out, today)
    return frame, mappings, out.problems


def _check_unread_cells(table: Table, out: _Collector) -> None:
    """Excel error values and formulas without a saved result inside the table: calamine gives
    them as empty, and an empty figure would be skipped as "not reported"."""
    read = {int(c.name[1:]): c for c in table.columns if c.role != "ignored"}
    for row, index, what, text in table.grid.unread:
        column = read.get(index)
        if row <= table.header_row or column is None:
            continue
        if what == "error":
            message = (
                f"此格是 Excel 错误值 {text}（公式计算出错），不是数据；请修正公式或填写数值后"
                "重新保存"
            )
        else:
            message = (
                "此格是公式，但文件中没有保存计算结果（文件由程序生成、未经 Excel 计算保存）；"
                "请用 Excel 打开文件、保存后再导入，或把公式改为数值"
            )
        code = "excel_error_cell" if what == "error" else "formula_without_value"
        out.add(code, message, row=row, column=column.header, value=text)


def _check_text_rows(table: Table, out: _Collector) -> None:
    """Rows of a CSV file that the delimiter or a quote has shifted: refused, never guessed.

    A number written ``1,234.50`` without quotes splits into two fields and every field after
    it moves one column right: such a row has a value beyond the last header. A stray quote
    opens a cell that swallows the following lines: such a cell holds a line break.
    """
    data = table.data
    header = table.grid.frame.filter(pl.col(ROW) == table.header_row).row(0, named=True)
    last = max((int(c.name[1:]) for c in table.columns if header[c.name] is not None), default=-1)
    beyond = [c.name for c in table.columns if int(c.name[1:]) > last]
    cells = [c.name for c in table.columns]
    if beyond:
        ragged = data.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in beyond))
        for row in ragged.iter_rows(named=True):
            extra = [row[c] for c in beyond if row[c] is not None]
            out.add(
                "ragged_row",
                f"此行比表头多出 {len(extra)} 个字段（{'、'.join(extra[:3])}）：通常是数字中的千分位逗号"
                "（如 1,234.50）未加引号，把其后的数值挤到了右边一列；请去掉数字中的逗号或给该格加引号",
                row=row[ROW],
                value=",".join(str(row[c]) for c in cells if row[c] is not None)[:80],
            )
    fields = table.grid.fields
    if fields is not None:
        # A row with fewer fields than the header (a lost cell moves the rest one column
        # left), above any notes below the table; a one-field line is a title or a note.
        notes = notes_start(table)
        short = data.join(fields, on=ROW, how="inner").filter(
            pl.col("fields").is_between(2, last),
            pl.lit(True) if notes is None else pl.col(ROW) < notes,
        )
        for row in short.iter_rows(named=True):
            out.add(
                "short_row",
                f"此行只有 {row['fields']} 个字段，比表头少 {last + 1 - row['fields']} 个字段："
                "可能漏了一格，使其后的数值挤到了左边一列；请补齐此行（空值也要保留分隔符）",
                row=row[ROW],
                value=",".join(str(row[c]) for c in cells if row[c] is not None)[:80],
            )
    spanning = data.filter(
        pl.any_horizontal(pl.col(c).str.contains("\n", literal=True) for c in cells)
    )
    for row in spanning.iter_rows(named=True):
        column = next(c for c in table.columns if row[c.name] and "\n" in row[c.name])
        text = row[column.name]
        out.add(
            "multiline_cell",
            f'此格跨越 {text.count(chr(10)) + 1} 行：通常是缺少配对的引号（"），使其后的行被并入此格而未读取；'
            "请检查此行的引号，单元格内不要换行",
            row=row[ROW],
            column=column.header,
            value=text[:60],
        )


def _drop_notes_and_totals(table: Table, out: _Collector) -> pl.DataFrame:
    data = table.data
    start = notes_start(table)
    cols = [c.name for c in table.columns]
    if start is not None:
        notes = data.filter(pl.col(ROW) >= start).select(
            ROW, pl.coalesce([pl.col(c) for c in cols]).alias("text")
        )
        for row, text in notes.iter_rows():
            out.add(
                "notes_row",
                "表末的注释/填报人等说明行，已忽略",
                row=row,
                value=text,
                warning=True,
            )
        data = data.filter(pl.col(ROW) < start)
    # 合计 may sit in the name column or in 序号: look in every column that holds no figures.
    entity = [c for c in table.columns if c.role in ENTITY_ROLES] + [
        c for c in table.columns if c.role == "ignored" and c.header != ""
    ]
    if entity:
        total = pl.any_horizontal([is_total(pl.col(c.name)).fill_null(False) for c in entity])
        totals = data.filter(total)
        for row_values in totals.iter_rows(named=True):
            col = next(c for c in entity if row_values[c.name] is not None)
            out.add(
                "total_row",
                "合计行不导入（合计由系统按企业数据汇总）；已忽略",
                row=row_values[ROW],
                column=col.header,
                value=row_values[col.name],
                warning=True,
            )
        data = data.filter(~total)
    return data


def _default_period(
    table: Table, period_arg: str | None, out: _Collector
) -> tuple[ReportedPeriod, str, str] | None:
    """The period for rows without a period cell: (period, text, where it came from)."""
    from_title = title_period(table.title)
    given: ReportedPeriod | None = None
    if period_arg is not None:
        try:
            given = parse_reported(period_arg)
        except PeriodError as error:
            out.add("bad_period", str(error), value=period_arg)
    if from_title is not None:
        reported, text = from_title
        if given is not None and given != reported:
            out.add(
                "period_conflict",
                f"标题中的期间「{text}」与导入时指定的期间「{period_arg}」不一致，按标题读取；"
                "如标题有误，请修改标题后重新导入",
                value=text,
                warning=True,
            )
        return reported, text, "title"
    if given is not None and period_arg is not None:
        return given, period_arg, "argument"
    return None


def _rows_with_keys(
    data: pl.DataFrame, keys: dict[str, Column], default_period: tuple | None
) -> pl.DataFrame:
    """One row per data row: ROW, entity key and type, name, uscc and period text."""
    present = [r for r in ENTITY_ROLES if r in keys]
    key = pl.coalesce([pl.col(keys[r].name) for r in present]) if present else pl.lit(None)
    key_type = pl.lit(None, dtype=pl.String)
    for r in reversed(present):
        key_type = pl.when(pl.col(keys[r].name).is_not_null()).then(pl.lit(r)).otherwise(key_type)
    period = pl.col(keys["period"].name) if "period" in keys else pl.lit(None, dtype=pl.String)
    # A date cell in a period column arrives as 2025-07-01 00:00:00: read it as its month.
    period = period.str.replace(r"^(\d{4})-(\d{2})-\d{2}(?: 00:00:00)?$", "${1}-${2}")
    if default_period is not None:
        period = period.fill_null(pl.lit(default_period[1]))
    return data.select(
        pl.col(ROW),
        key.cast(pl.String).alias("entity_key"),
        key_type.alias("entity_key_type"),
        (pl.col(keys["name"].name) if "name" in keys else pl.lit(None, dtype=pl.String)).alias(
            "entity_name"
        ),
        period.alias("__period_text"),
    )


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_valid(code: pl.Expr) -> pl.Expr:
    """GB 32100 check, vectorised: 18 characters and the check digit (as stdnum.cn.uscc)."""
    s = code.str.to_uppercase().str.replace_all(r"[\s-]", "")
    index = {ch: i for i, ch in enumerate(_USCC_ALPHABET)}
    digits = [
        s.str.slice(i, 1).replace_strict(index, default=None, return_dtype=pl.Int64)
        for i in range(18)
    ]
    total = pl.sum_horizontal([d * w for d, w in zip(digits, _USCC_WEIGHTS, strict=False)])
    check = (31 - total % 31) % 31
    return (s.str.contains(r"^[0-9]{8}[0-9A-HJ-NP-RTUWXY]{10}$") & (check == digits[17])).fill_null(
        False
    )


def _check_uscc(rows: pl.DataFrame, column: Column | None, out: _Collector) -> list[int]:
    """Report invalid credit codes; returns the rows that have one.

    The vectorised check finds the candidates; python-stdnum, the reference, decides and
    says why (length or characters vs. check digit).
    """
    if column is None:
        return []
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum, ValidationError

    bad = rows.filter(
        (pl.col("entity_key_type") == "uscc") & ~uscc_valid(pl.col("entity_key"))
    ).select(ROW, "entity_key")
    bad_rows: list[int] = []
    for row, code in bad.iter_rows():
        try:
            uscc.validate(code)
            continue
        except InvalidChecksum:
            out.add(
                "uscc_check_digit",
                "统一社会信用代码校验位不符（第18位应为"
                f"「{uscc.calc_check_digit(uscc.compact(code))}」），可能有抄错的字符；请与营业执照核对",
                row=row,
                column=column.header,
                value=code,
            )
        except ValidationError:
            out.add(
                "uscc_format",
                "统一社会信用代码应为18位：前8位为数字，其余为数字或大写字母（不含I、O、Z、S、V）；"
                f"此值为{len(uscc.compact(code))}位或含不允许的字符，请与营业执照核对",
                row=row,
                column=column.header,
                value=code,
            )
        bad_rows.append(row)
    return bad_rows


def _wide_cells(
    table: Table, rows: pl.DataFrame, data: pl.DataFrame, catalogue: Catalogue, out: _Collector
) -> tuple[pl.DataFrame, list[ColumnMapping]]:
    mappings: list[ColumnMapping] = []
    mapped: dict[str, Column] = {}
    factors: list[dict[str, object]] = []
    catalogue_names = _names(catalogue)
    for column in table.columns:
        if column.role != "data":
            continue
        var = column.variable
        if var is None:
            _unknown_column(table, column, data, catalogue_names, out)
            continue
        if var.code in mapped:
            first = mapped[var.code]
            out.add(
                "duplicate_column",
                f"列「{column.header}」与列「{first.header}」都是指标「{var.zh}」，同一指标只能填一列；"
                "请删除其中一列",
                row=table.header_row,
                column=column.header,
                value=column.header,
                variable=var.code,
            )
            continue
        try:
            f = conversion_factor(column.unit_given or var.unit, var.unit)
        except UnitError as error:
            row = table.units_row if column.unit_source == "units_row" else table.header_row
            out.add(
                "unit_mismatch",
                f"指标「{var.zh}」的单位应为{var.unit}：{error}",
                row=row,
                column=column.header,
                value=column.unit_given,
                variable=var.code,
            )
            continue
        mapped[var.code] = column
        mappings.append(
            ColumnMapping(
                table.grid.sheet,
                column.header,
                var.code,
                column.unit_given,
                var.unit,
                f,
                column.unit_source or "assumed",
            )
        )
        factors.append(
            {
                "__col": column.name,
                "__order": int(column.name[1:]),
                "column": column.header,
                "variable": var.code,
                "unit_given": column.unit_given,
                "__num": f.numerator,
                "__den": f.denominator,
            }
        )
    if not mapped:
        return _empty_cells(), mappings
    value_cols = [c.name for c in mapped.values()]
    cells = (
        data.select(ROW, *value_cols)
        .unpivot(index=ROW, on=value_cols, variable_name="__col", value_name="raw_value")
        .join(pl.DataFrame(factors, schema=_FACTOR_SCHEMA), on="__col", how="left")
        .join(rows, on=ROW, how="left")
        .drop("__col")
        .with_columns(pl.lit(None, dtype=pl.String).alias("__unit_text"))
    )
    return cells, mappings


_FACTOR_SCHEMA = {
    "__col": pl.String,
    "__order": pl.Int64,
    "column": pl.String,
    "variable": pl.String,
    "unit_given": pl.String,
    "__num": pl.Int64,
    "__den": pl.Int64,
}


def _empty_cells() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            ROW: pl.Int64,
            "raw_value": pl.String,
            "__order": pl.Int64,
            "column": pl.String,
            "variable": pl.String,
            "unit_given": pl.String,
            "__num": pl.Int64,
            "__den": pl.Int64,
            "entity_key": pl.String,
            "entity_key_type": pl.String,
            "entity_name": pl.String,
            "__period_text": pl.String,
            "__unit_text": pl.String,
        }
    )


def _names(catalogue: Catalogue) -> list[str]:
    """Names to suggest for a header that is not in the catalogue: Chinese names and aliases."""
    return [n for var in catalogue for n in (var.zh, *var.aliases)]


def _unknown_column(
    table: Table, column: Column, data: pl.DataFrame, names: list[str], out: _Collector
) -> None:
    if _DERIVED.search(column.header):
        out.add(
            "column_ignored",
            f"列「{column.header}」是增速、占比或排名等派生数，由系统计算，不导入；已忽略",
            row=table.header_row,
            column=column.header,
            value=column.header,
            warning=True,
        )
        return
    values = data[column.name].drop_nulls()
    numeric = values.len() > 0 and (
        pl.DataFrame({"v": values})
        .select(numbers.parse_number(pl.col("v")).is_not_null().mean())
        .item()
        >= 0.5
    )
    suggestions = difflib.get_close_matches(_bare(column.header), names, n=3, cutoff=0.5)
    has_unit = _bare(column.header) != column.header.strip()
    hint = "、".join(f"「{s}」" for s in suggestions)
    if numeric or has_unit or suggestions:
        more = f"是否为{hint}？" if suggestions else ""
        out.add(
            "unknown_column",
            f"列「{column.header}」不是指标目录中的指标；{more}请改用目录中的指标名称，或删除此列",
            row=table.header_row,
            column=column.header,
            value=column.header,
            suggestions=suggestions,
        )
    else:
        out.add(
            "column_ignored",
            f"列「{column.header}」不是指标，已忽略",
            row=table.header_row,
            column=column.header,
            value=column.header,
            warning=True,
        )


# Growth rates, shares and ranks are computed from the stored figures, never imported.
_DERIVED = re.compile(r"增长|增速|增幅|同比|环比|占比|比重|排名|排序|位次|名次")


def _bare(header: str) -> str:
    return split_header(header)[0]


def _long_cells(
    table: Table,
    rows: pl.DataFrame,
    data: pl.DataFrame,
    keys: dict[str, Column],
    catalogue: Catalogue,
    out: _Collector,
) -> tuple[pl.DataFrame, list[ColumnMapping]]:
    var_col, value_col = keys["variable"], keys["value"]
    unit_col = keys.get("unit")
    base = data.select(
        pl.col(ROW),
        pl.col(var_col.name).alias("__var_text"),
        pl.col(value_col.name).alias("raw_value"),
        (pl.col(unit_col.name) if unit_col else pl.lit(None, dtype=pl.String)).alias("__unit_text"),
    ).join(rows, on=ROW, how="left")
    # Resolve each distinct (variable text, unit text) once: few, however long the file.
    pairs = base.select("__var_text", "__unit_text").unique().drop_nulls("__var_text")
    resolved: list[dict[str, object]] = []
    mappings: list[ColumnMapping] = []
    bad: dict[tuple[str, str | None], tuple[str, str, str, object]] = {}
    for var_text, unit_text in pairs.sort(pl.all(), nulls_last=False).iter_rows():
        var, name, header_unit = lookup_variable(catalogue, var_text)
        if var is None:
            suggestions = difflib.get_close_matches(name, _names(catalogue), n=3, cutoff=0.5)
            more = (
                "是否为" + "、".join(f"「{s}」" for s in suggestions) + "？" if suggestions else ""
            )
            bad[(var_text, unit_text)] = (
                "unknown_variable",
                f"指标「{var_text}」不在指标目录中；{more}请改用目录中的指标名称或代码",
                var_col.header,
                var_text,
            )
            continue
        unit_given = header_unit
        if unit_text is not None:
            try:
                unit_given = get_unit(unit_text).symbol
            except UnitError as error:
                bad[(var_text, unit_text)] = (
                    "unknown_unit",
                    f"{error}；请填写如“万元”“人”“件”等标准单位",
                    unit_col.header if unit_col else var_col.header,
                    unit_text,
                )
                continue
        try:
            f = conversion_factor(unit_given or var.unit, var.unit)
        except UnitError as error:
            bad[(var_text, unit_text)] = (
                "unit_mismatch",
                f"指标「{var.zh}」的单位应为{var.unit}：{error}",
                unit_col.header if unit_col and unit_text else var_col.header,
                unit_given,
            )
            continue
        resolved.append(
            {
                "__var_text": var_text,
                "__unit_text": unit_text,
                "variable": var.code,
                "unit_given": unit_given,
                "__num": f.numerator,
                "__den": f.denominator,
            }
        )
        mapping = ColumnMapping(
            table.grid.sheet,
            var_text,
            var.code,
            unit_given,
            var.unit,
            f,
            ("units_row" if unit_text is not None else "header") if unit_given else "assumed",
        )
        if mapping not in mappings:
            mappings.append(mapping)
    if bad:
        keyed = pl.DataFrame(
            [{"__var_text": k[0], "__unit_text": k[1]} for k in bad],
            schema={"__var_text": pl.String, "__unit_text": pl.String},
        )
        hits = base.join(keyed, on=["__var_text", "__unit_text"], nulls_equal=True).filter(
            ~numbers.is_missing(pl.col("raw_value"))
        )
        for row, var_text, unit_text in hits.select(ROW, "__var_text", "__unit_text").iter_rows():
            code, message, column, value = bad[(var_text, unit_text)]
            out.add(code, message, row=row, column=column, value=value)
    missing_var = base.filter(pl.col("__var_text").is_null()).filter(
        ~numbers.is_missing(pl.col("raw_value"))
    )
    for row in missing_var[ROW]:
        out.add(
            "empty_variable",
            "此行填了数值但没有填指标名称；请补填指标",
            row=row,
            column=var_col.header,
        )
    schema = {
        "__var_text": pl.String,
        "__unit_text": pl.String,
        "variable": pl.String,
        "unit_given": pl.String,
        "__num": pl.Int64,
        "__den": pl.Int64,
    }
    cells = base.join(
        pl.DataFrame(resolved, schema=schema),
        on=["__var_text", "__unit_text"],
        how="inner",
        nulls_equal=True,
    ).with_columns(pl.lit(value_col.header).alias("column"), pl.lit(0).alias("__order"))
    return cells.drop("__var_text"), mappings


def _finish(
    cells: pl.DataFrame,
    table: Table,
    keys: dict[str, Column],
    catalogue: Catalogue,
    default_period: tuple | None,
    bad_codes: list[int],
    out: _Collector,
    today: dt.date,
) -> pl.DataFrame:
    grid = table.grid
    parsed = numbers.parse_numbers(cells["raw_value"])
    cells = cells.with_columns(
        parsed["number"].alias("__number"), parsed["percent"].alias("__percent")
    ).filter(~parsed["missing"])
    if cells.height == 0:
        return empty_observations()

    # Entity keys: a row with figures but no key cannot be imported.
    entity_header = next(
        (keys[r].header for r in ENTITY_ROLES if r in keys), "统一社会信用代码/名称"
    )
    for row in cells.filter(pl.col("entity_key").is_null())[ROW].unique().sort():
        out.add(
            "empty_entity_key",
            "此行填了数据，但统一社会信用代码和名称都为空；请补填，或删除此行",
            row=row,
            column=entity_header,
        )

    # Numbers. Only flags and bounds are joined onto the cells; names for messages are looked
    # up for the few cells that have a problem.
    info = _variable_info(catalogue, cells["variable"].unique().to_list())
    cells = cells.join(info, on="variable", how="left")
    wrong_percent = pl.col("__percent") & ~pl.col("__percent_unit")
    bad_number = cells.filter(pl.col("__number").is_null() | wrong_percent)
    for row, column, raw, code, unit_given, number in bad_number.select(
        ROW, "column", "raw_value", "variable", "unit_given", "__number"
    ).iter_rows():
        var = catalogue[code]
        if number is None:
            message = (
                f"「{var.zh}」应填数字（单位：{unit_given or var.unit}）；可写 1234.5 或 1,234.5，"
                "未发生可留空或填“-”"
            )
        else:
            message = f"「{var.zh}」的单位是{var.unit}，不能填百分数；请填{var.unit}数值"
        out.add("not_a_number", message, row=row, column=column, value=raw)

    # Periods: parse each distinct text once.
    periods, labels = _parse_periods(
        cells["__period_text"].unique().drop_nulls().to_list(), catalogue.earliest_year, today
    )
    period_col = keys.get("period")
    cells = cells.join(periods, on="__period_text", how="left")
    if default_period is None and period_col is None:
        out.add(
            "period_missing",
            "未找到统计期间：请在表中增加“期间”列，或在标题中写明期间（如“2025年1-7月”），"
            "或导入时指定期间",
        )
    else:
        missing = cells.filter(pl.col("__period_text").is_null())[ROW].unique().sort()
        for row in missing:
            out.add(
                "bad_period",
                "此行没有填期间；请填写如 2025、2025Q3、2025-07 或 2025年1-7月",
                row=row,
                column=period_col.header if period_col else None,
            )
        failed = cells.filter(pl.col("__period_text").is_not_null() & pl.col("period").is_null())
        for row, text in failed.select(ROW, "__period_text").unique().sort(ROW).iter_rows():
            out.add(
                "bad_period",
                labels[text],
                row=row,
                column=period_col.header if period_col else "（标题）",
                value=text,
            )
    # A period finer than the variable's own period type.
    finer = pl.col("__kind_rank") < pl.col("__var_rank")
    for row, column, code, text in (
        cells.filter(finer).select(ROW, "column", "variable", "__period_text").iter_rows()
    ):
        var, label = catalogue[code], labels[text]
        kind = _PERIOD_ZH[var.period]
        out.add(
            "period_mismatch",
            f"「{var.zh}」按{kind}统计，不能按「{label}」填报；请填写全{kind}数据或删除此列",
            row=row,
            column=column,
            value=label,
        )
    single = (
        cells.filter(pl.col("__var_cumulative") & pl.col("__single_month"))
        .group_by("column", "variable", "__period_text")
        .agg(pl.col(ROW).min())
        .sort(ROW)
    )
    for column, code, text, row in single.iter_rows():
        label = labels[text]
        out.add(
            "period_not_cumulative",
            f"「{catalogue[code].zh}」按1-N月累计保存，期间「{label}」是当月数，不能存为累计数；"
            "请填写1-N月累计数并把期间写作“1-N月”（如2025年1-7月）",
            row=row,
            column=column,
            value=label,
        )

    # Conversion to the catalogue unit, then the valid range (in the catalogue unit). A figure
    # of 10^18 or more cannot be stored whatever its unit; it is refused before it is scaled
    # (a 28-digit 亿元 figure times 10,000 leaves Decimal(38, 10)).
    huge = pl.col("__number").abs() >= 10**18
    cells = cells.with_columns(
        pl.when(huge.fill_null(False))
        .then(None)
        .otherwise(pl.col("__number") * pl.col("__num") / pl.col("__den"))
        .alias("value"),
        huge.fill_null(False).alias("__huge"),
    )
    too_precise = _beyond_store(pl.col("value")) | pl.col("__huge")
    for row, column, raw in (
        cells.filter(too_precise.fill_null(False)).select(ROW, "column", "raw_value").iter_rows()
    ):
        out.add(
            "too_many_digits",
            f"数值超过{STORE_DIGITS}位有效数字，无法精确保存（超出部分会被悄悄舍入）；"
            "请核对是否多输了数字，或换用更大的单位（如亿元）",
            row=row,
            column=column,
            value=raw,
        )
    fraction = pl.col("__integer") & (pl.col("value") != pl.col("value").floor())
    for row, column, raw, code in (
        cells.filter(fraction.fill_null(False))
        .select(ROW, "column", "raw_value", "variable")
        .iter_rows()
    ):
        var = catalogue[code]
        out.add(
            "not_whole",
            f"「{var.zh}」以{var.unit}计，应为整数；请核对",
            row=row,
            column=column,
            value=raw,
        )
    low = pl.col("__min").is_not_null() & (pl.col("value") < pl.col("__min"))
    high = pl.col("__max").is_not_null() & (pl.col("value") > pl.col("__max"))
    out_of_range = cells.filter(low | high)
    for row, column, raw, code, value in out_of_range.select(
        ROW, "column", "raw_value", "variable", "value"
    ).iter_rows():
        var = catalogue[code]
        if var.min is not None and value < var.min:
            bound = f"不小于{_plain(var.min)}"
        else:
            bound = f"不大于{_plain(var.max or Decimal(0))}"  # the plausible ceiling
        out.add(
            "out_of_range",
            f"「{var.zh}」应{bound}（{var.unit}），此值换算后为{_plain(value)}；请核对",
            row=row,
            column=column,
            value=raw,
        )

    # Excel keeps a cell shown as 38.5% as 0.385; calamine gives the value, not the format.
    fractions = (
        cells.filter(
            pl.col("__percent_unit") & ~pl.col("__percent") & pl.col("value").is_not_null()
        )
        .group_by("column", "variable")
        .agg(
            pl.col(ROW).min(),
            (pl.col("value").abs().max() <= 1).alias("small"),
            (pl.col("value") != 0).any().alias("nonzero"),
        )
        .filter(pl.col("small") & pl.col("nonzero"))
        .sort(ROW)
    )
    for column, code, row, _, _ in fractions.iter_rows():
        var = catalogue[code]
        out.add(
            "percent_as_fraction",
            f"「{var.zh}」以百分数计（如38.5表示38.5%），但此列数值都不大于1，"
            "可能是设置为百分比格式的单元格（38.5%存为0.385）；如是，请改为填写38.5",
            row=row,
            column=column,
            warning=True,
        )

    ok = (
        pl.col("entity_key").is_not_null()
        & pl.col("value").is_not_null()
        & pl.col("period").is_not_null()
        & ~wrong_percent
        & ~finer.fill_null(False)
        & ~(low | high).fill_null(False)
        & ~(pl.col("__var_cumulative") & pl.col("__single_month")).fill_null(False)
        & ~too_precise.fill_null(False)
        & ~fraction.fill_null(False)
    )
    if bad_codes:
        ok = ok & ~pl.col(ROW).is_in(bad_codes)
    return (
        cells.filter(ok)
        .sort(ROW, "__order")
        .with_columns(
            pl.lit(grid.file).alias("source_file"),
            pl.lit(grid.sheet, dtype=pl.String).alias("sheet"),
            pl.col(ROW).alias("row"),
            (pl.col("__reported_cumulative") & pl.col("__var_cumulative")).alias("cumulative"),
        )
        .select([pl.col(c).cast(t) for c, t in OBSERVATION_SCHEMA.items()])
    )


# A stored value keeps 6 decimals; SQLite holds it as a double, exact to 15 significant digits.
STORE_DIGITS = 15
_STORE_DECIMALS = 6


def _beyond_store(value: pl.Expr) -> pl.Expr:
    """True where a value, rounded to the store's 6 decimals, has more than 15 significant
    digits (a 20-digit figure would be kept as an approximation) or reaches 10^15."""
    text = value.round(_STORE_DECIMALS).cast(pl.String).str.replace(r"^-", "")
    digits = (
        text.str.replace(r"\.?0*$", "")
        .str.replace(".", "", literal=True)
        .str.replace(r"^0+", "")
        .str.len_chars()
    )
    return (digits > STORE_DIGITS) | (value.abs() >= 10**STORE_DIGITS)


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f") if isinstance(d, Decimal) else str(d)


def _variable_info(catalogue: Catalogue, codes: Sequence[str | None]) -> pl.DataFrame:
    rows = [
        {
            "variable": code,
            "__min": catalogue[code].min,
            "__max": catalogue[code].max,
            "__percent_unit": catalogue[code].unit == "%",
            "__var_cumulative": catalogue[code].cumulative,
            "__var_rank": _RANK[catalogue[code].period],
            "__integer": catalogue[code].integer,
        }
        for code in codes
        if code is not None
    ]
    return pl.DataFrame(
        rows,
        schema={
            "variable": pl.String,
            "__min": numbers.VALUE_DTYPE,
            "__max": numbers.VALUE_DTYPE,
            "__percent_unit": pl.Boolean,
            "__var_cumulative": pl.Boolean,
            "__var_rank": pl.Int64,
            "__integer": pl.Boolean,
        },
    )


def _parse_periods(
    texts: list[str], earliest_year: int, today: dt.date
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Each distinct period text parsed once: a frame to join, and text → label (or error).

    A period before ``earliest_year`` or one that has not begun by ``today`` is an error: the
    1900 or 2099 of a slipped key, never a statistic."""
    rows = []
    labels: dict[str, str] = {}
    for text in texts:
        try:
            reported = parse_reported(text)
        except PeriodError as error:
            labels[text] = str(error)
            continue
        p = reported.period
        if p.year < earliest_year:
            labels[text] = f"期间「{text}」早于{earliest_year}年，不是有效的统计期间；请核对年份"
            continue
        if p.start_date() > today:
            labels[text] = (
                f"期间「{text}」尚未开始（今天是{today.isoformat()}），不能填报实际数；请核对年份"
            )
            continue
        labels[text] = reported.label()
        # January alone is also January year-to-date.
        ytd = reported.cumulative or (p.kind == "month" and p.index == 1)
        rows.append(
            {
                "__period_text": text,
                "period": str(p),
                "__kind_rank": _RANK[p.kind],
                "__reported_cumulative": ytd,
                # The store's own code (2025-07, what gaoxin exports) means what the store
                # holds: 1-7月 for a 累计 variable (decision 030). Only a period written as a
                # single month in words (2025年7月, 7月份) is a 当月 figure.
                "__single_month": p.kind == "month" and not ytd and text.strip() != str(p),
            }
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "__period_text": pl.String,
            "period": pl.String,
            "__kind_rank": pl.Int64,
            "__reported_cumulative": pl.Boolean,
            "__single_month": pl.Boolean,
        },
    )
    return frame, labels


def _duplicates(observations: pl.DataFrame) -> list[Problem]:
    """Every row of a (entity, variable, period) that occurs more than once in the file."""
    key = ["entity_key", "variable", "period"]
    counts = observations.group_by(key).agg(pl.len()).filter(pl.col("len") > 1)
    if counts.height == 0:
        return []
    dup = observations.join(counts.select(key), on=key, how="semi")
    problems: list[Problem] = []
    groups = dup.group_by(key, maintain_order=True).agg(
        pl.struct("source_file", "sheet", "row", "column", "raw_value").alias("cells")
    )
    for entity, variable, period, cells in groups.iter_rows():
        where = "、".join(
            (f"工作表「{c['sheet']}」" if c["sheet"] else "") + f"第{c['row']}行" for c in cells
        )
        for c in cells:
            problems.append(
                Problem(
                    "duplicate_key",
                    f"「{entity}」的指标 {variable} 在期间 {period} 重复填报（{where}）；"
                    "同一单位、指标、期间只能有一个值，请删除多余的行",
                    file=c["source_file"],
                    sheet=c["sheet"],
                    row=c["row"],
                    column=c["column"],
                    value=c["raw_value"],
                    extra={"rows": [x["row"] for x in cells]},
                )
            )
    return problems
