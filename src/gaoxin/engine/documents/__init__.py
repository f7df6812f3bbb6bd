"""Policy documents -> task ledger: headings, measures, responsible units, money, targets.

from gaoxin.engine.documents import parse_file, parse_text
doc = parse_file("document.txt")
doc.measures[0].lead_units
"""

from gaoxin.engine.documents.model import Amount, Document, Heading, Measure, Percentage, Target
from gaoxin.engine.documents.parser import parse_file, parse_text

__all__ = [
    "Amount",
    "Document",
    "Heading",
    "Measure",
    "Percentage",
    "Target",
    "parse_file",
    "parse_text",
]
