"""The cases service (decision 042): opening cases from published actions, moving them through
one transition table, and what the rules read of them.

- :func:`sync` opens a case for every published action of the award ledger that has none, and
  withdraws the case of an entry whose reversal is published, so the ledger and the cases never
  disagree. :func:`gaoxin.reviews.review` calls it on the entries it approves; ``gaoxin demo``
  and ``gaoxin cases sync`` call it over everything.
- :data:`TRANSITIONS` is the table of moves (decision 024's approach): who may make each, from
  which states, whether it needs a text or files. :func:`move` is the one write path for pages,
  the API and tests: scope (404 outside it), role, state, text and files are checked, then the
  state moves and a :class:`~gaoxin.cases.models.CaseEvent` is appended.
- :func:`cases_frame` is what the rules read (``gaoxin.engine.packs.bindings.CASE_COLUMNS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import polars as pl
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaoxin.accounts.roles import Action, can
from gaoxin.awards.models import AwardEntry, EntryKind, Outcome
from gaoxin.cases.models import ACTIVE, OUTCOMES, Case, CaseEvent, CaseFile, CaseState
from gaoxin.engine.packs.bindings import CASE_SCHEMA
from gaoxin.engine.packs.schema import ACTION_ZH, Deadline
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.locks import serialise
from gaoxin.services import NotFound

S = CaseState

#: Files a zone may upload: documents, sheets, scans and photos, 20 MB each.
FILE_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".ofd")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Transition:
    action: str
    label: Any
    sources: frozenset[str]
    #: None: the state does not move (evidence added)
    target: str | None
    #: the role table's action the move needs (gaoxin.accounts.roles)
    needs: str
    needs_text: bool = False
    needs_files: bool = False
    #: what the text is called on the form
    text_label: Any = gettext_lazy("意见")


WORKING = frozenset({S.OPEN, S.SUBMITTED, S.CITY_REVIEWED, S.RETURNED})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit_plan",
        gettext_lazy("提交整改方案"),
        frozenset({S.OPEN, S.RETURNED}),
        S.SUBMITTED,
        Action.SUBMIT,
        needs_text=True,
        text_label=gettext_lazy("整改方案（措施、责任人、完成时间）"),
    ),
    Transition(
        "add_evidence",
        gettext_lazy("上传整改材料"),
        WORKING,
        None,
        Action.SUBMIT,
        needs_files=True,
        text_label=gettext_lazy("材料说明"),
    ),
    Transition(
        "city_approve",
        gettext_lazy("市级审核通过"),
        frozenset({S.SUBMITTED}),
        S.CITY_REVIEWED,
        Action.REVIEW_CITY,
    ),
    Transition(
        "city_return",
        gettext_lazy("退回修改"),
        frozenset({S.SUBMITTED}),
        S.RETURNED,
        Action.REVIEW_CITY,
        needs_text=True,
    ),
    Transition(
        "province_pass",
        gettext_lazy("确认整改到位"),
        frozenset({S.CITY_REVIEWED}),
        S.PASSED,
        Action.REVIEW_PROVINCE,
    ),
    Transition(
        "province_return",
        gettext_lazy("退回修改"),
        frozenset({S.CITY_REVIEWED}),
        S.RETURNED,
        Action.REVIEW_PROVINCE,
        needs_text=True,
    ),
    Transition(
        "province_fail",
        gettext_lazy("判定整改未到位"),
        WORKING,
        S.FAILED,
        Action.REVIEW_PROVINCE,
        needs_text=True,
    ),
    Transition(
        "confirm_revoke",
        gettext_lazy("报批同意撤销"),
        frozenset({S.AWAITING}),
        S.REVOKED,
        Action.REVIEW_PROVINCE,
        needs_text=True,
    ),
    Transition(
        "decline_revoke",
        gettext_lazy("不予撤销"),
        frozenset({S.AWAITING}),
        S.KEPT,
        Action.REVIEW_PROVINCE,
        needs_text=True,
    ),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}
CITY_STEP = frozenset({"city_approve", "city_return"})
#: Words of the events the system writes (not user moves).
SYSTEM_EVENTS = {"open": gettext_lazy("开启案件"), "withdraw": gettext_lazy("撤回案件")}


class Refused(ProblemsError):
    """A move the rules do not allow now (state, role, a missing text or file); nothing was
    written. Outside the user's scope is :class:`~gaoxin.services.NotFound` instead (404)."""


def event_label(action: str) -> str:
    t = BY_ACTION.get(action)
    return str(t.label if t else SYSTEM_EVENTS.get(action, action))


# --- reading ---------------------------------------------------------------------------------


def visible(user: Any):
    """The cases ``user`` may see: their scope's subtree (decision 003)."""
    return Case.objects.restrict(user).select_related("entity")


def get_case(pk: int, *, by: Any) -> Case:
    """Case ``pk`` if ``by`` may see it; :class:`NotFound` otherwise (one answer for both)."""
    found = visible(by).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("没有找到该案件，或不在您的数据范围内"), value=str(pk))
    return found


def listing(
    user: Any,
    *,
    state: str | None = None,
    overdue: bool = False,
    entity: Any = None,
    today: dt.date | None = None,
):
    """The cases ``user`` sees, filtered by state, overdue (still worked on after the
    deadline), and a unit's subtree."""
    qs = visible(user)
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.overdue(today or timezone.localdate())
    if entity is not None:
        qs = qs.within(entity)
    return qs


def cases_frame(pack: str, scope: Any = None) -> pl.DataFrame:
    """The standing cases of ``pack`` over ``scope`` as the rules read them
    (``CASE_COLUMNS``): number, rule, entity code, period, deadline, outcome."""
    rows = list(
        Case.objects.standing()
        .within(scope)
        .filter(pack=pack)
        .values_list("number", "rule", "entity__code", "period", "deadline", "state")
    )
    return pl.DataFrame(
        [(n, r, e, p, d, OUTCOMES.get(s)) for n, r, e, p, d, s in rows],
        schema=CASE_SCHEMA,
        orient="row",
    )


# --- opening and withdrawing -------------------------------------------------------------------


def deadline_of(pack: str, rule: str) -> Deadline | None:
    """The rule's ``deadline`` in the shipped pack (None: the action needs no rectification)."""
    from gaoxin.policy.titles import pack_yaml

    for spec in pack_yaml(pack).get("rules") or []:
        if spec.get("id") == rule and spec.get("deadline"):
            return Deadline.model_validate(spec["deadline"])
    return None


def _first_state(action: str, deadline: Deadline | None) -> str:
    if action == "revoke":
        return S.AWAITING  # 报请批准: the province decides
    return S.OPEN if deadline is not None else S.NOTED


def _number(year: int) -> str:
    # two reviews approving at once would both read the same last number (decision 042)
    serialise(f"cases:number:{year}")
    last = (
        Case.objects.filter(number__startswith=f"{year}-")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{year}-{seq:04d}"


@dataclass(frozen=True)
class Synced:
    opened: list[Case]
    withdrawn: list[Case]


@transaction.atomic
def sync(entries: Iterable[AwardEntry] | None = None, *, on: dt.date | None = None) -> Synced:
    """Open a case for each published action entry (of ``entries``, or the whole ledger) that
    has none, dated ``on`` (default today; the deadline counts from it), and withdraw the case
    of each entry whose published reversal cancels it. Idempotent."""
    day = on or timezone.localdate()
    qs = AwardEntry.objects.published().filter(outcome=Outcome.ACTION)
    if entries is not None:
        qs = qs.filter(pk__in=[e.pk for e in entries])
    opened: list[Case] = []
    fresh = (
        qs.filter(kind=EntryKind.AWARD, case__isnull=True).select_related("entity").order_by("id")
    )
    for e in fresh:
        deadline = deadline_of(e.pack, e.rule)
        state = _first_state(e.action, deadline)
        case = Case(
            number=_number(day.year),
            entry=e,
            entity=e.entity,
            pack=e.pack,
            rule=e.rule,
            action=e.action,
            period=e.period,
            article=e.article,
            quote=e.quote,
            text=e.text,
            opened_on=day,
            deadline=deadline.due(day) if deadline else None,
            deadline_reading=(deadline.interpretation or "") if deadline else "",
            state=state,
        )
        case.save()
        CaseEvent(
            case=case,
            action="open",
            from_state="",
            to_state=state,
            comment=_("依据第%(article)s条作出「%(action)s」")
            % {
                "article": e.article,
                "action": ACTION_ZH.get(e.action, e.action),
            },
        ).save()
        opened.append(case)
    withdrawn: list[Case] = []
    reversals = qs.filter(kind=EntryKind.REVERSAL, reverses__case__isnull=False).exclude(
        reverses__case__state=S.WITHDRAWN
    )
    for r in reversals.select_related("reverses__case"):
        case = r.reverses.case
        _set_state(
            case, S.WITHDRAWN, "withdraw", None, _("台账记录已冲销：%(text)s") % {"text": r.text}
        )
        withdrawn.append(case)
    return Synced(opened, withdrawn)


def _set_state(case: Case, state: str, action: str, by: Any, comment: str) -> CaseEvent:
    before = case.state
    case.state = state
    case.updated_at = timezone.now()
    case.save(update_fields=["state", "updated_at"])
    event = CaseEvent(
        case=case, action=action, from_state=before, to_state=state, by=by, comment=comment
    )
    event.save()
    return event


# --- moving --------------------------------------------------------------------------------------


def _has_city_above(entity: Any) -> bool:
    from gaoxin.statistics.approval import has_city_above

    return has_city_above(entity)


def available(user: Any, case: Case) -> list[Transition]:
    """The moves ``user`` may make on ``case`` now: its state, their role in their scope;
    where no city lies above the unit, the province takes the city's step (decision 024)."""
    moves = []
    for t in TRANSITIONS:
        if case.state not in t.sources:
            continue
        if can(user, t.needs, case.entity) or (
            t.action in CITY_STEP
            and can(user, Action.REVIEW_PROVINCE, case.entity)
            and not _has_city_above(case.entity)
        ):
            moves.append(t)
    return moves


@dataclass(frozen=True)
class Upload:
    """A file as a face received it: its name and its bytes."""

    name: str
    data: bytes


def _file_problems(files: Sequence[Upload]) -> list[Problem]:
    out = []
    for f in files:
        suffix = PurePath(f.name).suffix.lower()
        if suffix not in FILE_SUFFIXES:
            out.append(
                Problem(
                    "cases.file_type",
                    _(
                        "「%(name)s」的文件类型不能上传；可上传 PDF、Word、Excel、OFD 或 JPG/PNG 图片"
                    )
                    % {"name": f.name},
                    value=f.name,
                )
            )
        elif len(f.data) > MAX_FILE_BYTES:
            out.append(
                Problem(
                    "cases.file_size",
                    _("「%(name)s」超过 20 MB，请压缩或分成几个文件上传") % {"name": f.name},
                    value=f.name,
                )
            )
        elif not f.data:
            out.append(
                Problem(
                    "cases.file_empty", _("「%(name)s」是空文件") % {"name": f.name}, value=f.name
                )
            )
    return out


@transaction.atomic
def move(
    case_id: int,
    action: str,
    *,
    by: Any,
    text: str = "",
    files: Sequence[Upload] = (),
) -> CaseEvent:
    """Make move ``action`` on case ``case_id`` as ``by``: :class:`NotFound` outside their
    scope; :class:`Refused` (nothing written) when the state, the role, the text or a file does
    not allow it; else the state moves, an event with the text and files is appended."""
    case = visible(by).select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("没有找到该案件，或不在您的数据范围内"), value=str(case_id))
    t = BY_ACTION.get(action)
    if t is None:
        raise Refused([Problem("cases.action", _("未知的操作"), value=action)])
    problems: list[Problem] = []
    if t not in available(by, case):
        problems.append(
            Problem(
                "cases.state",
                _("案件当前为「%(state)s」，您不能「%(action)s」")
                % {"state": case.get_state_display(), "action": t.label},
            )
        )
    text = text.strip()
    if t.needs_text and not text:
        problems.append(
            Problem("cases.text", _("请填写%(what)s") % {"what": t.text_label}, column="text")
        )
    if t.needs_files and not files:
        problems.append(Problem("cases.files", _("请至少选择一个文件"), column="files"))
    problems += _file_problems(files)
    if problems:
        raise Refused(problems)
    if t.target is None:
        event = CaseEvent(
            case=case,
            action=t.action,
            from_state=case.state,
            to_state=case.state,
            by=by,
            comment=text,
        )
        event.save()
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    else:
        event = _set_state(case, t.target, t.action, by, text)
    if t.target == S.REVOKED:
        _record_revocation(case, by, text)
    for f in files:
        digest = CaseFile.digest(f.data)
        stored = CaseFile(event=event, original_name=f.name[:300], sha256=digest, size=len(f.data))
        stored.file.save(f.name, ContentFile(f.data), save=False)
        stored.save()
    return event


def _record_revocation(case: Case, by: Any, text: str) -> None:
    """同意撤销 of a zone is the zone's revoked event, dated today, written by the zone-events
    service (scope, validation, the zone following its events) in the move's transaction; a
    revocation already recorded for the zone that day (from the 批复, say) is not written twice."""
    from gaoxin.registry.choices import EntityKind, ZoneStatus
    from gaoxin.registry.models import Zone, ZoneStatusEvent
    from gaoxin.registry.services import save_zone_event

    if case.entity.kind != EntityKind.ZONE:
        return
    zone = Zone.objects.filter(pk=case.entity_id).first()
    day = timezone.localdate()
    if zone is None or zone.status_events.filter(status=ZoneStatus.REVOKED, date=day).exists():
        return
    try:
        save_zone_event(
            ZoneStatusEvent(
                zone=zone,
                status=ZoneStatus.REVOKED,
                date=day,
                document=_("案件%(number)s（依据第%(article)s条）")
                % {"number": case.number, "article": case.article},
                note=text[:300],
            ),
            by=by,
        )
    except ProblemsError as refused:  # the move is refused with the registry's reasons
        raise Refused(refused.problems) from None


def history(entity: Any, *, by: Any):
    """The cases of ``entity``'s subtree that ``by`` may see, newest first (the profile)."""
    return visible(by).within(entity).order_by("-opened_on", "-id")


__all__ = [
    "ACTIVE",
    "TRANSITIONS",
    "Refused",
    "Synced",
    "Upload",
    "available",
    "cases_frame",
    "get_case",
    "history",
    "listing",
    "move",
    "sync",
]
