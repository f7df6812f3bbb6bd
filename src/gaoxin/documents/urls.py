from django.urls import path

from gaoxin.documents import views

app_name = "documents"

urlpatterns = [
    path("write/", views.write, name="write"),
]
