"""Precision and recall of a parse against a hand-checked expected extraction.

Measures are matched by path; units by (path, unit) pairs, also split into lead and
participating; amounts by (path, value in 万元) with repeats counted; titles by (path, title);
the decisions of a 批复 or 通报, where the expectation lists them, by (kind, zone, value).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from gaoxin.engine.documents.model import Document

FIELDS = ("measures", "titles", "units", "lead_units", "participating_units", "amounts")


@dataclass(frozen=True, slots=True)
class Score:
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "expected": self.expected,
            "found": self.found,
            "correct": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


def _items(measures: list[dict[str, Any]], name: str) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for m in measures:
        path = tuple(m["path"])
        if name == "measures":
            out[path] += 1
        elif name == "titles":
            out[(path, m["title"])] += 1
        elif name == "units":
            for u in [*m["lead_units"], *m["participating_units"]]:
                out[(path, u)] += 1
        elif name in ("lead_units", "participating_units"):
            for u in m[name]:
                out[(path, u)] += 1
        elif name == "amounts":
            for a in m["amounts_wan"]:
                out[(path, round(float(a), 4))] += 1
    return out


def _decisions(decisions: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter((d["kind"], z, d.get("value")) for d in decisions for z in d["zones"])


def _score(found: Counter[Any], expected: Counter[Any]) -> Score:
    return Score(sum(expected.values()), sum(found.values()), sum((found & expected).values()))


def score(document: Document, expected: dict[str, Any]) -> dict[str, Score]:
    """Per-field scores of ``document`` against ``expected`` (the *.expected.json shape)."""
    parsed = document.as_dict()
    found = parsed["measures"]
    scores = {
        name: _score(_items(found, name), _items(expected["measures"], name)) for name in FIELDS
    }
    if "decisions" in expected:
        scores["decisions"] = _score(
            _decisions(parsed["decisions"]), _decisions(expected["decisions"])
        )
    return scores


def differences(document: Document, expected: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """What is missing from and extra in the parse, per field, for reading a failure."""
    parsed = document.as_dict()
    found = parsed["measures"]
    out = {}
    pairs = {name: (_items(found, name), _items(expected["measures"], name)) for name in FIELDS}
    if "decisions" in expected:
        pairs["decisions"] = (
            _decisions(parsed["decisions"]),
            _decisions(expected["decisions"]),
        )
    for name, (f, e) in pairs.items():
        missing, extra = list((e - f).elements()), list((f - e).elements())
        if missing or extra:
            out[name] = {"missing": missing, "extra": extra}
    return out
