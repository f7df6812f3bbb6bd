"""Login throttling: django-axes' backend, for logins that come with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
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


class Accounts(ModelBackend):
    """Django's password and permission backend, reading less per request (decision 054).

    Every signed-in page needs the user, their profile and its scope (for the header and every
    scoped query), and the menu asks for a permission: Django's backend read them in five
    queries (the user; the profile; the scope; the user's and the role group's permissions).
    Here the user comes with profile, scope and the scope's region in one query and the
    permissions in one more. What is read is the same, read afresh for each request: a role
    or scope changed in the admin applies to the user's next page."""

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        try:
            user = User._default_manager.select_related("gaoxin_profile__scope__region").get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """The user's own and their groups' permissions in one query (Django's backend: two)."""
        from django.contrib.auth.models import Permission
        from django.db.models import Q

        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            found = Permission.objects.all()
            if not user_obj.is_superuser:
                found = found.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = found.order_by().values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{label}.{name}" for label, name in rows}
        return user_obj._perm_cache


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
