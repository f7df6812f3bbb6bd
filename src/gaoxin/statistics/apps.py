from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "gaoxin.statistics"
    label = (
        "gx_statistics"  # "statistics" clashes with the standard library module name in some tools
    )
    verbose_name = _("统计数据")
