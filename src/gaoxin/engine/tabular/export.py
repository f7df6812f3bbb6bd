"""Write long frames for people and programs, and reporting-form templates that read back.

:func:`write_long` picks the format from the suffix (CSV with a UTF-8 BOM so Excel shows the
Chinese, XLSX, Parquet). :func:`form_template_xlsx` builds the Excel form an enterprise or zone
fills in: its headers are ``名称（单位）`` so :func:`~gaoxin.engine.tabular.read_observations`
reads a filled form back without any mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

import polars as pl

from gaoxin.engine.periods import PeriodType
from gaoxin.engine.tabular.safe import XLSX_OPTIONS, csv_frame
from gaoxin.engine.variables import Variable

TEMPLATE_ROWS = 2000
_PERIOD_EXAMPLE: dict[str, str] = {
    "month": "2025年1-7月（累计指标填1-7月累计数，从业人员等填7月末数）",
    "quarter": "2025Q3",
    "half": "2025H1",
    "year": "2025",
}


def write_long(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write a frame to ``.csv`` (UTF-8 with BOM), ``.xlsx`` or ``.parquet``, by suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        csv_frame(frame).write_csv(path, include_bom=True)
    elif suffix == ".xlsx":
        # Decimal values go out as text so no digit is lost to Excel's 15-digit floats.
        out = frame.with_columns(
            [
                pl.col(c).cast(pl.String)
                for c, t in frame.schema.items()
                if isinstance(t, pl.Decimal)
            ]
        )
        out.write_excel(path, autofit=True)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    else:
        raise ValueError(f"unsupported suffix {suffix!r}: use .csv, .xlsx or .parquet")
    return path


def _excel_number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _validation(var: Variable) -> dict[str, object]:
    lo: Decimal | None = var.min
    hi: Decimal | None = var.max
    message = f"{var.zh}，单位：{var.unit}"
    if lo is not None and hi is not None:
        criteria: dict[str, object] = {
            "criteria": "between",
            "minimum": _excel_number(lo),
            "maximum": _excel_number(hi),
        }
        message += f"，{lo}～{hi}"
    elif lo is not None:
        criteria = {"criteria": ">=", "value": _excel_number(lo)}
        message += f"，不小于{lo}"
    elif hi is not None:
        criteria = {"criteria": "<=", "value": _excel_number(hi)}
        message += f"，不大于{hi}"
    else:
        criteria = {"criteria": "between", "minimum": -1e15, "maximum": 1e15}
    return {
        "validate": "decimal",
        **criteria,
        "input_title": var.zh[:32],
        "input_message": message[:255],
        "error_title": "数值无效",
        "error_message": f"请填写数字（{var.unit}）"
        + (
            f"，范围：{lo if lo is not None else ''}～{hi if hi is not None else ''}"
            if (lo is not None or hi is not None)
            else ""
        ),
    }


def form_template_xlsx(
    variables: Iterable[Variable],
    path: str | Path,
    title: str,
    period_type: PeriodType = "year",
    *,
    rows: int = TEMPLATE_ROWS,
    key: Literal["uscc", "code"] = "uscc",
    prefill: Sequence[Sequence[object]] = (),
) -> Path:
    """An XLSX reporting form for ``variables``.

    Sheet ``填报``: a title row, a header row (统一社会信用代码, 单位名称, 期间, then one
    ``名称（单位）`` column per variable), the header frozen, the credit-code column formatted
    as text (leading zeros and 18 digits survive), and Excel data validation (a decimal within
    the variable's min/max) on every value cell. Sheet ``指标说明`` lists each variable's code,
    unit, period type, 累计 flag and valid range.

    ``key="code"`` heads the first column 单位代码 (zones, institutions: any entity code, no
    length check). ``prefill`` rows (key, name, period, one value per variable; None leaves a
    cell blank) are written under the header: a roster with its stored values.
    """
    import xlsxwriter

    variables = list(variables)
    path = Path(path)
    book = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1})
    title_format = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    text = book.add_format({"num_format": "@"})
    number = book.add_format({"num_format": "#,##0.00##"})

    sheet = book.add_worksheet("填报")
    keys = ["统一社会信用代码" if key == "uscc" else "单位代码", "单位名称", "期间"]
    headers = keys + [f"{v.zh}（{v.unit}）" for v in variables]
    sheet.merge_range(0, 0, 0, max(len(headers) - 1, 1), title, title_format)
    sheet.write_row(1, 0, headers, bold)
    sheet.set_row(1, 30)
    sheet.freeze_panes(2, 2)
    # Printed for signing and filing: one page wide, landscape, headers on every page.
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
    sheet.set_column(0, 0, 22, text)
    sheet.set_column(1, 1, 28)
    sheet.set_column(2, 2, 14, text)
    sheet.set_column(3, max(len(headers) - 1, 3), 16, number)
    last = 1 + max(rows, len(prefill))
    for r, values in enumerate(prefill, start=2):
        for c, value in enumerate(values):
            if value is not None:
                sheet.write(r, c, value, text if c in (0, 2) else number if c >= 3 else None)
    if key == "uscc":
        sheet.data_validation(
            2,
            0,
            last,
            0,
            {
                "validate": "length",
                "criteria": "==",
                "value": 18,
                "input_title": "统一社会信用代码",
                "input_message": "18位，按营业执照填写",
                "error_title": "长度不对",
                "error_message": "统一社会信用代码应为18位",
            },
        )
    sheet.data_validation(
        2,
        2,
        last,
        2,
        {
            "validate": "any",
            "input_title": "期间",
            "input_message": f"例：{_PERIOD_EXAMPLE.get(period_type, '2025')}",
        },
    )
    for i, var in enumerate(variables, start=len(keys)):
        sheet.data_validation(2, i, last, i, _validation(var))

    about = book.add_worksheet("指标说明")
    about_headers = ["列名", "指标代码", "计量单位", "统计周期", "是否累计", "最小值", "最大值"]
    about.write_row(0, 0, about_headers, bold)
    period_zh = {"month": "月", "quarter": "季", "half": "半年", "year": "年"}
    for r, var in enumerate(variables, start=1):
        about.write_row(
            r,
            0,
            [
                f"{var.zh}（{var.unit}）",
                var.code,
                var.unit,
                period_zh[var.period],
                "是（1-N月累计）" if var.cumulative else "否",
                "" if var.min is None else str(var.min),
                "" if var.max is None else str(var.max),
            ],
        )
    about.set_column(0, 0, 36)
    about.set_column(1, 6, 14)
    book.close()
    return path
