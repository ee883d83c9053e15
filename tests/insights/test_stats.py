"""Properties of the robust z-score (hypothesis: the one algorithm that deserves it)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from shared.insights.stats import robust_z

values = st.floats(min_value=0.001, max_value=1e6, allow_nan=False, allow_infinity=False)
baselines = st.lists(values, min_size=4, max_size=8)


@given(value=values, baseline=baselines, scale=st.floats(min_value=0.01, max_value=100))
def test_z_does_not_depend_on_the_unit(value, baseline, scale):
    # CTR as a fraction or as a percent, revenue in cents or dollars: the same surprise
    _, z = robust_z(value, baseline)
    _, scaled = robust_z(value * scale, [point * scale for point in baseline])
    if math.isinf(z):
        assert scaled == z
    else:
        assert math.isclose(z, scaled, rel_tol=1e-6, abs_tol=1e-6)


@given(value=values, baseline=baselines)
def test_z_points_the_way_of_the_departure_and_the_median_is_unsurprising(value, baseline):
    centre, z = robust_z(value, baseline)
    assert (z > 0) == (value > centre) and (z < 0) == (value < centre)
    assert robust_z(centre, baseline)[1] == 0


def test_known_value():
    # median 10, MAD 1: z = 0.6745 x (15 - 10) / 1
    assert robust_z(15, [9, 10, 10, 11, 9, 11, 10, 12]) == (10, 0.6745 * 5)
