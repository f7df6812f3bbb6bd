"""Aggregation of children scores into a parent score, batched over any leading axes.

``X`` has shape (..., units, children) and ``w`` (..., children); missing children are left
out and the weights renormalised over the children present (as COINr's a_amean does).
"""

from __future__ import annotations

import numpy as np


def _present_weights(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    W = np.broadcast_to(w[..., None, :], X.shape)
    W = np.where(np.isnan(X), 0.0, W)
    return W, W.sum(axis=-1)


def arithmetic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    W, tot = _present_weights(X, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, np.nansum(W * np.nan_to_num(X), axis=-1) / tot, np.nan)


def geometric(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean; NaN for a unit with a child score <= 0 (log undefined)."""
    W, tot = _present_weights(X, w)
    bad = (np.nan_to_num(X, nan=1.0) <= 0).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        L = np.where(np.isnan(X) | (X <= 0), 0.0, np.log(np.where(X > 0, X, 1.0)))
        g = np.exp((W * L).sum(axis=-1) / tot)
    return np.where(bad | (tot == 0), np.nan, g)


def harmonic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    W, tot = _present_weights(X, w)
    bad = (np.nan_to_num(X, nan=1.0) <= 0).any(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = tot / (W / np.where(np.isnan(X) | (X <= 0), 1.0, X)).sum(axis=-1)
    return np.where(bad | (tot == 0), np.nan, h)


def topsis(X: np.ndarray, w: np.ndarray, scale: float = 100.0) -> np.ndarray:
    """TOPSIS closeness to the ideal, times ``scale``; all children already oriented "more is better".

    r_ij = x_ij / sqrt(sum_i x_ij^2), v_ij = w_j r_ij, D+ and D- the Euclidean distances to the
    column maxima and minima of v, score = D- / (D+ + D-).
    """
    W, tot = _present_weights(X, w)
    Wn = W / np.where(tot > 0, tot, 1.0)[..., None]
    norm = np.sqrt(np.nansum(X**2, axis=-2, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        V = Wn * np.where(norm > 0, X / norm, 0.0)
    best = np.nanmax(V, axis=-2, keepdims=True)
    worst = np.nanmin(V, axis=-2, keepdims=True)
    dp = np.sqrt(np.nansum((V - best) ** 2, axis=-1))
    dm = np.sqrt(np.nansum((V - worst) ** 2, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(dp + dm > 0, dm / (dp + dm), 1.0)
    return np.where(tot > 0, scale * c, np.nan)


METHODS = {"arithmetic": arithmetic, "geometric": geometric, "harmonic": harmonic, "topsis": topsis}


def aggregate(X: np.ndarray, w: np.ndarray, method: str) -> np.ndarray:
    return METHODS[method](np.asarray(X, dtype=float), np.asarray(w, dtype=float))
