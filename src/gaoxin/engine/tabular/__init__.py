"""Tabular imports and exports: the statistics people send as CSV or Excel, read into one clean
long frame with every problem found, and the long frames and reporting-form templates we send
back. Pure: no database, no Django.
"""

from gaoxin.engine.tabular.export import form_template_xlsx, write_long
from gaoxin.engine.tabular.observations import (
    OBSERVATION_SCHEMA,
    ColumnMapping,
    ParsedTable,
    read_observations,
)

__all__ = [
    "OBSERVATION_SCHEMA",
    "ColumnMapping",
    "ParsedTable",
    "form_template_xlsx",
    "read_observations",
    "write_long",
]
