"""The line-aware YAML reader the pack loader and case files share."""

import pytest
import yaml

from gaoxin.engine.packs.yaml_lines import read_yaml

TEXT = """\
id: p
issued: 2022-11-01
rules:
  - id: a
    when: |
      x > 1
  - id: b
"""


def test_every_path_has_its_line_and_dates_stay_text():
    doc = read_yaml(TEXT)
    assert doc.data == {
        "id": "p",
        "issued": "2022-11-01",
        "rules": [{"id": "a", "when": "x > 1\n"}, {"id": "b"}],
    }
    assert doc.line("issued") == 2
    assert doc.line("rules", 0) == 4
    assert doc.line("rules", 0, "when") == 5  # the key's line, not the block's
    assert doc.nodes[("rules", 0, "when")].style == "|"
    assert doc.line("rules", 1, "id") == 7
    # a path below an item that has no line of its own takes its nearest enclosing one
    assert doc.line("rules", 1, "money", "cap") == 7


def test_empty_document_and_syntax_error():
    assert read_yaml("").data is None
    assert read_yaml("").root is None
    with pytest.raises(yaml.YAMLError):
        read_yaml("a: [1, 2\nb: 3\n")
