"""Exports of round 16: steering records as optillm's reader applies them, ..."""

import json
import logging

import pytest
from tiny_models import mine_tiny_pivot_run, tiny_pivot_model, tiny_tokenizer

from ptsfast.outputs.export import export


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round16") / "run"
    mine_tiny_pivot_run(out)
    return out


def read(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def test_a_steering_export_with_lowering_pivots_says_optillm_adds_their_vectors_too(run, tmp_path, caplog):
    """optillm's autothink steering reader (the consumer codelion's steering export is for) copies no is_positive
    into the vectors it loads, so it adds every vector it matches: a lowering pivot's state pushed generation towards
    the token that lowers p, and the export said nothing. It says so now, with --direction raises as the way out."""
    pair = (tiny_pivot_model(), tiny_tokenizer())
    with caplog.at_level(logging.WARNING):
        n = export(run, tmp_path / "all.jsonl", fmt="steering", model=pair, layer=0)
    lowering = sum(r["reasoning_pattern"] == "lowers_success" for r in read(tmp_path / "all.jsonl"))
    assert 0 < lowering < n  # the run has pivots of both kinds
    assert f"{lowering} of {n} steering records are lowering pivots" in caplog.text, caplog.text
    assert "--direction raises" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "raises.jsonl", fmt="steering", model=pair, layer=0, direction="raises")
    assert "lowering pivots" not in caplog.text
    assert {r["reasoning_pattern"] for r in read(tmp_path / "raises.jsonl")} == {"raises_success"}
