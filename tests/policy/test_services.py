"""gaoxin.policy.services as the pages and the API call them: target progress within the acting
user's scope, refused beyond it."""

import pytest

from gaoxin.policy.packs import find_pack
from gaoxin.policy.services import target_progress
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope
from tests.commands.conftest import (  # noqa: F401 (fixtures)
    module_rows_taizhou,
    taizhou,
    taizhou_synth,
)
from tests.factories import user_in

pytestmark = pytest.mark.django_db


def test_a_city_bureau_sees_its_citys_target_progress(taizhou):  # noqa: F811
    city = Entity.objects.get(kind="region", code="331000")
    p = target_progress(find_pack("taizhou-2024"), city, by=user_in(city), as_of=2024)
    assert p.title == "台州市发展目标进度（2024年）" and p.jurisdiction == "331000"
    assert p.table.height == 8 and sum(n for _, n in p.counts) == 8


@pytest.mark.parametrize("where", ["331000", None], ids=["its-city", "whole-store"])
def test_a_zone_user_is_refused_its_city(taizhou, where):  # noqa: F811
    zone = Entity.objects.filter(kind="zone", code__startswith="3310").first()
    scope = Entity.objects.get(kind="region", code=where) if where else None
    with pytest.raises(OutOfScope, match="不在您的数据范围"):
        target_progress(find_pack("taizhou-2024"), scope, by=user_in(zone))


def test_the_task_ledger_records_who_imported_and_who_reported(db, tmp_path):
    from django.contrib.auth import get_user_model

    from gaoxin.policy.services import (
        import_policy_document,
        ledger_measures,
        ledger_summary,
        report_measure_progress,
    )
    from tests.policy.conftest import DISTRICT

    user = get_user_model().objects.create_user("ledger-clerk")
    done = import_policy_document(DISTRICT, by=user)
    assert not done.already_imported and done.document.imported_by == user
    assert done.measures == done.document.measures.count() >= done.with_units > 0
    again = import_policy_document(DISTRICT, by=user)
    assert again.already_imported and again.document.pk == done.document.pk
    listed = ledger_measures(by=user, document=done.document.pk)
    first = listed.measures[0]
    report = report_measure_progress(first.pk, "done", by=user, note="已完成")
    assert report.reported_by == user and report.measure == first
    summary = ledger_summary(by=user, group="document")
    assert summary.columns[:2] == ["文件", "标题"] and summary["已完成"].to_list() == [1]


def test_the_task_ledger_says_what_it_cannot_find(db):
    from gaoxin.policy.services import export_task_ledger, ledger_measures, report_measure_progress
    from gaoxin.services import NotFound

    with pytest.raises(NotFound, match="找不到编号为 999 的政策文件"):
        ledger_measures(by=None, document=999)
    with pytest.raises(NotFound, match="找不到编号为 999 的政策文件"):
        export_task_ledger(999, "x.xlsx", by=None)
    with pytest.raises(NotFound, match="找不到 ID 为 999 的措施"):
        report_measure_progress(999, "done", by=None)
