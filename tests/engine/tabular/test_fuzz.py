"""Whatever file arrives, reading it ends in observations and problems, never in a traceback, and
what is read without an error is a number the store can keep exactly, in range, for a period that
can be (the fuzz half of issue 15; the database half is tests/statistics/test_import_fuzz.py)."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import event, given

from gaoxin.engine.tabular import read_observations
from gaoxin.engine.variables import default_catalogue

from .fuzzfiles import files, fuzz_settings

TODAY = dt.date(2026, 1, 20)
CATALOGUE = default_catalogue()


@fuzz_settings()
@given(files())
def test_no_file_ends_in_a_traceback_and_what_is_read_is_sound(named):
    name, data = named
    parsed = read_observations(data, CATALOGUE, name=name, today=TODAY)
    for problem in parsed.problems:
        assert problem.message and problem.file == name
        event(f"{problem.severity}: {problem.code}")
    event("values read" if parsed.observations.height else "no values")
    if parsed.errors:
        return
    for row in parsed.observations.iter_rows(named=True):
        var = CATALOGUE[row["variable"]]
        value = row["value"]
        assert value is not None and math.isfinite(value)
        assert var.min is None or value >= var.min
        assert var.max is None or value <= var.max
        assert not var.integer or value == value.to_integral_value()
        assert CATALOGUE.earliest_year <= int(row["period"][:4]) <= TODAY.year
