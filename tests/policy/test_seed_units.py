"""Every measure of the five seed documents is reportable by the units the document names
(decision 043): imported for its pack's jurisdiction into the full registry (every region of
catalogue/regions.csv, every zone of catalogue/zones.csv), with the pack's reviewed alias file
(units.yaml), each unit a measure names resolves — linked to an entity, or a collective unit
expanded into the entities that report its shares. The unresolved are listed by name."""

from __future__ import annotations

import pytest
import yaml

from gaoxin.engine import reference
from gaoxin.policy.ledger import import_document
from gaoxin.policy.models import Assignment, Measure
from gaoxin.policy.services import load_unit_links
from gaoxin.registry.loading import load_regions, load_zones, reference_zones
from gaoxin.registry.models import Entity
from tests.policy.conftest import PACKS, SEEDS

pytestmark = pytest.mark.django_db

#: seed: (measures, measures naming a unit, of which all units resolve)
EXPECTED = {
    "fujian-2021": (22, 20, 20),
    "taizhou-2024": (20, 18, 18),
    "gansu": (21, 3, 3),
    "national-14th-fyp": (53, 0, 0),  # the national plan assigns no measure to a unit
    "sichuan": (28, 26, 26),
}


def _jurisdiction(seed):
    spec = yaml.safe_load((PACKS / seed / "pack.yaml").read_text("utf-8"))
    code = str(spec["jurisdiction"])
    return Entity.objects.filter(kind="region", code=code).first()


def _unresolved(document) -> dict[str, list[str]]:
    """Per measure number, the names of its units that nobody can report for."""
    top = Assignment.objects.filter(measure__document=document, part_of__isnull=True)
    bad = top.filter(unit__entity__isnull=True).exclude(
        pk__in=Assignment.objects.filter(part_of__isnull=False).values("part_of")
    )
    out: dict[str, list[str]] = {}
    for a in bad.select_related("measure", "unit").order_by("measure__order"):
        out.setdefault(a.measure.number, []).append(a.unit.name)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_measure_is_reportable_by_its_units(seed):
    load_regions(reference.regions())
    load_zones(reference_zones())
    jurisdiction = _jurisdiction(seed)
    document = import_document(PACKS / seed / "document.txt", jurisdiction=jurisdiction)
    links = PACKS / seed / "units.yaml"
    if links.exists():
        load_unit_links(document, links, by=None)
    measures = Measure.objects.filter(document=document)
    with_units = measures.filter(assignments__isnull=False).distinct()
    unresolved = _unresolved(document)
    counts = (measures.count(), with_units.count(), with_units.count() - len(unresolved))
    assert (counts, unresolved) == (EXPECTED[seed], {})
    # each collective unit has a share for each entity it names, and each share can be reported
    shares = Assignment.objects.filter(measure__document=document, part_of__isnull=False)
    assert not shares.filter(entity__isnull=True).exists()
