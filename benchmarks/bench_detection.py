"""Detection benchmark: false alarms on clean held-out data, catches of injected faults.

Tried as a new user would, on real public tables (tests/data and scikit-learn's bundled sets):
per table, ``--splits`` seeded random 70/30 splits; per split, ``specgen infer`` on the 70 %,
``specgen baseline``, then ``validate`` and ``monitor`` on batches of each size drawn from the
30 %, clean (a false alarm if anything fires) and with one fault injected (a catch if anything
fires). Everything runs in-process through the library functions the CLI calls.

Batches: a batch of at most the holdout's size is a sample of the holdout, without replacement.
A larger batch cannot be made of independent held-out rows: resampling the holdout would give a
batch whose distribution is the holdout's empirical one, which differs from the reference by the
holdout's own sampling noise (a monitor that sees 1,000 such rows rightly calls it a different
distribution). So for ``monitor`` a larger batch is drawn with replacement from the whole table,
the population the reference was sampled from; ``validate`` (row checks) resamples the holdout.

Faults (column picked per split with the split's seed):
  schema: x1000 outliers in 5 % of rows, unit change x1000 and /1000, null surge (half the rows),
          dropped column, number -> text, unseen category (string; integer-coded: an absent code
          inside the observed codes and just above them)
  drift:  in-range mean shift of 0.5 and 1 std (clipped to the training range), category share
          shift of 0.1 and 0.2 (L-inf), label share shift of 0.2
  quiet:  mean shift of 0.02 std, share shift of 0.01 (must not alarm: counted as false alarms)

Usage: python benchmarks/bench_detection.py [--splits 50] [--tables iris,wine] [--batches 30,100,1000]
       [--csv benchmarks/results/detection.csv]
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specgen.errors import SpecgenError  # noqa: E402

DATA = ROOT / "tests" / "data"
SCHEMA = ("outlier_x1000", "unit_x1000", "unit_div1000", "null_surge", "dropped_column", "number_to_text",
          "unseen_category", "unseen_code_inside", "unseen_code_outside")
DRIFT = ("mean_shift_0.5", "mean_shift_1", "share_shift_0.1", "share_shift_0.2", "label_shift_0.2")
QUIET = ("clean", "mean_shift_0.02", "share_shift_0.01")
FAULTS = QUIET + SCHEMA + DRIFT


# -- tables ----------------------------------------------------------------------------------------

def _csv(name: str, label: str):
    return lambda: (pd.read_csv(DATA / f"{name}.csv"), label)


def _sklearn(loader: str, label: str = "target", columns: int | None = None):
    def load():
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader)(as_frame=True)
        frame = bunch.frame.copy()
        frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
        if columns is not None:  # wide tables: the first columns with some spread keep the run short
            keep = [c for c in frame.columns if c != label and frame[c].nunique() > 2][:columns]
            frame = frame[keep + [label]]
        return frame, label
    return load


TABLES = {
    "penguins": _csv("penguins", "species"),
    "iris": _csv("iris", "species"),
    "wine": _csv("wine", "cultivar"),
    "diabetes": _csv("diabetes", "progression"),
    "breast_cancer": _sklearn("load_breast_cancer"),
    "digits": _sklearn("load_digits", columns=16),
}


# -- one split -------------------------------------------------------------------------------------

@dataclass
class Setup:
    """What infer + baseline produced for one training split."""

    spec: Path
    dtypes: dict
    checks: list
    config: object
    label: str
    numeric: list  # numeric features (not integer codes)
    strings: list  # string categories
    codes: list  # integer columns inferred as a set of codes (or bool/category)
    train: pd.DataFrame


#: ``--numeric`` / ``--categorical``: the drift measures the drafted specs use (default: the spec's defaults)
DRIFT_OVERRIDE: dict[str, str] = {}


def setup(train: pd.DataFrame, label: str, folder: Path) -> Setup:
    from specgen.api import build_plan, load_spec
    from specgen.compiler import baseline as baseline_mod
    from specgen.compiler.monitoring import monitoring_config
    from specgen.infer import infer

    data = folder / "train.csv"
    train.to_csv(data, index=False)
    spec = folder / "spec.yaml"
    text = infer([str(data)], spec, label=label, name="bench").spec_text
    if "\nmonitoring:" not in text:  # drafts without a monitoring section get the defaults
        text += "monitoring: {}\n"
    if DRIFT_OVERRIDE:
        drift = ", ".join(f"{kind}: {{metric: {m.split(':')[0]}, threshold: {m.split(':')[1]}}}"
                          for kind, m in DRIFT_OVERRIDE.items())
        text = text.replace("\nmonitoring: {}\n", "\nmonitoring:\n").rsplit("\nmonitoring:\n", 1)[0]
        text += f"\nmonitoring:\n  drift: {{{drift}}}\n"
    spec.write_text(text)
    plan = build_plan(spec)
    _, model = load_spec(spec)
    stored = baseline_mod.baseline_path(spec, "bench")  # what `specgen baseline` writes, read back as compile does
    stored.write_text(baseline_mod.to_text(baseline_mod.compute(model, plan)))
    config = monitoring_config(plan, baseline_mod.read(stored))
    numeric, strings, codes = [], [], []
    for name, feature in model.features.items():
        if feature.dtype in ("float", "int") and feature.range is not None:
            numeric.append(name)
        elif feature.dtype in ("category", "bool"):
            integer = pd.api.types.is_integer_dtype(train[name]) or pd.api.types.is_bool_dtype(train[name])
            (codes if integer else strings).append(name)
    return Setup(spec, plan.dtypes(), plan.checks("training"), config, label, numeric, strings, codes, train)


def faulty(fault: str, batch: pd.DataFrame, s: Setup, rng: np.random.Generator) -> pd.DataFrame | None:
    """``batch`` with ``fault`` injected, or None when the table has no column it applies to."""
    b = batch.copy()
    n = len(b)
    num = s.numeric[rng.integers(len(s.numeric))] if s.numeric else None
    cats = s.strings + s.codes
    cat = cats[rng.integers(len(cats))] if cats else None
    if fault == "clean":
        return b
    if fault.startswith(("outlier", "unit", "null", "dropped", "number", "mean")) and num is None:
        return None
    if fault == "outlier_x1000":
        rows = rng.choice(n, max(1, int(np.ceil(0.05 * n))), replace=False)
        b[num] = b[num].astype(float)
        b.iloc[rows, b.columns.get_loc(num)] = b[num].iloc[rows] * 1000 + 1000  # + 1000: a 0 stays an outlier
        return b
    if fault == "unit_x1000":
        b[num] = b[num] * 1000
        return b
    if fault == "unit_div1000":
        b[num] = b[num] / 1000
        return b
    if fault == "null_surge":
        b[num] = b[num].astype(float)
        b.iloc[rng.choice(n, n // 2, replace=False), b.columns.get_loc(num)] = np.nan
        return b
    if fault == "dropped_column":
        return b.drop(columns=[num])
    if fault == "number_to_text":
        b[num] = [f"{v} units" for v in b[num]]
        return b
    if fault.startswith("mean_shift"):
        delta = float(fault.rsplit("_", 1)[1]) * float(s.train[num].std())
        lo, hi = s.train[num].min(), s.train[num].max()
        shifted = (b[num] + delta).clip(lo, hi)  # in range: only drift can see it
        b[num] = shifted.round().astype(b[num].dtype) if pd.api.types.is_integer_dtype(b[num]) else shifted
        return b
    if fault == "unseen_category":
        if not s.strings:
            return None
        col = s.strings[rng.integers(len(s.strings))]
        rows = rng.choice(n, max(1, int(np.ceil(0.05 * n))), replace=False)
        b[col] = b[col].astype(object)
        b.iloc[rows, b.columns.get_loc(col)] = "never_seen"
        return b
    if fault.startswith("unseen_code"):
        return _unseen_code(fault, b, s, rng)
    if fault.startswith("share_shift"):
        return None if cat is None else _share_shift(b, cat, float(fault.rsplit("_", 1)[1]), rng)
    if fault.startswith("label_shift"):
        if s.label not in b.columns or b[s.label].nunique() > 20:
            return None
        return _share_shift(b, s.label, float(fault.rsplit("_", 1)[1]), rng)
    raise ValueError(fault)


def _unseen_code(fault: str, b: pd.DataFrame, s: Setup, rng) -> pd.DataFrame | None:
    """An integer code absent from training: inside the observed codes (a gap) or just above them."""
    ints = [c for c in s.codes + s.numeric if pd.api.types.is_integer_dtype(s.train[c]) and s.train[c].nunique() <= 20]
    if not ints:
        return None
    col = ints[rng.integers(len(ints))]
    seen = set(int(v) for v in s.train[col].dropna().unique())
    if fault == "unseen_code_inside":
        gaps = [v for v in range(min(seen), max(seen)) if v not in seen]
        if not gaps:
            return None
        code = gaps[rng.integers(len(gaps))]
    else:
        code = max(seen) + 1
    rows = rng.choice(len(b), max(1, int(np.ceil(0.05 * len(b)))), replace=False)
    b.iloc[rows, b.columns.get_loc(col)] = code
    return b


def _share_shift(b: pd.DataFrame, col: str, delta: float, rng) -> pd.DataFrame | None:
    """Move ``delta`` of the rows from the batch's most common value of ``col`` to another value."""
    counts = b[col].value_counts()
    if len(counts) < 2:
        return None
    move = int(round(delta * len(b)))
    top = counts.index[0]
    target = counts.index[1 + rng.integers(len(counts) - 1)]
    rows = np.flatnonzero((b[col] == top).to_numpy())
    if move > rows.size:
        return None
    b.iloc[rng.choice(rows, move, replace=False), b.columns.get_loc(col)] = target
    return b


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return list(a.columns) == list(b.columns) and a.astype(str).equals(b.astype(str))


def run_validate(s: Setup, path: Path) -> bool:
    from specgen.runtime import engine, io

    try:
        failures = io.checked_scan(path, s.dtypes, lambda frame: engine.run_checks(frame, s.checks, "training"))
    except SpecgenError:
        return True  # the data cannot even be read as the spec says: caught
    return bool(list(failures))


def run_monitor(s: Setup, path: Path) -> tuple[bool, bool]:
    """(any alarm, a drift alarm)."""
    from specgen.runtime import monitor

    try:
        report = monitor.run(s.config, path)
    except SpecgenError:
        return True, False
    return not report.ok, any(r.alarm for r in report.drift)


def one_split(name: str, frame: pd.DataFrame, label: str, seed: int, sizes: list[int], folder: Path,
              faults: tuple[str, ...] = FAULTS) -> list[dict]:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    cut = int(round(0.7 * len(frame)))
    train, holdout = frame.iloc[order[:cut]].reset_index(drop=True), frame.iloc[order[cut:]].reset_index(drop=True)
    s = setup(train, label, folder)
    rows = []
    for size in sizes:
        small = size <= len(holdout)
        pick = rng.integers(2**32)
        held = holdout.sample(size, replace=not small, random_state=pick % 2**32)
        population = held if small else frame.sample(size, replace=True, random_state=(pick + 1) % 2**32)
        for fault in FAULTS:
            fault_seed = int(rng.integers(2**32))  # drawn for every fault: a subset sees the same batches
            if fault not in faults:
                continue
            outcome = {}
            for what, batch in (("validate", held), ("monitor", population)):
                changed = faulty(fault, batch, s, np.random.default_rng(fault_seed))
                if changed is None or (fault != "clean" and _same(changed, batch)):
                    break  # no column it applies to, or a no-op here (x1000 of a column of zeros)
                path = folder / f"{what}.csv"
                changed.to_csv(path, index=False)
                if what == "validate":
                    outcome["validate"] = run_validate(s, path)
                else:
                    outcome["monitor"], outcome["drift"] = run_monitor(s, path)
            if outcome:
                rows.append({"table": name, "seed": seed, "batch": size, "fault": fault, **outcome})
    return rows


# -- the table -------------------------------------------------------------------------------------

def summarise(results: list[dict], sizes: list[int]) -> list[dict]:
    groups = defaultdict(list)
    for r in results:
        groups[(r["fault"], r["batch"])].append(r)
    out = []
    for fault in FAULTS:
        for size in sizes:
            runs = groups.get((fault, size))
            if not runs:
                continue
            rate = lambda key: sum(r[key] for r in runs) / len(runs)  # noqa: E731
            either = sum(r["validate"] or r["monitor"] for r in runs) / len(runs)
            kind = "quiet" if fault in QUIET else ("schema" if fault in SCHEMA else "drift")
            out.append({"fault": fault, "kind": kind, "batch": size, "runs": len(runs),
                        "validate": rate("validate"), "monitor": rate("monitor"), "drift_alarm": rate("drift"),
                        "any": either, "tables": len({r["table"] for r in runs})})
    return out


def print_table(summary: list[dict]) -> None:
    print(f"{'fault':<20} {'kind':<7} {'batch':>6} {'runs':>5} {'validate':>9} {'monitor':>8} {'drift':>7} "
          f"{'any':>7}   (quiet: false-alarm rate; schema/drift: catch rate)")
    for r in summary:
        print(f"{r['fault']:<20} {r['kind']:<7} {r['batch']:>6} {r['runs']:>5} {r['validate']:>9.1%} "
              f"{r['monitor']:>8.1%} {r['drift_alarm']:>7.1%} {r['any']:>7.1%}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=50)
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--batches", default="30,100,1000")
    parser.add_argument("--csv", default=str(ROOT / "benchmarks" / "results" / "detection.csv"))
    parser.add_argument("--runs-csv", default=None, help="also write one line per run (table, seed, fault, batch)")
    parser.add_argument("--uncalibrated", action="store_true",
                        help="hold drift measures to the spec's threshold alone (the behaviour before noise floors)")
    parser.add_argument("--numeric", help="measure:threshold for numeric drift in the drafts, e.g. ks_statistic:0.1")
    parser.add_argument("--categorical", help="measure:threshold for categorical drift in the drafts")
    args = parser.parse_args(argv)
    if args.numeric or args.categorical:
        DRIFT_OVERRIDE.update(numeric=args.numeric or "psi:0.2", categorical=args.categorical or "linf:0.1")
    if args.uncalibrated:
        from specgen.runtime import monitor

        monitor._calibrate = lambda *a, **k: None
    sizes = [int(x) for x in args.batches.split(",")]
    results = []
    start = time.perf_counter()
    for name in args.tables.split(","):
        frame, label = TABLES[name]()
        for split in range(args.splits):
            with tempfile.TemporaryDirectory() as tmp:
                results += one_split(name, frame, label, 1000 + split, sizes, Path(tmp))
        print(f"# {name}: {args.splits} splits, {time.perf_counter() - start:.0f}s", file=sys.stderr)
    summary = summarise(results, sizes)
    print_table(summary)
    _write(Path(args.csv), summary)
    if args.runs_csv:
        _write(Path(args.runs_csv), results)
    return 0


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())
