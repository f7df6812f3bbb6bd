"""gaoxin.statistics.services as the pages and the API call them: monitoring, import, export
and templates within the acting user's scope; beyond it, refused with nothing read or written."""

import polars as pl
import pytest

from gaoxin.engine.periods import Period
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope
from gaoxin.statistics.services import monitor
from tests.evaluation.conftest import gansu, gansu_synth, module_rows_gansu  # noqa: F401 (fixtures)
from tests.factories import user_in

pytestmark = pytest.mark.django_db
Q3 = Period.parse("2025Q3")


def test_a_zone_user_monitors_its_zone(gansu):  # noqa: F811
    zone = Entity.objects.get(code="620300P1")
    done = monitor(Q3, zone, by=user_in(zone))
    rows = done.table.frame.filter(~pl.col("is_total"))
    assert rows["zone"].to_list() == ["620300P1"]
    assert done.title == f"{zone.name}主要指标季度分析表（2025年第三季度）"  # the zone named once


@pytest.mark.parametrize("where", ["620000", None], ids=["province", "whole-store"])
def test_a_zone_user_cannot_monitor_beyond_its_zone(gansu, where):  # noqa: F811
    zone = Entity.objects.get(code="620300P1")
    scope = Entity.objects.get(kind="region", code=where) if where else None
    with pytest.raises(OutOfScope, match="不在您的数据范围"):
        monitor(Q3, scope, by=user_in(zone))


@pytest.fixture
def tree():
    from gaoxin.statistics.store import sync_validation_rules
    from tests import factories

    t = factories.observed_tree()
    sync_validation_rules()
    return t


def revenue_csv(tmp_path, *entities):
    f = tmp_path / "revenue.csv"
    lines = "".join(f"{e.code},2025-07,{100 + i}\n" for i, e in enumerate(entities))
    f.write_text(f"统一社会信用代码,期间,营业收入（万元）\n{lines}", encoding="utf-8")
    return f


def stored():
    from gaoxin.statistics.models import Batch, Observation, ObservationChange

    return (Observation.objects.count(), ObservationChange.objects.count(), Batch.objects.count())


def test_a_zone_user_imports_its_enterprises_as_the_author(tree, tmp_path):
    from gaoxin.statistics.models import Batch, Observation
    from gaoxin.statistics.services import import_observations

    user = user_in(tree["torch"])
    report = import_observations(revenue_csv(tmp_path, tree["a"]), tree["torch"], by=user)
    assert report.status == "committed", report.problems
    assert Batch.objects.get(pk=report.batch_id).created_by == user
    assert Observation.objects.get(entity=tree["a"], period="2025-07").value == 100


def test_a_zone_users_import_naming_another_citys_enterprise_writes_nothing(tree, tmp_path):
    from gaoxin.statistics.services import import_observations

    user, before = user_in(tree["torch"]), stored()
    f = revenue_csv(tmp_path, tree["a"], tree["c"])  # 丙 is in 福州
    report = import_observations(f, tree["torch"], by=user)
    assert report.status == "rejected" and stored() == before
    assert [p.value for p in report.errors] == [tree["c"].code]
    # asking for the whole province is refused before the file is read
    with pytest.raises(OutOfScope):
        import_observations(f, tree["fj"], by=user)
    assert stored() == before


def test_export_gives_a_user_their_scope_only(tree):
    from gaoxin.statistics.services import export_observations

    user = user_in(tree["xm"])
    frame = export_observations(tree["xm"], by=user, codes=True)
    assert set(frame["entity_code"]) == {tree["a"].code}
    with pytest.raises(OutOfScope):
        export_observations(None, by=user)
    with pytest.raises(OutOfScope):
        export_observations(tree["fz"], by=user)


def test_the_import_command_records_the_operator_given_by_name(tree, tmp_path):
    from typer.testing import CliRunner

    from gaoxin.cli import app
    from gaoxin.statistics.models import Batch

    user = user_in(tree["torch"], "torch-filler")
    f = revenue_csv(tmp_path, tree["a"])
    r = CliRunner().invoke(app, ["import", str(f), "--by", "torch-filler"])
    assert r.exit_code == 0, r.output
    assert Batch.objects.latest("pk").created_by == user
    before = stored()
    r = CliRunner().invoke(app, ["import", str(f), "--by", "torch-filler", "--scope", "350000"])
    assert r.exit_code == 1 and "不在您的数据范围" in r.output and stored() == before


def test_a_template_names_what_it_cannot_make(db, tmp_path):
    import openpyxl

    from gaoxin.engine.problems import ProblemsError
    from gaoxin.statistics.services import reporting_template

    with pytest.raises(ProblemsError, match="找不到报表「nope」"):
        reporting_template(tmp_path / "a.xlsx", form="nope")
    with pytest.raises(ProblemsError, match="未知变量：revenue_totl"):
        reporting_template(tmp_path / "b.xlsx", variables=["revenue", "revenue_totl"])
    with pytest.raises(ProblemsError, match="请用 --form 指定报表"):
        reporting_template(tmp_path / "c.xlsx")
    assert not any(tmp_path.iterdir())
    out = reporting_template(tmp_path / "d.xlsx", variables=["revenue"])
    cells = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
    assert any("营业收入" in str(v) for v in cells)
