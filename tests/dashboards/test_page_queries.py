"""What a page read costs in queries once its parts are kept (decisions 048 and 054): the
session, the user with profile and scope (one query), the permissions (one), the data version,
and what the page itself reads live. A count that grows means a per-request read came back;
docs/benchmarks.md has what each query costs under load."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaoxin.audit import Approval
from gaoxin.evaluation.models import EvaluationResult
from gaoxin.registry.models import Entity
from tests import factories


def pages(people) -> dict[str, str]:
    zone = Entity.objects.get(code="350100N1")
    city = Entity.objects.get(code="350100")
    run = factories.evaluation_run(
        scope=Entity.objects.get(code="350000"), approval=Approval.APPROVED
    )
    EvaluationResult.objects.create(run=run, entity=zone, score=80.5, rank=1, grade="优秀")
    return {
        "dashboard": "/dashboard/",
        "city dashboard": f"/dashboard/?place={city.pk}",
        "monitoring": "/statistics/monitor/",
        "ranking": f"/evaluation/runs/{run.pk}/",
        "zone profile": f"/zones/{zone.pk}/",
        "pivot": "/statistics/pivot/",
    }


#: queries of a page read again in the same data version, as the province's analyst
QUERIES = {
    "dashboard": 6,
    "city dashboard": 8,
    "monitoring": 5,
    "ranking": 5,
    "zone profile": 10,
    "pivot": 9,
}


def test_a_page_read_again_costs_its_pinned_queries(client, people):
    client.force_login(people["province_admin"])
    counted = {}
    for name, url in pages(people).items():
        for _ in range(2):  # the first read builds the analytics tables, the next keeps
            assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, name
        counted[name] = len(captured)
    assert counted == QUERIES


def test_a_role_or_scope_changed_in_the_admin_applies_to_the_next_page(client, people):
    """The user, profile, scope and permissions are read in fewer queries, still for each
    request (decision 054): a zone's reporter made read-only loses the import link at once, and
    moved to the city's bureau opens the city's dashboard, still not another city's."""
    from gaoxin.accounts.models import Profile

    client.force_login(people["zone_reporter"])
    city = Entity.objects.get(code="350100")
    assert 'href="/statistics/import/"' in client.get("/dashboard/").content.decode()
    assert client.get(f"/dashboard/?place={city.pk}").status_code == 404
    profile = Profile.objects.get(user=people["zone_reporter"])
    profile.role = "viewer"
    profile.save()
    page = client.get("/dashboard/").content.decode()
    assert 'href="/statistics/import/"' not in page and "只读" in page
    profile.scope = city
    profile.save()
    assert client.get(f"/dashboard/?place={city.pk}").status_code == 200
    other = Entity.objects.get(code="350200")
    assert client.get(f"/dashboard/?place={other.pk}").status_code == 404
