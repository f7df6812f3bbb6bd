"""Weights for the children of one node: explicit, equal, entropy (熵权法), CRITIC, AHP, PCA
(squared loadings, or COINr's signed loadings).

Data-driven weights are computed from the children's scores (units x children) and sum to 1.
"""

from __future__ import annotations

import numpy as np

# Saaty's random consistency index RI for n = 1..15 (Saaty 1980, The Analytic Hierarchy
# Process, table 1.7 as commonly reproduced; n = 11..15 from Saaty & Vargas 2012).
SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)
CR_LIMIT = 0.1


class AHPError(ValueError):
    """A judgement matrix that is malformed or not consistent enough; message in Chinese."""


def ahp(pairwise: list[list[float]] | np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Principal-eigenvector weights, lambda_max, CI and CR of a reciprocal judgement matrix."""
    A = np.asarray(pairwise, dtype=float)
    n = A.shape[0]
    if A.ndim != 2 or A.shape != (n, n) or n == 0:
        raise AHPError("判断矩阵必须是方阵")
    if (A <= 0).any() or not np.allclose(A * A.T, 1.0, rtol=1e-3):
        raise AHPError("判断矩阵须为正互反矩阵：a_ij > 0 且 a_ji = 1/a_ij")
    vals, vecs = np.linalg.eig(A)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = SAATY_RI[n - 1] if n <= len(SAATY_RI) else SAATY_RI[-1]
    cr = ci / ri if ri > 0 else 0.0
    return w, lam, ci, cr


def ahp_weights(pairwise: list[list[float]] | np.ndarray) -> np.ndarray:
    w, lam, ci, cr = ahp(pairwise)
    if cr >= CR_LIMIT:
        raise AHPError(
            f"判断矩阵一致性检验未通过：一致性比率 CR = {cr:.4f}（CI = {ci:.4f}，λmax = {lam:.4f}），"
            f"须小于 {CR_LIMIT}。请调整两两比较的判断后重试。"
        )
    return w


def equal_weights(k: int) -> np.ndarray:
    return np.full(k, 1.0 / k)


def entropy_weights(X: np.ndarray) -> np.ndarray:
    """熵权法: p_ij = x_ij / sum_i x_ij, e_j = -sum_i p_ij ln p_ij / ln n, w_j ∝ 1 - e_j.

    X must be non-negative scores (e.g. min-max normalised); missing cells are ignored.
    X is units x children, or a batch (..., units, children) giving (..., children) weights.
    """
    X = np.asarray(X, dtype=float)
    if (X[~np.isnan(X)] < 0).any():
        raise ValueError("熵权法要求非负的标准化数据")
    n = np.sum(~np.isnan(X), axis=-2)
    P = X / np.nansum(X, axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(P), 0.0)
        e = -np.nansum(plogp, axis=-2) / np.log(n)
    d = 1.0 - e
    return d / d.sum(axis=-1, keepdims=True)


def _complete_correlation(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviations (ddof 1) and the correlation matrix of the children over the units
    whose children are all present, batched over leading axes: (..., k) and (..., k, k)."""
    ok = ~np.isnan(X).any(axis=-1, keepdims=True)  # (..., units, 1)
    cnt = ok.sum(axis=-2, keepdims=True)  # (..., 1, 1)
    mean = np.where(ok, X, 0.0).sum(axis=-2, keepdims=True) / cnt
    D = np.where(ok, X - mean, 0.0)
    cov = np.einsum("...ij,...ik->...jk", D, D) / (cnt - 1)
    sd = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        R = cov / (sd[..., :, None] * sd[..., None, :])
    return sd, R


def critic_weights(X: np.ndarray) -> np.ndarray:
    """CRITIC (Diakoulaki et al. 1995): C_j = sigma_j * sum_k (1 - r_jk), w_j ∝ C_j.

    Over complete rows; X is units x children or a batch (..., units, children)."""
    sd, R = _complete_correlation(np.asarray(X, dtype=float))
    c = sd * (1.0 - R).sum(axis=-2)
    return c / c.sum(axis=-1, keepdims=True)


def pca_weights(X: np.ndarray) -> np.ndarray:
    """Squared loadings of the first principal component of the correlation matrix.

    The loadings vector has unit length, so the squared loadings sum to 1 (OECD/JRC
    Handbook 2008, step 6 uses squared factor loadings for the same purpose). Over complete
    rows; X is units x children or a batch (..., units, children).
    """
    _, R = _complete_correlation(np.asarray(X, dtype=float))
    vals, vecs = np.linalg.eigh(R)
    first = np.argmax(vals, axis=-1)[..., None, None]  # (..., 1, 1)
    v = np.take_along_axis(vecs, first, axis=-1)[..., 0]
    return v**2


def pca_signed_weights(X: np.ndarray) -> np.ndarray:
    """COINr's PCA weights (``get_PCA``: ``prcomp(...)$rotation[, 1]``): the first principal
    component's loadings of the correlation matrix, signed, unit length. A loading may be
    negative (COINr warns of it too). The eigenvector's sign is arbitrary (prcomp's as much as
    ours), so it is fixed here to make the loadings sum to a positive number. Over complete
    rows; X is units x children or a batch (..., units, children)."""
    _, R = _complete_correlation(np.asarray(X, dtype=float))
    vals, vecs = np.linalg.eigh(R)
    first = np.argmax(vals, axis=-1)[..., None, None]
    v = np.take_along_axis(vecs, first, axis=-1)[..., 0]
    return v * np.where(v.sum(axis=-1, keepdims=True) < 0, -1.0, 1.0)
