"""A run's JSONL records stay one line for readers that split on every Unicode line end."""

import json

from ptsfast.outputs.rundir import dumps


def test_unicode_line_separators_in_a_record_are_escaped():
    record = {"text": "a\u2028b\u2029c\x85d", "token": "\u2028"}
    line = dumps(record)
    assert len(line.splitlines()) == 1
    assert json.loads(line) == record
    assert "é" in dumps({"text": "é"})  # UTF-8 kept otherwise
