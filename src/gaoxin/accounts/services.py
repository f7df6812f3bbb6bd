"""Setting up a user: one service under `gaoxin user`, the admin's user page and `gaoxin demo`.

A user is a username, a role and a scope (and an organisation, a name, a password). Everything
is checked before anything is written (the role exists, the scope is one entity, the role fits
the scope's level, the acting user may grant this role here), then the user, the profile and the
role's group are written in one transaction: a refused set-up leaves nothing behind.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.accounts.roles import (
    Action,
    can,
    check_role_scope,
    parse_role,
    role_label,
)


class UserSetupError(ValueError):
    """A set-up refused before anything was written; the message is for the user."""


@dataclass(frozen=True)
class UserRow:
    username: str
    name: str
    role: str
    scope: str
    scope_code: str
    organisation: str
    is_staff: bool
    is_active: bool


def _message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _role(role: str | Role) -> Role:
    try:
        return parse_role(str(role.value if isinstance(role, Role) else role))
    except ValidationError as exc:
        raise UserSetupError(_message(exc)) from exc


def _scope(scope: Any, by: Any) -> Any:
    from gaoxin.registry.lookup import EntityLookupError, resolve
    from gaoxin.registry.models import Entity

    among = Entity.objects.restrict(by) if by is not None else None
    if isinstance(scope, Entity):
        if among is not None and not among.filter(pk=scope.pk).exists():
            raise UserSetupError(f"「{scope.name}」不在您的数据范围内")
        return scope
    try:
        return resolve(str(scope), among)
    except EntityLookupError as exc:
        raise UserSetupError(str(exc)) from exc


def _may_grant(by: Any, role: Role, scope: Any) -> None:
    """The acting user (None: the operator at the command line) may set up this role here."""
    if by is None or by.is_superuser:
        return
    if not can(by, Action.MANAGE_USERS, scope):
        raise UserSetupError("您无权在此范围内设置用户")
    if role == Role.ADMIN:
        raise UserSetupError("只有系统管理员可以设置系统管理员")


def _check(role: Role, scope: Any) -> None:
    try:
        check_role_scope(role, scope)
    except ValidationError as exc:
        raise UserSetupError(_message(exc)) from exc


def validate_setup(role: str | Role, scope: Any, by: Any = None) -> tuple[Role, Any]:
    """The role and scope entity a set-up would write, checked (role known, scope found and in
    ``by``'s scope, role fits the scope's level, ``by`` may grant it); UserSetupError if not."""
    the_role = _role(role)
    the_scope = _scope(scope, by)
    _check(the_role, the_scope)
    _may_grant(by, the_role, the_scope)
    return the_role, the_scope


def generate_password() -> str:
    return secrets.token_urlsafe(9)


@transaction.atomic
def add_user(
    username: str,
    *,
    role: str | Role,
    scope: Any,
    organisation: str = "",
    password: str | None = None,
    name: str = "",
    by: Any = None,
) -> tuple[Any, str]:
    """Create ``username`` with ``role`` over ``scope`` (an Entity, or a code or name resolved by
    :func:`gaoxin.registry.lookup.resolve`). Returns the user and the password (generated when
    none is given). Raises :class:`UserSetupError`, having written nothing."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise UserSetupError("请给出用户名")
    if User.objects.filter(username=username).exists():
        raise UserSetupError(f"用户名「{username}」已存在；修改角色请用 gaoxin user set-role")
    the_role, the_scope = validate_setup(role, scope, by)
    password = password or generate_password()
    user = User(username=username, first_name=name.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserSetupError(f"密码不符合要求：{_message(exc)}") from exc
    user.set_password(password)
    user.save()
    Profile.objects.create(
        user=user,
        role=the_role,
        scope=the_scope,
        organisation=organisation.strip() or the_scope.name,
    )
    return user, password


@transaction.atomic
def set_role(
    username: str,
    *,
    role: str | Role | None = None,
    scope: Any = None,
    organisation: str | None = None,
    by: Any = None,
) -> Profile:
    """Change a user's role, scope or organisation (each optional); a user without a profile
    gets one (then role and scope are both needed). Checked like :func:`add_user`."""
    User = get_user_model()
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise UserSetupError(f"没有用户「{username}」")
    profile = Profile.objects.filter(user=user).select_related("scope").first()
    if profile is None and (role is None or scope is None):
        raise UserSetupError(f"用户「{username}」尚无角色和数据范围：请同时给出 --role 和 --scope")
    if by is not None and profile is not None:
        _may_grant(by, Role(profile.role), profile.scope)
    the_role, the_scope = validate_setup(
        role if role is not None else profile.role,
        scope if scope is not None else profile.scope,
        by,
    )
    if profile is None:
        profile = Profile(user=user)
    profile.role = the_role
    profile.scope = the_scope
    if organisation is not None and organisation.strip():
        profile.organisation = organisation.strip()
    elif not profile.organisation:
        profile.organisation = the_scope.name
    profile.save()
    return profile


def list_users(*, by: Any = None) -> list[UserRow]:
    """Users with a role, in scope of ``by`` (None: all), by role then username."""
    from gaoxin.registry.models import Entity

    profiles = Profile.objects.select_related("user", "scope").order_by("role", "user__username")
    if by is not None and not by.is_superuser:
        profiles = profiles.filter(scope__in=Entity.objects.restrict(by))
    order = {r: i for i, r in enumerate(Role)}
    rows = sorted(profiles, key=lambda p: (order.get(p.role, 99), p.user.username))
    return [
        UserRow(
            username=p.user.username,
            name=p.user.get_full_name(),
            role=role_label(p.role),
            scope=p.scope.name,
            scope_code=p.scope.code,
            organisation=p.organisation,
            is_staff=p.user.is_staff,
            is_active=p.user.is_active,
        )
        for p in rows
    ]


@dataclass(frozen=True)
class ApiToken:
    """A user's API token (decision 034): ``key`` goes in ``Authorization: Token <key>``;
    ``created`` when this call made it (first issue or rotation), False when it was printed
    as it stands."""

    username: str
    key: str
    created: bool


@transaction.atomic
def api_token(username: str, *, rotate: bool = False, by: Any = None) -> ApiToken:
    """The API token of ``username``: made on first use, kept after, replaced by a new one with
    ``rotate`` (the old key stops working at once). Only a user with a role and a scope gets one
    (a token without a scope would see nothing); ``by`` (None: the operator at the terminal)
    must manage users in that scope. Raises :class:`UserSetupError`, having written nothing."""
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise UserSetupError(f"没有用户「{username}」")
    if not user.is_active:
        raise UserSetupError(f"用户「{username}」已停用，不能发放接口令牌")
    profile = Profile.objects.filter(user=user).select_related("scope").first()
    if profile is None and not user.is_superuser:
        raise UserSetupError(
            f"用户「{username}」尚无角色和数据范围，令牌什么也看不到：请先用 gaoxin user set-role 设置"
        )
    if by is not None and profile is not None:
        _may_grant(by, Role(profile.role), profile.scope)
    token = Token.objects.filter(user=user).first()
    if token is not None and not rotate:
        return ApiToken(user.username, token.key, False)
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    return ApiToken(user.username, token.key, True)
