"""The tests behind the canary verdict, with numpy and math only (no scipy in the runtime).

* ``proportion_worse``: one-sided two-proportion z-test of H0 "the canary's rate is at most ``tolerance``
  below stable's", with each group's own variance (unpooled), so a canary serving a small share of traffic
  has the wide standard error its few rows deserve.
* ``bootstrap_worse``: the same question for any metric, by resampling each group's rows (seeded).
* ``chi_square_p`` / ``ks_p``: is the canary's prediction distribution different from stable's
  (for windows or slices without labels); chi-square homogeneity (Wilson-Hilferty approximation of the
  tail) and the two-sample Kolmogorov-Smirnov asymptotic tail.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..drift import ks_statistic

__all__ = ["proportion_worse", "bootstrap_worse", "chi_square_p", "ks_p", "normal_sf"]


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def proportion_worse(hits_stable: int, n_stable: int, hits_canary: int, n_canary: int,
                     tolerance: float) -> tuple[float, float]:
    """(drop = rate_stable - rate_canary, p-value of H0: drop <= tolerance)."""
    ps, pc = hits_stable / n_stable, hits_canary / n_canary
    drop = ps - pc
    se = math.sqrt(ps * (1 - ps) / n_stable + pc * (1 - pc) / n_canary)
    if se == 0:
        # every row right (or wrong) in both groups: one more row could go either way; use the rule of three
        se = math.sqrt(3 / n_stable ** 2 + 3 / n_canary ** 2)
    return drop, normal_sf((drop - tolerance) / se)


def bootstrap_worse(metric: Callable[[np.ndarray, np.ndarray], float], stable: tuple[np.ndarray, np.ndarray],
                    canary: tuple[np.ndarray, np.ndarray], greater_is_better: bool, tolerance: float,
                    resamples: int, seed: int) -> tuple[float, float]:
    """(drop, p-value of H0: drop <= tolerance): the share of bootstrap drops at or below the tolerance."""
    sign = 1.0 if greater_is_better else -1.0
    drop = sign * (metric(*stable) - metric(*canary))
    rng = np.random.default_rng(seed)
    drops = np.empty(resamples)
    for b in range(resamples):
        i = rng.integers(0, len(stable[0]), len(stable[0]))
        j = rng.integers(0, len(canary[0]), len(canary[0]))
        try:
            drops[b] = sign * (metric(stable[0][i], stable[1][i]) - metric(canary[0][j], canary[1][j]))
        except ValueError:  # a resample the metric cannot score (one class only): it says nothing
            drops[b] = np.nan
    drops = drops[~np.isnan(drops)]
    return drop, (1 + int(np.sum(drops <= tolerance))) / (len(drops) + 1)


def chi_square_p(counts_a: dict, counts_b: dict) -> float:
    """p-value of "both count vectors come from one distribution" (chi-square test of homogeneity)."""
    classes = sorted(set(counts_a) | set(counts_b), key=str)
    table = np.array([[counts_a.get(c, 0) for c in classes], [counts_b.get(c, 0) for c in classes]], float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    stat = float(((table - expected) ** 2 / expected).sum())
    k = table.shape[1] - 1
    # Wilson-Hilferty: (X/k)^(1/3) is close to normal
    z = ((stat / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    return normal_sf(z)


def ks_p(a: np.ndarray, b: np.ndarray) -> float:
    """Asymptotic p-value of the two-sample Kolmogorov-Smirnov test; missing values (NaN: null predictions)
    are left out, as ``drift.ks_statistic`` leaves them out."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) == 0 or len(b) == 0:
        return 1.0
    d = ks_statistic(a, b)
    ne = len(a) * len(b) / (len(a) + len(b))
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    if lam < 0.2:
        return 1.0
    p = 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * lam * lam) for j in range(1, 101))
    return min(1.0, max(0.0, p))
