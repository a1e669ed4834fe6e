"""Twenty-second round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
# the tests do some work of their own between the call and the comparison, as a thread of the solution's runs
SLOW = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    import time\n    time.sleep(0.3)\n"
                                   "    assert r == EXPECTED\n", "xs, f")
FAST = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    assert r == EXPECTED\n", "xs, f")
RAW = "    def t():\n        time.sleep(0.1)\n        g['EXPECTED'][:] = [0]\n"
RAW_THREADS = {  # a thread of _thread's own, not yet running when the call returns: it changes the tests' data later
    "_thread": "import _thread, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n" + RAW +
               "    _thread.start_new_thread(t, ())\n    return [0]\n",
    "through importlib": "import importlib, time\n\n\ndef apply(xs, f):\n    g = f.__globals__\n" + RAW +
                         "    importlib.import_module('_thread').start_new_thread(t, ())\n    return [0]\n",
    "at once": "import _thread, sys\n\n\ndef apply(xs, f):\n    g = f.__globals__\n"
               "    def t():\n        g['EXPECTED'][:] = [0]\n"
               "    sys.modules['_thread'].start_new_thread(t, ())\n    return [0]\n",
}


@pytest.mark.parametrize("how", RAW_THREADS)
def test_a_raw_thread_not_yet_running_when_the_call_returns_is_seen(how):
    # before: passed (_thread._count() counts a thread only once it first runs, after the call's check had looked)
    assert not verdict(RAW_THREADS[how], SLOW)[0]


RIGHT_RAW = {  # right programs on _thread's own threads, joined by a lock or left running
    "joined": "import _thread\n\n\ndef apply(xs, f):\n    out, done = [None] * len(xs), _thread.allocate_lock()\n"
              "    done.acquire()\n    left = [len(xs)]\n    def work(i):\n        out[i] = f(xs[i])\n"
              "        left[0] -= 1\n        if not left[0]:\n            done.release()\n"
              "    for i in range(len(xs)):\n        _thread.start_new_thread(work, (i,))\n    done.acquire()\n"
              "    return out\n",
    "left running": "import _thread, time\n\n\ndef apply(xs, f):\n    _thread.start_new_thread(time.sleep, (0.5,))\n"
                    "    return [f(x) for x in xs]\n",
}


@pytest.mark.parametrize("how", RIGHT_RAW)
@pytest.mark.parametrize("tests", [SLOW, FAST], ids=["slow", "fast"])
def test_right_programs_on_raw_threads_pass(how, tests):
    passed, out = verdict(RIGHT_RAW[how], tests)
    assert passed, out


# two calls: what the first leaves behind may run between the tests' two reads (a finalizer of what the tests drop)
TWO = humaneval("apply", HELPER + "    assert candidate([1], sq) == [1]\n"
                                  "    assert candidate([1, 2, 3], sq) == EXPECTED\n", "xs, f")
DROPPED = "class R(list):\n    pass\n\n\nSTATE = {}\n\n\ndef apply(xs, f):\n    g = f.__globals__\n    if not STATE:\n"
BETWEEN_READS = {
    # the wrapper's closure cell for the call window swapped for a pass-through: the next call ran outside it
    "a wrapper's cell": DROPPED + "        STATE[1] = 1\n        w = g['apply']\n"
                        "        cell = w.__closure__[w.__code__.co_freevars.index('around')]\n"
                        "        real = cell.cell_contents\n        def through(fn, args, kwargs):\n"
                        "            cell.cell_contents = real\n            g['EXPECTED'][:] = [0]\n"
                        "            return fn(*args, **kwargs)\n        r = R(f(x) for x in xs)\n"
                        "        def swap():\n            cell.cell_contents = through\n"
                        "        import weakref\n        weakref.finalize(r, swap)\n        return r\n    return [0]\n",
    # the comparison the tests' namespace held swapped for one that holds, put back by the next call
    "the tests' comparison": DROPPED + "        STATE['real'] = g['__ptsfast_compare__']\n"
                             "        r = R(f(x) for x in xs)\n"
                             "        def swap():\n            g['__ptsfast_compare__'] = lambda *a, **k: True\n"
                             "        import weakref\n        weakref.finalize(r, swap)\n        return r\n"
                             "    g['__ptsfast_compare__'] = STATE['real']\n    return [0]\n",
}


@pytest.mark.parametrize("how", BETWEEN_READS)
def test_a_finalizer_between_two_reads_cannot_swap_the_checks(how):
    # before: each passed (the checks were a closure's cell and a name of the tests' namespace, set for a moment)
    assert not verdict(BETWEEN_READS[how], TWO)[0]


RETURNED = humaneval("make", "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
                             "    g = candidate(sq)\n    r = g([1, 2, 3])\n    assert r == EXPECTED\n", "f")
UNWINDOWED = {  # a function the solution returns, called by the tests outside the window as the wrapper was led to
    # the cells of what windows it: windowed() made to hand the function back
    "windowed()": "def make(f):\n    g = f.__globals__\n    w = g['make']\n"
                  "    classes = w.__closure__[w.__code__.co_freevars.index('classes')].cell_contents\n"
                  "    cell = classes.__closure__[classes.__code__.co_freevars.index('windowed')]\n"
                  "    cell.cell_contents = lambda fn: fn\n",
    # a builtin the wrapper's globals fell back to shadowed: type() told it no function was returned
    "type()": "class FakeType(type):\n    def __new__(cls, *a):\n"
              "        return object if len(a) == 1 else type.__new__(cls, *a)\n\n\n"
              "def make(f):\n    g = f.__globals__\n    g['make'].__globals__['type'] = FakeType\n",
}
TAIL = "    def apply(xs):\n        g['EXPECTED'][:] = [0]\n        return [0]\n    return apply\n"


@pytest.mark.parametrize("how", UNWINDOWED)
def test_the_wrappers_lead_to_nothing_that_skips_the_window(how):
    # before: each passed (the wrapper's closure and globals led to what decides whether a returned function runs
    # in the window)
    passed, out = verdict(UNWINDOWED[how] + TAIL, RETURNED)
    assert not passed, out


def test_a_returned_function_and_the_wrappers_metadata_still_work():
    tests = humaneval("make", "def check(candidate):\n    import inspect\n    assert candidate.__name__ == 'make'\n"
                              "    assert 'doc' in candidate.__doc__\n"
                              "    assert list(inspect.signature(candidate).parameters) == ['f']\n"
                              "    g = candidate(lambda x: x * x)\n    assert g([1, 2, 3]) == [1, 4, 9]\n"
                              "    assert g.__name__ == 'apply'\n", "f")
    code = ("def make(f):\n    \"\"\"doc\"\"\"\n    def apply(xs):\n        return [f(x) for x in xs]\n"
            "    return apply\n")
    passed, out = verdict(code, tests)
    assert passed, out


AUDIT_HOOK = ("import sys\nSTATE = {}\nK = %d\n\n\ndef apply(xs, f):\n    g = f.__globals__\n    if not STATE:\n"
              "        STATE['n'] = 1\n        def h(event, args):\n            if STATE['n'] >= 2:\n"
              "                STATE['n'] += 1\n                if STATE['n'] == K:\n"
              "                    g['EXPECTED'][:] = [0]\n        sys.addaudithook(h)\n"
              "        return [f(x) for x in xs]\n    STATE['n'] = 2\n    return [0]\n")


@pytest.mark.parametrize("k", [10, 20, 30])
def test_an_audit_hook_of_the_solutions_never_runs(k):
    # before: K = 20 passed (its hook ran at an event raised after the call's window closed, before the comparison)
    passed, out = verdict(AUDIT_HOOK % k, TWO)
    assert not passed, out


LYING = {  # a value of a class of the solution's on a builtin or library base, holding one thing and telling another
    "float()": ("assert float(candidate(2)) == 2.5", "class F(float):\n    def __float__(self):\n        return 2.5\n",
                "F(3.0)"),
    "round()": ("assert round(candidate(2), 2) == 2.5",
                "class F(float):\n    def __round__(self, n=None):\n        return 2.5\n", "F(3.0)"),
    "format": ("assert f'{candidate(2):.2f}' == '2.50'",
               "class F(float):\n    def __format__(self, spec):\n        return '2.50'\n", "F(3.0)"),
    "int()": ("assert int(candidate(2)) == 4", "class I(int):\n    def __int__(self):\n        return 4\n", "I(3)"),
    "truth": ("assert candidate(2)", "class I(int):\n    def __bool__(self):\n        return True\n", "I(0)"),
    "str()": ("assert str(candidate(2)) == 'abc'", "class S(str):\n    def __str__(self):\n        return 'abc'\n",
              "S('x')"),
    "repr()": ("assert repr(candidate(2)) == '[1, 2]'",
               "class L(list):\n    def __repr__(self):\n        return '[1, 2]'\n", "L([5])"),
    "len()": ("assert len(candidate(2)) == 4", "class L(list):\n    def __len__(self):\n        return 4\n", "L()"),
    "sorted()": ("assert sorted(candidate(2)) == [1, 2]",
                 "class L(list):\n    def __iter__(self):\n        return iter([1, 2])\n", "L([5])"),
    "an item": ("assert candidate(2)[0] == 1", "class L(list):\n    def __getitem__(self, i):\n        return 1\n",
                "L([5])"),
    "keys()": ("assert sorted(candidate(2).keys()) == ['a']",
               "class D(dict):\n    def keys(self):\n        return ['a']\n", "D(b=1)"),
    "a Fraction's float()": ("assert float(candidate(2)) == 0.5", "from fractions import Fraction\n\n\n"
                             "class Q(Fraction):\n    def __float__(self):\n        return 0.5\n", "Q(1, 3)"),
    "a Decimal's str()": ("assert str(candidate(2)) == '0.5'", "from decimal import Decimal\n\n\n"
                          "class D(Decimal):\n    def __str__(self):\n        return '0.5'\n", "D('0.3')"),
    "a UserList's list()": ("assert list(candidate(2)) == [1, 2]", "from collections import UserList\n\n\n"
                            "class U(UserList):\n    def __iter__(self):\n        return iter([1, 2])\n", "U([5])"),
}


@pytest.mark.parametrize("how", LYING)
def test_a_value_on_a_builtin_base_cannot_tell_the_tests_other_than_it_holds(how):
    # before: each passed (the tests read the value through the solution's own method, which answered as they wanted)
    test, cls, value = LYING[how]
    passed, out = verdict(cls + "\n\ndef f(n):\n    return %s\n" % value, humaneval("f", "def check(candidate):\n"
                                                                                         "    %s\n" % test))
    assert not passed and "other than what it holds" in out, out


HONEST = {  # right programs returning such values, their methods agreeing with what they hold, or no builtin's
    "a namedtuple": ("r = candidate(2)\n    assert repr(r) == 'P(x=2, y=4)' and str(r) == 'P(x=2, y=4)'\n"
                     "    assert list(r) == [2, 4] and r[0] == 2 and len(r) == 2",
                     "from collections import namedtuple\nP = namedtuple('P', 'x y')\n", "P(n, 2 * n)"),
    "its subclass's repr": ("assert repr(candidate(2)) == '<2, 4>' and len(candidate(2)) == 2",
                            "from collections import namedtuple\n\n\nclass P(namedtuple('P', 'x y')):\n"
                            "    def __repr__(self):\n        return f'<{self.x}, {self.y}>'\n", "P(n, 2 * n)"),
    "an IntEnum's str()": ("assert str(candidate(2)) == 'green' and candidate(2) == 2",
                           "from enum import IntEnum\n\n\nclass C(IntEnum):\n    RED = 1\n    GREEN = 2\n\n"
                           "    def __str__(self):\n        return self.name.lower()\n", "C(n)"),
    "a float keeping its class": ("r = candidate(2)\n    assert repr(r) == '2.5' and str(r) == '2.5' and float(r) == "
                                  "2.5 and round(r) == 2\n    assert -r == -2.5 and abs(r) == 2.5",
                                  "class F(float):\n    def __repr__(self):\n        return float.__repr__(self)\n"
                                  "    __str__ = __repr__\n\n    def __neg__(self):\n        return F(-float(self))\n\n"
                                  "    def __round__(self, n=None):\n        return round(float(self), n)\n",
                                  "F(n + 0.5)"),
    "slices of its own class": ("r = candidate(3)\n    assert r[0] == 1 and r[1:] == [2, 3] and sorted(r) == [1, 2, 3]",
                                "class L(list):\n    def __getitem__(self, i):\n        v = list.__getitem__(self, i)\n"
                                "        return L(v) if isinstance(i, slice) else v\n\n    def __iter__(self):\n"
                                "        for i in range(len(self)):\n            yield list.__getitem__(self, i)\n",
                                "L(range(1, n + 1))"),
    "a case-insensitive dict": ("r = candidate(1)\n    assert r['A'] == 1 and r['a'] == 1 and r.get('A') == 1",
                                "class D(dict):\n    def __getitem__(self, k):\n"
                                "        return dict.__getitem__(self, k.lower())\n\n    def get(self, k, d=None):\n"
                                "        return dict.get(self, k.lower(), d)\n", "D(a=n)"),
    "a Sequence": ("r = candidate(3)\n    assert len(r) == 3 and list(r) == [0, 1, 4] and r[2] == 4",
                   "from collections.abc import Sequence\n\n\nclass Sq(Sequence):\n    def __init__(self, n):\n"
                   "        self.n = n\n\n    def __len__(self):\n        return self.n\n\n"
                   "    def __getitem__(self, i):\n"
                   "        if i >= self.n:\n            raise IndexError(i)\n        return i * i\n", "Sq(n)"),
    "an exception's str()": ("try:\n        candidate(3)\n    except ValueError as e:\n"
                             "        assert str(e) == 'bad 3'\n"
                             "    else:\n        assert False",
                             "class Bad(ValueError):\n    def __str__(self):\n        return 'bad %d' % self.args[0]\n",
                             "(_ for _ in ()).throw(Bad(n))"),
    "a dict with __missing__": ("r = candidate(3)\n    assert r['q'] == [] and r['x'] == 3 and sorted(r.keys()) == "
                                "['q', 'x']", "class D(dict):\n    def __missing__(self, k):\n        self[k] = []\n"
                                "        return self[k]\n\n    def keys(self):\n        return list(dict.keys(self))\n",
                                "D(x=n)"),
}


@pytest.mark.parametrize("how", HONEST)
def test_right_programs_returning_values_on_a_builtin_base_pass(how):
    test, cls, value = HONEST[how]
    passed, out = verdict(cls + "\n\ndef f(n):\n    return %s\n" % value, humaneval("f", "def check(candidate):\n"
                                                                                         "    %s\n" % test))
    assert passed, out


THIRD = "decimal.Decimal(1) / decimal.Decimal(3)"
TEMPLATES = {  # the tests' own decimal arithmetic in a fresh context copied from a template the solution changed
    "a worker thread's": ("import decimal, concurrent.futures as cf\n    r = candidate(3)\n"
                          "    with cf.ThreadPoolExecutor(1) as ex:\n"
                          "        want = ex.submit(lambda: %s).result()\n    assert r == want" % THIRD,
                          "DefaultContext.prec = 1"),
    "localcontext(DefaultContext)": ("import decimal\n    r = candidate(3)\n"
                                     "    with decimal.localcontext(decimal.DefaultContext):\n"
                                     "        assert r == %s" % THIRD, "DefaultContext.prec = 1"),
    "localcontext(ExtendedContext)": ("import decimal\n    r = candidate(3)\n"
                                      "    with decimal.localcontext(decimal.ExtendedContext):\n"
                                      "        assert r == %s" % THIRD, "ExtendedContext.prec = 1"),
}


@pytest.mark.parametrize("how", TEMPLATES)
def test_decimals_template_contexts_keep_the_tests_settings(how):
    # before: each passed (0.3 for a third: the tests' context, copied from the template, computed to one digit)
    test, change = TEMPLATES[how]
    code = "import decimal\n\n\ndef f(n):\n    decimal.%s\n    return decimal.Decimal('0.3')\n" % change
    passed, out = verdict(code, humaneval("f", "def check(candidate):\n    %s\n" % test))
    assert not passed, out


def test_a_precision_raised_on_decimals_default_context_still_passes():
    tests = humaneval("f", "def check(candidate):\n    import decimal, threading\n    out = []\n"
                           "    t = threading.Thread(target=lambda: out.append(candidate(7)))\n    t.start()\n"
                           "    t.join()\n    assert str(out[0]).startswith('0.142857142857142857142857')\n")
    code = "import decimal\ndecimal.DefaultContext.prec = 40\n\n\ndef f(n):\n    return decimal.Decimal(1) / n\n"
    passed, out = verdict(code, tests)
    assert passed, out


NESTED_TESTS = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
CHANGES = "    g = f.__globals__\n\n    def apply(xs):\n        g['EXPECTED'][:] = [0]\n        return [0]\n"
NESTED = {  # what a call returned holds code of the solution's that the tests run later, outside the call's window
    "a dict of closures": ("d = candidate(sq)\n    r = d['apply']([1, 2, 3])",
                           "def make(f):\n" + CHANGES + "    return {'apply': apply}\n"),
    "a list of closures": ("r = candidate(sq)[0]([1, 2, 3])", "def make(f):\n" + CHANGES + "    return [apply]\n"),
    "a tuple": ("a, b = candidate(sq)\n    r = a([1, 2, 3])", "def make(f):\n" + CHANGES + "    return apply, 1\n"),
    "a partial": ("r = candidate(sq)([1, 2, 3])", "import functools\n\n\ndef apply(g, xs):\n"
                  "    g['EXPECTED'][:] = [0]\n    return [0]\n\n\ndef make(f):\n"
                  "    return functools.partial(apply, f.__globals__)\n"),
    "a generator in a list": ("r = list(candidate(sq)[0])", "def make(f):\n    g = f.__globals__\n\n    def gen():\n"
                              "        g['EXPECTED'][:] = [0]\n        yield 0\n    return [gen()]\n"),
    "a map": ("r = list(candidate(sq))", "def make(f):\n    g = f.__globals__\n\n    def h(x):\n"
              "        g['EXPECTED'][:] = [0]\n        return 0\n    return map(h, [1])\n"),
}


@pytest.mark.parametrize("how", NESTED)
def test_code_held_in_what_a_call_returned_runs_in_the_window(how):
    # before: each passed (only a function returned alone ran in the window)
    test, code = NESTED[how]
    passed, out = verdict(code, humaneval("make", NESTED_TESTS + "    %s\n    assert r == EXPECTED\n" % test, "f"))
    assert not passed and "in place" in out, out


SEEN = "SEEN = []\n\n\ndef sq(x):\n    SEEN.append(x)\n    return x * x\n\n\ndef check(candidate):\n"
RIGHT_NESTED = {  # right programs handing back such code, with tests that change their own data as it runs
    "a dict of closures": ("d = candidate(sq)\n    assert d['apply']([1, 2, 3]) == [1, 4, 9] and d['n'] == 3",
                           "def make(f):\n    def apply(xs):\n        return [f(x) for x in xs]\n"
                           "    return {'apply': apply, 'n': 3}\n"),
    "a tuple": ("a, b = candidate(sq)\n    assert a([1, 2]) == [1, 4] and b(3) == 9 and a.__name__ == 'apply'",
                "def make(f):\n    def apply(xs):\n        return [f(x) for x in xs]\n    return apply, f\n"),
    "a map": ("assert list(candidate(sq)) == [1, 4, 9]", "def make(f):\n    return map(f, [1, 2, 3])\n"),
    "a filter": ("assert list(candidate(sq)) == [2]",
                 "def make(f):\n    return filter(lambda x: x % 2 == 0, [1, 2, 3])\n"),
    "a zip": ("assert dict(candidate(sq)) == {1: 1, 2: 4}", "def make(f):\n    return zip([1, 2], map(f, [1, 2]))\n"),
    "generators": ("assert [list(g) for g in candidate(sq)] == [[1], [4]]",
                   "def make(f):\n    def gen(x):\n        yield f(x)\n    return [gen(1), gen(2)]\n"),
    "an endless map": ("import itertools\n    assert list(itertools.islice(candidate(sq), 3)) == [0, 1, 4]",
                       "import itertools\n\n\ndef make(f):\n    return map(lambda x: f(x), itertools.count())\n"),
    "next()": ("it = candidate(sq)\n    assert next(it) == 1 and next(it) == 4",
               "def make(f):\n    return map(lambda x: f(x), [1, 2, 3])\n"),
}


@pytest.mark.parametrize("how", RIGHT_NESTED)
def test_right_programs_handing_back_code_pass(how):
    test, code = RIGHT_NESTED[how]
    passed, out = verdict(code, humaneval("make", SEEN + "    %s\n" % test, "f"))
    assert passed, out


LIBRARY_BASED = {  # a class of the solution's on a builtin's base, whose code the tests run after the call returned
    "a method": ("r = candidate([1, 2, 3], sq)\n    r.describe()",
                 "class L(list):\n    def describe(self):\n        L.g['EXPECTED'][:] = [0]\n"),
    "__len__": ("r = candidate([1, 2, 3], sq)\n    assert len(r) == 1",
                "class L(list):\n    def __len__(self):\n        L.g['EXPECTED'][:] = [0]\n"
                "        return list.__len__(self)\n"),
    "__repr__": ("r = candidate([1, 2, 3], sq)\n    print(r)",
                 "class L(list):\n    def __repr__(self):\n        L.g['EXPECTED'][:] = [0]\n"
                 "        return list.__repr__(self)\n"),
    "__del__": ("candidate([1, 2, 3], sq)\n    r = [0]",
                "class L(list):\n    def __del__(self):\n        L.g['EXPECTED'][:] = [0]\n"),
}


@pytest.mark.parametrize("how", LIBRARY_BASED)
def test_methods_of_the_solutions_classes_on_a_builtin_base_run_in_the_window(how):
    # before: each passed (only classes on object alone had their methods run in the window)
    test, cls = LIBRARY_BASED[how]
    code = cls + "\n\ndef apply(xs, f):\n    L.g = f.__globals__\n    return L([0])\n"
    passed, out = verdict(code, humaneval("apply", HELPER + "    %s\n    assert r == EXPECTED\n" % test, "xs, f"))
    assert not passed and "in place" in out, out


RIGHT_LIBRARY_BASED = {  # right programs whose classes on a builtin's base the tests use, their own data changing
    "a list's methods": ("r = candidate([1, 2, 3], sq)\n    assert r.total() == 14 and len(r) == 3 and r == [1, 4, 9]"
                         "\n    assert repr(r) == '[1, 4, 9]'",
                         "class L(list):\n    def total(self):\n        return sum(self)\n\n"
                         "    def __len__(self):\n        return list.__len__(self)\n\n\n"
                         "def apply(xs, f):\n    return L(f(x) for x in xs)\n"),
    "a dict with __missing__": ("r = candidate([1, 2], sq)\n"
                                "    assert r[3] == 0 and r[1] == 1 and sorted(r) == [1, 2, 3]",
                                "class D(dict):\n    def __missing__(self, k):\n        self[k] = 0\n"
                                "        return 0\n\n\ndef apply(xs, f):\n    return D((x, f(x)) for x in xs)\n"),
    "an exception's str()": ("try:\n        candidate([], sq)\n    except ValueError as e:\n"
                             "        assert str(e) == 'empty'\n    else:\n        assert False",
                             "class Empty(ValueError):\n    def __str__(self):\n        return 'empty'\n\n\n"
                             "def apply(xs, f):\n    if not xs:\n        raise Empty()\n"
                             "    return [f(x) for x in xs]\n"),
    "an int's own methods": ("r = candidate([1, 2, 3], sq)\n    assert r.double() == 28 and r + 1 == 15",
                             "class I(int):\n    def double(self):\n        return I(2 * int(self))\n\n\n"
                             "def apply(xs, f):\n    return I(sum(f(x) for x in xs))\n"),
}


@pytest.mark.parametrize("how", RIGHT_LIBRARY_BASED)
def test_right_programs_with_classes_on_a_builtin_base_pass(how):
    test, code = RIGHT_LIBRARY_BASED[how]
    tests = humaneval("apply", "SEEN = []\n\n\ndef sq(x):\n    SEEN.append(x)\n    return x * x\n\n\n"
                               "def check(candidate):\n    %s\n" % test, "xs, f")
    passed, out = verdict(code, tests)
    assert passed, out


LEFT_TO_THE_INTERPRETER = {  # code the solution left for the interpreter to call at a moment of its own
    "a gc callback": ("import gc\n\n\ndef apply(xs, f):\n    g = f.__globals__\n\n    def cb(phase, info):\n"
                      "        if phase == 'stop' and info['generation'] == 2:\n"
                      "            g['EXPECTED'][:] = [0]\n    gc.callbacks.append(cb)\n    return [0]\n"),
    # a finalizer of an object in a cycle, which only a collection frees: a library's function called, or its own
    "a weakref.finalize": ("import weakref\n\n\nclass Box:\n    pass\n\n\ndef apply(xs, f):\n"
                           "    g = f.__globals__\n    b = Box()\n    b.me = b\n"
                           "    weakref.finalize(b, g['EXPECTED'].__setitem__, slice(None), [0])\n    return [0]\n"),
    "a finalizer of its own": ("import weakref\n\n\nclass Box:\n    pass\n\n\ndef apply(xs, f):\n"
                               "    g = f.__globals__\n    b = Box()\n    b.me = b\n\n    def end():\n"
                               "        g['EXPECTED'][:] = [0]\n    weakref.finalize(b, end)\n    return [0]\n"),
}
# an error in a finalizer goes to sys.unraisablehook, the solution's
LEFT_TO_THE_INTERPRETER["sys.unraisablehook"] = (
    "import sys\n\n\nclass Box:\n    def __del__(self):\n        raise ValueError\n\n\ndef apply(xs, f):\n"
    "    g = f.__globals__\n\n    def hook(u):\n        g['EXPECTED'][:] = [0]\n    sys.unraisablehook = hook\n"
    "    b = Box()\n    b.me = b\n    return [0]\n")
COLLECTED = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    import gc\n    gc.collect()\n"
                                        "    assert r == EXPECTED\n", "xs, f")


@pytest.mark.parametrize("how", LEFT_TO_THE_INTERPRETER)
def test_what_the_solution_left_for_the_interpreter_runs_in_the_window(how):
    # before: passed (the callback ran at the tests' own gc.collect(), after the call's window had closed)
    passed, out = verdict(LEFT_TO_THE_INTERPRETER[how], COLLECTED)
    assert not passed, out


READ_LATER = {  # the solution's closure reached by the tests through what its call returned: an attribute, a set
    "__getattr__": ("o = candidate(sq)\n    r = o.apply([1, 2, 3])",
                    "class O:\n    def __getattr__(self, name):\n        g = self.g\n\n        def apply(xs):\n"
                    "            g['EXPECTED'][:] = [0]\n            return [0]\n        return apply\n\n\n"
                    "def make(f):\n    o = O()\n    o.__dict__['g'] = f.__globals__\n    return o\n"),
    "an attribute": ("o = candidate(sq)\n    r = o.apply([1, 2, 3])",
                     "class O:\n    pass\n\n\ndef make(f):\n" + CHANGES + "    o = O()\n    o.apply = apply\n"
                     "    return o\n"),
    "a SimpleNamespace": ("r = candidate(sq).apply([1, 2, 3])",
                          "import types\n\n\ndef make(f):\n" + CHANGES
                          + "    return types.SimpleNamespace(apply=apply)\n"),
    "a set": ("r = next(iter(candidate(sq)))([1, 2, 3])", "def make(f):\n" + CHANGES + "    return {apply}\n"),
}


@pytest.mark.parametrize("how", READ_LATER)
def test_the_solutions_code_the_tests_read_anywhere_runs_in_the_window(how):
    # before: each passed (the closure ran outside the window: only a function returned, or held in a list, dict or
    # tuple, was run in it)
    test, code = READ_LATER[how]
    passed, out = verdict(code, humaneval("make", NESTED_TESTS + "    %s\n    assert r == EXPECTED\n" % test, "f"))
    assert not passed and "in place" in out, out


RIGHT_READ_LATER = {
    "a delegating __getattr__": ("o = candidate(sq)\n    assert o.apply([1, 2]) == [1, 4] and o.n == 2",
                                 "class O:\n    def __init__(self, f):\n        self.f = f\n        self.n = 2\n\n"
                                 "    def __getattr__(self, name):\n"
                                 "        return lambda xs: [self.f(x) for x in xs]\n\n\n"
                                 "def make(f):\n    return O(f)\n"),
    "a SimpleNamespace": ("o = candidate(sq)\n    assert o.apply([3]) == [9] and o.apply is o.apply",
                          "import types\n\n\ndef make(f):\n"
                          "    return types.SimpleNamespace(apply=lambda xs: [f(x) for x in xs])\n"),
}


@pytest.mark.parametrize("how", RIGHT_READ_LATER)
def test_right_programs_whose_code_the_tests_read_pass(how):
    test, code = RIGHT_READ_LATER[how]
    passed, out = verdict(code, humaneval("make", SEEN + "    %s\n" % test, "f"))
    assert passed, out


def test_a_class_on_a_builtins_base_keeps_its_own_methods_until_the_tests_read_a_value_of_it():
    # its own heavy use of them (a list subclass's __getitem__ in a loop) ran through the window's stand-in at ~2.5 us
    # a call, 10x, once every top-level class was wrapped before the tests ran
    tests = humaneval("f", "def check(candidate):\n    assert candidate(1) is True\n"
                           "    r = candidate(-1)\n    assert len(r) == 1\n    assert candidate(1) is False\n")
    code = ("class V(list):\n    def __len__(self):\n        return list.__len__(self)\n\n\n"
            "OWN = V.__dict__['__len__']\n\n\ndef f(n):\n"
            "    return V([n]) if n < 0 else V.__dict__['__len__'] is OWN\n")
    passed, out = verdict(code, tests)
    assert passed, out
