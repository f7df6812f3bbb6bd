"""The admin: documents with their measures, measures filtered by the status the ledger shows,
reports that can be added with evidence but never edited."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gaoxin.policy.ledger import import_document, report_progress
from gaoxin.policy.models import Evidence, ProgressReport
from tests.policy.conftest import DISTRICT

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return import_document(DISTRICT)


def test_document_page_lists_its_measures(admin_client, plan):
    page = admin_client.get(f"/admin/policy/policydocument/{plan.pk}/change/").content.decode()
    assert "建设孵化载体" in page and "强化考核激励" in page
    index = admin_client.get("/admin/").content.decode()
    assert "政策任务台账" in index and "进展报告" in index


def test_measures_filter_by_current_status_and_unit(admin_client, plan):
    page = admin_client.get("/admin/policy/measure/?current_status=late").content.decode()
    assert "建设孵化载体" in page and "培育高新技术企业" not in page and "滞后" in page
    unit = plan.measures.get(path="一/（三）").assignments.get(role="lead").unit
    page = admin_client.get(f"/admin/policy/measure/?assignments__unit__id__exact={unit.pk}")
    assert "引进重大项目" in page.content.decode()
    assert "培育高新" in admin_client.get("/admin/policy/measure/?q=区科技局").content.decode()


def test_a_report_is_added_with_evidence_and_cannot_be_changed(admin_client, plan):
    m = plan.measures.get(path="一/（二）")
    upload = SimpleUploadedFile("通知.pdf", b"%PDF notice")
    response = admin_client.post(
        "/admin/policy/progressreport/add/",
        {
            "measure": m.pk,
            "status": "in_progress",
            "note": "已发布申报通知",
            "reported_on": "2025-03-01",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-0-file": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = ProgressReport.objects.get()
    assert report.reported_by.username == "admin" and report.reported_on == dt.date(2025, 3, 1)
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(b"%PDF notice").hexdigest()
    assert (evidence.original_name, evidence.size) == ("通知.pdf", 11)
    page = admin_client.get(f"/admin/policy/progressreport/{report.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # read-only


def test_report_list_filters_by_status(admin_client, plan):
    report_progress(plan.measures.get(path="一/（一）"), "done", "已建成")
    page = admin_client.get("/admin/policy/progressreport/?status__exact=done").content.decode()
    assert "已建成" in page
