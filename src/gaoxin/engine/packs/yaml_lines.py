"""YAML read with the line of every item, so a problem found later (a pydantic error, a bad
formula, a case that fails) can point at the line of the file where the item is written.

``read_yaml(text)`` parses once and returns the data with a map from each path inside it (keys
and list indexes, e.g. ``("rules", 3, "when")``) to its 1-based line. Dates stay text, so
pydantic parses them and reports a bad one with its field. Used by the pack loader and the pack
case files (gaoxin.engine.packs.cases).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

#: A path inside a YAML document: mapping keys and sequence indexes from the root.
YamlPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    pass


def _no_dates(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _no_dates)


@dataclass(frozen=True)
class LinedYaml:
    """A parsed YAML document: ``data`` (plain Python values, dates as text), the composed
    ``root`` node, and for every path its line (``lines``) and node (``nodes``)."""

    data: Any
    root: yaml.Node | None
    lines: Mapping[YamlPath, int] = field(default_factory=dict, repr=False)
    nodes: Mapping[YamlPath, yaml.Node] = field(default_factory=dict, repr=False)

    def line(self, *path: str | int) -> int | None:
        """The line of ``path``, or of its nearest enclosing item that has one."""
        return line_of(self.lines, path)


def read_yaml(text: str) -> LinedYaml:
    """Parse ``text``; raises :class:`yaml.YAMLError` on a syntax error (turn it into a problem
    with :func:`gaoxin.engine.problems.yaml_problem`). An empty document has ``data`` None."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _refuse_alias_bomb(root)
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    lines: dict[YamlPath, int] = {}
    nodes: dict[YamlPath, yaml.Node] = {}
    if root is not None:
        _walk(root, (), lines, nodes)
    return LinedYaml(data, root, lines, nodes)


# Anchors and aliases (&w / *w) share a part of a framework; nested, a few dozen of them expand
# to billions of nodes (the "billion laughs"). The largest shipped file expands to a few
# thousand; a hundred thousand is far beyond any pack and still instant.
MAX_EXPANDED_NODES = 100_000


class AliasBombError(yaml.YAMLError):
    def __str__(self) -> str:
        return (
            f"YAML 展开后超过 {MAX_EXPANDED_NODES:,} 个节点：别名（*引用）层层嵌套，"
            "可能是“别名炸弹”，未读取；请直接写出内容或减少引用"
        )


def _refuse_alias_bomb(root: yaml.Node) -> None:
    """Count the nodes ``root`` expands to, each shared node once per use, without expanding."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            sizes[id(node)] = 1
            continue
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[id(node)] > MAX_EXPANDED_NODES:
                raise AliasBombError()
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)


def line_of(lines: Mapping[YamlPath, int], path: YamlPath) -> int | None:
    """The line of ``path`` in ``lines``, walking up to the nearest enclosing item."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get((), None)


def _walk(
    node: yaml.Node, path: YamlPath, out: dict[YamlPath, int], nodes: dict[YamlPath, yaml.Node]
) -> None:
    out[path] = node.start_mark.line + 1
    nodes[path] = node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            _walk(v, (*path, key), out, nodes)
            out[(*path, key)] = k.start_mark.line + 1  # the key's line, not its value's
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, (*path, i), out, nodes)
