"""Dataset rows as real datasets publish them, round 16: LLM-written tests that catch their own asserts' failure
(``try: assert ... except AssertionError: print("failed")``) or only run doctest are refused instead of passing every
program, TestCases without test methods and hypothesis property tests are refused instead of failing every program,
and CRUXEval's rows under the code oracle are judged by running f, as CRUXEval's judge does."""

import pytest

from helpers.rows import load
from ptsfast.problems.code_tests import TestFormatError, test_program_from_row as program_from_row
from ptsfast.problems.oracles import make_judge

CODE = make_judge("code", 60.0)
RIGHT, WRONG = "def f(x):\n    return x + 1\n", "def f(x):\n    return 0\n"


@pytest.mark.parametrize("tests", [
    "try:\n    assert f(1) == 2\n    print('Test passed')\nexcept AssertionError:\n    print('Test failed')\n",
    "for x, y in [(1, 2), (2, 3)]:\n    try:\n        assert f(x) == y\n    except AssertionError as e:\n"
    "        print('failed', x, e)\n",
    "try:\n    assert f(1) == 2\nexcept Exception as e:\n    print(e)\n",
    "from contextlib import suppress\n\nwith suppress(AssertionError):\n    assert f(1) == 2\n",
    "def check(candidate):\n    try:\n        assert candidate(1) == 2\n    except:\n        print('wrong')\n",
    "from solution import f\n\ndef test_f():\n    try:\n        assert f(1) == 2\n    except AssertionError:\n"
    "        pass\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        try:\n"
    "            self.assertEqual(f(1), 2)\n        except AssertionError:\n            print('failed')\n",
])
def test_checks_whose_failure_the_tests_catch_themselves_are_refused(tmp_path, tests):
    # LLM-written tests that report each failure and go on ("Test failed"): no check could fail the tests, so every
    # program that ran passed them, a wrong one too
    with pytest.raises(TestFormatError, match="never compare.*AssertionError"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")
    r = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests, "entry_point": "f"}], oracle="code")
    assert not r.problems and "never compare" in r.skipped[0]


@pytest.mark.parametrize("tests", [
    "try:\n    assert f(1) == 2\nexcept AssertionError:\n    print('Test failed')\n    raise\n",
    "failed = 0\nfor x, y in [(1, 2), (2, 3)]:\n    try:\n        assert f(x) == y\n    except AssertionError:\n"
    "        failed += 1\nassert failed == 0\n",
    "import sys\n\ntry:\n    assert f(1) == 2\nexcept AssertionError:\n    sys.exit(1)\n",
    "try:\n    r = f(1)\nexcept Exception:\n    r = None\nassert r == 2\n",
    "try:\n    f('x')\nexcept TypeError:\n    pass\nassert f(1) == 2\n",
])
def test_checks_that_fail_the_tests_after_a_try_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success
    assert not CODE(f"```python\n{WRONG}```", p).success


@pytest.mark.parametrize("tests", [
    "import doctest\n\ndoctest.testmod()\n",
    "import doctest\n\ndoctest.run_docstring_examples(f, globals())\n",
    "import doctest\n\nif __name__ == '__main__':\n    doctest.testmod(verbose=True)\n",
])
def test_tests_that_only_run_doctest_are_refused(tmp_path, tests):
    # doctest's runners print each failing example and return: named like a check ("testmod"), doctest.testmod()
    # was taken for one, and every program passed
    with pytest.raises(TestFormatError, match="never compare.*doctest"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")


@pytest.mark.parametrize("tests", [
    "import doctest\n\nassert doctest.testmod().failed == 0\nassert f(1) == 2\n",
    "import doctest\n\ndoctest.testmod(raise_on_error=True)\nassert f(1) == 2\n",
])
def test_doctest_whose_failures_raise_still_loads(tests):
    assert program_from_row({"test": tests}, ("test",), None, "").format == "script"


def test_a_testcase_without_test_methods_is_refused_naming_them(tmp_path):
    # unittest runs only test* methods: a TestCase of check_* methods loaded, ran no test and failed every program,
    # a right one too, with nothing said at load
    tests = "import unittest\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        self.x = 1\n\n" \
            "    def check_one(self):\n        self.assertEqual(f(1), 2)\n"
    with pytest.raises(TestFormatError, match="no test method.*check_one"):
        program_from_row({"test": tests}, ("test",), None, "")
    inherited = "import unittest\n\nclass Checks:\n    def test_one(self):\n        self.assertEqual(f(1), 2)\n\n" \
                "class T(Checks, unittest.TestCase):\n    pass\n"  # collected from the mixin: judged
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": inherited}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success and not CODE(f"```python\n{WRONG}```", p).success


@pytest.mark.parametrize("tests", [
    "from hypothesis import given, strategies as st\nfrom solution import f\n\n@given(st.integers())\n"
    "def test_f(x):\n    assert f(x) == x + 1\n",
    "import hypothesis\nimport hypothesis.strategies as st\n\n@hypothesis.given(x=st.integers())\ndef test_f(x):\n"
    "    assert f(x) == x + 1\n\ndef test_one():\n    assert f(1) == 2\n",
    "import unittest\nfrom hypothesis import given, settings, strategies as st\n\nclass T(unittest.TestCase):\n"
    "    @settings(max_examples=20)\n    @given(st.integers())\n    def test_f(self, x):\n"
    "        self.assertEqual(f(x), x + 1)\n",
    "from hypothesis import given, strategies as st\n\n@given(st.integers())\ndef prop(x):\n"
    "    assert f(x) == x + 1\n\nprop()\n",
])
def test_hypothesis_property_tests_are_refused_naming_them(tmp_path, tests):
    # @given's drawn arguments were refused as fixtures ptsfast does not give ("asks for fixtures (x)": nothing said
    # of hypothesis); where hypothesis is installed its TestCase and script forms loaded, and the judge, whose guards
    # refuse hypothesis' tracer and wrapped tests, failed every program, a right one too
    with pytest.raises(TestFormatError, match=r"\(\) is a hypothesis property test \(@given\)"):
        program_from_row({"test": tests}, ("test",), None, "")
    r = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests}], oracle="code")
    assert not r.problems and "hypothesis property test" in r.skipped[0]


CRUXEVAL = {"code": "def f(nums, k):\n    nums.append(k)\n    return nums", "input": "[1, 2], 5", "output": "[1, 2, 5]",
            "id": "sample_7"}


def _crux(tmp_path, answer: str, *flags: str, oracle: str = "code"):
    p, = load(tmp_path, [CRUXEVAL], "--question-field", "code", "--answer-field", answer, *flags,
              oracle=oracle).problems
    return p


@pytest.mark.parametrize("reply, right", [
    ("[1, 2, 5]", True),
    ("[1,2,5]", True),  # the same value, written without spaces: as text, another answer
    ("f appends k.\n[ANSWER]\nassert f([1, 2], 5) == [1, 2, 5]\n[/ANSWER]", True),
    ("```python\nassert f([1, 2], 5) == [1,2,5]\n```", True),
    ("assert [1, 2, 5] == f([1, 2], 5)", True),
    ("[1, 2]", False),
    ("[ANSWER]\nassert f([1, 2], 5) == [1, 2, 6]\n[/ANSWER]", False),
    ("[ANSWER]\nassert f([1, 2], 5) == f([1, 2], 5)\n[/ANSWER]", False),  # no value: f's own call
    ("[ANSWER]\nassert f([1, 2], 5) == [1, 2] + [5]\n[/ANSWER]", False),  # code, not a value written out
])
def test_cruxeval_output_predictions_are_judged_by_value_under_the_code_oracle(tmp_path, reply, right):
    # under --oracle code CRUXEval's rows had no tests ("no tests: 'tests' is empty or missing"), and answer oracles
    # compare text: [1,2,5] failed for [1, 2, 5]; its judge runs assert output == f(input)
    p = _crux(tmp_path, "output")
    assert p.question.endswith("assert f([1, 2], 5) == ??")
    assert CODE(reply, p).success is right


@pytest.mark.parametrize("reply, right", [
    ("[1, 2], 5", True),
    ("[ANSWER]\nassert f([1, 2], 5) == [1, 2, 5]\n[/ANSWER]", True),
    ("[ANSWER]\nassert f(nums=[1, 2], k=5) == [1, 2, 5]\n[/ANSWER]", True),
    ("[ANSWER]\nassert f([1, 2, 5], 5) == [1, 2, 5]\n[/ANSWER]", False),
    ("[1], 2", False),
    ("[ANSWER]\nassert f(*[[1, 2], 5]) == [1, 2, 5]\n[/ANSWER]", False),
])
def test_cruxeval_input_predictions_pass_any_input_f_maps_to_the_output(tmp_path, reply, right):
    # an input prediction is right when f(input) == output: judged as text, against the row's own input, every
    # other right input failed
    p = _crux(tmp_path, "input")
    assert p.question.endswith("assert f(??) == [1, 2, 5]")
    assert CODE(reply, p).success is right
    other = {**CRUXEVAL, "code": "def f(text):\n    return len(text)", "input": "'abc'", "output": "3"}
    q, = load(tmp_path, [other], "--question-field", "code", "--answer-field", "input", oracle="code").problems
    assert CODE("'xyz'", q).success and CODE("[ANSWER]assert f([1, 2, 3]) == 3[/ANSWER]", q).success
    assert not CODE("'ab'", q).success


def test_cruxeval_under_an_answer_oracle_says_it_compares_text(tmp_path, caplog):
    with caplog.at_level("WARNING"):
        _crux(tmp_path, "input", oracle="exact")
    assert "any input f maps to the row's output is right" in caplog.text and "--oracle code" in caplog.text


@pytest.mark.parametrize("tests", [
    "def test_f():\n    return f(1) == 2\n\nif __name__ == '__main__':\n    assert test_f()\n",
    "from solution import f\n\ndef test_f():\n    print(f(1))\n\nif __name__ == '__main__':\n    assert f(1) == 2\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        print(f(1))\n\n"
    "if __name__ == '__main__':\n    assert f(1) == 2\n    unittest.main()\n",
    "def check(candidate):\n    print(candidate(1))\n\nif __name__ == '__main__':\n    assert f(1) == 2\n",
])
def test_checks_only_under_a_main_guard_of_tests_a_runner_loads_are_refused(tmp_path, tests):
    # pytest, unittest and HumanEval's check load the tests as a module (as their runners do): the main guard's
    # asserts never run, but counted as the tests' checks they let the row load, and every program passed
    with pytest.raises(TestFormatError, match="never compare.*__main__"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")


@pytest.mark.parametrize("tests", [
    "def run():\n    assert f(1) == 2\n\nif __name__ == '__main__':\n    run()\n",  # a script: run as a program
    "def test_f():\n    assert f(1) == 2\n\nif __name__ == '__main__':\n    test_f()\n",
    "def test_f():\n    return f(1) == 2\n\nif __name__ == '__main__':\n    pass\nelse:\n    assert test_f()\n",
])
def test_checks_that_run_beside_a_main_guard_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success
    assert not CODE(f"```python\n{WRONG}```", p).success


OPENCODER = {"seq_id": "2838", "instruction": "Write a python function to add one to a number.",
             "output": "Here is the code:\n```python\ndef add_one(x):\n    return x + 1\n```",
             "code": "def add_one(x):\n    return x + 1", "entry_point": "add_one",
             "testcase": ["assert add_one(1) == 2", "assert add_one(-1) == 0", "assert add_one(41) == 42"]}


def test_opencoder_rows_are_judged_by_their_testcase_asserts_and_name_the_function(tmp_path):
    # OpenCoder's educational_instruct keeps its asserts in 'testcase', which no column list held: every row was
    # refused as "no tests: 'tests' is empty or missing", naming neither the column nor --tests-field; its
    # instruction does not name the function the asserts call, which a right program under another name failed
    p, = load(tmp_path, [OPENCODER], oracle="code").problems
    assert p.question.endswith("named `add_one`: the tests call it.")
    assert CODE("```python\ndef add_one(x):\n    return x + 1\n```", p).success
    assert not CODE("```python\ndef add_one(x):\n    return x\n```", p).success
    named = {**OPENCODER, "instruction": "Write a python function add_one(x) that adds one."}
    q, = load(tmp_path, [named], oracle="code").problems
    assert q.question == named["instruction"]


def test_test_methods_of_a_class_pytest_never_collects_are_refused_naming_the_class():
    # class SolutionTests: pytest collects Test* classes only, so none of its tests run; refused with "the tests hold
    # no assert, call or check to run", though they hold several, with no word of the class's name
    tests = "from solution import f\n\nclass SolutionTests:\n    def test_one(self):\n        assert f(1) == 2\n"
    with pytest.raises(TestFormatError, match="class SolutionTests holds test methods.*rename it TestSolutionTests"):
        program_from_row({"test": tests}, ("test",), None, "")


@pytest.mark.parametrize("tests", [
    "def check(candidate):\n    def same(x, y):\n        assert candidate(x) == y\n    print(candidate(1))\n",
    "def test_f():\n    def run_case(x, y):\n        assert f(x) == y\n    for case in [(1, 2), (2, 3)]:\n"
    "        print(case)\n",
])
def test_checks_only_in_a_nested_function_nothing_calls_are_refused(tests):
    # a check(candidate) or test defining a helper that asserts, then never calling it: the helper's asserts counted
    # as the tests' checks, and every program passed
    with pytest.raises(TestFormatError, match="never compare"):
        program_from_row({"test": tests, "entry_point": "f"}, ("test",), "entry_point", "")


@pytest.mark.parametrize("tests", [
    "def check(candidate):\n    def same(x, y):\n        assert candidate(x) == y\n    same(1, 2)\n    same(2, 3)\n",
    "def test_f():\n    def same(x, y):\n        assert f(x) == y\n    list(map(same, [1, 2], [2, 3]))\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        def same(x, y):\n"
    "            self.assertEqual(f(x), y)\n        same(1, 2)\n",
])
def test_checks_in_a_nested_function_the_tests_call_still_judge(tmp_path, tests):
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests, "entry_point": "f"}],
              oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success
    assert not CODE(f"```python\n{WRONG}```", p).success


@pytest.mark.parametrize("tests", [
    "def test_f():\n    assert f(1) == 2\n\ndef test_f():\n    print(f(2))\n",
    "import unittest\n\nclass T(unittest.TestCase):\n    def test_f(self):\n        self.assertEqual(f(1), 2)\n\n"
    "    def test_f(self):\n        print(f(1))\n",
    "class TestF:\n    def test_f(self):\n        assert f(1) == 2\n\nclass TestF:\n    def test_g(self):\n"
    "        print(f(1))\n",
])
def test_checks_only_in_a_test_a_later_one_of_its_name_replaces_are_refused(tests):
    # two tests of one name (LLM-written files repeat test_edge_cases): the runner collects the last, yet the first's
    # asserts counted as the tests' checks, and every program passed
    with pytest.raises(TestFormatError, match="never compare.*later one of the same name"):
        program_from_row({"test": tests}, ("test",), None, "")


def test_a_test_replacing_one_of_its_name_is_judged(tmp_path):
    tests = "def test_f():\n    print(f(2))\n\ndef test_f():\n    assert f(1) == 2\n"
    p, = load(tmp_path, [{"question": "Write f, which adds one.", "test": tests}], oracle="code").problems
    assert CODE(f"```python\n{RIGHT}```", p).success and not CODE(f"```python\n{WRONG}```", p).success


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_file_is_read_where_the_datasets_cache_cannot_be_written(tmp_path, monkeypatch, suffix):
    """datasets converts a parquet or CSV file into its cache before reading it: with a cache it cannot write (a
    read-only home, HF_HOME elsewhere) every such file was 'could not be read as parquet (NotADirectoryError ...)'.
    It is read through a temporary cache, removed after the read."""
    import datasets
    import pandas as pd

    from ptsfast.problems.loading import load_problems

    data = tmp_path / f"rows{suffix}"
    frame = pd.DataFrame({"question": ["What is 1 + 1?", "What is 2 + 3?"], "answer": ["2", "5"]})
    frame.to_parquet(data) if suffix == ".parquet" else frame.to_csv(data, index=False)
    (tmp_path / "a_file").write_text("")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "a_file" / "cache"))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    assert [p.answer for p in load_problems(data).problems] == ["2", "5"]
    assert list((tmp_path / "scratch").iterdir()) == []


@pytest.mark.parametrize("reply, right", [
    ("```python\nx = f([1, 2], 5)\n```\nSo:\n[ANSWER]\nassert f([1, 2], 5) == [1, 2, 5]\n[/ANSWER]", True),
    ("```python\nx = f([1, 2], 5)\n```\n[ANSWER]\nassert f([1, 2], 5) == [1, 2]\n[/ANSWER]", False),
])
def test_a_cruxeval_answer_block_after_quoted_code_is_read(tmp_path, reply, right):
    """The snippet reading (DS-1000's) handed the check only the first fenced block: a reply quoting code before its
    [ANSWER] block failed, right or wrong."""
    assert CODE(reply, _crux(tmp_path, "output")).success is right
