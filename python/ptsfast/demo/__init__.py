"""Built-in demo problem set (package data) and the tool that measured it.

The settings below are the ones the problem set was measured with (``python -m ptsfast.demo.measure``):
SmolLM2-135M-Instruct solves these problems between 20% and 80% of the time under them, which is
where pivots exist. ``ptsfast demo`` uses them as its defaults.
"""

DEMO_SYSTEM_PROMPT = "Answer in one short sentence that ends with the number."
DEMO_ORACLE = "last_number"
DEMO_TEMPERATURE = 0.7
DEMO_MAX_NEW_TOKENS = 64
# The demo must finish in about 2 minutes on 2 CPU cores: the first 4 problems (each gave a pivot with the
# default seed) and the "caps 16/16" point of the statistics frontier (fewer rollouts per decision than
# `ptsfast mine`'s defaults, at some recall; see README's statistics section).
DEMO_LIMIT = 4
DEMO_MAX_ROLLOUTS = 16
DEMO_KEY_MAX_ROLLOUTS = 16
