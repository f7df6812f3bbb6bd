"""Small builders for registry rows used across the Django tests."""

from __future__ import annotations

import itertools

from stdnum.cn import uscc

from gaoxin.registry.models import Enterprise, Entity, Region, Zone

_seq = itertools.count(1)


def make_uscc(n: int | None = None) -> str:
    """A valid 统一社会信用代码 (GB 32100): 91 + region 350200 + a 9-character org code + check."""
    n = next(_seq) if n is None else n
    body = f"91350200{n:09d}"
    return body + uscc.calc_check_digit(body)


def region(code: str, name: str, level: str, parent: Entity | None = None) -> Entity:
    e = Entity.objects.create(kind="region", code=code, name=name, parent=parent)
    Region.objects.create(entity=e, level=level, gb2260=code)
    return e


def zone(
    code: str, name: str, parent: Entity, level: str = "provincial", category: str = "recognised"
) -> Entity:
    e = Entity.objects.create(kind="zone", code=code, name=name, parent=parent)
    Zone.objects.create(entity=e, level=level, category=category if level == "provincial" else "")
    return e


def enterprise(name: str, parent: Entity, code: str | None = None, industry: str = "C39") -> Entity:
    code = code or make_uscc()
    e = Entity.objects.create(kind="enterprise", code=code, name=name, parent=parent)
    Enterprise.objects.create(entity=e, uscc=code, industry_code=industry)
    return e


def small_tree() -> dict[str, Entity]:
    """福建省 > 厦门市 > 厦门火炬高新区 > two enterprises; 福州市 > 福州高新区."""
    fj = region("350000", "福建省", "province")
    xm = region("350200", "厦门市", "city", fj)
    fz = region("350100", "福州市", "city", fj)
    torch = zone("350200N1", "厦门火炬高技术产业开发区", xm, level="national")
    fzz = zone("350100N1", "福州高新技术产业开发区", fz, level="national")
    a = enterprise("厦门甲科技有限公司", torch)
    b = enterprise("厦门乙电子有限公司", torch)
    c = enterprise("福州丙软件有限公司", fzz)
    return {"fj": fj, "xm": xm, "fz": fz, "torch": torch, "fzz": fzz, "a": a, "b": b, "c": c}


def observed_tree() -> dict[str, Entity]:
    """``small_tree`` with one stored revenue value for 2025 in each city: 甲 (厦门) = 1 and
    丙 (福州) = 2, each with its history row."""
    from gaoxin.statistics.models import Batch, Variable
    from gaoxin.statistics.store import sync_catalogue, write_observations

    sync_catalogue()
    t = small_tree()
    revenue = Variable.objects.get(code="revenue")
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 1), (t["c"].pk, revenue.pk, "2025", 2)],
        Batch.objects.create(kind="manual", label="x"),
    )
    return t


def evaluation_run(**fields):
    """A stored evaluation run with placeholder receipt fields; ``fields`` override them."""
    from gaoxin.evaluation.models import EvaluationRun

    defaults = {
        "pack": "gansu",
        "pack_hash": "a" * 64,
        "framework": "fw",
        "framework_version": "1",
        "framework_hash": "b" * 64,
        "period": "2025",
        "level": "zone",
        "engine_version": "gaoxin.composite/1",
        "data_hash": "c" * 64,
    }
    return EvaluationRun.objects.create(**{**defaults, **fields})


def user_in(scope: Entity, username: str | None = None):
    """A user whose organisation works in ``scope``'s subtree (a zone filler, a city bureau)."""
    from django.contrib.auth import get_user_model

    from gaoxin.accounts.models import Profile

    user = get_user_model().objects.create_user(username or f"user-{scope.code}")
    Profile.objects.create(user=user, organisation=f"{scope.name}管委会", scope=scope)
    return user


def user_with(scope: Entity, role: str, username: str, password: str | None = None, **fields):
    """A user of ``role`` over ``scope``, its organisation named after it (no password: a test
    logs in by ``force_login``; a browser test gives one and its e-mail is made up)."""
    from django.contrib.auth import get_user_model

    from gaoxin.accounts.models import Profile

    if password is not None:
        fields.setdefault("email", f"{username}@example.org")
    user = get_user_model().objects.create_user(username, password=password, **fields)
    Profile.objects.create(user=user, organisation=scope.name, scope=scope, role=role)
    return user


def revise(obs, value, label: str = "测试：修订") -> None:
    """Change a stored value the way gaoxin does (the store's writer, with history): the tests'
    way to revise data, since observations refuse a direct save or update."""
    from gaoxin.statistics.models import Batch
    from gaoxin.statistics.store import write_observations

    batch = Batch.objects.create(kind="manual", label=label)
    write_observations([(obs.entity_id, obs.variable_id, obs.period, value)], batch)


def never_reported(obs) -> None:
    """Remove a stored value as if it had never been reported: fixture set-up for missing data.
    gaoxin itself has no path that deletes a value (history would lose it), so this steps past
    the guard deliberately and for tests only."""
    from gaoxin.statistics import store

    with store._writing():
        type(obs).objects.filter(pk=obs.pk).delete()


def submitted_return(entity: Entity, variable_code: str, period: str, form_code: str, name: str):
    """An annual return of ``entity`` for ``period`` covering ``variable_code``, submitted and
    not yet approved: the stored value it covers is then under review (decision 041). The
    Submission, for the test to move on (state, save)."""
    from gaoxin.statistics.models import FormVariable, ReportingForm, Submission, Variable

    form = ReportingForm.objects.create(
        code=form_code, name=name, period_type="year", entity_kind=entity.kind
    )
    FormVariable.objects.create(form=form, variable=Variable.objects.get(code=variable_code))
    return Submission.objects.create(form=form, entity=entity, period=period, state="submitted")
