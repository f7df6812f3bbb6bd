"""Builders for the workplace tests: two provinces, reporting forms assigned, one user per role.

福建省 > 厦门市 > 厦门火炬高新区 (甲, 乙) and 厦门海沧高新区; 福州市 > 福州高新区 (丙);
江西省 > 南昌市 > 南昌高新区 (丁). The zone forms are assigned to both provinces. Users:
``province_admin`` and ``province_reviewer`` in 福建省, ``city_reviewer`` in 厦门市,
``zone_reporter`` and ``viewer`` in 厦门火炬高新区, and ``admin`` a superuser.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.contrib.auth import get_user_model
from django.utils import timezone

from gaoxin.accounts.models import Profile
from gaoxin.engine.clock import DISPLAY_ZONE
from gaoxin.statistics.models import (
    FormAssignment,
    ReportingForm,
    Submission,
    SubmissionEvent,
)
from gaoxin.statistics.store import sync_catalogue, sync_forms
from tests import factories

PASSWORD = "pw-workplace-1"

#: The users, their role and the key of their scope in :func:`tree`.
USERS = {
    "province_admin": ("province_admin", "fj"),
    "province_reviewer": ("province_reviewer", "fj"),
    "city_reviewer": ("city_reviewer", "xm"),
    "zone_reporter": ("zone_reporter", "torch"),
    "viewer": ("viewer", "torch"),
}


def tree() -> dict:
    t = factories.small_tree()
    t["haicang"] = factories.zone("350200P1", "厦门海沧高新技术产业园区", t["xm"])
    t["jx"] = factories.region("360000", "江西省", "province")
    t["nc"] = factories.region("360100", "南昌市", "city", t["jx"])
    t["ncz"] = factories.zone("360100N1", "南昌高新技术产业开发区", t["nc"], level="national")
    t["d"] = factories.enterprise("南昌丁光电有限公司", t["ncz"])
    sync_catalogue()
    sync_forms()
    for code in ("zone_monthly", "zone_annual", "enterprise_monthly"):
        form = ReportingForm.objects.get(code=code)
        for province in ("fj", "jx"):
            FormAssignment.objects.create(form=form, scope=t[province])
    return t


def users(t: dict) -> dict:
    User = get_user_model()
    out = {"admin": User.objects.create_superuser("admin", "admin@example.org", PASSWORD)}
    for name, (role, scope) in USERS.items():
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
        Profile.objects.create(user=user, organisation=t[scope].name, scope=t[scope], role=role)
        out[name] = user
    return out


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment on ``day`` in 北京时间."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=DISPLAY_ZONE)


def move(
    form: ReportingForm,
    entity,
    period: str,
    steps: list[tuple[str, str]],
    *,
    when: dt.datetime | None = None,
    by=None,
    comment: str = "",
) -> Submission:
    """Put a submission through ``steps`` ((action, to_state) pairs) as the move service would,
    each event stamped ``when``; the last step carries ``comment``."""
    when = when or timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=when):
        sub, _ = Submission.objects.get_or_create(form=form, entity=entity, period=period)
        for i, (action, state) in enumerate(steps):
            SubmissionEvent.objects.create(
                submission=sub,
                action=action,
                from_state=sub.state if sub.events.exists() else "",
                to_state=state,
                by=by,
                comment=comment if i == len(steps) - 1 else "",
                at=when,
            )
            sub.state = state
            sub.updated_by = by
            sub.save()
    return sub


def award(entity, *, rule="rank-promotion", amount_fen=1_234_567_800, period="2024", **fields):
    """A ledger entry of the Fujian pack, 待审核 unless ``approval`` says otherwise."""
    from gaoxin.awards.models import AwardEntry

    defaults = {
        "pack": "fujian-2021",
        "pack_hash": "a" * 64,
        "rule": rule,
        "article": "八(二十二)",
        "quote": "每晋升1位，奖励100万元",
        "entity": entity,
        "period": period,
        "decided_on": dt.date(2025, 3, 1),
        "outcome": "money",
        "amount_fen": amount_fen,
        "text": "名次上升 2 位，每位 100 万元",
        "engine_version": "gaoxin.rules/1",
        "input_hash": "b" * 64,
    }
    return AwardEntry.objects.create(**{**defaults, **fields})


def action(entity, rule="evaluation-summon", act="summon", **fields):
    """A ledger entry whose outcome is an action (约谈 unless ``act`` says otherwise), the kind
    that opens a case (decision 042); 待审核 unless ``approval`` says otherwise."""
    return award(
        entity,
        rule=rule,
        outcome="action",
        amount_fen=None,
        action=act,
        **{"text": "评价考核结果较差，约谈", **fields},
    )
