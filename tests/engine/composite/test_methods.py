"""Each scoring, weighting and aggregation method against a hand calculation."""

import math

import numpy as np
import pytest

from gaoxin.engine.composite import aggregate as agg
from gaoxin.engine.composite import weights as wts
from gaoxin.engine.composite.normalise import score_column
from gaoxin.engine.composite.results import grade, rank_desc, strengths_weaknesses
from gaoxin.engine.composite.spec import GradeLevel, Grading, Scoring
from gaoxin.engine.composite.treat import impute_matrix, log_ct, winsorise

x = np.array([2.0, 4.0, 6.0, 10.0])


def S(**kw):
    return Scoring(**kw)


# -- scoring -------------------------------------------------------------------------------


def test_minmax_any_range_and_direction():
    np.testing.assert_allclose(score_column(x, 1, S(low=0, high=100)), [0, 25, 50, 100])
    np.testing.assert_allclose(score_column(x, -1, S(low=1, high=10)), [10, 7.75, 5.5, 1])


def test_efficacy_coefficient_60_40():
    # 功效系数法: 60 + 40 (x - min) / (max - min)
    np.testing.assert_allclose(score_column(x, 1, S(method="efficacy")), [60, 70, 80, 100])


def test_jingde_county_20_80_formula():
    # 旌德县 2022 亩均评价: 单项得分 = 权重 × [20 + 80 × (x − min)/(max − min)] / 100 (ahjd.gov.cn, domain notes §4.3)
    weight = 30
    got = score_column(x, 1, S(method="efficacy", base=20, span=80)) * weight / 100
    np.testing.assert_allclose(got, [weight * (20 + 80 * (v - 2) / 8) / 100 for v in x])


def test_huangyan_ratio_to_benchmark():
    # 黄岩区 2022: 亩均税收 score = value / 24.097 × 30 (uncapped; chacewang.com, domain notes §4.2)
    v = np.array([12.0, 24.097, 48.194])
    got = score_column(v, 1, S(method="capped", target=24.097, scale=30, cap=math.inf))
    np.testing.assert_allclose(got, [12 / 24.097 * 30, 30, 60])


def test_capped_at_120_percent():
    got = score_column(
        np.array([50.0, 100, 200]), 1, S(method="capped", target=100, scale=10, cap=1.2)
    )
    np.testing.assert_allclose(got, [5, 10, 12])


def test_zscore_rank_percentile():
    np.testing.assert_allclose(
        score_column(x, 1, S(method="zscore")), (x - 5.5) / np.std(x, ddof=1)
    )
    np.testing.assert_allclose(
        score_column(np.array([1.0, 3, 3, 7]), 1, S(method="rank")), [1, 2, 2, 4]
    )
    np.testing.assert_allclose(
        score_column(np.array([1.0, 3, 3, 7]), 1, S(method="percentile")),
        [0, 100 / 3, 100 / 3, 100],
    )


def test_ratio_to_max_target_best_goalposts_threshold():
    np.testing.assert_allclose(score_column(x, 1, S(method="ratio_to_max", scale=20)), x / 10 * 20)
    np.testing.assert_allclose(score_column(x, -1, S(method="ratio_to_max", scale=1)), 2 / x)
    np.testing.assert_allclose(
        score_column(x, 1, S(method="distance_to_target", target=6)), [0, 50, 100, 100]
    )
    np.testing.assert_allclose(
        score_column(x, 1, S(method="distance_to_best")), 100 * (1 - (10 - x) / 10)
    )
    np.testing.assert_allclose(
        score_column(x, 1, S(method="goalposts", worst=3, best=7, scale=1)), [0, 0.25, 0.75, 1]
    )
    np.testing.assert_allclose(
        score_column(x, 1, S(method="threshold", target=5, scale=10)), [4, 8, 10, 10]
    )
    np.testing.assert_allclose(
        score_column(x, -1, S(method="threshold", target=5, scale=10)), [10, 10, 10 * 5 / 6, 5]
    )


def test_missing_stays_missing():
    got = score_column(np.array([1.0, np.nan, 3.0]), 1, S())
    assert np.isnan(got[1]) and got[0] == 0 and got[2] == 100


# -- treatment ----------------------------------------------------------------------------


def test_coinr_vignette_winsorise_example():
    # the vector of COINr's vignette("treat"): x = c(1:10, 30, 100). By hand (scipy, bias=False):
    # skew 3.063, kurtosis 9.741 -> fails; 100 -> 30 gives skew 1.712 < 2 -> passes.
    v = np.array([*range(1, 11), 30.0, 100.0])
    w, hi, lo = winsorise(v)
    assert hi == [11] and lo == []
    np.testing.assert_allclose(w, [*range(1, 11), 30.0, 30.0])


def test_log_ct():
    v = np.array([1.0, 2.0, 11.0])
    np.testing.assert_allclose(log_ct(v), np.log(v - 1 + 0.1))


def test_impute_group_median_and_last():
    X = np.array([[1.0], [np.nan], [5.0], [7.0], [np.nan]])
    g = np.array(["a", "a", "a", "b", "b"])
    out, rep = impute_matrix(X, ["x"], "group_median", g)
    assert out[1, 0] == 3.0 and out[4, 0] == 7.0 and len(rep) == 2
    hist = np.array([[[9.0, 1]], [[np.nan, 2]], [[9, 9]], [[9, 9]], [[np.nan, np.nan]]])
    out, rep = impute_matrix(X, ["x"], "last", history=hist)
    assert out[1, 0] == 2.0 and np.isnan(out[4, 0]) and [r.row for r in rep] == [1]


# -- weights ------------------------------------------------------------------------------


def test_ahp_consistent_matrix_recovers_weights():
    w = np.array([0.5, 0.3, 0.2])
    A = w[:, None] / w[None, :]
    got, lam, ci, cr = wts.ahp(A)
    np.testing.assert_allclose(got, w)
    assert lam == pytest.approx(3) and cr == pytest.approx(0, abs=1e-12)


def test_ahp_cr_by_power_iteration_and_saaty_ri():
    A = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    v = np.ones(3)
    for _ in range(200):
        v = A @ v
        v /= v.sum()
    lam = float(np.mean((A @ v) / v))
    w, lam_got, ci, cr = wts.ahp(A)
    np.testing.assert_allclose(w, v, rtol=1e-9)
    assert lam_got == pytest.approx(lam)
    assert cr == pytest.approx((lam - 3) / 2 / 0.58)  # Saaty RI(3) = 0.58
    assert wts.SAATY_RI[:10] == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def test_entropy_weights_by_hand():
    X = np.array([[1.0, 2.0], [2.0, 2.0], [3.0, 4.0]])
    k = 1 / math.log(3)
    e = []
    for j in range(2):
        col = X[:, j]
        p = col / col.sum()
        e.append(-k * sum(pi * math.log(pi) for pi in p))
    d = [1 - ej for ej in e]
    np.testing.assert_allclose(wts.entropy_weights(X), [di / sum(d) for di in d])


def test_critic_weights_by_hand():
    X = np.array([[1.0, 5.0, 2.0], [2.0, 3.0, 2.5], [4.0, 4.0, 1.0], [3.0, 1.0, 4.0]])
    sd = X.std(axis=0, ddof=1)
    r = np.corrcoef(X.T)
    c = [sd[j] * sum(1 - r[j, k] for k in range(3)) for j in range(3)]
    np.testing.assert_allclose(wts.critic_weights(X), np.array(c) / sum(c))


def test_pca_weights_sum_to_one_and_favour_common_factor():
    rng = np.random.default_rng(1)
    f = rng.normal(size=200)
    X = np.column_stack(
        [f + 0.1 * rng.normal(size=200), f + 0.1 * rng.normal(size=200), rng.normal(size=200)]
    )
    w = wts.pca_weights(X)
    assert w.sum() == pytest.approx(1) and w[2] < 0.05


# -- aggregation --------------------------------------------------------------------------


def test_arithmetic_renormalises_over_present_children():
    X = np.array([[10.0, np.nan, 40.0]])
    assert agg.arithmetic(X, np.array([1.0, 5.0, 3.0]))[0] == pytest.approx((10 + 120) / 4)


def test_geometric_harmonic():
    X = np.array([[1.0, 4.0], [2.0, 0.0]])
    w = np.array([1.0, 1.0])
    g = agg.geometric(X, w)
    assert g[0] == pytest.approx(2.0) and np.isnan(g[1])
    assert agg.harmonic(X[:1], w)[0] == pytest.approx(2 / (1 + 1 / 4))


def test_undefined_cells_per_method():
    X = np.array([[2.0, 0.0], [-1.0, np.nan], [3.0, 4.0]])
    np.testing.assert_array_equal(agg.undefined(X, "geometric"), X <= 0)
    np.testing.assert_array_equal(agg.undefined(X, "harmonic"), X <= 0)
    np.testing.assert_array_equal(agg.undefined(X, "generalised:-2"), X <= 0)
    np.testing.assert_array_equal(agg.undefined(X, "generalised:0.5"), X < 0)
    assert not agg.undefined(X, "generalised:2").any() and not agg.undefined(X, "arithmetic").any()


def test_generalised_mean_by_hand():
    # COINr a_genmean: (sum(w x^p) / sum(w))^(1/p), missing children left out
    X = np.array([[1.0, 4.0, np.nan]])
    w = np.array([1.0, 3.0, 5.0])
    assert agg.aggregate(X, w, "generalised:2")[0] == pytest.approx(((1 + 3 * 16) / 4) ** 0.5)
    assert agg.aggregate(X, w, "generalised:-1")[0] == pytest.approx(4 / (1 + 3 / 4))
    assert agg.aggregate(X, w, "generalised:1")[0] == pytest.approx(agg.arithmetic(X, w)[0])
    with pytest.raises(ValueError, match="p = 0"):
        agg.parse_method("generalised:0")


def test_copeland_by_hand_from_coinr_outranking_rule():
    # COINr a_copeland (v1.0+): outranking share > 0.5 -> 1, < 0.5 -> -1, = 0.5 -> 0; row sums.
    X = np.array([[3.0, 1.0], [1.0, 2.0], [3.0, 2.0]])
    w = np.array([1.0, 3.0])  # shares 0.25, 0.75
    # pairs: (0,1): 0 beats 1 on x1 only -> 0.25 -> 0 loses; (0,2): tie x1 (0.125), loses x2 -> 0.125
    # (1,2): loses x1, ties x2 (0.375) -> 0.375. So 0: -1 -1 = -2; 1: +1 -1 = 0; 2: +1 +1 = 2
    np.testing.assert_allclose(agg.copeland(X, w), [-2, 0, 2])
    Om = agg.outranking(X, w)
    np.testing.assert_allclose(Om[0], [0, 0.25, 0.125])
    np.testing.assert_allclose(Om + Om.T, 1 - np.eye(3))
    # with no missing score, the weighted Borda count is the outranking matrix's row sums
    np.testing.assert_allclose(agg.borda(X, w), Om.sum(axis=1))


def test_borda_by_hand():
    # x1: 3, 1, 3, 2 -> units below + half the ties: 2.5, 0, 2.5, 1; x2 (one missing):
    # 1, 2, -, 2 -> 0, 1.5, -, 1.5; weights 0.25 / 0.75
    X = np.array([[3.0, 1.0], [1.0, 2.0], [3.0, np.nan], [2.0, 2.0]])
    w = np.array([1.0, 3.0])
    np.testing.assert_allclose(agg.borda(X, w), [0.625, 1.125, 0.625, 1.375])
    batch = agg.borda(np.stack([X, X[::-1]]), np.stack([w, w]))
    np.testing.assert_allclose(batch[1], [1.375, 0.625, 1.125, 0.625])


def test_topsis_by_hand():
    X = np.array([[7.0, 9.0], [8.0, 7.0], [9.0, 6.0]])
    w = np.array([0.6, 0.4])
    n = np.sqrt((X**2).sum(axis=0))
    V = X / n * w
    best, worst = V.max(axis=0), V.min(axis=0)
    dp = np.sqrt(((V - best) ** 2).sum(axis=1))
    dm = np.sqrt(((V - worst) ** 2).sum(axis=1))
    np.testing.assert_allclose(agg.topsis(X, w), 100 * dm / (dp + dm))


def test_batched_aggregation_matches_one_by_one():
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 100, size=(7, 5, 3))
    W = rng.uniform(0.1, 1, size=(7, 3))
    for m in [*agg.METHODS, "generalised:0.5"]:
        batch = agg.aggregate(X, W, m)
        for r in range(7):
            np.testing.assert_allclose(batch[r], agg.aggregate(X[r], W[r], m))


# -- results ------------------------------------------------------------------------------


def test_rank_ties_share_best_rank():
    np.testing.assert_array_equal(rank_desc(np.array([5.0, 9, 5, 1, np.nan])), [2, 1, 2, 4, np.nan])


def test_grades_by_thresholds_and_quotas():
    s = np.array([95.0, 85, 70, 50, 88])
    r = rank_desc(s)
    g = Grading(
        levels=[
            GradeLevel(grade="优秀", min=90),
            GradeLevel(grade="良好", min=80),
            GradeLevel(grade="合格", min=60),
        ],
        rest="不合格",
    )
    assert grade(s, r, g) == ["优秀", "良好", "合格", "不合格", "良好"]
    q = Grading(
        method="quotas",
        levels=[GradeLevel(grade="优秀", top=0.2), GradeLevel(grade="良好", top=0.6)],
        rest="合格",
    )
    assert grade(s, r, q) == ["优秀", "良好", "合格", "合格", "良好"]


def test_strengths_weaknesses():
    R = np.array([[1.0, 5, 3, 2], [4, 1, 2, 5]])
    strong, weak = strengths_weaknesses(R, ["a", "b", "c", "d"], n=2)
    assert strong.tolist() == [["a", "d"], ["b", "c"]]
    assert weak.tolist() == [["b", "c"], ["d", "a"]]
    short, _ = strengths_weaknesses(np.array([[np.nan, 2.0, np.nan]]), ["a", "b", "c"], n=2)
    assert short.tolist() == [["b", None]]


def test_coinr_own_treatment_tests():
    """The cases of COINr's tests/testthat/test-treat.R ("treat_num")."""
    from gaoxin.engine.composite.treat import passes, treat_matrix

    x = np.array([*range(1, 11), 100.0])
    assert not passes(x)
    w, hi, _ = winsorise(x, winmax=5)
    assert w[10] == 10 and np.array_equal(w[:10], x[:10]) and passes(w) and hi == [10]

    x = np.array([*range(1, 21), 100.0, 200.0])
    w, _, _ = winsorise(x, winmax=1)
    assert not passes(w)  # one point is not enough
    # COINr applies f2 to the original values when f1 fails (combine_treat = FALSE)
    out, rep = treat_matrix(x[:, None], ["x"], winmax=1)
    np.testing.assert_allclose(out[:, 0], log_ct(x))
    assert rep[0].status in ("log", "log_fails")


def test_ranks_equal_scipy_min_ranks_on_a_batch_with_ties_and_gaps():
    # rank_desc is NumPy only (no SciPy at import); SciPy's rankdata(method="min") is the reference
    from scipy.stats import rankdata

    rng = np.random.default_rng(0)
    for _ in range(50):
        X = rng.integers(0, 6, size=(7, 13)).astype(float)
        X[rng.random(X.shape) < 0.2] = np.nan
        for axis in (0, 1):
            ref = rankdata(np.where(np.isnan(X), np.inf, -X), method="min", axis=axis)
            want = np.where(np.isnan(X), np.nan, ref)
            np.testing.assert_array_equal(rank_desc(X, axis=axis), want)
    # a batch of batches (Monte Carlo replications x units x nodes), along each axis
    X = rng.integers(0, 4, size=(3, 6, 5)).astype(float)
    for axis in (0, 1, 2):
        ref = rankdata(-X, method="min", axis=axis)
        np.testing.assert_array_equal(rank_desc(X, axis=axis), ref)
    assert rank_desc(np.empty((0, 3)), axis=0).shape == (0, 3)


def test_strengths_weaknesses_are_a_stable_sorts_first_and_last_on_ties_and_gaps():
    # the reference: each row sorted stably (ties in framework order), missing ranks last
    rng = np.random.default_rng(1)
    R = rng.integers(1, 4, size=(400, 6)).astype(float)
    R[rng.random(R.shape) < 0.3] = np.nan
    codes = list("abcdef")
    strong, weak = strengths_weaknesses(R, codes, n=3)
    for row, s, w in zip(R, strong.tolist(), weak.tolist(), strict=True):
        present = [j for j in range(6) if not np.isnan(row[j])]
        best = sorted(present, key=lambda j: row[j])[:3]
        worst = sorted(present, key=lambda j: -row[j])[:3]
        assert s == [codes[j] for j in best] + [None] * (3 - len(best))
        assert w == [codes[j] for j in worst] + [None] * (3 - len(worst))


def test_positions_joined_per_row_with_few_or_many_codes():
    from gaoxin.engine.composite.results import join_positions

    P = np.array([[2, 0, -1], [-1, -1, -1], [2, 0, -1], [1, 2, 0]])
    assert join_positions(P, ["a", "b", "c"]).to_list() == ["c;a", "", "c;a", "b;c;a"]
    # 300 codes: more possible rows than the table takes, so the distinct rows are sorted out
    codes = [f"x{i}" for i in range(300)]
    P = np.array([[299, 0, 150], [299, 0, 150], [7, -1, -1]])
    assert join_positions(P, codes).to_list() == ["x299;x0;x150", "x299;x0;x150", "x7"]


def test_engine_import_does_not_load_scipy():
    import subprocess
    import sys

    code = "import sys, gaoxin.engine.composite.pipeline; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_points_winsorised_before_a_log_fallback_are_marked_as_coinr_marks_them():
    """COINr 1.1.14 R/treat.R: winsorise() returns ``treated`` with "winhi" on its latest high
    tie group (``treated[imax] <- "winhi"``); log_CT() returns "log_CT" on every point; and
    Treat.numeric() pastes the two with "+" wherever the second is set, so after a log fallback
    the failed winsorisation's points read "winhi+log_CT" and every other point "+log_CT".
    Expected values worked by hand from those lines (no R here)."""
    from gaoxin.engine.composite.treat import treat_matrix

    # 40 ones and a tail: 1000, 2000, …, 7000 and 100000 (rows 40–47)
    x = np.concatenate([np.ones(40), [1e3, 2e3, 3e3, 4e3, 5e3, 6e3, 7e3, 1e5]])
    out, [t] = treat_matrix(x[:, None], ["x"], winmax=2)
    # step 1: the maximum (row 47, 1e5) -> 7000, imax = [47]; step 2: the maximum 7000 is now
    # rows 46 and 47 -> 6000, imax = [46, 47], nwin = 2 = winmax; still |skew| > 2 and kurt > 3.5
    assert t.status in ("log", "log_fails")
    # f2 on the original values (combine_treat = FALSE): log(x - 1 + 0.01 * (1e5 - 1))
    np.testing.assert_allclose(out[:, 0], np.log(x - 1 + 0.01 * (1e5 - 1)), rtol=1e-15)
    assert t.winsorised_high == []  # no value in the output is a winsorised one
    assert t.marked_high == [46, 47]
    points = t.points(len(x))
    assert points[46] == points[47] == "winhi+log_CT"
    assert set(points[:46]) == {"+log_CT"}


def test_points_of_a_successful_winsorisation_and_of_a_pass():
    from gaoxin.engine.composite.treat import treat_matrix

    # COINr's own example: 1..10, 30, 100 passes after one step (100 -> 30), imax = [11]
    x = np.array([*range(1, 11), 30.0, 100.0])
    _, [t] = treat_matrix(x[:, None], ["x"])
    assert t.status == "winsorised"
    assert t.points(len(x)) == [""] * 11 + ["winhi"]
    _, [p] = treat_matrix(np.arange(12.0)[:, None], ["y"])
    assert p.status == "pass" and p.points(12) == [""] * 12
