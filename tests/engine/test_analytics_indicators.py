"""The analytics build's indicator values (gaoxin.engine.analytics, decisions 040, 058 and 068): a
period type computed over all its years by groups of provinces gives the files computed in one
go and year by year, cell for cell and in the same order, reading only the facts' columns the
formulas read. The cells of an indicator null on every row of a period type because a variable
it reads is absent from that type's frame are not stored, meta.json names them (decision 072).
"""

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import analytics, synth
from gaoxin.engine.indicators import compute, default_indicators, null_by_absence
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


def test_a_groups_entities_are_numbered_by_their_places_among_the_registrys_codes():
    codes = pl.Series("entity", ["a1", "b2", "c3", "d4", "e5"])
    cells = pl.Series("entity", ["d4", "b2", "d4", "e5"])
    numbered = analytics._numbered(cells, ["e5", "b2", "d4"], codes)
    assert numbered.to_list() == [3, 1, 3, 4]
    with pytest.raises(ValueError, match="outside the registry"):
        analytics._numbered(cells, ["b2", "b9", "d4", "e5"], codes)


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


# -- cells null because a variable is absent from the period type: not stored (decision 072) ----
def _type_of(column: str) -> pl.Expr:
    return pl.col(column).map_elements(analytics.period_type, return_dtype=pl.String)


def _left_out(meta: dict) -> pl.Expr:
    """The cells meta.json's ``not_computed`` names."""
    hit = pl.lit(False)
    for ptype, codes in meta["not_computed"].items():
        hit = hit | ((_type_of("period") == ptype) & pl.col("indicator").is_in(list(codes)))
    return hit


def test_cells_null_because_a_variable_is_absent_are_not_stored_and_meta_names_them(one_go):
    meta = analytics.read_meta(one_go)
    assert meta is not None
    left_out = meta["not_computed"]
    # the yearly-only variables (land area, R&D expenditure, GDP…) have no monthly column
    months = left_out["month"]
    assert months["enterprise_tax_per_mu"] == ["land_area"]
    assert months["enterprise_va_per_mu"] == ["land_area"]
    assert months["enterprise_rd_intensity"] == ["rd_expenditure"]
    assert months["labour_productivity_growth"] == ["gdp"]  # yoy of one null everywhere
    assert months["gdp_city_share"] == ["gdp"]  # the city's row read on the zone's
    # aggregates over them are computed: a count (0) or a share carry values
    assert "rd5_large_enterprises" not in months and "rd5_revenue_share" not in months
    # the quarters have GDP alone: both an enterprise's inputs are named
    assert left_out["quarter"]["enterprise_tax_per_mu"] == ["land_area", "taxes_paid"]
    assert "year" not in left_out  # every variable is reported yearly
    for ptype, columns in meta["columns"].items():
        found = null_by_absence(default_indicators(), default_catalogue(), columns)
        assert left_out.get(ptype, {}) == {c: list(v) for c, v in found.items()}
    # the reader's mapping, and no stored cell of those indicators in those period types
    assert analytics.not_computed(one_go)["month"]["enterprise_tax_per_mu"] == ("land_area",)
    cells = analytics.load_indicators(one_go)
    assert cells.filter(_left_out(meta)).height == 0
    stored = cells.group_by(_type_of("period").alias("type")).agg(pl.col("indicator").unique())
    for ptype, codes in stored.iter_rows():
        assert not set(codes) & set(left_out.get(ptype, {}))
    # the same indicators' cells of the other period types are there
    yearly = cells.filter(pl.col("period").str.len_chars() == 4)
    assert {"enterprise_tax_per_mu", "labour_productivity"} <= set(yearly["indicator"])


def test_a_build_of_layout_6_reads_with_nothing_left_out(one_go, tmp_path):
    # an older build stored every cell and has no not_computed: read as it is until rebuilt
    root = tmp_path / "old"
    shutil.copytree(one_go, root)
    meta = json.loads((root / "meta.json").read_text("utf-8"))
    del meta["not_computed"]
    meta["layout"] = 6
    (root / "meta.json").write_text(json.dumps(meta), "utf-8")
    assert analytics.not_computed(root) == {}
    assert analytics.load_indicators(root, periods=["2025"]).height > 0


def test_the_cells_stored_are_those_computing_every_cell_gives(one_go):
    """Each year and period type computed the way the build did before (every cell, by
    ``compute`` on the facts read back): the stored file is those cells less the left-out
    ones, which were null on every row."""
    meta = analytics.read_meta(one_go)
    assert meta is not None
    dropped = 0
    for year in (2024, 2025):
        stored = pl.read_parquet(one_go / "indicators" / f"{year}.parquet")
        parts = []
        for ptype in meta["shapes"]:
            facts = analytics.load_facts(one_go, types=[ptype], observations=False)
            periods = [p for p in facts.periods(ptype) if p[:4] == str(year)]
            r = compute(default_indicators(), facts, periods, keep_frames=False)
            assert r.null_by_absence[ptype] == {
                c: tuple(v) for c, v in meta["not_computed"].get(ptype, {}).items()
            }
            parts.append(r.frame.select(list(analytics.INDICATOR_SCHEMA)))
        every = pl.concat(parts)
        gone = every.filter(_left_out(meta))
        assert gone.height > 0 and gone["value"].null_count() == gone.height
        dropped += gone.height
        assert stored.equals(every.filter(~_left_out(meta)))
    assert dropped > 0


def test_compute_leaves_out_the_cells_it_knows_null_the_others_the_same(one_go):
    facts = analytics.load_facts(one_go, types=["month"], observations=False)
    periods = [p for p in facts.periods("month") if p[:4] == "2025"]
    every = compute(default_indicators(), facts, periods, keep_frames=False)
    fewer = compute(default_indicators(), facts, periods, keep_frames=False, absent_cells=False)
    left_out = set(fewer.null_by_absence["month"])
    assert fewer.null_by_absence == every.null_by_absence
    assert {"enterprise_tax_per_mu", "wage_share"} <= left_out
    assert fewer.frame.equals(every.frame.filter(~pl.col("indicator").is_in(sorted(left_out))))
    assert not set(fewer.frame["kind"].unique()) & {"enterprise"}


def _one_zone_revised(source: analytics.FrameSource, extra: pl.DataFrame | None = None):
    """``source`` with every value of one zone's enterprises in its last month changed (an
    import of a zone's month, as bench_analytics.py's ``zone`` step), and ``extra`` rows added;
    with the month."""
    ents = source.entities()
    zone = ents.filter(pl.col("kind") == "zone")["entity"].sort()[0]
    firms = ents.filter(pl.col("parent") == zone)["entity"]
    obs = source._obs
    month = obs.filter(pl.col("period").str.len_chars() == 7)["period"].max()
    hit = pl.col("entity").is_in(firms.implode()) & (pl.col("period") == month)
    assert obs.filter(hit).height
    revised = obs.with_columns(value=pl.when(hit).then(pl.col("value") * 1.01).otherwise("value"))
    if extra is not None:
        revised = pl.concat([revised, extra])
    return analytics.FrameSource(ents, revised, source.certifications()), month, firms


def _same_build(a: Path, b: Path) -> None:
    """Every Parquet file of two builds equal, and meta.json but when it was built."""
    files = sorted(f.relative_to(a) for f in a.rglob("*.parquet"))
    assert files == sorted(f.relative_to(b) for f in b.rglob("*.parquet"))
    for f in files:
        assert pl.read_parquet(a / f).equals(pl.read_parquet(b / f)), f
    metas = [json.loads((x / "meta.json").read_text("utf-8")) for x in (a, b)]
    for meta in metas:
        meta.pop("built_at")
    assert metas[0] == metas[1]


def test_a_narrowed_build_stores_the_cells_a_whole_build_does(source, one_go, tmp_path):
    changed, month, _ = _one_zone_revised(source)
    done = analytics.build_tables(changed, tmp_path / "narrowed", previous=one_go, changed=[month])
    assert done.linked  # narrowed: the years before linked
    analytics.build_tables(changed, tmp_path / "whole")
    _same_build(tmp_path / "narrowed", tmp_path / "whole")
    meta = analytics.read_meta(tmp_path / "narrowed")
    assert meta is not None and "enterprise_tax_per_mu" in meta["not_computed"]["month"]


def test_a_variable_first_reported_monthly_rebuilds_every_years_cells(source, one_go, tmp_path):
    # land area reported for a month: the months' frame gets a column for it, so the monthly
    # cells of the formulas reading it are computed again, in every year (the stored years' files
    # had left them out), as a whole build does
    _, month, firms = _one_zone_revised(source)
    reported = (pl.col("entity") == firms[0]) & (pl.col("period") == month)
    extra = source._obs.filter(reported).head(1)
    extra = extra.with_columns(variable=pl.lit("land_area"), value=pl.lit(12.0))
    changed, month, _ = _one_zone_revised(source, extra)
    done = analytics.build_tables(changed, tmp_path / "narrowed", previous=one_go, changed=[month])
    meta = analytics.read_meta(tmp_path / "narrowed")
    assert meta is not None
    assert "enterprise_tax_per_mu" not in meta["not_computed"]["month"]
    assert "enterprise_rd_intensity" in meta["not_computed"]["month"]
    first = min(int(y) for y in meta["years"])
    assert first in done.rebuilt  # its indicator file
    analytics.build_tables(changed, tmp_path / "whole")
    _same_build(tmp_path / "narrowed", tmp_path / "whole")
    per_mu = analytics.load_indicators(
        tmp_path / "whole", indicators=["enterprise_tax_per_mu"], entities=[firms[0]]
    ).filter(pl.col("period") == month)
    assert per_mu["value"].drop_nulls().len() == 1
