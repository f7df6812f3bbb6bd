"""Scope: which rows a user may see, as one prefix filter on an entity path (decision 003).

Every scoped queryset (entities, observations and their history, evaluation runs and results,
award entries) derives from :class:`ScopedQuerySet` and names only the path it is scoped by;
``within`` and ``restrict`` are written here once. Nothing here imports a model at load time:
the registry's own queryset uses it.
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models


def within_path(qs: models.QuerySet, scope: Any, lookup: str) -> models.QuerySet:
    """``qs`` narrowed to rows whose entity path at ``lookup`` (``"path"``, ``"entity__path"``,
    ``"child__path"``, ...) lies in the subtree of ``scope`` (an Entity or a path); everything
    for None. The one prefix filter of decision 003, for querysets of any model."""
    if scope is None:
        return qs
    prefix = scope if isinstance(scope, str) else scope.path
    return qs.filter(**{f"{lookup}__startswith": prefix})


def restrict_path(qs: models.QuerySet, user: Any, lookup: str) -> models.QuerySet:
    """``qs`` narrowed to what ``user`` may see through ``lookup``: the subtree of their scope,
    everything for a superuser, nothing for a user without a scope."""
    from gaoxin.accounts.models import NoScope, scope_of

    try:
        return within_path(qs, scope_of(user), lookup)
    except NoScope:
        return qs.none()


class ScopedQuerySet(models.QuerySet):
    """A queryset scoped through the materialised path at ``scope_path`` (``"path"`` for
    entities themselves, ``"entity__path"`` for rows of an entity, ...)."""

    scope_path: str = "entity__path"

    def within(self, scope: Any) -> Self:
        """Rows in the subtree of ``scope`` (an Entity or a path such as ``"/28/333/"``),
        the scope itself included; everything for None."""
        return within_path(self, scope, self.scope_path)

    def restrict(self, user) -> Self:
        """Rows ``user`` may see: the subtree of their scope (:func:`gaoxin.accounts.models.
        scope_of`); everything for a superuser, nothing for a user without a scope."""
        return restrict_path(self, user, self.scope_path)
