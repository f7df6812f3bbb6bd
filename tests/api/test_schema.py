"""The OpenAPI schema describes the API completely and the API answers as it says.

- ``manage.py spectacular --validate --fail-on-warn``: every endpoint, parameter and answer is
  described (a view drf-spectacular has to guess about fails);
- schemathesis generates requests for every operation from the schema and sends them through
  the WSGI application (no network) as a signed-in demo user, checking that no answer is a
  server error and that each answer's status, content type and body are the ones the schema
  gives. A few examples per operation in `make test`; more in CI (CI=true), about a minute.
"""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from gaoxin.accounts.services import api_token
from tests import workplace

pytestmark = pytest.mark.django_db

#: examples per operation: GAOXIN_SCHEMATHESIS_EXAMPLES, else 15 in CI's SQLite pass (48 s for
#: all operations on a 2-core machine at load 16; 20 s with 4) and 4 in `make test` and in CI's
#: PostgreSQL pass
_CI_SQLITE = os.environ.get("CI") == "true" and not os.environ.get("GAOXIN_DATABASE_URL")
EXAMPLES = int(os.environ.get("GAOXIN_SCHEMATHESIS_EXAMPLES", "15" if _CI_SQLITE else "4"))


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    text = (tmp_path / "s.yaml").read_text("utf-8")
    assert "/api/v1/submissions/{form_code}/{entity_id}/{period}/values/" in text
    assert "tokenAuth" in text


@pytest.fixture
def demo():
    """The workplace tree with a little of everything: values, a published run and award."""
    from gaoxin.audit import Approval
    from gaoxin.evaluation.models import EvaluationResult
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import write_observations
    from tests import factories

    t = workplace.tree()
    users = workplace.users(t)
    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(t["a"].pk, revenue.pk, p, 10) for p in ("2025-11", "2025-12")],
        Batch.objects.create(kind="manual", label="x"),
    )
    run = factories.evaluation_run(scope=t["torch"], title="评价")
    EvaluationResult.objects.create(run=run, entity=t["torch"], score=80, rank=1, grade="良好")
    run.set_approval(Approval.APPROVED, users["admin"])
    workplace.award(t["torch"]).set_approval(Approval.APPROVED, users["admin"])
    return t, users


@pytest.fixture
def keep_connection():
    """Requests go through the real WSGI handler, whose end-of-request signal closes a database
    connection that is inside a transaction (the test's): on PostgreSQL the next query would
    find it closed. Django's own test client unhooks the same signals."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(demo, keep_connection):
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from gaoxin.web.wsgi import application

    # what the schema promises; not schemathesis' guesses about which valid-looking requests
    # must succeed (a period without data is refused with 422, as the schema says)
    CHECKS = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    _, users = demo
    auth = {"Authorization": f"Token {api_token('province_admin').key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=auth)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/"):
            continue
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=auth, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # one operation's must not hide the rest
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
