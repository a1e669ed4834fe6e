"""Code test formats: each dataset's row shape (fixtures/) loaded and judged through the CLI's path, attacks on the
verdict, rows that cannot run refused at load, and the oracle timeout as the sandbox's wall limit."""

import json
import logging
import platform
from pathlib import Path

import pytest

from ptsfast.cli import build_parser, field_map
from ptsfast.problems import code_tests
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.loading import Problem, load_problems
from ptsfast.problems.oracles import isolation_status, make_judge

FIXTURES = Path(__file__).with_name("fixtures")
SOLUTIONS = json.loads((FIXTURES / "solutions.json").read_text())
FORMAT = {"humaneval.jsonl": ["humaneval"] * 2, "evalplus_humaneval.jsonl": ["humaneval"], "mbpp.jsonl": ["script"] * 2,
          "mbpp_sanitized.jsonl": ["script"], "mbppplus.jsonl": ["script"], "apps.jsonl": ["stdio", "call"],
          "code_contests.jsonl": ["stdio"], "pytest.jsonl": ["pytest"] * 2, "unittest.jsonl": ["unittest"] * 2,
          "livecodebench.jsonl": ["call", "stdio"], "verifiable_coding.jsonl": ["stdio", "call"],
          "codeforces.jsonl": ["stdio"] * 3, "leetcode.jsonl": ["humaneval"] * 2,
          "verl_code.jsonl": ["script", "stdio", "script"], "bigcodebench.jsonl": ["unittest"],
          "deepcoder.jsonl": ["call"], "evalplus_raw.jsonl": ["call"] * 2}

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def load(name: str, *flags: str):
    """Problems of a fixture file (or any path), loaded as ``ptsfast mine --oracle code`` loads them."""
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(FIXTURES / name), "--out", "o",
                                      "--oracle", "code", *flags])
    return load_problems(args.problems, field_map(args))


def io_problem(row: dict) -> Problem:
    """A problem whose tests are the row's ``input_output`` column."""
    return Problem("p", str(row.get("question", "")), None,
                   code_tests.test_program_from_row(row, ("input_output",), None, None).to_text())


def answer(code: str) -> str:
    return f"Here is the solution:\n```python\n{code}```\nIt works."


@pytest.fixture(scope="module")
def judge():
    return make_judge("code", 30.0)


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_known_correct_solutions_pass_and_known_wrong_ones_fail(name, judge):
    loaded = load(name)
    assert not loaded.skipped and len(loaded.problems) == len(SOLUTIONS[name])
    for prob, sols, fmt in zip(loaded.problems, SOLUTIONS[name], FORMAT[name]):
        assert TestProgram.from_text(prob.tests).format == fmt
        for code in sols["correct"]:
            assert judge(answer(code), prob) == (True, None), (prob.id, code)
        for code in sols["wrong"]:
            assert judge(answer(code), prob) == (False, None), (prob.id, code)


def test_the_tests_field_takes_lists_and_challenge_tests_count(judge):
    both = load("mbpp.jsonl").problems[0]  # auto: test_list + challenge_test_list
    only = load("mbpp.jsonl", "--tests-field", "test_list").problems[0]
    comma = load("mbpp.jsonl", "--tests-field", "test_list,challenge_test_list").problems[0]
    assert both.tests == comma.tests != only.tests
    abs_sum = answer("def add(a, b):\n    return abs(a) + abs(b)\n")  # right on test_list, wrong on the challenge
    assert judge(abs_sum, only) == (True, None) and judge(abs_sum, both) == (False, None)


ATTACKS = {
    ("humaneval.jsonl", 0): [
        "import sys\nsys.exit(0)\n", "import os\nos._exit(0)\n", "raise SystemExit(0)\n",
        "def sum_of_squares(numbers):\n    import os\n    os._exit(0)\n",
        "def sum_of_squares(numbers):\n    print('passed')\n    print('\\nOK\\n')\n    import sys\n    sys.exit(0)\n",
        "import builtins\nbuiltins.sum = lambda *a: 14\ndef sum_of_squares(numbers):\n    return sum(numbers)\n",
        "def check(candidate):\n    pass\ndef sum_of_squares(numbers):\n    return 0\n",
    ],
    ("mbpp_sanitized.jsonl", 0): [
        "import math\nmath.isclose = lambda *a, **k: True\ndef hypotenuse(a, b):\n    return 0\n",
        "import sys\nclass M:\n    isclose = staticmethod(lambda *a, **k: True)\nsys.modules['math'] = M()\n"
        "def hypotenuse(a, b):\n    return 0\n",
    ],
    ("mbppplus.jsonl", 0): [  # the tests' expected values and helpers, read or swapped through globals()
        "def similar_elements(a, b):\n    g = globals()\n    for inp, exp in zip(g['inputs'], g['results']):\n"
        "        if list(inp) == [a, b]:\n            return exp\n    return ()\n",
        "def similar_elements(a, b):\n    globals()['assertion'] = lambda *x: None\n"
        "    return tuple(set(a) & set(b)) if a[0] == 3 else ()\n",
    ],
    ("unittest.jsonl", 0): [
        "import unittest\nunittest.TestCase.assertEqual = lambda *a, **k: None\ndef square(x):\n    return 0\n",
        "import unittest\nunittest.TestResult.wasSuccessful = lambda self: True\ndef square(x):\n    return 0\n",
        "def square(x):\n    import unittest\n    raise unittest.SkipTest('skipped by the solution')\n",
        "import unittest\nunittest.main = lambda *a, **k: None\ndef square(x):\n    return 0\n",
    ],
    ("pytest.jsonl", 0): [
        "def fizzbuzz(n):\n    import pytest\n    pytest.skip('no')\n",
        "def fizzbuzz(n):\n    import pytest\n    pytest.xfail('no')\n",
    ],
    ("apps.jsonl", 0): [
        "import os\nos._exit(0)\n", "print('6')\nimport sys\nsys.exit(0)\n",
        "import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b'x')\n"
        "    except OSError:\n        pass\nprint(6)\n",
        # reads the judge's program for the expected outputs (it was a file in the working directory)
        "import glob, json, re, sys\ndata = sys.stdin.read()\nfor path in glob.glob('/tmp/*') + glob.glob('*'):\n"
        "    try:\n        m = re.search(r'^_SPEC = (.*)$', open(path).read(), re.M)\n    except Exception:\n"
        "        continue\n    if m:\n        for i, o in json.loads(eval(m.group(1)))['cases']:\n"
        "            if i == data:\n                print(o, end='')\n",
    ],
    ("code_contests.jsonl", 0): [  # a decimal answer: "nan" compared within a tolerance passed every one
        "print('nan')\n", "print(float('nan'))\n", "print('NaN')\n",
    ],
    ("apps.jsonl", 1): [
        "class Anything:\n    def __eq__(self, other):\n        return True\n"
        "def count_vowels(s):\n    return Anything()\n",
    ],
}


@pytest.mark.parametrize("where", sorted(ATTACKS))
def test_programs_that_leave_early_fake_output_or_patch_the_checks_never_pass(where, judge):
    prob = load(where[0]).problems[where[1]]
    for code in ATTACKS[where]:
        assert judge(answer(code), prob) == (False, None), code


def test_rows_whose_tests_cannot_run_are_refused_at_load_with_one_line_each(caplog):
    with caplog.at_level(logging.WARNING):
        res = load("unrunnable.jsonl", "--tests-field", "tests", "test", "input_output")
    assert res.problems == []
    assert len(res.skipped) == 9 and all("\n" not in s for s in res.skipped)
    why = dict(zip(["no-entry-point", "nothing-to-run", "bad-io", "not-python", "fixture", "missing-module",
                    "numbers", "no-tests", "two-functions"], res.skipped))
    assert "(id 'no-entry-point')" in why["no-entry-point"] and "HumanEval-style" in why["no-entry-point"]
    assert "--entry-point-field" in why["no-entry-point"]
    assert "no assert" in why["nothing-to-run"]
    assert "'inputs'/'outputs'" in why["bad-io"]
    assert "not valid Python (line 1" in why["not-python"]
    assert "fixtures (db)" in why["fixture"] and "tmp_path, tmpdir, capsys, monkeypatch" in why["fixture"]
    assert "script tests import no_such_module_xyz" in why["missing-module"]
    assert "holds a value of type int" in why["numbers"]
    assert "no tests" in why["no-tests"]
    assert "several functions ['f', 'g']" in why["two-functions"]


HELPER_CHECK = {  # a test file's own helper named check is not HumanEval's check(candidate)
    "pytest": "from solution import add\n\ndef check(a, b, expected):\n    assert add(a, b) == expected\n\n"
              "def test_small():\n    check(1, 2, 3)\n\ndef test_big():\n    check(10, 20, 30)\n",
    "unittest": "import unittest\nfrom solution import add\n\ndef check(t, a, b, expected):\n"
                "    t.assertEqual(add(a, b), expected)\n\nclass T(unittest.TestCase):\n"
                "    def test_small(self):\n        check(self, 1, 2, 3)\n",
}


@pytest.mark.parametrize("fmt", sorted(HELPER_CHECK))
def test_a_test_files_own_check_helper_runs_with_its_tests(fmt, judge):
    for entry in ("add", None):
        program = code_tests.test_program_from_row({"test": HELPER_CHECK[fmt], "entry_point": entry}, ("test",),
                                                   "entry_point", "add")
        assert program.format == fmt
        prob = Problem("p", "add", None, program.to_text())
        assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
        assert judge(answer("def add(a, b):\n    return a - b\n"), prob) == (False, None)


SKIPPED_ROWS = {
    "unittest class": "import unittest\nfrom solution import add\n\n@unittest.skip('later')\n"
                      "class T(unittest.TestCase):\n    def test_a(self):\n        self.assertEqual(add(1, 2), 3)\n",
    "unittest methods": "import unittest\nfrom solution import add\n\nclass T(unittest.TestCase):\n"
                        "    @unittest.skip('x')\n    def test_a(self):\n        self.assertEqual(add(1, 2), 3)\n"
                        "    @unittest.skip('y')\n    def test_b(self):\n        self.assertEqual(add(2, 2), 4)\n",
    "pytest marks": "import pytest\nfrom solution import add\n\n@pytest.mark.skip(reason='x')\n"
                    "def test_a():\n    assert add(1, 2) == 3\n",
    "pytestmark": "import pytest\nfrom solution import add\npytestmark = pytest.mark.skip\n\n"
                  "def test_a():\n    assert add(1, 2) == 3\n",
}


def test_rows_whose_every_test_is_skipped_are_refused_and_never_pass_a_program(judge):
    for name, tests in SKIPPED_ROWS.items():
        with pytest.raises(code_tests.TestFormatError, match="every test is marked skipped"):
            code_tests.test_program_from_row({"test": tests}, ("test",), None, None)
    # one test left to run is enough; a condition known only when the tests run is judged then: nothing ran, no pass
    partly = SKIPPED_ROWS["unittest methods"].replace("    @unittest.skip('y')\n", "")
    prob = Problem("p", "add", None, code_tests.test_program_from_row({"test": partly}, ("test",), None, None)
                   .to_text())
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), prob) == (False, None)
    at_run = SKIPPED_ROWS["unittest class"].replace("@unittest.skip('later')",  # skipIf(True) is refused at load
                                                    "@unittest.skipIf(len('x') == 1, 'later')")
    prob = Problem("p", "add", None, code_tests.test_program_from_row({"test": at_run}, ("test",), None, None)
                   .to_text())
    for code in ("def add(a, b):\n    return a + b\n", "def add(a, b):\n    return a - b\n"):
        assert judge(answer(code), prob) == (False, None)


def test_a_check_call_under_a_main_guard_names_the_entry_point(judge):
    tests = "def check(candidate):\n    assert candidate(1, 2) == 3\n\nif __name__ == '__main__':\n    check(add)\n"
    program = code_tests.test_program_from_row({"test": tests}, ("test",), None, "Write add(a, b).")
    assert program.format == "humaneval" and program.entry_point == "add"
    prob = Problem("p", "add", None, program.to_text())
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), prob) == (False, None)


def test_a_checker_that_does_not_compile_and_raw_evalplus_rows_are_refused_with_the_way_out():
    row = {"input_output": json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]}),
           "generated_checker": "def main(:\n    print(1)\n"}
    with pytest.raises(code_tests.TestFormatError, match="'generated_checker' is not valid Python"):
        code_tests.test_program_from_row(row, ("input_output",), None, None)
    raw = {"task_id": "HumanEval/0", "base_input": [[[1.0, 2.0], 0.5]], "plus_input": [], "atol": 0}
    with pytest.raises(code_tests.TestFormatError, match="'base_input' / 'plus_input' hold inputs without expected"):
        code_tests.test_program_from_row(raw, ("test",), None, None)  # no canonical solution to take them from


def test_an_apps_call_whose_expected_value_is_null_expects_none(judge):
    # APPS / TACO in-place functions: an expected output null, unwrapped ([null] works as well), beside others
    for outputs in ([None, 1], [[None], [1]]):
        row = {"input_output": json.dumps({"fn_name": "clear", "inputs": [[[1, 2]], [[3]]], "outputs": outputs})}
        prob = io_problem(row)
        right = "def clear(xs):\n    if len(xs) == 1:\n        return 1\n    xs.clear()\n"
        assert judge(answer(right), prob) == (True, None)
        assert judge(answer("def clear(xs):\n    return len(xs)\n"), prob) == (False, None)


@pytest.mark.parametrize("outputs", ([None, None], [[None], [None]], ["null", "null"]))
def test_an_apps_call_whose_every_expected_value_is_null_is_refused(outputs):
    """Every case expecting None: ``def clear(xs): pass`` passed as the in-place ``xs.clear()`` did (the tests read
    only the result), a test that can never fail a program that returns."""
    row = {"input_output": json.dumps({"fn_name": "clear", "inputs": [[[1, 2]], [[3]]], "outputs": outputs})}
    with pytest.raises(code_tests.TestFormatError, match="every expected value of clear .* is null: a function that "
                                                         "does nothing"):
        code_tests.test_program_from_row(row, ("input_output",), None, None)


# columns saved through pandas' CSV or str(): Python literals, not JSON (read as code, they checked nothing)
LITERAL_ROWS = {
    "mbpp test_list": ({"test_list": "['assert square(3) == 9', 'assert square(-2) == 4']"}, "script"),
    "apps input_output": ({"input_output": str({"inputs": ["3\n", "-2\n"], "outputs": ["9\n", "4\n"]})}, "stdio"),
    "codecontests tests": ({"public_tests": str({"input": ["3\n"], "output": ["9\n"]}),
                            "private_tests": "{'input': ['-2\\n'], 'output': ['4\\n']}"}, "stdio"),
}


@pytest.mark.parametrize("name", sorted(LITERAL_ROWS))
def test_tests_written_as_python_literals_are_read_as_their_values(name, judge):
    row, fmt = LITERAL_ROWS[name]
    program = code_tests.test_program_from_row(row, tuple(row), None, None)
    assert program.format == fmt
    prob = Problem("p", "square", None, program.to_text())
    right, stub = (("def square(x):\n    return x * x\n", "def square(x):\n    pass\n") if fmt == "script" else
                   ("n = int(input())\nprint(n * n)\n", "print(9)\n"))
    assert judge(answer(right), prob) == (True, None)
    assert judge(answer(stub), prob) == (False, None)
    assert judge(answer("x = 1\n"), prob) == (False, None)


def test_tests_that_are_only_data_are_refused_and_an_empty_companion_column_is_no_test():
    with pytest.raises(code_tests.TestFormatError, match="no assert"):
        code_tests.test_program_from_row({"test": "{'assert f(1) == 2'}"}, ("test",), None, None)
    with pytest.raises(code_tests.TestFormatError, match="no assert"):
        code_tests.test_program_from_row({"test": "cases = ['assert f(1) == 2']\n"}, ("test",), None, None)
    cases = json.dumps([{"input": "3\n", "output": "9\n", "testtype": "stdin"}])
    for empty in ("[]", " [] ", "{}"):  # LiveCodeBench's private tests, none
        program = code_tests.test_program_from_row({"public_test_cases": cases, "private_test_cases": empty},
                                                   ("public_test_cases", "private_test_cases"), None, None)
        assert program.format == "stdio" and len(program.cases) == 1
    with pytest.raises(code_tests.TestFormatError, match="no test cases"):
        code_tests.test_program_from_row({"public_test_cases": "[]"}, ("public_test_cases",), None, None)


def test_a_tests_column_under_another_name_is_found_or_the_row_refused(tmp_path):
    rows = [{"id": "a", "question": "add", "test": "assert add(1, 2) == 3"}, {"id": "b", "question": "x"}]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o",
                                      "--oracle", "code"])
    res = load_problems(path, field_map(args))
    assert [p.id for p in res.problems] == ["a"] and TestProgram.from_text(res.problems[0].tests).format == "script"
    assert len(res.skipped) == 1 and "row 2 (id 'b')" in res.skipped[0] and "'test'" in res.skipped[0]


@pytest.mark.parametrize("flip", [False, True])
def test_each_row_of_a_mixed_dataset_reads_the_tests_column_it_fills(flip, tmp_path, judge):
    rows = [{"id": "a", "text": "add", "test_list": ["assert add(1, 2) == 3"], "question": None, "input_output": None},
            {"id": "b", "text": None, "test_list": None, "question": "echo",
             "input_output": json.dumps({"inputs": ["1\r\n", "x\n"], "outputs": ["1\n", "x\n"]})}]
    path = tmp_path / "p.jsonl"  # as one table saves them: every row has both columns, the other kind's null
    path.write_text("".join(json.dumps(r) + "\n" for r in (rows[::-1] if flip else rows)))
    res = load(str(path))
    got = {p.id: p for p in res.problems}
    assert not res.skipped and {i: TestProgram.from_text(p.tests).format for i, p in got.items()} == \
        {"a": "script", "b": "stdio"} and got["b"].question == "echo"
    assert got["a"].question.startswith("add\n") and "assert add(1, 2) == 3" in got["a"].question  # MBPP's asserts
    assert judge(answer("def add(a, b):\n    return a + b\n"), got["a"]) == (True, None)
    assert judge(answer("print(input().strip())\n"), got["b"]) == (True, None)
    assert judge(answer("print(1)\n"), got["b"]) == (False, None)


@pytest.mark.parametrize("tests,fmt", [
    ("def test_add():\n    assert add(1, 2) == 3\n", "pytest"),
    ("import unittest\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n"
     "unittest.main()\n", "unittest"),
    ("assert add(1, 2) == 3\n", "script"),
    ('["assert add(1, 2) == 3", "assert add(2, 2) == 4"]', "script"),  # a JSON list of asserts: each one runs
])
def test_plain_tests_given_through_the_api_run_in_their_format(tests, fmt, judge):
    prob = Problem("api", "add two numbers", tests=tests)
    assert TestProgram.from_text(tests).format == fmt
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), prob) == (False, None)


def test_humaneval_tests_through_the_api_take_the_entry_point_from_meta(judge):
    tests = "def check(candidate):\n    assert candidate(2) == 4\n"
    prob = Problem("he", "double", tests=tests, meta={"entry_point": "double"})
    assert judge(answer("def double(x):\n    return 2 * x\n"), prob) == (True, None)
    assert judge(answer("def double(x):\n    return x\n"), prob) == (False, None)


def test_the_oracle_timeout_is_the_sandbox_wall_limit_and_a_timeout_is_an_oracle_error(caplog):
    prob = Problem("slow", "q", tests="import time\ntime.sleep(1.5)\nassert f() == 1\n")
    code = answer("def f():\n    return 1\n")
    assert make_judge("code", 8.0)(code, prob) == (True, None)  # not cut at a fixed limit
    short = make_judge("code", 0.8)
    with caplog.at_level(logging.WARNING, logger="ptsfast.problems.oracles"):
        first, second = short(code, prob), short(code, prob)
    for v in (first, second):
        assert v.success is False and "CodeTimeout" in v.error and "0.8s wall limit" in v.error
    assert sum("ran past the oracle's 0.8s wall limit" in r.getMessage() for r in caplog.records) == 1
    wrong = Problem("fails", "q", tests="assert f() == 2\n")
    assert short(code, wrong) == (False, None)  # a failing test is no oracle error


def test_tests_may_capture_what_the_solution_prints(judge):
    tests = ("import sys\nfrom io import StringIO\nfrom solution import greet\n\n\ndef test_greet():\n"
             "    saved, sys.stdout = sys.stdout, StringIO()\n    try:\n        greet('Ada')\n"
             "        out = sys.stdout.getvalue()\n    finally:\n        sys.stdout = saved\n"
             "    assert out == 'Hello, Ada!\\n'\n")
    prob = Problem("print", "greet", tests=tests)
    assert judge(answer("def greet(name):\n    print(f'Hello, {name}!')\n"), prob) == (True, None)
    assert judge(answer("def greet(name):\n    print('Hello', name)\n"), prob) == (False, None)


def test_the_same_code_is_judged_once(monkeypatch, judge):
    import ptsfast.problems.oracles as oracles

    from collections import OrderedDict

    runs = []
    real = oracles.run_python
    monkeypatch.setattr(oracles, "_verdicts", OrderedDict())  # nothing judged by the tests above
    monkeypatch.setattr(oracles, "run_python", lambda *a, **k: runs.append(1) or real(*a, **k))
    prob = Problem("cached", "add", tests="assert add(1, 2) == 3\n")
    ok, bad = answer("def add(a, b):\n    return a + b\n"), answer("def add(a, b):\n    return b - a\n")
    verdicts = [judge(t, prob).success for t in (ok, bad, ok, "Again:\n" + ok, bad)]
    assert verdicts == [True, False, True, True, False]
    assert len(runs) == 2


@pytest.mark.parametrize("text,code", [
    ("def f(n):\n    return n % 2 == 0\n```\n\nThis is a concise version.", "def f(n):\n    return n % 2 == 0\n"),
    ("n = int(input())\nprint(n)\n```\nDone.", "n = int(input())\nprint(n)\n"),
    ("Sure\n```\nprint(1)\n```\n", "print(1)\n"),
    ("Here is the code:\n```\nprint(1)\n```\n", "print(1)\n"),
    ("```python\nx = 1\n```\n```\ny = 2\n```", "x = 1\n"),
])
def test_code_is_found_when_the_model_only_closes_a_fence(text, code):
    from ptsfast.problems.oracles import extract_code

    assert extract_code(text) == code


def test_livecodebench_rows_show_the_starter_code_and_read_compressed_private_tests():
    loaded = load("livecodebench.jsonl")
    functional, stdin = loaded.problems
    assert "twoSum(self, nums: List[int]" in functional.question and "```python" in functional.question
    assert stdin.question == "Read n, then n integers; print their sum."  # no starter code: the question as it is
    calls = TestProgram.from_text(functional.tests)
    assert (calls.fn_name == "twoSum"
            and [c[0] for c in calls.cases] == [[[2, 7, 11, 15], 9], [[3, 2, 4], 6], [[3, 3], 6]])
    assert len(TestProgram.from_text(stdin.tests).cases) == 3  # the public case + two compressed private ones


def test_a_compressed_field_that_names_a_callable_is_refused_without_running_it(tmp_path):
    import base64
    import pickle
    import zlib

    ran = tmp_path / "the pickle ran code"

    class Boom:
        def __reduce__(self):
            return (open, (str(ran), "w"))

    row = {"question_content": "q", "public_test_cases": "[]", "metadata": "{}",
           "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(Boom()))).decode()}
    path = tmp_path / "lcb.jsonl"
    path.write_text(json.dumps(row) + "\n")
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o",
                                      "--oracle", "code"])
    res = load_problems(path, field_map(args))
    assert res.problems == [] and "only plain values are read" in res.skipped[0] and "open" in res.skipped[0]
    assert not ran.exists()
    row["private_test_cases"] = base64.b64encode(b"not zlib data, whatever it is").decode()
    path.write_text(json.dumps(row) + "\n")
    res = load_problems(path, field_map(args))
    assert res.problems == [] and "looks like compressed tests (base64) but does not decompress" in res.skipped[0]


def test_apps_and_livecodebench_programs_run_after_their_judges_imports_but_codecontests_ones_do_not(judge):
    uses_sys = answer("n = int(sys.stdin.readline())\nprint(sum(map(int, sys.stdin.readline().split())))\n")
    future = answer("from __future__ import annotations\nimport sys\nn = int(input())\n"
                    "print(sum(map(int, input().split())))\n")
    apps, lcb, contests = load("apps.jsonl").problems[0], load("livecodebench.jsonl").problems[1], \
        load("code_contests.jsonl").problems[0]
    assert judge(uses_sys, apps) == (True, None) and judge(uses_sys, lcb) == (True, None)
    average = "n = int(sys.stdin.readline())\nprint('%.9f' % (sum(map(int, sys.stdin.readline().split())) / n))\n"
    assert judge(answer("import sys\n" + average), contests) == (True, None)
    assert judge(answer(average), contests) == (False, None)  # NameError: CodeContests' judge imports nothing
    assert judge(future, apps) == (True, None) and judge(future, lcb) == (True, None)
    call = load("livecodebench.jsonl").problems[0]
    two_sum = ("from __future__ import annotations\nfrom typing import List\nclass Solution:\n"
               "    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
               "        return next([i, j] for i in range(len(nums)) for j in range(i + 1, len(nums))\n"
               "                    if nums[i] + nums[j] == target)\n")
    assert judge(answer(two_sum), call) == (True, None)


def test_each_judges_own_imports_and_recursion_limit(judge):
    """LiveCodeBench's judge (and verl rows' runners) star-import math, copy, string... and allow 50000 frames;
    APPS' and TACO's import fabs, log, numpy; each row gets its own judge's, not the others'."""
    lcb_call = code_tests.test_program_from_row(
        {"public_test_cases": json.dumps([{"input": "3", "output": "6", "testtype": "functional"}]),
         "metadata": json.dumps({"func_name": "f"})}, ("public_test_cases",), None, None)
    deep = ("class Solution:\n    def f(self, n):\n        return self.down(3000) * factorial(n) // 6\n"
            "    def down(self, k):\n        return 6 if k == 0 else self.down(k - 1)\n")
    assert judge(answer(deep), Problem("p", "f", None, lcb_call.to_text())) == (True, None)
    lcb_stdin = code_tests.test_program_from_row(
        {"public_test_cases": json.dumps([{"input": "abc\n", "output": "ABC\n", "testtype": "stdin"}])},
        ("public_test_cases",), None, None)
    upper = "s = input()\nprint(''.join(ascii_uppercase[ascii_lowercase.index(c)] for c in s))\n"
    assert judge(answer(upper), Problem("p", "u", None, lcb_stdin.to_text())) == (True, None)
    verl = code_tests.test_program_from_row({"ground_truth": json.dumps({"inputs": ["3000\n"], "outputs": ["0\n"]})},
                                            ("ground_truth",), None, None)
    recursive = "def down(k):\n    return 0 if k == 0 else down(k - 1)\nprint(down(int(input())))\n"
    assert judge(answer(recursive), Problem("p", "d", None, verl.to_text())) == (True, None)
    apps = code_tests.test_program_from_row(
        {"input_output": json.dumps({"inputs": ["100\n"], "outputs": ["4 5050\n"]})}, ("input_output",), None, None)
    logs = "x = int(input())\nprint(int(log(x)), int(np.arange(1, x + 1).sum()))\n"
    assert judge(answer(logs), Problem("p", "l", None, apps.to_text())) == (True, None)
    assert judge(answer(upper), Problem("p", "u", None, code_tests.test_program_from_row(
        {"input_output": json.dumps({"inputs": ["abc\n"], "outputs": ["ABC\n"]})}, ("input_output",), None,
        None).to_text())) == (False, None)  # APPS' judge has no ascii_uppercase
    assert judge(answer(recursive), Problem("p", "d", None, code_tests.test_program_from_row(
        {"input_output": json.dumps({"inputs": ["3000\n"], "outputs": ["0\n"]})}, ("input_output",), None,
        None).to_text())) == (False, None)  # nor a raised recursion limit


def test_an_apps_dict_argument_gets_its_int_keys_back_as_apps_judge_gives_it(judge):
    row = {"input_output": json.dumps({"fn_name": "name_of_one", "inputs": [[{"1": "a", "2": "b"}], [{"1": "z"}]],
                                       "outputs": [["a"], ["z"]]})}
    program = code_tests.test_program_from_row(row, ("input_output",), None, None)
    assert program.int_keys and TestProgram.from_text(program.to_text()) == program
    prob = Problem("p", "name", None, program.to_text())
    assert judge(answer("def name_of_one(d):\n    return d[1]\n"), prob) == (True, None)
    assert judge(answer("def name_of_one(d):\n    return d['1']\n"), prob) == (False, None)
    lcb = code_tests.test_program_from_row(  # LiveCodeBench's judge gives JSON as it is
        {"public_test_cases": json.dumps([{"input": '{"1": "a"}', "output": '"a"', "testtype": "functional"}]),
         "metadata": json.dumps({"func_name": "name_of_one"})}, ("public_test_cases",), None, None)
    assert not lcb.int_keys and "int_keys" not in lcb.to_text()


def test_multipl_e_and_code_r1_kodcode_rows_run_as_their_executors_run_them(judge):
    # MultiPL-E's python rows: no entry point; its tests call check(f) inside test_check(), called at the end
    tests = ("def check(candidate):\n    assert candidate(0, 1) == 1\n    assert candidate(5, 7) == 12\n\n"
             "def test_check():\n    check(add)\n\ntest_check()\n")
    program = code_tests.test_program_from_row({"tests": tests, "prompt": "def add(x: int, y: int) -> int:\n"},
                                               ("tests",), None, "def add(x: int, y: int) -> int:\n")
    assert (program.format, program.entry_point) == ("humaneval", "add")
    prob = Problem("p", "add", None, program.to_text())
    assert judge(answer("def add(x, y):\n    return x + y\n"), prob) == (True, None)
    assert judge(answer("def add(x, y):\n    return None\n"), prob) == (False, None)
    # code-r1's KodCode rows: ground truth {"pytest": "from solution import *\n" + the KodCode test file}
    pytest_file = "from solution import *\n\ndef test_found():\n    assert find([1, 2], 2) == 1\n"
    program = code_tests.test_program_from_row({"ground_truth": json.dumps({"pytest": pytest_file})},
                                               ("ground_truth",), None, None)
    assert program.format == "pytest"
    prob = Problem("p", "find", None, program.to_text())
    assert judge(answer("def find(xs, x):\n    return xs.index(x)\n"), prob) == (True, None)
    assert judge(answer("def find(xs, x):\n    return 0\n"), prob) == (False, None)


DS1000_CONTEXT = '''import numpy as np
import copy


def generate_test_case(test_case_id):
    a = np.array([[1, 2], [3, 4]]) if test_case_id == 1 else np.arange(6).reshape(2, 3)
    return a, copy.deepcopy(a).sum(axis=0)


def exec_test(result, ans):
    np.testing.assert_array_equal(result, ans)
    return 1


exec_context = r"""
import numpy as np
a = test_input
[insert]
"""


def test_execution(solution: str):
    code = exec_context.replace("[insert]", solution)
    for i in range(2):
        test_input, expected_result = generate_test_case(i + 1)
        test_env = {"test_input": test_input}
        exec(code, test_env)
        assert exec_test(test_env["result"], expected_result)


def test_string(solution: str):
    assert "for" not in solution
'''


def test_ds1000_rows_hand_the_solutions_text_to_their_own_test_execution(judge):
    # DS-1000's judge: code_context, then test_execution(code) and test_string(code) on the completion's snippet
    program = code_tests.test_program_from_row({"code_context": DS1000_CONTEXT}, ("code_context",), None, None)
    assert program.format == "script" and program.as_text and TestProgram.from_text(program.to_text()) == program
    prob = Problem("p", "sum the columns", None, program.to_text())
    assert judge("result = a.sum(axis=0)\n</code>\nEND SOLUTION\n", prob) == (True, None)  # as the prompt asks
    assert judge("```python\nresult = a.sum(axis=0)\n```\nIt sums.", prob) == (True, None)  # or fenced
    assert judge(answer("result = a.sum(axis=0)\n"), prob) == (False, None)  # its judge reads prose as code too
    assert judge("result = a.sum(axis=1)\n</code>\n", prob) == (False, None)
    assert judge("result = [sum(c) for c in a.T]\n</code>\n", prob) == (False, None)  # test_string: no loops
    assert judge("pass\n", prob) == (False, None)


def test_stdin_cases_given_as_lists_of_lines_are_joined_as_apps_joins_them(judge):
    row = {"question": "sum", "input_output": json.dumps({"inputs": [["3", "1 2 3"], "1\n-5\n"],
                                                          "outputs": [["6"], "-5\n"]})}
    program = code_tests.test_program_from_row(row, ("input_output",), None, None)
    assert program.cases == (("3\n1 2 3\n", "6\n"), ("1\n-5\n", "-5\n"))
    prob = Problem("p", "sum", None, program.to_text())
    assert judge(answer("n = int(input())\nprint(sum(map(int, input().split())))\n"), prob) == (True, None)
    assert judge(answer("print(6)\n"), prob) == (False, None)


def test_the_solutions_lines_show_in_tracebacks_and_inspect_though_no_file_holds_them():
    from ptsfast.problems.oracles import judge_code
    program = TestProgram.from_text("import inspect\nassert 'x * 2' in inspect.getsource(f)\nassert f(2) == 4\n")
    assert judge_code("def f(x):\n    return x * 2\n", program).passed
    res = judge_code("def f(x):\n    y = x * 2\n    raise ValueError('bad ' + str(y))\n",
                     TestProgram.from_text("assert f(2) == 4\n"))
    assert not res.passed and "raise ValueError('bad ' + str(y))" in res.output and "ValueError: bad 4" in res.output


def test_function_calls_return_numpy_scalars_as_numbers_and_fail_what_json_cannot_hold(judge):
    # APPS' and LiveCodeBench's judges compare with ==, where np.int64(6) == 6; a set or an array never matches
    row = {"question": "sum", "input_output": json.dumps({"fn_name": "f", "inputs": [[[1, 2, 3]], [[4]]],
                                                          "outputs": [[6], [4]]})}
    prob = io_problem(row)
    assert judge(answer("import numpy as np\ndef f(a):\n    return np.sum(a)\n"), prob) == (True, None)
    assert judge(answer("import numpy as np\ndef f(a):\n    return np.float64(sum(a))\n"), prob) == (True, None)
    assert judge(answer("import numpy as np\ndef f(a):\n    return np.array([sum(a)])\n"), prob) == (False, None)
    assert judge(answer("def f(a):\n    return {sum(a)}\n"), prob) == (False, None)
    assert judge(answer("def f(a):\n    print('6')\n    return 0\n"), prob) == (False, None)
    assert judge(answer("import sys\ndef f(a):\n    sys.exit(0)\n"), prob) == (False, None)


def test_codeforces_rows_show_their_statement_parts_and_judge_by_checker_or_file_mode(judge):
    plain, checked, files = load("codeforces.jsonl").problems
    assert "Print their sum." in plain.question and "Input\nThe first line holds" in plain.question
    assert "Output\nPrint one integer" in plain.question and "Examples\nInput:\n```\n3\n1 2 3\n```" in plain.question
    assert "Note\nFor $$$n = 3$$$" in checked.question
    assert TestProgram.from_text(checked.tests).checker and TestProgram.from_text(files.tests).files
    row = json.loads((FIXTURES / "codeforces.jsonl").read_text().splitlines()[0])
    from ptsfast.problems.loading import with_statement_parts
    whole = with_statement_parts(row, row["description"])
    assert with_statement_parts(row, whole) == whole  # a prompt that has them all (verifiable-prompts) is kept
    # the checker runs from a folder of its own: a program cannot swap it nor write its verdict
    for code in ["open('checker.py', 'w').write('print(1)')\nprint(1, 3)\n",
                 "import glob\nfor d in glob.glob('/tmp/*'):\n    open(d + '/checker.py', 'w').write('print(1)')\n"
                 "print(1, 3)\n", "print(1, 3)\nprint(1)\n"]:
        assert judge(answer(code), checked) == (False, None), code


@pytest.mark.parametrize("checker", [False, True], ids=["plain", "special judge"])
def test_a_process_a_program_leaves_running_is_killed_before_the_next_case(checker, judge):
    # case 1 leaves a daemon (its own session) that marks a file a moment later; case 2 answers wrong if it did
    row = {"question": "double", "input_output": json.dumps({"inputs": ["1\n", "2\n"], "outputs": ["2\n", "4\n"]})}
    if checker:
        row["generated_checker"] = "import sys\nprint(int(open(sys.argv[2]).read() == open(sys.argv[3]).read()))\n"
    prob = io_problem(row)
    code = ("import os, time\nn = int(input())\nif n == 1 and os.fork() == 0:\n    os.setsid()\n"
            "    os.closerange(0, 64)\n    time.sleep(0.2)\n    open('/tmp/daemon_was_here', 'w').close()\n"
            "    os._exit(0)\nif n == 2:\n    time.sleep(0.6)\n"
            "print(2 * n + (os.path.exists('/tmp/daemon_was_here')))\n")
    assert judge(answer(code), prob) == (True, None)


CHECKER_FILES_ATTACK = (  # prints a wrong answer and leaves a daemon rewriting every checker's solution_output.txt
    "import glob, os, time\nn = int(input())\nif os.fork() == 0:\n    os.setsid()\n    os.closerange(0, 64)\n"
    "    end = time.time() + 3\n    while time.time() < end:\n"
    "        for f in glob.glob('/tmp/ptsfast_checker_*/solution_output.txt'):\n"
    "            try:\n"
    "                open(f, 'w').write(str(2 * int(open(f.replace('solution_output', 'input')).read())))\n"
    "            except (OSError, ValueError):\n                pass\n        time.sleep(0.0005)\n    os._exit(0)\n"
    "time.sleep(0.05)\nprint(0)\n")


# the same, from a process cloned as a sibling of the program's run (a child of the fork server, not an orphan)
CLONED_ATTACK = CHECKER_FILES_ATTACK.replace(
    "if os.fork() == 0:\n    os.setsid()\n",
    "import ctypes\nif ctypes.CDLL(None).syscall(56, 0x8000 | 17, 0, 0, 0, 0) == 0:  # clone(CLONE_PARENT | SIGCHLD)\n")


@pytest.mark.parametrize("cases", [1, 3], ids=["fresh interpreters", "forked"])
@pytest.mark.parametrize("attack", [CHECKER_FILES_ATTACK, CLONED_ATTACK], ids=["daemon", "cloned sibling"])
def test_what_a_program_leaves_running_cannot_rewrite_the_special_judges_files(cases, attack, judge):
    if attack is CLONED_ATTACK and platform.machine() != "x86_64":
        pytest.skip("the attack calls clone by its x86-64 number")
    # a checker that takes its time (heavy imports, say) before it reads the files
    row = {"question": "double", "generated_checker": "import sys, time\ntime.sleep(0.1)\nprint(int(open(sys.argv[2])"
                                                      ".read().split() == open(sys.argv[3]).read().split()))\n",
           "input_output": json.dumps({"inputs": [f"{k + 1}\n" for k in range(cases)],
                                       "outputs": [f"{2 * k + 2}\n" for k in range(cases)]})}
    prob = io_problem(row)
    assert judge(answer("print(2 * int(input()))\n"), prob) == (True, None)
    assert judge(answer(attack), prob) == (False, None)


@pytest.mark.parametrize("checker", [False, True], ids=["plain", "special judge"])
def test_a_run_cannot_reach_the_fork_server_that_outlives_it(checker, judge):
    # the server (the run's parent) is spared by the reaps: ptraced or read, it would answer later cases for the run
    row = {"question": "double", "input_output": json.dumps({"inputs": ["1\n", "2\n"], "outputs": ["2\n", "4\n"]})}
    if checker:
        row["generated_checker"] = "import sys\nprint(int(open(sys.argv[2]).read() == open(sys.argv[3]).read()))\n"
    code = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "reached = libc.ptrace(16, os.getppid(), 0, 0) == 0  # PTRACE_ATTACH\n"
            "try:\n    open(f'/proc/{os.getppid()}/mem', 'rb').close()\n    reached = True\n"
            "except OSError:\n    pass\nprint(2 * int(input()) + reached)\n")
    assert judge(answer(code), io_problem(row)) == (True, None)


def test_interactive_codeforces_problems_are_refused_at_load(tmp_path):
    row = json.loads((FIXTURES / "codeforces.jsonl").read_text().splitlines()[0])
    row["interaction_format"] = "After each query print a line and flush the output."
    (tmp_path / "cf.jsonl").write_text(json.dumps(row) + "\n")
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(tmp_path / "cf.jsonl"), "--out", "o",
                                      "--oracle", "code"])
    res = load_problems(args.problems, field_map(args))
    assert res.problems == [] and "interactive problem" in res.skipped[0]


ENDINGS = {  # how a stdin program may end, each as a fresh interpreter ends it
    "exit()": ("n = int(input())\nprint(2 * n)\nexit()\nprint('never')\n", True),
    "sys.exit(0) mid-way": ("import sys\nn = int(input())\nprint(2 * n)\nsys.exit(0)\nprint('never')\n", True),
    "quit(0)": ("print(2 * int(input()))\nquit(0)\n", True),
    "exit(1)": ("print(2 * int(input()))\nexit(1)\n", False),
    "sys.exit('message')": ("import sys\nprint(2 * int(input()))\nsys.exit('bad input')\n", False),
    "a raise": ("print(2 * int(input()))\nraise ValueError('no')\n", False),
    "a thread with a big stack": ("import sys, threading\nsys.setrecursionlimit(10 ** 6)\n"
                                  "threading.stack_size(1 << 26)\n"
                                  "def depth(k):\n    return 0 if k == 0 else 1 + depth(k - 1)\n"
                                  "def main():\n    n = int(input())\n    print(2 * n + depth(20000) - 20000)\n"
                                  "threading.Thread(target=main).start()\n", True),
    "atexit": ("import atexit\nn = int(input())\natexit.register(lambda: print(2 * n))\n", True),
    "stdin read whole": ("import sys\nprint(2 * int(sys.stdin.read().split()[0]))\n", True),
    "open(0)": ("print(2 * int(open(0).read()))\n", True),
    "stdin.buffer": ("import sys\nprint(2 * int(sys.stdin.buffer.read()))\n", True),
    "fast input by stdin's size": ("import io, os\ninput = io.BytesIO(os.read(0, os.fstat(0).st_size)).readline\n"
                                   "print(2 * int(input()))\n", True),
    "stderr chatter": ("import sys\nn = int(input())\nprint('x' * 100000, file=sys.stderr)\nprint(2 * n)\n", True),
    "state of a module": ("import math\nn = int(input())\nprint(2 * n + (math.pi == 3))\nmath.pi = 3\n", True),
}


def test_an_integer_answer_is_that_number_exactly_however_large(judge):
    # a float cannot tell 10**18 - 1 from 10**18; 9.0 and 9e0 are still 9
    prob = io_problem({"question": "n", "input_output": json.dumps({"inputs": ["1\n"],
                                                                     "outputs": ["1000000000000000000\n"]})})
    assert judge(answer("print(10 ** 18)\n"), prob) == (True, None)
    assert judge(answer("print('1000000000000000000.0')\n"), prob) == (True, None)
    assert judge(answer("print(10 ** 18 - 1)\n"), prob) == (False, None)
    assert judge(answer("print('１' + '0' * 18)\n"), prob) == (False, None)  # full-width, or 1_000...: not as printed
    assert judge(answer("print('1_' + '000' * 6)\n"), prob) == (False, None)
    spelled = io_problem({"question": "n", "input_output": json.dumps({"inputs": ["1\n"], "outputs": ["1e18\n"]})})
    assert judge(answer("print(10 ** 18)\n"), spelled) == (True, None)
    assert judge(answer("print(2 ** 60 - 1)\n"), io_problem({"question": "n", "input_output": json.dumps(
        {"inputs": ["1\n", "2\n"], "outputs": [f"{2 ** 60}\n", f"{2 ** 60}\n"]})})) == (False, None)


@pytest.mark.parametrize("cases, checker", [(3, False), (3, True), (1, False), (1, True)],
                         ids=["forked", "forked, special judge", "fresh interpreter", "fresh, special judge"])
def test_stdin_programs_end_as_a_fresh_interpreter_ends_them(cases, checker, judge):
    # several cases fork a warm interpreter (and the special judge another); one case starts fresh ones: all agree
    row = {"question": "double", "input_output": json.dumps({"inputs": ["1\n", "2\n", "3\n"][:cases],
                                                             "outputs": ["2\n", "4\n", "6\n"][:cases]})}
    if checker:
        row["generated_checker"] = ("import sys\ninp, ans, out = (open(p).read().split() for p in sys.argv[1:4])\n"
                                    "print(1 if out == ans else 0)\n")
    program = code_tests.test_program_from_row(row, ("input_output",), None, None)
    assert bool(program.checker) == checker
    prob = Problem("p", "double", None, program.to_text())
    for name, (code, ok) in ENDINGS.items():
        assert judge(answer(code), prob) == (ok, None), name


def test_leetcodedataset_rows_ask_the_description_and_run_after_the_prompts_helpers():
    two_sum, reverse = load("leetcode.jsonl").problems
    assert two_sum.question.startswith("Given an array") and "class Solution:" in two_sum.question
    program = TestProgram.from_text(reverse.tests)
    assert program.entry_point == "Solution().reverseList" and "def list_node" in program.prompt
    with pytest.raises(code_tests.TestFormatError, match="neither a Python name"):
        code_tests.test_program_from_row({"test": "def check(candidate):\n    assert candidate(1)\n",
                                          "entry_point": "Solution().f; import os"}, ("test",), "entry_point", "")


def test_verification_info_cases_given_bare_as_the_tests_column_are_read_alike(judge):
    # DeepCoder's primeintellect rows: a list of {"type", "fn_name", "input", "output"} objects
    calls = [{"type": "function_call", "fn_name": "add", "input": [1, 2], "output": 3},
             {"type": "function_call", "fn_name": "add", "input": [5, 7], "output": 12}]
    program = code_tests.test_program_from_row({"tests": json.dumps(calls)}, ("tests",), None, None)
    assert program.format == "call" and program.fn_name == "add"
    prob = Problem("p", "add", None, program.to_text())
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), prob) == (False, None)
    stdin = [{"type": "stdin_stdout", "input": "2\n", "output": "4\n"}]
    assert code_tests.test_program_from_row({"tests": stdin}, ("tests",), None, None).format == "stdio"


def test_each_forked_run_draws_its_own_random_numbers(judge):
    # the runs fork one interpreter that imported random: each must draw its own numbers, as a fresh interpreter
    # does (CPython reseeds random in a forked child)
    row = {"question": "r", "input_output": json.dumps({"inputs": ["1\n", "2\n"], "outputs": ["1\n", "2\n"]})}
    prob = io_problem(row)
    code = ("import os, random\nn = int(input())\nx = random.random()\n"
            "if n == 2 and open('/tmp/first').read() == repr(x):\n    print(0)\nelse:\n    print(n)\n"
            "open('/tmp/first', 'w').write(repr(x))\n")
    assert judge(answer(code), prob) == (True, None)


def _judge_unittest(code: str, tests: str, entry_point: str = "task_func") -> bool:
    from ptsfast.problems.oracles import judge_code

    res = judge_code(code, TestProgram.from_text(tests, entry_point=entry_point), timeout=60.0)
    assert not res.timed_out, res.output
    return res.passed


def test_unittest_rows_are_one_module_as_bigcodebench_runs_them():
    """BigCodeBench runs a solution's code and its tests as one module, and its canonical solutions lean on that:
    ``os`` or ``punctuation`` from the tests' imports (BigCodeBench/632, /1085), ``datetime.datetime`` where the
    solution imported the class and the tests the module (/760), ``patch(__name__ + '.randint')`` for the solution's
    randint (/593). Tests that import the solution (a module of their own) keep theirs apart."""
    tests = ("import os\nimport datetime\nimport unittest\nfrom string import punctuation\n"
             "from unittest.mock import patch\n\n"
             "class TestCases(unittest.TestCase):\n"
             "    def test_dir(self):\n        self.assertEqual(task_func('a'), os.path.join('out', 'a'))\n"
             "    @patch(__name__ + '.randint', return_value=25)\n"
             "    def test_patched(self, rand):\n        self.assertEqual(roll(), 25)\n"
             "    def test_date(self):\n        self.assertEqual(born(2000), datetime.datetime(2000, 1, 1))\n"
             "    def test_strip(self):\n        self.assertEqual(strip('a,b!'), 'ab')\n")
    code = ("from random import randint\nfrom datetime import datetime\n"
            "def task_func(name):\n    return os.path.join('out', name)\n"
            "def roll():\n    return randint(1, 6)\n"
            "def born(year):\n    return datetime.datetime(year, 1, 1)\n"
            "def strip(s):\n    return ''.join(c for c in s if c not in punctuation)\n")
    assert _judge_unittest(code, tests)
    assert not _judge_unittest(code.replace("return randint(1, 6)", "return 6"), tests)
    apart = "import os\nimport unittest\nfrom solution import task_func\n\n" + tests[tests.index("class"):]
    assert not _judge_unittest(code, apart.replace("    @patch", "    def _x(self):\n        pass\n    @patch")
                               .split("    @patch")[0])  # os unimported in the solution: its own NameError


def test_a_library_the_solution_cannot_load_fails_as_the_os_would():
    """ctypes stays out of a judged solution's reach, but loading a library is refused as the OS refuses one
    (PermissionError, an OSError), which code that loads a library it may lack expects (BigCodeBench/563)."""
    tests = ("import unittest\n\nclass TestCases(unittest.TestCase):\n"
             "    def test_missing(self):\n        with self.assertRaises(OSError):\n"
             "            task_func('/nonexistent/libx.so')\n")
    code = "import ctypes\ndef task_func(path):\n    return ctypes.CDLL(path)\n"
    assert _judge_unittest(code, tests)
    memory = ("import unittest\n\nclass TestCases(unittest.TestCase):\n"
              "    def test_one(self):\n        self.assertEqual(task_func(), 1)\n")
    assert not _judge_unittest("import ctypes\ndef task_func():\n    try:\n        ctypes.string_at(id(1), 8)\n"
                               "    except OSError:\n        pass\n    return 1\n", memory)


PYTEST_FIXTURES = '''import os
from unittest.mock import patch

import pytest


def test_write(tmp_path):
    p = tmp_path / "a.txt"
    save(p, "hi")
    assert p.read_text() == "hi"


def test_print(capsys):
    greet("Bo")
    out, err = capsys.readouterr()
    assert out == "Hello, Bo\\n" and err == ""
    greet("Al")
    assert capsys.readouterr().out == "Hello, Al\\n"


def test_env(monkeypatch):
    monkeypatch.setenv("NAME", "Zed")
    monkeypatch.setattr(os, "getcwd", lambda: "/nowhere")
    assert who() == "Zed@/nowhere"


@patch("os.getcwd", return_value="/p")
def test_patched(cwd, monkeypatch):  # mock.patch's mock first, then the fixture, as pytest passes them
    monkeypatch.setenv("NAME", "Q")
    assert who() == "Q@/p" and cwd.called


@pytest.mark.parametrize("n", [1, 2])
def test_param(n, capsys):
    greet(str(n))
    assert capsys.readouterr().out == f"Hello, {n}\\n"


class TestFiles:
    def test_method(self, tmp_path):
        save(tmp_path / "b", "x")
        assert (tmp_path / "b").read_text() == "x"
'''


def test_pytest_rows_get_tmp_path_capsys_and_monkeypatch():
    """pytest's own fixtures most test rows ask for (KodCode-style tests print and write files), and mock.patch's
    mocks before them; each test gets fresh ones, undone after it (os.getcwd and the environment are back)."""
    from ptsfast.problems.oracles import judge_code

    program = TestProgram.from_text(PYTEST_FIXTURES)
    assert program.format == "pytest"
    good = ("import os\ndef save(p, text):\n    open(p, 'w').write(text)\n"
            "def greet(name):\n    print(f'Hello, {name}')\n"
            "def who():\n    return os.environ.get('NAME', '') + '@' + os.getcwd()\n")
    res = judge_code(good, program, timeout=60.0)
    assert res.passed, res.output
    for wrong in (good.replace("Hello, ", "Hi, "), good.replace("+ os.getcwd()", "+ '/p'")):
        assert not judge_code(wrong, program, timeout=60.0).passed



TMPDIR_TESTS = '''from solution import count_lines
import os


def test_count_lines(tmpdir):
    f = tmpdir.join("notes.txt")
    f.write("a\\nb\\nc\\n")
    assert count_lines(str(f)) == 3
    sub = tmpdir.mkdir("sub")
    assert count_lines(os.path.join(sub, "none.txt")) == 0
'''


def test_pytest_rows_get_tmpdir_where_pytest_is_installed(monkeypatch):
    """KodCode's tests ask for pytest's ``tmpdir`` (a ``py.path.local``): right programs were refused with the row."""
    from ptsfast.problems.oracles import judge_code

    program = TestProgram.from_text(TMPDIR_TESTS)
    good = ("import os\ndef count_lines(path):\n    if not os.path.exists(path):\n        return 0\n"
            "    return len(open(path).read().splitlines())\n")
    assert judge_code(good, program, timeout=60.0).passed
    assert not judge_code(good.replace("return 0", "return -1"), program, timeout=60.0).passed
    monkeypatch.setattr(code_tests, "_local_path_class", lambda: None)
    with pytest.raises(code_tests.TestFormatError, match=r"asks for pytest's tmpdir.*install pytest"):
        TestProgram.from_text(TMPDIR_TESTS)

OWN_FIXTURES = '''import pytest
LOG = []


@pytest.fixture
def numbers():
    return [3, 1, 2]


@pytest.fixture
def store(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("x")
    yield p
    LOG.append("closed")


@pytest.fixture(autouse=True)
def fresh():
    LOG.clear()
    yield
    LOG.append("after")


@pytest.fixture(name="renamed")
def _named():
    return 7


@pytest.fixture
def test_data():  # a fixture named like a test is a fixture
    return {"a": 1}


def test_sort(numbers):
    assert sort_copy(numbers) == [1, 2, 3] and numbers == [3, 1, 2]


def test_store(store, capsys):
    print(read(store))
    assert capsys.readouterr().out == "x\\n"


def test_renamed(renamed, test_data):
    assert renamed == 7 and test_data == {"a": 1}


def test_log():
    assert LOG == []
'''


def test_pytest_rows_get_their_own_fixtures():
    """The tests' own fixtures (plain, yield, autouse, renamed, asking for pytest's), fresh to each test and torn
    down after it; a parametrized fixture runs its tests once a param (test_dataset_shapes_round24), and a row whose
    test reads only such a fixture's values, never the program, is refused."""
    from ptsfast.problems.oracles import judge_code

    program = TestProgram.from_text(OWN_FIXTURES)
    good = "def sort_copy(xs):\n    return sorted(xs)\ndef read(p):\n    return open(p).read()\n"
    res = judge_code(good, program, timeout=60.0)
    assert res.passed, res.output
    assert not judge_code(good.replace("return sorted(xs)", "xs.sort()\n    return xs"), program, timeout=60.0).passed
    with pytest.raises(code_tests.TestFormatError, match=r"read no name of the program"):
        TestProgram.from_text("import pytest\n@pytest.fixture(params=[1, 2])\ndef n(request):\n"
                              "    return request.param\ndef test_a(n):\n    assert n\n")


SCOPED_FIXTURES = '''import pytest
from solution import Counter

MADE = []


@pytest.fixture(scope="module")
def shared():
    MADE.append("module")
    counter = Counter()
    yield counter
    MADE.append("module closed")


@pytest.fixture(scope="class")
def per_class():
    MADE.append("class")
    return Counter()


def test_first(shared):
    shared.add()
    assert shared.n == 1


def test_second(shared):  # the module's fixture is the one the first test used
    shared.add()
    assert shared.n == 2 and MADE == ["module"]


class TestA:
    def test_a1(self, per_class, shared):
        per_class.add()
        assert per_class.n == 1 and shared.n == 2

    def test_a2(self, per_class):
        per_class.add()
        assert per_class.n == 2


class TestB:
    def test_b(self, per_class):  # a class of its own, a fixture of its own
        assert per_class.n == 0 and MADE == ["module", "class", "class"]
'''


def test_pytest_fixtures_live_as_long_as_their_scope():
    """A ``module``-scoped fixture is made once for every test (tests that count on it see one object), a
    ``class``-scoped one once a class; a right counter passes, one that forgets its count fails."""
    from ptsfast.problems.oracles import judge_code

    program = TestProgram.from_text(SCOPED_FIXTURES)
    good = "class Counter:\n    def __init__(self):\n        self.n = 0\n    def add(self):\n        self.n += 1\n"
    res = judge_code(good, program, timeout=60.0)
    assert res.passed, res.output
    assert not judge_code(good.replace("self.n += 1", "self.n = 1"), program, timeout=60.0).passed


def test_a_test_script_runs_as_a_program_its_main_block_included(judge):
    # code-r1's {"functional": ...} ground truth, run by its judge as `python` on solution + tests: checks under
    # `if __name__ == "__main__":` are the tests (every program passed when they were skipped)
    functional = ("_inputs = [[2, 3], [-1, 1]]\n_outputs = [5, 0]\n\nif __name__ == \"__main__\":\n"
                  "    for i, o in zip(_inputs, _outputs):\n        assert add(*i) == o\n")
    row = {"prompt": [{"role": "user", "content": "Write add(a, b)."}],
           "reward_model": {"style": "rule", "ground_truth": json.dumps({"functional": functional})}}
    prob = Problem("p", "add", None, code_tests.test_program_from_row(
        {"ground_truth": row["reward_model"]["ground_truth"]}, ("ground_truth",), None, None).to_text())
    assert TestProgram.from_text(prob.tests).format == "script"
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
    for wrong in ("def add(a, b):\n    return None\n", "def add(a, b):\n    pass\n"):
        assert judge(answer(wrong), prob) == (False, None)


PYTEST_COLLECTION = {  # (tests, a solution wrong only where pytest's collection reaches)
    # a Test class that only changes class data runs the tests it inherits again
    "inherited": ("from solution import double\n\nclass TestSmall:\n    value = 1\n\n    def test_double(self):\n"
                  "        assert double(self.value) == 2 * self.value\n\nclass TestLarge(TestSmall):\n"
                  "    value = 10**6\n", "def double(x):\n    return 2 if x == 1 else 0\n"),
    # a base class not named Test*
    "from a plain base": ("from solution import double\n\nclass Checks:\n    def test_double(self):\n"
                          "        assert double(3) == 6\n\nclass TestDouble(Checks):\n    pass\n",
                          "def double(x):\n    return 5\n"),
    # a test bound by assignment
    "alias": ("from solution import double\n\ndef check_double():\n    assert double(3) == 6\n\n"
              "test_double = check_double\n", "def double(x):\n    return 5\n"),
    # setup_method/teardown_method without pytest's optional argument (KodCode's tests)
    "setup without its argument": ("from solution import double\n\nclass TestDouble:\n    def setup_method(self):\n"
                                   "        self.x = 3\n\n    def teardown_method(self):\n        self.x = None\n\n"
                                   "    def test_double(self):\n        assert double(self.x) == 6\n",
                                   "def double(x):\n    return 5\n"),
}


@pytest.mark.parametrize("name", sorted(PYTEST_COLLECTION))
def test_pytest_rows_collect_and_set_up_their_tests_as_pytest_does(name, judge):
    tests, wrong = PYTEST_COLLECTION[name]
    prob = Problem("p", "double", None, TestProgram.from_text(tests).to_text())
    assert TestProgram.from_text(prob.tests).format == "pytest"
    assert judge(answer("def double(x):\n    return 2 * x\n"), prob) == (True, None)
    assert judge(answer(wrong), prob) == (False, None)


ASYNC_TESTS = {  # unittest's IsolatedAsyncioTestCase: its coroutine tests are awaited, as `python -m unittest` does
    "beside a TestCase": "import unittest\nfrom solution import fetch, square\n\nclass TestSync(unittest.TestCase):\n"
                         "    def test_square(self):\n        self.assertEqual(square(3), 9)\n\n"
                         "class TestAsync(unittest.IsolatedAsyncioTestCase):\n    async def test_fetch(self):\n"
                         "        self.assertEqual(await fetch(2), 4)\n",
    "alone": "import unittest\nfrom solution import fetch\n\nclass TestFetch(unittest.IsolatedAsyncioTestCase):\n"
             "    async def test_fetch(self):\n        self.assertEqual(await fetch(2), 4)\n",
    "alone, another name": "import unittest\nfrom solution import fetch\n\n"
                           "class FetchCases(unittest.IsolatedAsyncioTestCase):\n"
                           "    async def test_fetch(self):\n        self.assertEqual(await fetch(2), 4)\n",
    "pytest": "import asyncio\nfrom solution import fetch\n\nasync def test_fetch():\n    assert await fetch(2) == 4\n",
}


@pytest.mark.parametrize("name", sorted(ASYNC_TESTS))
def test_async_tests_are_awaited(name, judge):
    prob = Problem("p", "fetch", None, TestProgram.from_text(ASYNC_TESTS[name]).to_text())
    assert TestProgram.from_text(prob.tests).format == ("pytest" if name == "pytest" else "unittest")
    right = "import asyncio\ndef square(x):\n    return x * x\nasync def fetch(x):\n    await asyncio.sleep(0)\n" \
            "    return x * x\n"
    assert judge(answer(right), prob) == (True, None)
    wrong = "def square(x):\n    return x * x\nasync def fetch(x):\n    return None\n"
    assert judge(answer(wrong), prob) == (False, None)


PYTEST_MARKS_AND_SETUP = '''import pytest
from solution import div

pytestmark = pytest.mark.filterwarnings("ignore")
BASE = None


def setup_module(module):
    module.BASE = 10


def setup_function(function):
    assert BASE == 10


@pytest.mark.xfail(reason="floats", raises=AssertionError)
def test_rounding():
    assert div(0.3, 0.1) == 3


@pytest.mark.skip(reason="not yet")
def test_later():
    assert div(1, 0) == 0


@pytest.mark.skipif("sys.version_info < (3,)")
def test_never_skipped():
    assert div(BASE, 2) == 5


@pytest.mark.parametrize("a, b, q", [(6, 3, 2),
                                     pytest.param(1, 0, 0, marks=pytest.mark.xfail(raises=ZeroDivisionError)),
                                     pytest.param(5, 0, 1, marks=pytest.mark.skip)])
def test_div(a, b, q):
    assert div(a, b) == q


class TestCounter:
    @classmethod
    def setup_class(cls):
        cls.start = 8

    def test_start(self):
        assert div(self.start, 4) == 2
'''


def test_pytest_marks_and_xunit_setup_run_as_pytest_runs_them(judge):
    prob = Problem("p", "div", None, TestProgram.from_text(PYTEST_MARKS_AND_SETUP).to_text())
    assert judge(answer("def div(a, b):\n    return a / b\n"), prob) == (True, None)  # pytest: 3 passed, 2 xfailed
    assert judge(answer("def div(a, b):\n    return a * b\n"), prob) == (False, None)
    raises_another = "def div(a, b):\n    if b == 0:\n        raise ValueError(b)\n    return a / b\n"
    assert judge(answer(raises_another), prob) == (False, None)  # xfail(raises=ZeroDivisionError): pytest fails it
    strict = PYTEST_MARKS_AND_SETUP.replace('reason="floats", raises=AssertionError', "strict=True")
    prob = Problem("p", "div", None, TestProgram.from_text(strict).to_text())
    assert judge(answer("def div(a, b):\n    return round(a / b)\n"), prob) == (False, None)  # 0.3/0.1: XPASS(strict)


@pytest.mark.parametrize("setup, right", [("    global BASE\n    BASE = 10\n", True),
                                          ("    raise RuntimeError\n", False)])
def test_unittest_set_up_module_runs_and_its_failure_fails(setup, right, judge):
    tests = ("import unittest\nfrom solution import add\nBASE = 0\n\ndef setUpModule():\n" + setup +
             "\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(BASE, 1), 11)\n")
    prob = Problem("p", "add", None, TestProgram.from_text(tests).to_text())
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (right, None)


def test_livecodebench_functional_tests_compare_exactly_and_apps_unwraps_one_element():
    lcb = {"public_test_cases": json.dumps([{"input": "[2, 3]", "output": "[5]", "testtype": "functional"}]),
           "metadata": json.dumps({"func_name": "f"})}
    apps = {"input_output": json.dumps({"fn_name": "f", "inputs": [[[2, 3]]], "outputs": [[5]]})}
    bare, listed = "def f(xs):\n    return sum(xs)\n", "def f(xs):\n    return [sum(xs)]\n"
    judge = make_judge("code", 30.0)
    for row, fields, passing in ((lcb, ("public_test_cases",), {listed}), (apps, ("input_output",), {bare, listed})):
        program = code_tests.test_program_from_row(row, fields, None, None)
        assert program.format == "call" and program.exact == (row is lcb)
        assert TestProgram.from_text(program.to_text()) == program
        prob = Problem("p", "sum", None, program.to_text())
        for code in (bare, listed):
            assert judge(answer(code), prob) == (code in passing, None), (fields, code)
    assert "exact" not in code_tests.test_program_from_row(apps, ("input_output",), None, None).to_text()


HUMANEVAL_X = {"task_id": "Python/0", "prompt": "from typing import List\n\n\ndef total(xs: List[int]) -> int:\n"
               "    \"\"\"Sum of xs.\"\"\"\n", "test": "\n\ndef check(total):\n    assert total([1, 2]) == 3\n"
               "    assert total([]) == 0\n\ncheck(total)"}


def test_humaneval_x_rows_that_call_check_themselves_run_with_their_prompt(judge):
    program = code_tests.test_program_from_row(HUMANEVAL_X, ("test",), "entry_point", HUMANEVAL_X["prompt"])
    assert program.format == "humaneval" and program.entry_point == "total" and not program.tests.rstrip().endswith(")")
    prob = Problem("p", "total", None, program.to_text(), {"entry_point": "total"})
    assert judge(answer("    return sum(xs)\n"), prob) == (True, None)  # the body, as the dataset's completions
    assert judge(answer("def total(xs: List[int]) -> int:\n    return sum(xs)\n"), prob) == (True, None)
    assert judge(answer("def total(xs):\n    return 0\n"), prob) == (False, None)


def test_cut_json_and_a_crash_by_signal_are_named():
    with pytest.raises(code_tests.TestFormatError, match="not valid JSON .*cut short"):
        code_tests.test_program_from_row({"input_output": '{"inputs": ["1\\n"], "outputs": ["2'}, ("input_output",),
                                         None, None)
    prob = io_problem({"input_output": json.dumps({"inputs": ["1\n"], "outputs": ["2\n"]})})
    program = TestProgram.from_text(prob.tests)
    from ptsfast.problems.oracles import judge_code
    res = judge_code("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", program, timeout=30.0)
    assert not res.passed and "killed by SIGSEGV" in res.output, res.output


def test_livecodebench_stdin_tests_compare_lines_and_numbers_exactly(judge):
    cases = [{"input": "3\n", "output": "1\n2\n3\n"}, {"input": "1\n", "output": "1234567.89\n"}]
    programs = {  # a program per case shape: one number a line, or all on one line, or rounded
        "lines": "n = int(input())\nprint(*range(1, n + 1), sep='\\n') if n > 1 else print('1234567.890')\n",
        "one line": "n = int(input())\nprint(*range(1, n + 1)) if n > 1 else print('1234567.89')\n",
        "rounded": "n = int(input())\nprint(*range(1, n + 1), sep='\\n') if n > 1 else print('1234568.00')\n"}
    lcb = {"public_test_cases": json.dumps([{**c, "testtype": "stdin"} for c in cases])}
    apps = {"input_output": json.dumps({"inputs": [c["input"] for c in cases],
                                        "outputs": [c["output"] for c in cases]})}
    for row, passing in ((lcb, {"lines"}), (apps, set(programs))):  # APPS' and CodeContests': tokens, 1e-6
        program = code_tests.test_program_from_row(row, tuple(row), None, None)
        assert program.format == "stdio" and program.exact == (row is lcb)
        prob = Problem("p", "count", None, program.to_text())
        for name, code in programs.items():
            assert judge(answer(code), prob) == (name in passing, None), (tuple(row), name)


@pytest.mark.parametrize("fmt", ["humaneval", "script", "unittest", "call"])
def test_debug_prints_past_the_output_limit_do_not_fail_a_right_function(fmt, judge):
    # 2 MB printed while the tests run: the sandbox keeps 1 MB and fails a run beyond it; the datasets' judges
    # ignore what a function prints
    tests = {"humaneval": TestProgram.from_text("def check(candidate):\n    for x in range(200):\n"
                                                "        assert candidate(x) == x * x\n", entry_point="square"),
             "script": TestProgram.from_text("for x in range(200):\n    assert square(x) == x * x\n"),
             "unittest": TestProgram.from_text("import unittest\nclass T(unittest.TestCase):\n    def test_s(self):\n"
                                               "        for x in range(200):\n"
                                               "            self.assertEqual(square(x), x * x)\n"),
             "call": code_tests.test_program_from_row({"input_output": json.dumps(
                 {"fn_name": "square", "inputs": [[x] for x in range(200)], "outputs": [[x * x] for x in range(200)]})},
                 ("input_output",), None, None)}[fmt]
    assert tests.format == fmt
    prob = Problem("p", "square", None, tests.to_text(), {"entry_point": "square"})
    noisy = "import sys\ndef square(x):\n    print('debug', x, '.' * 10000)\n    print('trace', file=sys.stderr)\n"
    assert judge(answer(noisy + "    return x * x\n"), prob) == (True, None)
    assert judge(answer(noisy + "    return x + x\n"), prob) == (False, None)


RUNNER_ATTACKS = {  # a wrong add that reaches the tests' runner instead of the tests
    "pytestmark in the solution": (
        "import pytest\n\ndef test_add():\n    assert add(1, 2) == 3\n",
        "import types\npytestmark = [types.SimpleNamespace(name='xfail', args=(), kwargs={})]\n"),
    "an xfail condition read from the solution": (
        "import pytest\n\n@pytest.mark.xfail(\"sys.platform == 'win32'\")\n"
        "def test_add():\n    assert add(1, 2) == 3\n",
        "class sys:\n    platform = 'win32'\n"),
    "unittest's result class patched while a test runs": (
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
        "        self.assertEqual(add(1, 2), 3)\n",
        "import unittest.runner as _r\n_C = _r.TextTestResult\n"
        "_orig = {k: vars(_C)[k] for k in ('addFailure', 'addError')}\n"
        "def _stub(self, test, err):\n    for k, v in _orig.items():\n        setattr(_C, k, v)\n"
        "def _patch():\n    for k in _orig:\n        setattr(_C, k, _stub)\n"),
    "asyncio.run swallowing a failure": (
        "import pytest\n\n@pytest.mark.asyncio\nasync def test_add():\n    assert add(1, 2) == 3\n",
        "import asyncio\n_real = asyncio.run\ndef _run(coro, **kw):\n    try:\n        return _real(coro, **kw)\n"
        "    except Exception:\n        return None\nasyncio.run = _run\n"),
    "asyncio's Task swallowing a failure": (
        "import unittest\n\nclass T(unittest.IsolatedAsyncioTestCase):\n    async def test_add(self):\n"
        "        self.assertEqual(add(1, 2), 3)\n",
        "import asyncio.tasks as _t, asyncio.futures as _f\n_orig = _f._PyFuture.result\n"
        "def _result(self):\n    try:\n        return _orig(self)\n    except AssertionError:\n        return None\n"
        "_t._PyTask.result = _result\n_t.Task = _t._PyTask\n"),
}


@pytest.mark.parametrize("name", sorted(RUNNER_ATTACKS))
def test_a_solution_cannot_turn_the_runner_against_its_tests(name, judge):
    tests, attack = RUNNER_ATTACKS[name]
    prob = Problem("p", "add", None, TestProgram.from_text(tests).to_text())
    assert judge(answer("def add(a, b):\n    return a + b\n"), prob) == (True, None)
    patch = "    _patch()\n" if "_patch" in attack else ""
    assert judge(answer(attack + "def add(a, b):\n" + patch + "    return -999\n"), prob) == (False, None)


def test_an_integer_answer_is_that_number_exactly():
    prob = io_problem({"input_output": json.dumps({"inputs": ["\n"], "outputs": ["123456789\n"]})})
    judge = make_judge("code", 30.0)
    assert judge(answer("print('123456789.0')\n"), prob) == (True, None)
    assert judge(answer("print('123456789.5')\n"), prob) == (False, None)


def test_a_raw_evalplus_row_runs_its_plus_inputs_against_the_canonical_solutions_values(judge, tmp_path):
    # the row's own `test` passes a program that fails EvalPlus' plus inputs: the plus inputs decide
    row = json.loads((FIXTURES / "evalplus_raw.jsonl").read_text().splitlines()[0])
    wrong = answer("def sum_product(numbers):\n    return (sum(numbers), 1 if not numbers else "
                   "numbers[0] * numbers[1] * numbers[2] if len(numbers) > 2 else 0)\n")
    base_only = Problem("p", "q", None, code_tests.test_program_from_row(row, ("test",), "entry_point", row["prompt"])
                        .to_text())
    assert judge(wrong, base_only) == (True, None)
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    prob = load(str(path)).problems[0]
    assert judge(wrong, prob) == (False, None)
    # a canonical solution that fails is named, not turned into expected errors
    broken = {**row, "canonical_solution": "    return numbers[0], 1\n"}
    path.write_text(json.dumps(broken) + "\n")
    skipped = load(str(path)).skipped
    assert len(skipped) == 1 and "canonical solution failed on input 1" in str(skipped[0])


def test_raw_evalplus_arguments_are_the_ones_its_judge_passes(judge, tmp_path):
    # MBPP+'s release holds tuple arguments as lists, which EvalPlus' loader turns back into tuples: without that a
    # canonical solution that adds tuples fails, and one that returns its tuples returns lists
    rows = [{"task_id": "Mbpp/106", "prompt": '"""\nAppend the list to the tuple.\n"""\n', "entry_point": "add_lists",
             "canonical_solution": "\ndef add_lists(test_list, test_tup):\n  return test_tup + tuple(test_list)\n",
             "base_input": [[[5, 6, 7], [9, 10]]], "plus_input": [[[], [1]]], "atol": 0},
            {"task_id": "Mbpp/75", "prompt": '"""\nThe tuples whose elements k divides.\n"""\n', "entry_point": "f",
             "canonical_solution": "\ndef f(test_list, K):\n  return [t for t in test_list if all(e % K == 0 "
                                   "for e in t)]\n",
             "base_input": [[[[6, 24, 12], [7, 9, 6]], 6]], "plus_input": [], "atol": 0},
            # a dict argument keeps its key order (the stored tests sort a JSON object's keys)
            {"task_id": "HumanEvalPlusRaw/1", "prompt": "def keys(d):\n    \"\"\"The keys, in order.\"\"\"\n",
             "entry_point": "keys", "canonical_solution": "    return list(d)\n", "base_input": [[{"b": 1, "a": 2}]],
             "plus_input": [], "atol": 0}]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    loaded = load(str(path))
    assert not loaded.skipped and len(loaded.problems) == 3
    add, divisible, keys = loaded.problems
    assert judge(answer("def add_lists(l, t):\n    return t + tuple(l)\n"), add) == (True, None)
    assert judge(answer("def add_lists(l, t):\n    return list(t) + l\n"), add) == (False, None)
    assert judge(answer("def f(ts, k):\n    return [tuple(t) for t in ts if all(e % k == 0 for e in t)]\n"),
                 divisible) == (True, None)
    assert judge(answer("def f(ts, k):\n    return [list(t) for t in ts if all(e % k == 0 for e in t)]\n"),
                 divisible) == (False, None)
    assert judge(answer("def keys(d):\n    return list(d)\n"), keys) == (True, None)


def test_a_raw_evalplus_value_within_the_tolerance_is_of_the_expected_type(judge, tmp_path):
    # EvalPlus: `out == exp`, else `type(out) == type(exp)` and allclose: numpy's float64 passes when equal only
    row = {"task_id": "HumanEvalPlusRaw/2", "prompt": "def tenths(n):\n    \"\"\"n tenths.\"\"\"\n",
           "entry_point": "tenths", "canonical_solution": "    return sum([0.1] * n)\n", "base_input": [[3]],
           "plus_input": [[7]], "atol": 0}
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    prob = load(str(path)).problems[0]
    assert judge(answer("def tenths(n):\n    return n / 10\n"), prob) == (True, None)
    assert judge(answer("import numpy as np\ndef tenths(n):\n    return np.float64(sum([0.1] * n))\n"),
                 prob) == (True, None)
    assert judge(answer("import numpy as np\ndef tenths(n):\n    return np.float64(n / 10)\n"), prob) == (False, None)


@pytest.mark.parametrize("expected, got, atol, same", [
    ({"tuple": [1, 2]}, [1, 2], 0, False),  # a list is no tuple
    ([0.1, 0.2], [0.1 + 1e-9, 0.2], 0, True),  # floats: 1e-6
    ([0.1, 2], [0.1 + 1e-9, 2], 0, False),  # not all floats: exact
    ([0.1, 2], [0.1 + 1e-9, 2], 1e-6, True),  # the row's tolerance
    (float("inf"), 1e308, 1e-6, False),
    (float("nan"), float("nan"), 1e-6, False),
    ({"set": [1, 2]}, {"set": [1, 2]}, 0, True),
    ({"dict": [[1, "a"]]}, {"dict": [["1", "a"]]}, 0, False),  # an int key is no str key
    (1.0, "1.0", 1e-6, False),
])
def test_evalplus_comparison_is_its_judges(expected, got, atol, same):
    harness = {}  # the judge's own functions, without its call
    exec(code_tests._HARNESS.replace("\n_ptsfast_judge(_SPEC, _CODE)\n", "\n"), harness)
    assert harness["_ptsfast_evalplus_same"](got, expected, atol) is same


def test_a_bigcodebench_hard_row_asks_its_instruct_prompt_not_its_retrieved_question(judge, tmp_path):
    # BigCodeBench-Hard rows carry a 'question' (a developer question retrieved as like the task: q_idx, score);
    # BigCodeBench's judge asks the task, instruct_prompt, whose function its tests call
    row = {"task_id": "BigCodeBench/13", "complete_prompt": "def task_func(xs):\n    \"\"\"Sum xs.\"\"\"\n",
           "instruct_prompt": "Sum the list.\nYou should write self-contained code starting with:\n```\n"
                              "def task_func(xs):\n```", "canonical_solution": "    return sum(xs)\n",
           "code_prompt": "def task_func(xs):\n", "entry_point": "task_func", "libs": "[]", "doc_struct": "{}",
           "test": "import unittest\nclass TestCases(unittest.TestCase):\n    def test_sum(self):\n"
                   "        self.assertEqual(task_func([1, 2, 3]), 6)\n",
           "q_idx": 7, "question": "How do I download files over FTP with wget?", "score": 0.2, "_id": "x"}
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    prob = load(str(path)).problems[0]
    assert prob.question.startswith("Sum the list.") and "def task_func(xs)" in prob.question
    assert judge(answer("def task_func(xs):\n    return sum(xs)\n"), prob) == (True, None)
    assert judge(answer("def task_func(xs):\n    return 0\n"), prob) == (False, None)


def test_skywork_or1_leetcode_ground_truth_runs_its_check_after_the_import_prefix(judge, tmp_path):
    # Skywork-OR1's judge: import_prefix + solution + test_code's check(candidate), then check(entry_point); a
    # question_id names a LiveCodeBench problem whose tests are not in the row
    check = "def check(candidate):\n    assert candidate([3, 1, 2]) == [1, 2, 3]\n    assert candidate([]) == []\n"
    gts = [{"import_prefix": "from typing import *\n", "test_code": check, "entry_point": "Solution().sortIt"},
           {"import_prefix": "from typing import *\n", "test_code": check, "entry_point": "sort_it"},
           {"question_id": "abc301_a"}]
    rows = [{"data_source": "code", "prompt": [{"role": "user", "content": "Sort the list."}], "ability": "code",
             "reward_model": {"style": "rule", "ground_truth": json.dumps(gt)}} for gt in gts]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = load(str(path))
    assert len(res.skipped) == 1 and "row 3" in res.skipped[0] and "code_generation_lite" in res.skipped[0]
    method, function = res.problems
    assert judge(answer("class Solution:\n    def sortIt(self, xs: List[int]) -> List[int]:\n"
                        "        return sorted(xs)\n"), method) == (True, None)
    assert judge(answer("class Solution:\n    def sortIt(self, xs):\n        return xs\n"), method) == (False, None)
    # the prefix's names reach the solution (no import of List here) whatever the entry point
    assert judge(answer("def sort_it(xs: List[int]) -> List[int]:\n    return sorted(xs)\n"), function) == (True, None)
    assert judge(answer("def sort_it(xs: List[int]) -> List[int]:\n    return xs[::-1]\n"), function) == (False, None)


def _raw_evalplus_problem(tmp_path, **row):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    loaded = load(str(path))
    assert not loaded.skipped, loaded.skipped
    return loaded.problems[0]


MBPP_PROMPT = '"""\nWrite the function the tests call.\n"""\n'  # MBPP+'s release: the question as a docstring
SPECIAL_ROWS = {  # EvalPlus' special oracles: (row, right solutions, wrong solutions)
    "set": ({"task_id": "Mbpp/2", "entry_point": "similar_elements", "prompt": MBPP_PROMPT,
             "canonical_solution": "def similar_elements(a, b):\n    return tuple(set(a) & set(b))\n",
             "base_input": [[["ant", "bee", "cat", "dog"], ["cat", "bee", "eel"]], [["x"], ["y"]]]},
            ["def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n",
             "def similar_elements(a, b):\n    return set(a) & set(b)\n"],
            ["def similar_elements(a, b):\n    return tuple(sorted(set(a) & set(b))[:1])\n",
             "def similar_elements(a, b):\n    return tuple(set(a) | set(b))\n"]),
    "root": ({"task_id": "HumanEval/32", "entry_point": "find_zero", "atol": 1e-4,
              "prompt": "import math\n\ndef poly(xs, x):\n"
                        "    return sum(c * math.pow(x, i) for i, c in enumerate(xs))\n"
                        "\ndef find_zero(xs):\n    \"\"\"A zero of the polynomial of coefficients xs.\"\"\"\n",
              "canonical_solution": "    lo, hi = -1.0, 1.0\n    while poly(xs, lo) * poly(xs, hi) > 0:\n"
                                    "        lo, hi = lo * 2, hi * 2\n    while hi - lo > 1e-10:\n"
                                    "        mid = (lo + hi) / 2\n        if poly(xs, mid) * poly(xs, lo) > 0:\n"
                                    "            lo = mid\n        else:\n            hi = mid\n    return lo\n",
              "base_input": [[[-6, 11, -6, 1]], [[1, 2]]]},
             ["def find_zero(xs):\n    return 3.0 if xs == [-6, 11, -6, 1] else -0.5\n"],  # another root than the
             ["def find_zero(xs):\n    return 0.0\n"]),  # canonical one's
    "not_none": ({"task_id": "Mbpp/787", "entry_point": "text_match_three", "prompt": MBPP_PROMPT,
                  "canonical_solution": "import re\ndef text_match_three(text):\n"
                                        "    return re.search('ab{3}?', text)\n",
                  "base_input": [["ac"], ["dc"], ["abbbba"]]},
                 ["def text_match_three(text):\n    return 'ab' in text\n",
                  "import re\ndef text_match_three(text):\n    return re.search('ab', text)\n"],
                 ["def text_match_three(text):\n    return True\n", "def text_match_three(text):\n    return None\n"]),
    "or_zero": ({"task_id": "Mbpp/295", "entry_point": "sum_div", "prompt": MBPP_PROMPT,
                 "canonical_solution": "def sum_div(n):\n    return sum(i for i in range(1, n) if n % i == 0)\n",
                 "base_input": [[8], [12]]},
                ["def sum_div(n):\n    return 0\n"], ["def sum_div(n):\n    return n\n"]),
}


@pytest.mark.parametrize("special", sorted(SPECIAL_ROWS))
def test_evalplus_special_oracles_judge_their_tasks_as_evalplus_does(special, tmp_path, judge):
    row, right, wrong = SPECIAL_ROWS[special]
    prob = _raw_evalplus_problem(tmp_path, **row)
    assert TestProgram.from_text(prob.tests).special == special
    for code in right:
        assert judge(answer(code), prob) == (True, None), code
    for code in wrong:
        assert judge(answer(code), prob) == (False, None), code


def test_a_set_tasks_expected_values_are_stored_in_one_order_whatever_the_hash_seed(tmp_path):
    from ptsfast.problems import evalplus
    row = {**SPECIAL_ROWS["set"][0], "base_input": [[[f"w{i}" for i in range(40)], [f"w{i}" for i in range(0, 40, 3)]]]}
    texts = set()
    for _ in range(3):  # each load runs the canonical solution in a fresh interpreter (its own hash seed)
        evalplus.reference_values.cache_clear()
        texts.add(_raw_evalplus_problem(tmp_path, **row).tests)
    assert len(texts) == 1


def test_a_raw_evalplus_row_whose_values_follow_the_hash_seed_keeps_its_text_and_judges_alike(tmp_path, judge):
    # EvalPlus runs the canonical solution and the solution under one hash seed (a forked process): the order of a
    # list built from a set of strings agrees, and the problem's text (its identity on resume) is the same each load
    from ptsfast.problems import evalplus
    words = [f"w{i}" for i in range(40)]
    row = {"task_id": "HumanEval/900", "entry_point": "unique", "base_input": [[words], [words[:7]]],
           "prompt": "def unique(words):\n    \"\"\"Unique.\"\"\"\n",
           "canonical_solution": "    return list(set(words))\n"}
    texts = set()
    for _ in range(3):
        evalplus.reference_values.cache_clear()
        prob = _raw_evalplus_problem(tmp_path, **row)
        texts.add(prob.tests)
    assert len(texts) == 1
    assert judge(answer("def unique(words):\n    return list(set(words))\n"), prob) == (True, None)
    assert judge(answer("def unique(words):\n    return sorted(set(words))\n"), prob) == (False, None)


def test_a_raw_evalplus_row_is_skipped_where_its_canonical_solution_cannot_run_isolated(tmp_path, monkeypatch):
    # the dataset's code runs while the problems load: never outside the sandbox, whatever flags come later
    from ptsfast.problems import evalplus, sandbox
    monkeypatch.setattr(sandbox, "isolation_status", lambda: (False, "no namespaces in this test"))
    evalplus.reference_values.cache_clear()
    row = json.loads((FIXTURES / "evalplus_raw.jsonl").read_text().splitlines()[1])
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    loaded = load(str(path))
    assert not loaded.problems and "only in the code sandbox, unavailable here (no namespaces" in str(loaded.skipped[0])
