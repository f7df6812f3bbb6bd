from django.urls import path

from gaoxin.awards import views

app_name = "awards"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("review/", views.review_list, name="review"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/review/", views.entry_review, name="review_entry"),
]
