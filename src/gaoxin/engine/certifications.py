"""Certification kinds (GLOSSARY.md): what an enterprise is certified as, and what an institution
is recognised as, with the Chinese names users read. One list for the expression language
(``certified("hte")``), the registry's choices and the packs."""

from __future__ import annotations

ENTERPRISE_KINDS: dict[str, str] = {
    "hte": "高新技术企业",
    "tech_sme": "科技型中小企业",
    "provincial_innovative": "省级科技创新型企业",
    "srdi": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "gazelle": "瞪羚企业",
    "unicorn": "独角兽企业",
    "above_scale": "规模以上工业企业",
}

INSTITUTION_KINDS: dict[str, str] = {
    "incubator": "科技企业孵化器",
    "maker_space": "众创空间",
    "university_park": "大学科技园",
    "new_rd_institution": "新型研发机构",
    "tech_transfer_institution": "技术转移机构",
    "key_lab": "重点实验室",
    "tech_innovation_center": "技术创新中心",
    "engineering_center": "工程技术研究中心",
    "academician_workstation": "院士工作站",
    "postdoc_workstation": "博士后科研工作站",
}

LEVELS: dict[str, str] = {"national": "国家级", "provincial": "省级", "city": "市级"}

KINDS: tuple[str, ...] = (*ENTERPRISE_KINDS, *INSTITUTION_KINDS)
