"""Exports of round 12: records rewritten by hand, and texts of a token that are not what the model sampled."""

import json
import shutil

import pytest
from cli_errors import one_line_error
from tiny_models import mine_tiny_pivot_run

from ptsfast.cli import main as cli


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round12") / "run"
    mine_tiny_pivot_run(out)
    return out


def edited_copy(run, tmp_path, name, line, **fields):
    """A copy of ``run`` whose ``name`` line ``line`` (0-based) has ``fields`` set, as another tool writes it."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    lines = (edited / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[line])
    rec.update(fields)
    lines[line] = json.dumps(rec) + "\n"
    (edited / name).write_text("".join(lines), encoding="utf-8")
    return edited, rec


@pytest.mark.parametrize("name, field, value, fmt, flags", [
    ("pivots.jsonl", "delta", "0.3", "pts", ["--min-delta", "0.1"]),  # TypeError: bad operand for unary -
    ("pivots.jsonl", "token_id", None, "pts", []),  # TypeError in int()
    ("pivots.jsonl", "prefix_ids", "[3, 16]", "pts", []),  # "invalid literal for int() with base 10: '['"
    ("pivots.jsonl", "position", "8", "pts", []),  # written, its pair's rejected_token silently lost
    ("pairs.jsonl", "chosen_ids", 7, "pts", []),  # TypeError: 'int' object is not subscriptable
    ("pairs.jsonl", "p_chosen", "1.0", "hf", []),  # ArrowTypeError: Expected bytes, got a 'float' object
    ("pairs.jsonl", "chosen", None, "trl", []),  # written: a null chosen that TRL's tokenisation fails on
])
def test_a_record_rewritten_with_a_field_of_another_type_is_named_with_its_file(run, tmp_path, capsys, name, field,
                                                                               value, fmt, flags):
    """A record saved back by a spreadsheet or a script ("0.3" for 0.3, null for an id) ended the exports in a
    TypeError or an Arrow error naming neither file nor record, or was written as it was (a string position no
    longer met its pair; a null chosen is no text to train on). It is named, with the field and its value."""
    edited, rec = edited_copy(run, tmp_path, name, 0, **{field: value})
    out = tmp_path / ("out" if fmt == "hf" else "out.jsonl")
    assert cli(["export", "--run", str(edited), "--format", fmt, "--out", str(out), *flags]) == 2
    one_line_error(capsys, name, f"has {field} {value!r}", repr(rec["problem_id"]), "another tool rewrote")
    assert not out.exists()


def test_a_pair_that_lost_a_field_the_pts_export_reads_is_named_not_a_key_error(run, tmp_path, capsys):
    """The pts export reads the pairs file beside the pivots for each pivot's rejected_token: a pair without its
    chosen text ended it in KeyError: 'chosen'."""
    edited, rec = edited_copy(run, tmp_path, "pairs.jsonl", 0)
    lines = (edited / "pairs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    del rec["chosen"]
    lines[0] = json.dumps(rec) + "\n"
    (edited / "pairs.jsonl").write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "pivotal_tokens.jsonl"
    assert cli(["export", "--run", str(edited), "--format", "pts", "--out", str(out)]) == 2
    one_line_error(capsys, "pairs.jsonl", "lacks ['chosen']", repr(rec["problem_id"]))
    assert not out.exists()
