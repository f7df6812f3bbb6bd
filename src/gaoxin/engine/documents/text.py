"""Source text: width normalisation that keeps character offsets, and lines with their spans.

Every later step reads the *normalised* text and reports spans into it; because the
normalisation maps one character to one character, those spans are also spans into the
source text as it was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Half-width punctuation that Chinese documents mix with the full-width forms. Mapped one
# character to one character so that offsets survive.
_TO_FULL = {
    "(": "（",
    ")": "）",
    ":": "：",
    ";": "；",
    "!": "！",
    "?": "？",
}
_FULLWIDTH_DIGITS = {chr(0xFF10 + i): str(i) for i in range(10)}
_OTHER = {
    "．": ".",
    "％": "%",
    "\u3000": " ",
    "\xa0": " ",
    "\ufeff": " ",  # a byte-order mark left in the text
    "\u200b": " ",
    "\t": " ",
    "\r": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
    "～": "~",
    "〜": "~",
}


def normalise(text: str) -> str:
    """Return ``text`` with punctuation widths unified; same length, same offsets."""
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _TO_FULL:
            out.append(_TO_FULL[ch])
        elif ch == ",":
            # a comma between digits is a thousands separator, not a clause break
            between_digits = 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
            out.append("," if between_digits else "，")
        elif ch in _FULLWIDTH_DIGITS:
            out.append(_FULLWIDTH_DIGITS[ch])
        elif ch in _OTHER:
            out.append(_OTHER[ch])
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the source, stripped, with its offsets (end exclusive)."""

    text: str
    start: int
    end: int

    @property
    def blank(self) -> bool:
        return not self.text


def lines(text: str) -> Iterator[Line]:
    """Every line of ``text`` with surrounding whitespace removed and its span kept."""
    pos = 0
    for raw in text.split("\n"):
        lead = len(raw) - len(raw.lstrip())
        stripped = raw.strip()
        start = pos + lead
        yield Line(stripped, start, start + len(stripped))
        pos += len(raw) + 1


_BREAK_BEFORE_PUNCT = re.compile(r"\n+(?=[，。、；：）》”])")
_BLANKS = re.compile(r"\n\s*\n+")


def clean(fragment: str) -> str:
    """Text of a span as a person should read it: broken lines rejoined, blank lines dropped."""
    fragment = _BREAK_BEFORE_PUNCT.sub("", fragment)
    fragment = _BLANKS.sub("\n", fragment)
    return "\n".join(part.strip() for part in fragment.strip().split("\n"))


CJK = "\u4e00-\u9fff"
