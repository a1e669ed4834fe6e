"""Dataset rows as real datasets publish them, round 19: worked solutions boxing one answer in two forms, and more
code and math shapes."""

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge

MATH = make_judge("math", 10.0)
HALF = "What is 1/2 as a number?"


@pytest.mark.parametrize("solution, first", [
    ("So it is $\\boxed{\\frac12}$, that is $\\boxed{0.5}$.", "\\frac12"),
    ("We get $\\boxed{0.5}$, or as a fraction $\\boxed{\\dfrac{1}{2}}$.", "0.5"),
    ("Thus $\\boxed{\\tfrac{1}{2}}$, i.e. $\\boxed{1/2}$ or $\\boxed{.5}$.", "1/2"),
])
def test_a_worked_solution_boxing_one_answer_in_two_forms_loads(tmp_path, solution, first):
    # refused as a solution "boxing 2 different answers" (one per part of a problem of several parts?)
    p, = load(tmp_path, [{"problem": HALF, "solution": solution}], oracle="math").problems
    assert MATH(f"\\boxed{{{first}}}", p).success
    assert not MATH("\\boxed{2}", p).success


@pytest.mark.parametrize("solution", ["(1) $\\boxed{\\frac12}$. (2) $\\boxed{0.25}$.",
                                      "(1) $\\boxed{\\frac12}$. (2) $\\boxed{-0.5}$.",
                                      "(1) $\\boxed{\\frac12}$. (2) $\\boxed{\\frac12, 1}$."])
def test_a_worked_solution_boxing_two_values_is_still_refused(tmp_path, solution):
    r = load(tmp_path, [{"problem": "(1) Find a. (2) Find b.", "solution": solution}], oracle="math")
    assert not r.problems and "boxing 2 different answers" in r.skipped[0]


def _lcb_row(private) -> dict:
    import json
    public = json.dumps([{"input": "1\n", "output": "2\n", "testtype": "stdin"}])
    return {"question_title": "t", "question_content": "Read n, print n + 1.", "platform": "atcoder",
            "question_id": "abc001_a", "starter_code": "", "difficulty": "easy", "public_test_cases": public,
            "private_test_cases": private, "metadata": "{}"}


def _codecontests_row(private, generated) -> dict:
    return {"name": "1_A", "description": "Read n, print n + 1.", "public_tests": {"input": ["1\n"], "output": ["2\n"]},
            "private_tests": private, "generated_tests": generated, "source": 2, "difficulty": 7}


@pytest.mark.parametrize("row", [_lcb_row("[]"), _lcb_row(""), _lcb_row(None),
                                 _codecontests_row({"input": [], "output": []}, {"input": [], "output": []})],
                         ids=["lcb-empty-list", "lcb-empty-text", "lcb-null", "codecontests-empty"])
def test_a_row_judged_on_its_sample_tests_alone_is_named_in_a_warning(tmp_path, caplog, row):
    # its private tests empty, it was judged on the statement's samples without a word: print(2) passed
    r = load(tmp_path, [row], "--id-field", "name" if "name" in row else "question_id", oracle="code")
    assert len(r.problems) == 1
    said = [m for m in caplog.messages if "sample tests alone" in m]
    assert len(said) == 1 and r.problems[0].id in said[0]


def test_rows_with_hidden_tests_get_no_sample_warning(tmp_path, caplog):
    import base64
    import json
    import pickle
    import zlib
    text = json.dumps([{"input": "5\n", "output": "6\n", "testtype": "stdin"}])
    blob = base64.b64encode(zlib.compress(pickle.dumps(text))).decode()
    rows = [_lcb_row(blob), _lcb_row(text) | {"question_id": "abc002_a"},
            _codecontests_row({"input": [], "output": []}, {"input": ["5\n"], "output": ["6\n"]})]
    r = load(tmp_path, rows, oracle="code")
    assert len(r.problems) == 3 and not [m for m in caplog.messages if "sample tests alone" in m]


CODE = make_judge("code", 60.0)
ZERO = "```python\ndef add(a, b):\n    return 0\n```"
ADD = "```python\ndef add(a, b):\n    return a + b\n```"


@pytest.mark.parametrize("tests, says", [
    ({"test_list": ["assert (add(x, 1) == x + 1 for x in range(3))"]}, "asserts a generator"),
    ({"test": "from solution import add\n\ndef test_add():\n    assert [add(x, 1) == x + 1 for x in range(3)]\n"},
     "asserts a list comprehension"),
    ({"test": "from solution import add\n\ndef test_add():\n    assert {add(x, 1) == x + 1 for x in range(3)}\n"},
     "asserts a set comprehension"),
    ({"test_list": ["assert [add(1, 2) == 3]"]}, "asserts a list"),
    ({"test": "import unittest\nfrom solution import add\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
              "        self.assertTrue(add(x, 1) == x + 1 for x in range(3))\n"}, "asserts a generator"),
    ({"test": "import unittest\nfrom solution import add\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
              "        self.assertTrue((add(1, 2) == 3, 'one and two'))\n"}, "asserts a tuple"),
], ids=["mbpp-generator", "kodcode-listcomp", "kodcode-setcomp", "list", "unittest-generator", "unittest-tuple"])
def test_an_assert_of_a_generator_or_container_is_refused_not_passed_by_every_program(tmp_path, tests, says):
    # all( forgotten: the generator (never run) or the non-empty list is true, and add returning 0 passed
    r = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code")
    assert not r.problems and says in r.skipped[0] and "passes every program" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    {"test_list": ["assert all(add(x, 1) == x + 1 for x in range(3))"]},
    {"test": "from solution import add\n\ndef test_add():\n    assert not [x for x in range(3) if add(x, 1) != x + 1]\n"
             "    assert [add(1, 2)] == [3]\n"},
    {"test": "import unittest\nfrom solution import add\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
             "        self.assertTrue(all(add(x, 1) == x + 1 for x in range(3)))\n"
             "        self.assertTrue(add(1, 2) == 3, 'one and two')\n"},
])
def test_asserts_reading_a_generator_or_a_list_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": "Write add(a, b).", **tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


@pytest.mark.parametrize("check", ["assert [x for x in evens(4)]", "assert [*evens(4)]", "assert {*evens(4)}"])
def test_an_assert_of_a_container_built_from_the_result_still_judges(tmp_path, check):
    tests = {"test_list": [check, "assert evens(4) == [0, 2]"]}
    p, = load(tmp_path, [{"question": "Write evens(n): the even numbers below n.", **tests}], oracle="code").problems
    assert CODE("```python\ndef evens(n):\n    return list(range(0, n, 2))\n```", p).success
    assert not CODE("```python\ndef evens(n):\n    return []\n```", p).success


@pytest.mark.parametrize("statement", [
    "This problem is interactive.\n\nGuess x: print a query, read the answer.",  # Codeforces, AtCoder
    "**This is an interactive task**\n\nThere is a hidden array.",  # CodeChef
    "This is an interactive task.\n\nGuess x.",  # AtCoder, Codeforces
    "Read n. Note that this is an interactive problem: flush after each query.",
])
def test_a_statement_saying_its_problem_is_interactive_in_other_words_is_refused(tmp_path, statement):
    # only "This is an interactive problem" was read: these were judged as plain stdin/stdout, where the interactor's
    # replies never come and a right program fails
    row = _codecontests_row({"input": ["5\n"], "output": ["6\n"]}, {"input": [], "output": []}) | \
        {"description": statement}
    r = load(tmp_path, [row], oracle="code")
    assert not r.problems and "interactive problem" in r.skipped[0]


@pytest.mark.parametrize("statement", ["This problem is not interactive: read n, print n + 1.",
                                       "Read n, print n + 1. (The easy version was an interactive problem.)"])
def test_a_statement_that_only_mentions_interaction_still_loads(tmp_path, statement):
    row = _codecontests_row({"input": ["5\n"], "output": ["6\n"]}, {"input": [], "output": []}) | \
        {"description": statement}
    p, = load(tmp_path, [row], oracle="code").problems
    assert CODE("```python\nprint(int(input()) + 1)\n```", p).success
    assert not CODE("```python\nprint(2)\n```", p).success


@pytest.mark.parametrize("imports", ["from .solution import add", "from . import solution\nadd = solution.add"])
def test_tests_importing_the_solution_relative_to_a_package_are_refused(tmp_path, imports):
    # they run as a module of no package: 'attempted relative import', and the right program failed with every other
    test = f"{imports}\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    r = load(tmp_path, [{"question_id": "q1", "question": "Write add(a, b).", "test": test}], oracle="code")
    assert not r.problems and "relative to a package" in r.skipped[0] and "from solution import" in r.skipped[0]


def test_a_relative_import_with_a_fallback_still_judges(tmp_path):
    test = "try:\n    from .solution import add\nexcept ImportError:\n    from solution import add\n\n" \
           "def test_add():\n    assert add(1, 2) == 3\n"
    p, = load(tmp_path, [{"question_id": "q1", "question": "Write add(a, b).", "test": test}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


DAPO_PROMPT = ("Solve the following math problem step by step. The last line of your response should be of the form "
               "Answer: $Answer (without quotes) where $Answer is the answer to the problem.\n\n{}\n\nRemember to put "
               "your answer on its own line after \"Answer:\".")


def _dapo_row(problem: str, answer: str) -> dict:
    return {"data_source": "math_dapo", "prompt": [{"role": "user", "content": DAPO_PROMPT.format(problem)}],
            "ability": "MATH", "reward_model": {"ground_truth": answer, "style": "rule-lighteval/MATH_v2"},
            "extra_info": {"index": problem}}


def test_dapo_math_rows_asking_for_an_answer_line_are_named_in_one_warning(tmp_path, caplog):
    # the math oracle judges a box: a rollout ending 'Answer: 4', as the prompt asks, was judged wrong without a word
    r = load(tmp_path, [_dapo_row("What is 2 + 2?", "4"), _dapo_row("What is 3 + 3?", "6")], oracle="math")
    said = [m for m in caplog.messages if "last line 'Answer: ...'" in m]
    assert len(r.problems) == 2 and len(said) == 1 and "--oracle last_number" in said[0]
    assert not MATH("2 + 2 = 4.\nAnswer: 4", r.problems[0]).success
    assert make_judge("last_number", 10.0)("2 + 2 = 4.\nAnswer: 4", r.problems[0]).success


def test_math_rows_asking_for_a_box_get_no_answer_line_warning(tmp_path, caplog):
    r = load(tmp_path, [{"problem": "What is 2 + 2? Put the final answer in \\boxed{}.", "answer": "4"}],
             oracle="math")
    assert len(r.problems) == 1 and not [m for m in caplog.messages if "Answer: ..." in m]


@pytest.mark.parametrize("note", ["If there are multiple answers, print any of them.",
                                  "If there are several solutions, output any.",
                                  "Print any valid permutation."])
def test_stdio_rows_accepting_any_of_several_outputs_without_a_checker_are_named_in_a_warning(tmp_path, caplog, note):
    # CodeContests keeps no checker: a right program printing another valid answer than the row's fails, silently
    row = _codecontests_row({"input": ["5\n"], "output": ["6\n"]}, {"input": [], "output": []}) | \
        {"description": f"Read n, print a number above n. {note}"}
    r = load(tmp_path, [row], "--id-field", "name", oracle="code")
    said = [m for m in caplog.messages if "any of several outputs" in m]
    assert len(r.problems) == 1 and len(said) == 1 and "1_A" in said[0]


def test_a_row_with_a_checker_or_one_right_output_gets_no_several_outputs_warning(tmp_path, caplog):
    checker = "import sys\nn = int(open(sys.argv[1]).read())\nprint(int(int(open(sys.argv[3]).read()) > n))\n"
    rows = [{"id": "1A", "contest_id": "1", "index": "A", "title": "Above", "interaction_format": None,
             "description": "Read n, print a number above n. If there are multiple answers, print any of them.",
             "official_tests_complete": True, "official_tests": [{"input": "5\n", "output": "6\n"}],
             "input_mode": "stdio", "generated_checker": checker},
            _codecontests_row({"input": ["5\n"], "output": ["6\n"]}, {"input": [], "output": []})]
    r = load(tmp_path, rows, oracle="code")
    assert len(r.problems) == 2 and not [m for m in caplog.messages if "any of several outputs" in m]
    assert CODE("```python\nprint(int(input()) + 7)\n```", r.problems[0]).success


@pytest.mark.parametrize("answer", ["答：7个", "答：7个。", "7个。", "7（个）", "7 (个)"])
def test_a_chinese_reference_stated_with_its_lead_in_unit_or_full_stop_is_its_answer(tmp_path, answer):
    # each was kept as written, and no box matched it: \boxed{7} and \boxed{7个} were judged wrong with \boxed{8}
    p, = load(tmp_path, [{"question": "小明有3个苹果，又买了4个，一共有几个？", "answer": answer}], oracle="math").problems
    assert MATH("\\boxed{7}", p).success and MATH("\\boxed{7个}", p).success
    assert not MATH("\\boxed{8}", p).success


def test_a_chinese_sentence_as_the_reference_is_not_cut_to_a_number(tmp_path):
    p, = load(tmp_path, [{"question": "问题", "answer": "答：一共有7个苹果。"}], oracle="math").problems
    assert p.answer == "一共有7个苹果"


@pytest.mark.parametrize("module", ["Solution", "main", "submission"])
def test_tests_importing_the_solution_under_another_module_name_say_so(tmp_path, module):
    # refused as a module 'not installed in this environment; install it': there is no package to install. Such
    # imports now run as the solution's (test_dataset_shapes_round25); one reached otherwise is still named so
    test = f"import importlib\nfrom {module} import add\n\ndef test_add():\n    assert add(1, 2) == 3\n" \
           f"    assert importlib.import_module('{module}').add(2, 2) == 4\n"
    r = load(tmp_path, [{"question_id": "q1", "question": "Write add(a, b).", "test": test}], oracle="code")
    assert not r.problems and "runs it as module 'solution'" in r.skipped[0] and "install it" not in r.skipped[0]


def test_tests_importing_a_package_that_is_not_installed_still_say_install_it(tmp_path):
    test = "from no_such_package_xyz import helper\nfrom solution import add\n\ndef test_add():\n" \
           "    assert add(1, 2) == helper()\n"
    r = load(tmp_path, [{"question_id": "q1", "question": "Write add(a, b).", "test": test}], oracle="code")
    assert not r.problems and "install it or drop the row" in r.skipped[0]
