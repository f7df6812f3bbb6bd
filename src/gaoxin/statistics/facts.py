"""The fact frame: observations read out of the store as Polars, with the hierarchy as columns.

Stored long, analysed wide. Each row carries the entity's kind and code and the codes of the
province, city and zone above it, so a roll-up to any level is one group-by.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.statistics.models import Observation

LONG_SCHEMA = {
    "entity_code": pl.String,
    "entity_name": pl.String,
    "entity_kind": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "batch": pl.Int64,
}


def observations_frame(
    *,
    scope: Entity | None = None,
    variables: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
    kind: str | None = None,
) -> pl.DataFrame:
    """Observations in ``scope`` as a long frame (entity_code, entity_name, entity_kind,
    variable, period, value, batch) plus the hierarchy columns province/city/zone."""
    qs = Observation.objects.within(scope)
    if variables:
        qs = qs.filter(variable__code__in=variables)
    if periods:
        qs = qs.filter(period__in=periods)
    if kind:
        qs = qs.filter(entity__kind=kind)
    rows = qs.order_by("entity__kind", "entity__code", "variable_id", "period").values_list(
        "entity__code",
        "entity__name",
        "entity__kind",
        "variable__code",
        "period",
        "value",
        "batch_id",
    )
    frame = pl.DataFrame(
        [(c, n, k, v, p, float(x), b) for c, n, k, v, p, x, b in rows.iterator(chunk_size=5000)],
        schema=LONG_SCHEMA,
        orient="row",
    )
    return frame.join(hierarchy_frame(scope), on=["entity_kind", "entity_code"], how="left")


def hierarchy_frame(scope: Entity | None = None) -> pl.DataFrame:
    """One row per entity: its kind and code and the codes of its province, city and zone."""
    entities = pl.DataFrame(
        list(Entity.objects.within(scope).values_list("id", "kind", "code", "path")),
        schema={
            "id": pl.Int64,
            "entity_kind": pl.String,
            "entity_code": pl.String,
            "path": pl.String,
        },
        orient="row",
    )
    if scope is not None:
        # Ancestors above the scope are still needed to name the province and city.
        ancestor_ids = [int(x) for x in scope.path.strip("/").split("/") if x]
        above = Entity.objects.filter(pk__in=ancestor_ids).values_list("id", "kind", "code", "path")
        entities = pl.concat(
            [entities, pl.DataFrame(list(above), schema=entities.schema, orient="row")]
        ).unique("id")
    levels = dict(Entity.objects.filter(kind=EntityKind.REGION).values_list("id", "region__level"))
    lookup = entities.select(
        pl.col("id").alias("ancestor"),
        pl.col("entity_kind").alias("ancestor_kind"),
        pl.col("entity_code").alias("ancestor_code"),
        pl.col("id")
        .replace_strict(levels, default=None, return_dtype=pl.String)
        .alias("ancestor_level"),
    )
    ancestry = (
        entities.select(
            "entity_kind",
            "entity_code",
            pl.col("path").str.strip_chars("/").str.split("/").alias("ancestor"),
        )
        .explode("ancestor")
        .with_columns(pl.col("ancestor").cast(pl.Int64))
        .join(lookup, on="ancestor", how="left")
    )
    code = pl.col("ancestor_code")
    return ancestry.group_by("entity_kind", "entity_code").agg(
        code.filter(pl.col("ancestor_level") == "province").first().alias("province"),
        code.filter(pl.col("ancestor_level") == "city").first().alias("city"),
        code.filter(pl.col("ancestor_kind") == EntityKind.ZONE).first().alias("zone"),
    )


def to_wide(long: pl.DataFrame) -> pl.DataFrame:
    """One row per entity and period, one column per variable."""
    index = [c for c in long.columns if c not in {"variable", "value", "batch"}]
    return long.pivot(on="variable", index=index, values="value", aggregate_function="first")


def for_people(long: pl.DataFrame, *, wide: bool, catalogue=None) -> pl.DataFrame:
    """The frame as a person reads it in Excel, and as ``gaoxin import`` reads it back:
    Chinese headers, variables named with their units (``营业收入（万元）``)."""
    from gaoxin.engine.variables import default_catalogue

    catalogue = catalogue or default_catalogue()
    labels = {v.code: f"{v.zh}（{v.unit}）" for v in catalogue}
    base = long.select(
        pl.col("entity_code").alias("代码"),
        pl.col("entity_name").alias("名称"),
        pl.col("zone").alias("所属园区"),
        pl.col("period").alias("期间"),
        "variable",
        "value",
    )
    if wide:
        out = base.pivot(
            on="variable",
            index=["代码", "名称", "所属园区", "期间"],
            values="value",
            aggregate_function="first",
        )
        return out.rename({c: labels[c] for c in out.columns if c in labels})
    return base.with_columns(
        pl.col("variable")
        .replace_strict({c: v.zh for c, v in catalogue.variables.items()})
        .alias("指标"),
        pl.col("variable")
        .replace_strict({c: v.unit for c, v in catalogue.variables.items()})
        .alias("单位"),
    ).select("代码", "名称", "所属园区", "期间", "指标", pl.col("value").alias("数值"), "单位")


def engine_facts(scope: Entity | None = None):
    """The engine's fact frame (``gaoxin.engine.facts.build_facts``) built from the store.

    Regions become provinces and cities (a county directly under a province counts as a city;
    other counties are left out, since zones hang from their host city); zones run from
    approval to revocation; enterprises carry their current zone membership dates.
    """
    from gaoxin.engine.facts import build_facts
    from gaoxin.registry.models import Certification, Membership, ZoneStatusEvent

    entities = Entity.objects.within(scope)
    if scope is not None:
        ancestor_ids = [int(x) for x in scope.path.strip("/").split("/") if x]
        entities = entities | Entity.objects.filter(pk__in=ancestor_ids)
    rows = list(
        entities.values_list(
            "id",
            "code",
            "kind",
            "name",
            "parent__code",
            "region__level",
            "parent__region__level",
            "zone__level",
            "zone__category",
            "zone__approved_on",
            "enterprise__industry_code",
            "institution__kind",
            "institution__founded_on",
        )
    )
    revoked = dict(
        ZoneStatusEvent.objects.filter(status="revoked").values_list("zone__entity__code", "date")
    )
    joined = {
        child: (start, end)
        for child, start, end in Membership.objects.filter(valid_to__isnull=True).values_list(
            "child__code", "valid_from", "valid_to"
        )
    }
    out = []
    for (
        _,
        code,
        kind,
        name,
        parent,
        rlevel,
        parent_rlevel,
        zlevel,
        zcat,
        approved,
        industry,
        ikind,
        founded,
    ) in rows:
        if kind == EntityKind.REGION:
            if rlevel == "county" and parent_rlevel != "province":
                continue
            kind_out = "province" if rlevel == "province" else "city"
            out.append((code, kind_out, name, parent, None, None, None, None, None, None))
        elif kind == EntityKind.ZONE:
            out.append(
                (
                    code,
                    "zone",
                    name,
                    parent,
                    approved,
                    revoked.get(code),
                    zlevel,
                    zcat or None,
                    None,
                    None,
                )
            )
        elif kind == EntityKind.ENTERPRISE:
            start, end = joined.get(code, (None, None))
            out.append(
                (code, "enterprise", name, parent, start, end, None, None, industry or None, None)
            )
        else:
            out.append((code, "institution", name, parent, founded, None, None, None, None, ikind))
    frame = pl.DataFrame(
        out,
        schema={
            "entity": pl.String,
            "kind": pl.String,
            "name": pl.String,
            "parent": pl.String,
            "joined_on": pl.Date,
            "left_on": pl.Date,
            "level": pl.String,
            "category": pl.String,
            "industry": pl.String,
            "institution_kind": pl.String,
        },
        orient="row",
    )
    obs = observations_frame(scope=scope).select(
        pl.col("entity_code").alias("entity"),
        "variable",
        "period",
        "value",
        pl.col("batch").cast(pl.String),
    )
    certs = pl.DataFrame(
        list(
            Certification.objects.filter(entity__in=entities.values("pk")).values_list(
                "entity__code", "kind", "level", "granted_on", "expires_on", "revoked_on"
            )
        ),
        schema={
            "entity": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "granted_on": pl.Date,
            "expires_on": pl.Date,
            "revoked_on": pl.Date,
        },
        orient="row",
    )
    return build_facts(frame, obs, certs)
