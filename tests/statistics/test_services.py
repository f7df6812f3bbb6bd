"""gaoxin.statistics.services as the pages and the API call them: monitoring, import, export
and templates within the acting user's scope; beyond it, refused with nothing read or written."""

import polars as pl
import pytest

from gaoxin.engine.periods import Period
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope
from gaoxin.statistics.services import monitor
from tests.evaluation.conftest import gansu, gansu_synth  # noqa: F401 (fixtures)
from tests.factories import user_in

pytestmark = pytest.mark.django_db
Q3 = Period.parse("2025Q3")


def test_a_zone_user_monitors_its_zone(gansu):  # noqa: F811
    zone = Entity.objects.get(code="620300P1")
    done = monitor(Q3, zone, by=user_in(zone))
    rows = done.table.frame.filter(~pl.col("is_total"))
    assert rows["zone"].to_list() == ["620300P1"]
    assert done.title == f"{zone.name}高新区主要指标季度分析表（2025年第三季度）"


@pytest.mark.parametrize("where", ["620000", None], ids=["province", "whole-store"])
def test_a_zone_user_cannot_monitor_beyond_its_zone(gansu, where):  # noqa: F811
    zone = Entity.objects.get(code="620300P1")
    scope = Entity.objects.get(kind="region", code=where) if where else None
    with pytest.raises(OutOfScope, match="不在您的数据范围"):
        monitor(Q3, scope, by=user_in(zone))
