"""Hostile command lines and run folders, round 8: truncated, edited, symlinked and foreign run files, --out at
places a user's files live, and odd numbers for every numeric flag; each one line naming the problem, and no file
of the user's lost."""

import re

import pytest

from ptsfast.cli import build_parser


def _help(command: str) -> str:
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    return " ".join(sub.format_help().split())


def test_tests_field_help_names_every_tests_column_loading_tries():
    from ptsfast.problems.code_tests import TEST_COMPANIONS, TEST_KEYS

    text = _help("mine")
    names = {*TEST_KEYS, *(c for cs in TEST_COMPANIONS.values() for c in cs)}
    words = set(re.findall(r"\w+", text))
    assert sorted(names - words) == []
