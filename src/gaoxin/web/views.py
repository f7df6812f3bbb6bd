"""The home page: what is waiting for this user, in their scope, by their role.

A zone reporter sees the forms due for their zone with the deadline and days left, and the
returns sent back to them with the reviewer's comment; a reviewer sees the returns waiting for
the move their role may make (:mod:`gaoxin.statistics.approval`) and the reporting progress of
their scope; a province reviewer or administrator also the evaluation runs and award decisions
waiting for review. Every list goes through ``restrict(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.shortcuts import render

from gaoxin.accounts.choices import Role
from gaoxin.reviews import may_review
from gaoxin.statistics import completeness as comp
from gaoxin.statistics.approval import TRANSITIONS
from gaoxin.statistics.models import ReportingForm, Submission, SubmissionEvent, SubmissionState
from gaoxin.statistics.views import entry_url
from gaoxin.web.template_filters import period_text

APPROVED_STATES = frozenset({SubmissionState.CITY_APPROVED, SubmissionState.PROVINCE_APPROVED})
WAITING_LIMIT = 50


def role_of(user) -> str:
    """The user's role; a superuser without a profile is a system administrator."""
    profile = getattr(user, "gaoxin_profile", None)
    if profile is not None:
        return profile.role
    return Role.ADMIN if user.is_superuser else Role.VIEWER


def waiting_states(role: str) -> set[str]:
    """The states from which ``role`` may approve a return: what waits for this role."""
    return {
        s
        for t in TRANSITIONS
        if role in t.roles and t.target in APPROVED_STATES
        for s in t.sources
        if s is not None
    }


@dataclass(frozen=True)
class Due:
    """One form a reporting zone owes for the period that matters today."""

    form: ReportingForm
    unit: comp.UnitStatus
    period: comp.Period
    deadline: object
    days_left: int
    url: str | None

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def _with_last_event(qs):
    last = SubmissionEvent.objects.filter(submission=OuterRef("pk")).order_by("-at", "-id")
    return qs.annotate(
        last_comment=Subquery(last.values("comment")[:1]),
        last_at=Subquery(last.values("at")[:1]),
    )


def _rows(qs):
    """(submission, its entry page, its period as people write it)."""
    return [(s, entry_url(s.form.code, s.entity_id, s.period), period_text(s.period)) for s in qs]


@login_required
def home(request):
    user = request.user
    role = role_of(user)
    today = comp.today()
    forms = list(ReportingForm.objects.filter(assignments__isnull=False).distinct().order_by("id"))
    progress = [comp.completeness(f, comp.due_period(f, today), user=user, on=today) for f in forms]
    progress = [c for c in progress if c.units]

    due: list[Due] = []
    returned: list = []
    if role == Role.ZONE_REPORTER:
        for c in progress:
            for unit in c.units:
                url = entry_url(c.form.code, unit.entity_id, str(c.period))
                due.append(Due(c.form, unit, c.period, c.deadline, c.days_left, url))
        submissions = Submission.objects.restrict(user).select_related("form", "entity")
        returned = _rows(
            _with_last_event(submissions.filter(state=SubmissionState.RETURNED)).order_by(
                "-updated_at"
            )
        )

    states = waiting_states(role)
    waiting_qs = (
        Submission.objects.restrict(user)
        .filter(state__in=states)
        .select_related("form", "entity")
        .order_by("updated_at", "id")
    )
    waiting_count = waiting_qs.count() if states else 0
    waiting = _rows(_with_last_event(waiting_qs)[:WAITING_LIMIT]) if states else []

    results = None
    if may_review(user):
        from gaoxin.awards.models import AwardEntry
        from gaoxin.evaluation.models import EvaluationRun

        results = {
            "runs": EvaluationRun.objects.restrict(user).pending().count(),
            "awards": AwardEntry.objects.restrict(user).pending().count(),
        }

    return render(
        request,
        "gaoxin/home.html",
        {
            "role": role,
            "is_reporter": role == Role.ZONE_REPORTER,
            "due": due,
            "returned": returned,
            "waiting": waiting,
            "waiting_count": waiting_count,
            "waiting_limit": WAITING_LIMIT,
            "progress": progress,
            "results": results,
            "show_admin": user.is_superuser or user.is_staff or role == Role.ADMIN,
            "today": today,
        },
    )
