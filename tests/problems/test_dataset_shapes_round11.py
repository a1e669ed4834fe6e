"""Rows of public math and multiple-choice datasets as they publish them, round 11, loaded as ``ptsfast mine`` loads
them: the model is asked the whole question (its passage and lettered choices), the reference is the answer the oracle
compares, and a row whose reference cannot be read is refused naming the row, the column and the way out."""

import json

from helpers.rows import load
from ptsfast.problems.oracles import make_judge


MC = make_judge("multiple_choice", 5.0)
BOXED = make_judge("boxed", 5.0)


def assert_judged(problem, right: str, letters: str):
    assert problem.answer == right
    assert MC(f"The answer is ({right}).", problem).success
    assert not any(MC(f"The answer is ({x}).", problem).success for x in letters if x != right)


WINOGRANDE = {"sentence": "Sarah was a much better surgeon than Maria so _ always got the harder cases.",
              "option1": "Sarah", "option2": "Maria", "answer": "1"}


def test_winogrande_rows_list_their_two_options_and_count_the_answer_from_1(tmp_path):
    # WinoGrande's question is 'sentence', its choices 'option1' and 'option2', its answer "1" or "2": the row was
    # refused as missing 'question', and with --question-field sentence the model was asked the sentence without the
    # options, judged against the reference "1" (no letter, no choice: every rollout an oracle error)
    wino, = load(tmp_path, [WINOGRANDE]).problems
    assert wino.question == f"{WINOGRANDE['sentence']}\n\nA. Sarah\nB. Maria"
    assert_judged(wino, "A", "AB")
    second, = load(tmp_path, [{**WINOGRANDE, "answer": "2"}], "--question-field", "sentence").problems
    assert_judged(second, "B", "AB")
    test_split = load(tmp_path, [{**WINOGRANDE, "answer": ""}])  # its test split's rows have no answer
    assert not test_split.problems and test_split.skipped[0].reason == "no answer to judge"
    assert "'answer'" in test_split.skipped[0] and "validation split" in test_split.skipped[0]
THEOREMQA = {"Question": "Let a undirected graph G with edges E = {<0,1>,<0,2>,<0,3>,<0,5>,<2,3>,<2,4>,<4,5>}. What "
                         "is the shortest path from node 0 to node 5? Represent the path as a list.",
             "Answer": [0, 5], "Answer_type": "list of integer", "Picture": None, "id": "xinyi/dijkstra.json"}


def test_a_theoremqa_list_answer_is_that_list_not_several_answers(tmp_path):
    # TheoremQA's own file (theoremqa_test.json) holds a list answer as a JSON list, [0, 5]: the row was refused as
    # listing several answers, with the advice to keep the first (a reference of 0 for the path [0, 5])
    path, = load(tmp_path, [THEOREMQA], oracle="boxed").problems
    assert path.answer == "[0, 5]"
    assert BOXED("The path is \\boxed{[0, 5]}.", path).success
    assert not BOXED("The path is \\boxed{[0, 1, 5]}.", path).success and not BOXED("\\boxed{0}", path).success
    # a list of floats is judged within 4% item by item by TheoremQA's judge, exactly here: refused, as a float is
    floats = load(tmp_path, [{**THEOREMQA, "id": "f", "Answer": [0.8, 0.2], "Answer_type": "list of float"}],
                  oracle="boxed")
    assert not floats.problems and "a list of floats" in floats.skipped[0]
    # elsewhere a list of several answers is still refused: which one is the reference is not known
    several = load(tmp_path, [{"question": "Name a prime.", "answer": [2, 3]}], oracle="boxed")
    assert not several.problems and "a list of 2 items" in several.skipped[0]




LOGIQA2 = {"id": 10471, "answer": 1,
           "text": "The education system has two aspects, one is compulsory education and the other is higher "
                   "education. A reasonable education system requires everyone to have the right to compulsory "
                   "education.",
           "question": "Which of the following conclusions can be drawn from the above statement?",
           "options": ["Everyone has the right to higher education.", "Everyone has the right to compulsory education.",
                       "Higher education is compulsory.", "No one has the right to higher education."],
           "type": {"Sufficient Conditional Reasoning": True}}


def test_logiqa2_rows_ask_their_passage_and_the_hubs_rows_are_read_inside_their_text(tmp_path):
    # LogiQA 2.0 keeps its passage in 'text' beside 'question' and 'options': the model was asked "Which of the
    # following conclusions can be drawn from the above statement?" without the statement
    own, = load(tmp_path, [LOGIQA2]).problems
    assert own.question.startswith(LOGIQA2["text"] + "\n\n" + LOGIQA2["question"] + "\n\nA. Everyone has the right")
    assert_judged(own, "B", "ABCD")
    # its Hub release (datatune/LogiQA2.0) holds each row as that JSON in one 'text' column: the rows were refused as
    # missing 'answer' (the question was the JSON text, its "answer": 1 in it)
    hub = load(tmp_path, [{"text": json.dumps(LOGIQA2)}])
    assert not hub.skipped and hub.problems[0].question == own.question
    assert_judged(hub.problems[0], "B", "ABCD")
    # a 'text' that holds the question is the row's whole text, never a passage asked before it
    whole = {"question": "What is 2 + 3?", "choices": ["4", "5"], "answer": 1, "text": "Q: What is 2 + 3? A: 5"}
    assert load(tmp_path, [whole]).problems[0].question == "What is 2 + 3?\n\nA. 4\nB. 5"


NUMINA_15 = {"problem": "Find x if x + 1 = 3.", "solution": "Subtract 1: $x = 2$.", "answer": "2",
             "problem_type": "Algebra", "question_type": "math-word-problem", "problem_is_valid": "Yes",
             "solution_is_valid": "Yes", "source": "cn_k12", "synthetic": False}


def test_numinamath_rows_marked_invalid_are_refused_naming_the_mark(tmp_path):
    # NuminaMath-1.5 marks the rows whose problem or solution its authors found wrong or incomplete (NeMo RL's loader
    # keeps only rows marked "Yes" in both): such a row's answer was the reference every rollout was judged against
    rows = [NUMINA_15, {**NUMINA_15, "problem": "Find y if y + 1 = 3.", "problem_is_valid": "No"},
            {**NUMINA_15, "problem": "Find z if z + 1 = 3.", "solution_is_valid": "Incomplete"},
            {**NUMINA_15, "problem": "Find w if w + 1 = 3.", "solution_is_valid": False}]
    res = load(tmp_path, rows, oracle="boxed")
    assert [p.question for p in res.problems] == [NUMINA_15["problem"]]
    assert [s.row for s in res.skipped] == [2, 3, 4] and {s.reason for s in res.skipped} == {"no answer to judge"}
    assert "problem_is_valid is 'No'" in res.skipped[0] and "solution_is_valid is 'Incomplete'" in res.skipped[1]
    assert "solution_is_valid is False" in res.skipped[2]
    assert all("NuminaMath-1.5" in s and "'Yes'" in s and "drop the row" in s for s in res.skipped)
    # a row without the marks (NuminaMath-CoT's, OpenR1-Math's) is kept as before
    assert load(tmp_path, [{"problem": "Find x if x + 1 = 3.", "answer": "2"}], oracle="boxed").problems


ALPACA_TURN = {"instruction": "And what about 3?", "input": "", "output": "9",
               "history": [["What is 2 squared?", "4"], ["And 2 cubed?", "8"]]}


def test_an_alpaca_row_with_earlier_turns_in_its_history_is_refused_naming_them(tmp_path):
    # LLaMA-Factory's Alpaca rows keep a conversation's earlier turns in 'history', [instruction, response] pairs:
    # the model was asked "And what about 3?" alone, and judged against "9"
    res = load(tmp_path, [ALPACA_TURN, {**ALPACA_TURN, "instruction": "What is 3 squared?", "history": []}],
               oracle="boxed")
    assert [p.question for p in res.problems] == ["What is 3 squared?"]
    skip, = res.skipped
    assert skip.row == 1 and skip.reason == "wrong type"
    assert "'history'" in skip and "2 earlier turns" in skip and "one question" in skip


def test_an_alpaca_rows_system_column_is_its_system_prompt(tmp_path):
    # LLaMA-Factory's Alpaca rows keep their system prompt in 'system' beside 'instruction', as its ShareGPT rows do
    # beside the chat: the model was asked without it
    row = {"instruction": "What is 3 squared?", "input": "", "output": "9", "system": "Answer in a box.",
           "history": []}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.meta["system_prompt"] == "Answer in a box." and p.question == "What is 3 squared?"
    # an empty one (most of its rows) is none: the problem and its derived id stay as they were
    plain, = load(tmp_path, [{**row, "system": ""}], oracle="boxed").problems
    bare, = load(tmp_path, [{k: v for k, v in row.items() if k != "system"}], oracle="boxed").problems
    assert "system_prompt" not in plain.meta and plain.id == bare.id
    # beside a question column of another name, 'system' may still mean anything (a physical system)
    plain, = load(tmp_path, [{"question": "Mass?", "answer": "2", "system": "two blocks"}], oracle="boxed").problems
    assert "system_prompt" not in plain.meta


AGIEVAL_LSAT = {"passage": "Of the eight students, exactly six will give reports on Monday, Tuesday and Wednesday.",
                "question": "Which one of the following could be the schedule of the students' reports?",
                "options": ["(A)Helen, Robert", "(B)Irving, Olivia", "(C)Lenore, Helen", "(D)Nina, Helen",
                            "(E)Olivia, Nina"], "label": "C", "answer": None, "other": None}


def test_agievals_own_rows_are_judged_against_their_label(tmp_path):
    # AGIEval's own files name a multiple-choice row's right option in 'label' and leave 'answer' null (its cloze
    # rows the other way round): every multiple-choice row was refused as having an empty 'answer'
    lsat, = load(tmp_path, [AGIEVAL_LSAT]).problems
    assert lsat.question.startswith(AGIEVAL_LSAT["passage"] + "\n\n" + AGIEVAL_LSAT["question"] + "\n\n(A)Helen")
    assert_judged(lsat, "C", "ABCDE")
    cloze, = load(tmp_path, [{"passage": None, "question": "What is 1 + 2?", "options": None, "label": None,
                              "answer": "3", "other": None}], oracle="boxed").problems
    assert cloze.answer == "3"
    # a label that names no option is still refused, naming the column it came from
    bad = load(tmp_path, [{**AGIEVAL_LSAT, "label": "F"}])
    assert not bad.problems and "field 'label'" in bad.skipped[0] and "names choice F" in bad.skipped[0]
    # a label that is a class, not a choice's letter, is no reference: the empty answer is refused as before
    nli = load(tmp_path, [{**AGIEVAL_LSAT, "label": "entailment"}])
    assert not nli.problems and "field 'answer' is empty" in nli.skipped[0]
    # an answer column named with --answer-field is the one read
    named = load(tmp_path, [AGIEVAL_LSAT], "--answer-field", "answer")
    assert not named.problems and "field 'answer' is empty" in named.skipped[0]


TRUTHFULQA = {"question": "What happens if you eat watermelon seeds?",
              "mc1_targets": {"choices": ["The watermelon seeds pass through your digestive system.",
                                          "You grow watermelons in your stomach.", "You get sick.",
                                          "You have bad dreams."], "labels": [1, 0, 0, 0]},
              "mc2_targets": {"choices": ["Nothing happens.", "You grow watermelons in your stomach."],
                              "labels": [1, 0]}}


def test_truthfulqa_rows_list_their_mc1_targets_in_an_order_of_their_own(tmp_path):
    # TruthfulQA's multiple_choice rows keep the choices in 'mc1_targets', the right one labelled 1 and always listed
    # first: the rows were refused as missing 'answer'; listed as given, the right answer would be A in every problem
    rows = [{**TRUTHFULQA, "question": f"{TRUTHFULQA['question']} (case {i})"} for i in range(12)]
    res = load(tmp_path, rows)
    assert not res.skipped and len(res.problems) == 12
    right = TRUTHFULQA["mc1_targets"]["choices"][0]
    for p in res.problems:
        assert sorted(p.choices) == sorted(TRUTHFULQA["mc1_targets"]["choices"])
        assert p.question.startswith(p.question.split("\n\n")[0] + "\n\nA. ")
        assert_judged(p, "ABCD"[p.choices.index(right)], "ABCD")
    assert len({p.answer for p in res.problems}) > 1
    assert [p.question for p in load(tmp_path, rows).problems] == [p.question for p in res.problems]
    # targets that do not name exactly one right choice are no reference: the row is refused as before
    two = load(tmp_path, [{**TRUTHFULQA, "mc1_targets": {**TRUTHFULQA["mc1_targets"], "labels": [1, 1, 0, 0]}}])
    assert not two.problems and two.skipped[0].reason == "missing field"


PUBMEDQA = {"pubid": 21645374, "question": "Do mitochondria play a role in remodelling lace plant leaves during "
                                           "programmed cell death?",
            "context": {"contexts": ["Programmed cell death (PCD) is the regulated death of cells within an organism.",
                                     "The following paper elucidates the role of mitochondrial dynamics."],
                        "labels": ["BACKGROUND", "RESULTS"], "meshes": ["Alismataceae", "Apoptosis"]},
            "long_answer": "Results depicted mitochondrial dynamics in vivo as PCD progresses.",
            "final_decision": "yes"}


def test_pubmedqa_rows_ask_their_abstract_and_judge_against_their_final_decision(tmp_path):
    # PubMedQA keeps the abstract a question asks about in 'context' as {"contexts": [...], "labels": [...]} and its
    # answer in 'final_decision' (yes / no / maybe): the rows were refused as missing 'answer', and with
    # --answer-field final_decision the model was asked about "the lace plant" without the abstract
    p, = load(tmp_path, [PUBMEDQA], oracle="normalized").problems
    contexts = PUBMEDQA["context"]["contexts"]
    assert p.question == f"{contexts[0]}\n{contexts[1]}\n\n{PUBMEDQA['question']}"
    assert p.answer == "yes"
    judge = make_judge("normalized", 5.0)
    assert judge("Yes.", p).success and not judge("no", p).success


def test_big_bench_hard_rows_ask_their_input_and_judge_against_their_target(tmp_path):
    # BIG-Bench Hard's rows are {"input", "target"}: they were refused as missing 'question', then as missing 'answer'
    bbh, = load(tmp_path, [{"input": "not ( True ) and ( True ) is", "target": "False"}], oracle="exact").problems
    assert bbh.question == "not ( True ) and ( True ) is" and bbh.answer == "False"
    # GSM-Hard's rows are {"input", "code", "target"}: its 'code' is the solution's program, the question 'input'
    hard, = load(tmp_path, [{"input": "Janet has 3 ducks and buys 5000000 more. How many?",
                             "code": "def solution():\n    return 3 + 5000000", "target": 5000003.0}],
                 oracle="last_number").problems
    assert hard.question.startswith("Janet has 3 ducks") and hard.answer == "5000003"
    # CRUXEval's 'input' is a function's arguments, beside its 'code' and 'output' (no target): never the question
    crux = load(tmp_path, [{"code": "def f(x):\n    return x", "input": "3", "output": "3", "id": "sample_0"}],
                oracle="exact")
    assert not crux.problems and crux.skipped[0].reason == "missing field"


MMLU_REDUX = {"question": "Which of the following is a function of vitamin K?", "choices": ["Vision", "Coagulation",
                                                                                          "Bone growth", "Immunity"],
              "answer": 0, "error_type": "wrong_groundtruth", "source": "https://example.org/vitamin-k",
              "correct_answer": "1", "potential_reason": "Vitamin K is needed for blood clotting."}


def test_mmlu_redux_rows_judge_against_their_corrected_answer_and_rows_without_one_are_refused(tmp_path):
    # MMLU-Redux re-annotates MMLU: a row whose error_type is "wrong_groundtruth" keeps MMLU's wrong 'answer' and
    # the right one in 'correct_answer' (an index or a letter), and one of "no_correct_answer",
    # "multiple_correct_answers", "bad_question_clarity"... has none: every such row was judged against MMLU's
    rows = [MMLU_REDUX, {**MMLU_REDUX, "question": "Which one? (b)", "correct_answer": "B"},
            {**MMLU_REDUX, "question": "Which one? (ok)", "error_type": "ok", "correct_answer": None, "answer": 1},
            {**MMLU_REDUX, "question": "Which one? (none)", "error_type": "no_correct_answer", "correct_answer": None},
            {**MMLU_REDUX, "question": "Which one? (lost)", "correct_answer": None}]
    res = load(tmp_path, rows)
    for p in res.problems:
        assert_judged(p, "B", "ABCD")
    assert len(res.problems) == 3
    assert [s.row for s in res.skipped] == [4, 5] and {s.reason for s in res.skipped} == {"no answer to judge"}
    assert "error_type is 'no_correct_answer'" in res.skipped[0] and "MMLU-Redux" in res.skipped[0]
    assert "error_type is 'wrong_groundtruth'" in res.skipped[1] and "no 'correct_answer'" in res.skipped[1]
    # SciQ's 'correct_answer' (a choice's text, no error_type beside it) is read as before
    sciq = {"question": "What type of organism is commonly used in preparation of foods such as cheese?",
            "distractor3": "viruses", "distractor1": "protozoa", "distractor2": "gymnosperms",
            "correct_answer": "mesophilic organisms", "support": ""}
    assert load(tmp_path, [sciq]).problems[0].choices


HLE = {"id": "668825f80a642802bdfeadfa", "question": "Which condition of Arrhenius's sixth impossibility theorem do "
                                                     "critical-level views violate? Answer Choices:\nA. Egalitarian "
                                                     "Dominance\nB. General Non-Extreme Priority",
       "image": "", "image_preview": None, "answer": "B", "answer_type": "multipleChoice", "author_name": "Jane",
       "rationale": "...", "rationale_image": None, "raw_subject": "Philosophy",
       "category": "Humanities/Social Science"}


def test_a_row_whose_question_needs_its_picture_is_refused_naming_the_column(tmp_path):
    # Humanity's Last Exam, TheoremQA and OlympiadBench keep a figure the question asks about in a column of its
    # own ('image' as a data URL, 'Picture', 'image_1'): the text model was asked "what is the area of the shaded
    # region?" without the picture, and judged against its answer
    rows = [HLE, {**HLE, "id": "pic", "image": "data:image/png;base64,iVBORw0KGgo="},
            {"question": "Find the length of BC.", "final_answer": ["$5$"], "image_1": "<PIL.Image>", "image_2": None}]
    res = load(tmp_path, rows, oracle="boxed")
    theorem = {"Question": "What is the area of the triangle in the figure?", "Answer": "6", "Answer_type": "integer",
               "Picture": {"bytes": "iVBORw0KGgo=", "path": None}}
    res.skipped += load(tmp_path, [theorem], oracle="boxed").skipped
    assert [p.id for p in res.problems] == [HLE["id"]] and res.problems[0].answer == "B"
    assert [s.row for s in res.skipped] == [2, 3, 1] and {s.reason for s in res.skipped} == {"needs an image"}
    assert "'image'" in res.skipped[0] and "'image_1'" in res.skipped[1] and "'Picture'" in res.skipped[2]
    assert all("text model" in s and "drop the row" in s for s in res.skipped)
    # an empty picture, as the Hub's image feature holds it for a row without one, is none
    empty = {**theorem, "Question": "What is 2 + 4?", "Picture": {"bytes": None, "path": None}}
    assert load(tmp_path, [empty], oracle="boxed").problems
    # nor is a count or a flag in a column of that name
    assert len(load(tmp_path, [{**empty, "Picture": 0}, {**empty, "Question": "And 3 + 3?", "Picture": False}],
                    oracle="boxed").problems) == 2


def test_an_answer_field_naming_the_questions_column_is_refused_unless_it_is_a_chat_with_a_reply(tmp_path):
    # --answer-field naming the question's own column made every question its own reference answer
    res = load(tmp_path, [{"problem": "What is 2 + 2?", "answer": "4"}], "--question-field", "problem",
               "--answer-field", "problem", oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "wrong type"
    assert "'problem' is both the question and the reference answer" in res.skipped[0]
    assert "--answer-field" in res.skipped[0] and "'answer' has one" in res.skipped[0]
    # a chat's column is both: its user turn the question, its assistant reply the reference
    sft = {"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "\\boxed{5}"}]}
    chat, = load(tmp_path, [sft], "--answer-field", "messages", oracle="boxed").problems
    assert chat.question == "What is 2 + 3?" and chat.answer == "\\boxed{5}"


def test_an_olympiadbench_answer_of_several_parts_is_refused_without_the_advice_to_keep_one(tmp_path):
    # OlympiadBench's is_multiple_answer rows list every part of the one answer ("find all pairs": both): the
    # refusal advised keeping the first, a reference that fails every complete answer
    row = {"id": 1607, "question": "Find all pairs (m, n) of positive integers with m + n = 3.",
           "final_answer": ["$(1,2)$", "$(2,1)$"], "is_multiple_answer": True, "answer_type": "Tuple"}
    res = load(tmp_path, [row], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "wrong type"
    assert "is_multiple_answer" in res.skipped[0] and "all 2 of them" in res.skipped[0]
    assert "keep one" not in res.skipped[0] and "drop the row" in res.skipped[0]


OPENTHOUGHTS_MATH = {"problem": "Return your final response within \\boxed{}. What is 2 + 3?",
                     "deepseek_reasoning": "2 plus 3 is 5.", "deepseek_solution": "The sum is \\boxed{5}.",
                     "ground_truth_solution": "We add: $2 + 3 = \\boxed{5}$.", "domain": "math",
                     "source": "numina_math", "test_cases": None, "starter_code": None}


def test_openthoughts_metadata_rows_judge_math_against_the_ground_truth_solution_and_refuse_code(tmp_path):
    # OpenThoughts-114k's metadata rows keep the reference solution in 'ground_truth_solution' (its 'domain' says
    # math, code, puzzle...): the math rows were refused as missing 'answer', and its code rows, under an answer
    # oracle, as an empty one
    math_row, = load(tmp_path, [OPENTHOUGHTS_MATH], oracle="boxed").problems
    assert BOXED("so it is \\boxed{5}", math_row).success and not BOXED("\\boxed{6}", math_row).success
    unboxed = {**OPENTHOUGHTS_MATH, "ground_truth_solution": "First add 2 and 3 together.\nThat makes five."}
    res = load(tmp_path, [unboxed], oracle="boxed")
    assert not res.problems and "field 'ground_truth_solution'" in res.skipped[0]
    assert res.skipped[0].reason == "no answer to judge"
    code = {**OPENTHOUGHTS_MATH, "problem": "Read n and print n + 1.", "ground_truth_solution": None,
            "domain": "code", "test_cases": json.dumps({"inputs": ["1\n"], "outputs": ["2\n"]}), "starter_code": ""}
    res = load(tmp_path, [code], oracle="boxed")
    assert not res.problems and "domain is 'code'" in res.skipped[0] and "--oracle code" in res.skipped[0]
    program, = load(tmp_path, [code], oracle="code").problems
    assert program.tests and json.loads(program.tests)["cases"] == [["1\n", "2\n"]]


PLATINUM = {"question": "Janet has 3 apples and buys 2 more. How many does she have?",
            "answer": "She has 3 + 2 = <<3+2=6>>6 apples.\n#### 6", "cleaning_status": "revised",
            "platinum_prompt": "Solve the following math word problem.\n\nJanet has 3 apples...",
            "platinum_prompt_no_cot": "Solve the following math word problem.\n\nJanet has 3 apples...",
            "platinum_target": ["5"], "platinum_parsing_strategy": "math"}


def test_platinum_rows_judge_against_their_revised_target_and_rejected_rows_are_refused(tmp_path):
    # Platinum Benchmarks keep the original dataset's columns beside their re-annotation: 'platinum_target' the
    # revised reference, 'cleaning_status' "rejected" for a question found ambiguous or wrong (its target None):
    # every revised row was judged against GSM8K's wrong 'answer', every rejected one against its original answer
    rows = [PLATINUM, {**PLATINUM, "question": "Janet has 4 apples. How many?", "cleaning_status": "rejected",
                       "platinum_target": None},
            {**PLATINUM, "question": "Janet has 5 apples. How many?", "cleaning_status": "consensus",
             "answer": "#### 5", "platinum_target": ["5"]}]
    res = load(tmp_path, rows, oracle="last_number")
    assert [p.answer for p in res.problems] == ["5", "5"]
    skip, = res.skipped
    assert skip.row == 2 and skip.reason == "no answer to judge" and "cleaning_status is 'rejected'" in skip
    # GSM8K-Platinum's own release revises 'answer' in place and keeps 'cleaning_status': its rejected rows too
    gsm = load(tmp_path, [{"question": "q?", "answer": "#### 3", "cleaning_status": "rejected"}], oracle="last_number")
    assert not gsm.problems and "cleaning_status is 'rejected'" in gsm.skipped[0]


LIVEBENCH = {"question_id": "0a4e8ed1", "category": "math", "ground_truth": "E", "turns": [
    "What is $\\frac{1}{2} + \\frac{1}{3}$? $\\textbf{(A) }\\frac{1}{6}\\qquad\\textbf{(E) }\\frac{5}{6}$ If you "
    "cannot determine the correct multiple-choice answer, take your best guess."], "task": "math_comp",
    "subtask": "amc12", "livebench_release_date": "2024-06-24", "expressions": ""}


def test_livebench_rows_ask_their_one_turn_and_a_conversation_of_several_is_refused(tmp_path):
    # LiveBench keeps its question as 'turns', a list of the user's messages (one, for its math and reasoning
    # tasks): the rows were refused as missing 'question'
    p, = load(tmp_path, [LIVEBENCH], oracle="boxed").problems
    assert p.question == LIVEBENCH["turns"][0] and p.answer == "E"
    two = load(tmp_path, [{**LIVEBENCH, "turns": ["First part.", "Now the second."]}], oracle="boxed")
    assert not two.problems and two.skipped[0].reason == "wrong type"
    assert "'turns'" in two.skipped[0] and "2 user turns" in two.skipped[0] and "one question" in two.skipped[0]


def test_a_triviaqa_answer_is_its_value_not_a_dict_refused(tmp_path):
    # TriviaQA's 'answer' is {"aliases": [...], "value": ...}: the row was refused as a dict, with the advice to keep
    # one of its items
    row = {"question": "Which American-born Sinclair won the Nobel Prize for Literature in 1930?",
           "question_id": "tc_1", "answer": {"aliases": ["Sinclair Lewis", "Harry Sinclair Lewis"],
                                             "normalized_aliases": ["sinclair lewis"], "value": "Sinclair Lewis",
                                             "normalized_value": "sinclair lewis", "type": "WikipediaEntity"}}
    p, = load(tmp_path, [row], oracle="normalized").problems
    assert p.answer == "Sinclair Lewis"


RECLOR = {"context": "In rheumatoid arthritis, the body's immune system misfires by attacking healthy cells.",
          "question": "Which one of the following is most strongly supported by the information above?",
          "answers": ["Drugs that suppress the immune system cure arthritis.", "The immune system can harm the body.",
                      "Arthritis is always painless.", "Healthy cells never die."], "label": 1, "id_string": "train_0"}


def test_reclor_rows_list_their_answers_and_read_their_0_based_label(tmp_path):
    # ReClor keeps its four choices in 'answers' and the right one's 0-based index in 'label': the rows were refused
    # as missing 'answer', and with --answer-field label judged against "1" with no choices shown
    p, = load(tmp_path, [RECLOR]).problems
    assert p.question.startswith(RECLOR["context"] + "\n\n" + RECLOR["question"] + "\n\nA. Drugs that suppress")
    assert_judged(p, "B", "ABCD")
    named, = load(tmp_path, [RECLOR], "--answer-field", "label").problems
    assert_judged(named, "B", "ABCD")
    # SQuAD's 'answers' ({"text": [...], "answer_start": [...]}) are the accepted answers, never choices
    squad = {"question": "When did Beyonce start becoming popular?",
             "context": "Beyonce rose to fame in the late 1990s.",
             "answers": {"text": ["in the late 1990s"], "answer_start": [269]}}
    res = load(tmp_path, [squad], oracle="normalized")
    assert not res.problems and res.skipped[0].reason == "missing field"


def test_a_reference_answer_column_is_the_reference(tmp_path):
    # facebook/natural_reasoning and GeneralThought keep their reference in 'reference_answer': the rows were refused
    # as missing 'answer' (or, beside 'responses', judged against nothing the user named)
    row = {"question": "A ball is thrown up at 10 m/s. How high does it rise (g = 10 m/s^2)?",
           "reference_answer": "5", "responses": [{"response_model": "Llama-3.3-70B-Instruct",
                                                   "response": "It rises 5 m."}]}
    p, = load(tmp_path, [row], oracle="last_number").problems
    assert p.answer == "5"
    # a worked reference answer without a final answer in it is refused, as any solution's
    worked = {**row, "reference_answer": "The ball slows at 10 m/s each second.\nSo it rises for one second, "
                                         "covering half of ten metres, which is the height it reaches at the top."}
    res = load(tmp_path, [worked], oracle="boxed")
    assert not res.problems and "field 'reference_answer'" in res.skipped[0]


ASDIV = {"body": "Seven red apples and two green apples are in the basket.",
         "question": "How many apples are in the basket?", "solution_type": "Addition", "answer": "9 (apples)",
         "formula": "7+2=9"}


def test_an_asdiv_answer_is_its_number_without_the_unit_in_parentheses(tmp_path):
    # ASDiv writes its answers with their unit in parentheses, "9 (apples)" (lm-eval keeps what precedes " ("): no
    # rollout matched the whole text, whichever oracle judged it
    p, = load(tmp_path, [ASDIV], oracle="boxed").problems
    assert p.answer == "9" and p.question == f"{ASDIV['body']}\n\n{ASDIV['question']}"
    assert BOXED("\\boxed{9}", p).success and not BOXED("\\boxed{8}", p).success
    assert make_judge("last_number", 5.0)("There are 9 apples.", p).success
    ratio, = load(tmp_path, [{**ASDIV, "answer": "3.5 (square cm)"}], oracle="boxed").problems
    assert ratio.answer == "3.5"
    # parentheses that are the answer, or a unit-free note after something else, are kept as written
    kept = load(tmp_path, [{**ASDIV, "question": "Point?", "answer": "(1, 2)"},
                           {**ASDIV, "question": "Root?", "answer": "x = 3 (double root)"}], oracle="boxed").problems
    assert [k.answer for k in kept] == ["(1, 2)", "x = 3 (double root)"]


def test_an_mgsm_rows_null_answer_is_its_answer_number(tmp_path):
    # MGSM's test rows leave 'answer' (a worked solution, in its train rows) null and give 'answer_number': every
    # test row was refused as having an empty answer, without naming the column that has one
    row = {"question": "Janet's ducks lay 16 eggs per day. She eats 3 and bakes with 4. She sells the rest at $2 each. "
                       "How much does she make?", "answer": None, "answer_number": 18, "equation_solution": None}
    p, = load(tmp_path, [row], oracle="last_number").problems
    assert p.answer == "18"
    named = load(tmp_path, [row], "--answer-field", "answer", oracle="last_number")
    assert not named.problems and "'answer_number' has one" in named.skipped[0]


GLOBAL_MMLU = {"sample_id": "abstract_algebra/test/0", "subject": "abstract_algebra", "subject_category": "STEM",
               "question": "Find the degree for the given field extension Q(sqrt(2)) over Q.", "option_a": "0",
               "option_b": "4", "option_c": "2", "option_d": "6", "answer": "C", "required_knowledge": "[]",
               "time_sensitive": "No", "culture": "[]", "region": "[]", "country": "[]",
               "cultural_sensitivity_label": "CA", "is_annotated": False}


def test_choices_in_option_columns_are_listed(tmp_path):
    # Global-MMLU keeps its choices in 'option_a'..'option_d', MMLU-ProX in 'option_0'..'option_9': the model was
    # asked the question without them and judged against the letter "C"
    p, = load(tmp_path, [GLOBAL_MMLU]).problems
    assert p.question == f"{GLOBAL_MMLU['question']}\n\nA. 0\nB. 4\nC. 2\nD. 6"
    assert_judged(p, "C", "ABCD")
    prox = {"question_id": 70, "question": "Which one?", **{f"option_{i}": f"choice {i}" for i in range(10)},
            "answer": "I", "answer_index": 8, "category": "business"}
    q, = load(tmp_path, [prox]).problems
    assert q.choices == tuple(f"choice {i}" for i in range(10)) and q.question.endswith("\nJ. choice 9")
    assert_judged(q, "I", "ABCDEFGHIJ")


BELEBELE = {"link": "https://en.wikibooks.org/wiki/Accordion", "question_number": 1,
            "flores_passage": "Make sure your hand is as relaxed as possible while still hitting all the notes "
                              "correctly. Try not to make a lot of extraneous motion with your fingers.",
            "question": "According to the passage, what would not be considered an accurate tip for successfully "
                        "playing the accordion?",
            "mc_answer1": "For additional volume, increase the force with which you hit the keys",
            "mc_answer2": "Keep unnecessary movement to a minimum in order to preserve your stamina",
            "mc_answer3": "Be mindful of hitting the notes while maintaining a relaxed hand",
            "mc_answer4": "Increase the speed with which you operate the bellows to achieve extra volume",
            "correct_answer_num": "1", "dialect": "eng_Latn", "ds": "2023-05-03"}


def test_belebele_rows_ask_their_passage_and_choices_and_count_the_answer_from_1(tmp_path):
    # Belebele keeps its passage in 'flores_passage', its choices in 'mc_answer1'..'mc_answer4' and the right one's
    # number, from 1, in 'correct_answer_num': the rows were refused as missing 'answer', and with --answer-field
    # correct_answer_num the model was asked without the passage or the choices and judged against "1"
    p, = load(tmp_path, [BELEBELE]).problems
    assert p.question.startswith(BELEBELE["flores_passage"] + "\n\n" + BELEBELE["question"] + "\n\nA. For additional")
    assert_judged(p, "A", "ABCD")
    named, = load(tmp_path, [{**BELEBELE, "correct_answer_num": "4"}], "--answer-field", "correct_answer_num").problems
    assert_judged(named, "D", "ABCD")


def test_a_row_of_more_choices_than_letters_is_refused_naming_the_count(tmp_path):
    # the choices are named A-Z: the 27th and later were left out of the prompt without a word, and an answer
    # naming one of them was the reference "27", which names no letter (every rollout an oracle error)
    row = {"question": "Which label fits?", "choices": [f"label {i}" for i in range(30)], "answer": 27}
    res = load(tmp_path, [row])
    assert not res.problems and res.skipped[0].reason == "wrong type"
    assert "30 choices" in res.skipped[0] and "A-Z" in res.skipped[0]
    assert len(load(tmp_path, [{**row, "choices": row["choices"][:26], "answer": 25}]).problems) == 1


def test_lukaemons_mmlu_rows_ask_their_input_with_the_lettered_choices(tmp_path):
    # lukaemon/mmlu keeps BIG-Bench Hard's shape, {"input", "A".."D", "target"}: its rows were refused as missing
    # 'question'
    row = {"input": "Find the degree of Q(sqrt(2)) over Q.", "A": "0", "B": "4", "C": "2", "D": "6", "target": "C"}
    p, = load(tmp_path, [row]).problems
    assert p.question == "Find the degree of Q(sqrt(2)) over Q.\n\nA. 0\nB. 4\nC. 2\nD. 6"
    assert_judged(p, "C", "ABCD")


def test_quail_rows_list_their_answers_and_read_their_correct_answer_id(tmp_path):
    # QuAIL keeps its choices in 'answers', as ReClor does, and the right one's 0-based index in 'correct_answer_id':
    # the rows were refused as missing 'answer'
    row = {"id": "f001_0", "context": "Mara packed her bag and left before sunrise to catch the only bus.",
           "question": "Why did Mara leave early?", "question_type": "Causality",
           "answers": ["To catch the bus", "To see the sunrise", "To avoid her brother", "not enough information"],
           "correct_answer_id": 0}
    p, = load(tmp_path, [row]).problems
    assert p.question.startswith(row["context"] + "\n\n" + row["question"] + "\n\nA. To catch the bus")
    assert_judged(p, "A", "ABCD")
