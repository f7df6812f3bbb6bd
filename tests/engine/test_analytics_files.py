"""The analytics tables' observations files (gaoxin.engine.analytics, decisions 055 and 059):
one file per period without the period column (the file's name is the period), the entity as an
integer code (decision 062), the variable and the batch as Enums of the period's own values
(decision 067), read back with all of them as text; each period's rows hashed whatever their
order."""

import json
import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import analytics as tables
from gaoxin.engine import synth
from gaoxin.engine.facts import registry_enum
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
    given = source.observations(sorted(periods)).select(list(tables.OBSERVATION_SCHEMA))
    for f in files:
        schema = pl.read_parquet_schema(f)
        assert list(schema) == ["entity", "variable", "value", "batch"]
        # the entity as its place among the registry's codes sorted (decision 062)
        assert schema["entity"] == pl.UInt32
        # the variable and the batch as Enums of the period's own values, sorted (decision 067)
        mine = given.filter(pl.col("period") == f.stem)
        for column in tables.CODED:
            assert schema[column] == pl.Enum(mine[column].drop_nulls().unique().sort())
    read = tables.load_facts(built).observations.drop("reported_on")
    assert read.schema == pl.Schema(tables.OBSERVATION_SCHEMA)
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
    assert meta["layout"] == tables.LAYOUT == 8
    rows = pl.read_parquet(built / "observations" / "2025" / "2025-07.parquet")
    assert tables._rows_hash(rows) == meta["observation_hashes"]["2025-07"]
    shuffled = rows.sample(fraction=1.0, shuffle=True, seed=7)
    assert not shuffled.equals(rows)
    assert tables._rows_hash(shuffled) == tables._rows_hash(rows)
    one_value = rows.with_columns(
        value=pl.when(pl.int_range(pl.len()) == 3).then(pl.col("value") + 0.01).otherwise("value")
    )
    assert tables._rows_hash(one_value) != tables._rows_hash(rows)
    # a row twice is another multiset of rows; so is a row moved to another variable
    assert tables._rows_hash(pl.concat([rows, rows.head(1)])) != tables._rows_hash(rows)
    variables = rows["variable"].dtype.categories
    other = variables.filter(variables != rows["variable"][0])[0]
    moved = rows.with_columns(
        variable=pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(other, rows["variable"].dtype))
        .otherwise("variable")
    )
    assert moved.schema == rows.schema and moved["variable"][0] == other
    assert tables._rows_hash(moved) != tables._rows_hash(rows)
    assert tables._rows_hash(rows.clear()) != tables._rows_hash(rows)
    # the rows hash the Enum's codes, and the hash what they stand for: the same codes
    # standing for other text are other rows
    batches = rows["batch"].dtype.categories
    renamed = pl.Enum([f"{b}-x" for b in batches])
    relabelled = rows.with_columns(
        batch=pl.Series(renamed.categories, dtype=renamed).gather(rows["batch"].to_physical())
    )
    assert relabelled["batch"].to_physical().equals(rows["batch"].to_physical())
    assert tables._rows_hash(relabelled) != tables._rows_hash(rows)


def test_variable_and_batch_given_as_text_categorical_or_enum_write_the_same_files(
    source, tmp_path
):
    """What the build hands over today (text) and what a source handing over codes would
    (Categorical, or an Enum of more values than the year's in any order) store the same files
    with the same hashes, and read back as the same text."""
    periods = ["2025", "2025-06", "2025-07"]
    obs = source.observations(periods).select(list(tables.OBSERVATION_SCHEMA))
    registry = source.entities()["entity"].sort()
    coded = ["period", *tables.CODED]
    values = {
        c: pl.concat([obs[c].drop_nulls().unique(), pl.Series(["2024-99"])]).sort(descending=True)
        for c in coded
    }
    given = {
        "text": obs,
        "categorical": obs.with_columns(pl.col(c).cast(pl.Categorical) for c in coded),
        "enum": obs.with_columns(pl.col(c).cast(pl.Enum(v)) for c, v in values.items()),
    }
    written = {}
    for name, frame in given.items():
        out = tmp_path / name
        written[name] = tables._write_observations(frame, out, 2025, registry=registry)
        files = sorted((out / "observations" / "2025").glob("*.parquet"), key=lambda f: f.stem)
        assert [f.stem for f in files] == periods
        read = tables._scan_observations(files, registry).collect()
        assert read.schema == pl.Schema(tables.OBSERVATION_SCHEMA)
        assert_frame_equal(read, obs.sort("period", maintain_order=True))
        for f in files:
            assert_frame_equal(
                pl.read_parquet(f), pl.read_parquet(tmp_path / "text" / f.relative_to(out))
            )
    assert written["text"] == written["categorical"] == written["enum"]
    assert len(set(written["text"].values())) == len(periods)


def test_an_older_layouts_text_files_read_back_the_same(source, built, tmp_path):
    """A build of layout 5 (variable and batch as text) is what pages read until the next
    build replaces it."""
    files = sorted((built / "observations" / "2025").glob("*.parquet"))
    registry = tables._registry(built)
    old = []
    for f in files:
        target = tmp_path / f.name
        pl.read_parquet(f).with_columns(pl.col(tables.CODED).cast(pl.String)).write_parquet(target)
        assert pl.read_parquet_schema(target)["batch"] == pl.String
        old.append(target)
    assert_frame_equal(
        tables._scan_observations(old, registry).collect(),
        tables._scan_observations(files, registry).collect(),
    )


def test_a_build_of_an_older_layout_is_rebuilt_whole(source, built, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for f in built.rglob("*"):
        if f.is_file():
            (old / f.relative_to(built)).parent.mkdir(parents=True, exist_ok=True)
            (old / f.relative_to(built)).write_bytes(f.read_bytes())
    meta = json.loads((old / "meta.json").read_text("utf-8"))
    meta["layout"] = tables.LAYOUT - 1
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


def test_a_narrowed_build_stores_and_hashes_what_a_full_build_does(source, built, tmp_path):
    """One enterprise's value of 2025-07 revised in a batch of its own: the narrowed build
    rewrites that period's file alone, and stores and hashes what a full build of the same input
    does (a period's Enums are its own values, whatever the rows handed over with it)."""
    obs = source._obs
    row = obs.filter(pl.col("period") == "2025-07").row(0, named=True)
    hit = (
        (pl.col("period") == "2025-07")
        & (pl.col("entity") == row["entity"])
        & (pl.col("variable") == row["variable"])
    )
    revised = obs.with_columns(
        value=pl.when(hit).then(pl.col("value") + 1).otherwise("value"),
        batch=pl.when(hit).then(pl.lit("revision-x")).otherwise("batch"),
    )
    changed = tables.FrameSource(source.entities(), revised, source.certifications())
    revenue = [i for i in default_indicators() if i.code == "revenue"]
    narrowed = tables.build_tables(
        changed, tmp_path / "narrowed", previous=built, changed=["2025-07"], indicators=revenue
    )
    assert 2019 in narrowed.linked
    full = tables.build_tables(changed, tmp_path / "full", indicators=revenue)
    before = json.loads((built / "meta.json").read_text("utf-8"))["observation_hashes"]
    hashes = full.meta["observation_hashes"]
    assert narrowed.meta["observation_hashes"] == hashes
    assert {p for p, h in hashes.items() if before.get(p) != h} == {"2025-07"}
    assert narrowed.meta["input_hash"] == full.meta["input_hash"]
    for f in sorted((tmp_path / "full" / "observations").rglob("*.parquet")):
        mine = tmp_path / "narrowed" / f.relative_to(tmp_path / "full")
        assert_frame_equal(pl.read_parquet(mine), pl.read_parquet(f))
        # only the changed period's file was written again; the others are the previous build's
        linked = mine.stat().st_ino == (built / f.relative_to(tmp_path / "full")).stat().st_ino
        assert linked == (f.stem != "2025-07")
    july = pl.read_parquet(tmp_path / "full" / "observations" / "2025" / "2025-07.parquet")
    assert "revision-x" in july["batch"].dtype.categories.to_list()


def test_the_codec_changes_neither_data_nor_hashes_nor_a_narrowed_builds_reads(
    source, built, tmp_path, monkeypatch
):
    """The files are written uncompressed (decision 078). A build written with zstd, the codec
    before, holds the same data and hashes, so no layout is bumped; a narrowed build over it
    links its files as they are, writes the changed period's uncompressed, and reads back what
    a full build of the same input does."""
    import pyarrow.parquet as pq

    revenue = [i for i in default_indicators() if i.code == "revenue"]
    monkeypatch.setattr(tables, "COMPRESSION", "zstd")
    tables.build_tables(source, tmp_path / "zstd", indicators=revenue)
    monkeypatch.undo()
    _same_build(tmp_path / "zstd", built)
    july = "observations/2025/2025-07.parquet"
    codec = {
        name: pq.ParquetFile(root / july).metadata.row_group(0).column(0).compression
        for name, root in (("zstd", tmp_path / "zstd"), ("built", built))
    }
    assert codec == {"zstd": "ZSTD", "built": "UNCOMPRESSED"}
    obs = source._obs
    hit = (pl.col("period") == "2025-07") & (pl.col("entity") == obs["entity"][0])
    changed = tables.FrameSource(
        source.entities(),
        obs.with_columns(value=pl.when(hit).then(pl.col("value") + 1).otherwise("value")),
        source.certifications(),
    )
    narrowed = tables.build_tables(
        changed,
        tmp_path / "narrowed",
        previous=tmp_path / "zstd",
        changed=["2025-07"],
        indicators=revenue,
    )
    full = tables.build_tables(changed, tmp_path / "full", indicators=revenue)
    assert 2019 in narrowed.linked
    assert narrowed.meta["observation_hashes"] == full.meta["observation_hashes"]
    assert narrowed.meta["input_hash"] == full.meta["input_hash"]
    mine, theirs = (tables.load_facts(tmp_path / n) for n in ("narrowed", "full"))
    assert mine.observations.equals(theirs.observations)
    assert mine.frames.keys() == theirs.frames.keys()
    for ptype, frame in theirs.frames.items():
        assert mine.frames[ptype].equals(frame), ptype
    kept = pq.ParquetFile(tmp_path / "narrowed" / "observations/2024/2024-07.parquet")
    assert kept.metadata.row_group(0).column(0).compression == "ZSTD"


def _same_build(a, b):
    """Every Parquet file of two builds equal, and meta.json but when it was built."""
    files = sorted(f.relative_to(a) for f in a.rglob("*.parquet"))
    assert files == sorted(f.relative_to(b) for f in b.rglob("*.parquet"))
    for f in files:
        assert pl.read_parquet_schema(a / f) == pl.read_parquet_schema(b / f), f
        assert pl.read_parquet(a / f).equals(pl.read_parquet(b / f)), f
    metas = [json.loads((x / "meta.json").read_text("utf-8")) for x in (a, b)]
    for meta in metas:
        meta.pop("built_at")
    assert metas[0] == metas[1]
    return files


@pytest.mark.parametrize("how", ["registry", "other"])
def test_a_coded_source_builds_the_files_a_text_source_builds(tmp_path, how):
    """A source that hands its observations over coded (decision 066: the entity as an Enum of
    the registry's codes sorted, the variable, the period and the batch as Enums or
    Categoricals; or an entity Enum that is not the registry's, holding an entity outside it)
    gives the files of the same observations as text, whole and after a change of one month
    (the narrowed rebuild reads the changed periods again)."""
    j = synth.generate("gansu", scale=0.02)
    base = tables.FrameSource.from_synth(j)
    obs = base._obs
    registry = registry_enum(base.entities())
    if how == "registry":
        entity: pl.DataType = registry
        small = [pl.col(c).cast(pl.Enum(obs[c].unique().sort())) for c in ("variable", "period")]
    else:
        stray = obs.filter(pl.col("period") == "2025-07").head(1).with_columns(entity=pl.lit("X1"))
        obs = pl.concat([obs, stray])
        entity = pl.Enum(["X1", *registry.categories.to_list()])
        small = [pl.col(c).cast(pl.Categorical) for c in ("variable", "period")]
    coded = obs.with_columns(
        pl.col("entity").cast(entity), *small, pl.col("batch").cast(pl.Categorical)
    )
    text = tables.FrameSource(base.entities(), obs, base.certifications())
    code = tables.FrameSource(base.entities(), coded, base.certifications())
    assert code.observations(["2025-07"]).schema["entity"] == entity
    revenue = [i for i in default_indicators() if i.code == "revenue"]
    for name, source in (("text", text), ("coded", code)):
        tables.build_tables(source, tmp_path / name / "full", indicators=revenue)
    files = _same_build(tmp_path / "text" / "full", tmp_path / "coded" / "full")
    assert len([f for f in files if f.parts[0] == "observations"]) > 50
    stored = pl.read_parquet_schema(tmp_path / "coded/full/observations/2025/2025-07.parquet")
    assert stored["entity"] == (pl.UInt32 if how == "registry" else pl.String)
    # one firm's July changed: the narrowed rebuild of each
    firm = obs.filter(pl.col("period") == "2025-07")["entity"][0]
    hit = (pl.col("entity") == firm) & (pl.col("period") == "2025-07")
    for name, source in (("text", text), ("coded", code)):
        changed = source._obs.with_columns(
            value=pl.when(hit).then(pl.col("value") * 1.01).otherwise("value")
        )
        moved = tables.FrameSource(base.entities(), changed, base.certifications())
        done = tables.build_tables(
            moved,
            tmp_path / name / "zone",
            previous=tmp_path / name / "full",
            changed=["2025-07"],
            indicators=revenue,
        )
        assert 2019 in done.linked
    _same_build(tmp_path / "text" / "zone", tmp_path / "coded" / "zone")
    assert not pl.read_parquet(tmp_path / "text/zone/facts/month/2025.parquet").equals(
        pl.read_parquet(tmp_path / "text/full/facts/month/2025.parquet")
    )


def test_facts_files_store_the_certification_columns_without_nulls(source, built, tmp_path):
    """The facts files hold no null in a certification column (decision 086, layout 8): a null
    is stored as NO_CERT (-1) and read back as null. A build of layout 7 (the nulls stored) reads
    back the same frames, whole and by entities and columns (the pages' and the indicator
    step's reads)."""
    facts = sorted((built / "facts").rglob("*.parquet"))
    assert len(facts) > 5
    for f in facts:
        stored = pl.read_parquet(f)
        certs = [c for c in stored.columns if c.startswith(tables.CERT_PREFIXES)]
        assert certs and all(stored.schema[c] == pl.Int8 for c in certs)
        assert stored.select(pl.col(certs).null_count()).sum_horizontal().item() == 0, f
        assert (stored.select(certs) == tables.NO_CERT).sum().sum_horizontal().item() > 0, f
    old = tmp_path / "old"
    shutil.copytree(built, old)
    meta = json.loads((old / "meta.json").read_text("utf-8"))
    meta["layout"] = 7
    (old / "meta.json").write_text(json.dumps(meta), "utf-8")
    for f in (old / "facts").rglob("*.parquet"):
        tables._facts_read(pl.read_parquet(f)).write_parquet(f)
    month = pl.read_parquet(old / "facts" / "month" / "2025.parquet")
    assert month["__cert__hte"].null_count() and month["__cert__hte"].drop_nulls().len()
    assert (month.select(pl.col("^__cert.*$") == tables.NO_CERT).sum().sum_horizontal()).item() == 0
    firms = month.filter(pl.col("__cert__hte").is_not_null())["entity"].unique().head(3)
    reads = [
        {},
        {"years": [2024, 2025], "entities": [*firms, month["zone"].drop_nulls()[0]]},
        {
            "types": ["month"],
            "observations": False,
            "columns": {"entity", "kind", "seq", "__cert__hte"},
        },
    ]
    for how in reads:
        mine, theirs = (tables.load_facts(root, **how) for root in (built, old))
        assert mine.frames.keys() == theirs.frames.keys() and mine.frames
        for ptype, frame in theirs.frames.items():
            assert frame.schema == mine.frames[ptype].schema
            assert mine.frames[ptype].equals(frame), (how, ptype)
            assert frame.height and frame["__cert__hte"].null_count()


def _expected_file(rows: pl.DataFrame, registry: pl.Series) -> pl.DataFrame:
    """A period's observations file as the layout says it (decisions 059, 062, 067), worked out
    from its rows as text in their order: the entity's place in the registry (text where one is
    outside it), the variable and the batch as Enums of the period's values sorted."""
    entity = rows["entity"].cast(pl.Enum(registry), strict=False)
    coded = entity.to_physical().cast(pl.UInt32) if not entity.null_count() else rows["entity"]
    return rows.select(
        entity=coded,
        variable=pl.col("variable").cast(pl.Enum(rows["variable"].drop_nulls().unique().sort())),
        value="value",
        batch=pl.col("batch").cast(pl.Enum(rows["batch"].drop_nulls().unique().sort())),
    )


def test_a_years_rows_interleaving_their_periods_are_written_period_by_period_in_their_order(
    tmp_path,
):
    """The rows come entity by entity, the periods interleaved (the store's read order): each
    period's file holds its rows in the order given. The period Enum holds other years' periods
    on both sides and a period of the year without rows (no file); one period's batch is one
    value, another's two (a revision) and one with a null; in one period an entity outside the
    registry keeps the period's entities as text while the other periods store codes."""
    registry = pl.Series(["e1", "e2", "e3", "e4"])
    periods = ["2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2026-01"]
    rows = []
    for i, entity in enumerate(["e3", "e1", "e4", "e2", "e1"]):
        for period, batch in (("2025-03", "m3"), ("2025-01", "m1"), ("2025-04", "m4")):
            for variable in ("revenue", "employees")[: 1 + i % 2]:
                rows.append((entity, variable, period, float(len(rows)), batch))
    rows[4] = (*rows[4][:4], "revision")  # 2025-01 holds m1 and the revision
    rows[8] = (*rows[8][:4], None)  # 2025-04 holds m4 and a null
    rows.append(("X1", "revenue", "2025-03", -1.0, "m3"))  # outside the registry
    rows.append(("e2", "revenue", "2025-01", -2.0, "m1"))
    given = pl.DataFrame(rows, schema=tables.OBSERVATION_SCHEMA, orient="row")
    assert given["period"].head(3).to_list() == ["2025-03", "2025-01", "2025-04"]
    coded = given.with_columns(
        period=pl.col("period").cast(pl.Enum(periods)),
        variable=pl.col("variable").cast(pl.Enum(["wages", "revenue", "employees"])),
        batch=pl.col("batch").cast(pl.Enum(["revision", "m4", "m3", "m1", "m0"])),
    )
    for name, frame in (("text", given), ("coded", coded)):
        out = tmp_path / name
        hashes = tables._write_observations(frame, out, 2025, registry=registry)
        assert list(hashes) == ["2025-01", "2025-03", "2025-04"]
        for period, digest in hashes.items():
            stored = pl.read_parquet(out / "observations" / "2025" / f"{period}.parquet")
            expected = _expected_file(given.filter(pl.col("period") == period), registry)
            assert_frame_equal(stored, expected)
            assert digest == tables._rows_hash(expected)
        schema = pl.read_parquet_schema(out / "observations" / "2025" / "2025-03.parquet")
        assert schema["entity"] == pl.String
        assert stored.schema["entity"] == pl.UInt32
        assert stored["batch"].null_count() == 1


def test_a_year_of_one_period_is_written_as_its_rows_are(tmp_path):
    registry = pl.Series(["e1", "e2"])
    given = pl.DataFrame(
        {
            "entity": ["e2", "e1", "e2"],
            "variable": ["revenue", "revenue", "employees"],
            "period": ["2025", "2025", "2025"],
            "value": [1.0, 2.0, 3.0],
            "batch": ["annual-2025"] * 3,
        },
        schema=tables.OBSERVATION_SCHEMA,
    )
    coded = given.with_columns(
        pl.col("period").cast(pl.Enum(["2024", "2025"])),
        pl.col("batch").cast(pl.Enum(["annual-2024", "annual-2025"])),
    )
    for name, frame in (("text", given), ("coded", coded)):
        hashes = tables._write_observations(frame, tmp_path / name, 2025, registry=registry)
        stored = pl.read_parquet(tmp_path / name / "observations" / "2025" / "2025.parquet")
        assert_frame_equal(stored, _expected_file(given, registry))
        assert stored["batch"].dtype == pl.Enum(["annual-2025"])
        assert hashes == {"2025": tables._rows_hash(stored)}
