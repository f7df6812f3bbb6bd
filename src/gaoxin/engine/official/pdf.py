"""PDF of an official document: LibreOffice (headless) prints the .docx, with the fonts the
standard names replaced by open fonts from Debian (decision 039):

============== ======================= ===================================================
standard        substitute              Debian package
============== ======================= ===================================================
方正小标宋简体   Noto Serif CJK SC Bold   fonts-noto-cjk
仿宋_GB2312     Noto Serif CJK SC        fonts-noto-cjk (no Debian 仿宋 covers simplified
                                        characters: cwTeX 仿宋 has traditional ones only)
楷体_GB2312     AR PL UKai CN            fonts-arphic-ukai
黑体            Noto Sans CJK SC         fonts-noto-cjk
宋体            Noto Serif CJK SC        fonts-noto-cjk
============== ======================= ===================================================

The substitution is a fontconfig file of our own (it includes the system's), given to
LibreOffice alone through ``FONTCONFIG_FILE``: the .docx keeps the standard's names, so Word on
an office machine with the real fonts prints with them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gaoxin.engine.official.model import OfficialDocument
from gaoxin.engine.problems import Problem, ProblemsError

#: (name in the .docx, substitute family, bold?)
SUBSTITUTES: tuple[tuple[str, str, bool], ...] = (
    ("方正小标宋简体", "Noto Serif CJK SC", True),
    ("方正小标宋_GBK", "Noto Serif CJK SC", True),
    ("仿宋_GB2312", "Noto Serif CJK SC", False),
    ("仿宋", "Noto Serif CJK SC", False),
    ("楷体_GB2312", "AR PL UKai CN", False),
    ("楷体", "AR PL UKai CN", False),
    ("黑体", "Noto Sans CJK SC", False),
    ("宋体", "Noto Serif CJK SC", False),
)

#: The Debian packages that give LibreOffice and the substitutes (.ci/run installs them).
PACKAGES = ("libreoffice-writer-nogui", "fonts-noto-cjk", "fonts-arphic-ukai", "poppler-utils")

TIMEOUT_S = 180


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_text() -> str:
    """A fontconfig file: the system's configuration plus the substitutes above."""
    rules = []
    for name, family, bold in SUBSTITUTES:
        weight = (
            '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
            if bold
            else ""
        )
        rules.append(
            f'<match target="pattern"><test name="family" qual="any"><string>{name}</string>'
            f'</test><edit name="family" mode="prepend" binding="strong"><string>{family}'
            f"</string></edit>{weight}</match>"
        )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        + "\n".join(rules)
        + "\n</fontconfig>\n"
    )


def to_pdf(docx: str | Path, out_dir: str | Path | None = None) -> Path:
    """Convert ``docx`` to PDF beside it (or in ``out_dir``); returns the PDF's path.

    Raises ProblemsError (``document.no_libreoffice``) when LibreOffice is not installed and
    (``document.pdf_failed``) when it did not write the PDF."""
    docx = Path(docx)
    out = Path(out_dir) if out_dir else docx.parent
    program = soffice()
    if program is None:
        raise ProblemsError(
            [
                Problem(
                    "document.no_libreoffice",
                    "未安装 LibreOffice，无法生成 PDF：请安装 "
                    + " ".join(PACKAGES)
                    + "（apt-get install），或只生成 .docx",
                )
            ]
        )
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gaoxin-lo-") as tmp:
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(fontconfig_text(), encoding="utf-8")
        env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": tmp}
        profile = Path(tmp, "profile").as_uri()
        done = subprocess.run(
            [
                program,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                str(out),
                str(docx),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    pdf = out / (docx.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise ProblemsError(
            [
                Problem(
                    "document.pdf_failed",
                    f"LibreOffice 未能生成 PDF（退出码 {done.returncode}）：{done.stderr.strip()[:300]}",
                )
            ]
        )
    return pdf


def record_page(pdf: str | Path, first_line: str) -> int | None:
    """The page (1-based) whose text has the 版记's first line (``抄送：…``), or None."""
    from gaoxin.engine.official.inspect import read_layout

    key = "".join(first_line.split())[:8]
    for page in read_layout(pdf).pages:
        if any("".join(line.text.split()).startswith(key) for line in page.lines):
            return page.number
    return None


def print_document(
    d: OfficialDocument, docx: str | Path, template: str | Path | None = None
) -> tuple[Path, Path]:
    """Write ``d`` to ``docx`` and print it to PDF beside it, the 版记 on an even page (GB/T
    9704-2012 §7.4: on the last page, the back of a sheet): when the text ends on an odd page,
    the .docx is written again with the 版记 on the next page, and printed again. The .docx
    keeps the page LibreOffice found, which Word's layout (exact line spacing) agrees with."""
    from gaoxin.engine.official.docx import _record_lines, write_docx

    path = write_docx(d, docx, template=template)
    pdf = to_pdf(path)
    lines = _record_lines(d)
    if lines:
        page = record_page(pdf, lines[0][0])
        if page is not None and page % 2:
            path = write_docx(d, docx, template=template, record_alone=True)
            pdf = to_pdf(path)
    return path, pdf
