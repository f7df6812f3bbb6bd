"""gaoxin.locks.serialise on a real server: transactions that each read the last number and
add the next one (a case number, a new ledger entry) take turns, so no two add the same one.
SQLite lets one writer in at a time, so the race is PostgreSQL's."""

import threading
import time

import pytest
from django.db import connection, transaction

from gaoxin.locks import serialise
from gaoxin.statistics.models import Batch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 5


def test_transactions_holding_one_name_take_turns():
    if connection.vendor != "postgresql":
        pytest.skip("a write race needs a database server (CI=true .ci/run runs it on PostgreSQL)")
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def next_number():
        try:
            start.wait()
            with transaction.atomic():
                serialise("test:numbers")
                n = Batch.objects.filter(label__startswith="第").count()
                time.sleep(0.2)  # the window in which another would read the same count
                Batch.objects.create(kind="manual", label=f"第{n + 1}号")
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=next_number) for _ in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not failures, failures
    labels = sorted(Batch.objects.values_list("label", flat=True))
    assert labels == sorted(f"第{i}号" for i in range(1, THREADS + 1))
