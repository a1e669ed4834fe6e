"""A run resumes only from the inputs it was made from: model weights, tokenizer, oracle, problem content;
a damaged done marker is an error naming its line; the same model under another spelling of its path resumes."""

import json
import os

import pytest
import torch
from tiny_models import save_mining_model, tiny_model, tiny_tokenizer

from ptsfast.problems.loading import Problem
from ptsfast.engine import EngineConfig
from ptsfast.problems.hashing import callable_identity, file_hash, problem_hash
from ptsfast.outputs.rundir import DONE, RUN, RunDirError, RunWriter
from ptsfast.models import load_model
from ptsfast.pipeline import MineOptions, mine

OPTIONS = MineOptions(max_new_tokens=3, use_chat_template=False, problems_per_batch=4,
                      engine=EngineConfig(num_blocks=64, block_size=8))
PROBLEMS = [Problem(f"p{i}", f"w{5 + i} w9 w{11 + i}", answer="1") for i in range(2)]


def never(text, problem):
    return False


ORACLE_A = lambda text, p: "w7" in text  # noqa: E731 - two lambdas: the same qualname, other code
ORACLE_B = lambda text, p: "w8" in text  # noqa: E731


def test_a_damaged_marker_in_the_middle_is_an_error_naming_the_line(tmp_path):
    with RunWriter(tmp_path, {"a": 1}) as w:
        for pid in "xyz":
            w.write_problem(pid, [{"k": pid}], [], {})
    lines = (tmp_path / DONE).read_bytes().split(b"\n")
    lines[1] = lines[1][:10] + b"#" + lines[1][11:]  # one flipped byte in the second of three markers
    (tmp_path / DONE).write_bytes(b"\n".join(lines))
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.jsonl")}
    with pytest.raises(RunDirError, match=rf"{DONE} line 2 is damaged.*restore the file.*--overwrite"):
        RunWriter(tmp_path, {"a": 1})
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.jsonl")} == before  # nothing truncated


def test_inputs_are_recorded_and_compared(tmp_path):
    inputs = {"model_path": "/a/m", "model_weights": "files:1", "tokenizer": "t", "oracle": "gsm8k"}
    with RunWriter(tmp_path, {"a": 1}, inputs=inputs) as w:
        w.write_problem("x", [], [], {}, content="c1")
    assert json.loads((tmp_path / RUN).read_text())["inputs"] == inputs
    with RunWriter(tmp_path, {"a": 1}, inputs={**inputs, "model_path": "/b/m"}) as w:  # moved, same files
        w.check_problems({"x": "c1", "new": "c9"})
        with pytest.raises(RunDirError, match=r"ids 'x' but with other content"):
            w.check_problems({"x": "c2"})
    with pytest.raises(RunDirError, match=r"other inputs \(model weights.*was 'files:1', now 'files:2'\)"):
        RunWriter(tmp_path, {"a": 1}, inputs={**inputs, "model_weights": "files:2"})
    with pytest.raises(RunDirError, match=r"other inputs \(oracle: was 'gsm8k', now 'boxed'\)"):
        RunWriter(tmp_path, {"a": 1}, inputs={**inputs, "oracle": "boxed"})


def test_callable_identity_tells_lambdas_apart_and_is_stable():
    a = lambda text, p: "1" in text  # noqa: E731
    b = lambda text, p: "2" in text  # noqa: E731

    def make(k):
        return lambda text, p: k in text

    assert callable_identity(a) != callable_identity(b)
    assert callable_identity(make("1")) != callable_identity(make("2"))
    assert callable_identity(make("1")) == callable_identity(make("1"))
    assert callable_identity(never) == callable_identity(never) and "never" in callable_identity(never)["name"]


def test_problem_hash_and_file_hash(tmp_path):
    assert problem_hash(Problem("a", "q", "1")) == problem_hash(Problem("b", "q", "1"))  # the id is not content
    assert problem_hash(Problem("a", "q", "1")) != problem_hash(Problem("a", "q", "2"))
    big = tmp_path / "w.bin"
    data = bytearray(os.urandom(1024)) * (12 << 10)  # 12 MiB: sampled, not read whole
    big.write_bytes(data)
    h = file_hash(big)
    data[len(data) // 2 + 5] ^= 1  # inside a sample (the middle one of 64 evenly spaced)
    off = (1 << 20) + 32 * (len(data) - (2 << 20)) // 64
    data[off + 7] ^= 1
    big.write_bytes(data)
    assert file_hash(big) != h


def test_resume_checks_weights_oracle_and_problems_but_not_the_path_spelling(tmp_path, monkeypatch):
    model_dir = tmp_path / "m"
    save_mining_model(model_dir)
    out = tmp_path / "run"
    monkeypatch.chdir(tmp_path)
    model, _ = load_model("./m")
    tok = tiny_tokenizer()
    first = mine(model, tok, PROBLEMS, out, OPTIONS, model_name="./m", oracle=never, progress=False)
    assert first["problems"] == 2
    run = json.loads((out / RUN).read_text())
    assert (run["config"]["model"] == str(model_dir.resolve())
            and run["inputs"]["model_path"] == str(model_dir.resolve()))

    # the same model by its absolute path: resumes (nothing left to do)
    model, _ = load_model(str(model_dir.resolve()))
    again = mine(model, tok, PROBLEMS, out, OPTIONS, model_name=str(model_dir.resolve()), oracle=never, progress=False)
    assert again["problems_already_done"] == 2 and again["problems"] == 0

    # another lambda as oracle (the config names both "callable:<lambda>")
    lam = tmp_path / "lam"
    mine(model, tok, PROBLEMS[:1], lam, OPTIONS, oracle=ORACLE_A, progress=False)
    with pytest.raises(RunDirError, match=r"other inputs \(oracle: was 'callable:test_run_inputs.<lambda>#"):
        mine(model, tok, PROBLEMS[:1], lam, OPTIONS, oracle=ORACLE_B, progress=False)
    # a reused id with other content
    with pytest.raises(RunDirError, match=r"ids 'p0' but with other content"):
        mine(model, tok, [Problem("p0", "w40 w41", answer="1")], out, OPTIONS, model_name="./m", oracle=never,
             progress=False)
    # duplicate ids in the input
    with pytest.raises(ValueError, match=r"duplicate problem ids 'p1'"):
        mine(model, tok, PROBLEMS + PROBLEMS[1:], out, OPTIONS, model_name="./m", oracle=never, progress=False)

    # new weights saved at the same path
    other = tiny_model("llama", seed=4)
    other.save_pretrained(model_dir)
    model, _ = load_model("./m")
    with pytest.raises(RunDirError, match=r"other inputs \(model weights"):
        mine(model, tok, PROBLEMS, out, OPTIONS, model_name="./m", oracle=never, progress=False)


def test_in_memory_models_are_told_apart_by_their_parameters(tmp_path):
    tok = tiny_tokenizer()
    mine(tiny_model("llama", seed=1), tok, PROBLEMS[:1], tmp_path, OPTIONS, oracle=never, progress=False)
    with torch.no_grad():
        changed = tiny_model("llama", seed=1)
        changed.model.layers[0].mlp.up_proj.weight.mul_(1.01)
    with pytest.raises(RunDirError, match=r"other inputs \(model weights.*parameters:"):
        mine(changed, tok, PROBLEMS[:1], tmp_path, OPTIONS, oracle=never, progress=False)
    with pytest.raises(RunDirError, match=r"other inputs \(tokenizer"):
        mine(tiny_model("llama", seed=1), tiny_tokenizer("v"), PROBLEMS[:1], tmp_path, OPTIONS, oracle=never,
             progress=False)


def test_every_problem_is_bounded_by_the_context(tmp_path):
    """A small context: the trajectory is cut where a search rollout from its end still fits; a prompt that
    leaves no room is recorded as skipped (with its id and why) and the run goes on."""
    from ptsfast.outputs.rundir import read_jsonl

    model = tiny_model("llama", seed=2, max_position_embeddings=32)
    with torch.no_grad():  # never stop early: every trajectory runs to its budget
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[2] = -1e4
    words = lambda n, k: " ".join(f"w{3 + (k + 7 * i) % 90}" for i in range(n))  # noqa: E731
    problems = [Problem("short", words(6, 1), "1"), Problem("tight", words(16, 2), "1"),
                Problem("long", words(24, 3), "1")]
    opts = MineOptions(max_new_tokens=8, use_chat_template=False, problems_per_batch=4,
                       engine=EngineConfig(num_blocks=64, block_size=8))
    summary = mine(model, tiny_tokenizer(), problems, tmp_path, opts, oracle=never, progress=False)
    need = 8 + 8 // 4  # a rollout: the budget plus the reuse window
    recs = {r["problem_id"]: r for r in read_jsonl(tmp_path / "problems.jsonl")}
    assert set(recs) == {"short", "tight", "long"} and summary["problems_skipped"] == 1
    assert "problem long:" in recs["long"]["skipped"] and "context of 32" in recs["long"]["skipped"]
    assert not recs["long"]["trajectories"]
    for pid in ("short", "tight"):
        prompt, (traj,) = len(recs[pid]["prompt_ids"]), recs[pid]["trajectories"]
        assert len(traj["solution_ids"]) == min(8, 32 - prompt - need)
    assert len(recs["tight"]["trajectories"][0]["solution_ids"]) < 8  # the cap bit


def test_a_run_without_a_fingerprint_is_not_resumed_with_one(tmp_path):
    with RunWriter(tmp_path, {"a": 1}) as w:  # an older run.json: no inputs
        w.write_problem("1", [], [], {})
    with pytest.raises(RunDirError, match="older ptsfast.*--overwrite"):
        RunWriter(tmp_path, {"a": 1}, inputs={"oracle": "gsm8k"})
    with RunWriter(tmp_path, {"a": 1}) as w:  # a caller that records no inputs keeps resuming
        assert w.is_done("1")


def test_a_refused_resume_does_not_first_say_the_change_is_harmless(tmp_path, caplog):
    # another --model with other weights: "it does not change results" was logged, then the resume refused
    inputs = {"model_path": "/a/m", "model_weights": "files:1"}
    with RunWriter(tmp_path, {"model": "/a/m"}, neutral=("model",), inputs=inputs) as w:
        w.write_problem("x", [], [], {}, content="c1")
    with caplog.at_level("WARNING"), pytest.raises(RunDirError, match="other inputs"):
        RunWriter(tmp_path, {"model": "/b/m"}, neutral=("model",), inputs={**inputs, "model_weights": "files:2"})
    assert "does not change results" not in caplog.text
    with caplog.at_level("WARNING"), RunWriter(tmp_path, {"model": "/b/m"}, neutral=("model",), inputs=inputs):
        assert "does not change results" in caplog.text
