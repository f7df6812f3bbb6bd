from django.contrib import admin

from gaoxin.accounts.admin import ReadOnlyAdmin
from gaoxin.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("label", "started_by", "scope", "state", "done", "total", "created_at")
    list_filter = ("state",)
    search_fields = ("label", "started_by__username")
    list_select_related = ("started_by", "scope")

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)
