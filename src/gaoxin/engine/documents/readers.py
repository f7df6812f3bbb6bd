"""Reading a document file into text: plain text, saved web pages, .docx, text-layer PDF.

Each reader returns the text as lines of paragraphs. A file that cannot be read raises
:class:`ProblemsError` with a Chinese message that says what to do.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from gaoxin.engine.documents.ledger_tables import (
    PAGE_MARK,
    ledger_table_lines,
    rewrite_text_tables,
)
from gaoxin.engine.problems import Problem, ProblemsError

# td/th are blocks except in an information table row (发文机关： 国务院办公厅 成文日期： …),
# which stays one line
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "ul",
    "ol",
    "center",
    "hr",
    "title",
}
_DROP_TAGS = {"script", "style", "noscript", "head", "iframe", "svg", "form", "button", "select"}
# what a government site prints around a document: menus, share buttons, footers
_PAGE_CHROME = re.compile(
    r"版权所有|主办单位|承办单位|网站标识码|ICP备|公网安备|联系我们|网站地图|打印本页|关闭窗口|【打印】|【关闭】"
    r"|分享到|扫一扫|(?<!文)字号[：:]|当前位置|浏览次数|阅读次数|来源[：:].{0,20}$|^【?[大中小]】?\s*【?[大中小]】?"
)
_PAGE_NUMBER = re.compile(r"^\s*[-—－–]?\s*\d{1,3}\s*[-—－–]?\s*$")


def _fail(path: Path, code: str, message: str) -> ProblemsError:
    return ProblemsError([Problem(code, message, file=str(path))])


def decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except ImportError:  # pragma: no cover - charset-normalizer is a dependency
        pass
    raise _fail(
        path, "undecodable", "无法识别文件的文字编码，请另存为 UTF-8 编码的文本文件后重试。"
    )


def _info_row(row: Any) -> bool:
    """A table row of short label/value cells (发文机关： | 国务院办公厅 | 成文日期： | …)."""
    if row is None or row.name != "tr":
        return False
    cells = row.find_all(["td", "th"], recursive=False)
    return len(cells) > 1 and all(len(c.get_text(strip=True)) <= 40 for c in cells)


def html_to_text(html: str) -> str:
    """Paragraph text of a saved web page: layout tables, inline styles and entities undone."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    soup = BeautifulSoup(html, "lxml")
    meta = soup.find("meta", attrs={"name": re.compile("^ArticleTitle$", re.I)})
    article_title = str(meta.get("content") or "").strip() if meta else ""
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    # a task-breakdown table becomes numbered text before the page is flattened
    for table in soup.find_all("table"):
        if table.find("table"):
            continue  # a layout table holding other tables
        grid = [
            [c.get_text("\n", strip=True) for c in tr.find_all(["td", "th"], recursive=False)]
            for tr in table.find_all("tr")
        ]
        ledger = ledger_table_lines(grid)
        if ledger:
            replacement = soup.new_tag("div")
            for line in ledger:
                p = soup.new_tag("p")
                p.string = line
                replacement.append(p)
            table.replace_with(replacement)
    root = soup.body or soup
    out: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                out.append(re.sub(r"[ \t\r\n]+", " ", str(child)))
            elif isinstance(child, Tag):
                block = child.name in _BLOCK_TAGS or (
                    child.name in ("td", "th") and not _info_row(child.parent)
                )
                if block:
                    out.append("\n")
                walk(child)
                out.append("\n" if block else " " if child.name in ("td", "th") else "")

    walk(root)
    text = "".join(out)
    kept = [ln.strip() for ln in text.split("\n")]
    kept = [ln for ln in kept if ln and not _PAGE_CHROME.search(ln)]
    if article_title and not any(article_title in ln for ln in kept):
        kept.insert(0, article_title)  # the title only the page's metadata still carries
    return "\n".join(kept) + "\n"


def docx_to_text(path: Path) -> str:
    """Paragraphs and table cells of a .docx, in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise _fail(
            path,
            "bad-docx",
            f"无法打开 Word 文件（{exc.__class__.__name__}），请确认是 .docx 格式且未损坏。",
        ) from exc
    from gaoxin.engine.documents.docx_numbering import Numbering

    numbering = Numbering.of(document)
    out: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            out.append(numbering.label(paragraph) + paragraph.text)
        elif tag == "tbl":
            table = Table(child, document)
            grid = [[c.text for c in row.cells] for row in table.rows]
            ledger = ledger_table_lines(grid)
            if ledger:
                out.extend(ledger)
                continue
            for row in table.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    out.extend(p.text for p in cell.paragraphs)
    return "\n".join(out) + "\n"


def hard_wrapped(text: str) -> bool:
    """Was this text broken at a fixed width (copied out of a PDF or a fixed-width export)?

    Most lines are then about as long as the longest and end mid-sentence.
    """
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 8:
        return False
    lengths = sorted(len(ln) for ln in lines)
    full = lengths[int(len(lengths) * 0.9) - 1]
    wrapped = [
        ln
        for ln in lines
        if len(ln) >= 0.85 * full
        and not re.search(r"[。！？：；”]$", ln)
        and not (ln.endswith(("）", ")")) and _closes_a_note(ln))
    ]
    # many short lines (titles, headings, signatures) do not hide it: among the long lines,
    # most end mid-sentence
    long = [ln for ln in lines if len(ln) >= 0.6 * full]
    return full <= 60 and (len(wrapped) >= 0.5 * len(lines) or len(wrapped) >= 0.6 * len(long))


def _rejoin_pdf_lines(text: str) -> str:
    """PDF text breaks lines where the page ran out; join them back into paragraphs."""
    from gaoxin.engine.documents.front_matter import DOC_NUMBER
    from gaoxin.engine.documents.headings import match_marker
    from gaoxin.engine.documents.text import Line, normalise

    raw = [ln.strip() for ln in text.replace("\x0c", "\n").split("\n")]
    raw = [ln for ln in raw if not _PAGE_NUMBER.match(ln) or not ln]
    lengths = sorted(len(ln) for ln in raw if ln)
    if not lengths:
        return ""
    full = lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0]
    out: list[str] = []
    for ln in raw:
        if not ln:
            out.append("")
            continue
        prev = out[-1] if out else ""
        starts_item = match_marker(Line(normalise(ln), 0, len(ln)), ln) is not None
        long = len(prev) >= 0.85 * full
        # …之一的：（一）…；| （二）… goes on the sentence's own list
        inline = starts_item and long and _continues_inline_list(prev, ln)
        if inline or (
            prev
            and not starts_item
            and not DOC_NUMBER.fullmatch(ln)  # the number under a long title is its own line
            and long
            and not re.search(r"[。！？：；”]$", prev)
            and not (prev.endswith(("）", ")")) and _closes_a_note(prev))
        ):
            out[-1] = prev + ln
        else:
            out.append(ln)
    return "\n".join(out) + "\n"


_CN_NUMERALS = "一二三四五六七八九十"


def _continues_inline_list(prev: str, line: str) -> bool:
    """Does ``line`` open with （N） where ``prev``, a paragraph broken at the page width,
    holds （N-1） inside it (a list introduced by a colon and run on within the sentence)?"""
    m = re.match(r"[（(]([一二三四五六七八九])[）)]", line)
    if not m or m.group(1) == "一":
        return False
    before = _CN_NUMERALS[_CN_NUMERALS.index(m.group(1)) - 1]
    return bool(re.search(rf".[（(]{before}[）)]", prev))


def _closes_a_note(prev: str) -> bool:
    """A line ending in ） ends its paragraph where the bracket is a note after a sentence
    (…。（省科技厅负责）); a bracket inside a sentence (…国家高新区（以下简称…）| 创新…) does not."""
    opened = max(prev.rfind("（"), prev.rfind("("))
    return opened <= 0 or bool(re.search(r"[。！？；：]\s*$", prev[:opened]))


def pdf_to_text(path: Path) -> str:
    """Text layer of a PDF (a scanned PDF has none and is reported)."""
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfminer.pdftypes import PDFException
        from pdfminer.psparser import PSException
    except ImportError as exc:  # pragma: no cover - pdfminer.six is a dependency
        raise _fail(path, "no-pdf-reader", "读取 PDF 需要 pdfminer.six，请先安装。") from exc
    try:
        text = extract_text(str(path))
    except (PDFSyntaxError, ValueError, TypeError, KeyError, PSException, PDFException) as exc:
        raise _fail(
            path, "bad-pdf", f"无法读取 PDF 文件（{exc.__class__.__name__}），请确认文件完整。"
        ) from exc
    if len(re.sub(r"\s", "", text)) < 20:
        raise _fail(
            path,
            "no-text-layer",
            "PDF 中没有可提取的文字（可能是扫描件），请先做文字识别（OCR）或提供 Word/文本版本。",
        )
    # a table given one cell a line is read before lines are rejoined, which would take its
    # 序号 lines for page numbers and run its cells together
    return _rejoin_pdf_lines(rewrite_text_tables(text.replace("\x0c", "\n")))


def read_file(path: str | Path) -> str:
    """The text of a document file, whatever its format."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, "file-not-found", "找不到该文件，请检查路径。")
    if path.is_dir():
        raise _fail(path, "is-directory", "这是一个目录，请给出文件路径。")
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, "unreadable", f"无法读取该文件（{exc.strerror}），请检查权限。") from exc
    if suffix == ".doc" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _fail(
            path, "old-doc", "不支持旧版 Word（.doc）文件，请在 Word/WPS 中另存为 .docx 后重试。"
        )
    if suffix == ".docx" or (data[:2] == b"PK" and suffix not in (".txt", ".html", ".htm")):
        return docx_to_text(path)
    if suffix == ".pdf" or data[:5] == b"%PDF-":
        return pdf_to_text(path)
    text = decode(data, path)
    if suffix in (".html", ".htm", ".shtml", ".xhtml") or re.match(
        r"\s*<(!doctype html|html)", text, re.I
    ):
        return html_to_text(text)
    if "\x00" in text:
        raise _fail(path, "binary", "这不是文本、网页、Word 或 PDF 文件，无法解析。")
    # tables first, as in pdf_to_text; a table's rows are not lines broken at a width
    text = rewrite_text_tables(text)
    if hard_wrapped(text):  # a PDF's text saved as .txt
        return _rejoin_pdf_lines(text)
    return drop_page_breaks(text)


def drop_page_breaks(text: str) -> str:
    """Page numbers left in a text copied page by page are dropped, with the blank lines
    around them; a sentence the page break cut (…支持企业 | — 3 — | 建设研发机构…) is joined
    again, unless the next line starts a numbered item."""
    from gaoxin.engine.documents.front_matter import is_end_matter
    from gaoxin.engine.documents.headings import match_marker
    from gaoxin.engine.documents.text import Line, normalise

    lines = text.split("\n")
    if not any(PAGE_MARK.match(ln) for ln in lines):
        return text
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not PAGE_MARK.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        while out and not out[-1].strip():
            out.pop()
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines):
            break
        following = lines[i].strip()
        prev = out[-1].rstrip() if out else ""
        starts_item = match_marker(Line(normalise(following), 0, len(following)), following)
        if (
            prev
            and starts_item is None
            and not re.search(r"[。！？：；）”]$", prev)
            # a signature, a date or 附件1 on either side is no cut sentence
            and not is_end_matter(prev.strip())
            and not is_end_matter(following)
            and not following.startswith("附件")
        ):
            out[-1] = prev + following
            i += 1
        elif prev:
            out.append("")  # the break stays a paragraph break
    return "\n".join(out)
