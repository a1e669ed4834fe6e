"""Raw EvalPlus rows: test inputs whose expected values come from the row's canonical solution.

EvalPlus releases its HumanEval+ / MBPP+ problems with ``base_input`` and ``plus_input`` (argument lists) but no
expected values: its judge runs ``prompt + canonical_solution`` on every input once (``get_groundtruth``) and
compares each solution's return values with those. Running only the row's ``test`` column (HumanEval's few asserts)
would pass programs that fail the plus inputs, the tests EvalPlus exists for. So ptsfast does as EvalPlus does: the
canonical solution runs once per problem, in the sandbox, through the same function-call harness a solution's
calls go through (:func:`~ptsfast.problems.code_tests._ptsfast_call_process`), and the row becomes a ``call``
:class:`~ptsfast.problems.code_tests.TestProgram` with EvalPlus' comparison (``atol``).

Not reproduced: EvalPlus' per-input time limits (a multiple of the canonical solution's time; the oracle's wall
limit covers the whole run) and its special oracles for a few tasks (HumanEval's ``find_zero`` accepts any root;
MBPP+'s set-equality and not-None tasks): there a right answer other than the canonical one fails.
"""

from __future__ import annotations

import functools
import hashlib
import json

from ptsfast.problems.code_tests import TestFormatError, TestProgram, _maybe_json

INPUT_KEYS = ("base_input", "plus_input")
REFERENCE_KEY = "canonical_solution"
REFERENCE_LIMITS = dict(timeout=300.0, memory_mb=4096, total_memory_mb=4096, max_output_bytes=1 << 28)
"""The reference run's sandbox limits: EvalPlus gives its canonical solutions 4 GB; its plus inputs' values reach
tens of megabytes on a few tasks."""


def is_raw_evalplus(row: dict) -> bool:
    """A raw EvalPlus row: inputs without expected values, and the canonical solution that gives them."""
    return any(row.get(k) not in (None, "", []) for k in INPUT_KEYS) and bool(row.get(REFERENCE_KEY))


def evalplus_program(row: dict, entry_point_field: str | None) -> TestProgram:
    """The row's inputs with the canonical solution's values, as a ``call`` program with EvalPlus' comparison.
    Raises :class:`TestFormatError` naming what is wrong (no entry point, inputs that are not argument lists, a
    canonical solution that fails or returns what JSON cannot hold)."""
    entry = row.get(entry_point_field) if entry_point_field else None
    if not isinstance(entry, str) or not entry.isidentifier():
        raise TestFormatError(f"a raw EvalPlus row needs the function's name in {entry_point_field!r} (its "
                              f"'entry_point'), got {entry!r}")
    inputs = []
    for key in INPUT_KEYS:
        value = _maybe_json(row.get(key))
        if value in (None, "", []):
            continue
        if not isinstance(value, list) or not all(isinstance(v, list) for v in value):
            raise TestFormatError(f"{key!r} is not a list of argument lists ({str(value)[:60]!r})")
        inputs += value
    atol = row.get("atol") or 0
    if isinstance(atol, bool) or not isinstance(atol, (int, float)) or not atol >= 0:
        raise TestFormatError(f"'atol' is {atol!r}, not a tolerance >= 0")
    prompt = row.get("prompt") if isinstance(row.get("prompt"), str) else ""
    try:
        compile(prompt, "prompt.py", "exec")
    except (SyntaxError, ValueError):
        prompt = ""  # a question in words (MBPP+'s prompt on the Hub), not the code the solution continues
    values = reference_values(prompt, str(row[REFERENCE_KEY]), entry, json.dumps(inputs))
    return TestProgram("call", cases=tuple(zip(inputs, values)), fn_name=entry, prompt=prompt, atol=float(atol))


@functools.lru_cache(maxsize=256)
def reference_values(prompt: str, reference: str, entry: str, inputs: str) -> tuple:
    """What ``reference`` (after ``prompt``) returns on each argument list of ``inputs`` (JSON), tagged as the
    call harness tags a solution's values; cached, since a problem set is read more than once a run."""
    from ptsfast.problems.sandbox import SandboxLimits, isolation_status, run_python

    args = json.loads(inputs)
    recorder = TestProgram("call", cases=tuple((a, None) for a in args), fn_name=entry, prompt=prompt, atol=0.0)
    # the dataset's own code, run where the tests run: in the sandbox where this machine has one
    res = run_python(recorder.program(reference, record=True), SandboxLimits(**REFERENCE_LIMITS),
                     isolate=isolation_status()[0], whole_output=True)
    digest = hashlib.sha256(reference.encode()).hexdigest()[:8]
    if not res.passed:
        raise TestFormatError(f"its canonical solution (sha256 {digest}...) did not run on its inputs in the sandbox "
                              f"({res.reason}): {res.output[-300:]!r}")
    replies = json.loads(res.output.strip().splitlines()[-1])
    for i, reply in enumerate(replies):
        if "error" in reply:
            where = "before its first call" if reply.get("loading") else f"on input {i + 1} ({args[i]!r:.80})"
            raise TestFormatError(f"its canonical solution failed {where}: {reply['error'][-300:]}")
    return tuple(r["ok"] for r in replies)
