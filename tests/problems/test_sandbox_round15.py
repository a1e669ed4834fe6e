"""Fifteenth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import json

import pytest

from helpers.judging import verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def sums(cases: int) -> code_tests.TestProgram:
    """An APPS row: each case two numbers on a line, their sum printed."""
    inputs = [f"{i} {i + 1}\n" for i in range(1, cases + 1)]
    outputs = [f"{2 * i + 1}\n" for i in range(1, cases + 1)]
    row = {"input_output": json.dumps({"inputs": inputs, "outputs": outputs})}
    return code_tests.test_program_from_row(row, ("input_output",), None, None)


# PyRival's fast-IO template, which many Codeforces solutions open with: its flush reads the module's global os
FAST_IO = (
    "import os, sys\nfrom io import BytesIO, IOBase\n\n\nclass FastIO(IOBase):\n    newlines = 0\n\n"
    "    def __init__(self, file):\n        self._fd = file.fileno()\n        self.buffer = BytesIO()\n"
    "        self.writable = 'x' in file.mode or 'r' not in file.mode\n"
    "        self.write = self.buffer.write if self.writable else None\n\n"
    "    def readline(self):\n        while self.newlines == 0:\n"
    "            b = os.read(self._fd, max(os.fstat(self._fd).st_size, 8192))\n"
    "            self.newlines = b.count(b'\\n') + (not b)\n            ptr = self.buffer.tell()\n"
    "            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)\n"
    "        self.newlines -= 1\n        return self.buffer.readline()\n\n"
    "    def flush(self):\n        if self.writable:\n            os.write(self._fd, self.buffer.getvalue())\n"
    "            self.buffer.truncate(0), self.buffer.seek(0)\n\n\n"
    "class IOWrapper(IOBase):\n    def __init__(self, file):\n        self.buffer = FastIO(file)\n"
    "        self.flush = self.buffer.flush\n        self.writable = self.buffer.writable\n"
    "        self.write = lambda s: self.buffer.write(s.encode('ascii'))\n"
    "        self.readline = lambda: self.buffer.readline().decode('ascii')\n\n\n"
    "sys.stdin, sys.stdout = IOWrapper(sys.stdin), IOWrapper(sys.stdout)\n"
    "input = lambda: sys.stdin.readline().rstrip('\\r\\n')\n\n\n"
    "def main():\n    a, b = map(int, input().split())\n    print(a + SUM)\n\n\n"
    "if __name__ == '__main__':\n    main()\n")


@pytest.mark.parametrize("cases", [1, 3], ids=["fresh interpreters", "forked"])
def test_a_program_whose_stdout_wrapper_needs_its_globals_to_flush_passes(cases):
    # the forked runs flushed sys.stdout again once the program's globals were None: PyRival's wrapper (os None)
    # raised, and a run exited with status 120; Python puts the original streams back before it clears the module
    # (before: the forked right program failed every row of more than one case)
    assert verdict(FAST_IO.replace("SUM", "b"), sums(cases))[0]
    assert not verdict(FAST_IO.replace("SUM", "a"), sums(cases))[0]
