"""Answer shapes (round 15) where the code oracle took the wrong program out of a model's answer, or broke on it."""

import json
import time

import pytest

from helpers.judging import assert_judged_on, judged
from ptsfast.problems.oracles import extract_code

F = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize("text", [
    json.dumps({"code": F}), json.dumps({"language": "python", "code": F}),
    json.dumps({"explanation": "Adds one.", "solution": "```python\n" + F + "```"}),
    "```json\n" + json.dumps({"code": F}, indent=2) + "\n```\n",
    "Here it is:\n```json\n" + json.dumps({"code": F}) + "\n```",
    json.dumps([{"code": F}]),
])
def test_a_program_in_a_json_string_is_the_program(text):
    """An answer in JSON (``{"code": "def f(x):\\n    return x + 1"}``, as a prompt asking for JSON gets it, or in a
    ``json`` fence) was judged as written: a dict literal, or JSON with its escapes, defines nothing, and a right
    function failed its tests. A string of the JSON holding a program is the program, its fence too."""
    assert extract_code(text).strip() == F.strip()
    assert judged(text, "assert f(2) == 3\n")
    assert not judged(text.replace("x + 1", "x + 2"), "assert f(2) == 3\n")


@pytest.mark.parametrize("text", [json.dumps({"a": 1}), json.dumps({"note": "just text"}), '{"x": [1, 2]}\n' + F])
def test_json_holding_no_program_is_read_as_before(text):
    assert extract_code(text) == text


@pytest.mark.parametrize("text", ["[" * 100_000, '{"code": "' + "a" * 100_000 + '"}', "```json\n" * 20_000,
                                  json.dumps({"k%d" % i: "x = %d" % i for i in range(5_000)}),
                                  json.dumps(["x = 1\ny = 2"] * 50_000)])
def test_a_long_json_answer_is_read_at_once(text):
    t = time.perf_counter()
    extract_code(text)
    assert time.perf_counter() - t < 2.0


@pytest.mark.parametrize("module", ["solution", "main", "my_solution"])
@pytest.mark.parametrize("tests", [
    "from {m} import f\n\ndef test_f():\n    assert f(1) == 2\n",
    "import unittest\nfrom {m} import f\n\nclass TestF(unittest.TestCase):\n    def test_a(self):\n"
    "        self.assertEqual(f(1), 2)\n\nif __name__ == '__main__':\n    unittest.main()\n",
    "import pytest\nfrom {m} import f, g\n\n@pytest.mark.parametrize('x', [1, 2])\n"
    "def test_f(x):\n    assert f(x) == x + 1\n",
])
def test_tests_importing_the_program_from_its_module_before_it_are_passed_over(module, tests):
    """A block of tests that import the function from the answer's module (``from solution import f``, as a
    test file does) and come before the solution were judged as the program, and the early stop ended the rollout at
    their close: a right function written after them failed. Tests reading names they import from a module of no
    library are passed over, as tests reading names they never bind are."""
    text = "Tests first:\n```python\n" + tests.format(m=module) + "```\nThe solution:\n```python\n" + F + "```\n"
    assert_judged_on(text, F)
    assert judged(text, "assert f(2) == 3\n")
    assert not judged(text.replace("x + 1\n```", "x + 2\n```"), "assert f(2) == 3\n")


@pytest.mark.parametrize("text", [
    "```python\nfrom math import gcd\n\ndef test_g():\n    assert gcd(4, 6) == 2\n```\n",
    "```python\nfrom collections import Counter\n\nclass TestC:\n    def test_c(self):\n"
    "        assert Counter('aa')['a'] == 2\n```\n",
])
def test_tests_of_a_library_alone_are_still_a_program(text):
    assert extract_code(text) == text.split("\n", 1)[1].rsplit("```", 1)[0]


@pytest.mark.parametrize("text", [
    json.dumps({"explanation": "Call it as\nf(2)\nto get 3.", "code": F}),
    json.dumps({"usage": "print(f(2))\nprint(f(3))", "solution": "```python\n" + F + "```"}),
])
def test_a_json_answers_program_is_the_string_that_defines_it(text):
    """A JSON answer whose explanation shows a call (``"f(2)"``) before its ``code`` was judged on that call, the
    first string holding code: a right function failed. The string that defines or imports something is the
    program; one that only calls is so only where none does."""
    assert extract_code(text).strip() == F.strip()
    assert extract_code(json.dumps({"usage": "print(1)\nprint(2)"})).strip() == "print(1)\nprint(2)"
