"""Ranks, grades, rank changes, strengths and weaknesses."""

from __future__ import annotations

import numpy as np
import polars as pl

from gaoxin.engine.composite.spec import Grading


def min_ranks(key: np.ndarray, axis: int = -1) -> np.ndarray:
    """Ranks of ``key`` along ``axis``, 1 = smallest, ties sharing the lowest rank (R's and
    SciPy's ``"min"``), as floats. Through one sort, batched over the other axes; NumPy
    only, so that importing the engine does not load SciPy (about a second of start-up)."""
    # every batch a contiguous row, gathered and scattered through flat indices: along a
    # strided axis (the units of a units x nodes matrix), or through take_along_axis's
    # broadcast index tuples, the same work cost 40 % more
    k = np.ascontiguousarray(np.moveaxis(np.asarray(key, dtype=float), axis, -1))
    shape, n = k.shape, k.shape[-1]
    if k.size == 0:
        return np.moveaxis(np.empty(shape), -1, axis)
    rows = k.reshape(-1, n)
    # the order within a tie does not change a "min" rank, so the fastest sort will do
    order = np.argsort(rows, axis=-1)
    order += (np.arange(rows.shape[0]) * n)[:, None]
    srt = rows.ravel()[order]
    new = np.ones(srt.shape, dtype=bool)
    np.not_equal(srt[:, 1:], srt[:, :-1], out=new[:, 1:])
    first = np.where(new, np.arange(1.0, n + 1.0), 0.0)  # rank of the start of each tie group
    np.maximum.accumulate(first, axis=-1, out=first)
    out = np.empty(rows.size)
    out[order.ravel()] = first.ravel()
    return np.moveaxis(out.reshape(shape), -1, axis)


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
    # each part ranked on its own units (not the whole length with the other part masked):
    # without a veto that is one sort instead of two
    out = np.empty(s.shape)
    out[~vetoed] = rank_desc(s[~vetoed])
    if vetoed.any():
        out[vetoed] = rank_desc(s[vetoed]) + np.sum(~np.isnan(s) & ~vetoed)
    return out


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
    ranks = np.ascontiguousarray(ranks, dtype=float)  # argmin along a contiguous row
    k = min(n, ranks.shape[1])
    have = np.arange(k)[None, :] < (~np.isnan(ranks)).sum(axis=1)[:, None]
    # n picks of the first minimum each (argmin takes the first of a tie: framework order),
    # not a sort of every row: n is 3, the indicators are dozens, the units 200,000
    best = _first_minima(np.where(np.isnan(ranks), np.inf, ranks), k)
    worst = _first_minima(np.where(np.isnan(ranks), np.inf, -ranks), k)
    return np.where(have, best, -1), np.where(have, worst, -1)


def _first_minima(key: np.ndarray, k: int) -> np.ndarray:
    """Per row, the positions of the k smallest keys, smallest first, ties in column order (a
    stable sort's first k). A position taken becomes +inf, like a missing one: a row's positions
    beyond its finite keys are masked by the caller."""
    key = key.copy()
    rows = np.arange(key.shape[0])
    out = np.empty((key.shape[0], k), dtype=np.intp)
    for j in range(k):
        out[:, j] = pick = np.argmin(key, axis=1)
        key[rows, pick] = np.inf
    return out


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
    string per row. A row is one integer in base len(codes) + 1; each distinct row (a few
    hundred among 200,000 units) is joined once and gathered, no Python string per unit."""
    P = np.asarray(P, dtype=np.int64)
    if P.shape[1] == 0:
        return pl.Series([""] * P.shape[0], dtype=pl.String)
    base = len(codes) + 1
    key = (P + 1) @ (base ** np.arange(P.shape[1] - 1, -1, -1, dtype=np.int64))
    if base ** P.shape[1] <= 1 << 24:  # a table over every possible row, no sort
        seen = np.zeros(base ** P.shape[1], dtype=bool)
        seen[key] = True
        distinct = np.flatnonzero(seen)
        slot = np.zeros(seen.size, dtype=np.int64)
        slot[distinct] = np.arange(distinct.size)
        inverse = slot[key]
    else:
        distinct, inverse = np.unique(key, return_inverse=True)
    digits = (distinct[:, None] // base ** np.arange(P.shape[1] - 1, -1, -1)) % base - 1
    texts = [sep.join(codes[p] for p in row if p >= 0) for row in digits.tolist()]
    return pl.Series(texts, dtype=pl.String).gather(inverse)
