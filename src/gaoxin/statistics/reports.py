"""Problem reports written as files a user opens in Excel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from gaoxin.engine.problems import Problem

COLUMNS = {
    "severity": "级别",
    "file": "文件",
    "sheet": "工作表",
    "row": "行",
    "column": "列",
    "value": "值",
    "code": "问题代码",
    "message": "说明",
}


def problems_frame(problems: Sequence[Problem]) -> pl.DataFrame:
    rows = [
        {
            "severity": "错误" if p.severity == "error" else "提示",
            "file": p.file,
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "code": p.code,
            "message": p.message,
        }
        for p in problems
    ]
    schema = {k: (pl.Int64 if k == "row" else pl.String) for k in COLUMNS}
    return pl.DataFrame(rows, schema=schema).rename(COLUMNS)


def write_problems(problems: Sequence[Problem], path: Path) -> None:
    frame = problems_frame(problems)
    if path.suffix.lower() == ".xlsx":
        frame.write_excel(path, worksheet="问题清单", autofit=True, header_format={"bold": True})
    else:
        from gaoxin.engine.tabular.safe import csv_frame

        path.write_bytes(b"\xef\xbb\xbf" + csv_frame(frame).write_csv().encode("utf-8"))
