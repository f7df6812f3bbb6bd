from django.contrib import admin

from gaoxin.accounts.admin import ReadOnlyAdmin, ScopedAdmin
from gaoxin.statistics.approval import observation_locked
from gaoxin.statistics.models import (
    Batch,
    FormAssignment,
    FormVariable,
    Observation,
    ObservationChange,
    Reminder,
    ReportingForm,
    ValidationRule,
    Variable,
)


@admin.register(Variable)
class VariableAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "unit", "period_type", "cumulative", "aggregation", "kinds")
    list_filter = ("period_type", "cumulative")
    search_fields = ("code", "name_zh", "name_en", "aliases")


@admin.register(Observation)
class ObservationAdmin(ScopedAdmin):
    list_display = ("entity", "variable", "period", "value", "batch", "updated_at")
    list_filter = ("variable",)
    search_fields = ("entity__name", "entity__code", "period")
    list_select_related = ("entity", "variable", "batch")
    raw_id_fields = ("entity", "batch")
    show_full_result_count = False

    # A value of a return approved by the province changes only after an audited unlock (024).
    def has_change_permission(self, request, obj=None):
        if obj is not None and observation_locked(obj.entity, obj.variable.code, obj.period):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and observation_locked(obj.entity, obj.variable.code, obj.period):
            return False
        return super().has_delete_permission(request, obj)


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
class BatchAdmin(ReadOnlyAdmin):
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


class FormVariableInline(admin.TabularInline):
    model = FormVariable
    extra = 0


class FormAssignmentInline(admin.TabularInline):
    model = FormAssignment
    raw_id_fields = ("scope",)
    extra = 0


@admin.register(ReportingForm)
class ReportingFormAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "period_type", "entity_kind", "deadline_days")
    inlines = [FormVariableInline, FormAssignmentInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "left", "operator", "right", "importance", "missing", "active")
    list_filter = ("importance", "active")


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin, ReadOnlyAdmin):
    """What gaoxin remind mailed (gaoxin.statistics.reminders): read-only."""

    list_display = ("sent_on", "user", "email", "entity", "form", "period", "kind")
    list_filter = ("kind", "sent_on")
    search_fields = ("user__username", "entity__name", "period")
    list_select_related = ("user", "entity", "form")
