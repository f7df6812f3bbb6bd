"""Problems found in user input, reported with where they are and why.

One shape for every report a user reads: an import, a validation rule run, a pack check.
A problem names the file, sheet, row, column and value it is about, a machine-readable
``code`` and a Chinese ``message`` that says what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # 1-based, as a spreadsheet shows it
    column: str | None = None  # the header text, or a column letter where there is no header
    value: str | None = None
    severity: Severity = "error"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列「{self.column}」")
        return "，".join(parts)

    def __str__(self) -> str:
        where = self.location()
        value = f"（值：{self.value!r}）" if self.value is not None else ""
        return f"{where}：{self.message}{value}" if where else f"{self.message}{value}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if not d["extra"]:
            d.pop("extra")
        return d


class ProblemsError(Exception):
    """Raised when input has problems; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        head = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(f"{len(self.problems)} problem(s): {head}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


#: How many problems a page or a terminal lists before saying how many more there are: enough
#: for every kind of mistake a file holds to show, few enough to read.
SHOWN = 50


def first_shown(problems: list[Problem], limit: int = SHOWN) -> tuple[list[Problem], int]:
    """The problems to list (the first ``limit``) and how many are left unlisted."""
    return problems[:limit], max(0, len(problems) - limit)


def more_text(more: int) -> str:
    """What a list capped by :func:`first_shown` says of the problems it leaves out."""
    return f"另有 {more} 个问题未列出：请按以上问题的原因检查整个文件" if more else ""


def yaml_problem(code: str, error: Exception, file: str | None) -> Problem:
    """A YAML syntax error as a Problem at the line where the parser stopped."""
    mark = getattr(error, "problem_mark", None)
    return Problem(
        code,
        f"YAML 格式错误：{getattr(error, 'problem', error)}",
        file=file,
        row=mark.line + 1 if mark else None,
    )
