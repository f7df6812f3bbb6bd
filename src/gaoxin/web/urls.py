from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from gaoxin.web import views

admin.site.site_header = _("高新区管理平台 gaoxin")
admin.site.site_title = "gaoxin"
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # the header's 中文 / English switch posts to Django's set_language (decision 035)
    path("i18n/", include("django.conf.urls.i18n")),
    path("statistics/", include("gaoxin.statistics.urls")),
    path("jobs/", include("gaoxin.jobs.urls")),
    path("evaluation/", include("gaoxin.evaluation.urls")),
    path("awards/", include("gaoxin.awards.urls")),
    path("policy/", include("gaoxin.policy.urls")),
    path("cases/", include("gaoxin.cases.urls")),
    path("documents/", include("gaoxin.documents.urls")),
    path("", include("gaoxin.dashboards.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/", include("gaoxin.api.urls")),
]
