"""The fact frame: observations read out of the store as Polars, with the hierarchy as columns.

Stored long, analysed wide. Each row carries the entity's kind and code and the codes of the
province, city and zone above it, so a roll-up to any level is one group-by.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import connections
from django.db.models import Q, QuerySet

from gaoxin.engine.zones import CERT_SCHEMA, level_rows
from gaoxin.registry.choices import EntityKind
from gaoxin.registry.models import Entity
from gaoxin.statistics.models import Observation, Variable

LONG_SCHEMA = {
    "entity_code": pl.String,
    "entity_name": pl.String,
    "entity_kind": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "batch": pl.Int64,
}
#: Rows fetched from the database cursor at a time: bounds the Python tuples alive at once.
FETCH_ROWS = 100_000


def read_frame(rows: QuerySet, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of a ``values_list`` queryset as a frame, one column per field in ``schema``
    (names and types in the queryset's order).

    One SQL query, the queryset's own (so scope filters and joins are Django's), read without
    Django's per-value converters. On PostgreSQL it runs as ``COPY (…) TO STDOUT`` and Polars
    parses the CSV column-wise; elsewhere (SQLite) it is fetched from the DB-API cursor in
    batches of :data:`FETCH_ROWS` straight into Polars. A decimal comes out as the nearest
    double (PostgreSQL writes the exact decimal, SQLite stores a double); dates are ``pl.Date``.
    """
    sql, params = rows.query.sql_with_params()
    connection = connections[rows.db]
    if connection.vendor == "postgresql":
        return _copy_frame(connection, sql, params, schema)
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    fixed = {name: dtype for name, dtype in schema.items() if name not in dates}
    frames = []
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH_ROWS):
            frame = pl.DataFrame(
                batch,
                schema=list(schema),
                schema_overrides=fixed,
                orient="row",
                infer_schema_length=None,
            )
            frames.append(frame.with_columns(_as_date(frame, name) for name in dates))
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames, rechunk=True)


def _copy_frame(connection, sql: str, params, schema: dict[str, Any]) -> pl.DataFrame:
    """PostgreSQL: the query's rows as CSV (``COPY … TO STDOUT``), parsed by Polars. Parameters
    are bound client-side by the driver (``compose_sql``), as COPY takes none. In the CSV a NULL
    is an empty field and an empty string is ``""``, which Polars reads back as such."""
    query = connection.ops.compose_sql(sql, params)
    data = io.BytesIO()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy,
    ):
        for block in copy:
            data.write(block)
    if data.tell() == 0:
        return pl.DataFrame(schema=schema)
    # dates as text, parsed with an explicit format: a DateStyle other than ISO fails loudly
    text = {name: pl.String if dtype == pl.Date else dtype for name, dtype in schema.items()}
    frame = pl.read_csv(data.getvalue(), has_header=False, schema=text)
    return frame.with_columns(_as_date(frame, n) for n, t in schema.items() if t == pl.Date)


def _as_date(frame: pl.DataFrame, name: str) -> pl.Expr:
    column = pl.col(name)
    if frame.schema[name] == pl.String:
        return column.str.to_date("%Y-%m-%d")
    return column.cast(pl.Date)


def _observations(
    scope: Entity | None,
    variables: Sequence[str] | None,
    periods: Sequence[str] | None,
    kind: str | None,
) -> pl.DataFrame:
    """Observations in ``scope`` as (entity_id, variable_id, period, value, batch, variable), in
    no particular order. Values are the stored decimals as the nearest double, as
    ``float(Decimal)`` gives (see :func:`read_frame`)."""
    values = _values(scope, variables, periods, kind)
    return values.join(variable_ids(), on="variable_id", how="left", maintain_order="left")


def variable_ids() -> pl.DataFrame:
    """The catalogue's variables: variable_id, variable (its code)."""
    return read_frame(
        Variable.objects.values_list("id", "code"), {"variable_id": pl.Int64, "variable": pl.String}
    )


def _values(
    scope: Entity | None,
    variables: Sequence[str] | None,
    periods: Sequence[str] | None,
    kind: str | None,
) -> pl.DataFrame:
    """:func:`_observations` without the variable's code: entity_id, variable_id, period, value,
    batch (the batch's id)."""
    qs = Observation.objects.within(scope)
    if variables:
        qs = qs.filter(variable__code__in=variables)
    if periods:
        qs = qs.filter(period__in=periods)
    if kind:
        qs = qs.filter(entity__kind=kind)
    return read_frame(
        qs.values_list("entity_id", "variable_id", "period", "value", "batch_id"),
        {
            "entity_id": pl.Int64,
            "variable_id": pl.Int64,
            "period": pl.String,
            "value": pl.Float64,
            "batch": pl.Int64,
        },
    )


def _in_entity_order(values: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """``values`` with their entity's columns, sorted by entity kind and code, variable id and
    period: the order the store was always read in (and that the fact frame's input hash sees)."""
    # Entities are few next to values: sort them once and sort the values by their rank.
    ranked = entities.sort("entity_kind", "entity_code").with_row_index("entity_rank")
    return (
        values.join(ranked, on="entity_id", how="inner")
        .sort("entity_rank", "variable_id", "period")
        .drop("entity_rank")
    )


def observations_frame(
    *,
    scope: Entity | None = None,
    variables: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
    kind: str | None = None,
) -> pl.DataFrame:
    """Observations in ``scope`` as a long frame (entity_code, entity_name, entity_kind,
    variable, period, value, batch) plus the hierarchy columns province/city/zone, sorted by
    entity kind and code, variable and period (codes in byte order on every database)."""
    values = _observations(scope, variables, periods, kind)
    entities = read_frame(
        Entity.objects.within(scope).values_list("id", "code", "name", "kind"),
        {
            "entity_id": pl.Int64,
            "entity_code": pl.String,
            "entity_name": pl.String,
            "entity_kind": pl.String,
        },
    )
    frame = _in_entity_order(values, entities).select(list(LONG_SCHEMA))
    return frame.join(
        hierarchy_frame(scope), on=["entity_kind", "entity_code"], how="left", maintain_order="left"
    )


def hierarchy_frame(scope: Entity | None = None) -> pl.DataFrame:
    """One row per entity: its kind and code and the codes of its province, city and zone."""
    schema = {"id": pl.Int64, "entity_kind": pl.String, "entity_code": pl.String, "path": pl.String}
    entities = read_frame(
        Entity.objects.within(scope).values_list("id", "kind", "code", "path"), schema
    )
    if scope is not None:
        # Ancestors above the scope are still needed to name the province and city.
        ancestor_ids = [int(x) for x in scope.path.strip("/").split("/") if x]
        above = Entity.objects.filter(pk__in=ancestor_ids).values_list("id", "kind", "code", "path")
        entities = pl.concat([entities, read_frame(above, schema)]).unique("id")
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
        code.filter(pl.col("ancestor_kind").eq(str(EntityKind.ZONE))).first().alias("zone"),
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


ENTITY_FIELDS = {
    "id": pl.Int64,
    "entity": pl.String,
    "stored_kind": pl.String,
    "name": pl.String,
    "parent": pl.String,
    "region_level": pl.String,
    "parent_region_level": pl.String,
    "zone_level": pl.String,
    "zone_category": pl.String,
    "approved_on": pl.Date,
    "industry_code": pl.String,
    "institution_kind": pl.String,
    "founded_on": pl.Date,
}


def engine_facts(
    scope: Entity | None = None,
    *,
    periods: Sequence[str] | None = None,
    variables: Sequence[str] | None = None,
):
    """The engine's fact frame (``gaoxin.engine.facts.build_facts``) built from the store.

    Regions become provinces and cities (a county directly under a province counts as a city;
    other counties are left out, since zones hang from their host city); zones run from
    approval to revocation; enterprises carry their current zone membership dates.

    ``periods`` and ``variables`` read only those observations (default: all). The fact frame
    has a row for every period that occurs in what was read, so a caller that looks back
    (growth on the previous year, a period function) must ask for those periods too.
    """
    from gaoxin.engine.facts import build_facts

    frame, codes, certs = registry_frames(scope)
    return build_facts(frame, text_observations(scope, variables, periods, codes), certs)


def text_observations(
    scope: Entity | None,
    variables: Sequence[str] | None,
    periods: Sequence[str] | None,
    codes: pl.DataFrame,
) -> pl.DataFrame:
    """The store's observations as :func:`gaoxin.engine.facts.build_facts` reads them in text
    (entity code, variable, period, value, batch), in the registry's entity order (``codes``,
    from :func:`registry_frames`)."""
    return _in_entity_order(_observations(scope, variables, periods, None), codes).select(
        pl.col("entity_code").alias("entity"),
        "variable",
        "period",
        "value",
        pl.col("batch").cast(pl.String),
    )


def registry_frames(scope: Entity | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The registry as :func:`gaoxin.engine.facts.build_facts` reads it, for the entities in
    ``scope`` and the ancestors above it: (entities, codes, certifications). ``codes`` maps the
    stored ids to codes and kinds (entity_id, entity_code, entity_kind), for the observations.
    Entities and certifications are sorted by content (the input hash sees row order)."""
    from gaoxin.registry.models import Certification, Membership, ZoneStatusEvent

    entities = Entity.objects.within(scope)
    if scope is not None:
        ancestor_ids = [int(x) for x in scope.path.strip("/").split("/") if x]
        entities = entities | Entity.objects.filter(pk__in=ancestor_ids)
    rows = read_frame(
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
        ),
        ENTITY_FIELDS,
    )
    # The latest revocation of each zone; the current membership of each entity (the newest
    # row where a child has several open ones).
    revoked = read_frame(
        ZoneStatusEvent.objects.filter(status="revoked")
        .order_by("zone_id", "date", "id")
        .values_list("zone__entity__code", "date"),
        {"entity": pl.String, "revoked_on": pl.Date},
    ).unique("entity", keep="last")
    # A zone's dated levels (approved provincial, upgraded to national): they date the fact
    # frame's ``level``, and a zone is one from its first approval (gaoxin.engine.zones).
    levels = level_rows(
        read_frame(
            ZoneStatusEvent.objects.filter(Q(status="revoked") | ~Q(level=""))
            .filter(zone__entity__in=entities.values("pk"))
            .order_by("zone_id", "date", "id")
            .values_list("zone__entity__code", "status", "date", "level"),
            {"entity": pl.String, "status": pl.String, "date": pl.Date, "level": pl.String},
        )
    )
    first = levels.group_by("entity").agg(first_level_on=pl.col("granted_on").min())
    joined = read_frame(
        Membership.objects.filter(valid_to__isnull=True)
        .order_by("id")
        .values_list("child__code", "valid_from", "valid_to"),
        {"entity": pl.String, "member_from": pl.Date, "member_to": pl.Date},
    ).unique("entity", keep="last")
    rows = (
        rows.join(revoked, on="entity", how="left", maintain_order="left")
        .join(joined, on="entity", how="left", maintain_order="left")
        .join(first, on="entity", how="left", maintain_order="left")
    )
    stored = pl.col("stored_kind")
    is_region, is_zone = stored.eq(str(EntityKind.REGION)), stored.eq(str(EntityKind.ZONE))
    is_enterprise = stored.eq(str(EntityKind.ENTERPRISE))
    is_institution = ~(is_region | is_zone | is_enterprise)
    region_level = pl.col("region_level")
    frame = rows.filter(
        ~(
            is_region
            & region_level.eq_missing("county")
            & pl.col("parent_region_level").ne_missing("province")
        )
    ).select(
        "entity",
        pl.when(is_region)
        .then(
            pl.when(region_level.eq_missing("province"))
            .then(pl.lit("province"))
            .otherwise(pl.lit("city"))
        )
        .when(is_zone)
        .then(pl.lit("zone"))
        .when(is_enterprise)
        .then(pl.lit("enterprise"))
        .otherwise(pl.lit("institution"))
        .alias("kind"),
        "name",
        "parent",
        pl.when(is_zone)
        .then(pl.min_horizontal("first_level_on", "approved_on"))
        .when(is_enterprise)
        .then("member_from")
        .when(is_institution)
        .then("founded_on")
        .alias("joined_on"),
        pl.when(is_zone).then("revoked_on").when(is_enterprise).then("member_to").alias("left_on"),
        pl.when(is_zone).then("zone_level").alias("level"),
        pl.when(is_zone).then(_blank_is_null("zone_category")).alias("category"),
        pl.when(is_enterprise).then(_blank_is_null("industry_code")).alias("industry"),
        pl.when(is_institution).then("institution_kind").alias("institution_kind"),
    )
    codes = rows.select(
        pl.col("id").alias("entity_id"),
        pl.col("entity").alias("entity_code"),
        stored.alias("entity_kind"),
    )
    certs = read_frame(
        Certification.objects.filter(entity__in=entities.values("pk")).values_list(
            "entity__code", "kind", "level", "granted_on", "expires_on", "revoked_on"
        ),
        CERT_SCHEMA,
    )
    certs = pl.concat([certs, levels])
    # The fact frame's input hash sees row order: entities and certifications go in sorted by
    # their content (byte order, the same on every database and query plan), not as stored.
    return frame.sort("kind", "entity"), codes, certs.sort(pl.all(), nulls_last=True)


def _blank_is_null(name: str) -> pl.Expr:
    column = pl.col(name)
    return pl.when(column != "").then(column)
