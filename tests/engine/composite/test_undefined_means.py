"""Geometric and harmonic means over a score <= 0 stop with an error naming the node and the
units (COINr's a_gmean/a_hmean stop too, R/aggregate.R); Monte Carlo replications that hit
it are invalid, not ranked. Expected values by hand from the normalised ASEM layer."""

import numpy as np
import polars as pl
import pytest

from gaoxin.engine.composite import analysis as an
from gaoxin.engine.composite import check_framework, evaluate
from gaoxin.engine.composite.spec import Scoring
from gaoxin.engine.problems import ProblemsError


def test_harmonic_on_minmax_0_100_stops_naming_32_asem_units(asem, asem_fw, asem_data):
    fw = asem_fw.model_copy(update={"aggregation": "harmonic"})
    with pytest.raises(ProblemsError) as e:
        evaluate(fw, asem_data)
    named = {u for p in e.value.problems for u in p.extra["units"]}
    # by hand: under min-max [0, 100] a unit scores 0 where it is the worst on an indicator
    N = asem.layers["Normalised"]
    zero = N.filter(pl.any_horizontal(pl.exclude("uCode") == 0))["uCode"].to_list()
    assert named == set(zero) and len(named) == 32
    phys = next(p for p in e.value.problems if p.column == "Physical")
    assert phys.code == "evaluation.aggregation_undefined"
    assert "加权调和平均" in phys.message and "AUT（Ship = 0）" in phys.message
    physical = [c.code for c in asem_fw.index.children[0].children[0].children]
    by_hand = N.filter(pl.any_horizontal(pl.col(physical) == 0))["uCode"].to_list()
    assert phys.extra["units"] == by_hand


def test_geometric_on_a_positive_range_runs(asem_fw, asem_data):
    fw = asem_fw.model_copy(
        update={"aggregation": "geometric", "scoring": Scoring(low=1, high=100)}
    )
    ev = evaluate(fw, asem_data)
    assert not ev.result["score"].is_nan().any()


def _tiny(aggregation: str):
    fw = check_framework(
        {
            "framework": "tiny",
            "aggregation": aggregation,
            "index": {"code": "I", "children": [{"code": "a"}, {"code": "b"}]},
        }
    )
    data = pl.DataFrame({"unit": ["p", "q", "r"], "a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    return fw, data


@pytest.mark.parametrize("method", ["geometric", "harmonic", "generalised:-1"])
def test_each_undefined_mean_names_node_and_units(method):
    fw, data = _tiny(method)
    with pytest.raises(ProblemsError) as e:
        evaluate(fw, data)  # min-max [0, 100]: p scores 0 on a, q on b
    (p,) = e.value.problems
    assert p.column == "I" and p.extra["units"] == ["p", "q"]
    assert "p（a = 0）" in p.message and "q（b = 0）" in p.message


def test_monte_carlo_marks_replications_invalid_and_leaves_them_unranked(asem):
    norms = [None, Scoring(low=1, high=100)]
    choices = pl.DataFrame({"normalisation": [0, 0, 1], "aggregation": [0, 1, 1]})
    u = an.monte_carlo(
        asem, normalisations=norms, aggregations=["arithmetic", "harmonic"], choices=choices
    )
    # replication 1 is the harmonic mean over min-max [0, 100]: 32 units have a zero child
    np.testing.assert_array_equal(u.invalid, [False, True, False])
    assert np.isnan(u.scores[1]).all() and np.isnan(u.ranks[1]).all()
    assert not np.isnan(u.scores[[0, 2]]).any()
    s = u.summary()
    assert (s["valid_replications"] == 2).all()
    # the summary is over replications 0 and 2 only: the median of two ranks is their mean
    np.testing.assert_allclose(s["rank_median"].to_numpy(), u.ranks[[0, 2]].mean(axis=0))


def test_sobol_refuses_a_design_with_invalid_runs(asem):
    with pytest.raises(ProblemsError) as e:
        an.sobol(asem, 8, aggregations=["arithmetic", "geometric"])
    assert e.value.problems[0].code == "uncertainty.invalid_runs"
    assert "加权几何平均" in e.value.problems[0].message
