"""Thought anchors: which sentences of a solution decide its answer, estimated sequentially (no torch).

The measurement of "Thought Anchors: Which LLM Reasoning Steps Matter?" (Bogdan, Macar, Nanda, Conmy, 2025),
which is PTS at sentence granularity. A solution ``T`` is split into sentences ``S_0 … S_{n-1}``, each a token
span ``[B_k, B_{k+1})`` of ``T`` (``B_0 = 0``, ``B_n = len(T)``), so every resample is a fork of the one
prefilled sequence at a boundary ``B_k``. Rollouts forked at ``B_k`` serve two sentences:

* they are the *resamples* of sentence ``k``: each regenerates a first sentence ``T'`` that is either similar
  to ``S_k`` or different from it (:func:`similar`);
* they are the *with* rollouts of sentence ``k - 1`` (its prefix kept whole).

For sentence ``k``: ``p(with) = p(B_{k+1})`` (the solution's own verdict, exactly, at ``B_n`` when it finished),
``p(resampled) = p(B_k)``, ``p(different)`` = p over the resamples whose ``T'`` differs from ``S_k``;
counterfactual importance ``p(with) − p(different)``, resampling importance ``p(with) − p(resampled)``, each
with a Newcombe interval (:func:`ptsfast.mining.stats.diff_interval`). A sentence is an anchor when
``|counterfactual importance| >= threshold``. :class:`AnchorSearch` samples in batches and stops a sentence as
soon as its interval decides that (or its boundaries reach the cap), like the token search's gap test.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

from .estimator import looks
from .stats import abs_bounds, diff_interval, reaches, summarize
from .types import Estimate, EstimateSummary, Record

# --------------------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "fig", "eq", "approx",
                            "cf", "al", "st", "mt", "jr", "sr", "thm", "lem", "prop", "cor", "defn", "ex", "resp",
                            "eqs", "figs", "thms", "ref", "refs", "ibid", "def", "defs", "w.r.t", "wrt", "viz", "esp",
                            "eqn", "eqns", "ineq", "ineqs", "lems", "props", "cors", "conj", "rmk"})
# "Eqs. (1) and (2)", "Def. 2.1", "w.r.t. $x$", "viz. the sum", "esp. for large n", "Eqn. (3)", "Ineq. (2)"
_TRAILING = frozenset({"approx", "resp", "al"})  # what a sentence may end with (as "etc."): before a capitalized word
# it ends ("The area is 12.6 approx. Then we round.", "2 and 3 resp. Then", "Smith et al. The proof")
_CAPITALIZED = re.compile(r"[A-Z][a-z]")
_INITIALISM = re.compile(r"(?:[a-z]\.)+[a-z]")  # "U.S", "p.m": a sentence end only before a capital
_NAMED_AFTER = re.compile(r"(?:Army|Navy|Air|Marines?|Coast|Congress|Senate|House|Supreme|Court|Department|Government|"
                         r"Treasury|Census|Bureau|Postal|Patent|Embassy|Constitution|Dollars?|Federal|National|"
                         r"Open|Forces?|Military|Mint|Code|Geological|Steel|Highway|Route|Secretary|President|"
                         r"Attorney|Ambassador|Representative|Citizens?|Customs|Border|Pharmacopeia)\b")
# words that go on a capital initialism's name ("the U.S. Army"): no sentence ends before them; before another
# capitalized word it does ("in the U.S. He left"), as a reader cannot tell a name from the next sentence
_ROMAN = re.compile(r"(?i)x{0,3}(?:ix|iv|v?i{0,3})")  # a list marker "ii." / "XIV." (up to 39)
_BEFORE_NUMBER = frozenset({"no", "nos", "p", "pp", "vol", "ch", "sec"})  # "No. 5", but "No. So 7 is odd."
_SECOND = re.compile(r"(?<![\w.,])2\.[*_]*\s")  # an inline list's second marker
_REFERENCE = _BEFORE_NUMBER - {"no"}  # a number after these ends its sentence ("Sec. 2. Then"); "No." may answer
# a terminator followed by whitespace ("3.5" is not one; Hindi and Bengali "।", Arabic "؟", Urdu "۔" too), or a
# full-width one (Chinese and Japanese need no space)
# full-width ends need no space after them ("３．５" is a number), nor an ASCII one between Chinese or Japanese ("对吗?对的",
# "开始.首先", "$x=2$.然后", after an English word: "Let me compute.然后"; after a number or a letter it may be a decimal
# point, a list marker, a factorial or an abbreviation: "5.然后", "1.首先", "n!种", "e.g.例子", "etc.等"; a "?" is none of
# those: "答案是5?对的", "是B?不对" end at it)
_END = re.compile(r"[.!?…।॥؟۔]+[\"'”’)\]*_]*(?=\s)|(?:[。！？｡]|．(?![0-9０-９]))+[”’」』）]*"
                  r"|(?:(?<=[$\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])|(?<=[A-Za-z]{3}))[.!?]"
                  r"(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
                  r"|\?[?!]*(?=[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_NEWLINE = re.compile(r"\n")
_SPACED_ELLIPSIS = re.compile(r"\.(?:[ \t]\.){2,}")  # ". . .": one ellipsis (its dots were three sentence ends)
# what ends a sentence (and its closing marks)
_TERMINATORS = re.compile(r"[.!?…।॥؟۔。！？．｡]+[\"'”’)\]」』）*_]*")
# what opens and closes a reasoning trace (R1's tags, Seed-OSS', EXAONE's, Magistral's tokens, OpenThoughts' markers,
# Kimi's, gpt-oss' channels, Apriel's final response; ptsfast.problems.loading.TRACE_MARKERS): each is a sentence of
# its own ("so x = 5.[/THINK]The answer is 5." was one sentence across the trace's end)
_TAG = re.compile(r"</?(?:seed:)?think>|</?thought>|\[/?THINK\]|\u25c1/?think\u25b7|<\|(?:begin|end)_of_thought\|>"
                  r"|<\|channel\|>(?:analysis|final)<\|message\|>|\[BEGIN FINAL RESPONSE\]")
# text whose "." is no sentence end: display math (not split at its newlines either), fenced and inline code,
# inline math ("\\[ x = 1/2. \\]" ends with its "\\]"; "print('big. ok')" is one statement)
_DISPLAY = re.compile(r"\\\[.*?\\\]|\$\$.*?\$\$|\\begin\{([a-z]*(?:align|equation|gather|multline|eqnarray|cases|array"
                      r"|split|matrix)[a-z]*\*?)\}.*?\\end\{\1\}", re.S)  # bare environments too: "\begin{align*}"
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`|\\\(.*?\\\)|\$(?=\S)[^$\n]*?(?<=\S)\$(?!\d)", re.S)  # not "$3.50"
# display math that ends its sentence inside: "\[ x = 1/2. \]", "\[ \begin{aligned} x &= 1. \end{aligned} \]"
_CLOSES = re.compile(r"[.!?]\s*(?:\\end\{[^}]*\}\s*)*(?:\\\]|\$\$|\\end\{[^}]*\})$")
# inline math that ends its sentence inside, before whitespace: "Then $b = 3.$ So", "\( x = 2. \) Then" (an
# ellipsis inside, "$1, 2, ...$", is no end)
_INLINE_CLOSES = re.compile(r"(?<![.…])[.!?]\s*(?:\\\)|\$)\Z")


# a label that heads its line or sentence: "Step 1. Compute", "### Case 2. x < 0" (no sentence of its own)
# (numbered "Case (i)", "Step 2a" too)
_LABEL = re.compile(r"(?i)(?:#+\s*|[*_]+)?(?:step|case|part|stage|phase|method|approach|example|exercise|problem|"
                    r"question|lemma|claim|theorem)\s+(\()?(?:\d{1,3}[a-z]?|[a-z]|[ivx]{1,4})(?(1)\))")
_DOTTED = re.compile(r"\d+(?:\.\d+)+")  # a section number heading its line: "### 2.3. Sub part"
_TAIL = re.compile(r"[\w.]*\Z")
_SPACE = re.compile(r"\s*")
_LOOK = 64  # characters looked back for the word and the line before a terminator
_CONTEXT = 1000  # characters of the solution before a fork that its resamples are split after


class _Inside:
    """Whether a position lies strictly inside one of ``spans``: a bisection of their union (asked for every
    terminator, a scan of every span made a long trace's splitting quadratic)."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts, self.ends = [a for a, _ in merged], [b for _, b in merged]

    def __call__(self, pos: int) -> bool:
        i = bisect.bisect_left(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]


def _option(text: str, letter: str, at: int, lo: int, hi: int) -> bool:
    """Whether ``letter`` + "." at ``at`` is an option of a choice listed inline ("A. 2, B. 3, C. 4"): not before a
    capital, and the option before it ends within ``text[lo:at]`` or the one after it within ``text[at:hi]`` (each
    letter ended a sentence: "A. 5 B.", "6 C.", "7 D."; "Check A. Then B." stays two)."""
    if not "A" <= letter <= "J" or re.match(r"\.\s*[A-Z]", text[at + 1:at + 8]):
        return False
    marker = r"(?<![\w.]){}\.\s+(?![A-Z])"
    return ((letter > "A" and re.search(marker.format(chr(ord(letter) - 1)), text[lo:at]) is not None)
            or re.search(marker.format(chr(ord(letter) + 1)), text[at + 2:hi]) is not None)


def sentence_starts(text: str) -> list[int]:
    """Character offsets where a sentence starts after the first (see :func:`split_sentences`)."""
    display = [m.span() for m in _DISPLAY.finditer(text)]
    in_display, quiet = _Inside(display), _Inside(display + [m.span() for m in _CODE.finditer(text)])
    spaced = [m.span() for m in _SPACED_ELLIPSIS.finditer(text)]
    in_spaced, spaced_ends = _Inside(spaced), {b for _, b in spaced}
    cuts: set[int] = set()
    last = 0  # where the sentence holding the terminator began (its last terminator cut)
    for m in _END.finditer(text):  # each look is local: slicing the text up to every terminator was quadratic
        if quiet(m.end()) or in_spaced(m.end()):  # a dot of ". . ." before its last
            continue
        line_start, line_end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        row = text[line_start:line_end].strip()
        if row[:1] == "|" == row[-1:] and row.count("|") >= 3:
            continue  # inside a markdown table row ("| 1. Add | 3. Then |"): a row is one sentence, cut at its newline
            # (not a line opening with an absolute value: "|x| = 2. So x = 2.")
        end = m.group(0).rstrip("*_")  # the terminator without a bold or italic mark closing it: "**1.**"
        if m.start() + 1 in spaced_ends:
            end = "..."  # the last dot of ". . ." ends its sentence as "..." does: not before a lowercase word
        if end == "." and _LABEL.fullmatch(text[max(last, line_start, m.start() - _LOOK):m.start()].strip()):
            continue  # "Step 1. Compute the sum" is one sentence
        lo = max(0, m.start() - _LOOK)
        raw = _TAIL.search(text, lo, m.start()).group(0)
        word = raw.lower().rstrip(".")
        nl = text.rfind("\n", lo, m.start())
        # "...": a long line, no marker; "**1.", "### 1.": the marker "1." (a heading's "### 2.3." too)
        line_head = "..." if nl < 0 and lo > 0 else text[nl + 1:m.start()].strip()
        heading = line_head.startswith("#")
        line_head = line_head.lstrip("#").strip().lstrip("*_")
        a = _SPACE.match(text, m.end()).end()
        after = text[a:a + 1]
        b = m.start() - len(raw)
        while b > 0 and (text[b - 1].isspace() or text[b - 1] in "*_"):  # "First. **2.** Add": after "."
            b -= 1
        before = text[b - 1:b] if b > 0 else ""
        # "No." opening a sentence answers ("Is 91 prime? No. 91 = 7 × 13."), "No. 5" inside one is a number
        answer = raw == "No" and (before in ("", ".", "!", "?", "。", "！", "？") or "\n" in text[b:m.start()])
        tail = _TAIL.search(text, max(0, b - _LOOK), b).group(0)
        if before == "." and (tail.lower().strip(".") in _ABBREVIATIONS | _REFERENCE
                              or (len(tail) == 2 and _option(text, tail[0], b - 2, max(line_start, b - _LOOK),
                                                             min(line_end, b + _LOOK)))):
            before = ""  # "vs." ends no sentence, so opens no inline list: "3 vs. 2. Then" ends at "2."; nor does an
            # option's letter: "C. 4, D. 5. So" ends at "5.", nor a reference's word: "See Sec. 2. Then" at "2."
        # "Steps: 1. Add ... 2. Multiply" opens a list; a ratio "3:1." or "x:1." ends, as does a value with no "2."
        # after it on its line ("The answer is: 1. Then we check.")
        listed = (raw == "1" and b < m.start() - len(raw)
                  and _SECOND.search(text, m.end(), min(line_end, m.end() + 8 * _LOOK)) is not None)
        option = end == "." and len(raw) == 1 and _option(text, raw, m.start() - 1, max(last, line_start, lo),
                                                          min(line_end, m.end() + _LOOK))
        marker = end == "." and (line_head.isdigit() or (len(line_head) == 1 and line_head.isalpha())
                                        or (heading and bool(_DOTTED.fullmatch(line_head)))
                                        or bool(line_head and _ROMAN.fullmatch(line_head))
                                        or (raw.isdigit() and len(raw) <= 2 and after.isupper()
                                            and (before in (".", "!", "?", ";")
                                                 or (before == ":" and listed)))
                                        or (len(raw) == 1 and "a" <= raw <= "h" and after.isupper()
                                            and before in (".", "!", "?", ";"))
                                        or (raw.isdigit() and len(raw) <= 2 and after != ""
                                            and (before in ("。", "！", "？", "；") or (before == "：" and raw == "1"))))
        # inline: "Steps: 1. Add 2. 2. Multiply" (but "Answer: 5. Then" ends), "Even. b. Odd." (a lowercase letter
        # after a sentence's end), "情况。1. x为正" (a number alone after a full-width end or colon is no sentence)
        lower = after.islower() or after.isdigit()
        operator = after != "" and after in "+-*/=<>^×÷·−\\"
        ellipsis = end.startswith(("..", "…")) and (lower or operator)
        factorial = end == "!" and (lower or operator) and (
            raw[-1:].isdigit() or (len(raw) == 1 and raw.isalpha()) or text[m.start() - 1:m.start()] in (")", "}"))
        if ((word in _ABBREVIATIONS and not (word == "etc" and after.isupper())
             and not (word in _TRAILING and _CAPITALIZED.match(text, a))) or marker or option
                or (word in _BEFORE_NUMBER and after.isdigit() and not answer)
                or (_INITIALISM.fullmatch(word) and (lower or (raw.isupper() and _NAMED_AFTER.match(text, a))))
                or ellipsis or factorial
                or (end[-1] in "\"'”’)]" and after.islower())
                or (end[-1] in "」』”" and text.startswith(("と", "って"), m.end()))):
            continue  # "e.g. x" (but "etc. Then"), a list marker "1. First" / "A. First", "No. 5", "the U.S. for",
            # "the U.S. Army" (a name going on; "in the U.S. He" ends),
            # "Wait... let me" / "Wait… let me" (a trailing-off, not an end), "1 + 2 + ... + 10" (a term left out),
            # a factorial "3! = 6", "5! ways", "(n-1)! + 1" (but "It is 5! Then"), a quotation or an aside inside
            # its sentence: 'She asked "why?" and left.', "The value (about 5.) is small." (but '"Stop." Then'), and
            # a Japanese one before its quoting particle: "「はい。」と言った。"
        cuts.add(m.end())
        last = m.end()
    cuts.update(m.end() for m in _NEWLINE.finditer(text) if not in_display(m.end()))
    cuts.update(b for a, b in display if _CLOSES.search(text[a:b]))
    cuts.update(m.end() for m in _CODE.finditer(text) if m.group(0)[:1] in "$\\" and _INLINE_CLOSES.search(m.group(0))
                and text[m.end():m.end() + 1].isspace() and not in_display(m.start()))
    for m in _TAG.finditer(text):  # a trace's tag is a sentence boundary on both sides
        cuts.update((m.start(), m.end()))
    starts = set()
    for c in cuts:  # a sentence starts at the first non-space character after a cut
        while c < len(text) and text[c].isspace():
            c += 1
        if 0 < c < len(text):
            starts.add(c)
    return sorted(starts)


def sentence_text(text: str) -> str:
    """A sentence's text as the similarity reads it: stripped, without a leading run of terminators that ends the
    sentence before. A token such as "。所以" or ". Then" holds both sentences' characters, so the boundary (and
    every fork) is before it: read whole, the original began with "。" and each resample's first sentence was
    just "。", so every resample counted as different, even an identical one. Only terminators are dropped: a
    sentence of symbols ("```", "---") is one (dropped, every resample of the line after a code block read as
    different from it)."""
    text = text.strip()
    starts = sentence_starts(text)
    if starts and _TERMINATORS.fullmatch(text[:starts[0]].strip()):
        text = text[starts[0]:]
    return text


_OPENER = re.compile(r"```|\\\[|\$\$|\\begin\{[^}]*\}|\\\(|\$|`")  # how a span of _CODE or _DISPLAY opens


def context_before(before: str) -> str:
    """What a resample forked after the text ``before`` is split after: its last ``_CONTEXT`` characters, opened as
    the code or math they lie inside ("```" + the end of a long code block; cut there blindly, the block's closing
    fence read as an opening one, and every sentence after it as one sentence)."""
    cut = len(before) - _CONTEXT
    if cut <= 0:
        return before
    inside = sorted(m.start() for pattern in (_CODE, _DISPLAY) for m in pattern.finditer(before)
                    if m.start() < cut < m.end())
    openers = (_OPENER.match(before, a) for a in inside)
    return "".join(o.group() for o in openers if o) + before[cut:]


class Contexts:
    """:func:`context_before` of every prefix ``text[:end]`` of one text, each in time of about its window: the code
    and math spans of the whole text are found once, and only the part of a prefix that its end can change is scanned
    again (each boundary's prefix scanned whole made a trace of thousands of sentences quadratic: 60 s at 8,000)."""

    def __init__(self, text: str):
        self.text = text
        self.spans = {p: [m.span() for m in p.finditer(text)] for p in (_CODE, _DISPLAY)}
        self.starts = {p: [a for a, _ in spans] for p, spans in self.spans.items()}

    def _inside(self, pattern: re.Pattern, end: int, cut: int) -> list[int]:
        """Starts of the spans of ``pattern`` in ``text[:end]`` that hold ``cut`` (start < cut < their end)."""
        text, spans, starts = self.text, self.spans[pattern], self.starts[pattern]
        bound = end
        if pattern is _CODE:
            # a span of the whole text that ends by end - 1 is one of the prefix's, but for an inline "$...$" the
            # prefix's end closes, one "$5" the whole text went on with ("$x$5" is no span): none starts before the
            # last "$" or newline
            z = max(text.rfind("$", 0, end - 1), text.rfind("\n", 0, end - 1))
            bound = z if z >= 0 and text[z] == "$" else end - 1
        i = bisect.bisect_left(starts, bound) - 1  # the last span starting before bound
        if i >= 0 and spans[i][1] > bound:
            bound, i = spans[i][0], i - 1  # bound inside it: scan again from its start
        out = []
        while i >= 0 and spans[i][1] > cut:  # the spans kept (ending by bound) that reach past the cut
            if spans[i][0] < cut:
                out.append(spans[i][0])
            i -= 1
        out += [m.start() for m in pattern.finditer(text, bound, end) if m.start() < cut < m.end()]
        return out

    def before(self, end: int) -> str:
        """``context_before(text[:end])``."""
        cut = end - _CONTEXT
        if cut <= 0:
            return self.text[:end]
        inside = sorted(a for p in (_CODE, _DISPLAY) for a in self._inside(p, end, cut))
        openers = (_OPENER.match(self.text, a, end) for a in inside)
        return "".join(o.group() for o in openers if o) + self.text[cut:end]


def first_sentence(text: str, before: str = "") -> str:
    """The first sentence with visible text in ``text`` (stripped, see :func:`sentence_text`): what a resample
    regenerated. ``before``: the solution's text before the fork (read as :func:`context_before` says), so the
    resample is split as the solution was (without it, a list marker or a letter at the fork read as starting a line:
    the solution's sentence "1." after '"Stop."' and an identical resample's "1. Add 3." were different)."""
    return _first(text, before)[0]


@functools.lru_cache(maxsize=64)  # a resample's first sentence and whether it ended are asked one after the other
def _first(text: str, before: str) -> tuple[str, bool]:
    """``(first sentence, whether it ends within text)`` of :func:`first_sentence` and :func:`first_sentence_ended`.
    Terminators right after the text before them ("So x" + ". Then", "五" + "。所以") end that sentence and are
    left out; after whitespace they are a sentence of their own (a line "?" or "..."; left out, the sentence read as
    the next one's text and was compared with the resamples as that)."""
    before = context_before(before)
    full, start = before + text, len(before)
    spans = [m for p in (_DISPLAY, _CODE) for m in p.finditer(full)]
    quiet = _Inside([m.span() for m in spans])  # no cut inside these spans
    # a code block's newlines cut as any do, and the block cut there still covers what it did
    line = _first_line(full, start, _Inside([m.span() for m in spans if not m.group(0).startswith("```")]))
    space = _SPACE_AFTER.search(full, start + _WINDOW, line)
    window = space.end() if space else len(full)  # ends with whitespace: no span ends there, no lookahead passes it
    row = full[full.rfind("\n", 0, window) + 1:window].strip()[:1] == "|"  # a table row is read whole
    if window < line and not quiet(window) and not row:
        # a long first line: its first _WINDOW characters serve where its first sentence ends well before them
        # (what decides a cut reads fewer than _AHEAD characters after it)
        piece, ended, b = _first_piece(full[:window], start)
        if piece and b + _AHEAD <= window:
            return piece, ended
    if line < len(full):  # the text up to a newline that ends a sentence splits as the whole text does up to there
        piece, ended, _ = _first_piece(full[:line], start)
        if piece:
            return piece, ended
    return _first_piece(full, start)[:2]


_WINDOW = 1024  # characters of a resample's first line split to find its first sentence (then the whole line)
_SPACE_AFTER = re.compile(r"\s")
_AHEAD = 10 * _LOOK  # what a cut's decision may read after it: an inline list's next marker up to 8 * _LOOK


def _first_line(full: str, start: int, quiet: _Inside) -> int:
    """The end of the first line of ``full`` after ``start`` with visible text whose newline ends a sentence (one
    inside display math or ``\\( \\)``, the spans ``quiet`` holds, may not); ``len(full)`` if none.
    A resample's first sentence was found by splitting all of its text (2,000 characters: 3.6 ms a resample, on the
    engine's thread), though every cut after that newline is of no use to it; so was one forked inside a code block
    (1.1 ms after 3,700 characters), whose every line is a sentence."""
    seen = len(full) - len(full[start:].lstrip())
    while (i := full.find("\n", seen)) >= 0:
        if not quiet(i + 1) and not quiet(i):
            return i + 1
        seen = i + 1
    return len(full)


def _first_piece(full: str, start: int) -> tuple[str, bool, int]:
    """``(first sentence, whether it ends within full, where it ends)`` after ``start``."""
    cut = _cut_before(full, start)
    cuts = [start, *(c + cut for c in sentence_starts(full[cut:]) if c + cut > start), len(full)]
    for a, b in zip(cuts, cuts[1:]):
        piece = full[a:b].strip()
        attached = not full[a:a + 1].isspace() and not (a > 0 and full[a - 1].isspace())
        if piece and not (attached and _TERMINATORS.fullmatch(piece)):
            return piece, b < len(full) or bool(_ENDED.search(full[a:b])), b
    return "", False, len(full)


def _cut_before(full: str, start: int) -> int:
    """Where the text before ``start`` can be left out without changing the sentences that start after it: before the
    line holding ``start``, its blank run (a marker's check reads back across them: "First.\\n**2.** Add") and what a
    terminator reads before it (``_LOOK``), outside every code and math span (which pair from the start). The splitting
    of the solution's 1,000 characters before the fork was done again with every resample (0.7 ms each)."""
    w = full.rfind("\n", 0, start) + 1
    while w > 0 and (full[w - 1].isspace() or full[w - 1] in "*_"):
        w -= 1
    cut = w - _LOOK - 2
    if cut <= 0:
        return 0
    spans = [m.span() for p in (_DISPLAY, _CODE) for m in p.finditer(full)]
    moved = True
    while moved:  # a span holding the cut: cut before it (one of the other kind may hold its start)
        moved = False
        for a, b in spans:
            if a < cut < b:
                cut, moved = a, True
    return cut


_ENDED = re.compile(r"(?:[.!?…।॥؟۔。！？．｡]+[\"'”’)\]」』）*_]*|\n)\s*\Z")


def first_sentence_ended(text: str, before: str = "") -> bool:
    """Whether the first sentence of ``text`` (as :func:`first_sentence` reads it) ends within ``text``: another
    sentence starts after it, or it closes with a terminator or a newline. A rollout the token budget cut inside its
    first sentence regenerated only part of one: compared whole with the original it read as different, and, cut,
    it failed, so it pulled p(different) down."""
    return _first(text, before)[1]


def split_sentences(token_texts: Sequence[str]) -> list[tuple[int, int]]:
    """Sentences of a solution as token spans ``[start, end)`` that cover it exactly, in order.

    ``token_texts[i]`` is the text token ``i`` adds to the solution (``""`` for special tokens and for the
    first bytes of a character that a later token completes). A sentence ends at a ``.``/``!``/``?`` run
    followed by whitespace (not after an abbreviation such as "e.g." nor a list marker such as "1.", nor "No."
    before a number, nor inside code or math), after a full-width ``。``/``！``/``？``/``．``, at a newline (not
    inside display math), and on both sides of a ``<think>``/``</think>`` tag. Text boundaries rarely fall between
    tokens, so a sentence starts at the token holding its first character: whitespace in that token goes with the
    sentence it precedes, whitespace in tokens of its own with the sentence before. A span without any visible text (a
    newline run, an end-of-sequence token) joins the sentence before it.
    """
    texts = [t or "" for t in token_texts]
    if not texts:
        return []
    text = "".join(texts)
    ends, pos = [], 0
    for t in texts:
        pos += len(t)
        ends.append(pos)
    cuts = set()
    k = 0
    for start in sentence_starts(text):
        while ends[k] <= start:  # the token holding character `start`
            k += 1
        b = k
        while b > 0 and texts[b - 1] == "":  # the leading bytes of the same character go with it
            b -= 1
        if b > 0:
            cuts.add(b)
    bounds = [0, *sorted(cuts), len(texts)]
    spans: list[tuple[int, int]] = []
    for a, b in zip(bounds, bounds[1:]):
        visible = "".join(texts[a:b]).strip()
        if spans and not visible:
            spans[-1] = (spans[-1][0], b)
        elif spans and not "".join(texts[spans[-1][0]:spans[-1][1]]).strip():
            spans[-1] = (spans[-1][0], b)  # a leading invisible span joins the first visible sentence
        else:
            spans.append((a, b))
    return spans


# --------------------------------------------------------------------------- similarity

# a comma inside a number only as a thousands separator: "1,000" is one number, "(3,4)" and "{1,2,3}" list several
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+|(?<![\w.])(?=\.\d))(?:\.\d+)*"  # ".5" too
# scripts written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar): each character is a word
# (read as runs up to the next punctuation, a one-character edit of a Chinese clause made it a different word)
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(_DIGITS + rf"|[{_UNSPACED}]|[^\W{_UNSPACED}]+|[^\w\s]")
_APART = rf"(?:(?<!\w)|(?<=[{_UNSPACED}]))"  # nothing of the same word before: "答案是-2" holds -2
_NUMBER = re.compile(rf"(?:(?:(?<![\w)\]}}])|(?<=[{_UNSPACED}]))[-−])?" + _DIGITS)  # "-2" signed ("5-3": unsigned)


# bold marks, heading hashes and math delimiters ("$", "\\(", "\\]"): formatting, not words
_EMPHASIS = re.compile(r"\*\*+|__+|^\s*#+|\$+|\\[()\[\]]", re.M)


# one spelling per symbol: "12 \\times 3", "12 × 3" and "12 * 3", "\\le" and "≤", "x²" and "x^{2}" are the same words
_SYMBOL = {"\\times": "×", "\\cdot": "×", "·": "×", "⋅": "×", "*": "×", "\\div": "÷", "\\le": "≤", "\\leq": "≤",
           "<=": "≤", "\\ge": "≥", "\\geq": "≥", ">=": "≥", "\\ne": "≠", "\\neq": "≠", "!=": "≠", "\\approx": "≈",
           "\\pi": "π", "\\infty": "∞", "\\sqrt": "√", "−": "-", "\\left": "", "\\right": "",
           "\\dfrac": "\\frac", "\\tfrac": "\\frac"}
_SYMBOLS = re.compile(r"\\(?:times|cdot|div|leq?|geq?|neq?|approx|pi|infty|sqrt|left|right|[dt]frac)(?![a-z])"
                      r"|[·⋅*−]|<=(?!>)|>=|!=")
_SUPERSCRIPT = str.maketrans({c: f"^{d}" for d, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})  # "x²" is "x^2", to numbers too
# LaTeX that writes plain text: "\\text{ cm}" is " cm", "\\," a space, "^\\circ" the degree sign, "\\%" a percent
_TEX_TEXT = re.compile(r"\\(?:text|textrm|textnormal|mathrm|mbox|operatorname)\s*\{([^{}]*)\}")
_TEX_PLAIN = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\degree(?![a-zA-Z])|\\[,;:! ]|\\%|~")
_PLAIN = {"\\%": "%", "\\!": ""}
_SPACES = re.compile(r"[ \t]{2,}")
_NON = re.compile(r"(?i)\b(non)-(?=[a-z])")  # "non-negative" is "nonnegative"
_SIMPLE_FRAC = re.compile(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")  # "\frac{3}{4}" is "3/4", "\frac{a+b}{2}" "(a+b)/2"
_BRACED_POWER = re.compile(r"\^\{(\w+)\}")  # "x^{2}" is "x^2"


def _plain(text: str) -> str:
    """``text`` with LaTeX that only writes plain text read as that text, superscript digits as powers: "3 \\text{ cm}"
    is "3 cm" and "90^\\circ" is "90°" (read as written, their units went unseen beside "3 cm" and "90 degrees",
    which differed from them); "non-negative" is one word, "nonnegative"."""
    text = _TEX_PLAIN.sub(lambda m: "°" if "circ" in m.group(0) or "degree" in m.group(0)
                          else _PLAIN.get(m.group(0), " "), _TEX_TEXT.sub(r"\1", text.translate(_SUPERSCRIPT)))
    return _NON.sub(r"\1", _SPACES.sub(" ", text))  # "3 \\text{ cm}": one space, as a unit is read after its number


# a negation's contraction and the words it stands for ("isn't" / "is not", "can't" / "cannot" / "can not"): read
# apart ("isn", "'", "t"), "This isn't the answer we want." and "This is not the answer we want." overlapped 0.71,
# different (only negations: "that's" read as "that is" overlapped less with another "that's" sentence)
_CONTRACTION = re.compile(r"\b(?:(can)no(t)|(\w+?)n[’'](t))\b")
_STEM = {"ca": "can", "wo": "will", "sha": "shall"}


def _expand(m: re.Match) -> str:
    stem = m.group(1) or m.group(3)
    return f"{_STEM.get(stem.lower(), stem)} not"


def words(text: str) -> list[str]:
    """Lower-cased words, numbers and punctuation marks of ``text`` (see :func:`_words`)."""
    return list(_words(text))


@functools.lru_cache(maxsize=256)  # a sentence is read by the overlap and again for a swapped operator; the original
def _words(text: str) -> tuple[str, ...]:  # against each of its resamples
    """Lower-cased words, numbers (``1,000.5`` whole, one spelling per value) and single punctuation marks, without
    bold marks, heading hashes or math delimiters (with them, "**So x = 5.**" and "So x = 5." overlapped 0.71,
    "So \\(x = 5\\)." and "So $x = 5$." 0.67: different), each symbol in one spelling ("\\frac{3}{4}" and "3/4" 0.67,
    "x^2" and "x²" 0.67, "12 \\times 3" and "12 × 3" 0.8)."""
    text = _SYMBOLS.sub(lambda m: _SYMBOL[m.group(0)], _EMPHASIS.sub(" ", _CONTRACTION.sub(_expand,
                                                                                          _plain(text).lower())))
    def frac(m: re.Match) -> str:
        return "/".join(x.strip() if _WORD.fullmatch(x.strip()) else f"({x})" for x in m.groups())
    text = _spelled(_BRACED_POWER.sub(r"^\1", _SIMPLE_FRAC.sub(frac, text)), ones=True)
    return tuple(_number(w) if w[0].isdigit() or (w[0] == "." and len(w) > 1) else w for w in _WORD.findall(text))


def overlap(a: str, b: str) -> float:
    """Token overlap of two sentences: the F1 (Dice) of their word multisets, in [0, 1]; 1 when both are empty."""
    wa, wb = Counter(_words(a)), Counter(_words(b))
    total = sum(wa.values()) + sum(wb.values())
    return 1.0 if total == 0 else 2 * sum((wa & wb).values()) / total


def similar(a: str, b: str, threshold: float = 0.8, numbers_must_match: bool = True,
            facts_must_match: bool = True) -> bool:
    """Whether a regenerated sentence says the same as the original, by token overlap.

    ``overlap(a, b) >= threshold`` (0.8: codelion/pts's threshold, the paper's median cosine similarity), and,
    with ``numbers_must_match``, the same numbers: in arithmetic reasoning "5 * 3 = 16" is not "5 * 3 = 15"
    though they share most words; with ``facts_must_match``, the same claims (:func:`same_facts`).
    """
    if overlap(a, b) < threshold:  # the cheapest reading first: most different resamples differ in words (the
        return False  # claims' reading, 0.9 ms a pair, was run on every resample of the engine's thread)
    return (not numbers_must_match or same_numbers(a, b)) and (not facts_must_match or same_facts(a, b))


_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number(n: str) -> str:
    """One spelling per value: "1,000" is "1000", "5.0" and "5.00" are "5" (else a resample that writes the same
    value another way counted as different, and p(different) took in resamples that say the same)."""
    n = n.replace("−", "-")
    if _GROUPED.fullmatch(n):
        n = n.replace(",", "")
    if "." in n and "," not in n:
        n = n.rstrip("0").rstrip(".")
    if n[:1] == "." or n[:2] == "-.":  # ".5" is 0.5 (read as 5, "x = .5" held the numbers of "x = 5")
        n = n.replace(".", "0.", 1)
    return "0" if n == "-0" else n


# a fraction of two whole numbers, alone (not a date "3/4/2024", a power's "x^1/2" nor a name's "a_1/2"; "1/2x" is
# "1/2 x"), and the same in LaTeX: "\\frac{1}{2}", "\\dfrac12"
_INT_FRACTION = re.compile(r"(?<![\w.^/])(\d{1,12})\s*/\s*(\d{1,12})(?![\d_^]|\.\d|\s*/\s*\d)")
_TEX_FRACTION = re.compile(r"\\[dt]?frac\s*(?:\{\s*(\d{1,12})\s*\}|(\d))\s*(?:\{\s*(\d{1,12})\s*\}|(\d))")
_UNITS_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
                "seventeen eighteen nineteen").split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_SPELLED = {w: i for i, w in enumerate(_UNITS_WORDS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS_WORDS)}
# a number written as a word ("two", "twenty-five"); "one" is read as 1 only where asked: it is a pronoun too ("one
# can see", "the one that")
_NUMBER_WORD = re.compile(rf"(?i)\b(?:({'|'.join(_TENS_WORDS)})(?:[- ]({'|'.join(_UNITS_WORDS[1:10])}))?"
                          rf"|({'|'.join(_UNITS_WORDS)}))\b")
# a count in Chinese numerals, before the measure word that makes it one ("两个根" two roots, "十二个" twelve; not "三角形"
# a triangle, "一起" together): "有两个不同的实数根。" / "有三个不同的实数根。" overlapped 0.92, similar
_MEASURES = "个個只种種次条條根位名本块塊元天年件辆輛张張颗顆支倍道题題组組"
_CJK_COUNT = re.compile(rf"(?<![零一二两三四五六七八九十百千万])[零一二两三四五六七八九十]+(?=[{_MEASURES}])")
_CJK_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_ONE = re.compile(rf"(?i)\bone\b|(?<![零一二两三四五六七八九十百千万])一(?=[{_MEASURES}])")  # "one", "一个": a 1 or "a"


def _cjk_count(numeral: str) -> str | None:
    """A Chinese count's digits ("十二" 12, "二十" 20, "二零二四" 2024), None for one not read here."""
    tens, ten, units = numeral.partition("十")
    if not ten:
        return "".join(str(_CJK_DIGITS[c]) for c in numeral)
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return str(10 * (_CJK_DIGITS[tens] if tens else 1) + (_CJK_DIGITS[units] if units else 0))


def _fraction_value(p: str, q: str) -> str | None:
    """A fraction's value in one spelling: a decimal where it ends ("1/2" is "0.5", "6/3" is "2"), else in lowest terms
    ("2/6" is "1/3"); None for a zero denominator."""
    if int(q) == 0:
        return None
    f = Fraction(int(p), int(q))
    d = f.denominator
    for prime in (2, 5):
        while d % prime == 0:
            d //= prime
    if d != 1:
        return f"{f.numerator}/{f.denominator}"
    digits = 0
    while (f * 10 ** digits).denominator != 1:
        digits += 1
    whole = str(f.numerator * 10 ** digits // f.denominator).rjust(digits + 1, "0")
    return whole if digits == 0 else _number(f"{whole[:-digits]}.{whole[-digits:]}")


def _spelled(text: str, ones: bool = False) -> str:
    """``text`` with each value in one spelling: fractions of whole numbers by their value ("1/2", "\\frac{1}{2}" and
    "0.5" alike; "2/6" is "1/3") and numbers written as words by their digits ("two" is "2", "twenty-five" "25";
    "one" too with ``ones``). Read as they were written, "x = 1/2" and "x = 0.5", "two roots" and "2 roots" held
    other numbers (different), and "two roots" and "three roots" none at all (similar: another count, the same
    sentence)."""
    def tex(m: re.Match) -> str:
        return f"{m.group(1) or m.group(2)}/{m.group(3) or m.group(4)}"

    def fraction(m: re.Match) -> str:
        return _fraction_value(m.group(1), m.group(2)) or m.group(0)

    def word(m: re.Match) -> str:
        if m.group(3):
            return str(_SPELLED[m.group(3).lower()])
        return str(_SPELLED[m.group(1).lower()] + (_SPELLED[m.group(2).lower()] if m.group(2) else 0))
    text = _INT_FRACTION.sub(fraction, _TEX_FRACTION.sub(tex, text))
    text = _NUMBER_WORD.sub(lambda m: m.group(0) if m.group(3) and m.group(3).lower() == "one" else word(m), text)
    text = _CJK_COUNT.sub(lambda m: m.group(0) if m.group(0) == "一" else _cjk_count(m.group(0)) or m.group(0), text)
    text = _SCALED.sub(_scaled, text)
    text = _PERCENT.sub(lambda m: _percent_value(m.group(1)) if Fraction(m.group(1)) < 100 else m.group(0), text)
    return _ONE.sub("1", text) if ones else text


# a count of hundreds or thousands in words, after the words' digits are written: "two hundred" ("2 hundred"),
# "a hundred and five", "one thousand" (not "hundreds of")
_SCALED = re.compile(r"(?i)\b(?:(\d{1,2}|an?|one)\s+)(hundred|thousand)(?:\s+(?:and\s+)?(\d{1,2})\b(?![.,/]\d))?\b")


def _scaled(m: re.Match) -> str:
    """"2 hundred" is "200", "a thousand" "1000": read as written, "two hundred students" and "200 students" held
    other numbers (2 / 200), different."""
    n = int(m.group(1)) if m.group(1).isdigit() else 1
    return str(n * (100 if m.group(2).lower() == "hundred" else 1000) + int(m.group(3) or 0))


# a percentage of a plain number ("50%", "12.5 percent"; not "1,000%" nor "x%"), below 100: "100%" read as 1 was "one"
# ("100% of them passed" / "One of them passed" similar), "200%" as 2 "two"
_PERCENT = re.compile(r"(?<![\w.,])(\d{1,12}(?:\.\d{1,12})?)\s?(?:%|percent\b)", re.I)


def _percent_value(n: str) -> str:
    """A percentage's value in one spelling, as a fraction's (:func:`_fraction_value`): "50%" is "0.5", as "1/2" is."""
    f = Fraction(n) / 100
    return _fraction_value(str(f.numerator), str(f.denominator)) or n


def same_numbers(a: str, b: str) -> bool:
    """Whether two sentences hold the same numbers (as multisets: "1,000.5" is one number; "-2" is not "2", a sign
    error being the change that matters most and the one word overlap barely sees; see :func:`_number`), each value in
    one spelling (:func:`_spelled`: "1/2" is "0.5", "two" is "2"). The word "one" may stand for a 1 the other
    sentence writes in digits, or for nothing ("one can see")."""
    def numbers(text: str) -> tuple[Counter, int]:
        text = _spelled(_plain(text))
        return Counter(_number(n) for n in _NUMBER.findall(text)), len(_ONE.findall(text))
    (na, oa), (nb, ob) = numbers(a), numbers(b)
    extra = nb.pop("1", 0) - na.pop("1", 0)  # 1s of b that a does not write in digits
    return na == nb and -ob <= extra <= oa


# a choice letter standing alone ("the answer is B", "\\boxed{C}", "(D)") or a roman one ("II and III only"); not
# "I", nor an article "A" before a word
_CHOICE = re.compile(r"(?<![\w\\'’])(?!I\b)(?!A\s+[a-z])(?:VI{0,3}|I{2,3}|I[VX]|XI{0,3}|[A-Z])(?![\w'’])")
# what says "no": a negation ("not", "isn't", "no root", "≠", "不", "non-positive", "unbounded") or a negative verdict
# ("wrong", "No,", "错"), counted together so that "not right" is "wrong" and "x is not 2" is not "x is 2" ("非常"
# very, "不过" but, "不错" good, "无论" whatever, "否则" otherwise, "none" and "nonetheless" say no "non-")
_NEGATIVE = re.compile(r"\b(?:not|never|cannot|none|nor|neither|nothing|nobody|nowhere|no|wrong|incorrect|false"
                       r"|invalid|impossible|untrue|unbounded|undefined|unequal|unchanged|unlikely|unsolvable"
                       r"|incomplete|inconsistent|insufficient)\b|\bnon-?(?!e(?:theless)?\b)(?=[a-z])"
                       r"|\w+n[’']t\b|≠|\\neq?\b"
                       r"|不(?![错錯过過])|[没沒未錯]|无(?!论)|無(?!論)|非(?!常)|否(?!则|則)|(?<!不)错|ない|ません")
# "=>" and "->" are arrows, "<=>" an equivalence: no comparison
_ORDER = {"<": "<", ">": ">", "≤": "≤", "≥": "≥", "⩽": "≤", "⩾": "≥", "\\lt": "<", "\\gt": ">", "\\le": "≤",
          "\\leq": "≤", "\\ge": "≥", "\\geq": "≥", "less": "<", "greater": ">", "smaller": "<", "larger": ">",
          "bigger": ">", "fewer": "<"}
_ORDER_WORD = re.compile(r"<=(?!>)|(?<![=<-])>=|(?<![<=-])>|<(?![-=])|[≤≥⩽⩾]|\\(?:lt|gt|leq?|geq?)\b"
                         r"|\b(?:less|fewer|greater|smaller|larger|bigger)\b")

_UNITS = {u: name for name, units in (
    ("mm", "mm millimeter millimeters millimetre millimetres"),
    ("cm", "cm centimeter centimeters centimetre centimetres"),
    ("m", "meter meters metre metres"), ("km", "km kilometer kilometers kilometre kilometres"),
    ("inch", "inch inches"), ("ft", "ft foot feet"), ("yd", "yd yard yards"), ("mile", "mi mile miles"),
    ("mg", "mg milligram milligrams"), ("g", "gram grams"), ("kg", "kg kilogram kilograms kilo kilos"),
    ("lb", "lb lbs pound pounds"), ("oz", "oz ounce ounces"), ("l", "liter liters litre litres"),
    ("ml", "ml milliliter milliliters millilitre millilitres"), ("s", "sec secs second seconds"),
    ("min", "min mins minute minutes"), ("h", "hr hrs hour hours"), ("day", "day days"), ("week", "week weeks"),
    ("month", "month months"), ("year", "yr yrs year years"), ("dollar", "dollar dollars"), ("cent", "cent cents"),
    ("euro", "euro euros"), ("%", "% percent"), ("°", "° degree degrees"), ("mph", "mph"), ("kmh", "km/h kph"))
    for u in units.split()}
# a unit right after a value, or one word after it: "5 meters" is not "5 seconds", "3 more days" is "3 days more",
# "12%" not "12" (single letters are left out: "2 m" may be 2 times m, and "2 in the box" is no inch)
_UNIT = re.compile(r"(?<![\w.])\d[\d,.]*\s?(km/h|%|°|[^\W\d_]{2,})(?:\s+(km/h|[^\W\d_]{2,}))?")
_MONEY = re.compile(r"(?<!\$)(?:\\?\$|€)(?=\s?\d)")  # "$5", "\$5" (LaTeX's dollar), "€5": "5 dollars", "5 euros"
_VALUE = re.compile(_APART + _NUMBER.pattern)  # a number standing as a value, not in a name: "x1", "w10"
# the operands of a run of one commutative operator: a sum of numbers or fractions ("3 + 5", "1/2 + 1/3"), a product
# ("3 \\times 12"), with what may stand on either side of it and still leave it whole ("2 * 3 + 5" holds no sum "3 +
# 5", "10 - 3 + 5" and "3 + 5x" none either, "3 + 5^2" nor "12 / 3 * 2" a product)
_FRACTION = rf"{_VALUE.pattern}(?:\s*/\s*{_VALUE.pattern})?"
_PLUS = r"\s*\+\s*"
_TIMES = r"\s*(?:\*|×|·|⋅|\\times(?![a-zA-Z])|\\cdot(?![a-zA-Z]))\s*"
_RUNS = tuple((re.compile(rf"{operand}(?:{op}{operand})+"), re.compile(op), re.compile(before), re.compile(after))
              for operand, op, before, after in (
                  (_FRACTION, _PLUS, r"(?:[-−*×·⋅/÷^!]|\\[a-zA-Z]+)\s*\Z", r"\s*[*×·⋅/÷^!%(\\]|[\w.]"),
                  (_VALUE.pattern, _TIMES, r"(?:[/÷^]|\\[a-zA-Z]+)\s*\Z", r"\s*[\^!%(\\]|[\w.]")))


# a set of numbers written out: "{1, 2, 3}", "\\{3, 2, 1\\}" (not a tuple "(1, 2)" nor a list "[1, 2]")
_SET = re.compile(rf"(?<![\w^_}}])\\?\{{\s*({_FRACTION}(?:\s*[,;]\s*{_FRACTION})+)\s*\\?\}}")


def _values(text: str) -> list[str]:
    """The numbers of ``text`` standing as values, in order, but the operands of a sum or a product of numbers and the
    members of a set in one order (sorted): "5 + 3 = 8" says what "3 + 5 = 8" says, "{1, 2, 3}" what "{3, 2, 1}"
    says, where "x = 5, y = 3" does not say "x = 3, y = 5" nor "(1, 2)" "(2, 1)"."""
    runs: dict[int, tuple[int, list[str]]] = {}  # where a run starts: (where it ends, its values in one order)
    for m in _SET.finditer(text):
        members = sorted(tuple(_number(n) for n in _VALUE.findall(x)) for x in re.split(r"[,;]", m.group(1)))
        runs[m.start(1)] = (m.end(1), [n for member in members for n in member])
    for run, op, before, after in _RUNS:
        for m in run.finditer(text):
            a, b = m.span()
            if before.search(text, max(0, a - _LOOK), a) or after.match(text, b) or a in runs:
                continue
            operands = sorted(tuple(_number(n) for n in _VALUE.findall(x)) for x in op.split(m.group(0)))
            runs[a] = (b, [n for operand in operands for n in operand])
    out, end = [], -1
    for m in _VALUE.finditer(text):
        if m.start() < end:
            continue
        if m.start() in runs:
            end, values = runs[m.start()]
            out.extend(values)
        else:
            out.append(_number(m.group(0)))
    return out


# words of one kind, each saying another thing than the others: a sentence that names one where the other named
# another made another claim in the same words ("two real roots" / "two complex roots", "the maximum is 5" / "the
# minimum is 5", 0.8-0.9 overlap); one that names both, or neither, is no swap ("even so, n is odd" / "n is odd")
_KINDS = {w: (i, member.split()[0]) for i, kind in enumerate((
    "positive|negative", "maximum max maxima maximal maximize maximizes maximized|minimum min minima minimal minimize "
    "minimizes minimized", "even|odd", "increasing increase increases increased|decreasing decrease decreases "
    "decreased", "prime|composite", "rational|irrational", "finite|infinite", "convergent converges converge"
    "|divergent diverges diverge", "real|complex imaginary", "horizontal|vertical", "upper|lower", "inside|outside",
    "clockwise|counterclockwise anticlockwise", "above|below", "parallel|perpendicular", "acute|obtuse",
    "sum|product|difference|quotient", "numerator|denominator", "radius|diameter", "area|perimeter|volume",
    "length|width|height", "sin|cos|tan", "mean|median",
    # the operation, the direction, the side or the group a sentence names ("we add" / "we multiply", "3 more" / "3
    # fewer", "at least" / "at most", "5 boys" / "5 girls": 0.86-0.9 overlap)
    "add adds added adding addition plus|subtract subtracts subtracted subtracting subtraction minus|multiply "
    "multiplies multiplied multiplying multiplication times|divide divides divided dividing division",
    "more|fewer less", "least|most", "first|last", "left|right", "before|after", "gain gains gained|lose loses loss",
    "multiple multiples|divisor divisors factor factors", "injective|surjective|bijective",
    "continuous|discontinuous", "convex|concave", "isosceles|equilateral|scalene", "arithmetic|geometric",
    "permutation permutations|combination combinations", "union|intersection", "inclusive|exclusive",
    "independent|dependent", "necessary|sufficient", "row rows|column columns", "head heads|tail tails",
    "boy boys|girl girls", "man men|woman women", "north|south|east|west"))
          for member in kind.split("|") for w in member.split()}
_KIND_WORD = re.compile(r"\b(?:" + "|".join(sorted(_KINDS, key=len, reverse=True)) + r")\b")
# a one-letter name given a value: "x = 5" (with a subscript or a prime: "x_1 = 2", "a' = 3"; after Chinese: "所以x=5")
_BINDING = re.compile(rf"(?:(?<![\w\\])|(?<=[{_UNSPACED}]))([a-z](?:_\{{?\w+\}}?|')?)\s*=\s*({_NUMBER.pattern})")


def _swapped(a: str, b: str) -> bool:
    """Whether ``b`` names another word of a kind where ``a`` named one (see ``_KINDS``)."""
    def named(text: str) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for m in _KIND_WORD.finditer(text.lower()):
            kind, member = _KINDS[m.group(0)]
            out.setdefault(kind, set()).add(member)
        return out
    na, nb = named(a), named(b)
    return any(len(na[k]) == len(nb[k]) == 1 and na[k] != nb[k] for k in na.keys() & nb.keys())


def same_facts(a: str, b: str) -> bool:
    """Whether two sentences make the same claim where word overlap cannot tell: the same choice letters ("the answer
    is A" / "B", 0.83 overlap), as many negative words ("x is not 2" / "x is 2", 0.91; "that's right" / "wrong";
    "not right" is "wrong"), the same comparisons ("3 > 2" / "3 < 2"), the same units after their numbers ("5
    meters" / "5 seconds", "5 cm" is "5 centimeters"), no word of a kind swapped for another ("positive" /
    "negative", "maximum" / "minimum", "sin" / "cos"), the same values given to the same one-letter names ("x = 5" /
    "y = 5") and, where they hold the same numbers, in the same order ("x = 2 and y = 3" / "x = 3 and y = 2", "1/2" /
    "2/1", 1.0), but the operands of a sum or a product in any order ("5 + 3 = 8" is "3 + 5 = 8", see
    :func:`_values`) and values each given to a name in any order ("x = 3 or x = 2" is "x = 2 or x = 3"). Read as
    similar, a resample that changed the answer or the claim counted as the sentence itself: p(different) lost exactly
    the resamples that decide it; read as different, one that wrote a sum the other way round counted against the
    sentence it repeats."""
    # each value in one spelling ("two meters" is "2 meters"; "one hour" is "1 hour" where that makes them agree)
    given, raw = (a, b), (_plain(a), _plain(b))
    ones = _spelled(raw[0], ones=True), _spelled(raw[1], ones=True)
    a, b = _spelled(raw[0]), _spelled(raw[1])

    def facts(text: str) -> tuple:
        low = text.lower()
        order = [_ORDER.get(m.group(0), m.group(0).replace("<=", "≤").replace(">=", "≥"))
                 for m in _ORDER_WORD.finditer(low)]
        found = ((m.start(), m.group(1) if m.group(1) in _UNITS else m.group(2)) for m in _UNIT.finditer(low))
        math = {m.start() for m in _CODE.finditer(text) if m.group(0)[:1] == "$"}  # "$5$" is math, not money
        money = ((m.start(), "dollar" if m.group(0)[-1] == "$" else "euro") for m in _MONEY.finditer(text)
                 if m.group(0) != "$" or m.start() not in math)  # "\$" is money inside math too
        units = [_UNITS[u] for _, u in sorted([*found, *money]) if u in _UNITS]  # the word after the value, else
        # the one after that, or the currency sign before it
        return Counter(_CHOICE.findall(text)), len(_NEGATIVE.findall(low)), Counter(order), units
    if (facts(a) != facts(b) and facts(ones[0]) != facts(ones[1])) or _swapped(a, b) or _operator_swapped(*given):
        return False
    # read as written too: "1/2" / "2/1" are its numbers in another order
    return (_same_order(a, b) and _same_order(*raw)) or _same_equations(a, b)


_OPERATORS = {"+": "+", "-": "-", "×": "×", "÷": "/", "/": "/", "^": "^"}  # "x ÷ 2" is "x / 2"


def _operator_swapped(a: str, b: str) -> bool:
    """Whether ``b`` writes another arithmetic operator where ``a`` writes one, the words on each side the same ("5 + 3
    = 8" / "5 - 3 = 8", "p - low" / "p + low", "l × w" / "l + w": 0.86-0.9 overlap and the same numbers, read as the
    same claim; a code line's operator is what its resamples change most), or the operands of a difference, a quotient
    or a power swapped ("low - p" / "p - low", "a / b" / "b / a": the same words)."""
    wa, wb = _words(a), _words(b)
    if len(wa) == len(wb) and any(wa[i] in ("-", "/", "÷", "^") and wa[i - 1] != wa[i + 1]
                                  and wb == (*wa[:i - 1], wa[i + 1], wa[i], wa[i - 1], *wa[i + 2:])
                                  for i in range(1, len(wa) - 1)):
        return True
    # one operator for another between two words (not a list's bullet: "- So x" / "* So x", nor a compound's hyphen
    # for its slash: "input-output" / "input/output")
    return any(op == "replace" and i2 - i1 == j2 - j1 == 1 and 0 < i1 < len(wa) - 1 and 0 < j1 < len(wb) - 1
               and wa[i1] in _OPERATORS and wb[j1] in _OPERATORS and _OPERATORS[wa[i1]] != _OPERATORS[wb[j1]]
               and not ({wa[i1], wb[j1]} == {"-", "/"} and _COMPOUND.fullmatch(wa[i1 - 1] + wa[i1 + 1]))
               for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes())


_COMPOUND = re.compile(r"[^\W\d_]{4,}")  # two words of letters: "input" + "output", "and" + "or"


# an equation of terms (numbers, one-letter names, "2x") joined by operators: "2x + 1 = 7", "x = 3"
_TERM = r"(?:\d[\d.,]*[a-z]?|[a-z])(?![\w])"
_EQUATION = re.compile(rf"(?<![\w.\\=<>!])({_TERM}(?:\s*[-+*/^×·]\s*{_TERM})*)\s*=\s*"
                       rf"({_TERM}(?:\s*[-+*/^×·]\s*{_TERM})*)(?![\w=(\[{{^/*+-])")


def _same_equations(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` say the same with an equation written the other way round ("So 2x + 1 = 7 gives x = 3."
    / "So 7 = 2x + 1 gives x = 3."; its numbers in another order read as another claim): each equation's sides in one
    order, compared whole, the text around them as :func:`_same_order` compares it."""
    def canonical(text: str) -> tuple[list[str], str]:
        eqs = []

        def one(m: re.Match) -> str:
            eqs.append("=".join(sorted("".join(side.split()) for side in m.groups())))
            return " § "
        return eqs, _EQUATION.sub(one, text)
    (ea, ra), (eb, rb) = canonical(a), canonical(b)
    return bool(ea) and ea == eb and _same_order(ra, rb)


def _same_order(a: str, b: str) -> bool:
    """Whether the values of ``a`` and ``b`` stand in the same order and at the same names (see :func:`same_facts`)."""
    (la, ba), (lb, bb) = (([_number(n) for n in _VALUE.findall(t)], Counter((n, _number(v)) for n, v in
                                                                          _BINDING.findall(t))) for t in (a, b))
    if ba != bb and Counter(v for _, v in ba.elements()) == Counter(v for _, v in bb.elements()):
        return False  # the same values given to other names: "So x = 5." / "So y = 5."
    # the same numbers in another order say another thing, unless each is the same name's value in both ("x = 2 or x
    # = 3" is "x = 3 or x = 2") or they are a sum's or a product's operands; other numbers are the number rule's
    return (Counter(la) != Counter(lb) or la == lb or (ba == bb and sum(ba.values()) == len(la))
            or _values(a) == _values(b))


# --------------------------------------------------------------------------- estimation

# past the cap, a sentence's resamples grow by a cap at a time, up to _GROWTH caps, while some but fewer than a
# _FEW-th of the cap differ and the point estimate is at least half the threshold: when 90% of the resamples came back
# similar, the 6 different ones of 64 found a true importance of 0.3 31% of the time (60% now, at 1.9x the rollouts;
# +8% of the rollouts over the synthetic world, whose sentences of |importance| >= 0.3 are found 99.0% of the time)
_GROWTH = 4
_FEW = 4


@dataclass(frozen=True)
class AnchorConfig:
    """How sentence importance is estimated. Defaults: codelion/pts's threshold, 8-rollout looks."""

    threshold: float = 0.2
    """|counterfactual importance| that makes a sentence an anchor (codelion/pts ``prob_threshold``)."""
    batch_size: int = 8
    """Rollouts added to a boundary per look."""
    max_rollouts: int = 64
    """Cap of rollouts forked at one boundary (the paper uses 100 per sentence; codelion/pts 20 per estimate); a
    sentence's resamples go on past it, a cap at a time up to 4 caps, while fewer than a quarter of a cap differ and
    its importance is at least half the threshold."""
    confidence: float = 0.95
    """Two-sided level of the reported intervals and of the stopping decisions (split over a sentence's looks)."""
    alpha_spending: bool = True
    """Split each decision's error over the looks a sentence can have (Bonferroni): a sentence is decided at
    every look, and testing each look at the full level decides wrongly at the threshold 3x as often."""
    method: str = "wilson"
    """Interval of one proportion: wilson or jeffreys."""
    similarity_threshold: float = 0.8
    """Token overlap at or above which a regenerated first sentence counts as similar to the original."""
    numbers_must_match: bool = True
    """A regenerated sentence with other numbers than the original is different whatever its overlap."""
    facts_must_match: bool = True
    """A regenerated sentence with other choice letters, negative words, comparisons, units, names given a value,
    number order than the original, or a word of a kind swapped ("maximum" / "minimum"), is different whatever its
    overlap (:func:`same_facts`)."""

    def __post_init__(self) -> None:
        def need(ok: bool, what: str) -> None:
            if not ok:
                raise ValueError(f"AnchorConfig.{what}")

        def number(v) -> bool:  # a real number ("0.2", None and True are not)
            return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v

        def count(v) -> bool:
            return isinstance(v, int) and not isinstance(v, bool)
        need(number(self.threshold) and 0 < self.threshold < 1, f"threshold must lie in (0, 1), got {self.threshold!r}")
        need(count(self.batch_size) and self.batch_size >= 1, f"batch_size must be an int >= 1, got "
             f"{self.batch_size!r}")
        need(count(self.max_rollouts) and self.max_rollouts >= self.batch_size,
             f"max_rollouts must be an int >= batch_size ({self.batch_size}; the command line's --batch-rollouts), "
             f"got {self.max_rollouts!r}")
        need(number(self.confidence) and 0 < self.confidence < 1, f"confidence must lie in (0, 1), got "
             f"{self.confidence!r}")
        need(self.method in ("wilson", "jeffreys"), f"method must be wilson or jeffreys, got {self.method!r}")
        need(number(self.similarity_threshold) and 0 <= self.similarity_threshold <= 1,
             f"similarity_threshold must lie in [0, 1], got {self.similarity_threshold!r}")
        need(isinstance(self.numbers_must_match, bool), f"numbers_must_match must be a bool, got "
             f"{self.numbers_must_match!r}")
        need(isinstance(self.facts_must_match, bool), f"facts_must_match must be a bool, got "
             f"{self.facts_must_match!r}")
        need(isinstance(self.alpha_spending, bool), f"alpha_spending must be a bool, got {self.alpha_spending!r}")
        need(self.similarity_threshold > 0 or self.numbers_must_match,
             "similarity_threshold 0 with numbers_must_match False (--any-numbers) makes every resample similar: no "
             "sentence could be compared with a different one; raise the threshold or keep the numbers rule")


@dataclass(frozen=True)
class AnchorOutcome:
    """One rollout forked at a boundary: its verdict, and whether its first sentence is similar to the
    sentence it replaced (``None`` at the end of the solution, where there is none)."""

    success: bool
    similar: bool | None = None


class Stop(str, Enum):
    """Why a sentence's estimation ended."""

    ANCHOR = "anchor"  # the interval of |counterfactual importance| lies above the threshold
    NOT_ANCHOR = "not_anchor"  # ... lies below it
    CAP = "cap"  # undecided when its boundaries reached max_rollouts: an anchor where the point estimate clears
    # the threshold and the interval excludes 0 (when most resamples say the same as the sentence, the few that differ
    # say little: the point estimate alone made 20-50% of sentences without any effect anchors)


@dataclass(frozen=True)
class Effect:
    """An importance (a difference of two probabilities) with its interval."""

    value: float
    lo: float
    hi: float


@dataclass(frozen=True)
class SentenceImportance(Record):
    """One sentence's estimates. ``start``/``end``: its token span in the solution."""

    index: int
    start: int
    end: int
    p_with: EstimateSummary
    p_resampled: EstimateSummary
    p_different: EstimateSummary
    p_similar: EstimateSummary
    counterfactual: Effect | None
    """p(with) − p(different); None when no resample differed from the sentence."""
    resampling: Effect | None
    """p(with) − p(resampled); None only without rollouts."""
    is_anchor: bool
    stop: Stop


@dataclass
class _Pool:
    """Counts of the rollouts forked at one boundary, and of those whose first sentence was similar."""

    successes: int = 0
    trials: int = 0
    similar_successes: int = 0
    similar_trials: int = 0
    unclassified: int = 0  # rollouts with no verdict on similarity (counted in the totals only)
    unclassified_successes: int = 0

    def add(self, o: AnchorOutcome) -> None:
        self.trials += 1
        self.successes += bool(o.success)
        if o.similar is None:
            self.unclassified += 1
            self.unclassified_successes += bool(o.success)
        elif o.similar:
            self.similar_trials += 1
            self.similar_successes += bool(o.success)

    def total(self) -> Estimate:
        return Estimate(self.successes, self.trials)

    def similar(self) -> Estimate:
        return Estimate(self.similar_successes, self.similar_trials)

    def different(self) -> Estimate:
        return Estimate(self.successes - self.similar_successes - self.unclassified_successes,
                        self.trials - self.similar_trials - self.unclassified)


@dataclass
class AnchorSearch:
    """Sequential estimation of every sentence's importance in one solution of ``n_sentences`` sentences.

    Drive it with :meth:`requests` (``(boundary, n)``: fork ``n`` rollouts after the first ``boundary``
    sentences) and :meth:`add` (their outcomes), until :meth:`requests` returns nothing; then
    :meth:`results`. ``final``: the solution's own verdict (1.0/0.0) when it finished, which is ``p(with)`` of
    the last sentence exactly; ``None`` (cut by the length limit) samples it at the end like any boundary.
    ``sample_end=False`` (with ``final`` None): the solution finished but has no verdict (its oracle erred), so the
    last sentence has no p(with) and nothing is forked at the end (read as a failure, an exact 0 made the last
    sentence an anchor of an error).
    A sentence asks for more only while its counterfactual importance is undecided, and then from the side
    of it with fewer rollouts; a boundary shared by two undecided sentences serves both.
    """

    n_sentences: int
    config: AnchorConfig = field(default_factory=AnchorConfig)
    final: float | None = None
    sample_end: bool = True
    pools: list[_Pool] = field(init=False)
    stops: list[Stop | None] = field(init=False)

    def __post_init__(self) -> None:
        if self.n_sentences < 1:
            raise ValueError("a solution needs at least one sentence")
        if self.final is not None and not self.sample_end:
            raise ValueError("sample_end=False is for a solution without a verdict; pass final=None with it")
        self.pools = [_Pool() for _ in range(self.n_sentences + 1)]
        self.stops = [None] * self.n_sentences

    # ------------------------------------------------------------------ estimates
    def p_with(self, k: int) -> Estimate:
        if k + 1 == self.n_sentences and self.final is not None:
            return Estimate(exact=float(self.final))
        return self.pools[k + 1].total()

    def counterfactual(self, k: int) -> tuple[float, float] | None:
        """Interval of ``p(with) − p(different)`` of sentence ``k`` (None without different resamples)."""
        different, w = self.pools[k].different(), self.p_with(k)
        if not different.trials or not w.known:
            return None
        return diff_interval(different, w, self.config.confidence, self.config.method)

    def _decide(self, k: int) -> Stop | None:
        """ANCHOR / NOT_ANCHOR where the interval of |counterfactual importance| decides, at the level of one look
        (the error split over the looks: both boundaries' batches, up to the cap)."""
        different, w = self.pools[k].different(), self.p_with(k)
        if not different.trials or not w.known:
            return None
        c = self.config
        level = c.confidence
        if c.alpha_spending:
            level = 1 - (1 - level) / (2 * looks(c.batch_size, c.max_rollouts, 1.0) + _GROWTH - 1)
        lo, hi = abs_bounds(*diff_interval(different, w, level, c.method))
        if lo >= self.config.threshold:
            return Stop.ANCHOR
        if hi < self.config.threshold:
            return Stop.NOT_ANCHOR
        return None

    def _room(self, boundary: int) -> int:
        if boundary == self.n_sentences and (self.final is not None or not self.sample_end):
            return 0
        return self.config.max_rollouts - self.pools[boundary].trials

    def _resample_room(self, k: int) -> int:
        """Room for sentence ``k``'s resamples: its boundary's, and past the cap a cap more (up to ``_GROWTH`` caps)
        while some but too few of them differ to decide and its importance may reach the threshold (none differing:
        every resample says the sentence, so it stops)."""
        room = self._room(k)
        if room > 0 or k == self.n_sentences:
            return room
        pool, w, cap = self.pools[k], self.p_with(k), self.config.max_rollouts
        different = pool.different()
        if (0 < different.trials < cap // _FEW and pool.trials < _GROWTH * cap and w.known
                and abs(w.p - different.p) >= self.config.threshold / 2):
            return min(cap, _GROWTH * cap - pool.trials)
        return 0

    # ------------------------------------------------------------------ driving
    def requests(self) -> list[tuple[int, int]]:
        """The next look: ``[(boundary, n)]`` (each boundary once); empty when every sentence is decided."""
        want: dict[int, int] = {}
        for k in range(self.n_sentences):
            if self.stops[k] is not None:
                continue
            stop = self._decide(k)
            if stop is not None:
                self.stops[k] = stop
                continue
            grow_diff, grow_with = self._resample_room(k) > 0, self._room(k + 1) > 0
            if not grow_diff and not self.pools[k].different().trials:
                grow_with = False  # every resample said the same: no p(different) for more "with" rollouts to meet
            if not grow_with and not self.p_with(k).known:
                grow_diff = False  # the last sentence of a solution without a verdict: no p(with) to compare with
            if not grow_diff and not grow_with:
                self.stops[k] = Stop.CAP
                continue
            d, w = self.pools[k].different().trials, self.p_with(k).trials
            if grow_diff and (not grow_with or d <= w):
                room = self._resample_room(k)
                want[k] = max(want.get(k, 0), room if self._room(k) <= 0 else min(self.config.batch_size, room))
            if grow_with and (not grow_diff or w <= d):
                want[k + 1] = max(want.get(k + 1, 0), min(self.config.batch_size, self._room(k + 1)))
        return sorted(want.items())

    def add(self, boundary: int, outcomes: Sequence[AnchorOutcome]) -> None:
        """Counts rollouts forked at ``boundary`` (``similar`` compares their first sentence with sentence
        ``boundary``; ignored at the end of the solution)."""
        if not 0 <= boundary <= self.n_sentences:
            raise ValueError(f"boundary {boundary} outside [0, {self.n_sentences}]")
        pool = self.pools[boundary]
        for o in outcomes:
            pool.add(o if boundary < self.n_sentences else AnchorOutcome(o.success, None))

    @property
    def done(self) -> bool:
        return all(s is not None for s in self.stops)

    @property
    def rollouts(self) -> int:
        return sum(p.trials for p in self.pools)

    def boundary_estimates(self) -> list[EstimateSummary | None]:
        """``p(B_k)`` for every boundary (the exact verdict at the end when known; None where never sampled)."""
        c, m = self.config.confidence, self.config.method
        out: list[EstimateSummary | None] = [summarize(p.total(), c, m) if p.trials else None for p in self.pools]
        if self.final is not None:
            out[-1] = summarize(Estimate(exact=float(self.final)), c, m)
        return out

    def results(self, spans: Sequence[tuple[int, int]]) -> list[SentenceImportance]:
        """Every sentence's estimates (``spans``: their token spans, for the record)."""
        if len(spans) != self.n_sentences:
            raise ValueError(f"{len(spans)} spans for {self.n_sentences} sentences")
        c, m = self.config.confidence, self.config.method
        out = []
        for k, (a, b) in enumerate(spans):
            pool, w = self.pools[k], self.p_with(k)
            # decided on the final counts: a boundary shared with a neighbour may have grown after this sentence
            # stopped, and the record must not contradict its own interval
            stop = self._decide(k) or Stop.CAP
            cf_iv = self.counterfactual(k)
            cf = None if cf_iv is None else Effect(w.p - pool.different().p, *cf_iv)
            rs = None
            if pool.trials and w.known:
                rs = Effect(w.p - pool.total().p, *diff_interval(pool.total(), w, c, m))
            # |p(with) - p(different)| at the threshold as the counts mean it (1 - 48/60 computes as 0.1999...)
            anchor = stop is Stop.ANCHOR or (stop is Stop.CAP and cf is not None
                                             and reaches(abs(cf.value), self.config.threshold)
                                             and (cf.lo > 0 or cf.hi < 0))
            out.append(SentenceImportance(k, a, b, summarize(w, c, m), summarize(pool.total(), c, m),
                                          summarize(pool.different(), c, m), summarize(pool.similar(), c, m),
                                          cf, rs, anchor, stop))
        return out
