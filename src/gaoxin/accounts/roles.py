"""What each role may do: one table, role × action (decision 022).

A role is stored on the user's :class:`~gaoxin.accounts.models.Profile`; where the user may do
it is the profile's scope. Each action is one custom permission (``accounts.<action>``) plus the
Django model permissions the pages, the API and the admin check for it. :func:`sync_roles`
writes the table into the database as six auth groups with Chinese names (``gaoxin init`` calls
it); saving a profile puts its user in its role's group, so the permissions are enforced by
Django's own ``has_perm``, not just stored. :func:`can` is the one question pages, the API and
services ask: may this user do this action, here?

Role 系统管理员 is Django's superuser: it sees everything and may do everything, whatever its
scope. Only 系统管理员 and 省级管理员 reach the admin site (``is_staff`` follows from the role).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.choices import Role


class Action(models.TextChoices):
    """What a user does; each is the custom permission ``accounts.<value>``."""

    VIEW = "view_data", _("查看数据")
    ENTER = "enter_data", _("填报数据")
    SUBMIT = "submit_data", _("提交报送")
    REVIEW_CITY = "review_city", _("市级审核")
    REVIEW_PROVINCE = "review_province", _("省级审定")
    UNLOCK = "unlock_data", _("解锁已审定数据")
    RUN = "run_jobs", _("运行评价与奖补测算")
    MANAGE_USERS = "manage_users", _("管理用户")
    MANAGE_FORMS = "manage_forms", _("管理报表、校验规则与政策任务")
    MANAGE_REGISTRY = "manage_registry", _("维护主体名录")
    ADMIN = "administer", _("系统管理")


A = Action

#: The permission matrix. docs/permissions.md prints it; tests check it against the approval
#: transitions (gaoxin.statistics.approval) so that the two never disagree.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Action),
    Role.PROVINCE_ADMIN: frozenset(
        {
            A.VIEW,
            A.REVIEW_PROVINCE,
            A.UNLOCK,
            A.RUN,
            A.MANAGE_USERS,
            A.MANAGE_FORMS,
            A.MANAGE_REGISTRY,
        }
    ),
    Role.PROVINCE_REVIEWER: frozenset({A.VIEW, A.REVIEW_PROVINCE}),
    Role.CITY_REVIEWER: frozenset({A.VIEW, A.REVIEW_CITY}),
    Role.ZONE_REPORTER: frozenset({A.VIEW, A.ENTER, A.SUBMIT}),
    Role.VIEWER: frozenset({A.VIEW}),
}

#: Group names. Not translated: a group is found by its name, which must not change with the
#: language of the request (tests check each equals the role's Chinese label).
GROUP_NAMES: dict[str, str] = {
    Role.ADMIN: "系统管理员",
    Role.PROVINCE_ADMIN: "省级管理员",
    Role.PROVINCE_REVIEWER: "省级审核员",
    Role.CITY_REVIEWER: "市级审核员",
    Role.ZONE_REPORTER: "园区填报员",
    Role.VIEWER: "只读",
}

#: Roles that reach the admin site at all (``is_staff``). The others work in the pages.
STAFF_ROLES = frozenset({Role.ADMIN, Role.PROVINCE_ADMIN})

# Apps whose records are scoped data or its catalogue.
DATA_APPS = ("registry", "gx_statistics", "evaluation", "awards", "policy")

#: Model permissions each action brings, beyond its own ``accounts.<action>``. "view" of every
#: model of the data apps is written as ``app.view_*``.
ACTION_MODEL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    A.VIEW: tuple(f"{app}.view_*" for app in DATA_APPS),
    A.ENTER: (
        "gx_statistics.add_observation",
        "gx_statistics.change_observation",
        "gx_statistics.add_submission",
        "gx_statistics.change_submission",
        "registry.add_entity",
        "registry.change_entity",
        "registry.add_enterprise",
        "registry.change_enterprise",
        "registry.add_institution",
        "registry.change_institution",
        "registry.add_certification",
        "registry.change_certification",
        "policy.add_progressreport",
        "policy.add_evidence",
    ),
    A.SUBMIT: ("gx_statistics.change_submission",),
    # a city files its own government's share of a collective measure (各设区市人民政府,
    # decision 043) and, like the province, sends 督办 reminders to the units it supervises
    A.REVIEW_CITY: (
        "gx_statistics.change_submission",
        "policy.add_progressreport",
        "policy.add_evidence",
        "policy.add_reminder",
    ),
    A.REVIEW_PROVINCE: (
        "policy.add_reminder",
        "gx_statistics.change_submission",
        "evaluation.change_evaluationrun",
        "awards.change_awardentry",
    ),
    A.UNLOCK: ("gx_statistics.change_submission", "gx_statistics.add_formunlock"),
    A.RUN: ("evaluation.add_evaluationrun", "awards.add_awardentry"),
    A.MANAGE_USERS: (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "accounts.view_profile",
        "accounts.add_profile",
        "accounts.change_profile",
    ),
    A.MANAGE_FORMS: tuple(
        f"{app}.{verb}_{model}"
        for app, models_ in (
            (
                "gx_statistics",
                ("reportingform", "formvariable", "formassignment", "validationrule"),
            ),
            (
                "policy",
                (
                    "policydocument",
                    "measure",
                    "measureamount",
                    "responsibleunit",
                    "assignment",
                    "unitlink",
                ),
            ),
        )
        for model in models_
        for verb in ("add", "change", "delete")
    )
    + ("policy.add_progressreport", "policy.add_evidence"),
    A.MANAGE_REGISTRY: ("registry.add_*", "registry.change_*", "registry.delete_*"),
    A.ADMIN: ("*",),
}

#: The level a role's scope must have (None: any). Values are ``scope_level`` results.
SCOPE_LEVELS: dict[str, frozenset[str] | None] = {
    Role.ADMIN: None,
    Role.PROVINCE_ADMIN: frozenset({"province"}),
    Role.PROVINCE_REVIEWER: frozenset({"province"}),
    Role.CITY_REVIEWER: frozenset({"city"}),
    Role.ZONE_REPORTER: frozenset({"zone", "enterprise", "institution"}),
    Role.VIEWER: None,
}

LEVEL_NAMES = {
    "province": "省级行政区",
    "city": "设区市",
    "county": "县（市、区）",
    "zone": "高新区",
    "enterprise": "企业",
    "institution": "机构",
}
EXPECTED_SCOPE = {
    Role.PROVINCE_ADMIN: "省级行政区",
    Role.PROVINCE_REVIEWER: "省级行政区",
    Role.CITY_REVIEWER: "设区市",
    Role.ZONE_REPORTER: "高新区（或其下的企业、机构）",
}


def role_label(role: str) -> str:
    return GROUP_NAMES[Role(role)]


def parse_role(text: str) -> Role:
    """A role by its Chinese name (园区填报员) or code (zone_reporter); a Chinese error listing
    the roles otherwise."""
    wanted = text.strip()
    for role, name in GROUP_NAMES.items():
        if wanted in (name, role.value):
            return Role(role)
    choices = "、".join(f"{name}（{role.value}）" for role, name in GROUP_NAMES.items())
    raise ValidationError(f"没有角色「{text}」：可选 {choices}", code="unknown_role")


def scope_level(entity: Any) -> str:
    """province, city, county, zone, enterprise or institution."""
    if entity.kind == "region":
        region = getattr(entity, "region", None)
        return region.level if region is not None else "region"
    return entity.kind


def check_role_scope(role: str, scope: Any) -> None:
    """Refuse a scope whose level does not fit the role: a 市级审核员 works in a city, a
    园区填报员 in a zone (or one of its enterprises or institutions), province roles in a
    province. Raises ValidationError with a Chinese message naming both."""
    allowed = SCOPE_LEVELS[Role(role)]
    if allowed is None or scope is None:
        return
    level = scope_level(scope)
    if level not in allowed:
        actual = LEVEL_NAMES.get(level, level)
        raise ValidationError(
            f"{role_label(role)}的数据范围应为{EXPECTED_SCOPE[Role(role)]}，"
            f"「{scope.name}」是{actual}",
            code="role_scope",
        )


# ----------------------------------------------------------------------------------------------
# The table in the database
# ----------------------------------------------------------------------------------------------
def _expand(patterns: Iterable[str]) -> models.QuerySet:
    """Permission rows matching ``app.codename`` patterns (``*`` allowed after the dot or as all)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    where = Q(pk__in=[])
    for pattern in patterns:
        if pattern == "*":
            return Permission.objects.all()
        app, codename = pattern.split(".", 1)
        if codename.endswith("*"):
            where |= Q(content_type__app_label=app, codename__startswith=codename[:-1])
        else:
            where |= Q(content_type__app_label=app, codename=codename)
    return Permission.objects.filter(where)


def permissions_of(role: str) -> models.QuerySet:
    """Every permission row the role's group holds."""
    patterns: list[str] = []
    for action in ROLE_ACTIONS[Role(role)]:
        patterns.append(f"accounts.{action}")
        patterns.extend(ACTION_MODEL_PERMISSIONS[action])
    return _expand(patterns)


@transaction.atomic
def sync_roles() -> dict[str, int]:
    """Create or update the six role groups with their permissions, and put every user with a
    profile in their role's group (users set up before the groups existed, or whose group was
    edited by hand); returns the number of permissions per group name. Idempotent; run after
    ``migrate`` (which creates the permission rows)."""
    from django.contrib.auth.models import Group

    from gaoxin.accounts.models import Profile

    counts: dict[str, int] = {}
    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        perms = list(permissions_of(role))
        group.permissions.set(perms)
        counts[name] = len(perms)
    for profile in Profile.objects.select_related("user"):
        apply_role(profile.user, profile.role)
    return counts


def apply_role(user: Any, role: str | None) -> None:
    """Put ``user`` in the group of ``role`` (and in no other role's group); ``is_staff`` and
    ``is_superuser`` follow from the role. ``role=None`` (the profile was deleted) leaves the
    user in no role group and out of the admin."""
    from django.contrib.auth.models import Group

    if role is not None and not Group.objects.filter(name=GROUP_NAMES[Role(role)]).exists():
        sync_roles()
    groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*[g for g in groups if role is None or g.name != GROUP_NAMES[Role(role)]])
    if role is not None:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[Role(role)]))
    staff = role in STAFF_ROLES
    superuser = role == Role.ADMIN
    if (user.is_staff, user.is_superuser) != (staff, superuser):
        user.is_staff, user.is_superuser = staff, superuser
        user.save(update_fields=["is_staff", "is_superuser"])
    # Django caches a user's permissions on the object: drop the cache after a change.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


# ----------------------------------------------------------------------------------------------
# The one question
# ----------------------------------------------------------------------------------------------
def in_scope(entity: Any, scope: Any) -> bool:
    """``entity`` lies in the subtree of ``scope`` (None: everything)."""
    return scope is None or entity.path.startswith(scope.path)


def can(user: Any, action: str, entity: Any = None) -> bool:
    """May ``user`` do ``action`` (an :class:`Action`), on ``entity`` if given?

    Role and scope: the user's role must hold the action (through its group's permission) and
    the entity must lie in the user's scope. A superuser is the system administrator: yes.
    An anonymous or inactive user, or one without a scope, may do nothing."""
    from gaoxin.accounts.models import NoScope, scope_of

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    try:
        scope = scope_of(user)
    except NoScope:
        return False
    if not user.has_perm(f"accounts.{Action(action).value}"):
        return False
    return entity is None or in_scope(entity, scope)


def require(user: Any, action: str, entity: Any = None) -> None:
    """:func:`can` or PermissionDenied with a Chinese reason (for services)."""
    if not can(user, action, entity):
        what = Action(action).label
        where = f"「{entity.name}」的" if entity is not None else ""
        raise PermissionDenied(f"无权{what}：{where}此项操作不在您的角色或数据范围内")
