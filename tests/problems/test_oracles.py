"""Oracles: answer extraction, safe judging, strict verdicts, early-stop consistency (the sandbox: test_sandbox.py)."""

import sys
import time
from fractions import Fraction

import pytest

from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import (answer_complete, as_verdict, extract_boxed, extract_choice, extract_code,
                                     find_numbers, judge, make_judge, oracle_by_name, parse_number, register_oracle,
                                     stop_strings)


def P(answer=None, tests=None, choices=None):
    return Problem("p1", "q?", answer, tests, choices)


@pytest.mark.parametrize("text,value", [
    ("$1,000.00", 1000), ("-3", -3), ("+7", 7), ("3/4", Fraction(3, 4)), ("0.75", Fraction(3, 4)),
    (".5", Fraction(1, 2)), ("12,345", 12345), ("42.", 42), ("50%", 50), ("\\frac{3}{4}", Fraction(3, 4)),
    ("\\dfrac{-1}{2}", Fraction(-1, 2)), ("1/0", None), ("abc", None), ("", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_find_numbers_in_prose():
    assert find_numbers("He paid $1,000.00 for 3 items, i.e. 333.33 each; x2 and 3/4 left, -5 later.") == [
        1000, 3, Fraction(33333, 100), Fraction(3, 4), -5]


@pytest.mark.parametrize("text,ref,ok", [
    ("So 5 + 3 = 8.\n#### 8", "8", True),
    ("#### $1,000.00\n", "1000", True),
    ("#### 8\nActually #### 9", "8", True),          # the first #### line counts (early-stop safe)
    ("the answer is 8", "8", False),                   # no ####
    ("#### eight", "8", False),
    ("#### 7", "Tom has 3+4 apples.\n#### 7", True),   # GSM8K-style reference solution
])
def test_gsm8k(text, ref, ok):
    assert oracle_by_name("gsm8k")(text, P(ref)) is ok


@pytest.mark.parametrize("text,ref,ok", [
    ("thus \\boxed{\\frac{1}{2}}", "0.5", True),
    ("\\boxed{\\dfrac{\\sqrt{2}}{2}} done", "\\frac{\\sqrt{2}}{2}", True),   # nested braces
    ("\\boxed{x^{2}+1}", "\\boxed{x^{2} + 1}", True),
    ("\\boxed{3} then \\boxed{4}", "4", False),
    ("\\boxed{3", "3", False),                                                 # never closed
    ("\\boxed{ 1,000 }", "1000", True),
])
def test_boxed(text, ref, ok):
    assert oracle_by_name("boxed")(text, P(ref)) is ok


SPELLINGS = [  # (the rollout's box, the reference): one answer each, as MATH's grader normalises it
    ("\\frac12", "\\frac{1}{2}"), ("\\frac{1}2", "0.5"), ("-\\frac{1}{2}", "-0.5"), ("\\frac{-1}{2}", "-\\frac12"),
    ("\\sqrt2", "\\sqrt{2}"), ("\\frac{\\sqrt3}{2}", "\\frac{\\sqrt{3}}{2}"), ("90^\\circ", "90"),
    ("90^{\\circ}", "90"), ("\\$5", "5"), ("x = 5", "5"), ("5\\text{ cm}", "5"), ("\\tfrac{3}{4}", "0.75"),
]
DIFFERENT = [("\\frac13", "\\frac{1}{2}"), ("\\sqrt3", "\\sqrt{2}"), ("-\\frac12", "0.5"), ("x = 6", "5"),
             ("\\frac{12}{3}", "\\frac{1}{23}"), ("5\\text{ cm}", "6")]


@pytest.mark.parametrize("got,ref", SPELLINGS)
def test_boxed_answers_spelled_as_latex_allows_are_one_answer(got, ref):
    """``\\frac12`` for ``\\frac{1}{2}``, ``x = 5`` for ``5``: a right answer failed (every rollout so spelled)."""
    assert oracle_by_name("boxed")(f"so \\boxed{{{got}}}.", P(ref))
    assert oracle_by_name("boxed")(f"so \\boxed{{{ref}}}.", P(got))


@pytest.mark.parametrize("got,ref", DIFFERENT)
def test_boxed_answers_that_differ_still_fail(got, ref):
    assert not oracle_by_name("boxed")(f"so \\boxed{{{got}}}.", P(ref))


def test_a_reference_solution_is_read_at_its_last_box():
    """A worked reference solution may box a step before its answer; MATH's grader reads the last box."""
    ref = "First \\boxed{2} is the number of pairs, so the answer is \\boxed{4}."
    assert oracle_by_name("boxed")("\\boxed{4}", P(ref))
    assert not oracle_by_name("boxed")("\\boxed{2}", P(ref))
    assert extract_boxed(ref) == "2" and extract_boxed(ref, last=True) == "4"


def test_extract_boxed_nested():
    assert extract_boxed(r"a \boxed{\frac{a}{b^{2}}} b") == r"\frac{a}{b^{2}}"
    assert extract_boxed(r"\boxed{a") is None


@pytest.mark.parametrize("text,ref,ok", [
    ("3 + 5 = 8. The answer is 8.", "8", True),
    ("It costs $1,000.00.", "1000", True),
    ("That makes 3/4 of the cake", "0.75", True),
    ("8 apples, or maybe 9", "8", False),
    ("no numbers here", "8", False),
    ("The temperature is -4 degrees", "-4", True),
])
def test_last_number(text, ref, ok):
    assert oracle_by_name("last_number")(text, P(ref)) is ok


def test_exact_and_normalized():
    assert oracle_by_name("exact")("  Paris\n", P("Paris"))
    assert not oracle_by_name("exact")("paris", P("Paris"))
    assert oracle_by_name("normalized")(" PARIS. ", P("Paris"))
    assert oracle_by_name("normalised")("New   York!", P("new york"))
    assert not oracle_by_name("normalized")("Paris, France", P("Paris"))


@pytest.mark.parametrize("text,letter", [
    ("Answer: B", "B"), ("The answer is (C).", "C"), ("I pick **D** because", "D"), ("(A) is right", "A"),
    ("E.\nBecause...", "E"), ("answer:c", "C"), ("Answer: B. Note (C) is wrong", "B"), ("Banana", None),
    ("A lot of thinking", None),
])
def test_extract_choice(text, letter):
    assert extract_choice(text) == letter


def test_multiple_choice_by_letter_and_by_choice_text():
    mc = oracle_by_name("mc")
    assert mc("Answer: (B)", P("B"))
    assert not mc("Answer: A", P("B"))
    assert mc("**C**", P("blue", choices=("red", "green", "blue")))
    assert judge(mc, "Answer: A", P("purple", choices=("red",))).error.startswith("oracle raised ValueError")


def test_extract_code():
    assert extract_code("Here:\n```python\ndef f():\n    return 1\n```\nThen ```python\nx=2\n```") == \
        "def f():\n    return 1\n"
    assert extract_code("```\nprint(1)\n```") == "print(1)\n"
    assert extract_code("def f(): return 1") == "def f(): return 1"


def test_code_oracle_pass_fail_and_missing_tests():
    code = make_judge("code", timeout=30)
    tests = "assert add(2, 3) == 5\nassert add(-1, 1) == 0"
    good = "Sure!\n```python\ndef add(a, b):\n    return a + b\n```"
    bad = "```python\ndef add(a, b):\n    return a - b\n```"
    assert code(good, P(tests=tests)) == (True, None)
    assert code(bad, P(tests=tests)) == (False, None)
    v = code(good, P(tests=None))
    assert not v.success and "needs tests" in v.error


def test_judge_turns_exceptions_and_hangs_into_failures():
    def boom(text, problem):
        raise KeyError("nope")

    def hang(text, problem):
        time.sleep(30)
        return True

    assert judge(boom, "x", P("1")) == (False, "oracle raised KeyError: 'nope'")
    t0 = time.monotonic()
    v = judge(hang, "x", P("1"), timeout=0.2)
    assert v.success is False and "timed out" in v.error and time.monotonic() - t0 < 2
    assert judge(lambda t, p: 1, "x", P("1"), timeout=None) == (True, None)


class _Stop(BaseException):
    pass


def test_an_oracle_raising_ctrl_c_stops_the_caller_and_sys_exit_is_its_error():
    # both killed the judge's thread: the rollout was counted as an oracle that hung for the whole timeout
    def interrupted(text, problem):
        raise KeyboardInterrupt

    def exits(text, problem):
        sys.exit(2)  # an argparse-based checker given bad arguments

    def stops(text, problem):
        raise _Stop("a BaseException of the oracle's own")

    for timeout in (None, 30.0):
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            judge(interrupted, "x", P("1"), timeout=timeout)
        assert judge(exits, "x", P("1"), timeout=timeout) == (False, "oracle raised SystemExit: 2")
        assert judge(stops, "x", P("1"), timeout=timeout).error.startswith("oracle raised _Stop: a BaseException")
        assert time.monotonic() - t0 < 5


@pytest.mark.parametrize("value", ["no", "yes", "False", None, 0.5, 1.0, 2, -1, [True], (), object()])
def test_a_non_bool_verdict_is_an_error_never_a_success(value, caplog):
    def sloppy_oracle(text, problem):
        return value

    sloppy_oracle.__qualname__ = f"sloppy_oracle_{type(value).__name__}_{value!r:.10}"  # warnings are per oracle
    for timeout in (None, 5.0):
        v = judge(sloppy_oracle, "x", P("1"), timeout=timeout)
        assert v.success is False and "sloppy_oracle" in v.error and "not a bool" in v.error
    assert "sloppy_oracle" in caplog.text and "not a bool" in caplog.text


def test_bools_and_zero_one_ints_are_verdicts():
    np = pytest.importorskip("numpy")
    for value, expected in [(True, True), (False, False), (1, True), (0, False), (np.bool_(True), True),
                            (np.int64(0), False), (np.int8(1), True)]:
        assert as_verdict(value) is expected
        assert judge(lambda t, p: value, "x", P("1")) == (expected, None)
    assert as_verdict(np.float64(1.0)) is None and as_verdict("1") is None


def test_registry_user_callable_and_errors():
    fn = lambda t, p: t == "yes"  # noqa: E731
    assert oracle_by_name(fn) is fn
    register_oracle("yes_only", fn, stop_strings=("\n",))
    assert oracle_by_name("yes_only")("yes", P()) and stop_strings("yes_only") == ("\n",)
    with pytest.raises(ValueError, match="unknown oracle 'nope'.*callable"):
        oracle_by_name("nope")
    assert stop_strings("gsm8k") and stop_strings(fn) == ()


@pytest.mark.parametrize("name,text,complete", [
    ("gsm8k", "so 8.\n#### 8", False),       # the number may still grow ("#### 80")
    ("gsm8k", "so 8.\n#### 8\n", True),
    ("gsm8k", "####\n", False),
    ("boxed", "\\boxed{\\frac{1}{2}", False),
    ("boxed", "\\boxed{\\frac{1}{2}}", False),  # may become "\\boxed{\\frac{1}{2}} or \\boxed{1}"
    ("boxed", "\\boxed{\\frac{1}{2}}.", True),
    ("multiple_choice", "Answer: B", False),   # could become "Answer: Bob"... wait for one more char
    ("multiple_choice", "Answer: B.", False),  # may become "Answer: B. 15 or C. 18"
    ("multiple_choice", "Answer: B.\n", True),
    ("code", "```python\nx = 1\n", False),
    ("code", "```python\nx = 1\n```", False),  # "```python" may follow: the closing fence's line must end
    ("code", "```python\nx = 1\n```\n", True),
    ("last_number", "The answer is 8.", False),
])
def test_answer_complete(name, text, complete):
    assert answer_complete(name, text) is complete


def test_only_oracles_that_can_stop_early_get_the_per_step_check():
    """The run checks answer_complete after every token of every rollout only where it can ever fire."""
    from ptsfast.problems.oracles import ORACLES, stops_early

    complete = ["so 8.\n#### 8\n", "\\boxed{8}.", "Answer: B.\n", "```python\nx = 1\n```\n", "The answer is 8.\n"]
    for name in ORACLES:
        fires = any(answer_complete(name, text) for text in complete)
        assert stops_early(name) is fires, name
    assert stops_early("GSM8K") and not stops_early(lambda text, problem: True)


@pytest.mark.parametrize("name,text,ref", [
    ("gsm8k", "5+3=8\n#### 8\n", "8"),
    ("gsm8k", "5+3=9\n#### 9\n", "8"),
    ("boxed", "so \\boxed{8}.", "8"),
    ("multiple_choice", "Answer: B.\n", "B"),
])
def test_early_stop_never_changes_the_verdict(name, text, ref):
    """Once answer_complete() is True, no continuation can flip the oracle's verdict."""
    oracle = oracle_by_name(name)
    assert answer_complete(name, text)
    verdict = oracle(text, P(ref))
    for tail in ["", " 9", "\n#### 9\n", "\\boxed{9}", "Answer: C", "**A**", "```python\nx\n```", "8 8 8"]:
        assert oracle(text + tail, P(ref)) is verdict


def test_oracle_names_are_case_insensitive_everywhere():
    """`--oracle GSM8K` must judge, stop and stop early exactly like `gsm8k` (not silently lose the last two)."""
    from ptsfast.problems.oracles import answer_complete, oracle_by_name, stop_strings

    for spelled in ("GSM8K", "Gsm8k", "gsm8k"):
        assert oracle_by_name(spelled) is oracle_by_name("gsm8k")
        assert stop_strings(spelled) == stop_strings("gsm8k") != ()
        assert answer_complete(spelled, "so 3 + 4 = 7\n#### 7\n")
    assert stop_strings("Multiple-Choice") == stop_strings("multiple_choice") != ()


def test_reasoning_trace_is_searched_but_only_the_answer_after_it_is_judged():
    from ptsfast.problems.oracles import final_answer

    p = P("7")
    judge7 = make_judge("gsm8k")
    trace = "<think>Maybe\n#### 5\nno, wait</think>\nSo the answer:\n#### 7\n"
    assert final_answer(trace) == "\nSo the answer:\n#### 7\n"
    assert judge7(trace, p).success
    assert not judge7(trace.replace("#### 7", "#### 5"), p).success
    assert not judge7("<think>Maybe\n#### 7\n", p).success
    # an unclosed trace has no answer yet: no early stop on an answer inside the reasoning, and no success
    assert not answer_complete("gsm8k", "<think>#### 7\n")
    assert answer_complete("gsm8k", trace)
    assert not make_judge("last_number")("<think>the answer is 7", p).success
    # a prompt that opened the trace (DeepSeek-R1 style): the completion is reasoning until </think>
    assert not make_judge("last_number", think_open=True)("so 7", p).success
    assert make_judge("last_number", think_open=True)("so 5</think> 7", p).success
    assert not answer_complete("gsm8k", "#### 7\n", think_open=True)
    # no trace: the whole text, as before
    assert make_judge("last_number")("so it is 7", p).success
    # the run detects a prompt that opens the trace from its last tokens
    from ptsfast.pipeline import opens_think

    assert opens_think("<|im_start|>assistant\n<think>\n") and not opens_think("<think>\n\n</think>\n\n")
    assert not opens_think("<|im_start|>assistant\n")
