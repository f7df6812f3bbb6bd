"""The analytics build's indicator values (gaoxin.engine.analytics, decisions 040 and 058): a
period type computed over all its years by groups of provinces gives the files computed in one
go and year by year, cell for cell and in the same order."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import analytics, synth


@pytest.fixture(scope="module")
def source() -> analytics.FrameSource:
    # every province, a few enterprises each: years, quarters and three years of months
    return analytics.FrameSource.from_synth(synth.generate("national", scale=0.2))


@pytest.fixture(scope="module")
def in_one_go(source, tmp_path_factory) -> dict[str, pl.DataFrame]:
    out = tmp_path_factory.mktemp("one-go") / "build"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(analytics, "ROWS_AT_ONCE", 10**9)
        said = build(source, out)
    assert not [s for s in said if "组省份" in s]
    return indicator_files(out)


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
