"""Analysis and uncertainty on the ASEM example."""

import numpy as np
import polars as pl
import pytest

from gaoxin.engine.composite import Scoring
from gaoxin.engine.composite import analysis as an


def test_cronbach_alpha_by_hand():
    X = np.array([[1.0, 2, 3], [2, 2, 4], [3, 4, 4], [4, 5, 6]])
    k = 3
    item = sum(np.var(X[:, j], ddof=1) for j in range(k))
    tot = np.var(X.sum(axis=1), ddof=1)
    assert an.cronbach_alpha(X) == pytest.approx(k / (k - 1) * (1 - item / tot))


def test_pca_per_dimension(asem):
    stats = an.dimension_stats(asem)
    assert stats.height == 11
    C = np.column_stack([asem.layers["Aggregated"][c].to_numpy() for c in ["Conn", "Sust"]])
    res = an.pca(C)
    r = np.corrcoef(C.T)[0, 1]
    assert res.eigenvalues[0] == pytest.approx(1 + abs(r))  # 2x2 correlation matrix: 1 ± r
    assert res.explained.sum() == pytest.approx(1)


def test_correlations_flag_within_dimension(asem):
    c = an.correlations(asem)
    row = c.filter(a="LPI", b="Flights").row(0, named=True)
    x = asem.layers["Normalised"]["LPI"].to_numpy()
    y = asem.layers["Normalised"]["Flights"].to_numpy()
    assert row["r"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert row["same_parent"]
    assert not c.filter(a="LPI", b="Renew")["same_parent"][0]


def test_monte_carlo_without_noise_reproduces_nominal(asem):
    u = an.monte_carlo(asem, 20, weight_noise=0.0)
    np.testing.assert_allclose(u.scores, np.broadcast_to(asem.result["score"].to_numpy(), (20, 51)))
    s = u.summary()
    assert (s["rank_median"] == s["rank"].cast(pl.Float64)).all()


def test_monte_carlo_explicit_choices_table(asem):
    norms = [Scoring(low=1, high=100), Scoring(method="rank")]
    aggs = ["arithmetic", "geometric"]
    choices = pl.DataFrame(
        {"normalisation": [0, 1, 0], "aggregation": [0, 0, 1], "w:Index.Conn": [1.0, 1.0, 3.0]}
    )
    u = an.monte_carlo(asem, normalisations=norms, aggregations=aggs, choices=choices)
    assert u.ranks.shape == (3, 51)
    # replication 0 is min-max [1, 100] + arithmetic: an affine map of the nominal [0, 100] run
    np.testing.assert_allclose(u.scores[0], 1 + 0.99 * asem.result["score"].to_numpy())
    # replication 2: min-max [1, 100], geometric means, Conn weighted 3:1 over Sust; by hand for AUT
    fw = asem.framework
    n = {
        c: 1 + 0.99 * v
        for c, v in asem.layers["Normalised"].row(0, named=True).items()
        if c != "uCode"
    }

    def geo(node, w=None):
        if node.is_indicator:
            return n[node.code]
        vals = [geo(c) for c in node.children]
        ws = w or [1.0] * len(vals)
        return float(np.exp(sum(wi * np.log(v) for wi, v in zip(ws, vals, strict=True)) / sum(ws)))

    conn, sust = (geo(c) for c in fw.index.children)
    assert u.scores[2][0] == pytest.approx(np.exp((3 * np.log(conn) + np.log(sust)) / 4), rel=1e-12)


def test_monte_carlo_rank_intervals_contain_median(asem):
    u = an.monte_carlo(
        asem,
        200,
        normalisations=[Scoring(low=1, high=100), Scoring(method="rank")],
        aggregations=["arithmetic", "geometric"],
    )
    s = u.summary()
    assert (s["rank_p05"] <= s["rank_median"]).all() and (s["rank_median"] <= s["rank_p95"]).all()


def test_sobol_discrete_choices_dominate_small_weight_noise(asem):
    res = an.sobol(
        asem,
        32,
        weight_noise=0.05,
        normalisations=[Scoring(low=1, high=100), Scoring(method="rank")],
        aggregations=["arithmetic", "geometric"],
    )
    st = dict(zip(res["factor"], res["ST"], strict=True))
    assert st["normalisation"] + st["aggregation"] > 5 * max(
        v for k, v in st.items() if k.startswith("w:")
    )
