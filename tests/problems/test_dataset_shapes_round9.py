"""Rows of public multiple-choice and SFT datasets, and JSON files in the shapes people write them, loaded as
``ptsfast mine`` loads them: the model sees the question and its lettered choices, the reference is the letter (or
the answer) the oracle compares, and a row that cannot be judged is refused naming why and the way out."""

import json
import logging

import pandas as pd
import pytest

from helpers.rows import load
from ptsfast.problems.loading import DataError
from ptsfast.problems.oracles import make_judge


MC = make_judge("multiple_choice", 5.0)


def assert_judged(problem, right: str, letters: str = "ABCD"):
    assert problem.answer == right
    assert MC(f"The answer is ({right}).", problem).success
    assert not any(MC(f"The answer is ({x}).", problem).success for x in letters if x != right)


HELLASWAG = {"ind": 4, "activity_label": "Removing ice from car", "ctx_a": "Then, the man writes over the snow.",
             "ctx_b": "then", "ctx": "Then, the man writes over the snow. then",
             "endings": [", the man adds wax.", ", a person boards a ski lift.", " the man puts on a christmas coat.",
                         " the man continues removing the snow."],
             "source_id": "activitynet~v_-1IBHYS3L-Y", "split": "train", "split_type": "indomain", "label": "3"}
OPENBOOKQA = {"id": "7-980", "question_stem": "The sun is responsible for",
              "choices": {"text": ["puppies learning new tricks", "children growing up", "flowers wilting in a vase",
                                   "plants sprouting, blooming and wilting"], "label": ["A", "B", "C", "D"]},
              "answerKey": "D"}


def test_hellaswag_and_openbookqa_rows_ask_their_context_or_stem_with_its_choices(tmp_path):
    # HellaSwag's question is 'ctx', its choices 'endings' and its answer 'label', a 0-based index as text ("3");
    # OpenBookQA's question is 'question_stem': both were refused as missing 'question'
    hs, = load(tmp_path, [HELLASWAG]).problems
    assert hs.question.startswith(HELLASWAG["ctx"] + "\n\nA. , the man adds wax.\nB. ")
    assert_judged(hs, "D")
    obqa, = load(tmp_path, [OPENBOOKQA]).problems
    assert obqa.question.startswith("The sun is responsible for\n\nA. puppies") and obqa.id == "7-980"
    assert_judged(obqa, "D")
    # HellaSwag's test split has no label (""): no answer to judge, said so with the way out
    res = load(tmp_path, [{**HELLASWAG, "label": ""}, {**HELLASWAG, "ind": 5, "label": 1}])
    assert [p.answer for p in res.problems] == ["B"]
    assert res.skipped[0].reason == "no answer to judge" and "'label'" in res.skipped[0]
    assert "test split" in res.skipped[0] and "validation split" in res.skipped[0]


SCIQ = {"question": "What type of organism is commonly used in preparation of foods such as cheese and yogurt?",
        "distractor3": "viruses", "distractor1": "protozoa", "distractor2": "gymnosperms",
        "correct_answer": "mesophilic organisms", "support": "Mesophiles grow best in moderate temperature."}
MEDMCQA = {"id": "e9ad821a", "question": "Chronic urethral obstruction due to benign prismatic hyperplasia can lead to "
           "the following change in kidney parenchyma", "opa": "Hyperplasia", "opb": "Hypertrophy", "opc": "Atrophy",
           "opd": "Dysplasia", "cop": 2, "choice_type": "single", "exp": "Atrophy follows.", "subject_name": "Anatomy",
           "topic_name": "Urinary tract"}
PIQA = {"goal": "When boiling butter, when it's ready, you can", "sol1": "Pour it onto a plate",
        "sol2": "Pour it into a jar", "label": 1}


def test_choices_in_columns_of_their_own_are_listed_and_the_reference_is_the_right_ones_letter(tmp_path):
    # SciQ ('correct_answer', 'distractor1-3'), MedMCQA ('opa'-'opd', 'cop') and PIQA ('goal', 'sol1', 'sol2',
    # 'label') were refused as missing 'question' or 'answer'
    rows = [{**SCIQ, "question": f"{SCIQ['question']} (case {i})"} for i in range(12)]
    res = load(tmp_path, rows)
    assert not res.skipped and len(res.problems) == 12
    for p in res.problems:
        assert sorted(p.choices) == ["gymnosperms", "mesophilic organisms", "protozoa", "viruses"]
        assert_judged(p, "ABCD"[p.choices.index("mesophilic organisms")])
    assert len({p.answer for p in res.problems}) > 1  # listed in an order of their own: not always the same letter
    assert [p.question for p in load(tmp_path, rows).problems] == [p.question for p in res.problems]
    med, = load(tmp_path, [MEDMCQA]).problems  # cop counts from 0, as its Hugging Face rows do (class a-d)
    assert med.question.endswith("\n\nA. Hyperplasia\nB. Hypertrophy\nC. Atrophy\nD. Dysplasia")
    assert_judged(med, "C")
    named, = load(tmp_path, [MEDMCQA], "--answer-field", "cop").problems
    assert named.answer == "C"
    piqa, = load(tmp_path, [PIQA]).problems
    assert piqa.question == f"{PIQA['goal']}\n\nA. Pour it onto a plate\nB. Pour it into a jar"
    assert_judged(piqa, "B", "AB")


def test_a_choice_index_that_names_no_choice_is_refused_naming_the_convention(tmp_path):
    # MedMCQA's first release counts its options 1-4 (its loading script subtracts 1): cop 4 named no choice, and
    # its test split's -1 (PIQA's too) has no answer
    res = load(tmp_path, [{**MEDMCQA, "cop": 4}, {**MEDMCQA, "id": "t1", "cop": -1}])
    piqa = load(tmp_path, [{**PIQA, "label": -1}])
    res.skipped += piqa.skipped
    assert not res.problems + piqa.problems
    assert [s.reason for s in res.skipped] == ["wrong type", "no answer to judge", "no answer to judge"]
    assert "row 1 (id 'e9ad821a')" in res.skipped[0] and "'cop'" in res.skipped[0]
    assert "counts its options 1-4" in res.skipped[0] and "subtract 1" in res.skipped[0]
    assert "is -1: the row has no answer" in res.skipped[1] and "'label'" in res.skipped[2]


AQUA_RAT = {"question": "Two friends plan to walk along a 43-km trail, starting at opposite ends. How many km will "
            "P have walked when they pass each other?", "options": ["A)21", "B)21.5", "C)22", "D)22.5", "E)23"],
            "rationale": "If Q completes x km ... 23 km", "correct": "E"}


def test_aqua_rats_correct_column_is_the_reference_but_a_true_false_correct_never_is(tmp_path):
    # AQuA-RAT's letter is in 'correct': refused as missing 'answer' unless --answer-field named it
    aqua, = load(tmp_path, [AQUA_RAT]).problems
    assert aqua.question.endswith("?\n\nA)21\nB)21.5\nC)22\nD)22.5\nE)23")  # listed once, as the row gives them
    assert_judged(aqua, "E", "ABCDE")
    # a 'correct' column of true/false says whether the row's solution is right: never the reference
    graded = {"problem": "What is 2 + 3?", "solution": "2 + 3 = \\boxed{5}", "correct": True}
    row, = load(tmp_path, [graded], oracle="boxed").problems
    assert row.answer == graded["solution"]
    res = load(tmp_path, [{"problem": "What is 2 + 3?", "correct": False}], oracle="boxed")
    assert not res.problems and "missing field 'answer'" in res.skipped[0] and "--answer-field" in res.skipped[0]


SFT = {"messages": [{"role": "system", "content": "Think step by step."},
                    {"role": "user", "content": "What is 2 + 3?"},
                    {"role": "assistant", "content": "2 + 3 = 5, so the answer is \\boxed{5}."}]}
SHAREGPT = {"id": "sg1", "conversations": [{"from": "human", "value": "What is 7 * 6?"},
                                           {"from": "gpt", "value": "7 * 6 = \\boxed{42}"}]}


def test_sft_rows_ask_the_user_turn_and_the_assistant_reply_is_the_reference_or_the_given_solution(tmp_path):
    # SFT rows ('messages', ShareGPT's 'conversations' of 'from'/'value') ending with the assistant's reply were
    # refused as missing 'question', or, named, as "a chat of roles [..., 'assistant']" with no way out
    boxed = make_judge("boxed", 5.0)
    sft, = load(tmp_path, [SFT], oracle="boxed").problems
    assert sft.question == "What is 2 + 3?" and sft.answer == SFT["messages"][2]["content"] and sft.solution is None
    assert sft.meta["system_prompt"] == "Think step by step."
    assert boxed("so \\boxed{5}", sft).success and not boxed("\\boxed{6}", sft).success
    share, = load(tmp_path, [SHAREGPT], oracle="boxed").problems
    assert (share.id, share.question, share.answer) == ("sg1", "What is 7 * 6?", "7 * 6 = \\boxed{42}")
    given, = load(tmp_path, [SHAREGPT], "--solution-field", "conversations", oracle="boxed").problems
    assert given.solution == "7 * 6 = \\boxed{42}" and given.question == "What is 7 * 6?"
    with_answer, = load(tmp_path, [{**SFT, "answer": "5"}], oracle="boxed").problems
    assert with_answer.answer == "5"  # the row's own answer column first


def test_chats_ptsfast_cannot_mine_are_refused_naming_the_way_out(tmp_path):
    turns = SFT["messages"][1:] + [{"role": "user", "content": "And 3 + 4?"}, {"role": "assistant", "content": "7"}]
    rows = [{"messages": turns}, {"messages": SFT["messages"][:2], "answer": "5"}]
    res = load(tmp_path, rows, "--solution-field", "messages", oracle="boxed")
    assert not res.problems
    assert "roles ['user', 'assistant', 'user', 'assistant']" in res.skipped[0]
    assert "--solution-field" in res.skipped[0] and "keep one such exchange" in res.skipped[0]
    assert res.skipped[1].reason == "empty field" and "without an assistant reply" in res.skipped[1]
    assert "drop --solution-field" in res.skipped[1]


ROWS = [{"question": "What is 2 + 2?", "answer": "4"}, {"question": "What is 3 + 3?", "answer": "6"}]


FILES = {
    "pandas.json": pd.DataFrame(ROWS).to_json(),  # {"question": {"0": ..., "1": ...}, ...}
    "lists.json": json.dumps({"question": [r["question"] for r in ROWS], "answer": [r["answer"] for r in ROWS]}),
    "data.json": json.dumps({"data": ROWS}),
    "rows.json": json.dumps({"version": "1.0", "rows": ROWS}, indent=2),
    "examples.jsonl": json.dumps({"examples": ROWS}, indent=2),
    "trailing.json": json.dumps(ROWS)[:-1] + ",]",
    "trailing_lines.json": "[\n" + "".join(json.dumps(r) + ",\n" for r in ROWS) + "]\n",
    "mac.jsonl": "".join(json.dumps(r) + "\r" for r in ROWS),  # classic Mac OS line endings
    "commas.jsonl": "".join(json.dumps(r) + ",\n" for r in ROWS),
}


@pytest.mark.parametrize("name", list(FILES))
def test_json_files_in_the_shapes_people_write_them_are_read_as_their_rows(tmp_path, name, caplog):
    # each was one row refused as "missing field 'question'" or "not a chat of text", a file datasets could not
    # read, or every row "malformed JSON (Extra data ...)"
    with caplog.at_level(logging.WARNING):
        res = load(tmp_path, [], name=name, oracle="exact", raw=FILES[name].encode())
    assert not res.skipped
    assert [(p.question, p.answer) for p in res.problems] == [(r["question"], r["answer"]) for r in ROWS]
    if name.endswith(".json") or "examples" in name:  # said how the file was read
        assert "read as 2 rows" in caplog.text


def test_one_row_of_lists_and_dicts_is_still_one_row(tmp_path):
    # a row whose fields are a chat and its tests, or a wrapper key beside a question, is a row, not columns
    rows = [{"prompt": [{"role": "user", "content": "What is 2 + 2?"}], "answer": ["4"]},
            {"question": "Sum them.", "data": [{"x": 1}, {"x": 2}], "answer": "3"}]
    for r in rows:
        p, = load(tmp_path, [], name="one.json", oracle="exact", raw=json.dumps(r, indent=2).encode()).problems
        assert p.question in ("What is 2 + 2?", "Sum them.") and p.answer in ("4", "3")
    with pytest.raises(DataError, match="could not be read as json"):  # no row is guessed out of broken JSON
        load(tmp_path, [], name="bad.json", oracle="exact", raw=(json.dumps(ROWS)[:-1] + ",,]").encode())


def test_a_true_false_answer_is_judged_as_its_word_and_the_load_says_so(tmp_path, caplog):
    # BoolQ's answer false is the reference "False": the normalized oracle passes "false." but never "no", which the
    # load now says once, with the way out
    boolq = {"question": "is the sky green", "answer": False, "passage": "The sky is blue on a clear day."}
    with caplog.at_level(logging.WARNING):
        res = load(tmp_path, [boolq, {**boolq, "question": "is the sky blue", "answer": True}], oracle="normalized")
    assert [p.answer for p in res.problems] == ["False", "True"]
    normalized = make_judge("normalized", 5.0)
    assert normalized("false.", res.problems[0]).success and not normalized("No", res.problems[0]).success
    assert caplog.text.count("true/false values") == 1
    assert "never 'yes' or 'no'" in caplog.text and "--system-prompt" in caplog.text
