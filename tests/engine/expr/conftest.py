"""A small namespace and frame shared by the expression tests."""

from __future__ import annotations

import polars as pl
import pytest

from gaoxin.engine.expr import ExprType, NameInfo, Namespace

NS = Namespace.of(
    {
        "a": NameInfo(ExprType.NUMBER, label="甲"),
        "b": NameInfo(ExprType.NUMBER, label="乙"),
        "s": NameInfo(ExprType.STRING, label="类别"),
        "flag": NameInfo(ExprType.BOOL, label="标志"),
        "revenue": NameInfo(ExprType.NUMBER, label="营业收入"),
        "rd_expenditure": NameInfo(ExprType.NUMBER, label="R&D经费内部支出"),
        "employees": NameInfo(ExprType.NUMBER, label="从业人员"),
        "cap": NameInfo(ExprType.NUMBER, kind="parameter", value=300, label="奖励上限"),
    }
)


@pytest.fixture
def ns() -> Namespace:
    return NS


@pytest.fixture
def frame() -> pl.DataFrame:
    # Rows: an ordinary row, a zero row, a row with a null a, a row with a null b.
    return pl.DataFrame(
        {
            "a": [10.0, 0.0, None, -4.0],
            "b": [4.0, 0.0, 5.0, None],
            "s": ["x", "y", None, "x"],
            "flag": [True, False, None, True],
            "revenue": [1000.0, 0.0, None, 50.0],
            "rd_expenditure": [1200.0, 5.0, 3.0, None],
            "employees": [10, 0, 3, None],
        },
        schema_overrides={"employees": pl.Int64},
    )
