"""Oracles: decide whether a completion solves a problem.

An oracle is any callable ``(completion_text, problem) -> bool``. The mining loop never calls one
directly but through :func:`judge` (or :func:`make_judge`), which turns an exception or a hang into a
failed rollout with a reason instead of a crashed run.

Early stopping. Rollouts stop as soon as :func:`answer_complete` says the answer has been emitted.
To make that safe, the oracles that support it read the *first* complete answer (first ``####``
line, first closed ``\\boxed{}``, first ``Answer: X``), so text generated after that point can
never change the verdict. ``last_number``/``exact``/``normalized`` need the whole completion.

Code sandbox (what is actually enforced; see :func:`run_code`): a fresh ``python -I`` in a temporary
working directory, its own process group (killed as a group with SIGKILL on timeout), wall-time
limit, ``RLIMIT_AS`` memory limit, ``RLIMIT_CPU`` and ``RLIMIT_FSIZE``. Network: when
``unshare -rn`` works on this machine the child runs in a new, empty network namespace (no
interfaces but loopback: real isolation). Always, in addition, an audit hook in the child refuses
socket connect/bind/DNS and process spawning (subprocess, os.system, exec, fork). The audit hook
is a guard against accidental network use, not a security boundary (ctypes can bypass it);
for untrusted code at scale use a container.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from ptsfast.data import Problem

log = logging.getLogger(__name__)

Oracle = Callable[[str, Problem], bool]

# --------------------------------------------------------------------------- numbers

_NUM_RE = re.compile(
    r"(?<![\w.])"                       # not inside a word / after a decimal point
    r"(?P<sign>[-+\u2212]?)\s?\$?\s?"
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?P<frac>\.\d+)?"
    r"(?:\s?/\s?(?P<den>\d+))?"
    r"(?!\w)"
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


def find_numbers(text: str) -> list[Fraction]:
    """All numbers in ``text`` as exact fractions ("$1,000.00" -> 1000, "3/4" -> 3/4, "-2.5")."""
    out = []
    for m in _NUM_RE.finditer(text):
        v = _match_number(m)
        if v is not None:
            out.append(v)
    return out


def parse_number(text: str) -> Fraction | None:
    """``text`` as one number (whole string, ignoring spaces, ``$``, ``%`` and a trailing period)."""
    s = text.strip().rstrip(".").strip()
    s = re.sub(r"\\[!,;]|\\text\{[^}]*\}|\\%|%", "", s).strip()
    m = re.fullmatch(r"\\[dt]?frac\{(-?\d+)\}\{(\d+)\}", s)
    if m:
        return Fraction(int(m.group(1)), int(m.group(2))) if int(m.group(2)) else None
    m = _NUM_RE.fullmatch(s)
    return _match_number(m) if m else None


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


# --------------------------------------------------------------------------- extraction

_GSM_RE = re.compile(r"####[ \t]*([^\n]*)")
_GSM_COMPLETE_RE = re.compile(r"####[ \t]*[^\n]*\d[^\n]*\n")


def extract_gsm8k(text: str) -> str | None:
    """Text after the first ``####`` (its line), or None."""
    m = _GSM_RE.search(text)
    return m.group(1).strip() if m else None


def extract_boxed(text: str) -> str | None:
    """Content of the first closed ``\\boxed{...}`` (nested braces allowed), or None."""
    for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text):
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return text[m.end():i].strip()
            i += 1
    return None


def _normalize_math(s: str) -> str:
    s = s.strip().strip("$").strip()
    s = re.sub(r"\\left|\\right|\\!|\\,|\\;|\\ ", "", s)
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    s = re.sub(r"\\text\{([^}]*)\}", r"\1", s)
    s = re.sub(r"\s+", "", s)
    return s.rstrip(".")


def normalize_text(s: str) -> str:
    """Case-folded, whitespace-collapsed, without surrounding quotes/punctuation."""
    s = re.sub(r"\s+", " ", str(s).casefold()).strip()
    return s.strip(" \t\"'`.,;:!?*")


_LETTERS = "ABCDE"
_MC_STRONG = [
    re.compile(r"answer(?:\s+is)?\s*[:：]?\s*(?:\*\*|\()?\s*\(?([A-E])\)?(?![A-Za-z])", re.I),
    re.compile(r"\*\*\(?([A-E])\)?\*\*"),
]
_MC_WEAK = [
    re.compile(r"\(([A-E])\)"),
    re.compile(r"^\s*([A-E])[.):]?\s*$", re.M),
    re.compile(r"^\s*([A-E])[.):]\s", re.M),
]


def extract_choice(text: str) -> str | None:
    """The chosen letter A-E: first "Answer: B"/"answer is (B)"/"**B**", else first "(B)"/"B." line."""
    for pats in (_MC_STRONG, _MC_WEAK):
        hits = [(m.start(), m.group(1).upper()) for p in pats for m in p.finditer(text)]
        if hits:
            return min(hits)[1]
    return None


def extract_code(text: str) -> str:
    """The first fenced ```python (or bare ```) block of a completion, else the raw text."""
    m = re.search(r"```[ \t]*(?:python|py|python3)[ \t]*\n(.*?)(?:```|\Z)", text, re.S | re.I)
    if m is None:
        m = re.search(r"```[ \t]*\n(.*?)(?:```|\Z)", text, re.S)
    return m.group(1) if m else text


# --------------------------------------------------------------------------- built-in oracles

def gsm8k_oracle(text: str, problem: Problem) -> bool:
    """GSM8K style: the number on the first ``#### ...`` line equals the reference."""
    got = extract_gsm8k(text)
    if got is None:
        return False
    nums = find_numbers(got)
    return bool(nums) and _numbers_equal(nums[0], reference_answer(problem))


def boxed_oracle(text: str, problem: Problem) -> bool:
    """First ``\\boxed{}``: numerically equal to the reference, or equal after LaTeX normalisation."""
    got = extract_boxed(text)
    if got is None:
        return False
    ref = reference_answer(problem)
    ref = extract_boxed(ref) or ref
    if _numbers_equal(got, ref):
        return True
    return _normalize_math(got) == _normalize_math(ref)


def last_number_oracle(text: str, problem: Problem) -> bool:
    """The last number in the completion equals the reference number."""
    nums = find_numbers(text)
    return bool(nums) and _numbers_equal(nums[-1], reference_answer(problem))


def exact_oracle(text: str, problem: Problem) -> bool:
    """Completion (stripped) is exactly the reference answer."""
    return text.strip() == reference_answer(problem)


def normalized_oracle(text: str, problem: Problem) -> bool:
    """Completion equals the reference after :func:`normalize_text`."""
    return normalize_text(text) == normalize_text(reference_answer(problem))


def multiple_choice_oracle(text: str, problem: Problem) -> bool:
    """The chosen letter equals the reference letter (the reference may also be the choice text)."""
    got = extract_choice(text)
    if got is None:
        return False
    ref = reference_answer(problem)
    if len(ref) == 1 or re.fullmatch(r"\(?[A-Ea-e]\)?[.:]?", ref):
        ref_letter = re.sub(r"[^A-Ea-e]", "", ref).upper()
    else:
        norm = [normalize_text(c) for c in (problem.choices or [])]
        if normalize_text(ref) not in norm:
            raise ValueError(f"problem {problem.id}: reference answer {ref!r} is neither a letter A-E nor one of "
                             f"its choices; put the letter in the answer field")
        ref_letter = _LETTERS[norm.index(normalize_text(ref))]
    return got == ref_letter


# --------------------------------------------------------------------------- code sandbox

_CHILD_GUARD = r'''
import sys
_BLOCKED = ("socket.connect", "socket.bind", "socket.getaddrinfo", "socket.gethostbyname",
            "socket.sendto", "socket.sendmsg", "subprocess.Popen", "os.system", "os.exec",
            "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "pty.spawn")
def _guard(event, args):
    if event.startswith(_BLOCKED):
        raise PermissionError("ptsfast sandbox: %s is not allowed" % event)
sys.addaudithook(_guard)
_src = open(sys.argv[1], encoding="utf-8").read()
sys.argv = sys.argv[1:]
exec(compile(_src, "solution.py", "exec"), {"__name__": "__main__"})
'''

_unshare_ok: bool | None = None
_unshare_lock = threading.Lock()


def network_isolation_available() -> bool:
    """True when ``unshare -rn`` can create an empty network namespace here (probed once)."""
    global _unshare_ok
    with _unshare_lock:
        if _unshare_ok is None:
            exe = shutil.which("unshare")
            try:
                _unshare_ok = bool(exe) and subprocess.run(
                    [exe, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
            except (OSError, subprocess.SubprocessError):
                _unshare_ok = False
            log.debug("network namespace isolation (unshare -rn): %s", _unshare_ok)
        return _unshare_ok


class CodeResult(NamedTuple):
    passed: bool
    returncode: int | None
    timed_out: bool
    output: str


def run_code(code: str, tests: str = "", timeout: float = 10.0, memory_mb: int = 1024,
             network: bool = False) -> CodeResult:
    """Run ``code`` followed by ``tests`` in a sandboxed child; passed = exit status 0 in time.

    Tests are plain Python (asserts); anything raising makes the exit status non-zero.
    """
    def limits() -> None:
        import resource

        mem = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        cpu = int(timeout) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 20, 16 << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    with tempfile.TemporaryDirectory(prefix="ptsfast-code-") as tmp:
        with open(os.path.join(tmp, "solution.py"), "w", encoding="utf-8") as f:
            f.write(code + "\n\n" + (tests or "") + "\n")
        with open(os.path.join(tmp, "guard.py"), "w", encoding="utf-8") as f:
            f.write(_CHILD_GUARD)
        cmd = [sys.executable, "-I", "-S", "guard.py", "solution.py"]
        if not network and network_isolation_available():
            cmd = [shutil.which("unshare") or "unshare", "-rn", *cmd]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": tmp}
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=limits)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, _ = proc.communicate()
            return CodeResult(False, None, True, out.decode("utf-8", "replace")[-2000:])
        finally:
            _kill_group(proc)  # leftovers (e.g. a daemon the code started) die with the group
        return CodeResult(proc.returncode == 0, proc.returncode, False, out.decode("utf-8", "replace")[-2000:])


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def code_oracle(text: str, problem: Problem, timeout: float = 10.0, memory_mb: int = 1024) -> bool:
    """The completion's code passes the problem's tests (``problem.tests``) in the sandbox."""
    if not problem.tests:
        raise ValueError(f"problem {problem.id}: the code oracle needs tests; set the tests field")
    return run_code(extract_code(text), problem.tests, timeout=timeout, memory_mb=memory_mb).passed


# --------------------------------------------------------------------------- registry

ORACLES: dict[str, Oracle] = {
    "gsm8k": gsm8k_oracle,
    "boxed": boxed_oracle,
    "last_number": last_number_oracle,
    "exact": exact_oracle,
    "normalized": normalized_oracle,
    "multiple_choice": multiple_choice_oracle,
    "code": code_oracle,
}
_ALIASES = {"number": "last_number", "last-number": "last_number", "mc": "multiple_choice",
            "multiple-choice": "multiple_choice", "normalised": "normalized", "math": "boxed"}

DEFAULT_STOP_STRINGS: dict[str, tuple[str, ...]] = {
    # Literal strings after which nothing can change the verdict (the engine also stops on EOS
    # and on answer_complete()). Base models tend to start a new few-shot item with these.
    "gsm8k": ("\n\nQuestion:", "\n\nProblem:"),
    "boxed": ("\n\nProblem:", "\n\nQuestion:"),
    "multiple_choice": ("\n\nQuestion:",),
    "code": ("\n```\n\n\n",),
    "last_number": (),
    "exact": (),
    "normalized": (),
}


def oracle_by_name(name: str | Oracle) -> Oracle:
    """A built-in oracle by name (or a user callable, returned as is)."""
    if callable(name):
        return name
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in ORACLES:
        raise ValueError(f"unknown oracle {name!r}; use one of {sorted(ORACLES)} or pass a callable "
                         f"(text, problem) -> bool")
    return ORACLES[key]


def register_oracle(name: str, oracle: Oracle, stop_strings: tuple[str, ...] = ()) -> None:
    """Make a user callable available by name (e.g. for the CLI's ``--oracle``)."""
    if not callable(oracle):
        raise TypeError(f"oracle {name!r} must be callable (text, problem) -> bool")
    ORACLES[name] = oracle
    DEFAULT_STOP_STRINGS[name] = tuple(stop_strings)


def stop_strings(oracle_name: str | Oracle) -> tuple[str, ...]:
    """Default stop strings for an oracle (empty for user callables)."""
    if callable(oracle_name):
        return ()
    return DEFAULT_STOP_STRINGS.get(_ALIASES.get(oracle_name, oracle_name), ())


_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
_CODE_DONE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n.*?\n[ \t]*```", re.S | re.I)


def answer_complete(oracle_name: str | Oracle, text: str) -> bool:
    """Whether ``text`` already holds the answer the oracle reads, so generation may stop.

    Prefix-monotone by construction: once True, any continuation keeps the same verdict
    (the oracles read the first complete answer). Always False for oracles that need the
    whole completion (last_number, exact, normalized, user callables).
    """
    if callable(oracle_name):
        return False
    name = _ALIASES.get(oracle_name, oracle_name)
    if name == "gsm8k":
        return _GSM_COMPLETE_RE.search(text) is not None
    if name == "boxed":
        return extract_boxed(text) is not None
    if name == "multiple_choice":
        # a strong match followed by at least one more character (so "Answer: B" is not "Answer: Bo...")
        for p in _MC_STRONG:
            m = p.search(text)
            if m and m.end() < len(text):
                return True
        return False
    if name == "code":
        return _CODE_DONE.search(text) is not None
    return False


# --------------------------------------------------------------------------- safe judging

class Verdict(NamedTuple):
    """Outcome of judging one rollout; ``error`` is set when the oracle raised or hung."""

    success: bool
    error: str | None = None


_hung = 0
_hung_lock = threading.Lock()


def judge(oracle: Oracle, text: str, problem: Problem, timeout: float | None = 30.0) -> Verdict:
    """Call ``oracle`` safely: an exception or a hang becomes ``Verdict(False, reason)``.

    Hang protection: with a timeout the oracle runs in a daemon thread and is abandoned
    after ``timeout`` seconds (Python cannot kill a thread; an abandoned oracle keeps its
    thread until it returns and never blocks exit). Oracles that can hang for good or eat
    memory should run their work in a subprocess (as ``code_oracle`` does).
    """
    global _hung
    if timeout is None:
        return _call(oracle, text, problem)
    box: list[Verdict] = []
    t = threading.Thread(target=lambda: box.append(_call(oracle, text, problem)), daemon=True,
                         name="ptsfast-oracle")
    t.start()
    t.join(timeout)
    if not box:
        with _hung_lock:
            _hung += 1
            if _hung in (1, 10, 100, 1000):
                log.warning("oracle %s did not return within %.3gs (%d abandoned so far); those rollouts "
                            "count as failures - make the oracle faster or raise --oracle-timeout",
                            getattr(oracle, "__name__", oracle), timeout, _hung)
        return Verdict(False, f"oracle timed out after {timeout:g}s")
    return box[0]


def _call(oracle: Oracle, text: str, problem: Problem) -> Verdict:
    try:
        return Verdict(bool(oracle(text, problem)), None)
    except Exception as e:  # noqa: BLE001 - one bad rollout must not kill the run
        return Verdict(False, f"oracle raised {type(e).__name__}: {e}"[:500])


def make_judge(oracle: str | Oracle, timeout: float | None = 30.0) -> Callable[[str, Problem], Verdict]:
    """A ``(text, problem) -> Verdict`` function for the miner (the shape ``EngineSampler`` takes)."""
    fn = oracle_by_name(oracle)

    def _judge(text: str, problem: Problem) -> Verdict:
        return judge(fn, text, problem, timeout)

    _judge.__name__ = f"judge[{getattr(fn, '__name__', 'oracle')}]"
    return _judge
