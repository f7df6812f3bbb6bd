from django.urls import path

from gaoxin.statistics import pivot_views, views

app_name = "statistics"

urlpatterns = [
    path("completeness/", views.completeness_index, name="completeness_index"),
    path(
        "completeness/<str:form>/<str:period>/",
        views.completeness_page,
        name="completeness",
    ),
    path(
        "completeness/<str:form>/<str:period>/download.<str:fmt>",
        views.completeness_download,
        name="completeness_download",
    ),
    path("pivot/", pivot_views.pivot_page, name="pivot"),
    path("pivot/export.xlsx", pivot_views.pivot_export, name="pivot_export"),
    path("import/", views.import_page, name="import"),
    path("monitor/", views.monitor_page, name="monitor"),
    path("monitor/download/", views.monitor_download, name="monitor_download"),
    path("entry/", views.entry_index, name="entry_index"),
    path("entry/<str:form_code>/<int:entity_id>/<str:period>/", views.entry_page, name="entry"),
    path(
        "entry/<str:form_code>/<int:entity_id>/<str:period>/check/",
        views.entry_check,
        name="entry_check",
    ),
    path(
        "entry/<str:form_code>/<int:entity_id>/<str:period>/move/",
        views.entry_move,
        name="entry_move",
    ),
    path(
        "entry/<str:form_code>/<int:entity_id>/<str:period>/history/",
        views.entry_history,
        name="entry_history",
    ),
    path(
        "entry/<str:form_code>/<int:entity_id>/<str:period>/template.xlsx",
        views.entry_template,
        name="entry_template",
    ),
    path(
        "entry/<str:form_code>/<int:entity_id>/<str:period>/upload/",
        views.entry_upload,
        name="entry_upload",
    ),
]
