"""Rows of public math, multiple-choice and chat datasets as they publish them, round 12, and the reasoning traces
other models write (Magistral's, Kimi's, Seed-OSS's, gpt-oss's harmony channels): loaded as ``ptsfast mine`` loads
them, the reference is the answer after a trace, and a rollout is judged on what it says after its thinking."""

import pytest

from helpers.rows import load
from ptsfast.problems.loading import Problem, opens_think
from ptsfast.problems.oracles import make_judge


BOXED = make_judge("boxed", 5.0)

TRACES = [("[THINK]", "[/THINK]"),  # Magistral's special tokens, as decoded with them
          ("\u25c1think\u25b7", "\u25c1/think\u25b7"),  # Kimi-VL-Thinking's and Kimi k1.5's
          ("<seed:think>", "</seed:think>"),  # Seed-OSS'
          ("<|channel|>analysis<|message|>", "<|end|><|start|>assistant<|channel|>final<|message|>"),  # gpt-oss'
          ("<thought>\n", "\n</thought>\n\n")]  # EXAONE Deep's


@pytest.mark.parametrize("opening, close", TRACES)
def test_a_rollouts_box_inside_another_models_trace_is_not_judged(opening, close):
    # only <think> and OpenThoughts' markers were known: a box tried in the thinking of these models' replies was
    # judged as the answer (\boxed{4} passed), and a reply cut off inside its thinking passed on a box tried there
    p = Problem("p", "What is 2 + 3?", "5")
    assert not BOXED(f"{opening}Is it \\boxed{{5}}? No, 4.{close}\\boxed{{4}}", p).success
    assert BOXED(f"{opening}Is it \\boxed{{4}}? No, 5.{close}\\boxed{{5}}", p).success
    assert not BOXED(f"{opening}Is it \\boxed{{5}}? Let me check 2 + 3 again", p).success


@pytest.mark.parametrize("opening, close", TRACES)
def test_a_solution_columns_trace_of_another_model_is_not_its_reference(tmp_path, opening, close):
    # a distilled reply's box tried while thinking was read as the reference, and one cut off inside its thinking
    # was a reference of its thinking's last box
    reply = f"{opening}Is it \\boxed{{4}}? No: 2 + 3 is 5.{close}The answer is 5."
    if close.endswith("<|message|>"):
        reply += "<|return|>"  # harmony's end of the final message
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": reply}]}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.answer == "5" and BOXED("\\boxed{5}", p).success and not BOXED("\\boxed{4}", p).success
    cut = {"messages": [row["messages"][0], {"role": "assistant", "content": f"{opening}Is it \\boxed{{4}}? 2 + 3"}]}
    res = load(tmp_path, [cut], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge" and "never closes" in res.skipped[0]


def test_a_generation_prompt_opening_seed_oss_trace_opens_the_trace():
    # Seed-OSS' template ends its generation prompt with <seed:think> where it thinks: taken for no open trace, a
    # rollout cut off inside its thinking was judged on the boxes it tried there
    assert opens_think("<seed:bos>assistant\n<seed:think>")
    assert opens_think("[INST]q[/INST][THINK]") and not opens_think("[THINK]x[/THINK]")
    assert not opens_think("<seed:bos>assistant\n<seed:think></seed:think>")


def test_a_generation_prompt_opening_exaone_deeps_thought_opens_the_trace():
    # EXAONE Deep's template opens its reasoning in the generation prompt, "[|assistant|]<thought>\n": taken for no
    # trace, a rollout cut off inside its thinking was judged on the boxes it tried there
    assert opens_think("[|user|]What is 2 + 3?[|endofturn|]\n[|assistant|]<thought>\n")
    assert not opens_think("[|assistant|]<thought>\nhm\n</thought>\n")



MC = make_judge("multiple_choice", 5.0)


def assert_judged(problem, right: str, letters: str):
    assert problem.answer == right or problem.choices[ord(right) - 65] == problem.answer
    assert MC(f"The answer is ({right}).", problem).success
    assert not any(MC(f"The answer is ({x}).", problem).success for x in letters if x != right)


COPA = {"premise": "My body cast a shadow over the grass.", "choice1": "The sun was rising.",
        "choice2": "The grass was cut.", "question": "cause", "idx": 0, "label": 0}


def test_copa_rows_ask_their_premises_cause_or_effect_between_their_two_choices(tmp_path):
    # super_glue's COPA (and XCOPA): the premise, 'question' "cause" or "effect", choice1 and choice2, the 0-based
    # label; refused as missing 'answer', and with --answer-field label the model was asked "cause" alone
    copa, = load(tmp_path, [COPA]).problems
    assert copa.question == ("My body cast a shadow over the grass. What was the cause of this?\n\n"
                             "A. The sun was rising.\nB. The grass was cut.")
    assert_judged(copa, "A", "AB")
    effect, = load(tmp_path, [{**COPA, "question": "effect", "label": 1}]).problems
    assert "What happened as a result?" in effect.question
    assert_judged(effect, "B", "AB")
    test_split = load(tmp_path, [{**COPA, "label": -1}])
    assert not test_split.problems and test_split.skipped[0].reason == "no answer to judge"


DREAM = {"id": 0, "dialogue_id": "5-510",
         "dialogue": ["M: I am considering dropping my dancing class. I am not making any progress.",
                      "W: If I were you, I stick with it. It's definitely worth time and effort."],
         "question": "What does the man suggest the woman do?",
         "choice": ["Consult her dancing teacher.", "Take a more interesting class.", "Continue her dancing class."],
         "answer": "Continue her dancing class."}


def test_dream_rows_show_their_dialogue_and_their_choices(tmp_path):
    # DREAM keeps the conversation in 'dialogue' (a list of turns), its three choices in 'choice' and the right one's
    # text in 'answer': the model was asked the question alone, with no dialogue and no choices, and judged against
    # the choice's text
    dream, = load(tmp_path, [DREAM]).problems
    assert dream.question.startswith("M: I am considering dropping my dancing class. I am not making any progress.\n"
                                     "W: If I were you")
    assert dream.question.endswith("What does the man suggest the woman do?\n\nA. Consult her dancing teacher.\n"
                                   "B. Take a more interesting class.\nC. Continue her dancing class.")
    assert_judged(dream, "C", "ABC")


SCIENCEQA = {"image": None, "question": "Which word would you find on a dictionary page with the guide words?",
             "choices": ["hunter", "hail"], "answer": 0, "hint": "Guide words: helpful - hurry",
             "task": "closed choice",
             "grade": "grade3", "subject": "language science", "lecture": "Guide words appear on each page...",
             "solution": "Put the words in alphabetical order. Since hunter is between the guide words, it is there."}
SCIQ = {"question": "What type of organism is commonly used in preparation of foods such as cheese and yogurt?",
        "distractor3": "viruses", "distractor1": "protozoa", "distractor2": "gymnosperms",
        "correct_answer": "mesophilic organisms",
        "support": "Mesophiles grow best in moderate temperature, typically between 25 and 40 C. They are used in "
                   "making cheese and yogurt."}


@pytest.mark.parametrize("row, column", [(SCIENCEQA, "hint"), (SCIQ, "support")])
def test_a_choice_rows_context_column_is_shown_before_its_question(tmp_path, row, column):
    # ScienceQA's 'hint' holds the question's context (its paper's prompt: "Context: ..."), and SciQ's 'support'
    # the paragraph its questions were written from (lm-eval's prompt shows it): the model was asked without them
    # ("which word ... with the guide words?" names no guide words)
    p, = load(tmp_path, [row]).problems
    assert p.question.startswith(row[column] + "\n\n" + row["question"])
    empty, = load(tmp_path, [{**row, column: ""}]).problems
    assert empty.question.startswith(row["question"])



@pytest.mark.parametrize("reference", ["\\(\\frac{1}{2}\\)", "\\( \\frac{1}{2} \\)", "\\[\\frac{1}{2}\\]"])
def test_a_reference_in_latex_math_delimiters_is_the_math_inside(tmp_path, reference):
    # OpenMathReasoning writes many expected_answers as inline math, \(\frac{1}{2}\): the delimiters were kept in the
    # reference, and no rollout's \boxed{\frac{1}{2}} equalled it
    row = {"problem": "Find the minimum of $x^2 - x + 3/4$.", "expected_answer": reference}
    p, = load(tmp_path, [row], oracle="boxed").problems
    assert p.answer.strip() == "\\frac{1}{2}"
    assert BOXED("\\boxed{\\frac{1}{2}}", p).success and not BOXED("\\boxed{1}", p).success
    kept, = load(tmp_path, [{**row, "expected_answer": "\\(a\\) and \\(b\\)"}], oracle="boxed").problems
    assert kept.answer == "\\(a\\) and \\(b\\)"  # two pieces of math, not one wrapped whole


OPEN_MATH_REASONING = {"expected_answer": "\\(\\frac{1}{2}\\)", "problem_type": "has_answer_extracted",
                       "problem_source": "aops_c6_high_school_olympiads", "generation_model": "DeepSeek-R1",
                       "pass_rate_72b_tir": "0.59375", "problem": "Find the minimum of $x^2 - x + 3/4$.",
                       "generated_solution": "<think>\nMaybe \\boxed{1}...\n</think>\nIt is \\boxed{\\frac{1}{2}}.",
                       "inference_mode": "cot", "used_in_kaggle": True}


@pytest.mark.parametrize("kind", ["no_answer_extracted", "converted_proof"])
def test_open_math_reasonings_majority_voted_answers_are_no_reference(tmp_path, kind):
    # OpenMathReasoning's expected_answer is the answer its source gave only where problem_type is
    # "has_answer_extracted"; elsewhere it is the majority vote of its own generated solutions (a proof converted to
    # a question, or a forum thread without an answer), right or wrong: every rollout was judged against it
    kept, = load(tmp_path, [OPEN_MATH_REASONING], oracle="boxed").problems
    assert kept.answer == "\\frac{1}{2}" and BOXED("\\boxed{\\frac{1}{2}}", kept).success
    res = load(tmp_path, [{**OPEN_MATH_REASONING, "problem_type": kind}], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge"
    assert f"problem_type is {kind!r}" in res.skipped[0] and "majority vote" in res.skipped[0]
    assert "has_answer_extracted" in res.skipped[0]
    numina = {"problem": "Find x if x + 1 = 2.", "answer": "1", "problem_type": "Algebra",
              "question_type": "math-word-problem"}
    assert load(tmp_path, [numina], oracle="boxed").problems[0].answer == "1"  # NuminaMath-1.5's problem_type


SUPER_GLUE_BOOLQ = {"question": "is the sky green", "passage": "The sky is blue on a clear day.", "idx": 0, "label": 0}


@pytest.mark.parametrize("flags", [(), ("--answer-field", "label")])
def test_super_glue_boolq_rows_label_is_their_true_or_false_answer(tmp_path, caplog, flags):
    # super_glue's BoolQ keeps google/boolq's answer as a class, 'label' 0 (False) or 1 (True): the rows were refused
    # as missing 'answer', and with --answer-field label the reference was "0", which no "false" answer equals
    normalized = make_judge("normalized", 5.0)
    with caplog.at_level("WARNING"):
        no, yes = load(tmp_path, [SUPER_GLUE_BOOLQ, {**SUPER_GLUE_BOOLQ, "question": "is the sky blue", "label": 1}],
                       *flags, oracle="normalized").problems
    assert (no.answer, yes.answer) == ("False", "True")
    assert normalized("false.", no).success and not normalized("true", no).success and normalized("True", yes).success
    assert "true/false values" in caplog.text  # as google/boolq's are told


@pytest.mark.parametrize("reply", ["<think>Is it \\boxed{4}? Let me check.</think>",
                                   "<think>Is it \\boxed{4}?</think>\n\n",
                                   "<|begin_of_thought|>Is it \\boxed{4}?<|end_of_thought|>\n<|begin_of_solution|>\n"
                                   "<|end_of_solution|>"])
def test_a_reasoning_reply_with_nothing_after_its_thinking_is_refused(tmp_path, reply):
    # a reply whose thinking closed and whose answer never came (cut off there): the whole reply was the reference,
    # and the box it tried while thinking was judged the answer
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": reply}]}
    res = load(tmp_path, [row], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge"
    assert "nothing after its thinking" in res.skipped[0] and "'messages'" in res.skipped[0]


AGIEVAL = {"query": "Q: Which one is prime? Answer Choices: (A)4 (B)6 (C)7 (D)8 (E)9\n"
                    "A: Among A through E, the answer is",
           "choices": ["(A)4", "(B)6", "(C)7", "(D)8", "(E)9"], "gold": [2]}


def test_agieval_rows_gold_index_names_their_right_choice(tmp_path):
    # hails/agieval-* (lm-eval's AGIEval): the query lists its lettered choices, and 'gold' is the 0-based index of
    # the right one, a list of one: the rows were refused as missing 'answer'
    p, = load(tmp_path, [AGIEVAL]).problems
    assert p.question == AGIEVAL["query"]  # its choices already listed in it, not listed twice
    assert_judged(p, "C", "ABCDE")
    bare, = load(tmp_path, [{**AGIEVAL, "gold": 3}]).problems
    assert_judged(bare, "D", "ABCDE")
    past = load(tmp_path, [{**AGIEVAL, "gold": [7]}])
    assert not past.problems and "'gold'" in past.skipped[0] and "5 choices" in past.skipped[0]
    several = load(tmp_path, [{**AGIEVAL, "gold": [0, 2]}])  # its multiple-answer rows: all of them is the answer
    assert not several.problems and "names 2 choices" in several.skipped[0]


def test_eleuther_logiqa_rows_lower_case_label_names_their_right_choice(tmp_path):
    # EleutherAI/logiqa (lm-eval's LogiQA): 'label' is the right option's letter in lower case, "c", beside 'options'
    # and no answer: the rows were refused as missing 'answer'
    row = {"label": "c", "context": "Some Cantonese don't like chili, so some southerners don't like chili.",
           "question": "Which of the following can guarantee the above argument?",
           "options": ["Some Cantonese love chili.", "Some who like peppers are southerners.",
                       "All Cantonese are southerners.", "Some Cantonese like neither peppers nor sweets."]}
    p, = load(tmp_path, [row]).problems
    assert p.question.startswith(row["context"]) and "C. All Cantonese are southerners." in p.question
    assert_judged(p, "C", "ABCD")



def test_bigbio_medqa_options_of_key_and_value_are_its_lettered_choices(tmp_path):
    # bigbio/med_qa's source rows list their options as [{"key": "A", "value": ...}]: refused as "must be a list of
    # strings ..., got list"
    row = {"meta_info": "step1", "question": "A 23-year-old pregnant woman has burning upon urination. Which drug?",
           "answer_idx": "B", "answer": "Nitrofurantoin",
           "options": [{"key": "A", "value": "Ampicillin"}, {"key": "B", "value": "Nitrofurantoin"},
                       {"key": "C", "value": "Ceftriaxone"}, {"key": "D", "value": "Doxycycline"}]}
    p, = load(tmp_path, [row]).problems
    assert p.choices == ("Ampicillin", "Nitrofurantoin", "Ceftriaxone", "Doxycycline")
    assert p.question.endswith("A. Ampicillin\nB. Nitrofurantoin\nC. Ceftriaxone\nD. Doxycycline")
    assert_judged(p, "B", "ABCD")


SWAG = {"video-id": "anetv_jkn6uvmqwh4", "fold-ind": "3416", "startphrase": "Members of the procession walk down the "
        "street holding small horn brass instruments. A drum line", "sent1": "Members of the procession walk down the "
        "street holding small horn brass instruments.", "sent2": "A drum line", "gold-source": "gold",
        "ending0": "passes by walking down the street playing their instruments.", "ending1": "has heard approaching "
        "them.", "ending2": "arrives and they're outside dancing and asleep.", "ending3": "turns the lead singer "
        "watches the performance.", "label": 0}


def test_swag_rows_ask_their_startphrase_with_their_four_endings(tmp_path):
    # SWAG (lm-eval's swag): the context in 'startphrase', the endings in 'ending0'..'ending3', the right one's 0-based
    # index in 'label': refused as missing 'question'
    p, = load(tmp_path, [SWAG]).problems
    assert p.question.startswith(SWAG["startphrase"] + "\n\nA. passes by walking down the street")
    assert p.choices[3] == SWAG["ending3"]
    assert_judged(p, "A", "ABCD")


HEAD_QA = {"name": "Cuaderno_2013_1_B", "year": "2013", "category": "biology", "qid": 1,
           "qtext": "Which of the following is a chaperone?", "ra": 3, "image": "",
           "answers": [{"aid": 1, "atext": "Actin."}, {"aid": 2, "atext": "Tubulin."}, {"aid": 3, "atext": "Hsp70."},
                       {"aid": 4, "atext": "Myosin."}]}


def test_head_qa_rows_ask_their_qtext_with_their_answers_and_read_ra(tmp_path):
    # HEAD-QA (lm-eval's headqa): the question in 'qtext', the choices in 'answers' as {aid, atext}, the right one's
    # aid in 'ra' (from 1): refused as missing 'question'
    p, = load(tmp_path, [HEAD_QA]).problems
    assert p.question == "Which of the following is a chaperone?\n\nA. Actin.\nB. Tubulin.\nC. Hsp70.\nD. Myosin."
    assert_judged(p, "C", "ABCD")
    wrong = load(tmp_path, [{**HEAD_QA, "ra": 9}])
    assert not wrong.problems and "'ra'" in wrong.skipped[0]


def test_a_harmony_reply_rendered_with_its_start_and_cut_off_in_its_analysis_is_refused(tmp_path):
    # gpt-oss' reply as its template renders it opens '<|start|>assistant' before its analysis channel: one cut off
    # there was taken for an answer, its analysis' last box the reference
    reply = "<|start|>assistant<|channel|>analysis<|message|>Is it \\boxed{4}? 2 + 3"
    row = {"messages": [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": reply}]}
    res = load(tmp_path, [row], oracle="boxed")
    assert not res.problems and res.skipped[0].reason == "no answer to judge" and "never closes" in res.skipped[0]
    done = {"messages": [row["messages"][0], {"role": "assistant", "content": reply + " is 5.<|end|><|start|>"
                                              "assistant<|channel|>final<|message|>The answer is 5.<|return|>"}]}
    assert load(tmp_path, [done], oracle="boxed").problems[0].answer == "5"


BIGBENCH_MC = {"idx": 0, "inputs": "Q: Which is a prime number?\n  choice: 4\n  choice: 7\n  choice: 9\nA:",
               "targets": ["7"], "multiple_choice_targets": ["4", "7", "9"], "multiple_choice_scores": [0, 1, 0]}


def test_bigbench_rows_ask_their_inputs_and_judge_against_their_targets(tmp_path):
    # tasksource/bigbench (lm-eval's bigbench): 'inputs', 'targets' (a list), and in its multiple-choice tasks
    # 'multiple_choice_targets' with 'multiple_choice_scores' marking the right one: refused as missing 'question'
    mc, = load(tmp_path, [BIGBENCH_MC]).problems
    assert mc.question.startswith(BIGBENCH_MC["inputs"]) and mc.question.endswith("A. 4\nB. 7\nC. 9")
    assert_judged(mc, "B", "ABC")
    free = {"idx": 1, "inputs": "Q: What is 12 + 30?\nA:", "targets": ["42"], "multiple_choice_targets": [],
            "multiple_choice_scores": []}
    p, = load(tmp_path, [free], oracle="boxed").problems
    assert p.question == free["inputs"] and p.answer == "42" and BOXED("\\boxed{42}", p).success


MULTIRC = {"paragraph": "While this process moved along, diplomacy continued its rounds. Direct pressure on the "
                        "Taliban had proved unsuccessful.", "question": "What did the high-level effort to persuade "
                        "Pakistan include?", "answer": "Children, Gerd, or Dorian Popa", "idx": {"paragraph": 0,
                        "question": 0, "answer": 0}, "label": 0}


def test_multirc_rows_candidate_answer_is_a_reference_only_where_its_label_says_it_is_right(tmp_path):
    # super_glue's MultiRC lists candidate answers, right and wrong, one a row: 'label' 0 marks a wrong one, which was
    # the reference every rollout was judged against (and the model was never shown the paragraph)
    res = load(tmp_path, [MULTIRC, {**MULTIRC, "answer": "Pressure on the Taliban", "label": 1}], oracle="normalized")
    right, = res.problems
    assert right.answer == "Pressure on the Taliban" and right.question.startswith(MULTIRC["paragraph"] + "\n\n")
    assert res.skipped[0].reason == "no answer to judge" and "'label' is 0" in res.skipped[0]
    assert "wrong" in res.skipped[0]
