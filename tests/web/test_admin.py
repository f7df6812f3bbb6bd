"""The web app a user sees: the admin lists zones and enterprises in Chinese, scoped data loads."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_lists_zones_and_enterprises(admin_client):
    factories.small_tree()
    page = admin_client.get("/admin/registry/zone/").content.decode()
    assert "厦门火炬高技术产业开发区" in page and "国家级" in page
    page = admin_client.get("/admin/registry/enterprise/").content.decode()
    assert "厦门甲科技有限公司" in page


def test_admin_index_is_in_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "主体名录" in page and "统计数据" in page


def test_openapi_schema_is_served(admin_client):
    response = admin_client.get("/api/schema/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [
        "evaluation/evaluationrun",
        "evaluation/evaluationresult",
        "awards/awardentry",
        "gx_statistics/observationchange",
        "gx_statistics/batch",
    ],
)
def test_recorded_histories_are_read_only_even_for_a_superuser(admin_client, model):
    # the list opens, but there is no page to add one (403), and no 增加 button
    page = admin_client.get(f"/admin/{model}/")
    assert page.status_code == 200
    assert f'href="/admin/{model}/add/"' not in page.content.decode()
    assert admin_client.get(f"/admin/{model}/add/").status_code == 403
