"""Raw EvalPlus rows: test inputs whose expected values come from the row's canonical solution.

EvalPlus releases its HumanEval+ / MBPP+ problems with ``base_input`` and ``plus_input`` (argument lists) but no
expected values: its judge runs ``prompt + canonical_solution`` on every input once (``get_groundtruth``) and
compares each solution's return values with those. Running only the row's ``test`` column (HumanEval's few asserts)
would pass programs that fail the plus inputs, the tests EvalPlus exists for. So ptsfast does as EvalPlus does: the
canonical solution runs once per problem, in the sandbox, through the same function-call harness a solution's
calls go through (:func:`~ptsfast.problems.code_tests._ptsfast_call_process`), and the row becomes a ``call``
:class:`~ptsfast.problems.code_tests.TestProgram` with EvalPlus' comparison (``atol``).

EvalPlus' special oracles for the tasks whose values cannot be compared as they are (HumanEval's ``find_zero``
accepts any root, MBPP+'s set-equality and not-None tasks and four others: :data:`SPECIAL_ORACLES`) are applied by
the task's entry point, as EvalPlus applies them. Not reproduced: EvalPlus' per-input time limits (a multiple of the
canonical solution's time; the oracle's wall limit covers the whole run).

MBPP+'s release holds its tuple, set and complex arguments as JSON lists and strings; EvalPlus' loader
(``mbpp_deserialize_inputs``) turns them back, task by task, before anything runs, and so does
:func:`mbpp_arguments` (without it a canonical solution that adds tuples fails, and one that returns its argument's
items returns lists where EvalPlus expects tuples). The arguments travel tagged (:func:`encoded`) so that tuples,
sets, complex numbers and a dict's key order survive JSON (``Problem.tests`` sorts the keys of a JSON object).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from ptsfast.problems.code_tests import TestFormatError, TestProgram, _maybe_json

INPUT_KEYS = ("base_input", "plus_input")
REFERENCE_KEY = "canonical_solution"
REFERENCE_LIMITS = dict(timeout=300.0, memory_mb=4096, total_memory_mb=4096, max_output_bytes=1 << 28)
"""The reference run's sandbox limits: EvalPlus gives its canonical solutions 4 GB; its plus inputs' values reach
tens of megabytes on a few tasks."""


SPECIAL_ORACLES = {
    "HumanEval": {"find_zero": "root"},
    "Mbpp": {**dict.fromkeys(("similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
                              "larg_nnum", "intersection_array", "find_dissimilar", "Diff"), "set"),
             **dict.fromkeys(("check_str", "text_match_three", "text_starta_endb"), "not_none"),
             "are_equivalent": "any", "sum_div": "or_zero", "surface_Area": "surface_area",
             "digit_distance_nums": "digit_distance"},
}
"""EvalPlus' special oracles (``evalplus/eval/_special_oracle.py`` and its judge), by dataset (the ``task_id``'s
prefix) and entry point: the rule of ``TestProgram.special``."""


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
        inputs += mbpp_arguments(row.get("task_id"), value)
    if not inputs:  # no call to make: every program, a wrong one too, would pass
        raise TestFormatError(f"its {' and '.join(repr(k) for k in INPUT_KEYS)} hold no argument lists: there is "
                              f"nothing to call {entry!r} with; fill them or drop the row")
    atol = row.get("atol") or 0
    if isinstance(atol, bool) or not isinstance(atol, (int, float)) or not atol >= 0:
        raise TestFormatError(f"'atol' is {atol!r}, not a tolerance >= 0")
    prompt = _code_prompt(row.get("prompt"))
    inputs = [encoded(args) for args in inputs]
    special = SPECIAL_ORACLES.get(str(row.get("task_id") or "").split("/")[0], {}).get(entry, "")
    values = reference_values(prompt, str(row[REFERENCE_KEY]), entry, json.dumps(inputs), special)
    if special == "set":  # compared as sets: stored in one order, whatever order the reference's run gave them
        values = tuple(_sorted_items(v) for v in values)
    return TestProgram("call", cases=tuple(zip(inputs, values)), fn_name=entry, prompt=prompt, atol=float(atol),
                       special=special)


def _code_prompt(prompt) -> str:
    """The row's prompt where it is the code the canonical solution continues (HumanEval+: imports and the stub;
    MBPP+'s release: a docstring), else "" (a question in words, as MBPP+'s prompt on the Hub)."""
    if not isinstance(prompt, str):
        return ""
    try:  # a stub with no body (not even a docstring) is no code either: a solution after it could never run
        compile(prompt, "prompt.py", "exec")
        return prompt
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""


def _sorted_items(value):
    """A tagged list or tuple with its items in the order of their JSON text (the same problem text each load: a
    set's order changes with the interpreter's hash seed)."""
    def order(items):
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(value, list):
        return order(value)
    if isinstance(value, dict) and isinstance(value.get("tuple"), list):
        return {"tuple": order(value["tuple"])}
    return value


def encoded(value):
    """An argument list as the call harness reads it in EvalPlus' comparison (``untagged`` in its caller): a tuple,
    set, complex number or dict (its items in their order) an object naming its kind, as the values are tagged."""
    if isinstance(value, list):
        return [encoded(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [encoded(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"set": [encoded(v) for v in value]}
    if isinstance(value, complex):
        return {"complex": [value.real, value.imag]}
    if isinstance(value, dict):
        return {"dict": [[encoded(k), encoded(v)] for k, v in value.items()]}
    return value


def _tuples(v):
    return tuple(_tuples(x) for x in v) if isinstance(v, (list, tuple)) else v


def _set_or_empty_dict(v):  # EvalPlus' Mbpp/115: an empty list becomes {} (a dict), as its loader makes it
    return set(v) if isinstance(v, (list, tuple, set, frozenset)) and len(v) else {}


_MBPP_ARGUMENTS = {
    **dict.fromkeys((2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740,
                     744, 809), lambda a: [tuple(x) for x in a]),
    **dict.fromkeys((63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780),
                    lambda a: [[tuple(x) for x in xs] for xs in a]),
    **dict.fromkeys((75, 413, 444, 753), lambda a: [[tuple(x) for x in a[0]], a[1]]),
    **dict.fromkeys((106, 750), lambda a: [a[0], tuple(a[1])]),
    115: lambda a: [[_set_or_empty_dict(x) for x in a[0]]],
    124: lambda a: [float(a[0]), complex(a[1])],
    **dict.fromkeys((250, 405, 446, 617, 720, 763, 808), lambda a: [tuple(a[0]), a[1]]),
    **dict.fromkeys((259, 401, 445), lambda a: [tuple(tuple(x) for x in xs) for xs in a]),
    278: lambda a: [tuple(tuple(x) if isinstance(x, list) else x for x in a[0])],
    307: lambda a: [tuple(a[0]), a[1], a[2]],
    722: lambda a: [{k: tuple(v) for k, v in a[0].items()}, *a[1:]],
    252: lambda a: [complex(a[0])],
    **dict.fromkeys((580, 615, 791), lambda a: [_tuples(x) for x in a]),
}
"""EvalPlus' ``mbpp_deserialize_inputs`` (evalplus/data/mbpp.py): by MBPP+ task number, an argument list as its
judge calls the function with."""


def mbpp_arguments(task_id, inputs: list) -> list:
    """``inputs`` as EvalPlus' judge passes them: MBPP+'s tuple, set and complex arguments turned back from the JSON
    lists and strings its release holds (:data:`_MBPP_ARGUMENTS`); other rows' as they are."""
    m = re.fullmatch(r"Mbpp/(\d+)", str(task_id or "").strip())
    convert = _MBPP_ARGUMENTS.get(int(m.group(1))) if m else None
    if convert is None:
        return inputs
    try:
        return [convert(args) for args in inputs]
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
        raise TestFormatError(f"its inputs are not the arguments MBPP+'s {task_id} takes ({e})") from None


@functools.lru_cache(maxsize=256)
def reference_values(prompt: str, reference: str, entry: str, inputs: str, special: str = "") -> tuple:
    """What ``reference`` (after ``prompt``) returns on each argument list of ``inputs`` (JSON), tagged as the
    call harness tags a solution's values; cached, since a problem set is read more than once a run."""
    from ptsfast.problems.sandbox import SandboxLimits, isolation_status, run_python

    isolated, why = isolation_status()
    if not isolated:  # the dataset's code runs while the problems load, before any flag could accept the risk
        raise TestFormatError(f"its expected values come from running its canonical solution, which ptsfast runs "
                              f"only in the code sandbox, unavailable here ({why}); use a release with a 'test' "
                              f"column, e.g. evalplus/humanevalplus")
    args = json.loads(inputs)
    recorder = TestProgram("call", cases=tuple((a, None) for a in args), fn_name=entry, prompt=prompt, atol=0.0,
                           special=special)
    res = run_python(recorder.program(reference, record=True), SandboxLimits(**REFERENCE_LIMITS), whole_output=True)
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
