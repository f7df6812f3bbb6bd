"""A YAML alias bomb in a pack is refused in milliseconds with a problem, not expanded
(issue 15, item 2); the anchors the shipped frameworks use still load."""

from pathlib import Path

from gaoxin.engine.packs import check_pack
from gaoxin.engine.packs.yaml_lines import read_yaml


def bomb() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"  # 9**9 strings once expanded


def test_an_alias_bomb_in_a_pack_is_a_problem(tmp_path: Path):
    (tmp_path / "pack.yaml").write_text(bomb(), encoding="utf-8")
    problems = check_pack(tmp_path)  # expanded, this would not finish
    assert [p.code for p in problems] == ["pack.yaml"]
    assert "别名" in problems[0].message


def test_the_anchors_of_shipped_files_still_load():
    root = Path(__file__).resolve().parents[3] / "src" / "gaoxin" / "packs"
    for f in sorted(root.rglob("*.yaml")):
        read_yaml(f.read_text(encoding="utf-8"))
