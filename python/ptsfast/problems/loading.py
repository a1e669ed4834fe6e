"""Problems: loading from JSONL / local HF ``datasets`` files, and prompts as token ids.

A bad row is that row's problem, never the run's: each one (malformed JSON, bytes that are not UTF-8, a lone
surrogate, a field of the wrong type, an empty question, a duplicate id, a prompt the model cannot take) yields
one :class:`Skip` naming the row, the field and the fix (in ``LoadResult.skipped``, logged once, and counted by
reason in the run's summary), and every good row is still returned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import numbers
import re
import os
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from string import ascii_lowercase, ascii_uppercase
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ptsfast.problems.code_tests import (ENTRY_POINT_KEYS, GROUND_TRUTH, SOLUTION_MODULE_NAMES, TEST_COMPANIONS,
                                        TEST_KEYS, TestFormatError, _maybe_json, _numpy_printed, cruxeval_program,
                                        importable, missing_modules, samples_only, several_right_outputs,
                                        test_program_from_row, unread_hidden_tests, vacuous_checks)
from ptsfast.problems.evalplus import evalplus_program, is_raw_evalplus
from ptsfast.problems.hashing import problem_hash

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One problem. ``answer`` is the reference (or GSM8K solution with ``####``), ``tests`` code tests,
    ``solution`` an optional provided trajectory (text) to search instead of sampling one.

    Fields are checked when it is made (a ``TypeError`` naming the field), so a wrong value fails where it is
    written, not deep in a run."""

    id: str
    question: str
    answer: str | None = None
    tests: str | None = None
    choices: tuple[str, ...] | None = None
    solution: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str):
            raise TypeError(f"problem ids must be str, got {type(self.id).__name__} {self.id!r}")
        if not isinstance(self.question, str):
            raise TypeError(f"Problem {self.id!r}: question must be a str, got {type(self.question).__name__}")
        for name in ("answer", "tests", "solution"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, str):
                raise TypeError(f"Problem {self.id!r}: {name} must be a str or None, got {type(v).__name__}")
        if self.choices is not None:
            if isinstance(self.choices, (str, bytes)) or not all(isinstance(c, str) for c in self.choices):
                raise TypeError(f"Problem {self.id!r}: choices must be a sequence of str or None, got "
                                f"{self.choices!r}")
            object.__setattr__(self, "choices", tuple(self.choices))
        if not isinstance(self.meta, dict):
            raise TypeError(f"Problem {self.id!r}: meta must be a dict, got {type(self.meta).__name__}")


class Skip(str):
    """Why a row or problem was left out of a run: the message (it is the str), a short ``reason`` the run's
    summary counts skips by, and where it came from (``source`` file, 1-based ``row``, problem ``id``)."""

    reason: str
    source: str | None
    row: int | None
    id: str | None

    def __new__(cls, message: str, reason: str = "other", *, source: str | None = None, row: int | None = None,
                id: str | None = None) -> "Skip":
        self = super().__new__(cls, message)
        self.reason, self.source, self.row, self.id = reason, source, row, id
        return self

    def __reduce__(self):  # Ray ships skips between processes
        return (_skip, (str(self), self.reason, self.source, self.row, self.id))

    def as_record(self) -> dict:
        """The skip as ``summary.json`` lists it."""
        return {"reason": self.reason, "source": self.source, "row": self.row, "id": self.id, "message": str(self)}


def _skip(message, reason, source, row, id_) -> Skip:
    return Skip(message, reason, source=source, row=row, id=id_)


@dataclass(frozen=True)
class FieldMap:
    """Which column holds what. ``solution=None``: trajectories are sampled, not read."""

    question: str = "question"
    answer: str | None = "answer"
    id: str | None = "id"
    tests: str | tuple[str, ...] | None = "tests"
    """Column(s) holding code tests; several are joined (MBPP ``test_list`` + ``challenge_test_list``)."""
    choices: str | None = "choices"
    solution: str | None = None
    entry_point: str | None = "entry_point"
    """Column naming the function under test (HumanEval's ``check(candidate)``)."""
    require_answer: bool = True
    """Rows without an answer are skipped (set False for code problems judged by tests only)."""
    code: bool = False
    """Rows are code problems: their tests are read in any format of :mod:`ptsfast.problems.code_tests` and
    stored as one test program; a row whose tests cannot run is skipped with a message naming it."""
    auto_detect: bool | tuple[str, ...] = False
    """When the question/answer column is not in the data, use the first of the usual names that is
    (:data:`QUESTION_KEYS` / :data:`ANSWER_KEYS`), as codelion/pts does; likewise the tests
    (:data:`~ptsfast.problems.code_tests.TEST_KEYS`, with their companions) and the entry point. True for question
    and answer, or a tuple naming which (``("answer", "tests")``). The CLI sets it for the ones of
    ``--question-field``/``--answer-field``/``--tests-field``/``--entry-point-field`` that are not given."""

    @property
    def tests_fields(self) -> tuple[str, ...]:
        return (self.tests,) if isinstance(self.tests, str) else tuple(self.tests or ())


QUESTION_KEYS = ("question", "query", "instruction", "problem", "problem_description", "prompt", "instruct_prompt",
                 "text", "description", "question_content", "question_stem", "ctx", "goal", "sentence", "messages",
                 "conversations", "turns", "startphrase", "qtext", "original_text")
"""Question columns tried in order (LeetCodeDataset's ``problem_description`` before its ``prompt``, which holds
the imports and helpers its solutions run after; BigCodeBench's ``instruct_prompt``; OpenBookQA's ``question_stem``,
HellaSwag's ``ctx``, PIQA's ``goal``, WinoGrande's ``sentence``, LiveBench's ``turns``: a list of one user
message; SWAG's ``startphrase``, HEAD-QA's ``qtext``, Math23K's and Ape210K's ``original_text``). A question may
also be a chat (verl / OpenRLHF rows' ``prompt``: a user message, after an optional system message; SFT rows'
``messages`` and ShareGPT's ``conversations``, whose assistant reply after it is the reference answer where the row
has none, or the given solution with ``--solution-field`` naming the chat's column)."""
BIGCODEBENCH_QUESTION = "instruct_prompt"
"""BigCodeBench's question (rows with its ``code_prompt``), before any ``question`` column: BigCodeBench-Hard's is a
developer's question retrieved as like the task (``q_idx``, ``score``), not the task its tests check."""
STARTER_KEY = "starter_code"
"""A code problem's starter code (APPS, TACO, LiveCodeBench, LeetCodeDataset): shown to the model after the
question."""
EXAMPLE_TESTS_KEY = "test_list"
"""MBPP's asserts (MBPP, MBPP sanitized, MBPP+): shown after the question, as MBPP's and EvalPlus' prompts show them;
the question alone ("Write a function to find the shared elements...") does not name the function they call."""
STATEMENT_PARTS = (("input_format", "Input"), ("output_format", "Output"), ("examples", "Examples"), ("note", "Note"))
"""Parts of a Codeforces statement kept apart from its ``description`` (open-r1/codeforces): shown after it."""
BIGBENCH_TARGETS, BIGBENCH_CHOICES, BIGBENCH_SCORES = "targets", "multiple_choice_targets", "multiple_choice_scores"
"""BIG-bench's rows (tasksource/bigbench, lm-eval's bigbench): their question in ``inputs``, their accepted answers
in ``targets`` (a list), and in its multiple-choice tasks the choices, each scored 1 (right) or 0."""
ANSWER_NUMBER = "answer_number"
"""MGSM's final number, where its test rows leave ``answer`` (a worked solution in its train rows) null."""
TARGET_KEY = "target"
"""BIG-Bench Hard's reference (its rows are ``{"input", "target"}``): the last reference column tried."""
ANSWER_KEYS = ("answer", "answerKey", "Answer Key", "expected_answer", "final_answer", "reference_answer",
               "correct_option", "correct", "final_decision", "output", "solution", "ground_truth_solution", "response",
               "completion", "canonical_solution", GROUND_TRUTH, TARGET_KEY, ANSWER_NUMBER, BIGBENCH_TARGETS, "golden",
               "ans")
"""Reference columns tried in order: a final answer's (OpenMathReasoning's ``expected_answer``, OlympiadBench's
``final_answer``, NaturalReasoning's ``reference_answer``, ArabicMMLU's ``Answer Key`` letter, LogiQA's
``correct_option``, AQuA-RAT's and MathQA's ``correct`` letter, PubMedQA's ``final_decision``) before a whole
solution's, whose last box or number is read (TRL's ``completion``, a text or a chat of the one reply; BIG-bench's
``targets``; then CMATH's ``golden``, Math23K's and Ape210K's ``ans``). A true/false value is taken only from an
``answer`` column (BoolQ's): elsewhere (a ``correct`` column of solutions) it says whether the row's solution is right,
and is never the reference."""
NO_ANSWER = ("proof", "notfound")
"""NuminaMath-1.5's reference answers that say there is none to check: a proof, or an answer its authors did not find
(OpenR1-Math and other sets built from it keep them); its rows of ``question_type`` "proof" likewise (some carry a
number). NeMo RL's NuminaMath loader drops both; as a reference, "proof" passes a rollout that boxes the word."""
PLATINUM_TARGET, CLEANING_STATUS = "platinum_target", "cleaning_status"
"""Platinum Benchmarks' re-annotation kept beside the original dataset's columns (madrylab/platinum-bench): the revised
reference (a list of accepted answers, None for a rejected row) and the row's status ("consensus", "verified",
"revised", "rejected"; GSM8K-Platinum revises ``answer`` in place and keeps the status)."""
VALIDITY_KEYS = ("problem_is_valid", "solution_is_valid")
"""NuminaMath-1.5's marks of a row whose problem or solution its authors checked: "Yes", or not ("No",
"Incomplete"), when its answer is no reference to judge by."""
VOTED_KINDS = ("no_answer_extracted", "converted_proof")
"""OpenMathReasoning's ``problem_type`` of a row whose ``expected_answer`` is the majority vote of its own generated
solutions (a forum problem whose answer could not be extracted, a proof converted to a question), not the source's
answer (its ``has_answer_extracted`` rows): no reference to judge by."""
CODE_KINDS = ("code", "coding", "verifiable_code")
"""What a code row of a mixed dataset says it is: verl rows' ``ability`` (Eurus-2 mixes math and code), PrimeIntellect's
``task_type``, OpenThoughts' ``domain``; under an answer oracle its tests would be the reference answer."""
KIND_KEYS = ("ability", "task_type", "domain")
"""The columns saying what kind of problem a row of a mixed dataset is, tried in order (the first holding text)."""
SYSTEM_PROMPT_KEY = "system_prompt"
ANSWER_UNIT_KEY = "answer_unit"
"""The ``meta`` key of the unit a reference was written with in plain text ("km" of "180 km", which loads as 180): the
answer oracles fail an answer stating the same number in another unit."""
"""A problem's own system prompt (``Problem.meta``; a chat question's system message, or a row's column of that
name, or beside a chat or an Alpaca ``instruction`` a ``system`` column, as OpenThoughts' and LLaMA-Factory's rows keep
it): used when the run gives no ``--system-prompt``."""


def lift_ground_truth(row: dict) -> dict:
    """verl-format rows (the usual shape of RL data: Eurus-2, Skywork-OR1, code-r1, DeepScaleR) keep the answer, or a
    code problem's tests, in ``reward_model["ground_truth"]``, and PrimeIntellect's math rows (SYNTHETIC-1's
    verifiable-math-problems, INTELLECT-2's) in ``verification_info``, a JSON text ``{"ground_truth": ...}`` its
    verifier reads: seen as a column of its own."""
    rm = row.get("reward_model")
    if isinstance(rm, dict) and GROUND_TRUTH in rm and GROUND_TRUTH not in row:
        return {**row, GROUND_TRUTH: rm[GROUND_TRUTH]}
    info = row.get("verification_info")
    if isinstance(info, str) and GROUND_TRUTH in info and info.lstrip().startswith("{"):
        try:
            info = json.loads(info)
        except (ValueError, RecursionError):  # not JSON, an int of over 4300 digits, or nested past Python's depth:
            # left to the tests' reading of the column
            return row
    if isinstance(info, dict) and GROUND_TRUTH in info and "test_cases" not in info and GROUND_TRUTH not in row:
        return {**row, GROUND_TRUTH: info[GROUND_TRUTH]}
    return row


def question_from_chat(messages: list) -> tuple[str, str | None, str | None]:
    """(the user message, the system message or None, the assistant's reply or None) of a chat-format question: a
    user message after an optional system message, and in SFT rows (``messages``, ShareGPT's ``conversations`` of
    ``from``/``value``) the reply after it; raises ``ValueError`` naming what is wrong (mining starts from one
    question: a few-shot or multi-turn conversation is not one)."""
    texts = [_message_text(m) for m in messages]
    if None in texts:
        raise ValueError("is a list but not a chat of text (messages with a 'role' and a text 'content', ShareGPT's "
                         "'from' and 'value', or content parts of type 'text')")
    roles = [_role(m) for m in messages]
    system = roles[:1] == ["system"]
    if roles[system:] not in (["user"], ["user", "assistant"]):
        raise ValueError(f"is a chat of roles {roles}; ptsfast mines one question: give one user message, after an "
                         f"optional system message (and, in SFT rows, the assistant's reply after it: the reference "
                         f"answer, or the given solution with --solution-field naming this column); keep one such "
                         f"exchange of each conversation")
    return texts[system], (texts[0] if system else None), (texts[-1] if roles[-1] == "assistant" else None)


_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system",
          "chatgpt": "assistant", "bing": "assistant", "bard": "assistant", "model": "assistant", "developer": "system"}
"""A chat message's role, as OpenAI's ``role`` or ShareGPT's ``from`` names it (raw ShareGPT's ``chatgpt``, ``bing``
and ``bard`` replies, which FastChat's cleaning names ``gpt``; Gemini's and Gemma's ``model``; OpenAI's ``developer``
instructions, its system message since o1)."""


def _role(message: dict):
    """A chat message's role in OpenAI's names (ShareGPT's ``human``/``gpt`` read as ``user``/``assistant``); a
    role neither names is kept as given."""
    given = message.get("role", message.get("from"))
    return _ROLES.get(str(given).lower(), given)


def _message_text(message) -> str | None:
    """A chat message's text: its ``content`` (ShareGPT's ``value``), or its content parts' text (OpenAI-style
    ``[{"type": "text", "text": ...}]``); None when it is not a message or holds anything but text (an image)."""
    if not isinstance(message, dict):
        return None
    content = message.get("content") if "role" in message or "from" not in message else message.get("value")
    if isinstance(content, list) and content and all(isinstance(c, dict) and c.get("type") == "text" and
                                                     isinstance(c.get("text"), str) for c in content):
        return "".join(c["text"] for c in content)
    return content if isinstance(content, str) else None


def tests_columns(row: dict) -> tuple[str, ...] | None:
    """The column of :data:`~ptsfast.problems.code_tests.TEST_KEYS` holding ``row``'s tests, with its companions: the
    first one with a value, else the first present (a mixed dataset saved as one table gives every row every column,
    the other datasets' ones null)."""
    t = next((k for k in TEST_KEYS if row.get(k) is not None), None) or next((k for k in TEST_KEYS if k in row), None)
    return None if t is None else (t, *(c for c in TEST_COMPANIONS.get(t, ()) if c in row))


def _detected(fields: FieldMap) -> tuple[str, ...]:
    """The fields ``fields.auto_detect`` picks from the data."""
    return ("question", "answer") if fields.auto_detect is True else tuple(fields.auto_detect or ())


def _first_column(row: dict, names: Sequence[str], has) -> str | None:
    """The column of ``row`` named by the first of ``names`` that ``has``, spelt as given or in another case (AIME
    2024's ``Problem`` and ``Answer``, GPQA's and SVAMP's ``Question``)."""
    cased = {}
    for k in row:
        if isinstance(k, str):
            cased.setdefault(k.lower(), []).append(k)
    for name in names:
        if has(name):
            return name
        k = next((k for k in cased.get(name.lower(), ()) if has(k)), None)
        if k is not None:
            return k
    return None


def _question_column(row: dict, fields: FieldMap, has) -> str | None:
    """The first of :data:`QUESTION_KEYS` that ``has`` (in any case); in a code row of OpenCodeInstruct's shape (its
    task in ``input``, its asserts in ``unit_tests``), ``input``, and ``input`` holding a chat (Llama-Nemotron's
    post-training rows) or a text beside a :data:`TARGET_KEY` (BIG-Bench Hard's, GSM-Hard's). Elsewhere ``input`` is
    a program's stdin or a function's arguments (CRUXEval's), never taken for the question."""
    q = _first_column(row, QUESTION_KEYS, has)
    chat = isinstance(row.get("input"), list) and bool(row["input"]) and \
        all(isinstance(m, dict) and ("role" in m or "from" in m) for m in row["input"])
    bbh = not fields.code and isinstance(row.get("input"), str) and TARGET_KEY in row  # GSM-Hard's too
    if q is None and has("inputs") and not fields.code and BIGBENCH_TARGETS in row:
        return "inputs"  # BIG-bench's
    return "input" if q is None and has("input") and (chat or bbh or fields.code and "unit_tests" in row) else q


JEEBENCH_TYPES = ("MCQ", "MCQ(multiple)", "Integer", "Numeric")
"""JEEBench's question types (its ``type`` column): such a row's reference is its ``gold`` column (a letter, several
letters, a whole number, a decimal)."""


def detect_fields(row: dict, fields: FieldMap) -> FieldMap:
    """``fields`` with the question/answer columns picked from ``row``'s keys (see ``FieldMap.auto_detect``)."""
    auto = _detected(fields)
    changes = {}
    if "question" in auto and row.get(BIGCODEBENCH_QUESTION) is not None and "code_prompt" in row:
        changes["question"] = BIGCODEBENCH_QUESTION  # BigCodeBench-Hard's own 'question' column is not the task
    elif "question" in auto and fields.question not in row:
        q = _question_column(row, fields, lambda k: k in row)
        if q is not None:
            changes["question"] = q
    if "tests" in auto and all(row.get(f) is None for f in fields.tests_fields):
        t = tests_columns(row)
        if t is not None and t != fields.tests_fields:
            changes["tests"] = t
    if "answer" in auto and fields.answer is not None and fields.answer not in row:
        taken = {changes.get("question", fields.question), *changes.get("tests", ())}
        a = _first_column(row, ANSWER_KEYS, lambda k: k in row and k not in taken and not (
            isinstance(row[k], bool) and k.lower() != "answer"))
        if a is None and _is_scalar(row.get(GOLD_KEY)) and str(row.get("type")).strip() in JEEBENCH_TYPES:
            a = GOLD_KEY  # JEEBench's reference, beside its question type
        if a is not None:
            changes["answer"] = a
    if "entry_point" in auto and fields.entry_point not in row:
        e = next((k for k in ENTRY_POINT_KEYS if k in row), None)
        if e is not None:
            changes["entry_point"] = e
    if changes:
        shown = {k: " + ".join(map(repr, v)) if isinstance(v, tuple) else repr(v) for k, v in changes.items()}
        log.warning("using column %s", " and ".join(f"{v} as the {k.replace('_', ' ')}" for k, v in shown.items()))
    question, answer = changes.get("question", fields.question), changes.get("answer", fields.answer)
    last = row.get(question)[-1] if isinstance(row.get(question), list) and row.get(question) else None
    if answer and answer not in row and not fields.code and isinstance(last, dict) and \
            _role(last) == "assistant":
        log.warning("using the assistant replies of column %r as the reference answers (no answer column)", question)
    return replace(fields, **changes) if changes else fields


@dataclass
class LoadResult:
    problems: list[Problem]
    skipped: list[Skip]
    """One :class:`Skip` (a human-readable line with its reason) per skipped row (already logged as warnings)."""


class ChatTemplateError(ValueError):
    """The tokenizer has no chat template and none was given."""


class DataError(ValueError):
    """The data file itself cannot be read (missing, unknown format)."""


# --------------------------------------------------------------------------- loading

RowError = tuple[str, str]  # (reason, message) of a row that cannot be read


def _lines(f) -> Iterator[bytes]:
    """A file's lines, ended by LF or CRLF, or by CR alone in a file whose lines end so (classic Mac OS; JSON text
    holds no raw CR, so a CR there only ends a line)."""
    head = f.read(1 << 16)
    f.seek(0)
    if b"\n" in head or b"\r" not in head:
        for line in f:  # not `yield from f`: closing the generator would close the file
            yield line
        return
    rest = b""
    for chunk in iter(lambda: f.read(1 << 20), b""):
        *lines, rest = (rest + chunk).split(b"\r")
        yield from lines
    if rest:
        yield rest


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict | None, RowError | None]]:
    with open(path, "rb") as f:
        for n, raw in enumerate(_lines(f), 1):
            try:
                line = raw.decode("utf-8").lstrip("\ufeff")  # a BOM opens some files, and each of those joined
            except UnicodeDecodeError as e:  # that line only: a scraped file often has a few such rows
                yield n, None, ("not UTF-8", f"byte {raw[e.start]:#04x} at column {e.start + 1} is not UTF-8; save "
                                             f"the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`) or fix that line")
                continue
            if not line.strip():
                continue
            try:
                row = _json_loads(line)
            except json.JSONDecodeError as e:
                row = _with_trailing_comma(line, e)
                if row is None:
                    yield n, None, ("malformed JSON", f"malformed JSON ({e.msg} at column {e.colno}); fix or delete "
                                                      f"that line")
                    continue
            except ValueError:  # an int of over 4300 digits, which Python 3.11 reads only with its limit lifted
                yield n, None, ("malformed JSON", "a number of over 4300 digits, which Python reads only with its "
                                                  "limit lifted, and ptsfast does not lift it; fix or delete that line")
                continue
            except RecursionError:  # valid JSON nested deeper than Python's parser goes
                yield n, None, ("malformed JSON", "JSON nested too deep to read (thousands of levels); fix or delete "
                                                  "that line")
                continue
            row = _chat_row(row) or row
            if not isinstance(row, dict):
                yield n, None, ("not an object", f"a JSON {type(row).__name__}, not an object; each line must be one "
                                                 f"{{...}} object")
                continue
            yield n, row, None


_CONSTANTS = {"NaN": None, "Infinity": math.inf, "-Infinity": -math.inf}


def _json_loads(text: str) -> Any:
    """A row's JSON, where ``NaN`` is a missing value (``json.dumps`` writes a pandas row's empty cells so): read as
    a float, it was the text "nan" as a question, an id or a choice."""
    return json.loads(text, parse_constant=_CONSTANTS.__getitem__)


def _with_trailing_comma(line: str, error: json.JSONDecodeError) -> Any:
    """The object of a line that is one object and a comma (``{...},``: a JSON array's items written one a line,
    without its brackets), else None."""
    if error.msg != "Extra data" or line[error.pos:].strip() != ",":
        return None
    try:
        row = _json_loads(line[:error.pos])
    except ValueError:
        return None
    return row if isinstance(row, dict) else None


ROWS_KEYS = ("data", "rows", "examples", "instances", "records", "items", "problems")
"""Keys a JSON file's rows are wrapped under (``{"data": [...]}``, ``{"version": 2, "rows": [...]}``)."""
JSON_SPLITS = ("train", "test", "validation", "valid", "val", "dev", "eval", "training", "testing")
"""A JSON file's keys that name splits, each a list of rows (``{"train": [...], "test": [...]}``, as a
``DatasetDict``'s splits dumped to one file): one is read, as from a datasets folder."""


OWN_JSON_LIMIT = 1 << 30
"""JSON files up to this size are read by ptsfast (their rows as written, as JSON lines are); larger ones by
``datasets``, a block at a time."""


def _json_document_rows(p: Path, jsonl: bool, split: str | None = None,
                        took: list | None = None) -> Iterator[tuple[int, dict | None, RowError | None]] | None:
    """The rows of a JSON file that is one document: an array, each row as written (``datasets`` reads it as a table,
    whose column of mixed types it makes all numbers or all texts, and refuses a row that is not an object), or a
    shape ``datasets`` reads as one row or not at all: rows wrapped in an object (:data:`ROWS_KEYS`), columns
    (pandas' ``to_json()``: ``{"question": {"0": ...}}``, or a dict of lists), or an array with a comma after its last
    row; None for any other file (read as before). ``jsonl``: the file was taken for JSON lines (only one line of it
    is then one document)."""
    with open(p, "rb") as f:
        if jsonl:  # JSON lines, unless all but the first line are blank
            lines = _lines(f)
            first = next((line for line in lines if line.strip()), b"")
            if not first.lstrip(b"\xef\xbb\xbf \t").startswith((b"{", b"[")) or any(line.strip() for line in lines):
                return None
        elif p.stat().st_size > OWN_JSON_LIMIT:  # left to datasets, which reads it a block at a time
            return None
        f.seek(0)
        try:
            text = f.read().decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            return None
    fixed = re.sub(r",\s*\]\s*$", "]", text)
    try:
        doc = _json_loads(fixed)
    except (ValueError, RecursionError):
        return None
    rows = how = None
    values = list(doc.values()) if isinstance(doc, dict) else []
    wrapped = [k for k, v in doc.items() if k.lower() in ROWS_KEYS and isinstance(v, list) and v and
               all(isinstance(r, dict) for r in v)] if values else []
    chat = _chat_row(doc)  # the whole document one conversation
    if isinstance(doc, list) and jsonl and (not any(isinstance(r, dict) for r in doc) or chat):
        return None  # a line [1, 2]: a row that is not an object, said so by the line's reading; a chat: one row
    if chat:  # one conversation, not rows of one message each
        doc = [doc]
    if isinstance(doc, list):  # each row as written: datasets' table made "007" 7 and "1e3" 1000 in a mixed column
        rows, how = doc, "a JSON array with a comma after its last row" if fixed != text else \
            "one JSON array (json.dump of a list), not one object a line" if jsonl else None
        if doc and (first := _chat_row(doc[0])) is not None:
            truth = GROUND_TRUTH in first
            how = f"{how + ', ' if how else ''}rows that are bare lists of chat messages" + \
                (" (Open-Reasoner-Zero's: a question, and an answer in 'ground_truth')" if truth else "") + \
                f", each taken for a column {CHAT_ROWS!r}" + (f" and its {GROUND_TRUTH!r}" if truth else "")
    elif len(wrapped) == 1 and not any(k.lower() in QUESTION_KEYS for k in doc):  # else it is a row
        rows, how = doc[wrapped[0]], f"its rows under the key {wrapped[0]!r}"
    elif values and all(str(k).lower() in JSON_SPLITS and isinstance(v, list) and v and
                        all(isinstance(r, dict) for r in v) for k, v in doc.items()):  # {"train": [...], "test": [...]}
        names = list(doc)
        pick = split or ("train" if "train" in doc else names[0] if len(names) == 1 else None)
        if pick not in doc:
            raise DataError(f"{str(p)!r} holds splits {names}; choose one with --split-name")
        rows, how = doc[pick], f"splits {names}: reading {pick!r}" + (
            "; choose another with --split-name" if len(names) > 1 and split is None else "")
        if took is not None and split is not None:
            took.append(split)
    elif _split_orient(doc):  # pandas' to_json(orient='split'): {"columns", "index", "data": [[cells], ...]}
        rows = [dict(zip(doc["columns"], r)) for r in doc["data"]]
        how = "pandas' to_json(orient='split'): its columns' names and each row's cells"
    elif values and all(isinstance(k, str) and k.isdigit() for k in doc) and \
            all(isinstance(v, dict) and v for v in values):  # pandas' to_json(orient='index'): {"0": {row}, ...}
        rows, how = [doc[k] for k in sorted(doc, key=int)], "rows by their index (pandas' to_json(orient='index'))"
    elif values and all(isinstance(v, dict) and v and v.keys() == values[0].keys() for v in values) and \
            not any(str(k).lower() in QUESTION_KEYS for k in values[0]):  # a row's cells, not rows' (MMLU's wrapped)
        rows = [{k: doc[k][i] for k in doc} for i in values[0]]
        how = "columns of cells by row index (pandas' to_json(); to_json(orient='records', lines=True) writes rows)"
    elif values and all(isinstance(v, list) and len(v) == len(values[0]) > 0 for v in values) and \
            any(all(x is None or _is_scalar(x) for x in v) for v in values) and \
            not any(all(isinstance(x, dict) and ("role" in x or "from" in x) for x in v) for v in values):  # a chat
        rows, how = [dict(zip(doc, r)) for r in zip(*values)], "columns (a dict of lists)"
    if rows is None:
        return None
    if how is not None:
        log.warning("%s holds %s: read as %d rows", p, how, len(rows))
    return ((n, *_record(row)) for n, row in enumerate(rows, 1))


def _split_orient(doc: Any) -> bool:
    """Whether a JSON document is a table pandas wrote with ``to_json(orient='split')``: its ``columns``' names, and
    its ``data`` a list of rows' cells, one per column (read as a dict of lists, it was three rows of junk)."""
    if not isinstance(doc, dict) or not {"columns", "data"} <= doc.keys() or not doc.keys() <= {"columns", "index",
                                                                                                 "data"}:
        return False
    names, data = doc["columns"], doc["data"]
    return isinstance(names, list) and bool(names) and all(isinstance(n, str) for n in names) and \
        isinstance(data, list) and all(isinstance(r, list) and len(r) == len(names) for r in data)


def _pick_split(ds, split: str | None, where: str, flag: str = "--split-name"):
    if _is_dataset_dict(ds):
        names = list(ds)
        pick = split or ("train" if "train" in ds else names[0] if len(names) == 1 else None)
        if pick not in ds:
            raise DataError(f"{where} holds splits {names}; choose one with {flag}")
        if split is None and len(names) > 1:  # a test split beside it is easily meant: say which was read
            log.warning("%s holds splits %s: reading %r; choose another with %s", where, names, pick, flag)
        ds = ds[pick]
    return ds


def _iter_hf(path: Path, split: str | None,
             config: str | None = None) -> Iterator[tuple[int, dict | None, RowError | None]]:
    scratch = None  # a temporary datasets cache, where the user's cannot be written
    try:
        import datasets
    except ImportError as e:  # pragma: no cover
        raise DataError(f"reading {path} needs the datasets package: `pip install datasets`") from e
    if path.is_dir():
        try:
            ds = datasets.load_from_disk(str(path))
        except FileNotFoundError as e:  # datasets' words for a folder without its dataset_info/state files
            ds = _repository_folder(path, config)
            if ds is None:
                raise DataError(f"{path} is a folder but not a dataset saved with save_to_disk() or a dataset "
                                f"repository's (data files: {', '.join(DATA_FILES)}); pass a .jsonl, .json, .parquet "
                                f"or .csv file, or such a folder") from e
        else:
            if config is not None:
                raise DataError(f"--dataset-config {config!r} applies to a dataset named from the local datasets "
                                f"cache or a dataset repository's folder; {path} was saved with save_to_disk() - drop "
                                f"--dataset-config")
        ds = _pick_split(ds, split, str(path))
    else:
        fmt = {".parquet": "parquet", ".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "json",
               ".arrow": "arrow"}.get(path.suffix.lower())
        if fmt is None:
            raise DataError(f"unknown data format {path.suffix!r} for {path}; use .jsonl, .json, .parquet, .csv or "
                            f"a datasets folder saved with save_to_disk()")
        kw = {"delimiter": "\t"} if path.suffix.lower() == ".tsv" else {}
        try:
            try:
                ds = datasets.load_dataset(fmt, data_files=str(path), split=split or "train", **kw)
            except Exception as e:  # noqa: BLE001 - datasets wraps the cause
                if not isinstance(_root_cause(e), OSError) or isinstance(_root_cause(e), UnicodeDecodeError):
                    raise
                # datasets converts the file into its cache first: a cache it cannot write (a read-only home, an
                # HF_HOME elsewhere) made every such file unreadable; one of this read's own, dropped after it
                scratch = tempfile.mkdtemp(prefix="ptsfast-datasets-")
                log.warning("the datasets cache cannot be written (%s); %s is read through a temporary one",
                            _root_cause(e), path)
                ds = datasets.load_dataset(fmt, data_files=str(path), split=split or "train", cache_dir=scratch, **kw)
        except Exception as e:  # noqa: BLE001 - datasets wraps the cause; name the file and the cause
            cause = _root_cause(e)
            if isinstance(cause, UnicodeDecodeError):
                raise DataError(f"{path}: byte {cause.object[cause.start]:#04x} at byte offset {cause.start} is not "
                                f"UTF-8; save the file as UTF-8") from None
            raise DataError(f"{path} could not be read as {fmt} ({type(cause).__name__}: {cause}); fix the file or "
                            f"convert it to .jsonl") from None
    whole = _whole_number_columns(ds) if path.is_file() and fmt in ("csv", "parquet") else ()
    narrow = _narrow_floats({k: getattr(f, "dtype", None) for k, f in ds.features.items()})
    try:
        for n, row in enumerate(ds, 1):
            row = _widened(dict(row), narrow)
            for k in whole:
                row[k] = None if row[k] is None or math.isnan(row[k]) else _whole(row[k])
            yield n, row, None
    finally:
        if scratch is not None:
            del ds
            shutil.rmtree(scratch, ignore_errors=True)


def _root_cause(e: BaseException) -> BaseException:
    """The first exception of the chain datasets wraps (its own words name none of the file's problems)."""
    while e.__cause__ is not None or e.__context__ is not None:
        e = e.__cause__ or e.__context__
    return e


def _unprinted(row: dict) -> dict:
    """A row with each cell that is numpy's print of a list read as the list: a CSV export (``Dataset.to_csv``,
    pandas' ``to_csv``) writes a list column so, its items apart by spaces (DREAM's dialogue ``['M: hi' 'W:
    hello']``, HEAD-QA's answers, BIG-bench's choices and scores), which the columns read as lists took for text;
    so does any file a DataFrame of such text wrote (read from that CSV, or ``astype(str)`` before ``to_parquet``):
    JSON lines, JSON, Parquet. A list of one prints as Python's does (``['c']``), which may be text: left to the
    column that reads it. A JSON text is none (and is not read token by token: APPS' tests run to megabytes)."""
    changed = {}
    for k, v in row.items():
        if isinstance(v, str) and v.lstrip()[:1] in ("[", "{") and not _is_json_text(v) and \
                _numpy_printed(v.strip()) is not None:
            try:
                changed[k] = _maybe_json(v)
            except ValueError:  # an int of over 4300 digits: left as text
                pass
    return {**row, **changed} if changed else row


def _is_json_text(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


DATA_FILES = (".parquet", ".jsonl", ".csv", ".arrow")
_FILE_FORMATS = {".parquet": "parquet", ".jsonl": "json", ".csv": "csv", ".arrow": "arrow"}
"""The files that make a folder a dataset repository's (a model's folder holds .json files, never these)."""


_SHARD = re.compile(r"[\w.]+-\d{5}-of-\d{5}\.\w+")


COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"))
"""How compressed files open, and their names (not zip's: a spreadsheet is one, refused by its suffix)."""
COMPRESSED_FIX = {"gzip": "`gunzip FILE`", "zstd": "`unzstd FILE`", "bzip2": "`bunzip2 FILE`", "xz": "`unxz FILE`"}
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
"""How a Git LFS pointer opens: what a dataset repository cloned without git-lfs holds in place of each data file."""


def _refuse_lfs_pointer(path: Path, head: bytes) -> None:
    """A ``DataError`` naming the fix where ``head`` (a file's first bytes) opens a Git LFS pointer, not data."""
    if head.startswith(LFS_POINTER):
        raise DataError(f"{path} is a Git LFS pointer, not the data it stands for (the repository was cloned without "
                        f"git-lfs): fetch the files with `git lfs install && git lfs pull` in the repository, or "
                        f"download the dataset with `huggingface-cli download --repo-type dataset`")


def _data_files(path: Path) -> list[Path]:
    """The files of :data:`DATA_FILES`' kinds under ``path``, but hidden ones and those in hidden folders; a folder
    that cannot be read, or is gone by the time it is (a live folder: ``/tmp``, a run's output), is passed over, as
    ``os.walk`` does, where ``Path.rglob`` raised out of the loader."""
    files = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [Path(root) / n for n in sorted(names) if not n.startswith(".") and
                  Path(n).suffix.lower() in DATA_FILES]
    return files


_FILES_LOOKED_AT = 10000
"""Files of a folder looked at for pipes and devices: far more than any dataset's data files."""


def _is_stream(path: Path) -> bool:
    """``path`` (links followed) is neither a regular file nor a folder: a pipe, device or socket."""
    try:
        return not (stat.S_ISREG(mode := os.stat(path).st_mode) or stat.S_ISDIR(mode))
    except (OSError, ValueError):
        return False


def refuse_streams(path: Path, named: str | None = None) -> None:
    """``path``, or a file of the folder it is (hidden ones aside), is no pipe or device: reading one waits for a
    writer for ever (a fifo among a datasets folder's files hung ``load_problems``). ``named``: how the message names
    ``path`` (the command line's ``--problems P``)."""
    named = named or repr(str(path))
    if _is_stream(path):
        raise DataError(f"{named} is a pipe or device, not a file; save the problems to a file and pass its path")
    seen = 0
    for root, dirs, names in os.walk(path) if path.is_dir() else ():
        seen += len(names)
        if seen > _FILES_LOOKED_AT:  # a folder that large is no dataset's
            return
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        odd = next((Path(root, n) for n in sorted(names) if not n.startswith(".") and _is_stream(Path(root, n))), None)
        if odd is not None:
            raise DataError(f"{named}: {odd.relative_to(path)} in it is a pipe or device, not a file, and "
                            f"reading it would wait for ever; move it out of the folder (or save its rows to a file "
                            f"there)")


def _repository_folder(path: Path, config: str | None = None):
    """The splits of a dataset downloaded as its repository (``huggingface-cli download --repo-type dataset``, a git
    clone: ``data/train-*.parquet``), read by ``datasets`` as the hub would (its card's configs, or split names from
    the files'); None for a folder that is no such repository's (one without data files, or without a ``data``
    folder, shards named ``<split>-00000-of-00001`` or a card naming its configs). ``config`` picks one of a
    repository's configs (gsm8k's main and socratic); one of several must be picked."""
    import datasets

    files = _data_files(path)
    for f in files:
        try:
            with open(f, "rb") as fh:
                head = fh.read(len(LFS_POINTER))
        except OSError:  # gone since the search, or unreadable: datasets names it if it reads it
            continue
        _refuse_lfs_pointer(f, head)
    card = path / "README.md"
    if not files or not (any(f.relative_to(path).parts[0] == "data" or _SHARD.fullmatch(f.name) for f in files) or
                         card.is_file() and card.read_text(errors="replace").startswith("---")):
        return None
    script = path / f"{path.name}.py"
    kinds = {_FILE_FORMATS[f.suffix.lower()] for f in files}
    if script.is_file() and len(kinds) == 1:
        # a repository with a loading script (LiveCodeBench's code_generation_lite.py, APPS' apps.py), downloaded
        # to a folder of the script's name: datasets no longer runs scripts and refuses the folder, so its data files
        # are read as they are, as those of a folder named otherwise are
        if config is not None:
            raise DataError(f"--dataset-config {config!r}: {path}'s configs are made by its loading script "
                            f"{script.name}, which datasets no longer runs; drop --dataset-config to read all its "
                            f"data files, or pass the data file you want")
        log.warning("%s holds the loading script %s, which datasets no longer runs: its data files are read as they "
                    "are (all of them: LiveCodeBench's release_latest)", path, script.name)
        try:
            return datasets.load_dataset(kinds.pop(), data_dir=str(path))
        except Exception as e:  # noqa: BLE001 - name the folder and the cause
            raise DataError(f"{path}'s data files could not be read ({type(e).__name__}: {e}); pass one of them") \
                from None
    try:
        configs = datasets.get_dataset_config_names(str(path))
        if config is None and len(configs) > 1:
            raise DataError(f"{path} holds the configs {configs}; choose one with --dataset-config")
        if config is not None and config not in configs:
            raise DataError(f"--dataset-config {config!r} is none of {path}'s configs {configs}")
        return datasets.load_dataset(str(path), config)
    except DataError:
        raise
    except Exception as e:  # noqa: BLE001 - several configs, files of mixed formats: name the folder and the cause
        raise DataError(f"{path} is a dataset repository's folder that datasets could not read ({type(e).__name__}: "
                        f"{str(e).strip().splitlines()[0] if str(e).strip() else ''}); pass one of its data files")\
            from None


_NARROW = {"float32": "float32", "float": "float32", "float16": "float16", "halffloat": "float16"}
"""Type names of 32- and 16-bit float columns: datasets' and pandas' (``float32``), Arrow's (``float``,
``halffloat``), polars' (``Float32``, lower-cased)."""


def _narrow_floats(types: Mapping[str, Any]) -> dict[str, Any]:
    """The columns of 32- or 16-bit floats among ``{column: its type's name}``, with their numpy type."""
    import numpy as np

    return {k: getattr(np, _NARROW[str(t).lower()]) for k, t in types.items() if str(t).lower() in _NARROW}


def _widened(row: dict, narrow: Mapping[str, Any]) -> dict:
    """``row`` with each of its ``narrow`` columns' floats as the shortest digits of their 32- or 16-bit value: read
    as a Python float, a float32 column's 0.1 is 0.10000000149011612 (its binary value), a reference no 0.1 equals."""
    for k, kind in narrow.items():
        v = row.get(k)
        if isinstance(v, float) and math.isfinite(v):
            row[k] = float(str(kind(v)))
    return row


def _whole_number_columns(ds) -> list[str]:
    """The float columns of a CSV (or a parquet file pandas wrote) with an empty cell whose other values are all
    whole numbers: a column of ints with an empty cell is read as floats (pandas has no missing int), so id 1 would
    be "1.0" and answer 5 "5.0" (and the same rows given as JSONL other problems). They are read as ints."""
    out = []
    for name, feature in ds.features.items():
        if getattr(feature, "dtype", None) in ("float16", "float32", "float64"):
            column = ds[name]
            values = [v for v in column if v is not None and not math.isnan(v)]
            if values and len(values) < len(column) and all(math.isfinite(v) and v.is_integer() for v in values):
                out.append(name)
    return out


def looks_like_dataset_name(value: str) -> bool:
    """``name`` or ``owner/name`` (what ``datasets.load_dataset`` takes), not a file path."""
    import re

    return bool(re.fullmatch(r"[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?", value)) and \
        Path(value).suffix.lower() not in (".jsonl", ".json", ".parquet", ".csv", ".tsv", ".arrow")


def _iter_cached(name: str, config: str | None, split: str | None,
                 cache_dir: str | os.PathLike | None = None) -> Iterator[tuple[int, dict | None, RowError | None]]:
    """Rows of a dataset in the local ``datasets`` cache, by the name it was loaded under (never the network)."""
    try:
        import datasets
        from datasets.packaged_modules.cache.cache import Cache
    except ImportError as e:  # pragma: no cover
        raise DataError(f"reading dataset {name!r} needs the datasets package: `pip install datasets`") from e
    root = str(cache_dir or datasets.config.HF_DATASETS_CACHE)
    try:
        builder = Cache(cache_dir=root, dataset_name=name.split("/")[-1], repo_id=name, config_name=config,
                        version="auto", hash="auto")
        ds = builder.as_dataset()
    except (ValueError, FileNotFoundError) as e:
        first = str(e).strip().splitlines()
        detail = " ".join(first[1:2]) if len(first) > 1 else ""
        raise DataError(f"{name!r} is not a file or folder, and not a dataset in the local datasets cache ({root})"
                        f"{' for config ' + repr(config) if config else ''}{'; ' + detail if detail else ''}; pass "
                        f"a .jsonl/.parquet/.csv file or a save_to_disk folder, or load it once with "
                        f"datasets.load_dataset({name!r}) where there is network (ptsfast never downloads)") from None
    ds = _pick_split(ds, split, f"dataset {name!r}")
    narrow = _narrow_floats({k: getattr(f, "dtype", None) for k, f in ds.features.items()})
    for n, row in enumerate(ds, 1):
        yield n, _widened(dict(row), narrow), None


def _as_text(v: Any) -> str | None:
    """A cell as the reference's text; a float by its decimal digits (JSON's 0.00001 is the float 1e-05: a rollout
    boxing 0.00001 failed against that)."""
    if v is None:
        return None
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    if isinstance(v, float) and math.isfinite(v):
        return format(Decimal(repr(v)), "f")
    return str(v)


def _lone_surrogate(v: Any, where: str = "") -> str | None:
    """Where ``v`` holds text that is not valid Unicode (a lone surrogate such as ``"\\ud83d"``: valid JSON,
    common in scraped text, but it cannot be encoded, tokenized or written), else None."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as e:
            return f"{where} (character {e.start + 1}: {v[e.start]!a})"
        return None
    if isinstance(v, dict):
        for k, x in v.items():
            bad = _lone_surrogate(k, f"{where}: a key") or _lone_surrogate(x, f"{where}[{k!a}]" if where else repr(k))
            if bad:
                return bad
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            bad = _lone_surrogate(x, f"{where}[{i}]")
            if bad:
                return bad
    return None


_SCALAR = (str, int, float)


def _listed_answer(text: str) -> str | list:
    """The one answer of a JSON list of one string (``'["\\frac{1}{2}"]'``: how some RL datasets store a ground
    truth; ``['$5$']`` where a CSV export wrote OlympiadBench's list as Python or numpy prints it), the list of a
    list of several strings (refused as several answers: as text it is no answer), else ``text`` as it is (``"[1,
    2]"`` is an interval)."""
    try:
        v = _maybe_json(text)
    except ValueError:  # an int of over 4300 digits
        return text
    if not (isinstance(v, list) and v and all(isinstance(x, str) for x in v)):
        return text
    return v[0] if len(v) == 1 else v


SOLUTION_KEYS = ("solution", "response", "output", "generated_solution", "completion", "rationale", "reasoning",
                 "explanation", "ground_truth_solution")
"""Columns holding a worked solution (MATH's ``solution``, MetaMathQA's ``response``, MathInstruct's ``output``,
OpenThoughts' ``ground_truth_solution``):
as a reference, only its final answer is judged, so one with none the oracles read is refused (see
:func:`_reads_as_answer`)."""
_STATED = re.compile(r"(?<!\w)(?:the (?:final )?answer is:?|final answer\W*:|^[\W_]*answer[\W_]*:|"
                     r"^[\W_]*答\s*[:：])[*_]*", re.I)
_HOPE = re.compile(r"\.?\s*I hope it is correct\.?\s*$", re.I)


TRACE_MARKERS = (("<think>", "</think>"), ("<|begin_of_thought|>", "<|end_of_thought|>"), ("[THINK]", "[/THINK]"),
                 ("\u25c1think\u25b7", "\u25c1/think\u25b7"), ("<seed:think>", "</seed:think>"),
                 ("<|channel|>analysis<|message|>", "<|channel|>final<|message|>"), ("<thought>", "</thought>"),
                 ("<|begin_assistant|>\nHere are my reasoning steps:", "[BEGIN FINAL RESPONSE]"))
"""How reasoning traces open and close: R1's tags (Qwen3's, Phi-4-reasoning's), the markers OpenThoughts-trained
models (OpenThinker, Bespoke-Stratos) write themselves, Magistral's and Ministral-Reasoning's ``[THINK]`` tokens,
Kimi-VL-Thinking's ``\u25c1think\u25b7``, Seed-OSS' ``<seed:think>``, gpt-oss' harmony channels (its analysis
channel's messages, then the final channel's), EXAONE Deep's ``<thought>`` (which its generation prompt opens),
Apriel-Thinker's reasoning (its generation prompt opens it with the words "Here are my reasoning steps:" after its
assistant's turn, whose token keeps the words from opening a trace in another model's prose, and the reply closes it
with ``[BEGIN FINAL RESPONSE]``): thinking holds boxes and answers tried on the way. The oracles judge after them too
(:func:`ptsfast.problems.oracles.final_answer`)."""
APRIEL_REASONING = "Here are my reasoning steps:"
"""How an Apriel reply saved without its template's turns opens its reasoning (a distilled dataset's solution)."""
_THOUGHT_ENDS = tuple(close for _, close in TRACE_MARKERS)
_THOUGHT_OPENS = re.compile(r"\s*(?:<\|start\|>assistant)?(?:" +  # harmony's reply as its template renders it
                            "|".join(re.escape(opening) for opening in (*(o for o, _ in TRACE_MARKERS),
                                                                         APRIEL_REASONING)) + ")")
_SOLUTION_TAGS = re.compile(r"<\|(?:begin|end)_of_solution\|>|<\|(?:return|end)\|>\s*$|\[END FINAL RESPONSE\]|"
                            r"</?[Oo]utput>|<\|im_end\|>\s*$")
"""What wraps the answer after a trace: OpenThoughts' solution tags, harmony's end of the final message (Apriel's
``<|end|>`` too), Apriel's ``[END FINAL RESPONSE]``, Marco-o1's ``<Output>``, Reflection's ``<output>``, the end of
an s1 reply's turn."""
_OPENING_TRACES = (("<Thought>", "</Thought>"), ("<thinking>", "</thinking>"),
                   ("<|im_start|>think", "<|im_start|>answer"), ("think\n", "\nanswer\n"))
"""Traces read only where a solution opens with them (tags that prose may hold elsewhere): Marco-o1's ``<Thought>``,
Reflection's ``<thinking>``, s1's ``<|im_start|>think`` closed by ``<|im_start|>answer`` (s1K's and its models'
replies), and the same decoded without special tokens, the bare word ``think`` on the first line and ``answer`` on
its own line; the oracles read the first two in replies opening so."""


def _opening_trace(text: str) -> str | None:
    """What closes the trace of :data:`_OPENING_TRACES` that ``text`` opens with, None where it opens none."""
    start = text.lstrip()
    return next((close for opening, close in _OPENING_TRACES if start.startswith(opening)), None)


_PLAIN_HARMONY = re.compile(r"\s*analysis(?=\S)")
PLAIN_HARMONY_FINAL = "assistantfinal"
"""How gpt-oss' reply reads decoded without its special tokens (vLLM's default, ``skip_special_tokens``): its
channels' names run into the text, "analysisWe need...assistantfinalThe answer is 5."; what follows the last
``assistantfinal`` of a reply that opens so is its final message."""


def _closed_trace(text: str) -> str | None:
    """What closes ``text``'s reasoning trace (:data:`TRACE_MARKERS`, or a gpt-oss reply's
    :data:`PLAIN_HARMONY_FINAL` decoded as plain text), or None where it closes none."""
    if (own := _opening_trace(text)) is not None:
        return own if own in text else None
    end = next((end for end in _THOUGHT_ENDS if end in text), None)
    if end is None and _PLAIN_HARMONY.match(text) and PLAIN_HARMONY_FINAL in text:
        return PLAIN_HARMONY_FINAL
    return end


def _after_thinking(text: str) -> str:
    """A reasoning reply's answer part: what follows its thinking (R1's ``</think>``, OpenThoughts'
    ``<|end_of_thought|>``, whose solution tags are dropped), "" where nothing does (a reply cut off there); ``text``
    as it is where it has no trace. A box tried while thinking is not the answer."""
    end = _closed_trace(text)
    return text if end is None else _SOLUTION_TAGS.sub("", text.rsplit(end, 1)[1]).strip()


ANSWER_LINE_ASKED = re.compile(r"(?i:form Answer: \$Answer\b)")
"""DAPO-Math's and simple-evals' math prompt: "The last line of your response should be of the form Answer: $Answer
(without quotes)", an answer the boxed oracles never read."""


_BOXES = ("\\boxed", "\\fbox", "\\framebox", "####")
"""What marks the answer of a worked solution for the oracles (a box, a ``####`` line)."""


def _stated_answer(text: str) -> str:
    """The answer a solution states on its last line in words (MetaMathQA's "The answer is: 7", MathInstruct's "The
    answer is 6.", "Answer: 5", "Final Answer: 5", Minerva's "Final Answer: The final answer is $5$. I hope it is
    correct.", a Chinese solution's "答：7个。"), where it has no box or ``####`` line the oracles read; else ``text`` as
    it is."""
    if any(box in text for box in _BOXES):
        return text
    last = _HOPE.sub("", text.rstrip().rsplit("\n", 1)[-1])
    said = [m.end() for m in _STATED.finditer(last)]
    answer = last[said[-1]:].strip().removesuffix(".").removesuffix("。").strip() if said else ""
    return answer or text


_UNIT_AFTER = re.compile(r"\s*(-?\d[\d,]*(?:\.\d+)?(?:\s*[/:]\s*\d+)?)(?:\s+\([A-Za-z][A-Za-z .'-]*\)|"
                         r"\s*[(（][\u3400-\u9fff]{1,8}[)）])\s*。?\s*")


_PLAIN_UNIT = re.compile(r"\s*(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?)[ \t]*"
                         r"((?:[A-Za-z]+\.?(?:\^\{?\d\}?|[²³])?(?:[ \t]*/[ \t]*|[ \t]+)?){1,4}"
                         r"|(?![十百千万萬亿億兆](?![米克瓦]))[\u3400-\u9fff]{1,6}(?:/[\u3400-\u9fff]{1,4})?)\s*[.。]?\s*")
_NOT_UNITS = frozenset((
    "or", "and", "nor", "not", "to", "than", "times", "plus", "minus", "over", "by", "x", "e", "i", "pi", "sqrt",
    "root", "roots", "squared", "cubed", "factorial", "mod", "sin", "cos", "tan", "log", "ln", "lg", "exp", "inf",
    "infinity", "percent", "pct", "thousand", "million", "billion", "trillion", "hundred", "dozen", "lakh", "crore",
    "half", "halves", "third", "thirds", "quarter", "quarters", "st", "nd", "rd", "th", "am", "pm", "a", "p", "bc",
    "ad", "bce", "ce"))
"""Words after a number that are no unit of it: a second value or an operation ("3 or 4", "2 pi", "5 squared"), a
multiplier or a fraction ("18 thousand", "2 thirds"), an ordinal or a time of day ("3 pm"), a year's era."""
_UNIT_LETTERS = frozenset("mgshlL")
"""The units of one letter (metres, grams, seconds, hours, litres); any other letter is a name (``3 x``, ``2 i``)."""
_APE_FRACTION = re.compile(r"\s*([-+]?)\(\s*(-?)(\d+)\s*/\s*(\d+)\s*\)\s*|\s*(\d+)\s*\(\s*(\d+)\s*/\s*(\d+)\s*\)\s*")


def plain_unit_dropped(text: str) -> str | None:
    """The number of a reference written with its unit in plain text ("180 km", "5 cm^2", "3.5 hours", "12 元",
    "24平方厘米"), else None: the gsm8k and last_number oracles read no answer in such a reference, and the math ones
    compare it as text (a right \\boxed{180} failed), while each compares a number with the number a rollout gives,
    its unit or none (as math_verify reads such a gold answer)."""
    m = _plain_unit_match(text)
    return m.group(1) if m else None


def _plain_unit_match(text: str) -> re.Match | None:
    """The match of :data:`_PLAIN_UNIT` (group 1 the number, group 2 the unit) where ``text`` is a number and its
    unit in plain text (:func:`plain_unit_dropped`), else None."""
    m = _PLAIN_UNIT.fullmatch(text)
    if not m:
        return None
    words = re.findall(r"[A-Za-z]+", m.group(2))
    if any(w.lower() in _NOT_UNITS or len(w) == 1 and w not in _UNIT_LETTERS for w in words) or \
            any(re.fullmatch(r"(?:four|fif|six|seven|eigh|nin|ten|hundred|thousand|million)ths?", w.lower())
                for w in words):
        return None
    return m


def ape_fraction(text: str) -> str | None:
    """Ape210K's and Math23K's fractions in parentheses, "(1/3)", "-(2/5)", and mixed numbers, "1(1/3)" (1 and
    1/3), as the oracles read a fraction ("1/3", "1\\frac{1}{3}"), else None: as written, no oracle read them."""
    m = _APE_FRACTION.fullmatch(text)
    if not m:
        return None
    if m.group(5) is not None:
        return f"{m.group(5)}\\frac{{{m.group(6)}}}{{{m.group(7)}}}"
    sign = "-" if (m.group(1) == "-") != (m.group(2) == "-") else ""
    return f"{sign}{m.group(3)}/{m.group(4)}"


def _unit_read(text: str) -> tuple[str, str | None]:
    """``(the answer, its unit or None)``: an answer written as a number and its unit in parentheses (ASDiv's "9
    (apples)", "3.5 (square cm)", a Chinese set's "7（个）") or in plain text ("180 km", "12 元":
    :func:`plain_unit_dropped`) read as the number, as lm-eval reads it, the plain text's unit kept ("km" of "180
    km") so the oracles can hold a rollout's unit to it; Ape210K's "(1/3)" as a fraction (:func:`ape_fraction`); a
    short answer's closing Chinese full stop ("7个。") dropped, as an English one is; anything else as it is."""
    m = _UNIT_AFTER.fullmatch(text)
    if m:
        return m.group(1), None
    if "\n" in text.strip() or len(text) > 40:
        return text, None
    m = _plain_unit_match(text)
    if m:
        return m.group(1), m.group(2).strip().rstrip(".")
    read = ape_fraction(text)
    return (read if read is not None else text.rstrip().removesuffix("。")), None


_LISTED_CHOICE = (re.compile(r"(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?(?<![\w)\]])\(([A-E])\)(?:\s|\\ )*\}?"),
                  re.compile(r"(?:^|(?<=\s)|(?<=\$))([A-E])\s*[.．:：、]\s*", re.M))
"""How a math problem lists its choices in its text: ``(A) 1``, AMC's ``\\textbf{(A)}\\ 1``, ``A. 1``, ``A: 1``
(cn_k12), ``A．1``."""
LETTER_REFERENCE = re.compile(r"\s*\$?\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?\(?([A-E])\)?\s*\}?\.?"
                               r"\s*\$?\s*")
_CHOICE_FILLER = re.compile(r"^(?:\s|\\[ ,;:!]|~|\$)+|(?:\s|\\[ ,;:!]|\\q?quad(?![A-Za-z])|~|\$|[,;，；。])+$")


def choices_in_text(question: str) -> dict[str, str] | None:
    """The choices a math problem lists in its text (:data:`_LISTED_CHOICE`), letter -> text, where each of A, B, C
    (and on) is written once, in order, in one style, and each text is short math or words; else None."""
    for style in _LISTED_CHOICE:
        found = list(style.finditer(question))
        letters = [m.group(1) for m in found]
        if len(letters) < 3 or letters != list("ABCDE"[:len(letters)]):
            continue
        ends = [m.start() for m in found[1:]] + [len(question)]
        texts = {}
        for m, end in zip(found, ends):
            text = question[m.end():end].split("\n", 1)[0] if end == len(question) else question[m.end():end]
            text = _CHOICE_FILLER.sub("", _CHOICE_FILLER.sub("", text))
            if not text or "\n" in text.strip() or len(text) > 80 or text.count("{") != text.count("}"):
                return None
            texts[m.group(1)] = text
        return texts
    return None


def _choice_reference(answer: str, question: str) -> str:
    """A multiple-choice math problem's reference letter as the letter and its choice's text (``(C) 3``, as MATH
    writes AMC answers, which the math oracles compare as either), where the problem lists its choices in its text
    (:func:`choices_in_text`): OpenR1-Math's MCQ rows give the letter ("C"), which failed a rollout boxing the
    choice's value (\\boxed{3}). Anything else as it is (a reference giving the value: the gsm8k and last_number
    oracles read its number, which they would not read after a letter)."""
    letter = LETTER_REFERENCE.fullmatch(answer)
    choices = choices_in_text(question) if letter else None
    return f"({letter.group(1)}) {choices[letter.group(1)]}" if choices and letter.group(1) in choices else answer


_DELIMITED = re.compile(r"\s*\\\((.*)\\\)\s*|\s*\\\[(.*)\\\]\s*", re.S)


def _math_delimiters_dropped(text: str) -> str:
    """A reference wrapped whole in LaTeX's math delimiters (OpenMathReasoning's ``\\(\\frac{1}{2}\\)``, a
    display's ``\\[...\\]``) as the math inside, as ``$...$`` is read; the oracles compare the math, and with them
    no box equalled it. ``\\(a\\) and \\(b\\)`` is two pieces of math, kept as it is."""
    m = _DELIMITED.fullmatch(text)
    inner = m and (m.group(1) if m.group(1) is not None else m.group(2))
    if not inner or not inner.strip() or re.search(r"\\[()\[\]]", inner):
        return text
    return inner.strip()


def _ifeval_constraint(text: str | None) -> str | None:
    """The verifier a reference names where it is an IFEval constraint, not an answer (allenai's RLVR-IFeval
    ``ground_truth``: a JSON text ``{"func_name": "validate_lowercase", "N": null, ...}``), else None."""
    if not isinstance(text, str) or not text.lstrip().startswith("{") or "func_name" not in text:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    name = value.get("func_name") if isinstance(value, dict) else None
    return name if isinstance(name, str) and name.strip() else None


_BOX_OPEN = re.compile(r"\\(?:boxed|fbox|framebox)\s*\{")


def _distinct_boxes(text: str) -> list[str]:
    """The different answers a solution boxes, each once in order (spaces and ``$`` aside); boxes inside a box are
    the outer one's. A multi-part problem's solution (NuminaMath-CoT's cn_k12 rows) boxes one answer a part."""
    found, at = [], 0
    while (m := _BOX_OPEN.search(text, at)) is not None:
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth:
            break
        inside = re.sub(r"[\s$]", "", text[m.end():i - 1])
        if inside and inside not in found:
            found.append(inside)
        at = i
    return found


_BOX_NUMBER = re.compile(r"([-+]?)(?:\\frac\{(\d+(?:\.\d+)?)\}\{(\d+(?:\.\d+)?)\}|\\frac(\d)(\d)|"
                         r"(\d+(?:\.\d+)?|\.\d+)(?:/(\d+(?:\.\d+)?))?)")


def _box_value(box: str) -> Fraction | None:
    """A box holding one number (``\\frac{1}{2}``, ``\\dfrac12``, ``1/2``, ``0.5``, ``-3``) as its exact value, else
    None (a list, a name, an expression: never read)."""
    m = _BOX_NUMBER.fullmatch(re.sub(r"\\[dt]frac", r"\\frac", re.sub(r"[\s$]|\\[,!;]", "", box)))
    if not m:
        return None
    sign, top, bottom = m.group(1), m.group(2) or m.group(4) or m.group(6), m.group(3) or m.group(5) or m.group(7)
    value = Fraction(top) / Fraction(bottom or 1) if Fraction(bottom or 1) else None
    return -value if value is not None and sign == "-" else value


def _one_value(boxes: list[str]) -> bool:
    """Whether a worked solution's boxes all give one number in other forms (``\\frac12`` and ``0.5``): one answer,
    which a rollout boxing any of those forms matches (the oracles compare numbers by value), not one a part."""
    values = [_box_value(b) for b in boxes]
    return None not in values and len(set(values)) == 1


def _reads_as_answer(text: str) -> bool:
    """Whether the oracles find an answer in a reference: a box or a ``####`` line in a solution, or one short line
    that is the answer itself (a worked solution of several lines or sentences without them is neither)."""
    return any(box in text for box in _BOXES) or \
        "\n" not in text.strip() and len(text) <= 200


def _prose(text: str) -> bool:
    """Whether a reference is an explanation in sentences (WebInstructSub's ``answer``: lines and some 25 words),
    not an answer of several lines (a matrix, a program's output)."""
    return "\n" in text.strip() and len(re.findall(r"(?<![\\\w])[A-Za-z]{2,}\b", text)) >= 25


def _whole(v: float) -> int:
    """A whole float as the integer its shortest digits write (1e23 is 10**23, not the float's binary value
    99999999999999991611392)."""
    return int(Decimal(repr(v)))


def _is_scalar(v: Any) -> bool:
    return isinstance(v, _SCALAR) and not isinstance(v, bool)


def with_statement_parts(row: dict, question: str) -> str:
    """The question followed by the statement parts a Codeforces row keeps in columns of their own (input and
    output format, examples, note), those it does not already contain: without them the model does not know what
    the program reads and prints."""
    if not any(isinstance(row.get(k), str) for k in ("input_format", "output_format")):
        return question  # not a statement in parts: a column named "note" or "examples" may mean anything
    parts = [question.rstrip()]
    for key, title in STATEMENT_PARTS:
        v = row.get(key)
        if key == "examples" and isinstance(v, list):
            given = [e for e in v if isinstance(e, dict)]
            if given and not all(str(e.get("input", "")).strip() in question for e in given):  # a prompt has them
                parts.append(f"{title}\n" + "\n".join(
                    f"Input:\n```\n{str(e.get('input', '')).rstrip()}\n```\nOutput:\n```\n"
                    f"{str(e.get('output', '')).rstrip()}\n```" for e in given))
        elif isinstance(v, str) and v.strip() and v.strip() not in question:
            parts.append(f"{title}\n{v.strip()}")
    return "\n\n".join(parts)


def with_example_tests(row: dict, question: str) -> str:
    """The question followed by an MBPP row's ``test_list`` asserts, where it does not already hold them (MBPP's
    prompt: "Your code should pass these tests"): they name the function and its arguments."""
    tests = _maybe_json(row.get(EXAMPLE_TESTS_KEY))
    if not (isinstance(tests, list) and tests and all(isinstance(t, str) and t.strip() for t in tests)):
        return question
    if any(t.strip() in question for t in tests):
        return question
    shown = "\n".join(t.strip() for t in tests)
    return f"{question.rstrip()}\n\nYour code should pass these tests:\n```python\n{shown}\n```"


def with_declarations(row: dict, question: str) -> str:
    """The question followed by the functions a KodCode row's ``test_info`` declares, where it does not name them:
    its tests import each by that name (``from solution import max_subarray_sum``), which the task alone may not
    give (code-r1's prompt appends them too)."""
    info = _maybe_json(row.get("test_info"))
    info = [i for i in info if isinstance(i, dict) and isinstance(i.get("function_name"), str)] \
        if isinstance(info, list) else []
    if not info or all(re.search(rf"\b{re.escape(i['function_name'])}\b", question) for i in info):
        return question
    shown = "\n".join(i["function_declaration"].strip() if isinstance(i.get("function_declaration"), str) and
                      i["function_declaration"].strip() else f"def {i['function_name']}(...):" for i in info)
    return f"{question.rstrip()}\n\nYour code should define:\n```python\n{shown}\n```"


def with_function_name(question: str, program, entry: Any = None) -> str:
    """The question followed by the name of the function its call tests call, where neither it nor its starter code
    names it (DeepCoder's TACO and PrimeIntellect rows keep ``fn_name`` in their tests only, and NeMo RL's prompt
    adds it), or of the row's ``entry`` point that its asserts call (OpenCoder's educational_instruct: "Write a
    python function to ..." beside ``testcase`` asserts of ``max_product``): without it a right program under
    another name failed, and the name a rollout guessed was mined as the pivot."""
    name = program.fn_name if program.format == "call" else None
    if program.format == "script" and not program.as_text and isinstance(entry, str) and entry.strip().isidentifier() \
            and re.search(rf"(?<![\w.]){re.escape(entry.strip())}\s*\(", program.tests):
        name = entry.strip()
    named = name and re.search(rf"(?<![\w.]){re.escape(name)}\s*\(|`{re.escape(name)}`|\b(?:def|function|named|"
                               rf"called)\s+{re.escape(name)}\b", question)  # not Codewars' "Solve..." for solve()
    if not name or named:
        return question
    return f"{question.rstrip()}\n\nWrite the solution as a Python function named `{name}`: the tests call it."


PASSAGE_KEYS = ("context", "passage", "article", "body", "flores_passage", "dialogue", "paragraph")
"""Columns holding the text a question is about (LogiQA's ``context``, BoolQ's ``passage``, RACE's ``article``,
SVAMP's ``Body``, PubMedQA's ``context`` of abstract sections, Belebele's ``flores_passage``, DREAM's ``dialogue``, a
list of its turns, MultiRC's ``paragraph``; in any case): shown before the question, which alone ("Which must be
true?") cannot be answered."""
CHOICES_PASSAGE_KEYS = ("text", "hint", "support")
"""A multiple-choice row's passage beside its question, where it does not hold the question: LogiQA 2.0's ``text``,
ScienceQA's ``hint`` (the context its paper's prompt shows), SciQ's ``support`` (the paragraph its question was written
from, which lm-eval's prompt shows). Elsewhere a ``text`` column may be anything (a row's whole text, its answer
included), and a ``hint`` may give the answer away."""


def _passage_text(value: Any) -> str | None:
    """A passage column's text: a text, a list of texts (DREAM's dialogue turns), or PubMedQA's abstract,
    ``{"contexts": [its sections' texts], "labels", "meshes"}``, a line each; None for anything else."""
    parts = value.get("contexts") if isinstance(value, dict) else value
    if isinstance(parts, list) and parts and all(isinstance(x, str) for x in parts):
        return "\n".join(x.strip() for x in parts)
    return value if isinstance(value, str) else None


def with_passage(row: dict, question: str, question_column: str) -> str:
    """The question after the passage it asks about, where the row keeps one apart (:data:`PASSAGE_KEYS`, or in a
    multiple-choice row :data:`CHOICES_PASSAGE_KEYS`) and the question does not already hold it."""
    k = _first_column(row, PASSAGE_KEYS, lambda k: k != question_column and _passage_text(row.get(k)) is not None)
    if k is None and (any(row.get(c) is not None for c in CHOICES_KEYS) or
                      all(isinstance(row.get(c), str) for c in SCIQ_ANSWERS)):
        k = _first_column(row, CHOICES_PASSAGE_KEYS, lambda k: k != question_column and isinstance(row.get(k), str)
                          and bool(row[k].strip()) and question.strip() not in row[k])  # else the row's whole text
    passage = None if k is None else _passage_text(row[k])
    if passage is None or not passage.strip() or passage.strip() in question:
        return question
    return f"{passage.strip()}\n\n{question.lstrip()}"


IMAGE_KEYS = ("image", "images", "picture", "image_1", "decoded_image")
"""Columns holding a figure a question asks about (Humanity's Last Exam's ``image``, TheoremQA's ``Picture``,
OlympiadBench's ``image_1``, MathVista's ``decoded_image``; in any case): a row with one needs a picture no text
model sees."""


def _given_image(value: Any) -> bool:
    """Whether a picture column holds a picture: a data URL or path, its bytes (the Hub's image feature,
    ``{"bytes", "path"}``), a decoded image, or a list of those; not None, empty text or an empty feature."""
    if isinstance(value, dict):
        return any(_given_image(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_given_image(v) for v in value)
    return value is not None and not (isinstance(value, str) and not value.strip()) and \
        not isinstance(value, (bool, int, float))  # a count or a flag ("picture": 0) is no picture


HISTORY_KEY = "history"
"""LLaMA-Factory's Alpaca rows' earlier turns of a conversation: ``[[instruction, response], ...]``."""


def _history(row: dict) -> int:
    """How many earlier turns a row's :data:`HISTORY_KEY` holds (0 where it holds none, or no such pairs)."""
    turns = _maybe_json(row.get(HISTORY_KEY))
    if not isinstance(turns, list) or not all(isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t)
                                              for t in turns):
        return 0
    return len(turns)


CRUXEVAL_KEYS = ("code", "input", "output")
"""CRUXEval's row: a function ``f``, an input (the text of its arguments) and the output it returns."""


def _cruxeval(row: dict) -> bool:
    return all(isinstance(row.get(k), str) and row[k].strip() for k in CRUXEVAL_KEYS) and \
        bool(re.search(r"^def f\(", row["code"], re.M))


OCR_KEYS = ("input", "output", "dataset", "split")
"""OpenCodeReasoning's columns: a model's solution (``output``) to a problem of another dataset (``dataset``,
``split``), whose statement ``input`` holds (or "-" in its second split), beside none of that problem's tests."""


def _opencodereasoning(row: dict) -> bool:
    return all(isinstance(row.get(k), str) and row[k].strip() for k in OCR_KEYS) and "solution" in row


def _cruxeval_asked(row: dict, fields: "FieldMap") -> bool:
    """A CRUXEval row asked as its prompt asks it (``--question-field code --answer-field output`` or ``input``)."""
    return fields.question == "code" and fields.answer in ("input", "output") and _cruxeval(row)


def with_input(row: dict, question: str, question_column: str, answer_column: str | None = None) -> str:
    """An Alpaca-format row's instruction followed by its ``input`` (what the instruction works on: "Add the two
    numbers." / "2 and 3"), as Alpaca's prompt shows both, where the instruction does not already hold it; a
    CRUXEval row's code followed by the assertion its prompt completes (``assert f('abc') == ??`` where the output is
    the answer, ``assert f(??) == 'cba'`` where the input is): the code alone asks nothing."""
    if question_column == "code" and answer_column in ("input", "output") and _cruxeval(row):
        call = f"f({row['input'].strip()}) == ??" if answer_column == "output" else f"f(??) == {row['output'].strip()}"
        return f"{question.rstrip()}\n\nassert {call}"
    k = _first_column(row, ("input",), lambda k: isinstance(row.get(k), str)) \
        if question_column.lower() == "instruction" else None
    given = row[k].strip() if k is not None else ""
    return f"{question.rstrip()}\n\n{given}" if given and given not in question else question


CHOICES_KEYS = ("choices", "options", "endings")
LISTED_CHOICE = "choice"
"""DREAM's choices: a list of texts in ``choice``, its ``answer`` the right one's text (elsewhere a ``choice`` column
may be the one chosen: read only as a list of several texts)."""
"""Columns holding a multiple-choice problem's choices, tried in order (MMLU's ``choices``, MMLU-Pro's and AQuA's
``options``, HellaSwag's ``endings``); a list of texts, or ARC's ``{"text": [...], "label": [...]}``."""
CHOICE_LABEL_KEY = "label"
"""A multiple-choice row's right choice where its answer column is empty (AGIEval's own files: ``label`` "C",
``answer`` null; their cloze rows have an ``answer`` and no choices). Elsewhere ``label`` may be a class, never read
as the answer."""
LISTED_ANSWERS = "answers"
"""ReClor's and QuAIL's choices: a list of texts in ``answers``, the right one's 0-based index in a column of
:data:`LISTED_INDEXES` (elsewhere ``answers`` are the accepted answers, SQuAD's ``{"text": [...], "answer_start":
[...]}``: never choices)."""


LISTED_INDEXES = ("label", "correct_answer_id")
"""The column naming the right one of :data:`LISTED_ANSWERS` by its 0-based index: ReClor's ``label``, QuAIL's
``correct_answer_id``."""


def _listed_choices(row: dict) -> str | None:
    """The index column of a row that keeps its choices as ReClor and QuAIL do (:data:`LISTED_ANSWERS` beside one of
    :data:`LISTED_INDEXES`), else None."""
    texts = _maybe_json(row.get(LISTED_ANSWERS))
    if not (isinstance(texts, list) and len(texts) > 1 and all(isinstance(t, str) for t in texts)):
        return None
    return next((k for k in LISTED_INDEXES if k in row), None)


AID_ANSWER = "ra"
"""HEAD-QA's right answer: the ``aid`` of one of its :data:`LISTED_ANSWERS`, ``[{"aid": 1, "atext": ...}]``."""


def _aid_choices(row: dict) -> bool:
    """Whether a row keeps its choices as HEAD-QA does: :data:`LISTED_ANSWERS` of ``{"aid", "atext"}`` beside
    :data:`AID_ANSWER`."""
    texts = row.get(LISTED_ANSWERS)
    return AID_ANSWER in row and isinstance(texts, list) and len(texts) > 1 and \
        all(isinstance(t, dict) and {"aid", "atext"} <= t.keys() for t in texts)


def _names_choice(value: Any) -> bool:
    """Whether a :data:`CHOICE_LABEL_KEY` value names choices by their letters (AGIEval's "C", or its multiple-answer
    rows' ["A", "C"]; EleutherAI/logiqa's "c", in lower case), not a class ("entailment") or anything else."""
    values = value if isinstance(value, list) and value else [value]
    return all(isinstance(v, str) and re.fullmatch(r"\(?[A-Za-z]\)?", v.strip()) for v in values)


GOLD_KEY = "gold"
"""The 0-based index of a multiple-choice row's right choice where it has no answer column, a list of one (lm-eval's
AGIEval rows, hails/agieval-*: ``query``, ``choices``, ``gold`` [2]) or a number."""
INDEX_ANSWERS = {"endings": "label"}
"""The column naming the right choice by its 0-based index where the choices come from a column of these (HellaSwag's
``label``, a text: "3"; ReClor's and QuAIL's: :data:`LISTED_INDEXES`)."""


_INLINE_CHOICES = re.compile(r"(?:^|\s,\s)([a-eA-E])\s?\)\s")
"""Where a one-string choices cell (MathQA's ``options``) starts each lettered choice."""


def _choices(value: Any) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """A choices cell as (texts, labels): labels only where the row gives its own (ARC's "1".."4" or "A".."E", MedQA's
    dict keyed by letters, bigbio/med_qa's list of ``{"key", "value"}``). Raises ValueError naming what is wrong."""
    if value is None:
        return None, None
    value = _maybe_json(value) if isinstance(value, str) and value.lstrip().startswith(("[", "{")) else value
    labels = None
    if isinstance(value, dict) and set(value) >= {"text"}:
        value, labels = value["text"], value.get("label")
    elif isinstance(value, dict) and len(value) > 1 and all(isinstance(k, str) and re.fullmatch(r"[A-Z]", k.strip())
                                                             for k in value):  # MedQA's {"A": ..., "D": ...}
        labels = sorted(value, key=str.strip)
        value = [value[k] for k in labels]
    elif isinstance(value, list) and len(value) > 1 and all(isinstance(c, dict) and c.keys() == {"key", "value"}
                                                            for c in value):  # bigbio/med_qa's [{"key", "value"}]
        value, labels = [c["value"] for c in value], [c["key"] for c in value]
    elif isinstance(value, list) and len(value) > 1 and all(isinstance(c, dict) and {"aid", "atext"} <= c.keys()
                                                            for c in value):  # HEAD-QA's [{"aid", "atext"}]
        value, labels = [c["atext"] for c in value], [c["aid"] for c in value]
    if isinstance(value, str):
        parts = _INLINE_CHOICES.split(value.strip())  # MathQA: "a ) 38 , b ) 27.675 , c ) 30 , ..."
        if len(parts) > 4 and not parts[0] and [x.lower() for x in parts[1::2]] == list("abcde"[:len(parts) // 2]):
            value, labels = [x.strip() for x in parts[2::2]], parts[1::2]
        else:
            value = [value]
    if hasattr(value, "tolist"):  # a numpy array, as pandas reads a list cell
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not all(_is_scalar(c) for c in value):
        raise ValueError(f"must be a list of strings (or ARC's {{'text': [...], 'label': [...]}}), got "
                         f"{type(value).__name__}")
    if labels is not None:
        labels = labels.tolist() if hasattr(labels, "tolist") else labels
        if not isinstance(labels, (list, tuple)) or len(labels) != len(value) or not all(map(_is_scalar, labels)):
            raise ValueError("has labels that are not one per choice")
        labels = tuple(str(x).strip() for x in labels)
    return tuple(str(c) for c in value), labels


GPQA_ANSWERS = ("Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")
"""GPQA's choices: its right answer and three wrong ones, each in a column of its own."""
SCIQ_ANSWERS = ("correct_answer", "distractor1", "distractor2", "distractor3")
"""SciQ's choices, likewise."""
COLUMN_CHOICES = ((("opa", "opb", "opc", "opd"), "cop", 0), (("sol1", "sol2"), "label", 0),
                  (("answerA", "answerB", "answerC"), "label", 1), (("answer0", "answer1", "answer2", "answer3"),
                                                                   "label", 0), (("option1", "option2"), "answer", 1),
                  (("mc_answer1", "mc_answer2", "mc_answer3", "mc_answer4"), "correct_answer_num", 1),
                  (("choice1", "choice2"), "label", 0), (("ending0", "ending1", "ending2", "ending3"), "label", 0))
"""Choices each in a column of its own, in their order, with the column naming the right one by its index and what
that counts from: MedMCQA's ``cop`` (its Hugging Face rows' class a-d, from 0; its first release's JSON counts 1-4),
PIQA's ``label`` (from 0), Social IQa's ``label`` (from 1, as text), Cosmos QA's ``label`` (from 0), WinoGrande's
``answer`` (from 1, as text: the option that fills the sentence's blank), Belebele's ``correct_answer_num`` (from 1,
as text), COPA's and XCOPA's ``label`` (from 0), SWAG's ``label`` (from 0)."""
COPA_QUESTIONS = {"cause": "What was the cause of this?", "effect": "What happened as a result?"}
"""COPA's (and XCOPA's) ``question``, one word naming what its choices are to its ``premise``, as the question asked
(its paper's "What was the CAUSE of this?")."""


def with_premise(row: dict, question: str) -> str:
    """A COPA row's question: its ``premise`` and what is asked of it (:data:`COPA_QUESTIONS`); the word "cause"
    alone asks nothing. Any other question as it is."""
    asked = COPA_QUESTIONS.get(question.strip().lower())
    premise = row.get("premise")
    if asked is None or not isinstance(premise, str) or not premise.strip():
        return question
    return f"{premise.strip()} {asked}"


TARGETS_KEY = "mc1_targets"
"""TruthfulQA's multiple-choice targets: ``{"choices": [...], "labels": [1, 0, ...]}``, one choice labelled 1 (its
``mc2_targets`` label several: no one reference)."""


REDUX_ERROR, REDUX_CORRECTION = "error_type", "correct_answer"
"""MMLU-Redux's re-annotation of an MMLU row: its ``error_type`` ("ok", "wrong_groundtruth", "no_correct_answer",
"multiple_correct_answers", "bad_question_clarity", ...) and, where MMLU's ``answer`` is wrong, the right one in
``correct_answer`` (an index or a letter)."""


def _redux_answer(row: dict, choices: tuple[str, ...]) -> Any:
    """The right answer of an MMLU-Redux row whose ``answer`` is wrong (its ``correct_answer``, as lm-eval reads it),
    a :class:`Skip` message for a row that has none, or None where the row is no MMLU-Redux row or its ``answer``
    stands."""
    kind, fix = row.get(REDUX_ERROR), row.get(REDUX_CORRECTION)
    if not isinstance(kind, str) or REDUX_CORRECTION not in row or not kind.strip() or kind.strip() == "ok":
        return None
    text = str(fix).strip() if _is_scalar(fix) else ""
    if kind.strip() == "wrong_groundtruth" and re.fullmatch(r"\d+", text) and int(text) < len(choices):
        return int(text)
    if kind.strip() == "wrong_groundtruth" and re.fullmatch(r"[A-Z]", text) and ord(text) - 65 < len(choices):
        return text
    why = f"and no '{REDUX_CORRECTION}' naming a choice ({fix!r})" if kind.strip() == "wrong_groundtruth" else \
        "(MMLU's question or choices are faulty)"
    return Skip(f"its {REDUX_ERROR} is {kind.strip()!r} {why}: MMLU-Redux's mark of a row whose MMLU answer is no "
                f"reference; drop the row (keep rows whose {REDUX_ERROR} is 'ok', or 'wrong_groundtruth' with a "
                f"{REDUX_CORRECTION}, as lm-eval does)", "no answer to judge")


OPTION_PREFIX = "option_"
"""Choices each in a column named by its letter or index after this (Global-MMLU's ``option_a``..``option_d``,
MMLU-ProX's ``option_0``..``option_9``), the answer their letter."""


def _column_choices(row: dict, question: str, answer: Any = None,
                    answer_column: str | None = None) -> tuple[tuple[str, ...], str | None, str | None, int] | None:
    """A row's choices kept each in a column of its own: (the choices, the right one's letter, None, 0) where the right
    answer has a column of its own (GPQA, SciQ; TruthfulQA's :data:`TARGETS_KEY`: listed in an order drawn from the
    question, the same on every load and machine, as GPQA's evaluations shuffle them; listed as given, the right
    answer would be A in every problem), or
    (the choices, None, the column naming the right one by its index, what that index counts from) (MedMCQA, PIQA
    from 0, Social IQa from 1), or (the choices, None, None, 0) where each is in a column named by its letter and the
    row's ``answer`` is one of those letters (C-Eval, CMMLU, MMLU's CSV files), or (the choices, None,
    ``answer_column``, 1) where its answer is a number, counted from 1 (KMMLU's and KorMedMCQA's, as lm-eval reads
    them: their exams number the options); None where the row has none."""
    targets = _maybe_json(row.get(TARGETS_KEY))
    targets = targets if isinstance(targets, dict) else {}
    mc1, marks = targets.get("choices"), targets.get("labels")
    if isinstance(mc1, list) and isinstance(marks, list) and len(mc1) == len(marks) > 1 and \
            sorted(marks) == [0] * (len(marks) - 1) + [1]:
        right = marks.index(1)  # TruthfulQA's is always the first: listed in the drawn order, as GPQA's are
        mc1 = [mc1[right], *mc1[:right], *mc1[right + 1:]]
    else:
        mc1 = None
    texts, scores = row.get(BIGBENCH_CHOICES), row.get(BIGBENCH_SCORES)
    if isinstance(texts, list) and len(texts) > 1 and all(isinstance(t, str) and t.strip() for t in texts) and \
            isinstance(scores, list) and len(scores) == len(texts) and sorted(scores) == [0] * (len(texts) - 1) + [1]:
        return tuple(t.strip() for t in texts), ascii_uppercase[scores.index(1)], None, 0  # BIG-bench's, in order
    for names in (GPQA_ANSWERS, SCIQ_ANSWERS, None):
        texts = [row.get(k) for k in names] if names is not None else mc1
        if texts and all(isinstance(t, str) and t.strip() for t in texts):
            order = sorted(range(len(texts)), key=lambda i: hashlib.sha256(f"{i}\0{question}".encode()).digest())
            return tuple(texts[i].strip() for i in order), ascii_uppercase[order.index(0)], None, 0
    for names, index, base in COLUMN_CHOICES:
        texts = [row.get(k) for k in names]
        if index in row and all(_is_scalar(t) and str(t).strip() for t in texts):
            return tuple(str(t).strip() for t in texts), None, index, base
    lettered = []
    for x in ascii_uppercase:  # columns A, B, C, ... up to the first missing one
        if not (_is_scalar(row.get(x)) and str(row[x]).strip()):
            break
        lettered.append(x)
    if len(lettered) > 1 and isinstance(answer, str) and answer.strip().upper() in lettered:
        return tuple(str(row[x]).strip() for x in lettered), None, None, 0
    counted = isinstance(answer, numbers.Integral) and not isinstance(answer, bool) and 0 <= answer <= len(lettered)
    if len(lettered) > 1 and counted and answer_column is not None:  # KMMLU's answer 2 is B, as lm-eval reads it
        return tuple(str(row[x]).strip() for x in lettered), None, answer_column, 1
    # Global-MMLU's option_a..option_d, MMLU-ProX's option_0..option_9, ArabicMMLU's 'Option 1'..'Option 5'
    for prefix, names in ((OPTION_PREFIX, ascii_lowercase), (OPTION_PREFIX, "0123456789"), ("option ", "123456789")):
        texts = []
        for x in names:
            k = _first_column(row, (f"{prefix}{x}",), lambda k: _is_scalar(row.get(k)) and str(row[k]).strip())
            if k is None:
                break
            texts.append(str(row[k]).strip())
        if len(texts) > 1 and isinstance(answer, str) and answer.strip().upper() in ascii_uppercase[:len(texts)]:
            return tuple(texts), None, None, 0
    return None


def _stem_choices(parts: Any) -> Any:
    """The choices of a question nested as ``{"stem", "choices": [{"label", "text"}]}`` (the ARC, OpenBookQA and
    CommonsenseQA files their authors publish) in ARC's Hugging Face shape, ``{"text": [...], "label": [...]}``;
    anything else as it is, read as a choices column's cell (:func:`_choices`)."""
    if not (isinstance(parts, list) and parts and all(isinstance(c, dict) and "text" in c for c in parts)):
        return parts
    texts = [c["text"] for c in parts]
    return {"text": texts, "label": [c["label"] for c in parts]} if all("label" in c for c in parts) else texts


def _index_letter(value: Any, column: str, choices: tuple[str, ...], base: int = 0) -> str:
    """The letter of the choice a dataset's index column names, counted from ``base`` (0: ``3`` or HellaSwag's
    ``"3"``; 1: Social IQa's ``"1"``); raises ValueError (-1, or empty: a test split's rows, which have no answer) or
    IndexError (past the last choice) saying why it names none."""
    text = str(value).strip() if _is_scalar(value) else ""
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"field {column!r} (the index of the right choice) is {value!r}, not a choice's index: the "
                         f"row has no answer (a test split's rows have none: use its validation split) - drop the row")
    i = int(text)
    if i == 0 and base == 1:
        raise ValueError(f"field {column!r} (the 1-based index of the right choice, as KMMLU counts its choices) is "
                         f"0, which names no choice: a file counting from 0 has every row's {column} one too low - "
                         f"add 1 to each, or give the right choice's letter")
    if i < base:
        raise ValueError(f"field {column!r} (the index of the right choice) is {i}: the row has no answer (a test "
                         f"split's rows have none: use its validation split) - drop the row")
    if i - base >= len(choices):
        hint = " (MedMCQA's first release counts its options 1-4, its Hugging Face rows 0-3: subtract 1 from each " \
               "row's cop, or load openlifescienceai/medmcqa)" if column == "cop" else \
            f" (counted from 0, as MMLU's answer is: a file that counts from 1 has every row's {column} one too " \
            f"high - subtract 1 from each, or give the right choice's letter)"
        raise IndexError(f"field {column!r} (the {base}-based index of the right choice) is {i}, but the row has "
                         f"{len(choices)} choices{hint if base == 0 else ''}; fix the row or drop it")
    return ascii_uppercase[i - base]


def _choice_letter(answer: Any, choices: tuple[str, ...] | None, labels: tuple[str, ...] | None) -> Any:
    """The reference as the letter of its choice where the row names the choice otherwise: by its own label (ARC's
    "3") or, as an integer, by its 0-based index (MMLU's ``answer``, MMLU-Pro's ``answer_index``); else as given."""
    if not choices or answer is None or isinstance(answer, bool):
        return answer
    own = labels and labels != tuple(ascii_uppercase[:len(labels)])  # ARC's "1".."4", not letters already
    if own and _is_scalar(answer) and str(answer).strip() in labels:  # "3", or 3 where a file wrote it as a number
        return ascii_uppercase[labels.index(str(answer).strip())]
    if isinstance(answer, numbers.Integral) and 0 <= int(answer) < min(len(choices), len(ascii_uppercase)):
        return ascii_uppercase[int(answer)]
    return answer


BOOLQ_LABEL = "label"
"""super_glue BoolQ's answer, google/boolq's true/false kept as a class: 0 (False) or 1 (True)."""


def _boolq_label(row: dict, fields: FieldMap) -> bool | None:
    """A super_glue BoolQ row's :data:`BOOLQ_LABEL` as its true/false answer (read as google/boolq's ``answer`` is),
    where the row is BoolQ's (a question about its ``passage``, no choices) and its answer is read from that column or
    from none it has; else None (elsewhere a label is a class, never read as the answer)."""
    v = row.get(BOOLQ_LABEL)
    if fields.code or not fields.answer or isinstance(v, bool) or not isinstance(v, numbers.Real) or v not in (0, 1):
        return None
    if fields.answer in row and fields.answer != BOOLQ_LABEL or any(k in row for k in CHOICES_KEYS):
        return None
    return bool(v) if isinstance(row.get("passage"), str) and isinstance(row.get(fields.question), str) else None


MULTIPLE_ANSWER_KEY = "is_multiple_answer"
"""OlympiadBench's mark of a row whose listed ``final_answer`` is one answer of several parts, every one needed."""
ANSWER_TYPE_KEY = "answer_type"
"""The column saying what kind of answer a row's is (TheoremQA's ``Answer_type``: "integer", "float", "bool", "list
of integer", "list of float", "option")."""


TOLERANCE_KEY = "error"
"""OlympiadBench's column of the absolute tolerance its judge allows a numerical answer (``"1e-1"``, one a part:
``"0.01,0.1"``), empty where it wants the value itself."""


def _olympiad_tolerance(row: dict) -> str | None:
    """The tolerance an OlympiadBench row gives its answer (its ``error`` beside ``is_multiple_answer``), else None:
    another dataset's ``error`` column may be anything."""
    value = row.get(TOLERANCE_KEY)
    if MULTIPLE_ANSWER_KEY not in row or not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    text = str(value).strip()
    try:
        return text if text and any(float(x) > 0 for x in text.split(",") if x.strip()) else None
    except ValueError:
        return None


def _theoremqa_float(row: dict) -> bool:
    """Whether a TheoremQA row (its ``Answer_type`` beside its ``Picture`` column) has a rounded float answer, or a
    list of them, which its judge compares within 4% (``within_eps``, item by item)."""
    k = _first_column(row, (ANSWER_TYPE_KEY,), lambda k: isinstance(row.get(k), str))
    return k is not None and _first_column(row, ("picture",), lambda k: k in row) is not None and \
        row[k].strip().lower() in ("float", "list of float")


def _list_answer(row: dict) -> bool:
    """Whether the row says its answer is a list (TheoremQA's "list of integer"): a list in its answer column is then
    that one answer, ``[0, 5]``, not several answers to choose from."""
    k = _first_column(row, (ANSWER_TYPE_KEY,), lambda k: isinstance(row.get(k), str))
    return k is not None and row[k].strip().lower().startswith("list")


def with_choices(question: str, choices: tuple[str, ...]) -> str:
    """The question followed by its choices, lettered (A. ..., B. ...), where it does not list them already: the
    multiple-choice oracle reads the letter the model names, which it can name only when it sees them."""
    letters = ascii_uppercase[:len(choices)]
    if all(re.search(rf"(?m)^\s*\(?{x}[.):]", question) for x in letters):
        return question
    if all(re.match(rf"\s*\(?{x}\s*[.):]", c) and c.strip() in question for x, c in zip(letters, choices)):
        return question  # lettered as given, on the question's one line (AGIEval's "Answer Choices: (A)4 (B)6")
    lines = [c.strip() if re.match(rf"\s*\(?{x}\s*[.):]", c) else f"{x}. {c.strip()}" for x, c in zip(letters, choices)]
    return f"{question.rstrip()}\n\n" + "\n".join(lines)


def problem_from_row(row: dict, n: int, fields: FieldMap, source: str | None = None) -> tuple[Problem | None,
                                                                                              Skip | None]:
    """Build a Problem from one row, or return why the row is skipped (row number ``n``, 1-based)."""
    keys = sorted(row, key=str)
    rid = row.get(fields.id) if fields.id else None
    where = f"row {n}" + (f" (id {rid!r})" if _is_scalar(rid) else "")
    shown_id = str(rid) if _is_scalar(rid) else None

    def skip(reason: str, msg: str) -> tuple[None, Skip]:
        return None, Skip(f"{where}: {msg}", reason, source=source, row=n, id=shown_id)

    def missing(f: str, flag: str) -> tuple[None, Skip]:
        headless = "" if not str(source).lower().endswith((".csv", ".tsv")) or f != fields.question else \
            "; if the file has no header row, its first row's cells were taken for the column names: add a header " \
            "line naming the columns (MMLU's files: question,A,B,C,D,answer)"
        if f == fields.question and _cruxeval(row):
            headless += "; CRUXEval's rows (code, input, output): --question-field code --answer-field output asks " \
                        "what f returns on the row's input (--answer-field input: what input gives its output)"
        if f == fields.question and _opencodereasoning(row):
            headless += f"; the row is OpenCodeReasoning's, a solution to a problem of dataset " \
                        f"{row['dataset'].strip()!r} (split {row['split'].strip()!r}) that carries none of its " \
                        f"tests (and in its second split not its statement, 'input' '-'): load the problems from " \
                        f"that dataset"
        return skip("missing field", f"missing field {f!r} (row has {keys}); fix the row or name the right column "
                                     f"with {flag}{headless}")

    bad = _lone_surrogate(row)
    if bad:
        return skip("invalid text", f"field {bad} is a lone surrogate, not text (a broken emoji or other character "
                                    f"cut in half); fix or delete that character")
    if rid is not None and not _is_scalar(rid):
        return skip("wrong type", f"field {fields.id!r} (the id) is of type {type(rid).__name__}; ids must be "
                                  f"strings or numbers")
    q = row.get(fields.question)
    if fields.question not in row:
        return missing(fields.question, "--question-field")
    system = reply = stem_choices = None
    if isinstance(q, list) and q and all(isinstance(x, str) for x in q):  # LiveBench's 'turns': the user's messages
        if len(q) != 1:
            return skip("wrong type", f"field {fields.question!r} (the question) holds {len(q)} user turns of a "
                                      f"conversation; ptsfast mines one question: keep the rows of one turn")
        q = q[0]
    elif isinstance(q, list):
        try:
            q, system, reply = question_from_chat(q)
        except ValueError as e:
            return skip("wrong type", f"field {fields.question!r} (the question) {e}")
    elif isinstance(q, dict) and isinstance(q.get("stem"), str) and not fields.code:
        q, stem_choices = q["stem"], _stem_choices(q.get("choices"))  # ARC's, OpenBookQA's, CommonsenseQA's own files
    if q is not None and not _is_scalar(q):
        return skip("wrong type", f"field {fields.question!r} (the question) is of type {type(q).__name__}, not text")
    if q is None or not str(q).strip():
        return skip("empty field", f"field {fields.question!r} is empty; give the question text")
    picture = _first_column(row, IMAGE_KEYS, lambda k: k != fields.question and _given_image(row.get(k)))
    if picture is not None:
        return skip("needs an image", f"field {picture!r} holds a picture the question asks about (Humanity's Last "
                                      f"Exam's, TheoremQA's and OlympiadBench's figures), which a text model is never "
                                      f"shown: it would be judged on a question it cannot see; drop the row (keep "
                                      f"the rows whose {picture!r} is empty)")
    turns = _history(row) if not isinstance(row[fields.question], list) else 0
    if turns:
        return skip("wrong type", f"field {HISTORY_KEY!r} holds {turns} earlier turn{'s' * (turns != 1)} of the "
                                  f"conversation (LLaMA-Factory's Alpaca rows), which field {fields.question!r} "
                                  f"follows up; ptsfast mines one question: keep the rows whose history is empty, or "
                                  f"write the turns into the question")
    if not fields.code and not isinstance(row[fields.question], list):  # a chat is the whole prompt as given
        q = with_input(row, with_passage(row, with_premise(row, str(q)), fields.question), fields.question,
                       fields.answer)
    elif _cruxeval_asked(row, fields):  # judged by running f (--oracle code): the assertion asked all the same
        q = with_input(row, str(q), fields.question, fields.answer)
    choices_field = None if fields.code or not fields.choices else fields.choices \
        if fields.choices in row or fields.choices != "choices" else next((k for k in CHOICES_KEYS if k in row), None)
    if choices_field is None and fields.choices == "choices" and not fields.code and _listed_choices(row):
        choices_field = LISTED_ANSWERS  # ReClor's and QuAIL's 'answers', named by an index column
    if choices_field is None and fields.choices == "choices" and not fields.code and _aid_choices(row):
        choices_field = LISTED_ANSWERS  # HEAD-QA's 'answers', named by 'ra'
    listed = row.get(LISTED_CHOICE)
    if choices_field is None and fields.choices == "choices" and not fields.code and isinstance(listed, list) and \
            len(listed) > 1 and all(isinstance(c, str) and c.strip() for c in listed):
        choices_field = LISTED_CHOICE  # DREAM's
    if stem_choices is not None:
        choices_field = f"{fields.question}.choices"
    try:
        choices, labels = _choices(stem_choices if stem_choices is not None else
                                   row.get(choices_field) if choices_field else None)
    except ValueError as e:
        return skip("wrong type", f"field {choices_field!r} (the choices) {e}")
    if choices and len(choices) > len(ascii_uppercase):
        return skip("wrong type", f"field {choices_field!r} (the choices) holds {len(choices)} choices; they are "
                                  f"named by the letters A-Z, {len(ascii_uppercase)} at most (the rest would be "
                                  f"left out of the prompt): drop the row")
    if choices and len(choices) == 1:  # a list of one, or a text no choice format splits ("a ) 38", lines)
        return skip("wrong type", f"field {choices_field!r} (the choices) holds one choice, {choices[0][:60]!r}: a "
                                  f"model passes such a question by naming its letter, whatever it computes; give "
                                  f"the choices as a list of at least two, or drop the row")
    if PLATINUM_TARGET in row and fields.answer not in (None, PLATINUM_TARGET) and "answer" in _detected(fields):
        fields = replace(fields, answer=PLATINUM_TARGET)  # the re-annotated reference, beside the original's
    same = fields.answer == fields.question  # --answer-field naming the question's column: a chat's reply, or nothing
    if same and not isinstance(row[fields.question], list) and not fields.code:
        other = _first_column(row, ANSWER_KEYS, lambda k: k != fields.question and _is_scalar(row.get(k)) and
                              bool(str(row[k]).strip()))
        other = f"; the row's {other!r} has one: name it with --answer-field {other}" if other else ""
        return skip("wrong type", f"field {fields.question!r} is both the question and the reference answer "
                                  f"(--answer-field names the question's column): every question would be its own "
                                  f"answer{other}")
    raw_answer = row.get(fields.answer) if fields.answer and not same else None
    if _boolq_label(row, fields) is not None:  # super_glue's BoolQ
        raw_answer = _boolq_label(row, fields)
    from_reply = reply is not None and raw_answer is None and bool(fields.answer) and not fields.code
    if from_reply:  # an SFT row's reference
        raw_answer = reply
    redux = _redux_answer(row, choices) if choices and fields.answer != REDUX_CORRECTION else None
    if isinstance(redux, Skip):
        return skip("no answer to judge", redux)
    raw_answer = raw_answer if redux is None else redux
    index = (_listed_choices(row) if choices_field == LISTED_ANSWERS else INDEX_ANSWERS.get(choices_field)) \
        if choices else None
    if choices_field == LISTED_ANSWERS and _aid_choices(row) and raw_answer is None and fields.answer:
        if not _is_scalar(row[AID_ANSWER]) or str(row[AID_ANSWER]).strip() not in labels:
            return skip("wrong type", f"field {AID_ANSWER!r} (the aid of the right answer, HEAD-QA's) is "
                                      f"{row[AID_ANSWER]!r}, none of the aids of the row's answers {list(labels)}; "
                                      f"fix the row or drop it")
        fields, raw_answer = replace(fields, answer=AID_ANSWER), str(row[AID_ANSWER]).strip()
    base = 0
    own = _column_choices(row, str(q), raw_answer, fields.answer if fields.answer in row else None) \
        if choices is None and not fields.code else None
    if own is not None:
        choices, letter, index, base = own
        big = letter is not None and fields.answer == BIGBENCH_TARGETS  # its letter, not its targets' text
        raw_answer = letter if fields.answer not in row or big else raw_answer
    if index is not None and fields.answer and (fields.answer == index or fields.answer not in row):
        try:
            raw_answer = _index_letter(row.get(index), index, choices, base)
        except (ValueError, IndexError) as e:
            return skip("wrong type" if isinstance(e, IndexError) else "no answer to judge", str(e))
    if raw_answer is None and not choices and "answer" in _detected(fields) and _is_scalar(row.get(ANSWER_NUMBER)) \
            and fields.answer and fields.answer != ANSWER_NUMBER and not fields.code:
        fields, raw_answer = replace(fields, answer=ANSWER_NUMBER), row[ANSWER_NUMBER]  # MGSM's test rows
    if raw_answer is None and choices and index is None and "answer" in _detected(fields) and fields.answer:
        label = _first_column(row, (CHOICE_LABEL_KEY,), lambda k: k != fields.answer and _names_choice(row.get(k)))
        if label is not None:  # AGIEval's multiple-choice rows: 'label' "C", 'answer' null
            fields, raw_answer = replace(fields, answer=label), row[label]
            raw_answer = raw_answer.strip().upper() if isinstance(raw_answer, str) else raw_answer  # logiqa's "c"
    gold = row.get(GOLD_KEY) if raw_answer is None and choices and index is None and fields.answer and \
        "answer" in _detected(fields) else None
    if gold is not None:  # hails/agieval's: 'gold' [2]
        try:
            gold = _maybe_json(gold) if isinstance(gold, str) else gold  # "[2]", as a CSV export writes it
        except ValueError:  # an int of over 4300 digits: no index, said so below
            pass
        picks = gold if isinstance(gold, list) else [gold]
        if len(picks) > 1:
            return skip("wrong type", f"field {GOLD_KEY!r} (the indexes of the right choices) names {len(picks)} "
                                      f"choices (AGIEval's multiple-answer rows): the answer is all of them, which "
                                      f"the multiple-choice oracle cannot judge as one letter; drop the row")
        try:
            fields, raw_answer = replace(fields, answer=GOLD_KEY), _index_letter(picks[0] if picks else None,
                                                                                  GOLD_KEY, choices)
        except (ValueError, IndexError) as e:
            return skip("wrong type" if isinstance(e, IndexError) else "no answer to judge", str(e))
    if isinstance(raw_answer, list) and raw_answer and all(map(_is_scalar, raw_answer)) and _list_answer(row) and \
            not fields.code:
        raw_answer = json.dumps(raw_answer)  # TheoremQA's [0, 5]: the answer is the list, as its judge reads it
    elif isinstance(raw_answer, list) and len(raw_answer) == 1 and _is_scalar(raw_answer[0]) and not fields.code:
        raw_answer = raw_answer[0]  # ["5"]: one reference answer, listed (AGIEval's [2]: one choice's index)
    elif isinstance(raw_answer, list) and len(raw_answer) == 1 and isinstance(raw_answer[0], dict) and \
            _role(raw_answer[0]) == "assistant" and isinstance(_message_text(raw_answer[0]), str) and not fields.code:
        raw_answer = _message_text(raw_answer[0])  # TRL's conversational completion: the one reply
    if isinstance(raw_answer, float) and math.isnan(raw_answer):  # a missing cell as pandas reads it
        raw_answer = None
    elif isinstance(raw_answer, float) and math.isinf(raw_answer):
        return skip("wrong type", f"field {fields.answer!r} (the reference answer) is {raw_answer}: infinite (JSON's "
                                  f"Infinity, or a number past a float's range such as 1e400), no number to judge; "
                                  f"write the answer as text (\"\\infty\", or its digits in quotes) or drop the row")
    elif isinstance(raw_answer, float) and raw_answer.is_integer():  # a float column's 51.0 (and 1e+20) is 51
        raw_answer = _whole(raw_answer)
    named = {c.strip() for c in choices or ()} | set(labels or ())  # an int that is a choice's text or label
    if choices and isinstance(raw_answer, numbers.Integral) and not isinstance(raw_answer, bool) and \
            not 0 <= raw_answer < len(choices) and str(raw_answer) not in named:
        try:  # an index past the choices (a file counting from 1), or -1 (no answer): never the reference "4"
            _index_letter(raw_answer, fields.answer, choices)
        except (ValueError, IndexError) as e:
            return skip("wrong type" if isinstance(e, IndexError) else "no answer to judge", str(e))
    raw_answer = _choice_letter(raw_answer, choices, labels)
    letter = re.fullmatch(r"\(?([A-Za-z])\)?\.?", raw_answer.strip()) \
        if choices and isinstance(raw_answer, str) else None
    if letter and ascii_uppercase.index(letter.group(1).upper()) >= len(choices) and raw_answer.strip() not in named:
        return skip("wrong type", f"field {fields.answer!r} (the reference answer) names choice "
                                  f"{letter.group(1).upper()}, but the row has {len(choices)} choices "
                                  f"(A-{ascii_uppercase[len(choices) - 1]}); fix the answer or the choices, or drop "
                                  f"the row")
    if isinstance(raw_answer, str) and raw_answer.lstrip().startswith(('["', "['")) and not fields.code:
        raw_answer = _listed_answer(raw_answer)
    if isinstance(raw_answer, dict) and isinstance(raw_answer.get("value"), str) and "aliases" in raw_answer and \
            not fields.code:
        raw_answer = raw_answer["value"]  # TriviaQA's answer: its canonical value, beside the aliases
    if isinstance(raw_answer, (list, dict)) and not fields.code:
        what = f"a list of {len(raw_answer)} items" if isinstance(raw_answer, list) else "a dict"
        if isinstance(raw_answer, list) and str(row.get(MULTIPLE_ANSWER_KEY)).strip().lower() in ("true", "1"):
            return skip("wrong type", f"field {fields.answer!r} (the reference answer) is {what}, and the row's "
                                      f"{MULTIPLE_ANSWER_KEY} is true (OlympiadBench's): the answer is all "
                                      f"{len(raw_answer)} of them, which the oracle cannot judge as one (any one "
                                      f"of them would fail a complete answer); drop the row")
        if isinstance(raw_answer, list) and len(raw_answer) > 1 and all(isinstance(x, str) for x in raw_answer):
            return skip("wrong type", f"field {fields.answer!r} (the reference answer) is {what}, {raw_answer[:3]!r}"
                                      f"{' ...' * (len(raw_answer) > 3)}: answers any one of which is right "
                                      f"(nq_open's, TriviaQA's aliases)? The oracles judge against one reference, and "
                                      f"keeping one would judge a rollout giving another wrong; keep the rows of one "
                                      f"answer, or name another --answer-field")
        return skip("wrong type", f"field {fields.answer!r} (the reference answer) is {what}; the oracle judges "
                                  f"against one answer: keep one (e.g. the first) or name another --answer-field")
    if not fields.code and (tolerance := _olympiad_tolerance(row)):
        return skip("no answer to judge", f"the row's error, {tolerance!r}, is the tolerance OlympiadBench's judge "
                                          f"allows its numerical answer; the oracles compare numbers exactly, so a "
                                          f"right answer rounded otherwise fails; keep the rows whose error is empty "
                                          f"or drop this one")
    if not fields.code and _theoremqa_float(row):
        return skip("no answer to judge", "the row's answer type is a float or a list of floats (TheoremQA's): its "
                                          "judge takes a value within 4% of the rounded reference, while the oracles "
                                          "compare exactly, so a right answer rounded otherwise fails; keep the rows "
                                          "of other answer types (integer, bool, option, list of integer) or drop "
                                          "this one")
    ans = _as_text(raw_answer)
    unit = None
    if isinstance(raw_answer, str) and not fields.code and not choices:
        column = fields.question if from_reply else fields.answer
        if (_THOUGHT_OPENS.match(ans) or _opening_trace(ans)) and _closed_trace(ans) is None:
            what = f"the assistant reply of field {column!r}" if from_reply else f"field {column!r}"
            return skip("no answer to judge", f"{what} (the reference answer) opens a reasoning trace that never "
                                              f"closes (a reply cut off at its length limit): it has no answer after "
                                              f"its thinking; drop the row")
        if _closed_trace(ans) is not None and not _after_thinking(ans).strip():
            what = f"the assistant reply of field {column!r}" if from_reply else f"field {column!r}"
            return skip("no answer to judge", f"{what} (the reference answer) closes its reasoning trace with "
                                              f"nothing after its thinking (a reply cut off there): the boxes tried "
                                              f"while thinking are no answer; drop the row")
        ans = _math_delimiters_dropped(_stated_answer(_after_thinking(ans)))
        ans, unit = _unit_read(ans)
        if isinstance(q, str) and len(ans) <= 80:
            ans = _choice_reference(ans, q)
        worked = from_reply or str(column).lower() in SOLUTION_KEYS or _prose(ans)
        if worked and len(boxed := _distinct_boxes(ans)) > 1 and not _one_value(boxed):
            what = f"the assistant reply of field {column!r}" if from_reply else f"field {column!r}"
            shown = ", ".join(f"\\boxed{{{b[:30]}}}" for b in boxed[:3]) + " ..." * (len(boxed) > 3)
            return skip("no answer to judge", f"{what} (the reference answer) is a worked solution boxing "
                                              f"{len(boxed)} different answers ({shown}): one per part of a problem "
                                              f"of several parts? The oracles take its last box alone, so a complete "
                                              f"answer boxing each part fails and one giving only the last part "
                                              f"passes; name a final answer's column with --answer-field, or drop "
                                              f"the row")
        if not _reads_as_answer(ans) and worked:
            what = f"the assistant reply of field {column!r}" if from_reply else f"field {column!r}"
            return skip("no answer to judge", f"{what} (the reference answer) is a worked solution with no final "
                                              f"answer the oracles read in it (no \\boxed{{}}, no '#### ' line, no "
                                              f"'The answer is ...' at its end): every rollout would be judged wrong "
                                              f"against it; name the final answer's column with --answer-field, box "
                                              f"the answer in it, or drop the row")
    constraint = _ifeval_constraint(ans) if not fields.code else None
    if constraint is not None:
        return skip("no answer to judge", f"field {fields.answer!r} (the reference answer) is an instruction-following "
                                          f"constraint, {constraint!r} with its arguments (allenai's RLVR-IFeval and "
                                          f"its mixes), which its verifier function checks in the reply: no answer "
                                          f"an oracle compares; drop these rows (keep the math rows of a mix)")
    unjudged = not fields.code and (
        str(ans).strip().lower() in NO_ANSWER or str(row.get("question_type")).strip().lower() == "proof")
    what = next((k for k in KIND_KEYS if isinstance(row.get(k), str)), None)
    kind = row.get(what) if what else None
    if not fields.code and isinstance(kind, str) and kind.strip().lower() in CODE_KINDS:
        return skip("no answer to judge", f"the row's {what} is {kind.strip()!r}: a code problem, whose ground truth "
                                          f"is its tests, not an answer; mine the code rows with --oracle code and "
                                          f"the others with an answer oracle")
    if not fields.code and str(row.get(CLEANING_STATUS)).strip().lower() == "rejected":
        return skip("no answer to judge", f"its {CLEANING_STATUS} is 'rejected' (Platinum Benchmarks' mark of a "
                                          f"question its re-annotation found ambiguous or wrongly posed): its answer "
                                          f"is no reference; drop the row, as their loaders do")
    marked = next(((k, row[k]) for k in VALIDITY_KEYS if not fields.code and row.get(k) not in (None, "") and
                   str(row[k]).strip().lower() not in ("yes", "true")), None)
    if marked is not None:
        return skip("no answer to judge", f"its {marked[0]} is {marked[1]!r} (NuminaMath-1.5's mark of a problem or "
                                          f"solution its authors found wrong or incomplete): its reference answer "
                                          f"cannot be trusted; drop the row (keep rows whose problem_is_valid and "
                                          f"solution_is_valid are 'Yes', as NeMo RL's loader does)")
    candidate = row.get("idx") if isinstance(row.get("idx"), dict) else {}
    if not fields.code and fields.answer == "answer" and "answer" in candidate and row.get("label") in (0, 1) and \
            not isinstance(row.get("label"), bool) and row["label"] == 0:
        return skip("no answer to judge", "its 'label' is 0: super_glue MultiRC's mark of a candidate answer that is "
                                          "wrong (its rows list candidates, right and wrong, one a row), no reference "
                                          "to judge by; drop the row (keep the rows whose label is 1)")
    voted = str(row.get("problem_type")).strip().lower()
    if not fields.code and voted in VOTED_KINDS and ans is not None:
        return skip("no answer to judge", f"its problem_type is {voted!r} (OpenMathReasoning's mark of a row whose "
                                          f"expected_answer is the majority vote of its generated solutions, not an "
                                          f"answer its source gave): right or wrong, every rollout would be judged "
                                          f"against it; drop the row (keep rows whose problem_type is "
                                          f"'has_answer_extracted'), or drop the problem_type column to judge against "
                                          f"the votes")
    if unjudged and ans is not None:
        what = f"its reference answer is {ans.strip()!r}" if str(ans).strip().lower() in NO_ANSWER else \
            "its question_type is 'proof'"
        return skip("no answer to judge", f"{what} (NuminaMath-1.5's mark of a problem without a final answer to "
                                          f"check): an answer oracle cannot judge it; drop the row (keep rows whose "
                                          f"answer is not 'proof' or 'notfound' and whose question_type is not "
                                          f"'proof')")
    tests = next((_as_text(row[f]) for f in fields.tests_fields if row.get(f) is not None), None)
    starter = row.get(STARTER_KEY) if fields.code else None
    if isinstance(starter, str) and starter.strip() and starter.strip() not in str(q):
        # APPS, TACO and LiveCodeBench keep the function to write apart from the question; their call-based tests
        # call it by that name, so the model must see it
        q = f"{str(q).rstrip()}\n\nComplete this starter code:\n```python\n{starter.strip()}\n```"
    if fields.code:
        q = with_declarations(row, with_example_tests(row, with_statement_parts(row, str(q))))
        prompt = row.get("prompt") if isinstance(row.get("prompt"), str) else str(q)
        try:
            program = evalplus_program(row, fields.entry_point) if is_raw_evalplus(row) else \
                cruxeval_program(row["code"], row["input" if fields.answer == "output" else "output"], fields.answer) \
                if _cruxeval_asked(row, fields) else \
                test_program_from_row(row, fields.tests_fields, fields.entry_point, prompt)
        except TestFormatError as e:
            return skip("tests cannot run", f"its tests cannot be run ({e}); fix the row, name the columns with "
                                            f"--tests-field/--entry-point-field, or drop the row")
        missing_mods = missing_modules(program, importable)
        if missing_mods:
            entry = row.get(fields.entry_point) if fields.entry_point else None
            own = [m for m in missing_mods if m.lower() in SOLUTION_MODULE_NAMES or m == entry]
            why = f"the solution under another module name? ptsfast runs it as module 'solution': write 'from " \
                  f"solution import ...' for {own[0]!r}, or drop the row" if own else \
                "not installed in this environment; install it or drop the row"
            return skip("tests cannot run", f"its {program.format} tests import {', '.join(missing_mods)}, which the "
                                            f"code sandbox cannot import ({why})")
        tests = program.to_text()
        q = with_function_name(str(q), program, row.get(fields.entry_point) if fields.entry_point else None)
    if fields.require_answer and (ans is None or not ans.strip()) and not (tests and tests.strip()):
        if fields.answer and fields.answer not in row:
            return missing(fields.answer, "--answer-field")
        split = " (a test split's rows have none: use its validation split)" if choices else ""
        other = _first_column(row, ANSWER_KEYS, lambda k: k != fields.answer and _is_scalar(row.get(k)) and
                              bool(str(row[k]).strip())) if fields.answer else None
        other = f"; the row's {other!r} has one: name it with --answer-field {other}" if other else ""
        return skip("empty field", f"field {fields.answer!r} is empty{split}; give the reference answer (or tests for "
                                   f"code problems){other}")
    solution = None
    if fields.solution:
        if fields.solution not in row:
            return missing(fields.solution, "--solution-field")
        raw = row[fields.solution]
        if fields.solution == fields.question and isinstance(raw, list):  # an SFT chat: its assistant reply
            if reply is None:
                return skip("empty field", f"field {fields.solution!r} (the question and, by --solution-field, the "
                                           f"provided solution) is a chat without an assistant reply after the "
                                           f"question; give one, name the solution's own column with "
                                           f"--solution-field, or drop --solution-field to sample solutions")
            raw = reply
        if raw is not None and not isinstance(raw, str):
            return skip("wrong type", f"field {fields.solution!r} (the provided solution) is of type "
                                      f"{type(raw).__name__}, not text; name the column holding the solution's "
                                      f"text with --solution-field, or drop --solution-field to sample solutions "
                                      f"from the model")
        solution = raw
        if solution is None or not solution.strip():
            return skip("empty field", f"field {fields.solution!r} (the provided solution) is empty; fill it in or "
                                       f"drop --solution-field to sample solutions from the model")
    if choices:
        q = with_choices(str(q), choices)
    used = {fields.question, fields.answer, fields.id, *fields.tests_fields, choices_field, fields.solution}
    if GROUND_TRUTH in used:  # lifted from reward_model: not carried twice
        used.add("reward_model")
    meta = {k: v for k, v in row.items() if k not in used and k != "meta" and _is_json_value(v)}
    if isinstance(row.get("meta"), dict):
        meta.update(row["meta"])
    alpaca = str(fields.question).lower() == "instruction" and bool(str(row.get("system") or "").strip())
    if system is None and (isinstance(row[fields.question], list) or alpaca) and meta.get(SYSTEM_PROMPT_KEY) is None:
        system = row.get("system") if isinstance(row.get("system"), str) else None  # OpenThoughts', LLaMA-Factory's
    if system is not None:
        meta[SYSTEM_PROMPT_KEY] = system
    if unit is not None:
        meta[ANSWER_UNIT_KEY] = unit
    prob = Problem(str(rid) if rid is not None else "", str(q), ans, tests, choices, solution, meta)
    if rid is None:  # derived from the content: another file's problems never pass as "already done"
        prob = replace(prob, id="h" + problem_hash(prob)[:16])
    return prob, None


def _is_json_value(v: Any) -> bool:
    try:
        json.dumps(v)
        return True
    except (TypeError, ValueError):
        return False


def load_problems(path: str | os.PathLike | Any, fields: FieldMap = FieldMap(), split: str | None = None,
                  limit: int | None = None, config: str | None = None,
                  cache_dir: str | os.PathLike | None = None) -> LoadResult:
    """Problems from a JSONL file, a JSON/parquet/CSV file (via ``datasets``), a ``save_to_disk`` folder, a
    dataset in the local ``datasets`` cache by name (``openai/gsm8k`` with ``config="main"``; offline), or rows
    already in memory: a pandas or polars DataFrame, a pyarrow Table, a ``datasets`` Dataset (a DatasetDict with
    ``split``) or a list of dicts, read as the same rows in a file would be.

    Row numbers in messages are 1-based lines (JSONL) or record indices (other formats).
    """
    if limit is not None:  # "5" failed deep in the loop, 2.5 was read as 3, 0 or -1 loaded nothing
        if isinstance(limit, bool) or not hasattr(limit, "__index__") or limit.__index__() < 1:
            raise DataError(f"limit (--limit) must be a whole number >= 1, or None for every row, got {limit!r}")
        limit = limit.__index__()
    if not isinstance(path, (str, bytes, os.PathLike)):
        rows, source = _rows_in_memory(path, split, config, cache_dir)
        return problems_from_rows(rows, fields, limit=limit, source=source)
    path = os.fsdecode(path) if isinstance(path, bytes) else path
    p = Path(path).expanduser()
    if not p.exists() and looks_like_dataset_name(str(path)):
        return problems_from_rows(_iter_cached(str(path), config, split, cache_dir), fields, limit=limit,
                                  source=str(path))
    if not p.exists():
        raise DataError(f"problem file {str(p)!r} does not exist; pass the path of a .jsonl/.parquet/.csv file, "
                        f"a datasets folder, or the name of a dataset in the local datasets cache")
    refuse_streams(p)
    # options that would otherwise be dropped without a word
    if config is not None and not p.is_dir():  # a folder may be a dataset repository's, of several configs
        raise DataError(f"--dataset-config {config!r} applies to a dataset named from the local datasets cache or a "
                        f"dataset repository's folder; {str(p)!r} is a local file - drop --dataset-config")
    if cache_dir is not None:
        raise DataError(f"cache_dir={str(cache_dir)!r} applies to a dataset named from the local datasets cache; "
                        f"{str(p)!r} is a local {'folder' if p.is_dir() else 'file'} - drop cache_dir")
    if p.is_file():
        with open(p, "rb") as f:
            start = f.read(len(LFS_POINTER))
        _refuse_lfs_pointer(p, start)
        packed = next((name for magic, name in COMPRESSED if start.startswith(magic)), None)
        if packed is not None:  # read as text, each line of it would be a row of bytes that are not UTF-8
            raise DataError(f"{str(p)!r} is {packed}-compressed; decompress it first ({COMPRESSED_FIX[packed]}) and "
                            f"pass the .jsonl/.json/.parquet/.csv file inside")
        if start[:2] in (b"\xff\xfe", b"\xfe\xff"):  # each line of it would be a row that is not UTF-8
            raise DataError(f"{str(p)!r} is UTF-16 text (it opens with UTF-16's byte-order mark, as Windows "
                            f"PowerShell's > and Out-File write); save it as UTF-8 (Out-File -Encoding utf8, or "
                            f"`iconv -f utf-16 -t utf-8`)")
    json_file = p.is_file() and p.suffix.lower() in (".jsonl", ".json")
    jsonl = json_file and _looks_like_jsonl(p)
    took: list = []
    document = _json_document_rows(p, jsonl, split, took) if json_file else None
    if (jsonl or document is not None) and split is not None and not took:
        raise DataError(f"--split-name {split!r} applies to datasets folders and cached datasets; the JSON "
                        f"{'lines ' * jsonl}file {str(p)!r} has one split - drop --split-name")
    if document is not None:
        rows: Iterable = document
    elif jsonl:
        rows = _iter_jsonl(p)
    else:
        rows = _iter_hf(p, split, config)
    return problems_from_rows(rows, fields, limit=limit, source=str(p))


_IN_MEMORY = ("a path (str or os.PathLike), or rows in memory: a pandas or polars DataFrame, a pyarrow Table, a "
              "datasets Dataset (a DatasetDict with split=), or a list of dicts")


def _is_dataset_dict(data) -> bool:
    ds = sys.modules.get("datasets")  # data of datasets' types exists only where it was imported
    return ds is not None and isinstance(data, (ds.DatasetDict, ds.IterableDatasetDict))


def _rows_in_memory(data, split: str | None, config: str | None,
                    cache_dir) -> tuple[Iterator[tuple[int, dict | None, RowError | None]], str]:
    """The rows a caller holds, and the name skips give their source; ``TypeError`` for what holds no rows, and
    options that would be dropped without a word are refused."""
    for name, value, what in (("config", config, "a dataset named from the local datasets cache"),
                              ("cache_dir", cache_dir, "a dataset named from the local datasets cache"),
                              ("split", None if _is_dataset_dict(data) else split, "a DatasetDict or datasets folder")):
        if value is not None:
            raise DataError(f"{name}={value!r} applies to {what}, not to rows in a {type(data).__name__} - drop it")
    if _is_dataset_dict(data):
        data = _pick_split(data, split, f"the {type(data).__name__}", "split=")
    pd = sys.modules.get("pandas")
    source = f"<{type(data).__name__}>"
    if pd is not None and isinstance(data, pd.DataFrame):
        return _frame_rows(data), source
    kind = type(data).__module__.split(".")[0]
    if kind == "polars" and hasattr(data, "iter_rows"):  # a polars DataFrame iterates over its columns
        narrow = _narrow_floats({k: str(t) for k, t in data.schema.items()})
        rows = (_widened(row, narrow) for row in data.iter_rows(named=True))
        return ((n, *_record(row)) for n, row in enumerate(rows, 1)), source
    if kind == "pyarrow" and hasattr(data, "to_pylist"):  # a Table or RecordBatch: its columns too
        batches = data.to_batches() if hasattr(data, "to_batches") else [data]
        narrow = _narrow_floats({f.name: str(f.type) for f in data.schema})
        rows = (_widened(row, narrow) for batch in batches for row in batch.to_pylist())
        return ((n, *_record(row)) for n, row in enumerate(rows, 1)), source
    if data is None or isinstance(data, Mapping) or not hasattr(data, "__iter__"):
        hint = " (one row, or a dict of columns: pass a list of row dicts)" if isinstance(data, Mapping) else ""
        raise TypeError(f"load_problems takes {_IN_MEMORY}; got {type(data).__name__}{hint}")
    features = getattr(data, "features", None)  # a datasets Dataset's column types
    narrow = _narrow_floats({k: getattr(f, "dtype", None) for k, f in features.items()}) \
        if isinstance(features, Mapping) else {}
    return ((n, *_record(_widened(dict(row), narrow) if narrow and isinstance(row, Mapping) else row))
            for n, row in enumerate(data, 1)), source


CHAT_ROWS = "conversations"
"""The column a row written as a bare list of chat messages is read into (:func:`_chat_row`)."""


def _chat_row(row: Any) -> dict | None:
    """A row written as a bare list of chat messages, as a row of one chat column, else None: Open-Reasoner-Zero's
    JSON (``[{"from": "human", "value": question}, {"from": "assistant", "ground_truth": {"value": answer}}]``, its
    answer in the assistant message's ``ground_truth``, read as a column of that name) and a ShareGPT conversation
    saved without its ``conversations`` key."""
    if not isinstance(row, list) or not row or not all(isinstance(m, dict) and ("role" in m or "from" in m) and
                                                       _role(m) in ("user", "assistant", "system") for m in row):
        return None
    truth = row[-1].get(GROUND_TRUTH)
    if isinstance(truth, dict) and "value" in truth:
        truth = truth["value"]
    truth = truth if _role(row[-1]) == "assistant" else None  # the reference, beside any reply of the message
    if any(_message_text(m) is None for m in row[:-1 if truth is not None else None]):
        return None
    return {CHAT_ROWS: row[:-1], GROUND_TRUTH: truth} if truth is not None else {CHAT_ROWS: row}


def _record(row) -> tuple[dict | None, RowError | None]:
    row = _chat_row(row) or row
    if not isinstance(row, Mapping):
        return None, ("not an object", f"a value of type {type(row).__name__}, not a dict; each row must be one dict "
                                       f"of fields")
    try:
        return _plain(row), None
    except RecursionError:  # a JSON file's rows, read whole: one of them nested hundreds of levels deep
        return None, ("malformed JSON", TOO_DEEP)


TOO_DEEP = "a value nested too deep to handle (hundreds of levels of lists or dicts); fix or drop the row"


def _plain(v: Any) -> Any:
    """A value of a row in memory as a file's row holds it: numpy arrays and tensors as lists, numpy scalars as
    Python's, tuples as lists, keys as str (JSON's) and NaN (a DataFrame's empty cell in ``to_dict()``) as None."""
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if not isinstance(v, (str, bytes, int, float)) and hasattr(v, "tolist"):
        return _plain(v.tolist())
    return v


def _frame_rows(df) -> Iterator[tuple[int, dict | None, RowError | None]]:
    """A DataFrame's rows: a missing cell (NaN, None, pd.NA) is None, and a float column of whole numbers with a
    missing cell is read as ints, as in a CSV file (:func:`_whole_number_columns`)."""
    import pandas as pd

    whole = []
    for i, (name, dtype) in enumerate(df.dtypes.items()):
        if dtype.kind == "f":
            values = df.iloc[:, i].dropna()
            if 0 < len(values) < len(df) and bool((values % 1 == 0).all()):
                whole.append(str(name))
    narrow = _narrow_floats({str(k): str(t) for k, t in df.dtypes.items()})
    for start in range(0, len(df), 1024):  # a few rows at a time: a limit stops reading early
        for n, row in enumerate(df.iloc[start:start + 1024].to_dict("records"), start + 1):
            row = _widened({str(k): None if _is_scalar_na(v, pd) else _plain(v) for k, v in row.items()}, narrow)
            for k in whole:
                row[k] = None if row[k] is None else _whole(float(row[k]))
            yield n, row, None


def _is_scalar_na(v, pd) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or isinstance(v, float) and math.isnan(v)


def _looks_like_jsonl(p: Path) -> bool:
    """JSON lines, read row by row (a bad row is that row's skip): a .jsonl file unless it is one JSON array, a
    .json file whose first line is an object; neither where that line opens an object written across lines (a lone
    ``{``: ``json.dump(..., indent=2)``, ``jq .``)."""
    with open(p, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()  # a bad byte: that row's problem
            if line.rstrip() == "{":
                return False
            if line:
                if p.suffix.lower() == ".jsonl":
                    return not line.startswith("[") or _one_json_value(line)
                return line.startswith("{")
    return True


def _one_json_value(line: str) -> bool:
    """A line that is a JSON value on its own (``[1, 2]``, ``"text"``): in a .jsonl file, a row that is not an
    object, reported as such, where reading the file as one JSON document named columns it does not have."""
    try:
        json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def problems_from_rows(rows: Iterable[tuple[int, dict | None, RowError | str | None]], fields: FieldMap = FieldMap(),
                       limit: int | None = None, source: str = "<rows>") -> LoadResult:
    """Turn ``(row number, row or None, (reason, message) of a row that cannot be read, or None)`` into problems
    + skips. A second row with an id already seen is skipped (the first is mined: a run is keyed by id)."""
    problems: list[Problem] = []
    skipped: list[Skip] = []
    seen: dict[str, int] = {}
    detected, with_id = not fields.auto_detect, False
    told: set[tuple] = set()
    samples: list[tuple[str, str, tuple[str, ...]]] = []
    unchecked: list[str] = []
    vacuous: list[tuple[str, str]] = []
    for n, row, err in rows:
        if limit is not None and len(problems) >= limit:
            break
        if err is not None or row is None:
            reason, msg = err if isinstance(err, tuple) else ("other", str(err))
            skip = Skip(f"row {n}: {msg}", reason, source=source, row=n)
        else:
            row = lift_ground_truth(_unwrapped(_printed_chats(_unprinted(row)), fields, told))
            if not detected:
                fields, detected = detect_fields(row, fields), True
            try:
                own = _with_own_columns(row, n, fields, told)
                prob, skip = problem_from_row(row, n, own, source)
                if prob is not None and own.code and (column := samples_only(row, own.tests_fields)):
                    samples.append((prob.id, column, unread_hidden_tests(row, own.tests_fields)))
                if prob is not None and own.code and prob.tests and several_right_outputs(prob.tests, prob.question):
                    unchecked.append(prob.id)
                if prob is not None and own.code and prob.tests and (idle := vacuous_checks(prob.tests)):
                    vacuous.append((prob.id, idle[0]))
            except TestFormatError as e:  # a cell read as JSON (a history, a test_info) whose int Python cannot read
                prob, skip = None, Skip(f"row {n}: {e}", "malformed JSON", source=source, row=n)
            except RecursionError:  # read, but too deep to copy or store (APPS-style cases 500 lists deep)
                prob, skip = None, Skip(f"row {n}: {TOO_DEEP}", "malformed JSON", source=source, row=n)
            with_id = with_id or bool(fields.id and row.get(fields.id) is not None)
            if prob is not None and prob.id in seen and fields.id and row.get(fields.id) is not None:
                skip = Skip(f"row {n} (id {prob.id!r}): duplicate id, first on row {seen[prob.id]} (mined from there); "
                            f"ids must be unique so a run can resume - fix the id or drop the row, or pass "
                            f"--id-field '' to derive ids from each problem's content", "duplicate id",
                            source=source, row=n, id=prob.id)
                prob = None
            elif prob is not None and prob.id in seen:  # the same content twice without ids: number the copies
                k = 2
                while f"{prob.id}-{k}" in seen:
                    k += 1
                prob = replace(prob, id=f"{prob.id}-{k}")
            if prob is not None:
                seen[prob.id] = n
                problems.append(prob)
                boolq = _boolq_label(row, fields) is not None  # super_glue's label 0 or 1
                if (isinstance(row.get(fields.answer or ""), bool) or boolq) and ("bool",) not in told:  # BoolQ's
                    told.add(("bool",))
                    log.warning("the reference answers of column %r are true/false values, read as 'True' and 'False': "
                                "the exact and normalized oracles pass a completion that says just that ('false.' "
                                "too, under normalized), never 'yes' or 'no'; ask for it (--system-prompt 'Answer True "
                                "or False.') or give the answers as the words the model should say",
                                BOOLQ_LABEL if boolq else fields.answer)
                if not fields.code and ANSWER_LINE_ASKED.search(prob.question) and ("answer line",) not in told:
                    told.add(("answer line",))
                    log.warning("the questions of %s ask for the answer on a last line 'Answer: ...' (DAPO-Math's "
                                "prompt), which the math and boxed oracles do not read (they judge a \\boxed{} "
                                "answer): a rollout that follows the prompt is judged wrong; use --oracle last_number "
                                "for numeric answers (DAPO-Math's are integers), or ask for a box", source)
                if not fields.code and _cruxeval_asked(row, fields) and ("cruxeval",) not in told:
                    told.add(("cruxeval",))
                    log.warning("CRUXEval's rows are judged by an answer oracle, comparing text: %s; --oracle code "
                                "judges them as CRUXEval's judge does, by running f",
                                "an input with the row's input only, where any input f maps to the row's output is "
                                "right" if fields.answer == "input" else "an output with the row's text, not as the "
                                "value it writes (\"cba\" for 'cba', [1,2] for [1, 2])")
                continue
        assert skip is not None
        skipped.append(Skip(f"{source}: {skip}", skip.reason, source=source, row=skip.row, id=skip.id))
        log.warning("skipped %s: %s", source, skip)
    unread = [s for s in samples if s[2]]
    if unread:  # --tests-field named the samples' column alone: the hidden tests beside it are never read
        column, hidden = unread[0][1], unread[0][2]
        log.warning("%d problem%s of %s %s judged on the statement's sample tests alone (%r), which a wrong program "
                    "can pass, though %s hold%s hidden tests that --tests-field leaves out: %s; pass --tests-field "
                    "%s to judge them on those too", len(unread), "s" * (len(unread) > 1), source,
                    "are" if len(unread) > 1 else "is", column, " and ".join(map(repr, hidden)),
                    "" if len(hidden) > 1 else "s", ", ".join(s[0] for s in unread[:5]) + " ..." * (len(unread) > 5),
                    " ".join((column, *TEST_COMPANIONS[column])))
    samples = [s for s in samples if not s[2]]
    if samples:
        hidden = ", ".join(repr(c) for c in TEST_COMPANIONS[samples[0][1]])
        log.warning("%d problem%s of %s %s judged on the statement's sample tests alone (%r; %s empty or missing), "
                    "which a wrong program can pass: %s; give their hidden tests or drop them", len(samples),
                    "s" * (len(samples) > 1), source, "are" if len(samples) > 1 else "is", samples[0][1], hidden,
                    ", ".join(s[0] for s in samples[:5]) + " ..." * (len(samples) > 5))
    if unchecked:
        log.warning("%d problem%s of %s accept%s any of several outputs (\"print any of them\") but %s no checker "
                    "('generated_checker'): judged against the row's outputs, a right program printing another "
                    "answer fails: %s; give them a checker or drop them", len(unchecked), "s" * (len(unchecked) > 1),
                    source, "" if len(unchecked) > 1 else "s", "have" if len(unchecked) > 1 else "has",
                    ", ".join(unchecked[:5]) + " ..." * (len(unchecked) > 5))
    if vacuous:
        log.warning("%d problem%s of %s hold%s a check that passes every program, or every one whose value it "
                    "reads is true (%s: %r): it judges nothing of its own, and %s judged on %s other checks; fix or "
                    "drop %s: %s", len(vacuous), "s" * (len(vacuous) > 1),
                    source, "" if len(vacuous) > 1 else "s", vacuous[0][0], vacuous[0][1],
                    "they are" if len(vacuous) > 1 else "it is", "their" if len(vacuous) > 1 else "its",
                    "those checks" if len(vacuous) > 1 else "that check",
                    ", ".join(i for i, _ in vacuous[:5]) + " ..." * (len(vacuous) > 5))
    if not problems:
        first, rest = (str(skipped[0]).removeprefix(f"{source}: "), len(skipped) - 1) if skipped else ("", 0)
        others = "" if not rest else f"; the other {rest} for {skipped[0].reason!r} too" \
            if len({s.reason for s in skipped}) == 1 else "; the others as warned above"
        log.error("no usable problems in %s (%d rows skipped%s)", source, len(skipped),  # the reason, not only a count
                  f"; {first}{others}" if skipped else "")
    elif fields.id not in (None, FieldMap.id) and not with_id:  # a mistyped --id-field would go unnoticed
        log.warning("no row of %s has the id column %r: each problem's id is derived from its content (check "
                    "--id-field)", source, fields.id)
    return LoadResult(problems, skipped)


_PRINTED_CHAT = re.compile(r"\s*\[\s*\{\s*['\"](?:role|from|content|value)['\"]\s*:")


def _printed_chats(row: dict) -> dict:
    """``row`` with each text that is a chat printed as a list read as that chat, and verl's ``reward_model``
    printed as a dict read as it: a CSV export (``Dataset.to_csv``) writes a messages column as Python or numpy
    prints it, ``[{'role': 'user', 'content': ...}]``, which was the question's whole text (the model was asked
    the print), and its reference the print of the reply. Any other row as it is."""
    changed = {}
    for k, v in row.items():
        printed = isinstance(v, str) and (_PRINTED_CHAT.match(v) or k == "reward_model" and GROUND_TRUTH in v)
        try:
            value = _maybe_json(v) if printed else None
        except ValueError:  # an int of over 4300 digits: left as text
            continue
        if isinstance(value, list) and value and all(isinstance(m, dict) and ("role" in m or "from" in m)
                                                     for m in value) or \
                k == "reward_model" and isinstance(value, dict) and GROUND_TRUTH in value:
            changed[k] = value
    return {**row, **changed} if changed else row


def _unwrapped(row: dict, fields: FieldMap, told: set) -> dict:
    """The row inside a row of one key whose value holds the question (cais/mmlu's auxiliary_train rows are
    ``{"train": {question, choices, answer, subject}}``; datatune/LogiQA2.0's are ``{"text": "{JSON of the row}"}``);
    any other row as it is. Logged once per key."""
    if len(row) != 1:
        return row
    (key, inner), = row.items()
    if isinstance(inner, str) and inner.lstrip().startswith("{") and key != fields.question:
        try:
            inner = _json_loads(inner)
        except (ValueError, RecursionError):
            return row
    if not isinstance(inner, dict) or key == fields.question:
        return row
    names = (fields.question, *(QUESTION_KEYS if "question" in _detected(fields) else ()))
    if _first_column(inner, names, lambda k: k in inner) is None:
        return row
    if ("wrapped", key) not in told:
        told.add(("wrapped", key))
        text = isinstance(row[key], str)
        log.warning("the rows are wrapped under the key %r (as %s rows are): each is read as the row inside it", key,
                    "datatune/LogiQA2.0's are, as a JSON text" if text else "cais/mmlu's auxiliary_train")
    return inner


def _with_own_columns(row: dict, n: int, fields: FieldMap, told: set) -> FieldMap:
    """``fields`` with this row's own question and tests columns where the detected ones hold nothing here and
    others do (a dataset mixing APPS' ``question`` + ``input_output`` rows with MBPP's ``text`` + ``test_list``
    ones): detected from the first row only, every row of the other kind was refused. Logged once per column."""
    auto, changes = _detected(fields), {}
    if "question" in auto and fields.code and row.get(fields.question) is None:  # a math row without one is skipped
        q = _question_column(row, fields, lambda k: row.get(k) is not None)
        if q is not None:
            changes["question"] = q
    if "tests" in auto and all(row.get(f) is None for f in fields.tests_fields):
        cols = tests_columns(row)
        if cols is not None and row.get(cols[0]) is not None:
            changes["tests"] = cols
    for k, v in changes.items():
        cols, was = (v, fields.tests_fields) if k == "tests" else ((v,), (fields.question,))
        if (k, cols) not in told:
            told.add((k, cols))
            log.warning("from row %d on, the %ss are read from column %s in rows where %s is null", n, k.rstrip("s"),
                        " + ".join(map(repr, cols)), " + ".join(map(repr, was)))
    return replace(fields, **changes) if changes else fields


# --------------------------------------------------------------------------- prompts

def _messages(question: str, system_prompt: str | None) -> list[dict]:
    return ([{"role": "system", "content": system_prompt}] if system_prompt else []) + \
        [{"role": "user", "content": question}]


def chat_template_of(tokenizer, chat_template: str | None) -> str:
    """The chat template prompts are made with: ``chat_template`` (a Jinja template, or its file) or the
    tokenizer's; a ``ChatTemplateError`` naming both fixes where there is none."""
    template = read_template(chat_template) or getattr(tokenizer, "chat_template", None)
    if not template:
        name = getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__
        raise ChatTemplateError(
            f"tokenizer {name!r} has no chat template; pass one with --chat-template (MineOptions.chat_template: a "
            f"Jinja template or its file) or use --no-chat-template (use_chat_template=False) to feed the raw "
            f"question text")
    return template



def encode_prompt(tokenizer, question: str, chat_template: str | None = None, use_chat_template: bool = True,
                  system_prompt: str | None = None) -> list[int]:
    """Token ids of the prompt: the chat template with a generation prompt, or the raw question.

    ``chat_template`` (a Jinja string) overrides the tokenizer's; ``use_chat_template=False``
    (CLI ``--no-chat-template``) feeds the question text as is (base models).
    """
    if not use_chat_template:
        return list(tokenizer(question, add_special_tokens=True)["input_ids"])
    ids = tokenizer.apply_chat_template(_messages(question, system_prompt),
                                        chat_template=chat_template_of(tokenizer, chat_template),
                                        add_generation_prompt=True, tokenize=True, return_dict=False)
    if isinstance(ids, dict) or hasattr(ids, "input_ids"):
        ids = ids["input_ids"]
    if ids and isinstance(ids[0], list):
        ids = ids[0]
    return [int(t) for t in ids]


def generation_prompt(tokenizer, question: str, chat_template: str | None = None,
                      system_prompt: str | None = None) -> str:
    """The text the chat template appends to open the assistant's turn (what ``add_generation_prompt`` adds),
    never the question: the conversation rendered with it, minus the conversation rendered without it."""
    msgs, template = _messages(question, system_prompt), chat_template_of(tokenizer, chat_template)
    with_gp = tokenizer.apply_chat_template(msgs, chat_template=template, add_generation_prompt=True, tokenize=False)
    without = tokenizer.apply_chat_template(msgs, chat_template=template, add_generation_prompt=False, tokenize=False)
    if with_gp.startswith(without):
        return with_gp[len(without):]
    # a template that renders the last turn differently when the reply follows: what comes after the question
    at = with_gp.rfind(question)
    return with_gp[at + len(question):] if at >= 0 else ""


_TURNS = ("<|im_start|>", "<|start_header_id|>", "[INST]", "<start_of_turn>", "<|user|>", "<|system|>",
          "<\uff5cUser\uff5c>", "<|User|>", "<|begin_of_text|>", "<\uff5cbegin\u2581of\u2581sentence\uff5c>")
"""What opens a prompt already rendered by a chat template: ChatML's, Llama 3's, Llama 2's and Mistral's, Gemma's,
Zephyr's and Phi-3's, DeepSeek's turns (after a BOS ``<s>`` or ``<bos>``)."""


def rendered_turn(question: str) -> str | None:
    """The chat-template marker ``question`` opens with, where it is a prompt saved already rendered (RL rows'
    ``prompt`` as a text), else None."""
    head = re.sub(r"^\s*(?:<s>|<bos>)?\s*", "", question[:200])
    return next((t for t in _TURNS if head.startswith(t)), None)


def opens_think(text: str) -> bool:
    """Whether ``text`` ends inside an open reasoning trace (:data:`TRACE_MARKERS`: R1's ``<think>``, Seed-OSS'
    ``<seed:think>`` and EXAONE Deep's ``<thought>``, which their templates' generation prompts open): the
    completion is the trace first."""
    return any(text.rfind(opening) > text.rfind(close) for opening, close in TRACE_MARKERS)


def read_template(value: str | None) -> str | None:
    """``--chat-template`` value: a path to a file holding the template, or the template itself. Raises
    ValueError for a value that is neither (a template uses ``{{ }}`` or ``{% %}``: a mistyped path would
    otherwise become every problem's whole prompt)."""
    if not value:
        return value
    source = "--chat-template"
    if "{" not in value:
        path = Path(value).expanduser()
        if not (len(value) < 4096 and path.is_file()):
            raise ValueError(f"--chat-template {value[:200]!r} is no file (and no template: it has no {{{{ }}}} or "
                             f"{{% %}}); give the template's file or its text")
        value, source = path.read_text(encoding="utf-8"), f"--chat-template {str(path)!r}"
        try:  # a tokenizer_config.json holds the template under "chat_template"
            config = json.loads(value)
        except ValueError:
            config = None
        if isinstance(config, dict) and isinstance(config.get("chat_template"), str):
            value = config["chat_template"]
        elif config is not None:
            raise ValueError(f"{source} is a JSON file without a \"chat_template\" text (a tokenizer_config.json "
                             f"holds one); give the template's file or its text")
    compiled = _compile_template(value)
    if compiled is not None:
        _check_writes_question(compiled, source)
    return value


_PROBE = "ptsfast-question-4f1c"


def _check_writes_question(compiled, source: str) -> None:
    """A template whose prompt never holds the question (a wrong file: every problem's prompt would be the same
    text) is refused; one that cannot be rendered outside a tokenizer is left to the tokenizer."""
    try:
        text = compiled.render(messages=[{"role": "user", "content": _PROBE}], add_generation_prompt=True,
                               bos_token="", eos_token="", pad_token="", unk_token="")
    except Exception:  # noqa: BLE001 - a template that needs what only the tokenizer gives (tools, its tokens)
        return
    if _PROBE not in text:
        raise ValueError(f"{source} does not write the question into the prompt (rendered with the question "
                         f"{_PROBE!r}, it gave {text[:120]!r}): every problem would get the same prompt; give a chat "
                         f"template that writes messages[...]['content']")


def _compile_template(template: str):
    """Compile a chat template as transformers does, so that a syntax error is refused before the model loads,
    not met by every problem. Returns the compiled template, or None where a custom tag will not compile here
    (left to the tokenizer)."""
    try:
        from transformers.utils.chat_template_utils import _compile_jinja_template as compile_
    except ImportError:  # pragma: no cover - another transformers: plain jinja2 with the loop controls it enables
        import jinja2

        def compile_(t):
            return jinja2.Environment(extensions=["jinja2.ext.loopcontrols"]).from_string(t)
    try:
        return compile_(template)
    except Exception as e:  # noqa: BLE001 - jinja2's TemplateSyntaxError (and what a custom tag raises)
        if type(e).__name__ != "TemplateSyntaxError":
            return None
        line = f"line {e.lineno}: " if getattr(e, "lineno", None) else ""
        raise ValueError(f"--chat-template does not compile ({line}{getattr(e, 'message', e)}); fix the template") \
            from None


@dataclass(frozen=True)
class PreparedProblem:
    """A problem ready for the engine: its id, chat-templated prompt ids, and optionally a given solution."""

    id: str
    prompt_ids: tuple[int, ...]
    problem: object  # what the oracle judges against
    solution_ids: tuple[int, ...] | None = None
    """Tokens of the provided solution (``problem.solution``) when there is one."""
    think_open: bool = False
    """The chat template's generation prompt opens a ``<think>`` trace: an answer counts only after ``</think>``."""


MIN_PROMPT_TOKENS = 2
"""The engine needs a prompt of at least two tokens to sample from (one to condition on, and the one it predicts
from); with a provided solution one prompt token is enough (prompt and solution are prefilled together)."""


def encode_problems(problems: Sequence[Problem], tokenizer, max_length: int | None = None,
                    chat_template: str | None = None, use_chat_template: bool = True,
                    system_prompt: str | None = None,
                    min_new_tokens: int = 1) -> tuple[list[PreparedProblem], list[Skip]]:
    """Encode every problem's prompt (and provided solution); skip ones the model cannot take.

    A prompt needs room for at least ``min_new_tokens`` generated tokens within ``max_length`` (the model's context,
    e.g. ``config.max_position_embeddings``; the rule is :func:`over_context`). A problem whose text the tokenizer
    cannot encode, or whose prompt is shorter than :data:`MIN_PROMPT_TOKENS`, is skipped with the reason; a missing chat
    template is an error for the whole run (raised), not a skipped row. Whether a prompt opens a ``<think>`` trace
    is read from the template's own generation prompt for that problem (never from the question text).
    """
    out: list[PreparedProblem] = []
    skipped: list[Skip] = []

    def skip(prob: Problem, reason: str, msg: str) -> None:
        s = Skip(f"problem {prob.id!r}: {msg}", reason, id=prob.id)
        skipped.append(s)
        log.warning("skipped %s", s)

    for prob in problems:
        own = prob.meta.get(SYSTEM_PROMPT_KEY) if system_prompt is None else None  # the run's own one wins
        own = own if isinstance(own, str) else None
        sys_prompt = system_prompt if own is None else own
        bad = _lone_surrogate({"question": prob.question, "solution": prob.solution, "system prompt": sys_prompt})
        if bad:
            skip(prob, "invalid text", f"{bad} is a lone surrogate, not text; fix or delete that character")
            continue
        turn = rendered_turn(prob.question) if use_chat_template else None
        if turn:
            skip(prob, "already templated", f"the question is already a chat prompt (it opens with {turn!r}): the "
                                            f"chat template would wrap it in a second conversation; run with "
                                            f"--no-chat-template (use_chat_template=False) to feed it as it is, or "
                                            f"give the user message alone")
            continue
        try:
            ids = encode_prompt(tokenizer, prob.question, chat_template, use_chat_template, sys_prompt)
            think = use_chat_template and opens_think(generation_prompt(tokenizer, prob.question, chat_template,
                                                                        sys_prompt))
            sol = None
            if prob.solution is not None:
                sol = tuple(tokenizer(prob.solution, add_special_tokens=False)["input_ids"])
        except ChatTemplateError:
            raise
        except Exception as e:  # noqa: BLE001 - one problem's text the tokenizer or template rejects: that problem
            fix_ = ("its row's system message went to the template too (some take none): pass --system-prompt '' to "
                    "leave it out, or fix the question text" if own else "fix the question text")
            if chat_template and not own and type(e).__module__.startswith("jinja2"):
                fix_ = "the template given by --chat-template failed on it; fix the template"
            elif use_chat_template and not chat_template and type(e).__module__.startswith("jinja2"):
                system = "pass --system-prompt '' to leave out its row's system message (some templates take none), " \
                    if own else "drop --system-prompt (some templates take no system message), " if sys_prompt else ""
                fix_ = f"the model's own chat template failed on it; {system}pass --chat-template with a template " \
                       f"that takes it, or --no-chat-template to feed the question as it is"
            skip(prob, "encoding failed",
                 f"the tokenizer/chat template could not encode it ({type(e).__name__}: {e}); {fix_}")
            continue
        if len(ids) < (1 if sol else MIN_PROMPT_TOKENS):  # a given solution: the engine prefills prompt + solution
            skip(prob, "prompt too short", f"the prompt is {len(ids)} token{'s' * (len(ids) != 1)}; the model needs at "
                                           f"least {MIN_PROMPT_TOKENS} (a raw prompt under --no-chat-template gets no "
                                           f"BOS from this tokenizer) - give a longer question or use the chat "
                                           f"template")
            continue
        if sol is not None and not sol:
            skip(prob, "empty solution", "the provided solution encodes to no tokens; fill in the solution field or "
                                         "sample solutions instead")
            continue
        why = over_context(len(ids), len(sol) if sol else None, min_new_tokens, max_length)
        if why:
            skip(prob, "too long for the context", why)
            continue
        out.append(PreparedProblem(prob.id, tuple(ids), prob, sol, bool(think)))
    return out, skipped


def over_context(prompt_tokens: int, solution_tokens: int | None, generated: int, context: int | None) -> str | None:
    """The one rule that bounds a problem by the model's context: its prompt, its given solution (if any) and the
    ``generated`` tokens sampled after them must fit in ``context`` positions. ``None`` when they fit (or the
    context is unknown), else why not: the skip's message after ``problem <id>:``."""
    if context is None or prompt_tokens + (solution_tokens or 0) + generated <= context:
        return None
    return (f"prompt is {prompt_tokens} tokens" + (f" + {solution_tokens} solution tokens" if solution_tokens else "")
            + f", over the model's context of {context} with {generated} token{'s' * (generated != 1)} to generate "
              f"after {'them' if solution_tokens else 'it'}; shorten the question (or the solution), use a shorter "
              f"system prompt, lower --max-new-tokens, or use a model with a longer context")


def context_length(model_or_config) -> int | None:
    """The model's maximum context (``max_position_embeddings`` or similar), if it states one."""
    cfg = getattr(model_or_config, "config", model_or_config)
    for name in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
        v = getattr(cfg, name, None)
        if isinstance(v, int) and v > 0:
            return v
    return None
