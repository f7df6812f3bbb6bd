"""The analytics tables built once for each set of inputs in a test run, not once for each test
that reads them (decision 074).

Every test has its own analytics directory (tests/conftest.py ``_analytics_root``), so a page or
service test that reads the tables builds them from nothing: a demo jurisdiction's build costs
1–4 s of CPU, and the tests of a module that share the demo's rows (tests/module_rows.py) built
the same tables again and again. :func:`memo_build` stands in for
:func:`gaoxin.engine.analytics.build_tables` for a whole build of the store
(:class:`gaoxin.statistics.analytics.StoreSource`, no earlier build, the default catalogue and
indicators). It reads from the source what a build reads — the registry, the periods and each
year's observations, in the build's order and with the build's queries — and keys them by their
bytes (Arrow IPC, with their types); the first build of a key runs in full and its directory is
kept, a later one copies that directory and writes the meta the build would write (its own
``extra``, the time now). The progress steps are said again, in order.

Left to the real build: a build over an earlier one (``previous``: the rebuild of the changed
years), another source, catalogue or indicators; a build while a test has replaced anything in
the build's modules (a smaller batch size, a stand-in function: what the test wants to run);
and every build of a test marked ``every_build`` (the tests of the build itself).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

from gaoxin.engine import analytics as tables
from gaoxin.engine import facts as engine_facts
from gaoxin.engine import indicators as engine_indicators
from gaoxin.engine import variables as engine_variables

#: The modules whose names the build reads: a test that replaces one of them runs its builds.
WATCHED: tuple[ModuleType, ...] = (tables, engine_facts, engine_indicators, engine_variables)


def _names(modules: Sequence[ModuleType]) -> dict[tuple[str, str], int]:
    """Each module's names and the objects they name (the memo's own stand-in left out)."""
    return {
        (m.__name__, k): id(v)
        for m in modules
        for k, v in vars(m).items()
        if (m, k) != (tables, "build_tables")
    }


class Memo:
    """The kept builds, in ``store`` (a directory for the run), by key."""

    def __init__(self, store: Path, real: Callable[..., tables.Built]) -> None:
        self.store = store
        self.real = real
        self.as_loaded = _names(WATCHED)
        self.kept: dict[str, tuple[dict[str, Any], tuple[int, ...], tuple[int, ...], list]] = {}
        self.hits = 0
        self.misses = 0
        self.passed = 0

    def build_tables(
        self,
        source: tables.Source,
        out: Path,
        *,
        previous: Path | None = None,
        changed: Any = None,
        extra: dict[str, Any] | None = None,
        catalogue: Any = None,
        indicators: Any = None,
        progress: Callable[..., None] = tables._noop,
    ) -> tables.Built:
        from gaoxin.statistics.analytics import StoreSource

        whole = previous is None and changed is None and catalogue is None and indicators is None
        if not (whole and type(source) is StoreSource and _names(WATCHED) == self.as_loaded):
            self.passed += 1
            return self.real(
                source,
                out,
                previous=previous,
                changed=changed,
                extra=extra,
                catalogue=catalogue,
                indicators=indicators,
                progress=progress,
            )
        read = _Read(source)
        key = read.key()
        kept = self.kept.get(key)
        if kept is not None:
            self.hits += 1
            for args, kwargs in kept[3]:
                progress(*args, **kwargs)
            return self._copied(key, out, extra, built_at=datetime.now(UTC).isoformat())
        self.misses += 1
        said: list[tuple[tuple, dict]] = []

        def saying(*args: Any, **kwargs: Any) -> None:
            said.append((args, kwargs))
            progress(*args, **kwargs)

        # built without ``extra`` into the store: the kept meta is the build's own, whatever
        # keys a later ``extra`` names (it goes into meta.json as it is, over the build's)
        try:
            done = self.real(read, self.store / key, progress=saying)
            read.check_all_read()
        except BaseException:
            shutil.rmtree(self.store / key, ignore_errors=True)
            raise
        self.kept[key] = (done.meta, done.rebuilt, done.linked, said)
        return self._copied(key, out, extra, built_at=done.meta["built_at"])

    def _copied(
        self, key: str, out: Path, extra: dict[str, Any] | None, *, built_at: str
    ) -> tables.Built:
        """The kept build of ``key`` copied to ``out``, with the meta the build would write."""
        base, rebuilt, linked, _ = self.kept[key]
        shutil.copytree(self.store / key, out)
        meta = {**base, "built_at": built_at, **(extra or {})}
        tables._write_meta(out, meta)
        return tables.Built(meta, rebuilt, linked)


def _bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return buffer.getvalue()


class _Read:
    """A source read ahead as the build reads it: the registry, the periods, then each year's
    observations of the periods the build asks for; the build is then handed these frames."""

    def __init__(self, source: tables.Source) -> None:
        self._entities = source.entities()
        self._certs = source.certifications()
        self._periods = source.periods()
        shape = tables.shapes(self._periods)
        years = tables.years_of(shape) if shape else []
        self._observations: list[tuple[list[str], pl.DataFrame]] = []
        for year in years:
            wanted = [p for ptype, s in shape.items() for p in tables.grid_periods(s, ptype, year)]
            self._observations.append((wanted, source.observations(wanted)))
        self._next = 0

    def key(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps(tables.LAYOUT).encode())
        # the periods as a set: the build reads only their sorted codes (tables.shapes), and
        # the store's group-by hands them over in any order
        parts = [self._entities, self._certs, self._periods.sort(pl.all())]
        for wanted, frame in self._observations:
            h.update(json.dumps(wanted, ensure_ascii=False).encode())
            parts.append(frame)
        for frame in parts:
            data = _bytes(frame)
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def entities(self) -> pl.DataFrame:
        return self._entities

    def certifications(self) -> pl.DataFrame:
        return self._certs

    def periods(self) -> pl.DataFrame:
        return self._periods

    def observations(self, periods: Sequence[str]) -> pl.DataFrame:
        wanted, frame = self._observations[self._next]
        if list(periods) != wanted:
            raise AssertionError(
                f"tests/analytics_memo.py: the build asked for {list(periods)}, read ahead {wanted}"
            )
        self._next += 1
        return frame

    def check_all_read(self) -> None:
        if self._next != len(self._observations):
            raise AssertionError(
                f"tests/analytics_memo.py: the build read {self._next} of "
                f"{len(self._observations)} years read ahead"
            )
