"""Monte Carlo choices beyond weights, normalisation and aggregation: the outlier treatment as an
uncertain choice, and data-driven weights re-estimated in every replication. Tiny examples, each
checked by hand."""

import math

import numpy as np
import polars as pl
import pytest

from gaoxin.engine.composite import Scoring, check_framework, evaluate
from gaoxin.engine.composite import analysis as an
from gaoxin.engine.composite import weights as wts
from gaoxin.engine.problems import ProblemsError

# a: one far outlier (skew 3.1, kurtosis 9.8 > COINr's 2 / 3.5): COINr winsorises 100 -> 9
A = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100]
B = [4.0, 1, 3, 2, 5, 7, 6, 9, 8, 10]
UNITS = [f"u{i}" for i in range(10)]


def _ev(weights: str = "explicit", treat: str = "coinr", scoring: dict | None = None):
    fw = check_framework(
        {
            "framework": "tiny",
            "treat": {"method": treat},
            "scoring": scoring or {"method": "minmax", "low": 0, "high": 100},
            "index": {"code": "I", "weights": weights, "children": [{"code": "a"}, {"code": "b"}]},
        }
    )
    return evaluate(fw, pl.DataFrame({"unit": UNITS, "a": A, "b": B}))


def test_treatment_is_an_uncertain_choice():
    ev = _ev()
    assert ev.treatment_report().row(0, named=True)["status"] == "winsorised"
    choices = pl.DataFrame({"treatment": [0, 1, 0]})
    u = an.monte_carlo(ev, treatments=["coinr", "none"], choices=choices)
    # by hand, unit u4 (a = 5, b = 5), equal weights, min-max [0, 100]
    b = 100 * (5 - 1) / (10 - 1)
    coinr = (100 * (5 - 1) / (9 - 1) + b) / 2  # a winsorised: range 1..9
    none = (100 * (5 - 1) / (100 - 1) + b) / 2  # a as it is: range 1..100
    assert u.scores[0, 4] == pytest.approx(coinr, rel=1e-12)
    assert u.scores[1, 4] == pytest.approx(none, rel=1e-12)
    # the outlier unit: first under both (a's best), but the others close up without treatment
    assert u.ranks[0, 9] == u.ranks[1, 9] == 1
    # treatment 0 is the evaluation's own: the nominal scores exactly
    np.testing.assert_array_equal(u.scores[2], ev.result["score"].to_numpy())


def test_treatment_none_in_the_framework_can_be_varied_to_coinr():
    ev = _ev(treat="none")
    u = an.monte_carlo(ev, treatments=["none", "coinr"], choices=pl.DataFrame({"treatment": [1]}))
    np.testing.assert_allclose(u.scores[0], _ev(treat="coinr").result["score"].to_numpy())


def test_entropy_weights_re_estimated_for_each_replication():
    ev = _ev(weights="entropy")
    norms = [None, Scoring(method="rank")]
    choices = pl.DataFrame({"normalisation": [0, 1], "w:I.a": [1.0, 2.0]})
    u = an.monte_carlo(ev, normalisations=norms, choices=choices)
    # replication 0 is the nominal run (min-max scores, entropy weights from them)
    np.testing.assert_allclose(u.scores[0], ev.result["score"].to_numpy(), rtol=1e-12)
    # replication 1: rank scores 1..10; entropy weights computed from the ranks, by hand, then
    # a's weight doubled by the multiplier
    ra = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]  # a (treated: 100 -> 9 ties u8 and u9 at rank 9)
    ra[9] = 9
    rb = [4, 1, 3, 2, 5, 7, 6, 9, 8, 10]

    def one_minus_entropy(r):
        p = [x / sum(r) for x in r]
        return 1 + sum(q * math.log(q) for q in p) / math.log(len(r))

    da, db = one_minus_entropy(ra), one_minus_entropy(rb)
    wa, wb = 2 * da / (da + db), db / (da + db)
    expected = [(wa * x + wb * y) / (wa + wb) for x, y in zip(ra, rb, strict=True)]
    np.testing.assert_allclose(u.scores[1], expected, rtol=1e-12)
    # weights kept from the nominal (min-max) run would give other scores
    na, nb = 2 * ev.weights["I"]["a"], ev.weights["I"]["b"]
    stale = [(na * x + nb * y) / (na + nb) for x, y in zip(ra, rb, strict=True)]
    assert np.abs(u.scores[1] - stale).max() > 0.005


def test_batched_data_driven_weights_match_one_at_a_time():
    rng = np.random.default_rng(3)
    X = rng.lognormal(size=(4, 30, 3))
    X[0, 5, 1] = np.nan  # a missing cell in one replication only
    for f in (wts.entropy_weights, wts.critic_weights, wts.pca_weights):
        batched = f(X)
        assert batched.shape == (4, 3)
        for r in range(4):
            np.testing.assert_allclose(batched[r], f(X[r]), rtol=1e-12)


def test_critic_batched_by_hand_on_complete_rows():
    # the row with a missing cell is left out: CRITIC of the three complete rows, by hand
    X = np.array([[1.0, 3.0], [2.0, 1.0], [4.0, 2.0], [9.0, np.nan]])
    Y = X[:3]
    sd = Y.std(axis=0, ddof=1)
    r = np.corrcoef(Y.T)[0, 1]
    c = sd * (1 - r)  # sum over k of (1 - r_jk): the diagonal term is 0
    np.testing.assert_allclose(wts.critic_weights(np.stack([X, X])), np.stack([c, c]) / c.sum())


def test_replaying_a_random_run_is_exact():
    ev = _ev(weights="critic")
    opts = dict(
        treatments=["coinr", "none"],
        normalisations=[None, Scoring(method="rank")],
        aggregations=["arithmetic", "geometric"],
    )
    u = an.monte_carlo(ev, 64, seed=5, **opts)
    assert set(u.choices["treatment"].to_list()) == {0, 1}
    again = an.monte_carlo(ev, choices=u.choices, chunk=7, **opts)
    np.testing.assert_array_equal(again.scores, u.scores)
    np.testing.assert_array_equal(again.ranks, u.ranks)


def test_choice_out_of_range_is_reported_precisely():
    ev = _ev()
    with pytest.raises(ProblemsError) as e:
        an.monte_carlo(
            ev, treatments=["coinr", "none"], choices=pl.DataFrame({"treatment": [0, 2]})
        )
    p = e.value.problems[0]
    assert (p.row, p.column, p.value) == (2, "treatment", "2")
    assert "0 到 1" in p.message


def test_sobol_counts_treatment_as_a_factor():
    ev = _ev()
    res = an.sobol(ev, 16, weight_noise=0.01, treatments=["coinr", "none"])
    st = dict(zip(res["factor"], res["ST"], strict=True))
    # the outlier treatment moves every unit but u9; 1 % weight noise moves almost nothing
    assert st["treatment"] > 0.5 > st["w:I.a"]


# -- aggregation per node ------------------------------------------------------------------------
C = [2.0, 9, 4, 7, 5, 3, 8, 6, 10, 1]


def _two_level(p_aggregation: str | None = None):
    """I = arithmetic mean of P and c; P = mean of a and b by ``p_aggregation`` (its own)."""
    p = {"code": "P", "children": [{"code": "a"}, {"code": "b"}]}
    if p_aggregation:
        p["aggregation"] = p_aggregation
    fw = check_framework(
        {
            "framework": "tiny2",
            "treat": {"method": "none"},
            "scoring": {"method": "minmax", "low": 1, "high": 100},
            "index": {"code": "I", "children": [p, {"code": "c"}]},
        }
    )
    return evaluate(fw, pl.DataFrame({"unit": UNITS, "a": A, "b": B, "c": C}))


def test_a_replication_without_noise_reproduces_a_node_s_own_aggregation():
    ev = _two_level("geometric")
    u = an.monte_carlo(ev, 3, weight_noise=0.0)
    nominal = ev.result["score"].to_numpy()
    # by hand for u4: a = 5 -> 1 + 99 * 4 / 99 = 5, b = 5 -> 1 + 99 * 4 / 9 = 45, c = 5 -> 45
    a, b, c = 1 + 99 * 4 / 99, 1 + 99 * 4 / 9, 1 + 99 * 4 / 9
    assert nominal[4] == pytest.approx((math.sqrt(a * b) + c) / 2, rel=1e-12)
    np.testing.assert_allclose(u.scores, np.broadcast_to(nominal, u.scores.shape), rtol=1e-12)


def test_an_aggregation_choice_can_name_nodes():
    ev = _two_level()  # every node arithmetic
    choices = pl.DataFrame({"aggregation": [0, 1, 2]})
    u = an.monte_carlo(
        ev, aggregations=[None, {"P": "harmonic"}, "geometric"], choices=choices, weight_noise=0.0
    )
    np.testing.assert_allclose(u.scores[0], ev.result["score"].to_numpy(), rtol=1e-12)
    harmonic_p = _two_level("harmonic").result["score"].to_numpy()
    np.testing.assert_allclose(u.scores[1], harmonic_p, rtol=1e-12)
    a, b, c = 1 + 99 * 4 / 99, 1 + 99 * 4 / 9, 1 + 99 * 4 / 9
    assert u.scores[2][4] == pytest.approx(math.sqrt(math.sqrt(a * b) * c), rel=1e-12)
    s = an.sobol(ev, 8, aggregations=[None, {"P": "harmonic"}], weight_noise=0.0)
    assert "aggregation" in s["factor"].to_list()


def test_an_aggregation_choice_naming_no_node_is_refused():
    ev = _two_level()
    with pytest.raises(ProblemsError, match="不是评价体系的合成节点"):
        an.monte_carlo(ev, 2, aggregations=[None, {"Q": "geometric"}])
    with pytest.raises(ProblemsError):
        an.monte_carlo(ev, 2, aggregations=[{"P": "median-ish"}])
