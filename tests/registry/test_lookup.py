"""Finding an entity by code or name (gaoxin.registry.lookup): the command line's --scope and the
admin's autocomplete read a term the same way."""

import pytest

from gaoxin.registry.lookup import EntityLookupError, ranked, resolve
from gaoxin.registry.models import Entity
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    t = factories.small_tree()
    # an institution whose code contains 350200, as the demo's incubators' codes do
    t["inc"] = Entity.objects.create(
        kind="institution", code="INC350200001", name="厦门火炬孵化器", parent=t["torch"]
    )
    return t


def test_exact_code_wins(tree):
    assert resolve("350200") == tree["xm"]
    assert resolve("350200N1") == tree["torch"]
    assert resolve(tree["a"].code) == tree["a"]


def test_searching_a_city_code_ranks_the_city_first(tree):
    names = list(ranked(Entity.objects.all(), "350200").values_list("name", flat=True))
    assert names[0] == "厦门市"
    assert names[1] == "厦门火炬高技术产业开发区"
    # the enterprises (every factory credit code is 91350200…) and the incubator follow
    assert set(names[2:]) == {
        "厦门甲科技有限公司",
        "厦门乙电子有限公司",
        "福州丙软件有限公司",
        "厦门火炬孵化器",
    }
    assert names[-1] == "厦门火炬孵化器"  # institutions after enterprises


def test_a_zones_short_name_finds_its_full_name(tree):
    assert resolve("厦门火炬高新区") == tree["torch"]
    assert resolve("福州高新区") == tree["fzz"]


def test_exact_name_and_unique_partial_name(tree):
    assert resolve("福建省") == tree["fj"]
    assert resolve("乙电子") == tree["b"]


def test_a_single_region_or_zone_wins_over_enterprises(tree):
    # 福州 matches 福州市, 福州高新区 and 福州丙软件: two preferred kinds → still ambiguous
    with pytest.raises(EntityLookupError) as info:
        resolve("福州")
    message = str(info.value)
    assert "福州市（行政区，350100）" in message
    assert "福州高新技术产业开发区（高新区，350100N1）" in message
    assert "福州丙软件" not in message
    # 火炬 matches the zone and the incubator: the zone wins
    assert resolve("火炬") == tree["torch"]


def test_ambiguous_enterprises_are_listed_with_kind_and_code(tree):
    with pytest.raises(EntityLookupError) as info:
        resolve("有限公司")
    message = str(info.value)
    assert "「有限公司」按名称部分匹配对应多个主体" in message
    for key in ("a", "b", "c"):
        assert f"{tree[key].name}（企业，{tree[key].code}）" in message


def test_unknown_term_and_scope_limit(tree):
    with pytest.raises(EntityLookupError, match="找不到「兰州」"):
        resolve("兰州")
    with pytest.raises(EntityLookupError, match="找不到「福州市」"):
        resolve("福州市", among=Entity.objects.within(tree["xm"]))
