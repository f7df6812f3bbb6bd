"""Composite evaluation: frameworks (indicator trees), treatment, scoring, weights, aggregation,
ranks and grades, analysis and uncertainty. A pipeline of verbs in COINr's shape, vectorised."""

from gaoxin.engine.composite.pipeline import Evaluation, evaluate, read_data, run_json
from gaoxin.engine.composite.spec import Framework, Node, Scoring, check_framework, load_framework

__all__ = [
    "Evaluation",
    "Framework",
    "Node",
    "Scoring",
    "check_framework",
    "evaluate",
    "load_framework",
    "read_data",
    "run_json",
]
