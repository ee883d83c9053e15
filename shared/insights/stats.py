"""Robust statistics for anomaly detection.

These are floats on purpose: a z-score is a measure of surprise, not money, and nothing
computed here is stored as an amount (values and baselines are reported from the exact
Decimals by the caller).
"""

from __future__ import annotations

import math
from statistics import median

# 0.6745 is the 0.75 quantile of the standard normal: it makes MAD comparable to a standard
# deviation (Iglewicz and Hoaglin's modified z-score). 1.253314 = sqrt(pi/2) does the same
# for the mean absolute deviation, the fallback when more than half the baseline is equal.
MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314


def robust_z(value: float, baseline: list[float]) -> tuple[float, float]:
    """(median of `baseline`, modified z-score of `value` against it).

    MAD = 0 (at least half the baseline identical) falls back to the mean absolute
    deviation; when that is 0 too (a perfectly flat baseline) any departure is infinitely
    surprising (±inf) and the caller's minimum relative change decides.
    """
    if not baseline:
        raise ValueError("an empty baseline has no median")
    centre = float(median(baseline))
    deviations = [abs(point - centre) for point in baseline]
    mad = float(median(deviations))
    if mad > 0:
        return centre, MAD_SCALE * (value - centre) / mad
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad > 0:
        return centre, (value - centre) / (MEAN_AD_SCALE * mean_ad)
    if value == centre:
        return centre, 0.0
    return centre, math.copysign(math.inf, value - centre)
