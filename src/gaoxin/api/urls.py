"""/api/v1/: every endpoint by name (``api:<name>``); the access matrix
(tests/web/test_access_matrix.py) has a row for each."""

from django.urls import path, re_path

from gaoxin.api import views

app_name = "api"

SHEET = "submissions/<str:form_code>/<int:entity_id>/<str:period>/"

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("entities/", views.EntityList.as_view(), name="entities"),
    path("entities/<int:pk>/", views.EntityDetail.as_view(), name="entity"),
    path("variables/", views.VariableList.as_view(), name="variables"),
    path("indicators/", views.IndicatorList.as_view(), name="indicators"),
    path("forms/", views.FormList.as_view(), name="forms"),
    path("observations/", views.ObservationList.as_view(), name="observations"),
    path("monitoring/", views.MonitoringView.as_view(), name="monitoring"),
    path("indicator-values/", views.IndicatorValueList.as_view(), name="indicator_values"),
    path(
        "completeness/<str:form>/<str:period>/",
        views.CompletenessView.as_view(),
        name="completeness",
    ),
    path("submissions/", views.SubmissionList.as_view(), name="submissions"),
    path(SHEET, views.SheetView.as_view(), name="sheet"),
    path(SHEET + "values/", views.SheetSave.as_view(), name="sheet_save"),
    path(SHEET + "moves/", views.SheetMove.as_view(), name="sheet_move"),
    path("evaluation-runs/", views.RunList.as_view(), name="runs"),
    path("evaluation-runs/<int:pk>/", views.RunDetail.as_view(), name="run"),
    path("evaluation-runs/<int:pk>/results/", views.RunResults.as_view(), name="run_results"),
    path("awards/", views.AwardList.as_view(), name="awards"),
    path("awards/<int:pk>/", views.AwardDetail.as_view(), name="award"),
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
    path("tasks/", views.TaskList.as_view(), name="tasks"),
    path("tasks/<int:pk>/", views.TaskDetail.as_view(), name="task"),
    path("tasks/<int:pk>/reports/", views.TaskReport.as_view(), name="task_report"),
    path("jobs/", views.JobList.as_view(), name="jobs"),
    path("jobs/<uuid:pk>/", views.JobDetail.as_view(), name="job"),
    # last: anything else under /api/v1/ answers the API's JSON 404
    re_path(r"^", views.NoSuchEndpoint.as_view(), name="not_found"),
]
