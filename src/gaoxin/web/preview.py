"""The preview switch of the monitoring, pivot and dashboard pages (decision 041): a province
analyst may look at data submitted and not yet approved (``?preview=1``), under a banner that
says so; everyone else reads published data only and is refused the switch (403)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gaoxin.accounts.roles import Action, can

__all__ = ["may_preview", "preview_of", "switch"]


def may_preview(user: Any) -> bool:
    """Whoever approves returns for the province (省级审核员, 省级管理员, 系统管理员) already reads
    what is under review; a city or zone user, or a read-only one, does not."""
    return can(user, Action.REVIEW_PROVINCE)


def preview_of(request) -> bool:
    """Whether the request asks for the preview (``?preview=1``); PermissionDenied when its
    user may not see data under review."""
    if request.GET.get("preview") != "1":
        return False
    if not may_preview(request.user):
        raise PermissionDenied(_("只有省级审核员、省级管理员和系统管理员可以预览尚未审定的数据"))
    return True


def switch(request, preview: bool) -> dict[str, Any]:
    """What ``gaoxin/includes/preview_switch.html`` draws: the banner while previewing, the
    link to the preview for a user who may, the same query otherwise."""
    query = request.GET.copy()
    query.pop("preview", None)
    off = query.urlencode()
    query["preview"] = "1"
    return {
        "preview": preview,
        "may_preview": may_preview(request.user),
        "preview_on": f"{request.path}?{query.urlencode()}",
        "preview_off": f"{request.path}?{off}" if off else request.path,
    }
