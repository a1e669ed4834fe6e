"""Code rows as real datasets hold them, round 26: a Codeforces statement that lets the answer be printed in any
case ("the strings yEs, yes, Yes and YES will be recognized as positive answers") is judged as its yesno checker
judges, so a right program printing Yes for YES passes; without the sentence the case still counts, and a wrong
answer fails either way."""

import json

import pytest

from helpers.rows import load
from ptsfast.problems.code_tests import ANY_CASE, TestProgram
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
TASK = "Given n, print YES if n is even and NO otherwise, once for each of the t numbers."
CASES = {"inputs": ["3\n2\n3\n4\n"], "outputs": ["YES\nNO\nYES\n"]}
PHRASINGS = [  # as CodeContests', open-r1/codeforces' and LiveCodeBench's Codeforces rows word it
    "You can output the answer in any case (upper or lower). For example, the strings \"yEs\", \"yes\", \"Yes\", "
    "and \"YES\" will be recognized as positive responses.",
    "You can output the answer in any case (uppercase or lowercase). For example, the strings \"yEs\", \"yes\", "
    "\"Yes\", and \"YES\" will be recognized as positive answers.",
    "You may print every letter in any case you want (so, for example, the strings yEs, yes, Yes and YES will all be "
    "recognized as positive answer).",
    "You can output \"YES\" and \"NO\" in any case (for example, strings \"yEs\", \"yes\" and \"Yes\" will be "
    "recognized as a positive response).",
    "You can print each letter in any case (upper or lower).",
    "You can output the answer in any case (for example, <span class=\"tex-font-style-tt\">yEs</span>, <span "
    "class=\"tex-font-style-tt\">yes</span> will be recognized as positive answer).",
]


def program(yes, no):
    return ("```python\nt = int(input())\nfor _ in range(t):\n    n = int(input())\n"
            f"    print({yes!r} if n % 2 == 0 else {no!r})\n```")


RIGHT = [program("YES", "NO"), program("Yes", "No"), program("yes", "no")]
WRONG = program("NO", "YES")


def _problem(tmp_path, statement, **row):
    p, = load(tmp_path, [{"question": f"{TASK}\n\n{statement}", "input_output": json.dumps(CASES), **row}],
              oracle="code").problems
    return p


@pytest.mark.parametrize("statement", PHRASINGS)
def test_right_program_in_any_case_passes_where_the_statement_allows_it(tmp_path, statement):
    assert ANY_CASE.search(statement)
    p = _problem(tmp_path, statement)
    assert TestProgram.from_text(p.tests).any_case
    for right in RIGHT:
        assert CODE(right, p).success, right
    assert not CODE(WRONG, p).success


def test_case_still_counts_without_the_sentence(tmp_path):
    p = _problem(tmp_path, "Print the answers in the order given.")
    assert not TestProgram.from_text(p.tests).any_case
    assert CODE(RIGHT[0], p).success
    assert not CODE(RIGHT[1], p).success and not CODE(RIGHT[2], p).success
    assert not CODE(WRONG, p).success


def test_open_r1_statement_in_parts_and_livecodebench_lines(tmp_path):
    # open-r1/codeforces keeps the sentence in output_format; LiveCodeBench's rows compare line by line
    p, = load(tmp_path, [{"description": TASK, "input_format": "t, then t numbers.", "output_format": PHRASINGS[1],
                          "official_tests": [{"input": CASES["inputs"][0], "output": CASES["outputs"][0]}],
                          "official_tests_complete": True}], oracle="code").problems
    assert CODE(RIGHT[1], p).success and not CODE(WRONG, p).success
    lcb = json.dumps([{"input": CASES["inputs"][0], "output": CASES["outputs"][0], "testtype": "stdin"}])
    p, = load(tmp_path, [{"question_content": f"{TASK}\n{PHRASINGS[0]}", "public_test_cases": lcb,
                                  "private_test_cases": lcb}], oracle="code", name="lcb.jsonl").problems
    assert TestProgram.from_text(p.tests).exact
    assert CODE(RIGHT[2], p).success and not CODE(WRONG, p).success


def test_only_yes_and_no_lose_their_case(tmp_path):
    # "YES" and then a string whose case is the answer's: the statement's sentence is about YES and NO only
    cases = {"inputs": ["ab\n"], "outputs": ["YES\nAb\n"]}
    p, = load(tmp_path, [{"question": f"Capitalise s.\n{PHRASINGS[3]}", "input_output": json.dumps(cases)}],
              oracle="code").problems
    assert CODE("```python\ns = input()\nprint('yes')\nprint(s.capitalize())\n```", p).success
    assert not CODE("```python\ns = input()\nprint('yes')\nprint(s)\n```", p).success
    assert not CODE("```python\ns = input()\nprint('yes')\nprint(s.upper())\n```", p).success


@pytest.mark.parametrize("text", [
    "Print the answer. In any case, the answer fits in a 64-bit integer.",
    "Output the string exactly as given; the letters' case matters.",
])
def test_other_sentences_are_not_read_as_any_case(text):
    assert not ANY_CASE.search(text)


def test_rows_without_the_flag_keep_their_stored_text():
    # problems loaded by earlier versions keep their text (and so their ids)
    t = TestProgram("stdio", cases=(("1\n", "YES\n"),)).to_text()
    assert "any_case" not in t and not TestProgram.from_text(t).any_case
