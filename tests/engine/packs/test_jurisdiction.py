"""A pack's ``jurisdiction``: a region code of the catalogue, 全国, or nothing; an unknown code is
a check error at its line, and read_jurisdiction gives the code without checking the rest."""

from __future__ import annotations

import pytest

from gaoxin.engine.packs import check_pack, load_pack
from gaoxin.engine.packs.loader import jurisdiction_label, read_jurisdiction
from gaoxin.engine.problems import ProblemsError
from tests.engine.packs.test_loader import GOOD_RULE, line_of, write


def with_jurisdiction(tmp_path, value: str):
    return write(tmp_path, f"jurisdiction: {value}\n" + GOOD_RULE)


@pytest.mark.parametrize(
    ("value", "region", "label"),
    [
        ('"350000"', "350000", "福建省"),
        ("331000", "331000", "台州市"),  # unquoted: YAML reads a number, the pack keeps text
        ("全国", None, "全国"),
    ],
)
def test_a_region_code_or_nationwide_loads(tmp_path, value, region, label):
    pack = load_pack(with_jurisdiction(tmp_path, value))
    assert pack.spec.region == region
    assert jurisdiction_label(pack.spec.region) == label
    assert read_jurisdiction(tmp_path) == region


def test_no_jurisdiction_is_the_whole_country(tmp_path):
    pack = load_pack(write(tmp_path, GOOD_RULE))
    assert (pack.spec.jurisdiction, pack.spec.region) == (None, None)
    assert read_jurisdiction(tmp_path) is None


def test_an_unknown_code_is_an_error_at_its_line(tmp_path):
    d = with_jurisdiction(tmp_path, '"359999"')
    (p,) = [x for x in check_pack(d) if x.severity == "error"]
    assert (p.code, p.row, p.value) == ("pack.jurisdiction", line_of(d, "jurisdiction:"), "359999")
    assert p.file == str(d / "pack.yaml") and "regions.csv" in p.message
    with pytest.raises(ProblemsError) as e:
        read_jurisdiction(d)
    assert e.value.problems[0].row == p.row


def test_a_region_name_instead_of_its_code_gets_the_code(tmp_path):
    d = with_jurisdiction(tmp_path, "福建省")
    (p,) = [x for x in check_pack(d) if x.severity == "error"]
    assert p.code == "pack.jurisdiction" and "350000" in p.message


def test_the_shipped_packs_name_their_regions():
    from gaoxin.commands.packs import shipped_packs

    got = {d.name: read_jurisdiction(d) for d in shipped_packs()}
    assert got == {
        "fujian-2021": "350000",
        "gansu": "620000",
        "national-14th-fyp": None,
        "sichuan": "510000",
        "taizhou-2024": "331000",
    }


def test_packs_check_prints_the_file_and_line_of_an_unknown_code(tmp_path):
    from typer.testing import CliRunner

    from gaoxin.cli import app

    d = with_jurisdiction(tmp_path, '"359999"')
    r = CliRunner().invoke(app, ["packs", "check", str(d)])
    assert r.exit_code == 1
    out = r.output.replace("\n", "")
    assert f"pack.yaml:{line_of(d, 'jurisdiction:')}" in out and "359999" in out
