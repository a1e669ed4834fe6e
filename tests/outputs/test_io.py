"""Run writer: durability/resume (a real SIGKILL mid-run), config guard, record builders, exports."""

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from tiny_models import byte_level_bpe

from ptsfast.problems.loading import Problem
from ptsfast.outputs.export import export
from ptsfast.outputs.rundir import (DONE, PAIRS, PIVOTS, PROBLEMS, RUN, RunDirError, RunWriter, pair_record,
                                    pivot_record, problem_record, read_jsonl, token_texts, trajectory_record)
from ptsfast.outputs.source import filter_records
from ptsfast.mining.types import EstimateSummary, PairRecord, PivotRecord, TrajectoryResult

ROOT = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent("""
    import random, sys, time
    from ptsfast.outputs.rundir import RunWriter

    out, seed, n, delay = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

    def records(pid):
        # deterministic per problem (not per run position): a resumed run writes the same bytes
        r = random.Random(f"{seed}-{pid}")
        pivots = [{"problem_id": pid, "position": r.randrange(50), "p_before": r.random(), "p_after": r.random(),
                   "direction": r.choice(["raises", "lowers"]), "prefix_ids": [r.randrange(1000) for _ in range(40)]}
                  for _ in range(r.randrange(4))]
        pairs = [{"prompt": "Q" * r.randrange(1, 300), "chosen": "a", "rejected": "b", "problem_id": pid,
                  "delta": r.uniform(-1, 1), "direction": r.choice(["raises", "lowers"])}
                 for _ in range(r.randrange(5))]
        return pivots, pairs, {"n_pivots": len(pivots), "estimates": [r.random() for _ in range(30)]}

    with RunWriter(out, {"seed": seed, "n": n}) as w:
        for k in range(n):
            pid = f"p{k:03d}"
            if w.is_done(pid):
                continue
            time.sleep(delay * random.random())
            w.write_problem(pid, *records(pid))
""")


def run_worker(script, out, seed, n, delay=0.0, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "python") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, str(script), str(out), str(seed), str(n), str(delay)], env=env, **kw)


def data_bytes(d):
    return {n: (Path(d) / n).read_bytes() for n in (PIVOTS, PAIRS, PROBLEMS)}


def test_sigkill_mid_run_then_resume_equals_uninterrupted_run(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    n = 40
    ref = tmp_path / "ref"
    assert run_worker(script, ref, 7, n).wait(60) == 0
    for attempt, kill_after in enumerate((5, 17)):
        out = tmp_path / f"killed{attempt}"
        proc = run_worker(script, out, 7, n, delay=0.02)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = out / DONE
            if done.exists() and done.read_bytes().count(b"\n") >= kill_after:
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        committed = (out / DONE).read_bytes().count(b"\n")
        assert kill_after <= committed < n, "the kill must land mid-run"
        assert run_worker(script, out, 7, n).wait(60) == 0
        assert data_bytes(out) == data_bytes(ref)
        ids = [r["problem_id"] for r in read_jsonl(out / PROBLEMS)]
        assert ids == [f"p{k:03d}" for k in range(n)]


def test_uncommitted_tail_and_torn_marker_are_truncated(tmp_path):
    with RunWriter(tmp_path, {"a": 1}) as w:
        w.write_problem("x", [{"k": 1}], [{"prompt": "p", "chosen": "c", "rejected": "r"}], {"s": 1})
    good = data_bytes(tmp_path)
    # a crash after the records of problem "y" were partly written, and a torn marker
    with open(tmp_path / PIVOTS, "ab") as f:
        f.write(b'{"k": 2}\n{"k": 3')
    with open(tmp_path / PROBLEMS, "ab") as f:
        f.write(b'{"problem_id": "y"}\n')
    with open(tmp_path / DONE, "ab") as f:
        f.write(b'{"problem_id": "y", "sizes": {')
    with RunWriter(tmp_path, {"a": 1}) as w:
        assert set(w.done) == {"x"} and not w.is_done("y")
        assert data_bytes(tmp_path) == good
        w.write_problem("y", [{"k": 2}], [], {"s": 2})
        with pytest.raises(RunDirError, match="already written"):
            w.write_problem("y", [], [], {})
    assert [r["k"] for r in read_jsonl(tmp_path / PIVOTS)] == [1, 2]
    assert [r["problem_id"] for r in read_jsonl(tmp_path / PROBLEMS)] == ["x", "y"]
    assert len(list(read_jsonl(tmp_path / DONE))) == 2


def test_lost_markers_are_an_error_not_a_fresh_start(tmp_path):
    # done.jsonl deleted (or cut back): the finished problems' records would all have been truncated away
    with RunWriter(tmp_path, {"a": 1}) as w:
        for pid in ("x", "y", "z"):
            w.write_problem(pid, [{"problem_id": pid, "k": 1}], [], {"s": 1})
    good = data_bytes(tmp_path)
    markers = (tmp_path / DONE).read_bytes()
    for kept in (b"", markers.split(b"\n", 1)[0] + b"\n"):
        (tmp_path / DONE).write_bytes(kept)
        with pytest.raises(RunDirError, match=r"records of \d problems .* last marker in done.jsonl.*restore"):
            RunWriter(tmp_path, {"a": 1})
        assert data_bytes(tmp_path) == good
    (tmp_path / DONE).unlink()
    with pytest.raises(RunDirError, match="records of 3 problems"):
        RunWriter(tmp_path, {"a": 1})
    (tmp_path / DONE).write_bytes(markers)
    with RunWriter(tmp_path, {"a": 1}) as w:
        assert set(w.done) == {"x", "y", "z"}


def test_a_done_problems_records_after_its_edited_marker_are_an_error_not_truncated(tmp_path):
    # the last marker edited to commit the sizes before it: the records after them are a finished problem's, not a
    # crash's (a crash's problem has no marker), and truncating them would lose that problem for good
    with RunWriter(tmp_path, {"a": 1}) as w:
        for pid in ("x", "y"):
            w.write_problem(pid, [{"problem_id": pid, "k": 1}], [], {"s": 1})
    good = data_bytes(tmp_path)
    markers = [json.loads(line) for line in (tmp_path / DONE).read_text().splitlines()]
    markers[1] = {**markers[1], "sizes": markers[0]["sizes"], "lines": markers[0]["lines"]}
    (tmp_path / DONE).write_text("".join(json.dumps(m) + "\n" for m in markers))
    with pytest.raises(RunDirError, match=r"records of problem 'y' .* though that problem is done.*restore done.jsonl"):
        RunWriter(tmp_path, {"a": 1})
    assert data_bytes(tmp_path) == good


def test_lost_committed_data_is_an_error(tmp_path):
    with RunWriter(tmp_path, {"a": 1}) as w:
        w.write_problem("x", [{"k": 1}], [], {})
    os.truncate(tmp_path / PIVOTS, 3)
    with pytest.raises(RunDirError, match="shorter .* than its committed size.*--overwrite"):
        RunWriter(tmp_path, {"a": 1})


def test_config_guard_overwrite_and_lock(tmp_path):
    with RunWriter(tmp_path, {"seed": 1, "gap": 0.2}, info={"model": "m"}) as w:
        w.write_problem("x", [], [], {})
        with pytest.raises(RunDirError, match="another ptsfast run is writing"):
            RunWriter(tmp_path, {"seed": 1, "gap": 0.2})
    run = json.loads((tmp_path / RUN).read_text())
    assert run["config"] == {"seed": 1, "gap": 0.2} and run["model"] == "m"
    with pytest.raises(RunDirError,
                       match=r"other settings that change results \(seed was 1, now 2\).*--out .*--overwrite"):
        RunWriter(tmp_path, {"seed": 2, "gap": 0.2})
    with RunWriter(tmp_path, {"seed": 2, "gap": 0.2}, overwrite=True) as w:
        assert not w.done
    assert (tmp_path / PROBLEMS).read_bytes() == b""
    other = tmp_path / "other"
    other.mkdir()
    (other / PIVOTS).write_text('{"x": 1}\n')
    with pytest.raises(RunDirError, match="no run.json"):
        RunWriter(other, {})


@pytest.fixture(scope="module")
def bpe():
    """A real byte-level BPE tokenizer (trained in memory; byte-level splits UTF-8 across tokens)."""
    return byte_level_bpe()


def test_token_texts_keep_multibyte_characters_whole(bpe):
    text = "Tom has 8 €, ünïcödé 🍎 apples."
    ids = bpe(text)["input_ids"]
    parts = token_texts(bpe, ids)
    assert "".join(parts) == text and len(parts) == len(ids)
    assert not any("\ufffd" in p for p in parts)


def metaspace_tokenizer():
    """A Llama 2 / Mistral-style tokenizer: Metaspace words and the decoder that strips a text's leading space."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{f"\u2581w{k}": k for k in range(3, 40)}}
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first")
    tk.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                    decoders.Strip(" ", 1, 0)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", bos_token="<s>", eos_token="</s>")


def test_a_pair_prompt_leaves_out_the_bos_its_tokenizer_adds_itself():
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast
    backend = metaspace_tokenizer().backend_tokenizer
    backend.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    prefix = tok("w3 w16 w29")["input_ids"]
    assert prefix[0] == 1
    pr = PairRecord(("p", 0), "p", 3, tuple(prefix), 17, 2, est(0.9, 9, 10, 0.6, 1), est(0.1, 1, 10, 0, 0.4), "raises")
    d = pair_record(pr, tok, {})
    assert not d["prompt"].startswith("<s>") and d["prompt_ids"] == prefix
    assert tok(d["prompt"])["input_ids"] == prefix  # as TRL tokenises a text prompt: one BOS
    assert tok(d["prompt"] + d["chosen"])["input_ids"] == prefix + [17]


def test_pair_and_pivot_texts_are_what_each_token_adds_after_the_prompt():
    tok = metaspace_tokenizer()
    prefix = [1] + tok("w3 w16 w29", add_special_tokens=False)["input_ids"]
    assert tok.decode([17]) == "w17"  # decoded alone, the token's leading space is gone
    pr = PairRecord(("p", 0), "p", 3, tuple(prefix), 17, 2, est(0.9, 9, 10, 0.6, 1), est(0.1, 1, 10, 0, 0.4), "raises")
    d = pair_record(pr, tok, {})
    assert d["chosen"] == " w17" and d["rejected"] == "</s>"
    assert tok(d["prompt"] + d["chosen"], add_special_tokens=False)["input_ids"] == prefix + [17]
    assert d["text_exact"]
    pv = PivotRecord(("p", 0), "p", 3, 17, est(0.2, 2, 10, 0, 0.5), est(0.9, 9, 10, 0.6, 1), "raises")
    r = pivot_record(pv, tok, prefix[:1], prefix[1:] + [17], {})
    assert r["token"] == " w17" and r["prefix_text"] + r["token"] == tok.decode(prefix + [17])


def test_a_pair_whose_text_tokenises_to_other_ids_says_so(bpe):
    """Trained as text (plain TRL re-tokenises it), such a pair is another pair: a side that only starts a
    character, or a prefix the model tokenised its own way (" apples" sampled as " app" + "les")."""
    prompt = bpe("<|im_start|>user\nWhat is 2+3?<|im_end|>")["input_ids"]
    sol = bpe("Tom has 3 apples")["input_ids"]
    good, bad = est(0.75, 12, 16, 0.5, 0.9), est(0.1, 1, 10, 0, 0.4)

    def record(prefix, chosen, rejected):
        return pair_record(PairRecord(("p", 0), "p", 3, tuple(prefix), chosen, rejected, good, bad, "raises"), bpe, {})

    assert record(prompt + sol[:-1], sol[-1], sol[0])["text_exact"]
    first_byte = bpe.convert_tokens_to_ids("\u00c3")  # byte-level BPE: 0xC3, the first byte of "é"
    assert bpe.decode([first_byte]) == "\ufffd"
    assert not record(prompt + sol[:-1], first_byte, sol[0])["text_exact"]
    split = [t for word in ("T", "om") for t in bpe(word, add_special_tokens=False)["input_ids"]]
    assert bpe.decode(split) == "Tom" and bpe("Tom", add_special_tokens=False)["input_ids"] != split
    assert not record(prompt + split, sol[1], sol[0])["text_exact"]


def est(p, s, n, lo, hi, exact=False):
    return EstimateSummary(p, s, n, lo, hi, exact)


def test_record_builders_from_search_results(bpe):
    prompt = bpe("<|im_start|>user\nWhat is 2+3?<|im_end|>")["input_ids"]
    sol = bpe("Tom has 3 apples and buys 5 more, so he has 8 apples.")["input_ids"]
    pv = PivotRecord(("p1", 0), "p1", 4, sol[4], est(0.25, 4, 16, 0.1, 0.5), est(0.75, 12, 16, 0.5, 0.9), "raises")
    run = {"model": "tiny", "sampler": {"temperature": 1.0}, "seed": 3}
    r = pivot_record(pv, bpe, prompt, sol, run)
    assert r["prefix_ids"] == prompt + sol[:4] and r["token_id"] == sol[4]
    assert r["delta"] == pytest.approx(0.5) and r["before"]["trials"] == 16 and r["seed"] == 3
    assert r["trajectory"] == ["p1", 0] and r["direction"] == "raises"
    pr = PairRecord(("p1", 0), "p1", 4, tuple(prompt + sol[:4]), sol[4], 17, est(0.75, 12, 16, 0.5, 0.9),
                    est(0.1, 1, 10, 0, 0.4), "raises")
    d = pair_record(pr, bpe, run)
    assert d["prompt"] == bpe.decode(prompt + sol[:4]) and d["prompt"].startswith("<|im_start|>user")
    assert d["chosen"] == bpe.decode([sol[4]]) and d["rejected_ids"] == [17]
    assert d["delta"] == pytest.approx(0.65) and d["model"] == "tiny"
    tr = TrajectoryResult(("p1", 0), "p1", True, est(0.5, 8, 16, 0.3, 0.7), [pv], [pr],
                          {0: est(0.5, 8, 16, 0.3, 0.7), 4: pv.before, 5: pv.after, len(sol): est(1, 1, 1, 1, 1, True)},
                          [(0, 4), (4, 5), (5, len(sol))], rollouts=99)
    t = trajectory_record(tr, bpe, prompt, sol, correct=True)
    assert [e["position"] for e in t["estimates"]] == [0, 4, 5, len(sol)]
    assert "".join(t["tokens"]) == bpe.decode(sol) and t["n_pivots"] == 1 and t["rollouts"] == 99
    p = problem_record(Problem("p1", "What is 2+3?", "5"), [t], prompt)
    assert p["n_pairs"] == 1 and p["rollouts"] == 99
    json.dumps([r, d, p], allow_nan=False)


def _run_with_pairs(tmp_path):
    pairs = [{"prompt": "Q1", "chosen": " 8", "rejected": " 9", "prompt_ids": [1], "chosen_ids": [8],
              "rejected_ids": [9], "direction": "raises", "delta": 0.6, "confirmed": True},
             {"prompt": "Q2", "chosen": " +", "rejected": " -", "prompt_ids": [2], "chosen_ids": [3],
              "rejected_ids": [4], "direction": "lowers", "delta": 0.25, "confirmed": None},
             {"prompt": "Q3", "chosen": "a", "rejected": "b", "prompt_ids": [5], "chosen_ids": [6],
              "rejected_ids": [7], "direction": "raises", "delta": 0.3, "confirmed": False},
             {"prompt": "Q4", "chosen": "c", "rejected": "d", "prompt_ids": [5], "chosen_ids": [8],
              "rejected_ids": [9], "direction": "raises", "delta": 0.3, "confirmed": "refuted"},
             {"prompt": "Q5", "chosen": "e", "rejected": "f", "prompt_ids": [5], "chosen_ids": [10],
              "rejected_ids": [11], "direction": "raises", "delta": 0.3, "confirmed": "undecided"},
             {"prompt": "Q6", "chosen": "g", "rejected": "h", "prompt_ids": [5], "chosen_ids": [12],
              "rejected_ids": [13], "direction": "raises", "delta": 0.3, "confirmed": "confirmed"}]
    with RunWriter(tmp_path / "run", {"x": 1}) as w:
        w.write_problem("a", [{"position": 1, "direction": "raises", "delta": 0.6}], pairs[:2], {})
        w.write_problem("b", [], pairs[2:], {})
    return tmp_path / "run"


def test_export_trl_with_filters(tmp_path):
    run = _run_with_pairs(tmp_path)
    assert export(run, tmp_path / "all.jsonl") == 4  # never the refuted ones (False in older runs)
    first = json.loads((tmp_path / "all.jsonl").read_text().splitlines()[0])
    assert list(first)[:3] == ["prompt", "chosen", "rejected"] and first["chosen_ids"] == [8]
    assert export(run, tmp_path / "r.jsonl", direction="raises", min_delta=0.5, keep_fields=False) == 1
    assert json.loads((tmp_path / "r.jsonl").read_text()) == {"prompt": "Q1", "chosen": " 8", "rejected": " 9"}
    assert export(run, tmp_path / "c.jsonl", confirmed_only=True) == 2  # not undecided, nor unconfirmed
    assert export(run, tmp_path / "pv.jsonl", fmt="jsonl", kind="pivots") == 1
    with pytest.raises(ValueError, match="direction"):
        filter_records([], direction="up")
    with pytest.raises(ValueError, match="unknown export format"):
        export(run, tmp_path / "x", fmt="xml")


def test_export_reads_what_is_committed_and_a_hand_written_files_last_line(tmp_path):
    run = _run_with_pairs(tmp_path)
    extra = {"prompt": "Q7", "chosen": "i", "rejected": "j", "direction": "raises", "delta": 0.9, "confirmed": True}
    with open(run / PAIRS, "a") as f:  # a problem still being written (or killed): no done marker counts it
        f.write(json.dumps(extra) + "\n" + json.dumps(extra)[:20])
    assert export(run, tmp_path / "all.jsonl") == 4
    loose = tmp_path / "mine.jsonl"  # written by hand, no final newline: its last record counts
    loose.write_text(json.dumps(extra) + "\n" + json.dumps({**extra, "prompt": "Q8"}))
    assert export(loose, tmp_path / "loose.jsonl") == 2


def test_export_hf_dataset_roundtrip(tmp_path):
    import datasets

    run = _run_with_pairs(tmp_path)
    assert export(run / PAIRS, tmp_path / "ds", fmt="hf", direction="lowers") == 1
    ds = datasets.load_from_disk(str(tmp_path / "ds"))
    assert ds.num_rows == 1 and ds[0]["prompt"] == "Q2" and ds[0]["chosen_ids"] == [3]


def test_a_record_over_a_mebibyte_resumes(tmp_path):
    # the resume read its last committed line within the last MiB only: a long record (a problem's trajectories hold
    # every token and text) made an untouched run look edited, and it could never be resumed
    big = "x" * (3 << 20)
    with RunWriter(tmp_path, {"a": 1}) as w:
        w.write_problem("x", [{"problem_id": "x", "k": 1}], [], {"text": big})
    with RunWriter(tmp_path, {"a": 1}) as w:
        assert set(w.done) == {"x"}
        w.write_problem("y", [], [], {"text": big})
    assert [r["problem_id"] for r in read_jsonl(tmp_path / PROBLEMS)] == ["x", "y"]


def test_overwrite_removes_every_file_of_the_discarded_run(tmp_path):
    with RunWriter(tmp_path, {"a": 1}, data_files=("sentences.jsonl", PROBLEMS)) as w:
        w.write_records("x", {"sentences.jsonl": [{"s": 1}], PROBLEMS: [{"problem_id": "x"}]})
    (tmp_path / "report.html").write_text("<html><meta name='generator' content='ptsfast report'>old</html>")
    with RunWriter(tmp_path, {"a": 2}, overwrite=True) as w:  # a mine run over an anchors run
        assert not w.done
    assert not (tmp_path / "sentences.jsonl").exists() and not (tmp_path / "report.html").exists()


def test_an_export_of_a_cut_records_file_names_the_committed_records_it_lacks(tmp_path, caplog):
    run = tmp_path / "run"
    with RunWriter(run, {"a": 1}) as w:
        for pid in ("x", "y"):
            w.write_problem(pid, [{"problem_id": pid, "position": 1, "direction": "raises", "delta": 0.5}], [], {})
    kept = (run / PIVOTS).read_text().splitlines(keepends=True)[:1]
    (run / PIVOTS).write_text("".join(kept))  # the second committed pivot is gone (a copy cut short)
    with caplog.at_level(logging.WARNING):
        assert export(run, tmp_path / "pv.jsonl", fmt="jsonl", kind="pivots") == 1
    assert f"{run / PIVOTS} holds 1 of the 2 records its run committed" in caplog.text and "restore" in caplog.text


def test_min_delta_keeps_a_record_at_the_bound_by_its_counts():
    """``--min-delta 0.2`` dropped a pivot whose Δp is 0.2 by its counts: 1 - 48/60 computes as 0.1999..."""
    from ptsfast.outputs.source import filter_records

    at = {"direction": "lowers", "delta": 48 / 60 - 1, "confirmed": "confirmed"}
    below = {"direction": "lowers", "delta": -0.19, "confirmed": "confirmed"}
    assert filter_records([at, below], min_delta=0.2) == [at]
