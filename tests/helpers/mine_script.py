"""A mining run on a tiny model, as a separate process (the resume test kills it mid-run).

usage: python tests/helpers/mine_script.py MODEL_DIR OUT_DIR
"""

import sys

from tiny_models import tiny_tokenizer

from ptsfast.problems.loading import Problem
from ptsfast.engine import EngineConfig
from ptsfast.models import load_model
from ptsfast.pipeline import MineOptions, mine


def contains_w7(text: str, problem) -> bool:
    return "w7" in text.split()


PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(4)]
OPTIONS = MineOptions(max_new_tokens=24, trajectories_per_problem=1, use_chat_template=False, problems_per_batch=1,
                      engine=EngineConfig(num_blocks=512, block_size=8))

if __name__ == "__main__":
    model, _ = load_model(sys.argv[1])
    summary = mine(model, tiny_tokenizer(), PROBLEMS, sys.argv[2], OPTIONS, oracle=contains_w7, progress=False)
    print(summary)
