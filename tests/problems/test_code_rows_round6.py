"""Code rows as real datasets hold them, round 6: tests whose code never compares anything (a script, pytest tests,
a TestCase or a check that print or assign results, or a checker nothing calls) and tests all marked xfail or
expectedFailure are refused at load instead of passing every program that runs; a parametrize given by keyword that
cannot be read is refused naming the form the runner reads; tests nested past Python's parser and cases whose kind
or function is not text are their row's skip, not a traceback stopping the run."""

import pytest

from helpers.rows import load
from ptsfast.problems.code_tests import TestFormatError, test_program_from_row as program_from_row
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
RIGHT, WRONG = "def f(x):\n    return x + 1\n", "def f(x):\n    return 0\n"


@pytest.mark.parametrize("field, tests", [
    ("test", "print(f(1))  # 2\nprint(f(2))  # 3\n"),  # "example usage" printed, its expected values in comments
    ("test_list", ["print(f(1))", "print(f(2))"]),
    ("test", "result = f(1)\nprint(result == 2)\n"),  # the comparison's value printed beside an assignment
    ("test", "print('PASS' if f(1) == 2 else 'FAIL')\n"),
    ("test", "def check_function():\n    assert f(1) == 2\n    assert f(2) == 3\n\nprint('tests defined')\n"),
    ("test", "import math\n\ndef verify():\n    assert f(1) == 2\n\nvalue = f(math.floor(1.5))\n"),
])
def test_scripts_that_never_compare_are_refused_not_passed_by_every_program(tmp_path, field, tests):
    # LLM-written tests that print their results, or define a checker and never call it: every program that ran
    # passed them, a wrong one too
    with pytest.raises(TestFormatError, match="never compare"):
        program_from_row({field: tests}, (field,), None, "")
    r = load(tmp_path, [{"question": "Write f, which adds one.", field: tests}], oracle="code")
    assert not r.problems and "never compare" in r.skipped[0]


@pytest.mark.parametrize("row", [
    {"test": "def assertion(out, exp, atol):\n    assert out == exp\n\ninputs = [[1], [2]]\nresults = [2, 3]\n"
             "for inp, exp in zip(inputs, results):\n    assertion(f(*inp), exp, 0)\n"},  # MBPP+'s test
    {"test_list": ["same(f(1), 2)", "same(f(2), 3)"],
     "test_setup_code": "def same(a, b):\n    assert a == b, (a, b)\n"},  # a checker the setup code defines
    {"test": "def verify(x, y):\n    if x != y:\n        raise ValueError((x, y))\n\nverify(f(1), 2)\n"},
    {"test": "import sys\n\nif f(1) != 2:\n    sys.exit(1)\n"},
    {"test": "def run():\n    assert f(1) == 2\n\nif __name__ == '__main__':\n    run()\n"},
    {"test": "checks = [lambda: f(1) == 2]\nassert all(c() for c in checks)\n"},
])
def test_scripts_that_compare_through_a_checker_still_run(tmp_path, row):
    p, = load(tmp_path, [{"question": "Write f, which adds one.", **row}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success
    assert not CODE(f"```python\n{WRONG}```", p).success


@pytest.mark.parametrize("tests", [
    "from solution import f\n\ndef test_f():\n    print(f(1))\n\ndef test_g():\n    result = f(2)\n",
    "from solution import f\n\nclass TestF:\n    def test_one(self):\n        f(1)\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        print(f(1))\n",
    "def check(candidate):\n    print(candidate(1))\n    print(candidate(2))\n",
])
def test_tests_whose_every_test_never_compares_are_refused(tmp_path, tests):
    # pytest functions, a TestCase or a HumanEval check that print or assign what the function returns: every
    # program that ran passed them
    with pytest.raises(TestFormatError, match="never compare"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")


CHECKED = [
    "import pytest\nfrom solution import f\n\ndef test_f():\n    with pytest.raises(ValueError):\n        f(-1)\n",
    "import unittest\n\nclass Base(unittest.TestCase):\n    def same(self, x, y):\n"
    "        self.assertEqual(f(x), y)\n\n"
    "class TestF(Base):\n    def test_one(self):\n        self.same(1, 2)\n",
    "import unittest\nfrom unittest import mock\n\nclass T(unittest.TestCase):\n    def test_f(self):\n"
    "        m = mock.Mock(side_effect=f)\n        m(1)\n        m.assert_called_once_with(1)\n        print(f(1))\n"
    "        self.assertEqual(f(-1), 0)\n",
    "def check(candidate):\n    for x, y in [(1, 2), (2, 3)]:\n        if candidate(x) != y:\n"
    "            raise AssertionError(x)\n",
]


@pytest.mark.parametrize("tests", CHECKED)
def test_tests_that_check_through_raises_a_helper_or_a_mock_still_load(tests):
    assert program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "").format in (
        "pytest", "unittest", "humaneval")



@pytest.mark.parametrize("src", [
    "assert " + "-" * 100000 + "1",  # the parser's MemoryError
    "assert a" + ".b" * 100000,  # RecursionError building the tree
    "assert " + "+".join(["1"] * 100000) + " == 2",
    "assert " + "lambda: " * 20000 + "1",
])
@pytest.mark.parametrize("field", ["test", "test_list", "generated_checker"])
def test_tests_nested_past_the_parser_are_that_rows_skip(tmp_path, src, field):
    # tests (or a checker) nested deeper than Python's parser goes raised MemoryError or RecursionError out of the
    # loader: the whole run stopped with a traceback, its good rows unread
    row = {"question": "Write f.", field: [src] if field == "test_list" else src}
    if field == "generated_checker":
        row["official_tests"] = [{"input": "1\n", "output": "2\n"}]
    good = {"question": "Write g.", "test_list": ["assert f(1) == 2"]}
    r = load(tmp_path, [row, good], oracle="code")
    assert len(r.problems) == 1 and r.skipped[0].row == 1 and "nested" in r.skipped[0]


@pytest.mark.parametrize("field, tests", [
    ("public_test_cases", [{"input": "1\n", "output": "2\n", "testtype": ["stdin"]}]),
    ("public_test_cases", [{"input": "[1]", "output": "2", "testtype": "functional",
                            "metadata": {"func_name": ["f"]}}]),
    ("verification_info", {"test_cases": [{"type": {"kind": "stdin_stdout"}, "input": "1\n", "output": "2\n"}]}),
    ("verification_info", {"test_cases": [{"type": "function_call", "fn_name": ["f"], "input": [1], "output": 2}]}),
])
def test_a_case_whose_kind_or_function_is_not_text_is_that_rows_skip(tmp_path, field, tests):
    # a case's testtype, type, fn_name or func_name given as a list or an object (a malformed export) raised
    # TypeError (unhashable) out of the loader: the whole run stopped, its good rows unread
    good = {"question": "Write g.", "test_list": ["assert f(1) == 2"]}
    r = load(tmp_path, [{"question": "Write f.", field: tests}, good], oracle="code")
    assert len(r.problems) == 1 and r.skipped[0].row == 1 and "not text" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    "import pytest\nfrom solution import f\n\n@pytest.mark.xfail\ndef test_f():\n    assert f(1) == 2\n",
    "import pytest\nfrom solution import f\n\n@pytest.mark.xfail(reason='flaky')\ndef test_f():\n"
    "    assert f(1) == 2\n\n"
    "@pytest.mark.skip\ndef test_g():\n    assert f(2) == 3\n",
    "import pytest\nfrom solution import f\n\npytestmark = pytest.mark.xfail(strict=True)\n\ndef test_f():\n"
    "    assert f(1) == 2\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    @unittest.expectedFailure\n    def test_f(self):\n"
    "        self.assertEqual(f(1), 2)\n",
])
def test_tests_all_marked_to_fail_are_refused(tmp_path, tests):
    # a test marked xfail passes whether it fails or not (strict: it fails a right program and passes a wrong one),
    # and unittest's expectedFailure likewise: a row whose every test is so marked passed every program
    with pytest.raises(TestFormatError, match="expected to fail"):
        program_from_row({"test": tests}, ("test",), None, "")
    one = "import pytest\nfrom solution import f\n\n@pytest.mark.xfail\ndef test_f():\n    assert f(0) == 7\n\n" \
          "def test_g():\n    assert f(1) == 2\n"  # one test judged: the row is
    p, = load(tmp_path, [{"question": "Write f.", "test": one}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success and not CODE(f"```python\n{WRONG}```", p).success


def test_a_parametrize_given_by_keyword_still_names_the_fix_where_it_cannot_be_read():
    # @pytest.mark.parametrize(argnames=..., argvalues=...) was refused as asking for fixtures (x, y) that ptsfast
    # does not provide, which named no way out: its runner reads the names and values by position only. Given by
    # keyword it is now read as pytest reads it (test_dataset_shapes_round25); one whose values come from a mapping
    # unpacked into it (**kwargs) is still refused naming the form the runner reads
    tests = "import pytest\nfrom solution import f\n\nKW = dict(argnames='x, y', argvalues=[(1, 2), (2, 3)])\n\n" \
            "@pytest.mark.parametrize(argnames='x, y', **KW)\ndef test_f(x, y):\n    assert f(x) == y\n"
    with pytest.raises(TestFormatError, match=r"by keyword.*parametrize\('x, y', \[\.\.\.\]\)"):
        program_from_row({"test": tests}, ("test",), None, "")
