"""Rows written once for a test module instead of once for each of its tests.

A demo jurisdiction takes seconds to load, and dozens of tests read one. A module-scoped fixture
named ``module_rows_*`` loads it with :func:`module_rows` inside a transaction held open for the
module; each test's own transaction (pytest-django's, as before) is then a savepoint inside it,
rolled back when the test ends, so whatever a test writes is gone before the next one starts,
and the module's rows are rolled back after its last test. Each test thus starts from the rows
it used to load itself.

Tests that do not ask for the fixture must not see those rows: ``tests/conftest.py`` runs a
module's tests that use a ``module_rows_*`` fixture after the others (the transaction opens at
the first of them), and refuses a module whose tests use two different ones. A test that needs
its own transactions (``django_db(transaction=True)``) cannot share rows this way and is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from django.db import transaction

PREFIX = "module_rows_"

T = TypeVar("T")


def module_rows(django_db_blocker, load: Callable[[], T]) -> Iterator[T]:
    """For a module-scoped fixture: ``yield from module_rows(django_db_blocker, load)`` runs
    ``load()`` once in a transaction that the module's tests share and that is rolled back after
    the last of them; yields what ``load`` returned."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # marked as Django's TestCase marks its own, so that a durable block inside a test
        # still opens (a durable block refuses only a caller's transaction around it)
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            loaded = load()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield loaded
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def demo_rows(django_db_blocker, j, name: str) -> Iterator[None]:
    """:func:`module_rows` of a demo jurisdiction ``j`` loaded as the tests load it: the
    catalogue, then ``load_jurisdiction`` with the label ``测试 <name>``."""
    from gaoxin.statistics.demo import load_jurisdiction
    from gaoxin.statistics.store import sync_catalogue

    def load() -> None:
        sync_catalogue()
        load_jurisdiction(j, label=f"测试 {name}")

    yield from module_rows(django_db_blocker, load)


def order(items: list[pytest.Item]) -> None:
    """Within each module, the tests using a ``module_rows_*`` fixture after the others (stable
    otherwise); a module whose tests use two of them, or one in a transactional test, is an
    error."""
    by_module: dict[object, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(getattr(item, "module", None), []).append(item)
    ordered = []
    for module_items in by_module.values():
        used = {
            item.nodeid: {f for f in getattr(item, "fixturenames", ()) if f.startswith(PREFIX)}
            for item in module_items
        }
        kinds = set().union(*used.values())
        if len(kinds) > 1:
            raise pytest.UsageError(
                f"{module_items[0].nodeid.split('::')[0]}: tests use {sorted(kinds)}; one module "
                "shares one set of module rows"
            )
        for item in module_items:
            if used[item.nodeid] and "transactional_db" in item.fixturenames:
                raise pytest.UsageError(f"{item.nodeid}: a transactional test cannot share rows")
            marker = item.get_closest_marker("django_db")
            if used[item.nodeid] and marker is not None and marker.kwargs.get("transaction"):
                raise pytest.UsageError(f"{item.nodeid}: a transactional test cannot share rows")
        ordered.extend(sorted(module_items, key=lambda item: bool(used[item.nodeid])))
    items[:] = ordered
