from django.contrib import admin

from gaoxin.accounts.admin import ScopedAdmin
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
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)
    readonly_fields = ("path", "created_at", "updated_at")


class ZoneIndustryInline(admin.TabularInline):
    model = ZoneIndustry
    extra = 0


class ZoneStatusInline(admin.TabularInline):
    model = ZoneStatusEvent
    extra = 0


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ("entity", "level", "category", "approved_on", "approval_year", "area_km2")
    list_filter = ("level", "category")
    ordering = ("level", "entity__code")
    search_fields = ("entity__name", "entity__code")
    list_select_related = ("entity",)
    raw_id_fields = ("entity",)
    inlines = [ZoneIndustryInline, ZoneStatusInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("entity", "gb2260", "level")
    list_filter = ("level",)
    search_fields = ("entity__name", "gb2260")
    list_select_related = ("entity",)
    raw_id_fields = ("entity",)


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("entity", "uscc", "industry_code", "founded_on")
    search_fields = ("entity__name", "uscc")
    list_filter = ("industry_code",)
    list_select_related = ("entity",)
    raw_id_fields = ("entity",)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("entity", "kind", "founded_on")
    list_filter = ("kind",)
    search_fields = ("entity__name",)
    list_select_related = ("entity",)
    raw_id_fields = ("entity",)


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("entity", "kind", "level", "granted_on", "expires_on", "revoked_on")
    list_filter = ("kind", "level")
    search_fields = ("entity__name", "entity__code", "certificate_no")
    list_select_related = ("entity",)
    raw_id_fields = ("entity",)
    date_hierarchy = "granted_on"


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("child", "parent", "valid_from", "valid_to")
    raw_id_fields = ("child", "parent")
    list_select_related = ("child", "parent")
