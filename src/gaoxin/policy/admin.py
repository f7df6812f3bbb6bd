"""Policy documents and the task ledger in the admin: the jurisdiction's shared records (not
filtered by scope), changed only by holders of the forms permission (省级管理员, 系统管理员);
entity choices (a unit's matching entity) are scoped like everywhere (gaoxin.accounts.admin)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaoxin.accounts.admin import ScopedAdmin, ScopedInline
from gaoxin.accounts.scoping import restrict_path
from gaoxin.policy.choices import ProgressStatus
from gaoxin.policy.models import (
    Assignment,
    Evidence,
    Measure,
    MeasureAmount,
    PolicyDocument,
    ProgressReport,
    ResponsibleUnit,
)

SHARED = "政策文件与任务台账是全辖区共用的记录，只有省级管理员和系统管理员可以修改"


class MeasureInline(ScopedInline, admin.TabularInline):
    model = Measure
    fields = ("order", "path", "title", "deadline_text", "deadline")
    readonly_fields = ("order", "path", "title", "deadline_text")
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ScopedAdmin):
    shared = SHARED
    list_display = ("id", "title", "issuer", "doc_number", "issued", "status", "imported_at")
    list_filter = ("status", "issuer")
    search_fields = ("title", "doc_number", "issuer", "source_name")
    readonly_fields = ("text", "source_name", "source_sha256", "imported_at", "imported_by")
    inlines = [MeasureInline]


class AssignmentInline(ScopedInline, admin.TabularInline):
    model = Assignment
    fields = ("order", "unit", "role")
    autocomplete_fields = ("unit",)
    extra = 0


class MeasureAmountInline(ScopedInline, admin.TabularInline):
    model = MeasureAmount
    fields = ("order", "value_wan", "text", "role")
    readonly_fields = ("text",)
    extra = 0


class ProgressReportInline(ScopedInline, admin.TabularInline):
    model = ProgressReport
    fields = ("reported_on", "status", "assignment", "note", "reported_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CurrentStatusFilter(admin.SimpleListFilter):
    """By the status the ledger shows (latest report; 滞后 also when past the deadline)."""

    title = _("当前状态")
    parameter_name = "current_status"

    def lookups(self, request, model_admin):
        return ProgressStatus.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Measure)
class MeasureAdmin(ScopedAdmin):
    shared = SHARED
    list_display = ("__str__", "document", "deadline", "current_status", "latest_note")
    list_filter = (CurrentStatusFilter, "document", "assignments__unit")
    search_fields = ("title", "text", "path", "assignments__unit__name")
    readonly_fields = ("document", "order", "path", "path_parts", "text", "span_start", "span_end")
    list_select_related = ("document",)
    inlines = [AssignmentInline, MeasureAmountInline, ProgressReportInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description=_("当前状态"), ordering="status")
    def current_status(self, obj):
        return ProgressStatus(obj.status).label

    @admin.display(description=_("最新进展"))
    def latest_note(self, obj):
        return obj.latest_note or ""


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(ScopedAdmin):
    """The link to an entity is set on the 单位关联 page (policy:link), which checks the
    jurisdiction and keeps every decision (UnitLink, decision 043): read-only here."""

    shared = SHARED
    list_display = ("name", "jurisdiction", "entity")
    search_fields = ("name",)
    readonly_fields = ("jurisdiction", "entity", "expands")

    def scope(self, qs, request):
        """Units with no matching entity, or whose entity is in the user's scope."""
        scoped = restrict_path(qs, request.user, "entity__path")
        return qs.filter(Q(entity__isnull=True) | Q(pk__in=scoped.values("pk")))


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    shared = SHARED
    list_display = ("measure", "unit", "role")
    list_filter = ("role", "unit")
    search_fields = ("unit__name", "measure__title")
    list_select_related = ("measure", "unit")
    autocomplete_fields = ("measure", "unit")
    # shares of collective units come from the rules (ledger.expand_collectives), not by hand
    readonly_fields = ("part_of", "entity")


class EvidenceInline(ScopedInline, admin.TabularInline):
    """Files are added with a new report; the hash and size are computed on saving."""

    model = Evidence
    fields = ("file", "original_name", "sha256", "size", "uploaded_at")
    readonly_fields = ("original_name", "sha256", "size", "uploaded_at")
    extra = 1
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ScopedAdmin):
    """Append-only: reports are added (here or with `gaoxin doc ledger report`), never edited."""

    shared = SHARED
    list_display = ("measure", "assignment", "status", "reported_on", "reported_by", "note")
    list_filter = ("status", "reported_on", "assignment__unit")
    search_fields = ("measure__title", "note", "assignment__unit__name")
    list_select_related = ("measure", "assignment__unit", "reported_by")
    autocomplete_fields = ("measure", "assignment")
    inlines = [EvidenceInline]

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if obj.reported_by_id is None:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)
