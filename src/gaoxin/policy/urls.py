from django.urls import path

from gaoxin.policy import views

app_name = "policy"

urlpatterns = [
    path("ledger/", views.ledger_index, name="ledger"),
    path("targets/", views.targets_page, name="targets"),
    path("ledger/late/", views.late_page, name="late"),
    path("ledger/unit/<int:pk>/", views.unit_page, name="unit"),
    path("ledger/task/<int:pk>/", views.task_page, name="task"),
    path("ledger/evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("ledger/task/<int:pk>/remind/", views.remind_page, name="remind"),
    path("ledger/links/", views.links_page, name="links"),
    path("ledger/links/<int:pk>/", views.link_page, name="link"),
]
