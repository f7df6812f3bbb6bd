"""The access matrix: every non-admin URL pattern × every role, against objects of another zone,
another city and another province.

- A pattern without an entry in :data:`ROUTES`, :data:`API_ROUTES` (the /api/v1/ endpoints) or
  :data:`NO_SCOPED_DATA` fails :func:`test_every_pattern_has_an_entry`: whoever adds a page or
  an endpoint adds its row here.
- Logged out, every page sends the visitor to the login page; every endpoint answers 401.
- An object outside the user's scope answers exactly what a missing object answers (404, or 403
  where the role may not use the page at all), and nothing of it is shown.
- A page without an object never names an entity outside the user's scope (downloads included);
  an API list filtered by another scope's object answers as for a missing one (an empty list).

Runs on SQLite and, in CI, on PostgreSQL (``-m 'django_db or postgres'``).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from gaoxin.audit import Approval
from gaoxin.evaluation.models import EvaluationResult
from gaoxin.jobs.models import Job
from gaoxin.statistics.models import ReportingForm
from gaoxin.web import uploads
from tests import factories, workplace

pytestmark = pytest.mark.django_db

#: Where the foreign objects live: another zone of 厦门, another city of 福建, another province.
PLACES = ("haicang", "fzz", "ncz")
#: What a page would show of each place if it leaked.
NAMES = {
    "haicang": ("厦门海沧高新技术产业园区", "厦门戊生物有限公司"),
    "fzz": ("福州高新技术产业开发区", "福州丙软件有限公司"),
    "ncz": ("南昌高新技术产业开发区", "南昌丁光电有限公司"),
}
ROLES = ("province_admin", "province_reviewer", "city_reviewer", "zone_reporter", "viewer")
MONTH = "2026-11"
MISSING = 987_654_321

#: Patterns that show no scoped data: the login and password pages, the API schema, the
#: language switch (a POST that sets a cookie and redirects; tests/web/test_i18n.py).
NO_SCOPED_DATA = {
    "set_language",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "schema",
    "api:not_found",  # the API's JSON 404 for any other address under /api/v1/
}


@dataclass(frozen=True)
class Route:
    """How to call a pattern. ``target(world, place)`` gives the URL kwargs for the object of
    ``place`` (``place=None``: an object that does not exist); without ``target`` the pattern
    has no object and ``kwargs`` are fixed."""

    target: Callable[[dict, str | None], dict] | None = None
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: Callable[[dict, str | None], dict] | None = None
    #: the API's writes take a JSON body
    json: bool = False
    #: a list filtered by the object: a missing one gives an empty list (200), not a 404
    listing: bool = False


def _entry(world, place):
    entity_id = world[place].pk if place else MISSING
    return {"form_code": "zone_monthly", "entity_id": entity_id, "period": MONTH}


def _pk(kind):
    return lambda world, place: {"pk": world[kind][place].pk if place else MISSING}


def _explain(world, place):
    if place is None:
        return {"pk": MISSING, "entity_id": MISSING}
    return {"pk": world["runs"][place].pk, "entity_id": world[place].pk}


def _place(world, place):
    """A place picked on the monitoring page (its select's value: the entity's id)."""
    return world[place].pk if place else MISSING


def _job(world, place):
    return {"pk": world["jobs"][place].pk if place else uuid.uuid4()}


def _ledger(world) -> dict:
    """The task ledger of the world, built on first use: one measure per zone, led by a unit
    named after the zone (so that a leak shows the zone's name) and linked to it, with a report
    and one evidence row (no file written)."""
    if "ledger" not in world:
        from gaoxin.policy.ledger import import_document, report_progress
        from gaoxin.policy.models import Assignment, Evidence, ResponsibleUnit

        places = ("torch", *PLACES)
        lines = [
            f"（{n}）任务{n}。（{world[p].name}管委会，2024年底前完成）"
            for n, p in zip("一二三四", places, strict=True)
        ]
        import_document("某省任务分解方案\n\n一、主要任务\n" + "\n".join(lines) + "\n")
        built: dict = {"units": {}, "tasks": {}, "evidence": {}}
        for p in places:
            unit = ResponsibleUnit.objects.get(name=f"{world[p].name}管委会")
            unit.entity = world[p]
            unit.jurisdiction = world[p].parent  # the zone's city: the alias table's key
            unit.save()
            task = Assignment.objects.get(unit=unit)
            report = report_progress(task, "in_progress", f"{world[p].name}的进展")
            built["units"][p], built["tasks"][p] = unit, task
            built["evidence"][p] = Evidence.objects.create(
                report=report,
                file="evidence/00/0.pdf",
                original_name="纪要.pdf",
                sha256="0" * 64,
                size=1,
            )
        world["ledger"] = built
    return world["ledger"]


def _ledger_pk(kind):
    return lambda world, place: {"pk": _ledger(world)[kind][place].pk if place else MISSING}


def _cases(world) -> dict:
    """One case per place, built on first use: a 限期整改 of the Sichuan pack, published, with
    a plan and its file row (no file written)."""
    if "cases" not in world:
        from gaoxin.cases import services
        from gaoxin.cases.models import CaseEvent, CaseFile

        built: dict = {"cases": {}, "files": {}}
        for p in ("torch", *PLACES):
            entry = workplace.award(
                world[p],
                pack="sichuan",
                rule="evaluation-rectify",
                outcome="action",
                amount_fen=None,
                action="rectify",
                approval=Approval.APPROVED,
                text=f"{world[p].name}考核评价结果较差",
            )
            (case,) = services.sync([entry]).opened
            event = CaseEvent(case=case, action="add_evidence", to_state=case.state, comment="材料")
            event.save()
            built["cases"][p] = case
            built["files"][p] = CaseFile(
                event=event,
                file="cases/00/0.pdf",
                original_name="方案.pdf",
                sha256="0" * 64,
                size=1,
            )
            built["files"][p].save()
        world["cases"] = built
    return world["cases"]


def _case_pk(kind):
    return lambda world, place: {"pk": _cases(world)[kind][place].pk if place else MISSING}


COMPLETENESS = {"form": "zone_monthly", "period": MONTH}
#: Pivots that would name zones (in rows and in the total) and enterprises if they leaked.
PIVOT_QUERIES = [
    {"indicator": ["revenue_total", "rd_intensity"], "period": "2025", "level": "zone"},
    {"indicator": "enterprise_rd_intensity", "period": "2025", "level": "enterprise"},
]

ROUTES: dict[str, list[Route]] = {
    "home": [Route()],
    "statistics:completeness_index": [Route()],
    "statistics:completeness": [Route(kwargs=COMPLETENESS)],
    "statistics:completeness_download": [
        Route(kwargs={**COMPLETENESS, "fmt": "csv"}),
        Route(kwargs={**COMPLETENESS, "fmt": "xlsx"}),
    ],
    "statistics:entry_index": [Route()],
    "statistics:entry": [Route(target=_entry)],
    "statistics:entry_check": [Route(target=_entry, method="post")],
    "statistics:entry_move": [
        Route(target=_entry, method="post", data=lambda w, p: {"action": "submit"})
    ],
    "statistics:entry_history": [Route(target=_entry)],
    "statistics:entry_template": [Route(target=_entry)],
    "statistics:entry_upload": [Route(target=_entry, method="post")],
    "statistics:pivot": [
        Route(),
        *[Route(data=lambda w, p, q=q: q) for q in PIVOT_QUERIES],
        # the preview (data under review): 403 for a role that may not, in scope for one that may
        Route(data=lambda w, p: {**PIVOT_QUERIES[0], "preview": "1"}),
    ],
    "statistics:pivot_export": [Route(data=lambda w, p, q=q: q) for q in PIVOT_QUERIES],
    "statistics:import": [Route()],
    "statistics:monitor": [
        Route(),
        Route(target=lambda w, p: {}, data=lambda w, p: {"scope": _place(w, p)}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"scope": _place(w, p), "period": MONTH},
        ),
        Route(data=lambda w, p: {"period": MONTH, "preview": "1"}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"scope": _place(w, p), "period": MONTH, "preview": "1"},
        ),
    ],
    "statistics:monitor_download": [
        Route(
            target=lambda w, p: {},
            method="post",
            data=lambda w, p: {"scope": _place(w, p), "period": MONTH},
        )
    ],
    # 下载公文 (decision 045): the place a page passes must lie in the user's scope
    "documents:write": [
        Route(
            target=lambda w, p: {},
            method="post",
            data=lambda w, p: {
                "kind": "monitor",
                "pack": "fujian-2021",
                "period": MONTH,
                "fmt": "docx",
                "scope": _place(w, p),
            },
        )
    ],
    "jobs:index": [Route()],
    "jobs:detail": [Route(target=_job)],
    "jobs:download": [Route(target=_job)],
    "jobs:inputs": [Route(target=_job)],
    "evaluation:runs": [Route()],
    "evaluation:run": [Route(target=_pk("runs"))],
    "evaluation:start": [
        Route(),
        Route(
            method="post",
            data=lambda w, p: {"framework": "gansu/gansu-provincial-zones-annual", "period": "x"},
        ),
    ],
    "evaluation:compare": [Route(target=_pk("runs"))],
    "evaluation:explain": [Route(target=_explain)],
    "evaluation:review_run": [
        Route(target=_pk("runs"), method="post", data=lambda w, p: {"decision": "approve"})
    ],
    "awards:ledger": [Route()],
    "awards:review": [
        Route(),
        Route(
            method="post",
            target=lambda w, p: {},
            data=lambda w, p: {
                "entry": [w["pending"][p].pk if p else MISSING],
                "decision": "approve",
            },
        ),
    ],
    "awards:entry": [Route(target=_pk("awards"))],
    "awards:trial_start": [Route(), Route(method="post", data=lambda w, p: {"period": "x"})],
    "awards:trial": [Route(target=_job)],
    "awards:trial_record": [Route(target=_job, method="post")],
    "awards:trial_pending": [Route(target=_job)],
    "awards:inputs_template": [Route(kwargs={"pack": "fujian-2021"})],
    "awards:eligible": [
        Route(),
        Route(data=lambda w, p: {"pack": "fujian-2021", "period": "2026"}),
    ],
    "policy:targets": [Route(), Route(data=lambda w, p: {"pack": "fujian-2021"})],
    "awards:review_entry": [
        Route(target=_pk("pending"), method="post", data=lambda w, p: {"decision": "approve"})
    ],
    "policy:ledger": [Route()],
    "policy:late": [Route()],
    "policy:unit": [Route(target=_ledger_pk("units"))],
    "policy:task": [
        Route(target=_ledger_pk("tasks")),
        Route(
            target=_ledger_pk("tasks"),
            method="post",
            data=lambda w, p: {"status": "done", "note": "代报"},
        ),
    ],
    "policy:evidence": [Route(target=_ledger_pk("evidence"))],
    "policy:remind": [
        Route(target=_ledger_pk("tasks")),
        Route(target=_ledger_pk("tasks"), method="post", data=lambda w, p: {"text": "督办"}),
    ],
    "policy:links": [Route()],
    "policy:link": [
        Route(target=_ledger_pk("units")),
        Route(
            target=_ledger_pk("units"),
            method="post",
            data=lambda w, p: {"entity": w[p].pk if p else MISSING, "note": "关联"},
        ),
    ],
    "dashboards:dashboard": [
        Route(),
        # a place inside the user's scope by ?place=: another scope's city or zone is a 404
        Route(target=lambda w, p: {}, data=lambda w, p: {"place": w[p].pk if p else MISSING}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"place": w[p].parent.pk if p else MISSING},
        ),
        Route(data=lambda w, p: {"preview": "1"}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"place": w[p].pk if p else MISSING, "preview": "1"},
        ),
    ],
    "dashboards:zone": [
        Route(target=lambda w, p: {"pk": w[p].pk if p else MISSING}),
        # the preview (decision 048): 403 for a role that may not, 404 outside the scope
        Route(
            target=lambda w, p: {"pk": w[p].pk if p else MISSING},
            data=lambda w, p: {"preview": "1"},
        ),
    ],
    "cases:list": [
        Route(),
        Route(data=lambda w, p: {"state": "open"}),
        Route(data=lambda w, p: {"overdue": "on"}),
    ],
    "cases:detail": [
        Route(target=_case_pk("cases")),
        Route(
            target=_case_pk("cases"),
            method="post",
            data=lambda w, p: {"action": "submit_plan", "text": "代报整改方案"},
        ),
    ],
    "cases:file": [Route(target=_case_pk("files"))],
}


# --- the API (/api/v1/) ----------------------------------------------------------------------
# Lists given another scope's object as a filter answer what they answer for a missing one (an
# empty page, or 404 where the parameter names the scope); objects answer 404.


def _api_entry(world, place):
    e = _entry(world, place)
    return {"form_code": e["form_code"], "entity_id": e["entity_id"], "period": e["period"]}


def _entity_filter(name):
    return lambda world, place: {name: world[place].pk if place else MISSING}


def _query(target):
    """A list endpoint called with another place's object in its query string."""
    return Route(target=lambda w, p: {}, data=target, listing=True)


API_ROUTES: dict[str, list[Route]] = {
    "api:me": [Route()],
    "api:entities": [
        Route(),
        Route(data=lambda w, p: {"level": "zone"}),
        Route(data=lambda w, p: {"name": "高新"}),
        _query(_entity_filter("parent")),
        _query(_entity_filter("within")),
        _query(lambda w, p: {"code": w[p].code if p else "000000"}),
    ],
    "api:entity": [Route(target=lambda w, p: {"pk": w[p].pk if p else MISSING})],
    "api:variables": [Route()],
    "api:indicators": [Route()],
    "api:forms": [Route()],
    "api:observations": [
        Route(),
        _query(_entity_filter("within")),
        _query(lambda w, p: {"entity": w["firms"][p].pk if p else MISSING}),
    ],
    "api:monitoring": [
        Route(data=lambda w, p: {"period": MONTH}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"period": MONTH, "scope": w[p].pk if p else MISSING},
        ),
        Route(data=lambda w, p: {"period": MONTH, "preview": "1"}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"period": MONTH, "scope": w[p].pk if p else MISSING, "preview": "1"},
        ),
    ],
    # the stored indicator values (decision 071): the user's scope, or a place in it (404 else)
    "api:indicator_values": [
        Route(data=lambda w, p: {"periods": "2025"}),
        Route(data=lambda w, p: {"periods": "2025,2025-11", "kind": "enterprise"}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"periods": "2025", "scope": w[p].pk if p else MISSING},
        ),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"periods": "2025", "scope": w[p].parent.pk if p else MISSING},
        ),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"periods": "2025", "entity": w["firms"][p].pk if p else MISSING},
        ),
        Route(data=lambda w, p: {"periods": "2025", "preview": "1"}),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {
                "periods": "2025",
                "scope": w[p].pk if p else MISSING,
                "preview": "1",
            },
        ),
    ],
    "api:completeness": [Route(kwargs=COMPLETENESS)],
    "api:submissions": [
        Route(),
        _query(_entity_filter("entity")),
    ],
    "api:sheet": [Route(target=_api_entry)],
    "api:sheet_save": [
        Route(
            target=_api_entry,
            method="post",
            json=True,
            data=lambda w, p: {
                "values": [
                    {"entity": w[p].pk if p else MISSING, "variable": "revenue", "value": "99999"}
                ],
                "submit": True,
            },
        )
    ],
    "api:sheet_move": [
        Route(
            target=_api_entry,
            method="post",
            json=True,
            data=lambda w, p: {"action": "city_approve", "comment": "同意"},
        )
    ],
    "api:runs": [Route()],
    "api:run": [Route(target=_pk("runs"))],
    "api:run_results": [Route(target=_pk("runs"))],
    "api:awards": [Route(), _query(lambda w, p: {"entity": w[p].pk if p else MISSING})],
    "api:award": [Route(target=_pk("awards")), Route(target=_pk("pending"))],
    "api:cases": [Route(), _query(_entity_filter("entity"))],
    "api:case": [Route(target=_case_pk("cases"))],
    "api:targets": [
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {"pack": "fujian-2021", "scope": w[p].pk if p else MISSING},
        ),
        Route(
            target=lambda w, p: {},
            data=lambda w, p: {
                "pack": "fujian-2021",
                "scope": w[p].pk if p else MISSING,
                "preview": "1",
            },
        ),
    ],
    "api:tasks": [
        Route(),
        _query(lambda w, p: {"unit": _ledger(w)["units"][p].pk if p else MISSING}),
    ],
    "api:task": [Route(target=_ledger_pk("tasks"))],
    "api:task_report": [
        Route(
            target=_ledger_pk("tasks"),
            method="post",
            json=True,
            data=lambda w, p: {"status": "done", "note": "代报"},
        )
    ],
    "api:jobs": [Route()],
    "api:job": [Route(target=_job)],
}
ALL_ROUTES = {**ROUTES, **API_ROUTES}


def named_patterns() -> set[str]:
    """Every pattern's full name outside the admin site; an unnamed pattern is named by its
    route so that it fails the coverage test."""
    found: set[str] = set()

    def walk(patterns, namespace: str, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route.startswith("admin/"):
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns, route)
            elif isinstance(p, URLPattern):
                found.add(f"{namespace}{p.name}" if p.name else f"(unnamed) {prefix}{p.pattern}")

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the jobs' kept inputs files
    t = workplace.tree()
    t["e"] = factories.enterprise("厦门戊生物有限公司", t["haicang"])
    users = workplace.users(t)
    form = ReportingForm.objects.get(code="zone_monthly")
    t.update(users=users, runs={}, awards={}, pending={}, jobs={})
    for place in ("torch", *PLACES):
        zone = t[place]
        # a return waiting at every level, so that home pages and queues would show it
        workplace.move(form, zone, MONTH, [("submit", "submitted")])
        workplace.move(
            form,
            zone,
            "2026-10",
            [("submit", "submitted"), ("city_return", "returned")],
            comment=f"{zone.name}的退回意见",
        )
        run = factories.evaluation_run(scope=zone, title=f"{zone.name}评价")
        EvaluationResult.objects.create(run=run, entity=zone, score=80, rank=1, grade="良好")
        run.set_approval(Approval.APPROVED, users["admin"])
        t["runs"][place] = run
        entry = workplace.award(zone)
        entry.set_approval(Approval.APPROVED, users["admin"])
        t["awards"][place] = entry
        t["pending"][place] = workplace.award(zone, rule="tech-city")
        # the user's file the job read (a trial's inputs, decision 082), naming the zone so
        # that a leak of the file shows
        inputs = uploads.keep(
            SimpleUploadedFile(
                f"inputs-{place}.csv", f"主体代码,名称\n{zone.code},{zone.name}\n".encode()
            ),
            "awards-inputs",
        )
        t["jobs"][place] = Job.objects.create(
            kind="x",
            label=f"{zone.name}导入",
            started_by=users["admin"],
            scope=zone,
            arguments={"args": [], "kwargs": {"inputs": str(inputs)}},
        )
    _ledger(t)
    _cases(t)
    # 2025 revenue and R&D of an enterprise in every place, for the pivot; revenue of the
    # last two months, which the API's observations and monitoring show
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import write_observations

    revenue, rd = (Variable.objects.get(code=c).pk for c in ("revenue", "rd_expenditure"))
    values = [
        (t[k].pk, v, "2025", n) for k in ("a", "c", "d", "e") for v, n in ((revenue, 9), (rd, 1))
    ]
    t["firms"] = {"torch": t["a"], "haicang": t["e"], "fzz": t["c"], "ncz": t["d"]}
    values += [
        (firm.pk, revenue, period, 100 + i)
        for i, firm in enumerate(t["firms"].values())
        for period in ("2025-11", MONTH)
    ]
    write_observations(values, Batch.objects.create(kind="manual", label="矩阵测试"))
    return t


def foreign_places(world, role) -> list[str]:
    scope = world["users"][role].gaoxin_profile.scope
    return [p for p in PLACES if not world[p].path.startswith(scope.path)]


def call(client, name, route: Route, world, place):
    kwargs = route.target(world, place) if route.target else route.kwargs
    url = reverse(name, kwargs=kwargs or None)
    data = route.data(world, place) if route.data else {}
    if route.json:
        return getattr(client, route.method)(url, data, content_type="application/json")
    return getattr(client, route.method)(url, data)


def text_of(response) -> str:
    streamed = hasattr(response, "streaming_content")
    body = b"".join(response.streaming_content) if streamed else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(body))
        return " ".join(
            str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v
        )
    return body.decode("utf-8", "replace")


def test_every_pattern_has_an_entry():
    missing = named_patterns() - set(ALL_ROUTES) - NO_SCOPED_DATA
    assert not missing, f"add these patterns to ROUTES in {__file__}: {sorted(missing)}"
    stale = set(ALL_ROUTES) - named_patterns()
    assert not stale, f"patterns gone from the URLconf: {sorted(stale)}"


def test_the_foreign_places_are_what_each_role_must_not_see(world):
    assert foreign_places(world, "province_admin") == ["ncz"]
    assert foreign_places(world, "city_reviewer") == ["fzz", "ncz"]
    assert foreign_places(world, "zone_reporter") == ["haicang", "fzz", "ncz"]


def test_logged_out_every_page_goes_to_login(client, world):
    for name, routes in ROUTES.items():
        for route in routes:
            response = call(client, name, route, world, "torch" if route.target else None)
            assert response.status_code == 302, (name, route.method, response.status_code)
            assert response["Location"].startswith("/accounts/login/"), name


def test_logged_out_every_api_endpoint_answers_401(client, world):
    for name, routes in API_ROUTES.items():
        for route in routes:
            response = call(client, name, route, world, "torch" if route.target else None)
            assert response.status_code == 401, (name, route.method, response.status_code)
            assert response["WWW-Authenticate"] == "Token", name


def test_another_scopes_object_answers_like_a_missing_one(client, world):
    failures = []
    for role in ROLES:
        client.force_login(world["users"][role])
        for name, routes in ALL_ROUTES.items():
            for route in routes:
                if route.target is None:
                    continue
                missing = call(client, name, route, world, None).status_code
                if missing not in ((200,) if route.listing else (403, 404)):
                    failures.append((role, name, route.method, "missing object", missing))
                for place in foreign_places(world, role):
                    response = call(client, name, route, world, place)
                    body = text_of(response)
                    leaked = [n for n in NAMES[place] if n in body]
                    if response.status_code != missing or leaked:
                        failures.append(
                            (role, name, route.method, place, response.status_code, leaked)
                        )
    assert not failures, failures
    # and nothing moved: every foreign pending entry and run is still pending, no value written
    from gaoxin.statistics.models import Observation

    assert not Observation.objects.filter(value=99999).exists()
    for place in PLACES:
        world["pending"][place].refresh_from_db()
        assert world["pending"][place].approval == Approval.PENDING


def test_pages_never_name_another_scopes_entities(client, world):
    failures = []
    for role in ROLES:
        client.force_login(world["users"][role])
        forbidden = [n for p in foreign_places(world, role) for n in NAMES[p]]
        for name, routes in ALL_ROUTES.items():
            for route in routes:
                if route.target is not None:
                    continue
                response = call(client, name, route, world, None)
                if response.status_code not in (200, 403):
                    failures.append((role, name, response.status_code))
                    continue
                body = text_of(response)
                leaked = [n for n in forbidden if n in body]
                if leaked:
                    failures.append((role, name, leaked))
    assert not failures, failures


def test_the_pages_do_show_what_is_in_scope(client, world):
    """The matrix must be able to fail: the same pages name the in-scope entities."""
    client.force_login(world["users"]["province_admin"])
    assert "南昌" not in client.get("/awards/").content.decode()
    ledger = client.get("/awards/").content.decode()
    assert "福州高新技术产业开发区" in ledger and "厦门海沧高新技术产业园区" in ledger
    page = client.get(reverse("statistics:completeness", kwargs=COMPLETENESS)).content.decode()
    assert "福州高新技术产业开发区" in page
    assert client.get(reverse("evaluation:run", args=[world["runs"]["fzz"].pk])).status_code == 200
    pivot = client.get(reverse("statistics:pivot"), PIVOT_QUERIES[0]).content.decode()
    assert "福州高新技术产业开发区" in pivot and "南昌" not in pivot
    pivot = client.get(reverse("statistics:pivot"), PIVOT_QUERIES[1]).content.decode()
    assert "福州丙软件有限公司" in pivot and "厦门戊生物有限公司" in pivot
    units = client.get(reverse("policy:ledger")).content.decode()
    assert "福州高新技术产业开发区管委会" in units and "南昌" not in units
    links = client.get(reverse("policy:links")).content.decode()
    assert "福州高新技术产业开发区管委会" in links and "南昌" not in links
    # a job's inputs file: its starter, in scope, reads it; the page links it
    client.force_login(world["users"]["admin"])
    job = world["jobs"]["fzz"]
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'href="{reverse("jobs:inputs", args=[job.pk])}"' in page
    got = client.get(reverse("jobs:inputs", args=[job.pk]))
    assert got.status_code == 200 and "福州高新技术产业开发区" in text_of(got)
    assert got["Content-Disposition"] == 'attachment; filename="inputs-fzz.csv"'


def test_the_api_does_show_what_is_in_scope(client, world):
    """The API's half of the matrix must be able to fail too."""
    client.force_login(world["users"]["province_admin"])
    for name in ("observations", "entities", "awards", "evaluation-runs", "submissions", "tasks"):
        body = client.get(f"/api/v1/{name}/").content.decode()
        assert "福州" in body and "南昌" not in body, name
    values = client.get("/api/v1/indicator-values/", {"periods": "2025", "limit": 1000})
    assert values.status_code == 200, values.content
    for name in ("福州高新技术产业开发区", "福州丙软件有限公司", "福建省", "厦门市"):
        assert name in values.content.decode(), name
    assert "南昌" not in values.content.decode()
    monitoring = client.get("/api/v1/monitoring/", {"period": MONTH})
    assert monitoring.status_code == 200 and "福州高新技术产业开发区" in monitoring.content.decode()
    zone = world["fzz"].pk
    assert client.get(f"/api/v1/entities/{zone}/").json()["name"] == "福州高新技术产业开发区"
    assert client.get(f"/api/v1/entities/{world['ncz'].pk}/").status_code == 404
    months = {"entity": world["c"].pk, "period_from": "2025-11", "period_to": MONTH}
    mine = client.get("/api/v1/observations/", months).json()
    assert mine["count"] == 2 and mine["results"][0]["unit"] == "万元"


def test_a_jobs_inputs_file_goes_to_whoever_sees_the_job_and_to_no_one_else(client, world):
    """The user's file a trial or a recording read (decision 082), linked on the job's page,
    answers as the job does: its starter gets the file under its Chinese name; another
    scope's user, another user of the same scope and a missing job get the same 404."""
    fj_admin = world["users"]["province_admin"]
    data = "主体代码,名称\n350100N1,福州高新技术产业开发区\n".encode()
    path = uploads.keep(SimpleUploadedFile("省评价考核结论.csv", data), "awards-inputs")
    job = Job.objects.create(
        kind="gaoxin.awards.jobs.decide_job",
        label="核定奖补（输入：省评价考核结论.csv）",
        started_by=fj_admin,
        scope=world["fzz"],
        state="succeeded",
        arguments={
            "args": ["fujian-2021", "2024", world["fzz"].pk],
            "kwargs": {"inputs": str(path)},
        },
    )
    url = reverse("jobs:inputs", args=[job.pk])
    client.force_login(fj_admin)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f'href="{url}"' in page and "省评价考核结论.csv" in page
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == data
    assert got["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%9C%81%E8%AF%84%E4%BB%B7%E8%80%83%E6%A0%B8%E7%BB%93%E8%AE%BA.csv"
    )
    missing = client.get(reverse("jobs:inputs", args=[uuid.uuid4()]))
    assert missing.status_code == 404
    for role in ("city_reviewer", "zone_reporter", "province_reviewer"):
        client.force_login(world["users"][role])
        refused = client.get(url)
        assert refused.status_code == 404, role
        assert (
            "福州" not in refused.content.decode()
            and "省评价考核结论" not in refused.content.decode()
        )
    # once the file is gone (decision 084), its starter gets 404 too, and the page says why
    client.force_login(fj_admin)
    path.unlink()
    assert client.get(url).status_code == 404
    assert (
        "文件已按保留期限清理" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    )
