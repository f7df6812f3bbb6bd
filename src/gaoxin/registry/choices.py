"""Choice sets of the registry; identifiers follow shared GLOSSARY.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gaoxin.engine import certifications


class EntityKind(models.TextChoices):
    REGION = "region", _("行政区")
    ZONE = "zone", _("高新区")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("机构")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("设区市")
    COUNTY = "county", _("县（市、区）")


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


class ZoneCategory(models.TextChoices):
    RECOGNISED = "recognised", _("认定类")
    CREATING = "creating", _("创建类")


class ZoneStatus(models.TextChoices):
    APPROVED = "approved", _("获批")
    UPGRADED = "upgraded", _("升级")
    RENAMED = "renamed", _("更名")
    BOUNDARY_ADJUSTED = "boundary_adjusted", _("调整范围")
    EVALUATED = "evaluated", _("评价结果")
    COMMENDED = "commended", _("通报表扬")
    WARNED = "warned", _("警告")
    RECTIFICATION = "rectification", _("限期整改")
    REVOKED = "revoked", _("撤销")


# Certification kinds are the engine's (gaoxin.engine.certifications): one list for formulas,
# packs and the database.
InstitutionKind = models.TextChoices(
    "InstitutionKind",
    [(k.upper(), (k, _(label))) for k, label in certifications.INSTITUTION_KINDS.items()],
)
EnterpriseCertificationKind = models.TextChoices(
    "EnterpriseCertificationKind",
    [(k.upper(), (k, _(label))) for k, label in certifications.ENTERPRISE_KINDS.items()],
)


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


#: Every certification kind: an enterprise's qualification, or the recognition of an institution
#: (an incubator recognised as national is a certification of kind "incubator", level "national").
CERTIFICATION_KINDS = [*EnterpriseCertificationKind.choices, *InstitutionKind.choices]
