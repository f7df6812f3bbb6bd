"""Scope: which rows a user may see, as one prefix filter on an entity path (decision 003).

Every scoped queryset (entities, observations and their history, evaluation runs and results,
award entries) derives from :class:`ScopedQuerySet` and names only the path it is scoped by;
``within`` and ``restrict`` are written here once. Nothing here imports a model at load time:
the registry's own queryset uses it.
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset scoped through the materialised path at ``scope_path`` (``"path"`` for
    entities themselves, ``"entity__path"`` for rows of an entity, ...)."""

    scope_path: str = "entity__path"

    def within(self, scope: Any) -> Self:
        """Rows in the subtree of ``scope`` (an Entity or a path such as ``"/28/333/"``),
        the scope itself included; everything for None."""
        if scope is None:
            return self
        prefix = scope if isinstance(scope, str) else scope.path
        return self.filter(**{f"{self.scope_path}__startswith": prefix})

    def restrict(self, user) -> Self:
        """Rows ``user`` may see: the subtree of their scope (:func:`gaoxin.accounts.models.
        scope_of`); everything for a superuser, nothing for a user without a scope."""
        from gaoxin.accounts.models import NoScope, scope_of

        try:
            return self.within(scope_of(user))
        except NoScope:
            return self.none()
