"""A RunWriter whose close fails on one file (a full disk fails a buffered write's flush at close) closes the
others and the run's lock before it raises: it stopped at the failing file, leaving them open in a Python caller."""

import errno

import pytest

from ptsfast.outputs.rundir import RunWriter


class _FullDisk:
    """A file whose close fails as a full disk's flush does; it is closed by then, as a real file is."""

    def __init__(self, real):
        self.real = real

    def close(self):
        self.real.close()
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failing_close_closes_every_other_file_and_the_lock(tmp_path):
    w = RunWriter(tmp_path / "run", {"a": 1})
    files = dict(w._files)
    first = next(iter(files))
    w._files[first] = _FullDisk(files[first])
    with pytest.raises(OSError, match="No space left"):
        w.close()
    assert all(f.closed for f in files.values())
    assert w._lock.closed
    w.close()  # closing again is a no-op
