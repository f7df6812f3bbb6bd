"""Analytics tables: the fact frame and the catalogue's indicator values, built once and kept as
Parquet, one file per year, so that pages and commands read them instead of rebuilding the fact
frame from the store per request (decision 036).

Pure Polars: what to read comes from a :class:`Source` (the store in
``gaoxin.statistics.analytics``, a synthetic jurisdiction in the benchmark). One build is one
directory::

    meta.json                     what was built: periods, frame shapes, hashes, when
    entities.parquet              the fact frame's entities (with province, city, zone)
    facts/<type>/<year>.parquet   wide frame rows of that period type and year, the
                                  certification columns without nulls (:data:`NO_CERT`;
                                  :func:`load_facts` gives the nulls back)
    observations/<year>/<period>.parquet
                                  the long observations (entity, variable, value, batch), one
                                  file per period: an import of one month rewrites that month's
                                  file, not the year's; the period is the file's name, not a
                                  column, the entity its place among entities.parquet's codes
                                  sorted, the variable and the batch Enums of the period's
                                  values (:func:`_scan_observations` gives them back as text)
    indicators/<year>.parquet     the catalogue's values: entity, kind, period, indicator, value,
                                  missing (every period type of that year), but for the
                                  indicators meta.json's ``not_computed`` names for a period
                                  type: those have no cells of that type (below)

``not_computed`` (layout 7, decision 072): per period type, the indicators null on every row of
that type because a variable they read is absent from its frame (decision 069's rule:
:func:`gaoxin.engine.indicators.null_by_absence`), each with those variables, sorted —
``{"month": {"enterprise_tax_per_mu": ["land_area"], ...}}``. A period type not named has every
indicator's cells. Their cells (a null value and a count of missing inputs) are not computed,
ordered or written; :func:`not_computed` reads the mapping, so that a reader can say "按年统计，
无月度值" where a cell would have been empty.

Years are built one at a time (memory: one year's observations and frames at once, never the
whole store). A rebuild after a change rebuilds only the years whose observations changed; the
indicator values of the years after them too (growth reads the year before); every other file
is linked from the previous build unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import polars as pl

from gaoxin.engine.facts import (
    FactFrame,
    as_text,
    build_facts,
    coded_columns,
    period_columns,
    physical_codes,
    prepare_registry,
    text_of,
    used_codes,
)
from gaoxin.engine.indicators import (
    PER_YEAR,
    Indicator,
    columns_read,
    compute,
    default_indicators,
    null_by_absence,
)
from gaoxin.engine.variables import Catalogue, default_catalogue

#: Bumped when the layout or the meaning of the files changes: an older build is rebuilt whole.
#: 6: the observations files store the variable and the batch as Enums of the period's values
#: (:data:`CODED`), and a period's hash covers those values (decision 067).
#: 7: the indicator files leave out the cells meta.json's ``not_computed`` names (decision 072).
#: 8: the facts files store the certification columns' nulls as :data:`NO_CERT` (decision 086).
LAYOUT = 8
#: Period types as the fact frame has them.
TYPES = ("year", "half", "quarter", "month")
OBSERVATION_SCHEMA = {
    "entity": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "batch": pl.String,
}
INDICATOR_SCHEMA = {
    "entity": pl.String,
    "kind": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "missing": pl.Int32,
}

Progress = Callable[..., None]


class Source(Protocol):
    """What a build reads. Observations are asked for a year at a time."""

    def entities(self) -> pl.DataFrame:
        """The entity registry as :func:`gaoxin.engine.facts.build_facts` reads it."""

    def certifications(self) -> pl.DataFrame: ...

    def periods(self) -> pl.DataFrame:
        """Every period code with observations: columns ``period`` and ``enterprise`` (whether
        an enterprise reported in it)."""

    def observations(self, periods: Sequence[str]) -> pl.DataFrame:
        """The observations of ``periods``: entity, variable, period, value, batch.

        The four text columns come as text (String) or coded, each as the source has it; the
        build tells them apart by their type and gives the same files either way (decision
        066):

        - ``entity``: best an Enum of the registry's entity codes sorted
          (:func:`gaoxin.engine.facts.registry_enum` of :meth:`entities`): its physical value
          is then the code the build works on, taken as it is. Another Enum or a Categorical
          (one holding an entity outside the registry, say) is mapped through the categories
          its rows use: right, at a NumPy lookup per row. Text is cast to codes: a hash of
          every row (1.3–1.9 s of CPU for a monthly year at national scale).
        - ``variable``, ``period``, ``batch``: text, or an Enum or a Categorical of the text:
          the variable and the period are mapped through the few categories their rows use;
          the observations writer takes all three coded (decision 067), so their text is never
          made.
        """


@dataclass(frozen=True)
class Shape:
    """The rows of one period type's wide frame: every period from ``first`` to ``last`` (gaps
    included, so n periods back is n rows back across the year files), enterprise rows or not."""

    first: str
    last: str
    enterprises: bool


def _noop(*args: Any, **kwargs: Any) -> None:
    pass


def period_type(code: str) -> str:
    if len(code) == 4:
        return "year"
    if "Q" in code:
        return "quarter"
    if "H" in code:
        return "half"
    return "month"


def shapes(periods: pl.DataFrame) -> dict[str, Shape]:
    """The frame shape of each period type (:class:`Shape`) from :meth:`Source.periods`."""
    out = {}
    rows = periods.with_columns(
        type=pl.col("period").map_elements(period_type, return_dtype=pl.String)
    )
    for ptype in TYPES:
        mine = rows.filter(pl.col("type") == ptype)
        if mine.height == 0:
            continue
        codes = mine["period"].sort()
        out[ptype] = Shape(codes[0], codes[-1], bool(mine["enterprise"].any()))
    return out


def years_of(shape: Mapping[str, Shape]) -> list[int]:
    first = min(int(s.first[:4]) for s in shape.values())
    last = max(int(s.last[:4]) for s in shape.values())
    return list(range(first, last + 1))


def grid_periods(shape: Shape, ptype: str, year: int) -> list[str]:
    """The periods of one type in ``year`` that the frame has rows for."""
    codes = period_columns(pl.Series([shape.first, shape.last]), ptype)
    return codes.filter(pl.col("year") == year)["period"].to_list()


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


#: How a build's Parquet files are compressed: not at all (decision 078). At scale 70 zstd
#: (level 1) cost about 5 s of the build's 49 s of CPU (writing, and reading back the facts the
#: indicator step reads once per group of provinces), and 0.9 s of the 2.1 s a page's read of a
#: large zone's facts and observations takes; uncompressed, the build takes 1.5 GB on disk, not
#: 0.73. Any codec reads back the same data and the hashes are of the data: a narrowed build
#: links an older build's files as they are, and changing this bumps no layout. "lz4": about
#: half the gain for 26 % more on disk.
COMPRESSION: Literal["uncompressed", "lz4", "zstd"] = "uncompressed"


def _write(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path, compression=COMPRESSION, statistics=False)


#: The certification columns of the wide frames (``__cert__<kind>``, ``__certprev__<kind>``).
CERT_PREFIXES = ("__cert__", "__certprev__")
#: A certification column's null (no certification of that kind held: most rows) as the facts
#: files store it (layout 8, decision 086): the levels are 0 to 3, so a column stored without
#: nulls reads back the same. Polars' Parquet writer spent 1.06 s of CPU on the 28 such columns
#: of a monthly year at national scale (2.5 M rows, mostly null: their definition levels) of the
#: file's 2.7 s; without nulls 0.55 s. :func:`_facts_read` gives the nulls back; a file of an
#: older layout (nulls stored, no -1) reads as it is.
NO_CERT = -1


def _cert_columns(schema: Iterable[str]) -> list[str]:
    return [c for c in schema if c.startswith(CERT_PREFIXES)]


def _facts_stored(frame: pl.DataFrame) -> pl.DataFrame:
    """A wide frame's rows as its facts file stores them: the certification columns'
    nulls as :data:`NO_CERT`."""
    return frame.with_columns(pl.col(c).fill_null(NO_CERT) for c in _cert_columns(frame.columns))


def _facts_read(frame: pl.DataFrame) -> pl.DataFrame:
    """A facts file's rows as the wide frame had them (:func:`_facts_stored` undone). Series by
    Series: each keeps the chunks (row groups) of the frame's other columns, where the same in
    an expression came back in other chunks and a later select rechunked the whole frame
    (0.4 s of CPU for a monthly year at national scale)."""
    return frame.with_columns(frame[c].replace(NO_CERT, None) for c in _cert_columns(frame.columns))


def _link(old: Path, new: Path) -> None:
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, new)
    except OSError:  # another file system: copy
        new.write_bytes(old.read_bytes())


class _Writer:
    """Writes done in one thread beside the build, one at a time: a year's files are written
    while the next year is read and built, an indicator file while the next year's cells are
    gathered. Polars' Parquet writer and NumPy release the GIL, and on two cores the build's
    writes left the second one mostly idle (decision 073).

    At most one write is pending: :meth:`submit` first waits for the one before, so memory
    holds one year being written beside the one being built, never more. A write's error is
    raised in the caller, by the next :meth:`submit` or by leaving the ``with`` block; leaving
    it on an error of the caller's waits for the write under way (the caller then removes a
    directory nothing writes into any more). ``done``: the results of the writes, in order."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gaoxin-analytics")
        self._pending: Future[Any] | None = None
        self.done: list[Any] = []

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: Any) -> None:
        try:
            if kind is None:
                self.wait()
            elif self._pending is not None and not self._pending.cancel():
                wait([self._pending])  # its own error, if any, is the caller's error's sequel
        finally:
            self._pool.shutdown(wait=True)

    def submit(self, task: Callable[..., Any], *args: Any) -> None:
        self.wait()
        self._pending = self._pool.submit(task, *args)

    def wait(self) -> None:
        """Wait for the pending write; raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self.done.append(pending.result())


def _write_year(
    out: Path,
    year: int,
    frames: dict[str, pl.DataFrame],
    observations: pl.DataFrame,
    codes: pl.Series | None,
) -> tuple[int, dict[str, str]]:
    """A built year's files (its rows of each period type's frame, its observations, as
    :func:`build_facts` gave them with ``entity_codes``); returns the year and its periods'
    hashes (:func:`_write_observations`). Each frame is dropped once written."""
    for ptype in list(frames):
        part = frames.pop(ptype).filter(pl.col("year") == year)
        if part.height:
            _write(_facts_stored(part), out / "facts" / ptype / f"{year}.parquet")
        del part
    stored = _text_to_write(observations, codes)
    del observations
    return year, _write_observations(stored, out, year, codes=codes)


@dataclass(frozen=True)
class Built:
    """What one build did: the meta it wrote, which years it rebuilt and which it linked."""

    meta: dict[str, Any]
    rebuilt: tuple[int, ...]
    linked: tuple[int, ...]


def build_tables(
    source: Source,
    out: Path,
    *,
    previous: Path | None = None,
    changed: Iterable[str] | None = None,
    extra: Mapping[str, Any] | None = None,
    catalogue: Catalogue | None = None,
    indicators: Sequence[Indicator] | None = None,
    progress: Progress = _noop,
) -> Built:
    """Build the analytics tables of ``source`` into the directory ``out`` (created; it must not
    exist). With ``previous`` (an earlier build) and ``changed`` (the period codes whose
    observations changed since it), the registry, the frame shapes and the layout being the
    same, only what the change reaches is rebuilt (:func:`_narrowed`): the changed periods'
    rows of the provinces whose values changed, and the indicator values of those provinces in
    the periods that read the changed ones; every other file is linked from ``previous``.
    Otherwise every year is built. ``extra`` goes into meta.json as it is."""
    catalogue = catalogue or default_catalogue()
    inds = list(indicators if indicators is not None else default_indicators())
    out.mkdir(parents=True)
    progress("读取主体与资质")
    entities, certs = source.entities(), source.certifications()
    registry_hash = _registry_hash(entities, certs)
    shape = shapes(source.periods())
    shape_json = {k: [s.first, s.last, s.enterprises] for k, s in shape.items()}
    old = read_meta(previous) if previous is not None else None
    reuse = (
        old is not None
        and changed is not None
        and old.get("layout") == LAYOUT
        and old.get("registry_hash") == registry_hash
        and old.get("shapes") == shape_json
    )
    years = years_of(shape) if shape else []
    reach = _reach_years(inds, shape, catalogue) if shape else {}
    narrow: _Narrowed | None = None
    if reuse:
        assert old is not None and changed is not None and previous is not None
        narrow = _narrowed(
            source, entities, certs, catalogue, inds, shape, previous, out, changed, progress
        )
        facts_years = [y for y in years if y in narrow.rebuild or str(y) not in old["years"]]
        first_changed = min(facts_years, default=None)
        indicator_years = [y for y in years if first_changed is not None and y >= first_changed]
    else:
        facts_years, indicator_years = years, years
    year_hashes: dict[str, str] = {}
    period_hashes: dict[str, str] = {}
    # The entities and hierarchy once; the facts of each year after, each year's files written
    # beside the next year's read and build (:class:`_Writer`).
    frame_entities: pl.DataFrame | None = None
    cert_kinds: tuple[str, ...] = ()
    # the registry as build_facts reads it, made once for the years built, not once a year
    registry = prepare_registry(entities, certs) if facts_years else None
    with _Writer() as writer:
        for n, year in enumerate(years):
            if year not in facts_years:
                assert previous is not None and old is not None and narrow is not None
                if year not in narrow.spliced:
                    for path in _year_files(previous, year, ("facts", "observations")):
                        _link(path, out / path.relative_to(previous))
                year_hashes[str(year)] = narrow.hashes.get(year, old["years"][str(year)])
                for p, h in old["observation_hashes"].items():
                    if p[:4] == str(year):
                        period_hashes[p] = h
                period_hashes.update(narrow.period_hashes.get(year, {}))
                for p in narrow.emptied.get(year, ()):
                    period_hashes.pop(p, None)
                continue
            progress(f"事实表 {year} 年", n, len(years))
            wanted = [p for ptype, s in shape.items() for p in grid_periods(s, ptype, year)]
            obs = source.observations(wanted)
            facts = build_facts(
                entities,
                obs,
                certs,
                catalogue=catalogue,
                shapes={k: (s.first, s.last, s.enterprises) for k, s in shape.items()},
                only_periods=wanted,
                hash_input=False,  # each period's rows are hashed by the writer (_rows_hash)
                entity_codes=True,  # the observations files store them (decision 062)
                registry=registry,
            )
            del obs
            if frame_entities is None:
                frame_entities, cert_kinds = facts.entities, facts.cert_kinds
            writer.submit(
                _write_year,
                out,
                year,
                dict(facts.frames),
                facts.observations.select(list(OBSERVATION_SCHEMA)),
                facts.entity_codes,
            )
            # not bound here while the next year is read and built: the writer holds the
            # year's frames (the monthly one 0.4 GiB at national scale) and drops each once
            # written
            del facts
    for year, hashes in writer.done:
        period_hashes.update(hashes)
        year_hashes[str(year)] = _year_hash(hashes)
    year_hashes = {str(y): year_hashes[str(y)] for y in years}  # meta's years in their order
    if frame_entities is None and narrow is not None:
        assert previous is not None and old is not None
        _link(previous / "entities.parquet", out / "entities.parquet")
        cert_kinds = tuple(old["cert_kinds"])
    else:
        if frame_entities is None:
            empty = build_facts(entities, pl.DataFrame(schema=OBSERVATION_SCHEMA), certs)
            frame_entities, cert_kinds = empty.entities, empty.cert_kinds
        _write(frame_entities, out / "entities.parquet")
    input_hash = _hash(registry_hash, *[f"{y}:{h}" for y, h in sorted(year_hashes.items())])
    columns = _columns(out)
    left_out = _not_computed(inds, catalogue, columns)
    if narrow is not None and old is not None and old.get("not_computed") != left_out:
        # the stored years' files have the cells of another set of indicators: all rebuilt
        indicator_years = years
    meta: dict[str, Any] = {
        "layout": LAYOUT,
        "columns": columns,
        "not_computed": left_out,
        "built_at": datetime.now(UTC).isoformat(),
        "registry_hash": registry_hash,
        "input_hash": input_hash,
        "shapes": shape_json,
        "years": year_hashes,
        "observation_hashes": dict(sorted(period_hashes.items())),
        "cert_kinds": list(cert_kinds),
        "indicators": sorted(i.code for i in inds),
        **(extra or {}),
    }
    _write_meta(out, meta)
    # Indicator values: each year and period type on the facts of that type for that year and
    # the years its formulas reach back to (read back from the files just written).
    with _Writer() as writer:
        spliced_values = _indicator_files(
            out,
            inds,
            shape,
            years,
            indicator_years,
            reach,
            catalogue,
            previous,
            narrow,
            writer,
            progress,
        )
    touched = set(facts_years) | set(indicator_years) | spliced_values
    if narrow is not None:
        touched |= narrow.spliced
    rebuilt = tuple(sorted(touched))
    return Built(meta, rebuilt, tuple(y for y in years if y not in rebuilt))


def _indicator_files(
    out: Path,
    inds: Sequence[Indicator],
    shape: Mapping[str, Shape],
    years: Sequence[int],
    indicator_years: Sequence[int],
    reach: Mapping[str, int],
    catalogue: Catalogue,
    previous: Path | None,
    narrow: _Narrowed | None,
    writer: _Writer,
    progress: Progress,
) -> set[int]:
    """Write ``out``'s indicator files: each year and period type on the facts of that type for
    that year and the years its formulas reach back to (read back from the files just written);
    a year not in ``indicator_years`` linked from ``previous`` or, where ``narrow`` reaches it,
    spliced. Each file is written by ``writer`` while the next year's cells are gathered.
    Returns the spliced years."""
    spliced_values: set[int] = set()
    read = _columns_read(out, inds, catalogue)
    at_once = _at_once(out, inds, shape, indicator_years, reach, catalogue, read, progress)
    for n, year in enumerate(years):
        target = out / "indicators" / f"{year}.parquet"
        if year not in indicator_years:
            assert previous is not None and narrow is not None
            redo = {
                t: ps for t, ps in narrow.periods.items() if any(p[:4] == str(year) for p in ps)
            }
            if not redo:
                _link(previous / "indicators" / f"{year}.parquet", target)
                continue
            progress(f"指标 {year} 年（{narrow.scope_text()}）", n, len(years))
            parts = []
            for ptype, periods in redo.items():
                mine = [p for p in periods if p[:4] == str(year)]
                facts = load_facts(
                    out,
                    years=range(year - reach[ptype], year + 1),
                    types=[ptype],
                    entities=narrow.entities,
                    observations=False,
                    columns=read,
                )
                parts.append(
                    compute(inds, facts, mine, keep_frames=False, absent_cells=False).frame
                )
                del facts
            cells = _replaced(
                pl.read_parquet(previous / "indicators" / f"{year}.parquet"),
                pl.concat([p.select(list(INDICATOR_SCHEMA)) for p in parts]),
                narrow.covers({p for ps in redo.values() for p in ps}),
            )
            writer.submit(_write, cells, target)
            spliced_values.add(year)
            del cells, parts
            continue
        progress(f"指标 {year} 年", n, len(years))
        parts = []
        for ptype, s in shape.items():
            if ptype in at_once:
                mine = grid_periods(s, ptype, year)
                parts.append(at_once[ptype].of(mine))
                continue
            facts = load_facts(
                out,
                years=range(year - reach[ptype], year + 1),
                types=[ptype],
                observations=False,
                columns=read,
            )
            have = set(facts.periods(ptype))
            periods = [p for p in grid_periods(s, ptype, year) if p in have]
            if periods:
                parts.append(
                    compute(inds, facts, periods, keep_frames=False, absent_cells=False).frame
                )
            del facts
        cells = (
            pl.concat(parts).select(list(INDICATOR_SCHEMA))
            if parts
            else pl.DataFrame(schema=INDICATOR_SCHEMA)
        )
        writer.submit(_write, cells, target)
        del cells, parts
    return spliced_values


#: A period type whose frame has at most this many rows over the years to compute (and the
#: years their formulas reach back to) has its indicator values computed in one go, not year
#: by year: a year's computation reads the years before it too (five for the yearly frame's
#: five-year multiples, twelve months for 同比), so year by year computes most rows several
#: times. A larger frame (the monthly one at national scale) is computed over all its years a
#: group of whole provinces at a time, each group of at most this many rows (a province larger
#: than that alone): every period once, and the peak bounded by the group, not the years.
ROWS_AT_ONCE = 1_500_000


@dataclass
class _Cells:
    """One period type's indicator values over the years computed at once (:func:`_at_once`):
    one frame, or one per group of provinces with the text keys held as enums (four bytes a
    cell, not the text: the monthly values of every year wait in memory for their files)."""

    parts: list[pl.DataFrame]
    periods: list[str]
    grouped: bool
    #: grouped: the sorted entity codes, the parts' ``entity`` being numbers in it
    entities: pl.Series | None = None

    def of(self, periods: Sequence[str]) -> pl.DataFrame:
        """The cells of ``periods`` in the order computing them alone gives (indicator, period,
        entity)."""
        if not self.grouped:
            return self.parts[0].filter(pl.col("period").is_in(list(periods)))
        assert self.entities is not None
        at = {p: n for n, p in enumerate(sorted(self.periods))}
        wanted = [at[p] for p in periods if p in at]
        mine = pl.concat(
            [c.filter(pl.col("period").to_physical().is_in(wanted)) for c in self.parts]
        ).rechunk()
        # the groups' cells interleave by entity: one integer key in the stored order (the
        # enums' categories and the entity codes are sorted, so their numbers order as the text)
        n_periods = len(mine.schema["period"].categories)  # type: ignore[attr-defined]
        key = (
            pl.col("indicator").to_physical().cast(pl.UInt64) * n_periods
            + pl.col("period").to_physical()
        ) * self.entities.len() + pl.col("entity")
        # Each group's cells come in that order already (compute's (indicator, period, entity)),
        # so the keys are one ascending run per group: NumPy's stable sort (a timsort) finds
        # the runs and merges them, where Polars' sort of the key sorted them again (0.1 against
        # 0.6 s for a monthly year's 7 M cells at national scale).
        order = np.argsort(mine.select(key.alias("key"))["key"].to_numpy(), kind="stable")
        mine = mine[pl.Series(order)]
        return mine.with_columns(
            self.entities.gather(mine["entity"]).alias("entity"),
            # a gather of the enums' categories: a third of the time of a cast for 7 M cells
            *[text_of(mine[c]) for c in ("period", "indicator")],
        )


def _at_once(
    out: Path,
    inds: Sequence[Indicator],
    shape: Mapping[str, Shape],
    years: Sequence[int],
    reach: Mapping[str, int],
    catalogue: Catalogue,
    columns: Collection[str],
    progress: Progress,
) -> dict[str, _Cells]:
    """The indicator values of ``years`` of each period type computed over all those years at
    once (:data:`ROWS_AT_ONCE`): in one go, or by groups of provinces. A period type left out
    (too large, and the catalogue ranks across provinces) is computed year by year.
    ``columns``: those of the facts read (:func:`_columns_read`)."""
    done: dict[str, _Cells] = {}
    if len(years) < 2:
        return done
    across: bool | None = None
    registry: pl.DataFrame | None = None
    for ptype, s in shape.items():
        chosen = range(min(years) - reach[ptype], max(years) + 1)
        files = _scan(out, f"facts/{ptype}", list(chosen))
        if not files:
            continue
        # the years' files may differ in columns (a variable first reported later): one by one
        counts = pl.concat(
            [pl.scan_parquet(f).group_by("province").agg(rows=pl.len()).collect() for f in files]
        )
        counts = counts.group_by("province").agg(pl.col("rows").sum()).sort("province")
        groups: list[list[str | None]] | None = None
        if counts["rows"].sum() > ROWS_AT_ONCE:
            if across is None:
                across = _across_subtrees(inds, catalogue)
            if across:
                continue
            groups = _province_groups(counts, ROWS_AT_ONCE)
        if groups is not None and registry is None:
            registry = pl.read_parquet(out / "entities.parquet", columns=["entity", "province"])
        computed: list[str] = [p for y in years for p in grid_periods(s, ptype, y)]
        keys: dict[str, pl.Enum] = {}
        codes: pl.Series | None = None
        if groups is not None:
            assert registry is not None
            codes = registry["entity"].unique().sort()
            keys = {
                "period": pl.Enum(sorted(computed)),
                "indicator": pl.Enum(sorted(i.code for i in inds)),
            }
        parts = []
        for n, group in enumerate(groups or [None]):
            what = f"，{n + 1}/{len(groups)} 组省份" if groups else ""
            progress(f"指标：{_TYPE_ZH[ptype]}（{len(years)} 年{what}）")
            members = None
            if group is not None:
                assert registry is not None
                members = registry.filter(_in_group(group))["entity"].to_list()
            # Each group reads its own rows of the files (decision 089): the reader's filter by
            # entity makes the five reads cost about one whole read, and a frame read once for
            # all groups saved no CPU (its groups cut from it in memory) for 0.6-1 GiB of peak.
            facts = load_facts(
                out,
                years=chosen,
                types=[ptype],
                entities=members,
                observations=False,
                columns=columns,
            )
            have = set(facts.periods(ptype))
            periods = [p for p in computed if p in have]
            if periods:
                cells = compute(inds, facts, periods, keep_frames=False, absent_cells=False).frame
                if codes is not None:
                    assert members is not None
                    cells = cells.with_columns(
                        _numbered(cells["entity"], members, codes),
                        *[pl.col(c).cast(t) for c, t in keys.items()],
                    )
                parts.append(cells)
            del facts
        if parts:
            done[ptype] = _Cells(parts, computed, groups is not None, codes)
    return done


def _not_computed(
    inds: Sequence[Indicator], catalogue: Catalogue, columns: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, list[str]]]:
    """meta.json's ``not_computed``: per period type (of the facts' ``columns``), the
    indicators null on every row because a variable they read has no column in that type's
    frame, with those variables; the types with none left out."""
    out = {}
    for ptype, cols in columns.items():
        found = null_by_absence(inds, catalogue, cols)
        if found:
            out[ptype] = {code: list(variables) for code, variables in found.items()}
    return out


def _columns_read(out: Path, inds: Sequence[Indicator], catalogue: Catalogue) -> set[str]:
    """The columns of ``out``'s facts files that computing ``inds`` reads, of every period type
    (:func:`gaoxin.engine.indicators.columns_read`): the indicator step reads no others."""
    meta = read_meta(out)
    assert meta is not None
    return {c for cols in meta["columns"].values() for c in columns_read(inds, catalogue, cols)}


def _numbered(values: pl.Series, among: Sequence[str], codes: pl.Series) -> pl.Series:
    """``values`` (text, each one of ``among``) as their places in ``codes`` (sorted, distinct,
    holding ``among``): cast to an enum of ``among`` alone, whose places are then found in
    ``codes`` by a binary search. A cast of the values to an Enum of ``codes`` itself (228 k
    codes at national scale) took 3.4 times as long, its table too large for the processor's
    caches; a cast of ``among`` to it 0.1 s holding the GIL (the Enum's categories converted
    for Polars every time)."""
    mine = pl.Series(among, dtype=pl.String).unique().sort()
    local = values.cast(pl.Enum(mine)).to_physical().to_numpy()
    found = codes.search_sorted(mine)
    if not codes.gather(found.clip(upper_bound=len(codes) - 1)).equals(mine):
        raise ValueError("entities outside the registry's codes")
    return pl.Series(values.name, found.to_numpy()[local], dtype=pl.UInt32)


def _province_groups(counts: pl.DataFrame, limit: int) -> list[list[str | None]]:
    """Provinces (``counts``: province, rows; in order) in consecutive groups of at most
    ``limit`` rows, a province of more rows alone. Rows without a province are a group's too
    (entities outside every province read no one else's rows)."""
    groups: list[list[str | None]] = []
    rows = limit + 1
    for province, n in counts.iter_rows():
        if rows + n > limit:
            groups.append([])
            rows = 0
        groups[-1].append(province)
        rows += n
    return groups


def _in_group(group: Sequence[str | None]) -> pl.Expr:
    named = [p for p in group if p is not None]
    hit = pl.col("province").is_in(named)
    return hit | pl.col("province").is_null() if None in group else hit


def _across_subtrees(inds: Sequence[Indicator], catalogue: Catalogue) -> bool:
    """Whether a formula's value for one entity reads entities of other provinces."""
    return any(set(f.functions_used) & ACROSS_SUBTREES for f in _formulas(inds, catalogue).values())


_TYPE_ZH = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度"}

#: Functions whose result for one entity reads entities of other provinces (a rank over every
#: zone of the period): with one of them in the catalogue a change is not narrowed by subtree.
ACROSS_SUBTREES = frozenset({"rank", "rank_change"})
#: The order of period types within an indicator file (the order :func:`shapes` gives them).
_TYPE_ORDER = {t: n for n, t in enumerate(TYPES)}


@dataclass
class _Narrowed:
    """What a change reaches, found by :func:`_narrowed`.

    ``rebuild``: years whose files are built whole (the change could not be narrowed there);
    ``spliced``: years whose facts and observations files were rewritten from the previous
    build's with the changed rows replaced; ``hashes``: those years' observation hashes;
    ``period_hashes``: per spliced year, the hashes of its changed periods' observations, and
    ``emptied`` those of its changed periods left without any;
    ``entities``: the entities whose indicator values are recomputed (the subtrees of the
    provinces whose values changed; None: every entity); ``periods``: per period type, the
    periods whose indicator values are recomputed (the changed ones and those that read them).
    """

    rebuild: set[int] = field(default_factory=set)
    spliced: set[int] = field(default_factory=set)
    hashes: dict[int, str] = field(default_factory=dict)
    period_hashes: dict[int, dict[str, str]] = field(default_factory=dict)
    emptied: dict[int, set[str]] = field(default_factory=dict)
    entities: list[str] | None = field(default_factory=list)
    provinces: set[str] = field(default_factory=set)
    periods: dict[str, list[str]] = field(default_factory=dict)

    def covers(self, periods: set[str]) -> pl.Expr:
        """Rows of the recomputed entities in ``periods``."""
        hit = pl.col("period").is_in(sorted(periods))
        if self.entities is None:
            return hit
        return hit & pl.col("entity").is_in(self.entities)

    def scope_text(self) -> str:
        return "全部地区" if self.entities is None else f"{len(self.provinces)} 个省份"


def _narrowed(
    source: Source,
    entities: pl.DataFrame,
    certs: pl.DataFrame,
    catalogue: Catalogue,
    inds: Sequence[Indicator],
    shape: Mapping[str, Shape],
    previous: Path,
    out: Path,
    changed: Iterable[str],
    progress: Progress,
) -> _Narrowed:
    """Rebuild what ``changed`` (period codes) reaches, writing the spliced year files into
    ``out``; return what the indicator step must recompute.

    Only the changed periods' observations are read from the source, and compared with the
    previous build's: the entities whose values differ give the provinces changed. Their
    subtrees' rows of the changed periods are built again (``build_facts`` over the subtree:
    a fact frame row reads its own entity's observations, its ancestors' and certifications,
    all inside its province) and replace those rows in the previous year files. A year is built
    whole instead when that cannot be done exactly: an entity outside the registry's provinces
    changed, or the new rows bring a column the year's file lacks."""
    result = _Narrowed()
    previous_meta = read_meta(previous) or {}
    known = pl.read_parquet(previous / "entities.parquet", columns=["entity", "province"])
    registry = _registry(previous)
    codes = {p for p in changed}
    across = _across_subtrees(inds, catalogue)
    changed_by_type: dict[str, list[str]] = defaultdict(list)
    news: dict[int, pl.DataFrame] = {}
    for year in sorted({int(p[:4]) for p in codes}):
        periods = sorted(
            p for t, s in shape.items() for p in grid_periods(s, t, year) if p in codes
        )
        if not periods:
            continue
        progress(f"比对 {year} 年变动的期间（{len(periods)} 个）")
        new = _observations(source, periods)
        old_dir = previous / "observations" / str(year)
        if not old_dir.is_dir():
            result.rebuild.add(year)
            continue
        old = _read_observations(
            [f for p in periods if (f := old_dir / f"{p}.parquet").is_file()], previous
        )
        keys = list(OBSERVATION_SCHEMA)
        moved = pl.concat(
            [
                new.join(old, on=keys, how="anti", nulls_equal=True),
                old.join(new, on=keys, how="anti", nulls_equal=True),
            ]
        )["entity"].unique()
        if moved.len() == 0:
            continue  # the values are the ones built (a move that changed nothing published)
        provinces = known.filter(pl.col("entity").is_in(moved.implode()))
        if provinces.height < moved.len() or provinces["province"].null_count():
            result.rebuild.add(year)
            continue
        result.provinces.update(provinces["province"].to_list())
        for p in periods:
            changed_by_type[period_type(p)].append(p)
        # The changed periods' observations now (the year's other periods linked); its facts
        # once every year is compared (the subtree is the union of their provinces).
        for f in old_dir.glob("*.parquet"):
            if f.stem not in periods:
                _link(f, out / "observations" / str(year) / f.name)
        hashes = _write_observations(new, out, year, registry=registry)
        stored = previous_meta["observation_hashes"]
        mine = {p: h for p, h in stored.items() if p[:4] == str(year) and p not in periods}
        result.spliced.add(year)
        result.period_hashes[year] = hashes
        result.emptied[year] = set(periods) - set(hashes)
        result.hashes[year] = _year_hash({**mine, **hashes})
        news[year] = new
        del old
    if across and (result.provinces or result.rebuild):
        result.entities = None
    subtree = known.filter(pl.col("province").is_in(sorted(result.provinces)))["entity"]
    if result.entities is not None:
        result.entities = subtree.to_list()
    for year in sorted(result.spliced):
        new = news.pop(year)
        periods = sorted(p for ps in changed_by_type.values() for p in ps if p[:4] == str(year))
        if not _splice_year(
            new, entities, certs, catalogue, shape, previous, out, year, periods, subtree
        ):
            result.spliced.discard(year)
            result.hashes.pop(year, None)
            result.period_hashes.pop(year, None)
            result.emptied.pop(year, None)
            result.rebuild.add(year)
            for path in (out / "facts").rglob(f"{year}.parquet"):
                path.unlink()
            shutil.rmtree(out / "observations" / str(year), ignore_errors=True)
    # Indicator values of the spliced periods and of those reading them: within a period type,
    # every period up to the catalogue's look-back after a changed one.
    back = _look_back(inds, shape, catalogue)
    for ptype, periods in changed_by_type.items():
        if not any(p[:4] in {str(y) for y in result.spliced} for p in periods):
            continue
        s = shape[ptype]
        grid = period_columns(pl.Series([s.first, s.last]), ptype)
        seqs = grid.filter(pl.col("period").is_in(periods))["seq"]
        lo, hi = seqs.min(), seqs.max()
        assert lo is not None and hi is not None
        reached = grid.filter(pl.col("seq").is_between(lo, int(hi) + back[ptype]))  # type: ignore[arg-type]
        result.periods[ptype] = reached["period"].to_list()
    return result


def _splice_year(
    new: pl.DataFrame,
    entities: pl.DataFrame,
    certs: pl.DataFrame,
    catalogue: Catalogue,
    shape: Mapping[str, Shape],
    previous: Path,
    out: Path,
    year: int,
    periods: list[str],
    subtree: pl.Series,
) -> bool:
    """Write ``year``'s facts files: the previous build's, with the rows of ``subtree`` in
    ``periods`` built again from ``new`` (the observations of ``periods``). False (nothing
    usable written) when the new rows have a column the year's file lacks: then the year is
    built whole."""
    mine = pl.col("entity").is_in(subtree.implode())
    key = "entity" if "entity" in entities.columns else "entity_key"
    facts = build_facts(
        entities.filter(pl.col(key).is_in(subtree.implode())),
        new.filter(mine),
        certs,
        catalogue=catalogue,
        shapes={k: (s.first, s.last, s.enterprises) for k, s in shape.items()},
        only_periods=periods,
        hash_input=False,
    )
    replaced = pl.col("period").is_in(periods) & mine
    for ptype in TYPES:
        old_file = previous / "facts" / ptype / f"{year}.parquet"
        target = out / "facts" / ptype / f"{year}.parquet"
        part = facts.frames.get(ptype)
        if part is not None:
            part = part.filter(pl.col("year") == year)
        if part is None or part.height == 0:
            if old_file.is_file():
                _link(old_file, target)
            continue
        if not old_file.is_file():
            return False
        old = _facts_read(pl.read_parquet(old_file))
        if set(part.columns) - set(old.columns):
            return False
        part = part.with_columns(
            pl.lit(None, dtype).alias(c) for c, dtype in old.schema.items() if c not in part.columns
        ).select([pl.col(c).cast(dtype) for c, dtype in old.schema.items()])
        _write(_facts_stored(_rows_replaced(old, part, replaced)), target)
    return True


def _rows_replaced(old: pl.DataFrame, new: pl.DataFrame, replaced: pl.Expr) -> pl.DataFrame:
    """A facts file's rows with the ``replaced`` ones swapped for ``new`` (in the file's order:
    kind, entity, seq). The new rows normally have exactly the keys of the rows they replace
    (same registry, same frame shapes): they are then put in those rows' places, without
    sorting the year's rows by their text keys; otherwise the file is sorted."""
    hit = old.select(replaced.alias("hit"))["hit"].fill_null(False).to_numpy()
    places = np.flatnonzero(hit)
    if old.select("entity", "seq")[places].equals(new.select("entity", "seq")):
        # each column's values set at those rows (a gather of the whole file by a row order
        # cost twice the CPU on its many chunks)
        at = pl.Series(places)
        return old.with_columns(old[c].scatter(at, new[c]) for c in old.columns)
    kept = old.filter(pl.Series(~hit))
    return pl.concat([kept, new]).sort("kind", "entity", "seq", maintain_order=True)


def _observations(source: Source, periods: Sequence[str]) -> pl.DataFrame:
    """The source's observations of ``periods`` with the types a build writes them in."""
    obs = as_text(source.observations(periods))
    return obs.select(pl.col(c).cast(t) for c, t in OBSERVATION_SCHEMA.items())


def _text_to_write(obs: pl.DataFrame, codes: pl.Series | None) -> pl.DataFrame:
    """A year's observations as :func:`_write_observations` takes them: a coded source's
    entity made text (a gather of its categories) where a period keeps the text (an entity
    outside the registry); else the codes replace it. The period, the variable and the batch
    go as they came (the writer takes them coded, decision 067)."""
    if "entity" in coded_columns(obs) and (codes is None or codes.null_count()):
        return obs.with_columns(text_of(obs["entity"]))
    return obs


def _replaced(old: pl.DataFrame, new: pl.DataFrame, covered: pl.Expr) -> pl.DataFrame:
    """An indicator file's cells with the ``covered`` ones replaced by ``new``. The recomputed
    cells normally have exactly the keys of the rows they replace (same registry, same frame
    shapes): their values are then put in those rows' places, the file's order kept without a
    sort. Otherwise the rows are replaced and the file sorted in its order."""
    keys = ["entity", "period", "indicator"]
    places = old.select(keys).with_row_index("__row__").filter(covered)
    if places.height == new.height:
        matched = places.join(new, on=keys, how="inner")
        if matched.height == new.height:
            rows = matched["__row__"]
            return old.with_columns(
                old["value"].scatter(rows, matched["value"]),
                old["missing"].scatter(rows, matched["missing"]),
            )
    return _in_stored_order(pl.concat([old.filter(~covered), new]))


def _in_stored_order(cells: pl.DataFrame) -> pl.DataFrame:
    """An indicator file's rows in the order a whole build writes them: period type (year, half,
    quarter, month), indicator code, period, entity."""
    ptype = (
        pl.when(pl.col("period").str.len_chars() == 4)
        .then(_TYPE_ORDER["year"])
        .when(pl.col("period").str.contains("H", literal=True))
        .then(_TYPE_ORDER["half"])
        .when(pl.col("period").str.contains("Q", literal=True))
        .then(_TYPE_ORDER["quarter"])
        .otherwise(_TYPE_ORDER["month"])
    )
    return cells.sort(ptype, "indicator", "period", "entity")


#: The observations files' text columns of few values (a month at national scale: 8 variables
#: and 2 batches in 1.2 M rows): stored as a dictionary of the period's own values sorted (an
#: Enum), which the writer takes as it is instead of hashing every row's text to build one
#: (decision 067); :func:`_scan_observations` gives them back as text.
CODED = ("variable", "batch")


def _write_observations(
    obs: pl.DataFrame,
    out: Path,
    year: int,
    *,
    codes: pl.Series | None = None,
    registry: pl.Series | None = None,
) -> dict[str, str]:
    """Write a year's observations one file per period (``observations/<year>/<period>``);
    return each period's hash (:func:`_rows_hash`). A period without rows has no file.

    The entity is stored as its code: its place among the registry's entity codes sorted
    (``codes``, row for row with ``obs``, as ``build_facts(entity_codes=True)`` gives them; or
    worked out from ``registry``, those codes sorted). A period with an entity outside the
    registry keeps the text (:func:`_scan_observations` reads either). The period, the variable
    and the batch may come as text, Categorical or Enum; the variable and the batch are stored
    as an Enum of the period's values sorted (:data:`CODED`), whatever the year's were: a
    period's file and hash depend on its rows alone, so a narrowed build stores what a full
    one does."""
    hashes = {}
    if codes is None and registry is not None:
        codes = obs["entity"].cast(pl.Enum(registry), strict=False).to_physical().cast(pl.UInt32)
    # One period's rows copied at a time (a partition of the whole year at once would hold a
    # second copy of the year's observations: 20 M rows at national scale), by a filter on the
    # period's small integer code (a gather by row numbers took 2.7 times its CPU on the frame's
    # many chunks; taking the periods in groups, each a filter of the year and each period one
    # of its group, read half the rows but spent as much).
    # The period is the file's name, not a column: one value on every row, its encoding was a
    # sixth of the write (decision 059).
    # The period (text, or coded as a source may give it) as an Enum: each period's rows are
    # those of one small code.
    period = _enum(obs["period"])
    dtype = period.dtype
    assert isinstance(dtype, pl.Enum)
    code = period.to_physical()
    # the text coded once for the year (a byte a row), not by the writer in every period
    stored = obs.drop("period").with_columns(_enum(obs[c]) for c in CODED)
    if codes is not None and not codes.null_count():
        # every entity registered (the rule): the text is not copied period by period
        stored, codes = stored.with_columns(entity=codes), None
    # The codes from the least to the greatest a row has, not all the Enum's (a source's holds
    # every year's periods: a third of the filters' CPU went to those of other years). A year
    # of one period is its rows as they are, not a copy.
    low, high = code.min(), code.max()
    held = range(0) if low is None else range(int(low), int(high) + 1)  # type: ignore[arg-type]
    alone = len(held) == 1 and not code.null_count()
    for n in held:
        mine = None if alone else code == n
        part = stored if mine is None else stored.filter(mine)
        if part.height == 0:  # an Enum given may hold periods without rows: no file
            continue
        part = part.with_columns(_own_values(part[c]) for c in CODED)
        if codes is not None:
            # integers, not text: half the write and the hash (decision 062)
            entity = codes if mine is None else codes.filter(mine)
            if not entity.null_count():
                part = part.with_columns(entity=entity)
            del entity
        name = dtype.categories[n]
        _write(part, out / "observations" / str(year) / f"{name}.parquet")
        hashes[name] = _rows_hash(part)
        del part, mine
    return hashes


def _enum(values: pl.Series) -> pl.Series:
    """``values`` as an Enum: text or Categorical as the Enum of its distinct values sorted,
    an Enum as it is."""
    if isinstance(values.dtype, pl.Enum):
        return values
    if isinstance(values.dtype, pl.Categorical):
        # its few distinct codes, not every row's text: a table from code to Enum, gathered
        held = values.drop_nulls().unique()
        codes = held.to_physical()
        enum = pl.Enum(held.cast(pl.String).sort())
        size = int(codes.max() or 0) + 1  # type: ignore[arg-type]
        table = pl.Series(values.name, [None] * size, dtype=enum)
        return table.scatter(codes, held.cast(enum)).gather(values.to_physical())
    return values.cast(pl.Enum(values.drop_nulls().unique().sort()))


def _own_values(values: pl.Series) -> pl.Series:
    """An Enum column as the Enum of the values it holds, sorted (a period's own; its year's
    Enum may hold more, or be in another order): one gather of the small codes."""
    dtype = values.dtype
    assert isinstance(dtype, pl.Enum)
    every = pl.Series(values.name, dtype.categories)
    physical, null = physical_codes(values)
    if physical.size and not values.null_count() and physical.min() == null - 1:
        # one value on every row (a period's batch, but where a revision came): that value
        # repeated, with no count or gather of the rows
        if every.len() == 1:
            return values
        one = every.gather([null - 1])
        return one.cast(pl.Enum(one)).new_from_index(0, values.len())
    _, text = used_codes(physical, null, dtype)
    del physical
    text = text.sort()
    if text.equals(every):
        return values
    return every.cast(pl.Enum(text), strict=False).gather(values.to_physical())


def _year_hash(period_hashes: Mapping[str, str]) -> str:
    """A year's observation hash from its periods' (:func:`_write_observations`)."""
    return _hash(*[f"{p}:{h}" for p, h in sorted(period_hashes.items())])


def _registry(root: Path) -> pl.Series:
    """A build's entity codes sorted: an observations file's entity code is a place in them."""
    codes = pl.read_parquet(root / "entities.parquet", columns=["entity"])["entity"]
    return codes.drop_nulls().sort()


def _read_observations(files: Sequence[Path], root: Path) -> pl.DataFrame:
    if not files:
        return pl.DataFrame(schema=OBSERVATION_SCHEMA)
    return _scan_observations(files, _registry(root)).collect()


def _scan_observations(
    files: Sequence[Path], registry: pl.Series, entities: pl.Series | None = None
) -> pl.LazyFrame:
    """The observations files (``observations/<year>/<period>.parquet``) as one frame with the
    columns of :data:`OBSERVATION_SCHEMA`: each file's period from its name, its entities as
    text (``registry``: the build's entity codes sorted, :func:`_registry`). ``entities``:
    only these entities' rows (filtered on the integer codes before they are made text)."""
    wanted = None
    if entities is not None:
        wanted = entities.cast(pl.Enum(registry), strict=False).to_physical().drop_nulls()
        wanted = wanted.cast(pl.UInt32)
    parts = []
    for f in files:
        lazy = pl.scan_parquet(f)
        schema = pl.read_parquet_schema(f)
        if schema["entity"] == pl.String:  # a period with unregistered ones
            if entities is not None:
                lazy = lazy.filter(pl.col("entity").is_in(entities.implode()))
        else:
            if wanted is not None:
                lazy = lazy.filter(pl.col("entity").is_in(wanted.implode()))
            lazy = lazy.with_columns(entity=pl.lit(registry).gather(pl.col("entity")))
        # the variable and batch Enums (layout 6) as text: a gather of the file's few values
        # by the codes costs a sixth of a cast
        text = [
            pl.lit(pl.Series(c, dtype.categories)).gather(pl.col(c).to_physical()).alias(c)
            for c in CODED
            if isinstance(dtype := schema[c], pl.Enum)
        ]
        parts.append(lazy.with_columns(*text, period=pl.lit(f.stem, pl.String)))
    return pl.concat(parts).select(list(OBSERVATION_SCHEMA))


#: splitmix64's constants (:func:`_rows_hash`).
_MIX = tuple(np.uint64(c) for c in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB))


def _rows_hash(frame: pl.DataFrame) -> str:
    """A hash of the rows whatever their order (a spliced year's observations come in another
    order than the source gives them): the number of rows and two sums (modulo 2**64) of the
    row hashes, as they are and mixed (splitmix64), a multiset hash. Summing, not sorting the
    row hashes: the sort was half of the hash's CPU (decision 059)."""
    h = hashlib.sha256(repr(list(frame.schema.items())).encode())
    for column, dtype in frame.schema.items():
        if isinstance(dtype, pl.Enum):
            # the rows hash an Enum's codes: what they stand for is part of the hash
            h.update(_hash(column, *dtype.categories).encode())
    if frame.height:
        rows = frame.hash_rows(seed=0x6A09E667).to_numpy()
        sums = [frame.height, rows.sum(dtype=np.uint64), _mixed_sum(rows)]
        h.update(np.array(sums, dtype=np.uint64).tobytes())
    return h.hexdigest()


#: Row hashes :func:`_mixed_sum` mixes at once: 512 KiB, two blocks of which stay in the cache.
_MIX_ROWS = 1 << 16


def _mixed_sum(rows: np.ndarray) -> np.uint64:
    """The sum (modulo 2**64) of the row hashes mixed by splitmix64's finaliser, a block at a
    time in two buffers reused: mixing all at once made a new array of the rows for each step,
    out of the cache (a third more CPU)."""
    block = np.empty(min(len(rows), _MIX_ROWS), dtype=np.uint64)
    shifted = np.empty_like(block)
    sums = []
    for start in range(0, len(rows), _MIX_ROWS):
        part = rows[start : start + _MIX_ROWS]
        mixed, spare = block[: len(part)], shifted[: len(part)]
        np.add(part, _MIX[0], out=mixed)
        for shift, factor in ((30, _MIX[1]), (27, _MIX[2])):
            np.right_shift(mixed, np.uint64(shift), out=spare)
            mixed ^= spare
            mixed *= factor
        np.right_shift(mixed, np.uint64(31), out=spare)
        mixed ^= spare
        sums.append(mixed.sum(dtype=np.uint64))
    # an array's sum wraps modulo 2**64 (a sum of NumPy scalars warns of the overflow)
    return np.array(sums, dtype=np.uint64).sum(dtype=np.uint64)


def _columns(out: Path) -> dict[str, list[str]]:
    """Per period type, every column of its year files, in the order first met."""
    columns: dict[str, list[str]] = {}
    for ptype in TYPES:
        seen: dict[str, None] = {}
        for file in sorted((out / "facts" / ptype).glob("*.parquet")):
            seen.update(dict.fromkeys(pl.read_parquet_schema(file)))
        if seen:
            columns[ptype] = _in_frame_order(list(seen))
    return columns


def _in_frame_order(columns: list[str]) -> list[str]:
    """The wide frame's order: grid columns, variables, then certification columns."""
    certified = _cert_columns(columns)
    return [c for c in columns if c not in certified] + certified


def _formulas(inds: Sequence[Indicator], catalogue: Catalogue) -> Mapping[str, Any]:
    from gaoxin.engine.expr.namespace import Namespace
    from gaoxin.engine.facts import PARENTS, variable_names
    from gaoxin.engine.indicators import check_indicators, indicator_names

    names = {**variable_names(catalogue), **indicator_names(inds)}
    return check_indicators(inds, Namespace(names, dict(PARENTS)))


def _look_back(
    inds: Sequence[Indicator], shape: Mapping[str, Shape], catalogue: Catalogue
) -> dict[str, int]:
    """Per period type, how many periods back the catalogue's formulas read, through their
    dependencies (what ``indicators.compute`` will ask of the frame)."""
    from gaoxin.engine.indicators import look_back

    formulas = _formulas(inds, catalogue)
    return {t: look_back(formulas, PER_YEAR[t]) for t in shape}


def _reach_years(
    inds: Sequence[Indicator], shape: Mapping[str, Shape], catalogue: Catalogue
) -> dict[str, int]:
    """Per period type, how many years back the catalogue's formulas read: 5 for years (a
    five-year multiple), 1 for months (同比)."""
    return {t: -(-n // PER_YEAR[t]) for t, n in _look_back(inds, shape, catalogue).items()}


def _registry_hash(entities: pl.DataFrame, certs: pl.DataFrame) -> str:
    from gaoxin.engine.facts import content_hash

    return content_hash(
        [entities.sort(pl.all(), nulls_last=True), certs.sort(pl.all(), nulls_last=True)]
    )


def _year_files(root: Path, year: int, kinds: Sequence[str]) -> list[Path]:
    out: list[Path] = []
    for kind in kinds:
        if kind == "observations":
            out.extend(_observation_files(root, [year]))
        else:
            out.extend(p for p in (root / kind).rglob(f"{year}.parquet"))
    return out


def _observation_files(root: Path, years: Sequence[int]) -> list[Path]:
    return [f for y in years for f in sorted((root / "observations" / str(y)).glob("*.parquet"))]


def _write_meta(out: Path, meta: Mapping[str, Any]) -> None:
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")


def read_meta(root: Path) -> dict[str, Any] | None:
    path = root / "meta.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text("utf-8"))


def _years_wanted(meta: Mapping[str, Any], years: Iterable[int] | None) -> list[int]:
    have = sorted(int(y) for y in meta["years"])
    if years is None:
        return have
    wanted = set(years)
    return [y for y in have if y in wanted]


def _scan(root: Path, kind: str, years: Sequence[int]) -> list[Path]:
    return [p for y in years if (p := root / kind / f"{y}.parquet").is_file()]


def load_facts(
    root: Path,
    *,
    years: Iterable[int] | None = None,
    entities: Sequence[str] | None = None,
    blank: Sequence[str] = (),
    catalogue: Catalogue | None = None,
    types: Sequence[str] = TYPES,
    observations: bool = True,
    columns: Collection[str] | None = None,
) -> FactFrame:
    """The fact frame of a build (the years asked for; default all), as
    :func:`gaoxin.engine.facts.build_facts` gave it: rows sorted by kind, entity and period.

    ``entities``: only these entities' rows (a scope and its ancestors); ``blank``: entities
    whose rows are kept but whose observations are not (the ancestors above a scope: the
    store's reads never saw their values). ``observations=False``: the frame's long
    observations are left empty (they serve lineage only; the build's indicator values do not
    read them, and a year's observations at national scale are 20 M rows). ``columns``: only
    those of the wide frames' columns (the others are not read: the build's indicator step
    reads what :func:`gaoxin.engine.indicators.columns_read` names)."""
    from gaoxin.engine.facts import variable_names

    meta = read_meta(root)
    if meta is None:
        raise FileNotFoundError(root / "meta.json")
    catalogue = catalogue or default_catalogue()
    chosen = _years_wanted(meta, years)
    keep = pl.Series("entity", list(entities), dtype=pl.String) if entities is not None else None
    hidden = pl.Series("entity", list(blank), dtype=pl.String)
    variables = {v.code for v in catalogue}
    frames: dict[str, pl.DataFrame] = {}
    for ptype in types:
        files = _scan(root, f"facts/{ptype}", chosen)
        if not files:
            continue
        # A year without some variable has no column for it: every year gets every column the
        # build has (or those of them asked for), in the build's order, so that the years line
        # up as one frame.
        wanted = [c for c in meta["columns"][ptype] if columns is None or c in columns]
        parts = []
        for file in files:
            lazy = pl.scan_parquet(file)
            if columns is not None:
                lazy = lazy.select(c for c in lazy.collect_schema() if c in columns)
            if keep is not None:
                lazy = lazy.filter(pl.col("entity").is_in(keep.implode()))
            parts.append(_facts_read(lazy.collect()))
        frame = pl.concat(parts, how="diagonal_relaxed") if len(parts) > 1 else parts[0]
        frame = frame.with_columns(
            pl.lit(None, pl.Float64).alias(c) for c in wanted if c not in frame.columns
        ).select(wanted)
        if len(parts) > 1:
            frame = frame.sort("kind", "entity", "seq", maintain_order=True)
        if hidden.len():
            held = [c for c in frame.columns if c in variables]
            mask = pl.col("entity").is_in(hidden.implode())
            frame = frame.with_columns(pl.when(~mask).then(pl.col(c)).alias(c) for c in held)
        frames[ptype] = _categorical(frame)
    obs_files = _observation_files(root, chosen) if observations else []
    if obs_files:
        shown = None if keep is None else keep.filter(~keep.is_in(hidden.implode()))
        long = _scan_observations(obs_files, _registry(root), shown).collect()
    else:
        long = pl.DataFrame(schema=OBSERVATION_SCHEMA)
    long = long.with_columns(reported_on=pl.lit(None, pl.Date))
    ents = pl.read_parquet(root / "entities.parquet")
    if keep is not None:
        ents = ents.filter(pl.col("entity").is_in(keep.implode()))
    return FactFrame(
        frames=frames,
        observations=long,
        entities=ents,
        catalogue=catalogue,
        cert_kinds=tuple(meta["cert_kinds"]),
        built_at=datetime.fromisoformat(meta["built_at"]),
        input_hash=meta["input_hash"],
        names=variable_names(catalogue),
    )


def _categorical(frame: pl.DataFrame) -> pl.DataFrame:
    small = ["kind", "level", "category", "industry", "industry_section", "institution_kind"]
    return frame.with_columns(pl.col(c).cast(pl.Categorical) for c in small if c in frame.columns)


def load_indicators(
    root: Path,
    *,
    years: Iterable[int] | None = None,
    entities: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """The stored indicator values (entity, kind, period, indicator, value, missing), filtered
    to ``entities``, ``indicators`` and ``periods`` when given, in the files' order (years in
    turn); only ``columns`` when given. An indicator that :func:`not_computed` names for a
    period type has no cells of that type."""
    meta = read_meta(root)
    if meta is None:
        raise FileNotFoundError(root / "meta.json")
    if periods is not None and years is None:
        years = {int(p[:4]) for p in periods}
    files = _scan(root, "indicators", _years_wanted(meta, years))
    if not files:
        empty = pl.DataFrame(schema=INDICATOR_SCHEMA)
        return empty if columns is None else empty.select(columns)
    lazy = pl.scan_parquet(files)
    if indicators is not None:
        lazy = lazy.filter(pl.col("indicator").is_in(list(indicators)))
    if periods is not None:
        lazy = lazy.filter(pl.col("period").is_in(list(periods)))
    if columns is not None:
        lazy = lazy.select(
            list(dict.fromkeys([*columns, *(["entity"] if entities is not None else [])]))
        )
    if entities is None:
        return lazy.collect()
    # the entities' filter on the rows read, not in the scan: there a province's 29,055 codes
    # cost 3-4 times the read itself (scale 70, one indicator's year: 55-65 ms against 12-15
    # ms read and 5 ms filtered after; polars 2.1)
    kept = lazy.collect().filter(pl.col("entity").is_in(pl.Series(list(entities)).implode()))
    return kept if columns is None else kept.select(columns)


def not_computed(root: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Per period type, the indicators whose cells of that type the build at ``root`` has not
    computed because they are null on every row (a variable they read is absent from that
    type's frame), each with those variables: ``{"month": {"enterprise_tax_per_mu":
    ("land_area",)}}``. Empty for a build of an older layout (it stored those cells)."""
    meta = read_meta(root)
    if meta is None:
        raise FileNotFoundError(root / "meta.json")
    return {
        ptype: {code: tuple(variables) for code, variables in codes.items()}
        for ptype, codes in (meta.get("not_computed") or {}).items()
    }


def with_meta(facts: FactFrame, **changes: Any) -> FactFrame:
    return replace(facts, **changes)


class FrameSource:
    """A :class:`Source` over frames in memory: a synthetic jurisdiction
    (:meth:`from_synth`), the benchmark, the tests."""

    def __init__(
        self, entities: pl.DataFrame, observations: pl.DataFrame, certifications: pl.DataFrame
    ) -> None:
        obs = observations
        if "entity" not in obs.columns:
            obs = obs.rename({"entity_key": "entity"})
        self._entities, self._obs, self._certs = entities, obs, certifications

    @classmethod
    def from_synth(cls, j: Any) -> FrameSource:
        from gaoxin.engine.facts import synth_entities

        return cls(synth_entities(j), j.observations, j.certifications)

    def entities(self) -> pl.DataFrame:
        return self._entities

    def certifications(self) -> pl.DataFrame:
        return self._certs

    def periods(self) -> pl.DataFrame:
        firms = self._entities.filter(pl.col("kind") == "enterprise")["entity"]
        obs = as_text(self._obs.select("entity", "period"))  # the observations may be coded
        return (
            obs.group_by("period")
            .agg(enterprise=pl.col("entity").is_in(firms.implode()).any())
            .sort("period")
        )

    def observations(self, periods: Sequence[str]) -> pl.DataFrame:
        return self._obs.filter(pl.col("period").is_in(list(periods)))
