"""Dataset rows as real datasets publish them, round 23: a truth check given the expected value as its message
(``self.assertTrue(f(x), 3)``, ``assert f(x), 3``), a bare ``assert add`` of a function the tests never call,
Open-Reasoner-Zero's rows of bare chat messages, the model's own chat template failing on a question, a pytest
parametrize of no cases, CodeContests' hidden tests that --tests-field leaves out, and rows keeping their hidden tests
alone."""

import json

import pytest

from helpers.rows import load
from helpers.tiny_models import byte_level_bpe
from ptsfast.problems.code_tests import TestFormatError, test_program_from_row as program_from_row
from ptsfast.problems.loading import Problem, encode_problems
from test_dataset_shapes_round20 import ADD, CODE, ZERO, _unittest

Q = "Write add(a, b)."
ONE = "```python\ndef add(a, b):\n    return 1\n```"


@pytest.mark.parametrize("row, meant", [
    ({"test": _unittest("self.assertTrue(add(1, 2), 3)")}, "self.assertEqual(add(1, 2), 3)"),
    ({"test": _unittest("self.assertTrue(add(1, 2), [3])")}, "self.assertEqual(add(1, 2), [3])"),
    ({"test": _unittest("self.assertFalse(add(1, -1), 0)")}, "self.assertEqual(add(1, -1), 0)"),
    ({"test_list": ["assert add(1, 2), 3", "assert add(2, 2), 4"]}, "assert add(1, 2) == 3"),
    ({"test": "from solution import add\n\ndef test_add():\n    r = add(1, 2)\n    assert r, 3\n"}, "assert r == 3"),
], ids=["unittest", "unittest-list", "unittest-false", "mbpp", "pytest-name"])
def test_a_truth_check_given_the_expected_value_as_its_message_is_refused(tmp_path, row, meant):
    # each loaded, and add returning 1 (a true value: 0 for assertFalse) passed: the 3 is the message
    r = load(tmp_path, [{"question": Q, **row}], oracle="code")
    assert not r.problems and "message, not a value it compares with" in r.skipped[0]
    assert "passes every program whose" in r.skipped[0] and repr(meant) in r.skipped[0]


@pytest.mark.parametrize("row", [
    {"test": _unittest("self.assertTrue(add(1, -1), 0)", "self.assertEqual(add(2, 2), 4)")},
    {"test": _unittest("self.assertFalse(add(1, 2), 3)")},
    {"test_list": ["assert add(2, 2) == 4", "assert add(1, -1), 0"]},
    {"test_list": ["assert add(1, -1), False"]},
], ids=["unittest-zero", "unittest-false-three", "mbpp-zero", "mbpp-false"])
def test_a_truth_check_expecting_the_other_truth_is_refused_as_failing_the_right_program(tmp_path, row):
    # assertTrue(add(1, -1), 0): the right add returns 0 and failed, add returning 1 passed (beside real checks, the
    # right program failed the row)
    r = load(tmp_path, [{"question": Q, **row}], oracle="code")
    assert not r.problems and "a right program, whose" in r.skipped[0] and "fails it" in r.skipped[0]


def test_beside_real_checks_a_message_taken_for_the_value_is_warned_of(tmp_path, caplog):
    p, = load(tmp_path, [{"question": Q, "test": _unittest("self.assertTrue(add(1, 2), 3)",
                                                           "self.assertEqual(add(2, 2), 4)")}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ONE, p).success and not CODE(ZERO, p).success
    said = [m for m in caplog.messages if "passes every program" in m]
    assert len(said) == 1 and "self.assertTrue(add(1, 2), 3)" in said[0]


@pytest.mark.parametrize("check", [
    "self.assertTrue(add(1, 2) == 3, 3)",  # a comparison: the 3 is only an odd message
    "self.assertTrue(add(1, 2), 'add(1, 2) should be 3')",
    "self.assertTrue(add(1, 2), True)",
    "self.assertTrue(add(1, 2) - 3 == 0, None)",
])
def test_a_truth_check_with_a_real_message_still_judges(tmp_path, caplog, check):
    tests = _unittest(check, "self.assertEqual(add(2, 2), 4)")
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert not [m for m in caplog.messages if "passes every program" in m]


@pytest.mark.parametrize("check", ["self.assertTrue(is_even(4), 1)", "assert is_even(4), 1",
                                   "self.assertTrue(np.allclose(is_even(4), 1), 1e-6)"])
def test_a_predicate_checked_true_with_a_true_message_is_read_as_written(check):
    # is_even returns a truth value: assertTrue of it checks what was meant, whatever its message
    tests = "import unittest\nimport numpy as np\nfrom solution import is_even\n\nclass T(unittest.TestCase):\n" \
            f"    def test_a(self):\n        {check}\n"
    assert program_from_row({"test": tests}, ("test",), None, "Write is_even(n).").format == "unittest"


def test_a_predicate_checked_true_expecting_false_is_refused():
    tests = "from solution import is_even\n\ndef test_a():\n    assert is_even(3), False\n"
    with pytest.raises(TestFormatError, match="a right program, whose is_even"):
        program_from_row({"test": tests}, ("test",), None, "Write is_even(n).")


@pytest.mark.parametrize("row, says", [
    ({"test": "from solution import add\n\ndef test_add():\n    assert add\n"}, "the function add itself"),
    ({"test_list": ["assert add"]}, "the function add itself"),
    ({"test": "def check(candidate):\n    assert add\n", "entry_point": "add"}, "the function add itself"),
    ({"test": "from solution import total\n\ndef test_total():\n    assert total\n", "entry_point": "total"},
     "the function total itself"),
    ({"test": _unittest("self.assertIsNotNone(add)")}, "the function add"),
], ids=["pytest", "mbpp", "humaneval", "entry-point", "unittest-not-none"])
def test_a_bare_check_of_a_function_the_tests_never_call_is_refused(tmp_path, row, says):
    # add was never called in the tests, so it was not known for a function: each loaded and add returning 0 passed
    r = load(tmp_path, [{"question": Q, **row}], "--id-field", "task_id", oracle="code")
    assert not r.problems and "passes every program" in r.skipped[0] and says in r.skipped[0]


def test_a_value_imported_and_asserted_is_still_read_when_the_question_names_no_such_function(tmp_path):
    # DEBUG is no function the question asks for: asserting it reads the program
    prog = "```python\nDEBUG = {}\ndef add(a, b):\n    return a + b\n```"
    tests = "from solution import add, DEBUG\n\ndef test_a():\n    assert DEBUG\n    assert add(1, 2) == 3\n"
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(prog.format(1), p).success and not CODE(prog.format(0), p).success


ORZ = [[{"from": "human", "value": "What is 1+1?"}, {"from": "assistant", "ground_truth": {"value": "2"}}],
       [{"from": "human", "value": "What is 2+3?"}, {"from": "assistant", "ground_truth": {"value": "5"}}]]


@pytest.mark.parametrize("name, raw, rows", [
    ("orz_math_57k_collected.json", json.dumps(ORZ, indent=4).encode(), 2),  # as Open-Reasoner-Zero publishes it
    ("orz.json", json.dumps(ORZ).encode(), 2),
    ("orz.jsonl", b"".join(json.dumps(r).encode() + b"\n" for r in ORZ), 2),
    ("orz.jsonl", json.dumps(ORZ[0]).encode(), 1),  # one line, one conversation: one row, not two of a message each
], ids=["published", "one-line", "json-lines", "one-conversation"])
def test_open_reasoner_zero_pairs_read_as_question_and_ground_truth(tmp_path, name, raw, rows):
    # each row a list [human, assistant with ground_truth] was refused ('a value of type list, not a dict')
    r = load(tmp_path, [], oracle="math", name=name, raw=raw)
    assert [(p.question, p.answer) for p in r.problems] == [("What is 1+1?", "2"), ("What is 2+3?", "5")][:rows]
    assert not r.skipped


def test_the_ground_truth_is_the_answer_beside_an_assistant_reply(tmp_path):
    rows = [[{"from": "human", "value": "What is 1+1?"},
             {"from": "assistant", "value": "It is 3.", "ground_truth": {"value": "2"}}]]
    p, = load(tmp_path, [], oracle="math", name="orz.json", raw=json.dumps(rows).encode()).problems
    assert (p.question, p.answer) == ("What is 1+1?", "2")


def test_a_sharegpt_conversation_saved_as_a_bare_list_reads_its_reply(tmp_path):
    rows = [[{"from": "human", "value": "What is 1+1?"}, {"from": "gpt", "value": "So \\boxed{2}."}]]
    p, = load(tmp_path, [], oracle="math", name="sg.json", raw=json.dumps(rows).encode()).problems
    assert (p.question, p.answer) == ("What is 1+1?", "So \\boxed{2}.")


def test_rows_of_a_role_column_are_no_conversation(tmp_path):
    # a table whose rows have a 'role' column (and no message text) is read row by row, as before
    rows = [{"role": "student", "question": "What is 1+1?", "answer": "2"},
            {"role": "teacher", "question": "What is 2+2?", "answer": "4"}]
    r = load(tmp_path, [], oracle="math", name="t.json", raw=json.dumps(rows).encode())
    assert [p.answer for p in r.problems] == ["2", "4"]


RAISES = "{% if 'w11' in messages[-1]['content'] %}{{ raise_exception('not this one') }}{% endif %}" \
         "{% for m in messages %}{{ m['content'] }}{% endfor %}"


@pytest.mark.parametrize("system, says", [(None, ""), ("Be brief.", "drop --system-prompt")])
def test_the_models_own_template_failing_on_a_question_names_the_template_options(system, says):
    # the skip said only "fix the question text", though the question was fine and the template the problem
    tok = byte_level_bpe()
    tok.chat_template = RAISES
    problems = [Problem("bad", "What is w11?", "5"), Problem("good", "What is 2+3?", "5")]
    out, skipped = encode_problems(problems, tok, system_prompt=system)
    assert [p.id for p in out] == ["good"] and [s.id for s in skipped] == ["bad"]
    assert "the model's own chat template failed" in skipped[0] and "--chat-template" in skipped[0]
    assert "--no-chat-template" in skipped[0] and says in skipped[0] and "fix the question text" not in skipped[0]


PARAMETRIZED = "import pytest\nfrom solution import add\n\n{cases}@pytest.mark.parametrize('a, b, c', {values})\n" \
               "def test_add(a, b, c):\n    assert add(a, b) == c\n"


@pytest.mark.parametrize("cases, values", [("", "[]"), ("", "()"), ("CASES = []\n\n", "CASES")],
                         ids=["list", "tuple", "a-name"])
def test_a_parametrize_of_no_cases_is_refused_not_failing_every_program(tmp_path, cases, values):
    # KodCode-style pytest tests whose cases were never filled in: pytest skips the test ('got empty parameter
    # set'), no test ran, and the right add failed with every other program
    r = load(tmp_path, [{"question": Q, "test": PARAMETRIZED.format(cases=cases, values=values)}], oracle="code")
    assert not r.problems and "lists no cases" in r.skipped[0] and "test_add" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    PARAMETRIZED.format(cases="", values="[]") + "\ndef test_more():\n    assert add(2, 2) == 4\n",
    PARAMETRIZED.format(cases="CASES = []\nCASES.append((1, 2, 3))\n\n", values="CASES"),
], ids=["beside-a-test", "filled-in"])
def test_a_parametrize_whose_cases_exist_still_judges(tmp_path, tests):
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


def _codecontests(generated) -> dict:
    return {"name": "1_A", "description": "Read n, print 2n.", "public_tests": {"input": ["2\n"], "output": ["4\n"]},
            "private_tests": {"input": [], "output": []}, "generated_tests": generated}


def test_samples_named_alone_beside_hidden_tests_name_the_columns_left_out(tmp_path, caplog):
    # --tests-field public_tests: the warning said 'generated_tests' was empty or missing, though it held the
    # hidden tests, and named no way to read them
    r = load(tmp_path, [_codecontests({"input": ["5\n"], "output": ["10\n"]})], "--tests-field", "public_tests",
             "--id-field", "name", oracle="code")
    said = [m for m in caplog.messages if "sample tests alone" in m]
    assert len(r.problems) == 1 and len(said) == 1 and "empty or missing" not in said[0]
    assert "'generated_tests' holds hidden tests" in said[0]
    assert "--tests-field public_tests private_tests generated_tests" in said[0]


def test_samples_alone_with_hidden_tests_empty_are_warned_of_as_before(tmp_path, caplog):
    r = load(tmp_path, [_codecontests({"input": [], "output": []})], "--tests-field", "public_tests",
             "--id-field", "name", oracle="code")
    said = [m for m in caplog.messages if "sample tests alone" in m]
    assert len(r.problems) == 1 and len(said) == 1 and "empty or missing" in said[0]


def _lcb_private(cases) -> str:
    import base64
    import pickle
    import zlib
    return base64.b64encode(zlib.compress(pickle.dumps(json.dumps(cases)))).decode()


@pytest.mark.parametrize("row", [
    {"question_content": "Read n, print 2n.", "metadata": "{}",
     "private_test_cases": _lcb_private([{"input": "5\n", "output": "10\n", "testtype": "stdin"},
                                         {"input": "2\n", "output": "4\n", "testtype": "stdin"}])},
    {"description": "Read n, print 2n.", "private_tests": {"input": ["5\n"], "output": ["10\n"]},
     "generated_tests": {"input": ["2\n"], "output": ["4\n"]}},
], ids=["livecodebench", "codecontests"])
def test_a_row_keeping_its_hidden_tests_alone_is_judged_on_them(tmp_path, row):
    # without its samples' column the row was skipped, "no tests: 'tests' is empty or missing", naming no column
    p, = load(tmp_path, [row], oracle="code").problems
    assert CODE("```python\nprint(2 * int(input()))\n```", p).success
    assert not CODE("```python\nprint(int(input()) + 5)\n```", p).success
    assert not CODE("```python\nprint(10)\n```", p).success  # every case read (generated_tests beside private_tests)


@pytest.mark.parametrize("tests", [
    "import pytest\nfrom solution import add\n\n@pytest.mark.parametrize('a, b, expected', [(1, 2, 3), (2, 2, 4)])\n"
    "def test_add(a, b, expected):\n    assert add(a, b), expected\n",
    "from solution import add\n\ndef test_add():\n    for a, b, expected_sum in [(1, 2, 3), (2, 2, 4)]:\n"
    "        assert add(a, b), expected_sum\n",
    _unittest("for a, b, exp in [(1, 2, 3), (2, 2, 4)]:", "    self.assertTrue(add(a, b), exp)"),
], ids=["pytest-parametrize", "pytest-loop", "unittest-loop"])
def test_a_truth_check_given_an_expected_values_name_as_its_message_is_refused(tmp_path, tests):
    # assert add(a, b), expected: each case's expected value was the assert's message, and add returning 1 passed
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "message, not a value it compares with" in r.skipped[0]


def test_a_truth_check_with_a_message_variable_still_judges(tmp_path):
    tests = "from solution import add\n\ndef test_add():\n    msg = 'add is wrong'\n    assert add(1, 2) == 3, msg\n" \
            "    assert add(1, 2), msg\n"
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success and not CODE(ONE, p).success
