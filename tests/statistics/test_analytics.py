"""The analytics tables (gaoxin.statistics.analytics, decision 036): what they give equals what
the store gave, by data version; stale is said; published data leaves out what is under review;
a rebuild of the changed years equals a full one; a reader never sees half a build."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine.monitor import monitor_table
from gaoxin.engine.periods import Period
from gaoxin.registry.models import Entity
from gaoxin.statistics import analytics
from gaoxin.statistics.facts import engine_facts
from gaoxin.statistics.services import monitor
from tests.evaluation.conftest import gansu, gansu_synth  # noqa: F401 (fixtures)
from tests.factories import user_in

pytestmark = pytest.mark.django_db


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
