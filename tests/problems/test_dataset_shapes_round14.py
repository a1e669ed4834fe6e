"""Dataset rows as real datasets publish them, round 14: multiple-choice columns named as their datasets name them,
and CSV exports read back from a repository folder or a DataFrame."""

import pandas as pd
import pytest

from helpers.rows import load
from ptsfast.cli import build_parser, field_map
from ptsfast.problems.loading import load_problems
from ptsfast.problems.oracles import make_judge
from test_dataset_shapes_round13 import CSV_EXPORTS

ARABIC_MMLU = {"ID": 1, "Source": "https://example.org/exam",
               "Country": "Jordan", "Group": "Humanities",
               "Subject": "History", "Level": "Primary", "Question": "ما عاصمة الأردن؟", "Context": None,
               "Answer Key": "B", "Option 1": "دمشق", "Option 2": "عمّان", "Option 3": "القاهرة", "Option 4": "بغداد",
               "Option 5": None, "is_few_shot": 0}


def test_arabic_mmlu_rows_show_their_numbered_option_columns_and_take_the_answer_key(tmp_path):
    # MBZUAI/ArabicMMLU keeps its choices in 'Option 1'..'Option 5' (the fifth often empty) and the right one's
    # letter in 'Answer Key': the row was refused for a missing answer, and with --answer-field 'Answer Key' the
    # model was asked the question without its choices, so a reply 'B' was right by luck alone
    for flags in ((), ("--answer-field", "Answer Key")):
        p, = load(tmp_path, [ARABIC_MMLU], *flags).problems
        assert p.answer == "B" and p.choices == ("دمشق", "عمّان", "القاهرة", "بغداد")
        assert "عمّان" in p.question and "بغداد" in p.question
    five = {**ARABIC_MMLU, "Option 5": "الرياض", "Answer Key": "E"}
    p, = load(tmp_path, [five]).problems
    assert p.answer == "E" and len(p.choices) == 5 and "الرياض" in p.question
    context = {**ARABIC_MMLU, "Context": "نص عن المدن العربية."}
    assert load(tmp_path, [context]).problems[0].question.startswith("نص عن المدن العربية.")


@pytest.mark.parametrize("name", list(CSV_EXPORTS))
@pytest.mark.parametrize("how", ["repository", "frame"])
def test_list_columns_a_csv_export_prints_are_read_as_lists_from_a_folder_or_a_frame(tmp_path, name, how):
    # round 13 read numpy's print of a list cell back in a CSV file only: the same export pushed to the hub and
    # downloaded as its repository (data/test.csv), or read into a DataFrame with pd.read_csv, asked DREAM the
    # print of its dialogue with no choices, gave BIG-bench's rows none and refused HEAD-QA's for no answer
    text, choices, answer, start = CSV_EXPORTS[name]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test.csv").write_text(text, encoding="utf-8")
    rows = str(tmp_path) if how == "repository" else pd.read_csv(tmp_path / "data" / "test.csv")
    p, = load_problems(rows, field_map(build_parser().parse_args(
        ["mine", "--model", "m", "--problems", "x", "--out", "o", "--oracle", "multiple_choice"]))).problems
    assert p.choices == choices and p.answer == answer and p.question.startswith(start)


def test_a_worked_solution_whose_answer_is_framed_is_its_reference(tmp_path):
    # \framebox is a box to the boxed oracle, but a worked solution ending in one had no answer the loader knew of: its
    # stated-answer reading ran on it, and a solution of several lines was refused as no answer to judge
    row = {"question": "What is 2 + 3?", "solution": "We add.\nSo the sum is $\\framebox{5}$."}
    prob, = load(tmp_path, [row], "--answer-field", "solution", oracle="boxed").problems
    judge = make_judge("boxed", 5.0)
    assert judge("The sum is \\boxed{5}.", prob).success and not judge("The sum is \\boxed{6}.", prob).success
