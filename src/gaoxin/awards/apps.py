from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "gaoxin.awards"
    label = "awards"
    verbose_name = _("奖补与处理台账")
