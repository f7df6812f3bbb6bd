"""A zone's events edited in the admin go through the zone-events service: the zone's level and
name follow them, the level itself is not edited apart from them, and a bad edit changes
nothing (decisions 044, 051)."""

from __future__ import annotations

from datetime import date

import pytest

from gaoxin.registry.models import ZoneStatusEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone():
    prov = factories.region("350000", "某省", "province")
    city = factories.region("350200", "岚江市", "city", prov)
    entity = factories.zone("350200P1", "岚江高新技术产业开发区", city)
    ZoneStatusEvent.objects.create(
        zone=entity.zone, status="approved", date=date(2005, 6, 1), level="provincial"
    )
    return entity.zone


def _form(response) -> dict[str, str]:
    """The change form as the browser would post it back unchanged: the zone's fields and each
    inline's management form and rows, from the forms the page rendered."""
    data: dict[str, str] = {}

    def put(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            data[form.add_prefix(name)] = "on" if value is True else str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data


def _url(zone) -> str:
    return f"/admin/registry/zone/{zone.pk}/change/"


def _add_event(data: dict[str, str], **fields: str) -> None:
    n = int(data["status_events-TOTAL_FORMS"])
    data["status_events-TOTAL_FORMS"] = str(n + 1)
    for k, v in fields.items():
        data[f"status_events-{n}-{k}"] = v
    data[f"status_events-{n}-zone"] = data["status_events-0-zone"]


def test_an_upgrade_added_in_the_admin_moves_the_level_and_deleting_it_moves_it_back(
    admin_client, zone
):
    data = _form(admin_client.get(_url(zone)))
    _add_event(data, status="upgraded", date="2018-02-28", level="national", note="国函")
    response = admin_client.post(_url(zone), data)
    assert response.status_code == 302, response.context["errors"]
    zone.refresh_from_db()
    assert zone.level == "national"
    upgrade = ZoneStatusEvent.objects.get(zone=zone, status="upgraded")
    assert upgrade.recorded_by.username == "admin"

    data = _form(admin_client.get(_url(zone)))
    row = next(k for k, v in data.items() if k.endswith("-id") and v == str(upgrade.pk))
    data[row.replace("-id", "-DELETE")] = "on"
    assert admin_client.post(_url(zone), data).status_code == 302
    zone.refresh_from_db()
    assert zone.level == "provincial"
    assert not ZoneStatusEvent.objects.filter(pk=upgrade.pk).exists()


def test_a_rename_added_in_the_admin_renames_the_zone_and_keeps_the_old_name(admin_client, zone):
    data = _form(admin_client.get(_url(zone)))
    _add_event(data, status="renamed", date="2020-03-01", name="岚江科学城")
    assert admin_client.post(_url(zone), data).status_code == 302
    zone.entity.refresh_from_db()
    assert zone.entity.name == "岚江科学城"
    event = ZoneStatusEvent.objects.get(zone=zone, status="renamed")
    assert event.previous_name == "岚江高新技术产业开发区"


def test_bad_edits_of_events_are_refused_on_their_row_and_nothing_changes(admin_client, zone):
    before = list(ZoneStatusEvent.objects.values_list("id", "status", "date", "level", "name"))
    page = admin_client.get(_url(zone))
    for fields, message in (
        # a level on an event that changes no level (the database constraint's message)
        ({"status": "warned", "date": "2020-03-01", "level": "national"}, "只有获批和升级记录"),
        ({"status": "renamed", "date": "2020-03-01"}, "更名记录请填写此后名称"),
        (
            {"status": "renamed", "date": "2020-03-01", "name": "岚江高新技术产业开发区"},
            "与原名称相同",
        ),
        ({"status": "approved", "date": "2005-06-01", "level": "national"}, "重复的数据"),
    ):
        data = _form(page)
        _add_event(data, **fields)
        response = admin_client.post(_url(zone), data)
        assert response.status_code == 200, fields  # the form again, with the error
        assert message in response.content.decode(), fields
    zone.refresh_from_db()
    zone.entity.refresh_from_db()
    assert (zone.level, zone.entity.name) == ("provincial", "岚江高新技术产业开发区")
    assert (
        list(ZoneStatusEvent.objects.values_list("id", "status", "date", "level", "name")) == before
    )


def test_the_level_of_a_zone_with_a_dated_history_is_not_edited_apart_from_it(admin_client, zone):
    page = admin_client.get(_url(zone))
    assert "level" not in page.context["adminform"].form.fields  # shown, read-only
    data = _form(page)
    data["level"] = "national"  # posted anyway: ignored
    assert admin_client.post(_url(zone), data).status_code == 302
    zone.refresh_from_db()
    assert zone.level == "provincial"
    # a zone without dated events keeps its level editable (the registry's level stands)
    other = factories.zone("350200P2", "石门高新技术产业开发区", zone.entity.parent)
    assert "level" in admin_client.get(_url(other.zone)).context["adminform"].form.fields


def test_a_zones_name_edited_on_its_entity_is_refused_and_points_to_its_history(admin_client, zone):
    url = f"/admin/registry/entity/{zone.pk}/change/"
    data = _form(admin_client.get(url))
    data["name"] = "岚江科学城"
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error on the name
    [error] = response.context["adminform"].form.errors["name"]
    assert "随其沿革中的更名记录改变" in error
    assert f'href="/admin/registry/zone/{zone.pk}/change/#status_events-group"' in (
        response.content.decode()
    )  # a link, not escaped text
    zone.entity.refresh_from_db()
    assert zone.entity.name == "岚江高新技术产业开发区"
    assert not ZoneStatusEvent.objects.filter(zone=zone, status="renamed").exists()
    # the rest of the page still saves, and other entities' names are edited here as before
    data["name"] = zone.entity.name
    data["code"] = "350200P7"
    assert admin_client.post(url, data).status_code == 302
    city = zone.entity.parent
    url = f"/admin/registry/entity/{city.pk}/change/"
    data = _form(admin_client.get(url))
    data["name"] = "岚江地区"
    assert admin_client.post(url, data).status_code == 302
    city.refresh_from_db()
    assert city.name == "岚江地区"
