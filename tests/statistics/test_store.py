from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from gaoxin.statistics.models import Batch, Observation, ObservationChange, Variable
from gaoxin.statistics.store import sync_catalogue, write_observations
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    sync_catalogue()
    t = factories.small_tree()
    return t, Variable.objects.get(code="revenue"), Variable.objects.get(code="employees")


def test_first_write_creates_values_and_history(setup):
    t, revenue, employees = setup
    batch = Batch.objects.create(kind="manual", label="t1")
    counts = write_observations(
        [(t["a"].pk, revenue.pk, "2025-07", 1234.5), (t["a"].pk, employees.pk, "2025-07", 88)],
        batch,
    )
    assert (counts.created, counts.changed, counts.unchanged) == (2, 0, 0)
    assert Observation.objects.get(
        entity=t["a"], variable=revenue, period="2025-07"
    ).value == Decimal("1234.5")
    h = ObservationChange.objects.get(entity=t["a"], variable=revenue)
    assert h.old_value is None and h.new_value == Decimal("1234.5") and h.batch == batch


def test_a_revision_changes_the_value_and_appends_history(setup):
    t, revenue, _ = setup
    b1 = Batch.objects.create(kind="manual", label="first")
    b2 = Batch.objects.create(kind="manual", label="revision")
    write_observations([(t["a"].pk, revenue.pk, "2025-07", 100)], b1)
    counts = write_observations(
        [(t["a"].pk, revenue.pk, "2025-07", 120), (t["b"].pk, revenue.pk, "2025-07", 5)],
        b2,
        reason="企业更正",
    )
    assert (counts.created, counts.changed) == (1, 1)
    obs = Observation.objects.get(entity=t["a"], variable=revenue, period="2025-07")
    assert obs.value == Decimal("120") and obs.batch == b2
    trail = list(
        ObservationChange.objects.filter(entity=t["a"])
        .order_by("id")
        .values_list("old_value", "new_value", "reason")
    )
    assert trail == [(None, Decimal("100"), ""), (Decimal("100"), Decimal("120"), "企业更正")]


def test_writing_the_same_value_again_changes_nothing(setup):
    t, revenue, _ = setup
    b1 = Batch.objects.create(kind="manual", label="first")
    write_observations([(t["a"].pk, revenue.pk, "2025", "0.1")], b1)
    counts = write_observations(
        [(t["a"].pk, revenue.pk, "2025", 0.1)], Batch.objects.create(kind="manual", label="again")
    )
    assert (counts.created, counts.changed, counts.unchanged) == (0, 0, 1)
    assert ObservationChange.objects.count() == 1


def test_history_is_append_only(setup):
    t, revenue, _ = setup
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 1)], Batch.objects.create(kind="manual", label="x")
    )
    change = ObservationChange.objects.get()
    change.reason = "tamper"
    with pytest.raises(ValueError, match="append-only"):
        change.save()


def test_the_grain_is_unique(setup):
    from gaoxin.statistics.store import _writing

    t, revenue, _ = setup
    batch = Batch.objects.create(kind="manual", label="x")
    with _writing():  # the constraint itself, below the store's own checks
        Observation.objects.create(
            entity=t["a"], variable=revenue, period="2025", value=1, batch=batch
        )
        with pytest.raises(IntegrityError):
            Observation.objects.create(
                entity=t["a"], variable=revenue, period="2025", value=2, batch=batch
            )


def test_scope_filters_observations_by_subtree(setup):
    t, revenue, _ = setup
    batch = Batch.objects.create(kind="manual", label="x")
    write_observations(
        [(t["a"].pk, revenue.pk, "2025", 1), (t["c"].pk, revenue.pk, "2025", 2)], batch
    )
    assert list(Observation.objects.within(t["xm"]).values_list("entity__name", flat=True)) == [
        "厦门甲科技有限公司"
    ]
    assert Observation.objects.within(t["fj"]).count() == 2


def test_shipped_forms_sync_with_their_variables_in_order():
    from gaoxin.statistics.models import ReportingForm
    from gaoxin.statistics.store import sync_forms

    sync_catalogue()
    assert sync_forms() == 5
    assert sync_forms() == 5  # idempotent
    monthly = ReportingForm.objects.get(code="enterprise_monthly")
    codes = [fv.variable.code for fv in monthly.form_variables.select_related("variable")]
    assert codes[:3] == ["revenue", "industrial_output", "industrial_value_added"]
    assert monthly.period_type == "month" and monthly.entity_kind == "enterprise"
    assert ReportingForm.objects.count() == 5


def test_the_catalogue_sync_inserts_new_codes_and_restores_changed_rows_only():
    from gaoxin.engine.variables import default_catalogue

    catalogue = default_catalogue()
    assert sync_catalogue() == len(catalogue)
    codes = [v.code for v in catalogue]
    assert list(Variable.objects.values_list("code", flat=True)) == codes  # in catalogue order
    revenue = Variable.objects.get(code="revenue")
    shipped = (revenue.name_zh, revenue.unit, revenue.kinds, revenue.min_value)
    Variable.objects.filter(code="revenue").update(
        name_zh="改过的名称", unit="元", kinds="zone", min_value=Decimal("-5")
    )
    Variable.objects.filter(code="employees").delete()
    untouched = Variable.objects.filter(code="industrial_output").values().get()

    assert sync_catalogue() == len(codes)
    revenue = Variable.objects.get(code="revenue")
    assert (revenue.name_zh, revenue.unit, revenue.kinds, revenue.min_value) == shipped
    assert Variable.objects.get(code="employees").unit == catalogue["employees"].unit
    assert Variable.objects.filter(code="industrial_output").values().get() == untouched
    assert Variable.objects.count() == len(codes)
    with CaptureQueriesContext(connection) as queries:  # in place: read, write nothing
        sync_catalogue()
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"]


def test_the_forms_sync_restores_a_forms_changed_variables_and_fields():
    from gaoxin.statistics.models import FormVariable, ReportingForm
    from gaoxin.statistics.store import sync_forms

    sync_catalogue()
    sync_forms()
    monthly = ReportingForm.objects.get(code="enterprise_monthly")
    shipped = list(monthly.form_variables.values_list("variable__code", "order", "required"))
    annual = ReportingForm.objects.get(code="zone_annual")
    annual_rows = list(annual.form_variables.values_list("pk", flat=True))
    ReportingForm.objects.filter(pk=monthly.pk).update(name="旧名称", deadline_days=99)
    first = monthly.form_variables.first()
    first.required = False
    first.save()
    monthly.form_variables.filter(order=1).delete()

    assert sync_forms() == 5
    monthly.refresh_from_db()
    assert monthly.name != "旧名称" and monthly.deadline_days != 99
    assert (
        list(monthly.form_variables.values_list("variable__code", "order", "required")) == shipped
    )
    # a form left as shipped keeps its rows
    assert list(annual.form_variables.values_list("pk", flat=True)) == annual_rows
    assert FormVariable.objects.filter(form__code="enterprise_monthly").count() == len(shipped)
