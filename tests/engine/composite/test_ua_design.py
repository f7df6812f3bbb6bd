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
