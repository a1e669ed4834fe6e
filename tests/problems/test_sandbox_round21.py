"""Twenty-first round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
# the tests do some work of their own between the call and the comparison, as a thread of the solution's runs
SLOW = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    import time\n    time.sleep(0.3)\n"
                                   "    assert r == EXPECTED\n", "xs, f")
CHANGE = "    def t():\n        time.sleep(0.1)\n        g['EXPECTED'][:] = [0]\n"
LEFT_RUNNING = {  # the tests' expected values rewritten by code the solution left running after its call returned
    "a thread": "import threading, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n" + CHANGE +
                "    threading.Thread(target=t).start()\n    return [0]\n",
    "a daemon thread rebinding": "import threading, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n"
                                 "    def t():\n        time.sleep(0.1)\n        g['EXPECTED'] = [0]\n"
                                 "    threading.Thread(target=t, daemon=True).start()\n    return [0]\n",
    "a timer": "import threading\n\n\ndef apply(xs, f):\n    g = f.__globals__\n"
               "    threading.Timer(0.1, g['EXPECTED'].__setitem__, (slice(None), [0])).start()\n    return [0]\n",
    "a pool's worker": "import concurrent.futures as cf, time\nPOOL = cf.ThreadPoolExecutor(1)\n\n\n"
                       "def apply(xs, f):\n    g = f.__globals__\n" + CHANGE + "    POOL.submit(t)\n    return [0]\n",
    # the change is put back once the tests have read it
    "put back": "import threading, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n    def t():\n"
                "        time.sleep(0.1)\n        g['EXPECTED'][:] = [0]\n        time.sleep(0.4)\n"
                "        g['EXPECTED'][:] = [1, 4, 9]\n    threading.Thread(target=t).start()\n    return [0]\n",
    # a thread the module started, waiting for the tests' namespace to come within its reach
    "started by the module": "import threading, time\nSEEN = []\n\n\ndef t():\n    while not SEEN:\n"
                             "        time.sleep(0.01)\n    time.sleep(0.1)\n    SEEN[0]['EXPECTED'][:] = [0]\n\n\n"
                             "threading.Thread(target=t).start()\n\n\ndef apply(xs, f):\n"
                             "    SEEN.append(f.__globals__)\n    return [0]\n",
}


@pytest.mark.parametrize("how", LEFT_RUNNING)
def test_the_tests_data_is_held_while_threads_the_solution_left_run(how):
    # before: each passed (the change came after the call's window had closed)
    assert not verdict(LEFT_RUNNING[how], SLOW)[0]


RIGHT_THREADS = {  # right programs that use threads, left running too, with tests that change their own data
    "joined": "import threading\n\n\ndef apply(xs, f):\n    out = [None] * len(xs)\n    def work(i):\n"
              "        out[i] = f(xs[i])\n    ts = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]\n"
              "    for t in ts:\n        t.start()\n    for t in ts:\n        t.join()\n    return out\n",
    "a pool": "import concurrent.futures as cf\nPOOL = cf.ThreadPoolExecutor(2)\n\n\ndef apply(xs, f):\n"
              "    return list(POOL.map(f, xs))\n",
    "left running": "import threading, time\n\n\ndef apply(xs, f):\n"
                    "    threading.Thread(target=time.sleep, args=(0.5,), daemon=True).start()\n"
                    "    return [f(x) for x in xs]\n",
}
CHANGING = humaneval("apply", "EXPECTED = [1, 4, 9]\nSEEN = []\nCOUNTS = {}\n\n\ndef sq(x):\n    return x * x\n\n\n"
                              "def check(candidate):\n    r = candidate([1, 2, 3], sq)\n    SEEN.append(r)\n"
                              "    COUNTS['calls'] = 1\n    assert r == EXPECTED\n"
                              "    assert candidate([1, 2, 3], sq) == EXPECTED and SEEN == [EXPECTED]\n", "xs, f")


@pytest.mark.parametrize("how", RIGHT_THREADS)
@pytest.mark.parametrize("tests", [SLOW, CHANGING], ids=["slow", "changing"])
def test_right_programs_with_threads_pass(how, tests):
    assert verdict(RIGHT_THREADS[how], tests)[0]


HANDLED = {  # a signal handler of the solution's runs at whatever moment its signal comes: amid the tests' code
    "an interval timer": "import signal\n\n\ndef apply(xs, f):\n    g = f.__globals__\n    def h(*a):\n"
                         "        g['EXPECTED'][:] = [0]\n    signal.signal(signal.SIGALRM, h)\n"
                         "    signal.setitimer(signal.ITIMER_REAL, 0.1)\n    return [0]\n",
    "a child's signal": "import os, signal\n\n\ndef apply(xs, f):\n    g = f.__globals__\n    def h(*a):\n"
                        "        g['EXPECTED'] = [0]\n    signal.signal(signal.SIGUSR1, h)\n"
                        "    if os.fork() == 0:\n        import time\n        time.sleep(0.1)\n"
                        "        os.kill(os.getppid(), signal.SIGUSR1)\n        os._exit(0)\n    return [0]\n",
}


@pytest.mark.parametrize("how", HANDLED)
def test_a_signal_handler_runs_in_the_call_window(how):
    # before: each passed (the handler ran between the call's return and the tests' comparison)
    assert not verdict(HANDLED[how], SLOW)[0]


def test_a_right_program_timing_itself_out_with_a_signal_passes():
    right = ("import signal\n\n\ndef apply(xs, f):\n    def late(*a):\n        raise TimeoutError\n"
             "    old = signal.signal(signal.SIGALRM, late)\n    signal.setitimer(signal.ITIMER_REAL, 0.05)\n"
             "    try:\n        while True:\n            pass\n    except TimeoutError:\n        pass\n"
             "    finally:\n        signal.setitimer(signal.ITIMER_REAL, 0)\n"
             "        signal.signal(signal.SIGALRM, old)\n"
             "    return [f(x) for x in xs]\n")
    assert verdict(right, SLOW)[0]
    assert verdict(right, CHANGING)[0]


def program_of(body: str, entry: str = "apply", args: str = "xs, f") -> code_tests.TestProgram:
    return humaneval(entry, HELPER + body, args)


REACHED = {  # methods of the solution's classes that the tests' code calls without naming them
    "__iter__": (program_of("    assert list(candidate([1, 2, 3], sq)) == EXPECTED\n"),
                 "class R:\n    def __init__(s, g):\n        s.g = g\n    def __iter__(s):\n"
                 "        s.g['EXPECTED'][:] = [0]\n        return iter([0])\n\n\n"
                 "def apply(xs, f):\n    return R(f.__globals__)\n"),
    "__len__": (program_of("    r = candidate([1, 2, 3], sq)\n    assert len(r) == 3\n"
                         "    assert [r[0], r[1], r[2]] == EXPECTED\n"),
                "class R:\n    def __init__(s, g):\n        s.g = g\n    def __len__(s):\n"
                "        s.g['EXPECTED'][:] = [0, 0, 0]\n        return 3\n    def __getitem__(s, i):\n"
                "        return 0\n\n\ndef apply(xs, f):\n    return R(f.__globals__)\n"),
    # a nested class the function returned, and a subclass the tests make of it
    "__init_subclass__": (humaneval("make", HELPER + "    Base = candidate(sq)\n    class Sub(Base):\n        pass\n"
                                                     "    assert Sub().run([1, 2, 3]) == EXPECTED\n", "f"),
                          "def make(f):\n    g = f.__globals__\n    class B:\n"
                          "        def __init_subclass__(cls, **k):\n"
                          "            g['EXPECTED'][:] = [0]\n        def run(self, xs):\n            return [0]\n"
                          "    return B\n"),
    "__set_name__": (humaneval("make", HELPER + "    d = candidate(sq)\n    class Holder:\n        x = d\n"
                                                "    assert [0] == EXPECTED or Holder.x is d\n"
                                                "    assert [f(1) for f in [sq]] == EXPECTED[:1]\n", "f"),
                     "def make(f):\n    g = f.__globals__\n    class D:\n        def __set_name__(self, owner, name):\n"
                     "            g['EXPECTED'][:] = [1]\n    return D()\n"),
    "a property": (program_of("    r = candidate([1, 2, 3], sq)\n    assert r.items == EXPECTED\n"),
                   "class R:\n    def __init__(s, g):\n        s.g = g\n    @property\n    def items(s):\n"
                   "        s.g['EXPECTED'][:] = [0]\n        return [0]\n\n\ndef apply(xs, f):\n"
                   "    return R(f.__globals__)\n"),
    "__init__ of a class the tests make": (
        humaneval("Box", HELPER + "    b = candidate(sq)\n    assert b.items == EXPECTED\n", "f"),
        "class Box:\n    def __init__(self, f):\n        f.__globals__['EXPECTED'][:] = [0]\n"
        "        self.items = [0]\n"),
}


@pytest.mark.parametrize("how", REACHED)
def test_methods_the_tests_reach_unnamed_run_in_the_call_window(how):
    # before: each passed (only plain methods of the solution's top-level classes ran in the window)
    program, wrong = REACHED[how]
    assert not verdict(wrong, program)[0]


RIGHT_CLASSES = {  # right programs returning objects of their own classes, iterated, indexed, made and printed
    "iterable": (program_of("    r = candidate([1, 2, 3], sq)\n    assert list(r) == EXPECTED and len(r) == 3\n"
                          "    assert r[1] == 4 and 'R' in repr(r)\n"),
                 "class R:\n    def __init__(self, items):\n        self.items = items\n    def __iter__(self):\n"
                 "        return iter(self.items)\n    def __len__(self):\n        return len(self.items)\n"
                 "    def __getitem__(self, i):\n        return self.items[i]\n    def __repr__(self):\n"
                 "        return 'R(%r)' % self.items\n\n\ndef apply(xs, f):\n    return R([f(x) for x in xs])\n"),
    "a property": (program_of("    r = candidate([1, 2, 3], sq)\n    assert r.items == EXPECTED and r.size == 3\n"
                            "    r.size = 4\n    assert r.size == 4\n"),
                   "class R:\n    def __init__(self, items):\n        self._items, self._size = items, len(items)\n"
                   "    @property\n    def items(self):\n        return list(self._items)\n    @property\n"
                   "    def size(self):\n        return self._size\n    @size.setter\n    def size(self, n):\n"
                   "        self._size = n\n\n\ndef apply(xs, f):\n    return R([f(x) for x in xs])\n"),
    "dataclass": (program_of("    r = candidate([1, 2, 3], sq)\n"
                             "    assert r.items == EXPECTED and str(r).startswith('R(')\n"),
                  "from dataclasses import dataclass, field\n\n\n@dataclass\nclass R:\n"
                  "    items: list = field(default_factory=list)\n\n\ndef apply(xs, f):\n"
                  "    return R([f(x) for x in xs])\n"),
    "a nested iterator": (program_of("    assert list(candidate([1, 2, 3], sq)) == EXPECTED\n"),
                          "def apply(xs, f):\n    class It:\n        def __init__(self):\n            self.k = 0\n"
                          "        def __iter__(self):\n            return self\n        def __next__(self):\n"
                          "            if self.k == len(xs):\n                raise StopIteration\n"
                          "            self.k += 1\n            return f(xs[self.k - 1])\n    return It()\n"),
    "a subclass the tests make": (
        humaneval("make", HELPER + "    Base = candidate(sq)\n    class Sub(Base):\n        pass\n"
                                   "    assert Sub().run([1, 2, 3]) == EXPECTED and Sub.made == ['Sub']\n", "f"),
        "def make(f):\n    class B:\n        made = []\n        def __init_subclass__(cls, **k):\n"
        "            super().__init_subclass__(**k)\n            B.made.append(cls.__name__)\n"
        "        def run(self, xs):\n            return [f(x) for x in xs]\n    return B\n"),
}


@pytest.mark.parametrize("how", RIGHT_CLASSES)
def test_right_classes_the_tests_reach_unnamed_pass(how):
    program, right = RIGHT_CLASSES[how]
    assert verdict(right, program)[0]


def test_a_function_the_solution_returned_runs_in_the_call_window():
    # before: passed (the closure the tests called ran after the call that made it had returned)
    program = humaneval("make", HELPER + "    g = candidate(sq)\n    assert g([1, 2, 3]) == EXPECTED\n", "f")
    wrong = ("def make(f):\n    def g(xs):\n        f.__globals__['EXPECTED'][:] = [0]\n        return [0]\n"
             "    return g\n")
    assert not verdict(wrong, program)[0]
    right = "def make(f):\n    def g(xs):\n        return [f(x) for x in xs]\n    return g\n"
    assert verdict(right, program)[0]


def test_functions_returned_keep_who_they_are():
    # the same function returned twice is the same to the tests, and the tests' own function handed back is theirs
    program = humaneval("pick", HELPER + "    assert candidate(sq) is sq and candidate(None) is candidate(None)\n"
                                         "    assert candidate(None)(2) == 2 and candidate(None).__name__ == 'same'\n",
                        "f")
    right = "def same(x):\n    return x\n\n\ndef pick(f):\n    return f if f is not None else same\n"
    assert verdict(right, program)[0]


ASYNC_LISTED = program_of("    import asyncio\n\n    async def go():\n"
                          "        return [x async for x in candidate([1, 2, 3], sq)]\n"
                          "    assert asyncio.run(go()) == EXPECTED\n")


def test_an_async_generators_body_runs_in_the_call_window():
    # before: passed (the body ran as the tests' async for stepped it, after the call had returned)
    wrong = "async def apply(xs, f):\n    f.__globals__['EXPECTED'][:] = [0]\n    yield 0\n"
    assert not verdict(wrong, ASYNC_LISTED)[0]


def test_right_async_generators_pass():
    assert verdict("async def apply(xs, f):\n    for x in xs:\n        yield f(x)\n", ASYNC_LISTED)[0]
    # sent to, thrown into and closed early, as the tests do it
    program = humaneval("running", "import asyncio\n\n\ndef helper(x):\n    return x\n\n\ndef check(candidate):\n"
                                   "    async def go(log):\n        g = candidate(log)\n"
                                   "        assert await g.asend(None) == 0\n"
                                   "        assert await g.asend(5) == 5\n        assert await g.asend(2) == 7\n"
                                   "        assert await g.athrow(ValueError) == -1\n        await g.aclose()\n"
                                   "        h = candidate(log)\n        async for x in h:\n            break\n"
                                   "        await h.aclose()\n        return log\n"
                                   "    assert asyncio.run(go([])) == ['closed', 'closed']\n", "log")
    right = ("import asyncio\n\n\nasync def running(log):\n    total = 0\n    try:\n        while True:\n"
             "            try:\n                total += yield total\n            except ValueError:\n"
             "                yield -1\n    finally:\n        await asyncio.sleep(0)\n        log.append('closed')\n")
    assert verdict(right, program)[0]


MANY = humaneval("apply", "CASES = [(i, i * i) for i in range(2500)]\nTABLE = {i: i * i for i in range(2500)}\n\n\n"
                          "def sq(x):\n    return x * x\n\n\ndef check(candidate):\n    for x, want in CASES:\n"
                          "        assert candidate(x, sq) == want or candidate(x, sq) == TABLE[x] == 0\n", "x, f")
PAST_THE_BUDGET = {  # the tests' data changed past its 2,000th item, where the watch looked no further
    "a list": "def apply(x, f):\n    f.__globals__['CASES'][2400] = (2400, 0)\n"
              "    f.__globals__['TABLE'][2400] = 0\n    return 0 if x == 2400 else x * x\n",
    # a second root of the tests' data, past the first one's 2,500 items
    "a dict": "def apply(x, f):\n    f.__globals__['TABLE'][2400] = 0\n    return 0 if x == 2400 else x * x\n",
}


@pytest.mark.parametrize("how", PAST_THE_BUDGET)
def test_the_tests_data_is_held_past_two_thousand_items(how):
    # before: each passed
    assert not verdict(PAST_THE_BUDGET[how], MANY)[0]
    assert verdict("def apply(x, f):\n    return f(x)\n", MANY)[0]
