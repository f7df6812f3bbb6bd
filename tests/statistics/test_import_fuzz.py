"""Malformed files against the store: every import ends in a report, never a traceback, and is
all or nothing — refused leaves the database exactly as it was, committed stores every value the
report counted (issue 15). Files come from tests/engine/tabular/fuzzfiles.py, keyed to the
entities of the small registry so that some of them get as far as the database checks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from gaoxin.statistics.imports import import_file
from gaoxin.statistics.models import Observation
from gaoxin.statistics.store import sync_catalogue, sync_validation_rules
from tests import factories
from tests.engine.tabular.fuzzfiles import files_and_expectations, fuzz_settings
from tests.statistics.test_imports import snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 20)


@pytest.fixture
def registry():
    sync_catalogue()
    sync_validation_rules()
    t = factories.small_tree()
    firms = [t["a"], t["b"], t["c"]]
    # firms only clean files touch: what a malformed file stores cannot contradict them
    kept = [factories.enterprise(f"清洁样本{i}科技有限公司", t["torch"]) for i in (1, 2)]
    return (
        [e.code for e in firms] + [t["torch"].code],
        [e.name for e in firms],
        ([e.code for e in kept], [e.name for e in kept]),
    )


def test_every_import_is_all_or_nothing(registry, tmp_path):
    codes, names, clean = registry
    statuses: list[str] = []

    @fuzz_settings(default=120)
    @given(files_and_expectations(codes, names, clean), st.booleans())
    def run(drawn, dry_run):
        name, data, expected = drawn
        path = tmp_path / name
        path.write_bytes(data)
        before = snapshot()
        report = import_file(path, today=TODAY, dry_run=dry_run)
        event(f"{'clean' if expected else 'malformed'}: {report.status}")
        statuses.append(report.status)
        if expected is not None:
            # a clean file is read, and stored exactly (a dry run stores nothing)
            assert report.errors == [], [str(p) for p in report.errors]
            assert report.status == ("dry_run" if dry_run else "committed"), report.status
            if not dry_run:
                stored = {
                    (code, var, period): value
                    for code, var, period, value in Observation.objects.filter(
                        entity__code__in={k[0] for k in expected}
                    ).values_list("entity__code", "variable__code", "period", "value")
                }
                assert {k: stored.get(k) for k in expected} == expected
            else:
                assert snapshot() == before
            return
        if report.status != "committed":
            assert snapshot() == before
            return
        c = report.counts
        assert Observation.objects.count() == len(before[0]) + c.created
        assert len(snapshot()[0]) == len(before[0]) + c.created

    run()
    # The generator reaches the store, not only the reader's refusals (in a long run; a few
    # hundred derandomised cases may all be refused).
    assert "committed" in statuses or len(statuses) < 500, sorted(set(statuses))
