"""A problem id names the problem in every record and export: a blank one is refused, as a duplicate is."""

import pytest

from ptsfast.pipeline.run import problem_hashes
from ptsfast.problems.loading import Problem


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_problem_id_is_refused_naming_the_way_out(blank):
    with pytest.raises(ValueError, match=rf"problem 1 has the blank id '{blank}'.*derived from its content"):
        problem_hashes([Problem(id="a", question="q", answer="1"), Problem(id=blank, question="q2", answer="2")])
