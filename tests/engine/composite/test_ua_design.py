"""COINr's uncertainty/sensitivity design (vignette "sensitivity"): weight noise on chosen levels
only, and a factor choosing among weight sets (get_noisy_weights). Expected values by hand
from the evaluation's own layers."""

import numpy as np
import polars as pl
import pytest

from gaoxin.engine.composite import analysis as an
from gaoxin.engine.problems import ProblemsError


def _level_of(ev):
    return {n.code: d for n, _, d in ev.framework.nodes()}


def test_weight_noise_only_on_the_levels_named(asem):
    u = an.monte_carlo(asem, 50, weight_noise={1: 0.25})
    depth = _level_of(asem)
    for col in u.choices.columns:
        if not col.startswith("w:"):
            continue
        child = col.split(".")[-1]
        m = u.choices[col].to_numpy()
        if depth[child] == 1:  # Conn, Sust: noisy within ±25 %
            assert m.min() >= 0.75 and m.max() <= 1.25 and m.std() > 0
        else:
            assert (m == 1).all()
    # by hand: only the index's two weights move, so the index is their weighted mean of the
    # nominal Conn and Sust scores
    A = asem.layers["Aggregated"]
    conn, sust = A["Conn"].to_numpy(), A["Sust"].to_numpy()
    a, b = u.choices["w:Index.Conn"].to_numpy(), u.choices["w:Index.Sust"].to_numpy()
    want = (a[:, None] * conn + b[:, None] * sust) / (a + b)[:, None]
    np.testing.assert_allclose(u.scores, want, rtol=1e-12)


def test_a_level_outside_the_tree_is_refused(asem):
    with pytest.raises(ProblemsError) as e:
        an.monte_carlo(asem, 5, weight_noise={7: 0.25})
    assert e.value.problems[0].code == "uncertainty.weight_level"


def test_a_factor_choosing_among_weight_sets(asem):
    sets = [None, {"Index": {"Conn": 3.0, "Sust": 1.0}}]
    choices = pl.DataFrame({"weights": [0, 1, 1]})
    u = an.monte_carlo(asem, weight_sets=sets, choices=choices)
    A = asem.layers["Aggregated"]
    np.testing.assert_allclose(u.scores[0], asem.result["score"].to_numpy(), rtol=1e-12)
    want = (3 * A["Conn"].to_numpy() + A["Sust"].to_numpy()) / 4
    np.testing.assert_allclose(u.scores[1], want, rtol=1e-12)
    np.testing.assert_array_equal(u.scores[1], u.scores[2])
    # a random run draws the set per replication and records it; replaying gives the same bits
    r = an.monte_carlo(asem, 40, seed=3, weight_sets=sets)
    assert set(r.choices["weights"].to_list()) == {0, 1}
    again = an.monte_carlo(asem, weight_sets=sets, choices=r.choices, chunk=7)
    np.testing.assert_array_equal(again.scores, r.scores)


def test_a_weight_set_must_give_every_child(asem):
    with pytest.raises(ProblemsError) as e:
        an.monte_carlo(asem, 5, weight_sets=[None, {"Index": {"Conn": 2.0}}])
    p = e.value.problems[0]
    assert p.code == "uncertainty.weight_set" and "Sust" in p.message


def test_noisy_weight_sets_and_a_coinr_style_sobol(asem):
    sets = an.noisy_weight_sets(asem, 20, {2: 0.25}, seed=1)
    assert sets[0] is None and len(sets) == 20
    # level 2 = the pillars: Conn's 5 (nominal 1/5 each) and Sust's 3 (1/3), each ±25 %
    for ws in sets[1:]:
        assert set(ws) == {"Conn", "Sust"} and (len(ws["Conn"]), len(ws["Sust"])) == (5, 3)
        for node, nominal in (("Conn", 1 / 5), ("Sust", 1 / 3)):
            w = np.array(list(ws[node].values()))
            assert (w >= nominal * 0.75 - 1e-15).all() and (w <= nominal * 1.25 + 1e-15).all()
    res = an.sobol(asem, 16, weight_noise=0, weight_sets=sets, aggregations=["arithmetic"])
    assert res["factor"].to_list() == ["weights"]  # one factor, as COINr's design has
    assert np.isfinite(res["ST"].to_numpy()).all()


def test_optimised_weights_balance_conn_and_sust_by_hand(asem):
    # COINr get_opt_weights(itarg = "equal", Level = 3 in COINr's count = our level 1)
    o = an.optimise_weights(asem, 1)
    w = dict(zip(o.table["node"], o.table["weight"], strict=True))
    assert w["Conn"] + w["Sust"] == pytest.approx(1.0)
    A = asem.layers["Aggregated"]
    conn, sust = A["Conn"].to_numpy(), A["Sust"].to_numpy()
    index = w["Conn"] * conn + w["Sust"] * sust  # by hand, with the optimised weights
    r = np.array([np.corrcoef(conn, index)[0, 1], np.corrcoef(sust, index)[0, 1]])
    np.testing.assert_allclose(r / r.sum(), [0.5, 0.5], atol=1e-6)
    np.testing.assert_allclose(o.table["obtained"].to_numpy(), r / r.sum(), atol=1e-12)
    assert o.weights == {"Index": {"Conn": w["Conn"], "Sust": w["Sust"]}}
    # the nominal equal weights leave Conn with the larger share of the index's correlation
    r0 = np.array([np.corrcoef(x, (conn + sust) / 2)[0, 1] for x in (conn, sust)])
    assert abs(r0[0] / r0.sum() - 0.5) > 1e-3


def test_optimised_weights_improve_coinr_objective_on_pillars(asem):
    o = an.optimise_weights(asem, 2)
    assert o.table["weight"].sum() == pytest.approx(1.0)
    # COINr's objective at the nominal weights (all pillars 1, renormalised): by hand
    A = asem.layers["Aggregated"]
    pillars = o.table["node"].to_list()
    S = np.column_stack([A[p].to_numpy() for p in pillars])
    r = np.array([np.corrcoef(S[:, j], A["Index"].to_numpy())[0, 1] for j in range(8)])
    nominal = np.log(np.mean((1 / 8 - r / r.sum()) ** 2))
    assert o.objective < nominal


def test_infomax_raises_the_sum_of_correlations(asem):
    o = an.optimise_weights(asem, 1, kind="infomax")
    A = asem.layers["Aggregated"]
    conn, sust, index = (A[c].to_numpy() for c in ("Conn", "Sust", "Index"))
    nominal = np.corrcoef(conn, index)[0, 1] + np.corrcoef(sust, index)[0, 1]
    assert -o.objective >= nominal - 1e-12
