"""Pivotal Token Search: bisection, sequential estimation, alternatives and DPO pairs.

Pure Python (no torch). The engine plugs in through :class:`RolloutSampler`.
"""

from .driver import SearchPool, TrajectoryMiner, find_pivots
from .search import Bisection, SearchResult, search, split_point
from .types import (
    Confirmation,
    Estimate,
    EstimateSummary,
    EstimatorConfig,
    FilterConfig,
    MiningConfig,
    PairConfig,
    PairRecord,
    PivotRecord,
    ProbeRequest,
    Progress,
    RolloutOutcome,
    RolloutSampler,
    Trajectory,
    TrajectoryResult,
)

__all__ = [
    "Bisection", "Confirmation", "Estimate", "EstimateSummary", "EstimatorConfig", "FilterConfig", "MiningConfig",
    "PairConfig", "PairRecord", "PivotRecord", "ProbeRequest", "Progress", "RolloutOutcome",
    "RolloutSampler", "SearchResult", "Trajectory", "TrajectoryResult", "find_pivots", "search",
    "split_point",
]
