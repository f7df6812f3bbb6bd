"""What every application service shares (decision 023): who acts, the scope check, and the
errors the faces (CLI, pages, API, tasks) turn into a message or a 404.

An application service (``gaoxin.awards.services.decide``, ``gaoxin.evaluation.services.
evaluate``, ...) takes typed values (a :class:`~gaoxin.engine.periods.Period`, an
:class:`~gaoxin.registry.models.Entity` for the scope, the acting user ``by``) and returns a
result object the faces render. Before it reads or writes anything it calls
:func:`check_scope`: a user acts only within their organisation's subtree
(:func:`gaoxin.accounts.models.scope_of`). ``by=None`` is the operator at the terminal, who has
the whole store, as a superuser does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    from gaoxin.registry.models import Entity

__all__ = ["NotFound", "OutOfScope", "check_scope", "entity_in_scope", "scope_for"]


class _Refused(ProblemsError, Http404):
    """A refusal that reads as one Chinese problem (the CLI prints it like any other) and, let
    through to Django or Django REST framework, answers 404, never 403: the answer must not tell
    a user that something outside their scope exists."""

    code = "scope.refused"

    def __init__(self, message: str, value: str | None = None) -> None:
        ProblemsError.__init__(self, [Problem(self.code, message, value=value)])
        self.message = message
        self.args = (message,)

    def __str__(self) -> str:
        return self.message


class OutOfScope(_Refused):
    """The scope or object a service was asked to act on lies outside the acting user's scope,
    or the user has no scope at all. Nothing has been read or written."""

    code = "scope.outside"


class NotFound(_Refused):
    """There is no such object within the acting user's scope (one answer for both, so that an
    object of another city cannot be told from one that does not exist)."""

    code = "not_found"


def _label(entity: Entity | None) -> str:
    return "全部数据（全国）" if entity is None else f"{entity.name}（{entity.code}）"


def scope_for(by: Any) -> Entity | None:
    """The subtree ``by`` may act in: None (the whole store) for the operator at the terminal
    (``by=None``) and for a superuser, else the user's scope. :class:`OutOfScope` for a user
    with no scope set up."""
    if by is None:
        return None
    from gaoxin.accounts.models import NoScope, scope_of

    try:
        return scope_of(by)
    except NoScope:
        raise OutOfScope(
            f"用户「{by}」尚未设定数据范围，不能进行此操作：请系统管理员为其设定角色和数据范围"
        ) from None


def check_scope(by: Any, scope: Entity | None) -> None:
    """Refuse (:class:`OutOfScope`) unless ``by`` may act on ``scope``: the whole store
    (``scope=None``) needs full access, a region, zone or enterprise needs to lie in the user's
    subtree (the scope itself included)."""
    root = scope_for(by)
    if root is None:
        return
    if scope is None or not scope.path.startswith(root.path):
        raise OutOfScope(
            f"范围「{_label(scope)}」不在您的数据范围（{_label(root)}）内，未做任何读取或修改",
            value=None if scope is None else scope.code,
        )


def entity_in_scope(by: Any, entity: Entity) -> bool:
    """Whether ``entity`` lies in ``by``'s scope (the object-level check: a face answers 404
    when it does not)."""
    try:
        check_scope(by, entity)
    except OutOfScope:
        return False
    return True
