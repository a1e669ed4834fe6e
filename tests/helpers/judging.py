"""The code oracle's verdict on one program, as the sandbox attack tests read it."""

from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.oracles import judge_code


def verdict(code: str, program: TestProgram, timeout: float = 60.0) -> tuple[bool, str]:
    """Whether ``code`` passes ``program``, and the harness's output (a timeout is no verdict: the test fails)."""
    res = judge_code(code, program, timeout=timeout)
    assert not res.timed_out, res.output
    return res.passed, res.output
