"""The fact frame: observations joined to the hierarchy, wide, one row per entity and period.

What indicators, monitoring tables and evaluations read. Built from plain frames (an entity
registry, certifications, long observations) so that the Django store and the synthetic demo
(:func:`from_synth`) produce the same thing. One wide frame per period type (``year``,
``quarter``, ``month``): a monthly row carries the monthly variables, a yearly row all variables
reported for the year, so no frame is mostly empty columns.

Every wide frame has the columns

- ``entity``, ``kind`` (province, city, zone, enterprise, institution), ``name``;
- ``province``, ``city``, ``zone``: the entity's ancestors *and itself* at that level (a zone row's
  ``zone`` is its own code), so a roll-up to any level is one group-by on that column;
- ``period`` (canonical code), ``year``, ``sub`` (month or quarter number, 1 for a year), ``seq``
  (a running period number: consecutive periods differ by 1);
- attributes: ``level`` (the zone's level at the end of the period where its history is known —
  certifications of kind ``zone_level``, :mod:`gaoxin.engine.zones` — else the registry's),
  ``category`` (the zone's; both also on its enterprises' rows), ``industry``
  (GB/T 4754 division), ``industry_section``, ``institution_kind``;
- one Float64 column per variable observed in that period type;
- per certification kind, ``__cert__<kind>`` and ``__certprev__<kind>``: the highest level held at
  the end of the period and on the day before it starts (3 national, 2 provincial, 1 city, 0 held
  without a level, null not held).

Rows are sorted by kind, entity and period (period functions rely on it: the row n back is n
rows up). Rows: every member entity for every period of the type that occurs in the observations (an
enterprise from the period it joined its zone to the period it left, a zone from its approval to
its revocation, every city and province throughout), whether or not it reported. An entity that
did not report has nulls — which are counted as missing, never as zero.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import polars.selectors as cs

from gaoxin.engine.expr.namespace import ExprType, NameInfo, Namespace
from gaoxin.engine.variables import Catalogue, default_catalogue
from gaoxin.engine.zones import CERT_SCHEMA, ZONE_LEVEL, first_approval, level_rows
from gaoxin.engine.zones import LEVELS as ZONE_LEVELS

if TYPE_CHECKING:
    from gaoxin.engine.synth import Jurisdiction

#: Entity levels from the top; ``PARENTS`` is how they nest for the expression language.
LEVELS: tuple[str, ...] = ("province", "city", "zone", "enterprise", "institution")
PARENTS: dict[str, str] = {
    "enterprise": "zone",
    "institution": "zone",
    "zone": "city",
    "city": "province",
}
HIERARCHY_COLUMNS: dict[str, str] = {
    "province": "province",
    "city": "city",
    "zone": "zone",
    "enterprise": "entity",
    "institution": "entity",
}
#: Certification levels as an order: ``level="provincial"`` means provincial or above (省级以上).
CERT_LEVELS: dict[str, int] = {"national": 3, "provincial": 2, "city": 1}
ATTRIBUTES: dict[str, tuple[str, str]] = {
    # name: (level, label)
    "level": ("zone", "园区级别"),
    "category": ("zone", "园区类别"),
    "industry": ("enterprise", "行业代码"),
    "industry_section": ("enterprise", "行业门类"),
    "institution_kind": ("institution", "机构类型"),
}
ENTITY_COLUMNS: dict[str, pl.DataType] = {
    "entity": pl.String(),
    "kind": pl.String(),
    "name": pl.String(),
    "parent": pl.String(),
    "joined_on": pl.Date(),
    "left_on": pl.Date(),
    "level": pl.String(),
    "category": pl.String(),
    "industry": pl.String(),
    "institution_kind": pl.String(),
}
#: Prefix of a variable name read at a higher level than its lowest kind (``city_gdp``).
LEVEL_PREFIX: dict[str, str] = {
    "zone": "zone_",
    "city": "city_",
    "province": "province_",
    "institution": "institution_",
}
_KIND_LEVELS: dict[str, tuple[str, ...]] = {
    "enterprise": ("enterprise",),
    "institution": ("institution",),
    "zone": ("zone",),
    "region": ("city", "province"),
}
_ORDER = {lv: i for i, lv in enumerate(("enterprise", "institution", "zone", "city", "province"))}


def cert_column(kind: str, prev: bool = False) -> str:
    return f"__certprev__{kind}" if prev else f"__cert__{kind}"


@dataclass(frozen=True, eq=False)
class FactFrame:
    """The engine's analysed data. ``frames`` maps a period type to its wide frame."""

    frames: Mapping[str, pl.DataFrame]
    observations: pl.DataFrame
    entities: pl.DataFrame
    catalogue: Catalogue
    cert_kinds: tuple[str, ...]
    built_at: datetime
    input_hash: str
    names: Mapping[str, NameInfo] = field(default_factory=dict)
    #: With ``build_facts(entity_codes=True)``: each observation's entity as its place among the
    #: registry's entity codes sorted (UInt32; null: not in the registry), for a caller that
    #: stores them as integers (the analytics build, decision 062).
    entity_codes: pl.Series | None = None

    @property
    def cumulative(self) -> frozenset[str]:
        return frozenset(v.code for v in self.catalogue if v.cumulative)

    def wide(self, period_type: str) -> pl.DataFrame:
        try:
            return self.frames[period_type]
        except KeyError:
            raise KeyError(
                f"no {period_type} periods in the facts; have {sorted(self.frames)}"
            ) from None

    def periods(self, period_type: str = "year") -> list[str]:
        frame = self.frames.get(period_type)
        if frame is None:
            return []
        return frame.select(pl.col("period").unique().sort())["period"].to_list()

    def namespace(self, extra: Mapping[str, NameInfo] | None = None) -> Namespace:
        """Names formulas may use: variables at each level, attributes, and ``extra``."""
        names = dict(self.names)
        if extra:
            names.update(extra)
        return Namespace(names, dict(PARENTS))


def variable_names(catalogue: Catalogue) -> dict[str, NameInfo]:
    """A name per variable and level: the plain code at its lowest level, ``zone_x``,
    ``city_x``, ``province_x``, ``institution_x`` above it (read from that entity's own row)."""
    out: dict[str, NameInfo] = {}
    for var in catalogue:
        levels = sorted({lv for k in var.kinds for lv in _KIND_LEVELS[k]}, key=_ORDER.__getitem__)
        for i, lv in enumerate(levels):
            name = var.code if i == 0 else LEVEL_PREFIX[lv] + var.code
            label = var.zh if i == 0 else f"{_LEVEL_ZH[lv]}{var.zh}"
            out[name] = NameInfo(ExprType.NUMBER, "variable", lv, label, None)
    for name, (lv, label) in ATTRIBUTES.items():
        out[name] = NameInfo(ExprType.STRING, "attribute", lv, label)
    return out


_LEVEL_ZH = {"zone": "园区", "city": "全市", "province": "全省", "institution": "机构"}


def source_column(name: str, info: NameInfo) -> str:
    """The wide-frame column a prefixed name reads on its own level's rows (``city_gdp`` -> gdp)."""
    prefix = LEVEL_PREFIX.get(info.level or "")
    if prefix and name.startswith(prefix) and info.kind == "variable":
        return name[len(prefix) :]
    return name


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------
def build_facts(
    entities: pl.DataFrame,
    observations: pl.DataFrame,
    certifications: pl.DataFrame | None = None,
    *,
    catalogue: Catalogue | None = None,
    built_at: datetime | None = None,
    shapes: Mapping[str, tuple[str, str, bool]] | None = None,
    only_periods: Iterable[str] | None = None,
    hash_input: bool = True,
    entity_codes: bool = False,
    registry: Registry | None = None,
) -> FactFrame:
    """Build the fact frame.

    - ``entities``: entity, kind (province/city/zone/enterprise/institution), name, parent, and
      optionally joined_on, left_on (membership dates), level, category, industry,
      institution_kind.
    - ``observations``: entity (or entity_key), variable, period, value, batch, reported_on
      (optional). Where one (entity, variable, period) has several rows the last reported wins.
      The entity, the variable, the period and the batch may come as text or coded (an Enum or
      a Categorical; the entity at no per-row cost as :func:`registry_enum`'s, decision 066):
      the frames are the same, and the frame's ``observations`` keep them as they came.
    - ``certifications``: entity (or entity_key), kind, level, granted_on, expires_on,
      revoked_on.

    ``shapes`` (period type → first period, last period, whether enterprises have rows) fixes
    each wide frame's rows instead of taking them from the observations, and ``only_periods``
    keeps only those periods' rows: a slice (one year) of the frame the whole store would give,
    which is how the analytics tables are built a year at a time (gaoxin.engine.analytics).
    ``hash_input=False``: the frame's ``input_hash`` is left empty (a build that hashes its
    input its own way: hashing tens of millions of observations is seconds of CPU).
    ``entity_codes``: the frame's ``entity_codes`` are set (:class:`FactFrame`).
    ``registry``: :func:`prepare_registry` of these ``entities`` and ``certifications``, made
    once by a caller that builds several slices of one store (the analytics build's years).
    """
    catalogue = catalogue or default_catalogue()
    built_at = built_at or datetime.now(UTC)
    reg = registry or prepare_registry(entities, certifications)
    obs = _normalise_observations(observations)
    # coded observations hash as their text would: the same input, the same hash
    input_hash = content_hash([reg.given, as_text(obs), reg.given_certs]) if hash_input else ""
    ents, coded, certs, levels, cert_kinds = (
        reg.entities,
        reg.coded,
        reg.certs,
        reg.levels,
        reg.cert_kinds,
    )
    keys = _Keys(obs, reg.enum)
    keep = keys.known()
    losers = keys.superseded(obs["reported_on"])
    if len(losers):
        keep[losers] = False
    # each row's period type, or none where it does not count: worked out once for every type
    typed = keys.typed(keep)
    del keep
    frames: dict[str, pl.DataFrame] = {}
    present = keys.period_types()
    wanted = None if only_periods is None else pl.Series(list(only_periods), dtype=pl.String)
    for ptype in present if shapes is None else shapes:
        if shapes is None:
            # the period type's periods and whether enterprises report are read off its rows'
            # keys (the text of a coded source's observations is never made)
            entity, _, period = keys.split(keys.key[keys.of_type(ptype, typed)])
            if not len(entity):
                continue
            firm = np.zeros(keys.size + 1, dtype=bool)
            firm[coded.filter(pl.col("kind") == "enterprise")["_code"].to_numpy()] = True
            frames[ptype] = _wide(
                coded,
                obs,
                certs,
                cert_kinds,
                periods=period_columns(keys.periods.gather(pl.Series(np.unique(period))), ptype),
                ptype=ptype,
                firms=bool(firm[entity].any()),
                levels=levels,
                keys=keys,
                typed=typed,
            )
            del entity, period
        else:
            first, last, firms = shapes[ptype]
            grid = period_columns(pl.Series([first, last]), ptype)
            if wanted is not None:
                grid = grid.filter(pl.col("period").is_in(wanted.implode()))
            if grid.height == 0:
                continue
            # The period type's rows are not copied out of the long frame: its values are
            # placed a slice of rows at a time (_spread), so that a monthly year's facts hold
            # no second copy of its observations.
            frames[ptype] = _wide(
                coded,
                obs,
                certs,
                cert_kinds,
                periods=grid,
                ptype=ptype,
                firms=firms,
                levels=levels,
                keys=keys,
                typed=typed,
            )
    codes = keys.entities() if entity_codes else None
    del keys, typed
    names = variable_names(catalogue)
    return FactFrame(
        frames=frames,
        # as given (no copy), for lineage; superseded rows are settled there with latest()
        observations=obs,
        entities=ents,
        catalogue=catalogue,
        cert_kinds=cert_kinds,
        built_at=built_at,
        input_hash=input_hash,
        names=names,
        entity_codes=codes,
    )


@dataclass(frozen=True)
class Registry:
    """The registry as :func:`build_facts` reads it, made from the entities and certifications
    alone (:func:`prepare_registry`): the same for every year a build reads, so made once for
    them (at national scale 0.4 s of CPU a year)."""

    #: the entities and certifications as given, normalised (what ``input_hash`` reads)
    given: pl.DataFrame
    given_certs: pl.DataFrame
    #: the entities with their hierarchy, and each one's code (``_code``: its place among the
    #: registry's codes sorted)
    entities: pl.DataFrame
    coded: pl.DataFrame
    #: the registry's codes sorted, as an Enum
    enum: pl.Enum
    #: the certifications held, coded (:func:`_held`), their kinds, and the zones' level history
    certs: pl.DataFrame
    cert_kinds: tuple[str, ...]
    levels: pl.DataFrame


def prepare_registry(
    entities: pl.DataFrame, certifications: pl.DataFrame | None = None
) -> Registry:
    """What :func:`build_facts` makes of the registry before it reads any observation."""
    given = _normalise_entities(entities)
    given_certs = _normalise_certs(certifications)
    ents = _with_hierarchy(given)
    # A zone's level history comes in as certifications of kind ZONE_LEVEL (gaoxin.engine.zones):
    # it dates the ``level`` column and is no certification column of its own.
    levels = given_certs.filter(pl.col("kind") == ZONE_LEVEL)
    certs = given_certs.filter(pl.col("kind") != ZONE_LEVEL)
    cert_kinds = tuple(sorted(certs["kind"].unique().to_list()))
    # Each observation's entity, variable and period coded once as one exact integer (_Keys):
    # the known-entity mask, the superseded check and the placement of values all read it,
    # instead of each hashing the text keys of every row again (a monthly year at national
    # scale has 20 M rows).
    enum = pl.Enum(ents["entity"].drop_nulls().sort())
    # Each entity's code, its place among the codes sorted, by a rank, not a cast to
    # ``enum``: an expression naming that Enum converts its 210 k categories for Polars
    # every time (0.1-0.15 s holding the GIL at national scale).
    coded = ents.with_columns(_code=(pl.col("entity").rank("dense") - 1).cast(pl.UInt32))
    # The certifications coded once for every period type (those of entities outside the
    # registry left out: no rows to mark).
    held = _held(certs, coded.select("entity", "_code"), cert_kinds)
    return Registry(given, given_certs, ents, coded, enum, held, cert_kinds, levels)


def content_hash(frames: Iterable[pl.DataFrame]) -> str:
    """A SHA-256 over the frames' column names, types and row hashes (fixed seeds).

    Sensitive to order and content; stable across runs and machines for one Polars version
    (row hashing is not promised stable across Polars releases).
    """
    h = hashlib.sha256()
    for frame in frames:
        h.update(repr(list(frame.schema.items())).encode())
        h.update(str(frame.height).encode())
        if frame.height:
            rows = frame.hash_rows(seed=0x6A09E667)
            h.update(rows.to_numpy().tobytes())
    return h.hexdigest()


def _normalise_entities(entities: pl.DataFrame) -> pl.DataFrame:
    cols = []
    for name, dtype in ENTITY_COLUMNS.items():
        if name in entities.columns:
            cols.append(pl.col(name).cast(dtype))
        else:
            cols.append(pl.lit(None, dtype=dtype).alias(name))
    out = entities.select(cols)
    bad = out.filter(~pl.col("kind").is_in(LEVELS))
    if bad.height:
        raise ValueError(f"unknown entity kinds {bad['kind'].unique().to_list()}; use {LEVELS}")
    dup = out.filter(pl.col("entity").is_duplicated())
    if dup.height:
        raise ValueError(f"entity codes repeat: {dup['entity'].unique().head(5).to_list()}")
    return out


def _normalise_observations(observations: pl.DataFrame) -> pl.DataFrame:
    obs = observations
    if "entity" not in obs.columns:
        obs = obs.rename({"entity_key": "entity"})
    if "batch" not in obs.columns:
        obs = obs.with_columns(batch=pl.lit(None, dtype=pl.String))
    if "reported_on" not in obs.columns:
        obs = obs.with_columns(reported_on=pl.lit(None, dtype=pl.Date))
    # a coded key (Enum, Categorical) stays coded: _Keys reads its codes, not its text
    coded = coded_columns(obs)
    obs = obs.select(
        *[_keep_coded(c, coded) for c in ("entity", "variable", "period")],
        pl.col("value").cast(pl.Float64),
        _keep_coded("batch", coded),
        pl.col("reported_on").cast(pl.Date),
    )
    return obs


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its coded columns (:func:`is_coded`) as text (:func:`text_of`)."""
    coded = [c for c in frame.columns if c in coded_columns(frame)]
    return frame.with_columns(text_of(frame[c]) for c in coded) if coded else frame


def _keep_coded(name: str, coded: set[str]) -> pl.Expr:
    return pl.col(name) if name in coded else pl.col(name).cast(pl.String)


def is_coded(dtype: pl.DataType) -> bool:
    """Whether a text column comes coded: an Enum or a Categorical."""
    return isinstance(dtype, (pl.Enum, pl.Categorical))


def coded_columns(frame: pl.DataFrame) -> set[str]:
    """The names of ``frame``'s coded columns (:func:`is_coded`), found by a selector, which
    reads no dtype into Python: ``frame.schema`` makes every Enum's categories a Python Enum,
    which checks them unique each time (about 0.02 s for the registry's 210 k entity codes at
    national scale, several times a year of a build)."""
    return set(frame.select(cs.enum() | cs.categorical()).columns)


def registry_enum(entities: pl.DataFrame) -> pl.Enum:
    """The Enum of the registry's entity codes sorted: an observation's entity of this type has
    as its physical value the code :func:`build_facts` works on (decision 066), so a source that
    hands its entities over so (:class:`gaoxin.engine.analytics.Source`) saves the build a hash
    of every row's text."""
    key = "entity" if "entity" in entities.columns else "entity_key"
    return pl.Enum(entities[key].cast(pl.String).drop_nulls().sort())


def text_of(column: pl.Series) -> pl.Series:
    """A column as text: a coded one (:func:`is_coded`) by a gather of its categories (an Enum:
    a view per row into the categories' strings, half the CPU of a cast for the longer ones),
    any other as it is. The column's chunks are kept (a gather of each): a frame's columns
    chunked alike are written to Parquet in the same row groups as the text would be."""
    if isinstance(column.dtype, pl.Enum):
        categories = pl.Series(column.name, column.dtype.categories)
        physical = column.to_physical()
        parts, at = [], 0
        for length in physical.chunk_lengths():  # a few dozen chunks, not rows
            parts.append(categories.gather(physical.slice(at, length)))
            at += length
        return pl.concat(parts, rechunk=False) if len(parts) > 1 else categories.gather(physical)
    if isinstance(column.dtype, pl.Categorical):
        return column.cast(pl.String)
    return column


def physical_codes(column: pl.Series) -> tuple[np.ndarray, int]:
    """A coded column's physical codes, a null as the code after the largest, and that code.
    The codes keep their width (an Enum of the year's few variables or periods: a byte a row)
    unless there are nulls (then UInt32): the counts and lookups made of them read a quarter of
    the bytes, and no 32-bit copy is made of them (decision 077)."""
    physical = column.to_physical()
    top = physical.max()
    null = 0 if top is None else int(top) + 1  # type: ignore[arg-type]
    if physical.null_count():
        physical = physical.cast(pl.UInt32).fill_null(null)
    return physical.to_numpy(), null


def code_counts(physical: np.ndarray, null: int) -> np.ndarray:
    """How many rows have each physical code (:func:`physical_codes`'s), the null one last."""
    # counted a slice at a time: np.bincount makes a 64-bit copy of what it counts (160 MB of
    # fresh pages for a monthly year's 20 M codes at once, 16 MB reused a slice)
    counts = np.zeros(null + 1, dtype=np.int64)
    for start in range(0, len(physical), SPREAD_ROWS):
        counts += np.bincount(physical[start : start + SPREAD_ROWS], minlength=null + 1)
    return counts


def used_codes(physical: np.ndarray, null: int, dtype: pl.DataType) -> tuple[np.ndarray, pl.Series]:
    """The physical codes some row has (but the null one), and their text."""
    used = np.flatnonzero(code_counts(physical, null)[:null])
    codes = pl.Series(used, dtype=pl.UInt32)
    if isinstance(dtype, pl.Enum):
        return used, pl.Series(dtype.categories).gather(codes)
    return used, codes.cat.to(dtype).cast(pl.String)


def _distinct_codes(column: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """Each row's place among the column's distinct values sorted (UInt32; a null: the place
    after them), and those values. Text is cast to an Enum of its distinct values (a hash of
    every row); a coded column's physical codes are mapped through the few categories its rows
    use (a NumPy lookup per row), which gives the same places."""
    if not is_coded(column.dtype):
        values = column.drop_nulls().unique().sort()
        code = column.cast(pl.Enum(values)).to_physical().cast(pl.UInt32)
        return code.fill_null(len(values)).to_numpy(), values
    physical, null = physical_codes(column)
    used, text = used_codes(physical, null, column.dtype)
    order = text.arg_sort().to_numpy()
    lookup = np.empty(null + 1, dtype=np.uint32)
    lookup[used[order]] = np.arange(len(used), dtype=np.uint32)
    lookup[null] = len(used)
    return lookup[physical], text.gather(pl.Series(order)).rename(column.name)


def _registry_codes(column: pl.Series, registry: pl.Enum) -> np.ndarray:
    """Each row's entity code in ``registry`` (UInt32; not in it, or null: its size). An Enum
    equal to ``registry`` (:func:`registry_enum`) is its physical value as it is, and so is one
    whose categories begin with the registry's (those after them: entities outside it, given
    the size); another Enum or a Categorical is mapped through the categories its rows use (one
    cast of those, a NumPy lookup per row); text is cast (a hash of every row: 1.3–1.9 s for a
    monthly year at national scale)."""
    size = len(registry.categories)
    dtype = column.dtype
    if dtype == registry or (
        isinstance(dtype, pl.Enum)
        and len(dtype.categories) > size
        and dtype.categories.head(size).equals(registry.categories)
    ):
        physical = column.to_physical().cast(pl.UInt32).fill_null(size).to_numpy()
        return physical if dtype == registry else np.minimum(physical, np.uint32(size))
    if not is_coded(dtype):
        code = column.cast(registry, strict=False).to_physical().cast(pl.UInt32)
        return code.fill_null(size).to_numpy()
    physical, null = physical_codes(column)
    used, text = used_codes(physical, null, dtype)
    lookup = np.full(null + 1, size, dtype=np.uint32)
    found = text.cast(registry, strict=False).to_physical().cast(pl.UInt32).fill_null(size)
    lookup[used] = found.to_numpy()
    return lookup[physical]


class _Keys:
    """Each observation's (entity, variable, period) as one exact integer: the entity's code in
    the registry (``size`` when it is not there), the variable's and the period's among the
    year's few distinct ones (a null one: its own code), combined as
    ``(variable * periods + period) * (size + 1) + entity`` in 32 bits when they fit (a monthly
    year at national scale: 53 variables × 17 periods × 228 k entities), else 64. Equal keys are
    equal text keys (no collisions), so the superseded check settles repeats on them, and
    :func:`_spread` takes the entity, the variable and the period back out of a slice of them.

    The entity is the last of the three (decision 077): rows that come by variable (a source's
    files, one variable after another) or by entity (the store's read order) then read and write
    tables indexed by the key (:meth:`repeated`'s, :meth:`_GridRows.by_period`'s) a few
    megabytes at a time, not all over them."""

    def __init__(self, obs: pl.DataFrame, registry: pl.Enum) -> None:
        self.size = len(registry.categories)
        # Coded columns (a source's codes, decision 066) are read through their categories,
        # text is cast: the same codes either way.
        variable, self.variables = _distinct_codes(obs["variable"])
        period, self.periods = _distinct_codes(obs["period"])
        nv, np_ = len(self.variables) + 1, len(self.periods) + 1
        self.nv, self.np, self.ne = nv, np_, self.size + 1
        dtype = np.uint32 if self.ne * nv * np_ <= 1 << 32 else np.uint64
        key: np.ndarray = variable.astype(dtype)
        del variable
        key *= dtype(np_)
        key += period.astype(dtype, copy=False)
        del period
        key *= dtype(self.ne)
        entity = _registry_codes(obs["entity"], registry)
        self._known: np.ndarray | None = entity < self.size
        key += entity.astype(dtype, copy=False)
        del entity
        self.key = key
        types = pl.DataFrame({"period": self.periods}).select(_period_type(pl.col("period")))
        self.type_of = np.array([*types.to_series().to_list(), None], dtype=object)

    def entities(self) -> pl.Series:
        """Each row's entity code (UInt32; null: not in the registry). The keys are used up:
        taken modulo in place, so that a monthly year's codes cost no second 80 MB."""
        np.remainder(self.key, self.key.dtype.type(self.ne), out=self.key)
        code = pl.Series("entity", self.key).cast(pl.UInt32)
        del self.key
        if len(code) and code.max() == self.size:
            code = pl.select(pl.when(code < self.size).then(code)).to_series()
        return code

    def known(self) -> np.ndarray:
        """Whether each row's entity is in the registry (worked out with the keys, handed over
        once)."""
        known, self._known = self._known, None
        assert known is not None, "known() is handed over once"
        return known

    def period_types(self) -> list[str]:
        """The period types with rows, in the order year, half, quarter, month."""
        have = set(self.type_of[:-1])
        return [t for t in PERIOD_TYPES if t in have]

    def in_type(self, ptype: str) -> np.ndarray:
        """Per period code (the null one last), whether it is of ``ptype``."""
        return self.type_of == ptype

    def typed(self, keep: np.ndarray) -> np.ndarray:
        """Each row's period type, its place in :data:`PERIOD_TYPES` (UInt8), or
        :data:`UNTYPED` where ``keep`` does not hold or its period is null: the rows each
        period type's frame places, told apart by one pass over the keys for all the types
        (:func:`_spread` then compares a byte a row, not a period code taken out of each key
        once per type)."""
        code = np.array(
            [UNTYPED if t is None else PERIOD_TYPES.index(t) for t in self.type_of], dtype=np.uint8
        )
        dtype = self.key.dtype.type
        out = np.empty(len(self.key), dtype=np.uint8)
        for start in range(0, len(self.key), SPREAD_ROWS):
            part = slice(start, start + SPREAD_ROWS)
            period = self.key[part] // dtype(self.ne) % dtype(self.np)
            out[part] = np.where(keep[part], code[period], UNTYPED)
        return out

    def of_type(self, ptype: str, typed: np.ndarray) -> np.ndarray:
        """The rows :meth:`typed` gave the type ``ptype``."""
        return typed == PERIOD_TYPES.index(ptype)

    def split(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Entity, variable and period codes of some keys."""
        entity = key % key.dtype.type(self.ne)
        rest = key // key.dtype.type(self.ne)
        return entity, rest // rest.dtype.type(self.np), rest % rest.dtype.type(self.np)

    def superseded(self, reported_on: pl.Series) -> np.ndarray:
        """Row numbers of observations a later report replaced (the later ``reported_on``
        wins; ties: the later row). Revisions are few: the rows of repeated keys are found
        (:meth:`repeated`) and settled alone, so the long frame is never sorted or copied."""
        at = pl.Series("_row", self.repeated())
        if at.len() == 0:
            return np.zeros(0, dtype=np.int64)
        rows = pl.DataFrame([at, pl.Series("_key", self.key[at.to_numpy()]), reported_on[at]])
        return (
            rows.sort("reported_on", "_row", nulls_last=False)
            .with_columns(_last=pl.col("_row").last().over("_key"))
            .filter(pl.col("_row") != pl.col("_last"))["_row"]
            .to_numpy()
            .astype(np.int64)
        )

    def repeated(self) -> np.ndarray:
        """The row numbers (ascending) of the rows whose key another row has too.

        Where the key space (``size`` + 1 entities × variables × periods) is at most
        :data:`MARKED_KEYS`, by a table of a byte per key, the rows read a slice of
        :data:`SPREAD_ROWS` at a time: a key not in the table takes the number of the slice
        that first has it, and a row whose key an earlier slice has is a repeat. That is a
        gather and a scatter of the keys (0.5 s for a monthly year at national scale, against
        0.9 s for a sort of them), and only the slices where repeated keys first come are
        searched for those first rows. Rows of one key within one slice are not seen so; the
        count of keys in the table tells whether there were any (every row is a key's first or
        a repeat seen), and then, or for a larger key space, the keys are sorted."""
        space = self.ne * self.nv * self.np
        n = len(self.key)
        if space <= MARKED_KEYS and n <= (_REPEATED - 1) * SPREAD_ROWS:
            first = np.zeros(space, dtype=np.uint8)  # the slice a key first came in, from 1
            again = []
            for number, start in enumerate(range(0, n, SPREAD_ROWS), 1):
                part = self.key[start : start + SPREAD_ROWS]
                hit = first[part] != 0
                if hit.any():
                    again.append(np.flatnonzero(hit) + start)
                    part = part[~hit]
                first[part] = number
                del part, hit
            repeats = np.concatenate(again) if again else np.zeros(0, dtype=np.int64)
            if np.count_nonzero(first) + len(repeats) == n:
                twice = np.unique(self.key[repeats])
                numbers = np.unique(first[twice])
                first[twice] = _REPEATED  # the repeated keys marked in the table
                rows = [repeats]
                for number in numbers:
                    start = (int(number) - 1) * SPREAD_ROWS
                    part = self.key[start : start + SPREAD_ROWS]
                    rows.append(np.flatnonzero(first[part] == _REPEATED) + start)
                # (a slice searched may hold repeats of keys first come before it too)
                return np.unique(np.concatenate(rows))
            del first
        ordered = np.sort(self.key)
        twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        del ordered
        if len(twice) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(pl.Series(self.key).is_in(pl.Series(twice).implode()).to_numpy())


#: The period types in their order (:meth:`_Keys.typed` numbers them so).
PERIOD_TYPES: tuple[str, ...] = ("year", "half", "quarter", "month")
#: :meth:`_Keys.typed`'s number for a row no frame places.
UNTYPED = 255
#: :meth:`_Keys.repeated`'s mark of a repeated key in its table of slice numbers (so at most
#: this many slices less one).
_REPEATED = 255
#: The largest key space (entities × variables × periods) :meth:`_Keys.repeated` flags key by
#: key, a byte each (a monthly year at national scale: 222 M keys, 212 MiB for the check); a
#: larger one is sorted.
MARKED_KEYS = 1 << 28


OBSERVATION_KEYS = ["entity", "variable", "period"]


def latest(obs: pl.DataFrame) -> pl.DataFrame:
    """The rows of a (small) slice of observations that no later report replaced."""
    return (
        obs.with_row_index("_row")
        .sort("reported_on", "_row", nulls_last=False)
        .unique(subset=OBSERVATION_KEYS, keep="last")
        .sort("_row")
        .drop("_row")
    )


def _normalise_certs(certifications: pl.DataFrame | None) -> pl.DataFrame:
    schema = CERT_SCHEMA
    if certifications is None:
        return pl.DataFrame(schema=schema)
    c = certifications
    if "entity" not in c.columns:
        c = c.rename({"entity_key": "entity"})
    return c.select(
        [
            pl.col(k).cast(v) if k in c.columns else pl.lit(None, v).alias(k)
            for k, v in schema.items()
        ]
    )


def _with_hierarchy(ents: pl.DataFrame) -> pl.DataFrame:
    """Add province, city, zone: each entity's ancestor (or itself) at that level."""
    # Loops over the few upper-level entities only (provinces, cities, zones); enterprises and
    # institutions take their zone's ancestors by a join. The lookups hold the entities an upper
    # one's chain can pass (the upper ones and their parents), not every enterprise's code.
    upper = ents.filter(pl.col("kind").is_in(["province", "city", "zone"]))
    chain = ents.filter(
        pl.col("kind").is_in(["province", "city", "zone"])
        | pl.col("entity").is_in(upper["parent"].drop_nulls().implode())
    )
    parent_of = dict(zip(chain["entity"].to_list(), chain["parent"].to_list(), strict=True))
    kind_of = dict(zip(chain["entity"].to_list(), chain["kind"].to_list(), strict=True))
    rows = []
    for code in upper["entity"].to_list():
        anc: dict[str, str | None] = {"province": None, "city": None, "zone": None}
        cur: str | None = code
        seen = set()
        while cur is not None and cur not in seen:
            seen.add(cur)
            k = kind_of.get(cur)
            if k in anc and anc[k] is None:
                anc[k] = cur
            cur = parent_of.get(cur)
        rows.append({"entity": code, **anc})
    up = pl.DataFrame(
        rows,
        schema={"entity": pl.String, "province": pl.String, "city": pl.String, "zone": pl.String},
    )
    lower = ents.filter(pl.col("kind").is_in(["enterprise", "institution"])).join(
        up.rename({"entity": "parent"}), on="parent", how="left"
    )
    out = pl.concat([upper.join(up, on="entity", how="left"), lower], how="diagonal_relaxed")
    zone_attrs = out.filter(pl.col("kind") == "zone").select(
        "zone", pl.col("level").alias("_zl"), pl.col("category").alias("_zc")
    )
    out = out.join(zone_attrs, on="zone", how="left").with_columns(
        level=pl.when(pl.col("kind").is_in(["zone", "enterprise", "institution"]))
        .then(pl.col("_zl"))
        .otherwise(pl.col("level")),
        category=pl.when(pl.col("kind").is_in(["zone", "enterprise", "institution"]))
        .then(pl.col("_zc"))
        .otherwise(pl.col("category")),
        industry_section=pl.col("industry").str.slice(0, 1),
    )
    return out.drop("_zl", "_zc")


def _period_type(code: pl.Expr) -> pl.Expr:
    return (
        pl.when(code.str.len_chars() == 4)
        .then(pl.lit("year"))
        .when(code.str.contains("Q"))
        .then(pl.lit("quarter"))
        .when(code.str.contains("H"))
        .then(pl.lit("half"))
        .otherwise(pl.lit("month"))
    )


_PER_YEAR = {"year": 1, "half": 2, "quarter": 4, "month": 12}


def period_columns(periods: pl.Series, ptype: str) -> pl.DataFrame:
    """period, year, sub, seq, start, end for every period of one type from the first code in
    ``periods`` to the last, gaps included (so that "n periods back" is always n rows back)."""
    n = _PER_YEAR[ptype]
    codes = periods.unique().sort()
    year = codes.str.slice(0, 4).cast(pl.Int32)
    sub = pl.Series([1] * len(codes)) if ptype == "year" else codes.str.slice(5).cast(pl.Int32)
    seqs = (year * n + sub - 1).to_list()
    f = pl.DataFrame({"seq": pl.int_range(min(seqs), max(seqs) + 1, eager=True).cast(pl.Int32)})
    f = f.with_columns(
        year=(pl.col("seq") // n).cast(pl.Int32), sub=(pl.col("seq") % n + 1).cast(pl.Int32)
    )
    text = pl.col("year").cast(pl.String)
    tag = {"year": None, "half": "H", "quarter": "Q", "month": "-"}[ptype]
    if tag is None:
        code = text
    elif tag == "-":
        code = pl.concat_str([text, pl.lit("-"), pl.col("sub").cast(pl.String).str.zfill(2)])
    else:
        code = pl.concat_str([text, pl.lit(tag), pl.col("sub").cast(pl.String)])
    months = 12 // n
    f = f.with_columns(
        period=code,
        start=pl.date(pl.col("year"), (pl.col("sub") - 1) * months + 1, 1),
    )
    f = f.with_columns(end=pl.col("start").dt.offset_by(f"{months}mo").dt.offset_by("-1d"))
    return f.select("period", "year", "sub", "seq", "start", "end")


def _wide(
    ents: pl.DataFrame,
    obs: pl.DataFrame,
    certs: pl.DataFrame,
    cert_kinds: tuple[str, ...],
    *,
    periods: pl.DataFrame,
    ptype: str,
    firms: bool,
    levels: pl.DataFrame | None = None,
    keys: _Keys,
    typed: np.ndarray,
) -> pl.DataFrame:
    """The wide frame of one period type, with the rows of ``periods`` (a ``period_columns``
    frame) and, unless ``firms``, no enterprise rows in a frame of another type than years.
    ``ents``: the entities with their registry code (``_code``); ``obs``: the long
    observations, ``keys`` their codes and ``typed`` the period type of the rows of them that
    count (registered entities, not superseded; :meth:`_Keys.typed`): those of ``ptype`` are
    placed."""
    # Enterprises have rows in a monthly or quarterly frame only when some enterprise reports by
    # month or quarter (the quarterly frame of the demo is zone GDP alone); every other kind,
    # and every kind in the yearly frame, always has them.
    kinds = {"zone", "city", "province", "institution"}
    if ptype == "year" or firms:
        kinds.add("enterprise")
    grid = _grid(ents.filter(pl.col("kind").is_in(list(kinds))).drop("name"), periods)
    at = _GridRows(grid["_code"].to_numpy(), grid["seq"].to_numpy(), keys.size)
    grid = grid.drop("_code")
    if levels is not None and levels.height:
        grid = _with_dated_levels(grid, levels)
    # Certification status joins the narrow grid too, before the variables' columns.
    grid = _with_certifications(grid, certs, periods, cert_kinds, at)
    values = _spread(grid.height, periods, obs["value"], keys, typed, PERIOD_TYPES.index(ptype), at)
    frame = pl.concat([grid, values], how="horizontal")
    certified = [c for c in grid.columns if c.startswith(("__cert__", "__certprev__"))]
    frame = frame.select(
        *[c for c in grid.columns if c not in certified],
        *[c for c in values.columns if c not in ("entity", "period")],
        *certified,
    )
    del values
    frame = frame.drop("end")
    # Few distinct values on millions of rows: categorical, not a string per row (all but the
    # level are so from the grid on).
    return frame.with_columns(pl.col(_SMALL).cast(pl.Categorical))


_SMALL = ["kind", "level", "category", "industry", "industry_section", "institution_kind"]


def _grid(ents: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Every entity's row for every period it was a member in (joined on or before the
    period's end, left on or after its start), in the order kind, entity, seq, with the
    entity's columns (but parent and the membership dates) and the period's (but its start).

    The periods an entity was a member in are one run of the sorted periods (the ends and the
    starts both rise): the rows are worked out from the dates of the entities (thousands) and
    the periods (dozens) and gathered once, which is what a cross join filtered by the dates
    gave, without the cross join's rows the filter then copies (a monthly year: 2.7 M rows)."""
    # cast on the entities' rows, not the grid's (the level: once dated, _with_dated_levels)
    ents = ents.with_columns(pl.col(c).cast(pl.Categorical) for c in _SMALL if c != "level")
    # The order kind, entity, as row numbers: the registry codes are the entities' places among
    # them sorted, and the kinds few (an Enum of them sorted). The rows are gathered once, in
    # the grid's order, not sorted first and then gathered (both copy every text column).
    kinds = pl.Enum(sorted(ents["kind"].drop_nulls().unique().to_list()))
    order = ents.select(pl.arg_sort_by(pl.col("kind").cast(kinds), "_code")).to_series().to_numpy()
    periods = periods.sort("seq")
    ends = periods["end"].to_numpy()
    starts = periods["start"].to_numpy()
    joined = ents["joined_on"].fill_null(date.min).to_numpy()[order]
    left = ents["left_on"].fill_null(date.max).to_numpy()[order]
    first = np.searchsorted(ends, joined, "left")  # the first period ending on or after joining
    stop = np.searchsorted(starts, left, "right")  # after the last one starting before leaving
    count = np.clip(stop - first, 0, None)
    which = np.repeat(np.arange(ents.height), count)  # among the entities in order
    runs = np.cumsum(count) - count  # each entity's first row
    period = first[which] + np.arange(len(which)) - runs[which]
    return pl.concat(
        [
            ents.drop("parent", "joined_on", "left_on")[pl.Series(order[which])],
            periods.drop("start")[pl.Series(period)],
        ],
        how="horizontal",
    )


class _GridRows:
    """Where an (entity, seq) pair lies in a wide frame's grid, sorted by kind, entity and seq
    with each entity's periods one run without gaps (a cross join filtered by membership
    dates): its entity's first row plus the seq's distance from the entity's first seq. Integer
    arithmetic on entity codes instead of joins on the text keys (a join hashes the text of
    every row; at national scale a monthly year has 14 M observations).

    ``codes`` and ``seq``: the grid's entity codes (in the registry, of ``size`` entities) and
    seqs, row for row."""

    def __init__(self, codes: np.ndarray, seq: np.ndarray, size: int) -> None:
        self.n = len(codes)
        codes = codes.astype(np.int64)
        seq = seq.astype(np.int64)
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if self.n else codes
        ends = np.r_[starts[1:], self.n]
        runs = (np.diff(seq)[np.diff(codes) == 0] == 1).all()
        # one slot more: the code of an entity outside the registry (never placed)
        self.first_row = np.full(size + 1, -1, dtype=np.int64)
        self.first_seq = np.zeros(size + 1, dtype=np.int64)
        self.count = np.zeros(size + 1, dtype=np.int64)
        self.first_row[codes[starts]] = starts
        # an entity in two runs takes one slot for both (counted so, not by a np.unique of the
        # runs' codes: a hash of 228 k integers, 0.14 s)
        if not runs or np.count_nonzero(self.first_row >= 0) != len(starts):
            raise AssertionError("the grid is not sorted by entity and seq without gaps")
        self.first_seq[codes[starts]] = seq[starts]
        self.count[codes[starts]] = ends - starts
        self.codes, self.seq = codes, seq

    def by_period(self, seq_of: np.ndarray) -> np.ndarray:
        """The grid row of each (period code, entity code), at ``period code * (size + 1) +
        code`` (as :class:`_Keys` lays them out), -1 where the grid has none; ``seq_of``: each
        period code's seq, -1 for a period the grid has no rows of. One lookup per observation
        then places it, not the four gathers and the arithmetic of its entity's first row and
        seq (a monthly year at national scale: 17 M observations, against a table of 18 period
        codes × 228 k entities)."""
        width = len(self.first_row)
        table = np.full(len(seq_of) * width, -1, dtype=np.int32)
        if not self.n:
            return table
        low = int(self.seq.min())
        code_of_seq = np.full(int(self.seq.max()) - low + 1, -1, dtype=np.int64)
        mine = np.flatnonzero(seq_of >= 0)
        code_of_seq[seq_of[mine] - low] = mine
        period = code_of_seq[self.seq - low]
        held = np.flatnonzero(period >= 0)
        table[period[held] * width + self.codes[held]] = held
        return table


#: Rows of the long observations coded and placed at once by :func:`_spread` (its temporary
#: memory: a few dozen bytes a row, against 20 M rows of a monthly year at national scale).
SPREAD_ROWS = 1 << 21


class _Columns:
    """Float64 columns of ``n`` rows, one per name of ``names``, filled a part at a time:
    ``values[i]`` at row ``rows[i]`` of column ``names[slot[i]]``, null where nothing was put
    (each (row, column) at most once); the columns made in the order :meth:`name` first gives
    their names.

    The columns are the rows of one block of ``len(names)`` × ``n`` (values and validity),
    allocated zeroed and so only where values are put (a monthly year's frame has a dozen of
    the year's 53 variables): a part is placed by one scatter at ``slot * n + row``, not sorted
    by column first and gathered column by column (decision 077)."""

    def __init__(self, n: int, names: list[str]) -> None:
        self.n = n
        self.names = names
        self.order: dict[int, None] = {}
        # np.zeros: calloc, whose pages are the kernel's zero page until written
        self.values = np.zeros(len(names) * n)
        self.seen = np.zeros(len(names) * n, dtype=bool)

    def name(self, slots: Iterable[int]) -> None:
        for slot in slots:
            self.order.setdefault(int(slot))

    def put(self, rows: np.ndarray, slot: np.ndarray, values: np.ndarray) -> None:
        at = slot.astype(np.int64) * self.n + rows
        self.values[at] = values
        self.seen[at] = True

    def frame(self) -> pl.DataFrame:
        out = []
        for slot in self.order:
            part = slice(slot * self.n, (slot + 1) * self.n)
            seen = self.seen[part]
            name = self.names[slot]
            if not seen.any():
                out.append(pl.repeat(None, self.n, dtype=pl.Float64, eager=True).alias(name))
                continue
            out.append(
                pl.select(
                    pl.when(pl.lit(pl.Series(seen)))
                    .then(pl.lit(pl.Series(self.values[part])))
                    .cast(pl.Float64)
                    .alias(name)
                ).to_series()
            )
        del self.values, self.seen
        return pl.DataFrame(out)


def _spread(
    n: int,
    grid_periods: pl.DataFrame,
    value: pl.Series,
    keys: _Keys,
    typed: np.ndarray,
    ptype: int,
    at: _GridRows,
) -> pl.DataFrame:
    """The observations' values, one Float64 column per variable (in the order the variables
    first occur in the rows placed), row for row with the grid (``n`` rows, of the periods
    and seqs of ``grid_periods`` or some of them): what a pivot of the observations by
    (entity, period) left-joined to the grid gives, null where nothing was observed, without
    hashing their text keys (the pivot, then the join: most of a monthly year's facts at
    national scale). The rows placed are those ``typed`` (:meth:`_Keys.typed`) gives the
    period type ``ptype`` (``keys``: the observations coded; ``value``: their values); they have
    no repeated (entity, variable, period) (superseded reports are removed before) and their
    entities are all known. Those outside the grid (a period or an entity it has no row for)
    are left out, as the join left them out.

    The observations are read :data:`SPREAD_ROWS` rows at a time (slices of their codes), so
    that what is held besides the columns made is one slice's codes."""
    names = keys.variables.to_list()
    out = _Columns(n, names)
    # a period without grid rows has no entries in the table of grid rows (by_period)
    seqs = grid_periods.select("period", "seq")
    # per period code (the null one last): its seq in the grid, -1 where the grid has none
    seq_of = np.full(keys.np, -1, dtype=np.int64)
    mine = keys.periods.to_frame("period").with_row_index("_code").join(seqs, on="period")
    seq_of[mine["_code"].to_numpy()] = mine["seq"].to_numpy()
    rows_of = at.by_period(seq_of)
    dtype = keys.key.dtype.type
    # a key is variable * span + (period * ne + entity): the last term indexes rows_of
    span = dtype(keys.np * keys.ne)
    for start in range(0, len(keys.key), SPREAD_ROWS):
        rows = typed[start : start + SPREAD_ROWS] == ptype
        key = keys.key[start : start + SPREAD_ROWS][rows]
        variable = key // span
        place = key - variable * span
        del key
        # the variables in the order they first come (a null variable has no column)
        first = pl.Series(variable, dtype=pl.UInt32).unique(maintain_order=True).to_numpy()
        out.name(v for v in first if v < len(names))
        if n == 0 or not len(variable):
            continue
        values = value.slice(start, SPREAD_ROWS).filter(pl.Series(rows))
        placed = rows_of[place]
        ok = (placed >= 0) & (variable < len(names))
        if values.null_count():  # a null value is a null cell, as if not observed
            ok &= values.is_not_null().to_numpy()
        out.put(placed[ok], variable[ok], values.to_numpy()[ok])
        del variable, place, values, placed, ok, rows
    return out.frame()


def _with_dated_levels(grid: pl.DataFrame, levels: pl.DataFrame) -> pl.DataFrame:
    """``level`` as each zone held it at the end of each period, on the zone's rows and on its
    enterprises' and institutions' (where the zone's history is known; else the registry's level).

    The level is worked out on the zones' own rows (zones × periods, a few thousand) and joined
    to the grid only where it differs from the registry's level."""
    ranks = {lv: CERT_LEVELS[lv] for lv in ZONE_LEVELS}
    names = {v: k for k, v in ranks.items()}
    spans = levels.select(
        "entity",
        rank=pl.col("level").replace_strict(ranks, return_dtype=pl.Int8),
        granted_on="granted_on",
        stop=pl.col("revoked_on").dt.offset_by("-1d"),
    )
    zones = grid.filter(pl.col("kind") == "zone").select("entity", "period", "end", "level")
    held = (
        zones.join(spans, on="entity", how="inner")
        .filter(
            (pl.col("granted_on") <= pl.col("end"))
            & (pl.col("stop").is_null() | (pl.col("stop") >= pl.col("end")))
        )
        .group_by("entity", "period")
        .agg(pl.col("level").first(), rank=pl.col("rank").max())
        .with_columns(_dated=pl.col("rank").replace_strict(names, return_dtype=pl.String))
        .filter(pl.col("_dated") != pl.col("level").fill_null(""))
        .select(pl.col("entity").alias("zone"), "period", "_dated")
    )
    if held.height == 0:
        return grid
    return (
        grid.join(held, on=["zone", "period"], how="left", maintain_order="left")
        .with_columns(
            level=pl.when(pl.col("kind").is_in(["zone", "enterprise", "institution"]))
            .then(pl.coalesce("_dated", "level"))
            .otherwise(pl.col("level"))
        )
        .drop("_dated")
    )


def _held(certs: pl.DataFrame, codes: pl.DataFrame, cert_kinds: tuple[str, ...]) -> pl.DataFrame:
    """The certifications of registered entities as :func:`_with_certifications` reads them:
    entity code (``codes``: entity, ``_code``), kind code (in ``cert_kinds``), rank, first and
    last day held. Worked out once for every period type (1.2 M rows at national scale)."""
    never = date(9999, 12, 31)
    return (
        certs.join(codes, on="entity", how="left", maintain_order="left")
        .select(
            entity=pl.col("_code").cast(pl.Int64),
            kind=pl.col("kind").cast(pl.Enum(list(cert_kinds))).to_physical().cast(pl.Int64),
            rank=pl.col("level").replace_strict(CERT_LEVELS, default=0, return_dtype=pl.Int8),
            granted=pl.col("granted_on").fill_null(never),
            stop=pl.min_horizontal(
                pl.col("expires_on"), pl.col("revoked_on").dt.offset_by("-1d")
            ).fill_null(never),
        )
        # outside the registry: no rows to mark
        .drop_nulls(["entity", "rank"])
    )


def _with_certifications(
    frame: pl.DataFrame,
    held: pl.DataFrame,
    periods: pl.DataFrame,
    cert_kinds: tuple[str, ...],
    at: _GridRows,
) -> pl.DataFrame:
    """Per certification kind, ``__cert__<kind>`` and ``__certprev__<kind>`` on the grid's rows:
    the highest level held on the day the row's period ends and on the day before it starts.

    The periods (sorted) whose end falls within a certification (from the day it was granted
    to the last day before it stopped) are one run, and so are those whose day before the start
    does; an entity's rows are one run of periods too (:class:`_GridRows`). So each
    certification is held on one run of grid rows per column, and the highest level on each row
    is taken over the rows of the runs, one column at a time (:func:`_highest`): no
    (certification, date) rows for all the columns at once (a monthly year at national scale
    had 16 M of them) and no group-by."""
    if not cert_kinds:
        return frame
    periods = periods.sort("seq")
    seq = periods["seq"].to_numpy().astype(np.int64)
    entity = held["entity"].to_numpy()
    granted, stop = held["granted"].to_numpy(), held["stop"].to_numpy()
    # the kind as the smallest integer that holds it: its stable sort below is a radix sort of
    # bytes, not of 64-bit integers (1.2 M certifications, twice for each period type)
    kind = held["kind"].to_numpy().astype(np.min_scalar_type(len(cert_kinds)))
    rank = held["rank"].to_numpy().astype(np.int64)
    # each entity's rows as a run of the sorted periods: [own, own + count)
    first_row, count = at.first_row[entity], at.count[entity]
    own = np.searchsorted(seq, at.first_seq[entity])
    columns = []
    for dates, prev in ((periods["end"], False), (periods["start"].dt.offset_by("-1d"), True)):
        days = dates.to_numpy()
        lo = np.maximum(np.searchsorted(days, granted, "left"), own)
        hi = np.minimum(np.searchsorted(days, stop, "right"), own + count)
        some = (first_row >= 0) & (hi > lo)
        base = first_row[some] - own[some]
        start, end = base + lo[some], base + hi[some]
        # by kind: a stable sort of small integers, then one slice per column
        order = np.argsort(kind[some], kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(kind[some], minlength=len(cert_kinds)))]
        start, end, ranks = start[order], end[order], rank[some][order]
        for code, name in enumerate(cert_kinds):
            mine = slice(bounds[code], bounds[code + 1])
            column = _highest(frame.height, start[mine], end[mine], ranks[mine])
            columns.append(column.alias(cert_column(name, prev)))
    return pl.concat([frame, pl.DataFrame(columns)], how="horizontal")


def _highest(n: int, start: np.ndarray, end: np.ndarray, rank: np.ndarray) -> pl.Series:
    """Int8 column of ``n`` rows: the highest ``rank`` (0 to 3) of the runs [start, end) holding
    each row, null where none does. The runs' rows are listed (a repeat and a range) and each
    takes the highest of its ranks (``np.maximum.at``): work on the rows held, not on all the
    column's rows several times over (most of a column is null: a monthly year at national
    scale has 2.5 M rows and 28 columns, with 6 M (row, column) cells held among them)."""
    held = np.full(n, -1, dtype=np.int8)
    if len(start):
        length = end - start
        # row i of run r: start[r] + (i - the first i of r), over all runs at once
        rows = np.repeat(start - (np.cumsum(length) - length), length) + np.arange(length.sum())
        np.maximum.at(held, rows, np.repeat(rank.astype(np.int8), length))
    column = pl.Series(held)
    return pl.select(pl.when(column >= 0).then(column)).to_series()


# ---------------------------------------------------------------------------------------------
# The synthetic demo
# ---------------------------------------------------------------------------------------------
def synth_entities(j: Jurisdiction) -> pl.DataFrame:
    """The entity registry of a synthetic jurisdiction as :func:`build_facts` reads it.

    Regions: provinces, cities, and counties directly under a province (省直辖县, treated as
    cities); a zone's city is its host region's city. Zones run from approval to revocation.
    """
    r = j.regions
    lv = dict(zip(r["code"].to_list(), r["level"].to_list(), strict=True))
    parent = r.join(
        r.select("code", pl.col("level").alias("parent_level")),
        left_on="parent_code",
        right_on="code",
        how="left",
    )
    regions = parent.filter(
        (pl.col("level") != "county") | (pl.col("parent_level") == "province")
    ).select(
        entity=pl.col("code"),
        kind=pl.when(pl.col("level") == "province")
        .then(pl.lit("province"))
        .otherwise(pl.lit("city")),
        name=pl.col("name"),
        parent=pl.col("parent_code"),
    )
    city_of = parent.select(
        "code",
        city=pl.when((pl.col("level") == "county") & (pl.col("parent_level") == "city"))
        .then(pl.col("parent_code"))
        .otherwise(pl.col("code")),
    )
    del lv
    revoked = (
        j.zone_events.filter(pl.col("status") == "revoked")
        .group_by("zone_code")
        .agg(left_on=pl.col("date").min())
    )
    # a zone is one from its first approval (provincial, before an upgrade), not its latest
    first = first_approval(j.zone_events).rename({"entity": "code", "approved_on": "_first"})
    zones = (
        j.zones.join(city_of, left_on="region_code", right_on="code", how="left")
        .join(revoked, left_on="code", right_on="zone_code", how="left")
        .join(first, on="code", how="left")
        .select(
            entity=pl.col("code"),
            kind=pl.lit("zone"),
            name=pl.col("short_name"),
            parent=pl.col("city"),
            joined_on=pl.min_horizontal("_first", "approved_on"),
            left_on=pl.col("left_on"),
            level=pl.col("level"),
            category=pl.col("category"),
        )
    )
    enterprises = j.enterprises.select(
        entity=pl.col("uscc"),
        kind=pl.lit("enterprise"),
        name=pl.col("name"),
        parent=pl.col("zone_code"),
        joined_on=pl.col("joined_on"),
        left_on=pl.col("left_on"),
        industry=pl.col("industry_code"),
    )
    institutions = j.institutions.select(
        entity=pl.col("code"),
        kind=pl.lit("institution"),
        name=pl.col("name"),
        parent=pl.col("zone_code"),
        joined_on=pl.col("founded_on"),
        institution_kind=pl.col("kind"),
    )
    return pl.concat([regions, zones, enterprises, institutions], how="diagonal_relaxed")


def from_synth(j: Jurisdiction, *, built_at: datetime | None = None, **options: Any) -> FactFrame:
    """The fact frame of a synthetic jurisdiction (no database needed)."""
    certs = j.certifications
    if "entity" not in certs.columns:
        certs = certs.rename({"entity_key": "entity"})
    return build_facts(
        synth_entities(j),
        j.observations,
        pl.concat([certs, level_rows(j.zone_events)], how="diagonal_relaxed"),
        built_at=built_at,
        **options,
    )
