from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("查看")
    REPORTER = "reporter", _("填报")
    REVIEWER = "reviewer", _("审核")
    MANAGER = "manager", _("管理")
