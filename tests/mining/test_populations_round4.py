"""The fourth red-team's populations (``simulate.EXTRA_POPULATIONS``: flatedge, latetail, likely, synonyms, wiggle,
mixedlen, cutmost, flatedgemath, latelong, wigglemath, counterdrift, tightdrift, tightdriftsure, siblings) draw curves
with the shape each claims: a claim that silently stopped holding would leave their recall numbers measuring
something else. 30 trajectories of seed 0 each (latetail, latelong: 10; siblings: 40, ten problems); designs
(budget-free curves) are read where the claim is about the design."""

import pytest

from ptsfast.mining.simulate import EXTRA_POPULATIONS, POPULATIONS, _len_cdf, exact_pts, population

GAP = 0.2
NEW = ("flatedge", "latetail", "likely", "synonyms", "wiggle", "mixedlen", "cutmost", "flatedgemath", "latelong",
       "wigglemath", "counterdrift", "tightdrift", "tightdriftsure", "siblings")


def draw(name, n=30):
    return list(population(EXTRA_POPULATIONS[name], 0, n=n).values())


def steps(st, lo=1e-12):
    """Designed steps (k, Δ) of a trajectory with |Δ| >= lo, its verdict step included."""
    d = st.design
    return [(k, d[k + 1] - d[k]) for k in range(st.length) if abs(d[k + 1] - d[k]) >= lo]


def interior(st, lo=1e-12):
    """Designed steps but the verdict step of a complete solution."""
    return [(k, dk) for k, dk in steps(st, lo) if st.traj.correct is None or k < st.length - 1]


def test_new_populations_run_by_name_only():
    assert all(name in EXTRA_POPULATIONS and name not in POPULATIONS for name in NEW)


@pytest.mark.parametrize("name", ["flatedge", "flatedgemath"])
def test_flatedge_pivots_leave_a_long_flat_stretch_near_0_or_1(name):
    sims = draw(name)
    found = 0
    for st in sims:
        d, moves = st.design, interior(st)
        edge = [k for k, _ in moves if k < st.length // 10 + 1 and min(d[k + 1], 1 - d[k + 1]) <= 0.05 + 1e-9]
        back = [k for k, dk in moves if k >= 0.6 * (st.length - 1) - 1 and abs(dk) >= 0.3 - 1e-9]
        if edge and back and not [k for k, _ in moves if edge[0] < k < back[0]]:
            found += back[0] - edge[0] > st.length // 2  # flat near the edge for over half the solution
    assert found >= 0.8 * len(sims)


@pytest.mark.parametrize("name, shortest", [("latetail", 400), ("latelong", 1000)])
def test_latetail_pivots_come_in_the_last_twentieth_of_a_long_solution_from_p_near_half(name, shortest):
    sims = draw(name, n=10)
    assert all(st.length >= shortest for st in sims)
    assert all(abs(st.design[0] - 0.5) <= 0.05 + 1e-9 for st in sims)
    for st in sims:
        last = st.length if st.traj.correct is None else st.length - 1
        moves = interior(st)
        assert moves and all(k >= last - 1 - last // 20 for k, _ in moves)
        assert any(abs(dk) >= 0.3 - 1e-9 for _, dk in moves)


def test_likely_pivots_are_written_as_often_as_their_step_allows():
    """p(k) = f p(k+1) + (1 - f) r puts |Δ| <= 1 - f: a token written 95% of the time moves p by 0.05 at most, so
    the likeliest a pivot can be is where its alternatives all sit at 0 or 1."""
    sims = draw("likely")
    fs = []
    for st in sims:
        for k, dk in interior(st, 0.3 - 1e-9):
            a, b = st.design[k], st.design[k + 1]
            assert abs(st.follow[k] - min(a / b, (1 - a) / (1 - b))) < 1e-9
            assert all(q in (0.0, 1.0) or abs(q - round(q)) < 1e-9 for q in st.alt_q[k])
            assert abs(dk) <= 1 - st.follow[k] + 1e-9
            fs.append(st.follow[k])
    assert len(fs) >= 40 and sum(f >= 0.5 for f in fs) >= 0.3 * len(fs)


def test_synonyms_pivots_have_alternatives_level_with_p_after():
    sims = draw("synonyms")
    big = either = two = 0
    for st in sims:
        for k, dk in interior(st, 0.3 - 1e-9):
            alts = st.alt_q[k]
            level = [q for q in alts if abs(q - st.design[k + 1]) <= 0.02 + 1e-9]
            other = [q for q in alts if (q - st.design[k]) * dk < 0]
            big += 1
            either += bool(level) and bool(other)
            two += len(level) >= 2
    assert big >= 40 and either >= 0.8 * big and two >= 0.2 * big


@pytest.mark.parametrize("name", ["wiggle", "wigglemath"])
def test_wiggle_stretches_move_p_a_pivots_size_in_sub_gap_steps(name):
    sims = draw(name)
    found = 0
    for st in sims:
        d, k = st.design, 0
        while k < st.length:  # runs of consecutive steps of 0.01-0.06
            j = k
            while j < st.length and 0.01 - 1e-9 <= abs(d[j + 1] - d[j]) <= 0.06 + 1e-9:
                j += 1
            if j - k >= 20 and max(d[k:j + 1]) - min(d[k:j + 1]) >= GAP + 0.1:
                found += 1
                assert not set(exact_pts(st.p, GAP, st.traj.solution_logprobs)).intersection(range(k, j))
                break
            k = j + 1
    assert found >= 0.5 * len(sims)


def test_mixedlen_mixes_solutions_of_1_to_3_tokens_with_long_ones():
    sims = draw("mixedlen", n=100)
    tiny = [st for st in sims if st.length <= 3]
    assert 25 <= len(tiny) <= 55 and all(st.traj.correct is not None for st in tiny)
    assert {st.length for st in tiny} == {1, 2, 3}
    assert all(st.length >= 40 for st in sims if st.length > 3)


def test_cutmost_the_budget_cuts_most_answers_of_rollouts_that_leave():
    sims = draw("cutmost")
    fits = [_len_cdf(st.budget - 1, *st.alt_len[k]) for st in sims for k in range(st.length)]
    assert sum(fits) / len(fits) < 0.5
    assert sum(st.design[0] - st.p[0] > 0.03 for st in sims) >= 0.5 * len(sims)


@pytest.mark.parametrize("name", ["flatedgemath", "wigglemath"])
def test_math_variants_write_many_flat_tokens_rarely(name):
    shares = []
    for st in draw(name):
        flat = [k for k in range(st.length) if abs(st.design[k + 1] - st.design[k]) < 1e-12]
        shares.append(sum(st.follow[k] <= 0.2 + 1e-9 for k in flat) / max(1, len(flat)))
    assert 0.3 < sum(shares) / len(shares) < 0.5


@pytest.mark.parametrize("name, window, total, biggest", [("counterdrift", 30, 0.08, 0.45),
                                                          ("tightdrift", 15, 0.1, 0.4)])
def test_counterdrift_pivots_sit_amid_a_drift_against_them(name, window, total, biggest):
    sims = draw(name)
    found = 0
    for st in sims:
        moves = interior(st)
        for k, dk in moves:
            if abs(dk) < 0.3 - 1e-9:
                continue
            near = [dk2 for k2, dk2 in moves if k2 != k and abs(k2 - k) <= window]
            against = [x for x in near if x * dk < 0 and abs(x) < 0.05]  # sub-gap steps back
            found += len(against) >= 3 and abs(sum(against)) >= total - 1e-9 and abs(dk) <= biggest + 1e-9
    assert found >= 0.8 * len(sims)


def test_tightdriftsure_draws_tightdrifts_curves_with_its_drift_tokens_written_over_90_percent_of_the_time():
    """The same designs as tightdrift (one draw each of the follow at a step): only how often rollouts write the
    drift's tokens differs, so rollouts from before a pivot reach it and past it."""
    sure, plain = draw("tightdriftsure"), draw("tightdrift")
    assert [st.design for st in sure] == [st.design for st in plain]
    drift = [(a.follow[k], b.follow[k]) for a, b in zip(sure, plain) for k in range(a.length - 1)
             if 1e-12 < abs(a.design[k + 1] - a.design[k]) < 0.05]
    assert len(drift) >= 300
    assert sum(f >= 0.9 for f, _ in drift) >= 0.95 * len(drift) and all(g <= 0.85 + 1e-9 for _, g in drift)


def test_siblings_are_four_trajectories_a_problem_from_one_p0_with_curves_of_their_own():
    sims = draw("siblings", n=40)
    by_problem = {}
    for st in sims:
        by_problem.setdefault(st.traj.problem_id, []).append(st)
    assert len(by_problem) == 10 and all(len(v) == 4 for v in by_problem.values())
    for group in by_problem.values():
        assert len({st.traj.prompt_ids for st in group}) == 1
        assert max(st.p[0] for st in group) - min(st.p[0] for st in group) < 1e-9  # the prompt's p(0), exactly
        assert 0.25 - 1e-9 <= min(group[0].p[0], 1 - group[0].p[0]) <= 0.5 + 1e-9
        assert len({st.design for st in group}) == 4


def test_simulate_help_names_every_population():
    """Each population runs by name only if users can find its name: ``simulate --help`` lists them all."""
    import re

    from ptsfast.cli import build_parser
    from ptsfast.mining.simulate import ALL_POPULATIONS

    sim = build_parser()._subparsers._group_actions[0].choices["simulate"]
    listed = set(re.findall(r"[a-z0-9]+", sim.format_help()))
    assert set(ALL_POPULATIONS) <= listed, sorted(set(ALL_POPULATIONS) - listed)
