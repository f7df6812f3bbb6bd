"""Shared fixtures. The suite runs on SQLite by default; CI also runs it on PostgreSQL
(set GAOXIN_DATABASE_URL)."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return SEEDS


def pytest_configure(config: pytest.Config) -> None:
    """Background jobs run at once, inside the test, instead of waiting in the database queue
    for `gaoxin worker` (tests/jobs/test_worker.py runs the real queue)."""
    from django.conf import settings
    from django.test.signals import setting_changed

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    # No rebuild job after every write: a read of the analytics tables rebuilds them when
    # stale (tests/statistics/test_analytics.py switches the jobs on).
    settings.ANALYTICS_ON_CHANGE = "read"
    # Accounts are made by the dozen in every page test; PBKDF2's million iterations cost about
    # 0.3 s of CPU per password set or checked. The hasher is not what these tests test
    # (tests/web/test_server.py checks the deployed settings' own).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _analytics_root(settings, tmp_path_factory):
    """Each test its own analytics directory: a build left by another test (whose database was
    rolled back) must not pass for this one's."""
    settings.ANALYTICS_ROOT = tmp_path_factory.mktemp("analytics")


_MEMOS: list = []


def pytest_terminal_summary(terminalreporter) -> None:
    for memo in _MEMOS:
        terminalreporter.write_line(
            f"analytics builds (tests/analytics_memo.py): {memo.misses} built, {memo.hits} "
            f"copied, {memo.passed} left to the build"
        )


@pytest.fixture(scope="session")
def _analytics_memo(tmp_path_factory):
    from gaoxin.engine import analytics as tables
    from tests.analytics_memo import Memo

    memo = Memo(tmp_path_factory.mktemp("analytics-memo"), tables.build_tables)
    _MEMOS.append(memo)
    return memo


@pytest.fixture(autouse=True)
def _analytics_builds(request, monkeypatch, _analytics_memo):
    """A whole build of the same store rows is built once in the run and copied after
    (tests/analytics_memo.py, decision 074); a test marked ``every_build`` runs each of its
    builds."""
    if request.node.get_closest_marker("every_build") is None:
        from gaoxin.engine import analytics as tables

        monkeypatch.setattr(tables, "build_tables", _analytics_memo.build_tables)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--browser-tests",
        action="store_true",
        help="run the browser suite (needs Debian's chromium and the [browser] extra)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests import module_rows

    module_rows.order(items)  # a module's tests sharing rows after the others (module_rows.py)
    if config.getoption("--browser-tests"):
        return
    skip = pytest.mark.skip(reason="browser suite: run with --browser-tests (CI=true .ci/run does)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the API's throttles count requests there, per user
    id and client address, and ids and 127.0.0.1 repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def t(db):
    """The workplace of tests/workplace.py: two provinces, their cities and zones, the zone
    forms assigned. Shared by the review, award, evaluation and case tests."""
    from tests import workplace

    return workplace.tree()


@pytest.fixture
def users(t):
    """One user per role in the workplace (tests/workplace.py USERS) and a superuser."""
    from tests import workplace

    return workplace.users(t)
