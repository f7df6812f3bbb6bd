from django.contrib import admin

from gaoxin.accounts.admin import ReadOnlyAdmin, ScopedAdmin
from gaoxin.jobs.models import Job


@admin.register(Job)
class JobAdmin(ScopedAdmin, ReadOnlyAdmin):
    """Background jobs, read-only, scoped by the scope they ran over (JobQuerySet)."""

    list_display = ("label", "started_by", "scope", "state", "done", "total", "created_at")
    list_filter = ("state",)
    search_fields = ("label", "started_by__username")
    list_select_related = ("started_by", "scope")
