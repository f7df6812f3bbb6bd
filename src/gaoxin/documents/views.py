"""下载公文 from the pages: a POST naming the kind, the pack and the period (and the format)
starts :func:`gaoxin.documents.jobs.official_document` and goes to the job's page, like the
workbooks' downloads. A pack whose region does not meet the user's scope is a 404, as is an
unknown kind, format or pack, and a place (``scope``, the page's place: the monitoring page's
region, the run's scope) outside the user's scope. The documents themselves hold only the
user's scope; a monitoring bulletin only the place's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from gaoxin.engine.problems import ProblemsError
from gaoxin.services import OutOfScope

FORMATS = ("docx", "pdf")


@login_required
@require_POST
def write(request):
    from gaoxin.documents.jobs import official_document
    from gaoxin.documents.services import KINDS
    from gaoxin.jobs import services as jobs
    from gaoxin.policy.packs import find_pack, user_pack_scope

    kind, pack, period, fmt = (request.POST.get(k, "") for k in ("kind", "pack", "period", "fmt"))
    if kind not in KINDS or fmt not in FORMATS or not period:
        raise Http404("没有这种公文")
    try:
        loaded = find_pack(pack)
        scope = user_pack_scope(request.user, loaded.spec.region)
    except (ProblemsError, OutOfScope) as err:
        raise Http404("没有这个政策包") from err
    if loaded.spec.documents is None:
        raise Http404("该政策包没有发文设置")
    place_id = request.POST.get("scope", "")
    if place_id:
        from gaoxin.registry.models import Entity
        from gaoxin.services import check_scope

        place = Entity.objects.filter(pk=place_id).first() if place_id.isdigit() else None
        try:
            check_scope(request.user, place)
        except OutOfScope as err:
            raise Http404("没有这个地区") from err
        if scope is not None and not place.path.startswith(scope.path):
            raise Http404("没有这个地区")
        scope = place
    document = request.POST.get("document") or None
    job = jobs.start(
        official_document,
        by=request.user,
        scope=scope,
        label=f"生成{KINDS[kind].zh}（{period}，{fmt.upper()}）",
        args=[kind, pack, period, request.user.pk, fmt],
        kwargs={
            "document": int(document) if document and document.isdigit() else None,
            "scope_id": scope.pk if scope is not None and place_id else None,
        },
    )
    return redirect("jobs:detail", job.pk)
