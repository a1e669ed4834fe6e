"""Code rows as real datasets hold them, round 2: KodCode's pytest files, stdin/stdout cases whose expected output is
a JSON number; a right program passes, a wrong one fails, a row that cannot run is refused naming the field."""

import json

import pytest

from helpers.judging import assert_tells_apart, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def program(row: dict, fields: tuple[str, ...]) -> code_tests.TestProgram:
    return code_tests.test_program_from_row(row, fields, None, "")


def test_a_pytest_parameter_with_a_default_is_the_tests_own_value_not_a_fixture():
    # pytest fills only the parameters without a default (a KodCode test's ``n=1000``): the row was refused as one
    # asking for a fixture 'n'
    tests = ("from solution import f\n\ndef test_small():\n    assert f(2) == 3\n\n"
             "def test_large(n=1000, *, step=1):\n    assert f(n) == n + step\n")
    assert_tells_apart(tests, "def f(x):\n    return x + 1\n", "def f(x):\n    return x + (x < 100)\n")
    # a keyword-only parameter without a default is a fixture pytest is asked for: refused when unknown (it was
    # loaded, and the test failed every program with a TypeError), given when it is pytest's
    with pytest.raises(code_tests.TestFormatError, match=r"test_f\(\) asks for fixtures \(store\)"):
        code_tests.TestProgram.from_text("def test_f(*, store):\n    assert store\n")
    assert_tells_apart("from solution import f\n\ndef test_f(*, tmp_path):\n    assert f(tmp_path) == 1\n",
                       "def f(p):\n    (p / 'a').write_text('x')\n    return len(list(p.iterdir()))\n",
                       "def f(p):\n    return 0\n")
