"""The hardening probe of issue 15, reproducible: the issue's five categories of attack and
carelessness, run against the Gansu demo on SQLite or PostgreSQL, with a table of figures.

    .venv/bin/python scripts/probe_hardening.py                      # SQLite, fresh temp home
    .venv/bin/python scripts/probe_hardening.py --postgres postgres://gaoxin:gaoxin@127.0.0.1:5432/gaoxin
    .venv/bin/python scripts/probe_hardening.py --home /tmp/probe    # reuse a loaded Gansu demo

Each run starts from ``gaoxin init`` and ``gaoxin demo -j gansu`` in a fresh data directory (and,
on PostgreSQL, a fresh database ``gaoxin_probe``, or ``$GAOXIN_PROBE_DB``, dropped and made again
by the next fresh run). ``--only`` picks categories: imports, scoping (= admin + pages),
appendonly, races, backup. Then:

imports   malformed files made from the demo's own firms and zones (the kinds listed in the
          issue's fixes 1-2) plus clean files that must import exactly. Outcomes: clear error,
          accepted wrongly (a malformed file committed, or a clean one stored other values),
          traceback, partial write (a refused import that changed the database).
scoping   every admin (list, search, change/delete/history of another scope's row, add with
          another scope's id in the query string, autocomplete of every relation, and posts:
          change, delete, add with another scope's id, moving an entity under another scope)
          for a staff account at zone level with every permission and the demo's staff
          province admin; every page and API route of tests/web/test_access_matrix.py for every
          demo role and two more accounts (a zone and a city of 张掖) against zones of the same
          city, another city and another province. A leak is an answer other than what a
          missing object gets, another scope's name on the page, or a write that lands.
appendonly every append-only record (history, evaluation runs and results, award entries,
          progress reports, evidence, submission events, data versions) × admin change and
          delete posts, instance save/delete, queryset update/delete, bulk_update,
          _base_manager update/delete, and raw SQL (reported on its own line: only database
          privileges or triggers can stop raw SQL).
races     six threads importing one stored value (10 races, firms of 白银, whose 2025 is open in
          the demo), one new value (10 races, new firms), and two city reviewers approving and
          returning one submitted return (5 races): tracebacks, unclear refusals (anything but
          the retry message) and broken history chains (an old value that is not the value
          before it, or not exactly one move of a return).
backup    gaoxin backup/restore, SQLite's online backup API, pg_dump/pg_restore, and a file copy
          of the SQLite database, each taken from another connection at the moment an import
          has written its values and not yet committed: a copy that holds neither the state
          before nor the state after the import has lost data. The file copy is documented as
          not the way (docs/deployment.md).

Every write the probe makes outside races and backups is rolled back. Figures: docs/benchmarks.md
("Hardening probe").
"""

# ruff: noqa: B023 — the closures built in a loop are called inside the same iteration

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the probe reuses the access matrices of tests/web
TODAY = dt.date(2026, 1, 20)
PROBE_DB = os.environ.get("GAOXIN_PROBE_DB", "gaoxin_probe")


# ----------------------------------------------------------------------------------------------
# Setup: a fresh data directory (and database) with the Gansu demo
# ----------------------------------------------------------------------------------------------
def prepare(args) -> dict[str, str]:
    home = Path(args.home or tempfile.mkdtemp(prefix="gaoxin-probe-"))
    env = {**os.environ, "GAOXIN_HOME": str(home), "GAOXIN_DEBUG": "1"}
    if args.postgres:
        import psycopg

        url = urlparse(args.postgres)
        admin_url = args.postgres.rsplit("/", 1)[0] + "/postgres"
        fresh = not args.home
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname=%s", [PROBE_DB]
            ).fetchone()
            if exists and fresh:
                conn.execute(f"DROP DATABASE {PROBE_DB} WITH (FORCE)")
            if not exists or fresh:
                conn.execute(f"CREATE DATABASE {PROBE_DB}")
        env["GAOXIN_DATABASE_URL"] = f"{url.scheme}://{url.netloc}/{PROBE_DB}"
    loaded = home / ".probe-loaded"
    gaoxin = str(Path(sys.executable).with_name("gaoxin"))
    commands = [[gaoxin, "init"]]  # a reused home is migrated to this checkout's models
    if not loaded.exists():
        commands.append([gaoxin, "demo", "-j", "gansu"])
    for command in commands:
        print("$", " ".join(command[1:]), flush=True)
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    loaded.write_text("gansu\n")
    os.environ.update({k: env[k] for k in ("GAOXIN_HOME", "GAOXIN_DEBUG")})
    if "GAOXIN_DATABASE_URL" in env:
        os.environ["GAOXIN_DATABASE_URL"] = env["GAOXIN_DATABASE_URL"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "gaoxin.web.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.test.signals import setting_changed
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response.context
    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    settings.ANALYTICS_ON_CHANGE = "read"
    return {"home": str(home), **env}


class Tally:
    """Counts per category and outcome, with the first examples of each bad outcome."""

    def __init__(self) -> None:
        self.counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.examples: dict[tuple[str, str], list[str]] = collections.defaultdict(list)

    def add(self, category: str, outcome: str, example: str = "") -> None:
        self.counts[category][outcome] += 1
        if example and len(self.examples[category, outcome]) < 8:
            self.examples[category, outcome].append(example)


def rollback():
    """A block whose writes are all undone."""
    from contextlib import contextmanager

    from django.db import transaction

    @contextmanager
    def block():
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    return block()


# ----------------------------------------------------------------------------------------------
# Imports
# ----------------------------------------------------------------------------------------------
HEAD = "统一社会信用代码,企业名称,期间,营业收入（万元）,从业人员（人）"


def _xlsx(rows, *, hidden=None, writer="xlsxwriter", formula=None, error=None) -> bytes:
    buffer = io.BytesIO()
    if writer == "openpyxl":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "填报"
        for row in rows:
            sheet.append(row)
        if hidden:
            other = book.create_sheet("备用")
            for row in hidden:
                other.append(row)
            other.sheet_state = "hidden"
        book.save(buffer)
        return buffer.getvalue()
    import xlsxwriter

    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("填报")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, int | float):
                sheet.write_number(r, c, cell)
            else:
                sheet.write_string(r, c, cell)
    if formula:
        r, c, text, value = formula
        sheet.write_formula(r, c, text, None, value)
    if error:
        r, c = error
        sheet.write_formula(r, c, "=1/0", None, "#DIV/0!")
    if hidden:
        other = book.add_worksheet("备用")
        for r, row in enumerate(hidden):
            other.write_row(r, 0, row)
        other.hide()
    book.close()
    return buffer.getvalue()


def import_cases(a, b, c, zone) -> list[tuple[str, str, bytes, dict | None]]:
    """(label, file name, bytes, expected values or None for "must be refused"). ``a``, ``b``,
    ``c`` are firms of the demo, ``zone`` a zone; expected values are {(entity code, variable
    code, period): Decimal}."""
    head = HEAD.split(",")
    ok = f"{a.code},{a.name},2025,100,5"
    cases: list[tuple[str, str, bytes, dict | None]] = []

    def csv(label, text, expect=None, encoding="utf-8", name="data.csv"):
        cases.append((label, name, text.encode(encoding), expect))

    def exact(*triples):
        return {(e.code, v, p): Decimal(str(x)) for e, v, p, x in triples}

    # fix 1: wrong numbers
    csv("unquoted thousands separator", f"{HEAD}\n{a.code},{a.name},2025,1,234.50,5\n")
    csv("stray quote", f'{HEAD}\n{a.code},"{a.name},2025,100,5\n{b.code},{b.name},2025,200,6\n')
    csv("quote inside a cell", f'{HEAD}\n{a.code},{a.name}"x,2025,100,5\n')
    csv("field too many", f"{HEAD}\n{ok},7\n")
    csv("field too few", f"{HEAD}\n{a.code},{a.name},2025,100\n")
    for cell in (
        "12 34",
        "1.2.3",
        "1,23",
        "(123)",
        "12.5%",
        "一百",
        "#N/A",
        "#DIV/0!",
        "NaN",
        "inf",
        "-inf",
        "1e308",
        "٣",
        "=A1*2",
        "@SUM(A1)",
    ):
        csv(f"revenue cell {cell!r}", f'{HEAD}\n{a.code},{a.name},2025,"{cell}",5\n')
    for cell in ("1000000000000", "-5", "12345678901234567890", "123456789012345678901234"):
        csv(f"revenue {cell}", f"{HEAD}\n{a.code},{a.name},2025,{cell},5\n")
    csv("28 digits in 亿元", f"统一社会信用代码,期间,营业收入（亿元）\n{a.code},2025,{'9' * 28}\n")
    for cell in ("0.37", "10000000000", "-1"):
        csv(f"employees {cell}", f"{HEAD}\n{a.code},{a.name},2025,1,{cell}\n")
    for period in ("1900", "2099", "2025-13", "2025年13月", "2025Q5", "明年", "2027"):
        csv(f"period {period}", f"{HEAD}\n{a.code},{a.name},{period},1,5\n")
    csv("当月 for a 累计 statistic", f"{HEAD}\n{a.code},{a.name},2025年8月,100,5\n")
    csv("duplicate by code and by name", f"{HEAD}\n{a.code},,2025,100,5\n,{a.name},2025,200,\n")
    csv(
        "duplicate by name, case and spacing",
        f"{HEAD}\n,{a.name},2025,100,5\n, {a.name} ,2025,200,5\n",
    )
    csv(
        "duplicate by lower-case code",
        f"{HEAD}\n{a.code},,2025,100,5\n{a.code.lower()},,2025,200,5\n",
    )
    csv("same row twice, different values", f"{HEAD}\n{ok}\n{a.code},{a.name},2025,101,5\n")
    csv("credit code beside another firm's name", f"{HEAD}\n{a.code},{b.name},2025,100,5\n")
    csv("unknown credit code", f"{HEAD}\n91620000MA00000000,{a.name},2025,100,5\n")
    csv("unknown firm name", f"{HEAD}\n,不存在的企业有限公司,2025,100,5\n")
    csv(
        "zone by code and by name",
        f"代码,名称,期间,营业收入（万元）\n{zone.code},,2025,100\n,{zone.name},2025,200\n",
    )
    csv("unknown column only", f"统一社会信用代码,期间,不知道什么\n{a.code},2025,1\n")
    csv("no key column", "期间,营业收入（万元）\n2025,100\n")
    csv("no period", f"统一社会信用代码,营业收入（万元）\n{a.code},100\n")
    csv("header only", f"{HEAD}\n")
    csv("empty file", "")
    csv("binary garbage", "\x00\x01\x02PK\x03\x04garbage")
    csv("cell over 128 KB", f"{HEAD}\n{a.code},{'甲' * 200_000},2025,100,5\n")
    csv("truncated UTF-8 with a BOM", "")
    cases[-1] = ("truncated UTF-8 with a BOM", "cut.csv", b"\xef\xbb\xbf\xe7", None)
    csv("latin-1 mojibake header", f"{HEAD}\n{ok}\n", encoding="utf-8")
    cases[-1] = (
        cases[-1][0],
        "data.csv",
        HEAD.encode("utf-8").decode("latin-1").encode("utf-8") + f"\n{ok}\n".encode(),
        None,
    )
    # fix 1 and 2 in workbooks
    rows = [head, [a.code, a.name, "2025", 100, 5]]
    cases.append(
        (
            "formula without a saved result",
            "f.xlsx",
            _xlsx([head, [a.code, a.name, "2025", "=40+60", 5]], writer="openpyxl"),
            None,
        )
    )
    cases.append(
        (
            "formula with a result",
            "f.xlsx",
            _xlsx([head, [a.code, a.name, "2025", None, 5]], formula=(1, 3, "=40+60", "")),
            None,
        )
    )
    cases.append(
        (
            "error cell #DIV/0!",
            "e.xlsx",
            _xlsx([head, [a.code, a.name, "2025", None, 5]], error=(1, 3)),
            None,
        )
    )
    cases.append(("hidden sheet with data", "h.xlsx", _xlsx(rows, hidden=rows), None))
    cases.append(("duplicate firm on two sheets", "two.xlsx", _two_sheets(head, a), None))
    from gaoxin.engine.tabular import form_template_xlsx
    from gaoxin.engine.variables import default_catalogue

    cat = default_catalogue()
    with tempfile.TemporaryDirectory() as d:
        path = form_template_xlsx([cat["revenue"], cat["employees"]], Path(d) / "模板.xlsx", "模板")
        cases.append(("untouched template", "模板.xlsx", path.read_bytes(), None))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (300 * 1024 * 1024) + b"/>")
    cases.append(("xlsx zip bomb", "bomb.xlsx", bomb.getvalue(), None))
    cases.append(("truncated xlsx", "cut.xlsx", _xlsx(rows)[:900], None))
    cases.append(("csv named .xlsx", "data.xlsx", f"{HEAD}\n{ok}\n".encode(), None))
    cases.append(
        (
            "xls (old binary) named file",
            "data.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500,
            None,
        )
    )
    # files that must be read, and read exactly
    csv(
        "clean CSV",
        f"{HEAD}\n{ok}\n{b.code},{b.name},2025,200.5,6\n",
        exact(
            (a, "revenue", "2025", 100),
            (a, "employees", "2025", 5),
            (b, "revenue", "2025", "200.5"),
            (b, "employees", "2025", 6),
        ),
    )
    csv(
        "CR-only line endings",
        f"{HEAD}\r{ok}\r",
        exact((a, "revenue", "2025", 100), (a, "employees", "2025", 5)),
    )
    csv(
        "CRLF and a BOM",
        "\ufeff" + f"{HEAD}\r\n{ok}\r\n",
        exact((a, "revenue", "2025", 100), (a, "employees", "2025", 5)),
    )
    csv(
        "GB18030",
        f"{HEAD}\n{ok}\n",
        exact((a, "revenue", "2025", 100), (a, "employees", "2025", 5)),
        encoding="gb18030",
    )
    csv(
        "full-width thousands separator (one field: read as 1234.5)",
        f"{HEAD}\n{a.code},{a.name},2025,1，234.5,5\n",
        exact((a, "revenue", "2025", "1234.5"), (a, "employees", "2025", 5)),
    )
    csv(
        "quoted thousands separator",
        f'{HEAD}\n{a.code},{a.name},2025,"1,234.50",5\n',
        exact((a, "revenue", "2025", "1234.5"), (a, "employees", "2025", 5)),
    )
    csv(
        "name with full-width spaces",
        f"{HEAD}\n{a.code},{a.name[:2]}\u3000{a.name[2:]},2025,100,5\n",
        exact((a, "revenue", "2025", 100), (a, "employees", "2025", 5)),
    )
    csv(
        "tab separated",
        f"{HEAD}\n{ok}\n".replace(",", "\t"),
        exact((a, "revenue", "2025", 100), (a, "employees", "2025", 5)),
        name="data.tsv",
    )
    csv(
        "亿元 converted",
        f"统一社会信用代码,期间,营业收入（亿元）\n{c.code},2025,1.5\n",
        exact((c, "revenue", "2025", 15000)),
    )
    cases.append(
        (
            "clean XLSX",
            "ok.xlsx",
            _xlsx(rows),
            exact((a, "revenue", "2025", 100), (a, "employees", "2025", 5)),
        )
    )
    return cases


def _two_sheets(head, a) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, code, firm, value in (("一", a.code, None, 100), ("二", None, a.name, 200)):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, head)
        sheet.write_row(1, 0, [code, firm, "2025", value])
    book.close()
    return buffer.getvalue()


def store_state() -> tuple:
    from django.db.models import Max

    from gaoxin.statistics.models import Batch, Observation, ObservationChange

    return (
        Observation.objects.count(),
        Observation.objects.aggregate(m=Max("id"))["m"],
        ObservationChange.objects.count(),
        Batch.objects.count(),
    )


def probe_imports(tally: Tally, work: Path) -> None:
    from tests import factories

    from gaoxin.registry.models import Entity

    zone = Entity.objects.get(kind="zone", name="白银高新技术产业开发区")
    with rollback():
        # three new firms of 白银: no stored figures, so the cross-variable rules (R&D ≤
        # revenue, R&D staff ≤ employees) see only what a file gives, and a clean file is clean
        run = int(time.time()) % 100000
        firms = [
            factories.enterprise(
                f"白银导入探测{run}{k}有限公司",
                zone,
                code=factories.make_uscc(run * 10 + n + 2 * 10**8),
            )
            for n, k in enumerate("甲乙丙")
        ]
        _import_each(tally, work, import_cases(*firms, zone))


def _import_each(tally: Tally, work: Path, cases) -> None:
    from gaoxin.statistics.imports import import_file
    from gaoxin.statistics.models import Observation

    for label, name, data, expect in cases:
        path = work / name
        path.write_bytes(data)
        category = "imports (clean)" if expect else "imports (malformed)"
        with rollback():
            before = store_state()
            try:
                report = import_file(path, today=TODAY)
            except Exception as exc:  # noqa: BLE001 — counted, not raised
                tally.add(category, "traceback", f"{label}: {type(exc).__name__}: {exc}"[:200])
                continue
            after = store_state()
            if expect is None:
                if report.status == "committed":
                    tally.add(category, "accepted wrongly", f"{label}: {report.summary()}"[:200])
                elif after != before:
                    tally.add(category, "partial write", label)
                elif report.errors and all(p.message for p in report.errors):
                    tally.add(category, "clear error")
                else:
                    tally.add(category, "refused without a message", label)
                continue
            if report.status != "committed":
                tally.add(
                    category,
                    "refused wrongly",
                    f"{label}: {[str(p) for p in report.errors][:2]}"[:300],
                )
                continue
            stored = {
                (o.entity.code, o.variable.code, o.period): o.value
                for o in Observation.objects.filter(
                    entity__code__in={k[0] for k in expect},
                    variable__code__in={k[1] for k in expect},
                    period__in={k[2] for k in expect},
                ).select_related("entity", "variable")
            }
            got = {k: stored.get(k) for k in expect}
            if any(got[k] is None or got[k] != v for k, v in expect.items()):
                tally.add(category, "accepted wrongly", f"{label}: {got} != {expect}"[:300])
            else:
                tally.add(category, "imported exactly")


# ----------------------------------------------------------------------------------------------
# Scoping
# ----------------------------------------------------------------------------------------------
def _users():
    """The demo's role accounts, two more in 张掖 (a zone reporter and a city reviewer), and a
    staff account of 张掖高新区 holding every permission (the admin's strongest case)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from gaoxin.accounts.models import Profile
    from gaoxin.registry.models import Entity

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(gaoxin_profile__isnull=False)}
    zy = Entity.objects.get(kind="zone", name="张掖高新技术产业开发区")
    for name, role, scope, staff in (
        ("zy_reporter", "zone_reporter", zy, False),
        ("zy_city", "city_reviewer", zy.parent, False),
        ("zy_staff", "zone_reporter", zy, True),
    ):
        user = User.objects.create_user(name, password="probe-123456", is_staff=staff)
        Profile.objects.create(user=user, organisation="探测", scope=scope, role=role)
        if staff:
            user.user_permissions.set(Permission.objects.all())
        users[name] = User.objects.get(pk=user.pk)
    return users


def _world(users) -> dict:
    """The access matrix's world over the Gansu demo, under the matrix's own place keys (so that
    its lazily built records, such as the task ledger and cases, build here too): ``torch`` is
    张掖 (home of the extra accounts), ``haicang`` 民乐 (same city), ``fzz`` 兰州 (another city),
    ``ncz`` a zone of another province, each with an
    evaluation run, an approved and a pending award, a job, a task with evidence and monthly
    values of a firm."""
    from tests import factories, workplace
    from tests.web.test_access_matrix import _ledger

    from gaoxin.audit import Approval
    from gaoxin.evaluation.models import EvaluationResult
    from gaoxin.jobs.models import Job
    from gaoxin.registry.models import Entity
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import write_observations

    gansu = users["province_admin"].gaoxin_profile.scope
    zone = {
        "torch": Entity.objects.get(kind="zone", name="张掖高新技术产业开发区"),
        "haicang": Entity.objects.get(kind="zone", name="民乐高新技术产业开发区"),
        "fzz": Entity.objects.get(kind="zone", name="兰州高新技术产业开发区"),
        "ncz": Entity.objects.filter(kind="zone")
        .exclude(path__startswith=gansu.path)
        .order_by("code")
        .first(),
    }
    w: dict = {
        **zone,
        "users": users,
        "runs": {},
        "awards": {},
        "pending": {},
        "jobs": {},
        "firms": {},
    }
    w["names"] = {}
    admin = users.get("demo") or users["province_admin"]
    for p, z in zone.items():
        firm = Entity.objects.filter(kind="enterprise", parent=z).order_by("code").first()
        if firm is None:
            firm = factories.enterprise(f"{z.name[:4]}探测科技有限公司", z)
        w["firms"][p] = firm
        w["names"][p] = (z.name, firm.name)
        run = factories.evaluation_run(scope=z, title=f"{z.name}评价")
        EvaluationResult.objects.create(run=run, entity=z, score=80, rank=1, grade="良好")
        run.set_approval(Approval.APPROVED, admin)
        w["runs"][p] = run
        entry = workplace.award(z)
        entry.set_approval(Approval.APPROVED, admin)
        w["awards"][p] = entry
        w["pending"][p] = workplace.award(z, rule="tech-city")
        w["jobs"][p] = Job.objects.create(
            kind="x", label=f"{z.name}导入", started_by=admin, scope=z
        )
    _ledger(w)  # the matrix's task ledger: a unit, task and evidence per place
    revenue = Variable.objects.get(code="revenue")
    values = [
        (f.pk, revenue.pk, period, 100 + i)
        for i, f in enumerate(w["firms"].values())
        for period in ("2026-10", "2026-11")
    ]
    write_observations(values, Batch.objects.create(kind="manual", label="探测"))
    return w


def _foreign(w, user) -> list[str]:
    scope = user.gaoxin_profile.scope
    return [p for p in ("torch", "haicang", "fzz", "ncz") if not w[p].path.startswith(scope.path)]


def probe_pages(tally: Tally, users, w) -> None:
    from django.test import Client
    from tests.web.test_access_matrix import ALL_ROUTES, call, text_of

    from gaoxin.audit import Approval
    from gaoxin.statistics.models import Observation

    roles = [u for u in users if u not in ("demo", "zy_staff")]
    for role in roles:
        user = users[role]
        client = Client()
        client.force_login(user)
        foreign = _foreign(w, user)
        forbidden = [n for p in foreign for n in w["names"][p]]
        for name, routes in ALL_ROUTES.items():
            for route in routes:
                kind = "write" if route.method == "post" else "read"
                where = f"{role} {route.method.upper()} {name}"
                try:
                    if route.target is None:
                        response = call(client, name, route, w, None)
                        leaked = [n for n in forbidden if n in text_of(response)]
                        tally.add(
                            "scoping: pages and API",
                            f"leak ({kind})" if leaked else "held",
                            f"{where}: {leaked}",
                        )
                        continue
                    missing = call(client, name, route, w, None).status_code
                    for place in foreign:
                        response = call(client, name, route, w, place)
                        leaked = [n for n in w["names"][place] if n in text_of(response)]
                        bad = response.status_code != missing or leaked
                        tally.add(
                            "scoping: pages and API",
                            f"leak ({kind})" if bad else "held",
                            f"{where} {place}: {response.status_code} vs {missing} {leaked}",
                        )
                except Exception as exc:  # noqa: BLE001
                    tally.add(
                        "scoping: pages and API",
                        "traceback",
                        f"{where}: {type(exc).__name__}: {exc}"[:200],
                    )
    for p in ("torch", "haicang", "fzz", "ncz"):
        w["pending"][p].refresh_from_db()
        if w["pending"][p].approval != Approval.PENDING:
            tally.add("scoping: pages and API", "leak (write)", f"pending award of {p} moved")
    if Observation.objects.filter(value=99999).exists():
        tally.add("scoping: pages and API", "leak (write)", "a value 99999 was written")


def probe_admin(tally: Tally, users) -> None:
    from django.contrib import admin
    from django.forms.models import model_to_dict
    from django.test import Client
    from tests.web.test_access_admin import relations, url, visible

    from gaoxin.accounts.admin import ScopedAdmin
    from gaoxin.registry.models import Entity

    cat = "scoping: admin"
    staff = [users[n] for n in ("province_admin", "zy_staff") if users[n].is_staff]
    others = [u for n, u in users.items() if not u.is_staff and not u.is_superuser]
    registry = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)
    names_cache: dict[int, list[str]] = {}

    def forbidden(user) -> list[str]:
        scope = user.gaoxin_profile.scope
        if user.pk not in names_cache:
            names_cache[user.pk] = [
                e.name
                for e in Entity.objects.filter(kind__in=("zone", "enterprise", "institution"))
                if not e.path.startswith(scope.path) and not scope.path.startswith(e.path)
            ]
        return names_cache[user.pk]

    def leaked(page, names) -> list[str]:
        body = page.content.decode("utf-8", "replace")
        return [n for n in names if n in body]

    def sample(model):
        qs = model._default_manager.order_by("pk")
        return list(qs[:300]) + list(qs.reverse()[:300])

    for model, model_admin in registry:
        label = model._meta.label
        for user in others:  # roles that work in the pages never reach the admin
            client = Client()
            client.force_login(user)
            for path in (url(model, "changelist"), url(model, "add")):
                status = client.get(path).status_code
                tally.add(
                    cat,
                    "held" if status in (302, 403) else "leak (read)",
                    f"{user} {label} {path}: {status}",
                )
        if not isinstance(model_admin, ScopedAdmin):
            continue
        rows = sample(model)
        for user in staff:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            where = f"{user} {label}"
            names = forbidden(user)
            hidden = [o for o in rows if not visible(model_admin, o, user)]
            shown = [o for o in rows if visible(model_admin, o, user)]
            try:
                page = client.get(url(model, "changelist"))
                if page.status_code == 403:
                    tally.add(cat, "held")
                    continue
                extra = page.context["cl"].queryset.filter(pk__in=[o.pk for o in hidden]).exists()
                # shared records (policy documents, the task ledger: decision 022) name
                # units of every place by design; what a scoped admin lists is checked
                shown_names = [] if model_admin.shared else leaked(page, names)
                bad = extra or shown_names
                tally.add(
                    cat,
                    "leak (read)" if bad else "held",
                    f"{where} list: {extra} {shown_names[:3]}",
                )
                absent = {
                    v: client.get(url(model, v, 987654321)).status_code
                    for v in ("change", "delete", "history")
                }
                for obj in hidden[:1] + hidden[-1:]:
                    for view in ("change", "delete", "history"):
                        page = client.get(url(model, view, obj.pk))
                        bad = page.status_code != absent[view] or leaked(page, names)
                        tally.add(
                            cat,
                            "leak (read)" if bad else "held",
                            f"{where} {view} #{obj.pk}: {page.status_code}",
                        )
                    # writes on another scope's row
                    data = {k: ("" if v is None else v) for k, v in model_to_dict(obj).items()}
                    data = {k: v for k, v in data.items() if not isinstance(v, list | dict)}
                    before = model._base_manager.filter(pk=obj.pk).count()
                    page = client.post(url(model, "change", obj.pk), data)
                    tally.add(
                        cat,
                        "held" if page.status_code in (403, 404) else "leak (write)",
                        f"{where} post change #{obj.pk}: {page.status_code}",
                    )
                    page = client.post(url(model, "delete", obj.pk), {"post": "yes"})
                    gone = model._base_manager.filter(pk=obj.pk).count() != before
                    tally.add(
                        cat,
                        "leak (write)" if gone or page.status_code not in (403, 404) else "held",
                        f"{where} post delete #{obj.pk}: {page.status_code}",
                    )
                # add with another scope's ids (query string, then posted)
                other_ids = {}
                for f in relations(model):
                    target = admin.site._registry.get(f.related_model)
                    if target is None:
                        continue
                    outside = next(
                        (o for o in sample(f.related_model) if not visible(target, o, user)), None
                    )
                    if outside is not None:
                        other_ids[f.name] = outside.pk
                page = client.get(
                    url(model, "add") + ("?" + urlencode(other_ids) if other_ids else "")
                )
                tally.add(
                    cat,
                    "leak (read)" if leaked(page, names) else "held",
                    f"{where} add?{other_ids}",
                )
                if other_ids and shown and page.status_code == 200:
                    data = {k: ("" if v is None else v) for k, v in model_to_dict(shown[0]).items()}
                    data = {k: v for k, v in data.items() if not isinstance(v, list | dict)}
                    for k in ("code", "name", "username"):
                        if k in data:
                            data[k] = f"{data[k]}-probe"
                    data.update(other_ids)
                    count = model._base_manager.count()
                    page = client.post(url(model, "add"), data)
                    landed = model._base_manager.count() != count
                    tally.add(
                        cat, "leak (write)" if landed else "held", f"{where} post add {other_ids}"
                    )
                # autocomplete of every relation
                for f in relations(model):
                    target = admin.site._registry.get(f.related_model)
                    if target is None or not target.get_search_fields(None):
                        continue
                    for term in ("", *names[:1]):
                        query = {
                            "app_label": model._meta.app_label,
                            "model_name": model._meta.model_name,
                            "field_name": f.name,
                            "term": term,
                        }
                        page = client.get("/admin/autocomplete/?" + urlencode(query))
                        if page.status_code != 200:
                            tally.add(cat, "held")
                            continue
                        ids = {int(r["id"]) for r in page.json()["results"]}
                        outside = [
                            o.pk
                            for o in f.related_model._default_manager.filter(pk__in=ids)
                            if not visible(target, o, user)
                        ]
                        tally.add(
                            cat,
                            "leak (read)" if outside else "held",
                            f"{where} autocomplete {f.name} {term!r}: {outside[:3]}",
                        )
            except Exception as exc:  # noqa: BLE001
                tally.add(cat, "traceback", f"{where}: {type(exc).__name__}: {exc}"[:200])
    # moving an entity of one's scope under another scope's parent (path corruption)
    for user in staff:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        scope = user.gaoxin_profile.scope
        mine = (
            Entity.objects.filter(path__startswith=scope.path, kind="enterprise")
            .order_by("pk")
            .first()
        )
        theirs = (
            Entity.objects.filter(kind="zone")
            .exclude(path__startswith=scope.path)
            .exclude(pk__in=[int(x) for x in scope.path.strip("/").split("/")])
            .order_by("pk")
            .first()
        )
        client.post(
            url(Entity, "change", mine.pk),
            {"kind": mine.kind, "code": mine.code, "name": mine.name, "parent": theirs.pk},
        )
        mine.refresh_from_db()
        moved = mine.parent_id == theirs.pk or not mine.path.startswith(scope.path)
        tally.add(
            cat,
            "leak (path corruption)" if moved else "held",
            f"{user} moved {mine} under {theirs}",
        )


def probe_scoping(tally: Tally, admin: bool = True, pages: bool = True) -> None:
    with rollback():
        users = _users()
        w = _world(users)
        if admin:
            probe_admin(tally, users)
        if pages:
            probe_pages(tally, users, w)


# ----------------------------------------------------------------------------------------------
# Append-only
# ----------------------------------------------------------------------------------------------
def probe_appendonly(tally: Tally) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.forms.models import model_to_dict
    from django.test import Client

    from gaoxin.awards.models import AwardEntry
    from gaoxin.evaluation.models import EvaluationResult, EvaluationRun
    from gaoxin.policy.models import Evidence, ProgressReport
    from gaoxin.statistics.models import ObservationChange, SubmissionEvent
    from gaoxin.statistics.models.versions import DataVersion

    cat = "append-only"
    with rollback():
        users = _users()
        w = _world(users)
        rows = {
            ObservationChange: ObservationChange.objects.order_by("pk").first(),
            EvaluationRun: w["runs"]["torch"],
            EvaluationResult: EvaluationResult.objects.filter(run=w["runs"]["torch"]).first(),
            AwardEntry: w["awards"]["torch"],
            ProgressReport: w["ledger"]["evidence"]["torch"].report,
            Evidence: w["ledger"]["evidence"]["torch"],
            SubmissionEvent: SubmissionEvent.objects.order_by("pk").first(),
            DataVersion: DataVersion.objects.order_by("pk").first(),
        }
        superuser = get_user_model().objects.filter(is_superuser=True).first()
        client = Client(raise_request_exception=False)
        client.force_login(superuser)

        def fingerprint(model, pk):
            row = model._base_manager.filter(pk=pk).values().first()
            return repr(sorted(row.items())) if row else None

        for model, obj in rows.items():
            if obj is None:
                continue
            pk = obj.pk
            field = next(
                f
                for f in model._meta.concrete_fields
                if not f.primary_key
                and not f.is_relation
                and f.get_internal_type() in ("CharField", "TextField")
            )
            table, column = model._meta.db_table, field.column

            def orm(fn):
                def attempt():
                    fn(model._default_manager.get(pk=pk))

                return attempt

            def save_edit(o):
                setattr(o, field.attname, "篡改")
                o.save()

            attempts = {
                "admin change post": lambda: client.post(
                    f"/admin/{model._meta.app_label}/{model._meta.model_name}/{pk}/change/",
                    {
                        **{
                            k: ("" if v is None else v)
                            for k, v in model_to_dict(obj).items()
                            if not isinstance(v, list | dict)
                        },
                        field.name: "篡改",
                    },
                ),
                "admin delete post": lambda: client.post(
                    f"/admin/{model._meta.app_label}/{model._meta.model_name}/{pk}/delete/",
                    {"post": "yes"},
                ),
                "instance save": orm(save_edit),
                "instance save(update_fields)": orm(
                    lambda o: (
                        setattr(o, field.attname, "篡改"),
                        o.save(update_fields=[field.attname]),
                    )
                ),
                "instance delete": orm(lambda o: o.delete()),
                "queryset update": lambda: model._default_manager.filter(pk=pk).update(
                    **{field.attname: "篡改"}
                ),
                "queryset delete": lambda: model._default_manager.filter(pk=pk).delete(),
                "bulk_update": lambda: model._default_manager.bulk_update(
                    [setattr(o := model._default_manager.get(pk=pk), field.attname, "篡改") or o],
                    [field.attname],
                ),
                "_base_manager update": lambda: model._base_manager.filter(pk=pk).update(
                    **{field.attname: "篡改"}
                ),
                "_base_manager delete": lambda: model._base_manager.filter(pk=pk).delete(),
                "raw SQL update": lambda: connection.cursor().execute(
                    f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', ["篡改", pk]
                ),
            }
            for how, attempt in attempts.items():
                before = fingerprint(model, pk)
                outcome = "held"
                try:
                    with transaction.atomic():
                        attempt()
                        changed = fingerprint(model, pk) != before
                        transaction.set_rollback(True)
                except Exception:  # noqa: BLE001 — a refusal is what we want
                    changed = False
                if changed:
                    outcome = "bypass (raw SQL)" if how.startswith("raw") else "bypass"
                tally.add(cat, outcome, f"{model.__name__} {how}")


# ----------------------------------------------------------------------------------------------
# Races
# ----------------------------------------------------------------------------------------------
def _race(jobs) -> list:
    from django.db import connection

    start = threading.Barrier(len(jobs))
    out: list = [None] * len(jobs)

    def run(i, job):
        try:
            start.wait()
            out[i] = job()
        except BaseException as exc:  # noqa: BLE001
            out[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=300)
    return out


def probe_races(tally: Tally, work: Path) -> None:
    from django.contrib.auth import get_user_model
    from tests import factories

    from gaoxin.accounts.models import Profile
    from gaoxin.registry.models import Entity
    from gaoxin.statistics.approval import Refused, move
    from gaoxin.statistics.imports import import_file
    from gaoxin.statistics.models import Observation, ObservationChange, Submission

    cat = "races"
    # 白银's latest year is left open for entry in the demo (earlier years are approved and
    # locked): ten of its firms with a stored 2025 value, and ten new firms without one
    zone = Entity.objects.get(kind="zone", name="白银高新技术产业开发区")
    stored = list(
        Entity.objects.filter(
            kind="enterprise",
            parent=zone,
            observations__period="2025",
            observations__variable__code="revenue",
        ).order_by("pk")[:10]
    )
    run = int(time.time()) % 100000
    fresh = [
        factories.enterprise(
            f"白银探测{run}-{i}科技有限公司", zone, code=factories.make_uscc(run * 100 + i + 10**8)
        )
        for i in range(10)
    ]
    # a stored figure raced to itself plus a little: the cross-variable rules (R&D ≤ revenue)
    # that held still hold, so a refusal can only be the race's
    base = {
        code: value
        for code, value in Observation.objects.filter(
            entity__in=stored, period="2025", variable__code="revenue"
        ).values_list("entity__code", "value")
    }
    firms = stored + fresh

    def chain_ok(firm, period) -> bool:
        rows = list(
            ObservationChange.objects.filter(entity=firm, variable__code="revenue", period=period)
            .order_by("id")
            .values_list("old_value", "new_value")
        )
        return all(old == before for (_, before), (old, _) in zip(rows, rows[1:], strict=False))

    for n in range(20):  # 10 on a stored value, 10 on a new one
        firm = firms[n]
        period = "2025"
        files = []
        for i in range(6):
            f = work / f"race-{n}-{i}.csv"
            f.write_text(
                f"统一社会信用代码,期间,营业收入（万元）\n{firm.code},{period},"
                f"{base.get(firm.code, 1000) + Decimal(i + 1) / 100}\n",
                "utf-8",
            )
            files.append(f)
        outcomes = _race([lambda f=f: import_file(f, today=TODAY) for f in files])
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        bad_refusals = [
            o
            for o in outcomes
            if not isinstance(o, BaseException)
            and o.status != "committed"
            and [p.code for p in o.errors] != ["concurrent_write"]
        ]
        label = f"{'stored' if n < 10 else 'new'} value of {firm.code}"
        if errors:
            tally.add(cat, "traceback", f"{label}: {errors[0]!r}"[:200])
        elif bad_refusals:
            tally.add(
                cat, "unclear refusal", f"{label}: {[str(p) for p in bad_refusals[0].errors]}"[:200]
            )
        elif not chain_ok(firm, period):
            tally.add(cat, "broken history chain", label)
        else:
            tally.add(cat, "held")
    submitted = list(Submission.objects.filter(state="submitted").select_related("entity")[:5])
    User = get_user_model()
    for k, sub in enumerate(submitted):
        city = sub.entity.parent
        people = []
        for j in range(2):
            u = User.objects.create_user(f"race_city_{k}_{j}", password="probe-123456")
            Profile.objects.create(user=u, organisation="探测", scope=city, role="city_reviewer")
            people.append(u)

        def act(user, action, comment, pk=sub.pk):
            try:
                return move(
                    Submission.objects.get(pk=pk), action, by=user, comment=comment
                ).to_state
            except Refused as refused:
                return f"refused: {refused}"

        outcomes = _race(
            [
                lambda: act(people[0], "city_approve", ""),
                lambda: act(people[1], "city_return", "请核实"),
            ]
        )
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        moved = [o for o in outcomes if o in ("city_approved", "returned")]
        if errors:
            tally.add(cat, "traceback", f"approval {sub.pk}: {errors[0]!r}"[:200])
        elif len(moved) != 1:
            tally.add(cat, "broken history chain", f"approval {sub.pk}: {outcomes}")
        else:
            tally.add(cat, "held")


# ----------------------------------------------------------------------------------------------
# Backup
# ----------------------------------------------------------------------------------------------
def _tables():
    from gaoxin.statistics.models import Observation, ObservationChange

    return Observation._meta.db_table, ObservationChange._meta.db_table


def _fingerprint_rows(cursor) -> str:
    obs, changes = _tables()
    digest = hashlib.sha256()
    cursor.execute(f'SELECT id, entity_id, variable_id, period, value FROM "{obs}" ORDER BY id')
    for row in cursor.fetchall():
        digest.update(repr((*row[:4], Decimal(str(row[4])).normalize())).encode())
    cursor.execute(f'SELECT count(*) FROM "{changes}"')
    digest.update(repr(cursor.fetchone()).encode())
    return digest.hexdigest()


def _fingerprint_live() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        return _fingerprint_rows(cursor)


def _during_import(work: Path, take) -> tuple[str, str, object]:
    """Import a new 2025 revenue for every firm of 白银 (its open year) and call ``take()`` in
    another thread at the moment the import has written its values and not yet committed;
    the fingerprints before and after the import, and what ``take`` returned."""
    from django.db import connection

    from gaoxin.statistics import imports
    from gaoxin.statistics.models import Observation

    stored = Observation.objects.filter(
        entity__parent__name="白银高新技术产业开发区", period="2025", variable__code="revenue"
    ).values_list("entity__code", "value")
    # each firm's stored figure plus a little: every rule that held still holds
    bump = Decimal(int(time.time()) % 97 + 1) / 100
    lines = ["统一社会信用代码,期间,营业收入（万元）"]
    lines += [f"{code},2025,{value + bump}" for code, value in stored]
    path = work / "long.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    before = _fingerprint_live()
    taken: dict = {}
    real = imports.write_observations

    def write_then_take(*args, **kwargs):
        counts = real(*args, **kwargs)

        def other():
            try:
                taken["value"] = take()
            finally:
                connection.close()

        th = threading.Thread(target=other)
        th.start()
        th.join()
        return counts

    imports.write_observations = write_then_take
    try:
        report = imports.import_file(path, today=TODAY)
    finally:
        imports.write_observations = real
    assert report.status == "committed" and "value" in taken, report.summary()
    return before, _fingerprint_live(), taken["value"]


def probe_backup(tally: Tally, work: Path, env: dict) -> None:
    from django.conf import settings
    from django.db import connection

    from gaoxin.backup import backup, restore

    cat = "backup"
    vendor = connection.vendor
    db = settings.DATABASES["default"]

    def judge(method, documented, copy_fp, before, after):
        ok = copy_fp in (before, after)
        outcome = (
            "no loss" if ok else ("LOSES DATA" if documented else "loses data (not documented)")
        )
        tally.add(
            cat,
            f"{outcome}",
            f"{method}: copy {'= before' if copy_fp == before else '= after' if copy_fp == after else 'is neither'}",
        )

    # 1. gaoxin backup / restore
    archive = work / "probe.tar.gz"
    before, after, _ = _during_import(work, lambda: backup(archive))
    restore(archive)
    judge("gaoxin backup/restore", True, _fingerprint_live(), before, after)
    if vendor == "sqlite":
        # 2. SQLite's online backup API (sqlite3 .backup)
        copy = work / "online.sqlite3"
        before, after, _ = _during_import(
            work, lambda: sqlite3.connect(str(db["NAME"])).backup(sqlite3.connect(str(copy)))
        )
        with sqlite3.connect(str(copy)) as c:
            judge("SQLite online backup", True, _fingerprint_rows(c.cursor()), before, after)
        # 4. a file copy of the database during an import (documented as not the way)
        copy = work / "copied.sqlite3"
        before, after, _ = _during_import(work, lambda: shutil.copyfile(db["NAME"], copy))
        try:
            with sqlite3.connect(str(copy)) as c:
                fp = _fingerprint_rows(c.cursor())
        except sqlite3.DatabaseError:
            fp = "unreadable"
        judge("file copy during an import", False, fp, before, after)
    else:
        # 3. pg_dump / pg_restore into a fresh database
        dump = work / "probe.pgdump"
        pg = {**os.environ, "PGPASSWORD": db["PASSWORD"]}
        conn = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
        before, after, _ = _during_import(
            work,
            lambda: subprocess.run(
                ["pg_dump", "-Fc", *conn, "-f", str(dump), db["NAME"]], env=pg, check=True
            ),
        )
        target = f"{PROBE_DB}_restored"
        subprocess.run(["dropdb", "--if-exists", *conn, target], env=pg, check=True)
        subprocess.run(["createdb", *conn, target], env=pg, check=True)
        subprocess.run(
            ["pg_restore", "--no-owner", *conn, "-d", target, str(dump)], env=pg, check=True
        )
        import psycopg

        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=target,
        ) as c:
            judge("pg_dump/pg_restore", True, _fingerprint_rows(c.cursor()), before, after)
        subprocess.run(["dropdb", "--if-exists", *conn, target], env=pg, check=True)


# ----------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        help="postgres://user:pass@host:port/any (a fresh database gaoxin_probe is made)",
    )
    parser.add_argument(
        "--home", help="data directory to use (and reuse if the demo is loaded there)"
    )
    parser.add_argument("--only", default="imports,scoping,appendonly,races,backup")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list the examples of every bad outcome"
    )
    args = parser.parse_args()
    started = time.process_time(), time.time()
    env = prepare(args)
    from django.db import connection

    tally = Tally()
    work = Path(tempfile.mkdtemp(prefix="probe-files-"))
    steps = {
        "imports": lambda: probe_imports(tally, work),
        "scoping": lambda: probe_scoping(tally),
        "admin": lambda: probe_scoping(tally, pages=False),
        "pages": lambda: probe_scoping(tally, admin=False),
        "appendonly": lambda: probe_appendonly(tally),
        "races": lambda: probe_races(tally, work),
        "backup": lambda: probe_backup(tally, work, env),
    }
    for step in args.only.split(","):
        t0 = time.time()
        try:
            steps[step]()
        except Exception:  # noqa: BLE001 — a probe that dies is itself a finding
            tally.add(step, "probe failed", traceback.format_exc()[-600:])
        print(f"{step}: {time.time() - t0:.0f} s", flush=True)
    print(f"\nHardening probe on the Gansu demo, {connection.vendor} ({env['home']})\n")
    print("| category | attempts | outcomes |\n|---|---:|---|")
    for category, counts in tally.counts.items():
        parts = ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        print(f"| {category} | {sum(counts.values())} | {parts} |")
    good = {"held", "clear error", "imported exactly", "no loss", "loses data (not documented)"}
    bad = [(c, o) for (c, o) in tally.examples if o not in good]
    if bad:
        print("\nExamples:")
        for key in bad:
            for example in tally.examples[key][: (8 if args.verbose else 3)]:
                print(f"- {key[0]} / {key[1]}: {example}")
    cpu = time.process_time() - started[0]
    print(f"\nprobe CPU {cpu:.0f} s, wall {time.time() - started[1]:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
