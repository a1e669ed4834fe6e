"""The code oracle as tests read it: the verdict on one program, and the program an answer is judged on (at every prefix
where a rollout may stop)."""

from ptsfast.problems.code_tests import TestProgram, test_program_from_row
from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_code, judge_code, make_judge


def verdict(code: str, program: TestProgram, timeout: float = 60.0) -> tuple[bool, str]:
    """Whether ``code`` passes ``program``, and the harness's output (a timeout is no verdict: the test fails)."""
    res = judge_code(code, program, timeout=timeout)
    assert not res.timed_out, res.output
    return res.passed, res.output


def assert_judged_on(text: str, code: str, stops: bool = True) -> None:
    """``text`` yields ``code``; so does every prefix at which a rollout may stop (there is one when ``stops``)."""
    assert extract_code(text) == code
    at = [k for k in range(1, len(text) + 1) if answer_complete("code", text[:k])]
    for k in at:
        assert extract_code(text[:k]) == code, (k, text[:k])
    assert bool(at) is stops


def assert_tells_apart(tests: str, right: str, wrong: str) -> None:
    """``tests`` (as a row or the Python API gives them) pass the ``right`` program and fail the ``wrong`` one."""
    program = TestProgram.from_text(tests)
    assert verdict(right, program)[0], "the right program failed"
    assert not verdict(wrong, program)[0], "the wrong program passed"


def judged(text: str, tests, entry_point: str | None = None) -> bool:
    """The code oracle's verdict on a model's whole answer ``text`` (the program taken out of it) against ``tests``;
    an oracle error fails the test."""
    problem = Problem("p", "q", None, tests, meta={"entry_point": entry_point} if entry_point else {})
    verdict = make_judge("code", unsafe_code_oracle=True)(text, problem)
    assert verdict.error is None, verdict.error
    return verdict.success


def humaneval(entry: str, test: str, args: str = "n") -> TestProgram:
    """A HumanEval row's test program: ``test`` (its ``check(candidate)``) for a function ``entry(args)`` whose prompt
    is a bare signature."""
    row = {"task_id": "HumanEval/0", "prompt": f"def {entry}({args}):\n    \"\"\"doc\"\"\"\n", "test": test,
           "entry_point": entry}
    return test_program_from_row(row, ("test",), "entry_point", None)
