"""Dataset rows as real datasets publish them, round 15: numpy's print of a list cell in any file a DataFrame
wrote."""

import io

import pandas as pd
import pytest

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.loading import load_problems
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
