"""The fact frame: hierarchy columns, membership rows, certification status, stamps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest

from gaoxin.engine import synth
from gaoxin.engine.facts import (
    FactFrame,
    _highest,
    _Keys,
    _registry_codes,
    as_text,
    build_facts,
    coded_columns,
    from_synth,
    prepare_registry,
    registry_enum,
    synth_entities,
    text_of,
)
from gaoxin.engine.zones import level_rows


@pytest.fixture(scope="module")
def j() -> synth.Jurisdiction:
    return synth.generate("fujian", scale=0.3)


@pytest.fixture(scope="module")
def facts(j: synth.Jurisdiction) -> FactFrame:
    return from_synth(j, built_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_one_wide_frame_per_period_type(facts: FactFrame) -> None:
    assert set(facts.frames) == {"year", "quarter", "month"}
    year = facts.wide("year")
    assert year.select(pl.struct("entity", "period").is_duplicated().any()).item() is False
    for col in (
        "entity",
        "kind",
        "province",
        "city",
        "zone",
        "period",
        "seq",
        "revenue",
        "__cert__hte",
    ):
        assert col in year.columns
    assert year["revenue"].dtype == pl.Float64


def test_hierarchy_columns_hold_ancestors_and_self(facts: FactFrame, j: synth.Jurisdiction) -> None:
    year = facts.wide("year").filter(pl.col("period") == "2025")
    firm = j.enterprises.row(0, named=True)
    row = year.filter(pl.col("entity") == firm["uscc"]).row(0, named=True)
    assert row["zone"] == firm["zone_code"]
    zone_row = year.filter(pl.col("entity") == firm["zone_code"]).row(0, named=True)
    assert zone_row["zone"] == firm["zone_code"]
    assert (
        (row["city"], row["province"])
        == (zone_row["city"], zone_row["province"])
        == (zone_row["city"], "350000")
    )
    assert year.filter(pl.col("kind") == "province")["entity"].to_list() == ["350000"]


def test_rows_follow_membership_not_reporting(facts: FactFrame, j: synth.Jurisdiction) -> None:
    year = facts.wide("year")
    # an enterprise that left its zone inside the window (the demo draws who and when)
    left = (
        j.enterprises.filter(pl.col("left_on").dt.year().is_between(2020, 2024))
        .sort("left_on", "uscc")
        .row(0, named=True)
    )
    periods = year.filter(pl.col("entity") == left["uscc"])["period"].to_list()
    assert max(periods) == str(left["left_on"].year)
    # every member has a row even without a report; values are then missing
    members_2025 = j.enterprises.filter(
        (pl.col("joined_on") <= pl.date(2025, 12, 31))
        & (pl.col("left_on").is_null() | (pl.col("left_on") >= pl.date(2025, 1, 1)))
    ).height
    assert (
        year.filter((pl.col("kind") == "enterprise") & (pl.col("period") == "2025")).height
        == members_2025
    )


def test_later_batch_wins(facts: FactFrame, j: synth.Jurisdiction) -> None:
    revised = j.observations.filter(pl.col("batch") == j.quirks["revision_batch"]).row(
        0, named=True
    )
    month = facts.wide("month")
    value = month.filter(
        (pl.col("entity") == revised["entity_key"]) & (pl.col("period") == revised["period"])
    )["revenue"].item()
    assert value == revised["value"]


def test_certification_status_at_period_end(facts: FactFrame, j: synth.Jurisdiction) -> None:
    hte = j.certifications.filter(pl.col("kind") == "hte")
    end = pl.date(2024, 12, 31)
    holders = set(
        hte.filter(
            (pl.col("granted_on") <= end)
            & (pl.col("expires_on").is_null() | (pl.col("expires_on") >= end))
            & (pl.col("revoked_on").is_null() | (pl.col("revoked_on") > end))
        )["entity_key"].to_list()
    )
    rows = facts.wide("year").filter(
        (pl.col("period") == "2024") & pl.col("__cert__hte").is_not_null()
    )
    assert set(rows["entity"].to_list()) == holders & set(
        facts.wide("year").filter(pl.col("period") == "2024")["entity"].to_list()
    )


def test_periods_are_contiguous(facts: FactFrame) -> None:
    months = facts.periods("month")
    assert months[0] == "2023-01" and months[-1] == "2025-12" and len(months) == 36


def test_stamps_and_a_stable_input_hash(j: synth.Jurisdiction, facts: FactFrame) -> None:
    assert facts.built_at == datetime(2026, 1, 1, tzinfo=UTC)
    again = from_synth(synth.generate("fujian", scale=0.3))
    assert again.input_hash == facts.input_hash and len(facts.input_hash) == 64
    changed = build_facts(
        synth_entities(j),
        j.observations.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(0.0).otherwise(pl.col("value")).alias("value")
        ),
        j.certifications,
    )
    assert changed.input_hash != facts.input_hash


def test_a_registry_prepared_once_builds_every_slice_as_its_own_would(
    j: synth.Jurisdiction, facts: FactFrame
) -> None:
    """The analytics build prepares the registry once for its years (prepare_registry): each
    year built with it is the frame built from the entities and certifications themselves,
    hash included, and the whole store too."""
    certs = j.certifications.rename({"entity_key": "entity"}, strict=False)
    certs = pl.concat([certs, level_rows(j.zone_events)], how="diagonal_relaxed")
    ents = synth_entities(j)
    registry = prepare_registry(ents, certs)
    shapes = {
        t: (facts.frames[t]["period"].min(), facts.frames[t]["period"].max(), True)
        for t in facts.frames
    }
    for year in ("2023", "2025"):
        wanted = [p for f in facts.frames.values() for p in f["period"].unique() if p[:4] == year]
        mine = j.observations.filter(pl.col("period").is_in(wanted))
        once = build_facts(ents, mine, certs, shapes=shapes, only_periods=wanted, registry=registry)
        own = build_facts(ents, mine, certs, shapes=shapes, only_periods=wanted)
        assert once.frames.keys() == own.frames.keys() and len(once.frames) >= 2
        for t, frame in own.frames.items():
            assert frame.height and once.frames[t].equals(frame), (year, t)
        assert once.input_hash == own.input_hash and once.cert_kinds == own.cert_kinds
        # the registry given is the one read: one prepared without the certifications marks none
        bare = build_facts(
            ents, mine, certs, shapes=shapes, only_periods=wanted, registry=prepare_registry(ents)
        )
        assert own.cert_kinds and bare.cert_kinds == ()
    whole = from_synth(j, built_at=facts.built_at, registry=registry)
    assert whole.input_hash == facts.input_hash
    assert all(whole.frames[t].equals(f) for t, f in facts.frames.items())


def test_bad_entities_are_refused() -> None:
    ents = pl.DataFrame(
        {"entity": ["A", "A"], "kind": ["zone", "zone"], "name": ["a", "b"], "parent": [None, None]}
    )
    with pytest.raises(ValueError, match="repeat"):
        build_facts(
            ents,
            pl.DataFrame(
                schema={
                    "entity": pl.String,
                    "variable": pl.String,
                    "period": pl.String,
                    "value": pl.Float64,
                }
            ),
        )
    with pytest.raises(ValueError, match="kinds"):
        build_facts(
            ents.with_columns(kind=pl.lit("planet")), pl.DataFrame(schema={"entity": pl.String})
        )


def test_namespace_names_each_level(facts: FactFrame) -> None:
    ns = facts.namespace()
    assert ns["revenue"].level == "enterprise"
    assert ns["city_gdp"].level == "city" and ns["gdp"].level == "zone"
    assert ns["institution_rd_expenditure"].level == "institution"
    assert ns["level"].kind == "attribute"


def test_every_period_type_gets_its_rows_and_revisions_settle() -> None:
    """Half-year and quarter codes have the same length ("2025H1", "2025Q1"): each still lands in
    its own frame. A revised report (later reported_on) replaces the first; a report for an
    entity not in the registry is left out; certification columns come in kind order."""
    ents = pl.DataFrame(
        {
            "entity": ["P", "C", "Z", "E"],
            "kind": ["province", "city", "zone", "enterprise"],
            "name": ["省", "市", "园区", "企业"],
            "parent": [None, "P", "C", "Z"],
        }
    )
    rows = [
        ("E", "revenue", "2025", 100.0, "2026-01-10"),
        ("E", "revenue", "2025", 120.0, "2026-02-10"),  # revision: wins
        ("E", "revenue", "2025-03", 30.0, None),
        ("Z", "gdp", "2025Q1", 7.0, None),
        ("Z", "gdp", "2025H1", 15.0, None),
        ("X", "revenue", "2025", 999.0, None),  # not in the registry
    ]
    obs = pl.DataFrame(
        rows,
        schema={
            "entity": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "reported_on": pl.String,
        },
        orient="row",
    ).with_columns(pl.col("reported_on").str.to_date())
    certs = pl.DataFrame(
        {
            "entity": ["E", "E"],
            "kind": ["tech_sme", "hte"],
            "level": [None, None],
            "granted_on": [date(2024, 1, 1), date(2024, 6, 1)],
        }
    )
    f = build_facts(ents, obs, certs)
    assert set(f.frames) == {"year", "half", "quarter", "month"}

    def cell(ptype: str, entity: str, period: str, column: str) -> object:
        frame = f.wide(ptype)
        return frame.filter((pl.col("entity") == entity) & (pl.col("period") == period))[
            column
        ].item()

    assert cell("year", "E", "2025", "revenue") == 120.0
    assert cell("month", "E", "2025-03", "revenue") == 30.0
    assert cell("quarter", "Z", "2025Q1", "gdp") == 7.0
    assert cell("half", "Z", "2025H1", "gdp") == 15.0
    assert "X" not in f.wide("year")["entity"].to_list()
    assert f.wide("half")["period"].unique().to_list() == ["2025H1"]
    assert f.wide("quarter")["period"].unique().to_list() == ["2025Q1"]
    certs_cols = [c for c in f.wide("year").columns if c.startswith("__cert__")]
    assert certs_cols == ["__cert__hte", "__cert__tech_sme"]
    assert cell("year", "E", "2025", "__cert__hte") == 0  # held, without a level


def test_values_and_certification_levels_land_in_their_rows() -> None:
    """Values and certification levels are put in the grid's rows by entity and period: an
    enterprise has rows from the month it joined to the month it left, and a report outside
    them is left out; a null report is a null cell; each month carries the highest level held
    at its end and on the day before it starts (several certificates of one kind: the
    highest)."""
    ents = pl.DataFrame(
        {
            "entity": ["P", "C", "Z", "E1", "E2"],
            "kind": ["province", "city", "zone", "enterprise", "enterprise"],
            "name": ["省", "市", "园区", "甲", "乙"],
            "parent": [None, "P", "C", "Z", "Z"],
            "joined_on": [None, None, None, date(2025, 2, 15), None],
            "left_on": [None, None, None, date(2025, 4, 10), None],
        }
    )
    obs = pl.DataFrame(
        [
            ("E1", "revenue", "2025-01", 1.0),  # before it joined: no row
            ("E1", "revenue", "2025-02", 5.0),
            ("E1", "revenue", "2025-04", 7.0),
            ("E1", "revenue", "2025-05", 9.0),  # after it left: no row
            ("E2", "revenue", "2025-01", 2.0),
            ("E2", "revenue", "2025-03", None),
            ("E2", "employees", "2025-05", 11.0),
        ],
        schema={
            "entity": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )
    certs = pl.DataFrame(
        {
            "entity": ["E1", "E2", "E2", "X"],
            "kind": ["hte", "hte", "hte", "hte"],
            "level": ["national", "provincial", "city", "national"],
            "granted_on": [date(2025, 3, 1), date(2024, 1, 1), date(2025, 1, 1), date(2020, 1, 1)],
            "revoked_on": [None, date(2025, 3, 15), None, None],
        }
    )
    month = build_facts(ents, obs, certs).wide("month").filter(pl.col("kind") == "enterprise")
    got = {
        (r["entity"], r["period"]): (
            r["revenue"],
            r["employees"],
            r["__cert__hte"],
            r["__certprev__hte"],
        )
        for r in month.iter_rows(named=True)
    }
    assert got == {
        ("E1", "2025-02"): (5.0, None, None, None),
        ("E1", "2025-03"): (None, None, 3, None),
        ("E1", "2025-04"): (7.0, None, 3, 3),
        ("E2", "2025-01"): (2.0, None, 2, 2),
        ("E2", "2025-02"): (None, None, 2, 2),
        ("E2", "2025-03"): (None, None, 1, 2),
        ("E2", "2025-04"): (None, None, 1, 1),
        ("E2", "2025-05"): (None, 11.0, 1, 1),
    }
    assert month.columns.index("revenue") < month.columns.index("employees")


def test_values_placed_a_slice_at_a_time_give_the_same_frames(
    j: synth.Jurisdiction, facts: FactFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The observations are placed a slice of rows at a time: slices far smaller than the
    observations (a variable first met in a later slice, a period type's rows spread over many
    slices) give the frames one slice gives, cell for cell and in the same column order."""
    import gaoxin.engine.facts as facts_module

    assert j.observations.height > 50 * 997
    monkeypatch.setattr(facts_module, "SPREAD_ROWS", 997)
    sliced = from_synth(j, built_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert set(sliced.frames) == set(facts.frames)
    for ptype, frame in facts.frames.items():
        assert sliced.wide(ptype).equals(frame), ptype
        assert sliced.wide(ptype).columns == frame.columns


@pytest.mark.parametrize(
    ("slice_rows", "marked"),
    [(7, 1 << 28), (1000, 1 << 28), (7, 0), (1, 1 << 28)],
    ids=["slices", "one-slice", "sorted", "too-many-slices"],
)
def test_repeated_keys_are_found_by_the_table_and_by_the_sort_alike(
    slice_rows: int, marked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The superseded check's repeated keys (:meth:`_Keys.repeated`), found with a table of the
    slice each key first came in, are the rows a count of each (entity, variable, period) gives:
    a key repeated in a later slice, three times over, twice within one slice (the table cannot
    see it: the keys are sorted then), in a slice searched that repeats another's key, an entity
    outside the registry repeated; with the table, with the sort (a key space over
    MARKED_KEYS) and with more slices than the table numbers (sorted)."""
    import gaoxin.engine.facts as facts_module

    monkeypatch.setattr(facts_module, "SPREAD_ROWS", slice_rows)
    monkeypatch.setattr(facts_module, "MARKED_KEYS", marked)
    if slice_rows == 1:  # 300 rows, one a slice: more than 254 slices
        assert (facts_module._REPEATED - 1) * slice_rows < 300
    registry = pl.Enum([f"E{i:03d}" for i in range(60)])
    rng = np.random.default_rng(7)
    # 300 distinct keys, shuffled
    keys = [
        (f"E{e:03d}", f"v{v}", f"2025-{p:02d}") for e in range(60) for v in range(5) for p in (1,)
    ]
    order = rng.permutation(len(keys))
    rows = [keys[i] for i in order]
    cases = {
        "none": rows,
        # an entity outside the registry at rows 5 and 101; row 3's key again at 31 and 252;
        # row 30's (at 32) and row 41's again at 253 and 254. In slices of 7, row 32's slice is
        # searched for its first row and holds row 31, a repeat of an earlier slice's key.
        "some": rows[:5]
        + [("X", "v0", "2025-01")]
        + rows[5:30]
        + [rows[3]]
        + rows[30:100]
        + [("X", "v0", "2025-01")]
        + rows[100:250]
        + [rows[3], rows[30], rows[41]]
        + rows[250:],
        "within": rows[:11] + [rows[10]] + rows[11:],
    }
    for name, keyed in cases.items():
        obs = pl.DataFrame(keyed, schema=["entity", "variable", "period"], orient="row")
        expected = np.flatnonzero(obs.select(pl.struct(pl.all()).is_duplicated()).to_series())
        got = _Keys(obs, registry).repeated()
        assert got.tolist() == expected.tolist(), name
        assert (len(expected) == 0) == (name == "none")


def _coded(obs: pl.DataFrame, entity: pl.DataType, how: str) -> pl.DataFrame:
    """``obs`` (text) as a source hands it over coded: the entity as ``entity``; the variable,
    the period and the batch as Enums of their values sorted (``how`` "registry"), in reverse
    with a category no row uses ("other_enum"), or as Categoricals."""

    def small(name: str) -> pl.Expr:
        values = obs[name].drop_nulls().unique().sort().to_list()
        if how == "categorical":
            return pl.col(name).cast(pl.Categorical)
        if how == "other_enum":
            values = ["~unused", *reversed(values)]
        return pl.col(name).cast(pl.Enum(values))

    return obs.with_columns(
        pl.col("entity").cast(entity), *[small(c) for c in ("variable", "period", "batch")]
    )


@pytest.mark.parametrize("how", ["registry", "after", "other_enum", "categorical"])
def test_coded_observations_give_the_frames_text_gives(how: str) -> None:
    """A source may hand the observations' keys over coded (decision 066): the entity as an
    Enum of the registry's codes sorted (its physical value is the build's code), one with
    codes outside the registry after them, or another Enum or a Categorical (mapped through
    its categories: the registry's codes in another order, categories no row uses); the
    variable, the period and the batch as Enums or Categoricals. The frames are those of the
    text, cell for cell and column for column, revisions settled the same, the input hash the
    same, the entity codes the same; the frame's observations keep the codes."""
    j = synth.generate("gansu", scale=0.02)
    ents = synth_entities(j)
    obs = j.observations.rename({"entity_key": "entity"}).drop("entity_kind")
    assert obs["batch"].str.starts_with("revision").any()  # revisions to settle
    registry = registry_enum(ents)
    entity: pl.DataType = registry
    if how != "registry":
        # a report of an entity outside the registry, and a null variable: both left out
        stray = obs.head(2).with_columns(
            entity=pl.Series(["X-1", obs["entity"][0]]), variable=pl.Series(["revenue", None])
        )
        obs = pl.concat([obs, stray])
        codes = ents["entity"].sort(descending=True).to_list()
        if how == "after":  # the registry's codes first, then those outside it
            entity = pl.Enum([*registry.categories.to_list(), "X-0", "X-1"])
        else:
            entity = pl.Enum(["X-0", *codes, "X-1"]) if how == "other_enum" else pl.Categorical()
    coded = _coded(obs, entity, how)
    assert coded.schema["entity"] == entity and coded.schema["variable"] != pl.String
    at = datetime(2026, 1, 1, tzinfo=UTC)
    text = build_facts(ents, obs, j.certifications, built_at=at, entity_codes=True)
    got = build_facts(ents, coded, j.certifications, built_at=at, entity_codes=True)
    assert set(got.frames) == set(text.frames) == {"year", "quarter", "month"}
    for ptype, frame in text.frames.items():
        assert got.wide(ptype).equals(frame), ptype
        assert got.wide(ptype).columns == frame.columns
    assert got.input_hash == text.input_hash
    assert got.entity_codes is not None and text.entity_codes is not None
    assert got.entity_codes.equals(text.entity_codes)
    assert got.observations.schema["entity"] == entity
    assert as_text(got.observations).equals(text.observations)


def test_coded_columns_are_the_enums_and_categoricals() -> None:
    """The columns a build keeps coded, found without reading the dtypes into Python."""
    frame = pl.DataFrame(
        {"entity": ["a", "b"], "variable": ["x", "y"], "period": ["2025", "2025"], "n": [1, 2]}
    ).with_columns(
        pl.col("entity").cast(pl.Enum(["a", "b", "c"])), pl.col("variable").cast(pl.Categorical)
    )
    assert coded_columns(frame) == {"entity", "variable"}
    assert coded_columns(frame.select("period", "n")) == set()


def test_registry_codes_of_text_and_of_any_coding_agree() -> None:
    """An entity's code is its place among the registry's codes sorted whatever the column's
    type: text is cast, an Enum equal to the registry is read as it is (its physical values),
    another Enum or a Categorical is mapped through its categories; outside the registry or
    null: the registry's size."""
    registry = registry_enum(pl.DataFrame({"entity": ["b", "c", "a"]}))
    text = pl.Series(["c", None, "x", "a", "b", "c"])
    want = [2, 3, 3, 0, 1, 2]
    assert _registry_codes(text, registry).tolist() == want
    same = text.filter(text != "x").cast(registry)
    assert _registry_codes(same, registry).tolist() == same.to_physical().to_list()
    other = text.cast(pl.Enum(["x", "c", "q", "b", "a"]))
    assert _registry_codes(other, registry).tolist() == want
    after = text.cast(pl.Enum(["a", "b", "c", "x", "y"]))  # the registry's codes first
    assert _registry_codes(after, registry).tolist() == want
    assert _registry_codes(text.cast(pl.Categorical), registry).tolist() == want
    assert text_of(other).to_list() == text.to_list()
    assert text_of(text.cast(pl.Categorical)).to_list() == text.to_list()


def test_highest_level_over_overlapping_runs_matches_each_rows_own_maximum() -> None:
    """The highest rank held on each row, from runs [start, end) that nest, overlap, touch and
    repeat, with rank 0 (held without a level) not null: what the maximum over the runs holding
    the row, worked out row by row, gives; null where no run holds the row."""
    rng = np.random.default_rng(70)
    n = 2000
    start = rng.integers(0, n, 150)
    end = np.minimum(start + rng.integers(1, 30, 150), n)
    rank = rng.integers(0, 4, 150)
    want = [
        max(
            (int(r) for s, e, r in zip(start, end, rank, strict=True) if s <= row < e), default=None
        )
        for row in range(n)
    ]
    got = _highest(n, start, end, rank)
    assert got.dtype == pl.Int8
    assert got.to_list() == want
    assert None in want and 0 in want and 3 in want
    assert _highest(5, start[:0], end[:0], rank[:0]).to_list() == [None] * 5
