"""The analytics tables' observations files (gaoxin.engine.analytics, decisions 055 and 059):
one file per period without the period column (the file's name is the period), the entity as an
integer code (decision 062), read back with both as text; each period's rows hashed whatever
their order."""

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import analytics as tables
from gaoxin.engine import synth
from gaoxin.engine.indicators import default_indicators


@pytest.fixture(scope="module")
def source():
    return tables.FrameSource.from_synth(synth.generate("gansu", scale=0.02))


@pytest.fixture(scope="module")
def built(source, tmp_path_factory):
    out = tmp_path_factory.mktemp("analytics") / "full"
    revenue = [i for i in default_indicators() if i.code == "revenue"]
    tables.build_tables(source, out, indicators=revenue)
    return out


def test_observation_files_have_no_period_column_and_read_back_with_it(source, built):
    files = sorted((built / "observations").rglob("*.parquet"))
    periods = {f.stem for f in files}
    assert "2025-07" in periods and "2024" in periods
    for f in files:
        schema = pl.read_parquet_schema(f)
        assert list(schema) == ["entity", "variable", "value", "batch"]
        # the entity as its place among the registry's codes sorted (decision 062)
        assert schema["entity"] == pl.UInt32
    read = tables.load_facts(built).observations.drop("reported_on")
    assert read.schema == pl.Schema(tables.OBSERVATION_SCHEMA)
    given = source.observations(sorted(periods)).select(list(tables.OBSERVATION_SCHEMA))
    keys = ["entity", "variable", "period", "batch", "value"]
    assert_frame_equal(read.sort(keys), given.sort(keys))
    # a scope's read (the pages'): the filter on entities with the period put back
    firm = given.filter(pl.col("period") == "2025-07")["entity"][0]
    mine = tables.load_facts(built, years=[2025], entities=[firm]).observations
    assert mine.height and set(mine["entity"]) == {firm}
    assert (
        mine.filter(pl.col("period") == "2025-07").height
        == given.filter((pl.col("entity") == firm) & (pl.col("period") == "2025-07")).height
    )


def test_each_periods_hash_is_of_its_file_whatever_the_row_order(built):
    meta = json.loads((built / "meta.json").read_text("utf-8"))
    assert meta["layout"] == tables.LAYOUT == 5
    rows = pl.read_parquet(built / "observations" / "2025" / "2025-07.parquet")
    assert tables._rows_hash(rows) == meta["observation_hashes"]["2025-07"]
    shuffled = rows.sample(fraction=1.0, shuffle=True, seed=7)
    assert not shuffled.equals(rows)
    assert tables._rows_hash(shuffled) == tables._rows_hash(rows)
    one_value = rows.with_columns(
        value=pl.when(pl.int_range(pl.len()) == 3).then(pl.col("value") + 0.01).otherwise("value")
    )
    assert tables._rows_hash(one_value) != tables._rows_hash(rows)
    # a row twice is another multiset of rows; so is a row moved to another batch
    assert tables._rows_hash(pl.concat([rows, rows.head(1)])) != tables._rows_hash(rows)
    moved = rows.with_columns(
        batch=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("x")).otherwise("batch")
    )
    assert tables._rows_hash(moved) != tables._rows_hash(rows)
    assert tables._rows_hash(rows.clear()) != tables._rows_hash(rows)


def test_a_build_of_an_older_layout_is_rebuilt_whole(source, built, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for f in built.rglob("*"):
        if f.is_file():
            (old / f.relative_to(built)).parent.mkdir(parents=True, exist_ok=True)
            (old / f.relative_to(built)).write_bytes(f.read_bytes())
    meta = json.loads((old / "meta.json").read_text("utf-8"))
    meta["layout"] = 3
    (old / "meta.json").write_text(json.dumps(meta), "utf-8")
    revenue = [i for i in default_indicators() if i.code == "revenue"]
    done = tables.build_tables(
        source, tmp_path / "new", previous=old, changed=["2025-07"], indicators=revenue
    )
    assert done.linked == () and 2019 in done.rebuilt and 2025 in done.rebuilt


def test_a_period_with_an_entity_outside_the_registry_keeps_its_entities_as_text(tmp_path):
    j = synth.generate("gansu", scale=0.02)
    base = tables.FrameSource.from_synth(j)
    obs = base._obs
    stray = obs.filter(pl.col("period") == "2025-07").head(1).with_columns(entity=pl.lit("X1"))
    source = tables.FrameSource(base.entities(), pl.concat([obs, stray]), base.certifications())
    out = tmp_path / "full"
    tables.build_tables(source, out, indicators=[])
    files = {f.stem: f for f in (out / "observations").rglob("*.parquet")}
    assert pl.read_parquet_schema(files["2025-07"])["entity"] == pl.String
    assert pl.read_parquet_schema(files["2025-06"])["entity"] == pl.UInt32
    read = tables.load_facts(out, years=[2025]).observations.drop("reported_on")
    given = source.observations(sorted(p for p in files if p[:4] == "2025"))
    keys = ["entity", "variable", "period", "batch", "value"]
    assert_frame_equal(read.sort(keys), given.select(list(tables.OBSERVATION_SCHEMA)).sort(keys))
    # a scope's read filters either kind of file
    firm = obs.filter(pl.col("period") == "2025-06")["entity"][0]
    mine = tables.load_facts(out, years=[2025], entities=["X1", firm]).observations
    assert set(mine["entity"]) == {"X1", firm}
