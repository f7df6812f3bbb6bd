"""The admin's scope (decision 022): every admin shows, searches, offers and saves only what lies
in the user's subtree, and a user is set up on one page with a role and a scope.

Every registered admin is a :class:`ScopedAdmin`. It is either scoped through an entity path
(``scope_path``; a model whose queryset is a ``ScopedQuerySet`` needs none) or it holds
jurisdiction-wide records (``shared`` gives the reason: the catalogue, reporting forms, rules,
policy documents), which every admin user sees and only holders of the model permission (the
province-level roles) change. For both:

- lists, change forms, deletes, history and searches go through ``get_queryset``: an object of
  another scope answers 404 (not Django's redirect to the index);
- every foreign-key choice (select, autocomplete, ``add/?entity=<id>`` initial values) is the
  related admin's scoped queryset, so a value outside the scope is neither shown nor saved;
  the value an object already holds stays valid (a zone's parent city is above its scope);
- list filters over relations offer only the related rows of the visible list.

Only 系统管理员 and 省级管理员 reach the admin (gaoxin.accounts.roles.STAFF_ROLES).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.accounts.scoping import restrict_path

User = get_user_model()


def scoped_choices(site: admin.AdminSite, model: type[models.Model], request) -> Any:
    """The rows of ``model`` the user may pick: its admin's scoped queryset when it has one,
    the plain manager's otherwise (unregistered catalogue models)."""
    related = site._registry.get(model)
    if isinstance(related, ScopedAdmin):
        return related.scope(model._default_manager.all(), request)
    return None


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices restricted to the user's scope (admins and inlines)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            qs = scoped_choices(self.admin_site, db_field.remote_field.model, request)
            if qs is not None:
                kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            qs = scoped_choices(self.admin_site, db_field.remote_field.model, request)
            if qs is not None:
                kwargs["queryset"] = qs
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        return keep_current_values(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = keep_current_values(formset.form)
        return formset


def keep_current_values(form_class):
    """A form whose foreign-key choices also hold the value the instance has now: a value
    outside the scope may be kept, never chosen."""

    class KeepCurrent(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance is None or self.instance.pk is None:
                return
            for name, field in self.fields.items():
                if not isinstance(field, forms.ModelChoiceField) or isinstance(
                    field, forms.ModelMultipleChoiceField
                ):
                    continue
                try:
                    model_field = self.instance._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                current = getattr(self.instance, model_field.attname, None)
                if current is not None and not field.queryset.filter(pk=current).exists():
                    field.queryset = field.queryset.model._default_manager.filter(
                        models.Q(pk__in=field.queryset.values("pk")) | models.Q(pk=current)
                    )

    KeepCurrent.__name__ = form_class.__name__
    return KeepCurrent


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """An admin whose lists, searches, detail pages and choices hold only what the user may see.

    ``scope_path``: the lookup of the entity path the model is scoped by; None uses the model's
    own ``restrict`` (a ``ScopedQuerySet``). ``shared``: instead of a path, the reason the
    records are the same for the whole jurisdiction (then they are not filtered)."""

    scope_path: str | None = None
    shared: str = ""

    def scope(self, qs, request):
        if self.shared:
            return qs
        if self.scope_path is not None:
            return restrict_path(qs, request.user, self.scope_path)
        return qs.restrict(request.user)

    def get_queryset(self, request):
        return self.scope(super().get_queryset(request), request)

    def get_list_filter(self, request):
        """Filters over relations list only the related rows of the visible list."""
        out = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self._is_relation(entry):
                out.append((entry, admin.RelatedOnlyFieldListFilter))
            else:
                out.append(entry)
        return out

    def _is_relation(self, path: str) -> bool:
        model = self.model
        field = None
        for part in path.split("__"):
            try:
                field = model._meta.get_field(part)
            except FieldDoesNotExist:
                return False
            if not field.is_relation:
                return False
            model = field.related_model
        return field is not None and field.is_relation

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # An object of another scope, or none: not found, with nothing said about which.
        raise Http404(_("找不到该记录，或不在您的数据范围内"))


class ScopedInline(ScopedChoicesMixin):
    """Mixin for inlines: choices in scope; rows scoped when ``scope_path`` is set."""

    scope_path: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.scope_path is not None:
            qs = restrict_path(qs, request.user, self.scope_path)
        return qs


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows records but never adds, changes or deletes them: for what commands
    record and nobody edits by hand (evaluation runs, award entries, observation changes)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ----------------------------------------------------------------------------------------------
# Users: one page with a role and a scope
# ----------------------------------------------------------------------------------------------
class UserSetupForm(forms.ModelForm):
    """Username, name, password, role, scope and organisation; the rest follows from the role."""

    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    scope = forms.ModelChoiceField(
        label=_("数据范围"),
        queryset=Profile._meta.get_field("scope").related_model.objects.none(),
        help_text=_("输入名称或代码搜索，如 厦门火炬、350200；行政区和高新区排在企业、机构之前"),
    )
    organisation = forms.CharField(
        label=_("单位"), required=False, max_length=200, help_text=_("默认：数据范围的名称")
    )
    password1 = forms.CharField(
        label=_("密码"), required=False, strip=False, widget=forms.PasswordInput
    )
    password2 = forms.CharField(
        label=_("确认密码"), required=False, strip=False, widget=forms.PasswordInput
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active")

    request: Any = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from gaoxin.registry.models import Entity

        user = self.request.user
        scope = self.fields["scope"]
        self.fields["scope"] = forms.ModelChoiceField(
            queryset=Entity.objects.restrict(user),
            widget=AutocompleteSelect(Profile._meta.get_field("scope"), admin.site),
            label=scope.label,
            help_text=scope.help_text,
        )
        if not user.is_superuser:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]
        profile = getattr(self.instance, "gaoxin_profile", None) if self.instance.pk else None
        if profile is not None:
            self.initial.update(
                role=profile.role, scope=profile.scope_id, organisation=profile.organisation
            )
        if self.instance.pk:
            self.fields["password1"].label = _("新密码")
            self.fields["password1"].help_text = _("不改密码请留空")
        else:
            self.fields["password1"].required = True
            self.fields["password2"].required = True
        if self.instance.pk and self.instance.is_superuser and profile is None:
            # a system administrator made with createsuperuser: no role or scope needed
            self.fields["role"].required = False
            self.fields["role"].choices = [("", "—"), *self.fields["role"].choices]
            self.fields["scope"].required = False

    def clean(self):
        from gaoxin.accounts.services import UserSetupError, validate_setup

        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        elif data.get("password1"):
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(data["password1"], self.instance)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        if data.get("role") and data.get("scope"):
            try:
                validate_setup(data["role"], data["scope"], self.request.user)
            except UserSetupError as exc:
                self.add_error("scope", str(exc))
        return data


class UserAdmin(ScopedAdmin):
    """Users of the scope, set up on one page. A superuser is seen only by superusers."""

    scope_path = "gaoxin_profile__scope__path"
    form = UserSetupForm
    list_display = ("username", "full_name", "role", "scope_name", "organisation", "is_active")
    list_filter = ("gaoxin_profile__role", "is_active")
    search_fields = ("username", "first_name", "last_name", "gaoxin_profile__organisation")
    list_select_related = ("gaoxin_profile__scope",)
    ordering = ("username",)  # auth's User has no order: pages of the list would not be stable
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "is_active")}),
        (_("角色与数据范围"), {"fields": ("role", "scope", "organisation")}),
        (_("密码"), {"fields": ("password1", "password2")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type("UserSetupForm", (UserSetupForm,), {"request": request})
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        from gaoxin.accounts.services import set_role

        if form.cleaned_data.get("password1"):
            obj.set_password(form.cleaned_data["password1"])
        elif not change:
            obj.set_unusable_password()
        obj.save()
        if not form.cleaned_data.get("role") and not form.cleaned_data.get("scope"):
            return  # a superuser left without a profile
        set_role(
            obj.username,
            role=form.cleaned_data["role"],
            scope=form.cleaned_data["scope"],
            organisation=form.cleaned_data.get("organisation") or "",
            by=request.user,
        )

    @admin.display(description=_("姓名"))
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("角色"), ordering="gaoxin_profile__role")
    def role(self, obj):
        profile = getattr(obj, "gaoxin_profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("数据范围"), ordering="gaoxin_profile__scope__name")
    def scope_name(self, obj):
        profile = getattr(obj, "gaoxin_profile", None)
        return profile.scope.name if profile else "—"

    @admin.display(description=_("单位"))
    def organisation(self, obj):
        profile = getattr(obj, "gaoxin_profile", None)
        return profile.organisation if profile else ""


class GroupAdmin(ScopedAdmin, ReadOnlyAdmin):
    """The role groups are written by ``gaoxin init`` from the role table; read-only here."""

    shared = "角色组由 gaoxin init 按权限表生成，不在后台修改"
    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("permissions",)


for _model in (User, Group):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
admin.site.register(User, UserAdmin)
admin.site.register(Group, GroupAdmin)
