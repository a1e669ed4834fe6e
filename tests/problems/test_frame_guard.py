"""A solution may not read the frames, objects or memory of the code that runs its tests (where the expected
values and the verdict's nonce live): each attack below passed before and fails now, in every in-process format
(the harness's audit hook refuses it) and in the call format (the solution runs in a process of its own); honest
code that uses the standard library's frame-reading helpers on its own behalf (namedtuple, typing, enum, logging,
traceback printing, warnings, dataclasses, asyncio, doctest, pandas) still passes."""

import json

import pytest

from ptsfast.problems import code_tests
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.oracles import judge_code
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def verdict(code: str, program: TestProgram) -> tuple[bool, str]:
    res = judge_code(code, program, timeout=60.0)
    assert not res.timed_out, res.output
    return res.passed, res.output


CALL = code_tests.test_program_from_row({"input_output": json.dumps({"fn_name": "add", "inputs": [[1, 2], [5, 7]],
                                                                     "outputs": [[3], [12]]})},
                                        ("input_output",), None, None)
PYTEST = TestProgram.from_text("import pytest\n\n@pytest.mark.parametrize('a,b,expected', [(1, 2, 3), (5, 7, 12)])\n"
                               "def test_add(a, b, expected):\n    assert add(a, b) == expected\n")
# EvalPlus's shape: the expected results are a local list, compared in a loop
EVALPLUS = TestProgram.from_text("def check(candidate):\n    inputs = [(1, 2), (5, 7)]\n    results = [3, 12]\n"
                                 "    for inp, exp in zip(inputs, results):\n        assert candidate(*inp) == exp\n",
                                 entry_point="add")
UNITTEST = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
                                 "        for a, b, expected in [(1, 2, 3), (5, 7, 12)]:\n"
                                 "            self.assertEqual(add(a, b), expected)\n")
SCRIPT = TestProgram.from_text("expected = 3\nassert add(1, 2) == expected\n"
                               "expected = 12\nassert add(5, 7) == expected\n")
PROGRAMS = [CALL, PYTEST, EVALPLUS, UNITTEST, SCRIPT]

# each finds the caller's expected value (whatever the format names it) and returns it
_FIND = ("def _find(frame):\n    while frame is not None:\n        for k in ('expected', 'exp'):\n"
         "            if k in frame.f_locals:\n                return frame.f_locals[k]\n"
         "        frame = frame.f_back\n    return None\n")
ATTACKS = {
    "sys._getframe": _FIND + "def add(a, b):\n    import sys\n    return _find(sys._getframe(1))\n",
    "inspect.currentframe": _FIND + "import inspect\ndef add(a, b):\n    return _find(inspect.currentframe())\n",
    "inspect.stack": "import inspect\ndef add(a, b):\n    for fi in inspect.stack():\n"
                     "        for k in ('expected', 'exp'):\n            if k in fi.frame.f_locals:\n"
                     "                return fi.frame.f_locals[k]\n",
    "traceback frame": _FIND + "def add(a, b):\n    try:\n        raise ValueError\n    except ValueError as e:\n"
                               "        return _find(e.__traceback__.tb_frame)\n",
    "generator frame": _FIND + "def add(a, b):\n    def g():\n        yield _find(gen.gi_frame)\n"
                               "    gen = g()\n    return next(gen)\n",
    "walk_stack locals": "import traceback\ndef add(a, b):\n"
                         "    stack = traceback.walk_stack(None)\n"
                         "    for fs in traceback.StackSummary.extract(stack, capture_locals=True):\n"
                         "        for k in ('expected', 'exp'):\n            if fs.locals and k in fs.locals:\n"
                         "                return eval(fs.locals[k])\n",
    "library-named code": "import collections\nsrc = 'import sys\\ndef grab():\\n    return sys._getframe(2)\\n'\n"
                          "ns = {}\nexec(compile(src, collections.__file__, 'exec'), ns)\n" + _FIND +
                          "def add(a, b):\n    return _find(ns['grab']())\n",
    "ctypes frame": _FIND + "import ctypes\ndef add(a, b):\n"
                            "    ctypes.pythonapi.PyEval_GetFrame.restype = ctypes.py_object\n"
                            "    return _find(ctypes.pythonapi.PyEval_GetFrame())\n",
}
# the verdict's nonce lives in the sandbox runner's frame: printing it and leaving would pass
NONCE = ("import os, sys\ndef add(a, b):\n    f = sys._getframe()\n    while f.f_code.co_name != '_main':\n"
         "        f = f.f_back\n    os.write(1, b'\\n' + f.f_locals['nonce'] + b'\\n')\n    os._exit(0)\n")


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.format + ("+" if "exp in" in p.tests else ""))
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_reading_the_callers_expected_value_fails(attack, program):
    passed, out = verdict(ATTACKS[attack], program)
    assert not passed, out
    assert "may not read the frames" in out or "AssertionError" in out, out


def test_scanning_the_heap_for_the_expected_results_fails():
    # EvalPlus's results list is an object in memory: gc.get_objects() finds it
    code = ("import gc\ndef add(a, b):\n    for o in gc.get_objects():\n"
            "        if isinstance(o, list) and o == [3, 12]:\n            return o[0] if (a, b) == (1, 2) else o[1]\n")
    passed, out = verdict(code, EVALPLUS)
    assert not passed and "may not read the frames" in out, out


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.format + ("+" if "exp in" in p.tests else ""))
def test_an_honest_add_passes_and_reading_the_nonce_fails(program):
    assert verdict("def add(a, b):\n    return a + b\n", program)[0]
    passed, out = verdict(NONCE, program)
    assert not passed, out
    # in-process formats refuse the frame; calls run the solution in a process of its own, with no nonce to find
    assert "may not read the frames" in out if program.format != "call" else "AttributeError" in out, out


def test_proc_self_mem_cannot_be_opened_by_any_name():
    code = ("import os\nos.symlink('/proc/self/mem', '/tmp/m')\n"
            "def add(a, b):\n    with open('/tmp/m', 'rb') as f:\n        return 0\n")
    passed, out = verdict(code, PYTEST)
    assert not passed and "/mem: not allowed" in out, out


HONEST = '''
import asyncio, collections, dataclasses, enum, inspect, io, logging, sys, traceback, typing, warnings
import numpy as np
import pandas as pd

Point = collections.namedtuple("Point", "x y")           # reads its caller's module name from a frame
T = typing.TypeVar("T")                                  # so does TypeVar
Color = enum.Enum("Color", "RED GREEN")                  # and the functional Enum API
class Pair(typing.NamedTuple):
    a: int
    b: int
@dataclasses.dataclass(frozen=True)
class Box:
    v: int
logging.basicConfig(stream=io.StringIO(), level=logging.INFO)
import doctest
doctest.testmod()                                        # sets and restores sys.settrace on its own behalf

def _gen(n):
    yield from range(n)

async def _co(x):
    await asyncio.sleep(0)
    return x

def add(a, b):
    logging.info("adding %s and %s", a, b)               # findCaller walks the stack on its own behalf
    warnings.warn("a warning", UserWarning)
    try:
        {}["missing"]
    except KeyError:
        text = traceback.format_exc()                     # prints the traceback: reads tb_frame itself
        traceback.print_exc(file=io.StringIO())
        assert "KeyError" in text
    assert list(traceback.extract_stack())                # file names and lines only
    assert inspect.signature(add).parameters and inspect.isgeneratorfunction(_gen)
    g = _gen(2)
    assert inspect.getgeneratorstate(g) == "GEN_CREATED" and sum(g) == 1
    frame_free = pd.DataFrame({"a": [a], "b": [b]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total = int(frame_free.sum(axis=1).iloc[0])
    s = asyncio.run(_co(Point(a, b)))
    assert Box(total) == Box(int(np.add(s.x, s.y))) and Pair(a, b).a == a and Color.RED.name == "RED"
    exec("z = 1")                                         # code of its own is fine
    return eval("total")
'''


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.format + ("+" if "exp in" in p.tests else ""))
def test_honest_code_using_the_standard_frame_helpers_passes(program):
    passed, out = verdict(HONEST, program)
    assert passed, out
    assert not verdict(HONEST.replace("return eval(\"total\")", "return eval(\"total\") + 1"), program)[0]


def test_every_threads_frames_asked_for_by_a_library_thread_fail():
    # the executor's worker (library code at the bottom of its own thread) calls sys._current_frames for the
    # solution: the main thread's frames hold the tests' expected values
    code = _FIND + ("import sys\nfrom concurrent.futures import ThreadPoolExecutor\ndef add(a, b):\n"
                    "    with ThreadPoolExecutor(1) as pool:\n"
                    "        frames = pool.submit(sys._current_frames).result()\n"
                    "    for fr in frames.values():\n        v = _find(fr)\n"
                    "        if v is not None:\n            return v\n")
    passed, out = verdict(code, UNITTEST)
    assert not passed and "sys._current_frames" in out, out


def test_a_signal_handlers_frame_finds_nothing_in_the_call_formats_process():
    # a handler gets the interrupted frame, whose callers are out of the audit hook's reach; calls run the
    # solution in a process of its own, where no caller holds the expected value
    code = _FIND + ("import signal\nseen = []\nsignal.signal(signal.SIGALRM, lambda s, f: seen.append(_find(f)))\n"
                    "def add(a, b):\n    seen.clear()\n    signal.setitimer(signal.ITIMER_REAL, 0.001)\n"
                    "    while not seen:\n        pass\n    return seen[0]\n")
    passed, out = verdict(code, CALL)
    assert not passed and "returned None" in out, out
    assert verdict("class Solution:\n    def add(self, a: int, b: int) -> int:\n        print('adding', a, b)\n"
                   "        return a + b\n", CALL)[0]
