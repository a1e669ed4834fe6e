"""Tests that import the solution under another module name (``from main import add``) or a library that is not
installed were refused as "a reference solution pasted in" when they also define a helper: what they import may be
the program's, and the load's own message names the module and the way out."""

import json

import pytest

from ptsfast.problems.loading import FieldMap, load_problems


def _skipped(tmp_path, tests):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"question": "Write add(a, b).", "test": tests}) + "\n", encoding="utf-8")
    res = load_problems(f, FieldMap(tests="test", code=True, require_answer=False))
    return res.problems, [str(s) for s in res.skipped]


HELPER = "def helper(x):\n    return x\n\n\ndef test_add():\n    assert add(1, 2) == helper(3)\n"


@pytest.mark.parametrize("module, why", [("no_such_library_xyz", "not installed")])
def test_an_unfound_import_is_named_not_taken_for_a_pasted_reference(tmp_path, module, why):
    problems, skipped = _skipped(tmp_path, f"from {module} import add\n\n\n{HELPER}")
    assert not problems and len(skipped) == 1
    assert why in skipped[0] and module in skipped[0] and "pasted" not in skipped[0]


@pytest.mark.parametrize("module", ["main", "Solution"])
def test_the_solution_under_another_module_name_is_not_taken_for_a_pasted_reference(tmp_path, module):
    # such tests now run as written, importing the program as module 'solution' (test_dataset_shapes_round25)
    problems, skipped = _skipped(tmp_path, f"from {module} import add\n\n\n{HELPER}")
    assert not skipped and "from solution import add" in problems[0].tests


def test_a_pasted_reference_beside_an_installed_import_is_still_refused(tmp_path):
    reference = "import math\n\n\ndef add(a, b):\n    return a + b\n\n\nassert add(1, 2) == 3\n"
    problems, skipped = _skipped(tmp_path, reference)
    assert not problems and "pasted" in skipped[0]
