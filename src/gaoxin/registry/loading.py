"""Bulk loading of registry frames (regions, zones, enterprises, institutions, certifications).

The frames have the shapes ``gaoxin.engine.synth`` produces and reference files use, so the
demo, reference data and tests load through one path. Entities are matched by (kind, code):
loading the same frame twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import (
    Certification,
    Enterprise,
    Entity,
    Institution,
    Membership,
    Region,
    Zone,
    ZoneIndustry,
)
from gaoxin.registry.services import save_zone_events

CHUNK = 2000


def _ensure_entities(kind: str, rows: Iterable[tuple[str, str, int | None]]) -> dict[str, int]:
    """Create missing entities of ``kind`` from (code, name, parent_id); return code -> id."""
    rows = list(rows)
    codes = [r[0] for r in rows]
    existing = dict(Entity.objects.filter(kind=kind, code__in=codes).values_list("code", "id"))
    new = [
        Entity(kind=kind, code=c, name=n, parent_id=p, path="")
        for c, n, p in rows
        if c not in existing
    ]
    Entity.objects.bulk_create(new, batch_size=CHUNK)
    ids = dict(Entity.objects.filter(kind=kind, code__in=codes).values_list("code", "id"))
    _rebuild_paths(kind)
    return ids


def _rebuild_paths(kind: str) -> None:
    """Set path = parent's path + id + '/' for every entity of ``kind`` in one UPDATE.

    Parents are loaded before children (regions top-down, then zones, then enterprises), so
    the parent's path is already right when this runs."""
    parent_path = Subquery(Entity.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    own = Concat(Cast(F("id"), CharField()), Value("/"))
    Entity.objects.filter(kind=kind, parent__isnull=True).update(path=Concat(Value("/"), own))
    Entity.objects.filter(kind=kind, parent__isnull=False).update(path=Concat(parent_path, own))


@transaction.atomic
def load_regions(regions: pl.DataFrame) -> dict[str, int]:
    """regions: code, name, level (province|city|county), parent_code."""
    ids: dict[str, int] = dict(Region.objects.values_list("gb2260", "entity_id"))
    for level in ("province", "city", "county"):
        part = regions.filter(pl.col("level") == level)
        if part.is_empty():
            continue
        rows = [
            (r["code"], r["name"], ids.get(r["parent_code"] or ""))
            for r in part.iter_rows(named=True)
        ]
        # Regions share the kind; paths are rebuilt per level, top-down.
        new_ids = _ensure_entities(EntityKind.REGION, rows)
        Region.objects.bulk_create(
            [Region(entity_id=new_ids[c], level=level, gb2260=c) for c in new_ids if c not in ids],
            batch_size=CHUNK,
        )
        ids.update(new_ids)
    return ids


@transaction.atomic
def load_zones(zones: pl.DataFrame, events: pl.DataFrame | None = None) -> dict[str, int]:
    """zones: code, name, level, category, region_code, approved_on, area_km2, leading_industries
    (list[str]); optional approval_year, source, confidence. events: zone_code, status, date, note,
    optional level (held from that date), name (a rename's) and document, written through the
    zone-events service: checked like any other event, the zones following them, an event already
    recorded left as it is."""
    region_ids = dict(Region.objects.values_list("gb2260", "entity_id"))
    rows = [
        (r["code"], r["name"], region_ids.get(r["region_code"]))
        for r in zones.iter_rows(named=True)
    ]
    ids = _ensure_entities(EntityKind.ZONE, rows)
    have = set(Zone.objects.filter(entity_id__in=ids.values()).values_list("entity_id", flat=True))
    profiles, industries = [], []
    for r in zones.iter_rows(named=True):
        eid = ids[r["code"]]
        if eid in have:
            continue
        approved = r.get("approved_on")
        profiles.append(
            Zone(
                entity_id=eid,
                level=r["level"],
                category=r.get("category") or "",
                approved_on=approved,
                approval_year=r.get("approval_year") or (approved.year if approved else None),
                area_km2=r.get("area_km2"),
                source=r.get("source") or "",
                confidence=r.get("confidence") or "",
            )
        )
        for i, name in enumerate(r.get("leading_industries") or []):
            industries.append(ZoneIndustry(zone_id=eid, name=name, order=i))
    Zone.objects.bulk_create(profiles, batch_size=CHUNK)
    ZoneIndustry.objects.bulk_create(industries, batch_size=CHUNK, ignore_conflicts=True)
    if events is not None and not events.is_empty():
        # the one write path for zone events (decision 051), in its bulk form (decision 053)
        save_zone_events(events)
    return ids


@transaction.atomic
def load_enterprises(enterprises: pl.DataFrame) -> dict[str, int]:
    """enterprises: uscc, name, zone_code, industry_code, founded_on, joined_on, left_on."""
    zone_ids = dict(Entity.objects.filter(kind=EntityKind.ZONE).values_list("code", "id"))
    rows = [
        (r["uscc"], r["name"], zone_ids.get(r["zone_code"]))
        for r in enterprises.iter_rows(named=True)
    ]
    ids = _ensure_entities(EntityKind.ENTERPRISE, rows)
    have = set(
        Enterprise.objects.filter(entity_id__in=ids.values()).values_list("entity_id", flat=True)
    )
    profiles, memberships = [], []
    for r in enterprises.iter_rows(named=True):
        eid = ids[r["uscc"]]
        if eid in have:
            continue
        profiles.append(
            Enterprise(
                entity_id=eid,
                uscc=r["uscc"],
                industry_code=r.get("industry_code") or "",
                founded_on=r.get("founded_on"),
            )
        )
        zone_id = zone_ids.get(r["zone_code"])
        if zone_id:
            memberships.append(
                Membership(
                    child_id=eid,
                    parent_id=zone_id,
                    valid_from=r.get("joined_on"),
                    valid_to=r.get("left_on"),
                )
            )
    Enterprise.objects.bulk_create(profiles, batch_size=CHUNK)
    Membership.objects.bulk_create(memberships, batch_size=CHUNK)
    return ids


@transaction.atomic
def load_institutions(institutions: pl.DataFrame) -> dict[str, int]:
    """institutions: code, name, kind, zone_code, founded_on."""
    zone_ids = dict(Entity.objects.filter(kind=EntityKind.ZONE).values_list("code", "id"))
    rows = [
        (r["code"], r["name"], zone_ids.get(r["zone_code"]))
        for r in institutions.iter_rows(named=True)
    ]
    ids = _ensure_entities(EntityKind.INSTITUTION, rows)
    have = set(
        Institution.objects.filter(entity_id__in=ids.values()).values_list("entity_id", flat=True)
    )
    Institution.objects.bulk_create(
        [
            Institution(entity_id=ids[r["code"]], kind=r["kind"], founded_on=r.get("founded_on"))
            for r in institutions.iter_rows(named=True)
            if ids[r["code"]] not in have
        ],
        batch_size=CHUNK,
    )
    return ids


@transaction.atomic
def load_certifications(certifications: pl.DataFrame, entity_ids: dict[str, int]) -> int:
    """certifications: entity_key, kind, level, granted_on, expires_on, revoked_on."""
    objs = [
        Certification(
            entity_id=entity_ids[r["entity_key"]],
            kind=r["kind"],
            level=r.get("level") or "",
            granted_on=r["granted_on"],
            expires_on=r.get("expires_on"),
            revoked_on=r.get("revoked_on"),
        )
        for r in certifications.iter_rows(named=True)
    ]
    created = Certification.objects.bulk_create(objs, batch_size=CHUNK, ignore_conflicts=True)
    return len(created)


def reference_zones() -> pl.DataFrame:
    """The shipped zone list (gaoxin/packs/catalogue/zones.csv) in the shape ``load_zones`` takes."""
    from gaoxin.engine import reference

    return reference.zones().select(
        "code",
        "name",
        "level",
        pl.col("category").fill_null(""),
        "region_code",
        pl.lit(None, dtype=pl.Date).alias("approved_on"),
        pl.col("approval_year"),
        pl.lit(None, dtype=pl.Float64).alias("area_km2"),
        pl.col("leading_industries")
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars().filter(pl.element() != ""))
        .alias("leading_industries"),
        pl.col("source").fill_null(""),
        pl.col("confidence").fill_null(""),
    )
