"""The registry in the admin, each list scoped to the user's subtree (gaoxin.accounts.admin).

Entities are picked by autocomplete (name or code; regions and zones first, see
gaoxin.registry.lookup), never by raw id. Changing an entity's parent moves it with its whole
subtree in one transaction (``Entity.move``: paths rewritten, membership history kept).
"""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.admin import ScopedAdmin, ScopedInline
from gaoxin.registry.lookup import ranked
from gaoxin.registry.models import (
    Certification,
    Enterprise,
    Entity,
    Institution,
    Membership,
    Region,
    Zone,
    ZoneIndustry,
    ZoneStatusEvent,
)


@admin.register(Entity)
class EntityAdmin(ScopedAdmin):
    list_display = ("name", "kind", "code", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)
    readonly_fields = ("path", "created_at", "updated_at")

    def get_search_results(self, request, queryset, search_term):
        """Regions and zones before enterprises and institutions; an exact code first
        (searching 350200 finds 厦门市 first), as `gaoxin user add --scope` reads a term."""
        return ranked(queryset, search_term), False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class EntityForm(form):
            def clean_parent(self):
                parent = self.cleaned_data.get("parent")
                if parent is None and not request.user.is_superuser:
                    # a scoped user places entities inside the scope, never at the top
                    raise forms.ValidationError(_("请选择上级（须在您的数据范围内）"))
                if (
                    parent is not None
                    and self.instance.pk
                    and parent.path.startswith(self.instance.path)
                ):
                    raise forms.ValidationError(_("不能把主体移到它自己或其下级之下"))
                return parent

        return EntityForm

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            obj.move(obj.parent, on=timezone.localdate(), reason=str(_("管理后台调整隶属关系")))
            return
        super().save_model(request, obj, form, change)


class ZoneIndustryInline(ScopedInline, admin.TabularInline):
    model = ZoneIndustry
    extra = 0


class ZoneStatusInline(ScopedInline, admin.TabularInline):
    model = ZoneStatusEvent
    extra = 0
    readonly_fields = ("recorded_by",)  # set by the service that records a confirmed event


class EntityProfileAdmin(ScopedAdmin):
    """A kind-specific profile of an entity: scoped by its entity, which is fixed once made."""

    scope_path = "entity__path"
    autocomplete_fields = ("entity",)
    list_select_related = ("entity",)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + ("entity",) if obj is not None else fields


@admin.register(Zone)
class ZoneAdmin(EntityProfileAdmin):
    list_display = ("entity", "level", "category", "approved_on", "approval_year", "area_km2")
    list_filter = ("level", "category")
    ordering = ("level", "entity__code")
    search_fields = ("entity__name", "entity__code")
    inlines = [ZoneIndustryInline, ZoneStatusInline]


@admin.register(Region)
class RegionAdmin(EntityProfileAdmin):
    list_display = ("entity", "gb2260", "level")
    list_filter = ("level",)
    search_fields = ("entity__name", "gb2260")


@admin.register(Enterprise)
class EnterpriseAdmin(EntityProfileAdmin):
    list_display = ("entity", "uscc", "industry_code", "founded_on")
    search_fields = ("entity__name", "uscc")
    list_filter = ("industry_code",)


@admin.register(Institution)
class InstitutionAdmin(EntityProfileAdmin):
    list_display = ("entity", "kind", "founded_on")
    list_filter = ("kind",)
    search_fields = ("entity__name",)


@admin.register(Certification)
class CertificationAdmin(ScopedAdmin):
    scope_path = "entity__path"
    list_display = ("entity", "kind", "level", "granted_on", "expires_on", "revoked_on")
    list_filter = ("kind", "level")
    search_fields = ("entity__name", "entity__code", "certificate_no")
    list_select_related = ("entity",)
    autocomplete_fields = ("entity",)
    date_hierarchy = "granted_on"


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    """Placement history, in scope by its member (the entity that moved)."""

    scope_path = "child__path"
    list_display = ("child", "parent", "valid_from", "valid_to")
    search_fields = ("child__name", "child__code", "parent__name")
    autocomplete_fields = ("child", "parent")
    list_select_related = ("child", "parent")
