"""Properties every composite should have, over random data (hypothesis)."""

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gaoxin.engine.composite import check_framework, evaluate

FW = check_framework(
    {
        "framework": "p",
        "index": {
            "code": "I",
            "children": [
                {
                    "code": "D1",
                    "weight": 2,
                    "children": [{"code": "a"}, {"code": "b", "direction": -1}],
                },
                {
                    "code": "D2",
                    "weight": 1,
                    "children": [{"code": "c"}, {"code": "d", "weight": 3}],
                },
            ],
        },
    }
)

values = arrays(
    np.float64, (8, 4), elements=st.floats(0, 1000, allow_nan=False).map(lambda v: round(v, 3))
)


def _frame(X):
    return pl.DataFrame(
        {"unit": [f"u{i}" for i in range(len(X))], **{c: X[:, j] for j, c in enumerate("abcd")}}
    )


def _ok(X):
    return all(np.ptp(X[:, j]) > 0 for j in range(X.shape[1]))


@settings(max_examples=40, deadline=None)
@given(values, st.integers(0, 7), st.floats(0.5, 100))
def test_raising_a_positive_indicator_never_lowers_the_unit(X, i, delta):
    if not _ok(X):
        return
    before = evaluate(FW, _frame(X)).result["score"].to_numpy()
    Y = X.copy()
    Y[i, 0] = X[:, 0].max() + delta if X[i, 0] == X[:, 0].max() else X[i, 0] + delta
    after = evaluate(FW, _frame(Y)).result["score"].to_numpy()
    # other units may move because the goalposts move, but the improved unit's lead over
    # any unit can only grow or stay
    assert after[i] - np.delete(after, i).max() >= before[i] - np.delete(before, i).max() - 1e-9


@settings(max_examples=30, deadline=None)
@given(values, st.floats(0.01, 1000))
def test_scaling_all_weights_changes_nothing(X, k):
    if not _ok(X):
        return
    scaled = FW.model_copy(
        update={
            "index": FW.index.model_copy(
                update={
                    "children": [
                        d.model_copy(
                            update={
                                "weight": d.weight * k,
                                "children": [
                                    c.model_copy(update={"weight": c.weight * k})
                                    for c in d.children
                                ],
                            }
                        )
                        for d in FW.index.children
                    ]
                }
            )
        }
    )
    a = evaluate(FW, _frame(X)).result
    b = evaluate(scaled, _frame(X)).result
    np.testing.assert_allclose(a["score"].to_numpy(), b["score"].to_numpy(), rtol=1e-12, atol=1e-9)
    assert a["rank"].to_list() == b["rank"].to_list()


@settings(max_examples=30, deadline=None)
@given(values)
def test_identical_units_share_a_rank(X):
    X = X.copy()
    X[1] = X[0]
    if not _ok(X):
        return
    r = evaluate(FW, _frame(X)).result["rank"].to_list()
    assert r[0] == r[1]
    assert min(r) == 1
