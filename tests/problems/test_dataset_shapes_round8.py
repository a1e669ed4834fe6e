"""Rows of public math, reading and multiple-choice datasets, and files as people save them, loaded as ``ptsfast
mine`` loads them: the model is asked the whole question, the reference is what the oracle compares, and a row or
file that cannot be read is refused saying why and what to do."""

import json

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.loading import load_problems
from ptsfast.problems.oracles import make_judge


def load(tmp_path, rows: list[dict], *flags: str, oracle: str = "multiple_choice", name: str = "rows.jsonl",
         raw: bytes | None = None):
    path = tmp_path / name
    path.write_bytes(raw if raw is not None else "".join(json.dumps(r) + "\n" for r in rows).encode())
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o", "--oracle", oracle,
                                      *flags])
    return load_problems(args.problems, field_map(args))


LOGIQA = {"context": "All of Tom's pets are cats. Rex is one of Tom's pets.", "query": "Which must be true?",
          "options": ["Rex is a dog.", "Rex is a cat.", "Tom has no pets.", "Rex is not Tom's."], "correct_option": 1}
RACE = {"example_id": "high1.txt", "article": "Mary left her umbrella at home, so she got wet on the way to school.",
        "question": "Why did Mary get wet?", "options": ["It snowed.", "She swam.", "She had no umbrella.", "Rain."],
        "answer": "C"}
BOOLQ = {"question": "is the sky green", "answer": False, "passage": "The sky is blue on a clear day."}


def test_reading_rows_ask_their_passage_with_the_question(tmp_path):
    # LogiQA's question is in 'query' and RACE's in 'question', each about a passage in a column of its own
    # ('context', 'article'; BoolQ's 'passage'): the model was asked "Which must be true?" with no text to read
    logiqa, = load(tmp_path, [LOGIQA], "--answer-field", "correct_option").problems
    race, = load(tmp_path, [RACE]).problems
    boolq, = load(tmp_path, [BOOLQ], oracle="normalized").problems
    assert logiqa.question.startswith(LOGIQA["context"] + "\n\nWhich must be true?\n\nA. Rex is a dog.")
    assert race.question.startswith(RACE["article"] + "\n\nWhy did Mary get wet?\n\nA. It snowed.")
    assert boolq.question == BOOLQ["passage"] + "\n\nis the sky green" and boolq.answer == "False"
    mc = make_judge("multiple_choice", 5.0)
    assert mc("The answer is B.", logiqa).success and not mc("The answer is A.", logiqa).success
    assert mc("Answer: C", race).success
    # a passage the question already holds is not shown twice
    again, = load(tmp_path, [{**LOGIQA, "query": LOGIQA["context"] + " Which must be true?"}],
                  "--answer-field", "correct_option").problems
    assert again.question.count(LOGIQA["context"]) == 1
