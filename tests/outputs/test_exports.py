"""Exports of a real (tiny) mining run: codelion/pts pivotal tokens and steering vectors, and export safety."""

import json
import os
import shutil
import time
from pathlib import Path

import pytest
import torch
from tiny_models import byte_level_bpe, first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

from ptsfast.cli import main as cli
from ptsfast.problems.loading import Problem
from ptsfast.engine import EngineConfig
from ptsfast.outputs.codelion import PTS_FIELDS
from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError, open_source, read_records
from ptsfast.outputs.steering import STEERING_FIELDS
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.pipeline import MineOptions, mine


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A mined run (pivots of both directions, pairs) whose run.json names a loadable model folder."""
    root = tmp_path_factory.mktemp("exports")
    model_dir = root / "model"
    model = tiny_pivot_model()
    model.save_pretrained(model_dir)
    tiny_tokenizer().save_pretrained(model_dir)
    problems = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(4)]
    options = MineOptions(max_new_tokens=16, trajectories_per_problem=2, use_chat_template=False,
                          problems_per_batch=4, mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=512, block_size=8))
    out = root / "run"
    summary = mine(model, tiny_tokenizer(), problems, out, options, oracle=first_of_w7_w9, progress=False,
                   model_name=str(model_dir), dataset_id="tiny-set")
    assert summary["pivots"] >= 1 and summary["pairs"] >= 1, "the tiny setup is tuned to produce pivots"
    return out, model_dir


def jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


# --------------------------------------------------------------------------- codelion/pts records

def load_codelion_pivotal_token(d: dict) -> dict:
    """codelion/pts's documented pivotal_tokens.jsonl schema: every field present with its type and meaning."""
    types = {"model_id": str, "query": str, "pivot_context": str, "pivot_token": str, "pivot_token_id": int,
             "prob_before": float, "prob_after": float, "prob_delta": float, "is_positive": bool,
             "task_type": str, "dataset_id": (str, type(None)), "dataset_item_id": (str, type(None)),
             "timestamp": str}
    for name, t in types.items():
        assert name in d, name
        value = d[name]
        if t is float:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), name
        else:
            assert isinstance(value, t), (name, value)
    assert 0.0 <= d["prob_before"] <= 1.0 and 0.0 <= d["prob_after"] <= 1.0
    assert d["prob_delta"] == pytest.approx(d["prob_after"] - d["prob_before"])
    assert d["is_positive"] == (d["prob_delta"] > 0)
    time.strptime(d["timestamp"], "%Y-%m-%dT%H:%M:%S")
    return d


def exported_pivots(rundir):
    """The pivots an export writes by default: every one the confirmation did not refute, in record order."""
    pivots = jsonl(rundir / "pivots.jsonl")
    return [p for p in pivots if p["confirmed"] != "refuted"]


def test_pts_export_has_codelion_fields_and_meanings(run, tmp_path, capsys):
    rundir, _ = run
    out = tmp_path / "pivotal_tokens.jsonl"
    assert cli(["export", "--run", str(rundir), "--format", "pts", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("ptsfast: wrote ")
    records = jsonl(out)
    pivots = exported_pivots(rundir)
    pairs = {(p["problem_id"], p["trajectory"], p["position"]): p for p in jsonl(rundir / "pairs.jsonl")}
    problems = {p["problem_id"]: p for p in jsonl(rundir / "problems.jsonl")}
    assert len(records) == len(pivots) >= 1
    tok = tiny_tokenizer()
    for rec, pv in zip(records, pivots):
        load_codelion_pivotal_token(rec)
        assert tuple(rec)[:len(PTS_FIELDS)] == PTS_FIELDS  # codelion's fields first, in its order
        assert rec["prob_before"] == pv["p_before"] and rec["prob_after"] == pv["p_after"]
        # the token's text is what it adds after the context: the two tokenise back to the mined ids
        assert rec["pivot_token_id"] == pv["token_id"]
        assert tok(rec["pivot_context"] + rec["pivot_token"], add_special_tokens=False)["input_ids"] == \
            pv["prefix_ids"] + [pv["token_id"]]
        assert rec["query"] == problems[pv["problem_id"]]["question"]
        assert rec["dataset_id"] == "tiny-set" and rec["dataset_item_id"] == pv["problem_id"]
        assert rec["task_type"] == "generic" and rec["model_id"] == pv["model"]
        # the context text tokenises back to exactly the query ids the pivot was mined at
        assert tok(rec["pivot_context"], add_special_tokens=False)["input_ids"] == pv["prefix_ids"]
        assert rec["pivot_context_ids"] == pv["prefix_ids"] and rec["pivot_context_exact"] is True
        assert rec["before"]["trials"] > 0 and rec["direction"] == ("raises" if rec["is_positive"] else "lowers")
        pair = pairs.get((pv["problem_id"], pv["trajectory"], pv["position"]))
        if pair is not None:  # codelion's name for the alternative token, whichever side of the pair it is on
            alt = pair["rejected_ids"][0] if pair["chosen_ids"] == [pv["token_id"]] else pair["chosen_ids"][0]
            assert rec["rejected_token_id"] == alt
            assert tok(rec["pivot_context"] + rec["rejected_token"], add_special_tokens=False)["input_ids"] == \
                pv["prefix_ids"] + [alt]
    # codelion's DPO export shape is in the trl export too: prompt = pivot_context, metadata as codelion writes it
    dpo = tmp_path / "dpo.jsonl"
    assert cli(["export", "--run", str(rundir), "--out", str(dpo), "--quiet"]) == 0
    for pair in jsonl(dpo):
        assert tuple(pair)[:4] == ("prompt", "chosen", "rejected", "metadata")
        assert set(pair["metadata"]) == {"original_query", "prob_delta", "task_type"}
        assert pair["metadata"]["original_query"] == problems[pair["problem_id"]]["question"]
        assert pair["metadata"]["prob_delta"] >= 0.2


def test_pivot_context_roundtrips_through_a_bpe_chat_tokenizer():
    """With a byte-level BPE tokenizer and chat special tokens, the context text re-tokenises to the query ids;
    a non-canonical tokenisation (which a model can sample) is flagged instead of silently mismatching."""
    from ptsfast.outputs.rundir import pivot_record
    from ptsfast.mining.types import EstimateSummary, PivotRecord

    bpe = byte_level_bpe()
    prompt = bpe("<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n")["input_ids"]
    sol = bpe("Tom has 3 apples and buys 5 more, so he has 8 apples.")["input_ids"]
    est = EstimateSummary(0.5, 8, 16, 0.3, 0.7, False)
    rec = pivot_record(PivotRecord("p#0", "p", 6, sol[6], est, est, "raises"), bpe, prompt, sol, {"model": "m"})
    assert bpe(rec["prefix_text"], add_special_tokens=False)["input_ids"] == rec["prefix_ids"]
    assert rec["prefix_text_exact"] is True and rec["prefix_text"].startswith("<|im_start|>user")
    spelled = [t for ch in "Tom" for t in bpe(ch, add_special_tokens=False)["input_ids"]]  # T, o, m
    assert len(spelled) == 3 and spelled != bpe("Tom", add_special_tokens=False)["input_ids"]
    odd = pivot_record(PivotRecord("p#0", "p", 3, sol[0], est, est, "raises"), bpe, prompt, spelled + sol, {})
    assert odd["prefix_text_exact"] is False


# --------------------------------------------------------------------------- steering vectors

def reference_state(model, ids, layer):
    """Decoder layer ``layer``'s output at the last position of ``ids``, from a separate forward of ``ids`` alone."""
    with torch.no_grad():
        hs = model(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    assert layer + 1 < len(hs) - 1, "the last entry of hidden_states is normed; compare inner layers only"
    return hs[layer + 1][0, -1]


def test_steering_export_codelion_shape_and_values(run, tmp_path):
    rundir, model_dir = run
    out = tmp_path / "steering.jsonl"
    # the model defaults to the one recorded in run.json
    assert cli(["export", "--run", str(rundir), "--format", "steering", "--layer", "0", "--out", str(out),
                "--quiet"]) == 0
    records = jsonl(out)
    pivots = exported_pivots(rundir)
    assert len(records) == len(pivots)
    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    hidden = model.config.hidden_size
    for rec, pv in zip(records, pivots):
        assert tuple(rec)[:len(STEERING_FIELDS)] == STEERING_FIELDS
        assert rec["steering_layer"] == 0 and len(rec["steering_vector"]) == hidden == len(rec["cluster_vector"])
        assert (rec["cluster_id"], rec["reasoning_pattern"]) == (
            (0, "raises_success") if pv["direction"] == "raises" else (1, "lowers_success"))
        assert rec["is_positive"] == (pv["direction"] == "raises") and rec["pivot_context_ids"] == pv["prefix_ids"]
        ref = reference_state(model, pv["prefix_ids"], 0)
        torch.testing.assert_close(torch.tensor(rec["steering_vector"]), ref, rtol=1e-4, atol=1e-5)
    for kind in ("raises", "lowers"):
        group = [torch.tensor(r["steering_vector"]) for r, p in zip(records, pivots) if p["direction"] == kind]
        for r, p in zip(records, pivots):
            if p["direction"] == kind:
                torch.testing.assert_close(torch.tensor(r["cluster_vector"]), torch.stack(group).mean(0))
                assert r["cluster_size"] == len(group)


def test_a_copied_run_whose_model_is_not_here_names_the_run_and_the_model_flag(run, tmp_path, capsys):
    rundir, model_dir = run
    shutil.copytree(rundir, tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    info["config"]["model"] = str(tmp_path / "elsewhere" / "model")  # mined on another machine
    (tmp_path / "run" / "run.json").write_text(json.dumps(info))
    base = ["export", "--run", str(tmp_path / "run"), "--format", "steering", "--quiet", "--out"]
    assert cli(base + [str(tmp_path / "s.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(tmp_path / "elsewhere" / "model") in err[0], err
    assert f"the model {tmp_path / 'run'} was mined with" in err[0] and err[0].endswith("with --model)")
    assert cli(base + [str(tmp_path / "e.jsonl"), "--model", ""]) == 2  # was the run's model, without a word
    assert "--model is empty" in capsys.readouterr().err
    assert cli(base + [str(tmp_path / "s.jsonl"), "--model", str(model_dir)]) == 0
    assert not (tmp_path / "e.jsonl").exists() and (tmp_path / "s.jsonl").exists()


def test_steering_runs_one_forward_per_trajectory(run):
    """All pivots of a trajectory share one forward pass (a second pivot is added to one trajectory)."""
    rundir, model_dir = run
    from ptsfast.outputs.steering import steering_records
    from ptsfast.models import load_model

    source = open_source(rundir, "pivots.jsonl")
    pivots = read_records(source, "mined_pivots")
    extra = dict(pivots[0], position=pivots[0]["position"] - 1, prefix_ids=pivots[0]["prefix_ids"][:-1],
                 token_id=pivots[0]["prefix_ids"][-1], token=tiny_tokenizer().decode([pivots[0]["prefix_ids"][-1]]))
    pivots = [*pivots, extra]
    model, tok = load_model(model_dir)
    calls = []
    handle = model.register_forward_pre_hook(lambda *a: calls.append(1))
    try:
        records = steering_records(pivots, source, model, layer=1, tokenizer=tok)
    finally:
        handle.remove()
    trajectories = {(p["problem_id"], p["trajectory"]) for p in pivots}
    assert len(calls) == len(trajectories) < len(pivots)
    # layer 1 is the last layer here: its output (before the final norm), as codelion's layer hook takes it
    torch.testing.assert_close(torch.tensor(records[-1]["steering_vector"]),
                               reference_layer(model, extra["prefix_ids"], 1), rtol=1e-4, atol=1e-5)


def reference_layer(model, ids, layer):
    """Output of decoder layer ``layer`` (any layer, the last included) from a hook on a separate forward."""
    got = []
    h = model.model.layers[layer].register_forward_hook(lambda m, a, o: got.append(o[0] if isinstance(o, tuple) else o))
    try:
        with torch.no_grad():
            model(input_ids=torch.tensor([ids]))
    finally:
        h.remove()
    return got[0][0, -1]


def test_steering_bad_layer_and_foreign_input_are_one_line(run, tmp_path, capsys):
    rundir, model_dir = run
    out = tmp_path / "s.jsonl"
    assert cli(["export", "--run", str(rundir), "--format", "steering", "--layer", "7", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "layer 7 is out of range" in err and "between 0 and 1" in err
    assert not out.exists()
    codelion = tmp_path / "pivotal_tokens.jsonl"
    codelion.write_text(json.dumps({"model_id": "m", "query": "q", "pivot_context": "c", "pivot_token": " x",
                                    "pivot_token_id": 5, "prob_before": 0.2, "prob_after": 0.8, "prob_delta": 0.6,
                                    "is_positive": True, "task_type": "generic"}) + "\n")
    assert cli(["export", "--run", str(codelion), "--format", "pts", "--out", str(tmp_path / "x.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "codelion/pts pivotal_tokens file" in err and "ptsfast mine" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a", "chosen": "b", "rejected": "c"}\nnot json\n')
    assert cli(["export", "--run", str(bad), "--out", str(tmp_path / "y.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "line 2 is not JSON" in err


# --------------------------------------------------------------------------- export safety

def snapshot(d):
    return {p.relative_to(d): p.read_bytes() for p in sorted(Path(d).rglob("*")) if p.is_file()}


def test_exports_never_write_into_the_run(run, tmp_path, capsys):
    rundir, _ = run
    before = snapshot(rundir)
    for out, fmt in ((rundir, "hf"), (rundir / "pairs.jsonl", "trl"), (rundir / "new.jsonl", "pts"),
                     (rundir / "sub" / "x.jsonl", "trl"), (rundir / "pairs.jsonl", "trl")):
        args = ["export", "--run", str(rundir), "--format", fmt, "--out", str(out)]
        for extra in ([], ["--force"]):  # --force never allows writing into a run
            assert cli(args + extra) == 2, (out, extra)
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and "never write into a run" in err
    assert snapshot(rundir) == before
    assert not (rundir / "sub").exists() and not (rundir / "new.jsonl").exists()
    # another run folder is protected the same way
    other = tmp_path / "other"
    other.mkdir()
    (other / "run.json").write_text("{}")
    assert cli(["export", "--run", str(rundir), "--out", str(other / "pairs.jsonl")]) == 2
    assert "never write into a run" in capsys.readouterr().err


def test_exports_replace_only_their_own_kind(run, tmp_path, capsys):
    rundir, _ = run
    folder = tmp_path / "mydata"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    hf = ["export", "--run", str(rundir), "--format", "hf", "--out", str(folder)]
    assert cli(hf) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "with or without --force" in err and "did not export" in err
    assert (folder / "notes.txt").read_text() == "keep me"
    assert cli(hf + ["--force"]) == 2 and (folder / "notes.txt").read_text() == "keep me"  # never someone's data
    capsys.readouterr()
    (folder / "notes.txt").unlink()
    folder.rmdir()
    assert cli(hf) == 0
    assert cli(hf) == 0  # an earlier hf export of pairs is replaced
    import datasets

    assert datasets.load_from_disk(str(folder)).num_rows == len(jsonl(rundir / "pairs.jsonl"))
    assert cli(["export", "--run", str(rundir), "--format", "hf", "--kind", "pivots", "--out", str(folder)]) == 2
    assert "already holds an earlier hf pairs export" in capsys.readouterr().err

    out = tmp_path / "pairs.jsonl"
    assert cli(["export", "--run", str(rundir), "--out", str(out)]) == 0
    assert cli(["export", "--run", str(rundir), "--out", str(out), "--direction", "raises"]) == 0  # same kind
    assert cli(["export", "--run", str(rundir), "--format", "pts", "--out", str(out)]) == 2  # another kind
    assert "earlier pairs export" in capsys.readouterr().err
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"prompt": "mine", "chosen": "a", "rejected": "b"}\n')  # someone else's DPO file
    assert cli(["export", "--run", str(rundir), "--out", str(notes)]) == 2
    assert notes.read_text().startswith('{"prompt": "mine"')
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert cli(["export", "--run", str(rundir), "--out", str(empty)]) == 0
    capsys.readouterr()


def test_failed_export_leaves_the_old_file_and_no_temp(run, tmp_path, monkeypatch):
    rundir, _ = run
    out = tmp_path / "pairs.jsonl"
    export(rundir, out)
    old = out.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("ptsfast.outputs.export.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        export(rundir, out, direction="raises")
    assert out.read_bytes() == old
    assert sorted(os.listdir(tmp_path)) == ["pairs.jsonl"]
    with pytest.raises(ExportError, match="only applies to --format steering"):
        export(rundir, tmp_path / "z.jsonl", layer=1)


def _read_fifo_while(fifo, run):
    """Runs ``run()`` while a thread drains ``fifo``; returns (run's result, what it wrote)."""
    import threading

    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    result = run()
    reader.join(timeout=30)
    return result, got[0]


def test_a_stream_is_written_into_never_replaced(run, tmp_path, capsys):
    """``--out /dev/stdout`` (a link to the process's output) or a pipe gets the export as it is: moving a finished
    file over it replaced the link, and ``report --out /dev/null`` the device node (as root: the machine's /dev)."""
    import stat

    run = run[0]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    stdout = tmp_path / "stdout"
    stdout.symlink_to(fifo)  # as /dev/stdout -> /proc/self/fd/1 -> a pipe
    for flags in (["--format", "jsonl", "--kind", "pivots"], ["--format", "trl"], ["--format", "pts"]):
        plain = tmp_path / "plain.jsonl"
        assert cli(["export", "--run", str(run), "--out", str(plain), "--force", *flags]) == 0
        assert plain.read_bytes().count(b"\n") >= 1
        capsys.readouterr()
        for out in (fifo, stdout):
            rc, written = _read_fifo_while(fifo, lambda: cli(["export", "--run", str(run), "--out", str(out), *flags]))
            assert rc == 0 and written == plain.read_bytes()
            assert stat.S_ISFIFO(os.stat(fifo).st_mode) and os.path.islink(stdout)
            said = capsys.readouterr()
            assert said.out == "" and said.err.startswith("ptsfast: wrote ")  # the stream holds the records alone
    assert cli(["export", "--run", str(run), "--out", str(stdout), "--format", "hf"]) == 2
    assert "not a folder path" in capsys.readouterr().err
    assert cli(["report", "--run", str(run), "--out", str(stdout)]) == 2
    assert "not a regular file" in capsys.readouterr().err
    assert os.path.islink(stdout) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not any(p.name.endswith((".tmp", ".png")) or p.name.startswith(".") for p in tmp_path.iterdir())


@pytest.mark.parametrize("fmt", ["trl", "hf"])
def test_ctrl_c_during_an_export_keeps_the_earlier_one_and_says_so(run, tmp_path, capsys, monkeypatch, fmt):
    """Ctrl-C said "finished problems are saved - rerun the same command to resume", a run's promise; and an hf
    export stopped between moving the earlier folder aside and moving the new one in lost both."""
    import ptsfast.outputs.export as export_module

    rundir, _ = run
    out = tmp_path / ("pairs.jsonl" if fmt == "trl" else "pairs_hf")
    assert cli(["export", "--run", str(rundir), "--out", str(out), "--format", fmt]) == 0
    before = snapshot(out) if fmt == "hf" else out.read_bytes()
    real, calls = os.replace, []

    def interrupted(src, dst):
        calls.append(dst)
        if Path(dst) == out and len(calls) == 1 + (fmt == "hf"):  # the new export's rename into place
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(export_module.os, "replace", interrupted)
    capsys.readouterr()
    assert cli(["export", "--run", str(rundir), "--out", str(out), "--format", fmt, "--direction", "raises"]) == 130
    err = capsys.readouterr().err
    assert "interrupted; nothing was written or replaced" in err and "resume" not in err, err
    monkeypatch.setattr(export_module.os, "replace", real)
    assert (snapshot(out) if fmt == "hf" else out.read_bytes()) == before
    assert sorted(os.listdir(tmp_path)) == [out.name]  # no temporary file or folder left


@pytest.mark.parametrize("flags,named", [
    (["--model", "m"], "--model only applies to --format steering / pts; drop it for --format trl"),
    (["--device", "cuda"], "--device only applies to --format steering"),
    (["--format", "hf", "--dtype", "float16"], "--dtype only applies to --format steering; drop it for --format hf"),
    (["--format", "thought_anchors", "--confirmed-only"], "--confirmed-only only applies to --format trl"),
])
def test_an_export_flag_of_another_format_is_refused_not_dropped(run, tmp_path, capsys, flags, named):
    """They were dropped without a word (--device cuda on a machine without CUDA too), as --layer was not."""
    rundir, _ = run
    out = tmp_path / "x.jsonl"
    assert cli(["export", "--run", str(rundir), "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0], err
    assert not out.exists()
