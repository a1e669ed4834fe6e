"""Dataset rows as real datasets publish them, round 18: s1 traces decoded without special tokens, and more code and
math shapes (OpenCodeReasoning, open-r1/codeforces, TACO, MBPP, LiveCodeBench, CodeContests, OlympiadBench, GPQA)."""

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge

MATH = make_judge("math", 10.0)
QUESTION = "What is 2 + 2? Give a number."


@pytest.mark.parametrize("solution", ["think\nMaybe \\boxed{5}? No.\nanswer\nAnswer: 4",
                                      "think\nMaybe \\boxed{5}? No, 2 + 2 is 4.\nanswer\nSo $\\boxed{4}$."])
def test_an_s1_trace_decoded_without_special_tokens_is_read_after_its_thinking(tmp_path, solution):
    # s1's <|im_start|>think ... <|im_start|>answer saved with the special tokens skipped: the box tried while
    # thinking was the reference, 5 judged right and 4 wrong
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert MATH("So the answer is \\boxed{4}.", p).success
    assert not MATH("So the answer is \\boxed{5}.", p).success


def test_an_s1_trace_decoded_without_special_tokens_cut_in_its_thinking_is_refused(tmp_path):
    r = load(tmp_path, [{"problem": QUESTION, "solution": "think\nMaybe \\boxed{5}? No."}], oracle="math")
    assert not r.problems and "never closes" in r.skipped[0]


def test_the_words_think_and_answer_in_a_solutions_prose_are_prose(tmp_path):
    solution = "We think about it.\nanswer\nSo $\\boxed{4}$."
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert MATH("\\boxed{4}", p).success


def _lcb_row(private: str) -> dict:
    import json
    public = json.dumps([{"input": "1\n", "output": "2\n", "testtype": "stdin"}])
    return {"question_title": "t", "question_content": "Read n, print n + 1.", "platform": "atcoder",
            "question_id": "abc001_a", "starter_code": "", "difficulty": "easy", "public_test_cases": public,
            "private_test_cases": private, "metadata": "{}"}


def _private(stage: str) -> str:
    import base64
    import json
    import pickle
    import zlib
    text = json.dumps([{"input": "5\n", "output": "6\n", "testtype": "stdin"}])
    blob = {"pickle": zlib.compress(pickle.dumps(text)), "json": zlib.compress(text.encode()), "plain": text.encode()}
    return base64.b64encode(blob[stage]).decode()


@pytest.mark.parametrize("private, says", [
    (_private("pickle")[:-12], "ends before the compressed stream does: the row was cut short"),
    (_private("json"), "zlib-compressed JSON text, not pickled JSON text"),
    (_private("plain"), "base64 of JSON text, not LiveCodeBench's compressed tests"),
    ("@@@ garbled @@@", "mix input/output pairs ('public_test_cases') with what reads as test code (field "
                        "'private_test_cases': '@@@ garbled @@@')"),
], ids=["cut", "zlib-json", "base64-json", "garbled"])
def test_livecodebench_private_tests_stored_wrong_are_refused_saying_how(tmp_path, private, says):
    # a cut blob read as "not a pickled JSON text: pickle data was truncated", base64 of JSON as "does not decompress:
    # incorrect header check; is the row cut short?", a garbled cell as "the tests mix input/output pairs with test
    # code": none said which column or what to do
    r = load(tmp_path, [_lcb_row(private)], oracle="code")
    assert not r.problems and says in r.skipped[0]


def test_livecodebench_private_tests_as_its_judge_stores_them_still_load(tmp_path):
    p, = load(tmp_path, [_lcb_row(_private("pickle"))], oracle="code").problems
    from ptsfast.problems.code_tests import TestProgram
    assert len(TestProgram.from_text(p.tests).cases) == 2


@pytest.mark.parametrize("statement", ["Read n, print n + 1.", "-"])
def test_opencodereasoning_rows_say_they_carry_no_tests_where_no_question_column_is_found(tmp_path, statement):
    # refused as "missing field 'question'", its way out --question-field input, which only then told the real cause
    row = {"id": "a1", "input": statement, "output": "<think>n + 1</think>\n```python\nprint(int(input()) + 1)\n```",
           "source": "codeforces", "license": "cc-by-4.0", "dataset": "code_contests", "split": "train",
           "difficulty": "7", "solution": "print(int(input()) + 1)"}
    r = load(tmp_path, [row], oracle="code")
    assert not r.problems and "OpenCodeReasoning's" in r.skipped[0] and "'code_contests'" in r.skipped[0]


@pytest.mark.parametrize("solution", [
    "(1) So $a_n = 2n$, that is $\\boxed{a_n = 2n}$.\n(2) Summing, $S_n = \\boxed{n^2 + n}$.",
    "For part (I), $\\boxed{3}$. For part (II), the answer is $\\boxed{\\frac{1}{2}}$.",
])
def test_a_worked_solution_boxing_several_answers_is_refused(tmp_path, solution):
    # NuminaMath-CoT's cn_k12 rows box one answer a part: the reference was the last box alone, so the complete
    # answer failed and one giving only the last part passed
    r = load(tmp_path, [{"source": "cn_k12", "problem": "(1) Find a_n. (2) Find S_n.", "solution": solution}],
             oracle="math")
    assert not r.problems and "boxing 2 different answers" in r.skipped[0]


@pytest.mark.parametrize("solution", ["So $\\boxed{4}$. Check: $\\boxed{ 4 }$ indeed.",
                                      "We get \\boxed{4} and no other."])
def test_a_worked_solution_boxing_one_answer_still_loads(tmp_path, solution):
    p, = load(tmp_path, [{"problem": QUESTION, "solution": solution}], oracle="math").problems
    assert MATH("\\boxed{4}", p).success and not MATH("\\boxed{5}", p).success


def test_an_answer_column_boxing_several_values_is_not_a_worked_solution(tmp_path):
    # a short final answer is judged as it was: only worked solutions box one answer a part
    r = load(tmp_path, [{"problem": "Solve x^2 = 4.", "answer": "\\boxed{2}, \\boxed{-2}"}], oracle="math")
    assert len(r.problems) == 1


def _olympiad_row(error) -> dict:
    return {"id": 2231, "question": "A ball falls for 1 s from rest. How far, in m?", "solution": ["$h = g/2$"],
            "final_answer": ["$4.9$"], "context": None, "image_1": None, "modality": "Text-only",
            "difficulty": "Competition", "is_multiple_answer": False, "unit": "m", "answer_type": "Numerical",
            "error": error, "question_type": "Open-ended", "subfield": "Mechanics", "subject": "Physics",
            "language": "English"}


@pytest.mark.parametrize("error", ["1e-1", "0.05", "0.01,0.1", 0.1])
def test_an_olympiadbench_row_with_a_tolerance_is_refused_naming_it(tmp_path, error):
    # OlympiadBench's judge takes a numerical answer within the row's error: 4.91 for 4.9 at 1e-1 was judged wrong
    r = load(tmp_path, [_olympiad_row(error)], oracle="math")
    assert not r.problems and "tolerance OlympiadBench's judge allows" in r.skipped[0]


@pytest.mark.parametrize("error", [None, "", "0"])
def test_an_olympiadbench_row_without_a_tolerance_still_loads(tmp_path, error):
    p, = load(tmp_path, [_olympiad_row(error)], oracle="math").problems
    assert MATH("\\boxed{4.9}", p).success and not MATH("\\boxed{4.8}", p).success


def test_another_datasets_error_column_is_no_tolerance(tmp_path):
    r = load(tmp_path, [{"question": QUESTION, "answer": "4", "error": "0.5"}], oracle="math")
    assert len(r.problems) == 1


def test_a_theoremqa_float_answer_is_refused_naming_its_judges_tolerance(tmp_path):
    # TheoremQA's judge takes a float within 4% of its rounded reference: 3.1416 for 3.14 was judged wrong
    rows = [{"Question": "What is pi to two decimals?", "Answer": 3.14, "Answer_type": "float", "Picture": None,
             "id": "pi.json"},
            {"Question": "How many primes are below 10?", "Answer": 4, "Answer_type": "integer", "Picture": None,
             "id": "primes.json"}]
    r = load(tmp_path, rows, "--id-field", "id", oracle="math")
    assert [p.id for p in r.problems] == ["primes.json"] and "within 4%" in r.skipped[0]


def test_an_answer_type_float_without_theoremqas_columns_still_loads(tmp_path):
    r = load(tmp_path, [{"question": "What is 1/4 as a decimal?", "answer": "0.25", "answer_type": "float"}],
             oracle="math")
    assert len(r.problems) == 1


def _codeforces_row(checker) -> dict:
    return {"id": "1A", "contest_id": "1", "index": "A", "title": "Plus one", "description": "Read n, print n + 1.",
            "input_format": "One integer n.", "output_format": "One integer.", "interaction_format": None,
            "note": None, "examples": [{"input": "3\n", "output": "4\n"}], "official_tests_complete": True,
            "official_tests": [{"input": "3\n", "output": "4\n"}, {"input": "5\n", "output": "6\n"}],
            "input_mode": "stdio", "generated_checker": checker, "executable": True}


def test_a_checker_that_only_defines_functions_is_refused(tmp_path):
    # its judge runs the checker as a script: one defining check() and calling nothing printed no verdict, and the
    # right program failed with the wrong one
    checker = "def check(inp, expected, got):\n    return expected.split() == got.split()\n"
    r = load(tmp_path, [_codeforces_row(checker)], oracle="code")
    assert not r.problems and "calls nothing when run as a script" in r.skipped[0]


@pytest.mark.parametrize("checker", [
    "import sys\n\ndef main():\n    exp = open(sys.argv[2]).read().split()\n"
    "    got = open(sys.argv[3]).read().split()\n"
    "    print(1 if exp == got else 0)\n\nif __name__ == '__main__':\n    main()\n",
    "import sys\nexp, got = (open(p).read().split() for p in sys.argv[2:4])\nprint(int(exp == got))\n",
])
def test_a_checker_run_as_a_script_still_judges(tmp_path, checker):
    CODE = make_judge("code", 60.0)
    p, = load(tmp_path, [_codeforces_row(checker)], oracle="code").problems
    assert CODE("```python\nprint(int(input()) + 1)\n```", p).success
    assert not CODE("```python\nprint(4)\n```", p).success
