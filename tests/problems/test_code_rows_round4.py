"""Code rows as real datasets hold them, round 4: what the model is shown names what the tests call, and the tests
are read as the dataset's own judge reads them."""

import json

import pytest

from helpers.rows import load
from ptsfast.problems.oracles import make_judge


CODE = make_judge("code", 60.0)

DEEPCODER_PRIMEINTELLECT = {
    "problem": "Given a list of integers, return how many pairs of them sum to zero.", "starter_code": "",
    "tests": json.dumps([{"type": "function_call", "fn_name": "zero_pairs", "input": [[1, -1, 2]], "output": [1]},
                         {"type": "function_call", "fn_name": "zero_pairs", "input": [[1, 2]], "output": [0]}]),
    "metadata": "{}"}
DEEPCODER_TACO = {"problem": "Return the number n doubled.", "starter_code": "",
                  "tests": json.dumps({"fn_name": "double", "inputs": [[3], [5]], "outputs": [[6], [10]]}),
                  "metadata": "{}"}


@pytest.mark.parametrize("row, name", [(DEEPCODER_PRIMEINTELLECT, "zero_pairs"), (DEEPCODER_TACO, "double")])
def test_a_call_rows_function_name_is_shown_where_its_question_does_not_name_it(tmp_path, row, name):
    # DeepCoder's PrimeIntellect and TACO rows keep the function's name in their tests only (NeMo RL's prompt adds
    # "You will use the function name ..."): the model was never told it, so a right program under another name
    # failed and the name a rollout guessed was what made it pass
    p, = load(tmp_path, [row], oracle="code").problems
    assert p.question.startswith(row["problem"]) and f"`{name}`" in p.question
    right = "def zero_pairs(xs):\n    return sum(1 for i, a in enumerate(xs) for b in xs[i + 1:] if a + b == 0)\n" \
        if name == "zero_pairs" else "def double(n):\n    return 2 * n\n"
    assert CODE(f"```python\n{right}```", p).success
    assert not CODE(f"```python\n{right.replace(name, 'solve')}```", p).success
    named = {**row, "problem": f"{row['problem']} Write a function {name}(...)."}  # the question names it already
    assert load(tmp_path, [named], oracle="code").problems[0].question == named["problem"]


MBPP_CSV = ("task_id,text,code,test_list,test_setup_code,challenge_test_list\n"  # Dataset.to_csv's print of MBPP
            "1,Write f that adds one.,def f(x): return x+1,['assert f(1) == 2' 'assert f(2) == 3'],,[]\n")
CODE_CONTESTS_CSV = ("name,description,public_tests,private_tests\n"
                     "sum,Print the sum of the two numbers on the line.,\"{'input': array(['1 2\\n'], dtype=object), "
                     "'output': array(['3\\n'], dtype=object)}\",\"{'input': array(['5 5\\n', '7 1\\n'], "
                     "dtype=object), 'output': array(['10\\n', '8\\n'], dtype=object)}\"\n")


def test_tests_a_csv_export_prints_as_numpy_arrays_are_read_as_lists(tmp_path):
    # Dataset.to_csv writes a list cell as numpy prints it, items apart by spaces: MBPP's test_list was one text,
    # 'assert f(1) == 2assert f(2) == 3', refused as no Python; CodeContests' tests structs print their lists as
    # array([...], dtype=object), which ran as a script that failed every program on the name 'array'
    mbpp, = load(tmp_path, [], name="mbpp.csv", raw=MBPP_CSV.encode(), oracle="code").problems
    assert "assert f(1) == 2\nassert f(2) == 3" in mbpp.question
    assert CODE("```python\ndef f(x):\n    return x + 1\n```", mbpp).success
    assert not CODE("```python\ndef f(x):\n    return 2\n```", mbpp).success
    contests, = load(tmp_path, [], name="cc.csv", raw=CODE_CONTESTS_CSV.encode(), oracle="code").problems
    assert json.loads(contests.tests)["format"] == "stdio" and len(json.loads(contests.tests)["cases"]) == 3
    assert CODE("```python\nprint(sum(map(int, input().split())))\n```", contests).success
    assert not CODE("```python\na, b = map(int, input().split())\nprint(a + b if a != 7 else 0)\n```", contests).success


EVALPLUS_CSV = ('task_id,prompt,canonical_solution,entry_point,base_input,plus_input,atol\n'  # Dataset.to_csv's
                'HumanEvalPlusRaw/1,"def add(a, b):\n    """"""The sum of a and b.""""""\n","    return a + b\n",add,'
                '"[array([1, 2]) array([3, 4])]","[array([-5,  5]) array([10, 20])]",0\n')


def test_argument_lists_a_csv_export_prints_as_numpy_arrays_are_read_as_lists(tmp_path):
    # a list of lists printed by Dataset.to_csv is numpy's print of arrays, apart by spaces: raw EvalPlus' inputs
    # were refused as "not a list of argument lists"
    p, = load(tmp_path, [], name="evalplus.csv", raw=EVALPLUS_CSV.encode(), oracle="code").problems
    assert [args for args, _ in json.loads(p.tests)["cases"]] == [[1, 2], [3, 4], [-5, 5], [10, 20]]
    assert CODE("```python\ndef add(a, b):\n    return a + b\n```", p).success
    assert not CODE("```python\ndef add(a, b):\n    return 3\n```", p).success


def test_a_call_rows_function_name_that_is_a_word_of_its_question_is_still_shown(tmp_path):
    # a Codewars kata's function is often solve(), and its statement says "solve ...": the word was taken for the
    # function's name, which the model was never shown
    row = {"problem": "Can you solve this? Return the sum of the list.", "starter_code": "",
           "tests": json.dumps({"fn_name": "solve", "inputs": [[[1, 2]], [[5]]], "outputs": [[3], [5]]})}
    p, = load(tmp_path, [row], oracle="code").problems
    assert "`solve`" in p.question and CODE("```python\ndef solve(xs):\n    return sum(xs)\n```", p).success
    for shown in ("Write solve(xs).", "Write `solve`.", "Write a function named solve."):
        assert load(tmp_path, [{**row, "problem": shown}], oracle="code").problems[0].question == shown
