"""A solution may not read the frames, objects or memory of the code that runs its tests (where the expected
values and the verdict's nonce live): each attack below passed before and fails now, in every in-process format
(the harness's audit hook refuses it) and in the call format (the solution runs in a process of its own); honest
code that uses the standard library's frame-reading helpers on its own behalf (namedtuple, typing, enum, logging,
traceback printing, warnings, dataclasses, asyncio, doctest, pandas) still passes."""

import json

import pytest

from ptsfast.problems import code_tests
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

from judging import verdict

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")



def assert_judges_add(program: TestProgram) -> None:
    """A right ``add`` passes ``program``, a wrong one fails it: honest tests still run, and still decide."""
    passed, out = verdict("def add(a, b):\n    return a + b\n", program)
    assert passed, out
    assert not verdict("def add(a, b):\n    return a - b\n", program)[0]


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
    "a debugger's frames": _FIND + "import bdb\nclass B(bdb.Bdb):\n    def user_line(self, frame):\n"
                                   "        B.frame = frame\n        self.set_continue()\n"
                                   "def add(a, b):\n    B().set_trace()\n    x = 1\n    return _find(B.frame)\n",
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


def test_the_maps_of_the_runners_memory_cannot_be_read():
    # they say where to look for the nonce or the expected values with a raw view of memory (numpy's, ctypes')
    passed, out = verdict("def add(a, b):\n    open('/proc/self/maps').read()\n    return a + b\n", PYTEST)
    assert not passed and "maps: not allowed" in out, out


# ctypes handed to a library that only calls what it is given (in a thread or not)
CTYPES_TRAMPOLINES = {
    "executor": "from concurrent.futures import ThreadPoolExecutor\n"
                "with ThreadPoolExecutor(1) as ex:\n    ex.submit(ctypes.string_at, id(ex), 8).result()\n",
    "executor prctl": "from concurrent.futures import ThreadPoolExecutor\nwith ThreadPoolExecutor(1) as ex:\n"
                      "    libc = ex.submit(ctypes.CDLL, None).result()\n"
                      "    ex.submit(ex.submit(getattr, libc, 'prctl').result(), 4, 1, 0, 0, 0).result()\n",
    "thread run": "import threading\nthreading.Thread(target=ctypes.string_at, args=(id(ctypes), 8)).run()\n",
    "singledispatch": "import functools\nfunctools.singledispatch(ctypes.string_at)(id(ctypes), 8)\n",
}


@pytest.mark.parametrize("how", CTYPES_TRAMPOLINES)
def test_ctypes_through_a_library_that_calls_what_it_is_handed_fails(how):
    code = "import ctypes\n" + CTYPES_TRAMPOLINES[how] + "def add(a, b):\n    return a + b\n"
    passed, out = verdict(code, PYTEST)
    assert not passed and "may not read the frames" in out, out


def test_libraries_own_ctypes_use_passes_in_the_solutions_threads():
    # multiprocessing's shared values and numpy's ctypes views call ctypes themselves, also in a thread
    code = ("import ctypes, multiprocessing, threading, numpy as np\n"
            "def work(r):\n    v = multiprocessing.Value('i', 2)\n"
            "    a = np.arange(3)\n"
            "    t = ctypes.POINTER(np.ctypeslib.as_ctypes_type(a.dtype))\n"
            "    r.append(v.value + int(np.ctypeslib.as_array(a.ctypes.data_as(t), a.shape)[1]))\n"
            "def add(a, b):\n    r = []\n    t = threading.Thread(target=work, args=(r,))\n    t.start()\n"
            "    t.join()\n    work(r)\n    return a + b + r[0] + r[1] - 6\n")
    passed, out = verdict(code, PYTEST)
    assert passed, out


@pytest.mark.parametrize("how", [
    "os.symlink('/proc/self/mem', '/tmp/m')\nf = os.open('/tmp/m', os.O_RDONLY)\n",
    # from a folder's descriptor: the audit event names only "mem"
    "d = os.open('/proc/self', os.O_RDONLY | os.O_DIRECTORY)\nf = os.open('mem', os.O_RDONLY, dir_fd=d)\n",
    "d = os.open('/', os.O_RDONLY | os.O_DIRECTORY)\nf = os.open('proc/self/mem', os.O_RDONLY, dir_fd=d)\n",
    "d = os.open('/tmp', os.O_RDONLY | os.O_DIRECTORY)\nos.symlink('/proc/self/mem', 'x', dir_fd=d)\n"
    "f = os.open('x', os.O_RDONLY, dir_fd=d)\n",
], ids=["a link", "dir_fd", "dir_fd of /", "a link by dir_fd"])
def test_proc_self_mem_cannot_be_opened_by_any_name(how):
    code = "import os\n" + how + "def add(a, b):\n    return a + b\n"
    passed, out = verdict(code, PYTEST)
    assert not passed and "mem: not allowed" in out, out


READ_THE_RUNNERS_MEMORY = r'''import os, re, subprocess, sys
READER = """
import os, re
pid = os.getppid()
with open("/proc/%d/maps" % pid) as m, open("/proc/%d/mem" % pid, "rb", 0) as mem:
    for line in m:
        addr, perms = line.split()[:2]
        if perms.startswith("rw"):
            lo, hi = (int(x, 16) for x in addr.split("-"))
            try:
                mem.seek(lo)
                data = mem.read(hi - lo)
            except OSError:
                continue
            for x in set(re.findall(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", data)):
                os.write(1, b"\\n" + x + b"\\n")
"""
subprocess.run([sys.executable, "-c", READER])
os._exit(0)
def add(a, b):
    return a - b
'''


@pytest.mark.parametrize("program", [PYTEST, EVALPLUS, UNITTEST, SCRIPT], ids=lambda p: p.format)
def test_a_process_of_the_solution_cannot_read_the_runners_memory(program):
    # the process the solution starts has no audit hook: the runner is not dumpable, so /proc/<it>/mem is refused
    passed, out = verdict(READ_THE_RUNNERS_MEMORY, program)
    assert not passed and "Permission denied" in out, out


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


SIGNAL_FRAME = _FIND + ("import signal\nseen = []\nsignal.signal(signal.SIGALRM, lambda s, f: seen.append(_find(f)))\n"
                        "def add(a, b):\n    seen.clear()\n    signal.setitimer(signal.ITIMER_REAL, 0.001)\n"
                        "    while not seen:\n        pass\n    return seen[0]\n")


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.format + ("+" if "exp in" in p.tests else ""))
def test_a_signal_handlers_frame_finds_nothing(program):
    # a handler gets the interrupted frame, whose callers (f_back, out of the audit hook's reach) hold the expected
    # value: in-process formats hand the solution's handlers None instead; calls run the solution in a process of
    # its own, where no caller holds the expected value
    passed, out = verdict(SIGNAL_FRAME, program)
    assert not passed, out
    assert ("returned None" if program.format == "call" else "AssertionError") in out, out
    assert verdict("class Solution:\n    def add(self, a: int, b: int) -> int:\n        print('adding', a, b)\n"
                   "        return a + b\n", CALL)[0]


# ways to the real signal.signal past the guarded one: a fresh _signal module, the same after dropping it
FRESH_SIGNAL = {
    "module_from_spec": "import importlib.util\nspec = importlib.util.find_spec('_signal')\n"
                        "real = importlib.util.module_from_spec(spec)\n",
    "reimport": "import sys\ndel sys.modules['_signal']\nimport _signal as real\n",
    "fresh _imp": "import importlib.util, sys\n"
                  "imp = importlib.util.module_from_spec(importlib.util.find_spec('_imp'))\n"
                  "real = imp.create_builtin(importlib.util.find_spec('_signal'))\n",
}


@pytest.mark.parametrize("how", sorted(FRESH_SIGNAL))
def test_a_fresh_signal_module_cannot_be_made(how):
    code = FRESH_SIGNAL[how] + SIGNAL_FRAME.replace("signal.signal(", "real.signal(")
    passed, out = verdict(code, PYTEST)
    assert not passed and "ImportError" in out and "_signal" in out or "_imp" in out, out


HONEST_SIGNALS = """
import signal
class Timeout(Exception):
    pass
def on_alarm(signum, frame):
    assert signum == signal.SIGALRM
    raise Timeout
old = signal.signal(signal.SIGALRM, on_alarm)
assert signal.getsignal(signal.SIGALRM) is on_alarm
def add(a, b):
    signal.setitimer(signal.ITIMER_REAL, 0.01)
    try:
        while True:
            pass
    except Timeout:
        pass
    assert signal.signal(signal.SIGALRM, signal.SIG_DFL) is on_alarm
    signal.signal(signal.SIGALRM, on_alarm)
    return a + b
"""


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.format + ("+" if "exp in" in p.tests else ""))
def test_honest_signal_handlers_still_run(program):
    passed, out = verdict(HONEST_SIGNALS, program)
    assert passed, out
    assert not verdict(HONEST_SIGNALS.replace("return a + b", "return a - b"), program)[0]


def _forged_code() -> bytes:
    """A module compiled (here, out of the sandbox) as if it were a library's file: its frame reads pass for the
    library's own."""
    import collections
    import marshal
    import os
    return marshal.dumps(compile("import sys\ndef grab():\n    return sys._getframe(2)\n",
                                 os.path.realpath(collections.__file__), "exec"))


# code that would pass for a library's, had the solution's bytes been loaded as one; each grabs the caller's frame
FORGED = {
    "sourceless pyc on sys.path": lambda: (
        "import importlib.util, os, sys\nos.makedirs('/tmp/evil', exist_ok=True)\n"
        f"data = importlib.util.MAGIC_NUMBER + bytes(12) + {_forged_code()!r}\n"
        "open('/tmp/evil/grabber.pyc', 'wb').write(data)\nsys.path.insert(0, '/tmp/evil')\nimport grabber\n"
        "grab = grabber.grab\n"),
    "pycache_prefix": lambda: (  # a library's own source, its cached code the solution's
        "import importlib.util, marshal, os, sys\n"
        "name = next(n for n in ('colorsys', 'sched', 'graphlib', 'netrc', 'tabnanny') if n not in sys.modules)\n"
        "origin = importlib.util.find_spec(name).origin\nsys.pycache_prefix = '/tmp/pc'\n"
        "path = importlib.util.cache_from_source(origin)\nos.makedirs(os.path.dirname(path), exist_ok=True)\n"
        "st = os.stat(origin)\n"
        "head = importlib.util.MAGIC_NUMBER + bytes(4) + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, 'little')\n"
        "head += (st.st_size & 0xFFFFFFFF).to_bytes(4, 'little')\n"
        "code = compile('import sys\\ndef grab():\\n    return sys._getframe(2)\\n', 'x', 'exec')\n"
        "open(path, 'wb').write(head + marshal.dumps(code))\ngrab = __import__(name).grab\n"),
    "marshal.load": lambda: (
        f"import marshal\nopen('/tmp/c.bin', 'wb').write({_forged_code()!r})\nns = {{}}\n"
        "exec(marshal.load(open('/tmp/c.bin', 'rb')), ns)\ngrab = ns['grab']\n"),
    "loader reading other bytes": lambda: (
        "import collections, importlib.machinery, importlib.util\n"
        "class Loader(importlib.machinery.SourceFileLoader):\n    def get_data(self, path):\n"
        "        if not path.endswith('.py'):\n            raise OSError(path)\n"
        "        return b'import sys\\ndef grab():\\n    return sys._getframe(2)\\n'\n"
        "spec = importlib.util.spec_from_file_location('grabber', collections.__file__,\n"
        "                                              loader=Loader('grabber', collections.__file__))\n"
        "mod = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(mod)\ngrab = mod.grab\n"),
}


@pytest.mark.parametrize("program", [PYTEST, EVALPLUS], ids=lambda p: p.format)
@pytest.mark.parametrize("how", sorted(FORGED))
def test_code_forged_to_pass_for_a_librarys_fails(how, program):
    code = FORGED[how]() + _FIND + "def add(a, b):\n    return _find(grab())\n"
    passed, out = verdict(code, program)
    assert not passed, out
    assert "would pass for a library" in out, out


# the tests catch what the solution raised (pytest.raises): its traceback now runs through the test's frame
RAISES = TestProgram.from_text("import pytest\n\ndef test_add():\n    results = [3, 12]\n"
                               "    with pytest.raises(ValueError):\n        add(-1, 0)\n"
                               "    for (a, b), exp in zip([(1, 2), (5, 7)], results):\n"
                               "        assert add(a, b) == exp\n")
_RAISE_FIRST = ("saved = []\ndef add(a, b):\n    if a < 0:\n        saved.append(ValueError())\n"
                "        raise saved[0]\n    return look(saved[0].__traceback__)\n")
# standard functions that hand the caller frames, or what frames hold, when the solution asks through them
LIBRARY_ROUTES = {
    "TracebackException capture_locals": (
        "import traceback\ndef look(tb):\n"
        "    te = traceback.TracebackException(ValueError, saved[0], tb, capture_locals=True)\n"
        "    return next(int(fs.locals['exp']) for fs in te.stack if fs.locals and 'exp' in fs.locals)\n"),
    "StackSummary extract": (
        "import traceback\ndef look(tb):\n"
        "    for fs in traceback.StackSummary.extract(traceback.walk_tb(tb), capture_locals=True):\n"
        "        if fs.locals and 'exp' in fs.locals:\n            return int(fs.locals['exp'])\n"),
    "bdb get_stack": _FIND + (
        "import bdb\ndef look(tb):\n    stack, _ = bdb.Bdb().get_stack(None, tb)\n"
        "    return next(v for v in (_find(f) for f, _ in stack) if v is not None)\n"),
}


@pytest.mark.parametrize("route", sorted(LIBRARY_ROUTES))
def test_frames_handed_back_by_a_library_fail(route):
    assert verdict("def add(a, b):\n    if a < 0:\n        raise ValueError\n    return a + b\n", RAISES)[0]
    passed, out = verdict(LIBRARY_ROUTES[route] + _RAISE_FIRST, RAISES)
    assert not passed, out
    assert "may not read the frames" in out, out


GENERATOR_LOCALS = {  # the real _signal.signal lives in a suspended generator's frame
    "inspect.getgeneratorlocals": "import inspect\nreal = inspect.getgeneratorlocals(gen)['real_signal']\n",
    "types wrapper": "import types\nreal = types._GeneratorWrapper(gen).gi_frame.f_locals['real_signal']\n",
}


@pytest.mark.parametrize("how", sorted(GENERATOR_LOCALS))
def test_the_real_signal_function_stays_out_of_reach(how):
    find = ("import _signal\ngen = next(c.cell_contents for c in _signal.signal.__closure__\n"
            "           if type(c.cell_contents).__name__ == 'generator')\n")
    code = find + GENERATOR_LOCALS[how] + SIGNAL_FRAME.replace("signal.signal(", "real(")
    passed, out = verdict(code, PYTEST)
    assert not passed and "may not read the frames" in out, out


# what the harness hands the solution (the guarded signal functions, unittest.main's stand-in while the tests load)
# leads to no globals of the harness: neither the tests' spec nor the harness's functions, which it could replace
PROBING = TestProgram.from_text("import unittest\nprobe()\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
                                "        self.assertEqual(add(1, 2), 3)\n")
HARNESS_GLOBALS = {
    "signal guard": "import _signal\ndef probe():\n    return _signal.signal\n",
    "unittest.main stand-in": "import unittest\ndef probe():\n    return unittest.main\n",  # while the tests load
}


@pytest.mark.parametrize("how", sorted(HARNESS_GLOBALS))
def test_nothing_handed_to_the_solution_leads_to_the_harness_globals(how):
    code = HARNESS_GLOBALS[how] + (
        "found = []\nreal_probe = probe\ndef probe():\n    found.append(set(real_probe().__globals__))\n"
        "def add(a, b):\n    assert found == [{'__builtins__'}], found\n    return a + b\n")
    passed, out = verdict(code, PROBING)
    assert passed, out


# a helper class the tests define is reachable (object.__subclasses__()), and so is the namespace its methods run in
WITH_HELPER = TestProgram.from_text("import unittest\n\nclass Box:\n    def get(self):\n        return 3\n\n"
                                    "class T(unittest.TestCase):\n    def test_add(self):\n"
                                    "        self.assertEqual(add(1, 2), Box().get())\n")


def test_the_tests_namespace_leads_to_no_globals_of_the_harness():
    # the value check and the wrappers of the solution's functions there, and every function in their closures,
    # lead nowhere (the checks are methods of closure-less functions: the walk sees the wrappers and little more)
    code = ("import types\nseen = set()\n"
            "def walk(f, found):\n    if id(f) in seen or f.__globals__ is globals():  # the solution's own\n"
            "        return\n    seen.add(id(f))\n"
            "    if '_ptsfast_judge' in f.__globals__:  # the harness's\n        found.update(f.__globals__)\n"
            "    for c in f.__closure__ or ():\n        try:\n            v = c.cell_contents\n"
            "        except ValueError:\n            continue\n"
            "        for x in (v if isinstance(v, (tuple, list)) else (v,)):\n"
            "            for y in (x if isinstance(x, tuple) else (x,)):\n"
            "                if isinstance(y, types.FunctionType):\n                    walk(y, found)\n"
            "def add(a, b):\n    box = next(c for c in object.__subclasses__() if c.__name__ == 'Box')\n"
            "    ns = box.get.__globals__\n"
            "    found = {}\n    walk(ns['__ptsfast_plain__'], found)\n    walk(ns['add'], found)\n"
            "    for k in ('T',):\n        for f in vars(ns[k]).values():\n"
            "            if isinstance(f, types.FunctionType):\n                walk(f, found)\n"
            "    assert len(seen) >= 2 and not found, sorted(found)[:8]\n    return a + b\n")
    passed, out = verdict(code, WITH_HELPER)
    assert passed, out


_TEST_CLASS = ("import types, unittest\n"
               "def test_class():\n"
               "    return next(c for c in unittest.TestCase.__subclasses__() + object.__subclasses__()\n"
               "                if c.__module__ == 'test_solution' and c.__name__.startswith('T'))\n")
PYTEST_CLASS = TestProgram.from_text("class TestAdd:\n    def test_add(self):\n"
                                     "        for a, b, expected in [(1, 2, 3), (5, 7, 12)]:\n"
                                     "            assert add(a, b) == expected\n")
# a test class found by the solution: its functions are stand-ins that run only for the harness
_KNOWN = ("known, pending, busy = {}, [], []\n"
          "def add(a, b):\n    if busy:  # called by the test the solution runs: a row it learns from\n"
          "        pending.append((a, b))\n        return known.get((a, b))\n    busy.append(1)\n"
          "    try:\n        probe(a, b)\n    except Exception as e:\n        print('probe:', repr(e))\n"
          "    busy.clear()\n    return known.get((a, b))\n")
TEST_CLASS_ROUTES = {
    "code constants": _TEST_CLASS + (
        "def consts(code):\n    for c in code.co_consts:\n"
        "        yield from consts(c) if isinstance(c, types.CodeType) else (c,)\n"
        "def add(a, b):\n    for f in vars(test_class()).values():\n"
        "        for c in consts(getattr(f, '__code__', compile('', 's', 'exec'))):\n"
        "            for row in c if isinstance(c, tuple) else ():\n"
        "                if isinstance(row, tuple) and row[:2] == (a, b):\n                    return row[2]\n"),
    "run the test": _TEST_CLASS + _KNOWN + (  # each run fails at the first row not known yet, naming its value
        "import re\ndef probe(a, b):\n    for _ in range(10):\n        if (a, b) in known:\n            return\n"
        "        result = unittest.TestResult()\n        test_class()('test_add').run(result)\n"
        "        text = ''.join(t for _, t in result.failures + result.errors)\n"
        "        known[pending[-1]] = int(re.search(r'None != (\\d+)', text).group(1))\n"),
    "call it with a stand-in self": _TEST_CLASS + _KNOWN + (
        "class Fake:\n    def assertEqual(self, got, expected):\n        known[pending[-1]] = expected\n"
        "def probe(a, b):\n    test_class().test_add(Fake())\n"),
}


@pytest.mark.parametrize("route", sorted(TEST_CLASS_ROUTES))
def test_a_test_class_found_by_the_solution_reveals_nothing(route):
    for program in (UNITTEST, PYTEST_CLASS) if route == "code constants" else (UNITTEST,):
        passed, out = verdict(TEST_CLASS_ROUTES[route], program)
        assert not passed, out
        assert any(why in out for why in ("called a function of its tests", "reached into its tests",
                                          "AssertionError")), out


def test_a_test_functions_stand_in_refuses_the_solution_even_if_it_catches_that():
    # pytest's test functions are reachable through a helper class's namespace; calling one fails the verdict
    helper = TestProgram.from_text("class Box:\n    def get(self):\n        return 3\n\n"
                                   "def test_add():\n    assert add(1, 2) == Box().get()\n")
    code = ("def add(a, b):\n    box = next(c for c in object.__subclasses__() if c.__name__ == 'Box')\n"
            "    try:\n        box.get.__globals__['test_add']()\n    except Exception:\n        pass\n"
            "    return a + b\n")
    passed, out = verdict(code, helper)
    assert not passed and "reached into its tests" in out, out
    assert verdict("def add(a, b):\n    return a + b\n", helper)[0]


def test_no_class_of_the_harness_is_left_to_find():
    # every class is reachable through object.__subclasses__(); a harness class's methods would lead to its globals
    code = ("def add(a, b):\n    found = [c for c in object.__subclasses__() if c.__module__ in ('__main__', 'h')\n"
            "             or c.__name__.lower().startswith(('_ptsfast', 'ptsfast'))]\n"
            "    assert not found, found\n    return a + b\n")
    for program in (UNITTEST, SCRIPT):
        passed, out = verdict(code, program)
        assert passed, out


def test_a_patched_test_is_sealed_too():
    # mock.patch wraps a test in a function of its own, whose closure holds the test
    program = TestProgram.from_text("import unittest\nfrom unittest import mock\n\nclass T(unittest.TestCase):\n"
                                    "    @mock.patch('os.getcwd', return_value='/x')\n"
                                    "    def test_add(self, cwd):\n"
                                    "        for a, b, expected in [(1, 2, 3), (5, 7, 12)]:\n"
                                    "            self.assertEqual(add(a, b), expected)\n")
    assert verdict("def add(a, b):\n    return a + b\n", program)[0]
    code = _TEST_CLASS + (
        "def inner(f, depth=0):\n    for c in (f.__closure__ or ()) if depth < 4 else ():\n"
        "        v = c.cell_contents\n        if isinstance(v, types.FunctionType):\n"
        "            yield v\n            yield from inner(v, depth + 1)\n"
        "def add(a, b):\n    for f in vars(test_class()).values():\n"
        "        for g in [f] + list(inner(f)) if isinstance(f, types.FunctionType) else ():\n"
        "            for c in g.__code__.co_consts:\n"
        "                for row in c if isinstance(c, tuple) else ():\n"
        "                    if isinstance(row, tuple) and row[:2] == (a, b):\n                        return row[2]\n")
    passed, out = verdict(code, program)
    assert not passed, out


CLASS_DATA = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    maxDiff = None\n"
                                   "    cases = [(1, 2, 3), (5, 7, 12)]\n\n    @classmethod\n"
                                   "    def setUpClass(cls):\n        cls.seen = len(cls.cases)\n\n"
                                   "    def test_add(self):\n        assert self.seen == 2\n"
                                   "        for a, b, expected in self.cases:\n"
                                   "            self.assertEqual(add(a, b), expected)\n")


def test_a_test_classs_data_is_the_tests_alone():
    assert verdict("def add(a, b):\n    return a + b\n", CLASS_DATA)[0]
    code = _TEST_CLASS + ("def add(a, b):\n    try:\n"
                          "        return dict(((x, y), z) for x, y, z in test_class().cases)[a, b]\n"
                          "    except Exception:\n        return a + b\n")
    passed, out = verdict(code, CLASS_DATA)
    assert not passed and "reached into its tests" in out, out


# two tests: the solution answers the first right, then tries to keep the second from running (it answers it wrong)
TWO = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    def test_a(self):\n"
                            "        self.assertEqual(add(1, 2), 3)\n\n    def test_b(self):\n"
                            "        self.assertEqual(add(5, 7), 12)\n")
_FIND_T = ("import unittest\ndef test_class():\n    return next(c for c in unittest.TestCase.__subclasses__()\n"
           "                if c.__module__ == 'test_solution')\n")
KEEP_FROM_RUNNING = {
    "replace it": "    cls = test_class()\n    cls.test_b = lambda self: None\n",
    "replace it, then restore it": (
        "    cls = test_class()\n    real = vars(cls)['test_b']\n"
        "    def fake(self):\n        setattr(cls, 'test_b', real)\n    cls.test_b = fake\n"),
    "mark it skipped": "    cls = test_class()\n    cls.test_b.__unittest_skip__ = True\n",
    "mark the class skipped": "    cls = test_class()\n    cls.__unittest_skip__ = True\n",
    "change its stand-in": (
        "    class Fake:\n        def send(self, key):\n            return True, lambda *a: None\n"
        "    for c in vars(test_class())['test_b'].__closure__:\n"
        "        if type(c.cell_contents).__name__ == 'generator':\n            c.cell_contents = Fake()\n"),
}


@pytest.mark.parametrize("how", sorted(KEEP_FROM_RUNNING))
def test_a_test_kept_from_running_fails_the_verdict(how):
    tamper = "".join("    " + ln + "\n" for ln in KEEP_FROM_RUNNING[how].splitlines())
    code = _FIND_T + "def add(a, b):\n    if (a, b) == (1, 2):\n" + tamper + "        return 3\n    return 0\n"
    compile(code, "solution.py", "exec")
    passed, out = verdict(code, TWO)
    assert not passed, out
    assert verdict("def add(a, b):\n    return a + b\n", TWO)[0]


# the tests' module code calls the solution after the class exists, as a thread of the solution could have
BEFORE_RUN = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
                                   "        self.assertEqual(add(1, 2), 3)\n\nprobe()\n")
BEFORE = {
    "replaced": "    test_class().test_add = lambda self: None\n",
    "replaced by a library function": "    test_class().test_add = unittest.TestCase.doCleanups\n",
    "replaced by a builtin": "    test_class().test_add = print\n",
    "marked skipped": "    test_class().__unittest_skip__ = True\n",
}


@pytest.mark.parametrize("how", sorted(BEFORE))
def test_a_test_changed_before_the_run_fails_the_verdict(how):
    code = _FIND_T + "def probe():\n" + BEFORE[how] + "def add(a, b):\n    return 0\n"
    passed, out = verdict(code, BEFORE_RUN)
    assert not passed, out
    assert verdict("def probe():\n    pass\ndef add(a, b):\n    return a + b\n", BEFORE_RUN)[0]


HONEST_CLASS = TestProgram.from_text(
    "import os, unittest\nfrom unittest import mock\n\nclass T(unittest.TestCase):\n    data = None\n\n"
    "    @classmethod\n    def setUpClass(cls):\n        cls.data = [(1, 2, 3)]\n\n"
    "    def setUp(self):\n        self.extra = (5, 7, 12)\n\n    def helper(self, a, b):\n        return add(a, b)\n\n"
    "    @mock.patch('os.getcwd', return_value='/x')\n    def test_add(self, cwd):\n"
    "        for a, b, expected in self.data + [self.extra]:\n"
    "            self.assertEqual(self.helper(a, b), expected)\n\n"
    "    @mock.patch.object(os, 'sep', '/')\n    def test_patched(self):\n"
    "        self.assertEqual(add(0, 0), 0)\n\n"
    "    @unittest.skip('not yet')\n    def test_skipped(self):\n        self.fail()\n")


def test_honest_test_classes_still_run():
    assert_judges_add(HONEST_CLASS)


# BigCodeBench's shape: the result is kept, then compared on the next line
KEPT_RESULT = TestProgram.from_text("import math, unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n"
                                    "        result = add(1, 2)\n        self.assertEqual(result, 3)\n\n"
                                    "    def test_close(self):\n        result = add(0.1, 0.2)\n"
                                    "        self.assertTrue(math.isclose(result, 0.3))\n\n"
                                    "    def test_abs(self):\n        result = add(1, -3)\n"
                                    "        self.assertTrue(abs(result + 2) < 1e-9)\n")
SWAP_AND_UNDO = {  # replaced while the solution runs, undone when the run ends (the final check sees nothing)
    "assertEqual": "unittest.TestCase.assertEqual = lambda self, *a, **k: None\n",
    "math.isclose": "math.isclose = lambda *a, **k: True\n",
    "a builtin": "builtins.abs = lambda x: 0\n",
}


@pytest.mark.parametrize("what", sorted(SWAP_AND_UNDO))
def test_what_the_tests_use_replaced_for_a_while_fails(what):
    code = ("import builtins, math, unittest\nsaved = (unittest.TestCase.assertEqual, math.isclose, builtins.abs,\n"
            "         unittest.TestResult.stopTestRun)\n"
            "def undo(self, *a):\n    unittest.TestCase.assertEqual, math.isclose, builtins.abs, stop = saved\n"
            "    unittest.TestResult.stopTestRun = stop\n    return stop(self, *a)\n"
            "def add(a, b):\n    unittest.TestResult.stopTestRun = undo\n    " + SWAP_AND_UNDO[what] +
            "    return 0\n")
    passed, out = verdict(code, KEPT_RESULT)
    assert not passed and "the solution replaced" in out, out
    assert verdict("def add(a, b):\n    return a + b\n", KEPT_RESULT)[0]


def test_skips_the_tests_mark_on_inherited_tests_still_count():
    program = TestProgram.from_text(
        "import unittest\n\nclass Base(unittest.TestCase):\n    def test_add(self):\n"
        "        self.assertEqual(add(1, 2), 3)\n\n    @unittest.skip('later')\n    def test_later(self):\n"
        "        self.fail()\n\nclass Child(Base):\n    pass\n\n@unittest.skip('not this one')\n"
        "class Other(Base):\n    pass\n")
    assert_judges_add(program)


def test_the_tests_own_patches_of_what_they_use_are_theirs():
    program = TestProgram.from_text(
        "import os, unittest\nfrom unittest import mock\n\nclass T(unittest.TestCase):\n"
        "    def test_add(self):\n        with mock.patch.multiple(os, sep='/', altsep=None):\n"
        "            self.assertEqual(add(len(os.sep), 2), 3)\n"
        "        self.assertEqual(add(os.sep.count('/'), 0), 1)\n")
    passed, out = verdict("def add(a, b):\n    return a + b\n", program)
    assert passed, out


def test_a_test_classs_data_named_like_a_test_is_data():
    program = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n"
                                    "    test_cases = None\n\n    @classmethod\n    def setUpClass(cls):\n"
                                    "        cls.test_cases = [(1, 2, 3), (5, 7, 12)]\n\n    def test_add(self):\n"
                                    "        for a, b, expected in self.test_cases:\n"
                                    "            self.assertEqual(add(a, b), expected)\n")
    assert_judges_add(program)


HANDED = TestProgram.from_text('''import threading
import unittest
from unittest.mock import patch


class TestMap(unittest.TestCase):
    def _double(self, x):
        return 2 * x

    def _expected(self):
        return [2, 4]

    def _work(self, out):
        out.append(apply([3], self._double))

    def test_callback(self):
        self.assertEqual(apply([1, 2], self._double), self._expected())

    @patch("os.cpu_count")
    def test_side_effect(self, cpus):
        cpus.side_effect = self._double  # called from the solution's code, through mock
        self.assertEqual(apply([1, 2], lambda x: x), [1, 2])
        self.assertEqual(count(), 8)

    def test_thread(self):
        out = []
        t = threading.Thread(target=self._work, args=(out,))
        t.start()
        t.join()
        self.assertEqual(out, [[6]])

    def test_pool(self):  # the helper called from several threads at once
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as ex:
            got = list(ex.map(lambda x: apply([x] * 20, self._double), range(40)))
        self.assertEqual(got, [[2 * x] * 20 for x in range(40)])
''', entry_point="apply")
APPLY = "import os\ndef apply(xs, f):\n    return [f(x) for x in xs]\ndef count():\n    return os.cpu_count(4)\n"


def test_a_helper_the_tests_hand_over_runs_for_the_solution_and_nothing_more():
    """A test class's helper bound to the test that runs (a callback, mock's side_effect, a thread's target) is the
    tests' to hand over (BigCodeBench/973: side_effect=self.disk_usage_side_effect): the solution may call it. A test
    method, a helper bound to an instance the solution made, or one called once its test has ended stay refused."""
    passed, out = verdict(APPLY, HANDED)
    assert passed, out
    assert not verdict(APPLY.replace("return [f(x) for x in xs]", "return [f(x) + 1 for x in xs]"), HANDED)[0]
    for attack in ("type(f.__self__).test_thread(f.__self__)",  # a test, through the running instance
                   "type(f.__self__)('test_thread')._double(1)",  # a helper bound to an instance of its own
                   ):
        code = APPLY.replace("    return [f(x) for x in xs]",
                             "    if hasattr(f, '__self__'):\n        try:\n            " + attack +
                             "\n        except Exception:\n            pass\n    return [f(x) for x in xs]")
        passed, out = verdict(code, HANDED)
        assert not passed and "reached into its tests" in out, (attack, out)
    kept = APPLY.replace("def apply(xs, f):\n", "KEPT = []\ndef apply(xs, f):\n    KEPT.append(f)\n") + \
        "def count():\n    try:\n        KEPT[0](1)\n    except Exception:\n        pass\n    return os.cpu_count(4)\n"
    passed, out = verdict(kept, HANDED)  # the callback kept past its test, called during another one
    assert not passed and "reached into its tests" in out, out


# the tests' module code calls the solution once the test exists (as a thread of the solution could): a test made anew
# of the same code (which the seal checks) with the solution's globals or defaults, or changed in place, fails
REBUILT = TestProgram.from_text("import unittest\n\nclass T(unittest.TestCase):\n"
                                "    def test_add(self, cases=((1, 2, 3), (5, 7, 12))):\n"
                                "        for a, b, expected in cases:\n"
                                "            self.assertEqual(add(a, b), expected)\n\nprobe()\n")
REBUILDS = {
    "other globals": "g = dict(f.__globals__, __ptsfast_pair__=lambda a, b, op: (b, b))\n"
                     "cls.test_add = types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)\n",
    "globals without a module name": (
        "g = {'__builtins__': __builtins__, 'add': add, '__ptsfast_plain__': lambda x: x,\n"
        "     '__ptsfast_pair__': lambda a, b, op: (b, b)}\n"
        "cls.test_add = types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)\n"),
    "other defaults": "cls.test_add = types.FunctionType(f.__code__, f.__globals__, f.__name__, (((1, 2, 0),),))\n",
    "defaults set": "f.__defaults__ = (((1, 2, 0),),)\n",
    "its code on the solution's function": "def g(self, cases=((1, 2, 0),)):\n    pass\ng.__code__ = f.__code__\n"
                                           "cls.test_add = g\n",
}


@pytest.mark.parametrize("how", sorted(REBUILDS))
def test_a_test_rebuilt_or_changed_before_the_run_fails(how):
    body = "".join("    " + ln + "\n" for ln in REBUILDS[how].splitlines())
    code = _FIND_T + "import types\ndef probe():\n    cls = test_class()\n    f = vars(cls)['test_add']\n" + body + (
        "def add(a, b):\n    return 0\n")
    passed, out = verdict(code, REBUILT)
    assert not passed, out
    assert verdict("def probe():\n    pass\ndef add(a, b):\n    return a + b\n", REBUILT)[0]


# the tests' namespace is reachable through a helper class's methods: what the tests look up there, swapped
NS_HELPER = {
    "unittest": "import math, unittest\n\nclass Box:\n    def get(self, v):\n        return v\n\n"
                "class T(unittest.TestCase):\n    def test_add(self):\n"
                "        self.assertEqual(add(1, 2), Box().get(3))\n"
                "        self.assertEqual(add(5, 7), Box().get(12))\n"
                "        self.assertTrue(math.isclose(add(0.1, 0.2), 0.3))\n        assert add(2, 2) == 4\n",
    "pytest": "import math\n\nclass Box:\n    def get(self, v):\n        return v\n\n"
              "def test_add():\n    assert add(1, 2) == Box().get(3)\n    assert add(5, 7) == Box().get(12)\n"
              "    assert math.isclose(add(0.1, 0.2), 0.3)\n    assert add(2, 2) == 4\n",
    "script": "import math\n\nclass Box:\n    def get(self, v):\n        return v\n\n"
              "assert add(1, 2) == Box().get(3)\nassert add(5, 7) == Box().get(12)\n"
              "assert math.isclose(add(0.1, 0.2), 0.3)\nassert add(2, 2) == 4\n",
}
_NS = "def tests_ns():\n    return next(c for c in object.__subclasses__() if c.__name__ == 'Box').get.__globals__\n"
NS_SWAPS = {  # each wrong where the swap decides
    # each call puts in checks that hold, which put the real ones back once one answered: the last leaves none
    "a check that puts itself back": _NS + (
        "REAL = {}\ndef add(a, b):\n    ns = tests_ns()\n"
        "    REAL or REAL.update((k, ns[k]) for k in ('__ptsfast_pair__', '__ptsfast_compare__'))\n"
        "    def pair(x, y, op):\n        ns.update(REAL)\n        return y, y\n"
        "    def compare(*a):\n        ns.update(REAL)\n        return True\n"
        "    ns['__ptsfast_pair__'], ns['__ptsfast_compare__'] = pair, compare\n"
        "    return a + b if (a, b) in ((1, 2), (0.1, 0.2)) else 0\n"),
    "a module the tests use": _NS + (
        "import types\n"
        "def add(a, b):\n    tests_ns()['math'] = types.SimpleNamespace(isclose=lambda *a, **k: True)\n"
        "    return a + b if (a, b) != (0.1, 0.2) else 0.25\n"),  # wrong where isclose checks it
}


@pytest.mark.parametrize("how,fmt", [(how, fmt) for how in sorted(NS_SWAPS) for fmt in sorted(NS_HELPER)
                                     if fmt != "script" or how != "a module the tests use"])  # a README gap
def test_what_the_tests_look_up_in_their_namespace_stays_theirs(how, fmt):
    program = TestProgram.from_text(NS_HELPER[fmt])
    assert program.format == fmt
    passed, out = verdict(NS_SWAPS[how], program)
    assert not passed, out
    assert verdict("def add(a, b):\n    return a + b\n", program)[0]
