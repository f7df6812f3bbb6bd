"""The admin access matrix (issue #15 item 5, decision 022): every registered admin × (list,
search, change / delete / history of another scope's object, add with another scope's id in the
query string, autocomplete of every relation) × every role, with 0 leaks.

Generated from ``admin.site._registry``: an admin added later is in the matrix without a line
here, and a scoped admin whose model has no row outside a user's scope in the fixture fails, so
that the fixture grows with it. What a user should see is computed here independently of the
admin code: each row's entity path is read from the instance by walking the admin's
``scope_path`` in Python, not through the query under test.

Names of entities outside a user's subtree (and not above it) must appear on no page the user
gets. Runs on SQLite and, in CI, on PostgreSQL (django_db)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from gaoxin.accounts.admin import ScopedAdmin
from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.accounts.roles import GROUP_NAMES, sync_roles
from gaoxin.evaluation.models import EvaluationResult
from gaoxin.jobs.models import Job
from gaoxin.policy.models import Assignment, ProgressReport, ResponsibleUnit
from gaoxin.registry.models import Certification, Entity, Institution, Membership
from gaoxin.statistics.models import (
    Batch,
    ObservationChange,
    Reminder,
    ReportingForm,
    Submission,
    Variable,
)
from gaoxin.statistics.models.reminders import ReminderKind
from gaoxin.statistics.store import sync_validation_rules, write_observations
from tests import factories
from tests.test_audit import award_for, run_over, stored_records

pytestmark = [
    pytest.mark.django_db,
    # every list is paged in a stable order (an admin of a model without one sets its own)
    pytest.mark.filterwarnings("error::django.core.paginator.UnorderedObjectListWarning"),
]
User = get_user_model()

REGISTRY = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)

#: (name, role, scope key, staff by hand with every permission)
USERS = [
    ("root", None, None, False),
    ("province_admin", Role.PROVINCE_ADMIN, "fj", False),
    ("province_reviewer", Role.PROVINCE_REVIEWER, "fj", False),
    ("city_reviewer", Role.CITY_REVIEWER, "xm", False),
    ("zone_reporter", Role.ZONE_REPORTER, "torch", False),
    ("viewer", Role.VIEWER, "xm", False),
    # the strongest case: a staff account at zone level holding every permission
    ("zone_staff", Role.ZONE_REPORTER, "torch", True),
]


def users_root():
    return User.objects.get_or_create(username="job-starter")[0]


def institution(name, parent, code):
    e = Entity.objects.create(kind="institution", code=code, name=name, parent=parent)
    Institution.objects.create(entity=e, kind="incubator")
    return e


@pytest.fixture
def world():
    """福建省 (厦门市 > 厦门火炬 > 甲, 乙, 孵化器; 福州市 > 福州高新区 > 丙, 孵化器) and a second
    province 甘肃省 > 兰州市 > 兰州高新区 > 丁, each with a row of every scoped record."""
    sync_roles()
    records = stored_records()
    t = records["tree"]
    t["gs"] = factories.region("620000", "甘肃省", "province")
    t["lz"] = factories.region("620100", "兰州市", "city", t["gs"])
    t["lzz"] = factories.zone("620100N1", "兰州高新技术产业开发区", t["lz"], level="national")
    t["d"] = factories.enterprise("兰州丁材料有限公司", t["lzz"])
    t["inc_xm"] = institution("厦门火炬众创孵化器", t["torch"], "INC-XM-1")
    t["inc_fz"] = institution("福州高新众创孵化器", t["fzz"], "INC-FZ-1")
    t["inc_lz"] = institution("兰州高新众创孵化器", t["lzz"], "INC-LZ-1")
    revenue = Variable.objects.get(code="revenue")
    for key, label in (("c", "福州批次"), ("d", "兰州批次")):
        batch = Batch.objects.create(kind="manual", label=label)
        write_observations([(t[key].pk, revenue.pk, "2024", 5)], batch)
    EvaluationResult.objects.create(
        run=run_over(t["gs"]), entity=t["lzz"], score=70.0, grade="良好"
    )
    sync_validation_rules()
    unit = ResponsibleUnit.objects.create(name="省科技厅")
    Assignment.objects.create(
        measure=records[ProgressReport][0].measure, unit=unit, role="lead", order=1
    )
    award_for(t["d"])
    for key in ("a", "c", "d"):
        Certification.objects.create(entity=t[key], kind="hte", granted_on=dt.date(2024, 1, 1))
        Membership.objects.create(
            child=t[key], parent=t[key].parent, valid_from=dt.date(2020, 1, 1)
        )
    form = ReportingForm.objects.create(
        code="zone-month", name="园区月报", period_type="month", entity_kind="enterprise"
    )
    form.assignments.create(scope=t["fj"])
    form.assignments.create(scope=t["gs"])
    for key in ("torch", "fzz", "lzz"):
        Submission.objects.create(form=form, entity=t[key], period="2025-12")
        Reminder.objects.create(
            user=users_root(),
            form=form,
            entity=t[key],
            period="2025-12",
            kind=ReminderKind.values[0],
            sent_on=dt.date(2026, 1, 10),
            email="r@example.org",
        )
    ResponsibleUnit.objects.create(name="兰州丁材料有限公司（单位）", entity=t["d"])
    ResponsibleUnit.objects.create(name="厦门市科技局", entity=t["xm"])
    for key in ("xm", "fz", "gs"):
        Job.objects.create(
            kind="gaoxin.x", label=f"导入 {t[key].name}", started_by=users_root(), scope=t[key]
        )
    # users of other scopes are records too (the user admin)
    for name, role, key in (
        ("fz-viewer", Role.VIEWER, "fz"),
        ("lz-rep", Role.ZONE_REPORTER, "lzz"),
    ):
        other = User.objects.create_user(name, password="pw-123456")
        Profile.objects.create(user=other, organisation="单位", scope=t[key], role=role)
    users = {}
    for name, role, key, staff in USERS:
        if role is None:
            users[name] = User.objects.create_superuser(name, "r@example.org", "pw-123456")
            continue
        user = User.objects.create_user(name, password="pw-123456")
        Profile.objects.create(user=user, organisation="单位", scope=t[key], role=role)
        if staff:
            user.is_staff = True
            user.save()
            user.user_permissions.set(Permission.objects.all())
        users[name] = User.objects.get(pk=user.pk)
    return {"tree": t, "users": users}


# ----------------------------------------------------------------------------------------------
# What each user should see, computed from the instances
# ----------------------------------------------------------------------------------------------
def walk(obj, lookup: str):
    for part in lookup.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def scope_path_of(model_admin) -> str | None:
    if model_admin.scope_path is not None:
        return model_admin.scope_path
    return getattr(model_admin.model.objects.all(), "scope_path", None)


def user_scope(user):
    return None if user.is_superuser else user.gaoxin_profile.scope


def in_subtree(path, scope) -> bool:
    return path is not None and path.startswith(scope.path)


def visible(model_admin, obj, user) -> bool:
    scope = user_scope(user)
    if scope is None:
        return True
    model = model_admin.model
    if model is Batch:  # made by the user, or wrote a value in the scope
        changes = ObservationChange.objects.filter(batch=obj)
        return obj.created_by_id == user.pk or any(
            in_subtree(c.entity.path, scope) for c in changes
        )
    if model is ResponsibleUnit:
        return obj.entity is None or in_subtree(obj.entity.path, scope)
    if model is User:
        profile = Profile.objects.filter(user=obj).first()
        return (
            not obj.is_superuser and profile is not None and in_subtree(profile.scope.path, scope)
        )
    if model_admin.shared:
        return True
    return in_subtree(walk(obj, scope_path_of(model_admin)), scope)


def forbidden_names(world, user) -> list[str]:
    """Names of entities neither in the user's subtree nor above it."""
    scope = user_scope(user)
    if scope is None:
        return []
    return [
        e.name
        for e in Entity.objects.all()
        if not e.path.startswith(scope.path) and not scope.path.startswith(e.path)
    ]


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def no_leak(page, names, where):
    body = page.content.decode()
    leaked = [n for n in names if n in body]
    assert not leaked, f"{where}: {leaked}"


def relations(model):
    return [
        f
        for f in model._meta.get_fields()
        if f.is_relation and f.many_to_one | f.one_to_one and f.concrete
    ]


# ----------------------------------------------------------------------------------------------
# The matrix
# ----------------------------------------------------------------------------------------------
def test_every_registered_admin_is_scoped_or_says_why_it_is_shared():
    sync_roles()
    for model, model_admin in REGISTRY:
        if not isinstance(model_admin, ScopedAdmin):
            # a library's admin (django-axes' login records): only the system administrator
            assert not model.__module__.startswith("gaoxin."), model._meta.label
            holders = Group.objects.filter(
                permissions__content_type__app_label=model._meta.app_label,
                permissions__content_type__model=model._meta.model_name,
            ).exclude(name=GROUP_NAMES[Role.ADMIN])
            assert not holders.exists(), model._meta.label
            continue
        if not model_admin.shared:
            assert scope_path_of(model_admin) or type(model_admin).scope is not ScopedAdmin.scope, (
                f"{model._meta.label}: no scope_path and no shared reason"
            )


@pytest.mark.parametrize("model, model_admin", REGISTRY, ids=[m._meta.label for m, _ in REGISTRY])
def test_admin_access_matrix(world, client, model, model_admin):
    if not isinstance(model_admin, ScopedAdmin):
        # a library's admin: the system administrator only; every role is refused
        for name, _role, _key, by_hand in USERS:
            client.force_login(world["users"][name])
            status = client.get(url(model, "changelist")).status_code
            if name == "root":
                assert status == 200
            elif not by_hand:
                assert status in (302, 403), f"{model._meta.label} × {name}: {status}"
        return
    rows = list(model._default_manager.all())
    assert rows, f"the fixture has no {model._meta.label} row"
    for name, *_ in USERS:
        user = world["users"][name]
        client.force_login(user)
        where = f"{model._meta.label} × {name}"
        expected = {o.pk for o in rows if visible(model_admin, o, user)}
        hidden = [o for o in rows if o.pk not in expected]
        names = forbidden_names(world, user)
        if not user.is_staff:
            # roles that work in the pages never reach the admin: every view sends to login
            for path in (
                url(model, "changelist"),
                url(model, "add"),
                url(model, "change", rows[0].pk),
            ):
                page = client.get(path)
                assert page.status_code == 302 and "/admin/login/" in page["Location"], where
            continue
        if not (model_admin.shared or user.is_superuser or model in (Batch, ResponsibleUnit)):
            assert hidden, f"{where}: the fixture has no row outside the scope"

        # list: exactly the rows in scope, no other scope's name anywhere on the page
        page = client.get(url(model, "changelist"))
        if page.status_code == 403:  # no view permission: no object opens either
            opts = model._meta
            assert not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"), where
            for obj in rows:
                assert client.get(url(model, "change", obj.pk)).status_code in (403, 404), where
            continue
        assert page.status_code == 200, where
        assert {o.pk for o in page.context["cl"].queryset} == expected, where
        no_leak(page, names, f"{where} list")
        # search by another scope's name finds nothing of it
        for other in names[:1]:
            page = client.get(url(model, "changelist") + "?" + urlencode({"q": other}))
            if page.status_code == 200:
                assert {o.pk for o in page.context["cl"].queryset} <= expected, where
                # the search box shows the term typed; nothing else of another scope
                no_leak(page, [n for n in names if n != other], f"{where} search {other}")

        # another scope's object: 404 on change, delete and history; where the admin refuses
        # the view to everyone (403, read-only records), the same answer as for no object
        for view in ("change", "delete", "history"):
            absent = client.get(url(model, view, 987654321)).status_code
            assert absent in (403, 404), f"{where} {view} of no object: {absent}"
            for obj in hidden[:1] + hidden[-1:]:
                page = client.get(url(model, view, obj.pk))
                assert page.status_code == absent, f"{where} {view} #{obj.pk}: {page.status_code}"
                no_leak(page, names, f"{where} {view} #{obj.pk}")
        # an object in scope opens, without naming another scope in its choices
        for obj in [o for o in rows if o.pk in expected][:2]:
            page = client.get(url(model, "change", obj.pk))
            assert page.status_code == 200, where
            no_leak(page, names, f"{where} change #{obj.pk}")

        # add, with another scope's ids in the query string (add/?entity=<id>)
        other_ids = {}
        for f in relations(model):
            outside = [
                o
                for o in f.related_model._default_manager.all()
                if f.related_model in admin.site._registry
                and not visible(admin.site._registry[f.related_model], o, user)
            ]
            if outside:
                other_ids[f.name] = outside[0].pk
        page = client.get(url(model, "add") + ("?" + urlencode(other_ids) if other_ids else ""))
        assert page.status_code in (200, 403), where
        no_leak(page, names, f"{where} add?{other_ids}")

        # autocomplete of every relation of the model: only rows in scope, by any term
        for f in relations(model):
            target = admin.site._registry.get(f.related_model)
            if target is None or not target.get_search_fields(None):
                continue
            for term in ["", *names[:1]]:
                query = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": f.name,
                    "term": term,
                }
                page = client.get(reverse("admin:autocomplete") + "?" + urlencode(query))
                if page.status_code != 200:
                    assert page.status_code == 403, f"{where} autocomplete {f.name}"
                    continue
                ids = {int(r["id"]) for r in page.json()["results"]}
                allowed = {
                    o.pk
                    for o in f.related_model._default_manager.filter(pk__in=ids)
                    if visible(target, o, user)
                }
                assert ids == allowed, f"{where} autocomplete {f.name} {term!r}"
                no_leak(page, names, f"{where} autocomplete {f.name} {term!r}")


# ----------------------------------------------------------------------------------------------
# Writes: what is posted outside the scope is refused and changes nothing
# ----------------------------------------------------------------------------------------------
def test_saving_a_relation_outside_the_scope_is_refused(world, client):
    t, users = world["tree"], world["users"]
    client.force_login(users["province_admin"])
    before = Certification.objects.count()
    page = client.post(
        url(Certification, "add"),
        {"entity": t["d"].pk, "kind": "hte", "level": "", "granted_on": "2025-01-01"},
    )
    assert page.status_code == 200  # the form again, with the error
    assert page.context["adminform"].form.errors["entity"]
    assert Certification.objects.count() == before
    # in scope: saved
    page = client.post(
        url(Certification, "add"),
        {"entity": t["b"].pk, "kind": "hte", "level": "", "granted_on": "2025-01-01"},
    )
    assert page.status_code == 302 and Certification.objects.count() == before + 1


def entity_form(entity, parent):
    return {"kind": entity.kind, "code": entity.code, "name": entity.name, "parent": parent.pk}


def test_moving_an_entity_repaths_its_subtree_in_one_step(world, client):
    t, users = world["tree"], world["users"]
    client.force_login(users["province_admin"])
    page = client.post(url(Entity, "change", t["torch"].pk), entity_form(t["torch"], t["fz"]))
    assert page.status_code == 302, page.content.decode()[:2000]
    torch = Entity.objects.get(pk=t["torch"].pk)
    assert torch.parent_id == t["fz"].pk and torch.path == f"{t['fz'].path}{torch.pk}/"
    for key in ("a", "b", "inc_xm"):
        assert Entity.objects.get(pk=t[key].pk).path == f"{torch.path}{t[key].pk}/"
    assert Membership.objects.filter(child=torch, parent=t["fz"], valid_to__isnull=True).exists()
    # the city reviewer of 厦门 no longer sees 甲; the one of 福州 would
    assert not Entity.objects.within(t["xm"]).filter(pk=t["a"].pk).exists()
    assert Entity.objects.within(t["fz"]).filter(pk=t["a"].pk).exists()


def test_moving_outside_the_scope_or_under_itself_is_refused(world, client):
    t, users = world["tree"], world["users"]
    client.force_login(users["province_admin"])
    paths = dict(Entity.objects.values_list("pk", "path"))
    for parent in (t["lz"], t["a"]):  # another province; its own enterprise
        page = client.post(url(Entity, "change", t["torch"].pk), entity_form(t["torch"], parent))
        assert page.status_code == 200 and page.context["adminform"].form.errors["parent"]
    assert dict(Entity.objects.values_list("pk", "path")) == paths


def test_observations_cannot_be_changed_in_the_admin(world, client):
    from gaoxin.statistics.models import Observation

    client.force_login(world["users"]["root"])
    obs = Observation.objects.first()
    page = client.post(url(Observation, "change", obs.pk), {"value": "99999"})
    assert page.status_code == 403
    assert Observation.objects.get(pk=obs.pk).value == obs.value


def user_form(**fields):
    data = {
        "username": "xm-new",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "role": "zone_reporter",
        "organisation": "厦门火炬管委会",
        "password1": "pw-123456",
        "password2": "pw-123456",
    }
    return {**data, **fields}


def test_a_province_admin_sets_up_a_user_on_one_page(world, client):
    t, users = world["tree"], world["users"]
    client.force_login(users["province_admin"])
    page = client.post(url(User, "add"), user_form(scope=t["torch"].pk))
    assert page.status_code == 302, page.context["adminform"].form.errors
    made = User.objects.get(username="xm-new")
    assert made.gaoxin_profile.scope == t["torch"] and made.gaoxin_profile.role == "zone_reporter"
    assert list(made.groups.values_list("name", flat=True)) == ["园区填报员"] and not made.is_staff
    assert made.check_password("pw-123456")


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"scope": "LZ"}, "scope", "选择一个有效的选项"),  # another province: not a choice
        ({"role": "admin", "scope": "FJ"}, "role", "选择一个有效的选项"),
        ({"role": "city_reviewer", "scope": "FJ"}, "scope", "市级审核员的数据范围应为设区市"),
        ({"scope": "TORCH", "password2": "other"}, "password2", "两次输入的密码不一致"),
    ],
)
def test_the_user_page_refuses_what_the_province_admin_may_not_grant(
    world, client, fields, field, message
):
    t, users = world["tree"], world["users"]
    keys = {"LZ": "lzz", "FJ": "fj", "TORCH": "torch"}
    fields = {**fields, "scope": t[keys[fields["scope"]]].pk}
    client.force_login(users["province_admin"])
    count = User.objects.count()
    page = client.post(url(User, "add"), user_form(**fields))
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert any(message in e for e in errors[field]), errors
    assert User.objects.count() == count


def test_the_scope_autocomplete_offers_the_city_first_for_its_code(world, client):
    client.force_login(world["users"]["province_admin"])
    query = {
        "app_label": "accounts",
        "model_name": "profile",
        "field_name": "scope",
        "term": "350200",
    }
    results = client.get(reverse("admin:autocomplete") + "?" + urlencode(query)).json()["results"]
    assert [r["text"] for r in results][:2] == ["厦门市", "厦门火炬高技术产业开发区"]
    assert len(results) > 2  # the enterprises whose credit code holds 350200 follow
    query["term"] = "620100"  # 兰州市: another province, nothing
    assert (
        client.get(reverse("admin:autocomplete") + "?" + urlencode(query)).json()["results"] == []
    )


def test_a_superuser_without_a_profile_is_edited_without_a_role(world, client):
    root = world["users"]["root"]
    client.force_login(root)
    data = user_form(username="root", role="", password1="", password2="")
    page = client.post(url(User, "change", root.pk), data)
    assert page.status_code == 302, page.context["adminform"].form.errors
    root = User.objects.get(pk=root.pk)
    assert root.is_superuser and not Profile.objects.filter(user=root).exists()
    assert root.check_password("pw-123456")  # left unchanged
