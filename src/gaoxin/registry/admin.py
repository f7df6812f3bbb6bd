"""The registry in the admin, each list scoped to the user's subtree (gaoxin.accounts.admin).

Entities are picked by autocomplete (name or code; regions and zones first, see
gaoxin.registry.lookup), never by raw id. Changing an entity's parent moves it with its whole
subtree in one transaction (``Entity.move``: paths rewritten, membership history kept). A
zone's name is not edited on its entity: it follows the zone's renamed events (decision 053).
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.admin import ScopedAdmin, ScopedInline
from gaoxin.registry.choices import EntityKind
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
from gaoxin.registry.services import delete_zone_event, save_zone_event, zone_event_problems


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

            def clean_name(self):
                name = self.cleaned_data.get("name")
                renamed = self.instance.pk and name != self.instance.name
                if renamed and self.instance.kind == EntityKind.ZONE:
                    # a zone's name follows its renamed events (decision 051): a rename is
                    # dated and cites its 批复, which this page cannot ask for (decision 053)
                    url = reverse("admin:registry_zone_change", args=[self.instance.pk])
                    raise forms.ValidationError(
                        format_html(
                            _(
                                "高新区的名称随其沿革中的更名记录改变，不在此处修改：请在"
                                '<a href="{url}#status_events-group">该高新区页面</a>的沿革中'
                                "新增一条更名记录（日期、此后名称、依据文件），原名称会自动记下"
                            ),
                            url=url,
                        )
                    )
                return name

        return EntityForm

    def save_model(self, request, obj, form, change):
        if change and "parent" in form.changed_data:
            obj.move(obj.parent, on=timezone.localdate(), reason=str(_("管理后台调整隶属关系")))
            return
        super().save_model(request, obj, form, change)


class ZoneIndustryInline(ScopedInline, admin.TabularInline):
    model = ZoneIndustry
    extra = 0


class ZoneStatusFormSet(forms.BaseInlineFormSet):
    """Each new or changed event checked as the service will write it, so that a refusal is
    shown on its row and nothing is written (gaoxin.registry.services.zone_event_problems)."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or form.errors:
                continue
            for p in zone_event_problems(form.instance):
                form.add_error(p.column if p.column in form.fields else None, p.message)


class ZoneStatusInline(ScopedInline, admin.TabularInline):
    """A zone's dated events. Saved through the zone-events service (ZoneAdmin.save_formset),
    the one write path that moves the zone's level and name with them (decisions 044, 051)."""

    model = ZoneStatusEvent
    formset = ZoneStatusFormSet
    extra = 0
    # set by the service: who recorded it, and the name a rename replaced
    readonly_fields = ("previous_name", "recorded_by")


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

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status_events.exclude(level="").exists():
            # the level follows the zone's approved and upgraded events: change those instead
            return (*fields, "level")
        return fields

    def save_formset(self, request, form, formset, change):
        if formset.model is not ZoneStatusEvent:
            return super().save_formset(request, form, formset, change)
        events = formset.save(commit=False)
        for event in formset.deleted_objects:
            delete_zone_event(event, by=request.user)
        for event in events:
            save_zone_event(event, by=request.user)
        formset.save_m2m()
        return None


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
