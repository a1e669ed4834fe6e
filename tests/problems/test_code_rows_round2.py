"""Code rows as real datasets hold them, round 2: KodCode's pytest files, stdin/stdout cases whose expected output is
a JSON number; a right program passes, a wrong one fails, a row that cannot run is refused naming the field."""

import json

import pytest

from helpers.judging import assert_tells_apart, verdict
from helpers.rows import load
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def program(row: dict, fields: tuple[str, ...]) -> code_tests.TestProgram:
    return code_tests.test_program_from_row(row, fields, None, "")


def test_a_pytest_parameter_with_a_default_is_the_tests_own_value_not_a_fixture():
    # pytest fills only the parameters without a default (a KodCode test's ``n=1000``): the row was refused as one
    # asking for a fixture 'n'
    tests = ("from solution import f\n\ndef test_small():\n    assert f(2) == 3\n\n"
             "def test_large(n=1000, *, step=1):\n    assert f(n) == n + step\n")
    assert_tells_apart(tests, "def f(x):\n    return x + 1\n", "def f(x):\n    return x + (x < 100)\n")
    # a keyword-only parameter without a default is a fixture pytest is asked for: refused when unknown (it was
    # loaded, and the test failed every program with a TypeError), given when it is pytest's
    with pytest.raises(code_tests.TestFormatError, match=r"test_f\(\) asks for fixtures \(store\)"):
        code_tests.TestProgram.from_text("def test_f(*, store):\n    assert store\n")
    assert_tells_apart("from solution import f\n\ndef test_f(*, tmp_path):\n    assert f(tmp_path) == 1\n",
                       "def f(p):\n    (p / 'a').write_text('x')\n    return len(list(p.iterdir()))\n",
                       "def f(p):\n    return 0\n")


@pytest.mark.parametrize("row, fields", [
    ({"verification_info": json.dumps({"language": "python", "test_cases": [
        {"type": "stdin_stdout", "input": "2 3\n", "output": 5}, {"type": "stdin_stdout", "input": "1 1.5\n",
                                                                  "output": 2.5}]})}, ("verification_info",)),
    ({"tests": json.dumps([{"input": "2 3\n", "output": 5}, {"input": "1 1.5\n", "output": 2.5}])}, ("tests",)),
    ({"input_output": json.dumps({"inputs": ["2 3\n", "1 1.5\n"], "outputs": [5, 2.5]})}, ("input_output",)),
], ids=["verification_info", "bare cases", "apps"])
def test_a_stdout_written_as_a_json_number_is_that_numbers_text(row, fields):
    # synthetic rows write a one-number stdout as a JSON number: every such row was refused, its message naming the
    # input ('2 3', which is text) as what was not text
    p = program(row, fields)
    assert p.format == "stdio" and [c[1] for c in p.cases] == ["5", "2.5"]
    right = "a, b = map(float, input().split())\ns = a + b\nprint(int(s) if s == int(s) else s)\n"
    assert verdict(right, p)[0] and not verdict("print(5)\n", p)[0]


def test_a_stdin_case_that_is_not_text_is_refused_naming_the_field_the_case_and_the_side():
    for case, what in [({"input": "1\n", "output": True}, "the output is a bool"),
                       ({"input": [[1, 2]], "output": "3\n"}, r"the input is a list \(\[\[1, 2\]\]\)"),
                       ({"input": "1\n", "output": {"x": 1}}, "the output is a dict")]:
        with pytest.raises(code_tests.TestFormatError, match=rf"field 'tests', stdin/stdout case 2: {what}.*fn_name"):
            program({"tests": json.dumps([{"input": "1\n", "output": "1\n"}, case])}, ("tests",))


@pytest.mark.parametrize("kind, info, says", [
    ("verifiable_code_understanding", {"ground_truth": "olleh", "language": "python"}, "predicts"),
    ("llm_judgeable_groundtruth_similarity", {"judging_instructions": "Compare the two."}, "LLM judge"),
])
def test_synthetic_1_rows_whose_verification_info_is_no_test_are_refused_naming_their_task_type(kind, info, says):
    # SYNTHETIC-1 mixes these with its verifiable_code rows: they were refused as "a dict without 'inputs'/'outputs'
    # lists (keys ['ground_truth', 'language'])", as if the row were a broken APPS one
    row = {"task_type": kind, "prompt": "What does this print?", "verification_info": json.dumps(info)}
    with pytest.raises(code_tests.TestFormatError, match=rf"task_type is '{kind}': .*{says}.*'verifiable_code'"):
        program(row, ("verification_info",))
    code = {"task_type": "verifiable_code", "verification_info": json.dumps(
        {"language": "python", "test_cases": [{"type": "stdin_stdout", "input": "ab\n", "output": "ba\n"}]})}
    assert program(code, ("verification_info",)).format == "stdio"


@pytest.mark.parametrize("dump", [json.dumps, str], ids=["JSON", "Python literal"])
def test_mbpp_test_imports_saved_as_text_are_imported(dump):
    # MBPP sanitized through a CSV (or a converter that wrote lists as text): 'test_imports' is '["import math"]',
    # which ran as a list expression and imported nothing: the right program failed on the asserts' math
    row = {"test_list": dump(["assert math.isclose(f(2), 4.0)", "assert f(3) == 9.0"]),
           "test_imports": dump(["import math"]), "test_setup_code": dump(["K = 2"])}
    p = program(row, ("test_list",))
    assert p.setup == "K = 2\nimport math"
    assert verdict("def f(x):\n    return float(x * x)\n", p)[0]
    assert not verdict("def f(x):\n    return float(x + x)\n", p)[0]


def test_a_raw_evalplus_row_with_no_inputs_is_refused_not_passed_by_every_program(tmp_path):
    # base_input and plus_input saved empty ('[]' as text): the row loaded as a call program of no calls, which
    # every program, 'return 0' too, passed
    row = {"task_id": "HumanEval/0", "prompt": "def inc(x):\n    \"\"\"x + 1\"\"\"\n",
           "canonical_solution": "    return x + 1\n", "entry_point": "inc", "base_input": "[]", "plus_input": "[]"}
    res = load(tmp_path, [row], oracle="code")
    assert not res.problems and "'base_input' and 'plus_input' hold no argument lists" in res.skipped[0]
    assert "'inc'" in res.skipped[0] and "row 1" in res.skipped[0]
    res = load(tmp_path, [{**row, "plus_input": json.dumps([[41]])}], oracle="code")
    p = code_tests.TestProgram.from_text(res.problems[0].tests)
    assert p.cases and verdict("def inc(x):\n    return x + 1\n", p)[0]
    assert not verdict("def inc(x):\n    return 0\n", p)[0]


def test_a_stored_program_this_version_does_not_know_is_refused_naming_what():
    # a problems file written by another ptsfast (a field added, a format renamed): a TypeError traceback at the
    # first judgment, or a program of format 'bogus' that failed every solution
    stored = json.loads(code_tests.test_program_from_row({"tests": "assert f() == 1"}, ("tests",), None, "").to_text())
    assert code_tests.TestProgram.from_text(json.dumps(stored)).format == "script"
    with pytest.raises(code_tests.TestFormatError, match=r"fields \['timeout'\].*another version"):
        code_tests.TestProgram.from_text(json.dumps({**stored, "timeout": 3}))
    with pytest.raises(code_tests.TestFormatError, match=r"format 'bogus'.*another version"):
        code_tests.TestProgram.from_text(json.dumps({**stored, "format": "bogus"}))
