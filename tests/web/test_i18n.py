"""中文 first, English second (decision 035).

- The English catalogue translates every marked string and its compiled .mo is in step with
  the .po; a string marked in a template or in Python but missing from the catalogue fails
  (``make messages`` adds it; it needs GNU gettext's xgettext, which CI installs).
- Every page of the access matrix, rendered in English for roles that can see it, shows no
  Chinese outside data values (zone and enterprise names, form columns, pack texts, comments).
- Without a choice the pages are Chinese, whatever language the browser asks for.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from functools import cache
from pathlib import Path

import polib
import pytest
import yaml
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from tests import catalogue
from tests.web.test_access_matrix import ROUTES, Route, call, world  # noqa: F401 (fixture)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PACKS = Path(__file__).resolve().parents[2] / "src" / "gaoxin" / "packs"
#: the roles that between them see every page and every section of the home page
ROLES = ("admin", "province_admin", "city_reviewer", "zone_reporter")
#: pages the matrix's world cannot show (its jobs are not award trials; its runs hold no
#: explainable scores): their templates are marked, their test is the pages' own
NOT_SHOWN_IN_THIS_WORLD = {"awards:trial", "evaluation:explain"}
#: files, not pages
DOWNLOADS = {
    "statistics:monitor_download",
    "statistics:pivot_export",
    "statistics:completeness_download",
    "statistics:entry_template",
    "jobs:download",
    "policy:evidence",
    "cases:file",
    "awards:inputs_template",
    "awards:trial_pending",
    "jobs:inputs",
}


# --- the catalogue --------------------------------------------------------------------------


def test_the_english_catalogue_translates_every_message():
    po = polib.pofile(str(catalogue.po_path("en")))
    assert len(po) > 400
    missing = catalogue.untranslated(po)
    assert not missing, f"untranslated in {catalogue.po_path('en')}: {missing}"


def test_the_compiled_catalogue_is_the_po_file():
    path = catalogue.po_path("en")
    po = polib.pofile(str(path))
    assert catalogue.mo_catalogue(path.with_suffix(".mo")) == catalogue.compiled(po), (
        "django.mo is stale: run `make messages` and commit the .mo"
    )


def test_placeholders_survive_translation():
    po = polib.pofile(str(catalogue.po_path("en")))
    named = re.compile(r"%\(\w+\)s|<[^>]+>")
    wrong = []
    for e in po:
        forms = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        for text in forms:
            if sorted(named.findall(e.msgid)) != sorted(named.findall(text)):
                wrong.append((e.msgid, text))
    assert not wrong, wrong


def test_every_marked_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """makemessages over a linked copy of the sources into a copy of the catalogue: nothing
    new (a marked string without English) and nothing stale."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs GNU gettext (Debian package gettext) for this check")
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install gettext")
    from django.core.management import call_command

    before = catalogue.po_path("en").read_bytes()
    committed = polib.pofile(str(catalogue.po_path("en")))
    (tmp_path / "src").symlink_to(catalogue.SOURCE, target_is_directory=True)
    copy = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(catalogue.po_path("en"), copy)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["en"],
        symlinks=True,
        # not the real catalogue behind the link: makemessages writes into any locale/ it meets
        ignore_patterns=["src/locale"],
        no_location=True,
        no_obsolete=True,
        verbosity=0,
    )
    assert catalogue.po_path("en").read_bytes() == before, "makemessages wrote the real catalogue"
    extracted = polib.pofile(str(copy))
    assert extracted.metadata.get("POT-Creation-Date"), "makemessages did not write the copy"
    new = catalogue.untranslated(extracted)
    stale = {e.msgid for e in committed} - {e.msgid for e in extracted}
    assert not new, f"marked but not in the catalogue (run `make messages`, translate): {new}"
    assert not stale, f"in the catalogue but no longer marked (run `make messages`): {stale}"


# --- the pages ------------------------------------------------------------------------------


@cache
def pack_strings() -> frozenset[str]:
    """The short texts of the policy packs (titles, rule and indicator names) and the shipped
    catalogue's industry names: data."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and len(node) <= 60:
            found.add(node)

    for path in PACKS.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    # the GB/T 4754 industries (the pivot's filter): reference data shipped with the catalogue
    with (PACKS / "catalogue" / "industries.csv").open(encoding="utf-8") as f:
        found.update(row["name"] for row in csv.DictReader(f))
    return frozenset(found)


def data_strings() -> list[str]:
    """Every text stored in the database now (names, comments, labels, ...) and the packs'."""
    found = set(pack_strings())
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                for v in row:
                    if isinstance(v, str) and HAN.search(v):
                        found.add(v)
                        found.update(v.split("/"))  # a measure's numbers by level: 一/（二）
    return sorted(found, key=len, reverse=True)


def chinese_outside_data(html: str, data: list[str]) -> list[str]:
    """The Chinese left in a page's text and attributes once every data value is struck out
    (longest first), skipping elements marked lang="zh-Hans"."""
    soup = BeautifulSoup(html, "lxml")
    for node in soup(["script", "style"]):
        node.decompose()
    for node in soup.select("body [lang|=zh]"):  # 中文 in the switch names itself in Chinese
        node.decompose()
    texts = list(soup.stripped_strings)
    for tag in soup.find_all(True):
        texts += [v for k, v in tag.attrs.items() if k in ("aria-label", "title", "placeholder")]
    left = set()
    for text in texts:
        if not HAN.search(text):
            continue
        for value in data:
            if value in text:
                text = text.replace(value, "\x00")
        left.update(HAN.findall(text))
    return sorted(left)


def render(client, name, route: Route, world, language: str):  # noqa: F811
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return call(client, name, route, world, "torch" if route.target else None)


def html_pages(client, world, language):  # noqa: F811
    """(role, page, response) of every GET page of the matrix that the role may open."""
    for role in ROLES:
        client.force_login(world["users"][role])
        for name, routes in ROUTES.items():
            for route in routes:
                if name.startswith("api:") or route.method != "get":
                    continue
                if name in DOWNLOADS:
                    continue
                response = render(client, name, route, world, language)
                if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                    yield role, name, response


@pytest.mark.django_db
def test_every_page_in_english_shows_chinese_only_in_data(client, world):  # noqa: F811
    data = data_strings()
    seen, failures = set(), []
    for role, name, response in html_pages(client, world, "en"):
        seen.add(name)
        html = response.content.decode()
        assert '<html lang="en">' in html or "<html" not in html, name
        leftover = chinese_outside_data(html, data)
        if leftover:
            failures.append((role, name, leftover))
    # a value's history: the link of a cell of the entry page, as a page and as htmx's fragment
    client.force_login(world["users"]["zone_reporter"])
    entry = render(client, "statistics:entry", ROUTES["statistics:entry"][0], world, "en")
    link = BeautifulSoup(entry.content, "lxml").select_one("a.history-link")["href"]
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        history = client.get(link, **headers)
        assert history.status_code == 200, link
        leftover = chinese_outside_data(history.content.decode(), data)
        if leftover:
            failures.append(("zone_reporter", link, leftover))
    seen.add("statistics:entry_history")
    assert not failures, failures
    # the JSON API (api:*) speaks to programs: its field names and messages are not translated
    pages = {
        n for n, rs in ROUTES.items() for r in rs if r.method == "get" and not n.startswith("api:")
    }
    left_out = DOWNLOADS | NOT_SHOWN_IN_THIS_WORLD
    assert pages - left_out <= seen, pages - left_out - seen


@pytest.mark.django_db
def test_the_check_finds_chinese_chrome(client, world):  # noqa: F811
    """The check can fail: the same pages in Chinese show chrome that is no data."""
    data = data_strings()
    client.force_login(world["users"]["province_admin"])
    page = render(client, "home", Route(), world, "zh-hans").content.decode()
    assert {"工作台", "报送进度"} <= set(chinese_outside_data(page, data))


@pytest.mark.django_db
def test_pages_are_chinese_unless_english_was_chosen(client, world):  # noqa: F811
    client.force_login(world["users"]["zone_reporter"])
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}):
        page = client.get("/", **headers)
        html = page.content.decode()
        assert '<html lang="zh-Hans">' in html and "工作台" in html and "数据填报" in html
        assert page["Content-Language"] == "zh-hans"
    chosen = client.post(reverse("set_language"), {"language": "en", "next": "/statistics/entry/"})
    assert chosen.status_code == 302 and chosen["Location"] == "/statistics/entry/"
    cookie = chosen.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["max-age"] == 365 * 24 * 3600
    html = client.get("/").content.decode()
    assert "Workplace" in html and "Data entry" in html and "工作台" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "工作台" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_switch_is_on_every_page_and_on_the_login_page(client, world):  # noqa: F811
    login = client.get(reverse("login")).content.decode()
    soup = BeautifulSoup(login, "lxml")
    form = soup.select_one("form.language-switch")
    assert form["action"] == reverse("set_language") and form["method"] == "post"
    assert [b["value"] for b in form.select("button")] == ["zh-hans", "en"]
    assert form.select_one("input[name=next]")["value"] == reverse("login")
    assert 'style="' not in login and "<script>" not in login
    client.force_login(world["users"]["viewer"])
    assert "language-switch" in client.get("/awards/").content.decode()


@pytest.mark.django_db
def test_role_and_state_names_follow_the_language(client, world):  # noqa: F811
    client.force_login(world["users"]["city_reviewer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert "City reviewer" in html and "Submitted" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/").content.decode()
    assert "市级审核员" in html and "已提交" in html


def test_periods_are_written_in_the_page_language():
    from django.utils import translation

    from gaoxin.engine.periods import Period, ReportedPeriod
    from gaoxin.web.template_filters import period_text

    cases = [
        (Period.parse("2025-07"), "2025年7月", "Jul 2025"),
        (Period.parse("2025Q3"), "2025年第三季度", "Q3 2025"),
        (Period.parse("2025H1"), "2025年上半年", "H1 2025"),
        ("2025", "2025年", "2025"),
        (ReportedPeriod(Period.parse("2025-07"), cumulative=True), "2025年1-7月", "Jan–Jul 2025"),
        ("not a period", "not a period", "not a period"),
    ]
    for value, chinese, english in cases:
        with translation.override("zh-hans"):
            assert period_text(value) == chinese
        with translation.override("en"):
            assert period_text(value) == english


def test_the_target_words_the_pages_translate_are_the_engines():
    from gaoxin.engine import targets
    from gaoxin.policy.views import NOTE_WORDS, TARGET_WORDS

    assert set(TARGET_WORDS) == {*targets.STATUS_ZH.values(), *targets.SCOPE_ZH.values()}
    assert set(NOTE_WORDS) == {*targets.LEVEL_ZH.values(), "全国", targets.NO_DATA}


#: the pages that keep drawn parts per data version and scope (decisions 048, 054): the route
#: of the matrix to ask, and a piece of chrome inside a kept part in Chinese and in English
KEPT_PARTS = {
    "statistics:monitor": (0, "本期（", "This period ("),
    "statistics:pivot": (1, '<th scope="row">合计</th>', '<th scope="row">Total</th>'),
    "dashboards:dashboard": (0, None, None),
    "dashboards:zone": (0, None, None),
}


@pytest.mark.django_db
def test_kept_page_parts_are_kept_per_language(client, world, monkeypatch):  # noqa: F811
    """A part drawn for an English reader is never served to a Chinese one of the same scope
    and data version, nor the reverse: the language is in the key (page_data.kept). Each
    language draws its own parts once; asking again in either draws nothing."""
    from django.template import loader

    from gaoxin.dashboards import views as dashboard_views
    from gaoxin.statistics import pivot_views
    from gaoxin.statistics import views as statistics_views

    drawn: list[str] = []

    def counting(template, context=None, *args, **kwargs):
        drawn.append(template)
        return loader.render_to_string(template, context, *args, **kwargs)

    for module in (dashboard_views, pivot_views, statistics_views):
        monkeypatch.setattr(module, "render_to_string", counting)
    data = data_strings()
    client.force_login(world["users"]["province_admin"])
    for name, (i, chinese, english) in KEPT_PARTS.items():
        route = ROUTES[name][i]
        drawn.clear()
        render(client, name, route, world, "en")
        in_english = len(drawn)
        assert in_english > 0, f"{name} drew no kept part"
        zh = render(client, name, route, world, "zh-hans").content.decode()
        assert len(drawn) == 2 * in_english, f"{name}: Chinese was served English parts"
        en = render(client, name, route, world, "en").content.decode()
        render(client, name, route, world, "zh-hans")
        assert len(drawn) == 2 * in_english, f"{name}: a kept part was drawn again"
        assert chinese_outside_data(en, data) == [], name
        assert chinese_outside_data(zh, data), name
        if chinese is not None:
            assert chinese in zh and chinese not in en and english in en and english not in zh


@pytest.mark.django_db
def test_the_workbooks_stay_chinese_in_english(client, world):  # noqa: F811
    """Downloads are Chinese in both languages (decision 035): the pivot's printed workbook
    asked from an English page is the Chinese one, byte for byte but its timestamps."""
    import io

    import openpyxl

    client.force_login(world["users"]["province_admin"])
    route = ROUTES["statistics:pivot_export"][0]

    def cells(language):
        response = render(client, "statistics:pivot_export", route, world, language)
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return response["Content-Disposition"], [
            list(row) for ws in book for row in ws.iter_rows(values_only=True)
        ]

    chinese, english = cells("zh-hans"), cells("en")
    assert english == chinese
    title = chinese[1][0][0]
    assert "主要指标数据透视表" in title and "合计" in {v for row in chinese[1] for v in row}
