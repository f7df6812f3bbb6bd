"""Inputs the user supplies, on the 测算奖补 page (decision 082): the template of a pack's
supplied inputs, an upload checked on the form (a bad file refused with file, row, column and
value, nothing started or kept; every problem in one round, bad values and entities alike, the
list cut at 50 with how many more), a good one kept for the job and for 记入台账 and linked on
both jobs' pages, an entity outside the user's scope refused like an unknown one, the file shown
only to whoever may see the trial."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gaoxin.accounts.choices import Role
from gaoxin.awards import services
from gaoxin.awards.models import AwardEntry
from gaoxin.engine.problems import ProblemsError
from gaoxin.jobs.models import Job
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity, Region
from tests.factories import user_with

pytestmark = pytest.mark.django_db
EVALUATION = "评价考核结果（好、一般、较差）"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _template(client) -> openpyxl.Workbook:
    response = client.get(reverse("awards:inputs_template", args=["fujian-2021"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _national_zone() -> Entity:
    """A national zone with data in 2024 (the evaluation rules read ``level == "national"``)."""
    pack = find_pack("fujian-2021")
    from gaoxin.statistics import analytics

    facts, _ = analytics.facts(None, by=None, fresh=True)
    wide = facts.wide("year")
    code = wide.filter(
        (wide["period"] == "2024") & (wide["kind"] == "zone") & (wide["level"] == "national")
    )["entity"].sort()[0]
    assert pack.spec.id == "fujian-2021"
    return Entity.objects.get(kind="zone", code=code)


def _filled(client, zone: Entity, grade: str) -> bytes:
    """The downloaded template with ``grade`` for ``zone``, as a user fills it."""
    book = _template(client)
    sheet = book["填写"]
    headers = [c.value for c in sheet[1]]
    col = headers.index(EVALUATION) + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == zone.code)
    sheet.cell(row, col).value = grade
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_has_a_row_per_entity_and_a_chinese_column_per_supplied_input(
    client, admin, province
):
    client.force_login(admin)
    book = _template(client)
    assert book.sheetnames == ["填写", "填写说明"]
    sheet = book["填写"]
    headers = [c.value for c in sheet[1]]
    pack = find_pack("fujian-2021")
    supplied = services.supplied_needed(pack)
    assert headers[:3] == ["主体代码", "主体名称", "主体类型"]
    assert headers[3:] == [f"{i.label}（{i.unit}）" if i.unit else i.label for i in supplied]
    assert EVALUATION in headers and "动态评估中择优入选" in headers
    codes = {sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)}
    wanted = Entity.objects.within(province).filter(kind__in=["zone", "institution"])
    assert codes == set(wanted.values_list("code", flat=True))
    # the allowed values are offered as lists: 是/否, and the pack's 好、一般、较差
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert '"是,否"' in lists and '"好,一般,较差"' in lists
    notes = [c.value for row in book["填写说明"].iter_rows() for c in row if c.value]
    assert "好、一般、较差" in notes and any("待补数据" in str(n) for n in notes)


def test_a_good_file_is_kept_named_on_the_trial_and_recorded_with(client, admin, media):
    zone = _national_zone()
    client.force_login(admin)
    data = _filled(client, zone, "较差")
    response = client.post(
        reverse("awards:trial_start"),
        {
            "pack": "fujian-2021",
            "period": "2024",
            "inputs": SimpleUploadedFile("省评价考核结论.xlsx", data),
        },
    )
    trial = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[trial.pk])
    assert trial.state == "succeeded", trial.summary
    kept = Path(trial.arguments["kwargs"]["inputs"])
    assert kept.name == "省评价考核结论.xlsx" and kept.read_bytes() == data
    assert media in kept.parents
    summons = [r for r in trial.result_data["ledger"] if r["rule"] == "evaluation-summon"]
    assert [r["entity"] for r in summons] == [zone.code]

    html = client.get(reverse("awards:trial", args=[trial.pk])).content.decode()
    assert "省评价考核结论.xlsx" in html and "约谈" in html
    assert f'href="{reverse("jobs:inputs", args=[trial.pk])}"' in html
    download = client.get(reverse("jobs:inputs", args=[trial.pk]))
    assert b"".join(download.streaming_content) == data

    client.post(reverse("awards:trial_record", args=[trial.pk]))
    recording = Job.objects.exclude(pk=trial.pk).get()
    assert recording.state == "succeeded", recording.summary
    assert recording.arguments["kwargs"]["inputs"] == str(kept)
    entry = AwardEntry.objects.get(rule="evaluation-summon")
    assert entry.entity == zone and entry.action == "summon"
    # the recording's job page links the same file, under the user's Chinese name
    page = client.get(reverse("jobs:detail", args=[recording.pk])).content.decode()
    link = reverse("jobs:inputs", args=[recording.pk])
    assert f'<a href="{link}" download>省评价考核结论.xlsx</a>' in page
    got = client.get(link)
    assert b"".join(got.streaming_content) == data
    assert got["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%9C%81%E8%AF%84%E4%BB%B7%E8%80%83%E6%A0%B8%E7%BB%93%E8%AE%BA.xlsx"
    )


def test_a_bad_file_is_refused_on_the_form_with_where_and_why_and_nothing_starts(
    client, admin, media
):
    zone = _national_zone()
    client.force_login(admin)
    csv = f"主体代码,{EVALUATION}\n{zone.code},差\nNOPE-1,好\n".encode()
    response = client.post(
        reverse("awards:trial_start"),
        {"pack": "fujian-2021", "period": "2024", "inputs": SimpleUploadedFile("结论.csv", csv)},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请更正以下问题" in html
    assert f"结论.csv，第2行，列「{EVALUATION}」" in html and "「差」" in html
    assert "应当是“好”、“一般”、“较差”之一" in html
    assert Job.objects.count() == 0 and AwardEntry.objects.count() == 0
    assert not (media / "uploads").exists()  # nothing kept

    unknown = client.post(
        reverse("awards:trial_start"),
        {
            "pack": "fujian-2021",
            "period": "2024",
            "inputs": SimpleUploadedFile(
                "结论.csv", f"主体代码,{EVALUATION}\nNOPE-1,好\n".encode()
            ),
        },
    )
    assert unknown.status_code == 422
    assert "结论.csv，第2行，列「主体代码」" in unknown.content.decode()
    assert "「NOPE-1」" in unknown.content.decode()
    assert Job.objects.count() == 0 and not (media / "uploads").exists()

    wrong = client.post(
        reverse("awards:trial_start"),
        {"pack": "fujian-2021", "period": "2024", "inputs": SimpleUploadedFile("a.pdf", b"%PDF")},
    )
    assert wrong.status_code == 422 and "只能上传" in wrong.content.decode()
    assert Job.objects.count() == 0


def test_an_entity_outside_the_users_scope_is_refused_like_an_unknown_one(client, admin, media):
    far = _far_zone()
    client.force_login(admin)
    csv = f"主体代码,{EVALUATION}\n{far.code},较差\n".encode()
    response = client.post(
        reverse("awards:trial_start"),
        {"pack": "fujian-2021", "period": "2024", "inputs": SimpleUploadedFile("x.csv", csv)},
    )
    html = response.content.decode()
    assert response.status_code == 422 and "范围内没有该主体" in html and far.code in html
    assert "兰州高新区" not in html  # the refusal says no more of it than of an unknown code
    assert Job.objects.count() == 0
    # the service refuses it too, for the command line as for the page
    with pytest.raises(ProblemsError) as refused:
        services.supplied_inputs(
            find_pack("fujian-2021"), csv, Entity.objects.get(code="350000"), name="x.csv"
        )
    assert [p.code for p in refused.value.problems] == ["awards.entity_out_of_scope"]


def _far_zone() -> Entity:
    """A zone of another province (甘肃), outside the Fujian administrator's scope."""
    other = Entity.objects.create(kind="region", code="620000", name="甘肃省")
    return Entity.objects.create(kind="zone", code="GS-ZONE-1", name="兰州高新区", parent=other)


def test_bad_values_and_entities_outside_the_scope_are_refused_in_one_round(client, admin, media):
    zone, far = _national_zone(), _far_zone()
    client.force_login(admin)
    csv = f"主体代码,{EVALUATION}\n{zone.code},差\n{far.code},较差\nNOPE-1,好\n".encode()
    response = client.post(
        reverse("awards:trial_start"),
        {"pack": "fujian-2021", "period": "2024", "inputs": SimpleUploadedFile("结论.csv", csv)},
    )
    assert response.status_code == 422
    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    # every problem of the file at the top of the form, by row: the value and both entities
    assert (
        summary.index(f"结论.csv，第2行，列「{EVALUATION}」")
        < summary.index("结论.csv，第3行，列「主体代码」")
        < summary.index("结论.csv，第4行，列「主体代码」")
    )
    assert "「差」" in summary and f"「{far.code}」" in summary and "「NOPE-1」" in summary
    assert "兰州高新区" not in summary and "另有" not in summary
    assert Job.objects.count() == 0 and AwardEntry.objects.count() == 0
    assert not (media / "uploads").exists()  # nothing kept
    # the service finds the same, for the command line as for the page
    with pytest.raises(ProblemsError) as refused:
        services.supplied_inputs(
            find_pack("fujian-2021"), csv, Entity.objects.get(code="350000"), name="结论.csv"
        )
    assert [(p.code, p.row) for p in refused.value.problems] == [
        ("awards.bad_value", 2),
        ("awards.entity_out_of_scope", 3),
        ("awards.entity_out_of_scope", 4),
    ]


def test_a_long_list_of_problems_is_cut_and_says_how_many_more(client, admin, media):
    zone = _national_zone()
    client.force_login(admin)
    lines = [f"{zone.code},差"] + [f"NOPE-{n},好" for n in range(59)]
    csv = ("\n".join([f"主体代码,{EVALUATION}", *lines]) + "\n").encode()
    response = client.post(
        reverse("awards:trial_start"),
        {"pack": "fujian-2021", "period": "2024", "inputs": SimpleUploadedFile("结论.csv", csv)},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("结论.csv，第") == 50
    assert "第51行" in html and "第52行" not in html
    assert "另有 10 个问题未列出：请按以上问题的原因检查整个文件" in html
    assert Job.objects.count() == 0 and not (media / "uploads").exists()


def test_another_scopes_user_sees_neither_the_trial_nor_its_file(client, admin, media):
    zone = _national_zone()
    client.force_login(admin)
    client.post(
        reverse("awards:trial_start"),
        {
            "pack": "fujian-2021",
            "period": "2024",
            "inputs": SimpleUploadedFile("结论.xlsx", _filled(client, zone, "好")),
        },
    )
    trial = Job.objects.get()
    gansu = Entity.objects.create(kind="region", code="620000", name="甘肃省")
    Region.objects.create(entity=gansu, level="province", gb2260="620000")
    for user in (
        user_with(gansu, Role.PROVINCE_ADMIN, "gs-admin"),
        user_with(Entity.objects.get(code="350000"), Role.PROVINCE_REVIEWER, "fj-reviewer"),
    ):
        client.force_login(user)
        assert client.get(reverse("awards:trial", args=[trial.pk])).status_code == 404
        assert client.get(reverse("jobs:inputs", args=[trial.pk])).status_code == 404
    # nor may a reviewer (who may not run trials) download the template
    assert client.get(reverse("awards:inputs_template", args=["fujian-2021"])).status_code == 403
