"""Loading a synthetic jurisdiction: the registry, certifications and statistics arrive, and the
late revision of a month leaves its trace in the history."""

import pytest

from gaoxin.engine import synth
from gaoxin.registry.models import Certification, Entity, Zone, ZoneStatusEvent
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.models import Observation, ObservationChange
from gaoxin.statistics.store import sync_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def gansu():
    return synth.generate("gansu", scale=0.05)


def test_gansu_demo_loads_whole(gansu):
    sync_catalogue()
    summary = load_jurisdiction(gansu, label="测试 gansu")
    assert summary.enterprises == gansu.enterprises.height
    assert Entity.objects.filter(kind="enterprise").count() == gansu.enterprises.height
    assert Zone.objects.count() == gansu.zones.height
    lanzhou = Entity.objects.get(kind="zone", name__startswith="兰州高新")
    assert lanzhou.parent.name == "兰州市" and lanzhou.parent.parent.name == "甘肃省"
    assert Entity.objects.within(lanzhou).filter(kind="enterprise").exists()
    assert ZoneStatusEvent.objects.filter(status="revoked").exists()
    assert Certification.objects.count() == summary.certifications > 0
    # Every distinct key arrives once; a revised key keeps the later value and both in history.
    latest = synth.latest_observations(gansu.observations).drop_nulls("value")
    assert Observation.objects.count() == latest.height == summary.observations
    assert summary.changes >= 1
    revised = ObservationChange.objects.filter(old_value__isnull=False).first()
    assert revised is not None
    obs = Observation.objects.get(
        entity=revised.entity, variable=revised.variable, period=revised.period
    )
    assert obs.value == revised.new_value


def test_loading_twice_writes_nothing_new(gansu):
    sync_catalogue()
    load_jurisdiction(gansu, label="第一次")
    before = (
        Observation.objects.count(),
        ObservationChange.objects.count(),
        Entity.objects.count(),
    )
    again = load_jurisdiction(gansu, label="第二次")
    assert again.observations == 0 and again.changes == 0
    assert (
        Observation.objects.count(),
        ObservationChange.objects.count(),
        Entity.objects.count(),
    ) == before
