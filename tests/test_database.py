"""Which database the suite runs on: CI=true .ci/run sets GAOXIN_DATABASE_URL and runs the
database tests again on a real PostgreSQL server; this makes that run prove it."""

import os

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_configured_server_is_the_one_in_use():
    url = os.environ.get("GAOXIN_DATABASE_URL", "")
    if not url:
        assert connection.vendor == "sqlite"
        return
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert "PostgreSQL" in cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """Decision 056: the ledger's status counts are one statement of about 150 subqueries;
    with JIT on, PostgreSQL spent 3.8 of 4.2 s compiling it on a document of four measures."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting: CI=true .ci/run runs it on the server")
    with connection.cursor() as cursor:
        cursor.execute("show jit")
        assert cursor.fetchone()[0] == "off"
