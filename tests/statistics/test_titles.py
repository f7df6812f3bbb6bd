"""Table titles name whose indicators they hold once: a zone by its own name, a region's zones
as 某省高新区 (a zone's monitoring table read 三明高新技术产业开发区高新区主要指标…)."""

from gaoxin.registry.models import Entity
from gaoxin.statistics.services import subject


def test_a_zone_is_named_once_a_region_by_its_zones():
    zone = Entity(kind="zone", name="三明高新技术产业开发区", code="350400N1")
    province = Entity(kind="region", name="福建省", code="350000")
    assert subject(zone) == "三明高新技术产业开发区"
    assert subject(province) == "福建省高新区"
    assert subject(None) == "高新区"
    assert subject(None, everywhere="全国") == "全国高新区"
