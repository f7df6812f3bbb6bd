"""The demo opens a case for every action it publishes (issue #12: every action of every demo
pack has its case)."""

import pytest

from gaoxin.awards.models import AwardEntry
from gaoxin.cases.models import Case, CaseState
from gaoxin.commands import site
from gaoxin.engine import synth
from gaoxin.statistics.demo import load_jurisdiction
from gaoxin.statistics.store import sync_catalogue

pytestmark = pytest.mark.django_db


def test_every_published_action_of_the_demo_has_its_case():
    sync_catalogue()
    load_jurisdiction(synth.generate("sichuan", scale=0.05), label="测试 sichuan")
    site._demo_actions("sichuan")
    site._demo_cases()
    actions = AwardEntry.objects.filter(pack="sichuan", outcome="action", kind="award")
    assert actions.exists() and set(actions.values_list("approval", flat=True)) == {"approved"}
    assert set(Case.objects.values_list("entry_id", flat=True)) == set(
        actions.values_list("id", flat=True)
    )
    # money stays for the division to review
    assert not AwardEntry.objects.filter(outcome="money").exclude(approval="pending").exists()
    rectify = Case.objects.filter(action="rectify")
    assert rectify.exists() and {c.state for c in rectify} == {CaseState.OPEN}
    site._demo_cases()  # twice is once
    assert Case.objects.count() == actions.count()


def test_the_fujian_demo_decides_its_evaluation_rules_with_its_example_inputs(settings, tmp_path):
    """Fujian's 约谈 reads the supplied 评价考核结果: the demo writes its example file into the
    data directory (values by the pack's recipe, stated in it, for the demo only) and decides
    with it (decisions 082, 083), so the Fujian demo has published actions and cases."""
    import openpyxl

    from gaoxin.awards.demo import DEMO_NOTE
    from gaoxin.engine import reference
    from gaoxin.registry import loading

    settings.GAOXIN_HOME = tmp_path
    sync_catalogue()
    # as `gaoxin init` does first: the reference list holds every national zone of China
    loading.load_regions(reference.regions())
    loading.load_zones(loading.reference_zones())
    load_jurisdiction(synth.generate("fujian", scale=0.05), label="测试 fujian")
    site._demo_actions("fujian")
    site._demo_cases()
    example = tmp_path / "演示-用户提供输入-fujian-2021.xlsx"
    book = openpyxl.load_workbook(example)
    notes = [c.value for row in book["填写说明"].iter_rows() for c in row if c.value]
    assert DEMO_NOTE in notes and any(str(n).startswith("生成规则：") for n in notes)
    sheet = book["填写"]
    col = [c.value for c in sheet[1]].index("评价考核结果（好、一般、较差）") + 1
    grades = {
        sheet.cell(r, 1).value: sheet.cell(r, col).value
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, col).value
    }
    # Fujian's 7 national zones by the pack's recipe, their firms' revenue (revenue_total):
    # 3 好, 2 一般, 2 较差; none of another province (before decision 083's correction the
    # recipe read a figure no demo zone has and the grades were the codes' order)
    assert grades == {
        "350200N1": "好",
        "350400N1": "好",
        "350500N1": "好",
        "350100N1": "一般",
        "350300N1": "一般",
        "350600N1": "较差",
        "350800N1": "较差",
    }
    summoned = AwardEntry.objects.filter(pack="fujian-2021", rule="evaluation-summon")
    assert summoned.count() == 2
    assert set(summoned.values_list("entity__code", flat=True)) == {
        code for code, grade in grades.items() if grade == "较差"
    }
    assert set(summoned.values_list("approval", flat=True)) == {"approved"}
    assert Case.objects.filter(action="summon").count() == summoned.count()
    assert set(Case.objects.values_list("entry_id", flat=True)) == set(
        AwardEntry.objects.filter(outcome="action").values_list("id", flat=True)
    )


def test_a_pack_without_a_demo_section_writes_no_inputs_file(tmp_path):
    """The file comes from the pack's ``demo:`` data, not from Python keyed by the pack id:
    without the section there is none (decision 083)."""
    from dataclasses import replace

    from gaoxin.awards.demo import write_demo_inputs
    from gaoxin.engine.periods import Period
    from gaoxin.policy.packs import find_pack

    pack = find_pack("fujian-2021")
    bare = replace(pack, spec=pack.spec.model_copy(update={"demo": None}))
    assert write_demo_inputs(bare, Period.parse("2024"), tmp_path) is None
    assert not list(tmp_path.iterdir())
