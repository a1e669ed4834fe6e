"""Tenth round of attacks on the code sandbox: the stdin/stdout, special-judge and function-call paths.

Each test failed before its fix: a wrong program judged right (or, for a returned Fraction, a right one judged
wrong); the right programs beside each attack still pass."""

import json

import pytest

from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

from judging import verdict
from test_special_judge import SLOW, row

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

CASES = pytest.mark.parametrize("cases", [1, 3], ids=["fresh interpreters", "forked"])

# a leftover whose main thread ended by the raw exit syscall: /proc shows it a zombie while its thread runs on
# (the checker's folders are made in the working folder, where the program starts)
HEADLESS = (
    "import ctypes, os, platform, threading, time\nn = int(input())\n"
    "def copy():  # the checker's correct_output.txt put where the program's output is\n"
    "    end = time.time() + 5\n    while time.time() < end:\n        for d in os.listdir('.'):\n"
    "            if d.startswith('ptsfast_checker_'):\n                try:\n"
    "                    right = open(d + '/correct_output.txt').read()\n"
    "                    open(d + '/answer', 'w').write(right)\n"
    "                    os.replace(d + '/answer', d + '/solution_output.txt')\n"
    "                except OSError:\n                    pass\n        time.sleep(0.0005)\n    os._exit(0)\n"
    "if os.fork() == 0:\n    os.setsid()\n    os.closerange(0, 64)\n    threading.Thread(target=copy).start()\n"
    "    time.sleep(0.05)\n"
    "    ctypes.CDLL(None).syscall({'x86_64': 60, 'aarch64': 93}[platform.machine()], 0)  # this thread only\n"
    "time.sleep(0.2)\nprint(ANSWER)\n")


@CASES
def test_a_leftover_whose_main_thread_ended_is_killed_before_the_checker_runs(cases):
    # the kill walked past zombies, and a process whose main thread alone has ended is one to /proc: its other
    # thread copied the checker's correct_output.txt over the wrong answer (before, passed)
    assert not verdict(HEADLESS.replace("ANSWER", "1, 3"), row(cases, SLOW))[0]
    right = HEADLESS.replace("right = open", "right = '1 3' or open").replace("ANSWER", "1, 2")
    assert verdict(right, row(cases, SLOW))[0]  # a leftover whose thread runs on is killed, the verdict kept


def test_an_answer_of_digits_with_leading_zeros_is_that_string_not_a_number():
    # 'print the binary string': the number it spells dropped the zeros and passed as an integer answer (before,
    # passed); an integer answer still reads as its number
    cases = {"inputs": ["3\n", "2\n"], "outputs": ["011\n", "01 7\n"]}
    apps = code_tests.test_program_from_row({"input_output": json.dumps(cases)}, ("input_output",), None, None)
    right = "n = int(input())\nprint('011' if n == 3 else '01 7')\n"
    assert verdict(right, apps)[0]
    assert not verdict("n = int(input())\nprint('11' if n == 3 else '01 7')\n", apps)[0]
    assert not verdict(right.replace("'01 7'", "'1 7'"), apps)[0]
    assert verdict(right.replace("'01 7'", "'01 7.0'").replace("'011'", "'011 '"), apps)[0]


def test_a_fraction_or_decimal_returned_passes_where_its_judges_equals_holds():
    # APPS' and LiveCodeBench's judges compare the returned value with ==, where Fraction(1, 2) == 0.5: JSON held
    # no Fraction, and a right function failed (before); one that equals no float, Fraction(1, 3), still fails
    row = {"input_output": json.dumps({"fn_name": "f", "inputs": [[1], [2], [7]], "outputs": [[0.5], [1], [3.5]]})}
    apps = code_tests.test_program_from_row(row, ("input_output",), None, None)
    for code in ("from fractions import Fraction\ndef f(a):\n    return Fraction(a, 2)\n",
                 "from decimal import Decimal\ndef f(a):\n    return [Decimal(a) / 2]\n"):
        assert verdict(code, apps)[0], code
    assert not verdict("from fractions import Fraction\ndef f(a):\n    return Fraction(a, 2) + Fraction(1, 10**30)\n",
                       apps)[0]
    assert not verdict("from decimal import Decimal\ndef f(a):\n    return Decimal(a) / 2 + Decimal('0.1')\n", apps)[0]
