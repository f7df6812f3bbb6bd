"""Ranks, grades, rank changes, strengths and weaknesses."""

from __future__ import annotations

import numpy as np
import polars as pl

from gaoxin.engine.composite.spec import Grading


def min_ranks(key: np.ndarray, axis: int = -1) -> np.ndarray:
    """Ranks of ``key`` along ``axis``, 1 = smallest, ties sharing the lowest rank (R's and
    SciPy's ``"min"``), as floats. Through one sort, batched over the other axes; NumPy
    only, so that importing the engine does not load SciPy (about a second of start-up)."""
    k = np.moveaxis(np.asarray(key, dtype=float), axis, -1)
    # the order within a tie does not change a "min" rank, so the fastest sort will do
    order = np.argsort(k, axis=-1)
    srt = np.take_along_axis(k, order, axis=-1)
    n = k.shape[-1]
    pos = np.broadcast_to(np.arange(n), k.shape)
    new = np.ones(k.shape, dtype=bool)
    new[..., 1:] = srt[..., 1:] != srt[..., :-1]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)  # start of each tie group
    out = np.empty(k.shape)
    np.put_along_axis(out, order, first + 1.0, axis=-1)
    return np.moveaxis(out, -1, axis)


def rank_desc(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Rank 1 = highest score; tied units share the best rank ("min"); missing stays missing.

    Works on a batch: ranks are taken along ``axis`` (the units axis).
    """
    s = np.asarray(scores, dtype=float)
    r = min_ranks(np.where(np.isnan(s), np.inf, -s), axis=axis)
    return np.where(np.isnan(s), np.nan, r)


def rank_vetoed_last(scores: np.ndarray, vetoed: np.ndarray) -> np.ndarray:
    """Ranks by score (1 = highest, ties share the best) with every vetoed unit after every
    unit that is not vetoed, vetoed units in score order among themselves: a veto frees the
    unit's place for the next one (as it frees its grade quota)."""
    s = np.asarray(scores, dtype=float)
    vetoed = np.asarray(vetoed, dtype=bool)
    kept = rank_desc(np.where(vetoed, np.nan, s))
    after = np.sum(~np.isnan(s) & ~vetoed)
    last = rank_desc(np.where(vetoed, s, np.nan)) + after
    return np.where(vetoed, last, kept)


def rank_change(rank_now: np.ndarray, rank_before: np.ndarray) -> np.ndarray:
    """Places gained since the previous run (positive = moved up)."""
    return np.asarray(rank_before, dtype=float) - np.asarray(rank_now, dtype=float)


def grade(
    scores: np.ndarray, ranks: np.ndarray, g: Grading, n: np.ndarray | None = None
) -> list[str | None]:
    """Grades by score thresholds (first level whose min the score reaches) or by quotas.

    Quotas are cumulative shares from the top: a unit gets the first level with
    rank <= floor(top * n); tied units share a rank, so a tie straddling a boundary all
    take the better grade.
    """
    scores = np.asarray(scores, dtype=float)
    ranks = np.asarray(ranks, dtype=float)
    if n is None:  # quotas over all units; pass per-unit group sizes for quotas within groups
        n = np.full(len(scores), np.sum(~np.isnan(scores)))
    if g.method == "thresholds":
        conds = [scores >= lv.min for lv in g.levels]  # type: ignore[operator]
    else:
        conds = [ranks <= np.floor(lv.top * n + 1e-9) for lv in g.levels]  # type: ignore[operator]
    labels = np.array([lv.grade for lv in g.levels] + [g.rest], dtype=object)
    pick = np.select(conds, np.arange(len(g.levels)), default=len(g.levels))
    out = labels[pick]
    out[np.isnan(scores)] = None
    return out.tolist()


def strengths_weaknesses_idx(ranks: np.ndarray, n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each unit's n best and n worst indicators by its rank among units (COINr
    get_str_weak); ``ranks`` is units x indicators (1 = best), ties broken by framework order.
    Two units x n int arrays, -1 where a unit has fewer indicators."""
    k = min(n, ranks.shape[1])
    best = np.argsort(np.where(np.isnan(ranks), np.inf, ranks), axis=1, kind="stable")[:, :k]
    worst = np.argsort(-np.where(np.isnan(ranks), -np.inf, ranks), axis=1, kind="stable")[:, :k]
    have = np.arange(k)[None, :] < (~np.isnan(ranks)).sum(axis=1)[:, None]
    return np.where(have, best, -1), np.where(have, worst, -1)


def strengths_weaknesses(
    ranks: np.ndarray, codes: list[str], n: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`strengths_weaknesses_idx`, as units x n object arrays of codes (None where a
    unit has fewer indicators)."""
    names = np.array([*codes, None], dtype=object)  # position -1 is None
    best, worst = strengths_weaknesses_idx(ranks, n)
    return names[best], names[worst]


def join_codes(M: np.ndarray, sep: str = ";") -> pl.Series:
    """Rows of an object array of codes (None = nothing) joined into one string per row."""
    if M.shape[1] == 0:
        return pl.Series([""] * M.shape[0], dtype=pl.String)
    df = pl.DataFrame(
        {f"c{j}": pl.Series(M[:, j].tolist(), dtype=pl.String) for j in range(M.shape[1])}
    )
    return df.select(pl.concat_str(pl.all(), separator=sep, ignore_nulls=True))[:, 0].fill_null("")


def join_positions(P: np.ndarray, codes: list[str], sep: str = ";") -> pl.Series:
    """Rows of a units x n array of positions into ``codes`` (-1 = nothing) joined into one
    string per row: the codes are gathered by position, no Python string per cell."""
    if P.shape[1] == 0:
        return pl.Series([""] * P.shape[0], dtype=pl.String)
    names = pl.Series(codes, dtype=pl.String)
    cols = [
        names.gather(np.where(P[:, j] < 0, 0, P[:, j])).alias(f"c{j}") for j in range(P.shape[1])
    ]
    df = pl.DataFrame(cols).with_columns(
        pl.when(pl.Series(P[:, j] >= 0)).then(pl.col(f"c{j}")).alias(f"c{j}")
        for j in range(P.shape[1])
    )
    return df.select(pl.concat_str(pl.all(), separator=sep, ignore_nulls=True))[:, 0].fill_null("")
