"""Statistics in the admin. Values are read-only here: they change through imports and the
data-entry pages, which check validation rules and write the value history (docs/permissions.md).
Reporting forms, their variables and validation rules are the jurisdiction's shared set-up,
changed only by holders of the forms permission (省级管理员, 系统管理员)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q

from gaoxin.accounts.admin import ReadOnlyAdmin, ScopedAdmin, ScopedInline
from gaoxin.accounts.models import NoScope, scope_of
from gaoxin.statistics.models import (
    Batch,
    FormAssignment,
    FormVariable,
    Observation,
    ObservationChange,
    Reminder,
    ReportingForm,
    Submission,
    SubmissionEvent,
    ValidationRule,
    Variable,
)

CATALOGUE = "变量目录由 gaoxin init 从随附目录同步，全辖区相同"
SET_UP = "报表与校验规则是全辖区共用的设置，只有省级管理员和系统管理员可以修改"


@admin.register(Variable)
class VariableAdmin(ScopedAdmin, ReadOnlyAdmin):
    shared = CATALOGUE
    list_display = ("code", "name_zh", "unit", "period_type", "cumulative", "aggregation", "kinds")
    list_filter = ("period_type", "cumulative")
    search_fields = ("code", "name_zh", "name_en", "aliases")


@admin.register(Observation)
class ObservationAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = ("entity", "variable", "period", "value", "batch", "updated_at")
    list_filter = ("variable",)
    search_fields = ("entity__name", "entity__code", "period")
    list_select_related = ("entity", "variable", "batch")
    show_full_result_count = False


@admin.register(ObservationChange)
class ObservationChangeAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "entity",
        "variable",
        "period",
        "old_value",
        "new_value",
        "batch",
        "changed_by",
        "changed_at",
        "reason",
    )
    list_select_related = ("entity", "variable", "batch", "changed_by")
    search_fields = ("entity__name", "period")
    show_full_result_count = False


@admin.register(Batch)
class BatchAdmin(ScopedAdmin, ReadOnlyAdmin):
    """A batch is seen by whoever made it and by users in whose scope it wrote a value."""

    list_display = (
        "id",
        "label",
        "kind",
        "file_name",
        "rows_read",
        "values_written",
        "values_changed",
        "created_by",
        "created_at",
    )
    list_filter = ("kind",)
    search_fields = ("label", "file_name")

    def scope(self, qs, request):
        try:
            where = scope_of(request.user)
        except NoScope:
            return qs.filter(created_by=request.user)
        if where is None:
            return qs
        touched = ObservationChange.objects.filter(
            batch=OuterRef("pk"), entity__path__startswith=where.path
        )
        return qs.filter(Q(created_by=request.user) | Exists(touched))


class FormVariableInline(ScopedInline, admin.TabularInline):
    model = FormVariable
    autocomplete_fields = ("variable",)
    extra = 0


class FormAssignmentInline(ScopedInline, admin.TabularInline):
    """Only the assignments inside the user's scope are listed and can be added."""

    model = FormAssignment
    scope_path = "scope__path"
    autocomplete_fields = ("scope",)
    extra = 0


@admin.register(ReportingForm)
class ReportingFormAdmin(ScopedAdmin):
    shared = SET_UP
    list_display = ("code", "name", "period_type", "entity_kind", "deadline_days")
    search_fields = ("code", "name")
    ordering = ("code",)  # the model has no order: pages of the list would not be stable
    inlines = [FormVariableInline, FormAssignmentInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(ScopedAdmin):
    shared = SET_UP
    list_display = ("code", "name", "left", "operator", "right", "importance", "missing", "active")
    list_filter = ("importance", "active")
    search_fields = ("code", "name")


class SubmissionEventInline(admin.TabularInline):
    model = SubmissionEvent
    fields = ("at", "action", "from_state", "to_state", "by", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ScopedAdmin, ReadOnlyAdmin):
    """Where each return stands; moved only through the review pages (gaoxin.statistics.approval)."""

    list_display = ("form", "entity", "period", "state", "updated_at", "updated_by")
    list_filter = ("state", "form", "period")
    search_fields = ("entity__name", "entity__code", "period")
    list_select_related = ("form", "entity", "updated_by")
    inlines = [SubmissionEventInline]


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin, ReadOnlyAdmin):
    """What gaoxin remind mailed (gaoxin.statistics.reminders): read-only."""

    list_display = ("sent_on", "user", "email", "entity", "form", "period", "kind")
    list_filter = ("kind", "sent_on")
    search_fields = ("user__username", "entity__name", "period")
    list_select_related = ("user", "entity", "form")
