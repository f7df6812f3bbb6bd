"""The analytics build's indicator values (gaoxin.engine.analytics, decisions 040, 058 and 068): a
period type computed over all its years by groups of provinces gives the files computed in one
go and year by year, cell for cell and in the same order, reading only the facts' columns the
formulas read."""

import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import analytics, synth
from gaoxin.engine.indicators import default_indicators
from gaoxin.engine.variables import default_catalogue


@pytest.fixture(scope="module")
def source() -> analytics.FrameSource:
    # every province, a few enterprises each: years, quarters and three years of months
    return analytics.FrameSource.from_synth(synth.generate("national", scale=0.2))


@pytest.fixture(scope="module")
def one_go(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("one-go") / "build"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analytics, "ROWS_AT_ONCE", 10**9)
        said = build(source, out)
    assert not [s for s in said if "组省份" in s]
    return out


@pytest.fixture(scope="module")
def in_one_go(one_go) -> dict[str, pl.DataFrame]:
    return indicator_files(one_go)


def build(source, out) -> list[str]:
    said: list[str] = []
    analytics.build_tables(source, out, progress=lambda step, *_: said.append(step))
    return said


def indicator_files(root) -> dict[str, pl.DataFrame]:
    return {p.name: pl.read_parquet(p) for p in sorted((root / "indicators").glob("*.parquet"))}


def assert_same_files(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    assert list(got) == list(want)
    for name, frame in want.items():
        assert_frame_equal(got[name], frame, check_exact=True)
        assert got[name].equals(frame)


def test_groups_of_provinces_give_the_values_computed_in_one_go(
    source, in_one_go, tmp_path, monkeypatch
):
    monkeypatch.setattr(analytics, "ROWS_AT_ONCE", 2_000)
    said = build(source, tmp_path / "build")
    grouped = [s for s in said if "组省份" in s]
    # the monthly and the yearly frames both split, into several groups each
    assert any(s.startswith("指标：月度") for s in grouped)
    assert any(s.startswith("指标：年度") for s in grouped)
    assert len(grouped) > 4
    assert_same_files(indicator_files(tmp_path / "build"), in_one_go)
    assert sum(f.filter(pl.col("period").str.len_chars() == 7).height for f in in_one_go.values())


def test_a_catalogue_ranking_across_provinces_is_computed_year_by_year(
    source, in_one_go, tmp_path, monkeypatch
):
    monkeypatch.setattr(analytics, "ROWS_AT_ONCE", 2_000)
    monkeypatch.setattr(analytics, "_across_subtrees", lambda inds, catalogue: True)
    said = build(source, tmp_path / "build")
    assert not [s for s in said if "组省份" in s]
    assert [s for s in said if s.startswith("指标 ") and s.endswith(" 年")]
    assert_same_files(indicator_files(tmp_path / "build"), in_one_go)


def test_provinces_are_grouped_in_order_up_to_the_limit_a_larger_one_alone():
    counts = pl.DataFrame(
        {"province": [None, "110000", "120000", "130000", "140000"], "rows": [1, 4, 12, 3, 3]},
        schema={"province": pl.String, "rows": pl.UInt32},
    )
    assert analytics._province_groups(counts, 6) == [
        [None, "110000"],
        ["120000"],
        ["130000", "140000"],
    ]


def test_reading_every_column_of_the_facts_gives_the_same_files(
    source, in_one_go, tmp_path, monkeypatch
):
    # the step reads only the columns the formulas read (decision 068); all of them, by groups
    monkeypatch.setattr(analytics, "ROWS_AT_ONCE", 2_000)
    read: list[str] = []
    monkeypatch.setattr(
        analytics, "columns_read", lambda inds, catalogue, columns: read.extend(columns) or columns
    )
    build(source, tmp_path / "build")
    assert "__cert__unicorn" in read  # a column the formulas do not read, read this time
    assert_same_files(indicator_files(tmp_path / "build"), in_one_go)


def test_the_step_leaves_unread_columns_unread(one_go):
    read = analytics._columns_read(one_go, default_indicators(), default_catalogue())
    meta = analytics.read_meta(one_go)
    assert meta is not None
    built = {c for cols in meta["columns"].values() for c in cols}
    assert {"__cert__unicorn", "__certprev__unicorn", "fiscal_revenue"} <= built - read
    assert {"entity", "kind", "period", "seq", "province", "revenue", "__cert__hte"} <= read


def test_facts_read_by_columns_a_year_without_one_has_it_empty(one_go, tmp_path):
    root = tmp_path / "build"
    shutil.copytree(one_go, root)
    meta = analytics.read_meta(root)
    assert meta is not None
    first, *_ = analytics._scan(root, "facts/year", range(2000, 2100))
    # a variable first reported in the second year: the first year's file has no column for it
    pl.read_parquet(first).drop("revenue").write_parquet(first)
    asked = {"entity", "kind", "period", "seq", "revenue", "exports", "nowhere"}
    frame = analytics.load_facts(root, types=["year"], observations=False, columns=asked).wide(
        "year"
    )
    assert frame.columns == [c for c in meta["columns"]["year"] if c in asked]
    whole = analytics.load_facts(root, types=["year"], observations=False).wide("year")
    assert frame.equals(whole.select(frame.columns))
    in_first = pl.col("period") == first.stem
    assert frame.filter(in_first)["revenue"].null_count() == frame.filter(in_first).height
    assert frame.filter(~in_first)["revenue"].drop_nulls().len() > 0


def test_the_groups_cells_come_back_in_the_order_of_one_computation():
    # two groups of provinces whose entities interleave; each group's cells in its own order
    entities = pl.Series(["a1", "b1", "c2", "d1", "e2"])
    periods = ["2024-01", "2024-02", "2025-01"]
    keys = {"period": pl.Enum(sorted(periods)), "indicator": pl.Enum(["x", "y"])}

    def group(entity: list[int], period: list[str], indicator: list[str]) -> pl.DataFrame:
        n = len(entity)
        return pl.DataFrame(
            {
                "entity": pl.Series(entity, dtype=pl.UInt32),
                "kind": pl.Series(["zone"] * n, dtype=pl.Categorical),
                "period": pl.Series(period, dtype=keys["period"]),
                "indicator": pl.Series(indicator, dtype=keys["indicator"]),
                "value": [float(e) + len(p) for e, p in zip(entity, period, strict=True)],
                "missing": pl.Series(range(n), dtype=pl.Int32),
            }
        )

    first = group(
        [0, 3, 0, 3, 0, 0],
        ["2024-01", "2024-01", "2024-02", "2024-02", "2025-01", "2024-01"],
        ["x", "x", "x", "x", "x", "y"],
    )
    second = group(
        [1, 2, 4, 1, 4, 1],
        ["2024-01", "2024-01", "2024-01", "2024-02", "2024-02", "2024-01"],
        ["x", "x", "x", "x", "x", "y"],
    )
    cells = analytics._Cells([first, second], periods, True, entities)
    got = cells.of(["2024-01", "2024-02"])
    text = []
    for g in (first, second):
        g = g.filter(pl.col("period").cast(pl.String).str.starts_with("2024"))
        text.append(
            g.with_columns(
                entities.gather(g["entity"]).alias("entity"),
                *[pl.col(c).cast(pl.String) for c in keys],
            )
        )
    want = pl.concat(text).sort("indicator", "period", "entity")
    assert got.equals(want)
    assert got["entity"].to_list()[:5] == ["a1", "b1", "c2", "d1", "e2"]
    assert got.schema["period"] == pl.String and got.schema["indicator"] == pl.String
