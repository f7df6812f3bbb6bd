from django.contrib import admin

from gaoxin.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "scope", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "organisation", "scope__name")
    raw_id_fields = ("scope",)
    list_select_related = ("user", "scope")
