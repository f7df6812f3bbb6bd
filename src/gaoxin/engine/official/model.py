"""An official document (公文) as a pure layout description: what GB/T 9704-2012 places where.

Nothing here knows Word or PDF: :mod:`gaoxin.engine.official.docx` writes this to .docx and
:mod:`gaoxin.engine.official.pdf` has LibreOffice print that to PDF. The parts, in the order of
the standard (GB/T 9704-2012 §7):

- 版头 (head): the issuing organ's mark in red (``organ``, e.g. 甘肃省科学技术厅文件), the
  发文字号 (``number``) and the red separator line;
- 主体 (main part): ``title``, 主送机关 (``addressees``), the body (``blocks``), 附件说明
  (``attachments``), 落款 (``signature``) and 成文日期 (``date``); the annexes (``annexes``)
  follow on pages of their own;
- 版记 (record): 抄送 (``copy_to``), 印发机关 and 印发日期 (``printer``, ``printed_on``), and
  the receipt of the frozen run the document was made from (``receipt``: data version, pack
  hash) as one line of its own, never in the body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

#: Heading levels of the standard's numbering (GB/T 9704-2012 §7.3.3): 一、 in 黑体,
#: （一） in 楷体, 1. and (1) in 仿宋 (the first of them in bold by common practice).
HeadingLevel = Literal[1, 2, 3, 4]


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph: 仿宋 3号, first line indented two characters."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A numbered heading; ``text`` includes its number (``一、总体情况``)."""

    level: HeadingLevel
    text: str


@dataclass(frozen=True)
class Table:
    """A table in the body or an annex: a caption above it, header row, body rows (text
    already formatted: 万元 with two decimals, counts as integers)."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: 0-based columns aligned right (numbers).
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A chart: a PNG (``image``, drawn by :mod:`gaoxin.engine.official.charts`) as wide as
    ``width_mm``, centred, its title (图1　…) and data source (数据来源：…) under it."""

    image: bytes = field(repr=False)
    title: str
    source: str
    width_mm: float = 150


Block = Paragraph | Heading | Table | Figure


@dataclass(frozen=True)
class Annex:
    """附件 N: a title and its blocks, on pages of its own after the main part."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class OfficialDocument:
    """One official document, ready to be written. Dates are real dates; the writer prints
    them in Arabic numerals (2026年12月3日) as the standard asks."""

    kind: str  # 文种 as the reader sees it: 通报、通知、方案、公示、通知书
    title: str
    blocks: tuple[Block, ...]
    date: dt.date
    signature: str
    organ: str = ""  # 版头 mark; empty: no 版头 (a 公示 posted on a notice board)
    number: str = ""  # 发文字号, e.g. 甘科高〔2026〕3号
    addressees: str = ""  # 主送机关, without the closing colon
    annexes: tuple[Annex, ...] = ()
    copy_to: str = ""  # 抄送, without 抄送：
    printer: str = ""  # 印发机关
    printed_on: dt.date | None = None
    receipt: tuple[str, ...] = ()  # lines of the 版记 naming the frozen run
    #: Names in 附件说明; by default the annexes' titles.
    attachments: tuple[str, ...] = field(default=())

    @property
    def attachment_names(self) -> tuple[str, ...]:
        return self.attachments or tuple(a.title for a in self.annexes)


def date_text(d: dt.date) -> str:
    """成文日期 in Arabic numerals without leading zeros (GB/T 9704-2012 §7.3.5.1)."""
    return f"{d.year}年{d.month}月{d.day}日"
