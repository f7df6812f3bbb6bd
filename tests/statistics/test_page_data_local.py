"""The process's own copy in front of a shared cache (decision 054): a value kept for the whole
life rests on its key alone and is read from the process after the first time; a value with a
shorter life is read from the shared cache each time; another key is never answered by it."""

import pytest
from django.core.cache.backends.base import BaseCache

from gaoxin.statistics import page_data


class Shared(BaseCache):
    """A shared cache as Redis is one, counting its reads."""

    def __init__(self):
        super().__init__({})
        self.data, self.reads = {}, 0

    def get(self, key, default=None, version=None):
        self.reads += not key.endswith(":lock")  # the reads of values, not of locks
        return self.data.get(key, default)

    def set(self, key, value, timeout=None, version=None):
        self.data[key] = value

    def add(self, key, value, timeout=None, version=None):
        return self.data.setdefault(key, value) is value

    def delete(self, key, version=None):
        return self.data.pop(key, None) is not None


@pytest.fixture
def shared(monkeypatch):
    cache = Shared()
    monkeypatch.setattr(page_data, "cache", cache)
    page_data._local.clear()
    yield cache
    page_data._local.clear()


def test_a_value_kept_for_its_whole_life_is_read_from_the_process_after_the_first_time(shared):
    computed = []

    def compute(value):
        computed.append(value)
        return value

    assert page_data.kept("part", ("scope", 1), lambda: compute("一省")) == "一省"
    assert page_data.kept("part", ("scope", 1), lambda: compute("x")) == "一省"
    assert computed == ["一省"] and shared.reads == 1
    # another scope's key is its own value, computed for it
    assert page_data.kept("part", ("scope", 2), lambda: compute("一市")) == "一市"
    assert computed == ["一省", "一市"]


def test_a_value_with_a_shorter_life_is_read_from_the_shared_cache_each_time(shared):
    for _ in range(3):
        page_data.kept("completeness", (1,), lambda: [1], timeout=60)
    assert shared.reads == 3


def test_each_process_its_own_memory_has_no_second_copy(settings):
    """With no shared cache (the default) the process's memory is the cache itself."""
    assert not page_data._shared()
