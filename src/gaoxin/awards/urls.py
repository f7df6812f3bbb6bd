from django.urls import path

from gaoxin.awards import views

app_name = "awards"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("review/", views.review_list, name="review"),
    path("trials/new/", views.trial_start, name="trial_start"),
    path("trials/<uuid:pk>/", views.trial, name="trial"),
    path("trials/<uuid:pk>/record/", views.trial_record, name="trial_record"),
    path("trials/<uuid:pk>/pending/", views.trial_pending, name="trial_pending"),
    path("trials/template/<str:pack>/", views.inputs_template, name="inputs_template"),
    path("eligible/", views.eligible, name="eligible"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/review/", views.entry_review, name="review_entry"),
]
