"""Framework validation: every problem at once, with the YAML path and line."""

import textwrap

import pytest

from gaoxin.engine.composite import check_framework, load_framework
from gaoxin.engine.composite.spec import check_columns
from gaoxin.engine.problems import ProblemsError


def _load(tmp_path, text):
    p = tmp_path / "fw.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_framework(p)


def test_weights_must_sum_where_required(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(
            tmp_path,
            """\
            framework: t
            index:
              code: I
              weights_sum: 100
              children:
                - {code: a, weight: 60}
                - {code: b, weight: 30}
            """,
        )
    (p,) = e.value.problems
    assert p.code == "framework.weights_sum"
    assert "90" in p.message and "100" in p.message
    assert p.column == "index.children"
    assert p.row == 5  # the line of "children:"


def test_duplicate_codes_and_unknown_fields_all_reported(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(
            tmp_path,
            """\
            framework: t
            index:
              code: I
              children:
                - code: a
                - code: a
                  wieght: 2
            """,
        )
    codes = sorted(p.code for p in e.value.problems)
    assert codes == ["framework.duplicate", "framework.invalid"]
    dup = next(p for p in e.value.problems if p.code == "framework.duplicate")
    assert dup.column == "index.children[1].code" and dup.row == 6
    bad = next(p for p in e.value.problems if p.code == "framework.invalid")
    assert bad.column == "index.children[1].wieght" and bad.row == 7
    assert "未知的字段" in bad.message


def test_cycle_through_yaml_alias():
    node = {"code": "I"}
    node["children"] = [node]
    with pytest.raises(ProblemsError) as e:
        check_framework({"framework": "t", "index": node})
    assert e.value.problems[0].code == "framework.cycle"


def test_inconsistent_ahp_matrix_is_rejected_in_chinese(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(
            tmp_path,
            """\
            framework: t
            index:
              code: I
              weights: ahp
              pairwise: [[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]]
              children: [{code: a}, {code: b}, {code: c}]
            """,
        )
    (p,) = e.value.problems
    assert p.code == "framework.ahp" and "一致性比率 CR" in p.message and "须小于 0.1" in p.message
    assert p.row == 5 and p.column == "index.pairwise"


def test_ahp_fractions_and_bad_entries(tmp_path):
    fw = _load(
        tmp_path,
        """\
        framework: t
        index:
          code: I
          weights: ahp
          pairwise: [[1, 3], [1/3, 1]]
          children: [{code: a}, {code: b}]
        """,
    )
    assert fw.index.pairwise == [[1, 3], [1 / 3, 1]]
    with pytest.raises(ProblemsError) as e:
        _load(
            tmp_path,
            """\
            framework: t
            index:
              code: I
              weights: ahp
              pairwise: [[1, 3], [one third, 1]]
              children: [{code: a}, {code: b}]
            """,
        )
    (p,) = e.value.problems
    assert p.column == "index.pairwise[1][0]" and p.value == "one third" and p.message == "应为数字"


def test_yaml_syntax_error_has_line(tmp_path):
    with pytest.raises(ProblemsError) as e:
        _load(tmp_path, "framework: t\nindex: {code: I\n  children: [\n")
    assert e.value.problems[0].code == "framework.yaml" and e.value.problems[0].row is not None


def test_unknown_indicator_columns(asem_fw, asem_data):
    probs = check_columns(asem_fw, [c for c in asem_data.columns if c not in ("LPI", "Area")])
    assert {p.column for p in probs} == {"LPI", "Area"}
    assert all(p.code == "data.missing_column" for p in probs)


def test_asem_framework_hash_is_stable(asem_fw):
    assert asem_fw.content_hash() == asem_fw.model_copy().content_hash()
    assert len(asem_fw.indicators()) == 49
