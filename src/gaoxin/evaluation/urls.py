from django.urls import path

from gaoxin.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/new/", views.start, name="start"),
    path("runs/<int:pk>/compare/", views.compare, name="compare"),
    path("runs/<int:pk>/units/<int:entity_id>/", views.explain, name="explain"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/review/", views.run_review, name="review_run"),
]
