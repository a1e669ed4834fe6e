"""Exports of round 18: what an export that was killed (kill -9: no cleanup runs) leaves beside its path, and what
the next export to that path does with it."""

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round18") / "run"
    mine_tiny_pivot_run(out)
    return out


def _other_run(run, folder):
    """A copy of ``run`` as a run mined with another gap: another run, whose export replaces this one's only with
    --force."""
    shutil.copytree(run, folder)
    info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    info["config"]["mining"]["gap"] = 0.3
    (folder / "run.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return folder


KILLED = """
import os, signal, sys
import datasets
from ptsfast.outputs.export import export

src, out, when = sys.argv[1:]
real_replace, real_save = os.replace, datasets.Dataset.save_to_disk

def replace(a, b):
    real_replace(a, b)
    if (when == "between" and ".old-" in os.fspath(b)) or (when == "after" and os.fspath(b) == out):
        os.kill(os.getpid(), signal.SIGKILL)

def save_to_disk(self, path, **kw):
    real_save(self, path, **kw)
    if when == "writing":
        os.kill(os.getpid(), signal.SIGKILL)

os.replace = replace
datasets.Dataset.save_to_disk = save_to_disk
export(src, out, fmt="hf", force=True)
"""


def _killed_export(src, out, when):
    """An hf export of ``src`` to ``out`` killed with SIGKILL ``when``: 'between' its two renames (the earlier export
    set aside, the new one not yet in place), 'after' them (before the set-aside one is removed), or while
    'writing' the new one."""
    done = subprocess.run([sys.executable, "-c", KILLED, str(src), str(out.resolve()), when], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == -9, done.stderr[-3000:]


def _hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


def test_an_hf_export_killed_between_its_renames_has_the_earlier_export_moved_back_by_the_next(run, tmp_path,
                                                                                              caplog):
    """Killed between its two renames, an hf export left the finished earlier export under '.<name>.old-<pid>' and
    no folder at the path: the next export, of another run and without --force, wrote there as at a new path, and
    the earlier export stayed hidden for good. The next export moves it back, says so, and the write rule holds
    (another run's export is refused without --force); the half-written one is removed."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    before = sorted(os.listdir(out))
    _killed_export(run, out, "between")
    assert not out.exists() and any(".old-" in h for h in _hidden(tmp_path)), os.listdir(tmp_path)
    other = _other_run(run, tmp_path / "other")
    with caplog.at_level(logging.WARNING), pytest.raises(ExportError, match="not this run's.*--force"):
        export(other, out, fmt="hf")
    assert "moved the earlier hf export" in caplog.text and "killed" in caplog.text, caplog.text
    assert sorted(os.listdir(out)) == before and _hidden(tmp_path) == []
    import datasets

    assert len(datasets.load_from_disk(str(out))) == n
    assert export(run, out, fmt="hf") == n and _hidden(tmp_path) == []


@pytest.mark.parametrize("when", ["after", "writing"])
def test_what_a_killed_hf_export_left_beside_its_path_is_removed_by_the_next(run, tmp_path, caplog, when):
    """Killed after its second rename, an hf export left the earlier export it replaced under '.<name>.old-<pid>';
    killed while writing, its half-written folder ('.<name>.XXXXXXXX.tmp', as big as the dataset): both stayed
    beside the path for good. The next export to the path removes them and says so; the finished export stays."""
    out = tmp_path / "out"
    n = export(run, out, fmt="hf")
    _killed_export(run, out, when)
    assert out.is_dir() and len(_hidden(tmp_path)) == 1, os.listdir(tmp_path)
    with caplog.at_level(logging.WARNING):
        assert export(run, tmp_path / "b.jsonl") == n  # another path: what was left at this one is not its own
    assert len(_hidden(tmp_path)) == 1 and "removed" not in caplog.text
    with caplog.at_level(logging.WARNING):
        assert export(run, out, fmt="hf") == n
    assert "removed" in caplog.text and "killed" in caplog.text, caplog.text
    assert _hidden(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_half_written_jsonl_export_of_a_dead_process_is_removed_and_a_running_ones_kept(run, tmp_path, caplog):
    """A JSONL export killed while writing left its temporary file beside the path; one of a process that still
    runs (an export writing to the same path now) is another export's and is kept, and so is a folder of that name
    holding files an export does not write."""
    out = tmp_path / "pairs.jsonl"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead, running = f".pairs.jsonl.{_dead_pid()}-abcdefgh.tmp", f".pairs.jsonl.{live.pid}-abcdefgh.tmp"
        for name in (dead, running):
            (tmp_path / name).write_text('{"prompt": "half', encoding="utf-8")
        theirs = tmp_path / f".out.old-{_dead_pid()}"
        theirs.mkdir()
        (theirs / "notes.txt").write_text("mine", encoding="utf-8")
        with caplog.at_level(logging.WARNING):
            assert export(run, out) > 0
            export(run, tmp_path / "out", fmt="hf")
        assert _hidden(tmp_path) == sorted([running, theirs.name]), os.listdir(tmp_path)
        assert "not an hf export" in caplog.text and (theirs / "notes.txt").read_text(encoding="utf-8") == "mine"
    finally:
        live.kill()
        live.wait()


def _many_pivots_run(run, folder, problems: int, prompt_len: int, solution_len: int, per: int):
    """A run of ``problems`` problems of two trajectories each with ``per`` pivots and pairs a trajectory, made of
    the records of ``run`` (the tiny mined run) as templates: as many and as long as a test needs."""
    import random

    from tiny_models import tiny_tokenizer

    from ptsfast.outputs.rundir import RunWriter

    tok, rng = tiny_tokenizer(), random.Random(0)
    first = {n: json.loads((run / f"{n}.jsonl").read_text(encoding="utf-8").splitlines()[0])
             for n in ("pivots", "pairs", "problems")}
    with RunWriter(folder, json.loads((run / "run.json").read_text(encoding="utf-8"))["config"]) as w:
        for i in range(problems):
            prompt, trajectories, pivots, pairs = [rng.randrange(3, 90) for _ in range(prompt_len)], [], [], []
            for t in range(2):
                solution, key = [rng.randrange(3, 90) for _ in range(solution_len)], f"q{i}#{t}"
                trajectories.append({**first["problems"]["trajectories"][0], "key": key, "solution_ids": solution,
                                     "tokens": [f" w{x}" for x in solution]})
                for pos in sorted(rng.sample(range(0, solution_len, 2), per)):  # none right after another
                    prefix, d = prompt + solution[:pos], ("raises", "lowers")[pos % 2]
                    alt = 7 if solution[pos] != 7 else 9
                    chosen, rejected = (solution[pos], alt) if d == "raises" else (alt, solution[pos])
                    common = {"problem_id": f"q{i}", "trajectory": key, "position": pos, "direction": d,
                              "prompt_len": prompt_len}
                    pivots.append({**first["pivots"], **common, "token_id": solution[pos], "prefix_ids": prefix,
                                   "token": f" w{solution[pos]}", "prefix_text": tok.decode(prefix),
                                   "p_before": 0.4, "p_after": 0.9 if d == "raises" else 0.0})
                    pairs.append({**first["pairs"], **common, "prompt": tok.decode(prefix), "prompt_ids": prefix,
                                  "chosen": f" w{chosen}", "rejected": f" w{rejected}", "chosen_ids": [chosen],
                                  "rejected_ids": [rejected]})
            w.write_problem(f"q{i}", pivots, pairs, {**first["problems"], "prompt_ids": prompt,
                                                     "question": tok.decode(prompt), "trajectories": trajectories})
    return folder


def test_the_steering_export_writes_each_record_as_it_is_made_not_all_at_once(run, tmp_path):
    """A steering record holds its vector and its kind's mean as lists of floats (~32 bytes a float): the export
    built every record before writing the first, so 4,000 pivots of a model of hidden size 2,048 held 0.7 GB beside
    the run's records (peak RSS 1,213 MB, 489 before the export). Each record is made as it is written now, and a
    kind's mean is one list (709 MB, the same bytes written); here the records' Python memory at its peak stays
    under half of what the records hold."""
    import tracemalloc

    from tiny_models import tiny_model, tiny_tokenizer

    many = _many_pivots_run(run, tmp_path / "many", problems=10, prompt_len=6, solution_len=30, per=10)
    hidden = 1024
    model = tiny_model("llama", hidden_size=hidden, intermediate_size=32, num_hidden_layers=1,
                       num_attention_heads=4, num_key_value_heads=4)
    pair = (model, tiny_tokenizer())
    assert export(many, tmp_path / "warm.jsonl", fmt="steering", model=pair) == 200  # imports and caches first
    tracemalloc.start()
    try:
        assert export(many, tmp_path / "s.jsonl", fmt="steering", model=pair) == 200
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held = 200 * 2 * hidden * 32  # two lists of floats a record, as the export held them
    assert peak < held / 2, (peak, held)
    recs = read(tmp_path / "s.jsonl")
    assert len(recs) == 200 and all(len(r["steering_vector"]) == len(r["cluster_vector"]) == hidden for r in recs)
    assert (tmp_path / "s.jsonl").read_bytes() == (tmp_path / "warm.jsonl").read_bytes()


def read(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


@pytest.mark.parametrize("add_bos", [False, True])
def test_the_pts_export_tokenises_a_pivots_long_context_once_a_check(run, tmp_path, monkeypatch, add_bos):
    """Given the model (--model), the pts export says whether each record's text tokenises back to its ids; with a
    tokenizer that adds a BOS it tokenised the whole context twice over for the context alone and twice for the
    pivot token's text after it (~10 ms a tokenisation of 7,000 tokens with a BPE tokenizer): 1,000 pivots after
    6,000 tokens took 48.5 s, 21.7 s now with the same bytes written. Without a BOS it tokenised the context and
    the pivot token's text twice (for the pivot, then for its pair). No text is tokenised twice now."""
    from tiny_models import tiny_model, tiny_tokenizer
    from transformers import PreTrainedTokenizerFast

    many = _many_pivots_run(run, tmp_path / "many", problems=2, prompt_len=40, solution_len=30, per=5)
    pair = (tiny_model("llama"), tiny_tokenizer(add_bos=add_bos))
    real, whole = PreTrainedTokenizerFast.__call__, []

    def counted(self, text=None, *args, **kwargs):
        if isinstance(text, str) and len(text) > 100:  # a context, not the probe of the special tokens ("a")
            whole.append(text)
        return real(self, text, *args, **kwargs)

    monkeypatch.setattr(PreTrainedTokenizerFast, "__call__", counted)
    assert export(many, tmp_path / "pts.jsonl", fmt="pts", model=pair) == 20
    recs = read(tmp_path / "pts.jsonl")
    assert whole and len(whole) == len(set(whole)), (len(whole), len(set(whole)))  # no text tokenised twice
    assert all(r["pivot_context_exact"] is (not add_bos) for r in recs)
    assert any(r.get("rejected_token") is not None for r in recs)


def test_a_leftover_the_export_cannot_remove_is_named_and_the_export_goes_on(run, tmp_path, monkeypatch, caplog):
    """What a killed export left is removed on the way: where that fails (a folder shared with another user, a
    read-only mount), the export ended in that OSError's traceback before its own work; it says what it could not
    remove and goes on now."""
    from pathlib import Path

    out = tmp_path / "pairs.jsonl"
    left = tmp_path / f".pairs.jsonl.{_dead_pid()}-abcdefgh.tmp"
    left.write_text('{"prompt": "half', encoding="utf-8")
    real = Path.unlink

    def unlink(self, *args, **kwargs):
        if self == left:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    with caplog.at_level(logging.WARNING):
        assert export(run, out) > 0
    assert "could not remove" in caplog.text and "Permission denied" in caplog.text, caplog.text
    assert left.exists() and out.is_file()


@pytest.mark.parametrize("fmt", ["trl", "pts"])
def test_records_of_a_problem_the_run_did_not_mark_done_are_left_out_with_a_word(run, tmp_path, caplog, fmt):
    """A run stopped while writing a problem (killed between its records and its done marker, or a done.jsonl cut
    short by a copy) holds records after the last problem marked done: they are left out, as a resume truncates
    and redoes them, but without a word the export had fewer records than the files and nothing said why."""
    torn = tmp_path / "torn"
    shutil.copytree(run, torn)
    done = (torn / "done.jsonl").read_bytes()
    (torn / "done.jsonl").write_bytes(done[:-5])  # the last marker torn
    with caplog.at_level(logging.WARNING):
        n = export(torn, tmp_path / "torn.jsonl", fmt=fmt)
    assert 0 < n < export(run, tmp_path / "whole.jsonl", fmt=fmt)
    assert "after the last problem its run marked done" in caplog.text and "resume the run" in caplog.text, \
        caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "again.jsonl", fmt=fmt)  # a run whose problems are all marked done: nothing to say
    assert "marked done" not in caplog.text


def test_a_run_without_its_problems_file_says_its_records_carry_no_question(run, tmp_path, caplog):
    """problems.jsonl deleted (or not copied with the run): the pts export wrote codelion's query null in every
    record, and the trl export its original_query and answer null, without a word."""
    bare = tmp_path / "bare"
    shutil.copytree(run, bare)
    (bare / "problems.jsonl").unlink()
    for fmt in ("pts", "trl"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert export(bare, tmp_path / f"{fmt}.jsonl", fmt=fmt) > 0
        assert "problems.jsonl is missing" in caplog.text and "no question" in caplog.text, caplog.text
    assert all(r["query"] is None for r in read(tmp_path / "pts.jsonl"))
