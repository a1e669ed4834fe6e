"""Oracles: decide whether a completion solves a problem.

An oracle is any callable ``(completion_text, problem) -> bool``. The mining loop never calls one
directly but through :func:`judge` (or :func:`make_judge`), which turns an exception or a hang into a
failed rollout with a reason instead of a crashed run.

Early stopping. Rollouts stop as soon as :func:`answer_complete` says the answer has been emitted.
To make that safe, the oracles that support it read the *first* complete answer (first ``####``
answer line, first closed ``\\boxed{}``, first ``Answer: X``, first Python block), so text generated after that point
can never change the verdict. ``last_number``/``exact``/``normalized`` need the whole completion.

Verdicts are strict: an oracle must return a bool (or the ints 0/1). Anything else (``"no"``,
``None``, ``0.5``) is an oracle error: the rollout counts as a failure and a warning names the
oracle, so a truthy string can never pass as a success.

Code problems run in :mod:`ptsfast.problems.sandbox` (private read-only file system, no network, own pid
namespace, limits, a nonce proving the tests ran to the end). Where namespaces are unavailable
the code oracle refuses to run unless ``unsafe_code_oracle=True`` / ``--unsafe-code-oracle``.
"""

from __future__ import annotations

import functools
import html
import itertools
import logging
import math
import re
import threading
import unicodedata
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from string import ascii_uppercase
from typing import NamedTuple

from ptsfast.mining.types import as_verdict
from ptsfast.problems.loading import (ANSWER_UNIT_KEY, LETTER_REFERENCE, PLAIN_HARMONY_FINAL, TRACE_MARKERS, Problem,
                                     ape_fraction, choices_in_text, plain_unit_dropped)
from ptsfast.problems.code_tests import TestProgram, reads_answer_blocks
from ptsfast.problems.sandbox import SandboxLimits, SandboxUnavailable, isolation_status, run_python

log = logging.getLogger(__name__)

Oracle = Callable[[str, Problem], bool]

# --------------------------------------------------------------------------- numbers

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
# not inside a word (x2, H2O) nor after a decimal point; Chinese, Japanese and Korean set a number against the text
# (答案是18)
_NOT_IN_WORD = rf"(?<!(?![{_CJK}])[\w.])"

_NUM_RE = re.compile(
    _NOT_IN_WORD +
    r"(?P<sign>[-+\u2212]?)\s?(?:\\?\$)?\s?"  # -$5, -\$5 (LaTeX's dollar)
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?P<frac>\.\d+)?"
    r"(?:\s?/\s?(?P<den>\d+))?"
    r"(?![\d_]|\.\d|[eE][-+]?\d)"  # a unit may follow (2.5kg, 18km: never 2 or nothing); 1e3, 2.5.3 are no numbers
)


def _match_number(m: re.Match) -> Fraction | None:
    whole, dec, den = m.group("int"), m.group("frac"), m.group("den")
    if whole is None and dec is None:
        return None
    try:
        v = Fraction((whole or "0").replace(",", "") + (dec or ""))
        if den is not None:
            if int(den) == 0 or dec is not None:
                return None
            v = v / int(den)
    except (ValueError, ZeroDivisionError):
        return None
    return -v if m.group("sign") in ("-", "\u2212") else v


# \frac{3}{4}, \frac34, and a part signed or decimal: \frac{-3}{4}, \frac{7.5}{3} (never the numbers -3 and 4)
_FRAC_NUM_RE = re.compile(r"(?:(?<![\w.])(?P<sign>[-\u2212])\s?)?\\[dt]?frac\s*"
                          r"(?:\{\s*(?P<ns>[-\u2212])?\s*(?P<num>\d+(?:\.\d+)?)\s*\}|(?P<n>\d))"
                          r"\s*(?:\{\s*(?P<ds>[-\u2212])?\s*(?P<den>\d+(?:\.\d+)?)\s*\}|(?P<d>\d))")
_POWER_OF_NAME = re.compile(r"(?<=[A-Za-z)])\^\s*(?:\{\s*[\d.]+\s*\}|\d+(?:\.\d+)?)")  # cm^2, x^{2}: no number


_WORD_SIGN = re.compile(r"\b(?i:(negative)|minus)[ \t]+$")
_OPERAND = re.compile(r"(?:[\d)\]}%]|\b[a-zA-Z])[ \t]*$")  # 10 minus 5, x minus 3, (a + b) minus 2: a difference


def _signed_in_words(text: str, at: int) -> bool:
    """Whether the number at ``at`` is signed in words: "negative 5", "is minus 5" (never "10 minus 5")."""
    m = _WORD_SIGN.search(text, max(0, at - 64), at)  # a window: a completion holds many numbers
    return m is not None and (m.group(1) is not None or not _OPERAND.search(text, max(0, at - 128), m.start()))


_VULGAR = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5), "⅗": (3, 5),
           "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8),
           "⅑": (1, 9), "⅒": (1, 10)}
# a whole and a proper fraction: 2 1/2, 2\frac{1}{2}, 2½ (two and a half), or a fraction's one character alone (½)
_MIXED_RE = re.compile(
    r"(?<![\w.,/])(?P<sign>[-\u2212]?)(?:(?P<w>\d+)(?:[ \t]+(?P<n>\d+)/(?P<d>\d+)(?![\d_/]|\.\d)"
    r"|[ \t]*\\[dt]?frac\s*(?:\{\s*(?P<fn>\d+)\s*\}|(?P<fn1>\d))\s*(?:\{\s*(?P<fd>\d+)\s*\}|(?P<fd1>\d))"
    rf"|[ \t]?(?P<v>[{''.join(_VULGAR)}]))|(?P<alone>[{''.join(_VULGAR)}]))")


def _mixed(m: re.Match) -> Fraction | None:
    """A :data:`_MIXED_RE` match's value, or None where its fraction is no proper one (2 3/2: two numbers)."""
    if m.group("alone"):
        v = Fraction(*_VULGAR[m.group("alone")])
    else:
        num, den = (_VULGAR[m.group("v")] if m.group("v") else
                    (int(m.group("n") or m.group("fn") or m.group("fn1")), int(m.group("d") or m.group("fd") or
                                                                             m.group("fd1"))))
        if not 0 < num < den:
            return None
        v = int(m.group("w")) + Fraction(num, den)
    return -v if m.group("sign") else v


# a power of a number (2^{10}, 2^10) or a number in scientific notation (1.5 \times 10^3, 1.5×10^{-3}): one number
_POWER_NUM_RE = re.compile(
    r"(?<![\w.^])(?P<sign>[-\u2212]?)(?:(?P<m>\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×|\*)\s*10|(?P<b>\d+(?:\.\d+)?))"
    r"\s*\^\s*(?:\{\s*(?P<e>[-\u2212]?\d+)\s*\}|(?P<e1>\d+))(?!\w|\.\d)")


def _power(m: re.Match) -> Fraction | None:
    """A :data:`_POWER_NUM_RE` match's value (None past 10^400: no answer is that, and it costs to compute)."""
    exp = int((m.group("e") or m.group("e1")).replace("\u2212", "-"))
    if abs(exp) > 400:
        return None
    v = Fraction(m.group("m")) * Fraction(10) ** exp if m.group("m") else Fraction(m.group("b")) ** exp
    return -v if m.group("sign") else v


_LONG_DIGITS = re.compile(r"\d{1000,}")  # no answer's number: int() refuses 4,300 digits (a model's loop of 1s)
# LaTeX's thousands separators, 1{,}000, 1\,000 (a thin space) and 1,\!000, and French typography's no-break, narrow
# no-break and thin spaces (1 000): one number, never 1 and 000
_LATEX_THOUSANDS = re.compile(r"(?<=\d)(?:\{,\}|\\,|,\\!|[\u00a0\u202f\u2009])(?=\d{3}(?!\d))")


# a minus written with a look-alike: the full-width one of Chinese and Japanese text (答案是－5), and an en dash set
# against the number or command as word processors turn a hyphen (–5, –\frac{1}{2}; never the range 3–5)
_MINUS_LIKE = re.compile(rf"\uff0d|(?<!(?![{_CJK}])[\w.)\]}}])\u2013(?=\$?\d|\\[a-z]|∞)")


def _minus_signs(text: str) -> str:
    """``text`` with each :data:`_MINUS_LIKE` minus written ``-`` (as long as before: one character each)."""
    return _MINUS_LIKE.sub("-", text) if "\uff0d" in text or "\u2013" in text else text


def find_numbers(text: str) -> list[Fraction]:
    """All numbers in ``text`` as exact fractions ("$1,000.00", LaTeX's "1{,}000" and "1\\u202f000" -> 1000, "3/4" ->
    3/4, "-2.5", "\\frac{3}{4}" -> 3/4, "negative 5" -> -5, the mixed numbers "2 1/2", "2\\frac{1}{2}" and "2½" ->
    5/2, a number's power "2^{10}" -> 1024 and "1.5 \\times 10^3" -> 1500; the power of a unit or a name, ``cm^2``,
    is none)."""
    found = []
    blank = lambda m: " " * len(m.group())  # noqa: E731 - the fractions' and powers' digits are read no further
    text = _LONG_DIGITS.sub(blank, _LATEX_THOUSANDS.sub(",", _minus_signs(text)))
    for m in _POWER_NUM_RE.finditer(text):
        if (v := _power(m)) is not None:
            found.append((m.start(), v))
        text = text[:m.start()] + blank(m) + text[m.end():]
    for m in _MIXED_RE.finditer(text):
        if (v := _mixed(m)) is not None:
            found.append((m.start(), v))
            text = text[:m.start()] + blank(m) + text[m.end():]
    for m in _FRAC_NUM_RE.finditer(text):
        den = Fraction(m.group("den") or m.group("d"))
        if den:
            v = Fraction(m.group("num") or m.group("n")) / den
            minuses = sum(m.group(k) is not None for k in ("sign", "ns", "ds"))  # -\frac{-3}{4} is 3/4
            found.append((m.start(), -v if minuses % 2 else v))
    for m in _NUM_RE.finditer(_POWER_OF_NAME.sub(blank, _FRAC_NUM_RE.sub(blank, text))):
        v = _match_number(m)
        if v is not None:
            found.append((m.start(), v))
    return [-v if v > 0 and _signed_in_words(text, at) else v for at, v in sorted(found, key=lambda hit: hit[0])]


def parse_number(text: str) -> Fraction | None:
    """``text`` as one number (whole string, ignoring spaces, ``$``, ``%`` and a trailing period; ``2\\frac{1}{2}`` is
    a mixed number, 5/2)."""
    s = _minus_signs(text).strip().rstrip(".").strip()
    if _LONG_DIGITS.search(s):
        return None
    s = re.sub(r"\\[!,;]|\\text\{[^}]*\}|\\%|%", "", _LATEX_THOUSANDS.sub(",", s)).strip()
    m = re.fullmatch(r"([-\u2212]?)\\[dt]?frac\{(-?\d+)\}\{(-?\d+)\}", s)
    if m:
        v = Fraction(int(m.group(2)), int(m.group(3))) if int(m.group(3)) else None
        return -v if v is not None and m.group(1) else v
    m = re.fullmatch(r"([-\u2212]?)(\d+)\s*\\[dt]?frac\{(\d+)\}\{(\d+)\}", s)  # 2\frac{1}{2}: two and a half
    if m:
        whole, num, den = int(m.group(2)), int(m.group(3)), int(m.group(4))
        if not 0 < num < den:
            return None  # 2\frac{3}{2} is no mixed number (a product?): compared as written
        return (-1 if m.group(1) else 1) * (whole + Fraction(num, den))
    m = _MIXED_RE.fullmatch(s)  # 2 1/2, 2½
    if m:
        return _mixed(m)
    m = _NUM_RE.fullmatch(s)
    return _match_number(m) if m else None


_SCI_RE = re.compile(r"([-\u2212]?)(\d+(?:\.\d+)?)(?:\\(?:times|cdot)10\^(?:\{([-\u2212]?\d+)\}|(\d))|[eE]([-+]?\d+))")


def _scientific(s: str) -> Fraction | None:
    """A normalised answer in scientific notation (``1.5\\times10^{3}``, ``1.5\\cdot10^3``, ``1.5e3``) as its value,
    else None. Only ever compared with another so written: a power of ten for a plain number is another form."""
    m = _SCI_RE.fullmatch(s) if not _LONG_DIGITS.search(s) else None
    if m is None:
        return None
    exp = int((m.group(3) or m.group(4) or m.group(5)).replace("\u2212", "-"))
    if abs(exp) > 1000:
        return None
    v = Fraction(m.group(2)) * Fraction(10) ** exp
    return -v if m.group(1) else v


def reference_answer(problem: Problem) -> str:
    """The problem's reference answer; a GSM8K full solution is reduced to its ``####`` part."""
    ans = str(problem.answer if problem.answer is not None else "")
    if "####" in ans:
        ans = ans.rsplit("####", 1)[1]
    return ans.strip()


def _numbers_equal(pred: str | Fraction | None, ref: str) -> bool:
    if pred is None:
        return False
    p = pred if isinstance(pred, Fraction) else parse_number(pred)
    r = parse_number(ref)
    if p is None or r is None:
        return False
    return p == r


_E_NOTATION = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE]([-+]?\d{1,4})")


def _reference_number(ref: str) -> Fraction | None:
    """A numeric oracle's reference as its number: as :func:`parse_number` reads it, else written in LaTeX (``$18$``,
    ``\\boxed{18}``, ``\\dfrac{1}{2}``), with ASDiv's unit in parentheses (``9 (apples)``, as lm-eval reads it) or in
    e-notation (``1e-05``, a number column read as written); None where it is no number."""
    if (r := parse_number(ref)) is not None:
        return r
    if re.search(r"[$\\]", ref):
        return parse_number(_normalize_math(extract_boxed(ref, last=True) or ref))
    if m := re.fullmatch(r"([^()]*)[ \t]\([ \t]*[A-Za-z][A-Za-z .'-]*\)\s*", ref):
        return parse_number(m.group(1))
    if (m := _E_NOTATION.fullmatch(ref.strip())) and abs(int(m.group(1))) <= 400:
        return Fraction(ref.strip())
    return None


# --------------------------------------------------------------------------- extraction

_GSM_RE = re.compile(r"####[ \t]*([^\n]*)(\n?)")
# a markdown heading on a #### line: "#### Step 1: ...", "#### 2. Compute the cost", "#### Final Answer" (no number)
_GSM_HEADING = re.compile(r"[\s*_#]*(?:(?!(?i:(?:the\s+)?(?:final\s+)?answer\b|negative\b|minus\b))[A-Z]"
                          r"|\d+[.)]\s+[A-Z]|(?i:(?:the\s+)?(?:final\s+)?answer\b)[^\d\n]*$)")


_HAS_NUMBER = re.compile(rf"\d|[{''.join(_VULGAR)}]")


def _gsm8k_line(text: str) -> re.Match | None:
    """The first ``####`` line that states an answer: a markdown heading (``#### Step 1: Add``, ``#### 2. Compute``,
    ``#### Final Answer`` with no number, ``##### Step``) and a line without a number (``I will answer after ####.``,
    ``####`` alone) are passed over, as lm-eval's strict ``#### <number>`` match passes them; ``#### Final Answer:
    18`` and ``#### The answer is 18`` still state one."""
    return next((m for m in _GSM_RE.finditer(text) if not _GSM_HEADING.match(m.group(1)) and
                 _HAS_NUMBER.search(m.group(1))), None)


def extract_gsm8k(text: str) -> str | None:
    """Text after the first ``####`` that states an answer (its line), or None."""
    m = _gsm8k_line(text)
    return m.group(1).strip() if m else None


def _gsm8k_complete(text: str) -> bool:
    """The first answer line is written to its end (``#### 8`` may become ``#### 80``). A line passed over before it
    (a heading, one without a number) ended, so it is decided for good."""
    m = _gsm8k_line(text)
    return m is not None and bool(m.group(2))


_BOX_WORD = r"\\(?:boxed|f(?:rame)?box)"  # \fbox and \framebox, a box as some models write it
_BOX_OPEN = re.compile(_BOX_WORD + r"\s*\{")
# what a prompt's box holds where the answer goes: \boxed{<answer>}, \boxed{\text{your final answer}}, \boxed{...}
_PLACEHOLDER = re.compile(r"(?:\\(?:text|textrm|textit|mathrm)\s*\{\s*)?<?\s*(?i:(?:your|the)\s+)?(?i:final\s+)?"
                          r"(?i:answer)\s*>?\s*\}?|\.\.\.|…|\\[lc]?dots")
_BOX_OR_BRACE = re.compile(rf"{_BOX_OPEN.pattern}|[{{}}]")


def extract_boxed(text: str, last: bool = False) -> str | None:
    """Content of the first (``last``: the last) closed ``\\boxed{...}`` (nested braces allowed), or None. A
    rollout's answer is its first box (the early stop relies on it); a reference solution's is its last, as MATH's
    own grader reads it (a worked solution may box a step before the answer). An empty box holds no answer and is
    passed over (models echo the prompt's "within \\boxed{}" before answering), as is a placeholder
    (``\\boxed{<answer>}``, ``\\boxed{your answer}``, ``\\boxed{...}``: a prompt's "Answer: \\boxed{<answer>}")."""
    return _boxes(text, last)[0]


def _boxes(text: str, last: bool = False) -> tuple[str | None, bool]:
    """:func:`extract_boxed`'s answer, and whether the first is decided: no box opened before it is still open (in
    ``\\boxed{2 + \\boxed{3}`` the first box is the outer one, once it closes; the early stop fired at the inner)."""
    return _box_span(text, last)[:2]


def _box_span(text: str, last: bool = False) -> tuple[str | None, bool, int]:
    """:func:`_boxes`'s answer and verdict, and where the first box ends once decided (else -1)."""
    found, opened, boxes = [], [], 0  # closed boxes (start, content); the braces open: a box's start, or -1
    for m in _BOX_OR_BRACE.finditer(text):  # one pass: each box left open was read to the text's end on its own
        if m.group() != "}":
            opened.append(-1 if m.group() == "{" else m.end())
            boxes += m.group() != "{"
        elif opened and (start := opened.pop()) >= 0:
            boxes -= 1
            if (inside := text[start:m.start()].strip()) and not _PLACEHOLDER.fullmatch(inside):
                found.append((start, inside))
                if not last and not boxes:  # every box opened before it is closed: the first is known
                    return (inside, True, m.end()) if len(found) == 1 else (min(found)[1], True, -1)
    return ((max(found) if last else min(found))[1] if found else None), False, -1


# a box written right after the answer's first, joined to it: \boxed{2}, \boxed{3}; $\boxed{12}$ or $\boxed{13}$
_SP = r"[ \t]{0,3}"  # bounded: the early stop must know when no joined box can follow any more
# (spaces as LaTeX writes them too: \boxed{2} \quad \text{or} \quad \boxed{3}, \; \text{or} \;, ~\text{and}~; "or"
# bracketed or with a word of doubt: \boxed{12} (or \boxed{13}), \boxed{12} or possibly \boxed{13})
_LSP = r"(?:[ \t~]|\\[,;: ]|\\q?quad(?![A-Za-z])){0,6}"
_NL = r"(?:[ \t]*\n){0,3}"
# a unit or a word written after a box before the next (\boxed{12} apples or \boxed{13} apples, \text{ km}), and the
# words of doubt or correction that may open the second (\boxed{12}; however, \boxed{13}, \boxed{12}, but maybe)
_BOX_WORD_AFTER = (rf"(?:{_LSP}(?:\*\*)?(?:\$\$?|\\[)\]])?{_LSP}(?:\\(?:text|textrm|mathrm|mbox)[ \t]?\{{[ \t]*)?"
                   r"(?!(?i:or|and|vs|versus)(?![A-Za-z]))[A-Za-z]{1,20}(?:[ \t]*\})?)?")
_DOUBT = (r"(?:(?i:maybe|possibly|perhaps|alternatively|however|but|though|actually|rather|instead|otherwise|wait|no)"
          rf"(?![A-Za-z]),?{_LSP}){{0,2}}")
_TEXT_DOUBT = rf"(?:(?:maybe|possibly|perhaps)(?![A-Za-z]){_LSP})?"  # \text{ or possibly }
# a LaTeX line break (a display's next row: \boxed{12} \\ \boxed{13}) or an arrow (\boxed{12} \rightarrow \boxed{13},
# a change of mind) between two boxes joins them as a comma does: two answers, never the first alone
_BOX_BREAK_OR_ARROW = (rf"\\\\(?:\[[^\]\n]{{0,8}}\])?{_NL}|->|=>|[→⇒]"
                       r"|\\(?:to|(?:long)?(?:right|Right)arrow|implies|mapsto)(?![A-Za-z])")
_JOINED_BOX = re.compile(_BOX_WORD_AFTER + rf"(?:{_LSP}(?:\*\*)?(?:\$\$?|\\[)\]])?{_LSP}"
                         rf"(?:(?:\({_LSP})?(?:,{_LSP})?(?i:and/or|or|and|vs\.?|versus)(?![A-Za-z])|[,;/&]|或者?|还是|和"
                         rf"|{_BOX_BREAK_OR_ARROW}"  # \boxed{12} \\ \boxed{13}, \boxed{12} \to \boxed{13}
                         rf"|\\(?:text|textbf|textrm|mathrm|mbox)[ \t]?\{{{_LSP}\(?{_LSP},?{_LSP}"  # \text{ (or }
                         rf"(?i:and/or|or|and|vs\.?|versus){_LSP}{_TEXT_DOUBT}\}})?{_LSP}"
                         rf"{_DOUBT}"  # as _MAY_JOIN holds
                         rf"(?:\$\$?|\\[(\[])?{_LSP}(?:\*\*)?" + _BOX_WORD + r"[ \t]{0,3}\{"
                         # or offered on a line of its own: \boxed{12}\n\nor\n\n\boxed{13}, in display math too
                         rf"|{_LSP}(?:\*\*)?(?:{_NL}[ \t]*(?:\$\$?|\\[)\]]))?(?:[ \t]*\n){{1,3}}[ \t]*(?:\*\*)?\(?"
                         r"(?:(?i:or|vs\.?|versus|alternatively)(?![A-Za-z])|或者?|还是)\)?[,:]?(?:\*\*)?"
                         r"(?:[ \t]+(?:maybe|possibly|perhaps)(?![A-Za-z]),?)?"
                         rf"{_NL}{_LSP}(?:(?:\$\$?|\\[(\[]){_NL})?{_LSP}(?:\*\*)?" + _BOX_WORD + r"[ \t]{0,3}\{)")
_MOST_JOINED = 64
# what may still become one (any word on the box's own line: a unit's, a doubt's; a minus sign, which a number offered
# may open: \boxed{12} or -12; the period of "vs." only after vs: \boxed{8}. is decided at once)
_JOIN_REACH = 80  # how far past a box, on its line, a joined box or a number offered may still begin
_MAY_JOIN = re.compile(r"(?:[ \t~:*$\\()\[\],;/&{}A-Za-z或者还是和\-\u2212=>→⇒]|(?<=[vV][sS])\.){0,%d}" % _JOIN_REACH +
                       r"(?:\n(?:[ \t\n~:*$\\()\[\],;/&{}orandtexqubfmhpsliyvORANDVS或者还是和]|(?<=[vV][sS])\.){0,80})?")


def _joined_boxes(text: str, first: str, end: int) -> tuple[str | None, bool]:
    """The answer of a first box closed at ``end`` with the boxes joined to it (``\\boxed{2}, \\boxed{3}`` and
    ``\\boxed{12} or \\boxed{13}``: the list ``2, 3``, never the first alone: a hedge read as its first answer was
    judged right), and whether it is decided: no joined box can follow any more (a second box left open, cut by
    the token limit, names no answer)."""
    parts = {first: None}  # each once, in order: \boxed{3} or \boxed{3} is 3
    for joined in range(_MOST_JOINED + 1):
        if (m := _JOINED_BOX.match(text, end)) is None:
            break
        if joined == _MOST_JOINED:  # a model's loop of boxes: no answer, whatever follows (never read to its end)
            return None, True
        if (end := _braced(text, m.end() - 1)) < 0:
            return None, False
        parts.setdefault(text[m.end():end - 1].strip() or first)
    if (m := _OR_NUMBER.match(text, end) or _OR_WORDED.match(text, end)) is not None and \
            m.start("n") - end <= _JOIN_REACH:  # \boxed{12} (or 13), \boxed{12} (or thirteen)
        after = _AFTER_OR_NUMBER.match(text, m.end())
        unit = _OR_UNIT.match(text, m.end())
        worded = not _HAS_NUMBER.search(m.group("n"))
        number = str(_worded_value(m.group("n"))) if worded else m.group("n")
        if not _restates_box(number, after, list(parts), unit.group(1) if unit else None, m.group("unit")):
            parts.setdefault(number)
        return ", ".join(parts), after is not None and _OR_UNIT_OPEN.fullmatch(text, m.end()) is None and \
            not (worded and _WORDS_GO_ON.fullmatch(text, m.end()))  # one hundred and ... may go on as 120
    if (m := _OR_VALUE_OPEN.fullmatch(text, end)) is not None and m.start("n") - end <= _JOIN_REACH:
        return ", ".join(parts), False  # \boxed{12} or \frac{1: a value offered, not written yet
    return ", ".join(parts), _MAY_JOIN.fullmatch(text, end) is None


# a number offered after a box: \boxed{12} or 13, \boxed{12} (or possibly 13), \boxed{12}\text{ or }13; only "or"
# (\boxed{12} and 13 more may say something else), the number read to its end; a unit's word may follow the box, and
# a few more words (\boxed{12} apples or 13 apples, \boxed{12} apples in total, or 13)
_OR_HEAD = (rf"(?:{_LSP}(?:\$|\\[)\]])?{_LSP}(?:\\(?:text|textrm|mathrm|mbox)[ \t]?\{{[ \t]*)?"
            r"(?P<unit>(?!(?i:or)(?![A-Za-z]))[A-Za-z]{1,20})(?![A-Za-z])"
            r"(?:[ \t]+(?!(?i:or)(?![A-Za-z]))[A-Za-z]{1,20}(?![A-Za-z])){0,4}(?:[ \t]*\})?)?"
            rf"{_LSP}(?:\*\*)?(?:\$|\\[)\]])?{_LSP}(?:(?:\({_LSP})?(?:[,;]{_LSP})?(?i:or)(?![A-Za-z])"
            rf"|\\(?:text|textbf|textrm|mathrm|mbox)[ \t]?\{{{_LSP}\(?{_LSP},?{_LSP}(?i:or){_LSP}"
            rf"{_TEXT_DOUBT}\}}){_LSP}"
            rf"(?:(?:maybe|possibly|perhaps|alternatively)(?![A-Za-z]),?{_LSP})?(?:\$|\\\()?{_LSP}")
# a value offered there in LaTeX (\frac{1}{3}, 2\sqrt{3}, 2\pi), read before a number's digits, its braces bounded: what
# _OR_VALUE_OPEN waits for
_OR_LATEX = (r"[-\u2212]?\d*(?:\\[dt]?frac\d\d|\\[dt]?frac\{[^{}\n]{1,20}\}\{[^{}\n]{1,20}\}|\\sqrt\{[^{}\n]{1,20}\}"
             r"|\\pi(?![A-Za-z]))")
_OR_NUMBER = re.compile(_OR_HEAD + rf"(?P<n>{_OR_LATEX}|[-\u2212]?\d+(?:[.,]\d+)*(?:/\d+)?)")
# a number offered there in words: \boxed{18} (or twenty), \boxed{18} or twenty-one (read by :func:`_worded_value`)
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNDER_100 = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_ONES[1:10])}))?|{'|'.join(_ONES)})"
_IN_WORDS = (rf"(?i:(?:(?:a|{'|'.join(_ONES[1:10])})[ \t]+hundred(?:[ \t]+(?:and[ \t]+)?{_UNDER_100})?"
             rf"|{_UNDER_100}))")
_OR_WORDED = re.compile(_OR_HEAD + rf"(?P<n>{_IN_WORDS})(?![A-Za-z])")
_WORDS_GO_ON = re.compile(r"[- \t]*(?:(?i:and)[ \t]*)?[A-Za-z]*")  # what may still make a number in words larger
# such a value still being written (\boxed{12} or \frac{1): the stop waits for it, as far as its braces may reach
_OR_VALUE_OPEN = re.compile(_OR_HEAD + r"(?P<n>[-\u2212]?\d*\\(?:[dt]?frac|sqrt)(?![A-Za-z]))[^\n]{0,50}")
# what follows that number, once it tells: a percent sign, or anything but its digits (a unit's word, a bracket)
_AFTER_OR_NUMBER = re.compile(r"[ \t]*(?:(?P<pct>\\?%)|\\(?:text|mathrm|mbox)[ \t]*\{[ \t]*[A-Za-z]"
                              r"|[^\s\\%\d.,/]|[.,/](?=\D)|\n|\\(?=[^a-zA-Z%]))")


def _restates_box(number: str, after: re.Match | None, parts: list[str], unit: str | None = None,
                  box_unit: str | None = None) -> bool:
    """Whether a number offered after the boxes (:data:`_OR_NUMBER`) says their answer again: the same value
    (``\\boxed{\\frac12} (or 0.5)``), as a percent (``(or 50%)``) or the same amount in another ``unit`` written
    after it (``\\boxed{2 \\text{ hours}} (or 120 minutes)``, by :data:`_UNIT_SIZES`; ``(or 3 minutes)`` is a
    second answer, and so is an amount whose units are not both known); ``box_unit``: the word written after the
    box (``\boxed{2} hours (or 120 minutes)``)."""
    if after is not None and after.group("pct"):
        value = parse_number(number)
        return value is not None and any(_reference_number(p) == value / 100 for p in parts)
    box = f"{parts[0]} {box_unit}" if box_unit and len(parts) == 1 and not _BOX_AMOUNT.fullmatch(parts[0]) \
        else parts[0]
    return any(_boxes_equal(number, p) for p in parts) or len(parts) == 1 and _same_amount(box, number, unit)


# what a unit is in its base unit, by dimension: the amount a box states restated in another (2 hours or 120 minutes)
_UNIT_SIZES = {unit: (dim, Fraction(size)) for dim, units in (
    ("s", {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
           "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400,
           "week": 604800, "weeks": 604800}),
    ("m", {"mm": "1/1000", "millimeter": "1/1000", "millimeters": "1/1000", "millimetre": "1/1000",
           "millimetres": "1/1000", "cm": "1/100", "centimeter": "1/100", "centimeters": "1/100",
           "centimetre": "1/100", "centimetres": "1/100", "m": 1, "meter": 1, "meters": 1, "metre": 1, "metres": 1,
           "km": 1000, "kilometer": 1000, "kilometers": 1000, "kilometre": 1000, "kilometres": 1000,
           "inch": "0.0254", "inches": "0.0254", "ft": "0.3048", "foot": "0.3048", "feet": "0.3048",
           "yard": "0.9144", "yards": "0.9144", "mile": "1609.344", "miles": "1609.344"}),
    ("g", {"mg": "1/1000", "milligram": "1/1000", "milligrams": "1/1000", "g": 1, "gram": 1, "grams": 1,
           "kg": 1000, "kilogram": 1000, "kilograms": 1000}),
    ("l", {"ml": "1/1000", "mL": "1/1000", "milliliter": "1/1000", "milliliters": "1/1000", "millilitre": "1/1000",
           "millilitres": "1/1000", "l": 1, "L": 1, "liter": 1, "liters": 1, "litre": 1, "litres": 1}),
    ("$", {"cent": "1/100", "cents": "1/100", "dollar": 1, "dollars": 1}),
) for unit, size in units.items()}
# a box holding a number and its unit: 2 \text{ hours}, 2\,\mathrm{h}, 2 hours
_BOX_AMOUNT = re.compile(r"[ \t]*([-\u2212]?\d[\d,]*(?:\.\d+)?)(?:[ \t~]|\\[,;: !]|\\q?quad(?![A-Za-z]))*"
                         r"(?:\\(?:text|textrm|mathrm|mbox)[ \t]*\{[ \t]*([A-Za-z]+)[ \t]*\}|([A-Za-z]+))[ \t]*")
# the unit written after a number offered after a box (120 minutes), and one the stop waits for: its word may grow
_OR_UNIT = re.compile(r"[ \t]*(?:\\(?:text|textrm|mathrm|mbox)[ \t]*\{[ \t]*)?([A-Za-z]+)")
_OR_UNIT_OPEN = re.compile(r"[ \t]*(?:\\(?:text|textrm|mathrm|mbox)[ \t]*\{[ \t]*)?[A-Za-z]+")


def _amount_in_unit(answer: str, reference: str, problem: Problem) -> bool | None:
    """Whether ``answer``, a number and a known unit (``180 m``, ``180\\text{ km}``), is the reference's amount in the
    unit the reference was written with (``meta["answer_unit"]``: the loader reads "180 km" as 180); None where either
    unit is unknown or not stated. The number alone left ``\\boxed{180 m}`` passing "180 km"."""
    unit, box = (problem.meta or {}).get(ANSWER_UNIT_KEY), answer.strip().strip("$")
    m = _BOX_AMOUNT.fullmatch(box)
    if not isinstance(unit, str) or unit not in _UNIT_SIZES or m is None or \
            (m.group(2) or m.group(3)) not in _UNIT_SIZES:
        return None
    return _same_amount(box, reference, unit)


def _same_amount(box: str, number: str, unit: str | None) -> bool:
    """Whether ``number`` in ``unit`` is the amount the box states in its own unit (2 hours and 120 minutes)."""
    m = _BOX_AMOUNT.fullmatch(box)
    if m is None or unit is None:
        return False
    one, two = _UNIT_SIZES.get(m.group(2) or m.group(3)), _UNIT_SIZES.get(unit)
    a, b = parse_number(m.group(1)), parse_number(number)
    return one is not None and two is not None and one[0] == two[0] and None not in (a, b) and \
        a * one[1] == b * two[1]


# a number and the word written right after it, in a line of prose: 180 m, 180 km., 2.5\text{ hours}
_SAID_AMOUNT = re.compile(r"[-\u2212]?\$?(\d[\d,]*(?:\.\d+)?)(?:[ \t]|\\[,;: ])*"
                          r"(?:\\(?:text|textrm|mathrm|mbox)[ \t]*\{[ \t]*)?([A-Za-z]+)(?![A-Za-z])")


def _said_in_unit(text: str, at: int, reference: str, problem: Problem) -> bool | None:
    """Whether the number written at ``at`` in a line of prose, where a known unit follows it (``#### 180 m``), is
    the reference's amount in the reference's unit (:func:`_amount_in_unit`); None where it has no known unit or
    the reference none: the gsm8k and last_number oracles read the number alone, and ``180 m`` passed "180 km"."""
    unit = (problem.meta or {}).get(ANSWER_UNIT_KEY)
    m = _SAID_AMOUNT.match(text, at) if isinstance(unit, str) and unit in _UNIT_SIZES else None
    if m is None or m.group(2) not in _UNIT_SIZES:
        return None
    return _same_amount(f"{m.group(1)} {m.group(2)}", reference, unit)


_UNBRACED_OPEN = re.compile(r"\\boxed[ \t]+(?=[-\u2212]?\d)")  # \boxed 5: a number boxed without braces
_UNBRACED_NUMBER = re.compile(r"[-\u2212]?\d+(?:[.,]\d+)*(?:/\d+)?")
_UNBRACED_END = re.compile(r"[ \t]*(?:\$|\\[\])]|\n|[.,;:!?]\s)")  # the math's end, a line's, a sentence's
_UNBRACED_OPEN_END = re.compile(r"[ \t]*(?:[.,;:!?/]|\\)?")  # what may still become one (5. may be 5.5)


def _answer_box(text: str) -> tuple[str | None, bool]:
    """A rollout's first box and whether it is decided, a number boxed without braces (``$\\boxed 5$``, as MATH's
    solutions write it) included where no closed box comes before it. That number runs to the math's end (or the
    text's, for the verdict): ``\\boxed 2\\sqrt{3}`` boxes no number and is passed over for the braced boxes."""
    u = _UNBRACED_OPEN.search(text)
    if u is None or _boxes(text[:u.start()])[0] is not None:
        first, decided, end = _box_span(text)
        return _joined_boxes(text, first, end) if end >= 0 else (first, decided)
    number = _UNBRACED_NUMBER.match(text, u.end())
    if _UNBRACED_END.match(text, number.end()) or number.end() == len(text):
        return number.group().rstrip(".,"), number.end() < len(text)
    if _UNBRACED_OPEN_END.fullmatch(text, number.end()):
        return number.group().rstrip(".,"), False  # at the text's end: the answer so far, which may still grow
    first, decided, end = _box_span(text)
    return _joined_boxes(text, first, end) if end >= 0 else (first, decided)


_GREEK = (r"\\(?:var)?(?:alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|pi|rho|sigma|tau"
          r"|upsilon|phi|chi|psi|omega)(?![a-zA-Z])")
_TOKEN = rf"[0-9a-zA-Z]|{_GREEK}"
# one way only to cut a product into factors (a number takes all its digits, a command all its letters): "1" * 31
# cut every way took minutes to refuse, on each boxed answer of 2^100's 31 digits
_FACTOR = r"(?:\d+(?:\.\d+)?(?![\d.])|[a-zA-Z]|\\[a-zA-Z]+(?![a-zA-Z])(?:\{[^{}]*\})?)(?:\^(?:[0-9a-zA-Z]|\{[^{}]*\}))?"
_SLASH = re.compile(rf"(-?)((?:{_FACTOR})+)/(\d+|[a-zA-Z]|\\[a-zA-Z]+(?:\{{[^{{}}]*\}})?)")


# a unit's text: no second value (only m^2's digit), no π nor command (2\text{π}, 2\text{ \pi} are 2π), no multiplier
# (18\text{ thousand}, 18\text{万}: never 18)
_UNIT = (r"(?![^{}]*\b(?i:or|and|nor|not)\b)(?![\s~]*(?:(?i:thousand|million|billion|trillion|hundred|dozen|lakh|crore)"
         r"|[十百千万萬亿億兆만천백억](?![米克瓦])))(?:[^{}\d\\π]|\^\d)*")


_CJK_UNIT = re.compile(rf"([-\u2212]?\d[\d,]*(?:\.\d+)?)[ \t]*(?![十百千万萬亿億兆만천백억](?![米克瓦]))[{_CJK}]+\.?")


_MATH_SYMBOLS = str.maketrans({"∞": "\\infty ", "∪": "\\cup ", "∩": "\\cap ", "≤": "\\leq ", "≥": "\\geq ",
                               "≠": "\\ne ", "π": "\\pi ", "±": "\\pm ", "∅": "\\emptyset ", "·": "\\cdot ",
                               "×": "\\times ", "√": "\\sqrt"})


_ANSWER_LABEL = re.compile(r"^\s*(?i:(?:the\s+)?(?:final\s+)?answer(?:\s*[:：]|\s+is(?![A-Za-z])))\s*")
_FUNCTION_BRACKETS = re.compile(r"\\(ln|log(?:_\{?[0-9a-zA-Z]+\}?)?|exp|sin|cos|tan|sec|csc|cot|arcsin|arccos"
                                r"|arctan|sinh|cosh|tanh)\s*"
                                r"(?:\\left)?\(\s*(\d+(?:\.\d+)?|[a-zA-Z]|\\[a-zA-Z]+)\s*(?:\\right)?\)"
                                r"(?![0-9a-zA-Z\\({\[^_])")


def _normalize_math(s: str) -> str:
    """A boxed answer in one spelling, as MATH's grader normalises it: ``\\frac12`` and ``\\frac{1}{2}``, ``\\sqrt2``
    and ``\\sqrt{2}``, ``x = 5`` and ``5``, ``90^\\circ`` and ``90``, ``5\\text{ cm}`` and ``5``, ``\\text{(B)}`` and
    ``B) 42`` and ``B`` read alike."""
    s = _minus_signs(s).strip()
    if m := re.fullmatch(r"\\[(\[](.*)\\[)\]]\.?", s, re.S):  # \(18\), \[18\]: the math of a reference kept so
        s = m.group(1) if not re.search(r"\\[()\[\]]", m.group(1)) else s
    s = (s[:-1] if s.endswith("$.") else s).strip("$").strip()  # $18$.
    for _ in range(8):  # a few layers, never a model's loop of thousands (each layer reads the whole answer)
        if (m := re.fullmatch(_BOX_WORD + r"\s*\{(.*)\}", s, re.S)) and extract_boxed(s) == m.group(1).strip():
            s = m.group(1).strip()  # a box inside the box: \boxed{\boxed{3}}
        elif s.startswith("{") and _braced(s, 0) == len(s):
            s = s[1:-1].strip()  # a group of the whole answer: \boxed{{5}} (a prompt's format string shows \boxed{{}})
        else:
            break
    # the value and its unit in one text: \text{5 dollars}, \text{\$18 per hour}, \mathrm{5\,kg} (never \text{5 or 6})
    m = re.fullmatch(r"\\(?:text|textrm|mbox|mathrm)\{\s*([-\u2212]?(?:\\?\$)?\d[\d,.]*)(?:\s|\\[,;: ]|~)+"
                     r"([^{}\s\\~][^{}]*)\}\s*\.?", s)
    if m and re.fullmatch(_UNIT, m.group(2)):  # the spaces split one way only: a loop of them is read at once
        s = m.group(1)
    # a counter or unit in Chinese, Japanese or Korean after the value: 18个, 18 元, 3.5千米 (never a multiplier, 18万)
    if m := _CJK_UNIT.fullmatch(s):
        s = m.group(1)
    # a unit after the value: 5\text{ cm}^2, 6\,\text{m}, 5~\mathrm{kg} (the spaces before it read from the value's end
    # only, not from each of them: a loop of \, took seconds); never a second value (5\text{ or 6}, 5\text{ and 7})
    # nor a number in roman type (2\,\mathrm{i}, \mathrm{e})
    # (the spaces opening a unit's text split one way only: a loop of them took seconds); set apart by a quad, or
    # written against a number (5\text{cm}, \frac{1}{2}\text{hours}: never after a name, x\text{cm})
    s = re.sub(rf"(?:\\(?:text|textrm|mbox|mathrm)\{{[\s~]+(?![\s~]){_UNIT}\}}|(?<=[^\s\\~])(?<!\\[,;:])(?<!\\quad)"
               r"(?<!\\qquad)(?:(?:\s|~|\\[,;: ]|\\q?quad(?![a-zA-Z]))+|(?<=[\d}]))"
               rf"\\(?:text|textrm|mbox|mathrm)\{{(?![ied]\}}){_UNIT}\}})"
               r"(?:\s*\^\s*\{?\d\}?)?\s*(?:\.\s*)?$", "", s).strip()  # the spaces around a period split one way
    s = re.sub(r"(\\\\)|\\(?:left|right)(?![a-zA-Z])|\\[!,;: ]|~|\\(?:display|text|script)style|\\color\{[^{}]*\}|"
               r"\\(?:bf|it|rm|sf|tiny|small|normalsize|large|Large|LARGE|huge|Huge)(?![a-zA-Z])\s*",
               lambda m: m.group(1) or "", s)  # sizes, styles, colours and spaces; a row break \\ (1 \\ 2) is none
    s = re.sub(r"\\textcolor\{[^{}]*\}", "", s)  # \textcolor{red}{5}: the group that follows, as \color's
    if s.startswith("{") and _braced(s, 0) == len(s):
        s = s[1:-1].strip()  # the group a style or colour left: \color{red}{5}, \bf{5}
    s = re.sub(r"(?<=\d)\{,\}(?=\d)", ",", s)  # 1{,}000: LaTeX's thousands separator
    s = re.sub(r"\\[dt]frac", r"\\frac", s).replace("\u2212", "-")  # the unicode minus
    s = s.translate(_MATH_SYMBOLS)  # (-∞, 2) ∪ (3, ∞), 2π, x ≤ 3: the symbols as LaTeX's commands
    # infinity as its symbol, or signed + where an interval opens or ends: (3, ∞), [2, +\infty) are [2,\infty)
    s = re.sub(r"(^|[(\[,])(\s*)\+\s*(?=\\infty(?![a-zA-Z]))", r"\1\2", s)
    # 2 1/2: a whole and a fraction, never 21/2 once the space is gone (MATH's mixed numbers are 2\frac{1}{2})
    s = re.sub(r"(?<![\w.\\])(\d+)\s+(\d+)\s*/\s*(\d+)(?![\w/.])", r"\1\\frac{\2}{\3}", s)
    # degrees, percent, dollars and the other currencies' signs (\boxed{12 €}, £1{,}200, \euro 5)
    # (a temperature's scale after the degree sign too: 12^\circ\text{C}, 12°F)
    s = re.sub(r"(?:\^\s*\{?\s*\\circ\s*\}?|°)(?:\s*(?:\\(?:text|textrm|mathrm)\s*\{\s*[CF]\s*\}|[CF](?![a-zA-Z])))?"
               r"|\\\$|\\?%|[€£¥₹]|\\(?:euro|texteuro|pounds|textsterling|yen)(?![a-zA-Z])", "", s)
    s = re.sub(r"\\(?:text|textrm|textbf|mbox|mathrm|mathbf|boldsymbol|bm)\{([^{}]*)\}", r"\1", s)
    s = _ANSWER_LABEL.sub("", s, count=1)  # \boxed{\text{Answer: } 12}: the label a model boxed with its answer
    # \ln(2) and \ln 2, \sin(x) and \sin x: a function's one-token argument in brackets, never one a product follows
    s = _FUNCTION_BRACKETS.sub(r"\\\1 \2", s)
    s = re.sub(r"\\sqrt\s*(\[[^\[\]{}]*\])?\s*([0-9a-zA-Z])", r"\\sqrt\1{\2}", s)  # \sqrt2, \sqrt[3]2
    s = re.sub(r"\\([gl]e|ne)(?:q)?(?![a-zA-Z])", r"\\\1q", s).replace("\\neq", "\\ne")  # \ge is \geq, \neq \ne
    s = re.sub(r"([_^])\s*\{\s*([0-9a-zA-Z])\s*\}", r"\1\2", s)  # x^{2} is x^2, a_{1} a_1 (2^10 is 2^{1}0)
    # an argument of one token: a digit, a letter or a Greek letter (\frac\pi2, \frac2\pi); the numerator may hold
    # braces of its own (\frac{\sqrt{3}}3)
    s = re.sub(rf"\\frac\s*({_TOKEN})\s*({_TOKEN})", r"\\frac{\1}{\2}", s)
    s = re.sub(rf"\\frac\s*({_TOKEN})\s*\{{", r"\\frac{\1}{", s)
    s = re.sub(rf"\\frac(\{{(?:[^{{}}]|\{{[^{{}}]*\}})*\}})\s*({_TOKEN})", r"\\frac\1{\2}", s)
    s = re.sub(r"\\varnothing(?![a-zA-Z])|\\\{\s*\\\}", r"\\emptyset", s)  # the empty set, however written
    # a repeating decimal's bar however written: 0.\bar{3} and 0.\bar3 are 0.\overline{3}
    s = re.sub(r"\\(?:bar|overline)(?![a-zA-Z])\s*(?:([0-9a-zA-Z])|(?=\{))", lambda m: f"\\overline{{{m.group(1)}}}"
               if m.group(1) else "\\overline", s)
    s = re.sub(r"\\(begin|end)\{bmatrix\}", r"\\\1{pmatrix}", s)  # one matrix in brackets or parentheses
    # x = 5, x_1 = 5, x \in [1,2], f(x) = 2x+1, f^{-1}(3) = 2, (a, b) = (2, 3): the value, the set, the expression,
    # the tuple; a segment or angle asked for, AB = 5, \overline{AB} = 5, \angle ABC = 30^\circ (MATH's grader drops
    # a name of two characters)
    m = re.fullmatch(r"\s*(?:[a-zA-Z](?:_[0-9a-zA-Z])?(?:\s*(?:\^\{?-1\}?|')?\([^()=]*\))?|[A-Z]{2}"
                     r"|\(\s*[a-zA-Z](?:_[0-9a-zA-Z])?(?:\s*,\s*[a-zA-Z](?:_[0-9a-zA-Z])?)+\s*\)"  # (a, b) = (2, 3)
                     r"|\\overline\{[A-Z]{2}\}|(?:m\s*)?\\angle\s*[A-Z]{1,3})\s*(?:=|\\in(?![a-zA-Z]))\s*([^=]+)", s)
    if m:
        s = m.group(1)
    m = re.fullmatch(r"\(?([A-E])\)?\.?|\(?([A-E])\)\s*(?!.*[A-E]\))(.+)", s, re.S)  # (B), B) 42: one letter
    if m:
        s = m.group(1) or m.group(2)
    s = _frac_sign_out(re.sub(r"\s+", "", s).rstrip("."))
    m = _SLASH.fullmatch(s) if "/" in s else None  # \pi/2, 3\sqrt{2}/4, x/2: a product over one token is that fraction
    s = f"{m.group(1)}\\frac{{{m.group(2)}}}{{{m.group(3)}}}" if m else s
    m = _FRAC_TIMES.fullmatch(s) if s.startswith(("\\frac", "-\\frac")) else None  # \frac{1}{2}\pi is \frac{\pi}{2}
    return f"{m.group(1)}\\frac{{{'' if m.group(2) == '1' else m.group(2)}{m.group(4)}}}{{{m.group(3)}}}" if m else s


# a fraction of numbers times one constant, name or root: \frac{3}{4}\pi, \frac{1}{2}\sqrt{3} (the whole answer)
_FRAC_TIMES = re.compile(rf"(-?)\\frac\{{(\d+)\}}\{{(\d+)\}}({_GREEK}|[a-zA-Z]|\\sqrt(?:\[\d+\])?\{{[^{{}}]*\}})")


def _braced(s: str, i: int) -> int:
    """The index just past the group that opens with the brace at ``s[i]``, or -1 where none closes it."""
    depth = 0
    for j in range(i, len(s)):
        depth += {"{": 1, "}": -1}.get(s[j], 0)
        if depth == 0:
            return j + 1
    return -1


def _one_term(s: str) -> bool:
    """Whether ``s`` is one product (``\\pi``, ``3\\sqrt{2}``): no sum, difference or ``\\pm`` outside brackets."""
    depth = 0
    for m in re.finditer(r"[({\[]|[)}\]]|[+-]|\\(?:pm|mp)(?![a-zA-Z])", s):
        depth += 1 if m.group() in "({[" else -1 if m.group() in ")}]" else 0
        if depth == 0 and m.group() not in ")}]":
            return False
    return bool(s)


def _frac_sign_out(s: str) -> str:
    """``\\frac{-\\pi}{2}`` and ``\\frac{\\pi}{-2}`` as ``-\\frac{\\pi}{2}`` (whitespace gone): one value, which
    math-verify reads alike. Only a minus before one term moves (``\\frac{-1+\\sqrt5}{2}`` is no
    ``-\\frac{1+\\sqrt5}{2}``), and only where a sign may stand (not after ``3`` or ``^``: ``3\\frac{-1}{2}`` is a
    product)."""
    pos = 0
    while (start := s.find("\\frac{", pos)) >= 0:
        pos = start + len("\\frac{")
        num_end = _braced(s, pos - 1)
        den_end = _braced(s, num_end) if num_end > 0 and s.startswith("{", num_end) else -1
        if den_end < 0 or (start and s[start - 1] not in "+-([{,="):
            continue
        num, den = s[pos:num_end - 1], s[num_end + 1:den_end - 1]
        flips = [part.startswith("-") and _one_term(part[1:]) for part in (num, den)]
        if not any(flips):
            continue
        num, den = (part[1:] if flip else part for part, flip in zip((num, den), flips))
        frac = f"\\frac{{{num}}}{{{den}}}"
        head = s[:start]
        if flips[0] != flips[1] and head.endswith("-"):  # -\frac{-\pi}{2}: \frac{\pi}{2}; a-\frac{-1}{x}: a+...
            head = head[:-1] + ("" if len(head) == 1 or head[-2] in "([{,=" else "+")
        elif flips[0] != flips[1]:
            head = head[:-1] + "-" if head.endswith("+") else head + "-"
        s = head + frac + s[den_end:]
        pos = len(head)
    return s


def normalize_text(s: str) -> str:
    """Case-folded, whitespace-collapsed, without surrounding quotes/punctuation."""
    s = re.sub(r"\s+", " ", str(s).casefold()).strip()
    return s.strip(" \t\"'`.,;:!?*")


# an adverb of a conclusion: the answer is therefore B, the answer, thus, is B, the answer is most likely B
_ADVERB = (r"(?:therefore|thus|then|hence|clearly|likely|probably|definitely|certainly|indeed|obviously"
           r"|(?:most|very)\s+likely)")
# the answer is / should be B, with an adverb (the answer must therefore be B)
_ANSWER_IS = (rf"(?:(?:,?\s+{_ADVERB},?)?\s+(?:is|(?:should|would|must|will|has\s+to)(?:\s+{_ADVERB})?\s+be)"
              rf"(?:\s+{_ADVERB}\b,?)?)")


# "answer" in the languages of multilingual benchmarks, with the adjective and verb before the letter
_FOREIGN_ANSWER = (r"(?:(?:正确|正確)?答案(?:】|(?:应该?|應該?)?(?:是|为|為|选|選)?(?:选项|選項)?)"  # 【答案】B (exams')
                   r"|(?:正确|正確)的?(?:选项|選項)(?:是|为|為)?"
                   r"|(?:(?:故|所以|因此|因而|综上[，,]?|我|本题|本題)(?:应该?|應該?)?|应该?|應該?)[选選]择?"
                   r"|答え(?:は)?|正解(?:は)?"
                   r"|정답(?:은)?|(?i:(?:respuesta|r[ée]ponse"
                   r"|antwort|risposta|resposta|ответ|jawaban(?:nya)?|cevap|đáp\s+án)(?:\s+(?:correcta|correcte|correta"
                   r"|corretta|exacta|final|finale|yang\s+benar|đúng))?(?:\s+(?:es|est|ist|è|é|—|–|-|adalah|là))?)"
                   r"(?:\s+(?:la|el|a|le|il))?"  # es la C, é a C
                   r"(?:\s+(?i:opci[óo]n|alternativa|letra|op[çc][ãa]o|opzione|lettera|lettre|inciso|option))?"
                   r"(?![A-Za-z])"
                   # MMMLU's and Global-MMLU's others, as simple-evals reads them (回答：B, الإجابة: B, उत्तर: B, Jibu: B)
                   r"|(?:回答|解答|答复|答曰|答|답변|답)(?=[ \t]*[:：])|답변(?:은)?"
                   r"|(?:ال)?(?:إجابة|جواب)(?:\s+(?:ال)?(?:صحيحة|نهائية|صحيح|نهائي))?(?:\s+هي)?"
                   r"|(?:सही\s+)?उत्तर(?:\s+है)?|(?:সঠিক\s+)?উত্তরঃ?|پاسخ|תשובה|คำตอบ"
                   r"|(?<![^\W\d_])(?i:(?:jibu(?:\s+sahihi)?(?:\s+ni)?|[iìí]d[aá]h[uù]n|àdáhùn"
                   r"|(?:poprawna\s+)?odpowied[źz](?:\s+to)?|(?:het\s+juiste\s+)?antwoord(?:\s+is)?|odpověď"
                   r"|răspuns(?:ul)?(?:\s+corect)?(?:\s+este)?"
                   r"|απάντηση|відповідь|câu\s+trả\s+lời(?:\s+đúng)?(?:\s+là)?|svar(?:et)?|vastaus|válasz|jawapan"
                   r"|sagot)"
                   r"(?![^\W\d_])))")
# the letters A-D in Arabic and Bengali script (MMMLU), as simple-evals reads them: الإجابة: ب is B
_SCRIPT_LETTERS = {"أ": "A", "ب": "B", "ج": "C", "د": "D", "অ": "A", "ব": "B", "ড": "C", "ঢ": "D"}


@functools.lru_cache(maxsize=8)
def _choice_patterns(last: str) -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """The strong and weak readings of a chosen letter ``A``..``last``: A-E unless a problem has more choices
    (MMLU-Pro's ten), since more letters read more prose ("I think") as a choice."""
    up, low = f"A-{last}", f"a-{last.lower()}"
    strong = (
        # "answer is (option) C"; a lower-case letter stands alone ((d), c), b., b at the line's end): "the answer is
        # a prime" names no choice
        # (with ten choices "I" is a letter: "Answer: I think ..." is the pronoun, "Answer: I is right" a choice; so
        # "A lot of ..." is the article, "A because ..." the choice)
        # (the right choice is C, the correct option is (B), Answer - C, Answer: [B])
        re.compile(rf"(?i:(?:answer|(?:correct|right|best|final)\s+(?:answer\s+)?(?:choice|option|response))"
                   rf"{_ANSWER_IS}?)"
                   r"(?:\*\*)?\s*(?:[:：\-–—]\s*)?"  # a mark takes the spaces after it: one split
                   # a letter ruled out before the one chosen: the answer is not B, it's C / not (B) but (C)
                   rf"(?:(?:(?i:not)|(?<=[Ii]s)n['’]t)\s+(?i:(?:option|choice)\s+)?[(\[]?[{up}][)\]]?"
                   r"(?:[ \t]*[,;])?[ \t]*"
                   r"(?:(?i:but|rather)(?:[ \t]+(?i:it['’]s|it[ \t]+is))?|(?<=[,;])[ \t]*(?i:it['’]s|it[ \t]+is))"
                   r"[ \t]+(?i:(?:option|choice)[ \t]+)?)?"
                   rf"(?:(?i:so|{_ADVERB}|it(?:['’]s|\s+is|\s+(?:must|should|would)\s+be)),?\s+)?"  # Answer: Probably B
                   r"(?:(?:\*{1,3}|_{1,2}|[`'\"“‘(\[]|\\(?:text|textbf|mathrm|mathbf)\s*\{)\s*)?"
                   rf"(?i:(?:option|choice|letter)\s*)?[(\[]?(?:([{up}])"
                   rf"|([{low}])(?=[)\]}}*_`'\"”’]|[.,;:!]?[ \t]*$|[.,;:!]\s)"
                   # (never one of two: answer: b, c / b. or c., any letter past the last: the stop reads a-e)
                   r"(?![.,;:!]?[ \t]*(?:(?i:or|and)[ \t]+)?[(\[]?[a-z](?:[)\],;:!]|\.(?![a-z]\.)|[ \t]*$)))"
                   r"(?![0-9]|[-+=][ \t]*[A-Za-z0-9+(]|['’]s\b)"  # a name or formula: B12, D-glucose, C++, E=mc^2
                   r"[)\]]?(?![A-Za-z])"
                   # a letter the same sentence calls wrong is not the answer (Answer: A is wrong, B is right)
                   r"(?![ \t]+(?:(?:is|was)(?:n['’]t\b|[ \t]+(?:(?:also|too|clearly|definitely|obviously)[ \t]+)?"
                   r"(?:not|wrong|incorrect|false|invalid)\b)"
                   r"|(?:can['’]?t|cannot)[ \t]+be\b))"
                   r"(?!(?<=[AI])(?:[ \t]+(?!(?:is|was|because|since|as|and|or|which|with|for|here|in|from|by"
                   r"|that|so|but|then|if)\b)[a-z]|['’][a-z]))", re.M),
        # a letter alone in math mode: Answer: $C$, the answer is \(B\) or $\text{C}$; never a formula ($A = \pi r^2$)
        re.compile(rf"(?i:answer{_ANSWER_IS}?)(?:\*\*)?\s*(?:[:：]\s*)?(?:\$|\\\()\s*"
                   r"(?:\\(?:text|textbf|mathrm|mathbf)\s*"
                   rf"\{{\s*\(?([{up}])\)?\s*\}}|\(?([{up}])\)?)\s*(?:\$|\\\))"),
        re.compile(rf"\*\*\(?([{up}])\)?\*\*"),
        # I choose B. / I pick (C) / I'd go with C: a letter set apart, never a name (I choose A to be the origin)
        re.compile(r"\bI(?:['’](?:d|ll)|\s+(?:would|will))?\s+(?:choose|pick|select|go\s+with)\s+"
                   r"(?i:(?:option|choice|answer)\s+)?"
                   rf"(?:\(([{up}])\)|\[([{up}])\]|([{up}])(?=[.!,;]?[ \t]*$|[.!,;]\s))", re.M),
        # in another language (C-Eval, CMMLU, Global-MMLU): 答案：B, 答案是 C, 故选B, La respuesta correcta es C, Réponse :
        # D, Ответ: B, 答案：选项B; a capital letter set apart, never one of two (答案：A或B, Respuesta: A o B)
        # (Portuguese and Spanish "A alternativa ...", "A la ..." open with the article)
        # (an Arabic or Bengali letter only where its sentence or line ends: ب opens Arabic words, أ أو ب hedges)
        re.compile(rf"{_FOREIGN_ANSWER}\s*(?:[:：]\s*)?(?:(?:选项|選項|选|選)[ \t]*)?(?:\*\*\s*)?(?:[(\[（]\s*)?"
                   rf"(?:([A-{last}])|([{''.join(_SCRIPT_LETTERS)}])"
                   r"(?=[ \t]*(?:[)\]）.,;:!?،।\n]|$)))[ \t]*[)\]）]?(?![A-Za-z])"
                   r"(?![ \t]*(?:[或和与、/,，]|または|(?:o|ou|oder|или|y|et|und|и|e|atau|veya|hoặc|of|lub|sau|eller|au|або|ή"
                   r"|أو|या|বা|또는)[ \t]+"
                   r"(?:(?:la|el|a|le|il)[ \t])?)"
                   r"[ \t]*[(\[（]?[A-Z]"  # any letter (D或I among ten): the early stop reads A-E, the judge more
                   r"(?![A-Za-z]))"
                   r"(?!(?<=A)[ \t]+(?!(?:es|est|ist|è|é|e|o|ou|y|et|und|is)\b)[a-zà-ÿ])"),
        # <answer>B</answer> (R1-Zero-style tags): the letter alone, or set apart before its choice's text (B. 42)
        re.compile(r"<answer>\s*(?:(?:\*\*|\$)\s*)?[(\[]?"
                   rf"([{up}{low}])(?:[)\]]?(?:\*\*|\$)?\s*</answer>|[)\].:][ \t]*\S)"),
        # a boxed letter: \boxed{C}, \boxed{\text{(C)}}, \boxed{C) 42}, \boxed{C. 42}; never a boxed formula
        # (\boxed{E = mc^2}, \boxed{B.5})
        re.compile(_BOX_WORD + r"\s*\{\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?\("
                   rf"?([{up}{low}])(?:\)?\s*\}}|\)|[.:](?:\s*\}}|\s))"),
    )
    weak = (
        re.compile(rf"\(([{up}])\)"),
        re.compile(rf"^[ \t]*([{up}])[.):]?[ \t]*$", re.M),  # the spaces of its line only: blank lines before a line
        re.compile(rf"^[ \t]*([{up}])[.):]\s", re.M),  # were read again from each line start, a loop's in seconds
    )
    return strong, weak


_MC_STRONG = _choice_patterns("E")[0]  # the early stop: a stated letter A-E


@functools.lru_cache(maxsize=8)
def _said_correct(last: str) -> re.Pattern:
    """A letter said to be the right one or the answer, ending its sentence: "B is the correct answer.", "option B is
    correct", "So B is the answer."; never "B is correct only if ...", "B is not correct" nor the last of two ("A or
    B is correct"); the letter may carry its choice's text ("**B) 15** is correct.", "So, B) 15 is correct.",
    "Option B (15) is correct.")."""
    # (never holding another letter, "Not A. Option B is correct." is B, nor another clause, "(A) since all of it is
    # correct."; after a period or colon only in bold, as a sentence may end at a letter)
    char = (rf"(?!(?<![A-Za-z])(?:[A-{last}]|(?i:not|but|since|because|if|unless|although|though|while|whereas|which"
            rf"|that|so|as|then|and|or|nor))(?![A-Za-z]))(?:[^\n*.,;:!?()\[\]]|\.(?=\d))")
    text = rf"(?=\S)(?:{char}){{1,40}}?"
    return re.compile(r"(?<![A-Za-z'’/&])(?<!(?:or|nd)[ \t])(?<![/&][ \t])"
                      rf"(?:\*\*)?\(?([A-{last}])\)?(?:(?<=\))[ \t]+{text}|(?<=\*\*[A-{last}])[.:][ \t]+{text}(?=\*\*)"
                      rf"|[ \t]+\({text}\))?(?:\*\*)?[ \t]+(?:is|would[ \t]+be)[ \t]+"
                      r"(?:the[ \t]+)?(?:(?:correct|right|best)(?:[ \t]+(?:answer|option|choice|one))?"
                      r"|(?:final[ \t]+)?answer)"
                      r"(?=[ \t]*(?:[.!,;:)]|$))", re.M)


@functools.lru_cache(maxsize=8)
def _said_right_zh(last: str) -> re.Pattern:
    """A letter said to be right in Chinese, as C-Eval's answer patterns read it: 选项B正确, B选项正确, B是正确的 (never
    one of two, A和B正确, nor a question, B正确吗); a space at most between its parts. Read as "B is correct." is: the
    last one, a trace may change its mind."""
    return re.compile(rf"(?:(?:选项|選項)[ \t]?([A-{last}])|(?<![A-Za-z或和与、/&])(?<![A-Z][，,、])(?<![A-Z][，,、] )"
                      rf"([A-{last}])(?:[ \t]?(?:选项|選項))?)[ \t]?是?(?:正确|正確)的?(?=[ \t]*(?:[。.!！;；]|$))", re.M)


# what offers a second letter after one: "or" in any case (B OR D), "maybe" (B (maybe D)), and the words and marks
# of the languages of multilingual benchmarks (B ou D, B oder D, B или D, B或D)
_OR_WORDS = (r"(?:(?i:or|and|maybe|possibly|perhaps)|o|ou|oder|или|y|et|und|и|e|atau|veya|hoặc|of|lub|sau|eller|au"
             r"|або|ή|أو|या|বা|또는)")
_OR_MARKS = r"(?:或者?|還是|还是|和|与|與|または|か)"


_OR_OFFERED = re.compile(rf"(?<![A-Za-z\\]){_OR_WORDS}(?![^\W\d_])|{_OR_MARKS}")


@functools.lru_cache(maxsize=8)
def _hedge_patterns(last: str) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """A letter A-``last`` that may open a hedge, and a separator with the next letter ("A or B.", "(A) and (C)",
    "A/B", "A, B, or C"), see :func:`_hedged`; and a letter with a separator ending a text (what offers the letter
    written next as a second one, "A OR " before "B is correct.")."""
    letter = (r"(?:(?:\$|\\\()?" + _BOX_WORD + r"\s*\{\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?"  # $\boxed{B}$
              r"|\*{1,3}|_{1,2}|[`'\"“‘$]|\\\([ \t]*|\\(?:text|textbf|mathrm|mathbf)\s*\{)?"  # **B**, `B`, $B$, \(B\)
              rf"(?:[(\[](?:[A-{last}]|[a-{last.lower()}])[)\]]|[A-{last}])"
              r"(?:[ \t]*\}(?:[ \t]*\})?(?:\$|\\\))?|\*{1,3}|_{1,2}|[`'\"”’$]|[ \t]*\\\)"
              r"|\)(?=[ \t]{0,3}(?:[,;/]|(?i:or)(?![A-Za-z]))))?(?![A-Za-z])")  # closed; B) before or C)
    space = r"(?:[ \t~]|\\[,;: ]|\\q?quad(?![A-Za-z]))"  # LaTeX's too: \boxed{A} \quad \text{or} \quad \boxed{C}
    sep = (rf"{space}*(?:[,;?、](?:[ \t]*(?i:or|and)(?=[ \t]))?|[—–][ \t]*(?i:or)(?=[ \t])|/|&|\+|\|+|{_OR_MARKS}"
           # B + C, B plus C, B vs C, B | C, B -> C, B - C: two choices together, weighed or changed, never one
           r"|(?i:vs\.?|versus|plus)(?![A-Za-z])|->|=>|[→⇒]|(?<=[ \t])-(?=[ \t])"
           # Answer: B. Or C. / Answer: B. Or is it C? (the stop waits after B., :func:`_labels_text`)
           # Answer: B... or C: an ellipsis's trailing off too
           r"|(?<=[A-Z])(?:\.[ \t]+|(?:\.{2,3}|…)[ \t]*)(?i:or)(?:[ \t]+(?i:is[ \t]+it|was[ \t]+it))?(?=[ \t])"
           rf"|\(?(?i:and/or)|\(?{_OR_WORDS}(?![^\W\d_])"
           r"|\\(?:text|textbf|textrm|mathrm|mbox)[ \t]?\{[ \t]*(?i:or|and)[ \t]*\})"
           rf"{space}*"
           r"(?:(?i:maybe|possibly|perhaps|either)[ \t]+)?(?i:(?:option|choice)[ \t]+)?")  # one way to split spaces
    # or nothing but spaces, or nothing before a bracket or a box: "(B)(D)", "B D", "\boxed{A} \boxed{C}"
    sep = rf"(?:{sep}|{space}+|(?=[(\[\\]))"
    return re.compile(rf"(?<![A-Za-z]){letter}"), re.compile(sep + letter), \
        re.compile(rf"(?<![A-Za-z]){letter}{sep}[(\[*_`'\"“‘$]{{0,3}}\Z")  # to the next letter's opening: A or (B


def _offered_second(text: str, at: int, last: str, worded: bool = False) -> bool:
    """Whether the letter written at ``at`` is offered after another ("A OR B is correct.", "A; B is correct."): the
    last of two, never the one said to be right; never the same letter said again ("(A) and (B), (B) is correct.").
    ``worded``: offered in words only ("A or (B)"; "rule out (A); (B) is left" offers none)."""
    m = _hedge_patterns(last)[2].search(text, max(0, at - 80), at)
    return m is not None and set(_LETTERS.findall(m.group().upper())) != {text[at].upper()} and \
        (not worded or _OR_OFFERED.search(m.group()) is not None)


@functools.lru_cache(maxsize=8)
def _bold_choice(last: str) -> re.Pattern:
    """The answer's last line, when it is one choice in bold, its letter and its text (``**B) 42**``, ``**C. Paris**``),
    as chat models set their conclusion apart (never a heading of its analysis, ``**A) 12**`` with lines after it: a
    rollout cut there names no choice); the text after the letter is read by :func:`_own_text`."""
    return re.compile(rf"^[ \t]*\*\*[ \t]*\(?([A-{last}])(?:\)|[.:])[ \t]+(?=[^\s*])"  # each run of spaces one way
                      r"(?=[^*\n]*\*\*[ \t]*(?:\.[ \t]*)?$\s*\Z)", re.M)


_BOLD_TEXT = re.compile(r"[^*\n]*")


def _own_text(text: str, m: re.Match, choices) -> bool:
    """Whether the text a bold choice's letter opens is that choice's own text (``**B) 42**`` where B is 42), where
    the ``choices`` are given: the letter of another's text names neither (``**B) 12**``, 12 being A)."""
    if not choices:
        return True
    index = ord(m.group(1)) - ord("A")
    own = re.sub(r"^\(?[a-z][.)]\s+", "", normalize_text(choices[index])) if index < len(choices) else ""
    return bool(own) and normalize_text(_BOLD_TEXT.match(text, m.end()).group()) == own


_LETTERS = re.compile(r"(?<![A-Z])[A-Z](?![A-Z])")  # the letters a hedge's text names (its words, OR, BOXED, none)
# the last letter of a hedge is set apart: by a mark (B or C</answer>, B或C。, B or C (15 or 18)), the line's end or a
# plural verb (B and C are both correct)
_HEDGE_END = re.compile(r"[ \t]*(?:[.,;:!?)\]*<。，；：！？）]|$|\((?=\$?\d))|[ \t]+(?i:are|were)(?![A-Za-z])", re.M)
# a character no hedge holds: it ends one (a letter of any script may be a word of one: или, أو, 或)
# (nor the period of "vs.": B vs. C, nor what opens an arrow: B -> C, B => C)
# (nor an ellipsis, "B... or C": the period of "Answer: B." waits for what follows it, :func:`_labels_text`)
_HEDGE_FREE = re.compile(r"(?![^\W\d_])(?<!\\)(?!(?<=[vV][sS])\.)(?!\.\.)(?!(?<=\.)\.)"
                         r"[^ \t,;?/&+|\->=→⇒()\[\]*_`'\"“”‘’${}\\、，（）~—–…]")


@functools.lru_cache(maxsize=8)
def _labelled_hedge(last: str, dotted: bool = False) -> re.Pattern:
    """Two letters each written with its choice's text, offered together ("B) 15 or C) 18", "(B) 15, or (C) 18."):
    a hedge as "B or C" is. The first letter's label is a bracket (``dotted``: a letter's period or colon too,
    "Answer: B. 15 or C. 18", where the early stop waits for the text, :func:`_labels_text`), the text after it a
    choice's own: on one line, no bracket nor sentence's end (what :data:`_TEXT_SETTLED` finds)."""
    mark = r"[).:]" if dotted else r"\)"
    up = f"A-{last}a-{last.lower()}"  # in lower case too, as the strong pattern reads "answer: b. 15" (b)
    first = rf"(?:\*\*)?(?:[(\[]([{up}])[)\]]|([{up}]){mark})(?:\*\*)?"
    second = rf"(?:\*\*)?(?:[(\[]([{up}])[)\]](?:\*\*)?(?=[\s.,;:!?<]|$)|([{up}])[.):](?:\*\*)?(?=\s|$))" \
             rf"|([A-{last}])(?=[ \t]*(?:[.,;:!?)\]*<]|$))"
    # offered with an "or" or a slash ("B) 15 fits and C) 18 is too big", "B) 15 fits; C) 18 does not" weigh them)
    said = r"(?:(?:[ \t]*[,;?])?[ \t]*\(?(?:(?i:or)|o|ou|oder|или|atau|veya|hoặc|lub|sau|eller|або|ή|أو|या|বা|또는)" \
           r"(?![^\W\d_])[ \t]*|[ \t]*/[ \t]*|[ \t]*(?:或者?|还是|還是|または)[ \t]*)" \
           r"(?:(?i:maybe|possibly|perhaps|either)[ \t]+)?(?i:(?:option|choice)[ \t]+)?"
    text = r"[^\s()\[\],;:!?.<。]"  # a run of spaces is one way into what offers the next (none ends inside the text)
    # or listed with a comma, "and", a semicolon: "(B) 15, (C) 18", "(B) 15 and (C) 18." (each text a choice's, of
    # three words at most, the second ending its line: "(B) 15 fits and (C) 18 is too big" weighs them)
    # (the early stop reads any such list as one; the judge only where each text is its choice's own, or one word)
    short = rf"{text}+(?:[ \t]{text}+){{0,2}}"
    listed = rf"(?:[ \t]*[,;&][ \t]*(?:(?i:and)[ \t]+)?|[ \t]+(?i:and)[ \t]+)" \
             rf"(?:\*\*)?(?:[(\[](?P<l2>[A-{last}])[)\]]|(?P<d2>[A-{last}]){mark})(?:\*\*)?[ \t]+(?P<t2>{short})" \
             r"(?=[ \t]*\.?(?:\*\*)?[ \t]*$|[ \t]+(?i:are|were)(?![A-Za-z]))"
    return re.compile(rf"(?<![A-Za-z]){first}(?:[ \t]+{text}(?:[ \t]?{text}|\.(?=\d)){{0,40}}?{said}(?:{second})"
                      rf"|[ \t]+(?P<t1>{short}){listed})", re.M)


@functools.lru_cache(maxsize=8)
def _valued_hedge(last: str) -> re.Pattern:
    """Two letters each with its value after it, offered together ("B (15) or C (18)", "B 15 or C 18"): a hedge as
    "B or C" is. The value is in one sentence (the early stop waits for its end, :data:`_VALUE_FOLLOWS`)."""
    said = (r"(?:(?:[ \t]*[,;?])?[ \t]*\(?(?<![^\W\d_])"  # a word of its own: "so (B)" offers nothing
            r"(?:(?i:or)|o|ou|oder|или|atau|veya|hoặc|lub|sau|eller|або|ή|أو|या|বা|또는)(?![^\W\d_])[ \t]*"
            r"|[ \t]*/[ \t]*|[ \t]*(?:或者?|还是|還是|または)[ \t]*)"
            r"(?:(?i:maybe|possibly|perhaps|either)[ \t]+)?(?i:(?:option|choice)[ \t]+)?")
    return re.compile(rf"(?<![A-Za-z])([A-{last}])(?:[)\]](?=(?:\*\*)?[ \t]+\())?(?:\*\*)?[ \t]+(?:\([ \t]*)?\$?\d"
                      rf"(?:[^\n()\[\].!?<。]|\.(?=\d)){{0,30}}?\)?{said}\(?([A-{last}])(?![A-Za-z])",
                      re.M)  # (B) (15) and **B** 15 too


def _labelled_spans(text: str, last: str, dotted: bool = False, choices=None, judged: bool = True) -> list:
    """Where :func:`_labelled_hedge` offers two letters together; ``judged``: a list only as :func:`_listed_own`
    reads it (the early stop reads any, so that it never stops where the judge may read a hedge)."""
    return [m.span() for m in _labelled_hedge(last, dotted).finditer(text)
            if len({m.group(k).upper() for k in (1, 2, 3, 4, 5, "l2", "d2") if m.group(k)}) > 1 and
            (not judged or _listed_own(m, choices))]


def _listed_own(m: re.Match, choices) -> bool:
    """Whether a :func:`_labelled_hedge` match of two choices listed (``(B) 15, (C) 18``) writes each with its own
    text where the ``choices`` are given, else each in one word: two answers, not a weighing (``(B) 15 fits, (C) 18
    does not``)."""
    if m.group("t1") is None:
        return True
    letters = [g for g in m.groups()[:2] if g][:1] + [m.group("l2") or m.group("d2")]
    texts = (m.group("t1"), m.group("t2"))
    if not choices:
        return not any(re.search(r"\s", t) for t in texts)
    own = [re.sub(r"^\(?[a-z][.)]\s+", "", normalize_text(str(choices[i]))) if (i := ord(c) - 65) < len(choices) else ""
           for c in letters]
    return all(o and normalize_text(t) == o for o, t in zip(own, texts))


# a letter labelled so that its choice's text may follow (:func:`_labels_text`), and what settles that text so that
# no other choice can be offered with it (B) 15 or C) 18, B. 15 or C. 18): its line's end, a closing bracket, a
# sentence's end
_TEXT_MAY_FOLLOW = re.compile(r"(?:\*\*?)?(?:[ \t]*\Z|[ \t]+[^\s()\[\],;:!?.<。])")  # **B.* may be **B.** 15
# (never an opening bracket, nor the close of a letter's: "(B) 15, (C" may go on "(C) 18", a second choice)
_TEXT_SETTLED = re.compile(r"[\n:!<。]|(?<!(?<![A-Za-z])[A-Za-z])\.(?=\D)|(?<!(?<![A-Za-z])[A-Z])[)\]]")


@functools.lru_cache(maxsize=8)
def _worded_hedge(last: str) -> re.Pattern:
    """A letter, then in its sentence another offered in words: "B, but it could also be C", "B, though C is also
    possible", "B, although C could also work", "B (although it might be C)", "B; C might also be correct",
    "B, alternatively C", "B, otherwise C", "B (if not, C)", "B，但也可能是C"; a hedge as "B or C" is. No mark the
    early stop reads as an answer's end (a period, a digit) stands between them, so a rollout never stops at the
    first."""
    low = last.lower()
    # (each may carry its value: "**Answer: B (15)**, though C (18) is also possible.")
    letter = rf"(?:\*\*)?(?:[(\[]([A-{last}a-{low}])[)\]]|([A-{last}]))(?![A-Za-z])" \
             r"(?:[ \t]+\(\$?\d[^()\n]{0,29}\))?(?:\*\*)?"
    but = r"(?:(?:[ \t]*[,;(—–])?[ \t]*(?i:but|though|although|yet|while|however|and|or)[ \t,]+|[ \t]*[,;(—–][ \t]*" \
          r"|[ \t]+(?=(?i:unless|otherwise)(?![A-Za-z])))"  # B unless it's C: no comma before unless
    modal = r"(?i:could|might|may|can)[ \t]+(?i:also[ \t]+|well[ \t]+)?(?i:be)[ \t]+"
    works = r"(?i:(?:could|might|may|can|would)[ \t]+(?:also[ \t]+)?work|also[ \t]+works|works[ \t]+too)"
    second = rf"(?i:(?:option|choice)[ \t]+)?{letter}"
    end = r"(?=[ \t]*(?:[.,;:!?)(\]*<。，；！？]|$))"
    zh = rf"[ \t]*[,，;；][ \t]*(?:但|不过|不過)?(?:也|还|還)?(?:可能|或许|或許|也许|也許)(?:是|选|選)?[ \t]*{second}{end}"
    # B, alternatively C. / B, otherwise C. / B (if not, C) / B, unless it's C. / B, though possibly C.
    instead = r"(?i:alternatively|otherwise|else|if[ \t]+not|unless(?:[ \t]+it(?:['’]s|[ \t]+is))?|possibly|perhaps" \
              r"|maybe|probably|also|failing[ \t]+that|if[ \t]+(?:that|this)[ \t]+(?:is|was)[ \t]+wrong)[ \t,]+"
    # B, or C if we count the last / B (C if rounding): a second letter for another reading; B; if rounding, C
    reading = r"[ \t]+(?i:if|when|depending|in[ \t]+case)(?![A-Za-z])"
    condition = r"(?i:if|when)[ \t][^\n.,;:!?()]{1,40}?,[ \t]*" \
                r"(?i:then[ \t]+|it(?:['’]s|[ \t]+is|[ \t]+would[ \t]+be)[ \t]+)?"
    # B, and C too / B as well as C / B, though one could argue C / B, although some would say C
    too = r"[ \t]+(?i:too|as[ \t]+well)"
    argue = r"(?i:one|some|others?|someone|you|we|many)[ \t]+(?i:(?:could|might|may|would|can)[ \t]+)?" \
            r"(?i:argue|say|pick|choose|prefer)(?:[ \t]+(?i:for|that))?[ \t]+(?i:it(?:['’]s|[ \t]+is)[ \t]+)?"
    # B if x > 0, else C / B when it rounds, otherwise C / B if we count the last and C otherwise
    other = rf"[ \t]+(?i:if|when|assuming)[ \t](?:[^\n.;:!?() \t]|[ \t](?![ \t])|\.(?=\d)){{1,40}}?" \
            rf"(?:,[ \t]*|[ \t]+)(?:(?i:(?:or[ \t]+)?else|otherwise|or)[ \t,]+{second}{end}" \
            rf"|{second}[ \t]+(?i:otherwise|else)(?![A-Za-z]))"
    return re.compile(rf"(?<![A-Za-z]){letter}(?:{other}|[ \t]+(?i:as[ \t]+well[ \t]+as)[ \t]+{second}{end}"
                      # (each branch's second letter read once: a loop of letters is read at once)
                      rf"|{but}(?:(?:(?:(?i:it|this|that|the[ \t]+answer)[ \t]+)?{modal}|{instead}|{condition}|{argue})"
                      rf"{second}{end}|{second}(?:{reading}|{too}{end}"
                      rf"|[ \t]+(?:(?:(?i:is|seems)[ \t]+|{modal})(?i:also[ \t]+)?"
                      rf"(?i:possible|plausible|correct|right|valid|likely|acceptable)|{works}){end}))|{zh})", re.M)


# a word that takes back what was just said: Answer: B. Wait, no, C. / Answer: B. Actually, C. / B (sorry, C)
_CORRECTIONS = ("wait", "actually", "sorry", "oops", "correction", "i mean", "scratch that", "on second thought",
                "hold on", "no wait", "no, wait", "my mistake", "i misspoke", "unless")  # B. Unless it's C.: no choice
_CORRECTION = r"(?i:" + "|".join(w.replace(" ", r"[ \t]+") for w in _CORRECTIONS) + r")(?![A-Za-z])"
_MOST_BEFORE_CORRECTION, _MOST_AFTER_CORRECTION = 16, 60  # characters, on the stated letter's line
_MOST_CORRECTIONS = 3


@functools.lru_cache(maxsize=8)
def _corrected_hedge(last: str) -> re.Pattern:
    """A stated letter taken back on its own line for another: "Answer: B. Wait, no, C.", "The answer is B.
    Actually, the answer is C.", "**B**. Sorry, I mean (C)."; a hedge as "B or C" is (two answers, none settled). A
    letter the correction rules out ("Actually, not C.") or merely weighs ("Actually, C is wrong.") is no second.
    Read only where the early stop has not ended the rollout before the second letter (:func:`_corrections`)."""
    low = last.lower()
    # (each run of spaces read one way: a loop of spaces is read at once)
    lead = r"(?:(?i:answer)(?:[ \t]+(?i:is|would[ \t]+be|should[ \t]+be))?[ \t]*(?:[:：\-–—][ \t]*)?(?:\*\*[ \t]*)?" \
           r"(?:\\boxed\{[ \t]*)?|\*\*|\\boxed\{[ \t]*)(?i:(?:option|choice|letter)[ \t]+)?"
    first = rf"(?:[(\[]([A-{last}a-{low}])[)\]]|([A-{last}]|[a-{low}](?=[.):])))(?![A-Za-z])"  # answer: b. too
    second = rf"(?<![A-Za-z])(?<![Nn]ot[ \t])(?<![Nn]['’]t[ \t])(?i:(?:option|choice|letter)[ \t]+)?" \
             rf"(?:\*\*)?(?:[(\[]([A-{last}a-{low}])[)\]]|([A-{last}a-{low}]))(?![A-Za-z])" \
             r"(?:[ \t]+\(\$?\d[^()\n]{0,29}\))?"
    end = r"(?=[ \t]*(?:(?:\*\*|\})[ \t]*)?(?:[.,;:!?)\]<。，；！？]|$)" \
          r"|[ \t]+(?:is|would[ \t]+be)[ \t]+(?:the[ \t]+)?(?:correct|right|answer|best)(?![A-Za-z]))"
    return re.compile(rf"{lead}{first}[^\n]{{0,{_MOST_BEFORE_CORRECTION}}}?(?<![A-Za-z]){_CORRECTION}"
                      rf"[^\n]{{0,{_MOST_AFTER_CORRECTION}}}?{second}{end}", re.M)


def _corrections(text: str, last: str) -> list[tuple[int, int]]:
    """Where :func:`_corrected_hedge` takes a stated letter back for another, before the early stop could end the
    rollout at the first (``Answer: B. Wait, no, C.``: it waits for a choice's text after ``B.``; never
    ``**Answer: B**. Sorry, C.``, stopped at ``**Answer: B**.``): the first letter stands where a rollout was cut
    there, so it stands in the whole text too, and the verdict never depends on whether the stop was on."""
    found = []
    for m in itertools.islice(_corrected_hedge(last).finditer(text), _MOST_CORRECTIONS):  # a model's loop of them:
        second = 3 if m.group(3) else 4  # the first few alone are weighed, each by the stop's reading of the text
        if len({g.upper() for g in m.groups() if g}) > 1 and not _multiple_choice_complete(text[:m.start(second)]):
            found.append(m.span())
    return found


def _hedged(text: str, last: str = "E", choices=None, judged: bool = False) -> list[tuple[int, int]]:
    """Where ``text`` offers two or more letters together: an answer that hedges names no choice. The last letter
    is set apart ("A, I think" is a choice and the pronoun). A chain of letters is read once, in linear time (a
    regex's backtracking over "A or A or ... z" took seconds, and the early stop asks after every token). Letters
    offered each with its choice's text ("B) 15 or C) 18", "(B) 15, (C) 18") hedge too; ``judged``: a list of two
    only as the judge reads it (:func:`_listed_own`, with the ``choices``)."""
    spans = _labelled_spans(text, last, True, choices, judged)
    spans += [m.span() for m in _valued_hedge(last).finditer(text) if m.group(1) != m.group(2)]
    spans += [m.span() for m in _worded_hedge(last).finditer(text) if len({g.upper() for g in m.groups() if g}) > 1]
    spans += _corrections(text, last)
    if not spans:
        return _letters_hedged(text, last)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(_letters_hedged(text, last) + spans):  # disjoint, as :func:`_inside` looks them up
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _letters_hedged(text: str, last: str) -> list[tuple[int, int]]:
    """:func:`_hedged`'s letters offered together, each alone or in its brackets or box."""
    first, step, _ = _hedge_patterns(last)
    spans, pos = [], 0
    while (m := first.search(text, pos)) is not None:
        ends, end = [], m.end()
        while (n := step.match(text, end)) is not None:
            end = n.end()
            ends.append(end)
        hedge = next((e for e in reversed(ends) if _HEDGE_END.match(text, e)), None)
        if hedge is not None and len(set(_LETTERS.findall(text[m.start():hedge].upper()))) > 1:  # "(A) (A)" is A
            spans.append((m.start(), hedge))
        pos = hedge if hedge is not None else end
    return spans


def _inside(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether a place lies in one of the sorted, disjoint ``spans`` (:func:`_hedged`'s), looked up by bisection: a
    model's loop of hedges had each letter looked up in every hedge, seconds for 100,000 characters."""
    import bisect

    starts = [a for a, _ in spans]
    return lambda at: (k := bisect.bisect_right(starts, at) - 1) >= 0 and at < spans[k][1]


def _last_letter(problem: Problem | None) -> str:
    """The last choice letter a problem's answer may name: E, or further where it lists more choices."""
    n = len(problem.choices or ()) if problem is not None else 0
    return ascii_uppercase[min(max(n, 5), len(ascii_uppercase)) - 1]


_INITIAL = re.compile(r"\.[ \t]+(?=[a-z])")  # E. coli, C. elegans: a name's initial before a lower-case word


def _initial(text: str, m: re.Match, choices) -> bool:
    """Whether a line's ``X.`` is a name's initial (``E. coli is a bacterium``), not the choice X: a lower-case word
    follows that does not open X's own text (``B. ribosomes`` where B is "ribosomes")."""
    if not (after := _INITIAL.match(text, m.end(m.lastindex))):
        return False
    index = ord(m.group(m.lastindex).upper()) - ord("A")
    own = normalize_text(choices[index]) if choices and index < len(choices) else ""
    own = re.sub(r"^\(?[a-z][.)]\s+", "", own)  # a choice stored with its label: "B. ribosomes"
    return not own or not normalize_text(text[after.end():after.end() + len(own) + 1]).startswith(own)


def _initial_of(text: str, m: re.Match, letter: str, choices) -> str:
    """The letter of the choice a stated ``X.`` opens as a name's initial (``Answer: E. coli`` where B is "E. coli":
    B, never E), else ``letter``: the longest choice whose whole text is written there."""
    at = m.start(m.lastindex)
    if not choices or not _INITIAL.match(text, m.end(m.lastindex)):
        return letter
    found = [(len(own), i) for i, c in enumerate(choices[:len(ascii_uppercase)]) if (own := str(c).strip()) and
             re.fullmatch(rf"{re.escape(text[at])}\.\s+[a-z].*", own, re.S | re.I) and
             normalize_text(text[at:at + len(own)]) == normalize_text(own) and
             not text[at + len(own):at + len(own) + 1].isalnum()]
    return ascii_uppercase[max(found)[1]] if found else letter


# a letter a trace rules out: not (A), isn't B, rather than (C), instead of D, eliminate (B), except A
_NEGATED = re.compile(r"(?i:\bnot|n['’]t|\bnor|\bneither|rather\s+than|instead\s+of|\bexcept|\beliminate[sd]?|"
                      r"\brul(?:e|es|ed|ing)\s+out)\s+(?i:(?:option|choice)\s+)?$")


def _ruled_out(text: str, m: re.Match) -> bool:
    """Whether a letter merely mentioned is one the trace rules out (``The answer is not (A), it is (C).``): it was
    read as the chosen one."""
    before = text[max(0, m.start() - 40):m.start()]
    return any(w in before for w in ("ot", "n't", "n’t", "or", "than", "ead", "cept", "liminat", "ul")) and \
        _NEGATED.search(before) is not None


@functools.lru_cache(maxsize=8)
def _label_line(last: str) -> re.Pattern:
    """A line opening with a choice's label and text: ``A) 12: too small``, ``(B) 15``, ``- (A) 12``, ``1. (A) 12``,
    ``**(A) 12**``; group 1 or 2 is its letter."""
    return re.compile(rf"^[ \t]*(?:[-*+•][ \t]+|\d{{1,3}}[.)][ \t]+)?(?:\*\*|__)?"
                      rf"(?:\(([A-{last}])\)|([A-{last}])[.):])(?=[ \t*_]*[^\s*_])", re.M)


def _listed(text: str, last: str) -> frozenset[int]:
    """Where the letters of lines opening as ``X) text`` or ``(X) text`` stand, where two letters or more so open
    (``A) 12: too small``, ``(B) 15: fits``): a listing of the choices, as a trace weighs them, that names none (a
    trace cut by the budget before its answer); empty where no listing is written."""
    at, first, several = [], None, False
    for m in _label_line(last).finditer(text):
        letter = m.group(1) or m.group(2)
        several = several or first not in (None, letter)
        first = first or letter
        at.append(m.start(1) if m.group(1) else m.start(2))
    return frozenset(at) if several else frozenset()


def _compatible(text: str) -> str:
    """``text`` with its full-width and other compatibility forms read as their letters (``答案：Ｃ``, as Chinese text
    sets a letter, is ``答案:C``). Only a text's last characters may recompose as it grows: the early stop decides on a
    letter some other character already follows."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def extract_choice(text: str, last: str = "E", choices=None) -> str | None:
    """The chosen letter A-``last``: first "Answer: B"/"answer is (B)"/"Answer: [B]"/"the right choice is B"/"I choose
    B."/"**B**"/"<answer>B</answer>"/"\\boxed{B}" or a stated choice's text ("The answer is Paris."), else the last
    "B is the correct answer" or a last line "**B) 42**" (a trace may change its mind), else first "(B)"/"B." line
    (not a name's initial, "E. coli", unless the ``choices`` given make it B's text); the choice whose text the first
    box holds comes before those lines. A letter offered with others ("A or B.") is none. Only the first kind (a
    letter) stops a rollout early: it outranks the others wherever it comes."""
    text = _compatible(text)
    hedged = _inside(_hedged(text, last, choices, judged=True))
    strong, weak = _choice_patterns(last)
    bold = _bold_choice(last)
    listing = _listed(text, last)
    for pats, pick in ((strong, min), ((_said_correct(last), _said_right_zh(last), bold), max), (weak, min)):
        if pats is weak and choices and (boxed := _boxed_choice_text(text, choices)):
            return boxed  # a box outranks a letter merely written in a line: "Option (A) is too small. \boxed{42}"
        hits = _stated_texts(text, choices) if pats is strong and choices else []
        hits += [(m.start(), _initial_of(text, m, _SCRIPT_LETTERS.get(m.group(m.lastindex),
                                                                     m.group(m.lastindex).upper()), choices),
                  m.start(m.lastindex))
                for p in pats for m in p.finditer(text)
                if (pats is not weak or m.start(m.lastindex) not in listing) and  # the cheapest first: a listing's
                not hedged(m.start(m.lastindex)) and  # thousands of lines are read at once
                (pats is not weak or not _initial(text, m, choices) and not (p is weak[0] and _ruled_out(text, m))) and
                (p is not bold or _own_text(text, m, choices)) and
                (pats is strong or pats is weak or not _offered_second(text, m.start(m.lastindex), last))]
        if pats is weak:  # a letter merely written, offered in words after another (A or (B) is correct.), is none:
            # looked for from the first on, a listing's thousands of lines are not each looked behind
            return next((h[1] for h in sorted(hits) if not _offered_second(text, h[2], last, True)), None)
        if hits:
            at, chosen = pick(hits)[:2]
            # (a stated letter: only another said right on its own line, The answer is C. B is also correct.)
            line = (int(at), text.find("\n", int(at)) % (len(text) + 1)) if pats is strong else (0, len(text))
            if any(m.group(1) != chosen and not hedged(m.start(1)) and  # (never past where the stop ended it)
                   (pats is not strong or not _multiple_choice_complete(text[:m.start()]))
                   for m in _also_right(last).finditer(text, *line)):
                return None  # B is correct, and C is also correct.: two choices said right
            return chosen
    return None


@functools.lru_cache(maxsize=8)
def _also_right(last: str) -> re.Pattern:
    """A letter said to be right too ("C is also correct"): with another said right, no one choice is (unless its
    sentence goes on to weigh them: "C is also correct, but B is the best answer")."""
    return re.compile(rf"(?<![A-Za-z'’])\(?([A-{last}])\)?[ \t]+(?:is|would[ \t]+be)[ \t]+also[ \t]+"
                      r"(?:(?:a[ \t]+)?(?:correct|right|valid|true)|the[ \t]+answer)\b(?![^.!?\n]*\b(?:but|though)\b)")


# what states an answer before it: "The answer is", "**Answer:**", "The correct answer is:", "<answer>", and the
# quote or emphasis opening it ("Paris", *Paris*)
_STATED_AFTER = r"[ \t]*(?:[:：\-–—][ \t]*)?(?:(?:\*{1,2}|_{1,2}|[\"“'‘`])[ \t]*)?"
_STATED = re.compile(r"(?:(?i:\b(?:the\s+)?(?:(?:final|correct|right|best)\s+)?answer"
                     r"(?:\s+(?:is|would\s+be|should\s+be))?)|<answer>\s*)" + _STATED_AFTER)
_STATED_FOREIGN = re.compile(f"(?:{_FOREIGN_ANSWER}){_STATED_AFTER}")  # La respuesta es, 答案是
# the answer words of _FOREIGN_ANSWER an ASCII text may hold: the costly pattern is read only where one is written
_FOREIGN_ASCII = ("respuesta", "reponse", "antwort", "antwoord", "risposta", "resposta", "jawab", "jawapan", "cevap",
                  "jibu", "odpowiedz", "raspuns", "svar", "vastaus", "valasz", "sagot", "idahun")


@functools.lru_cache(maxsize=64)
def _choice_texts(choices: tuple[str, ...]) -> tuple[tuple[int, re.Pattern, re.Pattern], ...]:
    """Each choice's text (without its own label, ``B. Paris``) as written after a stated answer, its words apart by
    any spaces, in any case, ending there (``Paris.``, ``Paris**``; never ``Parisian``, ``Paris or London``, ``1.5``
    for 1, nor a question, ``Paris?``): (its index, that pattern, and the pattern of the text as a word, wherever
    it ends)."""
    found = []
    for i, c in enumerate(choices[:len(ascii_uppercase)]):  # a choice past Z has no letter to name it by
        # its own label, set apart (B. Paris) or not after a bracket (AQuA's C)22, AGIEval's (C)22)
        own = re.sub(rf"^\(?{ascii_uppercase[i]}(?:\)\s*|\.\s+)", "", c.strip(), flags=re.I).rstrip(" .")
        own = re.sub(r"^\$([^$]+)\$$", r"\1", own).strip()  # in math mode ($15$): with or without its dollars
        if own:
            word = r"\$?" + r"\s+".join(map(re.escape, own.split())) + r"\$?(?!\w)(?![.,]\d)"
            found.append((i, re.compile(word + r"(?=\s*(?:[.,;:!)\]*_\"'”’`。！；，]|</answer>)|[ \t]*$)", re.I | re.M),
                          re.compile(word, re.I)))
    return tuple(found)


# a stated value, to its sentence's or line's end: The answer is $\frac{1}{2}$. / Answer: 15 (a digit in it)
_STATED_VALUE = re.compile(r"([^\n]{0,40}?\d[^\n]{0,40}?)[ \t]*(?:\.[ \t]*(?:\n|$)|\.[ \t]|\n|$)")


_MOST_VALUED = 16


def _valued_choices(value: str, choices) -> list[int]:
    """The choices a stated value is, read as the boxed oracle reads a value (``\\frac{1}{2}`` for ``1/2``, ``15``
    for ``15 cm``; never by a closed form's value, which is costly where a trace states many)."""
    said = _normalize_math(value).casefold()
    if not said:
        return []
    return [i for i, c in enumerate(choices[:len(ascii_uppercase)])
            if _box_holds(value, said, _LABEL.sub("", str(c).strip()), closed=False)]


def _stated_texts(text: str, choices) -> list[tuple[float, str]]:
    """Where a stated answer is one choice's whole text (``The answer is Paris.``, as chat models answer with the
    choice rather than its letter), the longest one's letter; after a letter stated there (a choice's text may be a
    letter of another's: blood group A); else the first stated value (of the first 16) that one choice's text is
    (``The answer is $\\frac{1}{2}$.`` for ``1/2``, ``Answer: 15`` for ``15 cm``)."""
    patterns = _choice_texts(tuple(str(c) for c in choices))
    hits, valued = [], 0
    low = text.casefold() if text.isascii() else ""
    leads = (_STATED, _STATED_FOREIGN) if not low or any(w in low for w in _FOREIGN_ASCII) else (_STATED,)
    for m in (m for lead in leads for m in lead.finditer(text)):
        said = [(len(n.group()), i) for i, p, _ in patterns if (n := p.match(text, m.end()))]
        if not said and valued < _MOST_VALUED and (v := _STATED_VALUE.match(text, m.end())):
            valued += 1  # a model's loop of stated values is not compared one by one
            if len(found := _valued_choices(v.group(1).strip().rstrip("*_").strip(), choices)) == 1:
                hits.append((m.start() + 0.5, ascii_uppercase[found[0]]))  # The answer is $\frac{1}{2}$. (B: 1/2)
                valued = _MOST_VALUED  # the first one names the answer
        if not said or [n for n, _ in said].count(max(said)[0]) > 1:  # two choices of one text name neither
            continue
        size, index = max(said)
        offered = _OFFERED.match(text, m.end() + size)  # 12, 15 or 18: a hedge names none
        if offered.group() and any(w.match(text, offered.end()) for i, _, w in patterns if i != index):
            continue
        hits.append((m.start() + 0.5, ascii_uppercase[index]))
    return hits


# what offers another choice after one: "12, 15", "Paris/London", "12, or maybe 15", "London, and Paris"
_OFFERED = re.compile(r"[ \t]*[,;/&]?[ \t]*(?:(?:or|and)\b[ \t]*)?"
                      r"(?:(?:maybe|possibly|perhaps|probably|alternatively|otherwise)\b[ \t]*)?")


_LABEL = re.compile(r"^\(?[A-Za-z](?:\)\s*|\.\s+)")  # a choice's own label: B. Paris, (B) 15, AQuA's C)22


# a choice that is an amount with its unit (15 cm, 9.8 m/s^2, $15): a box may hold its number alone
_CHOICE_AMOUNT = re.compile(r"\$?([-\u2212]?\d[\d,]*(?:\.\d+)?)\s*[A-Za-zμΩ°%](?:[A-Za-zμΩ°/²³·.\s-]|\^-?\d){0,20}")


def _box_holds(boxed: str, said: str, choice: str, closed: bool = True) -> bool:
    """Whether a box (``said``: as normalised) holds a choice's text, as the boxed oracle compares (``closed``: closed
    forms by value too), or its amount."""
    own = _normalize_math(choice).casefold()
    if own == said:
        return True
    value = parse_number(said)
    amount = _CHOICE_AMOUNT.fullmatch(choice) if value is not None else None
    return value is not None and (parse_number(own) == value or amount is not None and
                                  parse_number(amount.group(1)) == value) or closed and _boxes_equal(boxed, choice)


def _boxed_choice_text(text: str, choices) -> str | None:
    """The letter of the one choice whose text the answer's first box holds (``\\boxed{42}``, 42 being B's text, as
    math models answer a multiple-choice question), read as the boxed oracle reads a box (``\\boxed{2\\sqrt{2}}`` for
    ``\\sqrt{8}``, ``\\boxed{15}`` or ``\\boxed{15 \\text{ cm}}`` for ``15 cm``); None where no box does, two
    choices share it, or a box holding another answer is offered with it (``\\boxed{15} or \\boxed{18}``)."""
    boxed = extract_boxed(text)
    if boxed is None:
        return None
    said = _normalize_math(boxed).casefold()
    found = {i for i, c in enumerate(choices[:len(ascii_uppercase)])  # a choice past Z has no letter
             if _box_holds(boxed, said, _LABEL.sub("", str(c).strip()))}
    if len(found) != 1:
        return None
    for m in _BOX_OPEN.finditer(text):  # the first box that holds it, and the one offered right after it
        if (end := _braced(text, m.end() - 1)) < 0:
            break
        if text[m.end():end - 1].strip() == boxed:
            if (other := _JOINED_BOX.match(text, end)) and (close := _braced(text, other.end() - 1)) > 0 and \
                    _normalize_math(text[other.end():close - 1]).casefold() != said:
                return None
            break
    return ascii_uppercase[found.pop()]


_FENCE_OPEN = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([^`\n]*)\n", re.M)
_FENCE_CLOSE = {"`": re.compile(r"^[ \t]*```.*$|```[ \t]*$", re.M),  # a line opening ``` (``` (Note: ...``), or
                "~": re.compile(r"^[ \t]*~~~.*$|~~~[ \t]*$", re.M)}  # ending it; a ~~~ block ends at ~~~ only
# a fence's label, on its line or the next: python, py3, python3.10, Quarto's {python}, pandoc's {.python .numberLines}
_PY_LABEL = re.compile(r"(?:(?:python3?|py3?)(?:\.\d+)?|\{\.?(?:python3?|py3?)(?:[ \t][^}\n]*)?\})(?=[\s:]|$)", re.I)
_ONE_LINE = re.compile(rf"^[ \t]*```+[ \t]*(?:({_PY_LABEL.pattern})[ \t]+)?([^`\n]*[^`\s])[ \t]*```+[ \t]*$",
                       re.M | re.I)


def _code_block(text: str) -> tuple[str, bool] | None:
    """The answer's program and whether it is complete (closed), or None when no fence holds one
    (:func:`_code_block_at`)."""
    found = _code_block_at(text)
    return None if found is None else found[:2]


def _code_block_at(text: str) -> tuple[str, bool, int] | None:
    """The answer's program, whether it is complete (closed), and where in ``text`` its block ends; None when no
    fence holds one.

    In the text's order, the first of: code before a bare closing fence (the model took the opening as said);
    a closed block labelled ``python``/``py``/``python3``, or unlabelled and holding a program; the final block
    left open (cut by the budget), labelled so or unlabelled (but a bare fence left open after prose and code,
    before prose or nothing, closes that code: None). Blocks of other languages (``cpp``, ``bash``, ``text``,
    ``pycon``), unlabelled ones holding data (sample input, output), closed Python ones showing a run or
    data (``>>> f(2)``, ``[0, 1]``, ``Input: nums = [2, 7]``) and closed ones that only use a program written
    elsewhere or a step of it (``print(f(3))``, ``total += a[i]``: they define and import nothing and read a name
    they never bind) are passed over. Closed blocks that only import (``import math``, then the function in a
    block of its own) are the program's first lines. ``~~~`` fences count as ``` ones, but a bare ``~~~`` line
    around a ``` block or before prose (or ``~~~ Step 2 ~~~``) only sets parts of the answer apart. A bare fence
    whose first line is ``python`` alone is so labelled, code after the label on the opening fence's line
    (```python def f(x):) is the block's first line, and a block written on one line (```python print(1)```) is
    one too. A fence line inside a triple-quoted string of a Python or unlabelled block (a docstring's example)
    does not close it. A complete block is decided for good: nothing written after it changes this choice (the
    early stop relies on it).
    """
    text = text.replace("\r\n", "\n")
    m = _FENCE_OPEN.search(text)
    if m is not None and m.start() > 0 and not m.group(2).strip() and _is_code(text[:m.start()]):
        return text[:m.start()], True, m.end()
    pos, imports, one = 0, "", _ONE_LINE.search(text)
    while True:
        m = _FENCE_OPEN.search(text, pos)
        if one is not None and one.start() < pos:  # searched again only when passed: from each block, it read to
            one = _ONE_LINE.search(text, pos)  # the text's end (a loop of 25,000 ``` lines took a minute)
        if one is not None and (m is None or one.start() < m.start()):
            if one.group(1) or _is_code(one.group(2)):
                return imports + one.group(2) + "\n", text.startswith("\n", one.end()), one.end()
            pos = one.end()
            continue
        if m is None:
            return None
        label = m.group(2).strip()
        close = _FENCE_CLOSE[m.group(1)[0]].search(text, m.end())
        while close is not None and (not label or _PY_LABEL.match(label)) and \
                _in_long_string(text[m.end():close.start()]):  # a fence in the program's docstring
            close = _FENCE_CLOSE[m.group(1)[0]].search(text, close.end())
        code = text[m.end():close.start() if close else len(text)]
        if m.group(1)[0] == "~" and (label.endswith("~") or not label and (
                re.search(r"^[ \t]*```", code, re.M) or close is None and not _is_code(code))):
            pos = m.end()  # a ~~~ line setting parts of the answer apart (around a ``` block, prose), not a fence
            continue
        indent = m.group()[:len(m.group()) - len(m.group().lstrip())]  # a fence in a list item: its lines too
        code = re.sub(rf"(?m)^{indent}", "", code) if indent else code
        first, newline, rest = code.partition("\n")
        if not label and newline and _PY_LABEL.fullmatch(first.strip()):
            label, code = first.strip(), rest  # the label on the line after the fence
        py = _PY_LABEL.match(label)
        head = label[py.end():].strip() if py and label[py.end():py.end() + 1].isspace() else ""
        if head and _opens_program(head, code):
            code = head + "\n" + code  # ```python def f(x):
        program = py or (not label and (close is None or _is_code(code)))
        if program and close is not None and (_is_usage(code) or _is_tests(code) or _is_stub(code) or
                                              bool(py) and _is_sample(code)):
            program = False  # an example, a test or the stub of the program (print(f(3)), def test_f()) before it
        if program and close is None and not label and _is_prose(code.lstrip().partition("\n")[0]) and (
                not code.strip() or _holds_program(text[pos:m.start()])):
            return None  # a bare fence after prose and code: it closes code written without its opening fence
        if program and close is not None and _only_imports(code):
            imports, program = imports + code + ("" if code.endswith("\n") else "\n"), False  # its first lines
        if program:
            return imports + code, close is not None and text.startswith("\n", close.end()), \
                close.end() if close is not None else len(text)
        if close is None:
            return None
        pos = close.end()


_ANSWER_FILE = "<ptsfast answer>"


def _hush_answer_warnings() -> None:
    """The warnings of parsing a model's code (``1if x``, ``'\\d'`` in a string) are the answer's, not the run's:
    shown, they filled the log, again at each token the early stop read it. Code compiled as :data:`_ANSWER_FILE`
    warns of nothing; the filter is put back where a ``catch_warnings`` block dropped it."""
    pattern = re.escape(_ANSWER_FILE)
    if not any(f[0] == "ignore" and f[3] is not None and f[3].pattern == pattern for f in warnings.filters):
        for category in (SyntaxWarning, DeprecationWarning):
            warnings.filterwarnings("ignore", category=category, module=pattern)


def _parse(code: str):
    """``code``'s syntax tree, or None where Python cannot read it: a syntax error, or a nesting too deep for its
    parser (a model's loop ``1 + 1 + ...`` or ``- - - 1`` raises RecursionError or MemoryError, which came out of
    the early stop's check on every token and ended the run)."""
    import ast

    _hush_answer_warnings()
    try:
        return ast.parse(code, _ANSWER_FILE)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@functools.cache
def _given_names() -> frozenset[str]:
    """Names a program may call without defining or importing them: the builtins and what the judges' preludes
    import (APPS' ``gcd``, LiveCodeBench's ``from math import *``). Only a program reading stdin runs under those
    preludes' judges as a script (:func:`_free_names`)."""
    import ast
    import builtins
    import importlib

    from ptsfast.problems.code_tests import APPS_PRELUDE, LCB_PRELUDE

    names = set(dir(builtins))
    for node in ast.walk(ast.parse(APPS_PRELUDE + LCB_PRELUDE)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        for alias in getattr(node, "names", None) or ():
            if alias.name != "*":
                names.add((alias.asname or alias.name).split(".")[0])
                continue
            try:
                module = importlib.import_module(node.module)
            except ImportError:
                continue
            names.update(getattr(module, "__all__", None) or (n for n in dir(module) if not n.startswith("_")))
    return frozenset(names)


def _free_names(tree, read: set[str], bound: set[str]) -> set[str]:
    """What ``tree`` reads and never binds that nothing gives it: the builtins, and the judges' preludes' names
    (:func:`_given_names`) where it reads stdin, as an APPS or LiveCodeBench script does; a block that reads none
    only calls them if they are the answer's own (``print(add(2, 3))``, ``def test_add(): assert add(2, 3) == 5``
    before the ``add`` they use: operator's ``add`` is a prelude's name)."""
    import builtins

    return read - bound - (_given_names() if _reads_stdin(tree) else frozenset(dir(builtins)))


@functools.lru_cache(maxsize=256)  # the early stop reads the blocks before the program each token
def _is_usage(code: str) -> bool:
    """Python that only uses a program written elsewhere in the answer (``print(f(3))``, ``solve()``) or shows a
    step of it (``for i in range(n): total += a[i]``): it defines and imports nothing and reads a name it never
    binds, that neither Python nor a judge's prelude gives it (on its own it stops at a NameError)."""
    import ast

    if (tree := _parse(code)) is None:
        return False
    nodes = list(ast.walk(tree))
    if any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.Import,
                          ast.ImportFrom, ast.Global, ast.Nonlocal)) for n in nodes):
        return False
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.name for n in nodes if isinstance(n, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and n.name}
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bool(_free_names(tree, read, bound))


def _is_test_statement(st) -> bool:
    """A statement of a test file: an import, a ``test_*`` function, a ``Test*`` or ``TestCase`` class, a call of
    ``unittest.main()``/``pytest.main()``, of a test or of ``print("ok")``, or a ``__main__`` guard around them."""
    import ast

    if isinstance(st, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return st.name.startswith("test")
    if isinstance(st, ast.ClassDef):
        return st.name.startswith("Test") or any(ast.unparse(b).endswith("TestCase") for b in st.bases)
    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
        name = ast.unparse(st.value.func)
        if name == "print":  # print("All tests passed")
            return all(isinstance(a, ast.Constant) for a in st.value.args) and not st.value.keywords
        return name in ("unittest.main", "pytest.main") or name.split(".")[-1].startswith("test")
    if isinstance(st, ast.If) and "__main__" in ast.unparse(st.test):
        return all(_is_test_statement(b) for b in st.body) and not st.orelse
    return False


@functools.lru_cache(maxsize=256)  # the early stop reads the blocks before the program each token
def _is_tests(code: str) -> bool:
    """Python that only tests a program written elsewhere in the answer (``def test_f(): assert f(1) == 2``, a
    ``unittest.TestCase``): it defines tests and imports, and reads a name it never binds (the program's) or takes
    from the program's module (``from solution import f``)."""
    import ast

    if (tree := _parse(code)) is None:
        return False
    if not tree.body or not all(_is_test_statement(st) for st in tree.body) or not any(
            isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for st in tree.body):
        return False
    nodes = list(ast.walk(tree))
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    bound |= {n.name for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    bound |= {n.name for n in nodes if isinstance(n, ast.ExceptHandler) and n.name}
    bound |= {(a.asname or a.name).split(".")[0] for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))
              for a in n.names if not _from_program(n)}
    read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bool(_free_names(tree, read, bound))


def _from_program(node) -> bool:
    """Whether an import takes names from the answer's own module (``from solution import f``, ``from main import
    f``, as a test file written beside the program does): a module of no library (not Python's own, nor installed
    here)."""
    import ast
    import importlib.util
    import sys

    if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
        return bool(isinstance(node, ast.ImportFrom) and node.level)  # from .solution import f
    top = node.module.split(".")[0]
    if top in sys.stdlib_module_names:
        return False
    try:
        return importlib.util.find_spec(top) is None
    except (ImportError, ValueError):
        return True


def _empty_body(body: list) -> bool:
    """A function body with nothing to run: a docstring, ``pass``, ``...`` or ``raise NotImplementedError``."""
    import ast

    return all(isinstance(st, ast.Pass) or isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) or
               isinstance(st, ast.Raise) and st.exc is not None and "NotImplementedError" in ast.unparse(st.exc)
               for st in body)


@functools.lru_cache(maxsize=256)  # the early stop reads the blocks before the program each token
def _is_stub(code: str) -> bool:
    """Python that only restates the function to write, as the prompt gave it (``def f(x):`` over a docstring,
    ``pass``, ``...`` or ``raise NotImplementedError``; LiveCodeBench's ``class Solution:`` whose method's body is
    left empty): the answer's program comes after it."""
    import ast

    tree = _parse(code)
    heads = [ln for ln in code.split("\n") if ln.strip()]
    if tree is None and heads and heads[-1].rstrip().endswith(":"):  # a body left to fill in
        indent = len(heads[-1]) - len(heads[-1].lstrip())
        tree = _parse(code.rstrip() + "\n" + " " * (indent + 4) + "pass\n")
    if tree is None:
        return False
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    stubs = 0
    for st in tree.body:
        if isinstance(st, functions) and _empty_body(st.body) or isinstance(st, ast.ClassDef) and any(
                isinstance(b, functions) for b in st.body) and all(
                isinstance(b, functions) and _empty_body(b.body) or _empty_body([b]) for b in st.body):
            stubs += 1
        elif not isinstance(st, (ast.Import, ast.ImportFrom)):
            return False
    return stubs > 0


@functools.lru_cache(maxsize=256)  # the early stop reads the blocks before the program each token
def _is_sample(code: str) -> bool:
    """A block labelled Python that shows a run, not a program: a session (``>>> f(2)``, IPython's ``In [1]: f(2)``),
    data (``[0, 1]``, ``Output: 6``, comments alone) or a sample (``Input: nums = [2, 7], target = 9``)."""
    first = next((ln.strip() for ln in code.split("\n") if ln.strip()), "")
    if first.startswith(">>>") or re.match(r"In ?\[\d*\]:", first):
        return True
    if (tree := _parse(code)) is None:
        return re.match(r"(?:input|output|explanation|example\b[^:\n]{0,20})\s*:", first, re.I) is not None
    return not any(_does_something(st) for st in tree.body)


@functools.lru_cache(maxsize=1024)  # the early stop reads the text before an open block each token
def _holds_program(text: str) -> bool:
    """Whether ``text`` holds code outside fences (``Here is f:`` and ``def f(x): ...`` on the lines after it)."""
    return _is_code(_unfenced_program(text))


@functools.lru_cache(maxsize=1024)  # and the first line of that block
def _is_prose(line: str) -> bool:
    """Whether a block's first line is prose or nothing (``This adds one.``), not code (``def f(x):``)."""
    for src in (line, line + "\n    pass"):  # the line, or the head of a body to come
        if (tree := _parse(src)) is not None:
            return not any(_does_something(st) for st in tree.body)
    return True


@functools.lru_cache(maxsize=256)  # the early stop reads the blocks before the program each token
def _only_imports(code: str) -> bool:
    """Python that only imports (``import math``): a block an answer shows before the function that uses it."""
    import ast

    if (tree := _parse(code)) is None:
        return False
    body = tree.body
    return bool(body) and all(isinstance(st, (ast.Import, ast.ImportFrom)) for st in body)


def _in_long_string(code: str) -> bool:
    """Whether Python source ``code`` ends inside a triple-quoted string (a docstring showing a fenced example):
    a fence line there is the string's, not the block's end."""
    quote, i = "", 0
    while i < len(code):
        c = code[i]
        if quote:
            if c == "\\":
                i += 1
            elif code.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
            elif c == "\n" and len(quote) == 1:
                quote = ""  # a one-line string left open ends with its line (not Python, but not a program either)
        elif c == "#":
            i = code.find("\n", i)
            if i < 0:
                break
        elif c in "'\"":
            quote = c * 3 if code.startswith(c * 3, i) else c
            i += len(quote) - 1
        i += 1
    return len(quote) == 3


def _opens_program(head: str, code: str) -> bool:
    """Whether the text after a fence's ``python`` label is the program's first line (``def f(x):``, ``import
    sys``), not a file name or an attribute (``main.py``, ``3``, ``{.numberLines}``, ``title="sol.py"``,
    ``filename=solution.py``: one value given a name the block never reads) that would fail the program."""
    import ast

    for src in (head + "\n" + code, head, head + "\n    pass"):  # the block, or its first line (cut, or a body)
        if (tree := _parse(src)) is None:
            continue
        body = tree.body
        if body and isinstance(body[0], ast.Assign) and len(body[0].targets) == 1 and \
                isinstance(body[0].targets[0], ast.Name) and \
                isinstance(body[0].value, (ast.Constant, ast.Name, ast.Attribute)) and \
                not re.search(rf"\b{body[0].targets[0].id}\b", code):
            return False  # an attribute of the fence
        return not body or not (isinstance(body[0], ast.Expr) and not isinstance(body[0].value, ast.Call))
    return False


def _program_block(text: str, entry_point: str | None = None) -> tuple[str, bool] | None:
    """The answer's program and whether it is complete: its first block (:func:`_code_block`), and where that
    block is a program (it parses and defines something) but not of ``entry_point``, the name the tests call, the
    closed program blocks after it up to the one that defines that name, joined (a helper in one block, the function
    in the next, as models write them: judged on the first block alone, a right answer failed). Complete once that
    block has closed; where none follows, the first block is the program (the tests name what it lacks)."""
    text = text.replace("\r\n", "\n")
    found = _code_block_at(text)
    name = re.match(r"[A-Za-z_]\w*", entry_point or "")
    if found is None or not found[1] or name is None or not _defines(found[0]) or \
            _defines_name(found[0], name.group()):
        return None if found is None else found[:2]
    joined, end = found[0], found[2]
    while (later := _code_block_at(text[end:])) is not None and later[1]:
        joined, end = joined + ("" if joined.endswith("\n") else "\n") + later[0], end + later[2]
        if _defines_name(later[0], name.group()):
            return joined, True
    return found[0], False  # a block defining it may follow: not complete until the answer ends


def _defines_name(code: str, name: str) -> bool:
    """Whether ``code`` binds ``name`` at its top level (a def, a class, an assignment or an import)."""
    import ast

    tree = _parse(code)
    for st in tree.body if tree is not None else ():
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and st.name == name:
            return True
        targets = st.targets if isinstance(st, ast.Assign) else [st.target] if isinstance(st, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
        if isinstance(st, (ast.Import, ast.ImportFrom)) and \
                any((a.asname or a.name.partition(".")[0]) == name for a in st.names):
            return True
    return False


def code_complete(text: str, entry_point: str | None = None) -> bool:
    """Whether the answer's program is written to its end (:func:`_program_block`): the code oracle's early stop,
    prefix-monotone as the judge reads the same blocks."""
    found = _program_block(text, entry_point)
    return found is not None and found[1]


def extract_code(text: str, entry_point: str | None = None) -> str:
    """The program of a completion: its first fenced Python block, with the blocks after it up to the one that
    defines ``entry_point`` where the first does not (see :func:`_program_block`), else the text without its prose
    and HTML code tags (see :func:`_unfenced_program`).

    A completion that starts with code and only closes a fence (the model took the opening fence as said, as
    small models do: ``def f(): ...\n```\nThis function...``) is the code before that fence. Windows line
    endings are read as ``\n``; an indented fence (in a list item) has its indent taken off.
    """
    block = _program_block(text, entry_point)
    if block is None and (program := _json_program(text)) is not None:
        return program
    if block is None and _parse(text) is None:
        text, tags = _CODE_TAGS.subn("", text)  # a program (its strings) keeps them
        if tags and _ENTITY.search(text):
            text = html.unescape(text)  # an HTML code element's program is escaped: x &gt; 0, s &amp; t
    return _without_test_runner(_readable(block[0] if block is not None else _unfenced_program(text)))


_JSON_FENCE = re.compile(r"^[ \t]*```+[ \t]*json[ \t]*\n", re.M | re.I)


def _json_program(text: str) -> str | None:
    """The program a JSON answer holds in one of its strings (``{"code": "def f(x):\\n..."}``, the whole answer or its
    first ``json`` fence, as a prompt asking for JSON gets it), read as an answer of its own; None where the answer is
    no JSON or none of its strings is a program. Judged as written, the JSON is a dict literal or its escapes."""
    import json

    texts = [text.strip()] if text.lstrip().startswith(("{", "[")) else []
    if (fence := _JSON_FENCE.search(text)) is not None:
        end = text.find("```", fence.end())
        texts.append(text[fence.end():end if end >= 0 else len(text)])
    programs = []
    for candidate in texts:
        try:
            value = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        todo, seen = [value], 0
        while todo and seen < 200:  # in the JSON's order; a few strings are looked at, never thousands
            item = todo.pop()
            seen += 1
            if isinstance(item, (dict, list)):
                todo.extend(reversed(list(item.values()) if isinstance(item, dict) else item))
            elif isinstance(item, str) and "\n" in item.strip() and _is_code(program := extract_code(item)):
                if _defines(program):
                    return program
                programs.append(program)  # a call shown ("f(2)"): the program only where no string defines one
    return programs[0] if programs else None


def _defines(code: str) -> bool:
    """Whether ``code`` defines or imports something at its top level (a program, not a call of one)."""
    import ast

    tree = _parse(code)
    return tree is not None and any(isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                                                    ast.ImportFrom)) for st in tree.body)


_SHELL_LINE = re.compile(r"^[!%].*(?:\n|$)", re.M)  # a notebook's shell command or magic: !pip install x, %%time
_WIDE = "\u00a0\u2000-\u200a\u202f\u205f\u3000"  # no-break and wide spaces: no Python indentation
_WIDE_INDENT = re.compile(rf"^[ \t]*[{_WIDE}][ \t{_WIDE}]*", re.M)


def _readable(code: str) -> str:
    """``code`` as Python reads it where it cannot as written: without a notebook's shell and magic lines (``!pip
    install numpy``, ``%matplotlib inline``, as chat models write a Colab cell) and with an indentation of no-break or
    wide spaces (text carried through a web page) made of spaces; each failed the right program on a SyntaxError.
    Left as written where it parses, or where neither repair makes it (a line of a string is kept)."""
    shell, wide = _SHELL_LINE.search(code), _WIDE_INDENT.search(code)
    if not (shell or wide) or _parse(code) is not None:
        return code
    spaced = _WIDE_INDENT.sub(lambda m: " " * len(m.group()), code) if wide else code
    for fixed in (spaced, _SHELL_LINE.sub("", code), _SHELL_LINE.sub("", spaced)):
        if fixed != code and _parse(fixed) is not None:
            return fixed
    return code


# an HTML code tag opening a line or closing one (<code>def f(x):, <pre><code class="python">, return x</code>), not
# one in a sentence (call <code>f(2)</code>): the tags of an answer without fences, which are no Python
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|apos|#\d+|#x[\da-fA-F]+);")
_CODE_TAGS = re.compile(r"^[ \t]*(?:<pre(?:\s[^>\n]*)?>)?<code(?:\s[^>\n]*)?>|</code>(?:</pre>)?(?=[ \t]*$)", re.M)


def _without_test_runner(code: str) -> str:
    """``code`` without its top-level ``unittest.main()`` calls: run outside a ``__main__`` guard it runs the answer's
    own tests and exits, so the judge's never ran and a right program failed (as EvalPlus' sanitizer drops it)."""
    import ast

    if "unittest.main" not in code:
        return code
    if (tree := _parse(code)) is None:
        return code
    body = tree.body
    lines = code.split("\n")
    for st in reversed(body):
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and \
                ast.unparse(st.value.func) == "unittest.main" and st.col_offset == 0 and \
                lines[st.end_lineno - 1][st.end_col_offset:].strip() in ("", ";") and \
                (st.lineno == 1 or not lines[st.lineno - 2].rstrip().endswith(";")):
            del lines[st.lineno - 1:st.end_lineno]
    return "\n".join(lines)


def _reads_stdin(node, readers: frozenset[str] = frozenset()) -> bool:
    """Whether running ``node`` reads stdin or its command line: it calls ``input()`` or ``open(0)`` (competitive
    programmers' whole stdin), reads ``sys.stdin`` or ``sys.argv`` (or ``stdin``, ``argv``) or calls one of ``readers``
    (functions of the code that do), outside the functions and lambdas it only defines."""
    import ast

    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and (n.func.id in {"input", *readers} or (
                n.func.id == "open" and n.args and isinstance(n.args[0], ast.Constant) and
                n.args[0].value in (0, "/dev/stdin"))):
            return True
        if isinstance(n, ast.Name) and n.id in ("stdin", "argv") or \
                isinstance(n, ast.Attribute) and n.attr in ("stdin", "argv"):
            return True
        todo.extend(c for c in ast.iter_child_nodes(n) if n is node or not isinstance(
            c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)))
    return False


def _without_stdin_usage(code: str) -> str:
    """``code`` without the top-level statements that read stdin or the command line (an example run after the
    function: ``x = int(input())``, ``open(0).read()``, ``sys.argv[1]``, ``print(f(x))``, ``main()``) and those that
    use what they bind, for tests that call its functions:
    with nothing on stdin the first raised EOFError and a right function failed, where EvalPlus' sanitizer keeps only
    the definitions, imports and assignments the function reads. Left as written where a definition reads a name
    such a statement binds (the function reads stdin's text), and a ``__main__`` guard (never run) is kept."""
    import ast

    if not re.search(r"input|stdin|argv|open", code) or (tree := _parse(code)) is None:
        return code
    defs = [st for st in tree.body if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    readers: frozenset[str] = frozenset()
    while True:  # the functions that read stdin, or call one that does
        more = readers | {d.name for d in defs if any(_reads_stdin(st, readers) for st in d.body)}
        if more == readers:
            break
        readers = frozenset(more)
    read_by_defs = set()  # the globals they read: names they load and bind nowhere (no parameter, no local)
    for d in defs:
        nodes = list(ast.walk(d))
        local = {n.arg for n in nodes if isinstance(n, ast.arg)} | {
            n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        read_by_defs |= {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - local
    drop, bound = [], set()
    for st in tree.body:
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)) or \
                isinstance(st, ast.If) and "__main__" in ast.unparse(st.test):
            continue
        names = {n.id: isinstance(n.ctx, ast.Load) for n in ast.walk(st) if isinstance(n, ast.Name)}
        if _reads_stdin(st, readers) or any(load and name in bound for name, load in names.items()):
            stored = {name for name, load in names.items() if not load}
            if stored & read_by_defs:
                return code
            bound |= stored
            drop.append(st)
    if not drop:
        return code
    lines = code.split("\n")
    spans = [(st.lineno, st.end_lineno) for st in tree.body]
    for st in reversed(drop):  # a statement sharing its line with another (x = input(); y = 1) is kept
        if sum(a <= st.lineno <= b or a <= st.end_lineno <= b for a, b in spans) == 1:
            del lines[st.lineno - 1:st.end_lineno]
    return "\n".join(lines)


def _as_called(code: str, prompt: str = "") -> str:
    """``code`` without what runs on its own before the tests call its functions: an example reading stdin and its
    own asserts (:func:`_without_stdin_usage`, :func:`_without_own_asserts`), read with the ``prompt`` it continues
    where it does not parse alone (HumanEval's function body, then a base model's own checks)."""
    if prompt and _parse(code) is None:
        whole = prompt + code
        kept = _without_own_asserts(_without_stdin_usage(_without_exits(whole)))
        if kept.startswith(prompt):
            return kept[len(prompt):]
    return _without_own_asserts(_without_stdin_usage(_without_exits(code)))


_EXITS = frozenset({"exit", "quit", "sys.exit"})


def _without_exits(code: str) -> str:
    """``code`` with its top-level ``exit()``, ``quit()`` and ``sys.exit(...)`` calls made ``pass``, for tests that call
    its functions: a script ending its example run so ended the program before the tests ran, and a right function
    failed (the tests' nonce still proves they ran to their end)."""
    import ast

    if not re.search(r"\b(?:exit|quit)\b", code) or (tree := _parse(code)) is None:
        return code
    lines = code.split("\n")
    for st in reversed(tree.body):  # right to left: a line's earlier offsets hold
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and st.lineno == st.end_lineno and \
                ast.unparse(st.value.func) in _EXITS:
            line = lines[st.lineno - 1].encode()  # the offsets count UTF-8 bytes
            lines[st.lineno - 1] = (line[:st.col_offset] + b"pass" + line[st.end_col_offset:]).decode()
    return "\n".join(lines)


def _without_own_asserts(code: str) -> str:
    """``code`` without its top-level asserts (and loops of asserts and prints), for tests that call its functions:
    a model checks its function against values it worked out, often wrongly, and its assert failed a right function
    before the judge's tests ran (EvalPlus' sanitizer keeps only the definitions, imports and assignments). The judge's
    tests decide: a function they fail fails without its asserts too."""
    import ast

    if "assert" not in code or (tree := _parse(code)) is None:
        return code

    def check(st) -> bool:
        if isinstance(st, ast.Assert):
            return True
        if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
            return ast.unparse(st.value.func) == "print"
        return isinstance(st, (ast.For, ast.While)) and all(map(check, st.body + st.orelse)) and any(
            isinstance(n, ast.Assert) for n in ast.walk(st))

    drop = [st for st in tree.body if check(st) and not isinstance(st, ast.Expr)]
    if not drop:
        return code
    lines = code.split("\n")
    spans = [(st.lineno, st.end_lineno) for st in tree.body]
    for st in reversed(drop):  # a statement sharing its line with another (assert f(1); g()) is kept
        if sum(a <= st.lineno <= b or a <= st.end_lineno <= b for a, b in spans) == 1:
            del lines[st.lineno - 1:st.end_lineno]
    return "\n".join(lines)


_CLOSER = re.compile(r"[)\]}]|'''|\"\"\"")  # what may close a bracket or a string left open
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b|[)\]}]")  # a top-level line that ends the one before


def _unfenced_program(text: str) -> str:
    """An answer without a fence: all of it where it parses; else its top-level statements that parse and do
    something (definitions, imports, assignments, calls, control flow) in their order, the prose around them
    (``Here is the function:``, ``This returns x + 1.``, ``Output: 6``) left out, as EvalPlus' sanitizer reads
    such answers. A statement is a line at column 0 with the indented lines under it (``else:`` and a closing
    bracket at column 0 belong to the one before; a bracket or string left open takes in the lines after it); a
    markdown block indented under a line of prose and a blank line is its program (:func:`_indented_block`).
    An answer that starts indented continues the prompt's code (HumanEval's function body) and is kept whole: its
    body does not parse on its own."""
    import ast

    text = text.replace("\r\n", "\n")
    if (tree := _parse(text)) is not None and not _only_strings(tree):
        return text
    lines = text.split("\n")
    if next((ln for ln in lines if ln.strip()), " ")[0].isspace():
        return text
    starts = [i for i, ln in enumerate(lines)
              if ln.strip() and not ln[0].isspace() and not _CONTINUES.match(ln) and
              not (i and lines[i - 1].startswith("@"))]
    ends = starts[1:] + [len(lines)]
    closer = [len(starts)] * (len(starts) + 1)  # the next statement that may close a bracket or string left open
    for j in reversed(range(len(starts))):
        closer[j] = j if _CLOSER.search("\n".join(lines[starts[j]:ends[j]])) else closer[j + 1]
    kept, k = [], 0
    while k < len(starts):
        e = k
        while e < min(k + 64, len(starts)):  # an open bracket or string takes in the next statements
            chunk = "\n".join(lines[starts[k]:ends[e]]).rstrip()
            try:
                _hush_answer_warnings()
                tree = ast.parse(chunk, _ANSWER_FILE)
            except SyntaxError as err:
                if "never closed" in str(err.msg) or "unterminated triple" in str(err.msg):
                    e = closer[e + 1]  # one that closes nothing leaves it open: not parsed (a loop of "f(" lines
                    continue  # parsed 64 times each took minutes)
                if e == k and (block := _indented_block(lines[starts[k]:ends[k]])) is not None:
                    kept.append(block)
                break
            except (ValueError, RecursionError, MemoryError):
                break
            if all(_does_something(st) for st in tree.body):
                kept.append(chunk)
                k = e
            break
        k += 1
    return "\n".join(kept) + "\n" if kept else text


def _only_strings(tree) -> bool:
    """Whether a parsed answer is strings alone: a program wrapped in triple quotes as a fence (``\'\'\'python``,
    ``\"\"\"``), which defines nothing as written."""
    import ast

    return bool(tree.body) and all(isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant) and
                                   isinstance(st.value.value, str) for st in tree.body)


def _indented_block(lines: list[str]) -> str | None:
    """The program of a markdown code block written by indenting it under a line of prose (``Here is the code:``, a
    blank line, then lines indented four spaces or a tab), dedented; None where those lines are no program."""
    import textwrap

    if len(lines) < 3 or lines[1].strip() or not _is_prose(lines[0]):
        return None
    block = textwrap.dedent("\n".join(lines[2:])).strip("\n")
    tree = _parse(block)
    if tree is None or not tree.body or not all(_does_something(st) for st in tree.body):
        return None
    try:  # a body that only continues a function (return x) is none
        compile(tree, _ANSWER_FILE, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return block


def _does_something(st) -> bool:
    """A statement of a program, not prose or data that happens to parse (``Explanation``, ``Output: 6``, ``42``)."""
    import ast

    if isinstance(st, ast.Expr):
        return isinstance(st.value, (ast.Call, ast.Await))
    if isinstance(st, ast.AnnAssign):
        return st.value is not None
    return not isinstance(st, ast.Pass)


def extract_snippet(text: str) -> str:
    """DS-1000's reading of a completion: the code before ``</code>`` (the prompt opened the tag), a fence or an
    ``END SOLUTION`` line, with any ``<code>`` and opening ```python left out."""
    code = text.split("</code>")[0].replace("```python", "").split("```")[0]
    return code.split("\nEND SOLUTION")[0].replace("<code>", "")


def _is_code(text: str) -> bool:
    """Python that is a program (it defines, imports or calls something), not data that parses (a sample input
    ``[1, 2, 3]``, ``nums = [2, 7], target = 9``, ``Output: 6``), a bare word or a sentence."""
    import ast

    if (tree := _parse(text)) is None:
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
                              ast.Lambda, ast.Call)) for n in ast.walk(tree))


# --------------------------------------------------------------------------- built-in oracles

# 12,5 and 3,75: a decimal comma, as MGSM's other languages write a decimal on the answer line (never 1,234 nor 1,2,3)
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d+),(\d{1,2})(?![\d,]|\.\d)")
# 1.234,5 and 1.234.567: thousands set apart by dots, as German or Spanish write them before a decimal comma, or in
# two groups or more (never 1.234 alone: a decimal as English writes it)
_DOTTED_THOUSANDS = re.compile(r"(?<![\d,.])(\d{1,3}(?:\.\d{3})+(?=,\d{1,2}(?![\d,]|\.\d))|\d{1,3}(?:\.\d{3}){2,})"
                               r"(,\d{1,2})?(?![\d.,]\d|\d)")
# 1 234, 12 500: thousands set apart by a space on the answer line, as French or Russian write them (never 2 1/2)
_SPACED_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?![\d/]| /)")  # 12 345.67 too
# 1,50,000 and 12,34,56,789: Indian English's and Hindi's grouping of lakhs and crores
_INDIAN_GROUPS = re.compile(r"(?<![\d,.])\d{1,2}(?:,\d{2})+,\d{3}(?![\d,])")
_DIGITS = re.compile(r"\d(?:[\d,]*\d)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_NUMBER_OR_NUMBER = re.compile(r"\d[ \t]*(?:\\text[ \t]*\{[ \t]*)?(?i:or)\b(?:[ \t]*\})?[ \t]*[-\u2212$\\]{0,2}\d")
# a second number offered after the answer's: 12, or 13; 12 or maybe 13; 12 (or 13 if ...); 12 apples or 13 apples;
# 12, maybe 13; 12 (could be 13); 12; or 13; 12 — or 13; 12 and/or 13;
# the "or" of MGSM's and the multilingual benchmarks' languages (12 o 13, 12或13); each run of spaces read one way only
# (numbers of at most 40 digits: no answer is longer, and int() refuses 4,300)
# 12, alternatively 13; 12 (actually 13); 12, but it could be 13; 12 (or is it 13)
_MAYBE = (r"(?i:maybe|possibly|perhaps|probably|alternatively|otherwise|actually|is[ \t]+it|wait|sorry|oops"
          r"|i[ \t]+mean|no[ \t]+wait|no(?=,)"
          r"|(?:but[ \t]+)?(?:it[ \t]+)?(?:could|might|may)[ \t]+(?:also[ \t]+)?be)")
_OR_ANOTHER = re.compile(r"(?<![\d,./])(?P<one>[-\u2212]?\$?\d[\d,]{0,40}(?:\.\d{1,40}|/\d{1,40})?)(?![\d,])"
                         r"(?P<pct>[ \t]?%)?"
                         r"(?:[ \t]*(?P<unit>(?<=[ \t])[A-Za-z]+(?![A-Za-z])|(?![或还還])[\u3400-\u9fff]{1,3}?))?"
                         r"(?:[ \t]*[,(;\u2013\u2014，；（])?"
                         r"(?:[ \t]*(?:(?i:or|and/or)|ou|oder|o|или|atau|veya|hoặc|lub|sau|eller|або|ή|أو|या|বা|또는)"
                         r"[ \t]+"
                         r"|[ \t]*(?:或者?|还是|還是|または)[ \t]*"
                         # 12 unless it's 13; 12, or else 13; 12 but maybe 13
                         r"|[ \t]*(?i:unless(?:[ \t]+it(?:['’]s|[ \t]+is))?|(?:or[ \t]+)?else)[ \t]+"
                         rf"|[ \t]*(?i:but)[ \t]+(?={_MAYBE})"
                         rf"|(?<=[,(;])[ \t]*(?={_MAYBE},?[ \t]))"  # 12, maybe 13; 12 (wait, 13)
                         rf"(?:{_MAYBE},?[ \t]+)?"
                         r"(?P<two>[-\u2212]?\$?\d[\d,]{0,40}(?:\.\d{1,40}|/\d{1,40})?)(?![\d./]\d|\d)"
                         r"(?P<pct2>[ \t]?%)?"
                         r"(?:[ \t]*(?P<unit2>(?<=[ \t])[A-Za-z]+|[\u3400-\u9fff]{1,3}))?")  # 18 元或 19 元


# a range of two amounts, the less first: 12-13, 12–13, 12 to 13, between 12 and 13, 12~13 and 12至13 as CJK text
# writes one (never 2023-01-05, nor 12 - 3)
_RANGE = re.compile(r"(?<![\d,.\-\u2212])(?P<one>\$?\d[\d,]{0,40}(?:\.\d{1,40})?)(?P<pct>[ \t]?%)?"
                    r"(?:[-\u2013\u2014]|[ \t]*[\u2013\u2014~\uff5e\u301c\u81f3\u5230][ \t]*|[ \t]+(?i:to|and)[ \t]+)"
                    r"(?P<two>\$?\d[\d,]{0,40}(?:\.\d{1,40})?)(?![\d.\-\u2013\u2014]\d|\d|[-\u2013\u2014]|[ \t]*\d)")
_BEFORE_RANGE = re.compile(r"(?i:\b(between|from))[ \t]+$")


def _last_range(text: str) -> int | None:
    """Where the last range of two amounts ends (``12-13``, ``12 to 13``, ``between 12 and 13``: it names no one
    amount), None where none is written; ``12 and 13`` is one only after between (else a list), and ``from 12 to
    13`` none (a change, whose end is the amount)."""
    for m in reversed(list(_RANGE.finditer(text))):
        one, two = (Fraction(re.sub(r"[$,]", "", m.group(k))) for k in ("one", "two"))
        before = _BEFORE_RANGE.search(text, max(0, m.start() - 12), m.start())
        word = before.group(1).lower() if before else None
        if one < two and word != "from" and (" and " not in m.group().lower() or word == "between"):
            return m.end()
    return None


def _offers_two(line: str) -> bool:
    """Whether an answer line offers a second, other number after its first (``12, or 13``, ``12 or maybe 13``,
    ``12 (or 13 if the first counts)``); never the same amount in another unit (``2 hours or 120 minutes``)."""
    return _last_offered(line) is not None


# numbers listed to the end of an answer line, each after a comma and a space: 12, 5 (a question asking for two
# amounts; never 12,5 nor 1,200, one number)
_NUMBER = r"[-\u2212]?\$?\d(?:[\d,]*\d)?(?:\.\d+)?"
_NUMBER_LIST = re.compile(rf"(?<![\d.,]){_NUMBER}(?:[ \t]*,[ \t]+{_NUMBER})+(?:[ \t]+[A-Za-z]+)?(?=[ \t]*\.?[ \t]*$)")


def _listed_numbers(line: str) -> list[Fraction] | None:
    """The numbers an answer line lists from its first number to its end (``12, 5``, ``$12, $5.``), else None."""
    first = re.search(r"[-\u2212]?\$?\d", line)
    m = _NUMBER_LIST.match(line, first.start()) if first else None  # read from there only: once, in linear time
    return find_numbers(m.group()) if m else None


# words after a number that name no unit: 12 apples, or 13 with Tom offers another amount, not 12 apples in another unit
_NO_UNIT = frozenset({"with", "without", "if", "for", "in", "at", "by", "from", "to", "when", "since", "because",
                      "which", "that", "the", "a", "an", "and", "but", "so", "depending", "counting", "including",
                      "excluding", "on", "of", "is", "are", "was", "were", "as", "or", "instead", "assuming", "unless",
                      "given"})


_NOT_UNIT = sorted(_NO_UNIT | {"per", "out", "times", "x", "e", "every", "each", "plus", "minus"})  # 12 per 2 days, 1e5
_UNIT_WORD = r"(?!(?i:" + "|".join(_NOT_UNIT) + r")(?![A-Za-z]))[A-Za-z]+\.?"
# a second amount after the first with no "or" between: a compound amount (1 hour 30 minutes, 5 feet 6 inches, $5, 50
# cents) or a list (12 apples, 13 pears; 12; 13): the line's first number alone is neither (never 12 per 2 days, nor
# 6 feet 0 inches)
# (in CJK text too: 18 元 5 角, 1小时30分钟, 18元，19元, 3 个苹果和 4 个梨, 18、19)
_CJK_UNIT_WORD = r"(?:(?![和与與或还還])[\u3400-\u9fff]){1,4}"
_SECOND_AMOUNT = re.compile(rf"{_NUMBER}%?(?:[ \t]*(?:{_UNIT_WORD}|{_CJK_UNIT_WORD})(?:[ \t]*(?:[,;，；、和与與]))?[ \t]*"
                            rf"(?!0+[ \t]*[A-Za-z\u3400-\u9fff]){_NUMBER}%?[ \t]*(?:{_UNIT_WORD}|{_CJK_UNIT_WORD})"
                            rf"|[ \t]*[;；、，][ \t]*{_NUMBER})")


def _restated(m: re.Match) -> bool:
    """Whether the second number an :data:`_OR_ANOTHER` match offers is the first's amount said again (``12 or 12``,
    ``0.5 or 50%``) or in another unit (``2 hours or 120 minutes``)."""
    unit, unit2 = m.group("unit", "unit2")
    if unit and unit2 and not unit.isascii():  # a unit in CJK text by its first character: 个苹果 or 个, 小时 or 分钟
        unit, unit2 = unit[0], unit2[0]
    if m.group("one", "pct") == m.group("two", "pct2") or \
            unit is not None and unit2 not in (None, unit) and unit2.lower() not in _NO_UNIT:
        return True  # 12 or 12 and 2 hours or 120 minutes, told apart before any number is made
    try:  # 0.5 or 1/2 too
        one, two = (Fraction(re.sub(r"[$,]", "", m.group(k)).replace("\u2212", "-")) / (100 if m.group(pct) else 1)
                    for k, pct in (("one", "pct"), ("two", "pct2")))  # 0.5 or 50%: one amount
    except ZeroDivisionError:
        return False  # 1/0 or 2: no amount restated
    return one == two


def _last_offered(text: str) -> int | None:
    """Where the last second number offered after another ends (``12 or 13``, ``12, or maybe 13``: see
    :func:`_offers_two`), None where no number is so offered."""
    # the last first: a loop of hedges is read at once
    return next((m.end() for m in reversed(list(_OR_ANOTHER.finditer(text))) if not _restated(m)), None)


def _digits_or_digits(line: str) -> bool:
    """Whether an answer line offers a digit or another (``12 or 13``, ``12 \\text{or} 13``), the same amount said
    again aside (``0.5 or 50%``, as :func:`_last_offered` reads it)."""
    restated = [m.span() for m in _OR_ANOTHER.finditer(line) if _restated(m)] if "or" in line.lower() else []
    return any(not any(a <= n.start() < b for a, b in restated) for n in _NUMBER_OR_NUMBER.finditer(line))


# an amount written with its scale's word (1.5 million, $2.4 billion), as models write large answers
# (never one more number follows: 3 thousand 500)
_SCALED = re.compile(r"[-\u2212]?\$?(\d[\d,]*(?:\.\d+)?)[ \t]*(?i:(thousand|million|billion|trillion))\b"
                     r"(?![ \t,]*(?:and[ \t]+)?\$?\d)")
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _scaled(text: str, at: int, number: Fraction) -> Fraction | None:
    """The amount the number read at ``at`` (``number``) makes with the scale's word after it (``1.5 million``:
    1,500,000), else None."""
    m = _SCALED.match(text, at)
    return number * _SCALES[m.group(2).lower()] if m else None


# a time of day with its minutes (#### 2:30): no number of hours (2 was read), unless on the hour (12:00)
_CLOCK = re.compile(r"[^\d]*?(?<![\d.,])\d{1,2}:(?!00)\d{2}(?!\d)")


# an operation between the line's first number and another, its result not written: #### 12 - 3, #### 12 - 13 (a
# spaced range too), #### 4 × 3 (never 12/13, a fraction, nor 1 234, thousands)
_UNWORKED = re.compile(r"\d[\d,]*(?:\.\d+)?%?[ \t]+(?:[-+*×÷\u2212]|(?i:plus))[ \t]+[-\u2212]?\$?\d")  # 12 plus 13 too


_TERM_NUMBER = r"(?:\([ \t]*)?[-\u2212]?\$?\d[\d,]*(?:\.\d+)?%?(?:[ \t]*\))?"  # each run of spaces read one way
# (the operation in words too: 5 plus 2, 12 divided by 3)
_WORKING = re.compile(rf"[ \t]*{_TERM_NUMBER}(?:[ \t]*(?:[-+*/×÷x·\u2212]|\\times|\\cdot|(?<=[\d) \t%])(?i:plus|minus"
                      rf"|times|(?:divided|multiplied)[ \t]+by)(?=[ \t]))[ \t]*{_TERM_NUMBER})*[ \t]*"
                      r"|[^\d=]*")  # 25 - 12, (3 + 4) * 2, x, Total


def _worked_result(line: str) -> str:
    """What an answer line states after its working (``#### 25 - 12 = 13``: 13, where the first number, 25, was
    read): after each ``=`` outside brackets that only a sum or a name stands before (never ``12 since x = 3``)."""
    depth, start, cut = 0, 0, 0
    for i, c in enumerate(line):
        depth += (c in "([{") - (c in ")]}")
        if c == "=" and not depth and line[i - 1:i] not in ("<", ">", "!", "=") and line[i + 1:i + 2] != "=":
            if not _WORKING.fullmatch(line, start, i):
                break
            start = cut = i + 1
    return line[cut:].strip() if cut and _HAS_NUMBER.search(line, cut) else line


# a second amount joined to the first by and: #### 12 and 13, #### 12 apples & 13 pears (never 2 and 1/2, one amount)
_AND_ANOTHER = re.compile(r"\d%?(?:[ \t]+[A-Za-z]+)?[ \t]*(?:,[ \t]*)?(?:(?<![A-Za-z])(?i:and)|&)[ \t]+[-\u2212]?\$?\d"
                          r"(?!\d*/\d)")
_AND_NUMBER = re.compile(r"(?<=\d)[ \t]*(?:,[ \t]*)?(?:(?i:and)|&)[ \t]+(?=[-\u2212]?\$?\d(?!\d*/\d))")  # list 12, 13
_AND_FRACTION = re.compile(r"(?<=\d)[ \t]+(?i:and)[ \t]+(?=\d+/\d+(?![\d/]))")  # 2 and 1/2: the mixed number 2 1/2
# a whole number and a fraction in words: 12 and a half is 12 1/2 (its 12 passed a reference 12)
_AND_WORDED = re.compile(r"(?<=\d)[ \t]+(?i:and)[ \t]+(?i:(a|one)[ \t]+(half|third|quarter|fourth)"
                         r"|(two)[ \t]+(thirds)|(three)[ \t]+(quarters|fourths))(?![A-Za-z])")
_WORDED_PARTS = {"half": "1/2", "third": "1/3", "quarter": "1/4", "fourth": "1/4", "thirds": "2/3", "quarters": "3/4",
                 "fourths": "3/4"}
# a strict bound before an amount, read in the 40 characters before it: > 12, more than 12 (never that amount; at
# least 12 and ≤ 12 may be; a tag's close, <answer>12, is none)
_STRICT_BOUND = re.compile(r"(?:(?<![^\s(:])[<>]|&[lg]t;|\\[lg]t(?![A-Za-z])"
                           r"|(?i:\b(?:more|greater|larger|higher|less|fewer|smaller|lower)[ \t]+than))"
                           r"[ \t]*(?:[-\u2212\$][ \t]*){0,2}$")


# another amount in brackets under a condition: #### 12 (13 if rounding up), #### 12 (13 including tax), #### 12 (13
# with tax); never 12 (3 for each), 18 ($3 with each of 6), 12 (3 with nuts), 12 (3 after lunch)
_CONDITION_WORD = (r"(?i:if|when|unless|including|excluding|counting|assuming|depending|incl|excl|rounded|rounding"
                   r"|(?:with|without|after|before)(?:[ \t]+(?:the|a|an))?[ \t]+"
                   r"(?:tax|taxes|tips?|shipping|interest|discounts?|fees?|delivery|vat|gst))(?![A-Za-z])")
_CONDITIONAL_AMOUNT = re.compile(r"\d%?(?:[ \t]+[A-Za-z]+)?[ \t]*\([ \t]*[-\u2212]?\$?\d[\d,]*(?:\.\d+)?%?"
                                 rf"(?:[ \t]+[A-Za-z]+)?[ \t]+{_CONDITION_WORD}")


# another amount for another reading, after a condition: #### 18 if we round, else 20; 18 when rounded, otherwise 20;
# ... is 18, but if we round it is 20 (:func:`_other_reading`; never the same amount said again, 18 if so, then 18)
_READING_IS = r"it(?:['’]s|[ \t]+is|[ \t]+would[ \t]+be|[ \t]+becomes)|(?:we|you)[ \t]+get" \
              r"|the[ \t]+answer[ \t]+(?:is|would[ \t]+be)"
_READING_THEN = rf"(?i:(?:(?:or[ \t]+)?else|otherwise)(?:,?[ \t]+(?:{_READING_IS}))?|then|{_READING_IS})"
_OTHER_READING = re.compile(r"(?<![\d.,])(?P<one>\d(?:[\d,]*\d)?(?:\.\d+)?)%?"
                            r"(?:[ \t]+(?!(?i:but|or|if|when|assuming)(?![A-Za-z]))[A-Za-z]+)?[ \t]*(?:[,;][ \t]*)?"
                            r"(?P<but>(?i:but|or)[ \t]+)?(?i:if|when|assuming)[ \t]"
                            r"(?:[^\n.;:!?() \t]|[ \t](?![ \t])){1,40}?"  # each run of spaces read one way
                            rf"(?:,[ \t]*|[ \t]+)(?P<then>{_READING_THEN})[ \t,]+"
                            r"\$?(?P<two>\d(?:[\d,]*\d)?(?:\.\d+)?)(?![\d,]\d)")


def _other_reading(text: str, strict: bool = False) -> int | None:
    """Where the last amount offered for another reading (:data:`_OTHER_READING`) ends, None where none is; ``strict``
    (a whole solution's text, whose worked steps read "12 if she keeps them, then 15"): only after "but if" or before
    "else"/"otherwise"."""
    for m in reversed(list(_OTHER_READING.finditer(text))):
        if strict and not (m.group("but") or re.match(r"(?i:(?:or[ \t]+)?else|otherwise)", m.group("then"))):
            continue
        if Fraction(m.group("one").replace(",", "")) != Fraction(m.group("two").replace(",", "")):
            return m.end()
    return None


# a second amount set beside the first, weighed against it or put in its place: #### 12 | 13, 12 vs 13, 12 -> 13,
# 12 → 13, 12? 13?, 12 (13?) (never 7 (5 plus 2): a sum worked out)
_BESIDE_AMOUNT = re.compile(r"\d%?(?:[ \t]+[A-Za-z]+)?[ \t]*(?:\||(?<![A-Za-z])(?i:vs\.?|versus)(?![A-Za-z])|->|=>"
                            r"|[→⇒]|\\(?:to|(?:long)?(?:right|Right)arrow|implies)(?![A-Za-z])|\?)"
                            r"[ \t]*\(?[-\u2212]?\$?\d"
                            r"|\d[ \t]*\([ \t]*[-\u2212]?\$?\d[\d,.]*[ \t]*\?")


def _names_no_amount(line: str) -> bool:
    """Whether an answer line offers no one amount: two (``12 or 13``, ``12 apples and 13 pears``, ``1 hour 30
    minutes``, ``12 | 13``, ``12 vs 13``, ``12 -> 13``, a range), an
    operation without its result (``12 - 3``), a strict bound (``more than 12``) or a time (``2:30``)."""
    first = _DIGITS.search(line)
    amount = re.search(r"[-\u2212]?\$?\d", line)
    return first is not None and (_UNWORKED.match(line, first.start()) is not None or
                                  _SECOND_AMOUNT.match(line, amount.start()) is not None or
                                  _STRICT_BOUND.search(line, max(0, first.start() - 40), first.start()) is not None) \
        or _digits_or_digits(line) or _offers_two(line) or _CLOCK.match(line) is not None or \
        _last_range(line) is not None or _AND_ANOTHER.search(line) is not None or \
        _CONDITIONAL_AMOUNT.search(line) is not None or _BESIDE_AMOUNT.search(line) is not None or \
        _other_reading(line) is not None


# one amount in two known units, the larger first, as an answer line ends: 1 hour 30 minutes, 18 dollars and 50 cents
_COMPOUND = re.compile(r"[ \t]*(\d[\d,]*(?:\.\d+)?)[ \t]*([A-Za-z]+)[ \t]*(?:,[ \t]*)?(?:(?i:and)[ \t]+)?"
                       r"(\d[\d,]*(?:\.\d+)?)[ \t]*([A-Za-z]+)[ \t]*\.?[ \t]*")


def _compound_unit(unit: str, other: str) -> tuple[str, Fraction]:
    """A compound amount's unit: ``m`` beside a unit of time is minutes (``2h 30m``, ``5m 30s``), else metres."""
    return _UNIT_SIZES["min" if unit == "m" and _UNIT_SIZES[other][0] == "s" else unit]


def _compound_amount(line: str, reference: str, problem: Problem) -> bool | None:
    """Whether an answer line of one amount in two known units of one dimension, the larger first (``1 hour 30
    minutes``, ``18 dollars and 50 cents``), is the reference's amount: in the reference's unit where the loader kept
    it, else in either unit the line names (1.5 or 90); None where the line is no such amount. It named no amount,
    so a right answer failed."""
    m = _COMPOUND.fullmatch(line)
    if m is None or m.group(2) not in _UNIT_SIZES or m.group(4) not in _UNIT_SIZES:
        return None
    (dim, big), (dim2, small) = _compound_unit(m.group(2), m.group(4)), _compound_unit(m.group(4), m.group(2))
    ref = _reference_number(reference)
    if dim != dim2 or big <= small or ref is None:
        return None
    total = Fraction(m.group(1).replace(",", "")) * big + Fraction(m.group(3).replace(",", "")) * small
    unit = (problem.meta or {}).get(ANSWER_UNIT_KEY)
    if isinstance(unit, str) and unit in _UNIT_SIZES:
        return _UNIT_SIZES[unit][0] == dim and total == ref * _UNIT_SIZES[unit][1]
    return total in (ref * big, ref * small)


# a gsm8k line's LaTeX, as the hedge checks read plain text: \(18\) or \(20\), $18$ or $20$ (a dollar sign after a
# number closes math: never a currency's), 18 or \frac{41}{2}, 2\frac{1}{2} (2 1/2)
_LINE_MATH = re.compile(r"\\[()]|(?<=[\d}])\$|(?P<mixed>(?<=\d))?\\[dt]?frac\{(?P<a>\d+)\}\{(?P<b>\d+)\}")


def _plain_math(line: str) -> str:
    """An answer line with its inline math's delimiters dropped and its fractions of digits written as ``a/b``: a
    number offered in LaTeX after the first (``18 or \\frac{41}{2}``, ``\\(18\\) or \\(20\\)``, ``$18$ or $20$``) was
    no offer."""
    return _LINE_MATH.sub(lambda m: "" if m.group("a") is None else
                          f"{' ' if m.group('mixed') is not None else ''}{m.group('a')}/{m.group('b')}", line)


# a number written in words offered after the answer's digits: 18 or twenty, 18 (or maybe twenty-one), 18, wait,
# twenty; read as its digits, the line offers two numbers as 18 or 20 does (never a word merely after a comma or a
# bracket: 12 (three for each) stays one amount)
# (each run of spaces read one way, from its start only: a loop of spaces is read at once)
_WORDS_OFFERED = re.compile(rf"(?<![ \t])(?P<head>(?:(?:[ \t]*[,(;])?[ \t]*"
                            r"(?i:or|and/or|unless(?:[ \t]+it(?:['’]s|[ \t]+is))?|(?:or[ \t]+)?else)[ \t]+(?![ \t])"
                            rf"|[ \t]*[,(;][ \t]*(?={_MAYBE})"
                            # 18 (twenty if rounding), 18; twenty if rounding: another number under a condition
                            rf"|[ \t]*[(;][ \t]*(?=(?!(?i:one|a)[ \t]){_IN_WORDS}[ \t]+{_CONDITION_WORD}))"
                            rf"(?:{_MAYBE},?[ \t]+(?![ \t]))?)"
                            rf"(?P<n>{_IN_WORDS})(?![A-Za-z])")


def _worded_value(words: str) -> int:
    """The value of a number :data:`_WORDS_OFFERED` reads in words (``twenty-one``, ``a hundred and five``)."""
    value, part = 0, 0
    for w in re.split(r"[- \t]+", words.lower()):
        if w == "hundred":
            part, value = 0, value + max(part, 1) * 100
        elif w in _ONES:
            part += _ONES.index(w)
        elif w in _TENS:
            part += 10 * (_TENS.index(w) + 2)
    return value + part


def _offered_in_digits(line: str) -> str:
    """``line`` with a number offered in words after a digit written in digits (``18 or twenty`` as ``18 or 20``):
    a second answer in words was no offer, and the line's first number passed."""
    if not _HAS_NUMBER.search(line) or not any(w in line.lower() for w in _ONES + _TENS):  # (a cheap look first)
        return line
    return _WORDS_OFFERED.sub(lambda m: m.group("head") + str(_worded_value(m.group("n")))
                              if _HAS_NUMBER.search(line, 0, m.start()) else m.group(), line)


def gsm8k_oracle(text: str, problem: Problem) -> bool:
    """GSM8K style: the number on the first ``#### ...`` line that states an answer (not a markdown heading such as
    ``#### Step 1``) equals the reference; its decimal comma (``#### 12,5``) is read as a decimal point, and its
    thousands set apart by spaces or dots (``#### 1 234``, ``#### 1.234,5``) as one number; a worked line is read
    at its result (``#### 25 - 12 = 13``), and an operation whose result is not written names none."""
    got = extract_gsm8k(text)
    if got is None:
        return False
    got = _offered_in_digits(_plain_math(got))
    got = _AND_WORDED.sub(lambda m: " " + _WORDED_PARTS[next(g for g in m.groups()[1::2] if g).lower()],
                          _worked_result(got))  # 12 and a half: 12 1/2
    if (compound := _compound_amount(got, reference_answer(problem), problem)) is not None:
        return compound  # #### 1 hour 30 minutes: 1.5 hours, or 90 minutes
    got = _AND_NUMBER.sub(", ", _AND_FRACTION.sub(" ", got))  # 12 and 13 as the list 12, 13
    if _names_no_amount(got):
        return False  # #### 12 or 13: a hedge names no answer (the first number was read, and passed for 12)
    if (several := _listed_numbers(got)) is not None:  # #### 12, 5: the answers in their order, never 12 alone
        return several == _listed_numbers(reference_answer(problem))
    got = _DOTTED_THOUSANDS.sub(lambda m: m.group(1).replace(".", ",") + (m.group(2) or "").replace(",", "."), got)
    got = _SPACED_THOUSANDS.sub(lambda m: m.group().replace(" ", ","), _DECIMAL_COMMA.sub(r"\1.\2", got))
    got = _INDIAN_GROUPS.sub(lambda m: m.group().replace(",", ""), got)
    if (first := _DIGITS.search(got)) and "," in first.group() and not _THOUSANDS.fullmatch(first.group()):
        return False  # 1,2,3 or 1,50,00: a list or no number, never its first digits
    nums, ref = find_numbers(got), _reference_number(reference_answer(problem))
    if nums and ref is not None and (first := re.search(r"[-\u2212]?\$?\d", got)) is not None and \
            (amount := _said_in_unit(got, first.start(), reference_answer(problem), problem)) is not None:
        return amount  # #### 180 m for 180 km: a wrong answer; #### 180000 m the same amount
    # a scale's word after it (#### 1.5 million) makes its amount: 1500000, or 1.5 where the question counts millions
    return bool(nums) and ref is not None and \
        (nums[0] == ref or (first := re.search(r"[-\u2212]?\$?\d", got)) is not None and
         _scaled(got, first.start(), nums[0]) == ref)


_LIST_COMMA = re.compile(r",(?:\s|\\[;: ]|\\q?quad)")


# a comma between items: one a space follows (10, 100), or any but a thousands comma (1,2 and -2,1; not 10,100, 1,\!234)
_ITEM_COMMA = r"(?:,(?:\s|\\[;: ]|\\q?quad)|(?<!\d),|,(?!(?:\\!)?\d{3}(?!\d)))"


def _top_level(s: str, sep: str) -> list[str]:
    """``s`` cut at the separators (a regex) outside brackets and braces."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(rf"[(\[{{]|[)\]}}]|{sep}", s):
        if m.group() in "([{":
            depth += 1
        elif m.group() in ")]}":
            depth -= 1
        elif depth == 0:
            parts.append(s[start:m.start()])
            start = m.end()
    return parts + [s[start:]]


def _balanced(s: str) -> bool:
    """Every bracket or brace of ``s`` closes one it opened (``1, 2) \\cup (3, 4`` is no inside of one interval)."""
    depth = 0
    for c in re.findall(r"[(\[{)\]}]", s):
        depth += 1 if c in "([{" else -1
        if depth < 0:
            return False
    return depth == 0


# solutions joined in words: 2 \text{ and } 3, x = 2 \text{ or } x = 3, 2, 3, \text{and } 4, 2 \quad \text{and} \quad 3,
# the word bare in the math, 3 and 5 (a run of spaces is read from its first only; one quad each side: a loop of them,
# each a place to start from, is never read to its end from each)
_QUAD = r"(?:\\q?quad(?![a-zA-Z])\s*)?"
_WORD_SEP = (rf"(?<!\s)\s*(?:,\s*)?{_QUAD}\\(?:text|textrm|mbox)\{{\s*(?:,\s*)?(?:and|or)\s*\}}\s*{_QUAD}"
             r"|(?<![\s\\])(?:\s*,)?\s+(?:and|or)\s+")
_SOLVED_FOR = re.compile(r"\s*([a-zA-Z])(?:_\{?\d+\}?)?\s*=(?!=)")  # x = 2, x_1 = 2: a value of the unknown x


def _one_unknown(parts: list[str]) -> bool:
    """Whether each part is a value of one and the same unknown (``x = 2``, ``x = 3``, ``x_1 = 2, x_2 = 3``: its
    solutions), or the first names it and the others none (``x = 2, 3``), not named values of several (``x = 1, y =
    2``)."""
    names = [m.group(1) if (m := _SOLVED_FOR.match(p)) else None for p in parts]
    return len(set(names)) == 1 and None not in names or \
        names[0] is not None and not any("=" in p for p in parts[1:])


_MATRIX = re.compile(r"\\begin\{pmatrix\}(.*)\\end\{pmatrix\}", re.S)  # bmatrix too: normalised to pmatrix


def _collection(raw: str, size: int | None = None) -> tuple[str, list[str]] | None:
    """An answer of several items as its kind and its items, each normalised: a tuple or an interval by its brackets
    (``(1, 2)``, ``[1, 2)``: ordered), a set ``\\{1, 2\\}``, a bare list ``1, 2`` (the solutions "separated by
    commas") or one ``\\pm`` (``1 \\pm \\sqrt{2}``: both) as ``{}`` (unordered); None for one item, or named values
    (``x=1, y=2``), or for a list of other than ``size`` items (never equal to a reference of that many: a model's loop
    of 50,000 items is not normalised one by one)."""
    s = _normalize_math(raw)
    if m := _MATRIX.fullmatch(s):  # entry by entry, in its shape: -\frac{1}{2}, \frac{-1}{2}, -1/2 and -0.5 alike
        rows = [_top_level(row, "&") for row in _top_level(m.group(1), r"\\\\")]
        rows = rows[:-1] if len(rows) > 1 and rows[-1] == [""] else rows  # a row break before \end{pmatrix}
        items = [item for row in rows for item in row]
        if size not in (None, len(items)) or len({len(row) for row in rows}) != 1:
            return None
        return f"pmatrix{len(rows)}x{len(rows[0])}", [_normalize_math(item) for item in items]
    m = re.fullmatch(r"(\(|\[|\\\{)(.*)(\)|\]|\\\})", s, re.S)
    if m and _balanced(m.group(2)) and len(items := _top_level(m.group(2), ",")) > 1:
        return ("{}" if m.group(1) == "\\{" else m.group(1) + m.group(3)), items
    parts = _top_level(raw, rf"{_WORD_SEP}|{_ITEM_COMMA}")
    if len(parts) > 1 and ("=" not in raw or _one_unknown(parts)):
        return ("{}", [_normalize_math(p) for p in parts]) if size in (None, len(parts)) else None
    if len(re.findall(r"\\(?:pm|mp)(?![a-zA-Z])", s)) == 1 and re.search(r"(?:^|[\w})])\\pm(?![a-zA-Z])", s):
        return "{}", [re.sub(r"^\+", "", s.replace("\\pm", sign)) for sign in "+-"]  # 1 \pm \sqrt{2}: both roots
    return None


_NAMED_VALUE = re.compile(r"\s*([a-zA-Z])\s*=(?!=)\s*(\S.*?)\s*", re.S)


def _named_values(raw: str) -> list[str] | None:
    """The values of named values of several one-letter unknowns written in their alphabet's order (``x=2, y=3``,
    ``a=3, b=4``), the order their ordered tuple lists them in; None for anything else (``y=3, x=2`` says no order)."""
    if raw.count("=") < 2:
        return None
    named = [_NAMED_VALUE.fullmatch(p) for p in _top_level(raw, rf"{_WORD_SEP}|{_ITEM_COMMA}")]
    if len(named) < 2 or None in named or "=" in "".join(m.group(2) for m in named):
        return None
    names = [m.group(1) for m in named]
    if any(a.islower() != b.islower() or a >= b for a, b in zip(names, names[1:])):
        return None
    return [_normalize_math(m.group(2)) for m in named]


def _named_as_tuple(got: str, ref: str) -> bool:
    """A tuple written as named values, or named values as a tuple (``x=2, y=3`` and ``(2, 3)``): equal item by item
    in order, the names in their alphabet's order (never a list, ``2, 3``: the solutions of one unknown)."""
    for named, other in ((got, ref), (ref, got)):
        if (values := _named_values(named)) is not None and _named_values(other) is None and "=" not in other:
            several = _collection(other, len(values))
            return several is not None and several[0] == "()" and len(several[1]) == len(values) and \
                all(_items_equal(a, b) for a, b in zip(values, several[1]))
    return False


def _collections_equal(got: tuple[str, list[str]], ref: tuple[str, list[str]]) -> bool:
    """Same kind and as many items, equal as numbers or as strings: in order, or in any order for ``{}``."""
    (kind, items), (ref_kind, left) = got, ref
    if kind != ref_kind or len(items) != len(left):
        return False
    if kind != "{}":
        return all(_items_equal(a, b) for a, b in zip(items, left))
    left = list(left)
    for a in items:
        match = next((i for i, b in enumerate(left) if _items_equal(a, b)), None)
        if match is None:
            return False
        del left[match]
    return True


def _items_equal(a: str, b: str) -> bool:
    """Two normalised items alike: as strings, as numbers, or as sums in another order (``\\sqrt{2}+1`` and
    ``1+\\sqrt{2}``), or as closed forms of one value (:func:`_same_value`)."""
    return a == b or _numbers_equal(a, b) or _sums_equal(a, b) or _sum_order(a) == _sum_order(b) or _same_value(a, b)


# a closed form's token: a whole number, pi, a fraction's or root's opening, a bracket, an operation
_VALUE_TOKEN = re.compile(r"\d+|\\pi(?![a-zA-Z])|\\frac\{|\\sqrt(?:\[\d\])?\{|\\(?:cdot|times)(?![a-zA-Z])|[-+*/^(){}]")


class _NotClosedForm(ValueError):
    pass


def _closed_form(s: str) -> float | None:
    """The value of a normalised answer made only of whole numbers, ``\\pi``, fractions, roots, powers and the four
    operations (``\\frac{1}{\\sqrt{2}}``, ``2\\sqrt{2}``), else None (a decimal, a name, text: never evaluated)."""
    tokens, at = [], 0
    while at < len(s):
        if (m := _VALUE_TOKEN.match(s, at)) is None:
            return None
        tokens.append(m.group())
        at = m.end()
    tokens.append("")
    pos = 0

    def take(*want: str) -> str | None:
        nonlocal pos
        if tokens[pos] in want or "digits" in want and tokens[pos].isdigit():
            pos += 1
            return tokens[pos - 1]
        return None

    def group(close: str = "}") -> float:
        value = expr()
        if take(close) is None:
            raise _NotClosedForm
        return value

    def atom() -> float:
        t = tokens[pos]
        if take("digits"):
            return float(t)
        if take("\\pi"):
            return math.pi
        if take("\\frac{"):
            top = group()
            if take("{") is None:
                raise _NotClosedForm
            return top / group()
        if t.startswith("\\sqrt") and take(t):
            radicand, degree = group(), int(t[6]) if t[5] == "[" else 2
            if radicand < 0:
                raise _NotClosedForm
            return radicand ** (1 / degree)
        if take("(") or take("{"):
            return group(")" if t == "(" else "}")
        raise _NotClosedForm

    def power() -> float:
        base = atom()
        if take("^"):
            exponent = (float(t) if len(t := tokens[pos]) == 1 and take("digits") else
                        group() if take("{") else None)
            if exponent is None or abs(exponent) > 64:
                raise _NotClosedForm
            return base ** exponent
        return base

    def factor() -> float:
        if take("-"):
            return -factor()
        return factor() if take("+") else power()

    def term() -> float:
        value, divided = factor(), False
        while tokens[pos] not in ("", "+", "-", ")", "}", "^"):
            if take("/"):
                value, divided = value / factor(), True
            elif take("*", "\\cdot", "\\times") is None and (divided or
                                                              tokens[pos - 1].isdigit() and tokens[pos] == "\\frac{"):
                raise _NotClosedForm  # 1/2\pi (over 2 or over 2\pi) and 2\frac{1}{2} (a mixed number): never read
            else:
                value *= factor()
        return value

    def expr() -> float:
        value = term()
        while (sign := take("+", "-")) is not None:
            value = value + term() if sign == "+" else value - term()
        return value

    try:
        value = expr()
        return value if tokens[pos] == "" and math.isfinite(value) else None
    except (_NotClosedForm, ArithmeticError, RecursionError, TypeError):
        return None


def _same_value(a: str, b: str) -> bool:
    """Two normalised closed forms of an irrational value (a root, a fractional power or pi in each:
    ``\\frac{1}{\\sqrt{2}}`` and ``\\frac{\\sqrt{2}}{2}``, ``2\\sqrt{2}`` and ``\\sqrt{8}``, ``\\sqrt[3]{2}`` and
    ``2^{1/3}``) equal in value, as PRM800K's grader finds them with sympy; a decimal is never one (``1.414`` is no
    ``\\sqrt{2}``, as there)."""
    if not all(len(x) <= 200 and re.search(r"\\sqrt|\\pi|\^\{[^{}]*(?:/|\\frac)", x) for x in (a, b)):
        return False
    x, y = _closed_form(a), _closed_form(b)
    return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


# a term of a sum: 3, 4i, \frac{\sqrt{3}}{2}i, 2x^{2}, a_1, \ln2 (never \text, a bracket, a comparison or an
# exponent cut off)
_TERM = re.compile(r"(?:[\d.{}a-zA-Z]|[\^_](?=[\d{a-zA-Z])|\\(?:frac|sqrt|pi|cdot|ln|log)(?![a-zA-Z]))*")


def _terms(s: str, most: int) -> list[tuple[str, bool, str]] | None:
    """A normalised sum (``3+4i``, ``1+\\sqrt{2}``, ``2x^{2}+3x-1``) as its terms (sign, imaginary, coefficient), or
    None where it is one term, more than ``most``, or holds anything but numbers, letters, powers, radicals and
    fractions (an equation, a list, an interval, text: never reordered)."""
    terms, depth, start = [], 0, 0
    for k, c in enumerate(s + "+"):
        depth += (c in "{") - (c in "}")
        if c in "+-" and depth == 0 and k > start:
            body = s[start:k].lstrip("+-")
            if not _TERM.fullmatch(body) or body in ("", ".") or len(terms) == most:
                return None
            imaginary = body.endswith("i") and not body.endswith("\\pi")
            terms.append(("-" if s[start] == "-" else "+", imaginary, body[:-1] if imaginary else body))
            start = k
    return terms if len(terms) > 1 else None


def _sums_equal(got: str, ref: str) -> bool:
    """Two sums of the same terms in another order: ``4i+3`` for ``3+4i``, ``\\sqrt{2}+1`` for ``1+\\sqrt{2}``,
    ``3+2x`` for ``2x+3`` (as math-verify reads them; MATH's grader compares the strings). Each term of one matches
    one of the other with its sign."""
    left = _terms(ref, 16)
    mine = _terms(got, len(left)) if left else None
    if not mine or len(mine) != len(left):
        return False
    for sign, imaginary, body in mine:
        match = next((k for k, (s, i, b) in enumerate(left) if s == sign and i == imaginary and
                      (b == body or _numbers_equal(b or "1", body or "1"))), None)
        if match is None:
            return False
        del left[match]
    return True


def _sum_order(s: str) -> str:
    """A normalised answer with each sum in it, the whole answer's and those inside braces or parentheses, in one
    order of its terms (``\\frac{\\sqrt{5}+1}{2}`` as ``\\frac{1+\\sqrt{5}}{2}``, ``2(x+1)`` as ``2(1+x)``): one
    spelling for sums in any order, each term with its sign. Left as written where its brackets do not nest, or past
    2,000 characters (no answer's; a model's loop is not rebuilt group by group)."""
    if len(s) > 2000:
        return s
    levels, opened = [[]], []
    for c in s:
        if c in "{(":
            opened.append(c)
            levels.append([])
        elif c in "})":
            if not opened or opened.pop() != {"}": "{", ")": "("}[c]:
                return s
            inner = _in_order("".join(levels.pop()))
            levels[-1].append({"}": "{", ")": "("}[c] + inner + c)
        else:
            levels[-1].append(c)
    return _in_order("".join(levels[0])) if not opened else s


def _in_order(s: str) -> str:
    """A sum (:func:`_terms`) with its terms sorted, each with its sign, and a product with its factors sorted
    (:func:`_factors_in_order`); anything else as written."""
    terms = _terms(s, 16)
    if terms is None:
        return _factors_in_order(s)
    terms = [(_factors_in_order(body + ("i" if imaginary else "")), sign) for sign, imaginary, body in terms]
    return "".join(sign + body for body, sign in sorted(terms)).removeprefix("+")


# a factor of a product: a number, a letter, a Greek letter or a root, with its power
_PRODUCT_FACTOR = re.compile(rf"(?:\d+(?:\.\d+)?|[a-zA-Z]|{_GREEK}|\\sqrt(?:\[\d+\])?\{{[^{{}}]*\}})"
                             r"(?:\^(?:[0-9a-zA-Z]|\{[^{}]*\}))?")


def _factors_in_order(s: str) -> str:
    """A product of one number at most and names, Greek letters and roots with its factors in one order, the number
    first (``\\pi\\sqrt{3}`` and ``\\sqrt{3}\\pi``, ``i\\sqrt{2}`` and ``\\sqrt{2}i``); letters alone are never
    reordered (``on`` and ``no`` are words), nor anything else."""
    if len(s) > 200:
        return s
    parts, pos = [], 0
    while pos < len(s):
        if (m := _PRODUCT_FACTOR.match(s, pos)) is None:
            return s
        parts.append(m.group())
        pos = m.end()
    numbers = [p for p in parts if p[0].isdigit()]
    if len(parts) < 2 or len(numbers) > 1 or all(p[0].isalpha() for p in parts):
        return s
    return "".join(numbers + sorted(p for p in parts if not p[0].isdigit()))


_UNBRACED_BOX = re.compile(r"\\boxed[ \t]+([^\s{$\\][^$\n]*?)[ \t]*(?:\$|\\\]|\\\)|\n|$)")


def _unbraced_box(solution: str) -> str | None:
    """A worked solution's last ``\\boxed 8`` (no braces), read up to the math's end as MATH's own grader reads it;
    None where it has none."""
    found = _UNBRACED_BOX.findall(solution)
    return found[-1].strip() if found else None


_WORD = re.compile(r"[A-Za-z][a-z]+")  # a word, whatever its first letter: Odd is odd (as PRM800K reads it), AB no ab


def _answer_tag(text: str) -> str | None:
    """What the first ``<answer>...</answer>`` holds (R1-Zero-style templates' answer), None where none closes; an
    empty one or the template's echo (``<answer> answer here </answer>``) is passed over."""
    end = 0
    while (start := text.find("<answer>", end)) >= 0 and (end := text.find("</answer>", start)) >= 0:
        inside = text[start + len("<answer>"):end].strip()
        if inside and not re.fullmatch(r"(?i:(?:your\s+|the\s+)?(?:final\s+)?answer(?:\s+here)?)|\.\.\.|…", inside):
            return inside
    return None


_EMPHASIS = re.compile(r"(\*{1,3}|_{1,2})([^*_\n]+)\1")
_TAG_LEAD_IN = re.compile(r"(?i:(?:so,?\s+)?(?:the\s+)?(?:final\s+)?answer(?:\s+is)?\s*[:：]?\s*)")
_TAG_NUMBER_UNIT = re.compile(r"((?:\\?\$)?[-\u2212]?\d[\d,]*(?:\.\d+)?)[ \t]+([A-Za-z][A-Za-z .]{0,40})")


def _tag_value(inside: str | None) -> str | None:
    """An ``<answer>`` tag's answer as a box would hold it: without its markdown emphasis (``**42**``), a lead-in
    (``The answer is 42.``) and a unit in words (``42 dollars``); a tag is prose, not LaTeX."""
    if inside is None:
        return None
    s = inside.strip()
    if (lead := _TAG_LEAD_IN.match(s)) and lead.end() < len(s):
        s = s[lead.end():]
    s = s.rstrip(".").strip()
    if m := _EMPHASIS.fullmatch(s):
        s = m.group(2).strip().rstrip(".")
    if (m := _TAG_NUMBER_UNIT.fullmatch(s)) and re.fullmatch(_UNIT, m.group(2)):
        s = m.group(1)
    return s


def boxed_oracle(text: str, problem: Problem) -> bool:
    """First ``\\boxed{}`` (or ``\\boxed 5``), else what the first ``<answer>`` tag holds where no box is written (a box
    alone stops a rollout: the tag's verdict is the whole answer's): numerically equal to the reference, or equal
    after LaTeX normalisation; a choice's letter and value (``\\textbf{(B)}\\ 12``) is also its value alone."""
    got = _answer_box(text)[0]
    if got is None:
        got = _tag_value(_answer_tag(text))
    if got is None:
        return False
    ref = reference_answer(problem)
    ref = extract_boxed(ref, last=True) or _unbraced_box(ref) or ref
    if (amount := _amount_in_unit(got, ref, problem)) is not None:
        return amount  # 180 m for 180 km: not its number alone
    got_value, ref_value = _labelled_value(got), _labelled_value(ref)  # \textbf{(B)}\ 12 and 12: the same answer
    if got_value is not None and ref_value is not None:  # (A) 13 for (A) 12: its letter and value disagree
        return _LABELLED.fullmatch(got.strip().strip("$")).group(1) == \
            _LABELLED.fullmatch(ref.strip().strip("$")).group(1) and _boxes_equal(got_value, ref_value)
    if _boxes_equal(got, ref):
        return True
    if (got_value is None) != (ref_value is None) and _boxes_equal(got_value or got, ref_value or ref):
        return True
    read = _unit_read(got)
    return read is not None and _boxes_equal(read, ref) or _letter_of_value(got, ref, problem)


def _letter_of_value(got: str, ref: str, problem: Problem) -> bool:
    """Whether a box holding a letter alone (``\\boxed{C}``, ``\\boxed{\\text{(C)}}``) names the choice whose value
    is the reference, where the problem lists its choices (its ``choices``, else in its text: ``(A) 1 (B) 2 (C) 3``,
    read as the loader reads them): a row giving the value (3) failed a rollout boxing its letter."""
    m = LETTER_REFERENCE.fullmatch(got)
    if m is None:
        return False
    listed = dict(zip(ascii_uppercase, map(str, problem.choices))) if problem.choices else \
        choices_in_text(str(problem.question or ""))
    own = (listed or {}).get(m.group(1))
    own = _LABEL.sub("", own.strip()).strip().strip("$").strip() if own else ""
    return bool(own) and _boxes_equal(own, ref)


def _unit_read(answer: str) -> str | None:
    """An answer written as its number and a unit in plain text (``180 km``, ``5 cm^2``) or as Ape210K's fraction
    (``(1/3)``) read as the loader reads such a reference (the number; ``1/3``), else None: the loader keeps no such
    unit, so a box or a short answer stating it (``\boxed{180 km}``, ``180 km``) failed where ``\boxed{180\text{
    km}}`` passed."""
    s = answer.strip().strip("$").strip()
    read = plain_unit_dropped(s) or ape_fraction(s)
    return read if read is not None and read != s else None


# an answer of a letter and its choice's value, as MATH's AMC problems write theirs: \textbf{(B)}\ 12, (C) \frac12
_LABELLED = re.compile(r"\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?\(([A-E])\)(?:\s|\\[ ,;:]|~)*(?:\}\s*)?"
                       r"(?:(?:\\[ ,;:]|~|\\q?quad(?![a-zA-Z]))\s*)*(?P<value>[^\s}].*)", re.S)


def _labelled_value(answer: str) -> str | None:
    """The value of an answer that names its choice's letter and value (``\\textbf{(B)}\\ 12``: 12), else None."""
    m = _LABELLED.fullmatch(answer.strip().strip("$"))
    return m.group("value").strip() if m and not re.search(r"\([A-E]\)", m.group("value")) else None


# letters listed in a box, each alone or in brackets: A, B, D; (A), (B) and (D); \text{A, B, D}
_BOXED_LETTERS = re.compile(r"\s*(?:\\text(?:bf)?\s*\{)?\s*(\(?[A-Z]\)?(?:\s*"
                            r"(?:,|,?\s*and\b|\\text\s*\{\s*,?\s*and\s*\})\s*\(?[A-Z]\)?)+)\s*\}?\s*")


def _several_letters(got: str, ref: str) -> bool:
    """A box listing the letters of a reference of several (JEEBench's multiple-correct gold ``ABD``: its letters
    ascending) in any order: ``\boxed{A, B, D}``, ``\boxed{(D), (A), (B)}`` (never ``\boxed{BAD}``: an angle)."""
    m = _BOXED_LETTERS.fullmatch(got)
    if not m or not re.fullmatch(r"[A-Z]{2,}", ref) or list(ref) != sorted(set(ref)):
        return False
    letters = re.findall(r"(?<![A-Za-z\\])[A-Z](?![A-Za-z])", m.group(1))
    return len(letters) == len(set(letters)) and "".join(sorted(letters)) == ref


# the unknown an answer names before its value: x = 3, y_1 = 2, $y = 2x + 1$
_NAMED = re.compile(r"[\s$]*([a-zA-Z])(?:_\{?[0-9a-zA-Z]+\}?)?\s*=(?!=)")


# one value written twice: 0.5 = \frac{1}{2}, \frac{14}{3} = 4\frac{2}{3} (digits on both sides; f(2) = 5, where the
# two differ, is read as before)
_EQUAL_FORMS = re.compile(r"\s*([^=]*?\d[^=]*?)(?<=\S)\s*=\s*([^=]*\d[^=]*)")
# an exact answer and its decimal value: \frac{14}{3} \approx 4.67, 2\sqrt{2} \approx 2.83 (one answer, twice written)
# (the exact form ends at a character that is no space: each run of spaces read one way)
_APPROX = re.compile(r"\s*([^=]*?[^=\s])\s*(?:\\approx|≈|\\simeq)\s*([-\u2212]?\d+\.(\d{1,12}))\s*\.?\s*")


def _rounds_to(exact: str, decimal: str) -> bool | None:
    """Whether a closed form's value (:func:`_closed_form`) rounds or cuts to ``decimal`` at its places (``\\frac{14}{3}
    \\approx 4.67``; ``\\frac{14}{3} \\approx 5.2`` offers two values), None where the form has no value read."""
    if (value := _closed_form(_normalize_math(exact))) is None:
        return None
    return abs(value - float(decimal.replace("\u2212", "-"))) <= 10 ** -len(decimal.split(".")[1])


def _boxes_equal(got: str, ref: str) -> bool:
    """A box's content and the reference's alike: item by item, as numbers, or after LaTeX normalisation; a value of
    another unknown is another answer (``x = 3`` for the line ``y = 3``: MATH's grader drops both names)."""
    if (a := _NAMED.match(got)) and (b := _NAMED.match(ref)) and a.group(1).casefold() != b.group(1).casefold():
        return False
    if "=" in got and "=" not in ref and (same := _EQUAL_FORMS.fullmatch(got)) is not None and \
            not _NAMED.match(got) and _boxes_equal(same.group(1), same.group(2)):  # 0.5 = \frac{1}{2}: one value
        return _boxes_equal(same.group(1), ref) or _boxes_equal(same.group(2), ref)
    if ("approx" in got or "≈" in got or "simeq" in got) and (near := _APPROX.fullmatch(got)) is not None and \
            "\\approx" not in ref:  # \frac{14}{3} \approx 4.67
        rounds = _rounds_to(near.group(1), near.group(2))  # None: an exact form of no value read (2\ln 2 \approx 1.39)
        return rounds is not False and (_boxes_equal(near.group(1), ref) or
                                        rounds is True and _boxes_equal(near.group(2), ref))
    if _several_letters(got, ref) or _named_as_tuple(got, ref):
        return True
    several = _collection(ref)  # (1, 2), [1, 2), \{1, 2\}, 1, 2: item by item
    if several is not None and (mine := _collection(got, len(several[1]))) and _collections_equal(mine, several):
        return True
    if several is None and "=" not in got and 1 < len(same := _top_level(got, rf"{_WORD_SEP}|{_ITEM_COMMA}")) <= 4 \
            and all(_items_equal(_normalize_math(same[0]), _normalize_math(p)) for p in same[1:]):
        return _boxes_equal(same[0], ref)  # \frac{1}{2} \text{ or } 0.5: one value said twice, never a list of two
    numbers = not any(_LIST_COMMA.search(s) for s in (got, ref))  # 10, 100: two answers, never the number 10100
    got, ref = _normalize_math(got), _normalize_math(ref)
    if not got:
        return False
    if option := re.fullmatch(r"\(([a-e])\)", ref):  # TheoremQA's option (b): b, (B), (b) 42 name it, never (a) or (b)
        letter = option.group(1)
        return re.fullmatch(rf"\(?{letter}\)?\.?|\(?{letter}\)(?!.*[a-e]\)).+", got, re.S | re.I) is not None
    sci = _scientific(got) if numbers else None  # 1.5 \cdot 10^3 and 1.5e3 for 1.5 \times 10^{3}
    return numbers and _numbers_equal(got, ref) or got == ref or sci is not None and sci == _scientific(ref) or \
        _sums_equal(got, ref) or _sum_order(got) == _sum_order(ref) or numbers and _same_value(got, ref) or \
        _WORD.fullmatch(got) is not None and _WORD.fullmatch(ref) is not None and got.casefold() == ref.casefold()


# what a base model writes after its answer where its prompt holds few-shot items: the next item's question
_NEW_ITEM = ("\n\nQuestion:", "\n\nProblem:", "\n\nQ:")


def _before_new_item(text: str) -> str:
    """``text`` up to the first new few-shot item (:data:`_NEW_ITEM`) that opens a paragraph in it."""
    ends = [i for marker in _NEW_ITEM if (i := text.find(marker)) >= 0]
    return text[:min(ends)] if ends else text


def _bounded_last(text: str) -> bool:
    """Whether the last number written is a strict bound's (``... so x > 12.``, ``more than 12 apples``): no amount."""
    tail = text[-400:]
    last = None
    for last in re.finditer(r"\d[\d,]*(?:\.\d+)?", tail):
        pass
    return last is not None and _STRICT_BOUND.search(tail, max(0, last.start() - 40), last.start()) is not None


_PLAIN_NUMBER = re.compile(r"(?<![\d,./])[-\u2212]?\$?\d[\d,]*(?:\.\d+)?(?![\d/])")


def _last_in_unit(text: str, reference: str, problem: Problem) -> bool | None:
    """:func:`_said_in_unit` of the last number written (in the last 400 characters), None where that is no plain
    number (a fraction's part) or no number follows it."""
    tail = text[-400:]
    last = None
    for last in _PLAIN_NUMBER.finditer(tail):
        pass
    if last is None or find_numbers(tail[last.end():]):
        return None
    return _said_in_unit(tail, last.start(), reference, problem)


def last_number_oracle(text: str, problem: Problem) -> bool:
    """The last number in the completion equals the reference number; the completion ends where a new few-shot item
    opens a paragraph (``\n\nQuestion: ...``: its numbers are another question's)."""
    text = _before_new_item(text)
    nums = find_numbers(text)
    # ... is \frac{41}{2} or 18, $12$ or $13$, 18 or twenty: offers as plain text writes them
    plain = _offered_in_digits(_plain_math(text))
    offered, ranged, reading = _last_offered(plain), _last_range(text), _other_reading(plain, strict=True)
    if nums and (offered is not None and not find_numbers(plain[offered:]) or
                 reading is not None and not find_numbers(plain[reading:]) or
                 ranged is not None and not find_numbers(text[ranged:])):
        return False  # ... so it is 12 or 13 (or 12 to 13): the last number is one of two offered, no answer
    if not nums or _bounded_last(text):
        return False
    ref = _reference_number(reference_answer(problem))
    if ref is not None and (amount := _last_in_unit(text, reference_answer(problem), problem)) is not None:
        return amount  # ... so it is 180 m. for 180 km: a wrong answer
    if ref is None or nums[-1] == ref:
        return ref is not None
    last = None
    for last in _SCALED.finditer(text, max(0, len(text) - 400)):  # ... is 1.5 million.: 1500000 too
        pass
    return last is not None and not find_numbers(text[last.end():]) and \
        _scaled(text, last.start(), nums[-1]) == ref


def exact_oracle(text: str, problem: Problem) -> bool:
    """Completion (stripped) is exactly the reference answer."""
    return text.strip() == reference_answer(problem)


# what states a short answer before it: "The answer is", "**Answer:**", "The final answer is: *...*"
_LEAD_IN = re.compile(r"(?:(?:so|thus|therefore|hence),?\s+)?"  # So the answer is Paris.
                      r"(?:the\s+)?(?:(?:final|correct|right)\s+)?answer(?:\s+(?:is|would\s+be|should\s+be))?"
                      r"(?=[\s*_:：\-–—])[\s*_:：\-–—]*")


def normalized_oracle(text: str, problem: Problem) -> bool:
    """Completion equals the reference after :func:`normalize_text`, the whole completion or what follows its lead-in
    (``The answer is E. coli.``), or what its first ``<answer>`` tag, else its first box, holds (``<answer>Paris
    </answer>``, ``\\boxed{\\text{Paris}}``); it ends where a new few-shot item opens a paragraph (``\n\nQuestion:
    ...``)."""
    text = _before_new_item(text)
    got, ref = normalize_text(text), normalize_text(reference_answer(problem))
    if got == ref:
        return True
    m = _LEAD_IN.match(got)
    if bool(ref) and m is not None and normalize_text(got[m.end():]) == ref:
        return True
    stated = _tag_value(_answer_tag(text))
    if stated is None and (boxed := _answer_box(text)[0]) is not None:  # boxes joined to it too: Paris or London
        stated = re.sub(r"\\(?:text|textbf|textrm|textit|mathrm|mbox)\s*\{([^{}]*)\}", r"\1", boxed)
    if bool(ref) and stated is not None and normalize_text(stated) == ref:
        return True
    # a number and its unit, which the loader drops from a reference: "180 km", "The answer is 180 km."
    for said in (stated, text, got[m.end():] if m is not None else None):
        if said is not None and (amount := _amount_in_unit(said.strip().rstrip("."), ref, problem)) is not None:
            return amount
        read = None if said is None else _unit_read(said.strip().rstrip("."))
        if bool(ref) and read is not None and normalize_text(read) == ref:
            return True
    return False


def _letter_list(last: str, least: int = 2) -> str:
    """``least`` (1 or 2) letters A-``last`` or more in a row: ``ABD``, ``A, B and D``, ``(A), (B), (D)``."""
    return (rf"\(?[A-{last}]\)?(?:[ \t]*(?:,[ \t]*(?:and[ \t]+)?|;|&|and[ \t]+)?[ \t]*"
            rf"\(?[A-{last}]\)?){'+' if least == 2 else '*'}")


def _letters_asked(problem: Problem) -> frozenset[str] | None:
    """The choices a reference naming several letters asks for, all of them (JEEBench's ``MCQ(multiple)`` gold
    "ABD", or "A, B and D"); None for one letter or a choice's text."""
    last, ref = _last_letter(problem), reference_answer(problem)
    if normalize_text(ref) in [normalize_text(c) for c in problem.choices or ()] or \
            not re.fullmatch(_letter_list(last), ref):
        return None
    letters = re.findall(rf"[A-{last}]", ref)
    return frozenset(letters) if len(set(letters)) == len(letters) else None


@functools.lru_cache(maxsize=8)
def _letters_stated_patterns(last: str) -> tuple[re.Pattern, re.Pattern]:
    items = _letter_list(last, least=1)
    box = re.compile(rf"\\boxed\s*\{{\s*(?:\\text(?:bf)?\s*\{{\s*)?({items})\s*\}}?\s*\}}")
    stated = re.compile(rf"(?i:answers?|options?|choices?)(?:\s+(?:is|are))?\s*[:：]?\s*(?:\*\*)?\s*({items})"
                        r"(?![A-Za-z0-9])(?=[ \t]*(?:\*\*)?[ \t]*(?:[.!\n]|$|</answer>))", re.M)
    return box, stated


def _letters_stated(text: str, last: str) -> frozenset[str] | None:
    """The letters an answer to a several-choice question states: its first box (``\\boxed{ABD}``, ``\\boxed{A, B,
    D}``), else its last ``Answer: A, B and D`` / ``The correct options are (A) and (D).``; letters offered (``A or
    B``) state none."""
    box, stated = _letters_stated_patterns(last)
    text = _compatible(text)
    m = box.search(text) or next(reversed(list(stated.finditer(text))), None)
    return None if m is None else frozenset(re.findall(rf"[A-{last}]", m.group(1)))


def multiple_choice_oracle(text: str, problem: Problem) -> bool:
    """The chosen letter equals the reference letter (the reference may also be the choice text, or the letter
    labelled or with its choice's text: "Option B", "B. 42"); a reference of several letters (JEEBench's
    ``MCQ(multiple)``) is right only when the answer states exactly those."""
    last = _last_letter(problem)
    if (asked := _letters_asked(problem)) is not None:
        return _letters_stated(text, last) == asked
    got = extract_choice(text, last, problem.choices)
    if got is None:
        return False
    ref = reference_answer(problem)
    if re.fullmatch(rf"\(?[A-{last}a-{last.lower()}]\)?[.:]?", ref):  # "2" is no letter: a choice's text, or below
        ref_letter = re.sub(r"[^A-Za-z]", "", ref).upper()
    else:
        norm = [normalize_text(c) for c in (problem.choices or [])]
        # a letter labelled or written with its choice: "Option B", "Answer: (B)", "B. 42" (42 being B's text)
        m = re.fullmatch(rf"(?:(?i:answer|option|choice)\s*[:：]?\s*)?\(?([A-{last}a-{last.lower()}])(?:\)?[.:]?|"
                         r"(?:\)|[.:])\s+(.+))", ref, re.S)
        index = ascii_uppercase.index(m.group(1).upper()) if m else -1
        if normalize_text(ref) in norm[:len(ascii_uppercase)]:
            ref_letter = ascii_uppercase[norm.index(normalize_text(ref))]
        elif normalize_text(ref) in norm:
            raise ValueError(f"problem {problem.id}: reference answer {ref!r} is the text of choice "
                             f"{norm.index(normalize_text(ref)) + 1}, past Z: no letter names it")
        elif m and (m.group(2) is None or not norm or index < len(norm) and normalize_text(m.group(2)) == norm[index]):
            ref_letter = ascii_uppercase[index]
        else:
            raise ValueError(f"problem {problem.id}: reference answer {ref!r} is neither a letter A-{last} nor one "
                             f"of its choices; put the letter in the answer field")
    return got == ref_letter


# --------------------------------------------------------------------------- code sandbox

def network_isolation_available() -> bool:
    """True when the namespace sandbox (private file system, no network, own pids) works here."""
    return isolation_status()[0]


def check_code_sandbox(unsafe: bool = False) -> None:
    """Raises :class:`SandboxUnavailable` (saying why and what to do) unless code can run isolated here.

    With ``unsafe=True`` it only warns: code then runs with limits but without namespaces.
    """
    ok, why = isolation_status()
    if ok:
        return
    if unsafe:
        log.warning("running model-written code WITHOUT isolation (unsafe code oracle): it can read and write "
                    "your files and use the network. Namespace sandbox unavailable: %s", why)
        return
    raise SandboxUnavailable(
        "the code oracle runs model-written code and refuses to do so without isolation, which this machine "
        f"does not allow: {why}. Enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; "
        "on Ubuntu 23.10+ also kernel.apparmor_restrict_unprivileged_userns=0; in Docker/Kubernetes allow the "
        "unshare/mount syscalls, e.g. --security-opt seccomp=unconfined, or run in a VM), or accept the risk "
        "with unsafe_code_oracle=True (CLI: --unsafe-code-oracle)")


def check_oracle_runs_here(oracle: str | Oracle, unsafe_code_oracle: bool = False) -> None:
    """Refuses an oracle this machine cannot run: the code oracle where model-written code cannot be isolated
    (:func:`check_code_sandbox`). Called before a model loads or anything is written, and by every judge."""
    if oracle_by_name(oracle) is code_oracle:
        check_code_sandbox(unsafe_code_oracle)


class CodeResult(NamedTuple):
    passed: bool
    returncode: int | None
    timed_out: bool
    output: str
    reason: str = ""


def run_code(code: str, tests: str = "", timeout: float = 10.0, memory_mb: int = 1024,
             network: bool = False, *, unsafe: bool = False, limits: SandboxLimits | None = None) -> CodeResult:
    """Runs ``code`` followed by ``tests`` in the sandbox (see :mod:`ptsfast.problems.sandbox`).

    ``passed`` needs the code and every test to run to the end (a per-call nonce printed after
    them), exit status 0, no timeout and no more than the output limit. Tests are plain Python
    (asserts). Without namespace isolation on this machine it raises :class:`SandboxUnavailable`
    unless ``unsafe=True``.
    """
    isolate = isolation_status()[0]
    if not isolate and not unsafe:
        check_code_sandbox(False)  # raises, saying why and what to do
    lim = limits or SandboxLimits(timeout=timeout, memory_mb=memory_mb)
    res = run_python(code + "\n\n" + (tests or "") + "\n", lim, isolate=isolate, network=network)
    return CodeResult(res.passed, res.returncode, res.timed_out, res.output, res.reason)


class CodeTimeout(RuntimeError):
    """The tests ran past the oracle's wall limit: an oracle error for that rollout, not a failing test."""


_timed_out: set[str] = set()
_verdicts: "OrderedDict[tuple, bool]" = OrderedDict()
"""Recent verdicts by (tests, solution code, limits): rollouts often write the same code, and a sandbox run
costs far more than a lookup. Timeouts are not kept. Assumes the tests judge the same code the same way."""
_VERDICTS_KEPT = 4096


def judge_code(code: str, tests: TestProgram, timeout: float = 30.0, memory_mb: int = 1024, *,
               unsafe: bool = False) -> CodeResult:
    """Runs ``code`` against ``tests`` (a :class:`~ptsfast.problems.code_tests.TestProgram`) in the sandbox.

    ``timeout`` is the sandbox's wall limit for the whole program (start-up, solution and every test).
    """
    isolate = isolation_status()[0]
    if not isolate and not unsafe:
        check_code_sandbox(False)  # raises, saying why and what to do
    res = run_python(tests.program(code), SandboxLimits(timeout=timeout, memory_mb=memory_mb), isolate=isolate)
    return CodeResult(res.passed, res.returncode, res.timed_out, res.output, res.reason)


@functools.lru_cache(maxsize=64)
def _program(tests: str, entry_point: str | None) -> TestProgram:
    """A problem's tests read once (EvalPlus's are megabytes of JSON), not once a rollout."""
    return TestProgram.from_text(tests, entry_point=entry_point)


def code_oracle(text: str, problem: Problem, timeout: float = 30.0, memory_mb: int = 1024,
                unsafe: bool = False) -> bool:
    """The completion's code passes the problem's tests (``problem.tests``, any format of
    :mod:`ptsfast.problems.code_tests`) in the sandbox, within ``timeout`` wall seconds.

    A timeout raises :class:`CodeTimeout` (the judge records an oracle error; logged once per problem).
    """
    if not problem.tests:
        raise ValueError(f"problem {problem.id}: the code oracle needs tests; set the tests field")
    entry_point = (problem.meta or {}).get("entry_point")
    tests = _program(problem.tests, entry_point)
    code = text if "[ANSWER]" in text and reads_answer_blocks(tests) else extract_snippet(text) if tests.as_text \
        else extract_code(text, entry_point)  # DS-1000: a snippet, as its judge reads; CRUXEval: its [ANSWER] blocks
    if tests.format != "stdio" and not tests.as_text:  # the tests call its functions, with nothing on stdin
        code = _as_called(code, tests.prompt)
    key = (problem.tests, entry_point, code, timeout, memory_mb)
    with _warn_lock:
        if key in _verdicts:
            _verdicts.move_to_end(key)
            return _verdicts[key]
    res = judge_code(code, tests, timeout=timeout, memory_mb=memory_mb, unsafe=unsafe)
    if res.timed_out:
        with _warn_lock:
            first = problem.id not in _timed_out
            _timed_out.add(problem.id)
        if first:
            log.warning("problem %s: the code's tests ran past the oracle's %gs wall limit; such rollouts are "
                        "oracle errors (counted in oracle_errors), not failed tests - raise --oracle-timeout if "
                        "correct solutions need longer", problem.id, timeout)
        raise CodeTimeout(f"the tests ran past the {timeout:g}s wall limit (--oracle-timeout)")
    with _warn_lock:
        _verdicts[key] = res.passed
        if len(_verdicts) > _VERDICTS_KEPT:
            _verdicts.popitem(last=False)
    return res.passed



THINK_OPEN, THINK_CLOSE = TRACE_MARKERS[0]

# Granite 3.2's reasoning, in plain words its thinking system prompt asks for (as vLLM's granite parser reads them):
# a reply that opens "Here is my thought process:" thinks until "Here is my response:"
_GRANITE_THOUGHT = re.compile(r"\s*(?:\*\*|#{1,6}[ \t]+)?Here(?:['’]s|[ \t]+is)[ \t]+my[ \t]+thought[ \t]+process:")
_GRANITE_RESPONSE = re.compile(r"Here(?:['’]s|[ \t]+is)[ \t]+my[ \t]+response:(?:\*\*)?")


# a reply that opens with a trace in its model's own tags: Marco-o1's <Thought> (then <Output>), Reflection's <thinking>
# (its <reflection> inside, then <output>); only a reply opening so, as those models write them
_TAGGED_THOUGHT = re.compile(r"\s*<(Thought|thinking)>")
# gpt-oss' reply decoded without its special tokens (vLLM's default): "analysisWe need ...assistantfinalThe answer"
_PLAIN_ANALYSIS = re.compile(r"\s*(?:<\|start\|>)?(?:assistant)?analysis(?=[A-Z])")


# a trace opened again after the first closed, as a word of its own ("ok <think>\\boxed{5}</think> \\boxed{6}"): its
# boxes are tries as the first trace's are (never a marker inside a word or a program's string, "'<think>'")
def _without_later_traces(answer: str, opening: str, close: str) -> str:
    """``answer`` without the traces opened again in it, each to its close, and cut where one is still open."""
    at = 0
    while (i := answer.find(opening, at)) >= 0:
        if i > 0 and not answer[i - 1].isspace():
            at = i + 1
            continue
        j = answer.find(close, i + len(opening))
        if j < 0:
            return answer[:i]
        answer, at = answer[:i] + answer[j + len(close):], i
    return answer


def final_answer(text: str, think_open: bool = False) -> str | None:
    """The part of a completion that is judged: after a reasoning trace (:data:`TRACE_MARKERS`, Granite 3.2's reply
    that opens with its thought process, closed by "Here is my response:", a reply opening with Marco-o1's
    ``<Thought>`` or Reflection's ``<thinking>``, closed by its tag, or gpt-oss' channels decoded as plain words,
    "analysisWe need...assistantfinal...").

    Text after the first close (so the verdict stays prefix-monotone), without the traces opened again after it
    (cut at one still open); None while a trace is still open (an open marker without its close, or
    ``think_open``: the prompt itself opened the trace, as DeepSeek-R1-style templates do); the whole text when
    there is no trace.
    """
    if not think_open and (thought := _GRANITE_THOUGHT.match(text)):
        response = _GRANITE_RESPONSE.search(text, thought.end())
        return text[response.end():] if response else None
    if not think_open and _PLAIN_ANALYSIS.match(text):
        final = text.find(PLAIN_HARMONY_FINAL)
        return text[final + len(PLAIN_HARMONY_FINAL):] if final >= 0 else None
    if not think_open and (thought := _TAGGED_THOUGHT.match(text)):
        close = text.find(f"</{thought.group(1)}>", thought.end())
        return text[close + len(thought.group(1)) + 3:] if close >= 0 else None
    ends = [(i, opening, close) for opening, close in TRACE_MARKERS if (i := text.find(close)) >= 0]
    if ends:
        end, opening, close = min(ends)
        return _without_later_traces(text[end + len(close):], opening, close)
    if think_open or any(opening in text for opening, _ in TRACE_MARKERS):
        return None
    return text


def _initials_stop_late(problem: Problem) -> bool:
    """Whether a choice's text opens as another choice's stated letter (``C. elegans`` as B's text among A-D): the
    judge reads ``Answer: C. elegans`` as B (:func:`_initial_of`), which ``Answer: C.`` cannot tell yet, so rollouts
    of such a problem never stop at a stated letter (they were cut there and judged C)."""
    last = _last_letter(problem)
    return any(re.match(rf"([A-{last}])\.\s+[a-z]", str(c).strip(), re.I) and str(c).strip()[0].upper() != label
               for label, c in zip(ascii_uppercase, problem.choices or ()))


def _multiple_choice_stops_late(problem: Problem) -> bool:
    """A problem whose first stated letter may not end a rollout: a choice's text opening as a letter
    (:func:`_initials_stop_late`), or a reference of several letters, whose answer goes on past its first (``Answer:
    A`` may become ``Answer: A, B and D``)."""
    return _initials_stop_late(problem) or _letters_asked(problem) is not None


# a letter's value after it, "Answer: B 15", "Answer: B (15)", which "or C (18)" may follow: it stops only where its
# sentence or line has ended (never at a bracket: "(15)" closes the value, not the answer)
# (its label's bracket before a value in brackets, or bold, may come first: (B) (15) or (C) (18), **B** 15 or C 18)
_VALUE_FOLLOWS = re.compile(r"[)\]](?:\*\*)?[ \t]+\([ \t]*\$?\d"  # each run of spaces read one way
                            r"|(?:\*\*)?[ \t]+(?:\([ \t]*)?\$?\d")
_SENTENCE_SETTLED = re.compile(r"[\n!<。]|\.(?=\D)")
# a condition after the letter, which another letter may follow in its sentence ("B if x > 0, else C"): the stop
# waits for the sentence's end as after a value
_CONDITION_FOLLOWS = re.compile(r"[)\]]?(?:\*\*)?[ \t]+(?i:if|when|assuming)(?![A-Za-z])")


def _multiple_choice_complete(text: str) -> bool:
    """A stated letter no continuation can change: a strong match followed by at least one more character ("Answer:
    B" may become "Answer: Bob") that holds whatever follows ("Answer: b " may become "b because"), and a
    character no hedge holds ("Answer: B" may become "Answer: B or C.") or the close of ``<answer>B</answer>``; a
    letter offered with any other, past E too, stops nothing (the judge reads a problem's own letters, and "D or I"
    hedges among ten). Asked at a rollout's steps on the whole text, so each pattern is tried only where its match
    can begin (:func:`_strong_matches`) and the hedges are read only once a letter is stated."""
    text = _compatible(text)
    spans = None
    for p, starts in _strong_starts(text):
        for m in _strong_matches(p, text, starts):
            if spans is None:
                spans = _inside(_hedged(text, "Z"))  # any letter a problem may list: "D or I" hedges among ten
            if not spans(m.start(m.lastindex)):
                if _stated_settled(text, m, p):
                    return True
                break  # the first letter stated, as the judge reads it
    return False


def _labels_text(text: str, after: int) -> bool:
    """Whether the letter ending at ``after`` is written as a choice's label, which its text may follow and then a
    second choice's (``Answer: B) 15 or C) 18``, ``Answer: B. 15 or C. 18``, ``Answer: B: 15 or C: 18``, hedges as
    :func:`_labelled_hedge` reads them): a bracket, or a letter's period or colon (``answer: b. 15``)."""
    mark = text[after:after + 1]
    return mark in ")]" or mark in (".", ":") and text[after - 1].isalpha()


def _stated_settled(text: str, m: re.Match, p: re.Pattern) -> bool:
    """Whether the first letter ``p`` states unhedged (``m``) holds whatever follows: see
    :func:`_multiple_choice_complete`."""
    return bool((_HEDGE_FREE.search(text, m.end()) or m.group().endswith("</answer>")) and
                (not _labels_text(text, after := m.end(m.lastindex)) or
                 not _TEXT_MAY_FOLLOW.match(text, after + 1) or _TEXT_SETTLED.search(text, after + 1) or
                 m.group().endswith("</answer>")) and
                (not (_VALUE_FOLLOWS.match(text, after) or _CONDITION_FOLLOWS.match(text, after)) or
                 _SENTENCE_SETTLED.search(text, after)) and
                all(p.match(text + more, m.start()) for more in ("z", " z")))  # a closed tag holds no second letter


# where a strong pattern's match can begin: a word it opens with (found in the text's lower case), a capital I; None:
# anywhere (the pattern is read whole). Any match starts at one of its words.
_OPENING_WORDS = (("answer", "correct", "right", "best", "final"), ("answer",), None, "I", _FOREIGN_ASCII, None, None)
_NON_ASCII_WORD = re.compile(r"[^\W\d_\x00-\x7f]")  # a letter (or number) of another script
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")  # İ ı ſ K: a case-blind pattern reads them as i, s, k


def _strong_starts(text: str) -> list[tuple[re.Pattern, object]]:
    """:data:`_MC_STRONG` with where each one's match may begin in ``text`` (None: anywhere); a pattern whose words
    the text lacks is left out. The words are looked up in the text's lower case where no character reads as an
    ASCII letter in another case (the dotless ı as i); another language's answer word only where the text holds no
    letter of another script (答案, ответ) and none of its ASCII words (respuesta)."""
    low = "" if any(c in text for c in _FOLDS_TO_ASCII) else text.lower()
    foreign = not low or _NON_ASCII_WORD.search(text) is not None
    out = []
    for p, words in zip(_MC_STRONG, _OPENING_WORDS):
        if words == "I":
            out.append((p, ("I", text)))
        elif words is None or not low or foreign and words is _FOREIGN_ASCII:
            out.append((p, None))
        elif any(w in low for w in words):
            out.append((p, None if words is _FOREIGN_ASCII else (words, low)))
    return out


def _strong_matches(p: re.Pattern, text: str, starts):
    """``p.finditer(text)``, the pattern tried only where ``starts`` says a match may begin (a word of a tuple found
    in the given lower-case text, or a string found in the text itself), in order: the same matches."""
    if starts is None:
        yield from p.finditer(text)
        return
    words, hay = starts
    words = (words,) if isinstance(words, str) else words
    at = {w: hay.find(w) for w in words}
    pos = 0
    while True:
        for w, i in at.items():
            if 0 <= i < pos:
                at[w] = hay.find(w, pos)
        found = [i for i in at.values() if i >= 0]
        if not found:
            return
        start = min(found)
        m = p.match(text, start)
        if m is None:
            pos = start + 1
        else:
            yield m
            pos = m.end() if m.end() > start else start + 1


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class OracleSpec:
    """Everything ptsfast knows about one oracle; a new oracle is one entry of :data:`ORACLES`."""

    judge: Oracle
    """``(completion_text, problem) -> bool``."""
    stop_strings: tuple[str, ...] = ()
    """Literal strings after which nothing can change the verdict (the engine also stops on EOS and on
    ``answer_complete``). Base models tend to start a new few-shot item with these."""
    answer_complete: Callable[[str], bool] | None = None
    """Whether the judged text already holds the answer, for oracles that read the *first* complete answer (so
    a rollout may stop there); None for oracles that need the whole completion."""
    task_type: str = "generic"
    """codelion/pts's ``task_type`` of the problems it judges (the pts and trl exports)."""
    stops_late: Callable[[Problem], bool] | None = None
    """Whether a problem's rollouts must never stop at ``answer_complete`` (its text alone cannot tell them yet)."""
    problem_complete: Callable[[str, Problem], bool] | None = None
    """``answer_complete`` where the problem tells more than the text (the code oracle: the name its tests call)."""


ORACLES: dict[str, OracleSpec] = {
    "gsm8k": OracleSpec(gsm8k_oracle, ("\n\nQuestion:", "\n\nProblem:"),
                        _gsm8k_complete, "math"),
    "boxed": OracleSpec(boxed_oracle, ("\n\nProblem:", "\n\nQuestion:"), lambda text: _answer_box(text)[1], "math"),
    "last_number": OracleSpec(last_number_oracle, _NEW_ITEM, task_type="math"),
    "exact": OracleSpec(exact_oracle, task_type="qa"),
    "normalized": OracleSpec(normalized_oracle, _NEW_ITEM, task_type="qa"),
    "multiple_choice": OracleSpec(multiple_choice_oracle, ("\n\nQuestion:",), _multiple_choice_complete,
                                  "multiple_choice", _multiple_choice_stops_late),
    # no stop string: a closed block may be a command or sample data, and the program that is judged may follow it
    "code": OracleSpec(code_oracle, (), code_complete, "code",
                       problem_complete=lambda text, p: code_complete(text, (p.meta or {}).get("entry_point"))),
}
_ALIASES = {"number": "last_number", "last-number": "last_number", "mc": "multiple_choice",
            "multiple-choice": "multiple_choice", "normalised": "normalized", "math": "boxed"}


def canonical_oracle_name(name: str) -> str:
    """The registry key of an oracle name: case-insensitive, aliases resolved (``GSM8K`` -> ``gsm8k``).
    Judging, stop strings and early stopping all look names up through this one function."""
    key = str(name).lower()
    return _ALIASES.get(key, key) if key in _ALIASES or key in ORACLES else str(name)


def oracle_spec(name: str | Oracle) -> OracleSpec | None:
    """The registry entry of an oracle name (None for a user callable or an unknown name)."""
    return None if callable(name) else ORACLES.get(canonical_oracle_name(name))


def oracle_by_name(name: str | Oracle) -> Oracle:
    """A built-in oracle by name (or a user callable, returned as is)."""
    if callable(name):
        return name
    spec = oracle_spec(name)
    if spec is None:
        raise ValueError(f"unknown oracle {name!r}; use one of {sorted(ORACLES)} or pass a callable "
                         f"(text, problem) -> bool")
    return spec.judge


def register_oracle(name: str, oracle: Oracle, stop_strings: tuple[str, ...] = ()) -> None:
    """Make a user callable available by name (e.g. for the CLI's ``--oracle``)."""
    if not callable(oracle):
        raise TypeError(f"oracle {name!r} must be callable (text, problem) -> bool")
    ORACLES[name] = OracleSpec(oracle, tuple(stop_strings))


def stop_strings(oracle_name: str | Oracle) -> tuple[str, ...]:
    """Default stop strings for an oracle (empty for user callables)."""
    spec = oracle_spec(oracle_name)
    return spec.stop_strings if spec is not None else ()


def task_type(oracle_name: str | Oracle | None) -> str:
    """codelion/pts ``task_type`` for an oracle name (``generic`` for a user callable or an unknown name)."""
    spec = oracle_spec(str(oracle_name)) if oracle_name is not None and not callable(oracle_name) else None
    return spec.task_type if spec is not None else "generic"


def stops_early(oracle_name: str | Oracle, problem: Problem | None = None) -> bool:
    """Whether :func:`answer_complete` can ever be True for this oracle (else checking it is wasted work), and may
    end ``problem``'s rollouts where given."""
    spec = oracle_spec(oracle_name)
    return spec is not None and spec.answer_complete is not None and \
        (problem is None or spec.stops_late is None or not spec.stops_late(problem))


def answer_complete(oracle_name: str | Oracle, text: str, think_open: bool = False, problem: Problem | None = None) \
        -> bool:
    """Whether ``text`` already holds the answer the oracle reads for ``problem`` (any, where None), so generation
    may stop.

    Prefix-monotone by construction: once True, any continuation keeps the same verdict
    (the oracles read the first complete answer, after any reasoning trace). Always False for oracles that
    need the whole completion (last_number, exact, normalized, user callables).
    """
    if callable(oracle_name):
        return False
    text = final_answer(text, think_open)
    if text is None:
        return False
    spec = oracle_spec(oracle_name)
    if spec is not None and problem is not None and spec.problem_complete is not None:
        return spec.problem_complete(text, problem)
    return spec is not None and spec.answer_complete is not None and spec.answer_complete(text)


# --------------------------------------------------------------------------- safe judging

class Verdict(NamedTuple):
    """Outcome of judging one rollout; ``error`` is set when the oracle raised, hung or returned a non-bool."""

    success: bool
    error: str | None = None


Judge = Callable[[str, Problem], Verdict]
"""``(completion text, problem) -> Verdict``, never raising: what :func:`make_judge` returns."""


_CODE_GRACE = 15.0  # seconds the judge waits beyond the code oracle's wall limit (sandbox start and tear-down)
_hung = 0
_bad_returns: dict[str, int] = {}
_raised: dict[str, int] = {}  # per oracle: how many verdicts raised (warned at 1, 10, 100, 1000)
_warn_lock = threading.Lock()


def _reset_warnings() -> None:
    """Each run counts its own oracle failures for its warnings."""
    global _hung
    with _warn_lock:
        _hung = 0
        _bad_returns.clear()
        _raised.clear()
        _timed_out.clear()


def _oracle_name(oracle) -> str:
    return getattr(oracle, "__qualname__", None) or getattr(oracle, "__name__", None) or type(oracle).__name__


def judge(oracle: Oracle, text: str, problem: Problem, timeout: float | None = 30.0) -> Verdict:
    """Call ``oracle`` safely: an exception, a hang or a non-bool result becomes ``Verdict(False, reason)``.

    Hang protection: with a timeout the oracle runs in a daemon thread and is abandoned
    after ``timeout`` seconds (Python cannot kill a thread; an abandoned oracle keeps its
    thread until it returns and never blocks exit). Oracles that can hang for good or eat
    memory should run their work in a subprocess (as ``code_oracle`` does).
    :class:`SandboxUnavailable` is not a verdict: it propagates, so a run refuses loudly; so does a
    ``KeyboardInterrupt`` the oracle raises (the run stops as on Ctrl-C, its finished problems kept). ``SystemExit``
    and the oracle's other exceptions are that rollout's oracle error (``sys.exit`` in a checker ends no run).
    """
    global _hung
    if timeout is None:
        return _call(oracle, text, problem)
    box: list[Verdict] = []
    fatal: list[BaseException] = []

    def target():
        try:
            box.append(_call(oracle, text, problem))
        except BaseException as e:  # noqa: BLE001 - what _call lets through is raised in the caller's thread
            fatal.append(e)

    t = threading.Thread(target=target, daemon=True, name="ptsfast-oracle")
    t.start()
    t.join(timeout)
    if fatal:
        raise fatal[0]
    if not box:
        with _warn_lock:
            _hung += 1
            if _hung in (1, 10, 100, 1000):
                log.warning("oracle %s did not return within %.3gs (%d abandoned so far); those rollouts "
                            "count as failures - make the oracle faster or raise --oracle-timeout",
                            _oracle_name(oracle), timeout, _hung)
        return Verdict(False, f"oracle timed out after {timeout:g}s")
    return box[0]


def _call(oracle: Oracle, text: str, problem: Problem) -> Verdict:
    try:
        value = oracle(text, problem)
    except (SandboxUnavailable, KeyboardInterrupt):
        raise
    except BaseException as e:  # noqa: BLE001 - one bad rollout must not kill the run (nor an oracle's sys.exit)
        name = _oracle_name(oracle)
        with _warn_lock:
            n = _raised[name] = _raised.get(name, 0) + 1
        if n in (1, 10, 100, 1000):  # an oracle that always raises would make every p 0 without a word
            log.warning("oracle %s raised %s: %s; counted as a failure (%d so far) - fix the oracle, or its "
                        "failures are counted in oracle_errors", name, type(e).__name__, str(e)[:200], n)
        return Verdict(False, f"oracle raised {type(e).__name__}: {e}"[:500])
    verdict = as_verdict(value)
    if verdict is not None:
        return Verdict(verdict, None)
    name = _oracle_name(oracle)
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    with _warn_lock:
        n = _bad_returns[name] = _bad_returns.get(name, 0) + 1
    if n in (1, 10, 100, 1000):
        log.warning("oracle %s returned %s (%s), not a bool; counted as a failure (%d so far) - an oracle "
                    "must return True/False", name, shown, type(value).__name__, n)
    return Verdict(False, f"oracle {name} returned {shown} ({type(value).__name__}), not a bool")


def make_judge(oracle: str | Oracle, timeout: float | None = 30.0, *, think_open: bool = False,
               unsafe_code_oracle: bool = False) -> Judge:
    """The :data:`Judge` of a mining run for ``oracle`` (a name or a callable).

    The oracle sees :func:`final_answer` of the text: the answer after a reasoning trace (``</think>``); a
    rollout whose trace never closes has no answer and fails. ``unsafe_code_oracle=True`` lets the code oracle
    run without namespace isolation where the machine has none (it refuses otherwise).
    """
    _reset_warnings()  # a run's warnings count its own failures (a second run in this process warned of none)
    check_oracle_runs_here(oracle, unsafe_code_oracle)
    fn = oracle_by_name(oracle)
    if fn is code_oracle:
        # the timeout is the sandbox's own wall limit; the judge's thread waits a little longer, so a slow
        # test run is reported by the sandbox (CodeTimeout) rather than abandoned
        fn = functools.partial(code_oracle, timeout=30.0 if timeout is None else timeout, unsafe=unsafe_code_oracle)
        fn.__name__ = fn.__qualname__ = "code_oracle"  # type: ignore[attr-defined]
        timeout = None if timeout is None else timeout + _CODE_GRACE

    def _judge(text: str, problem: Problem) -> Verdict:
        answer = final_answer(text, think_open)
        if answer is None:
            return Verdict(False, None)
        return judge(fn, answer, problem, timeout)

    _judge.__name__ = f"judge[{_oracle_name(fn)}]"
    return _judge
