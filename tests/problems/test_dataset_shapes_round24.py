"""Dataset rows as real datasets publish them, round 24: a truth check given the expected value as its ``msg=``
keyword, a parametrize of no cases shared by several tests, MultiPL-E's tests of other languages without their
language column, pytest fixtures given params, tests importing the program's names and never reading them, and a
JSON file of splits."""

import json

import pytest

from helpers.rows import load
from ptsfast.problems.loading import DataError, load_problems
from ptsfast.problems.oracles import make_judge
from test_dataset_shapes_round20 import ADD, ZERO, _unittest

CODE = make_judge("code", 60.0)
Q = "Write add(a, b)."


@pytest.mark.parametrize("check, meant", [
    ("self.assertTrue(add(1, 2), msg=3)", "self.assertEqual(add(1, 2), 3)"),
    ("self.assertTrue(add(1, 2), msg=[3])", "self.assertEqual(add(1, 2), [3])"),
    ("self.assertFalse(add(1, -1), msg=0)", "self.assertEqual(add(1, -1), 0)"),
], ids=["three", "list", "false"])
def test_a_truth_check_given_the_expected_value_as_its_msg_keyword_is_refused(tmp_path, check, meant):
    # add returning 1 (0 under assertFalse) passed: the 3 is the message, given by keyword
    r = load(tmp_path, [{"question": Q, "test": _unittest(check)}], oracle="code")
    assert not r.problems and "message, not a value it compares with" in r.skipped[0]
    assert repr(meant) in r.skipped[0]


def test_a_truth_check_with_a_msg_keyword_of_text_still_judges(tmp_path, caplog):
    tests = _unittest("self.assertTrue(add(1, 2) == 3, msg='add(1, 2) should be 3')",
                      "self.assertTrue(add(2, 2), msg='add(2, 2) is not zero')")
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert not [m for m in caplog.messages if "passes every program" in m]


SHARED = "import pytest\nfrom solution import add\n\nCASES = []\n\n@pytest.mark.parametrize('a, b, c', CASES)\n" \
         "def test_add(a, b, c):\n    assert add(a, b) == c\n\n@pytest.mark.parametrize('a, b, c', CASES)\n" \
         "def test_swapped(a, b, c):\n    assert add(b, a) == c\n"


def test_a_parametrize_of_no_cases_shared_by_several_tests_is_refused(tmp_path):
    # both tests were skipped by pytest ('got empty parameter set'): the right add failed the row with every program
    r = load(tmp_path, [{"question": Q, "test": SHARED}], oracle="code")
    assert not r.problems and "lists no cases" in r.skipped[0]
    assert "test_add" in r.skipped[0] and "test_swapped" in r.skipped[0]


def test_a_shared_parametrize_whose_cases_are_filled_in_still_judges(tmp_path):
    tests = SHARED.replace("CASES = []\n", "CASES = []\nCASES.append((1, 2, 3))\n")
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


MULTIPLE_TESTS = {
    "Java": "    }\n    public static void main(String[] args) {\n    assert(add((1l), (2l)) == (3l));\n    }\n\n}\n",
    "C++": "}\nint main() {\n    auto candidate = add;\n    assert(candidate((1), (2)) == (3));\n}\n",
    "JavaScript": "const assert = require('node:assert');\n\n\nfunction test() {\n  let candidate = add;\n"
                  "  assert.deepEqual(candidate(1, 2),3);\n}\n\ntest();",
    "Rust": "\nfn main() {\n    let candidate = add;\n    assert_eq!(candidate(1, 2), 3);\n}\n",
    "Ruby": "require 'test/unit'\nclass TestHumanEval < Test::Unit::TestCase\n  def test_add\n"
            "    candidate = method(:add)\n    assert_equal(3, candidate.call(1, 2))\n  end\nend\n",
    "Lua": "lu = require('luaunit')\n\nfunction test_humaneval()\nlocal candidate = add\n"
           "    lu.assertEquals(candidate(1, 2), 3)\nend\n\nos.exit(lu.LuaUnit.run())",
    "Swift": "assert(add(a: 1, b: 2) == 3)\nassert(add(a: 2, b: 2) == 4)",
}


@pytest.mark.parametrize("language", sorted(MULTIPLE_TESTS))
def test_a_multipl_e_row_without_its_language_column_names_the_language(tmp_path, language):
    # MultiPL-E's columns less 'language': refused as 'the tests are not valid Python' naming no language
    row = {"name": "HumanEval_0_add", "prompt": "// Write add(a, b)\n", "tests": MULTIPLE_TESTS[language],
           "stop_tokens": ["\n}"]}
    r = load(tmp_path, [row], oracle="code")
    assert not r.problems and f"look written in {language}" in r.skipped[0].replace("TypeScript or ", "")
    assert "runs Python only" in r.skipped[0]


def test_python_tests_that_do_not_parse_are_refused_as_before(tmp_path):
    row = {"question": Q, "test": "from solution import add\n\ndef test_add(x: int = 1):\n    assert add(1, 2) == 3 ="}
    r = load(tmp_path, [row], oracle="code")
    assert not r.problems and "not valid Python" in r.skipped[0] and "look written in" not in r.skipped[0]


THREE = "```python\ndef add(a, b):\n    return 3\n```"  # right for the first case only
FIXTURE = "import pytest\nfrom solution import add\n\n@pytest.fixture(params=[(1, 2, 3), (2, 2, 4)]{ids})\n" \
          "def case(request):\n    {ret} request.param\n\n"
PARAM_FIXTURE_TESTS = {
    "direct": FIXTURE.format(ids="", ret="return")
    + "def test_add(case):\n    a, b, c = case\n    assert add(a, b) == c\n",
    "ids-and-yield": FIXTURE.format(ids=", ids=['one', 'two'], scope='module'", ret="yield")
    + "def test_add(case):\n    a, b, c = case\n    assert add(a, b) == c\n",
    "through-a-fixture": FIXTURE.format(ids="", ret="return") + "@pytest.fixture\ndef sums(case):\n"
    "    return add(case[0], case[1]), case[2]\n\ndef test_add(sums):\n    got, want = sums\n    assert got == want\n",
    "test-class": FIXTURE.format(ids="", ret="return") + "class TestAdd:\n    def test_add(self, case):\n"
    "        a, b, c = case\n        assert add(a, b) == c\n",
    "two-fixtures": "import pytest\nfrom solution import add\n\n@pytest.fixture(params=[1, 2])\ndef a(request):\n"
    "    return request.param\n\n@pytest.fixture(params=[0, 5])\ndef b(request):\n    return request.param\n\n"
    "def test_add(a, b):\n    assert add(a, b) == a + b\n",
}


@pytest.mark.parametrize("name", sorted(PARAM_FIXTURE_TESTS))
def test_a_fixture_given_params_runs_its_tests_once_a_param(tmp_path, name):
    # refused before as 'asks for fixtures (case) ... write them as plain tests'; pytest runs each test once a param
    # (an add right on the first case alone fails, as under pytest)
    p, = load(tmp_path, [{"question": Q, "test": PARAM_FIXTURE_TESTS[name]}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success and not CODE(THREE, p).success


def test_a_fixture_whose_params_name_what_is_bound_later_is_still_refused(tmp_path):
    # pytest itself fails to import such tests (a NameError at the fixture's decorator)
    tests = FIXTURE.format(ids="", ret="return").replace("[(1, 2, 3), (2, 2, 4)]", "CASES") + \
        "def test_add(case):\n    a, b, c = case\n    assert add(a, b) == c\n\nCASES = [(1, 2, 3), (2, 2, 4)]\n"
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "asks for fixtures (case)" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    "import pytest\nfrom solution import add\n\n@pytest.fixture\ndef n():\n    return 1\n\n"
    "def test_a(n):\n    assert n\n",
    "import pytest\nfrom solution import add\n\n@pytest.mark.parametrize('n', [1, 2])\ndef test_a(n):\n    assert n\n",
    "from solution import add\n\nN = 3\n\ndef test_a():\n    assert N == 3\n",
    "import solution\n\nassert 1 + 2 == 3\n",
], ids=["fixture", "parametrize", "constant", "script"])
def test_tests_that_import_the_program_and_never_read_it_are_refused(tmp_path, tests):
    # each loaded, and add returning 0 passed: the asserts check the tests' own values
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "from the program but never read" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    "from solution import add as plus\n\ndef test_a():\n    assert plus(1, 2) == 3\n    assert plus(2, 2) == 4\n",
    "import solution as s\n\ndef test_a():\n    assert s.add(1, 2) == 3\n    assert s.add(2, 2) == 4\n",
    "import importlib\nfrom solution import add\n\ndef test_a():\n    f = importlib.import_module('solution').add\n"
    "    assert f(1, 2) == 3\n    assert f(2, 2) == 4\n",
], ids=["renamed", "module", "imported-again"])
def test_tests_that_reach_the_program_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": Q, "test": tests}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success


@pytest.mark.parametrize("params, cases", [("[]", ""), ("CASES", "CASES = []\n\n")], ids=["list", "a-name"])
def test_a_fixture_given_no_params_is_refused_not_failing_every_program(tmp_path, params, cases):
    tests = FIXTURE.format(ids="", ret="return").replace("[(1, 2, 3), (2, 2, 4)]", params).replace(
        "\n\n@pytest", f"\n\n{cases}@pytest", 1)
    tests += "def test_add(case):\n    a, b, c = case\n    assert add(a, b) == c\n"
    r = load(tmp_path, [{"question": Q, "test": tests}], oracle="code")
    assert not r.problems and "params of fixture case" in r.skipped[0] and "list no cases" in r.skipped[0]


def _splits_file(splits: dict) -> bytes:
    rows = lambda n: [{"question": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(n)]  # noqa: E731
    return json.dumps({name: rows(n) for name, n in splits.items()}).encode()


@pytest.mark.parametrize("split, read", [(None, 3), ("test", 1)], ids=["train", "test"])
def test_a_json_file_of_splits_reads_one_split(tmp_path, split, read):
    # {"train": [...], "test": [...]} (a DatasetDict dumped to one file) was one row: 'missing field 'question' (row
    # has ['test', 'train'])'
    (tmp_path / "rows.json").write_bytes(_splits_file({"train": 3, "test": 1}))
    r = load_problems(tmp_path / "rows.json", split=split)
    assert len(r.problems) == read and not r.skipped and r.problems[0].answer == "0"


def test_a_json_file_of_splits_without_train_names_them(tmp_path):
    (tmp_path / "rows.json").write_bytes(_splits_file({"validation": 2, "test": 1}))
    with pytest.raises(DataError, match=r"holds splits \['validation', 'test'\]; choose one with --split-name"):
        load_problems(tmp_path / "rows.json")


def test_a_split_name_for_a_json_file_of_one_split_is_refused_as_before(tmp_path):
    (tmp_path / "rows.json").write_text(json.dumps([{"question": "What is 1 + 1?", "answer": "2"}]))
    with pytest.raises(DataError, match="has one split"):
        load_problems(tmp_path / "rows.json", split="test")
