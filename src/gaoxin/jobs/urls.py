from django.urls import path

from gaoxin.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.index, name="index"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/download/", views.download, name="download"),
    path("<uuid:pk>/inputs/", views.inputs, name="inputs"),
]
