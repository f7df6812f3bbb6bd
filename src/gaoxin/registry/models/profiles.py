"""Kind-specific profiles of entities: regions, zones, enterprises, institutions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gaoxin.registry.choices import (
    InstitutionKind,
    RegionLevel,
    ZoneCategory,
    ZoneLevel,
    ZoneStatus,
)
from gaoxin.registry.models.entities import Entity
from gaoxin.registry.validators import validate_industry_code, validate_region_code, validate_uscc


class Region(models.Model):
    entity = models.OneToOneField(
        Entity,
        verbose_name=_("主体"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="region",
    )
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    gb2260 = models.CharField(
        _("行政区划代码"), max_length=6, unique=True, validators=[validate_region_code]
    )

    class Meta:
        verbose_name = _("行政区")
        verbose_name_plural = _("行政区")

    def __str__(self) -> str:
        return f"{self.entity.name}（{self.gb2260}）"


class Zone(models.Model):
    entity = models.OneToOneField(
        Entity,
        verbose_name=_("名称"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="zone",
    )
    level = models.CharField(_("级别"), max_length=16, choices=ZoneLevel.choices)
    category = models.CharField(
        _("类别"),
        max_length=16,
        choices=ZoneCategory.choices,
        blank=True,
        help_text=_("省级高新区的认定类/创建类；国家高新区留空"),
    )
    approved_on = models.DateField(_("获批日期"), null=True, blank=True)
    approval_year = models.PositiveSmallIntegerField(
        _("获批年份"), null=True, blank=True, help_text=_("只知年份时填写")
    )
    area_km2 = models.DecimalField(
        _("规划面积（平方公里）"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    source = models.CharField(_("来源"), max_length=300, blank=True)
    confidence = models.CharField(_("可信度"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("高新区")
        verbose_name_plural = _("高新区")
        constraints = [
            models.CheckConstraint(
                condition=Q(level=ZoneLevel.PROVINCIAL) | Q(category=""),
                name="zone_category_only_provincial",
                violation_error_message=_("只有省级高新区分认定类和创建类"),
            ),
        ]

    def __str__(self) -> str:
        return self.entity.name

    @property
    def status(self) -> str | None:
        last = self.status_events.order_by("-date", "-id").first()
        return last.status if last else None


class ZoneStatusEvent(models.Model):
    """A zone's dated history: approved, upgraded, renamed, boundary adjusted, evaluated,
    commended, warned, rectification, revoked. ``level`` is the level the zone holds from that
    date (approved provincial, upgraded to national); blank where the event changes no level.
    The fact frame dates a zone's level by these (gaoxin.engine.zones, decision 044)."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("高新区"), on_delete=models.CASCADE, related_name="status_events"
    )
    status = models.CharField(_("状态"), max_length=24, choices=ZoneStatus.choices)
    date = models.DateField(_("日期"))
    level = models.CharField(
        _("此后级别"),
        max_length=16,
        choices=ZoneLevel.choices,
        blank=True,
        help_text=_("获批、升级后高新区所处的级别；不改变级别的记录留空"),
    )
    name = models.CharField(
        _("此后名称"),
        max_length=200,
        blank=True,
        help_text=_("更名记录：高新区自该日期起的名称；其他记录留空"),
    )
    previous_name = models.CharField(
        _("原名称"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("更名前的名称，按原名称查找仍能找到该高新区"),
    )
    document = models.CharField(_("依据文件"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("高新区状态记录")
        verbose_name_plural = _("高新区状态记录")
        ordering = ["zone", "date", "id"]
        indexes = [models.Index(fields=["status", "date"], name="zone_status_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="") | Q(status__in=["approved", "upgraded"]),
                name="zone_event_level_only_on_approval",
                violation_error_message=_("只有获批和升级记录改变高新区的级别"),
            ),
            models.CheckConstraint(
                condition=(Q(name="") & Q(previous_name="")) | Q(status="renamed"),
                name="zone_event_name_only_on_rename",
                violation_error_message=_("只有更名记录改变高新区的名称"),
            ),
            models.UniqueConstraint(
                fields=["zone", "status", "date"],
                name="zone_event_unique",
                violation_error_message=_("该高新区在同一日期已有同类记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.get_status_display()} {self.date}"

    def clean(self) -> None:
        # a new rename must say the new name: the registry's name follows it (decision 051);
        # renames recorded before the name was kept (in the note only) stay valid
        if self.status == ZoneStatus.RENAMED and not self.name.strip() and self.pk is None:
            raise ValidationError({"name": _("更名记录请填写此后名称")})


class ZoneIndustry(models.Model):
    """A leading industry of a zone (主导产业), in the order the source lists them."""

    zone = models.ForeignKey(
        Zone, verbose_name=_("高新区"), on_delete=models.CASCADE, related_name="leading_industries"
    )
    name = models.CharField(_("主导产业"), max_length=100)
    industry_code = models.CharField(
        _("行业代码"), max_length=5, blank=True, validators=[validate_industry_code]
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("主导产业")
        verbose_name_plural = _("主导产业")
        ordering = ["zone", "order"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "name"], name="zone_industry_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    entity = models.OneToOneField(
        Entity,
        verbose_name=_("名称"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="enterprise",
    )
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    industry_code = models.CharField(
        _("国民经济行业代码"),
        max_length=5,
        blank=True,
        validators=[validate_industry_code],
        help_text=_("GB/T 4754-2017，如 C39"),
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        indexes = [models.Index(fields=["industry_code"], name="enterprise_industry")]

    def __str__(self) -> str:
        return self.entity.name

    def clean(self) -> None:
        if self.entity_id and self.entity.code != self.uscc:
            raise ValidationError({"uscc": _("企业的主体代码应为其统一社会信用代码")})


class Institution(models.Model):
    entity = models.OneToOneField(
        Entity,
        verbose_name=_("名称"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="institution",
    )
    kind = models.CharField(_("机构类型"), max_length=32, choices=InstitutionKind.choices)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("创新机构")
        verbose_name_plural = _("创新机构")
        indexes = [models.Index(fields=["kind"], name="institution_kind")]

    def __str__(self) -> str:
        return self.entity.name
