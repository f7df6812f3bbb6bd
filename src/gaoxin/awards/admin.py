"""Read-only admin: entries are recorded by `gaoxin awards` and never edited by hand; a user
sees the entries of their scope only."""

from django.contrib import admin

from gaoxin.accounts.admin import ReadOnlyAdmin, ScopedAdmin
from gaoxin.awards.models import AwardEntry


@admin.register(AwardEntry)
class AwardEntryAdmin(ScopedAdmin, ReadOnlyAdmin):
    list_display = (
        "id",
        "pack",
        "period",
        "rule",
        "article",
        "entity",
        "outcome",
        "amount",
        "action",
        "paid_in",
        "kind",
        "approval",
        "recorded_at",
    )
    list_filter = ("pack", "period", "kind", "outcome", "approval")
    search_fields = ("entity__code", "entity__name", "rule", "text")
    list_select_related = ("entity",)
