"""The analytics tables (gaoxin.statistics.analytics, decision 036): what they give equals what
the store gave, by data version; stale is said; published data leaves out what is under review;
a rebuild of the changed years equals a full one; a reader never sees half a build."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import analytics as tables
from gaoxin.engine.monitor import monitor_table
from gaoxin.engine.periods import Period
from gaoxin.registry.models import Entity
from gaoxin.statistics import analytics
from gaoxin.statistics.facts import engine_facts
from gaoxin.statistics.services import monitor
from tests.evaluation.conftest import gansu, gansu_synth, gansu_unshared, module_rows_gansu  # noqa: F401 (fixtures)
from tests.factories import user_in
from tests.statistics.entry_fixtures import world  # noqa: F401 (fixture)

# the build is what these tests test: none of its builds is copied (tests/analytics_memo.py)
pytestmark = [pytest.mark.django_db, pytest.mark.every_build]


def store_monitor(period: str, scope):
    """The monitoring table as the service built it before the analytics tables: the fact frame
    from the store, the zones with statistics in the period's year."""
    facts = engine_facts(scope)
    reporting = facts.observations.filter(pl.col("period").str.starts_with(period[:4]))
    zones = (
        facts.entities.join(reporting.select("entity").unique(), on="entity", how="semi")["zone"]
        .drop_nulls()
        .unique()
        .sort()
        .to_list()
    )
    return monitor_table(facts, period, zones=zones)


@pytest.mark.parametrize("where", [None, "620000", "620300P1"], ids=["store", "province", "zone"])
@pytest.mark.parametrize("period", ["2025-07", "2025Q3", "2024-12"])
def test_the_monitor_read_from_analytics_equals_the_one_built_from_the_store(
    gansu,  # noqa: F811
    where,
    period,
):
    scope = Entity.objects.get(code=where) if where else None
    done = monitor(Period.parse(period), scope, by=None)
    old = store_monitor(period, scope)
    assert_frame_equal(done.table.frame, old.frame)
    assert done.data.version == analytics.data_version() and not done.data.stale


def test_indicator_values_are_the_catalogues_over_the_whole_store_filtered_to_the_scope(
    gansu,  # noqa: F811
):
    from gaoxin.engine.indicators import compute

    zone = Entity.objects.get(code="620300P1")
    values, state = analytics.indicator_values(
        zone, by=user_in(zone), indicators=["revenue", "rd_intensity"], periods=["2024", "2025"]
    )
    assert set(values["entity"]) == {"620300P1"} and state.version == analytics.data_version()
    whole = compute(None, engine_facts(None), ["2024", "2025"]).frame
    expected = whole.filter(
        (pl.col("entity") == "620300P1") & pl.col("indicator").is_in(["revenue", "rd_intensity"])
    )
    assert_frame_equal(
        values.sort("indicator", "period"), expected.sort("indicator", "period"), check_dtypes=False
    )


def test_indicator_values_have_no_rows_where_not_computed_says_why(gansu):  # noqa: F811
    # decision 072: land area is reported yearly, so a monthly per-mu value is null everywhere;
    # its monthly rows are not stored and the reason is given instead
    from gaoxin.engine.indicators import compute

    zone = Entity.objects.get(code="620300P1")
    left_out = analytics.not_computed()
    assert left_out["month"]["enterprise_tax_per_mu"] == ("land_area",)
    assert "year" not in left_out
    per_mu = ["enterprise_tax_per_mu", "enterprise_rd_intensity"]
    values, _ = analytics.indicator_values(
        zone, by=user_in(zone), indicators=per_mu, periods=["2025-07", "2025"]
    )
    assert set(values["period"]) == {"2025"} and values.height > 0
    # what the store computes for the month: null on every row
    months = compute(None, engine_facts(zone), ["2025-07"]).frame
    months = months.filter(pl.col("indicator").is_in(per_mu))
    assert months.height > 0 and months["value"].null_count() == months.height


def test_a_user_cannot_read_analytics_beyond_their_scope(gansu):  # noqa: F811
    from gaoxin.services import OutOfScope

    zone = Entity.objects.get(code="620300P1")
    province = Entity.objects.get(code="620000")
    for read in (analytics.facts, analytics.indicator_values):
        with pytest.raises(OutOfScope):
            read(province, by=user_in(zone, f"u-{read.__name__}"))


def test_a_write_makes_the_tables_stale_until_rebuilt(gansu, settings):  # noqa: F811
    from gaoxin.statistics.models import Observation
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"  # neither a job nor a rebuild on read
    analytics.build()
    before = analytics.state()
    assert not before.stale and before.text().startswith(f"数据版本 {before.version}，生成于 ")
    obs = Observation.objects.filter(period="2025-07").first()
    revise(obs, 123456)
    after = analytics.state()
    assert after.stale and after.version == before.version
    assert after.data_version == before.version + 1
    assert after.text().endswith("；数据已更新，分析表待重建")
    # a page reads the stale build, and is told so
    facts, state = analytics.facts(None, by=None, years=[2025])
    assert state.stale
    analytics.build()
    assert not analytics.state().stale


def test_a_refused_import_does_not_bump_the_data_version(gansu, tmp_path):  # noqa: F811
    from gaoxin.statistics.services import import_observations

    zone = Entity.objects.get(code="620300P1")
    version = analytics.data_version()
    bad = tmp_path / "bad.csv"
    bad.write_text("统一社会信用代码,期间,营业收入（万元）\n不存在的企业,2025-07,100\n", "utf-8")
    report = import_observations(bad, zone, by=None)
    assert report.status == "rejected"
    assert analytics.data_version() == version


def test_a_template_include_shows_the_version_and_says_stale(gansu, settings):  # noqa: F811
    from django.template.loader import render_to_string

    from gaoxin.statistics.models import Observation
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"
    assert "分析表尚未生成" in render_to_string(
        "statistics/_data_version.html", {"state": analytics.state()}
    )
    analytics.build()
    page = render_to_string("statistics/_data_version.html", {"state": analytics.state()})
    assert f"数据版本 {analytics.data_version()}，生成于 " in page and "待重建" not in page
    revise(Observation.objects.first(), 42)
    page = render_to_string("statistics/_data_version.html", {"state": analytics.state()})
    assert "数据已更新，分析表待重建" in page


def every_table(preview: bool = False):
    """Everything a build holds, as frames that compare: the fact frames and indicator values."""
    facts, _ = analytics.facts(None, by=None, preview=preview)
    values, _ = analytics.indicator_values(None, by=None, preview=preview)
    frames = {
        k: f.with_columns(pl.col(pl.Categorical).cast(pl.String)) for k, f in facts.frames.items()
    }
    return frames, values.sort("indicator", "period", "entity")


def test_a_rebuild_of_the_changed_year_equals_a_full_build(gansu, settings):  # noqa: F811
    from gaoxin.statistics.models import Observation
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"
    analytics.build()
    before = built_meta()
    obs = Observation.objects.filter(period="2025-07", entity__kind="enterprise").first()
    revise(obs, 987654.5)
    done = analytics.build()
    assert done.rebuilt == (2025,) and 2019 in done.linked
    frames, values = every_table()
    narrowed = built_meta()
    assert analytics.build(full=True).rebuilt == tuple(range(2019, 2026))
    again, values_again = every_table()
    # the same input hash: the changed month's observations hashed again, the others' kept
    full = built_meta()
    assert narrowed["observation_hashes"] == full["observation_hashes"]
    assert (narrowed["years"], narrowed["input_hash"]) == (full["years"], full["input_hash"])
    assert narrowed["input_hash"] != before["input_hash"]
    assert narrowed["observation_hashes"]["2025-06"] == before["observation_hashes"]["2025-06"]
    assert frames.keys() == again.keys()
    for kind, frame in frames.items():
        assert_frame_equal(frame, again[kind])
    assert_frame_equal(values, values_again)
    month = frames["month"].filter(
        (pl.col("entity") == obs.entity.code) & (pl.col("period") == "2025-07")
    )
    assert month[obs.variable.code].to_list() == [987654.5]


def test_the_store_hands_its_observations_over_coded_from_its_ids(gansu):  # noqa: F811
    """The store's source hands over the observations coded from its ids (decision 066): the
    entity as an Enum whose categories begin with the registry's codes sorted (the build reads
    its physical values as they are), the variable and the batch as Enums. Made text, they are
    the rows the store's text read gives, in the same order."""
    from gaoxin.engine.facts import as_text, registry_enum
    from gaoxin.statistics.facts import registry_frames, text_observations

    none = pl.DataFrame(
        schema={"entity_id": pl.Int64, "variable_id": pl.Int64, "period": pl.String}
    )
    source = analytics.StoreSource(none)
    periods = ["2024", "2025Q3", "2025-07"]
    got = source.observations(periods)
    registry = registry_enum(source.entities()).categories
    entity = got.schema["entity"]
    assert isinstance(entity, pl.Enum)
    assert entity.categories.head(registry.len()).equals(registry)
    assert isinstance(got.schema["variable"], pl.Enum)
    assert isinstance(got.schema["batch"], pl.Enum)
    _, codes, _ = registry_frames(None)
    text = text_observations(None, None, periods, codes)
    assert text.height > 1000 and text["batch"].null_count() < text.height
    assert_frame_equal(as_text(got), text)


def built_meta() -> dict:
    current = analytics._current()
    assert current is not None
    meta = tables.read_meta(current[1] / analytics.PUBLISHED)
    assert meta is not None
    return meta


@pytest.fixture
def under_review(world):  # noqa: F811
    """厦门火炬 reports revenue for its two enterprises for 2025-12 through its return (a
    submission); 福州高新's enterprise's value came in by the province's own import (none)."""
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import write_observations

    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(world[k].pk, revenue.pk, "2025-12", v) for k, v in (("a", 10), ("b", 20), ("c", 30))],
        Batch.objects.create(kind="manual", label="x"),
    )
    return world


def revenue_of(codes, preview=False) -> dict:
    facts, state = analytics.facts(None, by=None, years=[2025], preview=preview)
    month = facts.frames["month"].filter(pl.col("period") == "2025-12")
    return dict(zip(month["entity"], month["revenue"], strict=True)) | {"state": state}


def test_published_tables_wait_for_the_province_and_a_preview_shows_what_is_submitted(
    under_review,
):
    from gaoxin.statistics.approval import move, submission_for

    w = under_review
    a, b, c = (w[k].code for k in "abc")
    everything = revenue_of(None)
    assert (everything[a], everything[b], everything[c]) == (10, 20, 30)
    s = submission_for(w["enterprise_monthly"], w["torch"], "2025-12")
    version = analytics.data_version()
    move(s, "submit", by=w["zone_reporter"])
    assert analytics.data_version() == version + 1
    published, preview = revenue_of(None), revenue_of(None, preview=True)
    assert (published[a], published[b], published[c]) == (None, None, 30)
    assert (preview[a], preview[b], preview[c]) == (10, 20, 30)
    assert preview["state"].preview_differs and "预览" in preview["state"].text()
    move(s, "city_approve", by=w["city"])
    assert revenue_of(None)[a] is None and revenue_of(None, preview=True)[a] == 10
    move(s, "province_approve", by=w["province"])
    published = revenue_of(None)
    assert (published[a], published[b]) == (10, 20)
    assert not published["state"].preview_differs
    move(s, "unlock", by=w["province_admin"], comment="口径更正")
    assert revenue_of(None)[a] is None and revenue_of(None, preview=True)[a] is None


def test_a_reader_during_a_rebuild_sees_the_previous_build_whole(gansu_unshared, settings):  # noqa: F811
    from gaoxin.statistics.models import Observation
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"
    analytics.build()
    old = analytics.state().version
    obs = Observation.objects.filter(period="2025-07", entity__kind="enterprise").first()
    before = float(obs.value)
    revise(obs, before + 1000)
    seen = []

    def read_meanwhile(step, done=None, total=None):
        facts, state = analytics.facts(None, by=None, years=[2025])
        month = facts.frames["month"].filter(
            (pl.col("entity") == obs.entity.code) & (pl.col("period") == "2025-07")
        )
        seen.append((state.version, month[obs.variable.code][0]))

    analytics.build(progress=read_meanwhile)
    assert seen and set(seen) == {(old, before)}
    facts, state = analytics.facts(None, by=None, years=[2025])
    assert state.version == old + 1
    # the build before stays on disk for a reader that opened it a moment before the swap
    assert (settings.ANALYTICS_ROOT / f"v{old}").is_dir()


def test_old_builds_are_removed_and_half_written_ones_never_read(gansu, settings):  # noqa: F811
    from gaoxin.statistics.models import Observation
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"
    root = settings.ANALYTICS_ROOT
    obs = Observation.objects.filter(period="2025-07").first()
    for n in range(3):
        analytics.build()
        revise(obs, 100 + n)
    analytics.build()
    assert len(list(root.glob("v*"))) == analytics.KEEP
    (root / "current").write_text("v999999\n")  # a build that never finished
    assert analytics.state().version is None


def test_a_build_whose_file_write_fails_is_never_swapped_in(gansu, settings, monkeypatch):  # noqa: F811
    """The build's writes run in a thread beside it (decision 073): one failing there fails the
    build in the caller, readers keep the build before, and the half-written directory is gone."""
    from gaoxin.statistics.models import Observation
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "off"
    root = settings.ANALYTICS_ROOT
    analytics.build()
    old = analytics.state().version
    revise(Observation.objects.filter(period="2025-07").first(), 4321)
    # the revision's version: the next id, not old + 1 (PostgreSQL's sequence moves on with the
    # rolled-back writes of the tests before that share the demo's rows)
    revised = analytics.data_version()
    assert revised > old
    write = tables._write

    def failing(frame, path):
        if path.parent.name == "2025" and path.parent.parent.name == "observations":
            raise OSError(28, "No space left on device", str(path))
        write(frame, path)

    monkeypatch.setattr(tables, "_write", failing)
    with pytest.raises(OSError, match="No space left on device"):
        analytics.build(full=True)
    assert analytics.state().version == old and analytics.state().stale
    assert not list(root.glob(".building-*")) and not (root / f"v{revised}").exists()
    monkeypatch.setattr(tables, "_write", write)
    analytics.build(full=True)
    assert analytics.state().version == revised and not analytics.state().stale
    assert (root / f"v{revised}").is_dir()


def test_a_write_queues_one_rebuild_job_after_it_commits(
    gansu,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    from gaoxin.jobs.models import Job
    from gaoxin.statistics.models import Batch, Observation
    from gaoxin.statistics.store import write_observations
    from tests.factories import revise

    settings.ANALYTICS_ON_CHANGE = "job"
    analytics.build()
    zone = Entity.objects.get(code="620300P1")
    reporter = user_in(zone)
    obs = Observation.objects.filter(period="2025-07", entity__path__startswith=zone.path).first()
    with django_capture_on_commit_callbacks(execute=True):
        write_observations(
            [(obs.entity_id, obs.variable_id, obs.period, 4321)],
            Batch.objects.create(kind="manual", label="x"),
            user=reporter,
        )
    job = Job.objects.get(kind=analytics.JOB_KIND)
    assert job.started_by == reporter and job.scope == zone
    assert job.state == "succeeded" and "重建年份 2025" in job.summary
    assert not analytics.state().stale
    # the operator at the terminal has no job list: the rebuild runs at once
    with django_capture_on_commit_callbacks(execute=True):
        revise(obs, 1234)
    assert Job.objects.filter(kind=analytics.JOB_KIND).count() == 1
    assert not analytics.state().stale


def test_the_analytics_commands_build_and_tell_where_the_tables_stand(gansu, settings):  # noqa: F811
    from typer.testing import CliRunner

    from gaoxin.cli import app

    settings.ANALYTICS_ON_CHANGE = "off"
    runner = CliRunner()
    result = runner.invoke(app, ["analytics", "status"])
    assert result.exit_code == 0 and "分析表尚未生成" in result.output
    result = runner.invoke(app, ["analytics", "build"])
    assert result.exit_code == 0 and "分析表已生成" in result.output
    result = runner.invoke(app, ["analytics", "status"])
    assert f"数据版本 {analytics.data_version()}，生成于" in result.output
    assert "分析表已是最新" in runner.invoke(app, ["analytics", "build"]).output


def test_gaoxin_monitor_previews_values_under_review_and_says_so(under_review):
    from typer.testing import CliRunner

    from gaoxin.cli import app
    from gaoxin.statistics.approval import move, submission_for

    w = under_review
    move(
        submission_for(w["enterprise_monthly"], w["torch"], "2025-12"),
        "submit",
        by=w["zone_reporter"],
    )
    runner = CliRunner()
    published = runner.invoke(
        app,
        [
            "monitor",
            "--period",
            "2025-12",
        ],
    )
    shown = runner.invoke(app, ["monitor", "--period", "2025-12", "--preview"])
    assert shown.exit_code == 0, shown.output
    assert "含待审核数据（预览）" in shown.output
    assert "预览" not in published.output
