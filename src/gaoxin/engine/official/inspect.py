"""What can be checked by machine of a printed official document (the tests read this):
page size, where the text lies against the type area,
the lines of each page and the characters of each line, the fonts and whether they are
embedded, the page numbers, and the colour of the 版头.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pdfminer.pdfinterp import Color

MM = 72 / 25.4


@dataclass
class Line:
    top: float  # mm from the page's top edge, of the line's characters
    left: float  # mm from the page's left edge
    right: float
    bottom: float
    text: str
    size: float  # the largest character's size, pt
    colours: set[tuple[float, ...]] = field(default_factory=set)


@dataclass
class Page:
    number: int
    width_mm: float
    height_mm: float
    lines: list[Line]
    fonts: set[str]
    red_rules: int  # red strokes or filled rectangles wider than 100 mm


@dataclass
class Layout:
    pages: list[Page]
    #: font name -> embedded?
    embedded: dict[str, bool]


def _colour(c: Color | None) -> tuple[float, ...]:
    """pdfminer's colour of a stroke or a glyph as its components: none is black (0.0,), a grey
    one level; a pattern has none of its own, only the colour it may be painted in."""
    if c is None:
        return (0.0,)
    if isinstance(c, int | float):
        return (float(c),)
    if isinstance(c, str):  # a pattern by name alone
        return ()
    if len(c) == 2 and isinstance(c[1], str):  # (the colour painted in, the pattern's name)
        return _colour(c[0])
    return tuple(float(x) for x in c)


def is_red(c: tuple[float, ...]) -> bool:
    return len(c) == 3 and c[0] > 0.8 and c[1] < 0.2 and c[2] < 0.2


def read_layout(pdf: str | Path) -> Layout:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTCurve, LTTextContainer
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    pages: list[Page] = []
    for n, lt in enumerate(extract_pages(str(pdf), laparams=LAParams(char_margin=50)), start=1):
        h = lt.height
        rows: dict[int, list[LTChar]] = defaultdict(list)
        fonts: set[str] = set()
        red = 0

        stack: list[object] = [lt]
        while stack:
            obj = stack.pop()
            if isinstance(obj, LTChar):
                if obj.get_text().strip():
                    rows[round((h - obj.y1) / MM * 2)].append(obj)  # 0.5 mm bins
                    fonts.add(obj.fontname)
            elif isinstance(obj, LTCurve):
                wide = obj.width / MM > 100
                if wide and (
                    is_red(_colour(obj.stroking_color)) or is_red(_colour(obj.non_stroking_color))
                ):
                    red += 1
            if isinstance(obj, LTTextContainer) or hasattr(obj, "__iter__"):
                stack.extend(obj)  # type: ignore[call-overload]
        lines = []
        for _, chars in sorted(rows.items()):
            chars.sort(key=lambda c: c.x0)
            lines.append(
                Line(
                    top=min((h - c.y1) / MM for c in chars),
                    left=min(c.x0 for c in chars) / MM,
                    right=max(c.x1 for c in chars) / MM,
                    bottom=max((h - c.y0) / MM for c in chars),
                    text="".join(c.get_text() for c in chars),
                    size=max(c.size for c in chars),
                    colours={_colour(c.graphicstate.ncolor) for c in chars},
                )
            )
        pages.append(Page(n, lt.width / MM, lt.height / MM, lines, fonts, red))

    embedded: dict[str, bool] = {}
    with open(pdf, "rb") as fh:
        document = PDFDocument(PDFParser(fh))
        for page in PDFPage.create_pages(document):
            res = resolve1(page.resources) or {}
            for font in (resolve1(res.get("Font")) or {}).values():
                font = resolve1(font)
                name = str(resolve1(font.get("BaseFont"))).strip("/'")
                descs = [font] + [resolve1(d) for d in resolve1(font.get("DescendantFonts")) or []]
                has = False
                for d in descs:
                    fd = resolve1(d.get("FontDescriptor")) if d else None
                    if fd and any(k in fd for k in ("FontFile", "FontFile2", "FontFile3")):
                        has = True
                embedded[name] = has
    return Layout(pages, embedded)
