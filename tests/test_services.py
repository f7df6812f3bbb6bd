"""gaoxin.services: the one scope check every application service makes, and refusals that a
page or the API answers with 404 while the CLI prints their Chinese message."""

import pytest
from django.contrib.auth import get_user_model
from django.core.handlers.exception import response_for_exception
from django.test import RequestFactory

from gaoxin.engine.problems import ProblemsError
from gaoxin.services import NotFound, OutOfScope, check_scope, entity_in_scope, scope_for
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return factories.small_tree()


def test_a_user_acts_in_their_subtree_only(tree):
    xm = factories.user_in(tree["xm"])
    for inside in ("xm", "torch", "a"):
        check_scope(xm, tree[inside])
    for outside in ("fj", "fz", "fzz", "c"):
        with pytest.raises(OutOfScope):
            check_scope(xm, tree[outside])
    with pytest.raises(OutOfScope, match="全部数据"):
        check_scope(xm, None)
    assert entity_in_scope(xm, tree["b"]) and not entity_in_scope(xm, tree["c"])
    assert scope_for(xm) == tree["xm"]


def test_the_terminal_and_a_superuser_have_the_whole_store(tree):
    root = get_user_model().objects.create_superuser("root")
    for by in (None, root):
        check_scope(by, None)
        check_scope(by, tree["c"])
        assert scope_for(by) is None


def test_a_user_without_a_scope_may_do_nothing(tree):
    nobody = get_user_model().objects.create_user("nobody")
    with pytest.raises(OutOfScope, match="尚未设定数据范围"):
        check_scope(nobody, tree["a"])


def test_a_refusal_reads_as_one_chinese_problem_and_answers_404(tree):
    with pytest.raises(ProblemsError) as refused:
        check_scope(factories.user_in(tree["xm"]), tree["fz"])
    [problem] = refused.value.problems
    assert problem.code == "scope.outside" and problem.value == "350100"
    assert (
        str(refused.value)
        == problem.message
        == ("范围「福州市（350100）」不在您的数据范围（厦门市（350200））内，未做任何读取或修改")
    )
    request = RequestFactory().get("/")
    for exc in (refused.value, NotFound("台账中没有第 7 号记录")):
        assert response_for_exception(request, exc).status_code == 404


def test_the_api_answers_404_too(tree):
    from rest_framework.views import exception_handler

    response = exception_handler(NotFound("台账中没有第 7 号记录"), {})
    assert response.status_code == 404 and response.data["detail"] == "台账中没有第 7 号记录"
