"""Do correct solutions pass? A code dataset's canonical solutions judged by ptsfast's code oracle, each next to a
plain run of the same code and tests (the dataset's own way: BigCodeBench concatenates them into one module and
runs its ``TestCases``; HumanEval runs ``check(entry_point)`` after them).

Why: a verdict that fails a correct solution makes every p(success) along a trajectory too low, and the harness's
guards (the frame guard, the tests' stand-ins, the checks of the values the tests read) are exactly what could do
that. Disagreements are listed with the harness's last lines; where both fail, the machine lacks what the task
needs (a library's version, a network).

    python benchmarks/scripts/canonical_verdicts.py BigCodeBench.jsonl.gz [--format bigcodebench] [--out results.json]
    python benchmarks/scripts/canonical_verdicts.py HumanEval.jsonl.gz --format humaneval

Rows whose libraries are not installed are left out (BigCodeBench's ``libs``). Files come from the user (no
download). The plain run executes the dataset's code as you, outside any sandbox (some tasks write to absolute
paths or change permissions): run it in a throwaway container.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from ptsfast.problems.code_tests import TestFormatError, TestProgram
from ptsfast.problems.oracles import judge_code

RUNNERS = {  # the dataset's own way, appended to solution + tests
    "bigcodebench": "\n\nif __name__ == '__main__':\n    import sys, unittest\n"
                    "    r = unittest.TextTestRunner(verbosity=0).run("
                    "unittest.TestLoader().loadTestsFromTestCase(TestCases))\n"
                    "    sys.exit(0 if r.wasSuccessful() else 1)\n",
    "humaneval": "\n\ncheck({entry_point})\n",
}


def rows_of(path: str) -> list[dict]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def installed(lib: str) -> bool:
    top = lib.split(".")[0]
    return top in sys.stdlib_module_names or importlib.util.find_spec(top) is not None


def plain_run(program: str, timeout: float) -> tuple[bool | None, str]:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "prog.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(program)
        try:
            res = subprocess.run([sys.executable, path], cwd=d, capture_output=True, timeout=timeout,
                                 env={**os.environ, "MPLBACKEND": "Agg"})
        except subprocess.TimeoutExpired:
            return None, "timeout"
        return res.returncode == 0, res.stderr.decode(errors="replace")[-600:]


def judge_row(row: dict, fmt: str, timeout: float) -> dict:
    if fmt == "bigcodebench":
        code, tests = row["code_prompt"] + row["canonical_solution"], row["test"]
        program = code + "\n\n" + tests + RUNNERS[fmt]
    else:
        code, tests = row["prompt"] + row["canonical_solution"], row["test"]
        program = code + "\n\n" + tests + RUNNERS[fmt].format(entry_point=row["entry_point"])
    t0 = time.perf_counter()
    plain, plain_out = plain_run(program, timeout)
    try:
        checks = TestProgram.from_text(tests, entry_point=row["entry_point"])
    except TestFormatError as e:  # refused at load (a test that cannot fail): the row is never mined, no verdict
        return {"task_id": row["task_id"], "plain": plain, "ptsfast": "refused", "refused": str(e)[:300]}
    res = judge_code(code, checks, timeout=timeout)
    ours = None if res.timed_out else res.passed
    lines = [ln for ln in ((res.reason or "") + "\n" + (res.output or "")).splitlines() if ln.strip()]
    return {"task_id": row["task_id"], "plain": plain, "ptsfast": ours, "seconds": round(time.perf_counter() - t0, 1),
            **({"ptsfast_last": lines[-3:], "plain_last": plain_out.splitlines()[-3:]} if plain != ours else {})}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", help="the dataset's JSONL (.gz) file")
    ap.add_argument("--format", choices=sorted(RUNNERS), default="bigcodebench")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run, each way")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=None, help="write the summary and every disagreement as JSON here")
    a = ap.parse_args(argv)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rows = rows_of(a.path)
    if a.format == "bigcodebench":
        rows = [r for r in rows if all(installed(lib) for lib in ast.literal_eval(r["libs"]))]
    with ThreadPoolExecutor(a.workers) as ex:
        results = list(ex.map(lambda r: judge_row(r, a.format, a.timeout), rows))
    count = {}
    for r in results:
        key = f"plain {r['plain']}, ptsfast {r['ptsfast']}"
        count[key] = count.get(key, 0) + 1
    summary = {"dataset": os.path.basename(a.path), "format": a.format, "commit": commit, "rows": len(results),
               "counts": count, "disagreements": [r for r in results if r["plain"] != r["ptsfast"]]}
    print(json.dumps({k: v for k, v in summary.items() if k != "disagreements"}, indent=1))
    for r in summary["disagreements"]:
        print(r["task_id"], "plain", r["plain"], "ptsfast", r["ptsfast"], r.get("ptsfast_last", [""])[-1:])
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
    return summary


if __name__ == "__main__":
    main()
