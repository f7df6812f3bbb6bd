"""The store is read column-wise (one query per frame, straight into Polars); what comes out is
what Django's ORM says is stored, value for value and in the same order."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from gaoxin.engine import synth
from gaoxin.registry.models import Entity, Region, ZoneStatusEvent
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.facts import LONG_SCHEMA, engine_facts, observations_frame
from gaoxin.statistics.models import Observation
from gaoxin.statistics.store import sync_catalogue
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def gansu():
    sync_catalogue()
    j = synth.generate("gansu", scale=0.02)
    load_jurisdiction(j, label="测试")
    return j


def orm_long(qs) -> pl.DataFrame:
    """The long frame as the ORM gives it: Decimal values through float()."""
    rows = qs.order_by("entity__kind", "entity__code", "variable_id", "period").values_list(
        "entity__code",
        "entity__name",
        "entity__kind",
        "variable__code",
        "period",
        "value",
        "batch_id",
    )
    return pl.DataFrame(
        [(c, n, k, v, p, float(x), b) for c, n, k, v, p, x, b in rows],
        schema=LONG_SCHEMA,
        orient="row",
    )


def test_observations_are_what_the_orm_reads_in_the_same_order(gansu):
    frame = observations_frame()
    assert frame.height == Observation.objects.count() > 10_000
    assert_frame_equal(frame.select(list(LONG_SCHEMA)), orm_long(Observation.objects.all()))
    # the hierarchy: an enterprise's zone, city and province are those above it in the tree
    firm = Entity.objects.filter(kind="enterprise").select_related("parent__parent").first()
    row = frame.filter(pl.col("entity_code") == firm.code).row(0, named=True)
    assert row["zone"] == firm.parent.code
    assert row["city"] == firm.parent.parent.code
    assert row["province"] == "620000"


def test_filters_read_only_what_was_asked(gansu):
    zone = Entity.objects.filter(kind="zone").order_by("code").first()
    frame = observations_frame(scope=zone, variables=["revenue"], periods=["2024", "2025"])
    expected = orm_long(
        Observation.objects.filter(
            entity__path__startswith=zone.path,
            variable__code="revenue",
            period__in=["2024", "2025"],
        )
    )
    assert expected.height > 1
    assert_frame_equal(frame.select(list(LONG_SCHEMA)), expected)
    zones = observations_frame(kind="zone")
    assert set(zones["entity_kind"]) == {"zone"}
    assert zones.height == Observation.objects.filter(entity__kind="zone").count()


def test_decimals_come_out_as_the_nearest_float_to_the_stored_decimal(gansu):
    """float(Decimal) of the value as written, on both databases. (Django's ORM on SQLite rounds
    a stored double to 15 significant digits first: 123456789012.654 here.)"""
    written = Decimal("123456789012.654321")  # 18 digits: more than a double holds exactly
    obs = Observation.objects.filter(variable__code="revenue").order_by("id").first()
    factories.revise(obs, written)
    frame = observations_frame(variables=["revenue"])
    got = frame.filter(
        (pl.col("entity_code") == obs.entity.code) & (pl.col("period") == obs.period)
    )["value"]
    assert got.to_list() == [float(written)] == [123456789012.65433]


def test_nothing_in_scope_reads_as_empty_typed_frames(gansu):
    frame = observations_frame(periods=["1999"])
    assert frame.height == 0
    assert frame.select(list(LONG_SCHEMA)).schema == pl.Schema(LONG_SCHEMA)


def test_entities_take_their_kind_and_dates_from_the_registry(gansu):
    province = Entity.objects.get(kind="region", code="620000")
    # a county directly under the province counts as a city; counties under a city are left out
    county = Entity.objects.create(kind="region", code="620999", name="直管县", parent=province)
    Region.objects.create(entity=county, level="county", gb2260="620999")
    zone = Entity.objects.filter(kind="zone").order_by("code").first()
    ZoneStatusEvent.objects.create(zone=zone.zone, status="revoked", date=date(2025, 3, 31))
    zone.zone.category = ""
    zone.zone.save()
    facts = engine_facts()
    ents = facts.entities
    kinds = dict(zip(ents["entity"], ents["kind"], strict=True))
    assert kinds["620000"] == "province" and kinds["620999"] == "city"
    under_city = Entity.objects.filter(region__level="county", parent__region__level="city")
    assert under_city.exists() and not any(
        c in kinds for c in under_city.values_list("code", flat=True)
    )
    z = ents.filter(pl.col("entity") == zone.code).row(0, named=True)
    assert (z["kind"], z["joined_on"], z["left_on"]) == (
        "zone",
        zone.zone.approved_on,
        date(2025, 3, 31),
    )
    assert z["category"] is None and z["level"] == zone.zone.level
    firm = Entity.objects.filter(kind="enterprise").first()
    membership = firm.memberships.get(valid_to__isnull=True)
    f = ents.filter(pl.col("entity") == firm.code).row(0, named=True)
    assert (f["kind"], f["parent"], f["joined_on"], f["left_on"]) == (
        "enterprise",
        firm.parent.code,
        membership.valid_from,
        None,
    )
    assert f["industry"] == (firm.enterprise.industry_code or None)
    inst = Entity.objects.filter(kind="institution").first()
    i = ents.filter(pl.col("entity") == inst.code).row(0, named=True)
    assert (i["kind"], i["joined_on"], i["institution_kind"]) == (
        "institution",
        inst.institution.founded_on,
        inst.institution.kind,
    )
    # every stored value reaches the fact frame's observations, as the ORM reads it
    expected = orm_long(Observation.objects.all()).select(
        pl.col("entity_code").alias("entity"), "variable", "period", "value"
    )
    assert_frame_equal(facts.observations.select(expected.columns), expected)


def test_reading_some_periods_gives_those_rows_of_the_full_read(gansu):
    full = engine_facts().frames["month"]
    some = engine_facts(periods=["2025-06", "2025-07"]).frames
    assert set(some) == {"month"}
    assert sorted(some["month"]["period"].unique()) == ["2025-06", "2025-07"]
    part = full.filter(pl.col("period").is_in(["2025-06", "2025-07"]))
    columns = [c for c in some["month"].columns if c not in {"seq"}]
    assert_frame_equal(some["month"].select(columns), part.select(columns))


def test_the_input_hash_is_of_the_content_not_of_the_storage_order(gansu):
    from django.db.models import Count

    from gaoxin.registry.models import Certification

    before = engine_facts().input_hash
    # the same certification stored again gets a new id, so it is stored after the entity's
    # other certifications
    busy = Certification.objects.values("entity").annotate(n=Count("id")).order_by("-n")[0]
    assert busy["n"] > 1
    cert = Certification.objects.filter(entity=busy["entity"]).order_by("id").first()
    fields = {f.attname: getattr(cert, f.attname) for f in Certification._meta.concrete_fields}
    cert.delete()
    Certification.objects.create(**{k: v for k, v in fields.items() if k != "id"})
    assert engine_facts().input_hash == before
    cert = Certification.objects.order_by("id").first()
    cert.granted_on = date(2001, 1, 1)
    cert.save()
    assert engine_facts().input_hash != before


def test_text_reads_back_as_stored_quotes_commas_newlines_and_blanks(gansu):
    firm = Entity.objects.filter(kind="enterprise", observations__isnull=False).first()
    firm.name = '甘肃"新航",电子\n有限公司'
    firm.save()
    inst = Entity.objects.filter(kind="institution").first()
    inst.institution.kind = ""
    inst.institution.save()
    names = observations_frame().filter(pl.col("entity_code") == firm.code)["entity_name"]
    assert set(names) == {'甘肃"新航",电子\n有限公司'}
    ents = engine_facts().entities
    assert ents.filter(pl.col("entity") == inst.code)["institution_kind"].to_list() == [""]


def test_a_zone_upgraded_in_the_registry_is_provincial_before_and_national_after(gansu):
    zone = Entity.objects.filter(kind="zone", zone__level="provincial").order_by("code").first()
    approved_on = zone.zone.approved_on
    ZoneStatusEvent.objects.create(
        zone=zone.zone,
        status="upgraded",
        date=date(2024, 3, 1),
        level="national",
        document="国函〔2024〕1号",
    )
    zone.zone.level = "national"  # today's level; the years before read the history
    zone.zone.save()
    wide = engine_facts().wide("year")
    mine = wide.filter(pl.col("zone") == zone.code).with_columns(pl.col("level").cast(pl.String))
    zone_rows = dict(mine.filter(pl.col("kind") == "zone").select("period", "level").rows())
    assert zone_rows["2023"] == "provincial" and zone_rows["2024"] == "national"
    firms = mine.filter(pl.col("kind") == "enterprise")
    assert set(firms.filter(pl.col("period") == "2023")["level"]) == {"provincial"}
    assert set(firms.filter(pl.col("period") == "2025")["level"]) == {"national"}
    # a zone from its first approval, whatever its level today
    ents = engine_facts().entities.filter(pl.col("entity") == zone.code)
    assert ents["joined_on"][0] == approved_on


def test_a_level_on_an_event_that_changes_none_is_refused(gansu):
    from django.core.exceptions import ValidationError

    zone = Entity.objects.filter(kind="zone").order_by("code").first()
    event = ZoneStatusEvent(
        zone=zone.zone, status="warned", date=date(2024, 4, 1), level="national"
    )
    with pytest.raises(ValidationError, match="只有获批和升级记录改变高新区的级别"):
        event.full_clean()
