"""Rows of public code and math datasets in their own shapes (columns, dtypes, JSON texts) loaded as ``ptsfast mine``
loads them: a right answer passes, a wrong one fails, and a row no oracle can judge is refused in one line saying
why and what to do."""

import json

import pytest

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.loading import load_problems
from ptsfast.problems.oracles import isolation_status, make_judge

sandboxed = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def load(tmp_path, rows: list[dict], *flags: str, oracle: str = "code"):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o", "--oracle", oracle,
                                      *flags])
    return load_problems(args.problems, field_map(args))


def answer(code: str) -> str:
    return f"```python\n{code}```"


NUMINA_15 = {"problem": "Find x if x + 1 = 3.", "solution": "Subtract 1: $x = 2$.", "answer": "2",
             "problem_type": "Algebra", "question_type": "math-word-problem", "problem_is_valid": "Yes",
             "solution_is_valid": "Yes", "source": "cn_k12", "synthetic": False}


def test_numinamath_rows_without_a_final_answer_are_refused_naming_why(tmp_path):
    # NuminaMath-1.5 (and sets built from it) mark a proof's answer "proof" and an answer not found "notfound"; as
    # references, \boxed{proof} passed and every right answer failed. Its question_type "proof" rows are refused
    # too, as NeMo RL's loader drops them, whatever their answer
    rows = [{**NUMINA_15, "problem": "Prove that 7 is prime.", "answer": "proof", "question_type": "proof"},
            {**NUMINA_15, "problem": "Find all n.", "answer": "notfound"},
            {**NUMINA_15, "problem": "Show that n = 5 is the only one.", "answer": "5", "question_type": "proof"},
            NUMINA_15]
    res = load(tmp_path, rows, oracle="boxed")
    assert [p.answer for p in res.problems] == ["2"] and len(res.skipped) == 3
    assert all("NuminaMath-1.5" in s and "drop the row" in s for s in res.skipped)
    assert "'proof'" in res.skipped[0] and "'notfound'" in res.skipped[1] and "question_type" in res.skipped[2]
    boxed = make_judge("boxed", 5.0)
    assert boxed(r"so $x = \boxed{2}$", res.problems[0]).success
    assert not boxed(r"\boxed{3}", res.problems[0]).success


PRIME_MATH = {"source": "synthetic_math", "task_type": "verifiable_math", "in_source_id": "vfm_1",
              "problem_id": "vfm_1",
              "prompt": "Return your final response as 'Final Answer: \\boxed{<answer>}'.\n\nWhat is 1/2 + 1/4?",
              "gold_standard_solution": "$\\frac{1}{2} + \\frac{1}{4} = \\boxed{\\frac{3}{4}}$",
              "verification_info": json.dumps({"ground_truth": "\\frac{3}{4}"}), "metadata": "{}"}


def test_primeintellect_math_rows_are_judged_against_verification_infos_ground_truth(tmp_path):
    # PrimeIntellect's math rows (SYNTHETIC-1's verifiable-math-problems, INTELLECT-2-only-math) keep the answer
    # their verifier checks in verification_info, a JSON text {"ground_truth": ...}; no column held it, so every row
    # was refused as missing 'answer', and no --answer-field could name it
    res = load(tmp_path, [PRIME_MATH, {"problem_id": "p2", "task_type": "verifiable_math", "prompt": "Solve 2x = 6.",
                                       "verification_info": json.dumps({"ground_truth": "3"})}], oracle="boxed")
    assert not res.skipped and [p.answer for p in res.problems] == ["\\frac{3}{4}", "3"]
    boxed = make_judge("boxed", 5.0)
    assert boxed(r"Final Answer: \boxed{\frac{3}{4}}", res.problems[0]).success
    assert boxed(r"Final Answer: \boxed{0.75}", res.problems[0]).success
    assert not boxed(r"Final Answer: \boxed{\frac{1}{2}}", res.problems[0]).success
    assert boxed(r"\boxed{3}", res.problems[1]).success and not boxed(r"\boxed{6}", res.problems[1]).success


OPEN_CODE_INSTRUCT = {
    "id": "4f1c0a", "input": "Write a function `second_largest(nums)` that returns the second largest distinct number "
                             "in the list, or None if there is none.",
    "output": "```python\ndef second_largest(nums):\n    s = sorted(set(nums))\n"
              "    return s[-2] if len(s) > 1 else None\n```",
    "domain": "algorithmic", "generation_algorithm": "self-instruct",
    "llm_judgement": json.dumps({"requirement_conformance": {"score": 5, "justification": "ok"}}),
    "unit_tests": json.dumps(["assert second_largest([3, 1, 4, 4]) == 3", "assert second_largest([7]) is None",
                              "assert second_largest([2, 2]) is None"]),
    "tests_execution_status": json.dumps(["pass", "pass", "pass"]), "average_test_score": "1"}


@sandboxed
def test_open_code_instruct_rows_run_their_unit_tests_asserts(tmp_path):
    # nvidia/OpenCodeInstruct: the task in 'input', its asserts in 'unit_tests' (a JSON text of a list); neither was
    # read, so every row was refused as missing 'question' and, that named, as having no tests
    prob, = load(tmp_path, [OPEN_CODE_INSTRUCT]).problems
    assert prob.question.startswith(OPEN_CODE_INSTRUCT["input"])
    judge = make_judge("code", 30.0)
    right = "def second_largest(nums):\n    s = sorted(set(nums))\n    return s[-2] if len(s) > 1 else None\n"
    assert judge(answer(right), prob) == (True, None)
    assert judge(answer("def second_largest(nums):\n    return sorted(nums)[-2] if len(nums) > 1 else None\n"),
                 prob) == (False, None)


@pytest.mark.parametrize("failed", [{"tests_execution_status": json.dumps(["pass", "fail", "pass"]),
                                     "average_test_score": "0.6666666666666666"},
                                    {"tests_execution_status": None, "average_test_score": 0.5}],
                         ids=["status", "score"])
def test_open_code_instruct_rows_whose_solution_fails_its_tests_are_refused_naming_why(failed, tmp_path):
    # OpenCodeInstruct keeps rows whose own solution fails some of its LLM-written asserts (average_test_score, the
    # fraction passed, under 1): the tests or the solution are wrong, and a right program can fail them
    ok = {**OPEN_CODE_INSTRUCT, "id": "ok", "average_test_score": 1.0}
    res = load(tmp_path, [{**OPEN_CODE_INSTRUCT, **failed}, ok])
    assert [p.id for p in res.problems] == ["ok"] and len(res.skipped) == 1
    assert "tests_execution_status" in res.skipped[0] and "average_test_score is 1" in res.skipped[0]


EURUS_SYSTEM = {"role": "system", "content": "When tackling complex reasoning tasks, you have access to ..."}


def test_math_rows_of_a_mixed_dataset_are_refused_by_the_code_oracle_naming_their_ability(tmp_path):
    # Eurus-2-RL-Data mixes math and code rows, telling them apart by 'ability'; under --oracle code a math row's
    # ground_truth ("x + 1") was read as a test script, which fails every program (a name it never defines), and
    # PrimeIntellect's verifiable_math rows were refused as tests without 'inputs'
    code = {"data_source": "taco", "ability": "code", "extra_info": {"index": 1},
            "prompt": [EURUS_SYSTEM, {"role": "user", "content": "Print the sum of two integers."}],
            "reward_model": {"style": "rule",
                             "ground_truth": json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})}}
    math = {**code, "data_source": "numina_olympiads", "ability": "math", "extra_info": {"index": 2},
            "prompt": [EURUS_SYSTEM, {"role": "user", "content": "Simplify (x^2 + x) / x."}],
            "reward_model": {"style": "rule", "ground_truth": "x + 1"}}
    res = load(tmp_path, [math, code, PRIME_MATH])
    assert len(res.problems) == 1 and len(res.skipped) == 2
    assert "ability is 'math'" in res.skipped[0] and "task_type is 'verifiable_math'" in res.skipped[1]
    assert all("--oracle boxed" in s for s in res.skipped)


def test_code_rows_of_a_mixed_dataset_are_refused_by_an_answer_oracle_naming_their_ability(tmp_path):
    # the other way round: under --oracle boxed a code row's ground truth, its tests' JSON text, was the reference
    # answer, which no rollout matches; PrimeIntellect's verifiable_code rows' verification_info alike
    code = {"data_source": "taco", "ability": "code", "extra_info": {"index": 1},
            "prompt": [EURUS_SYSTEM, {"role": "user", "content": "Print the sum of two integers."}],
            "reward_model": {"style": "rule",
                             "ground_truth": json.dumps({"inputs": ["1 2\n"], "outputs": ["3\n"]})}}
    math = {**code, "data_source": "numina_olympiads", "ability": "math", "extra_info": {"index": 2},
            "prompt": [EURUS_SYSTEM, {"role": "user", "content": "What is 2 + 2?"}],
            "reward_model": {"style": "rule", "ground_truth": "4"}}
    prime_code = {**PRIME_MATH, "task_type": "verifiable_code", "answer": "print(3)"}
    res = load(tmp_path, [code, math, prime_code], oracle="boxed")
    assert [p.answer for p in res.problems] == ["4"] and len(res.skipped) == 2
    assert "ability is 'code'" in res.skipped[0] and "task_type is 'verifiable_code'" in res.skipped[1]
    assert all("--oracle code" in s for s in res.skipped)
