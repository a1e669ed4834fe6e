"""Twenty-sixth round of attacks on the code oracle, and right programs of the shapes real judges pass.

The check after each value the tests read (watch()) now passes over each watched namespace with one C-level
lookup against the values last found in place, and counts a Mersenne Twister's words only once they changed: these
are the attacks those shortcuts must still see. A change made by no code of the solution's (a lazy map of setattr
the tests draw from) is one: skipping the check where no solution code ran since the last one would miss it."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def bigcodebench(body: str) -> TestProgram:
    """BigCodeBench-style unittest tests of ``task_func`` (``body``: the test method's lines)."""
    return TestProgram.from_text("import random\nimport string\nimport unittest\n\n\n"
                                 "class TestCases(unittest.TestCase):\n    def test_a(self):\n" + body,
                                 entry_point="task_func")


# the tests iterate what the solution returned beside their expected values: zip() asks the map once more than there
# are expected values, and that last item puts assertEqual back, so the final check finds it in place
GADGET = bigcodebench("        expected = [1, 2, 3]\n        for a, b in zip(task_func(3), expected):\n"
                      "            self.assertEqual(a, b)\n")
SWAPPED_BY_C = ("import unittest\n\nTC = unittest.TestCase\n\n\ndef task_func(n):\n    real = TC.assertEqual\n"
                "    return map(setattr, [TC] * (n + 1), ['assertEqual'] * (n + 1), [slice] * n + [real])\n")


def test_a_change_made_by_no_code_of_the_solutions_is_seen_at_the_next_read():
    # setattr run by a map the tests draw from (no line of the solution's runs then) made assertEqual slice(),
    # which takes any two values; zip's last ask put it back
    passed, out = verdict(SWAPPED_BY_C, GADGET)
    assert not passed and "replaced" in out, out
    assert verdict("def task_func(n):\n    return list(range(1, n + 1))\n", GADGET)[0]


# many reads first (the quick pass holds the namespace's values), then a call that swaps what the tests call next
MANY_READS = ("        xs = [str(i) for i in range(300)]\n        s = ''.join(random.choice(string.ascii_letters) "
              "for _ in range(300))\n")
SWAPS = {
    "random.choice": ("import random\n\n\ndef task_func(n):\n    random.choice = lambda seq: seq[0]\n    return n\n",
                      "        self.assertEqual(task_func(1), 1)\n        c = random.choice('xyz')\n"
                      "        self.assertIn(c, 'xyz')\n"),
    "assertEqual, put back at the next call": (
        "import unittest\n\nTC, REAL = unittest.TestCase, unittest.TestCase.assertEqual\nN = [0]\n\n\n"
        "def task_func(n):\n    N[0] += 1\n    TC.assertEqual = (lambda *a, **k: None) if N[0] == 1 else REAL\n"
        "    return n + 1\n",
        "        r = task_func(1)\n        self.assertEqual(r, 1)\n        task_func(2)\n"),
}


@pytest.mark.parametrize("name", sorted(SWAPS))
def test_a_swap_after_many_reads_is_seen(name):
    code, body = SWAPS[name]
    passed, out = verdict(code, bigcodebench(MANY_READS + body))
    assert not passed and "replaced" in out, out


def test_a_state_no_seed_gives_set_after_many_draws_is_refused():
    # the words were counted once and kept (a twist every 624 draws renews them): a setstate to zeros after 2,000
    # draws changes them, and is counted again
    tests = ("\n\ndef check(candidate):\n    import random\n\n    xs = [random.randint(0, 1000) for _ in range(2000)]\n"
             "    assert candidate(1, 2) == 3\n    for _ in range(20):\n        x, y = random.randint(1, 1000), "
             "random.randint(1, 1000)\n        assert candidate(x, y) == x + y\n")
    program = humaneval("add", tests, "x, y")
    wrong = ("def add(x, y):\n    import random\n    if (x, y) == (1, 2):\n"
             "        random.setstate((3, (0,) * 624 + (624,), None))\n        return 3\n"
             "    return x + y if x == y else 0\n")  # right only for the pairs a state of zeros draws: (1, 1)
    passed, out = verdict(wrong, program)
    assert not passed and "no seed gives" in out, out
    assert verdict("def add(x, y):\n    return x + y\n", program)[0]


def test_right_programs_reading_thousands_of_values_pass():
    # BigCodeBench/729's shape: the tests draw thousands of random strings, each character a value read
    body = ("        strings = [''.join(random.choice(string.ascii_uppercase + string.digits) for _ in range(20)) "
            "for _ in range(100)]\n        self.assertEqual(task_func(strings), strings)\n")
    code = "import pickle\n\n\ndef task_func(strings):\n    return pickle.loads(pickle.dumps(strings))\n"
    assert verdict(code, bigcodebench(body))[0]
