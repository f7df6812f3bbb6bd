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
