"""Noise floors of drift measures (specgen.runtime.calibration) and how monitor uses them."""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from specgen.runtime import calibration as cal
from specgen.runtime import drift as d
from specgen.runtime.contracts.monitoring import Measure
from specgen.runtime.monitor import FeatureResult, MonitorReport, _compare

ALL = ["psi", "js_distance", "linf", "chi_square", "ks_statistic", "wasserstein_normalized"]


def _reference(n: int, seed: int = 0) -> d.Histogram:
    x = np.random.default_rng(seed).normal(size=n)
    return d.bin_counts(x, d.numeric_edges(x, 10))


def _batch(reference: d.Histogram, x) -> d.Histogram:
    return d.bin_counts(x, reference.edges)


@pytest.mark.parametrize("measure", ALL)
def test_simulated_measures_are_the_drift_measures(measure):
    """The vectorised measures of the simulation compute exactly what ``drift`` computes."""
    ref = _reference(105)
    counts, params, points = cal._layout(ref)
    rng = np.random.default_rng(1)
    sims = rng.multinomial(45, rng.dirichlet(params, size=20)).astype(float)
    fast = cal._MEASURES[measure](counts, sims, points, None)
    slow = [d.drift(measure, ref, d.Histogram(ref.edges, tuple(int(c) for c in row[:-1]), int(row[-1])))
            for row in sims]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


def test_simulated_wasserstein_places_mass_at_the_batches_bin_means():
    """With bin sums on both sides the simulation draws each batch's bin means, and its Wasserstein is
    ``drift``'s of histograms carrying those sums; every drawn mean stays inside its bin."""
    ref = _reference(105)
    counts, params, bins = cal._layout(ref, ref)
    assert max(bins.spread) > 0
    rng = np.random.default_rng(1)
    sims = rng.multinomial(45, rng.dirichlet(params, size=20)).astype(float)
    means = cal._batch_means(rng, counts, sims, bins)
    e = np.array(ref.edges)
    assert ((means >= e[:-1]) & (means <= e[1:])).all()
    fast = cal._wasserstein(counts, sims, replace(bins, batch_means=means), None)
    slow = [d.wasserstein_normalized(ref, d.Histogram(ref.edges, tuple(int(c) for c in row[:-1]), int(row[-1]),
                                                      tuple(float(v) for v in row[1:-2] * m)))
            for row, m in zip(sims, means)]
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)
    # without sums on the batch's side both sides sit at midpoints, and nothing is drawn
    _, _, plain = cal._layout(ref, d.Histogram(ref.edges, ref.counts))
    assert max(plain.spread) == 0 and plain.means != bins.means


@pytest.mark.parametrize("measure", ["psi", "js_distance", "linf", "chi_square"])
def test_simulated_measures_on_categories(measure):
    ref = {"a": 50, "b": 30, "c": 25, d.NULL_KEY: 3}
    counts, params, _ = cal._layout(ref)
    keys = ["a", "b", "c", d.NULL_KEY, cal._UNSEEN]
    rng = np.random.default_rng(2)
    sims = rng.multinomial(60, rng.dirichlet(params, size=20)).astype(float)
    fast = cal._MEASURES[measure](counts, sims, None, None)
    slow = [d.drift(measure, ref, {k: int(n) for k, n in zip(keys, row) if n}) for row in sims]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)


_SOURCES = {"normal": lambda rng, n: rng.normal(size=n),
            "lognormal": lambda rng, n: rng.lognormal(sigma=1.2, size=n),  # a wide top bin
            "counts": lambda rng, n: rng.poisson(4.0, size=n).astype(float)}  # values on the edges


def _spreads(values, edges) -> list[float]:
    """Each bin's values' standard deviation, as ``summary.bin_spreads`` gives it."""
    import polars as pl

    from specgen.runtime.summary import bin_spreads

    return list(bin_spreads(pl.Series("x", values), edges))


@pytest.mark.parametrize("measure,source,spreads", [(m, "normal", False) for m in ("psi", "ks_statistic", "linf")]
                         + [("wasserstein_normalized", s, w) for s in _SOURCES for w in (False, True)])
@pytest.mark.parametrize("rows", [30, 1000])
def test_clean_batches_stay_under_the_floor(measure, source, spreads, rows):
    """Fresh samples from the reference's own source exceed the alpha = 5 % floor about 5 % of the time
    (never much more: the floor is the measure's null quantile, with the reference's own noise).
    Wasserstein places each bin's mass at its values' mean (bin sums), whose noise the simulation draws,
    from the reference's own spread in each bin or the largest possible one."""
    alpha, trials, draw = 0.05, 200, _SOURCES[source]
    rng = np.random.default_rng(rows)
    over = 0
    for trial in range(trials):
        values = draw(rng, 200)  # a new reference each time: its noise is part of the null
        ref = d.bin_counts(values, d.numeric_edges(values, 10))
        batch = _batch(ref, draw(rng, rows))
        value = d.drift(measure, ref, batch)
        spread = _spreads(values, ref.edges) if spreads else None
        over += value > cal.calibrate(measure, ref, batch, value, alpha, spreads=spread).floor
    assert over / trials < 2 * alpha, over / trials


def test_the_reference_spread_gives_a_lower_floor_than_the_bound():
    """A skewed column's wide top bin: the largest spread its mean allows is far above its values' own,
    so the stored spreads lower the floor (more power), and the bound stays the quiet fallback."""
    values = np.random.default_rng(4).lognormal(sigma=1.2, size=400)
    ref = d.bin_counts(values, d.numeric_edges(values, 10))
    batch = _batch(ref, values[:100])
    bound = cal.calibrate("wasserstein_normalized", ref, batch, 0.0, 1e-4).floor
    own = cal.calibrate("wasserstein_normalized", ref, batch, 0.0, 1e-4, spreads=_spreads(values, ref.edges)).floor
    assert own < 0.95 * bound, (own, bound)


def test_the_floor_shrinks_with_the_batch_and_the_reference():
    ref = _reference(105)
    big = _reference(100_000)
    floors = [cal.calibrate("psi", ref, _batch(ref, np.zeros(n)), 0.0, 0.001).floor for n in (30, 100, 1000)]
    assert floors[0] > floors[1] > floors[2]
    # a large reference and a large batch: the floor falls below the practical threshold (0.1),
    # so a significant but negligible change does not alarm
    huge = cal.calibrate("psi", big, _batch(big, np.zeros(1_000_000)), 0.0, 0.001).floor
    assert huge < 0.05
    # ~ (bins - 1) * (1 / n + 1 / n_ref) * chi-square quantile: the same order as the analytic floor
    assert 0.3 < floors[1] / ((1 / 100 + 1 / 105) * 9 * 3.2) < 3


def test_p_value_of_a_real_shift_is_tiny_and_of_a_clean_batch_is_not():
    ref = _reference(1000)
    rng = np.random.default_rng(5)
    clean = _batch(ref, rng.normal(size=500))
    shifted = _batch(ref, rng.normal(loc=1.0, size=500))
    for batch, low, high in ((clean, 0.01, 1.0), (shifted, 0.0, 1e-6)):
        value = d.psi(ref, batch)
        p = cal.calibrate("psi", ref, batch, value, 0.001).p_value
        assert low <= p <= high, (value, p)


def test_the_same_inputs_give_the_same_floor():
    ref = _reference(300)
    batch = _batch(ref, np.zeros(77))
    cal._null_tail.cache_clear()
    first = cal.calibrate("js_distance", ref, batch, 0.1, 0.001)
    cal._null_tail.cache_clear()
    assert cal.calibrate("js_distance", ref, batch, 0.1, 0.001) == first


def _result(rows: int, ref: d.Histogram, x) -> FeatureResult:
    feature = type("F", (), {"name": "x", "kind": "numeric"})()
    batch = _batch(ref, x)
    return _compare(feature, Measure("psi", 0.1), (ref, {"std": 1.0}), batch, rows, 0.001)


def test_monitor_holds_a_measure_to_the_larger_limit():
    ref = _reference(2000)
    rng = np.random.default_rng(7)
    small = _result(40, ref, rng.normal(size=40))
    assert small.set_by == "noise" and small.threshold == small.floor > 0.1 and not small.alarm
    large = _result(20000, ref, rng.normal(loc=0.02, size=20000))  # significant, negligible
    assert large.set_by == "practical" and large.threshold == 0.1 and not large.alarm
    shifted = _result(20000, ref, rng.normal(loc=1.0, size=20000))
    assert shifted.alarm and shifted.p_value < 1e-6


def test_a_batch_too_small_is_reported_not_an_alarm():
    ref = _reference(2000)
    result = _result(12, ref, np.full(12, 50.0))  # all far out of range: would be a huge PSI
    assert result.value > 1 and result.too_small and not result.alarm
    assert result.threshold is None and result.set_by == "too_small"
    assert result.note == "too few rows to judge (12 rows; needs at least 30)"  # one wording for both gates
    report = MonitorReport("m", 12, 0, [], [result])
    assert report.ok
    from specgen.runtime.exposition import exposition

    text = exposition(report)
    assert 'specgen_m_feature_drift_threshold{feature="x"} +Inf' in text
    assert 'specgen_m_feature_drift_psi{feature="x"}' in text
    assert math.isinf(result.severity)


@pytest.mark.parametrize("measure", ["wasserstein_normalized", "ks_statistic", "linf", "psi"])
def test_the_tail_holds_alpha_far_beyond_the_simulated_draws(measure):
    """At the per-feature levels monitor uses (alpha 0.001 over tens of features: ~3e-5) the floor comes
    from the exponential tail fit, not from the draws. 300,000 clean batches from the calibration's own
    model exceed the floor at alpha 1e-4 no more often than alpha says (the squared-scale tail used
    before exceeded it ~3-6 times as often for the distances: the square of a |normal| has a heavier
    tail than the exponential fitted at its 95th percentile)."""
    ref = _reference(400, seed=3)
    counts, params, points = cal._layout(ref)
    alpha, draws, rows = 1e-4, 300_000, 30
    floor = cal.calibrate(measure, ref, {"rows": rows}, 0.0, alpha).floor
    rng = np.random.default_rng(11)
    sims = cal._MEASURES[measure](counts, rng.multinomial(rows, rng.dirichlet(params, size=draws)).astype(float),
                                  points, None)
    # a floor no clean batch could reach (an infinite tail) would pass the bound below vacuously
    assert math.isfinite(floor) and floor < 2 * np.quantile(sims, 1 - alpha), floor
    assert (sims > floor).sum() <= 1.3 * alpha * draws, (sims > floor).sum()


def test_share_p_value_is_the_beta_binomial_tail():
    from scipy.stats import betabinom

    for ref_in, ref_out, n, k in [(1227, 31, 1000, 0), (1227, 31, 1000, 18), (1227, 31, 1000, 60), (50, 50, 30, 2),
                                  (300, 2, 100, 5), (9000, 1000, 5000, 400)]:
        tail = betabinom.sf(k - 1, n, ref_out, ref_in) if k >= n * ref_out / (ref_in + ref_out) else \
            betabinom.cdf(k, n, ref_out, ref_in)
        assert cal.share_p_value(ref_in, ref_out, n - k, k) == pytest.approx(min(1.0, 2 * tail), rel=1e-6)
    assert cal.share_p_value(100, 0, 100, 0) == 1.0  # nothing outside before or now
    assert cal.share_p_value(1227, 31, 1000, 0) < 1e-7  # a tail collapsing onto the ties: far beyond chance
