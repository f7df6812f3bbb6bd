"""Imports racing for the same values on a real server (issue 15, item 8): threads import at
once into PostgreSQL; none gets a traceback, the losers of an insert race get the retry
message and write nothing, and the history of each value stays one unbroken chain (every old
value is the value before it). SQLite lets one writer in at a time, so the race is PostgreSQL's."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from gaoxin.statistics.imports import import_file
from gaoxin.statistics.models import Batch, Observation, ObservationChange, Variable
from gaoxin.statistics.store import sync_catalogue, write_observations
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 6


@pytest.fixture
def server():
    if connection.vendor != "postgresql":
        pytest.skip("a write race needs a database server (CI=true .ci/run runs it on PostgreSQL)")
    sync_catalogue()
    t = factories.small_tree()
    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 1)], Batch.objects.create(kind="manual", label="起点")
    )
    return t, revenue


def race(files):
    """Import every file at the same moment, one thread each; the reports, in file order."""
    start = threading.Barrier(len(files))
    reports: list = [None] * len(files)
    failures: list[BaseException] = []

    def run(i, f):
        try:
            start.wait()
            reports[i] = import_file(f)
        except BaseException as exc:  # a traceback would reach the user: the test fails on it
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(files)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not failures, failures
    return reports


def chain(entity, variable, period):
    """(old, new) of every change of one value, oldest first."""
    return list(
        ObservationChange.objects.filter(entity=entity, variable=variable, period=period)
        .order_by("id")
        .values_list("old_value", "new_value")
    )


def files(tmp_path, code, period):
    out = []
    for i in range(THREADS):
        f = tmp_path / f"{period}-{i}.csv"
        f.write_text(f"统一社会信用代码,期间,营业收入（万元）\n{code},{period},{10 + i}\n", "utf-8")
        out.append(f)
    return out


def test_imports_updating_one_value_at_once_keep_one_history_chain(server, tmp_path):
    t, revenue = server
    reports = race(files(tmp_path, t["a"].code, "2025"))
    assert {r.status for r in reports} <= {"committed", "rejected"}
    for r in reports:
        if r.status == "rejected":
            assert [p.code for p in r.errors] == ["concurrent_write"], r.errors
    assert any(r.status == "committed" for r in reports)
    history = chain(t["a"], revenue, "2025")
    assert history[0] == (None, Decimal(1))
    for (_, before), (old, _) in zip(history, history[1:], strict=False):
        assert old == before  # each change starts from the value the one before it wrote
    stored = Observation.objects.get(entity=t["a"], variable=revenue, period="2025").value
    assert history[-1][1] == stored
    assert len(history) == 1 + sum(r.status == "committed" for r in reports)


def test_imports_inserting_one_new_value_at_once_store_it_once(server, tmp_path):
    t, revenue = server
    reports = race(files(tmp_path, t["a"].code, "2024"))
    committed = [r for r in reports if r.status == "committed"]
    for r in reports:
        if r.status == "rejected":
            assert [p.code for p in r.errors] == ["concurrent_write"], r.errors
            assert "重新导入" in r.errors[0].message
    assert committed
    assert Observation.objects.filter(entity=t["a"], variable=revenue, period="2024").count() == 1
    history = chain(t["a"], revenue, "2024")
    assert history[0][0] is None
    for (_, before), (old, _) in zip(history, history[1:], strict=False):
        assert old == before
    assert len(history) == len(committed)
    assert Batch.objects.filter(kind="import").count() == len(committed)


def test_two_city_reviewers_acting_at_once_make_one_move(tmp_path):
    """Approve and return the same submitted return at the same moment: exactly one move
    happens (the row lock makes the second see the first's state and be refused), and the
    return has one event for it."""
    if connection.vendor != "postgresql":
        pytest.skip("a write race needs a database server (CI=true .ci/run runs it on PostgreSQL)")
    from django.contrib.auth import get_user_model

    from gaoxin.accounts.models import Profile
    from gaoxin.statistics.approval import Refused, move
    from gaoxin.statistics.models import ReportingForm, Submission
    from tests import workplace

    t = workplace.tree()
    people = workplace.users(t)
    second = get_user_model().objects.create_user("city_reviewer_2", password="x")
    Profile.objects.create(
        user=second, organisation="厦门市科技局", scope=t["xm"], role="city_reviewer"
    )
    form = ReportingForm.objects.get(code="zone_monthly")
    submitted = workplace.move(form, t["torch"], "2026-11", [("submit", "submitted")])

    start = threading.Barrier(2)
    outcomes: list = []

    def act(user, action, comment):
        try:
            start.wait()
            sub = Submission.objects.get(pk=submitted.pk)
            outcomes.append(move(sub, action, by=user, comment=comment).to_state)
        except Refused as refused:
            outcomes.append(f"refused: {refused}")
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(people["city_reviewer"], "city_approve", "")),
        threading.Thread(target=act, args=(second, "city_return", "请核实研发费用")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    moved = [o for o in outcomes if o in ("city_approved", "returned")]
    refused = [o for o in outcomes if isinstance(o, str) and o.startswith("refused: ")]
    assert len(moved) == 1 and len(refused) == 1, outcomes
    assert "当前状态为" in refused[0]
    final = Submission.objects.get(pk=submitted.pk)
    assert final.state == moved[0]
    assert [e.to_state for e in final.events.order_by("id")] == ["submitted", moved[0]]
