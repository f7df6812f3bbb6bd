"""Edge cases of arithmetic and literals (issue 15, item 11): overflow to infinity becomes
missing as docs/expressions.md promises, integers never wrap around, and a lone surrogate in a
string literal is a clear error at check time, not a failure when the result is saved."""

import polars as pl
import pytest

from gaoxin.engine.expr import ExprError, Namespace, check

NS = Namespace.of({"a": "number", "b": "number", "n": "number", "s": "string"})
FRAME = pl.DataFrame(
    {"a": [1e308, 2.0], "b": [10.0, 3.0], "n": [9223372036854775807, 5], "s": ["x", "y"]}
)


def evaluate(source: str) -> list:
    return FRAME.select(check(source, NS).to_polars().alias("r"))["r"].to_list()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a * b", [None, 6.0]),
        ("a + a", [None, 4.0]),
        ("-a - a", [None, -4.0]),
        ("1e308 * 10 + a", [None, None]),
    ],
)
def test_overflow_to_infinity_is_missing(source, expected):
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("n + 1", [9223372036854775808.0, 6.0]),
        ("n * 2", [18446744073709551616.0, 10.0]),
        ("abs(-n - 1)", [9223372036854775808.0, 6.0]),
        ("-(n + 1) < 0", [True, True]),
    ],
)
def test_integers_never_wrap_around(source, expected):
    # Int64 arithmetic would give -9223372036854775808 for n + 1 and -2 for n * 2.
    assert evaluate(source) == expected


@pytest.mark.parametrize("source", ['"\\ud800"', "s == '\\udfff'", 'if_(a > 1, "\\ud83d", "x")'])
def test_a_lone_surrogate_literal_is_a_clear_error(source):
    with pytest.raises(ExprError, match="孤立的代理项"):
        check(source, NS)


def test_a_whole_character_written_as_an_escape_is_fine():
    assert check('s == "\\U0001F600"', NS) is not None
