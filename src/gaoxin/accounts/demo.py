"""Demo users: one per role over the demo jurisdiction, so a newcomer can log in as each.

The scopes are read from the store, not named: the province holding the most enterprises, its
city holding the most, and that city's zone holding the most (ties by code). For the national
demo that is the province with the most synthetic firms. ``demo`` stays the system
administrator (a superuser without a scope). Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from gaoxin.accounts.choices import Role
from gaoxin.accounts.roles import role_label
from gaoxin.accounts.services import add_user, set_role
from gaoxin.registry.models import Entity

ADMIN_USER = "demo"
PASSWORD = "gaoxin-demo"
# One demo user per role below the system administrator, each over a scope of its role's level.
ROLE_USERS: dict[str, Role] = {
    "province_admin": Role.PROVINCE_ADMIN,
    "province_reviewer": Role.PROVINCE_REVIEWER,
    "city_reviewer": Role.CITY_REVIEWER,
    "zone_reporter": Role.ZONE_REPORTER,
    "viewer": Role.VIEWER,
}
USERNAMES = (ADMIN_USER, *ROLE_USERS)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    scope: str
    organisation: str


def _busiest(candidates) -> Entity | None:
    """The candidate whose subtree holds the most enterprises (ties: the smaller code)."""
    best, best_n = None, -1
    for e in sorted(candidates, key=lambda e: e.code):
        n = Entity.objects.filter(kind="enterprise", path__startswith=e.path).count()
        if n > best_n:
            best, best_n = e, n
    return best


def demo_scopes() -> dict[str, Entity] | None:
    provinces = Entity.objects.filter(kind="region", region__level="province")
    province = _busiest(provinces)
    if province is None:
        return None
    city = _busiest(
        Entity.objects.filter(kind="region", region__level="city", path__startswith=province.path)
    )
    if city is None:
        return None
    zone = _busiest(Entity.objects.filter(kind="zone", path__startswith=city.path))
    if zone is None:
        return None
    return {"province": province, "city": city, "zone": zone}


def _plan(s: dict[str, Entity]) -> list[tuple[str, Role, Entity, str]]:
    p, c, z = s["province"], s["city"], s["zone"]
    where = {
        "province_admin": (p, f"{p.name}科技厅高新处"),
        "province_reviewer": (p, f"{p.name}科技厅高新处"),
        "city_reviewer": (c, f"{c.name}科技局"),
        "zone_reporter": (z, f"{z.name}管委会"),
        "viewer": (p, f"{p.name}科技厅"),
    }
    return [(name, role, *where[name]) for name, role in ROLE_USERS.items()]


@transaction.atomic
def ensure_demo_users() -> list[DemoUser]:
    """Create (or bring back to their roles and scopes) the demo users; returns them."""
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username=ADMIN_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(PASSWORD)
        admin.save()
    out = [DemoUser(ADMIN_USER, PASSWORD, role_label(Role.ADMIN), "全部", "")]
    scopes = demo_scopes()
    if scopes is None:
        return out
    for username, role, scope, organisation in _plan(scopes):
        if User.objects.filter(username=username).exists():
            set_role(username, role=role, scope=scope, organisation=organisation)
        else:
            add_user(username, role=role, scope=scope, organisation=organisation, password=PASSWORD)
        out.append(DemoUser(username, PASSWORD, role_label(role), scope.name, organisation))
    return out
