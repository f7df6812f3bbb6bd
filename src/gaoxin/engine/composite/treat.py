"""Data treatment: imputation of missing values and outlier treatment, each with a report.

The outlier treatment is COINr's default (``Treat()`` with ``winsorise`` then ``log_CT``):
an indicator is treated only when |skewness| > 2 and kurtosis > 3.5, both by the "type 2"
sample estimators (as Excel's SKEW and KURT compute them, e1071 type 2, scipy ``bias=False``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# -- moments --------------------------------------------------------------------------------


def skew(x: np.ndarray, axis: int = 0) -> np.ndarray | float:
    """Sample skewness, type 2 (Excel SKEW): sqrt(n(n-1))/(n-2) * m3 / m2^1.5, NaNs ignored."""
    x = np.asarray(x, dtype=float)
    n = np.sum(~np.isnan(x), axis=axis)
    d = x - np.nanmean(x, axis=axis, keepdims=True)
    m2 = np.nansum(d**2, axis=axis)
    m3 = np.nansum(d**3, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        g1 = np.sqrt(n) * m3 / m2**1.5
        return g1 * np.sqrt(n * (n - 1.0)) / (n - 2.0)


def kurt(x: np.ndarray, axis: int = 0) -> np.ndarray | float:
    """Sample excess kurtosis, type 2 (Excel KURT), NaNs ignored."""
    x = np.asarray(x, dtype=float)
    n = np.sum(~np.isnan(x), axis=axis).astype(float)
    d = x - np.nanmean(x, axis=axis, keepdims=True)
    m2 = np.nansum(d**2, axis=axis)
    m4 = np.nansum(d**4, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * m4 / m2**2
        return ((n + 1.0) * (r - 3.0) + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))


def passes(x: np.ndarray, skew_thresh: float = 2.0, kurt_thresh: float = 3.5) -> bool:
    """COINr's check_SkewKurt: pass when |skew| < threshold OR kurtosis < threshold.

    An undefined moment (a constant column) counts as a pass: COINr returns the column untreated.
    """
    s, k = float(skew(x)), float(kurt(x))
    if np.isnan(s) or np.isnan(k):
        return True
    return bool(abs(s) < skew_thresh or k < kurt_thresh)


# -- outlier treatment ----------------------------------------------------------------------


@dataclass
class Treatment:
    """What was done to one indicator."""

    indicator: str
    skew_before: float
    kurt_before: float
    # "pass" (untouched), "skipped" (treatment off for it), "winsorised", "log",
    # "log_fails" (log applied, still fails)
    status: str
    winsorised_high: list[int] = field(default_factory=list)  # row positions, in order treated
    winsorised_low: list[int] = field(default_factory=list)
    skew_after: float = float("nan")
    kurt_after: float = float("nan")
    # rows COINr's Treated_Points marks "winhi" / "winlo": its winsorise()'s latest tie group on
    # each side; kept also when the winsorisation failed and log_CT replaced it ("winhi+log_CT")
    marked_high: list[int] = field(default_factory=list)
    marked_low: list[int] = field(default_factory=list)

    def points(self, n: int) -> list[str]:
        """COINr's ``Treated_Points`` for this indicator, one string per row: ``winhi``/``winlo``
        where winsorised; after a log fallback ``winhi+log_CT``/``winlo+log_CT`` on the points the
        failed winsorisation touched and ``+log_CT`` on every other row (COINr pastes its two
        marks with "+" even when the first is empty); ``""`` where untouched."""
        first = [""] * n
        for i in self.marked_high:
            first[i] = "winhi"
        for i in self.marked_low:
            first[i] = "winlo"
        if self.status in ("log", "log_fails"):
            return [f"{m}+log_CT" for m in first]
        return first


def winsorise(
    x: np.ndarray,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    count: str = "coinr",
) -> tuple[np.ndarray, list[int], list[int]]:
    """:func:`winsorise_marked` without COINr's marks."""
    w, high, low, _, _ = winsorise_marked(x, winmax, skew_thresh, kurt_thresh, count)
    return w, high, low


def winsorise_marked(
    x: np.ndarray,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    count: str = "coinr",
) -> tuple[np.ndarray, list[int], list[int], list[int], list[int]]:
    """Winsorise one extreme value (or one tie group) at a time until the column passes.

    Each step looks at the current skew: if >= 0 the maximum (all rows tied at it) is set to
    the largest remaining value, else the minimum to the smallest remaining one.
    ``count="coinr"`` stops like COINr's winsorise(): its counter is
    ``length(imax) + length(imin)`` of the *latest* high and low tie groups, so without
    ties that is the number of distinct points winsorised so far on that side (each step
    joins the previous maximum to the new one), but it differs when the skew changes side
    or the data have ties. ``count="points"`` stops after winmax distinct points in total,
    as COINr's documentation describes. Returns the values, the rows winsorised high and low
    (each once, in the order first treated) and the rows COINr marks ``winhi`` and ``winlo``:
    the latest high and low tie groups (its ``treated[imax] <- "winhi"``), which hold every
    point winsorised on that side while the skew keeps its side.
    """
    x = np.array(x, dtype=float)
    high: list[int] = []
    low: list[int] = []
    last_hi: list[int] = []
    last_lo: list[int] = []
    nwin = 0
    ok = passes(x, skew_thresh, kurt_thresh)
    present = ~np.isnan(x)
    while not ok and nwin < winmax:
        if skew(x) >= 0:
            top = np.nanmax(x)
            idx = np.flatnonzero(present & (x == top))
            rest = x[present & (x != top)]
            if rest.size == 0:
                break
            x[idx] = rest.max()
            last_hi = idx.tolist()
            high.extend(i for i in last_hi if i not in high)
        else:
            bottom = np.nanmin(x)
            idx = np.flatnonzero(present & (x == bottom))
            rest = x[present & (x != bottom)]
            if rest.size == 0:
                break
            x[idx] = rest.min()
            last_lo = idx.tolist()
            low.extend(i for i in last_lo if i not in low)
        nwin = len(last_hi) + len(last_lo) if count == "coinr" else len(high) + len(low)
        ok = passes(x, skew_thresh, kurt_thresh)
    return x, high, low, last_hi, last_lo


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's log_CT: log(x - min + 0.01 * (max - min))."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


def treat_matrix(
    X: np.ndarray,
    codes: list[str],
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    count: str = "coinr",
    skip: list[bool] | None = None,
) -> tuple[np.ndarray, list[Treatment]]:
    """COINr's default two-stage treatment, column by column (the work inside is vectorised).

    Columns flagged in ``skip`` are reported with status "skipped" and left as they are."""
    out = np.array(X, dtype=float)
    s0 = np.atleast_1d(skew(X))
    k0 = np.atleast_1d(kurt(X))
    report: list[Treatment] = []
    for j, code in enumerate(codes):
        t = Treatment(code, float(s0[j]), float(k0[j]), "pass")
        col = X[:, j]
        if skip is not None and skip[j]:
            t.status = "skipped"
        elif not passes(col, skew_thresh, kurt_thresh):
            w, hi, lo, last_hi, last_lo = winsorise_marked(
                col, winmax, skew_thresh, kurt_thresh, count
            )
            t.marked_high, t.marked_low = last_hi, last_lo
            if passes(w, skew_thresh, kurt_thresh):
                out[:, j] = w
                t.status, t.winsorised_high, t.winsorised_low = "winsorised", hi, lo
            else:
                # COINr applies f2 to the original values, not to the winsorised ones
                out[:, j] = log_ct(col)
                t.status = "log" if passes(out[:, j], skew_thresh, kurt_thresh) else "log_fails"
        t.skew_after = float(skew(out[:, j]))
        t.kurt_after = float(kurt(out[:, j]))
        report.append(t)
    return out, report


# -- imputation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Imputed:
    row: int
    indicator: str
    value: float
    method: str


@dataclass(frozen=True)
class ImputedCells:
    """Every filled cell, held as arrays (a run over 200,000 units may fill 60,000 cells):
    ``rows``, ``cols`` (positions in ``codes``) and ``values``, in row-major order. Iterating
    gives :class:`Imputed` records."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    codes: tuple[str, ...]
    method: str

    def __len__(self) -> int:
        return int(self.rows.size)

    def __iter__(self):  # noqa: ANN204
        for r, c, v in zip(
            self.rows.tolist(), self.cols.tolist(), self.values.tolist(), strict=True
        ):
            yield Imputed(r, self.codes[c], v, self.method)

    def __getitem__(self, i: int) -> Imputed:
        return Imputed(
            int(self.rows[i]), self.codes[int(self.cols[i])], float(self.values[i]), self.method
        )

    @classmethod
    def none(cls, codes: list[str], method: str) -> ImputedCells:
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, np.zeros(0), tuple(codes), method)


def impute_matrix(
    X: np.ndarray,
    codes: list[str],
    method: str,
    groups: np.ndarray | None = None,
    history: np.ndarray | None = None,
) -> tuple[np.ndarray, ImputedCells]:
    """Fill missing values; return the filled matrix and one record per filled cell.

    ``group_mean``/``group_median`` use the unit's group (COINr ``i_mean_grp``/``i_median_grp``:
    the statistic of the group's present values, missing stays missing when the whole group
    is missing); ``mean``/``median`` the whole column; ``last`` the last observed value, from
    ``history`` (a units x indicators x periods array, most recent period first).
    """
    X = np.array(X, dtype=float)
    miss = np.isnan(X)
    if method == "none" or not miss.any():
        return X, ImputedCells.none(codes, method)
    fill = np.full_like(X, np.nan)
    if method in ("mean", "median"):
        f = np.nanmean if method == "mean" else np.nanmedian
        with np.errstate(all="ignore"):
            stat = f(X, axis=0) if (~miss).any(axis=0).all() else _safe(f, X)
        fill[:] = stat[None, :]
    elif method in ("group_mean", "group_median"):
        if groups is None:
            raise ValueError("group imputation needs groups")
        f = np.nanmean if method == "group_mean" else np.nanmedian
        for g in np.unique(groups):  # a loop over groups (a handful), not over units
            rows = groups == g
            fill[rows] = _safe(f, X[rows])[None, :]
    elif method == "last":
        if history is not None:
            for k in range(history.shape[2]):  # over periods, most recent first
                fill = np.where(np.isnan(fill), history[:, :, k], fill)
    else:
        raise ValueError(f"unknown imputation {method!r}")
    out = np.where(miss, fill, X)
    rows, cols = np.nonzero(miss & ~np.isnan(out))
    return out, ImputedCells(rows, cols, out[rows, cols], tuple(codes), method)


def _safe(f, X: np.ndarray) -> np.ndarray:
    """Column statistic, NaN for an all-missing column, without a RuntimeWarning."""
    res = np.full(X.shape[1], np.nan)
    have = (~np.isnan(X)).any(axis=0)
    if have.any():
        res[have] = f(X[:, have], axis=0)
    return res
