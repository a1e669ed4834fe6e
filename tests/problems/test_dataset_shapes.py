"""Rows of public code datasets in their own shapes (columns, dtypes, JSON texts), loaded as ``ptsfast mine --oracle
code`` loads them and judged against what each dataset's own judge says of a right and a wrong program."""

import json

import pytest

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.loading import load_problems
from ptsfast.problems.oracles import isolation_status, make_judge

sandboxed = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def load(tmp_path, rows: list[dict], *flags: str):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o", "--oracle", "code",
                                      *flags])
    return load_problems(args.problems, field_map(args))


def answer(code: str) -> str:
    return f"```python\n{code}```"


@pytest.fixture(scope="module")
def judge():
    return make_judge("code", 30.0)


MBPP = {"task_id": 2, "text": "Write a function to find the shared elements from the given two lists.",
        "code": "def similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(test_tup2))\r\n"
                "  return (res) ",
        "test_list": ["assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)",
                      "assert similar_elements((1, 2, 3, 4),(5, 4, 3, 7)) == (3, 4)"],
        "test_setup_code": "", "challenge_test_list": []}
MBPP_SANITIZED = {"source_file": "Benchmark Questions Verification V2.ipynb", "task_id": 2,
                  "prompt": "Write a function to find the shared elements from the given two lists.",
                  "code": "def similar_elements(a, b):\n  return tuple(set(a) & set(b))",
                  "test_imports": [],
                  "test_list": ["assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))"]}


@pytest.mark.parametrize("row", [MBPP, MBPP_SANITIZED], ids=["mbpp", "sanitized"])
def test_an_mbpp_question_shows_its_test_list_which_names_the_function(row, tmp_path):
    # MBPP's prompt is its text and "Your code should pass these tests" with test_list (EvalPlus shows its first
    # assert): the text alone names no function, so a right program could not pass but by guessing its name
    prob, = load(tmp_path, [row]).problems
    assert prob.question.startswith(row.get("text") or row["prompt"])
    assert all(t in prob.question for t in row["test_list"]) and "Your code should pass these tests" in prob.question
    given = {**row, "text": row.get("text", "") + "\n" + row["test_list"][0]} if "text" in row else None
    if given:  # a question that holds its asserts already is left as it is
        assert load(tmp_path, [given]).problems[0].question == given["text"]


@sandboxed
def test_deepcoder_primeintellect_rows_run_after_tacos_imports_as_its_judge_runs_them(tmp_path, judge):
    # DeepCoder's primeintellect rows: 'tests' a JSON text of verification_info's cases, given bare; its judge
    # (rllm's primeintellect_check_correctness) turns them into TACO's input_output and runs TACO's run_test, which
    # puts TACO's imports (sys, math, ...) before the program, as for its taco rows
    stdin = [{"type": "stdin_stdout", "input": "1 2\n", "output": "3\n"},
             {"type": "stdin_stdout", "input": "5 7\n", "output": "12\n"}]
    calls = [{"type": "function_call", "fn_name": "add", "input": [1, 2], "output": [3]},
             {"type": "function_call", "fn_name": "add", "input": [5, 7], "output": [12]}]
    rows = [{"problem": "Print the sum of a and b.", "tests": json.dumps(stdin), "metadata": "{}"},
            {"problem": "Write add(a, b).", "tests": json.dumps(calls), "metadata": "{}"}]
    prog, call = load(tmp_path, rows).problems
    assert TestProgram.from_text(prog.tests).format == "stdio" and TestProgram.from_text(call.tests).format == "call"
    assert judge(answer("a, b = map(int, sys.stdin.readline().split())\nprint(a + b)\n"), prog) == (True, None)
    assert judge(answer("a, b = map(int, input().split())\nprint(a * b)\n"), prog) == (False, None)
    assert judge(answer("def add(a, b):\n    return int(sqrt((a + b) ** 2))\n"), call) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), call) == (False, None)


@pytest.mark.parametrize("flags", [(), ("--tests-field", "hidden_unit_tests")])
def test_xcodeeval_cases_with_lists_of_accepted_outputs_are_refused_naming_why(flags, tmp_path):
    # xCodeEval's program_synthesis rows: hidden_unit_tests, a JSON text of {"input", "output": [accepted outputs]};
    # its judge (ExecEval) passes a program printing any one of them (yes/no in any case, numbers within 1e-12).
    # Read as one output, the alternatives joined as lines, a right program failed
    cases = [{"input": "4\n", "output": ["2 2", "1 3", "3 1"]}, {"input": "2\n", "output": ["1 1"]}]
    row = {"description": "Print two positive integers whose sum is n.", "input_from": "standard input",
           "output_to": "standard output", "time_limit": "1 second", "memory_limit": "256 megabytes",
           "input_spec": "One integer n.", "output_spec": "Two integers.", "notes": None, "sample_inputs": ["4"],
           "sample_outputs": ["2 2"], "tags": ["math"], "src_uid": "9ce37bc2d361f5bb8a0568fb479b8a38",
           "difficulty": 800, "hidden_unit_tests": json.dumps(cases)}
    res = load(tmp_path, [row], *flags)
    assert not res.problems and len(res.skipped) == 1
    assert "list of accepted outputs" in res.skipped[0] and "ExecEval" in res.skipped[0]


def test_rstar_coder_rows_with_cases_in_inputs_and_outputs_columns_are_refused_naming_them(tmp_path):
    # rStar-Coder's testcase configs keep a row's cases in columns of their own, 'inputs' and 'outputs' (JSON texts);
    # its judge is not published: such a row is refused, the message naming those columns and a way to judge them
    row = {"question_id": "q1", "question": "Print the sum of a and b.", "starter_code": "",
           "inputs": json.dumps(["1 2\n", "5 7\n"]), "outputs": json.dumps(["3\n", "12\n"]),
           "is_synthesized": json.dumps([False, True]), "test_case_type": json.dumps(["standard_io"] * 2),
           "func_name": "", "class_name": ""}
    res = load(tmp_path, [row])
    assert not res.problems and len(res.skipped) == 1
    assert "'inputs' and 'outputs'" in res.skipped[0] and "input_output" in res.skipped[0]
