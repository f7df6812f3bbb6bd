"""gaoxin.policy.services as the pages and the API call them: target progress within the acting
user's scope, refused beyond it."""

import pytest

from gaoxin.policy.packs import find_pack
from gaoxin.policy.services import target_progress
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope
from tests.commands.conftest import taizhou, taizhou_synth  # noqa: F401 (fixtures)
from tests.factories import user_in

pytestmark = pytest.mark.django_db


def test_a_city_bureau_sees_its_citys_target_progress(taizhou):  # noqa: F811
    city = Entity.objects.get(kind="region", code="331000")
    p = target_progress(find_pack("taizhou-2024"), city, by=user_in(city), as_of=2024)
    assert p.title == "台州市发展目标进度（2024年）" and p.jurisdiction == "331000"
    assert p.table.height == 8 and sum(n for _, n in p.counts) == 8


@pytest.mark.parametrize("where", ["331000", None], ids=["its-city", "whole-store"])
def test_a_zone_user_is_refused_its_city(taizhou, where):  # noqa: F811
    zone = Entity.objects.filter(kind="zone", code__startswith="3310").first()
    scope = Entity.objects.get(kind="region", code=where) if where else None
    with pytest.raises(OutOfScope, match="不在您的数据范围"):
        target_progress(find_pack("taizhou-2024"), scope, by=user_in(zone))
