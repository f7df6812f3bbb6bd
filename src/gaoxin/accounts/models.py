"""A user's organisation is a subtree of the entity hierarchy.

A provincial department's zone division works in its province, a city bureau in its city, a
zone's management committee in its zone. ``scope_of(user)`` is the entity whose subtree the
user may see; every scoped query passes it to ``Entity.objects.within`` (decision 003), so
access control lives in that one method and here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.choices import Role
from gaoxin.accounts.roles import Action
from gaoxin.registry.models import Entity


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="gaoxin_profile",
    )
    organisation = models.CharField(
        _("单位"), max_length=200, help_text=_("如：福建省科技厅高新处、厦门火炬管委会")
    )
    scope = models.ForeignKey(
        Entity,
        verbose_name=_("数据范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("用户可见、可填报的主体范围：此主体及其下级"),
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("用户范围")
        verbose_name_plural = _("用户范围")
        # One permission per action of the role table (gaoxin.accounts.roles.Action).
        permissions = [(action.value, action.label) for action in Action]

    def __str__(self) -> str:
        return f"{self.user} @ {self.scope}"

    def clean(self) -> None:
        from gaoxin.accounts.roles import check_role_scope

        if self.scope_id is not None:
            check_role_scope(self.role, self.scope)

    def save(self, *args, **kwargs) -> None:
        """A role that does not fit its scope is refused here too, whatever the write path;
        saving puts the user in the role's group (gaoxin.accounts.roles.apply_role)."""
        from gaoxin.accounts.roles import apply_role

        self.clean()
        super().save(*args, **kwargs)
        apply_role(self.user, self.role)

    def delete(self, *args, **kwargs):
        from gaoxin.accounts.roles import apply_role

        user = self.user
        result = super().delete(*args, **kwargs)
        apply_role(user, None)
        return result


class NoScope(Exception):
    """A user who is neither a superuser nor given a scope sees nothing."""


def scope_of(user) -> Entity | None:
    """The subtree root ``user`` works in; None means everything (superusers).

    Raises NoScope for a user with no profile, so a forgotten set-up shows nothing rather than
    everything."""
    if user is not None and user.is_superuser:
        return None
    profile = getattr(user, "gaoxin_profile", None) if user is not None else None
    if profile is None:
        raise NoScope(user)
    return profile.scope
