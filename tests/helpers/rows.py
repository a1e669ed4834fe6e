"""Problem rows written to a file and loaded as ``ptsfast mine`` loads them, for the dataset-shape tests."""

import json

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.loading import load_problems


def load(tmp_path, rows: list[dict], *flags: str, oracle: str = "multiple_choice", name: str = "rows.jsonl",
         raw: bytes | None = None):
    path = tmp_path / name
    path.write_bytes(raw if raw is not None else "".join(json.dumps(r) + "\n" for r in rows).encode())
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o", "--oracle", oracle,
                                      *flags])
    return load_problems(args.problems, field_map(args))
