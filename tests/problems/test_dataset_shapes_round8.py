"""Rows of public math, reading and multiple-choice datasets, and files as people save them, loaded as ``ptsfast
mine`` loads them: the model is asked the whole question, the reference is what the oracle compares, and a row or
file that cannot be read is refused saying why and what to do."""

import json

import pytest

from helpers.rows import load
from ptsfast.problems.loading import DataError
from ptsfast.problems.oracles import make_judge


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


AIME_2024 = {"ID": "2024-II-4", "Problem": "Let $x,y$ and $z$ be positive reals ... Find $m+n$.",
             "Solution": "... so $m+n = \\boxed{33}$", "Answer": 33}
SVAMP = {"ID": "chal-1", "Body": "Each pack of dvds costs 76 dollars. There is a discount of 25 dollars on each pack.",
         "Question": "How much do you have to pay to buy each pack?", "Equation": "( 76.0 - 25.0 )", "Answer": 51.0,
         "Type": "Subtraction", "question_concat": "Each pack ... How much do you have to pay to buy each pack?"}


def test_capitalized_columns_are_found_as_lower_case_ones_are(tmp_path):
    # AIME 2024 (Maxwell-Jia/AIME_2024), SVAMP, TheoremQA and GPQA name their columns 'Problem', 'Question',
    # 'Answer': every row was refused as missing 'question'; AIME's 'Answer' is taken over its 'Solution', and
    # SVAMP's question is asked after its 'Body', the problem it asks about
    aime, = load(tmp_path, [AIME_2024], oracle="boxed").problems
    assert aime.question == AIME_2024["Problem"] and aime.answer == "33"
    boxed = make_judge("boxed", 5.0)
    assert boxed("So \\boxed{33}.", aime).success and not boxed("\\boxed{32}", aime).success
    svamp, = load(tmp_path, [SVAMP], oracle="last_number").problems
    assert svamp.question == SVAMP["Body"] + "\n\n" + SVAMP["Question"]
    assert make_judge("last_number", 5.0)("76 - 25 = 51", svamp).success
    theorem, = load(tmp_path, [{"Question": "What is 2 + 2?", "Answer": 4, "Answer_type": "integer", "Picture": None}],
                    oracle="boxed").problems
    assert theorem.question == "What is 2 + 2?" and theorem.answer == "4"


GPQA = {"Pre-Revision Question": "Which is heavier?", "Question": "Which has the largest mass per atom?",
        "Correct Answer": "Lead", "Incorrect Answer 1": " Iron", "Incorrect Answer 2": "Carbon\n",
        "Incorrect Answer 3": "Helium", "Explanation": "Lead's atomic mass is 207.", "Record ID": "recA1",
        "High-level domain": "Chemistry", "Subdomain": "Chemistry (general)"}


def test_gpqa_rows_list_their_four_answers_in_an_order_of_their_own_and_the_reference_is_the_right_ones_letter(
        tmp_path):
    # GPQA keeps its right answer and three wrong ones in columns of their own: the model was shown no choices and
    # the reference was the text 'Lead', so the multiple-choice oracle failed every rollout as an oracle error
    rows = [{**GPQA, "Record ID": f"rec{i}", "Question": f"{GPQA['Question']} (case {i})"} for i in range(12)]
    res = load(tmp_path, rows, "--id-field", "Record ID")
    assert not res.skipped and len(res.problems) == 12
    mc = make_judge("multiple_choice", 5.0)
    for p in res.problems:
        assert sorted(p.choices) == ["Carbon", "Helium", "Iron", "Lead"]
        right = "ABCD"[p.choices.index("Lead")]
        assert p.answer == right and f"\n{right}. Lead" in p.question
        assert mc(f"The answer is ({right}).", p).success
        assert not any(mc(f"The answer is ({x}).", p).success for x in "ABCD" if x != right)
    assert len({p.answer for p in res.problems}) > 1  # the right answer is not always A
    again = load(tmp_path, rows, "--id-field", "Record ID").problems
    assert [p.question for p in again] == [p.question for p in res.problems]  # the same order on every load
    named, = load(tmp_path, rows[:1], "--answer-field", "Correct Answer").problems
    assert named.choices == res.problems[0].choices and mc(f"Answer: {res.problems[0].answer}", named).success


ROWS = [{"question": "What is 2 + 2?", "answer": "4"}, {"question": "What is 3 + 3?", "answer": "6"}]


@pytest.mark.parametrize("name, text", [("rows.jsonl", "".join(json.dumps(r) + "\r\n" for r in ROWS)),
                                        ("rows.json", json.dumps(ROWS)), ("rows.csv", "question,answer\r\na?,4\r\n")])
def test_a_utf16_file_is_refused_once_naming_its_encoding_and_the_fix(tmp_path, name, text):
    # Windows PowerShell's `>` writes UTF-16: each line of a JSONL file was skipped as malformed or "byte 0xff is not
    # UTF-8", with the advice to convert it from latin1
    with pytest.raises(DataError, match=r"UTF-16.*save it as UTF-8.*iconv -f utf-16 -t utf-8"):
        load(tmp_path, [], name=name, oracle="exact", raw=text.encode("utf-16"))
    assert len(load(tmp_path, [], name=name, oracle="exact", raw=b"\xef\xbb\xbf" + text.encode()).problems) >= 1


@pytest.mark.parametrize("name, text", [("one.json", json.dumps(ROWS[0], indent=2)),
                                        ("jq.jsonl", "".join(json.dumps(r, indent=2) + "\n" for r in ROWS)),
                                        ("jq.json", "".join(json.dumps(r, indent=4) + "\n" for r in ROWS))])
def test_objects_written_across_lines_are_read_as_their_rows(tmp_path, name, text):
    # a pretty-printed object (json.dump(..., indent=2), `jq .`'s output) opens with a line holding only "{": it was
    # read as JSON lines, every line of it a malformed row, and no problem was left
    res = load(tmp_path, [], name=name, oracle="exact", raw=text.encode())
    assert not res.skipped
    want = [(r["question"], r["answer"]) for r in ROWS][:text.count("{")]
    assert [(p.question, p.answer) for p in res.problems] == want


def test_a_whole_number_stored_as_a_float_is_that_number_as_written(tmp_path):
    # SVAMP's 'Answer' is a float column (51.0): the reference was "51.0", which the exact and normalized oracles
    # never match with a model's "51", and a float of 1e16 or more was "1e+20", which no oracle matches
    svamp, = load(tmp_path, [{**SVAMP, "Answer": 51.0}], oracle="exact").problems
    rows = [{"question": "How many?", "answer": 1e20}, {"question": "Half of 5?", "answer": 2.5},
            {"question": "Minus three?", "answer": -3.0}]
    res = load(tmp_path, rows, oracle="exact")
    assert [p.answer for p in [svamp, *res.problems]] == ["51", "100000000000000000000", "2.5", "-3"]
    exact, last = make_judge("exact", 5.0), make_judge("last_number", 5.0)
    assert exact("51", svamp).success and last("so 100000000000000000000", res.problems[0]).success


MATHQA = {"Problem": "a train covers 114 km in 3 hours . find its speed in km / hr .",
          "Rationale": "\"speed = 114 / 3 = 38\"", "options": "a ) 38 , b ) 27.675 , c ) 30 , d ) data inadequate , "
          "e ) none of these", "correct": "a", "annotated_formula": "divide(114, 3)", "category": "physics"}


def test_mathqa_choices_in_one_string_are_listed_as_its_five_choices(tmp_path):
    # MathQA keeps its five choices in one string: it was one choice "a ) 38 , b ) ...", listed as "A. a ) 38 , ...",
    # and the reference "a" was no choice's letter or text the oracle could match
    row, = load(tmp_path, [MATHQA], "--answer-field", "correct").problems
    assert row.choices == ("38", "27.675", "30", "data inadequate", "none of these") and row.answer == "A"
    assert "\n\nA. 38\nB. 27.675\nC. 30\nD. data inadequate\nE. none of these" in row.question
    mc = make_judge("multiple_choice", 5.0)
    assert mc("The speed is 38 km/hr. Answer: A", row).success and not mc("Answer: C", row).success
    # one choice, as a text no format splits or a list of one: every answer naming A would pass, so it is refused
    for options in ("a ) 38", ["38"], "38\n"):
        res = load(tmp_path, [{**MATHQA, "options": options, "correct": "a"}], "--answer-field", "correct")
        assert not res.problems and "holds one choice" in str(res.skipped), options


def test_final_answer_columns_are_found_before_a_whole_solution(tmp_path):
    # OpenMathReasoning's reference is 'expected_answer' beside a 'generated_solution', LogiQA's 'correct_option' (an
    # index): both were refused as missing 'answer' unless --answer-field named them
    omr = {"problem": "Find $x$ if $2x = 6$.", "generated_solution": "... so $x = \\boxed{3}$.",
           "expected_answer": "3", "problem_type": "has_answer_extracted", "problem_source": "aops_c4"}
    row, = load(tmp_path, [omr], oracle="boxed").problems
    assert row.question == omr["problem"] and row.answer == "3"
    logiqa, = load(tmp_path, [LOGIQA]).problems
    assert logiqa.answer == "B"
    olympiad = {"problem": "q", "final_answer": ["7"], "solution": "so \\boxed{5}"}
    both, = load(tmp_path, [olympiad], oracle="boxed").problems
    assert both.answer == "7"  # OlympiadBench's final answer (a list of one), not the solution's box
