"""Twenty-third round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


HELPER = "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
COLLECTED = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    import gc\n    gc.collect()\n"
                                        "    assert r == EXPECTED\n", "xs, f")
# the tests' own allocations start a collection between the call and the comparison
ALLOCATING = humaneval("apply", HELPER + "    r = candidate([1, 2, 3], sq)\n    junk = [[i] for i in range(20000)]\n"
                                         "    assert r == EXPECTED and len(junk) == 20000\n", "xs, f")
CYCLE = "    g = f.__globals__\n    b = Box()\n    b.me = b\n"
REWRITE = "g['EXPECTED'].__setitem__(slice(None), [0])"
AT_A_COLLECTION = {  # what runs as a collection frees an object in a cycle: none of it is a call of the tests'
    "a weakref.ref callback": "import weakref\n\n\nclass Box:\n    pass\n\n\nKEEP = []\n\n\ndef apply(xs, f):\n"
                              + CYCLE + "    KEEP.append(weakref.ref(b, lambda w: %s))\n    return [0]\n" % REWRITE,
    "a weakref.finalize subclass with its own registry": (
        "import weakref\n\n\nclass Box:\n    pass\n\n\nclass F(weakref.finalize):\n    _registry = {}\n\n\n"
        "def apply(xs, f):\n" + CYCLE + "    F(b, lambda: %s)\n    return [0]\n" % REWRITE),
    "__del__ of a class made in the call": "def apply(xs, f):\n    g = f.__globals__\n\n    class Box:\n"
                                           "        def __del__(self):\n            %s\n" % REWRITE
                                           + "    b = Box()\n    b.me = b\n    return [0]\n",
}


@pytest.mark.parametrize("tests", [COLLECTED, ALLOCATING], ids=["gc.collect()", "allocations"])
@pytest.mark.parametrize("how", AT_A_COLLECTION)
def test_what_a_collection_outside_the_calls_runs_changes_nothing_of_the_tests(how, tests):
    # before: each passed (weakref.ref callbacks and the __del__ of classes the tests never read ran outside the
    # window, at a collection in the tests' code)
    passed, out = verdict(AT_A_COLLECTION[how], tests)
    assert not passed and "in place" in out, out


GC_CALLBACKS = {  # gc.callbacks itself: the harness's callback taken out, or the solution's own hidden from it
    "the harness's callback removed": (
        "import gc, weakref\n\n\nclass Box:\n    pass\n\n\nKEEP = []\n\n\ndef apply(xs, f):\n"
        "    for cb in list(gc.callbacks):\n        if getattr(cb, '__name__', '') == 'collecting':\n"
        "            gc.callbacks.remove(cb)\n" + CYCLE + "    KEEP.append(weakref.ref(b, lambda w: %s))\n"
        "    return [0]\n" % REWRITE),
    # first in the list, outside the window, before the collection's own check looks: gc.callbacks rebound so that
    # the harness's look for callbacks of the solution's found none
    "a callback of its own first, the name rebound": (
        "import gc\n\n\ndef apply(xs, f):\n    g = f.__globals__\n\n    def cb(phase, info):\n"
        "        if phase == 'start':\n            %s\n    gc.callbacks.insert(0, cb)\n    gc.callbacks = []\n"
        "    return [0]\n" % REWRITE),
}


@pytest.mark.parametrize("how", GC_CALLBACKS)
def test_gc_callbacks_cannot_be_taken_out_or_hidden(how):
    # before: each passed
    passed, out = verdict(GC_CALLBACKS[how], COLLECTED)
    assert not passed, out


# list() of a generator drops it before the comparison: what its end frees ran after the last step's window
LISTED = humaneval("apply", HELPER + "    assert list(candidate([1, 2, 3], sq)) == EXPECTED\n", "xs, f")
DROPPED_GENERATOR = ("import weakref\n\n\nKEEP = []\n\n\ndef apply(xs, f):\n    g = f.__globals__\n\n"
                     "    def gen():\n        yield 0\n    it = gen()\n"
                     "    KEEP.append(weakref.ref(it, lambda w: %s))\n    return it\n" % REWRITE)
AWAITED = humaneval("apply", HELPER + "    import asyncio\n"
                                     "    assert asyncio.run(candidate([1, 2, 3], sq)) == EXPECTED\n", "xs, f")
DROPPED_COROUTINE = ("import weakref\n\n\nKEEP = []\n\n\ndef apply(xs, f):\n    g = f.__globals__\n\n"
                     "    async def run():\n        return [0]\n    c = run()\n"
                     "    KEEP.append(weakref.ref(c, lambda w: %s))\n    return c\n" % REWRITE)


@pytest.mark.parametrize("code, tests", [(DROPPED_GENERATOR, LISTED), (DROPPED_COROUTINE, AWAITED)],
                         ids=["generator", "coroutine"])
def test_a_returned_generator_is_dropped_in_the_window(code, tests):
    # before: each passed (the weakref callback on the generator ran as list() dropped it, outside the window)
    passed, out = verdict(code, tests)
    assert not passed and "in place" in out, out


RIGHT = {  # right programs that use weakrefs, finalizers and gc themselves, judged by tests that collect
    "a weak cache": ("import weakref\n\n\nclass Node:\n    def __init__(self, v):\n        self.v = v\n\n\n"
                     "CACHE = weakref.WeakValueDictionary()\nDIED = []\n\n\ndef apply(xs, f):\n"
                     "    nodes = [Node(f(x)) for x in xs]\n    for n in nodes:\n"
                     "        CACHE[n.v] = n\n        weakref.ref(n, DIED.append)\n        n.me = n\n"
                     "    return [n.v for n in nodes]\n"),
    "a finalizer and __del__ of its own": ("import gc, weakref\n\n\nLOG = []\n\n\nclass Box:\n"
                                          "    def __del__(self):\n        LOG.append(1)\n\n\ndef apply(xs, f):\n"
                                          "    b = Box()\n    b.me = b\n    weakref.finalize(b, LOG.append, 2)\n"
                                          "    gc.collect()\n    return [f(x) for x in xs]\n"),
    "a generator": "def apply(xs, f):\n    for x in xs:\n        yield f(x)\n",
}
RIGHT_TESTS = {"gc.collect()": COLLECTED, "allocations": ALLOCATING, "list()": LISTED}
TESTS_OF_THEIR_OWN = humaneval("apply", "import gc\nLOG = []\n\n\nclass Mine:\n    def __del__(self):\n"
                                        "        LOG.append(1)\n\n\ndef sq(x):\n    m = Mine()\n    m.me = m\n"
                                        "    return x * x\n\n\ndef check(candidate):\n"
                                        "    r = list(candidate([1, 2, 3], sq))\n    gc.collect()\n"
                                        "    assert r == [1, 4, 9] and len(LOG) >= 3\n", "xs, f")


@pytest.mark.parametrize("how, tests", [(h, t) for h in RIGHT for t in RIGHT_TESTS if h != "a generator" or
                                        t == "list()"])
def test_right_programs_with_weakrefs_finalizers_and_generators_pass(how, tests):
    passed, out = verdict(RIGHT[how], RIGHT_TESTS[tests])
    assert passed, out


@pytest.mark.parametrize("how", RIGHT)
def test_the_tests_own_finalizers_change_their_data(how):
    passed, out = verdict(RIGHT[how], TESTS_OF_THEIR_OWN)
    assert passed, out


MONEY = {  # a value on a float's or a list's base whose own text shows what it holds, as a plain run prints it
    "str()": ("assert str(candidate(2)) == '$3.00' and candidate(2) == 3.0",
              "class Money(float):\n    def __str__(self):\n        return '$%.2f' % self\n", "Money(1.5 * n)"),
    "format": ("assert f'{candidate(2):.1f}' == '$3.0' and f'{candidate(2)}' == '$3.00'",
               "class Money(float):\n    def __format__(self, spec):\n"
               "        return '$' + float.__format__(self, spec or '.2f')\n", "Money(1.5 * n)"),
    "repr()": ("assert repr(candidate(2)) == 'Money(3.0)' and str(candidate(2)) == 'Money(3.0)'",
               "class Money(float):\n    def __repr__(self):\n        return 'Money(%r)' % float(self)\n",
               "Money(1.5 * n)"),
    "thousands": ("assert str(candidate(1000)) == '$1,500.25'",
                  "class Money(float):\n    def __str__(self):\n        return f'${self:,.2f}'\n",
                  "Money(1.5 * n + 0.25)"),
    "negative": ("assert str(candidate(-2)) == '-$3.00'",
                 "class Money(float):\n    def __str__(self):\n        return f'-${-self:.2f}' if self < 0 else "
                 "f'${self:.2f}'\n", "Money(1.5 * n)"),
    "an int's": ("assert str(candidate(2)) == '#2'", "class Id(int):\n    def __str__(self):\n"
                 "        return '#%d' % self\n", "Id(n)"),
    "a list's repr()": ("assert repr(candidate(2)) == 'Stack([0, 1])'",
                        "class Stack(list):\n    def __repr__(self):\n"
                        "        return 'Stack(%s)' % list.__repr__(self)\n",
                        "Stack(range(n))"),
}


@pytest.mark.parametrize("how", MONEY)
def test_a_value_whose_own_text_shows_what_it_holds_passes(how):
    # before: format, repr() and a list's repr() failed ('answers __repr__ with the solution's own code other than
    # what it holds'); str() of a float or an int was not looked at (now read as its base's repr())
    test, cls, value = MONEY[how]
    passed, out = verdict(cls + "\n\ndef f(n):\n    return %s\n" % value, humaneval("f", "def check(candidate):\n"
                                                                                         "    %s\n" % test))
    assert passed, out


LYING_TEXT = {  # the held value's digits inside another number, or another number rounded, or other items
    "a digit more": ("assert str(candidate(2)) == '13.0'",
                     "class F(float):\n    def __str__(self):\n        return '13.0'\n", "F(3.0)"),
    "a digit more in repr()": ("assert repr(candidate(2)) == '13.0'",
                               "class F(float):\n    def __repr__(self):\n        return '13.0'\n", "F(3.0)"),
    "another number": ("assert f'{candidate(2):.2f}' == '$2.50'",
                       "class F(float):\n    def __format__(self, spec):\n        return '$2.50'\n", "F(3.0)"),
    "another sign": ("assert str(candidate(2)) == '$3.00'",
                     "class F(float):\n    def __str__(self):\n        return '$3.00'\n", "F(-3.0)"),
    "other items": ("assert repr(candidate(2)) == 'Stack([1, 2])'",
                    "class L(list):\n    def __repr__(self):\n        return 'Stack([1, 2])'\n", "L([5])"),
    "an empty string": ("assert str(candidate(2)) == 'abc'",
                        "class S(str):\n    def __str__(self):\n        return 'abc'\n", "S('')"),
}


@pytest.mark.parametrize("how", LYING_TEXT)
def test_a_value_whose_own_text_shows_another_is_still_refused(how):
    # before: 'a digit more' and 'another sign' passed (a float's str() was not looked at: float has no __str__)
    test, cls, value = LYING_TEXT[how]
    passed, out = verdict(cls + "\n\ndef f(n):\n    return %s\n" % value, humaneval("f", "def check(candidate):\n"
                                                                                         "    %s\n" % test))
    assert not passed and "other than what it holds" in out, out


# an object the tests drop as a temporary (candidate(sq).apply(...)): what it held died between the call and the
# comparison, and a weakref callback on it ran there
TEMPORARY = humaneval("make", HELPER.replace("def check(candidate):\n", "") + "def check(candidate):\n"
                              "    r = candidate(sq).apply([1, 2, 3])\n    assert r == EXPECTED\n", "f")
HELD_BY_A_TEMPORARY = {
    "a SimpleNamespace": "import types, weakref\n\n\nclass B:\n    pass\n\n\nKEEP = []\n\n\ndef make(f):\n"
                         "    g = f.__globals__\n    b = B()\n    KEEP.append(weakref.ref(b, lambda w: %s))\n"
                         "    return types.SimpleNamespace(apply=lambda xs: [0], keep=b)\n" % REWRITE,
}


@pytest.mark.parametrize("how", HELD_BY_A_TEMPORARY)
def test_what_the_tests_drop_is_freed_in_the_next_window(how):
    # before: each passed (the callback ran as the tests dropped the temporary, outside any window)
    passed, out = verdict(HELD_BY_A_TEMPORARY[how], TEMPORARY)
    assert not passed and "in place" in out, out


def test_right_programs_whose_values_the_tests_drop_pass():
    tests = humaneval("make", "def check(candidate):\n    assert candidate(2).apply([1, 2]) == [2, 4]\n"
                              "    for k in range(50):\n        assert candidate(k).apply([1]) == [k]\n"
                              "    assert [candidate(3)(x) for x in (1, 2)] == [3, 6]\n", "k")
    code = ("import weakref\n\n\nLIVE = weakref.WeakSet()\n\n\nclass Scale:\n    def __init__(self, k):\n"
            "        self.k = k\n        LIVE.add(self)\n\n    def apply(self, xs):\n"
            "        return [self.k * x for x in xs]\n\n    def __call__(self, x):\n        return self.k * x\n\n"
            "    def __del__(self):\n        self.k = None\n\n\n"
            "def make(k):\n    return Scale(k)\n")
    passed, out = verdict(code, tests)
    assert passed, out
