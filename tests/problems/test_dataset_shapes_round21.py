"""Dataset rows as real datasets publish them, round 21: checks that never run or compare a value with itself,
and the warnings of HumanEval-X and HumanEval-ET rows."""

import pytest

from helpers.rows import load
from test_dataset_shapes_round20 import ADD, CODE, ZERO, _unittest
from ptsfast.problems.oracles import make_judge


def _pytest(*lines: str) -> str:
    return "from solution import add\n\ndef test_add():\n" + "".join(f"    {line}\n" for line in lines)


@pytest.mark.parametrize("tests, says", [
    ({"test": _unittest("self.assertIsNotNone(add(1, 2) == 3)")}, "never None"),
    ({"test": _unittest("self.assertIsNotNone(isinstance(add(1, 2), int))")}, "never None"),
    ({"test": _unittest("self.assertTrue(isinstance(add(1, 2), object))")}, "always true"),
    ({"test_list": ["assert isinstance(add(1, 2), (int, object))"]}, "always true"),
    ({"test_list": ["assert add(1, 2) == add(1, 2)"]}, "compared with itself"),
    ({"test": _unittest("result = add(1, 2)", "self.assertFalse(result != result)")}, "always false"),
    ({"test": _unittest("self.assertEqual(add(1, 2), add(1, 2))")}, "equal to itself"),
    ({"test_list": ["for case in []:\n    assert add(*case) == 3"]}, "loops over nothing"),
    ({"test_list": ["for i in range(0):\n    assert add(i, 1) == i + 1"]}, "loops over nothing"),
    ({"test_list": ["while False:\n    assert add(1, 2) == 3"]}, "is never true"),
    ({"test": _pytest("if False:", "    assert add(1, 2) == 3")}, "is never true"),
    ({"test": _pytest("if True:", "    pass", "else:", "    assert add(1, 2) == 3")}, "always true"),
    ({"test": _pytest("return", "assert add(1, 2) == 3")}, "follows 'return'"),
    ({"test": _unittest("return", "self.assertEqual(add(1, 2), 3)")}, "follows 'return'"),
    ({"test": "def check(candidate):\n    return\n    assert candidate(1, 2) == 3\n", "entry_point": "add"},
     "follows 'return'"),
], ids=["isnotnone-comparison", "isnotnone-isinstance", "isinstance-object", "isinstance-object-tuple", "self-equal",
        "self-unequal", "assertequal-itself", "for-over-nothing", "for-over-range-0", "while-false", "if-false",
        "else-of-if-true", "after-return", "unittest-after-return", "humaneval-after-return"])
def test_checks_that_never_run_or_never_decide_are_refused_not_passed_by_every_program(tmp_path, tests, says):
    # each loaded, and add returning 0 passed
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and "passes every program" in r.skipped[0] and says in r.skipped[0]


@pytest.mark.parametrize("tests", [
    {"test_list": ["assert add(2, 2) == 4", "for case in []:\n    assert add(*case) == 3"]},
    {"test": _pytest("assert add(2, 2) == 4", "return", "assert add(1, 2) == 3")},
    {"test": _pytest("assert add(2, 2) == 4", "if False:", "    assert add(1, 2) == 3")},
    {"test": _unittest("self.assertIsNotNone(add(1, 2) == 3)", "self.assertEqual(add(2, 2), 4)")},
    {"test_list": ["assert add(2, 2) == add(2, 2)", "assert add(2, 2) == 4"]},
], ids=["empty-loop", "after-return", "if-false", "isnotnone", "self-equal"])
def test_such_a_check_beside_real_ones_is_named_and_the_row_judged_on_the_rest(tmp_path, caplog, tests):
    p, = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE("```python\ndef add(a, b):\n    return 3\n```", p).success
    assert len([m for m in caplog.messages if "passes every program" in m]) == 1


@pytest.mark.parametrize("check", [
    "assert add(1, 2) - 3 == add(0, 0)", "assert add(1, 2) == add(2, 1) and add(1, 2) == 3",
    "assert isinstance(add(1, 2), int) and add(1, 2) == 3", "assert add(2, 1) == add(1, 2) == 3",
    "for case in [(1, 2)]:\n    assert add(*case) == 3", "for i in range(1):\n    assert add(i, 3) == 3",
    "if add(1, 2) != 3:\n    raise AssertionError('add')", "while True:\n    assert add(1, 2) == 3\n    break",
])
def test_checks_that_depend_on_the_program_still_judge(tmp_path, check):
    p, = load(tmp_path, [{"question": "Write add(a, b).", "test_list": [check]}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


@pytest.mark.parametrize("row", [
    {"task_id": "Python/0", "prompt": "def add(a, b):\n", "entry_point": "add",
     "test": "def check(add):\n    assert add(1, 2) == 3\n    assert [add(2, 2) == 4]\n\ncheck(add)\n"},
    {"task_id": "HumanEval/0", "prompt": "def add(a, b):\n", "entry_point": "add",
     "test": "assert candidate(1, 2) == 3\nassert [candidate(2, 2) == 4]\n"},
], ids=["humaneval-x", "humaneval-et"])
def test_humaneval_x_and_et_rows_name_their_vacuous_check_in_a_warning(tmp_path, caplog, row):
    # HumanEval-X's tests lose their check(add) call at load, HumanEval-ET's gain 'candidate = add': the warning
    # looked the checks up by the tests as loaded, found none, and said nothing
    p, = load(tmp_path, [row], "--id-field", "task_id", oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    said = [m for m in caplog.messages if "passes every program" in m]
    assert len(said) == 1 and "== 4]" in said[0]


MATH = make_judge("math", 10.0)
BOXED = make_judge("boxed", 10.0)
MCQ = "What is 1 + 2?\n(A) $1$\n(B) $2$\n(C) $3$\n(D) $4$"
AMC = "What is 1 + 2?\n\n$\\textbf{(A)}\\ 1 \\qquad\\textbf{(B)}\\ 2 \\qquad\\textbf{(C)}\\ 3 \\qquad\\textbf{(D)}\\ 4$"


@pytest.mark.parametrize("problem", [MCQ, AMC, "1 + 2 = ( )\nA．1 B．2 C．3 D．4",
                                     "1 + 2 = ?\nA: $1$\nB: $2$\nC: $3$\nD: $4$",
                                     "What is 1 + 2?\nA. 1\nB. 2\nC. 3\nD. 4\n\nPut the answer in a box."])
@pytest.mark.parametrize("answer", ["C", "(C)", "$\\textbf{(C)}$"])
def test_an_openr1_mcq_letter_is_judged_with_its_choices_value(tmp_path, problem, answer):
    # OpenR1-Math's MCQ rows: the letter as the answer, the choices in the problem; \boxed{3} failed
    row = {"problem": problem, "solution": "... \\boxed{C}", "answer": answer, "question_type": "MCQ"}
    p, = load(tmp_path, [row], oracle="math").problems
    for judge in (MATH, BOXED):
        assert all(judge(f"So the answer is \\boxed{{{a}}}.", p).success for a in ("3", "C", "(C)", "\\text{(C) }3"))
        assert not any(judge(f"So the answer is \\boxed{{{a}}}.", p).success for a in ("2", "B", "(B) 3", "4"))


@pytest.mark.parametrize("problem", [
    "Let P(A) = 0.3, P(B) = 0.5 and P(C) = 0.2. Which event is the likeliest to fail?",
    "Points A. B. and C. lie on a line; which lies between the others?",
    "(A) 1 (B) 2 (A) 3 (C) 4",
    "Which is right?\nA. 1\nB. 2\nC. a value that\nspans two lines\nD. 4",
])
def test_a_letter_reference_without_a_clear_list_of_choices_stays_the_letter(tmp_path, problem):
    p, = load(tmp_path, [{"problem": problem, "answer": "C"}], oracle="math").problems
    assert p.answer == "C"


def test_a_reference_giving_the_choices_value_stays_the_value(tmp_path):
    # the gsm8k and last_number oracles read its number, which they would not read after a letter
    p, = load(tmp_path, [{"problem": MCQ, "answer": "3", "question_type": "MCQ"}], oracle="math").problems
    assert p.answer == "3" and make_judge("last_number", 10.0)("The answer is 3.", p).success


def test_a_row_whose_cases_are_nested_hundreds_deep_is_skipped_not_a_crash(tmp_path):
    # JSON reads 600 levels, but storing the cases ran out of stack: RecursionError ended the whole load
    deep = "[" * 600 + "1" + "]" * 600
    lines = ['{"question": "Write f(x).", "input_output": {"inputs": [' + deep + '], "outputs": [[1]], '
             '"fn_name": "f"}}',
             '{"question": "Write f(x).", "input_output": {"inputs": [[1]], "outputs": [1], "fn_name": "f"}}']
    r = load(tmp_path, [], oracle="code", raw="\n".join(lines).encode() + b"\n")
    assert len(r.problems) == 1 and "row 1" in r.skipped[0] and "nested too deep" in r.skipped[0]


def test_a_json_file_with_a_row_nested_hundreds_deep_skips_that_row(tmp_path):
    deep = "[" * 600 + "1" + "]" * 600
    raw = ('[{"question": "Write f(x).", "input_output": {"inputs": [' + deep + '], "outputs": [[1]], '
           '"fn_name": "f"}}, {"question": "Write f(x).", "input_output": {"inputs": [[1]], "outputs": [1], '
           '"fn_name": "f"}}]')
    r = load(tmp_path, [], oracle="code", raw=raw.encode(), name="rows.json")
    assert len(r.problems) == 1 and "row 1" in r.skipped[0] and "nested too deep" in r.skipped[0]


@pytest.mark.parametrize("tests, says", [
    ({"test_list": ["assert all(add(a, b) == c for a, b, c in [])"]}, "never filled in"),
    ({"test_list": ["assert all([add(a, b) == c for a, b, c in []])"]}, "never filled in"),
    ({"test": _unittest("self.assertRaises(TypeError)", "add('1')")}, "no 'with' enters"),
    ({"test": _unittest("self.assertRaisesRegex(TypeError, 'str')", "add('1')")}, "no 'with' enters"),
    ({"test": "import pytest\n" + _pytest("pytest.raises(TypeError)", "add('1')")}, "no 'with' enters"),
], ids=["all-of-no-cases", "all-of-no-listed-cases", "assertraises-without-with", "assertraisesregex-without-with",
        "pytest-raises-without-with"])
def test_checks_of_no_cases_or_without_their_with_are_refused(tmp_path, tests, says):
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and "passes every program" in r.skipped[0] and says in r.skipped[0]


@pytest.mark.parametrize("check", [
    "assert all(add(a, b) == c for a, b, c in [(1, 2, 3)])",
    "import unittest\nunittest.TestCase().assertRaises(TypeError, add, 1, 2, 3)\nassert add(1, 2) == 3",
    "import pytest\nwith pytest.raises(TypeError):\n    add(1, 2, 3)\nassert add(1, 2) == 3",
])
def test_checks_of_cases_or_under_their_with_still_judge(tmp_path, check):
    p, = load(tmp_path, [{"question": "Write add(a, b).", "test_list": [check]}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


def test_an_assert_of_pytest_approx_itself_is_refused_not_failed_for_every_program(tmp_path):
    # assert pytest.approx(add(1, 2), 3) raises in a boolean context: a right add failed
    r = load(tmp_path, [{"question": "Write add(a, b).", "test": "import pytest\n" + _pytest(
        "assert add(2, 2) == 4", "assert pytest.approx(add(1, 2), 3)")}], oracle="code")
    assert not r.problems and "fails every program" in r.skipped[0] and "== pytest.approx(expected)" in r.skipped[0]


CODEFORCES = {"id": "1A", "title": "Sum", "description": "Print the sum of two integers.", "input_format": "Two ints.",
              "output_format": "Their sum.", "official_tests": [{"input": "1 2\n", "output": "3\n"},
                                                                {"input": "3 4\n", "output": "7\n"}],
              "official_tests_complete": True, "input_mode": "stdio", "interaction_format": None}
SUM = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"


@pytest.mark.parametrize("checker", [
    "print(1)\n", "import sys\nopen(sys.argv[1]).read()\nprint(1)\n",
    "import sys\nans = open(sys.argv[2]).read()\nprint(1 if ans else 0)\n",
    "from sys import argv\nprint(int(bool(open(argv[1]).read())))\n",
], ids=["prints-1", "reads-the-input-only", "reads-the-answer-only", "argv-imported"])
def test_a_codeforces_checker_that_never_reads_the_programs_output_is_refused(tmp_path, checker):
    # each printed 1 whatever the program printed: print(0) passed
    r = load(tmp_path, [{**CODEFORCES, "generated_checker": checker}], oracle="code")
    assert not r.problems and "never reads the program's output" in r.skipped[0]


@pytest.mark.parametrize("checker", [
    "import sys\nout = open(sys.argv[3]).read().split()\nans = open(sys.argv[2]).read().split()\n"
    "print(int(out == ans))\n",
    "import sys\n_, ans, out = sys.argv[1:4]\nprint(int(open(out).read().split() == open(ans).read().split()))\n",
    "import sys\nprint(int(open(sys.argv[-1]).read().split() == open(sys.argv[-2]).read().split()))\n",
    "print(int(open('solution_output.txt').read().split() == open('correct_output.txt').read().split()))\n",
])
def test_a_checker_reading_the_programs_output_still_judges(tmp_path, checker):
    p, = load(tmp_path, [{**CODEFORCES, "generated_checker": checker}], oracle="code").problems
    assert CODE(SUM, p).success and not CODE("```python\nprint(0)\n```", p).success


@pytest.mark.parametrize("tests", [
    {"test": "def approx(a, b):\n    return abs(a - b) < 1e-9\n\n" + _pytest("assert approx(add(1, 2), 3)")},
    {"test": _pytest("r = add(1, 2)", "if r != r:", "    raise AssertionError('NaN')", "assert r == 3")},
    {"test": "import math\n" + _pytest("r = add(1, 2)", "if r != r:", "    assert False, 'NaN'", "assert r == 3")},
], ids=["own-approx-helper", "nan-check-raise", "nan-check-assert"])
def test_a_helper_named_approx_and_a_nan_check_still_judge_without_a_warning(tmp_path, caplog, tests):
    p, = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert not [m for m in caplog.messages if "every program" in m]
