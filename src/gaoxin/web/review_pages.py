"""What the review pages of evaluation runs and award decisions share: reading the reviewer's
POST and turning the review service's refusals into messages (the service is gaoxin.reviews)."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from gaoxin import reviews


def apply(request, model, ids) -> bool:
    """Review the records ``ids`` of ``model`` as the POST asks; a message either way. True
    when the review was made. NotFound and PermissionDenied pass through (404 / 403)."""
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    try:
        done = reviews.review(model, ids, decision, by=request.user, comment=comment)
    except reviews.ReviewRefused as err:
        for problem in err.problems:
            messages.error(request, problem.message)
        return False
    text = (
        _("已审定 %(n)s 条：%(records)s")
        if decision == "approve"
        else _("已退回 %(n)s 条：%(records)s")
    )
    records = "；".join(reviews.label(r) for r in done[:5])
    messages.success(request, text % {"n": len(done), "records": records})
    return True
