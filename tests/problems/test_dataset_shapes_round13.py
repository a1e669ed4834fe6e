"""Rows of public math, multiple-choice and chat datasets as they publish them, round 13, and the reasoning traces
of Apriel's replies and of gpt-oss' replies decoded without their special tokens: loaded as ``ptsfast mine`` loads
them, the reference is the answer after a trace, and a rollout is judged on what it says after its thinking."""

import pytest

from helpers.rows import load
from ptsfast.problems.loading import Problem, opens_think
from ptsfast.problems.oracles import make_judge


BOXED = make_judge("boxed", 5.0)

APRIEL_PROMPT = "<|begin_user|>\nWhat is 2 + 3?\n<|begin_assistant|>\nHere are my reasoning steps:\n"
"""Apriel-1.5/1.6-15b-Thinker's generation prompt: its template opens the reasoning, and the model closes it with
``[BEGIN FINAL RESPONSE]``, its answer then ending with ``[END FINAL RESPONSE]``."""


def test_apriels_generation_prompt_opens_its_reasoning_and_a_box_tried_there_is_not_judged():
    # Apriel's reasoning was no trace: a rollout cut off in its reasoning passed on a box it tried there, and one
    # that tried \boxed{5} and answered 4 passed
    assert opens_think(APRIEL_PROMPT)
    assert not opens_think(APRIEL_PROMPT[:-1] + "\n\n[BEGIN FINAL RESPONSE]\n")  # Apriel 1.6 with reasoning off
    p = Problem("p", "What is 2 + 3?", "5")
    opened = make_judge("boxed", 5.0, think_open=opens_think(APRIEL_PROMPT))
    assert not opened("Is it \\boxed{5}? Let me check 2 + 3 again", p).success
    assert opened("Is it \\boxed{4}? No.\n[BEGIN FINAL RESPONSE]\n\\boxed{5}\n[END FINAL RESPONSE]", p).success
    assert not BOXED("Here are my reasoning steps:\nIs it \\boxed{5}? No.\n[BEGIN FINAL RESPONSE]\n\\boxed{4}\n"
                     "[END FINAL RESPONSE]", p).success
    assert BOXED("Here are my reasoning steps:\nIs it \\boxed{4}? No.\n[BEGIN FINAL RESPONSE]\n\\boxed{5}\n"
                 "[END FINAL RESPONSE]", p).success


def test_apriels_words_in_another_models_reply_open_no_trace():
    # the words alone opened a trace: another model's reply that wrote "Here are my reasoning steps:" (as a system
    # prompt asking for steps gets) was judged as one cut off in its thinking, its right \boxed{5} failed
    p = Problem("p", "What is 2 + 3?", "5")
    assert BOXED("Here are my reasoning steps:\n1. 2 + 3 = 5\n\\boxed{5}", p).success
    assert not opens_think("<|im_start|>assistant\nHere are my reasoning steps:\n")


@pytest.mark.parametrize("end", ["", "\n<|end|>"])
def test_an_apriel_reply_in_a_solution_column_is_judged_on_its_final_response(tmp_path, end):
    # an SFT row distilled from Apriel: the box it tried while reasoning was the reference (\boxed{4} passed, the
    # right 5 failed)
    reply = f"Here are my reasoning steps:\nIs it \\boxed{{4}}? No: 2 + 3 is 5.\n[BEGIN FINAL RESPONSE]\nThe " \
            f"answer is 5.\n[END FINAL RESPONSE]{end}"
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": reply}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.answer == "5" and BOXED("\\boxed{5}", p).success and not BOXED("\\boxed{4}", p).success
    cut = {"messages": [row["messages"][0], {"role": "assistant", "content": "Here are my reasoning steps:\nIs it "
                                                                               "\\boxed{4}? 2 + 3"}]}
    res = load(tmp_path, [cut], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge" and "never closes" in res.skipped[0]


@pytest.mark.parametrize("final", ["**Answer:** 5", "The answer is \\(5\\).", "\\boxed{5}"])
def test_a_harmony_reply_decoded_without_its_special_tokens_is_judged_on_its_final_message(tmp_path, final):
    # gpt-oss' replies saved as vLLM decodes them by default (skip_special_tokens): "analysis...assistantfinal...",
    # the channels' names run into the text; the box tried in its analysis was the reference (4 passed, 5 failed)
    reply = f"analysisWe need 2 + 3. Is it \\boxed{{4}}? No, 5.assistantcommentaryCheck: 5.assistantfinal{final}"
    row = {"problem": "What is 2 + 3?", "generated_solution": reply}
    p, = load(tmp_path, [row], "--answer-field", "generated_solution", oracle="boxed").problems
    assert p.answer in ("5", "\\boxed{5}") and BOXED("\\boxed{5}", p).success and not BOXED("\\boxed{4}", p).success
    cut = {"problem": "What is 2 + 3?", "generated_solution": "analysisIs it \\boxed{4}? 2 + 3 is 5.assistantfinal"}
    res = load(tmp_path, [cut], "--answer-field", "generated_solution", oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge" and "nothing after" in res.skipped[0]
    plain = {"problem": "What is 2 + 3?", "generated_solution": "analysis of 2 + 3: \\boxed{5}"}  # no harmony reply
    assert load(tmp_path, [plain], "--answer-field", "generated_solution", oracle="boxed").problems[0].answer == \
        "analysis of 2 + 3: \\boxed{5}"


MC = make_judge("multiple_choice", 5.0)

MMLU_CSV = ("question,subject,choices,answer\n"  # as datasets' Dataset.to_csv (and pandas' to_csv) write cais/mmlu
            "Capital of France?,geo,['Paris' 'London' 'Berlin' 'Rome'],0\n"
            "Capital of Italy?,geo,['Paris' 'London' 'Berlin' 'Rome'],3\n")
ARC_CSV = ("id,question,choices,answerKey\n"
           "a,Which?,\"{'text': array(['x', 'y', 'z'], dtype=object), "
           "'label': array(['A', 'B', 'C'], dtype=object)}\",B\n")


def test_choices_a_csv_export_prints_as_numpy_arrays_are_read_as_lists(tmp_path):
    # a list cell written by Dataset.to_csv is numpy's print, its items apart by spaces: read as Python it was the
    # one choice 'ParisLondonBerlinRome', which "A" always named (the first row passed every rollout saying A; the
    # second was refused as naming a choice past the last); ARC's choices struct prints its lists as array(...)
    france, italy = load(tmp_path, [], name="mmlu.csv", raw=MMLU_CSV.encode()).problems
    assert france.choices == italy.choices == ("Paris", "London", "Berlin", "Rome")
    assert france.answer == "A" and italy.answer == "D"
    assert MC("The answer is (D).", italy).success and not MC("The answer is (A).", italy).success
    arc, = load(tmp_path, [], name="arc.csv", raw=ARC_CSV.encode()).problems
    assert arc.choices == ("x", "y", "z") and arc.answer == "B" and arc.question.endswith("A. x\nB. y\nC. z")


def test_a_listed_answer_a_csv_export_prints_as_python_is_read_as_its_list(tmp_path):
    # OlympiadBench's final_answer, a list of one, written by Dataset.to_csv as ['$5$']: the text was the reference,
    # which no rollout's \boxed{5} equalled; nq_open's list of answers was a reference of their print
    olympiad, = load(tmp_path, [], name="ob.csv", raw=b"question,final_answer\nWhat is 2 + 3?,['$5$']\n",
                     oracle="boxed").problems
    assert olympiad.answer == "$5$" and BOXED("\\boxed{5}", olympiad).success
    assert not BOXED("\\boxed{4}", olympiad).success
    nq = load(tmp_path, [], name="nq.csv", raw=b"question,answer\ncapital of france,\"['Paris' 'Paris, France']\"\n",
              oracle="normalized")
    assert not nq.problems and "a list of 2 items" in nq.skipped[0]


def test_a_list_of_accepted_answers_is_refused_without_advising_to_keep_the_first(tmp_path):
    # nq_open's 'answer' lists the answers any one of which is right: the refusal advised keeping the first, which
    # judges a rollout giving another of them wrong
    res = load(tmp_path, [{"question": "who wrote hamlet", "answer": ["Shakespeare", "William Shakespeare"]}],
               oracle="normalized")
    assert not res.problems and "'Shakespeare'" in res.skipped[0] and "any one of which" in res.skipped[0]
    assert "keep one (e.g. the first)" not in res.skipped[0] and "rows of one answer" in res.skipped[0]


TRL_CSV = ('prompt,completion\n"[{\'role\': \'user\', \'content\': \'What is 2 + 3?\'}]",'  # Dataset.to_csv's print
           '"[{\'role\': \'assistant\', \'content\': \'It is \\\\boxed{5}.\'}]"\n')
VERL_CSV = ("data_source,prompt,ability,reward_model,extra_info\n"
            "x,\"[{'role': 'system', 'content': 'Think.'}\n {'role': 'user', 'content': 'What is 2 + 3?'}]\",math,"
            "\"{'ground_truth': '5', 'style': 'rule'}\",\"{'index': 0, 'split': 'train'}\"\n")
SFT_CSV = ("messages\n\"[{'role': 'user', 'content': 'What is 2 + 3?'}\n"
           " {'role': 'assistant', 'content': 'The answer is 5.'}]\"\n")


def test_chats_a_csv_export_prints_as_python_are_read_as_chats(tmp_path):
    # a messages column written by Dataset.to_csv is the print of its list: TRL's prompt-completion rows asked the
    # model the print, "[{'role': 'user', 'content': ...}]", against the print of the reply; verl's and SFT rows
    # were refused as missing 'answer' (their reward_model a print of its dict, their reply inside the print)
    trl, = load(tmp_path, [], name="trl.csv", raw=TRL_CSV.encode(), oracle="boxed").problems
    assert trl.question == "What is 2 + 3?" and trl.answer == "It is \\boxed{5}."
    assert BOXED("\\boxed{5}", trl).success and not BOXED("\\boxed{4}", trl).success
    verl, = load(tmp_path, [], name="verl.csv", raw=VERL_CSV.encode(), oracle="boxed").problems
    assert verl.question == "What is 2 + 3?" and verl.answer == "5" and verl.meta["system_prompt"] == "Think."
    sft, = load(tmp_path, [], name="sft.csv", raw=SFT_CSV.encode(), oracle="boxed").problems
    assert sft.question == "What is 2 + 3?" and sft.answer == "5"
    asked = {"question": "[{'role': 'user'} is a Python dict; what is its length?", "answer": "1"}  # a question
    assert load(tmp_path, [asked], oracle="boxed").problems[0].question == asked["question"]


CSV_EXPORTS = {  # Dataset.to_csv's files of these datasets' rows: (file text, choices, answer, question's start)
    "dream": ("id,dialogue_id,dialogue,question,choice,answer\n0,d,['M: hi' 'W: hello'],Who spoke first?,"
              "['man' 'woman' 'child'],man\n", ("man", "woman", "child"), "man", "M: hi\nW: hello\n\nWho spoke"),
    "headqa": ("name,year,category,qid,qtext,ra,image,answers\nn,2013,c,1,q?,3,,\"[{'aid': 1, 'atext': 'a'} "
               "{'aid': 2, 'atext': 'b'}\n {'aid': 3, 'atext': 'c'} {'aid': 4, 'atext': 'd'}]\"\n",
               ("a", "b", "c", "d"), "C", "q?"),
    "bigbench": ("idx,inputs,targets,multiple_choice_targets,multiple_choice_scores\n0,\"Q: pick\nA:\",['7'],"
                 "['4' '7' '9'],[0 1 0]\n", ("4", "7", "9"), "B", "Q: pick\nA:"),
    "agieval": ("query,choices,gold\n\"q?\nA. a\nB. b\nC. c\",['(A)a' '(B)b' '(C)c'],[2]\n",
                ("(A)a", "(B)b", "(C)c"), "C", "q?"),
}


@pytest.mark.parametrize("name", list(CSV_EXPORTS))
def test_list_columns_a_csv_export_prints_are_read_as_lists(tmp_path, name):
    # the columns read as lists (DREAM's dialogue and choice, HEAD-QA's answers, BIG-bench's choices and scores,
    # AGIEval's gold) took numpy's print for text: DREAM was asked the print of its dialogue with no choices,
    # BIG-bench's rows had none, HEAD-QA's were refused as missing 'answer', AGIEval's as having no answer
    text, choices, answer, start = CSV_EXPORTS[name]
    p, = load(tmp_path, [], name=f"{name}.csv", raw=text.encode()).problems
    assert p.choices == choices and p.answer == answer and p.question.startswith(start)
    right = answer if len(answer) == 1 else "ABC"[choices.index(answer)]
    wrong = "B" if right != "B" else "A"
    assert MC(f"The answer is ({right}).", p).success and not MC(f"The answer is ({wrong}).", p).success


KMMLU = {"question": "What is 2 + 2?", "answer": 2, "A": "3", "B": "4", "C": "5", "D": "6", "Category": "Math",
         "Human Accuracy": 0.5}


def test_kmmlu_rows_number_their_right_choice_from_1(tmp_path):
    # HAERAE-HUB/KMMLU (and KorMedMCQA) keep their choices in columns A-D and the right one's number, from 1, in
    # 'answer' (lm-eval: ['A', 'B', 'C', 'D'][answer-1]): the model was asked the question without its choices,
    # against the reference "2"
    p, = load(tmp_path, [KMMLU]).problems
    assert p.choices == ("3", "4", "5", "6") and p.answer == "B" and p.question.endswith("A. 3\nB. 4\nC. 5\nD. 6")
    assert MC("The answer is (B).", p).success and not MC("The answer is (C).", p).success
    zero = load(tmp_path, [{**KMMLU, "answer": 0}])
    assert not zero.problems and "1-based" in zero.skipped[0] and "add 1" in zero.skipped[0]
    matrices = {"question": "What is the trace of A + B?", "A": "[[1, 0], [0, 1]]", "B": "[[2, 0], [0, 2]]",
                "answer": 6}  # a number past the lettered columns: no choices, as an answer that names no letter
    assert load(tmp_path, [matrices], oracle="boxed").problems[0].question == matrices["question"]


@pytest.mark.parametrize("orient, text", [
    ("split", '{"columns":["question","answer"],"index":[0,1],"data":[["What is 2+3?","5"],["What is 2+2?","4"]]}'),
    ("index", '{"0":{"question":"What is 2+3?","answer":"5"},"1":{"question":"What is 2+2?","answer":"4"}}')])
def test_pandas_split_and_index_json_files_are_read_as_their_rows(tmp_path, orient, text):
    # DataFrame.to_json(orient='split') was read as a dict of lists (three rows of junk, 'columns', 'index' and 'data'
    # for names), orient='index' as one row of columns '0' and '1': every row refused as missing 'question'
    res = load(tmp_path, [], name=f"{orient}.json", raw=text.encode(), oracle="boxed")
    assert [(p.question, p.answer) for p in res.problems] == [("What is 2+3?", "5"), ("What is 2+2?", "4")]
    assert not res.skipped


def test_a_gold_index_too_long_for_python_to_read_is_that_rows_skip(tmp_path):
    # read as JSON, AGIEval's gold "[...]" of over 4300 digits raised out of the loader: the whole load failed
    res = load(tmp_path, [{"query": "Pick one.", "choices": ["a", "b"], "gold": "[" + "9" * 5000 + "]"},
                          {"query": "Pick two.", "choices": ["a", "b"], "gold": [1]}])
    assert [p.answer for p in res.problems] == ["B"] and res.skipped[0].reason == "no answer to judge"


BIG = "[" + "9" * 5000 + "]"  # an int Python reads only with its limit lifted


@pytest.mark.parametrize("row, oracle", [
    ({"question": "Add.", "test_info": BIG, "test": "def test_a():\n    assert 1"}, "code"),
    ({"text": "Add.", "test_list": BIG, "tests": "assert True"}, "code"),
    ({"instruction": "Add 2 and 3.", "output": "5", "history": BIG}, "boxed"),
    ({"question": "Pick.", "answers": BIG, "label": 1}, "multiple_choice")])
def test_a_cell_read_as_json_holding_an_int_python_cannot_read_is_that_rows_skip(tmp_path, row, oracle):
    # KodCode's test_info, MBPP's test_list shown in the prompt, an Alpaca history, ReClor's answers: read as JSON, an
    # int of over 4300 digits raised out of the loader, and the whole load failed on one row
    res = load(tmp_path, [row], oracle=oracle)
    assert not res.problems and "4300 digits" in res.skipped[0] and res.skipped[0].row == 1


RLVR_IFEVAL = {"messages": [{"role": "user", "content": "Write a limerick about cats. Your entire response should be "
                                                        "in English, and in all lowercase letters."}],
               "ground_truth": '{"func_name": "validate_lowercase", "N": null, "quantifier": null, "end_phrase": null, '
                               '"keyword_list": null, "word": null, "forbidden_words": null, "letter": null, '
                               '"i": null, "first_word": null, "postscript_marker": null, "options": null, '
                               '"section_splitter": null, "original_prompt": null}',
               "dataset": "ifeval", "constraint_type": "Change Cases",
               "constraint": "Your entire response should be in English, and in all lowercase letters."}


def test_an_ifeval_constraint_as_the_ground_truth_is_no_answer(tmp_path):
    # allenai's RLVR-IFeval (and RLVR-GSM-MATH-IF-Mixed-Constraints' ifeval rows) keep a verifier's name and
    # arguments in 'ground_truth': the JSON text was the reference, which no rollout equalled (every problem at p=0)
    res = load(tmp_path, [RLVR_IFEVAL, {**RLVR_IFEVAL, "messages": [{"role": "user", "content": "What is 2 + 3?"}],
                                        "ground_truth": "5", "dataset": "gsm8k"}], oracle="boxed")
    assert [p.answer for p in res.problems] == ["5"]
    assert res.skipped[0].reason == "no answer to judge" and "'validate_lowercase'" in res.skipped[0]
