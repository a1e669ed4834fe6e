"""Twelfth round on the code oracle: right programs judged wrong, and rows refused that their own graders run.

Each test failed before its fix (a right program failed, a row was refused, or a fast program's row ran out of
time); the wrong programs beside each still fail."""

import json

import pytest

from helpers.judging import verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

def test_a_many_case_apps_row_of_a_fast_program_is_judged_well_within_the_time():
    # APPS' prelude imports numpy inside a try: the warm interpreter did not preload it and each of the cases
    # imported it anew, ~45 ms a case (300 cases: ~14 s, over this limit; now about 1 s)
    inputs = [f"{i}\n{' '.join(map(str, range(i)))}\n" for i in range(300)]
    outputs = [f"{sum(range(i))}\n" for i in range(300)]
    row = {"input_output": json.dumps({"inputs": inputs, "outputs": outputs})}
    program = code_tests.test_program_from_row(row, ("input_output",), None, None)
    fast = "import sys\nd = sys.stdin.buffer.read().split()\nprint(sum(map(int, d[1:1 + int(d[0])])))\n"
    assert verdict(fast, program, timeout=8)[0]
    assert not verdict(fast.replace("1 + int", "int"), program, timeout=8)[0]
