"""Rows of public math, multiple-choice and SFT datasets, and files with hostile values, loaded as ``ptsfast mine``
loads them: the reference is the answer the oracle compares, the model is asked the whole question, and a row whose
reference cannot be read is refused naming the row, the column and the way out, never judged against a wrong one."""

import json
import logging

import pytest

from helpers.rows import load
from helpers.tiny_models import byte_level_bpe
from ptsfast.problems.loading import DataError, FieldMap, Problem, encode_problems, load_problems
from ptsfast.problems.oracles import make_judge


BOXED = make_judge("boxed", 5.0)
LAST_NUMBER = make_judge("last_number", 5.0)

METAMATHQA = {"type": "GSM_Rephrased", "query": "Tom has 3 apples and buys 4 more. How many apples does he have?",
              "original_question": "Tom has 3 apples and buys 4 more. How many?",
              "response": "Tom starts with 3 apples.\nHe buys 4 more, so he has 3 + 4 = 7 apples.\nThe answer is: 7"}
MATHINSTRUCT = {"source": "data/CoT/gsm_rft.json", "instruction": "A pen costs $2. What do 3 pens cost?",
                "output": "Each pen costs $2, so 3 pens cost 3 * 2 = $6. The answer is 6."}
MATHINSTRUCT_POT = {"source": "data/PoT/gsm_gpt4.json", "instruction": "A pen costs $2. What do 3 pens cost?",
                    "output": "price = 2\npens = 3\ntotal = price * pens\nprint(total)"}


def test_a_solution_that_states_its_answer_in_words_is_judged_against_that_answer(tmp_path):
    # MetaMathQA's 'response' ends "The answer is: 7" (MathInstruct's "The answer is 6."), with no box or ####: the
    # whole solution was the reference, and no rollout could ever match it
    meta, = load(tmp_path, [METAMATHQA], oracle="boxed").problems
    assert meta.question == METAMATHQA["query"] and meta.answer == "7"
    assert BOXED("so \\boxed{7}", meta).success and not BOXED("so \\boxed{8}", meta).success
    assert LAST_NUMBER("He has 7 apples.", meta).success
    inst, = load(tmp_path, [MATHINSTRUCT], oracle="boxed").problems
    assert inst.answer == "6" and BOXED("\\boxed{6}", inst).success
    # a box or a #### line is what the oracles read: such a solution is kept whole
    boxed_sol = {**METAMATHQA, "response": "3 + 4 = \\boxed{7}\nThe answer is: 7"}
    assert load(tmp_path, [boxed_sol], oracle="boxed").problems[0].answer == boxed_sol["response"]


def test_a_worked_solution_with_no_final_answer_in_it_is_refused_naming_the_column(tmp_path):
    # MathInstruct's program-of-thought rows hold a program, an SFT reply may hold steps with no box: the whole text
    # was the reference, and every rollout was judged wrong against it
    res = load(tmp_path, [MATHINSTRUCT_POT], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge"
    assert "field 'output'" in res.skipped[0] and "row 1" in res.skipped[0]
    assert "--answer-field" in res.skipped[0] and "\\boxed{}" in res.skipped[0]
    sft = {"messages": [{"role": "user", "content": "What is 2 + 3?"},
                        {"role": "assistant", "content": "First take 2.\nThen add 3 to it, which gives five."}]}
    res = load(tmp_path, [sft], oracle="boxed")
    assert not res.problems and "assistant reply" in res.skipped[0] and "'messages'" in res.skipped[0]
    # a one-line answer in such a column is an answer (Alpaca's "output": "5")
    alpaca, = load(tmp_path, [{"instruction": "Add 2 and 3.", "input": "", "output": "5"}], oracle="boxed").problems
    assert alpaca.answer == "5"


def test_a_huge_number_is_the_number_as_written_and_an_infinite_one_is_refused(tmp_path):
    # a float is read back by its shortest digits: 1e23 was the reference 99999999999999991611392 (the float's
    # binary value) and 4.2e25 was 41999999999999999626903552; Infinity (and 1e400) was the reference "inf"
    raw = (b'{"question": "q1", "answer": 1e23}\n{"question": "q2", "answer": 4.2e25}\n'
           b'{"question": "q3", "answer": Infinity}\n{"question": "q4", "answer": -1e400}\n')
    res = load(tmp_path, [], oracle="last_number", raw=raw)
    assert [p.answer for p in res.problems] == ["100000000000000000000000", "42" + "0" * 24]
    assert LAST_NUMBER("That is 100000000000000000000000.", res.problems[0]).success
    assert [s.row for s in res.skipped] == [3, 4] and all("field 'answer'" in s for s in res.skipped)
    assert all("infinite" in s and 'as text ("\\infty"' in s for s in res.skipped)  # LaTeX's \infty, one backslash
    # a CSV column of whole numbers with an empty cell is read as ints the same way
    csv = load(tmp_path, [], oracle="last_number", name="rows.csv", raw=b"question,answer\nq1,1e23\nq2,5\nq3,\n")
    assert [p.answer for p in csv.problems] == ["100000000000000000000000", "5"]


MMLU = {"question": "Find the degree of Q(sqrt(2)) over Q.", "subject": "abstract_algebra",
        "choices": ["0", "4", "2", "6"], "answer": 2}


def test_a_choice_index_past_the_last_choice_is_refused_naming_the_convention(tmp_path):
    # MMLU's answer is the right choice's 0-based index: a file counting from 1 has a 4 for the fourth of four
    # choices, which was the reference "4" (neither a letter nor a choice: every rollout an oracle error)
    mc = make_judge("multiple_choice", 5.0)
    ok, = load(tmp_path, [MMLU]).problems
    assert ok.answer == "C" and mc("The answer is (C).", ok).success
    res = load(tmp_path, [{**MMLU, "choices": ["a", "b", "c", "d"], "answer": 4}, {**MMLU, "answer": 7},
                          {**MMLU, "answer": -1}])
    assert not res.problems and [s.row for s in res.skipped] == [1, 2, 3]
    assert all("field 'answer'" in s for s in res.skipped) and "0-based index" in res.skipped[1]
    assert "is 4, but the row has 4 choices" in res.skipped[0] and "counts from 1" in res.skipped[0]
    assert "subtract 1" in res.skipped[0] and "is -1: the row has no answer" in res.skipped[2]
    # an integer that is one of the choices' texts is that choice
    text, = load(tmp_path, [{**MMLU, "answer": 6}]).problems
    assert text.answer == "6" and mc("The answer is (D).", text).success
    # ARC's numeric labels with the key written as a number (a CSV of its rows): label 2 is B, not the index 2 (C)
    arc = {"id": "Mercury_1", "question": "What is red?", "answerKey": 2,
           "choices": {"text": ["sky", "blood", "grass", "snow"], "label": ["1", "2", "3", "4"]}}
    assert load(tmp_path, [arc]).problems[0].answer == "B"


def test_an_alpaca_rows_input_is_asked_with_its_instruction(tmp_path):
    # Alpaca-format rows keep what the instruction works on in 'input' ("Add the two numbers." / "2 and 3"): the
    # model was asked the instruction alone, with nothing to add, and judged against "5"
    row = {"instruction": "Add the two numbers.", "input": "2 and 3", "output": "5"}
    p, = load(tmp_path, [row], oracle="last_number").problems
    assert p.question == "Add the two numbers.\n\n2 and 3" and p.answer == "5"
    # an empty input, or one the instruction already holds, adds nothing
    same, = load(tmp_path, [{**row, "instruction": "Add the two numbers: 2 and 3"}], oracle="last_number").problems
    assert same.question == "Add the two numbers: 2 and 3"
    assert load(tmp_path, [{**row, "input": ""}], oracle="last_number").problems[0].question == row["instruction"]


Q1, Q3 = {"question": "q1", "answer": "5"}, {"question": "q3", "answer": "7"}


@pytest.mark.parametrize("rows", [[Q1, ["q2", "6"], Q3], [["q0", "4"], Q1, "q2", Q3]])
def test_a_json_arrays_row_that_is_not_an_object_is_that_rows_skip(tmp_path, rows):
    # datasets refused the whole file ("could not be read as json (ValueError: dictionary update sequence element
    # #1 has length 1; 2 is required)"), or read an array opening with a list as rows of one 'text' column
    res = load(tmp_path, [], name="rows.json", oracle="exact", raw=json.dumps(rows, indent=1).encode("utf-8-sig"))
    assert [p.question for p in res.problems] == [r["question"] for r in rows if isinstance(r, dict)]
    bad = [n for n, r in enumerate(rows, 1) if not isinstance(r, dict)]
    assert [s.row for s in res.skipped] == bad and all(s.reason == "not an object" for s in res.skipped)
    assert all(f"row {n}:" in s and "not a dict" in s for n, s in zip(bad, res.skipped))


def test_a_json_arrays_column_of_mixed_types_keeps_each_value_as_written(tmp_path):
    # datasets reads a column of numbers and texts through pandas, which made the id "007" 7 (another id than the
    # same rows' as JSON lines) and the references "1e3" 1000, "0.50" 0.5 and "007" 7
    rows = [{"id": "007", "question": "q1", "answer": 5}, {"id": 8, "question": "q2", "answer": "0.50"},
            {"id": "x9", "question": "q3", "answer": "1e3"}, {"id": "10", "question": "q4", "answer": "007"}]
    res = load(tmp_path, [], name="rows.json", oracle="exact", raw=json.dumps(rows).encode())
    assert [(p.id, p.answer) for p in res.problems] == [("007", "5"), ("8", "0.50"), ("x9", "1e3"), ("10", "007")]
    assert res.problems == load(tmp_path, rows, oracle="exact").problems  # as the same rows in JSON lines


@pytest.mark.parametrize("reply", ["chatgpt", "bing", "bard", "model"])
def test_sharegpt_replies_of_other_assistants_names_are_the_assistants(tmp_path, reply):
    # ShareGPT's raw conversations name the reply "chatgpt", "bing" or "bard" (FastChat's cleaning maps them to gpt),
    # Gemini's and Gemma's chats "model": refused as "a chat of roles ['user', 'chatgpt']"
    row = {"id": "sg2", "conversations": [{"from": "human", "value": "What is 7 * 6?"},
                                          {"from": reply, "value": "7 * 6 = \\boxed{42}"}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert (p.question, p.answer) == ("What is 7 * 6?", "7 * 6 = \\boxed{42}")


CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


@pytest.mark.parametrize("rendered", ["<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n",
                                      "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2+3?",
                                      "<s>[INST] What is 2+3? [/INST]", "<start_of_turn>user\nWhat is 2+3?"])
def test_a_question_that_is_already_a_chat_prompt_is_refused_under_the_chat_template(rendered):
    # RL rows whose prompt was saved rendered (ChatML, Llama 3's, Mistral's, Gemma's turns) were wrapped in the chat
    # template a second time: the model saw a user turn holding a whole conversation
    tok = byte_level_bpe()
    tok.chat_template = CHATML
    problems = [Problem("rendered", rendered, "5"), Problem("plain", "What is 2+3?", "5")]
    out, skipped = encode_problems(problems, tok)
    assert [p.id for p in out] == ["plain"] and [s.id for s in skipped] == ["rendered"]
    assert "already a chat prompt" in skipped[0] and "--no-chat-template" in skipped[0]
    raw, none = encode_problems(problems, tok, use_chat_template=False)  # fed as it is: what it was saved for
    assert [p.id for p in raw] == ["rendered", "plain"] and not none


NAN_ROWS = (b'{"id": NaN, "question": "What is 2+3?", "answer": "5"}\n'
            b'{"id": NaN, "question": "What is 2+4?", "answer": "6"}\n'
            b'{"id": "a", "question": NaN, "answer": "7"}\n'
            b'{"id": "b", "question": "Pick", "choices": ["x", NaN, "z"], "answer": 0}\n')


@pytest.mark.parametrize("name", ["rows.jsonl", "rows.json"])
def test_a_nan_written_for_a_missing_value_is_missing_not_the_text_nan(tmp_path, name):
    # json.dumps writes a pandas row's missing cells as NaN, which was read as the text "nan": the question "nan" was
    # asked, two rows of id NaN were one id "nan" (the second refused as its duplicate), and "nan" was a choice
    raw = NAN_ROWS if name.endswith("l") else b"[" + NAN_ROWS.strip().replace(b"\n", b",") + b"]"
    res = load(tmp_path, [], name=name, oracle="exact", raw=raw)
    assert [p.question for p in res.problems] == ["What is 2+3?", "What is 2+4?"]
    assert all(p.id.startswith("h") for p in res.problems)  # no id: derived from the content
    assert [(s.row, s.reason) for s in res.skipped] == [(3, "empty field"), (4, "wrong type")]
    assert "field 'question' is empty" in res.skipped[0] and "field 'choices'" in res.skipped[1]


MMLU_AUX = {"train": {"answer": 1, "choices": ["Deep pink", "Blue", "Green", "Grey"],
                      "question": "What color is the sky on a clear day?", "subject": ""}}


@pytest.mark.parametrize("n", [1, 2])
def test_mmlus_auxiliary_train_rows_wrapped_under_train_are_read_as_the_row_inside(tmp_path, n):
    # cais/mmlu's auxiliary_train rows are {"train": {question, choices, answer, subject}}: every row was refused as
    # "missing field 'question' (row has ['train'])", and a file of one such row was read as four rows of columns
    rows = [{"train": {**MMLU_AUX["train"], "question": f"{MMLU_AUX['train']['question']} ({i})"}} for i in range(n)]
    res = load(tmp_path, rows)
    assert not res.skipped and len(res.problems) == n
    assert res.problems[0].question.endswith("(0)\n\nA. Deep pink\nB. Blue\nC. Green\nD. Grey")
    assert all(p.answer == "B" for p in res.problems)


def test_a_ground_truth_text_listing_several_answers_is_refused_not_judged_as_its_json(tmp_path):
    # verl rows (Skywork-OR1's) keep the ground truth as a JSON text of a list: one answer ('["5"]') is that answer,
    # but several ('["5", "five"]') were the reference text '["5", "five"]', which no rollout ever matches
    row = {"data_source": "x", "prompt": [{"role": "user", "content": "What is 2 + 3?"}], "ability": "math",
           "reward_model": {"ground_truth": '["5"]', "style": "rule"}}
    one, = load(tmp_path, [row], oracle="boxed").problems
    assert one.answer == "5"
    res = load(tmp_path, [{**row, "reward_model": {"ground_truth": '["5", "five"]', "style": "rule"}}], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "wrong type"
    assert "field 'ground_truth'" in res.skipped[0] and "a list of 2 items" in res.skipped[0]
    interval, = load(tmp_path, [{"question": "Where?", "answer": "[1, 2]"}], oracle="boxed").problems
    assert interval.answer == "[1, 2]"  # a list of numbers as text is an interval, kept as written


def test_a_chat_rows_system_column_is_its_system_prompt(tmp_path):
    # OpenThoughts' and LLaMA-Factory's ShareGPT rows keep the system prompt in a 'system' column beside the chat:
    # the model was asked without it (a 'system_prompt' column, or a system turn, was used)
    row = {"system": "Think first, then answer in a box.",
           "conversations": [{"from": "user", "value": "What is 2 + 3?"}, {"from": "assistant", "value": "\\boxed{5}"}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.meta["system_prompt"] == row["system"] and p.question == "What is 2 + 3?"
    turn = {**row, "conversations": [{"from": "system", "value": "Be brief."}, *row["conversations"]]}
    assert load(tmp_path, [turn], oracle="boxed").problems[0].meta["system_prompt"] == "Be brief."  # its own turn
    # beside a question that is no chat, 'system' may mean anything (a physical system): not a system prompt
    plain, = load(tmp_path, [{"question": "Mass?", "answer": "2", "system": "two blocks"}], oracle="boxed").problems
    assert "system_prompt" not in plain.meta


def test_a_byte_order_mark_opening_a_later_line_is_read_past(tmp_path):
    # files saved by Windows tools open with a BOM, and JSON lines joined from several (`cat a.jsonl b.jsonl`) keep
    # each one: the row after each join was refused as "malformed JSON (Unexpected UTF-8 BOM ...)"
    raw = "".join("\ufeff" + json.dumps({"question": f"q{i}", "answer": str(i)}) + "\r\n" for i in range(3))
    res = load(tmp_path, [], oracle="exact", raw=raw.encode())
    assert not res.skipped and [p.answer for p in res.problems] == ["0", "1", "2"]


def test_an_openai_developer_message_is_the_system_prompt(tmp_path):
    # OpenAI's chats since its o1 models give the instructions as a 'developer' message: refused as "a chat of roles
    # ['developer', 'user', 'assistant']"
    row = {"messages": [{"role": "developer", "content": "Answer in a box."},
                        {"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "\\boxed{5}"}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert (p.question, p.answer, p.meta["system_prompt"]) == ("What is 2 + 3?", "\\boxed{5}", "Answer in a box.")


CEVAL = {"id": 0, "question": "Which gas do plants take in?", "A": "Oxygen", "B": "Carbon dioxide", "C": "Helium",
         "D": "Neon", "answer": "B", "explanation": ""}


def test_choices_in_columns_named_by_their_letters_are_listed(tmp_path):
    # C-Eval's and CMMLU's rows (and MMLU's CSV files given a header) keep each choice in a column named by its
    # letter: the model was asked the bare question, with no choice B to name, and judged against "B"
    mc = make_judge("multiple_choice", 5.0)
    cmmlu = {"Question": CEVAL["question"], **{k: CEVAL[k] for k in "ABCD"}, "Answer": "B"}
    csv = b"question,A,B,C,D,answer\nWhich gas do plants take in?,Oxygen,Carbon dioxide,Helium,Neon,B\n"
    got = [load(tmp_path, [CEVAL]).problems[0], load(tmp_path, [cmmlu]).problems[0],
           load(tmp_path, [], name="rows.csv", raw=csv).problems[0]]
    for p in got:
        assert p.question == f"{CEVAL['question']}\n\nA. Oxygen\nB. Carbon dioxide\nC. Helium\nD. Neon"
        assert p.answer == "B" and mc("The answer is (B).", p).success and not mc("The answer is (A).", p).success
    # columns A and B beside an answer that names no such letter are not choices (a problem's matrices A and B)
    matrices = {"question": "What is the trace of A + B?", "A": "[[1, 0], [0, 1]]", "B": "[[2, 0], [0, 2]]",
                "answer": "6"}
    assert load(tmp_path, [matrices], oracle="boxed").problems[0].question == matrices["question"]


@pytest.mark.parametrize("last, answer", [("Answer: 5", "5"), ("**Final Answer:** 5", "5"),
                                          ("Final Answer: The final answer is $5$. I hope it is correct.", "$5$")])
def test_an_sft_reply_ending_with_an_answer_line_is_judged_against_that_answer(tmp_path, last, answer):
    # a reply of steps ending "Answer: 5" (or Minerva's "Final Answer: The final answer is $5$. I hope it is
    # correct.") was refused as having no final answer, or judged against "$5$. I hope it is correct"
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"},
                        {"role": "assistant", "content": f"Take 2.\nAdd 3 to it.\n{last}"}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.answer == answer and BOXED("\\boxed{5}", p).success and not BOXED("\\boxed{6}", p).success


def test_a_csv_file_without_a_header_row_is_refused_naming_the_missing_header(tmp_path):
    # MMLU's own CSV files have no header row: their first row's cells were taken for column names, and each row
    # was refused as "missing field 'question' (row has ['B', 'Q1?', 'a1', ...])" with no word of why
    csv = b"Q1?,a1,b1,c1,d1,B\nQ2?,a2,b2,c2,d2,C\nQ3?,a3,b3,c3,d3,A\n"
    res = load(tmp_path, [], name="abstract_algebra_test.csv", raw=csv)
    assert not res.problems and [s.row for s in res.skipped] == [1, 2]
    assert all("no header row" in s and "'Q1?'" in s and "question,A,B,C,D,answer" in s for s in res.skipped)
    fixed = load(tmp_path, [], name="with_header.csv", raw=b"question,A,B,C,D,answer\n" + csv)
    assert [p.answer for p in fixed.problems] == ["B", "C", "A"]


def test_a_dataset_repositorys_folder_is_read_as_its_splits(tmp_path):
    # a dataset downloaded as its repository (`huggingface-cli download --repo-type dataset ... --local-dir`, a git
    # clone) keeps its rows in data/<split>-*.parquet: the folder was refused as not saved with save_to_disk()
    import pandas as pd

    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame([{"problem": "What is 1 + 1?", "answer": "2"}, {"problem": "What is 2 + 2?", "answer": "4"}]) \
        .to_parquet(data / "train-00000-of-00001.parquet")
    pd.DataFrame([{"problem": "What is 3 + 3?", "answer": "6"}]).to_parquet(data / "test-00000-of-00001.parquet")
    (tmp_path / "README.md").write_text("# a dataset card\n")
    fields = FieldMap(auto_detect=True)
    assert [p.answer for p in load_problems(str(tmp_path), fields).problems] == ["2", "4"]
    assert [p.answer for p in load_problems(str(tmp_path), fields, split="test").problems] == ["6"]
    with pytest.raises(DataError, match="splits .*'train'.*--split-name"):
        load_problems(str(tmp_path), fields, split="validation")
    for name in ("config.json", "rows.jsonl"):  # a model's folder, or one of loose JSON lines: no repository's
        other = tmp_path / name.replace(".", "_")
        other.mkdir()
        (other / name).write_text('{"question": "q", "answer": "1"}\n')
        with pytest.raises(DataError, match="not a dataset saved with save_to_disk"):
            load_problems(str(other), fields)


KODCODE = {"question_id": "Leetcode_15_I", "question": "Given a list of integers, return the largest sum of any "
           "contiguous subarray.", "solution": "def max_subarray_sum(nums):\n    best = cur = nums[0]\n    for x in "
           "nums[1:]:\n        cur = max(x, cur + x)\n        best = max(best, cur)\n    return best\n",
           "test": "from solution import max_subarray_sum\n\ndef test_mixed():\n"
                   "    assert max_subarray_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6\n",
           "test_info": [{"function_name": "max_subarray_sum", "parameter_list": "(nums)",
                          "function_declaration": "def max_subarray_sum(nums):", "docstring": None}],
           "style": "instruct", "subset": "Leetcode", "gpt_difficulty": "medium"}


def test_a_kodcode_question_names_the_function_its_tests_import(tmp_path):
    # KodCode's tests import the function by the name its test_info gives (code-r1 appends "Note that the output
    # function should be ..." to the question): the model was asked the task alone and could not know the name
    p, = load(tmp_path, [KODCODE], oracle="code").problems
    assert p.question.startswith(KODCODE["question"]) and "def max_subarray_sum(nums):" in p.question
    named, = load(tmp_path, [{**KODCODE, "question": "Write max_subarray_sum(nums), the largest sum of any contiguous "
                                                     "subarray."}], oracle="code").problems
    assert named.question.count("max_subarray_sum") == 1  # a question that names it is left as it is


def test_a_chat_in_an_input_column_is_the_question(tmp_path):
    # Llama-Nemotron's post-training rows keep the chat in 'input' and the reply in 'output': refused as missing
    # 'question' (elsewhere 'input' is a program's stdin or a function's arguments, never taken for the question)
    row = {"input": [{"role": "user", "content": "What is 2 + 3?"}], "output": "<think>2 + 3 = 5</think>\\boxed{5}",
           "category": "math", "reasoning": "on", "system_prompt": "detailed thinking on"}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert (p.question, p.meta["system_prompt"]) == ("What is 2 + 3?", "detailed thinking on")
    assert BOXED("\\boxed{5}", p).success and not BOXED("\\boxed{6}", p).success
    cruxeval = {"code": "def f(x):\n    return x + 1", "input": "1", "output": "2"}
    res = load(tmp_path, [cruxeval], oracle="exact")
    assert not res.problems and "missing field 'question'" in res.skipped[0]


CSQA_ORIGINAL = {"answerKey": "A", "id": "075e483d21c29a511267ef62bedc0461",
                 "question": {"question_concept": "punishing", "stem": "The sanctions against the school were a "
                              "punishing blow, and they seemed to what the efforts the school had made to change?",
                              "choices": [{"label": "A", "text": "ignore"}, {"label": "B", "text": "enforce"},
                                          {"label": "C", "text": "authoritarian"}, {"label": "D", "text": "yell at"},
                                          {"label": "E", "text": "avoid"}]}}


def test_the_original_arc_openbookqa_and_commonsenseqa_rows_ask_their_stem_with_its_choices(tmp_path):
    # their own JSONL files (before the Hugging Face copies flattened them) nest the question as {"stem", "choices":
    # [{"label", "text"}]}: every row was refused as "field 'question' (the question) is a dict, not text"
    p, = load(tmp_path, [CSQA_ORIGINAL]).problems
    assert p.question == CSQA_ORIGINAL["question"]["stem"] + "\n\nA. ignore\nB. enforce\nC. authoritarian\nD. yell " \
                                                               "at\nE. avoid"
    assert p.id == CSQA_ORIGINAL["id"] and p.answer == "A" and p.choices[0] == "ignore"
    arc = {"id": "Mercury_1", "answerKey": "2", "question": {"stem": "What is red?", "choices": [
        {"label": "1", "text": "sky"}, {"label": "2", "text": "blood"}, {"label": "3", "text": "grass"}]}}
    assert load(tmp_path, [arc]).problems[0].answer == "B"  # its numeric label, as the flattened rows' are read


MEDQA = {"question": "A 23-year-old pregnant woman has burning upon urination. Which is the best treatment?",
         "answer": "Nitrofurantoin", "options": {"A": "Ampicillin", "B": "Ceftriaxone", "C": "Doxycycline",
                                                 "D": "Nitrofurantoin"}, "meta_info": "step2&3", "answer_idx": "D"}


def test_medqa_choices_keyed_by_their_letters_are_listed_and_judged(tmp_path):
    # MedQA's options are a dict {"A": ..., "D": ...}: every row was refused as choices that "must be a list"
    mc = make_judge("multiple_choice", 5.0)
    p, = load(tmp_path, [MEDQA]).problems
    assert p.question.endswith("?\n\nA. Ampicillin\nB. Ceftriaxone\nC. Doxycycline\nD. Nitrofurantoin")
    assert mc("The answer is (D).", p).success and not mc("The answer is (A).", p).success
    by_letter, = load(tmp_path, [MEDQA], "--answer-field", "answer_idx").problems
    assert by_letter.answer == "D" and mc("The answer is (D).", by_letter).success
    # keyed out of order, they are listed by their letters
    shuffled, = load(tmp_path, [{**MEDQA, "options": dict(reversed(MEDQA["options"].items()))}]).problems
    assert shuffled.question == p.question


SIQA = {"context": "Cameron decided to have a barbecue and gathered her friends together.",
        "question": "How would Others feel as a result?", "answerA": "like attending", "answerB": "like staying home",
        "answerC": "a good friend to have", "label": "1"}


def test_social_iqa_rows_list_their_three_answers_and_count_the_label_from_1(tmp_path):
    # Social IQa keeps its choices in answerA-C and the right one's number, counted from 1, in 'label' (as text):
    # refused as missing 'answer', and naming --answer-field label judged the bare question against "1"
    mc = make_judge("multiple_choice", 5.0)
    p, = load(tmp_path, [SIQA]).problems
    assert p.question == f"{SIQA['context']}\n\n{SIQA['question']}\n\nA. like attending\nB. like staying home\n" \
                         f"C. a good friend to have"
    assert p.answer == "A" and mc("The answer is (A).", p).success and not mc("The answer is (B).", p).success
    assert load(tmp_path, [{**SIQA, "label": "3"}]).problems[0].answer == "C"
    res = load(tmp_path, [{**SIQA, "label": "4"}, {**SIQA, "label": ""}])
    assert [s.reason for s in res.skipped] == ["wrong type", "no answer to judge"]
    assert "1-based" in res.skipped[0] and "'label'" in res.skipped[0]


AGIEVAL = {"query": "Q: Which number is prime? Answer Choices: (A)4 (B)6 (C)7 (D)9\n"
                    "A: Among A through D, the answer is",
           "choices": ["(A)4", "(B)6", "(C)7", "(D)9"], "gold": [2]}


def test_an_answer_listed_as_one_index_is_that_choices_letter(tmp_path):
    # AGIEval's 'gold' is the right choice's index in a list ([2]), a float column's [3.0] likewise: the references
    # were "2" and "3.0", which name no choice (every rollout an oracle error)
    mc = make_judge("multiple_choice", 5.0)
    agi, = load(tmp_path, [AGIEVAL], "--answer-field", "gold").problems
    assert agi.answer == "C" and mc("Among A through D, the answer is (C).", agi).success
    listed = load(tmp_path, [{"question": "Which?", "choices": ["a", "b", "c", "d"], "answer": [3.0]},
                             {"question": "Which one?", "choices": ["a", "b", "c", "d"], "answer": [3]}]).problems
    assert [p.answer for p in listed] == ["D", "D"]


WEBINSTRUCT = {"question": "Find the derivative of f(x) = x^2 sin(x).", "source": "WebInstructFull", "index": 7,
               "answer": "We use the product rule, which says that the derivative of a product of two functions is "
                         "the first times the derivative of the second plus the second times the derivative of the "
                         "first.\nHere the first function is x^2 and the second is sin(x).\nSo the derivative is "
                         "2x sin(x) + x^2 cos(x)."}


def test_an_answer_column_holding_a_worked_explanation_is_refused(tmp_path):
    # WebInstructSub's 'answer' is an explanation of several lines with no final answer marked in it: it was the
    # reference whole, and every rollout was judged wrong against it
    res = load(tmp_path, [WEBINSTRUCT], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge" and "field 'answer'" in res.skipped[0]
    # an answer of several lines that is no prose (a matrix, a program's output) is still an answer
    for answer in ("\\begin{pmatrix}\n1 & 2 \\\\\n3 & 4\n\\end{pmatrix}", "1\n2\n3"):
        p, = load(tmp_path, [{**WEBINSTRUCT, "answer": answer}], oracle="exact").problems
        assert p.answer == answer


def test_a_nan_in_rows_held_in_memory_is_missing_as_in_a_file(tmp_path):
    # a DataFrame's rows as dicts (df.to_dict("records")) hold its empty cells as float NaN: the question "nan" was
    # asked, and two rows of id NaN were one id "nan" (the second refused as its duplicate)
    nan = float("nan")
    rows = [{"id": nan, "question": "What is 2+3?", "answer": "5"},
            {"id": nan, "question": "What is 2+4?", "answer": "6"}, {"id": "a", "question": nan, "answer": "7"}]
    res = load_problems(rows, FieldMap(auto_detect=True))
    assert [p.question for p in res.problems] == ["What is 2+3?", "What is 2+4?"]
    assert all(p.id.startswith("h") for p in res.problems)
    assert [(s.row, s.reason) for s in res.skipped] == [(3, "empty field")]


COSMOSQA = {"id": "3Q9(...)##1", "context": "Good Old War and person L : I saw both of these bands Wednesday night.",
            "question": "In the future , will this person go to see other bands play ?", "answer0": "None of the above",
            "answer1": "This person likes music and likes to see the show , they will see other bands play .",
            "answer2": "This person only likes Good Old War and Person L .", "answer3": "Other bands are not good .",
            "label": 1}


def test_cosmos_qa_rows_list_answer0_to_answer3_and_read_their_0_based_label(tmp_path):
    # Cosmos QA keeps its choices in answer0-3 and the right one's 0-based index in 'label': refused as missing
    # 'answer', and naming --answer-field label judged the bare question against "1"
    mc = make_judge("multiple_choice", 5.0)
    p, = load(tmp_path, [COSMOSQA]).problems
    assert p.question.startswith(COSMOSQA["context"] + "\n\n" + COSMOSQA["question"] + "\n\nA. None of the above\nB. ")
    assert p.answer == "B" and mc("The answer is (B).", p).success and not mc("The answer is (A).", p).success


def test_a_multiple_choice_row_without_its_key_says_a_test_split_has_none(tmp_path):
    # ARC's, CommonsenseQA's and C-Eval's test splits leave the answer key empty: the refusal asked for "the
    # reference answer (or tests for code problems)" with no word of the split
    csqa = {"id": "t1", "question": "Where would you put a plate?", "answerKey": "",
            "choices": {"label": ["A", "B", "C"], "text": ["cupboard", "river", "sky"]}}
    res = load(tmp_path, [csqa])
    assert res.skipped[0].reason == "empty field" and "field 'answerKey' is empty" in res.skipped[0]
    assert "test split" in res.skipped[0] and "validation split" in res.skipped[0]


def test_trls_prompt_completion_rows_judge_against_the_completions_answer(tmp_path):
    # TRL's prompt-completion rows (what SFTTrainer takes, conversational or as text): the completion was no
    # column ptsfast read (refused as missing 'answer'), and as a chat of one reply it was "a list of 1 items"
    chat = {"prompt": [{"role": "user", "content": "What is 2 + 3?"}],
            "completion": [{"role": "assistant", "content": "2 + 3 = \\boxed{5}"}]}
    text = {"prompt": "What is 7 * 6?", "completion": " 7 * 6 = \\boxed{42}"}
    a, = load(tmp_path, [chat], oracle="boxed").problems
    b, = load(tmp_path, [text], oracle="boxed").problems
    assert (a.question, a.answer) == ("What is 2 + 3?", "2 + 3 = \\boxed{5}") and BOXED("\\boxed{5}", a).success
    assert b.question == "What is 7 * 6?" and BOXED("\\boxed{42}", b).success and not BOXED("\\boxed{41}", b).success


CARD = """---
configs:
- config_name: main
  data_files:
  - split: train
    path: main/train-*
- config_name: socratic
  data_files:
  - split: train
    path: socratic/train-*
---
# a dataset of two configs, as openai/gsm8k's repository is
"""


def test_a_dataset_repository_of_several_configs_is_read_as_the_one_dataset_config_names(tmp_path):
    # gsm8k's repository holds its main and socratic configs side by side: the folder could not be read without one,
    # and --dataset-config was refused for a local folder
    import pandas as pd

    for config, answer in (("main", "#### 2"), ("socratic", "How much? ** 1 + 1 = 2\n#### 2")):
        (tmp_path / config).mkdir()
        pd.DataFrame([{"question": "What is 1 + 1?", "answer": answer}]) \
            .to_parquet(tmp_path / config / "train-00000-of-00001.parquet")
    (tmp_path / "README.md").write_text(CARD)
    fields = FieldMap(auto_detect=True)
    assert load_problems(str(tmp_path), fields, config="main").problems[0].answer == "#### 2"
    assert load_problems(str(tmp_path), fields, config="socratic").problems[0].answer.startswith("How much?")
    with pytest.raises(DataError, match="'main'.*'socratic'.*--dataset-config"):
        load_problems(str(tmp_path), fields)
    with pytest.raises(DataError, match="--dataset-config 'nope'.*'main'"):
        load_problems(str(tmp_path), fields, config="nope")


LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\nsize 2048\n"


@pytest.mark.parametrize("name", ["train.jsonl", "train-00000-of-00001.parquet", "data"])
def test_a_git_lfs_pointer_in_place_of_the_data_is_refused_naming_git_lfs_pull(tmp_path, name):
    # a dataset repository cloned without git-lfs holds pointers of three lines where its data files belong: JSON lines
    # were three rows of malformed JSON, a parquet file "could not be read (ArrowInvalid: ...)"
    target = tmp_path / name
    if name == "data":
        target.mkdir()
        (target / "train-00000-of-00001.parquet").write_bytes(LFS_POINTER)
    else:
        target.write_bytes(LFS_POINTER)
    with pytest.raises(DataError, match="Git LFS pointer.*git lfs pull"):
        load_problems(str(tmp_path / name if name != "data" else tmp_path), FieldMap(auto_detect=True))


def test_a_jsonl_file_that_is_one_json_array_on_one_line_is_read_as_its_rows(tmp_path, caplog):
    # json.dump(rows, open("train.jsonl", "w")) writes the array on one line: the whole file was one row refused as
    # "a JSON list, not an object"
    raw = json.dumps([{"question": "q1", "answer": "1"}, {"question": "q2", "answer": "2"}, [3]]).encode() + b"\n"
    with caplog.at_level(logging.WARNING):
        res = load(tmp_path, [], oracle="exact", raw=raw)
    assert [p.answer for p in res.problems] == ["1", "2"] and [s.row for s in res.skipped] == [3]
    assert "read as 3 rows" in caplog.text
    lone, = load(tmp_path, [], oracle="exact", raw=b"[1, 2]\n").skipped  # a lone array of no rows: that line's skip
    assert lone.reason == "not an object"


def test_an_empty_answer_beside_another_answer_column_names_that_column(tmp_path):
    # a dataset whose 'answer' is null in some rows while 'solution' holds a boxed solution: the refusal asked for "the
    # reference answer" with no word of the column that has one
    rows = [{"problem": "What is 1 + 1?", "answer": "2", "solution": "1 + 1 = \\boxed{2}"},
            {"problem": "What is 2 + 2?", "answer": None, "solution": "2 + 2 = \\boxed{4}"}]
    res = load(tmp_path, rows, oracle="boxed")
    assert [p.answer for p in res.problems] == ["2"]
    assert "field 'answer' is empty" in res.skipped[0] and "'solution' has one" in res.skipped[0]
    assert "--answer-field solution" in res.skipped[0]


@pytest.mark.parametrize("reply", [
    "<think>Is it \\boxed{4}? No: 2 + 3 is 5.</think>\nThe answer is 5.",
    "<|begin_of_thought|>\nMaybe \\boxed{4}... no, 5.\n<|end_of_thought|>\n\n<|begin_of_solution|>\n2 + 3 = 5.\n"
    "The answer is 5.\n<|end_of_solution|>"])
def test_a_reasoning_replys_reference_is_read_after_its_thinking(tmp_path, reply):
    # R1-style replies think in <think>...</think> (OpenThoughts' in <|begin_of_thought|> ... <|end_of_thought|>),
    # then answer: a box tried in the thinking was read as the reference, so \boxed{4} passed and \boxed{5} failed
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": reply}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.answer == "5" and BOXED("\\boxed{5}", p).success and not BOXED("\\boxed{4}", p).success


def test_a_reasoning_reply_cut_off_inside_its_thinking_is_refused(tmp_path):
    # a distilled reply cut off at its length limit ends inside <think>: a box tried while thinking was the reference
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"},
                        {"role": "assistant", "content": "<think>Is it \\boxed{4}? Let me check again, 2 + 3"}]}
    res = load(tmp_path, [row], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge"
    assert "never closes" in res.skipped[0] and "'messages'" in res.skipped[0]


def test_a_small_float_answer_is_its_decimal_digits_not_scientific_notation(tmp_path):
    # JSON's 0.00001 is the float 1e-05, whose str was the reference "1e-05": a rollout boxing 0.00001 failed
    raw = (b'{"question": "q1", "answer": 0.00001}\n{"question": "q2", "answer": 0.5}\n'
           b'{"question": "q3", "answer": -2.5e-7}\n')
    res = load(tmp_path, [], oracle="boxed", raw=raw)
    assert [p.answer for p in res.problems] == ["0.00001", "0.5", "-0.00000025"]
    assert BOXED("\\boxed{0.00001}", res.problems[0]).success and LAST_NUMBER("It is 0.00001.", res.problems[0]).success


def test_a_float32_column_is_read_as_its_shortest_digits(tmp_path):
    # a parquet file (or DataFrame, or Arrow table) storing answers as float32 gave 0.1 as 0.10000000149011612, the
    # float32's binary value widened: the reference no rollout's 0.1 equals
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"question": ["q1", "q2", "q3"], "answer": pa.array([0.1, 2.5, 3.0], type=pa.float32())})
    pq.write_table(table, tmp_path / "rows.parquet")
    fields = FieldMap(auto_detect=True)
    from datasets import Dataset

    frame = pd.read_parquet(tmp_path / "rows.parquet")
    for data in (str(tmp_path / "rows.parquet"), frame, table, Dataset.from_pandas(frame)):
        res = load_problems(data, fields)
        assert [p.answer for p in res.problems] == ["0.1", "2.5", "3"], type(data)
    assert LAST_NUMBER("It is 0.1.", res.problems[0]).success


@pytest.mark.parametrize("name", ["rows.jsonl", "rows.json", "rows.jsonl.gz"])
def test_a_compressed_file_is_refused_naming_its_compression(tmp_path, name):
    # a gzip-compressed file named .jsonl was read line by line as bytes that are not UTF-8 (each line refused with
    # "save the file as UTF-8 (e.g. iconv ...)"), and a .jsonl.gz file was "unknown data format '.gz'"
    import gzip

    raw = gzip.compress(b"".join(json.dumps({"question": f"q{i}", "answer": str(i)}).encode() + b"\n"
                                 for i in range(50)))
    with pytest.raises(DataError, match="gzip-compressed.*gunzip"):
        load(tmp_path, [], name=name, oracle="exact", raw=raw)


def test_an_answer_letter_past_the_last_choice_is_refused(tmp_path):
    # an MMLU-Pro row trimmed to four options still answering "I": every rollout was an oracle error (a reference
    # "neither a letter A-D nor one of its choices"), found only while mining
    row = {"question_id": 70, "question": "Which is typical?", "options": ["a", "b", "c", "d"], "answer": "I",
           "answer_index": 8}
    res = load(tmp_path, [row, {**row, "question_id": 71, "answer": "(c)"}])
    assert [p.answer for p in res.problems] == ["(c)"]
    assert res.skipped[0].reason == "wrong type" and "field 'answer'" in res.skipped[0]
    assert "names choice I" in res.skipped[0] and "4 choices" in res.skipped[0]
