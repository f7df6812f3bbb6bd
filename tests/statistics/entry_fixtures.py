"""Shared set-up of the data-entry and approval tests: the small Fujian tree, the shipped
catalogue, rules and forms, and one user per role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gaoxin.accounts.models import Profile
from gaoxin.statistics.models import ReportingForm
from gaoxin.statistics.store import sync_catalogue, sync_forms, sync_validation_rules
from tests import factories


def person(username: str, role: str, scope, name: str = "") -> object:
    user = get_user_model().objects.create_user(
        username, first_name=name
    )  # no password: tests log in by force_login
    Profile.objects.create(user=user, organisation=scope.name, scope=scope, role=role)
    return user


@pytest.fixture
def world(db):
    sync_catalogue()
    sync_validation_rules()
    sync_forms()
    t = factories.small_tree()
    # A zone registered directly under its province: no city reviews it.
    t["pt"] = factories.zone("350128N1", "平潭高新技术产业园区", t["fj"])
    t["zone_reporter"] = person("torch", "zone_reporter", t["torch"], "火炬填报员")
    t["other_reporter"] = person("fzz", "zone_reporter", t["fzz"])
    t["pt_reporter"] = person("pt", "zone_reporter", t["pt"])
    t["city"] = person("xmkj", "city_reviewer", t["xm"], "厦门市科技局")
    t["other_city"] = person("fzkj", "city_reviewer", t["fz"])
    t["province"] = person("fjkjt", "province_reviewer", t["fj"], "省科技厅高新处")
    t["province_admin"] = person("fjadmin", "province_admin", t["fj"])
    t["viewer"] = person("look", "viewer", t["fj"])
    t["zone_monthly"] = ReportingForm.objects.get(code="zone_monthly")
    t["enterprise_monthly"] = ReportingForm.objects.get(code="enterprise_monthly")
    t["enterprise_annual"] = ReportingForm.objects.get(code="enterprise_annual")
    return t
