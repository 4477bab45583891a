"""Canary vs stable on the same traffic: per slice and metric a one-sided test of "the canary is worse by
more than max_drop", Bonferroni over slices x metrics, and the verdict ``promote | hold | roll back``.

Only windows in which the canary served count, for both versions (same traffic, same label maturity).
Accuracy is a proportion: two-proportion z-test from counts (``stats.proportion_worse``); any other
metric: bootstrap of the rows (``stats.bootstrap_worse``). The verdict pools every such window:

* roll back: some test rejects "no worse than max_drop" at alpha / (slices x metrics);
* hold: otherwise, when the canary has fewer than ``min_labelled`` labelled rows overall, or fewer than a
  slice's ``min_rows`` in a declared slice (too few to tell); without label metrics, when its
  prediction distribution differs from stable's (chi-square for classes, Kolmogorov-Smirnov for values);
* promote: otherwise.

Each window also gets the same tests and a verdict of its own, reported as evidence.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .. import metrics as _metrics
from ..contracts.live import ALL, CanaryConfig, LiveConfig
from .logs import LABEL, PRED, SCORE, VERSION
from .quality import labelled
from .stats import bootstrap_worse, chi_square_p, ks_p, proportion_worse

__all__ = ["CanaryAccumulator", "CanaryResult", "PROMOTE", "HOLD", "ROLL_BACK", "VERDICT_VALUES"]

PROMOTE, HOLD, ROLL_BACK = "promote", "hold", "roll back"
#: the gauge value of each verdict (alert on < 0)
VERDICT_VALUES = {PROMOTE: 1, HOLD: 0, ROLL_BACK: -1}


@dataclass
class _Group:
    """One version's rows in one slice, kept as small as the tests allow: accuracy needs counts, the
    class distribution needs counts; only other metrics (bootstrap) and numeric predictions (KS) keep arrays."""

    keep_arrays: bool
    numeric: bool
    hits: int = 0
    labelled: int = 0
    classes: dict = field(default_factory=lambda: defaultdict(int))
    truth: list = field(default_factory=list)
    outputs: dict = field(default_factory=lambda: defaultdict(list))  # PRED / SCORE -> arrays
    predicted: list = field(default_factory=list)

    def add(self, rows: pl.DataFrame) -> None:
        lab = labelled(rows)
        self.labelled += lab.height
        if lab.height:
            self.hits += int((lab[LABEL].cast(pl.String) == lab[PRED].cast(pl.String)).sum())
        if self.numeric:
            self.predicted.append(rows[PRED].cast(pl.Float64).to_numpy())
        else:
            for value, count in rows[PRED].cast(pl.String).value_counts().iter_rows():
                self.classes[value] += count
        if self.keep_arrays:
            self.truth.append(lab[LABEL].to_numpy())
            for column in (PRED, SCORE):
                if column in lab.columns:
                    self.outputs[column].append(lab[column].to_numpy())

    def arrays(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        return _cat(self.truth), _cat(self.outputs[column])


def _cat(parts: list) -> np.ndarray:
    return np.concatenate(parts) if parts else np.array([])


@dataclass
class CanaryResult:
    verdict: str
    reason: str
    stable: str
    canary: str
    windows_compared: int
    tests: list  # evidence: one dict per (slice, metric) or distribution test
    per_window: list

    def as_dict(self) -> dict:
        return dict(vars(self))


class CanaryAccumulator:
    def __init__(self, config: LiveConfig):
        self.config = config
        self.canary: CanaryConfig = config.canary
        self.min_rows = {ALL: self.canary.min_labelled, **{s.name: s.min_rows for s in config.slices}}
        arrays = any(m.name != "accuracy" for m in self.canary.metrics)
        self._group = lambda: _Group(arrays, config.task == "regression")
        self.pooled: dict = defaultdict(self._group)  # (slice, version) -> _Group
        self.per_window: list = []
        self.windows = 0

    def add(self, window: str, frame: pl.DataFrame, masks: dict[str, np.ndarray]) -> None:
        versions = frame[VERSION]
        if not (versions == self.canary.canary).any():
            return
        self.windows += 1
        groups: dict = defaultdict(self._group)
        for name, mask in {ALL: np.ones(frame.height, bool), **masks}.items():
            for version in (self.canary.stable, self.canary.canary):
                rows = frame.filter(pl.Series(mask) & (versions == version))
                groups[(name, version)].add(rows)
                self.pooled[(name, version)].add(rows)
        result = self._judge(groups, windows=1)
        self.per_window.append({"window_start": window, "verdict": result.verdict, "reason": result.reason,
                                "tests": result.tests})

    def result(self) -> CanaryResult:
        if not self.windows:
            return CanaryResult(HOLD, f"the canary ({self.canary.canary!r}) served no request before as-of",
                                self.canary.stable, self.canary.canary, 0, [], [])
        out = self._judge(self.pooled, self.windows)
        out.per_window = self.per_window
        return out

    def _judge(self, groups: dict, windows: int) -> CanaryResult:
        c = self.canary
        names = [ALL] + [s.name for s in self.config.slices]
        planned = max(1, len(names) * max(1, len(c.metrics)))
        level = c.alpha / planned
        tests, short, distributions = [], [], []
        for name in names:
            stable, canary = groups[(name, c.stable)], groups[(name, c.canary)]
            # the prediction distributions need no label: evidence always, the verdict's basis without metrics
            distributions.append(self._distribution(name, stable, canary, c.alpha / len(names)))
            if not c.metrics:
                continue
            if canary.labelled < self.min_rows[name] or stable.labelled < self.min_rows[name]:
                short.append(f"{name}: {canary.labelled} canary / {stable.labelled} stable labelled rows "
                             f"(needs {self.min_rows[name]})")
                continue
            tests += [self._test(name, m, stable, canary, level) for m in c.metrics]
        verdict, reason = self._verdict(tests, short, distributions if not c.metrics else [])
        return CanaryResult(verdict, reason, c.stable, c.canary, windows, tests + distributions, [])

    def _verdict(self, tests: list, short: list, distributions: list) -> tuple[str, str]:
        worse = [t for t in tests if t["worse"]]
        if worse:
            what = "; ".join(f"{t['slice']} {t['metric']}: canary {t['canary']:.4g} vs stable {t['stable']:.4g} "
                             f"(p={t['p_value']:.2g} < {t['level']:.2g})" for t in worse)
            return ROLL_BACK, f"canary worse: {what}"
        if short:
            return HOLD, "too few labelled rows to tell: " + "; ".join(short)
        differs = [t["slice"] for t in distributions if t["differs"]]
        if differs:
            return HOLD, f"no labels to judge by, and the canary's predictions differ from stable's in {differs}"
        return PROMOTE, (f"no slice or metric worse beyond max_drop at family-wise alpha {self.canary.alpha:g}"
                         if self.canary.metrics else "prediction distributions agree (no label metrics)")

    def _test(self, name: str, metric, stable: _Group, canary: _Group, level: float) -> dict:
        info = _metrics.METRICS[metric.name]
        column = PRED if info.input == "labels" else SCORE
        tolerance = self.canary.max_drop[metric.name]
        if metric.name == "accuracy":  # a proportion: counts are enough
            drop, p = proportion_worse(stable.hits, stable.labelled, canary.hits, canary.labelled, tolerance)
            return {"slice": name, "metric": metric.name, "test": "two-proportion z-test",
                    "stable": stable.hits / stable.labelled, "canary": canary.hits / canary.labelled,
                    "n_stable": stable.labelled, "n_canary": canary.labelled, "drop": drop, "max_drop": tolerance,
                    "p_value": p, "level": level, "worse": p < level}
        s, k = stable.arrays(column), canary.arrays(column)
        fn = lambda t, p: _metrics.compute(metric.name, t, **{"y_pred" if column == PRED else "y_score": p},
                                           **metric.kwargs)
        drop, p = bootstrap_worse(fn, s, k, info.greater_is_better, tolerance, self.canary.bootstrap,
                                  self.config.seed)
        test = f"bootstrap ({self.canary.bootstrap} resamples)"
        return {"slice": name, "metric": metric.name, "test": test, "stable": fn(*s), "canary": fn(*k),
                "n_stable": len(s[0]), "n_canary": len(k[0]), "drop": drop, "max_drop": tolerance,
                "p_value": p, "level": level, "worse": p < level}

    def _distribution(self, name: str, stable: _Group, canary: _Group, level: float) -> dict:
        if self.config.task == "classification":
            p, test = chi_square_p(stable.classes, canary.classes), "chi-square homogeneity of predicted classes"
            sizes = sum(stable.classes.values()), sum(canary.classes.values())
        else:
            a, b = _cat(stable.predicted), _cat(canary.predicted)
            p, test = ks_p(a, b), "two-sample Kolmogorov-Smirnov of predictions"
            sizes = len(a), len(b)
        return {"slice": name, "metric": "prediction_distribution", "test": test, "n_stable": sizes[0],
                "n_canary": sizes[1], "p_value": p, "level": level, "worse": False, "differs": p < level}
