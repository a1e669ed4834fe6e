"""Data types and configuration of the pivot search (pure Python, no torch).

The engine side only has to implement :class:`RolloutSampler`: given a batch of
:class:`ProbeRequest` it returns, per request, ``n`` :class:`RolloutOutcome`.
Everything else (memo, statistics, bisection, alternatives) lives in this package.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Hashable, Literal, Protocol, Sequence, get_args


class Direction(str, Enum):
    """How a pivot token moves p(success): written to records as its value (``"raises"``/``"lowers"``)."""

    RAISES = "raises"
    LOWERS = "lowers"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, p_before: float, p_after: float) -> "Direction":
        """The one rule: a pivot raises p when p after it is higher, else it lowers p."""
        return cls.RAISES if p_after > p_before else cls.LOWERS


class Confirmation(str, Enum):
    """What the fresh rollouts of the confirmation say about an accepted pivot (written as its value).

    ``CONFIRMED``: the interval of its deciding fresh Δp (in its direction) clears ``gap - confirm_margin`` and the
    Δp it reports (from its own fresh batch, :attr:`EstimatorConfig.confirm_report_rollouts`) is at least the gap;
    ``REFUTED``: the interval lies below ``gap - confirm_margin`` (kept in the records, left out of pairs and default
    exports); ``UNDECIDED``: neither at the cap, or a reported Δp below the gap.
    """

    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    UNDECIDED = "undecided"

    def __str__(self) -> str:
        return self.value


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
    max_new_tokens: int | None = None
    """Token limit of these rollouts (forced tokens excluded); ``None``: the sampler's own. The
    search asks for more than the rollout budget so that reused rollouts keep a full budget."""


@dataclass(frozen=True)
class RolloutOutcome:
    """One rollout: the generated ids (after any forced tokens) and the oracle verdict.

    An oracle error counts as a failure; ``error`` says why (it is counted and reported).
    """

    tokens: tuple[int, ...]
    success: bool
    error: str | None = None
    cut_success: tuple[bool, ...] = ()
    """For a rollout longer than the search's ``rollout_budget`` B: ``cut_success[t]`` is the verdict
    on its first ``B + t`` tokens, i.e. what a rollout with the budget would have got where it is
    reused ``t`` tokens further on (see :class:`ptsfast.mining.estimator.Memo`). Missing entries count
    as failures (exact when a cut rollout never holds a complete answer)."""

    def __post_init__(self) -> None:  # a verdict of "yes" or None would count as a success or a failure unseen
        if not isinstance(self.success, bool) and type(self.success).__name__ not in ("bool_", "bool"):
            raise TypeError(f"RolloutOutcome.success must be a bool (the oracle's verdict), got "
                            f"{type(self.success).__name__} {self.success!r}")


def _numpy_bool(value) -> bool:
    """A numpy bool scalar (numpy not imported: this module stays free of it)."""
    return type(value).__module__ == "numpy" and type(value).__name__ in ("bool_", "bool")


def as_verdict(value) -> bool | None:
    """The strict reading of an oracle's return value: a bool, the ints 0/1 (numpy ones too), else None."""
    if isinstance(value, bool):
        return value
    if _numpy_bool(value):
        return bool(value)
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    return None


class RolloutSampler(Protocol):
    """The engine: one list of ``request.n`` outcomes per request, in request order.

    When the search knows the rollouts' token budget (``EstimatorConfig.rollout_budget``), a sampler
    must honour ``ProbeRequest.max_new_tokens`` and should fill ``RolloutOutcome.cut_success`` for
    rollouts longer than the budget (see :class:`ptsfast.pipeline.probes.ProbeRunner`).
    """

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
    max_new_tokens: int | None = None
    """Token limit the probes' rollouts get (the solution's own sampling limit): the search's rollout budget
    when ``EstimatorConfig.rollout_budget`` is not set."""

    def __post_init__(self) -> None:
        if self.correct is not None:  # a "False" string or a score would read as correct
            verdict = as_verdict(self.correct)
            if verdict is None:
                raise TypeError(f"trajectory {self.key!r}: correct must be a bool (the oracle's verdict on the "
                                f"solution) or None, got {type(self.correct).__name__} {self.correct!r}")
            object.__setattr__(self, "correct", verdict)
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
SplitRule = Literal["logprob", "tokens"]
"""Where a segment is split: at half its surprisal (``logprob``) or at its token midpoint."""


def check_fields(config) -> None:
    """Each field of a config dataclass of the type it declares (a TypeError naming it): counts are ints (8.5 rollouts
    failed deep inside a run, after its folder was written), switches bools ("no" is true), numbers reals, choices
    one of theirs, nested configs their class (numpy scalars pass as the numbers they are)."""
    import dataclasses

    name = type(config).__name__
    nested = {"EstimatorConfig": EstimatorConfig, "FilterConfig": FilterConfig, "PairConfig": PairConfig}
    for f in dataclasses.fields(config):
        v, kind = getattr(config, f.name), str(f.type)
        if v is None and kind.endswith("| None"):
            continue
        kind = kind.removesuffix(" | None")
        if kind == "bool":
            ok = isinstance(v, bool) or _numpy_bool(v)
        elif kind == "int":
            ok = isinstance(v, numbers.Integral) and not isinstance(v, bool)
        elif kind == "float":
            ok = isinstance(v, numbers.Real) and not isinstance(v, bool)  # the ranges (NaN included) are checked after
        elif kind in ("Method", "SplitRule"):
            choices = get_args(Method if kind == "Method" else SplitRule)
            ok, kind = v in choices, " or ".join(map(repr, choices))
        elif kind in nested:
            ok = isinstance(v, nested[kind])
        else:
            continue
        if not ok:
            raise TypeError(f"{name}.{f.name}={v!r}: expected {kind}" + (" or None" if str(f.type).endswith("| None")
                                                                          else ""))


@dataclass(frozen=True)
class EstimatorConfig:
    """Sequential estimation of the gap test ``|p(j) - p(i)| >= gap``.

    Rollouts come in batches of ``batch_size`` (each next batch ``growth`` times the trials so far
    when ``growth > 1``) until the test decides or a position has ``max_rollouts`` trials
    (``key_max_rollouts`` for the decisions that lose most when wrong: one-token segments, segments
    of ``key_length`` tokens or more, segments from the prompt, segments with an exact side; ``long_max_rollouts``
    for segments of ``long_length`` tokens or more). Confidences are two-sided
    levels of Newcombe intervals for ``p(j) - p(i)``; with ``alpha_spending`` each look uses its
    share of the error (Bonferroni over the looks a position can have).

    * Segments (longer than one token) are bisected as soon as ``|Δ|`` clears ``gap`` with a
      ``split_confidence`` lower bound above ``gap - indifference``; they are dropped only when the
      ``discard_confidence`` upper bound of ``|Δ|`` is below ``gap`` (a drop is final: it is the
      decision that can lose pivots). At the cap a segment is bisected when ``|Δ| >= gap -
      final_split_margin``.
    * A one-token segment is a pivot when ``|Δ| >= gap`` and the ``accept_confidence`` lower bound
      clears ``gap - indifference``; it is rejected when the ``reject_confidence`` upper bound is
      below ``gap + indifference``. At the cap the point estimate decides (the pseudo-code's rule).

    The three margins (``indifference``, ``final_split_margin``, ``token_extend_margin``) are used at most at half
    the gap, so a search at a gap of 0.1 keeps a zone of 0.05 on either side of it.
    """

    batch_size: int = 8
    """First batch of rollouts per position (the next batches grow by ``growth``)."""
    max_rollouts: int = 32
    """Cap of rollouts per position for bisection decisions."""
    key_max_rollouts: int | None = 64
    """Higher cap for key decisions: one-token segments, long segments, segments from the prompt, a side known
    exactly (:meth:`~ptsfast.mining.estimator.GapTest.is_key`)."""
    key_length: int = 64
    """A segment this many tokens long or longer is a key decision (every pivot below it hangs on it)."""
    long_max_rollouts: int | None = 128
    """Cap for segments of ``long_length`` tokens or more, the decisions most pivots hang on (None: as key ones)."""
    long_length: int = 256
    """A segment this many tokens long or longer gets ``long_max_rollouts``."""
    growth: float = 2.0
    """Each next batch is this many times the trials so far (1: fixed batches)."""
    split_confidence: float = 0.7
    """Confidence of the lower bound of |Δp| that bisects a segment."""
    discard_confidence: float = 0.8
    """Confidence of the upper bound of |Δp| that drops a segment (a drop can lose pivots)."""
    accept_confidence: float = 0.95
    """Confidence of the lower bound of |Δp| that accepts a pivot (and of reported intervals)."""
    reject_confidence: float = 0.95
    """Confidence of the upper bound of |Δp| that rejects a one-token segment."""
    indifference: float = 0.1
    """Half-width of the zone around the gap where either decision is acceptable."""
    alpha_spending: bool = True
    """Split each decision's error over the looks a position can have (Bonferroni)."""
    final_split_margin: float = 0.1
    """At the cap, a segment is bisected when |Δp| >= gap - this."""
    token_extend_margin: float = 0.1
    """A one-token segment at its key cap whose |Δp| estimate lies within this below the gap gets
    ``long_max_rollouts`` before it is decided (0: never): a pivot carried by an unlikely token shares no rollouts
    across it, and 64 a side read a true 0.3-0.35 below the gap 5-13% of the time."""
    look_inside: bool = True
    """At the cap, bisect a segment its ends would drop when reused rollouts show a position inside it whose p differs
    from an end's by a ``split_confidence`` lower bound of ``gap - indifference``
    (:meth:`~ptsfast.mining.estimator.GapTest.jump_inside`): a jump cancelled only in part by another."""
    method: Method = "wilson"
    """Interval of one proportion: wilson or jeffreys."""
    paired: bool = True
    """Account for rollouts counted on both sides of a segment (reuse): they make the two
    estimates positively correlated, so Δ is known better than from two independent samples."""
    accept_min_trials: int = 16
    """A sampled side of a pivot needs this many trials before it can be accepted."""
    reuse: bool = True
    """Count a rollout at every solution position it follows (within the window)."""
    reuse_window: int = 64
    """With a known ``rollout_budget``: a rollout is counted up to this many solution tokens past
    its start, at most a quarter of the budget (it is asked for that many tokens more than the
    budget, so that it still has the budget where it is counted)."""
    rollout_budget: int | None = None
    """``max_new_tokens`` of the sampler's rollouts (the run layer sets it). ``None``: each trajectory's
    ``max_new_tokens``; with neither, a search that reuses rollouts refuses to start (a rollout counted
    further along the solution has spent part of an unknown budget, which biases p down)."""
    confirm_rollouts: int = 16
    """>0: decide each accepted pivot on fresh rollouts, this many a side in the first batch, then doubling, until
    the decision of :class:`Confirmation` is reached or ``confirm_max_rollouts``."""
    confirm_max_rollouts: int = 16
    """Cap of the deciding fresh rollouts a side (at least ``confirm_rollouts``: the default decides at one look);
    at the cap an open decision is ``undecided``."""
    confirm_report_rollouts: int = 48
    """>0: a further batch of fresh rollouts a side, drawn with the first deciding batch and never used to decide:
    what the pivot reports. The deciding counts stop early where they look big and are read only when they cleared
    a bound, so they overstate ``|Δp|`` (design §1); these do not. 0: the pivot reports the deciding counts. The one
    selection left, "confirmed only if the reported Δp reaches the gap", biases pivots at the gap up by about a
    report's standard error: with 32 the confirmed Δp of a population whose pivots all sit near the gap came out
    +0.026 (48: +0.014, for 3-7% more rollouts)."""
    confirm_margin: float = 0.0
    """A pivot is confirmed when its fresh Δp interval clears ``gap - confirm_margin`` (and refuted when it
    lies below). 0: ``confirmed`` means a re-estimate will likely find the gap (99.6-99.9% of confirmed pivots hold
    on 128 fresh rollouts a side in the simulated populations with ``confirm_pooled_confidence``, 95.6-98.3% with 0.05
    and confidence 0.7 before it, at the same recall and rollouts; fewer are confirmed, more are undecided)."""
    confirm_confidence: float = 0.9
    """Two-sided confidence of the confirmation's interval of Δp (split over its looks)."""
    confirm_pooled_confidence: float = 0.95
    """Two-sided confidence of the interval of Δp on the deciding and report batches pooled, which must also clear
    the gap for ``confirmed``: a deciding look alone lets a pivot at the gap's edge through where that look came out
    high (the demo's stop token, all its fresh rollouts at Δp 0.2, cleared it at 0.9 by 0.001). 0.95: 99.6-99.9%
    of confirmed pivots hold on 128 fresh rollouts a side (98.3-99.4% without the pooled look, 99.1-99.9% at 0.9),
    ~10% of them undecided instead, no rollout more (five populations, 3 seeds)."""
    logprob_bound: bool = True
    """Drop, without a rollout, a segment none of whose tokens can move p by the gap: a token the rollouts write
    with probability f moves p by at most 1 - f (:func:`ptsfast.mining.search.movable`). Needs the trajectory's
    log-probs; holds when the rollouts sample with temperature <= 1 (any top-k / top-p), as the run checks."""
    fixed_rollouts: int | None = None
    """Baseline mode of existing tools: exactly this many rollouts per position, decide by point
    estimate (no sequential test). Used by the benchmarks; not recommended."""

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("split_confidence", "discard_confidence", "accept_confidence", "reject_confidence"):
            v = getattr(self, name)
            if not 0 < v < 1:
                raise ValueError(f"{name}={v}: use a confidence in (0, 1)")
        if self.batch_size < 1 or self.max_rollouts < self.batch_size:
            raise ValueError(f"need 1 <= batch_size <= max_rollouts, got {self.batch_size} and {self.max_rollouts}")
        if self.key_max_rollouts is not None and self.key_max_rollouts < self.batch_size:
            raise ValueError(f"need key_max_rollouts >= batch_size, got {self.key_max_rollouts} and {self.batch_size}")
        if self.rollout_budget is not None and self.rollout_budget < 1:
            raise ValueError(f"rollout_budget={self.rollout_budget}: use the sampler's max_new_tokens (>= 1) or None")
        if self.reuse_window < 0 or self.confirm_rollouts < 0 or self.confirm_report_rollouts < 0:
            raise ValueError("reuse_window, confirm_rollouts and confirm_report_rollouts must be >= 0")
        for name in ("confirm_confidence", "confirm_pooled_confidence"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: use a confidence in (0, 1)")
        if not 0 <= self.confirm_margin < 1:
            raise ValueError(f"confirm_margin={self.confirm_margin}: use a margin in [0, 1)")
        if not 1 <= self.growth < math.inf:
            raise ValueError(f"growth={self.growth}: use a factor >= 1 (1: batches of batch_size)")
        for name in ("indifference", "final_split_margin", "token_extend_margin"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)}: use a margin in [0, 1)")
        if self.key_length < 1 or self.long_length < 1 or self.accept_min_trials < 0 or self.confirm_max_rollouts < 0:
            raise ValueError("need key_length >= 1, long_length >= 1, accept_min_trials >= 0 and "
                             "confirm_max_rollouts >= 0")
        if self.long_max_rollouts is not None and self.long_max_rollouts < self.batch_size:
            raise ValueError(f"need long_max_rollouts >= batch_size (or None), got {self.long_max_rollouts} and "
                             f"{self.batch_size}")
        if self.fixed_rollouts is not None and self.fixed_rollouts < 1:
            raise ValueError(f"fixed_rollouts={self.fixed_rollouts}: use a number of rollouts >= 1, or None")

    @property
    def confirm_cap(self) -> int:
        """The deciding rollouts' cap a side: ``confirm_max_rollouts``, at least ``confirm_rollouts``."""
        return max(self.confirm_rollouts, self.confirm_max_rollouts)

    def rollout_tokens(self, extra: int | None = None, budget: int | None = None) -> int | None:
        """Most tokens a search rollout is asked for: the budget (``rollout_budget``, or ``budget`` when given: a
        trajectory's own) plus ``extra`` (default: the reuse window, at most a quarter of the budget), and at least
        one more, as the first token may be an alternative's sample. ``None`` without a budget. The run reserves
        context and KV room by the same number."""
        budget = self.rollout_budget if budget is None else budget
        if budget is None:
            return None
        window = min(self.reuse_window, budget // 4) if self.reuse else 0
        return budget + max(1, window if extra is None else extra)


@dataclass(frozen=True)
class FilterConfig:
    """Problem filter of the paper: keep a trajectory only if ``p_min <= p(0) <= p_max``."""

    enabled: bool = True
    p_min: float = 0.2
    p_max: float = 0.8
    max_rollouts: int = 32
    """p(0) is sampled in batches until its interval is inside/outside the range, at most this (its
    rollouts serve the search too)."""
    confidence: float = 0.95
    """A problem is dropped only when this interval of p(0) lies outside [p_min, p_max]."""

    def __post_init__(self) -> None:
        check_fields(self)
        for name in ("p_min", "p_max"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise ValueError(f"{name}={v!r}: use a probability in [0, 1]")
        if self.p_min > self.p_max:
            raise ValueError(f"p_min={self.p_min} > p_max={self.p_max}: the kept range of p(0) would be empty")
        if self.max_rollouts < 1:
            raise ValueError(f"max_rollouts={self.max_rollouts}: p(0) needs at least 1 rollout")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence={self.confidence}: use a confidence in (0, 1)")


@dataclass(frozen=True)
class PairConfig:
    """Alternatives for DPO pairs: first tokens of rollouts at the pivot's prefix, topped up."""

    enabled: bool = True
    """Make DPO pairs of the pivots (off: pivots only)."""
    min_count: int = 8
    """An alternative needs this many rollouts to be used; fewer -> top up with forced rollouts."""
    max_alternatives: int = 4
    """Top up at most this many alternatives per pivot (the most frequent ones)."""
    explore_rounds: int = 1
    """If no alternative was seen at the prefix, sample this many extra batches there."""
    fresh_rollouts: int = 16
    """The chosen alternative is re-estimated on fresh forced rollouts, this many in the first batch (then
    doubling up to ``fresh_max_rollouts``): the counts it was chosen on overstate how far it is from p(i)."""
    fresh_max_rollouts: int = 64
    candidates: int = 2
    """Alternatives tried in turn (best first by the search's counts) until one passes the fresh test."""
    confidence: float = 0.9
    """Two-sided confidence of the fresh test: the rejected side must lie below (the chosen side above)
    p(i) with the interval of their difference clear of 0, and the pair's margin p(chosen) - p(rejected)
    clear of ``gap / 2``."""

    def __post_init__(self) -> None:
        check_fields(self)
        if self.min_count < 1 or self.max_alternatives < 0 or self.candidates < 1 or self.explore_rounds < 0:
            raise ValueError(f"min_count={self.min_count}, max_alternatives={self.max_alternatives}, "
                             f"candidates={self.candidates}, explore_rounds={self.explore_rounds}: need "
                             f"min_count >= 1, max_alternatives >= 0, candidates >= 1 and explore_rounds >= 0")
        if not 1 <= self.fresh_rollouts <= self.fresh_max_rollouts:
            raise ValueError("need 1 <= fresh_rollouts <= fresh_max_rollouts")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence={self.confidence}: use a confidence in (0, 1)")


def check_gap(gap: float) -> None:
    """The one rule for a gap, wherever one is given: a number strictly between 0 and 1 (0 makes every token a
    pivot, 1 none; NaN compares false with everything, so every test would pass or fail silently)."""
    if isinstance(gap, bool) or not isinstance(gap, (int, float)):
        raise TypeError(f"gap={gap!r}: use a number in (0, 1) (the |Δp| that makes a pivot)")
    if not 0 < gap < 1:
        raise ValueError(f"gap={gap!r}: use a number in (0, 1) (the |Δp| that makes a pivot)")


def check_split(split: str) -> None:
    """The one rule for a split rule, wherever one is given: one of :data:`SplitRule`'s values."""
    if split not in get_args(SplitRule):
        raise ValueError(f"split={split!r}: unknown split rule; use " + " or ".join(map(repr, get_args(SplitRule))))


@dataclass(frozen=True)
class MiningConfig:
    """Everything the search needs. Defaults follow the paper (gap 0.2, filter 0.2..0.8)."""

    gap: float = 0.2
    split: SplitRule = "logprob"
    seed: int = 0
    estimator: EstimatorConfig = field(default_factory=EstimatorConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    pairs: PairConfig = field(default_factory=PairConfig)

    def __post_init__(self) -> None:
        check_gap(self.gap)  # their own words first
        check_split(self.split)
        check_fields(self)


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


class Record:
    """A result the run writes: its fields as plain data (nested dataclasses become dicts)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PivotRecord(Record):
    key: Hashable
    problem_id: Hashable
    position: int
    """i: the pivot token is t_{i+1} = solution_ids[i]; its prefix keeps i solution tokens."""
    token_id: int
    before: EstimateSummary
    after: EstimateSummary
    direction: Direction
    confirmed: Confirmation | None = None
    """None: no confirmation run; else what the fresh rollouts say (see :class:`Confirmation`)."""
    confirm_before: EstimateSummary | None = None
    """Fresh estimates the confirmation reports (the same as ``before``/``after`` when it ran): its report batch,
    not the counts that decided."""
    confirm_after: EstimateSummary | None = None
    search_before: EstimateSummary | None = None
    """The counts at the moment the search accepted the pivot (selected, so biased away from 0)."""
    search_after: EstimateSummary | None = None
    delta: float | None = None
    """Reported ``p(after) - p(before)`` with its interval at the report confidence."""
    delta_lo: float | None = None
    delta_hi: float | None = None


@dataclass(frozen=True)
class PairRecord(Record):
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
    direction: Direction
    """Direction of the pivot this pair came from (chosen = pivot token iff it raises p)."""
    before: EstimateSummary | None = None
    """p(i) at the pair's prefix, which the rejected side lies below (the chosen side above)."""
    margin: float | None = None
    """``p(chosen) - p(rejected)`` with its interval; every number of a pair comes from fresh rollouts (the
    confirmation's and the alternative's own), not from the counts the alternative was chosen on."""
    margin_lo: float | None = None
    margin_hi: float | None = None


@dataclass
class TrajectoryResult(Record):
    """What the search found for one trajectory, handed to the writer when it is finished."""

    key: Hashable
    problem_id: Hashable
    kept: bool
    """False when the problem filter dropped it (no search ran)."""
    p0: EstimateSummary
    pivots: list[PivotRecord] = field(default_factory=list)
    """Every accepted pivot, refuted ones included (``confirmed``); :attr:`reported` leaves those out."""
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

    @property
    def reported(self) -> list[PivotRecord]:
        """The pivots a user gets by default: all but the refuted ones."""
        return [pv for pv in self.pivots if pv.confirmed is not Confirmation.REFUTED]


@dataclass(frozen=True)
class Progress:
    """Counters after each sampler round (for a progress bar)."""

    rounds: int
    rollouts: int
    trajectories_done: int
    trajectories_total: int
    pivots: int
