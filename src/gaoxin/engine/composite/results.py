"""Ranks, grades, rank changes, strengths and weaknesses."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata

from gaoxin.engine.composite.spec import Grading


def rank_desc(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Rank 1 = highest score; tied units share the best rank ("min"); missing stays missing.

    Works on a batch: ranks are taken along ``axis`` (the units axis).
    """
    s = np.asarray(scores, dtype=float)
    r = rankdata(np.where(np.isnan(s), np.inf, -s), method="min", axis=axis).astype(float)
    return np.where(np.isnan(s), np.nan, r)


def rank_change(rank_now: np.ndarray, rank_before: np.ndarray) -> np.ndarray:
    """Places gained since the previous run (positive = moved up)."""
    return np.asarray(rank_before, dtype=float) - np.asarray(rank_now, dtype=float)


def grade(scores: np.ndarray, ranks: np.ndarray, g: Grading) -> list[str | None]:
    """Grades by score thresholds (first level whose min the score reaches) or by quotas.

    Quotas are cumulative shares from the top: a unit gets the first level with
    rank <= floor(top * n); tied units share a rank, so a tie straddling a boundary all
    take the better grade.
    """
    scores = np.asarray(scores, dtype=float)
    ranks = np.asarray(ranks, dtype=float)
    n = int(np.sum(~np.isnan(scores)))
    if g.method == "thresholds":
        conds = [scores >= lv.min for lv in g.levels]  # type: ignore[operator]
    else:
        conds = [ranks <= math.floor(lv.top * n + 1e-9) for lv in g.levels]  # type: ignore[operator]
    labels = np.array([lv.grade for lv in g.levels] + [g.rest], dtype=object)
    pick = np.select(conds, np.arange(len(g.levels)), default=len(g.levels))
    out = labels[pick]
    out[np.isnan(scores)] = None
    return out.tolist()


def strengths_weaknesses(
    ranks: np.ndarray, codes: list[str], n: int = 3
) -> tuple[list[list[str]], list[list[str]]]:
    """Each unit's n best and n worst indicators by its rank among units (COINr get_str_wk).

    ``ranks`` is units x indicators (1 = best); ties broken by framework order.
    """
    R = np.where(np.isnan(ranks), np.inf, ranks)
    order = np.argsort(R, axis=1, kind="stable")
    Rw = np.where(np.isnan(ranks), -np.inf, ranks)
    worst = np.argsort(-Rw, axis=1, kind="stable")
    cnt = (~np.isnan(ranks)).sum(axis=1)
    strong = [[codes[j] for j in order[i, : min(n, cnt[i])]] for i in range(R.shape[0])]
    weak = [[codes[j] for j in worst[i, : min(n, cnt[i])]] for i in range(R.shape[0])]
    return strong, weak
