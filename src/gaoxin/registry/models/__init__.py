from gaoxin.registry.models.certifications import Certification
from gaoxin.registry.models.entities import Entity, Membership
from gaoxin.registry.models.profiles import (
    Enterprise,
    Institution,
    Region,
    Zone,
    ZoneIndustry,
    ZoneStatusEvent,
)

__all__ = [
    "Certification",
    "Enterprise",
    "Entity",
    "Institution",
    "Membership",
    "Region",
    "Zone",
    "ZoneIndustry",
    "ZoneStatusEvent",
]
