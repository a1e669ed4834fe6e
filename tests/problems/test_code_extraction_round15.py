"""Answer shapes (round 15) where the code oracle took the wrong program out of a model's answer, or broke on it."""

import json
import time

import pytest

from helpers.judging import judged
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
