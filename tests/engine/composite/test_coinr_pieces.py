"""COINr outputs gaoxin now also produces, each against a value computed by hand from COINr's
documented formula (R/normalise.R, R/aggregate.R, R/PCA.R of COINr 1.1.14; cited per test) or
from the ASEM example data with plain NumPy/SciPy."""

import numpy as np
import pytest
from scipy import stats

from gaoxin.engine.composite import analysis as an
from gaoxin.engine.composite import check_framework
from gaoxin.engine.composite import weights as wts
from gaoxin.engine.composite.normalise import score_column
from gaoxin.engine.composite.spec import Scoring

x = np.array([2.0, 4.0, 6.0, 10.0])


def test_zscore_to_a_target_mean_and_sd():
    # COINr n_zscore(x, m_sd = c(10, 2)): (x - mean(x)) / sd(x) * 2 + 10, by hand
    got = score_column(x, 1, Scoring(method="zscore", mean=10, sd=2))
    np.testing.assert_allclose(got, (x - 5.5) / np.std(x, ddof=1) * 2 + 10)
    assert np.mean(got) == pytest.approx(10) and np.std(got, ddof=1) == pytest.approx(2)
    with pytest.raises(ValueError):
        Scoring(method="zscore", sd=0)


def test_distance_to_target_uncapped_as_coinr_default():
    # COINr n_dist2targ(x, targ = 6, cap_max = FALSE): (x - min) / (targ - min) -> 0, .5, 1, 2
    got = score_column(x, 1, Scoring(method="distance_to_target", target=6, cap_max=False))
    np.testing.assert_allclose(got, [0, 50, 100, 200])
    # direction -1: (max - x) / (max - targ), targ 4 -> 8/6, 1, 4/6, 0
    got = score_column(x, -1, Scoring(method="distance_to_target", target=4, cap_max=False))
    np.testing.assert_allclose(got, 100 * np.array([8 / 6, 1, 4 / 6, 0]))


def test_ratio_to_max_on_a_negative_indicator_the_coinr_way():
    # COINr Normalise.numeric multiplies x by the direction before n_fracmax: (-x) / max(-x),
    # which is x / min(x) = 1, 2, 3, 5 (the best, smallest value gets 1 and worse values more)
    got = score_column(x, -1, Scoring(method="ratio_to_max", scale=1, negative="coinr"))
    np.testing.assert_allclose(got, [1, 2, 3, 5])
    # ours (the default): min / x, the best gets full marks and worse values less
    np.testing.assert_allclose(score_column(x, -1, Scoring(method="ratio_to_max", scale=1)), 2 / x)


def test_distance_to_best_when_the_best_is_zero_is_never_minus_infinity():
    v = np.array([-4.0, -2.0, 0.0])
    got = score_column(v, 1, Scoring(method="distance_to_best"))
    # best = max = 0: relative distance undefined, so relative to the range (COINr n_dist2max)
    np.testing.assert_allclose(got, [0, 50, 100])
    got = score_column(np.array([0.0, 1.0, 4.0]), -1, Scoring(method="distance_to_best"))
    np.testing.assert_allclose(got, [100, 75, 0])  # best = min = 0, range 4
    assert np.isfinite(got).all()


def test_signed_pca_loadings_by_hand():
    rng = np.random.default_rng(1)
    a = rng.normal(size=200)
    X = np.column_stack(
        [a + 0.3 * rng.normal(size=200), a + 0.5 * rng.normal(size=200), -a + rng.normal(size=200)]
    )
    vals, vecs = np.linalg.eigh(np.corrcoef(X, rowvar=False))
    v = vecs[:, np.argmax(vals)]
    v = v if v.sum() > 0 else -v  # prcomp's sign is arbitrary: fixed to a positive sum
    got = wts.pca_signed_weights(X)
    np.testing.assert_allclose(got, v, atol=1e-12)
    assert got[2] < 0 < got[0]  # the third child loads negatively, as COINr's weights may
    np.testing.assert_allclose(got**2, wts.pca_weights(X), atol=1e-12)


def test_effective_weights_of_asem_by_hand(asem):
    e = an.effective_weights(asem)
    row = {r["node"]: r for r in e.to_dicts()}
    # all iMeta weights 1: Index -> 2 sub-indices, Conn -> 5 pillars, Physical -> 8 indicators
    assert row["Conn"]["effective"] == pytest.approx(1 / 2)
    assert row["Physical"]["effective"] == pytest.approx(1 / 2 / 5)
    assert row["Flights"]["effective"] == pytest.approx(1 / 2 / 5 / 8)
    inds = {n.code for n in asem.framework.indicators()}
    assert e.filter(e["node"].is_in(list(inds)))["effective"].sum() == pytest.approx(1.0)


def test_effective_weights_follow_explicit_weights():
    import polars as pl

    from gaoxin.engine.composite import evaluate

    fw = check_framework(
        {
            "framework": "w",
            "index": {
                "code": "I",
                "children": [
                    {"code": "A", "weight": 3, "children": [{"code": "a1"}, {"code": "a2"}]},
                    {"code": "b", "weight": 1},
                ],
            },
        }
    )
    ev = evaluate(
        fw, pl.DataFrame({"unit": ["p", "q"], "a1": [1.0, 2], "a2": [3.0, 1], "b": [1.0, 5]})
    )
    e = {r["node"]: r["effective"] for r in an.effective_weights(ev).to_dicts()}
    assert e == pytest.approx({"I": 1, "A": 0.75, "a1": 0.375, "a2": 0.375, "b": 0.25})


def test_descriptive_statistics_per_layer_against_numpy(asem, asem_data):
    d = an.describe(asem, "Raw")
    raw = asem.layers["Raw"]
    for r in d.to_dicts():
        col = raw[r["column"]].to_numpy().astype(float)
        v = col[~np.isnan(col)]
        assert r["min"] == v.min() and r["max"] == v.max()
        assert r["mean"] == pytest.approx(v.mean(), rel=1e-12)
        assert r["median"] == pytest.approx(np.median(v), rel=1e-12)
        assert r["sd"] == pytest.approx(v.std(ddof=1), rel=1e-12)
        assert r["skew"] == pytest.approx(stats.skew(v, bias=False), rel=1e-9)
        assert r["kurtosis"] == pytest.approx(stats.kurtosis(v, bias=False), rel=1e-9)
        assert r["available"] == v.size and r["share_available"] == v.size / 51
        assert r["zeros"] == int((v == 0).sum()) and r["unique"] == len(set(v.tolist()))
    # availability below 51 exactly where the input CSV has empty cells
    gaps = d.filter(d["available"] < 51)["column"].to_list()
    assert gaps and gaps == [c for c in d["column"] if asem_data[c].null_count() > 0]
    agg = an.describe(asem, "Aggregated")
    assert set(agg["column"]) == {n.code for n, _, _ in asem.framework.nodes()}


def test_new_options_at_their_defaults_keep_the_framework_hash():
    base = {"framework": "h", "index": {"code": "I", "children": [{"code": "a"}]}}
    plain = check_framework(base).content_hash()
    same = check_framework({**base, "scoring": {"mean": 0, "sd": 1, "cap_max": True}})
    assert same.content_hash() == plain
    assert check_framework({**base, "scoring": {"mean": 10}}).content_hash() != plain
