"""Data types and configuration of the pivot search (pure Python, no torch).

The engine side only has to implement :class:`RolloutSampler`: given a batch of
:class:`ProbeRequest` it returns, per request, ``n`` :class:`RolloutOutcome`.
Everything else (memo, statistics, bisection, alternatives) lives in this package.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Hashable, Literal, Protocol, Sequence


# --------------------------------------------------------------------------- engine interface
@dataclass(frozen=True)
class ProbeRequest:
    """Sample ``n`` rollouts continuing trajectory ``key`` after solution token ``t_position``.

    The context of every rollout is ``prompt + t_1..t_position + forced``; ``position == 0``
    means the prompt only. ``seed`` is distinct per request and deterministic.
    """

    key: Hashable
    position: int
    n: int
    seed: int
    forced: tuple[int, ...] = ()


@dataclass(frozen=True)
class RolloutOutcome:
    """One rollout: the generated ids (after any forced tokens) and the oracle verdict.

    An oracle error counts as a failure; ``error`` says why (it is counted and reported).
    """

    tokens: tuple[int, ...]
    success: bool
    error: str | None = None


class RolloutSampler(Protocol):
    """The engine: one list of ``request.n`` outcomes per request, in request order."""

    def __call__(self, requests: Sequence[ProbeRequest]) -> list[list[RolloutOutcome]]: ...


@dataclass(frozen=True)
class Trajectory:
    """One sampled solution of a problem.

    ``solution_logprobs[k]`` is ``log p(t_{k+1} | prompt, t_1..t_k)`` (used by the split rule);
    empty means unknown (the token-count midpoint is used then). ``correct`` is the oracle's
    verdict on the whole solution, i.e. the exact ``p(L)``; ``None`` (e.g. a truncated
    solution) makes ``p(L)`` an estimated position like any other.
    """

    key: Hashable
    problem_id: Hashable
    solution_ids: tuple[int, ...]
    solution_logprobs: tuple[float, ...] = ()
    correct: bool | None = None
    prompt_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.solution_logprobs and len(self.solution_logprobs) != len(self.solution_ids):
            raise ValueError(
                f"trajectory {self.key!r}: {len(self.solution_logprobs)} log-probs for "
                f"{len(self.solution_ids)} solution tokens; pass one per token or none"
            )


# --------------------------------------------------------------------------- estimates
@dataclass(frozen=True)
class Estimate:
    """p(success) at one point: counts (so it can be topped up) or an exact value."""

    successes: int = 0
    trials: int = 0
    exact: float | None = None

    @property
    def p(self) -> float:
        """Point estimate (NaN with no data)."""
        if self.exact is not None:
            return self.exact
        return self.successes / self.trials if self.trials else float("nan")

    @property
    def known(self) -> bool:
        return self.exact is not None or self.trials > 0

    def add(self, successes: int, trials: int) -> "Estimate":
        if self.exact is not None:
            return self
        return Estimate(self.successes + successes, self.trials + trials)


# --------------------------------------------------------------------------- config
Method = Literal["wilson", "jeffreys"]


@dataclass(frozen=True)
class EstimatorConfig:
    """Sequential estimation of the gap test ``|p(j) - p(i)| >= gap``.

    Rollouts come in batches of ``batch_size`` until the test decides or a position has
    ``max_rollouts`` trials. Split (bisect a segment) uses the loose ``split_confidence``;
    accepting a one-token pivot needs the strict ``accept_confidence`` lower bound of
    ``|Δp|`` to clear ``gap - indifference`` *and* the point estimate to clear ``gap``.
    Differences within ``gap ± indifference`` are the indifference zone of the sequential
    test (where it may stop either way), as in any sequential test with bounded samples.
    """

    batch_size: int = 8
    max_rollouts: int = 64
    split_confidence: float = 0.7
    accept_confidence: float = 0.95
    indifference: float = 0.1
    method: Method = "wilson"
    accept_min_trials: int = 16
    """A sampled side of a pivot needs this many trials before it can be accepted."""
    reuse: bool = True
    confirm_rollouts: int = 0
    """>0: re-test each accepted pivot on this many fresh rollouts per side (no selection bias)."""
    fixed_rollouts: int | None = None
    """Baseline mode of existing tools: exactly this many rollouts per position, decide by point
    estimate (no sequential test). Used by the simulation test; not recommended."""

    def __post_init__(self) -> None:
        for name in ("split_confidence", "accept_confidence"):
            v = getattr(self, name)
            if not 0.5 <= v < 1:
                raise ValueError(f"{name}={v}: use a confidence in [0.5, 1)")
        if self.batch_size < 1 or self.max_rollouts < self.batch_size:
            raise ValueError("need 1 <= batch_size <= max_rollouts")


@dataclass(frozen=True)
class FilterConfig:
    """Problem filter of the paper: keep a trajectory only if ``p_min <= p(0) <= p_max``."""

    enabled: bool = True
    p_min: float = 0.2
    p_max: float = 0.8
    max_rollouts: int = 32
    """p(0) is sampled in batches until its interval is inside/outside the range, at most this."""


@dataclass(frozen=True)
class PairConfig:
    """Alternatives for DPO pairs: first tokens of rollouts at the pivot's prefix, topped up."""

    enabled: bool = True
    min_count: int = 8
    """An alternative needs this many rollouts to be used; fewer -> top up with forced rollouts."""
    max_alternatives: int = 4
    """Top up at most this many alternatives per pivot (the most frequent ones)."""
    explore_rounds: int = 1
    """If no alternative was seen at the prefix, sample this many extra batches there."""


@dataclass(frozen=True)
class MiningConfig:
    """Everything the search needs. Defaults follow the paper (gap 0.2, filter 0.2..0.8)."""

    gap: float = 0.2
    split: Literal["logprob", "tokens"] = "logprob"
    seed: int = 0
    estimator: EstimatorConfig = field(default_factory=EstimatorConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    pairs: PairConfig = field(default_factory=PairConfig)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class EstimateSummary:
    """An estimate as reported: point, counts and a confidence interval."""

    p: float
    successes: int
    trials: int
    lo: float
    hi: float
    exact: bool = False


@dataclass(frozen=True)
class PivotRecord:
    key: Hashable
    problem_id: Hashable
    position: int
    """i: the pivot token is t_{i+1} = solution_ids[i]; its prefix keeps i solution tokens."""
    token_id: int
    before: EstimateSummary
    after: EstimateSummary
    direction: Literal["raises", "lowers"]
    confirmed: bool | None = None
    """None: no confirmation run; else the verdict of the fresh-rollout re-test."""
    confirm_before: EstimateSummary | None = None
    confirm_after: EstimateSummary | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PairRecord:
    """A DPO pair: query = prompt + t_1..t_i, completions are single tokens."""

    key: Hashable
    problem_id: Hashable
    position: int
    prefix_ids: tuple[int, ...]
    """prompt_ids + solution_ids[:position] (the prompt side, token ids)."""
    chosen_id: int
    rejected_id: int
    chosen: EstimateSummary
    rejected: EstimateSummary
    direction: Literal["raises", "lowers"]
    """Direction of the pivot this pair came from (chosen = pivot token iff 'raises')."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrajectoryResult:
    """What the search found for one trajectory, handed to the writer when it is finished."""

    key: Hashable
    problem_id: Hashable
    kept: bool
    """False when the problem filter dropped it (no search ran)."""
    p0: EstimateSummary
    pivots: list[PivotRecord] = field(default_factory=list)
    pairs: list[PairRecord] = field(default_factory=list)
    estimates: dict[int, EstimateSummary] = field(default_factory=dict)
    """Every probed solution position -> estimate (for plots of p along the solution)."""
    segments: list[tuple[int, int]] = field(default_factory=list)
    """Leaves of the bisection."""
    rollouts: int = 0
    """Rollouts sampled for this trajectory (forced ones included)."""
    reused: int = 0
    """Extra counts obtained for free by rollout reuse."""
    probes: int = 0
    """ProbeRequests issued."""
    rounds: int = 0
    errors: int = 0
    """Rollouts whose oracle raised (counted as failures)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Progress:
    """Counters after each sampler round (for a progress bar)."""

    rounds: int
    rollouts: int
    trajectories_done: int
    trajectories_total: int
    pivots: int
