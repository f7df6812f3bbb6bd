"""Polars' allocator as gaoxin sets it (decision 088): jemalloc reads the setting when Polars
loads, so it is checked in a fresh interpreter, with jemalloc's own statistics."""

import os
import subprocess
import sys

# import gaoxin first, as every entry point does, then ask jemalloc to print its options at exit
PROBE = (
    "import os, gaoxin; "
    "os.environ['_RJEM_MALLOC_CONF'] += ',stats_print:true'; "
    "import polars as pl; pl.DataFrame({'a': [1]})"
)


def _options(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout + done.stderr


def _env(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    return {**env, **changes}


def test_gaoxin_sets_the_decay_before_polars_loads() -> None:
    out = _options(_env())
    assert "Invalid conf" not in out
    assert "opt.dirty_decay_ms: 10000" in out
    assert "opt.muzzy_decay_ms: 10000" in out
    assert "opt.background_thread: true" in out  # Polars' own, kept: memory still goes back


def test_a_deployments_own_setting_wins() -> None:
    out = _options(_env(_RJEM_MALLOC_CONF="dirty_decay_ms:2000"))
    assert "opt.dirty_decay_ms: 2000" in out
    assert "opt.muzzy_decay_ms: 1000" in out  # Polars' build default, untouched
