from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does, in the words of the organisations that use gaoxin. Where they do it is
    their scope (an entity subtree, ``Profile.scope``); what each role may do is one table,
    :data:`gaoxin.accounts.roles.PERMISSIONS` and the approval transitions
    (:mod:`gaoxin.statistics.approval`)."""

    ADMIN = "admin", _("系统管理员")
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    PROVINCE_REVIEWER = "province_reviewer", _("省级审核员")
    CITY_REVIEWER = "city_reviewer", _("市级审核员")
    ZONE_REPORTER = "zone_reporter", _("园区填报员")
    VIEWER = "viewer", _("只读")
