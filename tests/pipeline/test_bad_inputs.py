"""No input wedges a run: a bad row (or problem) is recorded as skipped with its reason and the run goes on; a
prompt opens a ``<think>`` trace only when the template's own generation prompt does; every argument and option
is checked (or works) before anything is written."""

import json
import random
from dataclasses import replace

import pytest
import torch
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast.cli import main as cli
from ptsfast.engine import EngineConfig
from ptsfast.outputs.rundir import read_jsonl
from ptsfast.pipeline import MineOptions, mine
from ptsfast.problems.loading import Problem, encode_problems

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--quiet"]


def words(n: int, k: int = 0) -> str:
    return " ".join(f"w{3 + (k + 7 * i) % 90}" for i in range(n))


def mine_cli(model_dir, problems, out, *flags):
    return cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags])


def mined_ids(out) -> list[str]:
    """Problems the run searched (a record without a skip reason), in file order, duplicates kept."""
    return [r["problem_id"] for r in read_jsonl(out / "problems.jsonl") if not r.get("skipped")]


def test_a_lone_surrogate_or_one_token_prompt_skips_that_row_and_the_run_goes_on(model_dir, tmp_path, capsys):
    lines = [json.dumps({"id": "a", "question": words(4), "answer": "1"}),
             '{"id": "s", "question": "w5 \\ud83d w7", "answer": "1"}',  # valid JSON, not valid text
             json.dumps({"id": "one", "question": "w5", "answer": "1"}),  # one token: no BOS under --no-chat-template
             json.dumps({"id": "c", "question": words(3, 1), "answer": "1"})]
    problems = tmp_path / "p.jsonl"
    problems.write_text("\n".join(lines) + "\n")
    out = tmp_path / "run"
    assert mine_cli(model_dir, problems, out) == 0
    assert sorted(mined_ids(out)) == ["a", "c"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["problems_skipped"] == 2
    assert summary["skipped_by_reason"] == {"invalid text": 1, "prompt too short": 1}
    by_id = {s["id"]: s for s in summary["skipped"]}
    assert by_id["s"]["row"] == 2 and "lone surrogate" in by_id["s"]["message"]
    assert "problem 'one'" in by_id["one"]["message"] and "1 token" in by_id["one"]["message"]
    printed = capsys.readouterr().out
    assert "invalid text" in printed and "prompt too short" in printed  # the printed summary counts them by reason


BAD_KINDS = ("bad utf-8", "surrogate", "empty", "one token", "huge", "wrong type", "duplicate id", "bad json",
             "not an object", "no question")
REASONS = {"bad utf-8": "not UTF-8", "surrogate": "invalid text", "empty": "empty field",
           "one token": "prompt too short", "huge": "too long for the context", "wrong type": "wrong type",
           "duplicate id": "duplicate id", "bad json": "malformed JSON", "not an object": "not an object",
           "no question": "missing field"}


def bad_line(kind: str, rid: str, rng: random.Random, good_ids: list[str]) -> bytes:
    row = {"id": rid, "question": words(3, rng.randrange(90)), "answer": "1"}
    if kind == "bad utf-8":
        return json.dumps(row).replace(rid, rid + "\udc80", 1).encode("utf-8", "surrogateescape")  # a raw 0x80
    if kind == "surrogate":
        field = rng.choice(["question", "answer", "note"])
        row[field] = "w5 \ud83d"
        return json.dumps(row).encode()  # ensure_ascii: the surrogate is the escape \ud83d
    if kind == "empty":
        row["question"] = rng.choice(["", "   ", None])
    elif kind == "one token":
        row["question"] = f"w{rng.randrange(3, 97)}"
    elif kind == "huge":
        row["question"] = words(600, rng.randrange(90))  # over the tiny model's context of 512
    elif kind == "wrong type":
        field, value = rng.choice([("question", ["w5", "w6"]), ("question", {"q": "w5 w6"}), ("id", [1]),
                                   ("choices", 5), ("question", True)])
        row[field] = value
    elif kind == "duplicate id":
        row["id"] = rng.choice(good_ids)
    elif kind == "bad json":
        return json.dumps(row)[:-3].encode()
    elif kind == "not an object":
        return json.dumps([row]).encode()
    elif kind == "no question":
        del row["question"]
    return json.dumps(row).encode()


@pytest.mark.parametrize("seed", [0, 1])
def test_randomized_bad_rows_every_good_row_mined_once_every_bad_row_recorded(model_dir, tmp_path, seed):
    rng = random.Random(seed)
    good = [f"g{i}" for i in range(5)]
    entries = [("good", gid, json.dumps({"id": gid, "question": words(rng.randrange(2, 6), i * 11),
                                         "answer": "1"}).encode()) for i, gid in enumerate(good)]
    kinds = list(BAD_KINDS) + [rng.choice(BAD_KINDS) for _ in range(3)]
    bad = [(k, f"b{j}", bad_line(k, f"b{j}", rng, good)) for j, k in enumerate(kinds)]
    # duplicates go last: the first row with an id is the one mined, a later copy is the bad row
    mixed = entries + [b for b in bad if b[0] != "duplicate id"]
    rng.shuffle(mixed)
    mixed += [b for b in bad if b[0] == "duplicate id"]
    problems = tmp_path / "p.jsonl"
    problems.write_bytes(b"\n".join(line for _, _, line in mixed) + b"\n")
    out = tmp_path / "run"
    assert mine_cli(model_dir, problems, out) == 0
    mined = mined_ids(out)
    assert sorted(mined) == sorted(good)  # each good row exactly once
    summary = json.loads((out / "summary.json").read_text())
    rows = {n: kind for n, (kind, _, _) in enumerate(mixed, 1)}
    recorded = {}
    for s in summary["skipped"]:
        row = s["row"]
        if row is None:  # skipped by the run (encode or context): named by id
            row = next(n for n, (kind, rid, _) in enumerate(mixed, 1) if rid == s["id"] and kind != "good")
        recorded[row] = s["reason"]
    assert recorded == {n: REASONS[k] for n, k in rows.items() if k != "good"}, summary["skipped"]
    assert summary["problems_skipped"] == len(bad)
    assert sum(summary["skipped_by_reason"].values()) == len(bad)
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST]) == 0
    assert sorted(mined_ids(out)) == sorted(good)  # a rerun mines nothing twice
    # and its summary still lists every skip: those of problems skipped for good (done) are not met again
    assert json.loads((out / "summary.json").read_text())["problems_skipped"] == len(bad)


def test_a_problem_the_kv_cache_cannot_hold_is_skipped_and_the_run_goes_on(tmp_path):
    problems = [Problem("short", words(3), "1"), Problem("huge", words(90, 5), "1"), Problem("after", words(4, 2), "1")]
    # 64 tokens of KV: the 90-token prompt never fits
    opts = MineOptions(max_new_tokens=4, use_chat_template=False, problems_per_batch=1,
                       engine=EngineConfig(num_blocks=8, block_size=8))
    summary = mine(tiny_model("llama", seed=1), tiny_tokenizer(), problems, tmp_path, opts,
                   oracle=lambda text, p: False, progress=False)
    assert summary["skipped_by_reason"] == {"too large for the KV cache": 1}
    recs = {r["problem_id"]: r for r in read_jsonl(tmp_path / "problems.jsonl")}
    assert set(recs) == {"short", "after"} and recs["after"]["trajectories"] and not recs["after"]["skipped"]
    # not recorded as done: the rerun the message asks for (a larger KV cache) mines it, and only it
    opts = replace(opts, engine=EngineConfig(num_blocks=64, block_size=8))
    summary = mine(tiny_model("llama", seed=1), tiny_tokenizer(), problems, tmp_path, opts,
                   oracle=lambda text, p: False, progress=False)
    assert summary["problems_already_done"] == 2 and summary["problems_skipped"] == 0
    recs = [r["problem_id"] for r in read_jsonl(tmp_path / "problems.jsonl")]
    assert sorted(recs) == ["after", "huge", "short"] and recs[-1] == "huge"


def think_tokenizer():
    """The tiny word-level vocabulary with ``<think>``/``</think>`` as tokens 3 and 4."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from tiny_models import VOCAB

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<think>": 3, "</think>": 4, **{f"w{k}": k for k in range(5, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


PLAIN = "{% for m in messages %}{{ m.content }} {% endfor %}{% if add_generation_prompt %}w9 {% endif %}"
THINKING = "{% for m in messages %}{{ m.content }} {% endfor %}{% if add_generation_prompt %}w9 <think> {% endif %}"


def test_think_is_read_from_the_templates_generation_prompt_not_the_question(tmp_path):
    tok = think_tokenizer()
    probs = [Problem("q-think", "w5 w6 <think>", "1"), Problem("plain", "w5 w6 w7", "1")]
    enc, _ = encode_problems(probs, tok, chat_template=PLAIN)
    assert [e.think_open for e in enc] == [False, False]  # the question's own "<think>" opens nothing
    enc, _ = encode_problems(probs, tok, chat_template=THINKING)
    assert [e.think_open for e in enc] == [True, True]
    enc, _ = encode_problems(probs, tok, use_chat_template=False)
    assert [e.think_open for e in enc] == [False, False]

    # the run: an oracle that accepts every answer; a wrongly opened trace would fail every rollout, and which
    # problem came first would decide it for all of them
    model = tiny_model("llama", seed=1)
    with torch.no_grad():  # no rollout writes </think> (token 4)
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[4] = -1e4

    def p0(template: str, out) -> dict:
        opts = MineOptions(max_new_tokens=3, chat_template=template, engine=EngineConfig(num_blocks=64, block_size=8))
        mine(model, tok, probs, out, opts, oracle=lambda text, p: True, progress=False)
        return {r["problem_id"]: r["trajectories"][0]["p0"]["p"] for r in read_jsonl(out / "problems.jsonl")}

    assert all(p > 0.5 for p in p0(PLAIN, tmp_path / "plain").values())
    assert p0(THINKING, tmp_path / "thinking") == {"q-think": 0.0, "plain": 0.0}  # the trace never closes


@pytest.mark.parametrize("flags,named", [
    (["--system-prompt", "be brief"], "--system-prompt"),
    (["--chat-template", "{{ messages[0].content }}"], "--chat-template"),
    (["--workers", "2"], "--workers"), (["--gpus-per-worker", "1"], "--gpus-per-worker"),
    (["--split-name", "test"], "--split-name"), (["--dataset-config", "main"], "--dataset-config"),
    # the filter's bounds with the filter off; sampled trajectories beside the given solution
    (["--no-filter", "--p-min", "0.3"], "--p-min sets the problem filter, which --no-filter turns off"),
    (["--no-filter", "--filter-confidence", "0.9"], "--filter-confidence"),
    (["--solution-field", "answer", "--trajectories", "3"], "--trajectories 3 samples solutions; with --solution"),
    (["--ray", "local", "--device", "cpu", "--gpus-per-worker", "0.5"], "--gpus-per-worker 0.5 with --device cpu"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_an_option_that_would_be_dropped_is_refused_in_one_line(model_dir, tmp_path, capsys, flags, named):
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"id": "a", "question": words(4), "answer": "1"}) + "\n")
    out = tmp_path / "run"
    assert mine_cli(model_dir, problems, out, *flags) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0], err
    assert not out.exists()


def test_api_arguments_are_checked_before_anything_is_written(model_dir, tmp_path):
    from ptsfast.models import load_model

    model, tok = load_model(model_dir)
    probs = [Problem("a", words(4), "1")]
    out = tmp_path / "o"
    opts = MineOptions(max_new_tokens=3, use_chat_template=False, engine=EngineConfig(num_blocks=64, block_size=8))
    cases = [
        (dict(options={"max_new_tokens": 3}), r"options must be a ptsfast.MineOptions, got dict \(write MineOptions"),
        (dict(tokenizer=None), r"tokenizer must be the model's Hugging Face tokenizer, got NoneType"),
        (dict(model=str(model_dir)), r"model must be a loaded model, got the path .*load_model"),
        (dict(oracle="gsm8k"), r"oracle must be a callable"),
        (dict(out_dir=None), r"out_dir must be a folder path"),
        (dict(problems={"id": "a"}), r"problems must be a list of ptsfast.Problem, got dict"),
    ]
    for change, message in cases:
        kw = {**dict(model=model, tokenizer=tok, problems=probs, out_dir=out, options=opts), **change}
        with pytest.raises(TypeError, match=message):
            mine(kw.pop("model"), kw.pop("tokenizer"), kw.pop("problems"), kw.pop("out_dir"), kw.pop("options"),
                 progress=False, **kw)
        assert not out.exists(), change
    with pytest.raises(TypeError, match=r"Problem 'x': question must be a str, got NoneType"):
        Problem("x", None)
    with pytest.raises(TypeError, match=r"choices must be a sequence of str"):
        Problem("x", "q", choices="abc")
    with pytest.raises(ValueError, match=r"system_prompt \(--system-prompt\) must be unset with --no-chat-template"):
        MineOptions(system_prompt="hi", use_chat_template=False)

    # problems as a generator: read once, every problem mined (not 0 problems and a run.json)
    gen = mine(model, tok, (p for p in probs + [Problem("b", words(3, 4), "1")]), out, opts,
               oracle=lambda text, p: False, progress=False)
    assert gen["problems"] == 2 and sorted(mined_ids(out)) == ["a", "b"]


def test_a_row_fixed_before_a_rerun_is_no_longer_listed_as_skipped(model_dir, tmp_path):
    problems = tmp_path / "p.jsonl"
    good = json.dumps({"id": "g", "question": words(3), "answer": "1"})
    problems.write_text(good + "\n{not json\n")
    out = tmp_path / "run"
    assert mine_cli(model_dir, problems, out) == 0
    assert json.loads((out / "summary.json").read_text())["problems_skipped"] == 1
    problems.write_text(good + "\n" + json.dumps({"id": "h", "question": words(4, 2), "answer": "1"}) + "\n")
    assert mine_cli(model_dir, problems, out) == 0
    assert json.loads((out / "summary.json").read_text())["skipped"] == []


@pytest.mark.parametrize("command,room,fits", [("mine", 1064, 445), ("anchors", 1001, 508)])
def test_max_new_tokens_over_the_context_is_one_line_before_the_run_folder(model_dir, tmp_path, capsys, command, room,
                                                                           fits):
    """Every problem was skipped one by one as too long for the context (512 positions here); now the run is refused
    once, naming the flag, the context and the largest value that fits the shortest prompt."""
    problems = tmp_path / "p.jsonl"
    problems.write_text("".join(json.dumps({"id": f"q{i}", "question": words(4, i), "answer": "1"}) + "\n"
                                for i in range(3)))
    out = tmp_path / "run"
    assert cli([command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out),
                "--no-chat-template", "--oracle", "exact", "--max-new-tokens", "1000", "--quiet"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ptsfast")]
    assert len(err) == 1 and f"--max-new-tokens 1000: a rollout may take {room} tokens" in err[0], err
    assert "model's context of 512" in err[0] and f"use --max-new-tokens {fits} or less" in err[0], err
    assert not out.exists()
    # the value offered fits a 2-token prompt and one sampled token; one more does not
    assert MineOptions(max_new_tokens=fits).rollout_room() + 3 == 512 if command == "mine" else fits + 1 + 3 == 512


def test_a_run_that_skips_every_problem_exits_non_zero_naming_why(model_dir, tmp_path, capsys):
    """Every problem too long for the context (or the KV cache): the run mined nothing and exited 0 with `kept 0`,
    so a script read it as done."""
    problems = tmp_path / "p.jsonl"
    problems.write_text(json.dumps({"id": "huge", "question": words(600), "answer": "1"}) + "\n")
    assert mine_cli(model_dir, problems, tmp_path / "run") == 1
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("ptsfast:")]
    assert len(err) == 1 and "every problem was skipped (1 too long for the context)" in err[0], err
    problems.write_text(problems.read_text() + json.dumps({"id": "a", "question": words(4), "answer": "1"}) + "\n")
    assert mine_cli(model_dir, problems, tmp_path / "run2") == 0  # one mined: the run did work
