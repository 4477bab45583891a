"""Is the drift noise floor calibrated at the level ``monitor`` uses it?

``monitor`` holds each feature's drift measure to max(threshold, noise floor), the floor being the
``1 - alpha / features`` quantile of the measure on clean batches (``specgen.runtime.calibration``:
4,000 simulated batches plus an exponential tail above their 95th percentile). With the default
alpha 0.001 and 30 features a feature's share is 3.3e-5: far beyond what 4,000 draws see, so the
tail fit decides it. This benchmark counts how often clean batches actually exceed the floor:

* ``model``: batches drawn from the calibration's own model (Dirichlet(reference counts) shares,
  then a multinomial batch), many more of them than the calibration draws: checks the tail fit;
* ``real``: real rows. Per random 70/30 split (as bench_detection.py splits: infer + baseline on
  the 70 %), ``--batches`` clean batches of ``--rows`` rows drawn from the 30 % without replacement,
  binned on the reference's edges exactly as ``monitor`` bins them: checks the model as well
  (ties, the prior on the reference's shares).

Printed per table: clean feature-batches, exceedances of the floor, the realized rate against the
per-feature alpha (with a Poisson 95 % upper bound), the share of batches with any exceedance
against alpha, and the drift alarms monitor would raise (measure above max(threshold, floor)).

Usage: python benchmarks/bench_calibration.py [--tables breast_cancer] [--splits 100] [--batches 1000]
       [--rows 30] [--model-draws 1000000] [--model-splits 2]
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

import bench_detection as bench  # noqa: E402
from specgen.runtime import calibration  # noqa: E402
from specgen.runtime.baseline import to_summary  # noqa: E402
from specgen.runtime.drift import NULL_KEY, Histogram  # noqa: E402


def _split(frame, seed):
    """The 70/30 split bench_detection.py makes for ``seed``."""
    order = np.random.default_rng(seed).permutation(len(frame))
    cut = int(round(0.7 * len(frame)))
    return frame.iloc[order[:cut]].reset_index(drop=True), frame.iloc[order[cut:]].reset_index(drop=True)


def _features(config):
    """(name, summary, metric, practical threshold, scale) of each plain monitored column."""
    out = []
    for f in config.features:
        if f.time_bins is not None:
            continue
        scale = f.reference.get("std") if f.drift.metric == "wasserstein_normalized" else None
        out.append((f.name, to_summary(f.kind, f.reference), f.drift.metric, f.drift.threshold, scale))
    return out


def _bucket_index(summary, column) -> tuple[np.ndarray, int]:
    """Each row's bucket in calibration's layout of ``summary`` (and the number of buckets)."""
    if isinstance(summary, Histogram):
        e = np.asarray(summary.edges)
        x = column.astype("float64").to_numpy()
        null = np.isnan(x)
        idx = np.searchsorted(e, x, side="right")
        idx[x == e[-1]] = e.size - 1
        idx[null] = e.size + 1
        return idx, e.size + 2
    keys = [k for k in summary if k != NULL_KEY] + [NULL_KEY]
    where = {k: i for i, k in enumerate(keys)}
    unseen = len(keys)
    idx = np.array([where[NULL_KEY] if v is None or (isinstance(v, float) and math.isnan(v))
                    else where.get(str(v), unseen) for v in column.tolist()])
    return idx, len(keys) + 1


def _counts(idx: np.ndarray, picks: np.ndarray, buckets: int) -> np.ndarray:
    """Bucket counts of each batch (rows of ``picks``: row numbers of the holdout)."""
    b = idx[picks]
    flat = b + buckets * np.arange(picks.shape[0])[:, None]
    return np.bincount(flat.ravel(), minlength=buckets * picks.shape[0]).reshape(picks.shape[0], buckets)


def _floor(metric, summary, rows, alpha, scale) -> float:
    return calibration.calibrate(metric, summary, {"rows": rows}, 0.0, alpha, scale).floor


def real_batches(table, seeds, batches, rows):
    frame, label = bench.TABLES[table]()
    tally = {"feature_batches": 0, "exceed": 0, "batches": 0, "any_exceed": 0, "alarms": 0}
    worst: dict[str, int] = {}
    alpha_f = None
    for seed in seeds:
        train, holdout = _split(frame, seed)
        if len(holdout) < rows:
            raise SystemExit(f"{table}: its 30 % holds {len(holdout)} rows, fewer than --rows {rows}")
        with tempfile.TemporaryDirectory() as tmp:
            s = bench.setup(train, label, Path(tmp))
        feats = _features(s.config)
        alpha_f = s.config.alpha / len(s.config.features)
        rng = np.random.default_rng(seed)
        picks = np.argsort(rng.random((batches, len(holdout))), axis=1)[:, :rows]
        over = np.zeros(batches, dtype=bool)
        alarm = np.zeros(batches, dtype=bool)
        for name, summary, metric, practical, scale in feats:
            ref, _, points = calibration._layout(summary)
            idx, buckets = _bucket_index(summary, holdout[name])
            stats = calibration._MEASURES[metric](ref, _counts(idx, picks, buckets).astype(float), points, scale)
            floor = _floor(metric, summary, rows, alpha_f, scale)
            hit = stats > floor
            over |= hit
            alarm |= hit & (stats > practical)
            tally["exceed"] += int(hit.sum())
            worst[f"{table}:{name}"] = worst.get(f"{table}:{name}", 0) + int(hit.sum())
        tally["feature_batches"] += batches * len(feats)
        tally["batches"] += batches
        tally["any_exceed"] += int(over.sum())
        tally["alarms"] += int(alarm.sum())
    return tally, alpha_f, worst


def model_batches(table, seeds, draws, rows, levels):
    """Exceedances of the floor at each alpha in ``levels`` by batches from the calibration's own model."""
    frame, label = bench.TABLES[table]()
    hits = {a: 0 for a in levels}
    total = 0
    for seed in seeds:
        train, _ = _split(frame, seed)
        with tempfile.TemporaryDirectory() as tmp:
            s = bench.setup(train, label, Path(tmp))
        rng = np.random.default_rng(seed + 7)
        for name, summary, metric, practical, scale in _features(s.config):
            ref, params, points = calibration._layout(summary)
            floors = {a: _floor(metric, summary, rows, a, scale) for a in levels}
            for start in range(0, draws, 200_000):
                n = min(200_000, draws - start)
                counts = rng.multinomial(rows, rng.dirichlet(params, size=n)).astype(float)
                stats = calibration._MEASURES[metric](ref, counts, points, scale)
                for a in levels:
                    hits[a] += int((stats > floors[a]).sum())
            total += draws
    return hits, total


def _upper95(k: int) -> float:
    """Poisson 95 % upper bound on a count of ``k`` events (chi-square form, via Wilson-Hilferty)."""
    df = 2 * (k + 1)
    z = 1.6448536
    return df / 2 * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="breast_cancer")
    parser.add_argument("--splits", type=int, default=100)
    parser.add_argument("--first-split", type=int, default=0)
    parser.add_argument("--batches", type=int, default=1000, help="clean batches per split (real rows)")
    parser.add_argument("--rows", type=int, default=30)
    parser.add_argument("--model-draws", type=int, default=1_000_000, help="per feature (0: skip)")
    parser.add_argument("--model-splits", type=int, default=2)
    args = parser.parse_args(argv)
    seeds = range(1000 + args.first_split, 1000 + args.first_split + args.splits)
    for table in args.tables.split(","):
        start = time.perf_counter()
        tally, alpha_f, worst = real_batches(table, seeds, args.batches, args.rows)
        k, n = tally["exceed"], tally["feature_batches"]
        print(f"{table} real rows, {len(seeds)} splits x {args.batches} batches of {args.rows} rows "
              f"({time.perf_counter() - start:.0f}s):")
        print(f"  per feature: {k} of {n:,} feature-batches above the floor = {k / n:.2e} "
              f"(95 % upper {_upper95(k) / n:.2e}) vs alpha/features {alpha_f:.2e}")
        b = tally["batches"]
        print(f"  per batch:   {tally['any_exceed']} of {b:,} batches with any feature above its floor = "
              f"{tally['any_exceed'] / b:.2e} (95 % upper {_upper95(tally['any_exceed']) / b:.2e}) vs alpha "
              f"{alpha_f * n / b:.0e}; drift alarms (above max(threshold, floor)): {tally['alarms']}")
        top = sorted(worst.items(), key=lambda kv: -kv[1])[:5]
        print("  most exceedances: " + ", ".join(f"{name} {c}" for name, c in top if c))
        if args.model_draws:
            levels = (1e-2, 1e-3, 1e-4, alpha_f)
            model_seeds = range(seeds.start, seeds.start + args.model_splits)
            hits, total = model_batches(table, model_seeds, args.model_draws, args.rows, levels)
            print(f"  model (Dirichlet-multinomial), {total:,} feature-batches over {len(model_seeds)} splits:")
            for a in levels:
                print(f"    floor at alpha {a:.1e}: realized {hits[a] / total:.2e} "
                      f"(95 % upper {_upper95(hits[a]) / total:.2e}, {hits[a]} hits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
