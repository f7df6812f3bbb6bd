from django.urls import path

from gaoxin.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("zones/<int:pk>/", views.zone, name="zone"),
]
