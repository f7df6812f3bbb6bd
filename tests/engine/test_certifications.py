"""One list of certification kinds: the expression language, the registry and the demo agree."""

from gaoxin.engine import certifications, synth
from gaoxin.engine.expr.certification import KINDS


def test_the_expression_language_accepts_every_kind():
    assert set(KINDS) == set(certifications.ENTERPRISE_KINDS) | set(
        certifications.INSTITUTION_KINDS
    )


def test_the_demo_only_generates_known_kinds():
    assert set(synth.INSTITUTION_KINDS) <= set(certifications.INSTITUTION_KINDS)
    assert set(synth.ENTERPRISE_CERTIFICATIONS) <= set(certifications.ENTERPRISE_KINDS)
