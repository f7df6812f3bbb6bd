import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from gaoxin.registry import loading
from gaoxin.registry.models import Certification, Entity, Membership, Zone
from gaoxin.registry.validators import validate_industry_code, validate_uscc
from tests import factories

pytestmark = pytest.mark.django_db


def test_path_is_the_chain_of_ancestor_ids():
    t = factories.small_tree()
    a = t["a"]
    assert a.path == f"/{t['fj'].pk}/{t['xm'].pk}/{t['torch'].pk}/{a.pk}/"


def test_within_a_scope_is_its_subtree_and_nothing_else():
    t = factories.small_tree()
    in_xiamen = set(Entity.objects.within(t["xm"]).values_list("name", flat=True))
    assert in_xiamen == {
        "厦门市",
        "厦门火炬高技术产业开发区",
        "厦门甲科技有限公司",
        "厦门乙电子有限公司",
    }
    assert Entity.objects.within(None).count() == 8
    assert Entity.objects.within(t["fj"]).of_kind("enterprise").count() == 3


def test_moving_an_entity_rewrites_its_subtree_and_keeps_history():
    t = factories.small_tree()
    torch, fz = t["torch"], t["fz"]
    Membership.objects.create(child=torch, parent=t["xm"], valid_from=dt.date(1991, 3, 6))
    torch.move(fz, on=dt.date(2025, 1, 1), reason="区划调整（测试）")
    t["a"].refresh_from_db()
    assert t["a"].path.startswith(torch.path)
    assert torch.path.startswith(fz.path)
    assert set(Entity.objects.within(t["xm"]).values_list("kind", flat=True)) == {"region"}
    history = list(
        Membership.objects.filter(child=torch)
        .order_by("valid_from")
        .values_list("parent__name", "valid_from", "valid_to")
    )
    assert history == [
        ("厦门市", dt.date(1991, 3, 6), dt.date(2025, 1, 1)),
        ("福州市", dt.date(2025, 1, 1), None),
    ]


def test_cannot_move_under_own_subtree():
    t = factories.small_tree()
    with pytest.raises(ValueError):
        t["xm"].move(t["torch"], on=dt.date(2025, 1, 1))


def test_kind_and_code_are_unique():
    factories.region("350000", "福建省", "province")
    with pytest.raises(IntegrityError):
        Entity.objects.create(kind="region", code="350000", name="重复")


def test_category_only_for_provincial_zones():
    t = factories.small_tree()
    z = Zone.objects.get(entity=t["torch"])
    z.category = "creating"
    with pytest.raises(IntegrityError):
        z.save()


def test_uscc_validation_distinguishes_check_digit_from_format():
    good = factories.make_uscc(7)
    validate_uscc(good)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_uscc(bad_check)
    with pytest.raises(ValidationError, match="格式不对"):
        validate_uscc("1234")


def test_industry_code_validation():
    validate_industry_code("C39")
    validate_industry_code("I65")
    with pytest.raises(ValidationError):
        validate_industry_code("C99")  # no such division in GB/T 4754-2017
    with pytest.raises(ValidationError):
        validate_industry_code("39")


def test_certifications_active_on_a_day():
    t = factories.small_tree()
    a, b = t["a"], t["b"]
    Certification.objects.create(
        entity=a, kind="hte", granted_on=dt.date(2022, 12, 1), expires_on=dt.date(2025, 11, 30)
    )
    Certification.objects.create(
        entity=b,
        kind="hte",
        granted_on=dt.date(2023, 12, 1),
        expires_on=dt.date(2026, 11, 30),
        revoked_on=dt.date(2024, 6, 1),
    )

    def active(day):
        return set(Certification.objects.active_on(day).values_list("entity__name", flat=True))

    assert active(dt.date(2023, 12, 31)) == {"厦门甲科技有限公司", "厦门乙电子有限公司"}
    assert active(dt.date(2024, 6, 1)) == {"厦门甲科技有限公司"}
    assert active(dt.date(2025, 12, 1)) == set()


def test_certification_expiry_cannot_precede_grant():
    t = factories.small_tree()
    with pytest.raises(IntegrityError):
        Certification.objects.create(
            entity=t["a"],
            kind="hte",
            granted_on=dt.date(2024, 1, 1),
            expires_on=dt.date(2023, 1, 1),
        )


def test_loading_the_reference_zone_list_is_idempotent():
    loading.load_regions(
        pl.DataFrame(
            {
                "code": ["620000", "620100"],
                "name": ["甘肃省", "兰州市"],
                "level": ["province", "city"],
                "parent_code": [None, "620000"],
            }
        )
    )
    zones = pl.DataFrame(
        {
            "code": ["620100N1"],
            "name": ["兰州高新技术产业开发区"],
            "level": ["national"],
            "category": [""],
            "region_code": ["620100"],
            "approved_on": [dt.date(1991, 3, 6)],
            "area_km2": [None],
            "leading_industries": [["生物医药", "新材料"]],
        }
    )
    loading.load_zones(zones)
    loading.load_zones(zones)
    z = Zone.objects.get(entity__code="620100N1")
    assert [i.name for i in z.leading_industries.all()] == ["生物医药", "新材料"]
    assert z.approval_year == 1991
    assert z.entity.parent.name == "兰州市"
    assert Entity.objects.filter(kind="zone").count() == 1


def test_registry_choices_are_the_engine_kinds():
    from gaoxin.engine import certifications
    from gaoxin.registry.choices import EnterpriseCertificationKind, InstitutionKind

    assert dict(InstitutionKind.choices).keys() == certifications.INSTITUTION_KINDS.keys()
    assert (
        dict(EnterpriseCertificationKind.choices).keys() == certifications.ENTERPRISE_KINDS.keys()
    )
    assert InstitutionKind.INCUBATOR == "incubator"
