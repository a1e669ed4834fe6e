"""Test-wide setup: the shared helpers (tiny models, run scripts) import by name from tests/helpers."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
