"""Finding an entity by what a person types: a code or a name, whole or in part.

One resolver for the command line (``--scope 厦门火炬高新区``, ``--scope 350200``) and one
ranking for the admin's autocomplete, so that both read a term the same way:

- an exact code (行政区划代码, 高新区代码, 统一社会信用代码), then an exact name, then a unique
  partial name;
- regions and zones before enterprises and institutions (searching 350200 finds 厦门市 before
  the enterprises whose credit code contains 350200);
- the usual short form of a zone's name reads as its full name: 厦门火炬高新区 finds
  厦门火炬高技术产业开发区 (the abbreviations are the ones in ``ABBREVIATIONS``, not a list of
  places);
- a zone's name before a rename still finds it (its renamed events keep the old name), after
  any entity whose current name it is;
- on ambiguity a Chinese error lists the candidates with their kind and code.

:func:`name_history` is the same name history as a dated frame, for what is read by name in
bulk (a statistics file's 主体名称, a document's zones): every name an entity has or had, from
when to when, so that a row of 2019 can read the name a zone had in 2019.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Length

from gaoxin.engine.zones import name_rows
from gaoxin.registry.choices import EntityKind, ZoneStatus
from gaoxin.registry.models import Entity, ZoneStatusEvent
from gaoxin.statistics.facts import read_frame

#: Short forms of a zone's name and the long forms they stand for (高新区 for
#: 高新技术产业开发区, as in the national zone list's short names).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "高新区": ("高新技术产业开发区", "高技术产业开发区", "高新技术开发区", "高新技术产业园区"),
}

#: Kinds in the order a search prefers them.
KIND_ORDER = (EntityKind.REGION, EntityKind.ZONE, EntityKind.ENTERPRISE, EntityKind.INSTITUTION)
PREFERRED = (EntityKind.REGION, EntityKind.ZONE)
REGION_LEVEL_ORDER = ("province", "city", "county")
SHOWN = 10


class EntityLookupError(ValueError):
    """No entity, or more than one, answers to the term; the message is for the user."""

    def __init__(self, message: str, candidates: list[Entity] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


def name_variants(term: str) -> list[str]:
    """The term and the long forms of any short form it contains."""
    variants = [term]
    for short, longs in ABBREVIATIONS.items():
        if short in term:
            variants.extend(term.replace(short, long) for long in longs)
    return variants


def _name_q(variants: list[str], lookup: str, field: str = "name") -> Q:
    q = Q(pk__in=[])
    for v in variants:
        q |= Q(**{f"{field}__{lookup}": v})
    return q


def _former_q(variants: list[str], lookup: str) -> Q:
    """Entities one of whose former names (a zone's renames keep the name they replaced,
    decision 051) matches."""
    renames = ZoneStatusEvent.objects.filter(zone_id=OuterRef("pk")).filter(
        _name_q(variants, lookup, "previous_name")
    )
    return Q(Exists(renames))


def ranked(qs: QuerySet, term: str) -> QuerySet:
    """``qs`` narrowed to entities whose code or name contains ``term`` (or a long form of it;
    no term: all of ``qs``), best first: exact code or name, then regions and zones before enterprises and institutions,
    provinces before cities before counties, then prefix matches, then shorter names."""
    term = term.strip()
    if term:
        variants = name_variants(term)
        qs = qs.filter(
            Q(code__icontains=term)
            | _name_q(variants, "icontains")
            | _former_q(variants, "icontains")
        )
        exact = Q(code__iexact=term) | _name_q(variants, "exact") | _former_q(variants, "exact")
        prefix = Q(code__istartswith=term) | _name_q(variants, "startswith")
    else:  # no term: everything, regions and zones first
        exact = prefix = Q(pk__in=[])
    return qs.annotate(
        _exact=Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()),
        _kind=Case(
            *[When(kind=k, then=Value(i)) for i, k in enumerate(KIND_ORDER)],
            default=Value(len(KIND_ORDER)),
            output_field=IntegerField(),
        ),
        _level=Case(
            *[When(region__level=lv, then=Value(i)) for i, lv in enumerate(REGION_LEVEL_ORDER)],
            default=Value(len(REGION_LEVEL_ORDER)),
            output_field=IntegerField(),
        ),
        _prefix=Case(When(prefix, then=Value(0)), default=Value(1), output_field=IntegerField()),
        _length=Length("name"),
    ).order_by("_exact", "_kind", "_level", "_prefix", "_length", "code", "pk")


def describe(entity: Entity) -> str:
    """厦门市（行政区，350200）: how a candidate is named in an error."""
    return f"{entity.name}（{entity.get_kind_display()}，{entity.code}）"


def _pick(matching: QuerySet, term: str, how: str) -> Entity | None:
    """The one entity of ``matching`` (a single region or zone wins over the rest); None when
    nothing matches; :class:`EntityLookupError` listing the candidates when several do."""
    preferred = matching.filter(kind__in=PREFERRED)
    pool = preferred if preferred.exists() else matching
    shown = list(pool[: SHOWN + 1])
    if len(shown) <= 1:
        return shown[0] if shown else None
    total = pool.count()
    listed = "；".join(describe(e) for e in shown[:SHOWN])
    more = f" 等 {total} 个" if total > SHOWN else ""
    raise EntityLookupError(
        f"「{term}」{how}对应多个主体：{listed}{more}。请改用代码或更完整的名称",
        candidates=shown[:SHOWN],
    )


def resolve(term: str, among: QuerySet | None = None) -> Entity:
    """The one entity ``term`` names, among ``among`` (default: every entity).

    By exact code, then exact name, then partial name; where several match, a single region or
    zone among them wins; otherwise :class:`EntityLookupError` lists them."""
    text = (term or "").strip()
    if not text:
        raise EntityLookupError("请给出主体的代码或名称")
    qs = (among if among is not None else Entity.objects.all()).select_related("region")
    ordered = ranked(qs, text)
    found = _pick(ordered.filter(code__iexact=text), text, "按代码")
    if found is None:
        found = _pick(ordered.filter(_name_q(name_variants(text), "exact")), text, "按名称")
    if found is None:  # a zone's name before a rename: the current name of another wins
        found = _pick(ordered.filter(_former_q(name_variants(text), "exact")), text, "按原名称")
    if found is None:
        found = _pick(ordered, text, "按名称部分匹配")
    if found is None:
        raise EntityLookupError(
            f"找不到「{text}」：请给出行政区划代码、高新区代码、统一社会信用代码或名称"
        )
    return found


def name_history(among: QuerySet, names: Collection[str] | None = None) -> pl.DataFrame:
    """entity, code, kind, name, valid_from, valid_to: every name the entities of ``among`` have
    or had and the days they had it (``valid_from`` inclusive, ``valid_to`` exclusive, null
    open; :func:`gaoxin.engine.zones.name_rows`) — a zone's former names are its renamed events'
    (decision 051). Only the rows whose name is one of ``names`` where given (exact names)."""
    current = among if names is None else among.filter(name__in=list(names))
    renames = ZoneStatusEvent.objects.filter(status=ZoneStatus.RENAMED, zone__entity__in=among)
    if names is not None:
        hit = renames.filter(Q(name__in=list(names)) | Q(previous_name__in=list(names)))
        renames = renames.filter(zone_id__in=hit.values("zone_id"))
    schema = {"entity": pl.Int64, "code": pl.String, "kind": pl.String, "name": pl.String}
    entities = pl.concat(
        [
            read_frame(current.values_list("id", "code", "kind", "name"), schema),
            read_frame(
                renames.values_list(
                    "zone_id", "zone__entity__code", "zone__entity__kind", "zone__entity__name"
                ),
                schema,
            ),
        ]
    ).unique("entity")
    events = read_frame(
        renames.order_by("id").values_list("zone_id", "date", "name", "previous_name"),
        {"entity": pl.Int64, "date": pl.Date, "name": pl.String, "previous_name": pl.String},
    )
    rows = name_rows(events, entities.select("entity", "name"))
    if names is not None:
        rows = rows.filter(pl.col("name").is_in(list(names)))
    return rows.join(entities.select("entity", "code", "kind"), on="entity").select(
        "entity", "code", "kind", "name", "valid_from", "valid_to"
    )
