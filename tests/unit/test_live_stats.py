"""The canary's tests agree with scipy; the sample's allocation keeps its promises."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from specgen.runtime.live import allocate
from specgen.runtime.live.stats import bootstrap_worse, chi_square_p, ks_p, proportion_worse


def test_two_proportion_z_test_matches_the_textbook():
    drop, p = proportion_worse(900, 1000, 80, 100, 0.0)
    se = np.sqrt(0.9 * 0.1 / 1000 + 0.8 * 0.2 / 100)
    assert drop == pytest.approx(0.1) and p == pytest.approx(stats.norm.sf(0.1 / se))
    assert proportion_worse(900, 1000, 89, 100, 0.03)[1] > 0.5  # within the tolerance: no evidence


def test_chi_square_and_ks_p_values_are_close_to_scipy():
    a, b = {"x": 500, "y": 300, "z": 200}, {"x": 40, "y": 40, "z": 20}
    exact = stats.chi2_contingency(np.array([[500, 300, 200], [40, 40, 20]]), correction=False).pvalue
    assert chi_square_p(a, b) == pytest.approx(exact, rel=0.1)
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, 800), rng.normal(0.2, 1, 120)
    assert ks_p(x, y) == pytest.approx(stats.ks_2samp(x, y, method="asymp").pvalue, rel=0.1)


def test_bootstrap_finds_a_worse_rmse_and_not_an_equal_one():
    rng = np.random.default_rng(1)
    rmse = lambda t, p: float(np.sqrt(np.mean((t - p) ** 2)))
    truth = rng.normal(0, 1, 600)
    stable = (truth[:500], truth[:500] + rng.normal(0, 0.5, 500))
    worse = (truth[500:], truth[500:] + rng.normal(0, 1.0, 100))
    same = (truth[500:], truth[500:] + rng.normal(0, 0.5, 100))
    assert bootstrap_worse(rmse, stable, worse, False, 0.05, 500, 0)[1] < 0.01
    assert bootstrap_worse(rmse, stable, same, False, 0.05, 500, 0)[1] > 0.05


@pytest.mark.parametrize("sizes,total,minimum,expected", [
    ({"a": 900, "b": 90, "c": 10}, 100, 25, {"a": 62, "b": 28, "c": 10}),  # floors, then by size
    ({"a": 900, "b": 5}, 100, 25, {"a": 95, "b": 5}),  # a stratum smaller than the minimum: all of it
    ({"a": 30}, 100, 10, {"a": 30}),
])
def test_allocation(sizes, total, minimum, expected):
    got = allocate(sizes, total, minimum)
    assert got == expected and sum(got.values()) == min(total, sum(sizes.values()))


def test_ks_leaves_null_predictions_out():
    """Null predictions arrive as NaN (canary.py casts to float): counted, they made equal samples look
    different (p 0.435 here); left out, the samples are equal and p is 1."""
    a = np.array([1.0, 2.0, 3.0, np.nan, np.nan, np.nan])
    b = np.array([1.0, 2.0, 3.0, 4.0])
    assert ks_p(a, b) == pytest.approx(stats.ks_2samp(a[~np.isnan(a)], b, method="asymp").pvalue, abs=0.05)
    assert ks_p(a, b) > 0.9
    assert ks_p(np.array([np.nan]), b) == 1.0  # nothing to compare
