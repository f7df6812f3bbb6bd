"""Login throttling: django-axes' backend, for logins that come with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from rest_framework.permissions import BasePermission


class LoginThrottle(AxesStandaloneBackend):
    """Counts failed logins per user name and client address and refuses a locked-out pair.

    A login over HTTP (the site's login page, the admin's, the API's basic authentication)
    always passes its request. ``authenticate()`` without one (the test client's ``login()``,
    a password check on the command line) has no client to throttle, so this backend steps
    aside for it instead of raising as django-axes does; the next backend checks the password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out login gets (HTTP 429), in Chinese; django-axes' own is English."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "gaoxin/account_locked.html", context, status=429)


class SchemaAccess(BasePermission):
    """The OpenAPI schema lists every endpoint and field: anyone may read it while DEBUG is on
    (development, the demo), signed-in users only in production (GAOXIN_DEBUG=0)."""

    def has_permission(self, request, view) -> bool:
        from django.conf import settings

        return settings.DEBUG or bool(request.user and request.user.is_authenticated)
