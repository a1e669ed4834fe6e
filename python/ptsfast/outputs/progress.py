"""A progress bar that writes plain lines where standard error is no terminal, for every long step of a run.

It lives here, below the run layer, because both mining (``ptsfast.pipeline``) and the exports that take minutes
(the steering export's forward passes) show one, and imports point down only (docs/design.md §2).
"""

from __future__ import annotations

import sys
import time


class _NoBar:
    def update(self, n): ...
    def set_postfix(self, **kw): ...
    def set_postfix_str(self, s): ...
    def close(self): ...


LINE_INTERVAL_S = 30.0
"""Seconds between two progress lines where standard error is no terminal (a log file, a pipe, CI)."""


class _Lines:
    """The progress bar as plain lines, one every :data:`LINE_INTERVAL_S` and one at the end: tqdm's frames, each
    ended by a carriage return and redrawn twice a second by the run's speed and ETA, filled a log file or a CI log
    with thousands of frames a minute that no reader shows as one line."""

    def __init__(self, total: int, stream, interval: float | None = None, desc: str = "problems"):
        self.total, self.stream, self.desc = total, stream, desc
        self.interval = LINE_INTERVAL_S if interval is None else interval
        self.n, self.text, self.start = 0, "", time.monotonic()
        self.shown: tuple | None = None
        self.last = self.start - self.interval  # the first line at once: the log says the run began

    def update(self, n: int) -> None:
        self.n += n
        self._maybe()

    def set_postfix(self, ordered_dict=None, refresh: bool = True, **kw) -> None:  # tqdm's signature (Ray's call)
        self.set_postfix_str(" ".join(f"{k}={v}" for k, v in {**(ordered_dict or {}), **kw}.items()))

    def set_postfix_str(self, s: str) -> None:
        self.text = s
        self._maybe()

    def close(self) -> None:
        if self.shown != (self.n, self.text):
            self._line()

    def _maybe(self) -> None:
        if time.monotonic() - self.last >= self.interval:
            self._line()

    def _line(self) -> None:
        self.last = time.monotonic()
        self.shown = (self.n, self.text)
        took = int(self.last - self.start)
        clock = f"{took // 3600}h{took // 60 % 60:02d}m" if took >= 3600 else f"{took // 60}m{took % 60:02d}s"
        try:
            print(f"{self.desc} {self.n}/{self.total} [{clock}] {self.text}".rstrip(), file=self.stream, flush=True)
        except (OSError, ValueError):  # standard error closed or full: progress is not worth the run
            pass


def _no_terminal(stream) -> bool:
    """``stream`` is a file or pipe (it has a descriptor) and no terminal; not an in-memory stream, which a
    notebook or a test's capture gives and tqdm draws on as it should."""
    try:
        return stream.fileno() >= 0 and not stream.isatty()
    except (AttributeError, OSError, ValueError):
        return False


def progress_bar(total: int, enabled: bool, desc: str = "problems", unit: str = "problem"):
    """tqdm's bar on a terminal or in a notebook, plain lines where standard error is a file or a pipe, nothing
    when ``enabled`` is false."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    notebook = any(c.__module__ == "tqdm.notebook" for c in tqdm.__mro__)  # a widget, not written to stderr
    if not notebook and _no_terminal(sys.stderr):
        return _Lines(total, sys.stderr, desc=desc)
    return tqdm(total=total, desc=desc, unit=unit)
