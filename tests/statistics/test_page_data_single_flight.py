"""A value not yet kept is computed once however many readers ask at once (decision 064): the
others wait for it; a lock left by a reader that died, or one that failed, keeps no one waiting
longer than it must, and a failure is never kept."""

import threading
import time

import pytest
from django.core.cache import cache

from gaoxin.statistics import page_data


@pytest.fixture(autouse=True)
def fresh():
    cache.clear()
    yield
    cache.clear()


def counting(value, seconds=0.0):
    calls = []
    lock = threading.Lock()

    def compute():
        with lock:
            calls.append(threading.get_ident())
        time.sleep(seconds)
        return value

    return compute, calls


def key_of(name, parts):
    return page_data.key_of(name, parts)


def test_concurrent_readers_of_one_cold_value_compute_it_once():
    compute, calls = counting({"看板": 1}, seconds=0.3)
    start = threading.Barrier(4)
    results = []

    def reader():
        start.wait()
        results.append(page_data.kept("dashboard", ("350100",), compute))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1  # one computed, three waited for it
    assert results == [{"看板": 1}] * 4
    assert cache.get(key_of("dashboard", ("350100",)) + ":lock") is None


def test_another_key_is_not_held_up_by_a_lock():
    compute, calls = counting("一市")
    key = key_of("dashboard", ("350100",))
    cache.add(f"{key}:lock", "someone", 60)
    began = time.monotonic()
    assert page_data.kept("dashboard", ("350200",), compute) == "一市"
    assert time.monotonic() - began < page_data.WAIT_SECONDS / 2
    assert len(calls) == 1


def test_a_lock_left_by_a_reader_that_died_keeps_the_others_waiting_a_short_while(monkeypatch):
    monkeypatch.setattr(page_data, "WAIT_SECONDS", 0.3)
    key = key_of("dashboard", ("350100",))
    cache.add(f"{key}:lock", "a process killed while computing", 60)
    compute, calls = counting("看板")
    began = time.monotonic()
    assert page_data.kept("dashboard", ("350100",), compute) == "看板"
    took = time.monotonic() - began
    assert 0.3 <= took < 2 and len(calls) == 1
    # kept: the next reader does not wait, the dead lock notwithstanding
    began = time.monotonic()
    assert page_data.kept("dashboard", ("350100",), lambda: "again") == "看板"
    assert time.monotonic() - began < 0.1


def test_an_expired_lock_is_taken_over_before_the_wait_is_over(monkeypatch):
    monkeypatch.setattr(page_data, "WAIT_SECONDS", 5.0)
    key = key_of("dashboard", ("350100",))
    cache.add(f"{key}:lock", "a process killed while computing", 0.2)  # expires in 0.2 s
    compute, calls = counting("看板")
    began = time.monotonic()
    assert page_data.kept("dashboard", ("350100",), compute) == "看板"
    assert time.monotonic() - began < 2 and len(calls) == 1


def test_a_failed_computation_is_not_kept_and_the_waiters_meet_it_themselves():
    start = threading.Barrier(2)
    errors, calls = [], []

    def failing():
        calls.append(1)
        time.sleep(0.2)
        raise ValueError("没有数据")

    def reader():
        start.wait()
        try:
            page_data.kept("dashboard", ("350100",), failing)
        except ValueError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == ["没有数据"] * 2 and len(calls) == 2
    assert page_data.kept("dashboard", ("350100",), lambda: "后来有了") == "后来有了"
