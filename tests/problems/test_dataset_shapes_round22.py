"""Dataset rows as real datasets publish them, round 22: checks of the program's function itself (``assert
candidate``, ``assert callable(add)``), which pass every program."""

import pytest

from helpers.rows import load
from test_dataset_shapes_round20 import ADD, CODE, ZERO, _unittest

Q = "Write add(a, b)."


@pytest.mark.parametrize("row, says", [
    ({"test": "def check(candidate):\n    assert candidate\n", "entry_point": "add"}, "the function candidate itself"),
    ({"test": "def check(candidate):\n    assert candidate is not None\n", "entry_point": "add"}, "is not None"),
    ({"test": "def check(candidate):\n    assert callable(candidate)\n", "entry_point": "add"}, "is callable"),
    ({"test_list": ["assert callable(add)"]}, "the function add is callable"),
    ({"test": _unittest("self.assertTrue(callable(add))")}, "the function add is callable"),
    ({"task_id": "HumanEval/0", "prompt": "def add(a, b):\n", "entry_point": "add", "test": "assert candidate\n"},
     "the function candidate itself"),
    ({"task_id": "Python/0", "prompt": "def add(a, b):\n", "entry_point": "add",
      "test": "def check(add):\n    assert add\n\ncheck(add)\n"}, "the function add itself"),
], ids=["humaneval", "humaneval-is-not-none", "humaneval-callable", "mbpp-callable", "unittest-callable",
        "humaneval-et", "humaneval-x"])
def test_a_check_of_the_function_itself_is_refused_not_passed_by_every_program(tmp_path, row, says):
    # each loaded, and add returning 0 passed
    r = load(tmp_path, [{"question": Q, **row}], "--id-field", "task_id", oracle="code")
    assert not r.problems and "passes every program" in r.skipped[0] and says in r.skipped[0]


def test_beside_real_checks_it_is_named_and_the_row_judged_on_the_rest(tmp_path, caplog):
    p, = load(tmp_path, [{"question": Q, "test_list": ["assert callable(add)", "assert add(1, 2) == 3"]}],
              oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert len([m for m in caplog.messages if "passes every program" in m]) == 1


@pytest.mark.parametrize("row", [
    {"test_list": ["candidate = add(1, 2)\nassert candidate"]},
    {"test": "def check(candidate):\n    result = candidate(1, 2)\n    assert result\n", "entry_point": "add"},
    {"test": "import pytest\nfrom solution import add\n\n@pytest.fixture\ndef total():\n    return add(1, 2)\n\n"
             "def test_add(total):\n    assert total\n"},
    {"test": "from solution import add\n\ndef test_add():\n    f = add(1, 2)\n    assert f\n"},
], ids=["assigned-candidate", "assigned-result", "fixture", "assigned-f"])
def test_a_value_the_program_returns_still_judges(tmp_path, caplog, row):
    p, = load(tmp_path, [{"question": Q, **row}], oracle="code").problems
    assert CODE(ADD, p).success and not CODE(ZERO, p).success
    assert not [m for m in caplog.messages if "passes every program" in m]


def test_an_imported_value_asserted_is_not_named_a_function(tmp_path, caplog):
    prog = "```python\nDEBUG = {}\ndef add(a, b):\n    return a + b\n```"
    p, = load(tmp_path, [{"question": Q, "test": "from solution import add, DEBUG\n\ndef test_a():\n    assert DEBUG\n"
                                                "    assert add(1, 2) == 3\n"}], oracle="code").problems
    assert CODE(prog.format(1), p).success and not CODE(prog.format(0), p).success
    assert not [m for m in caplog.messages if "passes every program" in m]


def test_rows_all_skipped_for_a_solution_field_that_is_not_text_say_why_in_the_last_line(tmp_path, caplog):
    # the last line said only "no usable problems in rows.jsonl (4 rows skipped)", the field and the way out
    # buried in the warnings above it
    rows = [{"question": f"What is {i} + 1?", "answer": str(i + 1), "sol": [{"step": 1}]} for i in range(4)]
    r = load(tmp_path, rows, "--solution-field", "sol", oracle="math")
    assert not r.problems and len(r.skipped) == 4
    last = caplog.messages[-1]
    assert "no usable problems" in last and "'sol'" in last and "of type list" in last
    assert "--solution-field" in last and "the other 3" in last


def test_rows_skipped_for_different_reasons_name_the_first(tmp_path, caplog):
    rows = [{"question": "What is 1 + 1?", "answer": "2", "sol": 5}, {"question": "What is 2 + 1?", "answer": "3"}]
    assert not load(tmp_path, rows, "--solution-field", "sol", oracle="math").problems
    assert "row 1: field 'sol'" in caplog.messages[-1] and "the others as warned above" in caplog.messages[-1]


def test_a_saved_dataset_with_several_splits_says_which_it_read(tmp_path, caplog):
    # a save_to_disk folder with train and test splits read train without a word
    import datasets

    from ptsfast.cli import build_parser, field_map
    from ptsfast.problems.loading import load_problems

    datasets.DatasetDict({"train": datasets.Dataset.from_list([{"question": "What is 1+1?", "answer": "2"}]),
                          "test": datasets.Dataset.from_list([{"question": "What is 2+2?", "answer": "4"}])}
                         ).save_to_disk(str(tmp_path / "ds"))
    for flags, read in (([], "1+1"), (["--split-name", "test"], "2+2")):
        caplog.clear()
        args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(tmp_path / "ds"), "--out", "o",
                                          "--oracle", "math", *flags])
        p, = load_problems(args.problems, field_map(args), split=args.split_name).problems
        said = [m for m in caplog.messages if "holds splits" in m]
        assert read in p.question and len(said) == (0 if flags else 1)
        assert flags or "reading 'train'" in said[0] and "--split-name" in said[0]
