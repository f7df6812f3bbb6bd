"""Analytics tables of the store (decision 036): build them, say where they stand, read them.

The tables are the fact frame and the catalogue's indicator values, written as Parquet by
``gaoxin.engine.analytics`` under ``GAOXIN_HOME/analytics/v<data version>/`` in two modes:

- ``published``: what published results read. A value that a submission covers (its reporting
  unit's roster, the form's variables, its period) counts only once the province has approved
  the submission (省级已审定); values no submission covers (the province's own imports, the
  demo) count as they are.
- ``preview``: also the values of submissions submitted or approved by the city, for a province
  analyst to look ahead, marked as such. Where nothing is under review it is the published
  build itself.

Every committed write of values and every move of a submission appends a
:class:`~gaoxin.statistics.models.DataVersion` (:func:`changed`); after the commit a background
job rebuilds the tables (:func:`rebuild_job`): only the years whose periods changed. A build is
written beside the current one and swapped in by renaming a pointer file, so a reader sees the
old build or the new one, never half of one. Readers call :func:`facts`,
:func:`indicator_values` or :func:`state`; nothing outside this module knows the layout.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Subquery

from gaoxin.engine import analytics as tables
from gaoxin.engine.clock import local_text
from gaoxin.engine.facts import FactFrame
from gaoxin.services import check_scope

__all__ = [
    "State",
    "build",
    "changed",
    "data_version",
    "facts",
    "indicator_values",
    "not_computed",
    "period_span",
    "rebuild_job",
    "state",
]

PUBLISHED, PREVIEW = "published", "preview"
MODES = (PUBLISHED, PREVIEW)
#: Builds kept on disk: the current one and the one before it (a reader that opened the
#: previous pointer a moment before a swap still finds its files).
KEEP = 2
POINTER = "current"
JOB_KIND = "gaoxin.statistics.analytics.rebuild_job"

Progress = Callable[..., None]


def _noop(*args: Any, **kwargs: Any) -> None:
    pass


def root() -> Path:
    return Path(settings.ANALYTICS_ROOT)


# --- the data version --------------------------------------------------------------------


def data_version() -> int:
    """The store's data version: the newest :class:`DataVersion`'s number (0: nothing written)."""
    from gaoxin.statistics.models import DataVersion

    return DataVersion.objects.aggregate(n=Max("id"))["n"] or 0


_DEFERRED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "analytics_deferred", default=False
)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Record changes inside without rebuilding after each commit: a loader that commits several
    times (the demo) builds once at its end."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def changed(kind: str, periods: Iterable[str] | None, *, by: Any = None) -> int:
    """Record a change of what analytics read (inside the writer's transaction, so a rolled-back
    write records nothing) and, once it commits, rebuild (:func:`schedule`). ``periods``: the
    period codes touched, None when it cannot be said (the next build rebuilds everything);
    ``by``: who made the change. The new version."""
    from gaoxin.statistics.models import DataVersion

    codes = sorted({str(p) for p in periods}) if periods is not None else []
    row = DataVersion.objects.create(kind=kind, periods=codes)
    if getattr(settings, "ANALYTICS_ON_CHANGE", "job") == "job" and not _DEFERRED.get():
        transaction.on_commit(lambda: schedule(by))
    return row.pk


def schedule(by: Any = None) -> None:
    """Rebuild after a change by ``by``: a background job started as that user, over their
    scope (it shows among their jobs), unless one is already waiting (it will see this change
    too). The operator at the terminal (``by=None``) has no job list and perhaps no worker: the
    rebuild runs there and then."""
    from gaoxin.jobs.choices import JobState
    from gaoxin.jobs.models import Job
    from gaoxin.jobs.services import start
    from gaoxin.services import scope_for

    if by is None:
        build()
        return
    if Job.objects.filter(kind=JOB_KIND, state=JobState.QUEUED).exists():
        return
    start(rebuild_job, by=by, scope=scope_for(by), label="重建分析表")


def rebuild_job(*, progress: Progress = _noop) -> str:
    """The background job: bring the analytics tables up to the data version, then compute the
    dashboards the users will read first into the shared cache (decision 064)."""
    from gaoxin.dashboards.warm import warm

    done = build(progress=progress)
    warmed = None if done.skipped else warm(progress=progress)
    return done.summary() if warmed is None else f"{done.summary()}；{warmed}"


# --- where the builds are ----------------------------------------------------------------


def _current() -> tuple[int, Path] | None:
    """The current build's version and directory, or None before the first build."""
    return _current_and_now(newest=False)[0]


def _current_and_now(*, newest: bool = True) -> tuple[tuple[int, Path] | None, int | None]:
    """:func:`_current` and, with ``newest``, the store's data version (:func:`data_version`),
    both from one query: a page asks for both each request (decision 054)."""
    from gaoxin.statistics.models import DataVersion

    pointer = root() / POINTER
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        return None, data_version() if newest else None
    path = root() / name
    meta = tables.read_meta(path / PUBLISHED)
    built_from = (meta or {}).get("data_version")
    if not newest:
        at = _version_at(built_from)
        now = None
    else:
        rows = DataVersion.objects.filter(
            Q(pk=built_from or 0)
            | Q(pk=Subquery(DataVersion.objects.order_by("-pk").values("pk")[:1]))
        ).values_list("pk", "at")
        found = dict(rows)
        at = found[built_from].isoformat() if built_from in found else None
        now = max(found, default=0)
    if meta is None or meta.get("data_version_at") != at:
        # never finished, or built from another database (one deleted or replaced since)
        return None, now
    return (int(name.removeprefix("v")), path), now


def _version_at(version: int | None) -> str | None:
    """When data version ``version`` was recorded: a build names it, so that a build of another
    database with the same version number is not taken for this one's."""
    from gaoxin.statistics.models import DataVersion

    if not version:
        return None
    at = DataVersion.objects.filter(pk=version).values_list("at", flat=True).first()
    return at.isoformat() if at else None


def _mode_dir(build_dir: Path, mode: str) -> Path:
    """The directory of ``mode`` in a build; the preview is the published build when nothing
    was under review."""
    if mode == PREVIEW and (build_dir / PREVIEW / "meta.json").is_file():
        return build_dir / PREVIEW
    return build_dir / PUBLISHED


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One build at a time on this machine (a worker and a command may both try)."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap(version: int) -> None:
    """Point readers at ``v<version>`` in one rename (atomic on POSIX)."""
    temp = root() / f".{POINTER}-{uuid.uuid4().hex}"
    temp.write_text(f"v{version}\n", "utf-8")
    os.replace(temp, root() / POINTER)


def _clean(keep: int = KEEP) -> None:
    """Remove builds older than the newest ``keep`` and builds left half-written."""
    builds = sorted(
        (int(p.name[1:]), p) for p in root().glob("v*") if p.is_dir() and p.name[1:].isdigit()
    )
    for _, path in builds[:-keep]:
        shutil.rmtree(path, ignore_errors=True)
    for path in root().glob(".building-*"):
        shutil.rmtree(path, ignore_errors=True)


# --- where they stand --------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """Where the analytics tables stand: the version they were built from (None: never built),
    when, and the store's data version now. ``stale`` when the store has moved on."""

    version: int | None
    built_at: datetime | None
    data_version: int
    preview: bool = False
    preview_differs: bool = False

    @property
    def built(self) -> bool:
        return self.version is not None

    @property
    def stale(self) -> bool:
        return self.version is None or self.version < self.data_version

    @property
    def built_text(self) -> str:
        """When it was built, in 北京时间 (2026-12-03 18:05:09)."""
        return local_text(self.built_at) if self.built_at else ""

    def text(self) -> str:
        """One line for a page or the terminal: 数据版本 N，生成于 …（；数据已更新，分析表待重建）."""
        if self.version is None:
            return "分析表尚未生成"
        line = f"数据版本 {self.version}，生成于 {self.built_text}"
        if self.preview and self.preview_differs:
            line += "；含待审核数据（预览）"
        if self.stale:
            line += "；数据已更新，分析表待重建"
        return line

    def summary(self) -> str:
        return self.text()


def state(*, preview: bool = False) -> State:
    """Where the tables stand now (no build)."""
    current, now = _current_and_now()
    if current is None:
        return State(None, None, now, preview)
    version, path = current
    meta = tables.read_meta(_mode_dir(path, PUBLISHED)) or {}
    built_at = datetime.fromisoformat(meta["built_at"]) if meta else None
    differs = (path / PREVIEW / "meta.json").is_file()
    return State(version, built_at, now, preview, differs)


# --- building ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildResult:
    state: State
    rebuilt: tuple[int, ...]
    linked: tuple[int, ...]
    skipped: bool = False

    def summary(self) -> str:
        if self.skipped:
            return f"分析表已是最新（数据版本 {self.state.version}）"
        years = "、".join(str(y) for y in self.rebuilt) or "无"
        return f"分析表已生成：数据版本 {self.state.version}；重建年份 {years}"


def build(*, full: bool = False, progress: Progress = _noop) -> BuildResult:
    """Bring the analytics tables up to the store's data version: nothing when they are, the
    changed years when a build exists (``full``: every year), then swap the new build in and
    remove old ones. Returns what it did."""
    from gaoxin.statistics.models import DataVersion

    with _build_lock():
        version = data_version()
        current = _current()
        if current is not None and current[0] >= version and not full:
            return BuildResult(state(), (), (), skipped=True)
        periods: set[str] | None = None
        previous = None
        if current is not None and not full:
            since, previous = current
            rows = DataVersion.objects.filter(id__gt=since, id__lte=version)
            periods = set()
            for row in rows.values_list("periods", flat=True):
                if not row:
                    periods = None
                    break
                periods.update(row)
        work = root() / f".building-{uuid.uuid4().hex}"
        work.mkdir(parents=True)
        try:
            excluded = _excluded()
            extra = {
                "data_version": version,
                "data_version_at": _version_at(version),
                "mode": PUBLISHED,
            }
            done = tables.build_tables(
                StoreSource(excluded[PUBLISHED]),
                work / PUBLISHED,
                previous=previous / PUBLISHED if previous else None,
                changed=periods,
                extra=extra,
                progress=progress,
            )
            if not _same(excluded[PUBLISHED], excluded[PREVIEW]):
                # The preview differs from the published tables only in the periods under review.
                differ = _differing_periods(excluded[PUBLISHED], excluded[PREVIEW])
                tables.build_tables(
                    StoreSource(excluded[PREVIEW]),
                    work / PREVIEW,
                    previous=work / PUBLISHED,
                    changed=differ,
                    extra={**extra, "mode": PREVIEW},
                    progress=progress,
                )
            target = root() / f"v{version}"
            if target.exists():  # a build of the same version that did not get swapped in
                shutil.rmtree(target)
            os.rename(work, target)
            _swap(version)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _clean()
    return BuildResult(state(), done.rebuilt, done.linked)


def _same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.height == b.height and a.sort(pl.all()).equals(b.sort(pl.all()))


def _differing_periods(a: pl.DataFrame, b: pl.DataFrame) -> set[str]:
    both = pl.concat(
        [a.join(b, on=list(a.columns), how="anti"), b.join(a, on=list(a.columns), how="anti")]
    )
    return set(both["period"].unique().to_list())


#: Submission states whose values each mode leaves out.
LEFT_OUT = {
    PUBLISHED: ("draft", "returned", "submitted", "city_approved"),
    PREVIEW: ("draft", "returned"),
}


def _excluded() -> dict[str, pl.DataFrame]:
    """Per mode, the (entity_id, variable_id, period) keys of values under a submission in a
    state that mode leaves out (:data:`LEFT_OUT`): the submission's unit's roster (the unit or
    the entities of the form's kind in its subtree), the form's variables, its period."""
    from gaoxin.registry.models import Entity
    from gaoxin.registry.models.entities import PATH_SEP
    from gaoxin.statistics.models import Submission

    schema = {"entity_id": pl.Int64, "variable_id": pl.Int64, "period": pl.String}
    states = sorted({s for v in LEFT_OUT.values() for s in v})
    rows = list(
        Submission.objects.filter(state__in=states).values_list(
            "entity_id", "period", "state", "form__entity_kind", "form__variables__id"
        )
    )
    if not rows:
        return {mode: pl.DataFrame(schema=schema) for mode in MODES}
    subs = pl.DataFrame(
        rows,
        schema={
            "_ancestor": pl.Int64,
            "period": pl.String,
            "state": pl.String,
            "entity_kind": pl.String,
            "variable_id": pl.Int64,
        },
        orient="row",
    ).drop_nulls("variable_id")
    kinds = subs["entity_kind"].unique().to_list()
    entities = pl.DataFrame(
        list(Entity.objects.filter(kind__in=kinds).values_list("id", "kind", "path")),
        schema={"entity_id": pl.Int64, "entity_kind": pl.String, "_path": pl.String},
        orient="row",
    )
    ancestors = (
        entities.with_columns(pl.col("_path").str.strip_chars(PATH_SEP).str.split(PATH_SEP))
        .explode("_path")
        .select("entity_id", "entity_kind", pl.col("_path").cast(pl.Int64).alias("_ancestor"))
    )
    covered = ancestors.join(subs, on=["_ancestor", "entity_kind"], how="inner")
    return {
        mode: covered.filter(pl.col("state").is_in(LEFT_OUT[mode])).select(list(schema)).unique()
        for mode in MODES
    }


class StoreSource:
    """The store as a :class:`gaoxin.engine.analytics.Source`: the registry once, the values a
    year at a time, less the ``excluded`` (entity_id, variable_id, period) keys.

    The observations are handed over coded from the store's ids (decision 066), no text made
    per row: the entity as an Enum of the registry's codes sorted
    (:func:`gaoxin.engine.facts.registry_enum`; the codes of stored entities the registry
    leaves out, counties under a city, after them), the variable as an Enum of the catalogue's
    codes, the batch as an Enum of its id's text. The period is read as text. The entity's
    Enum is converted for Polars once (a :class:`polars.DataTypeExpr`): named in an expression,
    its categories (210 k at national scale) would be converted for every year, 0.15 s holding
    the GIL each."""

    def __init__(self, excluded: pl.DataFrame) -> None:
        from gaoxin.engine.facts import registry_enum
        from gaoxin.statistics.facts import registry_frames, variable_ids

        self.excluded = excluded
        self._entities, codes, self._certs = registry_frames(None)
        registry = registry_enum(self._entities).categories
        others = codes.filter(~pl.col("entity_code").is_in(registry.implode()))
        self._entity = pl.Enum(pl.concat([registry, others["entity_code"].unique().sort()]))
        self._entity_dtype = self._entity.to_dtype_expr()
        # The order the store was always read in (gaoxin.statistics.facts._in_entity_order):
        # by entity kind and code; each entity's rank and code in the Enum, by its id.
        self._ranked = (
            codes.sort("entity_kind", "entity_code")
            .with_row_index("entity_rank")
            .select(
                "entity_id",
                "entity_rank",
                _code=pl.col("entity_code").cast(self._entity_dtype).to_physical(),
            )
        )
        variables = variable_ids()
        self._variable = pl.Enum(variables["variable"].sort())
        self._variable_of = _lookup(variables["variable_id"], variables["variable"], self._variable)

    def entities(self) -> pl.DataFrame:
        return self._entities

    def certifications(self) -> pl.DataFrame:
        return self._certs

    def periods(self) -> pl.DataFrame:
        from gaoxin.registry.choices import EntityKind
        from gaoxin.statistics.facts import read_frame
        from gaoxin.statistics.models import Observation

        rows = read_frame(
            Observation.objects.values_list("period", "entity__kind").distinct(),
            {"period": pl.String, "kind": pl.String},
        )
        return rows.group_by("period").agg(
            enterprise=(pl.col("kind") == str(EntityKind.ENTERPRISE)).any()
        )

    def observations(self, periods: Sequence[str]) -> pl.DataFrame:
        from gaoxin.statistics.facts import _values

        values = _values(None, None, list(periods), None)
        if self.excluded.height:
            values = values.join(
                self.excluded, on=["entity_id", "variable_id", "period"], how="anti"
            )
        values = values.join(self._ranked, on="entity_id", how="inner").sort(
            "entity_rank", "variable_id", "period"
        )
        ids = values["batch"].drop_nulls().unique().sort()
        batch = pl.Enum(ids.cast(pl.String))  # in the ids' order: a batch's place is its id's
        place = np.searchsorted(ids.to_numpy(), values["batch"].fill_null(0).to_numpy())
        return values.select(
            pl.col("_code").cat.to(self._entity_dtype).alias("entity"),
            pl.Series(self._variable_of[values["variable_id"].to_numpy()])
            .cat.to(self._variable)
            .alias("variable"),
            "period",
            "value",
            pl.when(pl.col("batch").is_not_null())
            .then(pl.Series(place, dtype=pl.UInt32))
            .cat.to(batch)
            .alias("batch"),
        )


def _lookup(ids: pl.Series, codes: pl.Series, enum: pl.Enum) -> np.ndarray:
    """By id (small integers: the store's primary keys), the code's place in ``enum``."""
    out = np.zeros(int(ids.max() or 0) + 1, dtype=np.uint32)  # type: ignore[arg-type]
    out[ids.to_numpy()] = codes.cast(enum).to_physical().cast(pl.UInt32).to_numpy()
    return out


# --- reading -----------------------------------------------------------------------------


def _ready(*, fresh: bool) -> tuple[int, Path]:
    """The current build, built first when there is none (or, with ``fresh`` or in the
    read-rebuilds setting, when the store has moved on)."""
    current = _current()
    rebuild_on_read = getattr(settings, "ANALYTICS_ON_CHANGE", "job") == "read"
    if current is None or ((fresh or rebuild_on_read) and current[0] < data_version()):
        build()
        current = _current()
    assert current is not None
    return current


def _scope_entities(scope) -> tuple[list[str], list[str]] | None:
    """The codes of the entities in ``scope`` and of the ancestors above it (None: everything)."""
    if scope is None:
        return None
    from gaoxin.registry.models import Entity

    inside = list(Entity.objects.within(scope).values_list("code", flat=True))
    ancestor_ids = [int(x) for x in scope.path.strip("/").split("/") if x]
    above = list(
        Entity.objects.filter(pk__in=ancestor_ids)
        .exclude(pk=scope.pk)
        .values_list("code", flat=True)
    )
    return inside, above


def facts(
    scope=None,
    *,
    by: Any,
    preview: bool = False,
    years: Iterable[int] | None = None,
    fresh: bool = False,
) -> tuple[FactFrame, State]:
    """The fact frame of ``scope`` (None: everything) from the analytics tables, as
    :func:`gaoxin.statistics.facts.engine_facts` would build it from the store for the same
    data: the scope's entities and the ancestors above it (whose own values are left out),
    ``years`` only when given (a caller that looks back asks for those years too). Built first
    when never built; ``fresh`` rebuilds first when stale. With the :class:`State` it was read
    at. Refuses (OutOfScope) a scope outside ``by``'s; ``preview`` needs no more than the
    scope, the face decides who may see it."""
    check_scope(by, scope)
    version, path = _ready(fresh=fresh)
    codes = _scope_entities(scope)
    inside, above = codes if codes is not None else (None, [])
    frame = tables.load_facts(
        _mode_dir(path, PREVIEW if preview else PUBLISHED),
        years=years,
        entities=None if inside is None else inside + above,
        blank=above,
    )
    return frame, state(preview=preview)


def period_span(*, preview: bool = False) -> dict[str, tuple[str, str]]:
    """Per period type (year, quarter, month) the first and last period of the tables (built
    first when never built): what a period picker offers, without scanning the store."""
    version, path = _ready(fresh=False)
    meta = tables.read_meta(_mode_dir(path, PREVIEW if preview else PUBLISHED)) or {}
    return {kind: (span[0], span[1]) for kind, span in (meta.get("shapes") or {}).items()}


def indicator_values(
    scope=None,
    *,
    by: Any,
    indicators: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
    preview: bool = False,
) -> tuple[pl.DataFrame, State]:
    """The catalogue's stored indicator values of the entities in ``scope`` (entity, kind,
    period, indicator, value, missing), optionally of ``indicators`` and ``periods`` only.
    Computed over the whole store (a city's value counts every zone of the city, a zone's rank
    is among all zones), then filtered to the scope. Refuses (OutOfScope) a scope outside
    ``by``'s. An indicator that :func:`not_computed` names for a period type has no rows of
    that type."""
    stored, data = stored_indicators(scope, by=by, preview=preview)
    return stored.read(indicators=indicators, periods=periods), data


@dataclass(frozen=True)
class StoredIndicators:
    """The stored indicator values of one build (one mode) and one scope's entities, read in
    parts (:meth:`read`): a reader that reads several parts for one answer reads them all from
    this build, whatever is swapped in meanwhile (the build before the current one is kept,
    :data:`KEEP`). ``key`` names the build and the scope's entities (a digest of their codes):
    what a reader keeps about these values (decision 081) is kept under it, so that an entity
    moved into or out of the scope, which moves no data version, changes it too."""

    root: Path
    #: The codes of the scope's entities (None: every entity).
    entities: tuple[str, ...] | None
    key: tuple[str, str]

    def read(
        self,
        *,
        indicators: Sequence[str] | None = None,
        periods: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """The scope's values of ``indicators`` and ``periods`` (all when None), in the files'
        order (:func:`gaoxin.engine.analytics.load_indicators`); only ``columns`` when given."""
        return tables.load_indicators(
            self.root,
            entities=self.entities,
            indicators=indicators,
            periods=periods,
            columns=columns,
        )


def stored_indicators(
    scope=None, *, by: Any, preview: bool = False
) -> tuple[StoredIndicators, State]:
    """The current build's stored indicator values of the entities in ``scope``, to be read
    (:class:`StoredIndicators`), with the :class:`State` they are read at; built first when
    never built. Refuses (OutOfScope) a scope outside ``by``'s."""
    import hashlib

    check_scope(by, scope)
    version, path = _ready(fresh=False)
    codes = _scope_entities(scope)
    inside = None if codes is None else tuple(sorted(codes[0]))
    digest = "*" if inside is None else hashlib.sha256("\n".join(inside).encode()).hexdigest()
    root = _mode_dir(path, PREVIEW if preview else PUBLISHED)
    return StoredIndicators(root, inside, (str(root), digest)), state(preview=preview)


def not_computed(*, preview: bool = False) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per period type, the indicators :func:`indicator_values` has no rows of for that type,
    each with the variables absent from that type's data that make it null everywhere
    (``{"month": {"enterprise_tax_per_mu": ("land_area",)}}``): land area is reported yearly,
    so a face says "按年统计，无月度值" rather than show an empty cell. Nothing to scope: it
    is a property of the catalogue and of which variables each period type has. Built first
    when never built."""
    version, path = _ready(fresh=False)
    return tables.not_computed(_mode_dir(path, PREVIEW if preview else PUBLISHED))
