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
