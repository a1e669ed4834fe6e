"""The run layer: problems in, pivots and DPO pairs out (``ptsfast.mine``); see :mod:`ptsfast.pipeline.run`."""

from ptsfast.pipeline.run import *  # noqa: F401,F403
from ptsfast.pipeline.run import __all__, opens_think, progress_bar  # noqa: F401
