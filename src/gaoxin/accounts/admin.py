from django.contrib import admin

from gaoxin.accounts.models import Profile


class ScopedAdmin(admin.ModelAdmin):
    """An admin whose lists, searches and detail pages show only what the user may see: the
    model's queryset restricted to the user's scope (gaoxin.accounts.scoping)."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An admin that shows records but never adds, changes or deletes them: for what commands
    record and nobody edits by hand (evaluation runs, award entries, observation changes)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "scope", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation", "scope__name")
    raw_id_fields = ("scope",)
    list_select_related = ("user", "scope")
