"""Dataset rows as real datasets publish them, round 20: checks that pass every program beside real ones, and
asserts whose truth is fixed."""

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
ZERO = "```python\ndef add(a, b):\n    return 0\n```"
ADD = "```python\ndef add(a, b):\n    return a + b\n```"
UNITTEST = "import unittest\nfrom solution import add\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"


def _unittest(*lines: str) -> str:
    return UNITTEST + "".join(f"        {line}\n" for line in lines)


@pytest.mark.parametrize("tests", [
    {"test_list": ["assert add(1, 2) == 3 or True"]},
    {"test_list": ["assert add(1, 2) == 3 or 1"]},
    {"test_list": ["assert (add(1, 2) == 3) | True"]},
    {"test_list": ["assert add(1, 2) == 3 or 'add(1, 2) should be 3'"]},
    {"test_list": ["assert True or add(1, 2) == 3"]},
    {"test_list": ["assert 'add(1, 2) == 3'"]},
    {"test_list": ["assert f'{add(1, 2)} == 3'"]},
    {"test_list": ["assert bool([add(1, 2) == 3])"]},
    {"test_list": ["assert any([add(1, 2) == 3, True])"]},
    {"test_list": ["assert lambda: add(1, 2) == 3"]},
    {"test_list": ["assert {'sum': add(1, 2) == 3}"]},
    {"test_list": ["assert True"]},
    {"test": _unittest("self.assertTrue(add(1, 2) == 3 or True)")},
    {"test": _unittest("self.assertTrue('add works')")},
    {"test": _unittest("self.assertFalse(add(1, 2) != 3 and False)")},
    {"test": _unittest("self.assertEqual(True, True)")},
    {"test": _unittest("result = add(1, 2)", "self.assertIn(3, [3])")},
    {"test": "from solution import add\n\ndef test_add():\n    assert add(1, 2) == 3 or True\n"},
], ids=["or-true", "or-1", "bitor-true", "or-message", "true-or", "string", "f-string", "bool-of-list",
        "any-with-true", "lambda", "dict", "true", "unittest-or-true", "unittest-string", "unittest-false-and",
        "unittest-literals", "unittest-literal-in", "pytest-or-true"])
def test_a_check_of_fixed_truth_is_refused_not_passed_by_every_program(tmp_path, tests):
    # each loaded, and add returning 0 passed: the check decides nothing, whatever add returns
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and "passes every program" in r.skipped[0]


@pytest.mark.parametrize("check", ["assert add(1, 2) == 3 or None", "assert add(1, 2) == 3 or 0",
                                   "assert 0 or add(1, 2) == 3", "assert add(1, 2) == 3 if True else True",
                                   "assert (add(1, 2) == 3) | False", "assert all([add(1, 2) == 3, True])",
                                   "assert not [x for x in [1] if add(x, 2) != 3]"])
def test_a_disjunction_with_a_side_that_can_be_false_still_judges(tmp_path, check):
    p, = load(tmp_path, [{"question": "Write add(a, b).", "test_list": [check]}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


BIGCODEBENCH_876 = """import unittest
import os
class TestCases(unittest.TestCase):
    def test_add(self):
        self.assertEqual(task_func(1, 2), 3)
        self.assertTrue(['backup.txt'])  # Backup directory should not be empty
    def test_zero(self):
        self.assertTrue(['backup.txt'])
        self.assertEqual(task_func(0, 0), 0)
"""


def test_a_vacuous_check_beside_real_ones_is_named_and_the_row_judged_on_the_rest(tmp_path, caplog):
    # BigCodeBench/876: assertTrue(['backup.txt']) beside real checks refused the whole row
    row = {"task_id": "BigCodeBench/876", "instruct_prompt": "Write task_func(a, b): their sum.",
           "test": BIGCODEBENCH_876, "entry_point": "task_func"}
    p, = load(tmp_path, [row], "--id-field", "task_id", oracle="code").problems
    assert CODE("```python\ndef task_func(a, b):\n    return a + b\n```", p).success
    assert not CODE("```python\ndef task_func(a, b):\n    return 0\n```", p).success
    said = [m for m in caplog.messages if "passes every program" in m]
    assert len(said) == 1 and "BigCodeBench/876" in said[0] and "assertTrue(['backup.txt'])" in said[0]


@pytest.mark.parametrize("tests", [
    {"test_list": ["assert add(2, 2) == 4", "assert [add(x, 1) == x + 1 for x in range(3)]"]},
    {"test_list": ["assert add(2, 2) == 4"], "challenge_test_list": ["assert add(1, 2) == 3 or True"]},
    {"test": "from solution import add\n\ndef test_a():\n    assert (add(x, 1) == x + 1 for x in range(3))\n\n"
             "def test_b():\n    assert add(2, 2) == 4\n"},
    {"test": _unittest("self.assertTrue(add(1, 2) == 3 or True)", "self.assertEqual(add(2, 2), 4)")},
], ids=["mbpp-listcomp", "mbpp-challenge", "pytest-generator", "unittest-or-true"])
def test_rows_with_a_vacuous_check_and_real_ones_load_and_judge(tmp_path, caplog, tests):
    flags = ("--tests-field", "test_list", "--tests-field", "challenge_test_list") \
        if "challenge_test_list" in tests else ()
    p, = load(tmp_path, [{"question": "Write add(a, b).", **tests}], *flags, oracle="code").problems
    assert CODE(ADD, p).success and not CODE("```python\ndef add(a, b):\n    return 3\n```", p).success
    assert len([m for m in caplog.messages if "passes every program" in m]) == 1


@pytest.mark.parametrize("tests", [
    {"test_list": ["assert (add(1, 2) == 3, 'one and two')", "assert [add(2, 2) == 4]"]},
    {"test": _unittest("result = add(1, 2)", "self.assertTrue(['ok'])", "print(result)")},
    {"test": "from solution import add\n\ndef test_a():\n    add(1, 2)\n    assert True\n"},
    {"test": _unittest("x = self.assertTrue(['ok'])", "self.assertEqual(add(1, 2), 3)")},
    {"test_list": ["assert (add(1, 2) == 3, 'one and two')", "assert add(2, 2) == 4"]},
    {"test": _unittest("self.assertTrue((add(1, 2) == 3, 'one and two'))", "self.assertEqual(add(2, 2), 4)")},
], ids=["two-vacuous", "unittest-vacuous-and-print", "pytest-runs-only", "vacuous-inside-a-statement",
        "mbpp-tuple-beside-a-real-check", "unittest-tuple-beside-a-real-check"])
def test_rows_whose_only_checks_are_vacuous_are_still_refused(tmp_path, tests):
    # a tuple asserted holds the comparison its authors meant to check: refused whole, as before
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and "passes every program" in r.skipped[0]


def test_humaneval_debug_asserts_of_true_load_without_a_warning(tmp_path, caplog):
    # HumanEval's checks hold assert True, "This prints if this assert fails 1 (good for debugging!)"
    test = ("def check(candidate):\n    assert True, 'This prints if this assert fails 1 (good for debugging!)'\n"
            "    assert candidate(1, 2) == 3\n    assert True\n")
    row = {"task_id": "HumanEval/x", "prompt": "def add(a, b):\n", "test": test, "entry_point": "add"}
    p, = load(tmp_path, [row], "--id-field", "task_id", oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert not [m for m in caplog.messages if "passes every program" in m]


MATH = make_judge("math", 10.0)
GSM8K = make_judge("gsm8k", 10.0)
LAST = make_judge("last_number", 10.0)


@pytest.mark.parametrize("answer, value, wrong", [
    ("180 km", "180", "181"), ("180 km/h", "180", "18"), ("5 cm^2", "5", "6"), ("5 cm²", "5", "25"),
    ("3.5 hours", "3.5", "3"), ("15 dollars", "15", "16"), ("1,500 dollars", "1500", "1501"),
    ("200 km per hour", "200", "20"), ("12 元", "12", "13"), ("24平方厘米", "24", "25"), ("36千米", "36", "37"),
    ("(1/3)", "\\frac{1}{3}", "3"), ("(2/5)", "0.4", "\\frac{5}{2}"), ("-(1/3)", "-\\frac{1}{3}", "\\frac{1}{3}"),
    ("1(1/3)", "\\frac{4}{3}", "\\frac{1}{3}"),
])
def test_a_reference_with_a_plain_unit_or_ape210k_fraction_is_judged_by_its_value(tmp_path, answer, value, wrong):
    # kept as written: gsm8k and last_number read no number in '180 km' or '(1/3)' (every rollout failed), and the
    # math oracle compared it as text (\boxed{180} failed)
    p, = load(tmp_path, [{"question": "How far?", "answer": answer}], oracle="math").problems
    assert MATH(f"So the answer is $\\boxed{{{value}}}$.", p).success
    assert not MATH(f"So the answer is $\\boxed{{{wrong}}}$.", p).success
    plain = {"\\frac{1}{3}": "1/3", "-\\frac{1}{3}": "-1/3", "\\frac{4}{3}": "4/3", "\\frac{5}{2}": "5/2"}
    assert GSM8K(f"#### {plain.get(value, value)}", p).success
    assert LAST(f"The answer is {plain.get(value, value)}.", p).success
    assert not GSM8K(f"#### {plain.get(wrong, wrong)}", p).success


@pytest.mark.parametrize("answer", ["2 pi", "3 x", "2 i", "18 thousand", "10 percent", "2 thirds", "4 sevenths",
                                    "3 pm", "100 BC", "5 and 7", "12 or 13", "6 feet 2 inches", "2 real roots",
                                    "5 squared", "12万", "5万元", "5th"])
def test_words_after_a_number_that_are_no_unit_stay_in_the_reference(tmp_path, answer):
    p, = load(tmp_path, [{"question": "What is it?", "answer": answer}], oracle="math").problems
    assert p.answer == answer


@pytest.mark.parametrize("row, answer", [
    ({"id": "test-1", "grade": 1, "reasoning_step": 1, "source": "x", "question": "小明有3个苹果，又买了4个，一共有几个？",
      "golden": "7"}, "7"),  # CMATH
    ({"id": "1", "original_text": "一本书有120页，看了(1/3)，还剩多少页？", "segmented_text": "一 本 书 有 120 页",
      "equation": "x=120*(1-(1/3))", "ans": "80"}, "80"),  # Math23K
    ({"id": "2", "original_text": "甲数是乙数的几分之几？", "segmented_text": "甲 数", "equation": "x=1/3",
      "ans": "(1/3)"}, "1/3"),  # Ape210K
])
def test_chinese_math_sets_are_read_from_their_own_columns(tmp_path, row, answer):
    # skipped: "missing field 'answer'" (CMATH's golden) and "missing field 'question'" (original_text, ans)
    p, = load(tmp_path, [row], oracle="math").problems
    assert p.answer == answer and p.question.startswith(row.get("question", row.get("original_text")))


PYTEST = "from solution import add\n\n"


@pytest.mark.parametrize("tests", [
    {"test": PYTEST + "def test_add():\n    assert add(1, 2) == 3\n    yield\n"},
    {"test": PYTEST + "def check(a, b, c):\n    assert add(a, b) == c\n\ndef test_add():\n"
             "    for a, b, c in [(1, 2, 3), (2, 2, 4)]:\n        yield check, a, b, c\n"},
    {"test": _unittest("self.assertEqual(add(1, 2), 3)", "yield")},
    {"prompt": "def add(a, b):\n", "entry_point": "add",
     "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    yield\n"},
], ids=["pytest-yield", "pytest-yield-tests", "unittest-yield", "humaneval-yield"])
def test_a_test_that_is_a_generator_is_refused_not_passed_by_every_program(tmp_path, tests):
    # calling it made a generator and ran none of its asserts: add returning 0 passed
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and "is a generator" in r.skipped[0] and "passes every program" in r.skipped[0]


def test_a_generator_test_beside_real_ones_is_named_and_the_rest_judge(tmp_path, caplog):
    tests = PYTEST + "def test_gen():\n    assert add(1, 2) == 3\n    yield\n\n" \
        "def test_add():\n    assert add(2, 2) == 4\n"
    p, = load(tmp_path, [{"question": "Write add(a, b).", "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert len([m for m in caplog.messages if "passes every program" in m and "def test_gen" in m]) == 1


def test_a_yielding_fixture_still_judges(tmp_path):
    tests = ("import pytest\nfrom solution import add\n\n@pytest.fixture\ndef test_pairs():\n    yield [(1, 2, 3)]\n\n"
             "def test_add(test_pairs):\n    for a, b, c in test_pairs:\n        assert add(a, b) == c\n")
    p, = load(tmp_path, [{"question": "Write add(a, b).", "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


REFERENCE = "def add(a, b):\n    return a + b\n\n"


@pytest.mark.parametrize("tests, says", [
    ({"test": PYTEST + REFERENCE + "def test_add():\n    assert add(1, 2) == 3\n"}, "after importing it"),
    ({"test": "from solution import *\n\n" + REFERENCE + "def test_add():\n    assert add(1, 2) == 3\n",
      "entry_point": "add"}, "after importing it"),
    ({"prompt": "def add(a, b):\n", "entry_point": "add",
      "test": REFERENCE + "def check(candidate):\n    assert candidate(1, 2) == 3\n"}, "entry point"),
    ({"test_list": [REFERENCE + "assert add(1, 2) == 3", "assert add(2, 2) == 4"]}, "read no name of the program"),
    ({"test": "import unittest\n\n" + REFERENCE + "class T(unittest.TestCase):\n    def test_add(self):\n"
              "        self.assertEqual(add(1, 2), 3)\n"}, "read no name of the program"),
], ids=["pytest-import-then-def", "star-import-then-def", "humaneval-entry-point", "mbpp-reference", "unittest"])
def test_tests_that_define_the_function_they_test_are_refused(tmp_path, tests, says):
    # they tested their own add, and add returning 0 passed
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and says in r.skipped[0] and "every program passes" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    {"test": "from solution import add as solution_add\n\n" + REFERENCE +
             "def test_add():\n    assert solution_add(1, 2) == add(1, 2)\n", "entry_point": "add"},
    {"test": REFERENCE.replace("def add", "def reference") + PYTEST +
             "def test_add():\n    assert add(1, 2) == reference(1, 2)\n"},
    {"test": "try:\n    from solution import add\nexcept ImportError:\n    def add(a, b):\n        return a + b\n\n"
             "def test_add():\n    assert add(1, 2) == 3\n"},
    {"test_list": ["def expected(a, b):\n    return a + b", "assert add(1, 2) == expected(1, 2)"]},
], ids=["reference-beside-the-import", "reference-of-another-name", "import-fallback", "mbpp-helper"])
def test_tests_with_a_reference_of_their_own_beside_the_program_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


ASYNC = "import unittest\nfrom solution import add\n\nclass T(unittest.{base}):\n    async def test_add(self):\n" \
    "        self.assertEqual(add(1, 2), 3)\n"


def test_an_async_test_method_of_a_plain_testcase_is_refused(tmp_path):
    # unittest never awaits it (the dataset's run passes every program); ptsfast's run failed every program
    r = load(tmp_path, [{"question": "Write add(a, b).", "test": ASYNC.format(base="TestCase")}], oracle="code")
    assert not r.problems and "never awaits it" in r.skipped[0] and "IsolatedAsyncioTestCase" in r.skipped[0]


def test_an_async_test_method_of_an_isolated_asyncio_testcase_still_judges(tmp_path):
    p, = load(tmp_path, [{"question": "Write add(a, b).", "test": ASYNC.format(base="IsolatedAsyncioTestCase")}],
              oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
