"""Dataset rows as real datasets publish them, round 25: pytest tests importing the program as ``main`` (or
``Solution``, and patching ``'main.add'``), and a ``@pytest.mark.parametrize`` given its names and values by keyword,
run as written instead of being refused; a test skipping itself at once beside real ones is left out as pytest
leaves it (it failed every program), and rows whose every test so skips are refused; TACO's stdin lines given as
numbers are read as their text."""

import json

import pytest

from helpers.rows import load
from ptsfast.problems.code_tests import test_program_from_row as program_from_row
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
Q = "Write add(a, b) and double(x), which is add(x, x) times 2."
RIGHT = "```python\ndef add(a, b):\n    return a + b\n\ndef double(x):\n    return add(x, x) * 2\n```"
WRONG = "```python\ndef add(a, b):\n    return a - b\n\ndef double(x):\n    return add(x, x) * 2\n```"
PATCHED = "```python\ndef add(a, b):\n    return a + b\n\ndef double(x):\n    return (x + x) * 2\n```"  # add unused


def _judged(tmp_path, tests):
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    return CODE(RIGHT, p).success, CODE(WRONG, p).success


@pytest.mark.parametrize("tests", [
    "from main import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "import main\n\ndef test_add():\n    assert main.add(1, 2) == 3\n",
    "import main as m\n\ndef test_add():\n    assert m.add(1, 2) == 3\n",
    "import unittest\nfrom Solution import add\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
    "        self.assertEqual(add(1, 2), 3)\n",
    "def test_add():\n    from main import add\n    assert add(1, 2) == 3\n",
], ids=["from", "import", "as", "Solution-unittest", "inside"])
def test_tests_importing_the_program_as_main_run_as_written(tmp_path, tests):
    # refused ("the solution under another module name?") though nothing but the module's name stood in the way
    assert _judged(tmp_path, tests) == (True, False)


@pytest.mark.parametrize("target", ["'main.add'", "target='main.add'"])
def test_tests_patching_the_program_as_main_patch_the_program(tmp_path, target):
    tests = f"from unittest import mock\nimport main\n\ndef test_add():\n    assert main.add(1, 2) == 3\n\n" \
            f"def test_double_uses_add():\n    with mock.patch({target}, return_value=5) as m:\n" \
            f"        assert main.double(1) == 10\n    m.assert_called_once_with(1, 1)\n"
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert "'solution.add'" in p.tests and "'main.add'" not in p.tests
    assert CODE(RIGHT, p).success and not CODE(WRONG, p).success
    assert not CODE(PATCHED, p).success  # double not calling add: the patch the tests check is of the program's add


def test_text_that_only_reads_like_the_module_is_left_as_written(tmp_path):
    tests = "from main import add\n\ndef test_add():\n    assert add('main.', 'py') == 'main.py'\n"
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert "'main.py'" in p.tests and "from solution import add" in p.tests
    assert CODE(RIGHT, p).success


@pytest.mark.parametrize("tests", [
    "import importlib\nfrom main import add\n\ndef test_add():\n    assert importlib.import_module('main').add(1, 2) "
    "== 3\n",
    "import main.utils\n\ndef test_add():\n    assert main.utils.add(1, 2) == 3\n",
    "from main import add\nfrom solution import double\n\ndef test_add():\n    assert add(1, 2) == double(1) - 1\n",
], ids=["import_module", "submodule", "both-names"])
def test_tests_reaching_the_module_otherwise_are_still_refused_naming_it(tmp_path, tests):
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "the solution under another module name" in r.skipped[0]


def test_a_module_that_is_installed_is_never_taken_for_the_program():
    tests = "import json as main\nfrom solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    assert program_from_row({"test": tests}, ("test",), None, "").tests == tests


@pytest.mark.parametrize("decorator", [
    "@pytest.mark.parametrize(argnames='a, b, c', argvalues=[(1, 2, 3), (2, 2, 4)])",
    "@pytest.mark.parametrize('a, b, c', argvalues=[(1, 2, 3), (2, 2, 4)])",
    "@pytest.mark.parametrize(\n    argvalues=[\n        (1, 2, 3),\n        (2, 2, 4),\n    ],\n"
    "    argnames=['a', 'b', 'c'],\n    ids=['one', 'two'],\n)",
], ids=["both", "values", "multiline"])
def test_a_parametrize_given_by_keyword_runs_its_cases(tmp_path, decorator):
    # refused ("the runner reads them by position only"): pytest takes them by keyword as well
    tests = f"import pytest\nfrom solution import add\n\n{decorator}\ndef test_add(a, b, c):\n" \
            f"    assert add(a, b) == c\n\ndef test_line():\n    assert add(0, 0) == 0\n"
    program = program_from_row({"test": tests}, ("test",), None, "")
    assert "argnames" not in program.tests and program.tests.count("\n") == tests.count("\n")  # lines kept
    assert _judged(tmp_path, tests) == (True, False)
    one = "```python\ndef add(a, b):\n    return 3 if a == 1 else 0\n```"  # right on the first case alone
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert not CODE(one, p).success


ADD_TESTS = "import pytest\nfrom solution import add\n\ndef test_add():\n    assert add(1, 2) == 3\n\n"


@pytest.mark.parametrize("skipping", [
    "def test_slow():\n    pytest.skip('too slow')\n    assert add(10 ** 6, 1) == 10 ** 6 + 1\n",
    "def test_later():\n    \"\"\"To do.\"\"\"\n    pytest.xfail('not written yet')\n",
    "class TestLater:\n    def setup_method(self):\n        pytest.skip('later')\n\n    def test_big(self):\n"
    "        assert add(2, 2) == 5\n",
    "import unittest\n\nclass TestSkipped(unittest.TestCase):\n    def test_net(self):\n        self.skipTest('no "
    "network')\n\n    def test_raise(self):\n        raise unittest.SkipTest('no network')\n",
], ids=["pytest.skip", "xfail", "setup_method", "unittest"])
def test_a_test_that_skips_itself_at_once_beside_real_ones_is_left_out_not_failing_every_program(tmp_path, skipping):
    # pytest counts it skipped and judges the others; the runner failed every program, a right one too, at its skip
    assert _judged(tmp_path, ADD_TESTS + skipping) == (True, False)


@pytest.mark.parametrize("tests", [
    "import pytest\nfrom solution import add\n\ndef test_add():\n    pytest.skip('later')\n    assert add(1, 2) == 3\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        self.skipTest('no')\n\n"
    "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n",
    "import pytest\nfrom solution import add\npytest.skip('py2 only', allow_module_level=True)\n\ndef test_add():\n"
    "    assert add(1, 2) == 3\n",
    "import pytest\nfrom solution import add\n\n@pytest.mark.skipif(True, reason='flaky')\ndef test_add():\n"
    "    assert add(1, 2) == 3\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    @unittest.skipUnless(False, 'never')\n"
    "    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n",
], ids=["body", "setUp", "module", "skipif-True", "skipUnless-False"])
def test_tests_that_all_skip_whatever_the_program_are_refused(tmp_path, tests):
    # no test ran: every program, a right one too, failed
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "every test is marked skipped" in r.skipped[0]


def test_a_skip_under_a_condition_still_judges(tmp_path):
    tests = ADD_TESTS + "import sys\n\n@pytest.mark.skipif(sys.version_info < (3,), reason='py2')\ndef test_two():\n" \
                        "    if sys.version_info < (3,):\n        pytest.skip('py2')\n    assert add(2, 2) == 4\n"
    assert _judged(tmp_path, tests) == (True, False)


def test_an_importorskip_of_a_module_not_installed_is_refused_naming_it(tmp_path):
    tests = "import pytest\nzz = pytest.importorskip('zz_not_installed_lib')\n" + ADD_TESTS.split("\n", 1)[1]
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "importorskip('zz_not_installed_lib')" in r.skipped[0]
    installed = "import pytest\njs = pytest.importorskip('json')\n" + ADD_TESTS.split("\n", 1)[1]
    assert _judged(tmp_path, installed) == (True, False)


def test_a_testcase_of_no_tests_beside_pytest_tests_leaves_them_to_judge(tmp_path):
    # a TestCase holding only helpers made the file run as unittest's, where no test ran: every program failed
    tests = ADD_TESTS + "import unittest\n\nclass Helpers(unittest.TestCase):\n    def numbers(self):\n" \
                        "        return [1, 2]\n"
    assert _judged(tmp_path, tests) == (True, False)


def test_taco_stdin_lines_given_as_numbers_are_their_text(tmp_path):
    # TACO's judge writes each line of a listed input or output as its str(); a number among them was refused
    io = {"inputs": [[1, 2], ["5", 5]], "outputs": [[3], ["10"]]}
    row = {"question": "Read two numbers, one a line, and print their sum.", "input_output": json.dumps(io)}
    p, = load(tmp_path, [row], oracle="code").problems
    right = "```python\na = int(input())\nb = int(input())\nprint(a + b)\n```"
    assert CODE(right, p).success and not CODE("```python\nprint(3)\n```", p).success


PARAMS = "import pytest\nfrom solution import add\n\n@pytest.mark.parametrize('a, b, c', [\n" \
         "    pytest.param(1, 2, 3, marks=pytest.mark.skip(reason='slow')),\n" \
         "    pytest.param(2, 2, 4, marks=[pytest.mark.xfail]),\n])\ndef test_add(a, b, c):\n" \
         "    assert add(a, b) == c\n"


def test_a_parametrize_whose_every_case_is_marked_skipped_is_refused(tmp_path):
    # no case ran (or each one's failure passed): every program failed, or passed
    r = load(tmp_path, [{"question": Q, "test": PARAMS}], oracle="code")
    assert not r.problems and "every test is marked skipped" in r.skipped[0]
    one = PARAMS.replace("    pytest.param(2, 2, 4, marks=[pytest.mark.xfail]),\n", "    (2, 2, 4),\n")
    assert _judged(tmp_path, one) == (True, False)


def test_a_lambda_named_like_a_checker_whose_comparison_is_dropped_is_refused(tmp_path):
    # check() was read as a checker's call; the lambda returns its comparison, dropped: every program passed
    tests = "from solution import add\n\ncheck = lambda: add(1, 2) == 3\n\ndef test_add():\n    check()\n"
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "never compare what the program returns" in r.skipped[0]
    assert _judged(tmp_path, tests.replace("    check()", "    assert check()")) == (True, False)


def test_a_parametrize_given_indirect_by_position_hands_its_values_to_the_fixture(tmp_path):
    # parametrize('pair', [...], True): the runner read indirect by keyword only, so the test got the raw (a, b)
    # instead of the fixture's (a, b, a + b), and every program, a right one too, failed
    tests = "import pytest\nfrom solution import add\n\n@pytest.fixture\ndef pair(request):\n" \
            "    a, b = request.param\n    return (a, b, a + b)\n\n" \
            "@pytest.mark.parametrize('pair', [(1, 2), (2, 5)], True, ['small', 'big'])\n" \
            "def test_add(pair):\n    a, b, c = pair\n    assert add(a, b) == c\n"
    assert "indirect=True, ids=['small', 'big']" in program_from_row({"test": tests}, ("test",), None, "").tests
    assert _judged(tmp_path, tests) == (True, False)
