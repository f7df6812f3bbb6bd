"""Scoring rules: one indicator's values (a column over all units) to scores.

Every rule is vectorised over units; missing values stay missing. ``direction`` is 1 when more
is better and -1 when less is better.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gaoxin.engine.composite.results import min_ranks
from gaoxin.engine.composite.spec import Scoring


def _span(x: np.ndarray) -> tuple[float, float]:
    if np.isnan(x).all():
        return float("nan"), float("nan")
    return float(np.nanmin(x)), float(np.nanmax(x))


def _unit_interval(x: np.ndarray) -> np.ndarray:
    lo, hi = _span(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - lo) / (hi - lo) if hi > lo else np.full_like(x, np.nan)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1 = smallest, ties at the lowest rank (COINr n_rank, ``ties.method = "min"``),
    missing values left missing."""
    out = np.full_like(x, np.nan)
    ok = ~np.isnan(x)
    out[ok] = min_ranks(x[ok])
    return out


def score_column(x: np.ndarray, direction: int, s: Scoring) -> np.ndarray:
    """Score one column. See docs/evaluation.md for each formula."""
    x = np.asarray(x, dtype=float)
    m = s.method
    if m == "none":
        return x.copy()
    if m in ("minmax", "efficacy"):
        low, high = (s.low, s.high) if m == "minmax" else (s.base, s.base + s.span)
        return low + (high - low) * _unit_interval(direction * x)
    if m == "zscore":  # COINr n_zscore: (y - mean) / sd * m_sd[2] + m_sd[1]
        y = direction * x
        with np.errstate(invalid="ignore", divide="ignore"):
            return (y - np.nanmean(y)) / np.nanstd(y, ddof=1) * s.sd + s.mean
    if m == "rank":  # 1 = worst ... n = best; ties share the lowest rank (COINr n_rank: "min")
        return _ranks(direction * x)
    if m == "percentile":  # COINr n_prank times 100: (rank_min - 1) / (n - 1)
        r = _ranks(direction * x)
        n = np.sum(~np.isnan(x))
        with np.errstate(invalid="ignore", divide="ignore"):
            return 100.0 * (r - 1.0) / (n - 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if m == "ratio_to_max":
            if direction == 1 or s.negative == "coinr":  # COINr n_fracmax of direction * x
                y = direction * x
                return s.scale * y / np.nanmax(y)
            return s.scale * np.nanmin(x) / x
        if m == "distance_to_best":
            lo, hi = _span(x)
            best = hi if direction == 1 else lo
            # relative to the best value; where the best is 0 that is undefined, so relative
            # to the range instead (COINr n_dist2max: 1 - (max - x) / (max - min))
            ref = abs(best) if best != 0 else hi - lo
            return s.scale * (1.0 - np.abs(x - best) / ref)
        if m == "distance_to_target":  # COINr n_dist2targ; capped at full marks unless cap_max
            lo, hi = _span(x)
            t = float(s.target)  # type: ignore[arg-type]
            frac = (x - lo) / (t - lo) if direction == 1 else (hi - x) / (hi - t)
            return s.scale * (np.clip(frac, 0.0, 1.0) if s.cap_max else frac)
        if m == "goalposts":
            frac = (x - s.worst) / (s.best - s.worst)  # type: ignore[operator]
            return s.scale * np.clip(frac, 0.0, 1.0)
        if m == "threshold":
            t = float(s.target)  # type: ignore[arg-type]
            if direction == 1:
                return s.scale * np.where(x >= t, 1.0, np.clip(x / t, 0.0, 1.0))
            return s.scale * np.where(x <= t, 1.0, np.clip(t / x, 0.0, 1.0))
        if m == "capped":
            t = float(s.target)  # type: ignore[arg-type]
            ratio = x / t if direction == 1 else t / x
            return s.scale * np.minimum(ratio, s.cap)
    raise ValueError(f"unknown scoring method {m!r}")


def score_matrix(
    X: np.ndarray, directions: Sequence[int], scorings: Sequence[Scoring]
) -> np.ndarray:
    """Score every column of a units x indicators matrix (a loop over indicators, not units)."""
    out = np.empty_like(np.asarray(X, dtype=float))
    for j, (d, s) in enumerate(zip(directions, scorings, strict=True)):
        out[:, j] = score_column(X[:, j], d, s)
    return out
