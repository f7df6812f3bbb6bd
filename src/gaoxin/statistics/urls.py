from django.urls import path

from gaoxin.statistics import views

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
]
