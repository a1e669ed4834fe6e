"""A program written across fenced blocks (a helper in one, the function the tests call in the next): judged on the
first block alone, a right answer failed; the blocks up to the one defining the entry point are the program, and the
early stop waits for that block."""

import pytest

from helpers.judging import judged
from ptsfast.pipeline.probes import OracleStops
from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, code_complete, extract_code

TESTS = "assert count_primes([2, 3, 4, 9, 11]) == 3\nassert count_primes([]) == 0\n"
HELPER = "```python\ndef is_prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n```\n"
FUNCTION = "```python\ndef count_primes(xs):\n    return sum(is_prime(x) for x in xs)\n```\n"
SPLIT = f"First a helper:\n{HELPER}\nThen the function:\n{FUNCTION}\nFor example:\n```python\n" \
        "print(count_primes([2, 3]))\n```\nThis prints 2."


def test_a_helper_and_the_function_in_two_blocks_are_one_program():
    assert extract_code(SPLIT, "count_primes") == \
        "def is_prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n" \
        "def count_primes(xs):\n    return sum(is_prime(x) for x in xs)\n"
    assert judged(SPLIT, TESTS, "count_primes")  # failed: 'count_primes' is not defined
    assert extract_code(SPLIT) == extract_code(HELPER)  # no entry point: the first block, as before


def test_a_wrong_function_after_the_helper_still_fails():
    wrong = SPLIT.replace("sum(is_prime(x) for x in xs)", "len(xs)")
    assert not judged(wrong, TESTS, "count_primes")
    assert not judged(f"{HELPER}\nThat is all.", TESTS, "count_primes")  # no block defines it: the first alone


@pytest.mark.parametrize("later", [
    "```python\ndef count_primes(xs):\n    return len(xs)\n```\n",  # a second version after a right one
    "```python\nprint(count_primes([2, 3]))\n```\n",
])
def test_a_first_block_that_defines_the_entry_point_is_the_program(later):
    first = "```python\ndef is_prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n\n\n" \
            "def count_primes(xs):\n    return sum(is_prime(x) for x in xs)\n```\n"
    text = f"{first}\nOr:\n{later}"
    assert extract_code(text, "count_primes") == extract_code(first)
    assert judged(text, TESTS, "count_primes")


def _first_stop(text: str, check) -> int | None:
    return next((k for k in range(1, len(text) + 1) if check(text[:k])), None)


def test_the_early_stop_waits_for_the_block_defining_the_entry_point():
    problem = Problem("p", "q", None, TESTS, meta={"entry_point": "count_primes"})
    for check in (lambda t: answer_complete("code", t, problem=problem), OracleStops.of("code").complete(problem),
                  lambda t: code_complete(t, "count_primes")):
        k = _first_stop(SPLIT, check)
        assert k is not None and SPLIT[:k].endswith(FUNCTION), SPLIT[:k]  # stopped at the helper's block before
        assert extract_code(SPLIT[:k], "count_primes") == extract_code(SPLIT, "count_primes")
    assert _first_stop(SPLIT, lambda t: answer_complete("code", t)) == SPLIT.index(HELPER) + len(HELPER)
    lone = f"{HELPER}\nThat is all."  # the judge reads the first block at the end: the stop never cut it short
    assert _first_stop(lone, OracleStops.of("code").complete(problem)) is None


def test_a_function_body_block_is_not_joined():
    """HumanEval's base-model answers: the block is the function's body (no program alone); left as it was."""
    body = "```python\n    return sum(1 for x in xs if x > 1)\n```\n"
    text = f"{body}\nAs a whole:\n```python\ndef count_primes(xs):\n    return 0\n```\n"
    assert extract_code(text, "count_primes") == extract_code(text)
