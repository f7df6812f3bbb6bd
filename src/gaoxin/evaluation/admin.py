"""Read-only admin: runs are made by `gaoxin evaluate` and never edited by hand."""

from django.contrib import admin

from gaoxin.accounts.admin import ReadOnlyAdmin, ScopedAdmin
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun


class ResultInline(admin.TabularInline):
    model = EvaluationResult
    fields = ("rank", "entity", "score", "grade", "rank_change", "veto")
    readonly_fields = fields
    ordering = ("rank",)
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "id",
        "title",
        "framework",
        "period",
        "scope",
        "units",
        "status",
        "approval",
        "created_at",
        "created_by",
    )
    list_filter = ("framework", "period", "status", "approval")
    search_fields = ("framework", "title", "pack", "data_hash")
    list_select_related = ("scope", "created_by")
    inlines = [ResultInline]


@admin.register(EvaluationResult)
class EvaluationResultAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = ("run", "rank", "entity", "score", "grade", "rank_change", "veto")
    list_filter = ("run__framework", "run__period", "grade")
    search_fields = ("entity__name", "entity__code")
    list_select_related = ("run", "entity")
    show_full_result_count = False
