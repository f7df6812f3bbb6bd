"""Choice sets of the registry; identifiers follow shared GLOSSARY.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    UPGRADED = "upgraded", _("升级为国家高新区")
    WARNED = "warned", _("警告")
    RECTIFICATION = "rectification", _("限期整改")
    REVOKED = "revoked", _("撤销")


class InstitutionKind(models.TextChoices):
    INCUBATOR = "incubator", _("科技企业孵化器")
    MAKER_SPACE = "maker_space", _("众创空间")
    UNIVERSITY_PARK = "university_park", _("大学科技园")
    NEW_RD_INSTITUTION = "new_rd_institution", _("新型研发机构")
    TECH_TRANSFER_INSTITUTION = "tech_transfer_institution", _("技术转移机构")
    KEY_LAB = "key_lab", _("重点实验室")
    TECH_INNOVATION_CENTER = "tech_innovation_center", _("技术创新中心")
    ENGINEERING_CENTER = "engineering_center", _("工程技术研究中心")
    ACADEMICIAN_WORKSTATION = "academician_workstation", _("院士工作站")
    POSTDOC_WORKSTATION = "postdoc_workstation", _("博士后科研工作站")


class EnterpriseCertificationKind(models.TextChoices):
    HTE = "hte", _("高新技术企业")
    TECH_SME = "tech_sme", _("科技型中小企业")
    PROVINCIAL_INNOVATIVE = "provincial_innovative", _("省级科技创新型企业")
    SRDI = "srdi", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”企业")
    GAZELLE = "gazelle", _("瞪羚企业")
    UNICORN = "unicorn", _("独角兽企业")
    ABOVE_SCALE = "above_scale", _("规模以上工业企业")


class Level(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


#: Every certification kind: an enterprise's qualification, or the recognition of an institution
#: (an incubator recognised as national is a certification of kind "incubator", level "national").
CERTIFICATION_KINDS = [*EnterpriseCertificationKind.choices, *InstitutionKind.choices]
