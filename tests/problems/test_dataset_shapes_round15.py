"""Dataset rows as real datasets publish them, round 15: numpy's print of a list cell in any file a DataFrame
wrote, a repository folder named as its loading script (LiveCodeBench's), CRUXEval's rows, cells of JSON nested
past Python's depth, and a folder changing while it is searched."""

import io
import json

import pandas as pd
import pytest

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.loading import DataError, load_problems
from test_dataset_shapes_round13 import CSV_EXPORTS


def _fields(oracle: str = "multiple_choice"):
    return field_map(build_parser().parse_args(["mine", "--model", "m", "--problems", "x", "--out", "o", "--oracle",
                                                oracle]))


@pytest.mark.parametrize("name", list(CSV_EXPORTS))
@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".parquet"])
def test_list_cells_printed_by_numpy_are_lists_in_any_file_a_frame_wrote(tmp_path, name, suffix):
    # a DataFrame whose list columns were made text (read from a CSV export, or df.astype(str) before to_parquet,
    # which refuses mixed objects) and written as JSON lines, JSON or Parquet kept numpy's print in each cell: read
    # back in a CSV file or a frame only, DREAM was asked the print of its dialogue with no choices, BIG-bench's
    # rows had none and HEAD-QA's were refused for no answer
    text, choices, answer, start = CSV_EXPORTS[name]
    df = pd.read_csv(io.StringIO(text))
    path = tmp_path / f"{name}{suffix}"
    if suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_json(path, orient="records", lines=suffix == ".jsonl", force_ascii=False)
    p, = load_problems(str(path), _fields()).problems
    assert p.choices == choices and p.answer == answer and p.question.startswith(start)


LCB_ROW = {"question_title": "Sum", "question_content": "Read a and b, print a + b.", "platform": "atcoder",
           "question_id": "abc001_a", "contest_id": "abc001", "contest_date": "2023-08-01T00:00:00",
           "starter_code": "", "difficulty": "easy", "metadata": "{}",
           "public_test_cases": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]),
           "private_test_cases": json.dumps([{"input": "5 5\n", "output": "10\n", "testtype": "stdin"}])}


def test_a_repository_folder_named_as_its_loading_script_reads_its_data_files(tmp_path):
    # huggingface-cli download livecodebench/code_generation_lite --local-dir code_generation_lite: the folder holds
    # the dataset's loading script, code_generation_lite.py, which datasets no longer runs and refused the whole
    # folder for ("pass one of its data files": one release's problems of six); its data files are read as they are
    folder = tmp_path / "code_generation_lite"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: cc\n---\n# LiveCodeBench\n")
    (folder / "code_generation_lite.py").write_text("import datasets\n")
    for n, name in enumerate(("test.jsonl", "test2.jsonl")):
        (folder / name).write_text(json.dumps({**LCB_ROW, "question_id": f"abc00{n}_a"}) + "\n")
    problems = load_problems(str(folder), _fields("code")).problems
    assert len(problems) == 2 and all(p.question.startswith("Read a and b") for p in problems)
    assert all('"10\\n"' in p.tests for p in problems)


CRUXEVAL = {"code": "def f(text):\n    return text[::-1]", "input": "'abc'", "output": "'cba'", "id": "sample_0"}


def test_cruxeval_rows_show_the_call_whose_output_or_input_is_asked(tmp_path):
    # CRUXEval's rows hold a function, an input and its output: named as the question, as the refusal of its rows
    # said to, the code alone was asked, without the input, against the reference 'cba', which nothing could give
    path = tmp_path / "cruxeval.jsonl"
    path.write_text(json.dumps(CRUXEVAL) + "\n")
    refused = load_problems(str(path), _fields("boxed"))
    assert not refused.problems and "--question-field code --answer-field output" in refused.skipped[0]
    for answer, call in (("output", "assert f('abc') == ??"), ("input", "assert f(??) == 'cba'")):
        fields = field_map(build_parser().parse_args(["mine", "--model", "m", "--problems", "x", "--out", "o",
                                                      "--oracle", "boxed", "--question-field", "code",
                                                      "--answer-field", answer]))
        p, = load_problems(str(path), fields).problems
        assert p.question.startswith(CRUXEVAL["code"]) and p.question.endswith(call) and p.answer == CRUXEVAL[answer]


@pytest.mark.parametrize("row, oracle", [
    ({"question": "Write f.", "test_list": "[" * 100000 + "]" * 100000}, "code"),
    ({"question": "Write f.", "input_output": "[" * 100000 + "]" * 100000}, "code"),
    ({"question": "Which?", "choices": "[" * 100000 + "]" * 100000, "answer": 0}, "multiple_choice"),
    ({"question": "Write f.", "verification_info": '{"ground_truth": ' + "[" * 100000 + "]" * 100000 + "}"}, "code"),
    ({"question": "Say hi.", "answer": '{"func_name": ' + "[" * 100000 + "]" * 100000 + "}"}, "exact"),  # a text
])
def test_a_cell_of_json_nested_past_pythons_depth_is_that_rows_skip(tmp_path, row, oracle):
    # a JSON text nested deeper than Python's recursion limit (a cut or forged export) raised RecursionError out of
    # the loader: the whole run stopped with a traceback, its good rows unread
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps({**row, **{k: "[]" for k in row if k != "question"}} |
                                                       {"question": "Second?"}) + "\n")
    r = load_problems(str(path), _fields(oracle))
    if oracle == "exact":  # an answer, compared as text: nothing reads it as JSON but IFEval's constraint check
        assert len(r.problems) == 2 and not r.skipped
    else:
        assert "nested" in r.skipped[0] and r.skipped[0].row == 1 and len(r.problems) + len(r.skipped) == 2


def test_a_folder_changing_while_it_is_searched_is_refused_not_a_traceback(tmp_path, monkeypatch):
    # --problems naming a live folder (/tmp, a run's output folder): a subfolder removed while ptsfast searched it
    # for data files raised FileNotFoundError out of the loader, a traceback instead of the line naming the fix
    import os

    (tmp_path / "gone").mkdir()
    (tmp_path / "notes.txt").write_text("not data\n")
    real = os.scandir

    def scandir(p="."):
        if os.fspath(p).endswith("gone"):
            raise FileNotFoundError(2, "No such file or directory", os.fspath(p))
        return real(p)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(DataError, match="not a dataset saved with save_to_disk"):
        load_problems(str(tmp_path), _fields())
