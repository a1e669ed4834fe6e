"""Re-estimates from the records alone, as a user does it, in the configurations users run: a chat template with a
system prompt, a template that opens a ``<think>`` trace, the oracle's stop strings, top-k / top-p / min-p and a
temperature, a rollout budget set apart through the API, several trajectories a problem, and pairs (a stop token
as an alternative too). Each point is drawn with Hugging Face ``generate`` from the recorded ids and sampler and
judged by the recorded oracle, and compared with ptsfast's own fresh re-estimate of the point (the search's probe
path); each test also checks that a perturbed recorded setting makes the comparison fail."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch
from mine_script import PROBLEMS
from tiny_models import VOCAB, save_mining_model, tiny_model

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig
from ptsfast.outputs.rundir import read_jsonl
from ptsfast.pipeline import MineOptions, mine
from ptsfast.pipeline.recheck import recheck_run
from ptsfast.problems.loading import Problem

THINK, END_THINK = 95, 96  # ids of "<think>" and "</think>" in the think tokenizer
SIGMAS = 4.5


def word_tokenizer(think: bool = False, chat_template: str | None = None):
    """The tests' word-level tokenizer (token k <-> ``w{k}``), with ``<think>``/``</think>`` words where asked and a
    chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{f"w{k}": k for k in range(3, VOCAB)}}
    if think:
        del vocab[f"w{THINK}"], vocab[f"w{END_THINK}"]
        vocab.update({"<think>": THINK, "</think>": END_THINK})
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tk.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tk.decoder = decoders.WordPiece(prefix="##")
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    if chat_template:
        tok.chat_template = chat_template
    return tok


def race(text: str, problem) -> bool:
    """The first word ending in 7 comes before any ending in 3 (words that are no ``w<k>`` are passed over)."""
    for w in text.split():
        if w[:1] == "w" and w[1:].isdigit() and int(w[1:]) % 10 in (3, 7):
            return int(w[1:]) % 10 == 7
    return False


CHAT = ("{% for m in messages %}{% if m['role'] == 'system' %}w90 {{ m['content'] }} w91 {% else %}w92 "
        "{{ m['content'] }} w93 {% endif %}{% endfor %}{% if add_generation_prompt %}w94{% endif %}")
THINK_CHAT = CHAT.replace("w94{% endif %}", "w94 <think>{% endif %}")


def user_judge(rec: dict, oracles: dict):
    """The recorded oracle as a user applies it: on the text after the prompt, read after ``</think>`` where the
    record says the prompt opened the trace (an unclosed trace has no answer)."""
    fn = oracles[rec["oracle"]]

    def judge(text: str, problem) -> bool:
        if rec["think_open"]:
            if "</think>" not in text:
                return False
            text = text.split("</think>", 1)[1]
        return bool(fn(text, problem))
    return judge


def ends_in_stop(tok, ids: list[int], stops) -> bool:
    """Whether the last token of ``ids`` completes a stop string (a forced alternative that stops, as a sampled one
    would have): ``generate`` checks only the tokens it generates, so it would run on past it."""
    text, before = tok.decode(ids), tok.decode(ids[:-1])
    return any(text.find(st, max(0, len(before) - len(st) + 1)) >= 0 for st in stops)


def hf_p(model, tok, prefix: list[int], prompt_len: int, problem: Problem, rec: dict, n: int, seed: int,
         judge) -> float:
    """p at ``prefix`` from ``n`` rollouts of HF ``generate`` under the record's sampler and budget."""
    s, eos = rec["sampler"], model.generation_config.eos_token_id
    head = prefix[prompt_len:]
    if prefix[-1] == eos or ends_in_stop(tok, prefix, s.get("stop_strings") or ()):
        return float(judge(tok.decode(head, skip_special_tokens=True), problem))  # a forced stop: no rollout
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model.generate(torch.tensor([prefix]), do_sample=True, temperature=s["temperature"],
                             top_k=s["top_k"], top_p=s["top_p"], min_p=s.get("min_p") or None,
                             max_new_tokens=s.get("rollout_max_new_tokens", s["max_new_tokens"]),
                             num_return_sequences=n, eos_token_id=eos, pad_token_id=tok.pad_token_id,
                             stop_strings=s.get("stop_strings") or None, tokenizer=tok)
    wins = 0
    for row in out[:, len(prefix):].tolist():
        gen = row[:row.index(eos) + 1] if eos in row else row
        while gen and gen[-1] == tok.pad_token_id:
            gen.pop()
        wins += judge(tok.decode(head + gen, skip_special_tokens=True), problem)
    return wins / n


def points(out) -> list[tuple[str, dict, str, list[int], int]]:
    """(kind, record, side, context ids, prompt_len) of every pivot side and pair side of a run, from its files."""
    pts = []
    for pv in read_jsonl(out / "pivots.jsonl"):
        pts.append(("pivot", pv, "before", pv["prefix_ids"], pv["prompt_len"]))
        pts.append(("pivot", pv, "after", pv["prefix_ids"] + [pv["token_id"]], pv["prompt_len"]))
    for pr in read_jsonl(out / "pairs.jsonl"):
        for side in ("chosen", "rejected"):
            pts.append(("pair", pr, side, pr["prompt_ids"] + pr[f"{side}_ids"], pr["prompt_len"]))
    return pts


def mine_and_recheck(model_dir, tok, options, problems, out, oracle, n):
    from ptsfast.models import load_model

    model, _ = load_model(model_dir)
    summary = mine(model, tok, problems, out, options, oracle=oracle, progress=False)
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=2048, block_size=8))
    rows = recheck_run(engine, tok, out, problems, options, n, oracle=oracle)
    return summary, {(r.kind, r.trajectory, r.position): r.fresh for r in rows}


def z_scores(model_dir, tok, out, ours, n, oracles, perturb=None, reported: list | None = None) -> list[tuple]:
    """|z| of HF's p against ptsfast's fresh p at every sampled point (``perturb(sampler)`` edits the recorded
    sampler first: a re-estimate under a wrong setting); ``reported`` gets the |z| of HF's p against the p the run
    reported (its report batches, drawn by the search itself)."""
    reported = [] if reported is None else reported
    from transformers import AutoModelForCausalLM

    hf = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    problems = {r["problem_id"]: r for r in read_jsonl(out / "problems.jsonl")}
    trajectories = {t["key"]: t for r in problems.values() for t in r["trajectories"]}
    zs = []
    for k, (kind, rec, side, prefix, prompt_len) in enumerate(points(out)):
        p = problems[rec["problem_id"]]
        assert prefix[:prompt_len] == p["prompt_ids"]
        assert rec["think_open"] is p["think_open"]
        mine_p = ours[(kind, rec["trajectory"], rec["position"])][side]
        traj = trajectories[rec["trajectory"]]
        if prefix == p["prompt_ids"] + traj["solution_ids"] and traj["correct"] is not None:
            assert mine_p.exact == float(traj["correct"])
            continue
        rec = dict(rec, sampler=perturb(dict(rec["sampler"])) if perturb else rec["sampler"])
        problem = Problem(p["problem_id"], p["question"], p["answer"])
        got = hf_p(hf, tok, prefix, prompt_len, problem, rec, n, 7919 * k + (perturb is not None),
                   user_judge(rec, oracles))
        sd = max((mine_p.p * (1 - mine_p.p) * 2 / n) ** 0.5, 1 / n)
        zs.append((abs(got - mine_p.p) / sd, kind, side, rec["position"], got, mine_p.p))
        rep = rec[side] if kind == "pivot" else rec[f"{side}_estimate"]
        if rep and rep.get("trials") and not rep.get("exact"):  # the run's own report batch, against HF
            q = (got * n + rep["successes"]) / (n + rep["trials"])
            sd = max((q * (1 - q) * (1 / n + 1 / rep["trials"])) ** 0.5, 1 / rep["trials"])
            reported.append((abs(got - rep["p"]) / sd, kind, side, rec["position"], got, rep["p"]))
    return zs


def off(zs) -> bool:
    """Whether HF's p's disagree with ptsfast's: one point beyond SIGMAS, or their mean squared z (about 1 when
    both draw from one distribution) beyond SIGMAS standard errors of a chi-square's mean."""
    z = [x[0] for x in zs]
    return max(z) > SIGMAS or sum(v * v for v in z) / len(z) > 1 + SIGMAS * (2 / len(z)) ** 0.5


def check(model_dir, tok, out, ours, n, oracles, perturb, min_points=3):
    reported: list = []
    zs = z_scores(model_dir, tok, out, ours, n, oracles, reported=reported)
    assert len(zs) >= min_points, zs
    assert not off(zs), zs
    assert not reported or not off(reported), reported
    assert off(z_scores(model_dir, tok, out, ours, n, oracles, perturb)), "a wrong recorded setting went unnoticed"
    return zs


def save_peaked_model(folder, tokenizer) -> None:
    """A tiny Llama whose words ending in 7 have larger logits (rows of the output layer scaled up), so how the
    sampler cuts the tail (top-k, top-p, min-p, temperature) moves the race's p."""
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.8)
        model.lm_head.weight[[k for k in range(VOCAB) if k % 10 == 7]] *= 1.5
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


@pytest.fixture(scope="module")
def peaked_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("peaked-llama")
    save_peaked_model(d, word_tokenizer())
    return d


N = 96
NO_FILTER = MiningConfig(filter=FilterConfig(enabled=False))
BASE = MineOptions(max_new_tokens=24, trajectories_per_problem=1, use_chat_template=False, problems_per_batch=4,
                   engine=EngineConfig(num_blocks=1024, block_size=8), mining=NO_FILTER)
RACE = {"callable:race": race}


def run_case(model_dir, tmp_path, tok, options, perturb, oracle=race, oracles=RACE, problems=PROBLEMS):
    out = tmp_path / "run"
    summary, ours = mine_and_recheck(model_dir, tok, options, problems, out, oracle, N)
    assert summary["pivots"]
    return summary, check(model_dir, tok, out, ours, N, oracles, perturb)


def test_chat_template_with_a_system_prompt(peaked_dir, tmp_path):
    tok = word_tokenizer(chat_template=CHAT)
    options = replace(BASE, use_chat_template=True, system_prompt="w50 w51 w52", top_k=10)
    run_case(peaked_dir, tmp_path, tok, options, lambda s: dict(s, top_k=0))
    prompt = json.loads(next(iter(open(tmp_path / "run" / "problems.jsonl"))))["prompt_ids"]
    assert prompt[:5] == [90, 50, 51, 52, 91]


def test_a_template_that_opens_a_think_trace(peaked_dir, tmp_path):
    tok = word_tokenizer(think=True, chat_template=THINK_CHAT)
    options = replace(BASE, use_chat_template=True, top_k=10, max_new_tokens=32)
    run_case(peaked_dir, tmp_path, tok, options, lambda s: dict(s, top_k=0))
    assert all(r["think_open"] for r in read_jsonl(tmp_path / "run" / "pivots.jsonl"))


def test_temperature_top_k_top_p_and_min_p(peaked_dir, tmp_path):
    options = replace(BASE, temperature=0.7, top_k=20, top_p=0.9, min_p=0.05)
    run_case(peaked_dir, tmp_path, word_tokenizer(), options,
             lambda s: dict(s, temperature=1.0, top_k=0, top_p=1.0, min_p=0))


def test_a_rollout_budget_set_apart_through_the_api(peaked_dir, tmp_path):
    options = replace(BASE, top_k=10, mining=replace(NO_FILTER, estimator=EstimatorConfig(rollout_budget=3)))
    run_case(peaked_dir, tmp_path, word_tokenizer(), options,
             lambda s: {k: v for k, v in s.items() if k != "rollout_max_new_tokens"})
    assert next(read_jsonl(tmp_path / "run" / "pivots.jsonl"))["sampler"]["rollout_max_new_tokens"] == 3


def test_several_trajectories_a_problem(peaked_dir, tmp_path):
    options = replace(BASE, top_k=10, trajectories_per_problem=3)
    run_case(peaked_dir, tmp_path, word_tokenizer(), options, lambda s: dict(s, top_k=0))


def gsm_tokenizer():
    """Word pieces a GSM8K answer and its stop string are made of (``"\\n\\n"`` + ``"Question:"`` is gsm8k's stop
    string over two tokens), decoded by concatenation, and filler words `` a<k>``."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    pieces = ["####", " 7", " 3", "\n", "\n\n", "Question:", "abcdef"]  # abcdef: HF's stop-string vocab probe
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{p: 3 + i for i, p in enumerate(pieces)}}
    vocab.update({f" a{k}": k for k in range(3 + len(pieces), VOCAB)})
    tk = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tk.pre_tokenizer = pre_tokenizers.Split(Regex(r"####|\n\n|\n|Question:|abcdef| [a-z0-9]+"), "isolated")
    tk.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


QUESTION = 8  # "Question:"


@pytest.fixture(scope="module")
def gsm_dir(tmp_path_factory):
    """A tiny Llama that writes the GSM8K pieces often ("####" and " 7" most)."""
    d = tmp_path_factory.mktemp("gsm-llama")
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.5)
        model.lm_head.weight[3:9] *= 3
        model.lm_head.weight[3:5] *= 1.5
        model.lm_head.weight[9] *= 0
    model.save_pretrained(d)
    gsm_tokenizer().save_pretrained(d)
    return d


GSM_PROBLEMS = [Problem(f"g{i}", "".join(f" a{10 + (i * 7 + k * 13) % 80}" for k in range(5)), "7")
                for i in range(4)]


def test_gsm8k_stop_strings(gsm_dir, tmp_path):
    from ptsfast.problems.oracles import gsm8k_oracle

    options = replace(BASE, oracle="gsm8k", top_k=20)
    summary, _ = run_case(gsm_dir, tmp_path, gsm_tokenizer(), options, lambda s: dict(s, max_new_tokens=3),
                          oracle=None, oracles={"gsm8k": gsm8k_oracle}, problems=GSM_PROBLEMS)
    assert next(read_jsonl(tmp_path / "run" / "pivots.jsonl"))["sampler"]["stop_strings"] == \
        ["\n\nQuestion:", "\n\nProblem:"]


def test_a_forced_alternative_that_completes_a_stop_string_gets_no_rollout(gsm_dir):
    """A pair's alternative that completes gsm8k's stop string ends its rollouts at once in ptsfast (as a sampled one
    would have); ``generate`` from that context checks only what it generates and runs on: the user must judge
    the context as it is, as for a forced EOS."""
    from transformers import AutoModelForCausalLM

    from ptsfast.models import load_model
    from ptsfast.pipeline.recheck import Point, Solution, fresh_estimates
    from ptsfast.problems.oracles import gsm8k_oracle

    tok = gsm_tokenizer()
    model, _ = load_model(gsm_dir)
    prompt, sol = tok(" a10 a11 a12")["input_ids"], tok(" a20 a21\n\n a22")["input_ids"]
    problem = Problem("g", "q", "7")
    options = replace(BASE, oracle="gsm8k")
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=512, block_size=8))
    point = Point("g", 3, (QUESTION,))
    ours = fresh_estimates(engine, tok, {"g": Solution(tuple(prompt), tuple(sol), problem)}, [point], N, options)
    rec = {"sampler": {"temperature": 1.0, "top_k": 0, "top_p": 1.0, "max_new_tokens": 24,
                       "stop_strings": ["\n\nQuestion:", "\n\nProblem:"]}}
    ctx = prompt + sol[:3] + [QUESTION]
    hf = AutoModelForCausalLM.from_pretrained(gsm_dir).eval()
    assert ours[point].p == hf_p(hf, tok, ctx, len(prompt), problem, rec, N, 0, gsm8k_oracle) == 0.0
    generated = hf_p(hf, tok, ctx, len(prompt), problem, dict(rec, sampler=dict(rec["sampler"], stop_strings=[])),
                     N, 0, gsm8k_oracle)
    assert generated > 0.1  # what generate alone gives: it never sees the stop string that lies in its input


def test_the_pts_export_says_where_the_prompt_ends_and_whether_it_opened_a_think_trace(peaked_dir, tmp_path):
    """A pts export is read on its own (codelion's tools take it as the run's record): a re-estimate of its pivots
    needs where the prompt ends in ``pivot_context_ids`` (the oracle judges the text after it) and whether the prompt
    opened a ``<think>`` trace, as pivots.jsonl says."""
    from ptsfast.outputs.export import export

    tok = word_tokenizer(think=True, chat_template=THINK_CHAT)
    options = replace(BASE, use_chat_template=True, max_new_tokens=16)
    from ptsfast.models import load_model

    model, _ = load_model(peaked_dir)
    mine(model, tok, PROBLEMS, tmp_path / "run", options, oracle=race, progress=False)
    pivots = list(read_jsonl(tmp_path / "run" / "pivots.jsonl"))
    assert pivots
    export(tmp_path / "run", tmp_path / "pts.jsonl", fmt="pts")
    for rec, pv in zip(read_jsonl(tmp_path / "pts.jsonl"), pivots):
        assert rec["pivot_context_ids"][:rec["prompt_len"]] == pv["prefix_ids"][:pv["prompt_len"]]
        assert rec["think_open"] is pv["think_open"] is True


def test_pairs_with_a_stop_token_as_an_alternative(tmp_path):
    """EOS written often, so some pair's alternative is the stop token: its side is the stopped solution's verdict."""
    d = tmp_path / "eos-llama"
    save_peaked_model(d, word_tokenizer())
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(d)
    with torch.no_grad():
        model.lm_head.weight[2] = model.lm_head.weight[[k for k in range(VOCAB) if k % 10 == 7]].mean(0) * 4
    model.save_pretrained(d)
    options = replace(BASE, top_k=10, trajectories_per_problem=2, max_new_tokens=16)
    problems = [Problem(f"e{i}", " ".join(f"w{3 + (i * 11 + k * 17) % 90}" for k in range(6))) for i in range(8)]
    summary, _ = run_case(d, tmp_path, word_tokenizer(), options, lambda s: dict(s, top_k=0), problems=problems)
    pairs = list(read_jsonl(tmp_path / "run" / "pairs.jsonl"))
    assert any(2 in pr["chosen_ids"] + pr["rejected_ids"] for pr in pairs), pairs
