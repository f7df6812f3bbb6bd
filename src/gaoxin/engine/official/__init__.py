"""Official documents (公文) laid out to GB/T 9704-2012: a pure model, a .docx writer and a PDF
printed by LibreOffice. No Django here: gaoxin.documents builds the documents from stored runs.

from gaoxin.engine.official import OfficialDocument, Paragraph, write_docx, to_pdf
"""

from gaoxin.engine.official.docx import write_docx
from gaoxin.engine.official.model import (
    Annex,
    Block,
    Figure,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    date_text,
)
from gaoxin.engine.official.pdf import print_document, to_pdf

__all__ = [
    "Annex",
    "Block",
    "Figure",
    "Heading",
    "OfficialDocument",
    "Paragraph",
    "Table",
    "date_text",
    "print_document",
    "to_pdf",
    "write_docx",
]
