"""Unit tests for specgen.runtime.drift, checked against scipy or by hand."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from specgen.runtime import drift as d
from specgen.runtime.drift import (
    NULL_KEY,
    PSI_EPSILON,
    Histogram,
    bin_counts,
    category_counts,
    chi_square,
    js_distance,
    ks_statistic,
    linf,
    merge_category_counts,
    numeric_edges,
    psi,
    wasserstein_normalized,
)

SHARE_MEASURES = ["psi", "js_distance", "linf", "chi_square"]
POSITIONAL_MEASURES = ["ks_statistic", "wasserstein_normalized"]
ALL_MEASURES = SHARE_MEASURES + POSITIONAL_MEASURES


def normal(seed: int, n: int, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(loc, scale, n)


@pytest.fixture
def ref_values() -> np.ndarray:
    return normal(1, 5000)


@pytest.fixture
def edges(ref_values: np.ndarray) -> np.ndarray:
    return numeric_edges(ref_values, bins=10)


# --------------------------------------------------------------------------
# numeric_edges
# --------------------------------------------------------------------------


def test_numeric_edges_are_reference_quantiles(ref_values):
    edges = numeric_edges(ref_values, bins=4)
    expected = np.quantile(ref_values, [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(edges, expected)


def test_numeric_edges_give_equal_reference_bins(ref_values, edges):
    counts = bin_counts(ref_values, edges).counts
    assert counts[0] == 0 and counts[-1] == 0  # reference min/max are the outer edges
    assert all(abs(c - 500) <= 1 for c in counts[1:-1])


def test_numeric_edges_drop_nulls_and_nonfinite():
    values = [None, 1.0, float("nan"), 2.0, 3.0, float("inf"), 4.0, -float("inf")]
    np.testing.assert_allclose(numeric_edges(values, bins=3), [1.0, 2.0, 3.0, 4.0])


def test_numeric_edges_collapse_duplicate_edges():
    rng = np.random.default_rng(12)
    # 30% of the mass on one value among 100 distinct values: ties in the quantiles.
    values = np.concatenate([np.zeros(300), rng.uniform(1, 2, 700)])
    edges = numeric_edges(values, bins=10)
    assert np.all(np.diff(edges) > 0)
    assert edges[0] == 0.0 and np.sum(edges == 0.0) == 1
    assert len(edges) == 9  # 0.0, 0.1, 0.2 and 0.3 quantiles are all 0.0


@pytest.mark.parametrize(
    ("values", "expected_edges", "expected_counts"),
    [
        ([0] * 90 + [1] * 10, [0.0, 0.5, 1.0], (0, 90, 10, 0)),
        # 11 values: linear quantile positions are integers, so plain quantile
        # edges would be exactly [0, 1] and the closed last bin would merge both.
        ([0] * 6 + [1] * 5, [0.0, 0.5, 1.0], (0, 6, 5, 0)),
        ([3, 1, 2, 2], [1.0, 1.5, 2.5, 3.0], (0, 1, 2, 1, 0)),
    ],
)
def test_numeric_edges_low_cardinality_gets_one_bin_per_value(
    values, expected_edges, expected_counts
):
    edges = numeric_edges(values, bins=10)
    np.testing.assert_array_equal(edges, expected_edges)
    assert bin_counts(values, edges).counts == expected_counts


def test_numeric_edges_constant_sample_keeps_one_bin():
    edges = numeric_edges([5.0] * 20)
    np.testing.assert_array_equal(edges, [5.0, 5.0])
    hist = bin_counts([4.0, 5.0, 5.0, 6.0], edges)
    assert hist.counts == (1, 2, 1)


@pytest.mark.parametrize("values", [[], [None, float("nan")], [float("inf")]])
def test_numeric_edges_reject_no_finite_values(values):
    with pytest.raises(ValueError, match="finite"):
        numeric_edges(values)


@pytest.mark.parametrize("bins", [0, -3, 2.5, True])
def test_numeric_edges_reject_bad_bins(bins):
    with pytest.raises(ValueError, match="bins"):
        numeric_edges([1.0, 2.0], bins=bins)


def test_numeric_edges_deterministic():
    a = numeric_edges(normal(7, 1000), bins=20)
    b = numeric_edges(normal(7, 1000), bins=20)
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------
# bin_counts / Histogram
# --------------------------------------------------------------------------


def test_bin_counts_layout_by_hand():
    edges = [0.0, 1.0, 2.0]
    values = [-5, -0.1, 0.0, 0.5, 1.0, 1.5, 2.0, 2.1, 9, None, float("nan")]
    hist = bin_counts(values, edges)
    # underflow, [0,1), [1,2], overflow
    assert hist.counts == (2, 2, 3, 2)
    assert hist.nulls == 2
    assert hist.total == len(values)
    assert hist.edges == (0.0, 1.0, 2.0)


def test_bin_counts_infinities_go_to_outer_bins():
    hist = bin_counts([-np.inf, np.inf, np.inf], [0.0, 1.0])
    assert hist.counts == (1, 0, 2)
    assert hist.nulls == 0


def test_bin_counts_interior_matches_numpy_histogram(ref_values, edges):
    current = normal(2, 3000, loc=0.2)
    in_range = current[(current >= edges[0]) & (current <= edges[-1])]
    expected, _ = np.histogram(in_range, bins=edges)
    hist = bin_counts(current, edges)
    assert hist.counts[1:-1] == tuple(expected)
    assert hist.counts[0] == np.sum(current < edges[0])
    assert hist.counts[-1] == np.sum(current > edges[-1])


def test_bin_counts_accepts_pandas_and_polars():
    edges = [0.0, 1.0, 2.0]
    expected = bin_counts([0.5, None, 1.5, 3.0], edges)
    assert bin_counts(pd.Series([0.5, None, 1.5, 3.0]), edges) == expected
    assert bin_counts(pd.Series([0, None, 1, 3], dtype="Int64"), edges).nulls == 1
    assert bin_counts(pl.Series([0.5, None, 1.5, 3.0]), edges) == expected


@pytest.mark.parametrize("edges", [[1.0], [2.0, 1.0], [0.0, np.nan], [[0.0, 1.0]]])
def test_bin_counts_reject_bad_edges(edges):
    with pytest.raises(ValueError, match="edges"):
        bin_counts([1.0], edges)


def test_chunked_histogram_merge_equals_whole(edges):
    values = normal(3, 10_001, loc=0.5, scale=2.0)
    values[::97] = np.nan
    whole = bin_counts(values, edges)
    chunks = [bin_counts(chunk, edges) for chunk in np.array_split(values, 7)]
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged.merge(chunk)
    for total in (sum(chunks), merged):  # sums add up in another order: equal to the last bits
        assert (total.edges, total.counts, total.nulls) == (whole.edges, whole.counts, whole.nulls)
        np.testing.assert_allclose(total.sums, whole.sums, rtol=1e-12, atol=1e-9)
    assert whole.nulls == len(values[::97])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), max_size=60),
    st.integers(min_value=0, max_value=60),
)
def test_merge_any_split_equals_whole(values, cut):
    edges = [-1.0, 0.0, 0.5, 10.0]
    assert bin_counts(values[:cut], edges) + bin_counts(values[cut:], edges) == bin_counts(
        values, edges
    )


def test_histogram_merge_rejects_different_edges():
    a = bin_counts([1.0], [0.0, 2.0])
    b = bin_counts([1.0], [0.0, 3.0])
    with pytest.raises(ValueError, match="different edges"):
        a + b


def test_histogram_validates_and_is_frozen():
    with pytest.raises(ValueError, match="counts"):
        Histogram((0.0, 1.0), (1, 2))
    with pytest.raises(ValueError, match="non-negative"):
        Histogram((0.0, 1.0), (1, -2, 0))
    hist = Histogram((0.0, 1.0), (0, 3, 0), 1)
    with pytest.raises(AttributeError):
        hist.nulls = 5  # type: ignore[misc]


def test_histogram_dict_round_trip(ref_values, edges):
    hist = bin_counts(np.append(ref_values, np.nan), edges)
    assert Histogram.from_dict(hist.to_dict()) == hist


# --------------------------------------------------------------------------
# category_counts
# --------------------------------------------------------------------------


def test_category_counts_counts_nulls_explicitly():
    counts = category_counts(["a", "b", "a", None, float("nan"), pd.NA, 3])
    assert counts == {"a": 2, "b": 1, NULL_KEY: 3, "3": 1}


def test_category_counts_accepts_pandas_and_polars():
    expected = {"x": 2, "y": 1, NULL_KEY: 1}
    assert category_counts(pd.Series(["x", None, "y", "x"])) == expected
    assert category_counts(pd.Series(["x", None, "y", "x"], dtype="string")) == expected
    assert category_counts(pl.Series(["x", None, "y", "x"])) == expected


def test_chunked_category_merge_equals_whole():
    rng = np.random.default_rng(4)
    values = list(rng.choice(["a", "b", "c", "d"], size=5000, p=[0.5, 0.3, 0.15, 0.05]))
    values[::50] = [None] * len(values[::50])
    chunks = [category_counts(values[i : i + 777]) for i in range(0, len(values), 777)]
    assert merge_category_counts(*chunks) == category_counts(values)


# --------------------------------------------------------------------------
# Measures against scipy / hand-computed values
# --------------------------------------------------------------------------


def test_psi_hand_computed():
    p, q = [0.5, 0.3, 0.2], [0.4, 0.4, 0.2]
    expected = (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.4 - 0.3) * math.log(0.4 / 0.3)
    assert psi(p, q) == pytest.approx(expected, rel=1e-12)
    # counts give the same as shares
    assert psi([50, 30, 20], [4, 4, 2]) == pytest.approx(expected, rel=1e-12)


def test_psi_uses_documented_epsilon_for_empty_bins():
    assert PSI_EPSILON == 1e-4
    p, q = [0.5, 0.5, 0.0], [0.5, 0.4, 0.1]
    expected = (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.1 - 1e-4) * math.log(0.1 / 1e-4)
    assert psi(p, q) == pytest.approx(expected, rel=1e-12)
    assert math.isfinite(psi([1, 0], [0, 1]))
    assert psi(p, q, epsilon=1e-6) > psi(p, q)


@pytest.mark.parametrize("seed", range(5))
def test_js_distance_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    p = rng.integers(0, 20, size=12)
    q = rng.integers(0, 20, size=12)
    p[seed] = 0  # exercise zero buckets
    assert js_distance(p, q) == pytest.approx(jensenshannon(p, q, base=2), abs=1e-12)


def test_js_distance_bounds():
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_distance([3, 1, 2], [6, 2, 4]) == pytest.approx(0.0, abs=1e-12)


def test_linf_hand_computed():
    assert linf([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]) == pytest.approx(0.3)
    # TFDV-style categorical comparison over the union of categories
    assert linf({"a": 8, "b": 2}, {"a": 5, "b": 2, "c": 3}) == pytest.approx(0.3)


@pytest.mark.parametrize("seed", range(5))
def test_chi_square_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    ref = rng.integers(5, 100, size=8)
    cur = rng.integers(5, 100, size=8)
    expected = cur.sum() * ref / ref.sum()
    want = scipy.stats.chisquare(cur, expected).statistic
    assert chi_square(ref, cur) == pytest.approx(want, rel=1e-10)


def test_chi_square_empty_buckets():
    # Buckets empty on both sides are ignored.
    assert chi_square([10, 10, 0], [5, 15, 0]) == pytest.approx(chi_square([10, 10], [5, 15]))
    assert chi_square([10, 10], [5, 15]) == pytest.approx((5 - 10) ** 2 / 10 * 2)
    # A new bucket gets the epsilon share: large but finite.
    p = np.array([0.5, 0.5, PSI_EPSILON]) / (1 + PSI_EPSILON)
    obs = np.array([10, 10, 5])
    want = np.sum((obs - 25 * p) ** 2 / (25 * p))
    assert chi_square([10, 10, 0], obs) == pytest.approx(want, rel=1e-10)
    assert math.isfinite(want) and want > 1000


@pytest.mark.parametrize("seed", range(4))
def test_ks_statistic_raw_matches_scipy(seed):
    a = normal(seed, 800)
    b = normal(seed + 100, 500, loc=0.1 * seed)
    assert ks_statistic(a, b) == pytest.approx(scipy.stats.ks_2samp(a, b).statistic, abs=1e-12)


def test_ks_statistic_raw_matches_scipy_with_ties():
    rng = np.random.default_rng(11)
    a = rng.integers(0, 5, 300)
    b = rng.integers(1, 6, 200)
    assert ks_statistic(a, b) == pytest.approx(scipy.stats.ks_2samp(a, b).statistic, abs=1e-12)


def test_ks_statistic_binned_approximates_raw(ref_values):
    cur = normal(5, 4000, loc=0.3)
    raw = ks_statistic(ref_values, cur)
    edges = numeric_edges(ref_values, bins=100)
    binned = ks_statistic(bin_counts(ref_values, edges), bin_counts(cur, edges))
    # Binned KS only looks at bin edges: never above the exact value, close with fine bins.
    assert binned <= raw + 1e-12
    assert binned == pytest.approx(raw, abs=0.01)


def test_ks_statistic_binned_exact_at_edges():
    # All data sits on the edges, so the binned statistic is exact.
    ref = [0, 0, 1, 2, 2, 2]
    cur = [0, 1, 1, 1, 2, 3]
    edges = [0.0, 1.0, 2.0, 3.0]
    binned = ks_statistic(bin_counts(ref, edges), bin_counts(cur, edges))
    assert binned == pytest.approx(scipy.stats.ks_2samp(ref, cur).statistic)


@pytest.mark.parametrize("seed", range(4))
def test_wasserstein_raw_matches_scipy_over_reference_std(seed):
    a = normal(seed, 700, scale=2.0)
    b = normal(seed + 50, 900, loc=0.5, scale=1.5)
    want = scipy.stats.wasserstein_distance(a, b) / np.std(a)
    assert wasserstein_normalized(a, b) == pytest.approx(want, rel=1e-10)


def test_wasserstein_hand_computed():
    # Moving all mass by 1 costs 1; reference std of [0, 2] is 1.
    assert wasserstein_normalized([0, 2], [1, 3]) == pytest.approx(1.0)
    assert wasserstein_normalized([0, 2], [1, 3], scale=4.0) == pytest.approx(0.25)


def test_wasserstein_binned_approximates_raw(ref_values):
    cur = normal(6, 4000, loc=0.5, scale=1.2)
    raw = wasserstein_normalized(ref_values, cur)
    edges = numeric_edges(ref_values, bins=50)
    binned = wasserstein_normalized(bin_counts(ref_values, edges), bin_counts(cur, edges))
    assert binned == pytest.approx(raw, rel=0.1)


def test_wasserstein_zero_scale():
    assert wasserstein_normalized([3, 3, 3], [3, 3]) == 0.0
    assert wasserstein_normalized([3, 3, 3], [4, 4]) == math.inf


def test_wasserstein_rejects_infinite_values():
    with pytest.raises(ValueError, match="infinite"):
        wasserstein_normalized([0.0, 1.0], [0.0, np.inf])


def test_positional_measures_ignore_nulls_in_raw_arrays():
    a = normal(8, 300)
    b = normal(9, 300, loc=0.4)
    b_nulls = np.concatenate([b, [np.nan] * 50])
    assert ks_statistic(a, b_nulls) == ks_statistic(a, b)
    assert wasserstein_normalized(a, b_nulls) == wasserstein_normalized(a, b)


# --------------------------------------------------------------------------
# Behaviour of every measure: identical ~0, shift grows, nulls/unseen count
# --------------------------------------------------------------------------


def summaries(measure, ref, cur, edges):
    """Raw arrays for positional measures, histograms for share measures."""
    if measure in POSITIONAL_MEASURES:
        return ref, cur
    return bin_counts(ref, edges), bin_counts(cur, edges)


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_identical_distribution_is_near_zero(measure, ref_values, edges):
    assert d.drift(measure, *summaries(measure, ref_values, ref_values, edges)) == pytest.approx(
        0.0, abs=1e-12
    )
    # Same for the binned positional variants.
    hist = bin_counts(ref_values, edges)
    assert d.drift(measure, hist, hist) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_shift_gives_clearly_larger_value(measure, ref_values, edges):
    same = normal(21, 5000)
    shifted = normal(22, 5000, loc=0.5)
    small = d.drift(measure, *summaries(measure, ref_values, same, edges))
    large = d.drift(measure, *summaries(measure, ref_values, shifted, edges))
    assert large > 5 * small
    assert large > {
        "psi": 0.1,
        "js_distance": 0.1,
        "linf": 0.1,
        "chi_square": 100,
        "ks_statistic": 0.1,
        "wasserstein_normalized": 0.3,
    }[measure]


@pytest.mark.parametrize("measure", SHARE_MEASURES)
def test_nulls_change_share_measures(measure, ref_values, edges):
    cur = normal(23, 5000)
    with_nulls = np.concatenate([cur, [np.nan] * 500])
    ref_h = bin_counts(ref_values, edges)
    base = d.drift(measure, ref_h, bin_counts(cur, edges))
    nulls = d.drift(measure, ref_h, bin_counts(with_nulls, edges))
    assert nulls > base + 0.01


@pytest.mark.parametrize("measure", SHARE_MEASURES)
def test_reference_null_rate_is_part_of_baseline(measure, ref_values, edges):
    ref_h = bin_counts(np.concatenate([ref_values, [np.nan] * 1000]), edges)
    same_rate = np.concatenate([normal(26, 5000), [np.nan] * 1000])
    no_nulls = normal(26, 5000)
    assert d.drift(measure, ref_h, bin_counts(no_nulls, edges)) > 5 * d.drift(
        measure, ref_h, bin_counts(same_rate, edges)
    )


@pytest.mark.parametrize("measure", SHARE_MEASURES)
def test_out_of_range_values_are_counted(measure, ref_values, edges):
    cur = normal(24, 5000)
    outliers = np.concatenate([cur, np.full(500, 100.0)])
    ref_h = bin_counts(ref_values, edges)
    assert bin_counts(outliers, edges).counts[-1] >= 500
    assert d.drift(measure, ref_h, bin_counts(outliers, edges)) > d.drift(
        measure, ref_h, bin_counts(cur, edges)
    ) + 0.01


@pytest.mark.parametrize("measure", SHARE_MEASURES)
def test_unseen_categories_and_nulls_change_categorical_measures(measure):
    rng = np.random.default_rng(25)
    ref = category_counts(rng.choice(["a", "b", "c"], size=5000, p=[0.6, 0.3, 0.1]))
    cur_values = list(rng.choice(["a", "b", "c"], size=5000, p=[0.6, 0.3, 0.1]))
    base = d.drift(measure, ref, category_counts(cur_values))
    unseen = d.drift(measure, ref, category_counts(cur_values + ["zzz"] * 500))
    nulls = d.drift(measure, ref, category_counts(cur_values + [None] * 500))
    assert unseen > base + 0.01
    assert nulls > base + 0.01


def test_unseen_category_gets_its_own_bucket():
    ref = {"a": 50, "b": 50}
    cur = {"a": 40, "b": 40, "new": 20}
    assert js_distance(ref, cur) == pytest.approx(
        jensenshannon([50, 50, 0], [40, 40, 20], base=2), abs=1e-12
    )
    assert psi(ref, cur) == pytest.approx(psi([50, 50, 0], [40, 40, 20]))


def test_reference_shares_work_as_stored_baseline():
    counts = {"a": 600, "b": 300, "c": 100}
    shares = {"a": 0.6, "b": 0.3, "c": 0.1}
    cur = {"a": 500, "b": 300, "c": 150, NULL_KEY: 50}
    for measure in SHARE_MEASURES:
        assert d.drift(measure, shares, cur) == pytest.approx(d.drift(measure, counts, cur))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8).flatmap(
        lambda p: st.tuples(
            st.just(p), st.lists(st.integers(0, 50), min_size=len(p), max_size=len(p))
        )
    )
)
def test_js_distance_property_vs_scipy(pq):
    p, q = pq
    if sum(p) == 0 or sum(q) == 0:
        with pytest.raises(ValueError, match="empty"):
            js_distance(p, q)
        return
    value = js_distance(p, q)
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(jensenshannon(p, q, base=2), abs=1e-9)
    assert value == pytest.approx(js_distance(q, p), abs=1e-12)


# --------------------------------------------------------------------------
# drift() dispatch, errors, determinism, imports
# --------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_drift_dispatches_to_named_function(measure, ref_values, edges):
    cur = normal(30, 2000, loc=0.2)
    ref_s, cur_s = summaries(measure, ref_values, cur, edges)
    assert d.drift(measure, ref_s, cur_s) == getattr(d, measure)(ref_s, cur_s)


def test_drift_passes_options():
    assert d.drift("wasserstein_normalized", [0, 2], [1, 3], scale=2.0) == pytest.approx(0.5)
    assert d.drift("psi", [1, 0], [0, 1], epsilon=1e-2) == pytest.approx(psi([1, 0], [0, 1], 1e-2))


@pytest.mark.parametrize("name", ["PSI", "kl", "", None])
def test_drift_bad_name_lists_valid_names(name):
    with pytest.raises(ValueError) as err:
        d.drift(name, [1, 2], [2, 1])
    message = str(err.value)
    for valid in ALL_MEASURES:
        assert valid in message


def test_mismatched_summaries_are_rejected():
    h1 = bin_counts([1.0], [0.0, 2.0])
    h2 = bin_counts([1.0], [0.0, 3.0])
    with pytest.raises(ValueError, match="different edges"):
        psi(h1, h2)
    with pytest.raises(ValueError, match="different edges"):
        ks_statistic(h1, h2)
    with pytest.raises(TypeError):
        psi(h1, {"a": 1})
    with pytest.raises(TypeError):
        ks_statistic(h1, [1.0, 2.0])
    with pytest.raises(ValueError, match="equally long"):
        linf([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="empty"):
        psi([0, 0], [1, 1])
    with pytest.raises(ValueError, match="non-null"):
        ks_statistic([np.nan], [1.0])


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_measures_are_deterministic(measure):
    def run() -> float:
        ref = normal(40, 3000)
        cur = normal(41, 3000, loc=0.3)
        edges = numeric_edges(ref, bins=10)
        return d.drift(measure, *summaries(measure, ref, cur, edges))

    first = run()
    assert first > 0
    assert run() == first


def test_module_imports_only_numpy():
    # Load the file directly so the package's own __init__ imports don't count.
    path = Path(d.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('drift_only', {str(path)!r})\n"
        "mod = importlib.util.module_from_spec(spec); sys.modules['drift_only'] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "bad = {'scipy', 'pandas', 'polars', 'jinja2', 'click', 'pydantic'} & set(sys.modules)\n"
        "print(sorted(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- tied values: bins of their own (runtime.summary.finish_edges, drift.tie_edges) -------------------

def _physlm_like(rng, n=14000):
    """statsmodels' randhie ``physlm`` rebuilt (the test must not need statsmodels): 83 % zeros, 12 % ones,
    the rest in (0.02, 0.2). Its quantile edges are [0, 1]: one bin held every value."""
    x = rng.choice([0.0, 1.0, np.nan], size=n, p=[0.83, 0.12, 0.05])
    x[np.isnan(x)] = rng.uniform(0.02, 0.2, int(np.isnan(x).sum()))
    return x


def test_tied_values_are_the_repeated_quantiles():
    assert d.tied_values([0.0, 0.0, 0.0, 0.5, 1.0, 1.0]).tolist() == [0.0, 1.0]
    assert d.tied_values([0.0, 0.25, 0.5, 1.0]).tolist() == []


def test_tie_edges_give_each_tie_its_own_bin_and_a_ladder_inside_its_neighbours():
    coarse = np.array([0.0, 0.5, 1.0])
    ties = d.tie_edges(coarse, [0.0, 1.0], std=1.0)
    assert np.nextafter(0.0, np.inf) in ties  # [0, nextafter(0)) holds exactly 0
    assert np.nextafter(1.0, -np.inf) in ties  # the top bin is closed: [prev(1), 1] holds exactly 1
    assert [e for e in ties if 1e-3 < e < 0.5] == [0.05, 0.1, 0.2, 0.4]  # 0.8 would cross the next edge
    assert [e for e in ties if 0.5 < e < 1 - 1e-9] == [0.6, 0.8, 0.9, 0.95]
    assert not set(ties) & set(coarse)  # without_edges gives the coarse bins back
    assert d.tie_edges(coarse, [0.0], std=0.0).tolist() == [np.nextafter(0.0, np.inf)]  # no spread: no ladder


def test_without_edges_restores_the_coarse_histogram():
    rng = np.random.default_rng(2)
    x = np.concatenate([_physlm_like(rng, 2000), [np.nan, -1.0, 7.0]])
    coarse = [0.0, 0.1, 1.0]
    ties = d.tie_edges(np.array(coarse), [0.0, 1.0], std=float(np.nanstd(x)))
    fine = np.union1d(coarse, ties)
    assert d.without_edges(bin_counts(x, fine), ties) == bin_counts(x, coarse)
    h = bin_counts(x, coarse)
    assert d.without_edges(h, []) is h


def _at_midpoints(hist: Histogram) -> Histogram:
    """``hist`` without bin sums: each bin's mass at its midpoint, as before sums (and in old baselines)."""
    return Histogram(hist.edges, hist.counts, hist.nulls)


def test_a_shift_of_a_tied_column_is_seen_and_a_negligible_one_is_not():
    from specgen.runtime.summary import reference_edges

    rng = np.random.default_rng(3)
    ref = _physlm_like(rng)
    old = numeric_edges(ref, bins=10)
    assert old.tolist() == [0.0, 1.0]
    one_std = np.clip(ref[:1000] + ref.std(), 0.0, 1.0)  # the mean moves ~0.87 std
    assert wasserstein_normalized(_at_midpoints(bin_counts(ref, old)), _at_midpoints(bin_counts(one_std, old)),
                                  ref.std()) == 0.0  # the defect, with each bin's mass at its midpoint
    assert wasserstein_normalized(bin_counts(ref, old), bin_counts(one_std, old), ref.std()) > 0.5  # at its mean
    edges, ties = reference_edges(ref, 10, ref.std())
    r = bin_counts(ref, edges)
    assert wasserstein_normalized(r, bin_counts(one_std, edges), ref.std()) > 0.5
    div1000 = ref[:1000] / 1000  # a unit change that stays inside [0, 1]
    assert wasserstein_normalized(r, bin_counts(div1000, edges), ref.std()) > 0.3
    negligible = bin_counts(np.clip(ref[:1000] + 0.02 * ref.std(), 0.0, 1.0), edges)
    clean = bin_counts(ref[1000:2000], edges)
    assert wasserstein_normalized(r, negligible, ref.std()) < wasserstein_normalized(r, clean, ref.std()) + 0.03
    # share measures see the coarse bins: a 0.02-std move off the tie is no new bin for them
    assert psi(d.without_edges(r, ties), d.without_edges(negligible, ties)) < 0.01
    assert psi(r, negligible) > 1.0  # what they would say on the tie bins


def test_a_column_of_few_values_gets_tie_bins_inside_its_midpoint_bins():
    """digits' ``pixel_1_0``: 99.6 % zeros, a few other values. Each distinct value had its own bin with
    edges at the midpoints, so a 1-std shift (0 -> 0.14) stayed inside [0, 1.5): W 0.0."""
    from specgen.runtime.summary import reference_edges

    ref = np.r_[np.zeros(996), [3.0, 5.0, 8.0, 16.0]]
    edges, ties = reference_edges(ref, 10, ref.std())
    assert edges[:2] == (0.0, float(np.nextafter(0.0, 1.0))) and 1.5 in edges and 4.0 in edges  # midpoints kept
    shifted = ref + ref.std()
    r = bin_counts(ref, edges)
    coarse = (bin_counts(ref, numeric_edges(ref)), bin_counts(shifted, numeric_edges(ref)))
    assert wasserstein_normalized(*map(_at_midpoints, coarse), ref.std()) < 0.01  # the defect: midpoints
    assert wasserstein_normalized(*coarse, ref.std()) > 0.99  # at the bins' means a shift is a shift
    assert wasserstein_normalized(r, bin_counts(shifted, edges), ref.std()) > 0.6
    year = np.repeat([2007.0, 2008.0, 2009.0], [100, 120, 110])  # an interior value gets [v, nextafter(v))
    edges, ties = reference_edges(year, 10, year.std())
    assert {2008.0, float(np.nextafter(2008.0, 2009.0)), float(np.nextafter(2009.0, 2008.0))} <= set(ties)
    assert d.without_edges(bin_counts(year, edges), ties) == bin_counts(year, numeric_edges(year))


def test_tie_windows_reach_a_step_each_side_and_cut_no_shifted_tie():
    from specgen.runtime.summary import reference_edges

    pixels = np.r_[np.zeros(970), np.tile(np.arange(1.0, 16.0), 2)]  # digits-like: 97 % zeros
    edges, ties = reference_edges(pixels, 10, pixels.std())
    removed, tied = d.tie_windows(edges, ties, pixels.std())
    merged = d.without_edges(bin_counts(pixels, edges), removed)
    step = d.TIE_STEP * pixels.std()
    assert tied == [0.0] and merged.edges[:2] == (0.0, pytest.approx(step))  # the zeros' window [0, step)
    assert merged.edges[-1] == 15.0  # the outer edges stay
    # randhie's lncoins: a quantile edge (the midpoint to the top value) nearer to a tie than a step goes,
    # so a tie shifted by 0.02 std stays in its window
    edges = (0.0, 4.4653393, 4.564348, float(np.nextafter(4.564348, 5)), 4.589734, 4.61512)
    removed, tied = d.tie_windows(edges, [float(np.nextafter(4.564348, 5))], std=1.98)
    assert tied == [4.564348] and set(removed) == {4.564348, float(np.nextafter(4.564348, 5)), 4.589734}
    top = (0.0, 0.5, float(np.nextafter(1.0, 0.0)), 1.0)  # a tie at the top edge: [prev(1), 1]
    assert d.tie_windows(top, [float(np.nextafter(1.0, 0.0))], std=1.0) == ([float(np.nextafter(1.0, 0.0))], [1.0])


@pytest.mark.parametrize("shift", [-0.1, -0.04, 0.04, 0.1, -1.3, 2.0])
def test_histogram_wasserstein_of_a_shift_is_the_exact_one(shift):
    """Discrete data has its values on quantile edges: a value moved down a hair falls into the bin below.
    At the bin's midpoint it read as moved half a bin (a 0.02-std shift alarmed on digits); at the bin's
    mean (``Histogram.sums``) the histogram measure is the exact Wasserstein while the mass stays in range."""
    rng = np.random.default_rng(5)
    ref = rng.integers(0, 16, 5000).astype(float)
    edges = numeric_edges(ref, 10)
    batch = np.clip(ref + shift, 0.0, 15.0)  # every value moved one way, and kept inside the reference range
    exact = wasserstein_normalized(ref, batch, ref.std())
    binned = wasserstein_normalized(bin_counts(ref, edges), bin_counts(batch, edges), ref.std())
    assert binned == pytest.approx(exact, rel=1e-6)  # bin means keep 10 digits (midpoints: off by 0.2)
    midpoints = wasserstein_normalized(_at_midpoints(bin_counts(ref, edges)), _at_midpoints(bin_counts(batch, edges)),
                                       ref.std())
    if shift == -0.04:
        assert midpoints > 0.15  # the old placement's false alarm (the practical threshold is 0.1)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(-20, 20), min_size=2, max_size=40), st.lists(st.integers(-20, 20), min_size=1,
       max_size=40), st.integers(1, 6))
def test_histogram_wasserstein_never_exceeds_the_exact_one(ref, cur, bins):
    """Each bin adds ``|integral of F_ref - F_cur over it|``, at most the integral of the absolute value:
    a lower bound of W1, exact where the difference keeps its sign in each bin."""
    ref, cur = np.array(ref, dtype=float) / 4, np.array(cur, dtype=float) / 4
    edges = numeric_edges(np.r_[ref, cur], bins)  # the union's range: no mass outside the edges
    binned = wasserstein_normalized(bin_counts(ref, edges), bin_counts(cur, edges), 1.0)
    assert binned <= wasserstein_normalized(ref, cur, 1.0) + 1e-9


def test_bin_sums_round_trip_and_are_checked():
    h = bin_counts([0.5, 1.5, 1.7, 3.0], [0.0, 1.0, 2.0, 3.0])
    assert h.sums == (0.5, 3.2, 3.0)
    assert Histogram.from_dict(h.to_dict()) == h
    assert Histogram.from_dict({"edges": [0, 1], "counts": [0, 2, 0]}).sums is None  # a baseline from before
    with pytest.raises(ValueError, match="bin sums"):
        Histogram((0.0, 1.0, 2.0), (0, 1, 1, 0), 0, (1.0,))
    # a batch without sums puts both sides at midpoints: a mean on one side alone would read as drift
    same = wasserstein_normalized(h, Histogram(h.edges, h.counts), 1.0)
    assert same == 0.0
