"""Detection benchmark: false alarms on clean held-out data, catches of injected faults.

Tried as a new user would, on real public tables that ship inside pip packages: tests/data
(including vega_datasets' cars), scikit-learn's bundled sets, and (the ``bench`` extra:
``pip install -e '.[bench]'``, which ``make bench`` runs) vega_datasets' Seattle weather,
statsmodels' fair and randhie. Per table, ``--splits`` seeded random 70/30 splits; per split,
``specgen infer`` on the 70 %,
``specgen baseline``, then ``validate`` and ``monitor`` on batches of each size drawn from the
30 %, clean (a false alarm if anything fires) and with one fault injected (a catch if anything
fires). Everything runs in-process through the library functions the CLI calls.

Batches: a batch of at most the holdout's size is a sample of the holdout, without replacement.
A larger batch cannot be made of independent held-out rows: resampling the holdout would give a
batch whose distribution is the holdout's empirical one, which differs from the reference by the
holdout's own sampling noise (a monitor that sees 1,000 such rows rightly calls it a different
distribution). So for ``monitor`` a larger batch is drawn with replacement from the whole table,
the population the reference was sampled from; ``validate`` (row checks) resamples the holdout.

Time-ordered split (``<table>@time``, tables with a date: Seattle weather): infer on the oldest
70 %, check the newest 30 %, each batch a run of consecutive days (see ``one_split``); its rows are
summarised apart from the random splits (column ``split``).

Faults (column picked per split with the split's seed):
  schema: x1000 outliers in 5 % of rows, unit change x1000 and /1000, null surge (half the rows),
          dropped column, number -> text, unseen category (string; integer-coded: an absent code
          inside the observed codes and just above them)
  drift:  in-range mean shift of 0.5 and 1 std (clipped to the training range), category share
          shift of 0.1 and 0.2 (L-inf), label share shift of 0.2
  quiet:  mean shift of 0.02 std up and down, share shift of 0.01 (must not alarm: counted as false alarms)

Usage: python benchmarks/bench_detection.py [--splits 50] [--first-split 0] [--tables iris,seattle_weather@time]
       [--batches 30,100,1000,100000] [--csv benchmarks/results/detection.csv] [--runs-csv runs.csv]
       python benchmarks/bench_detection.py --from-runs a.csv,b.csv --csv out.csv  (merge chunks run apart)
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
#: added after the runs of 2026-11-30: their seeds come from a generator of their own (``one_split``), so
#: every other fault sees the same batches and columns as in those runs
LATER = ("mean_shift_-0.02",)
QUIET = ("clean", "mean_shift_0.02", "share_shift_0.01") + LATER
FAULTS = ("clean", "mean_shift_0.02", "share_shift_0.01") + SCHEMA + DRIFT + LATER


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


def _seattle_weather():
    """Vega's Seattle weather, 2012-2015 (1,461 days): label ``weather`` (5 kinds), a ``date`` column."""
    from vega_datasets import local_data

    return local_data.seattle_weather(), "weather"


def _fair():
    """statsmodels' Fair affairs survey (6,366 rows): the integer-valued survey codes become ints (education
    9, 12, 14, 16, 17, 20: gaps); label ``affair`` = any affairs (0/1), the count itself dropped (it is the label)."""
    from statsmodels.datasets import fair

    frame = fair.load_pandas().data
    for col in ("rate_marriage", "religious", "educ", "occupation", "occupation_husb"):
        frame[col] = frame[col].astype("int64")
    frame["affair"] = (frame.pop("affairs") > 0).astype("int64")
    return frame, "affair"


def _randhie():
    """statsmodels' RAND health insurance experiment (20,190 rows): label ``mdvis`` (doctor visits, a count)."""
    from statsmodels.datasets import randhie

    return randhie.load_pandas().data, "mdvis"


TABLES = {
    "penguins": _csv("penguins", "species"),
    "iris": _csv("iris", "species"),
    "wine": _csv("wine", "cultivar"),
    "diabetes": _csv("diabetes", "progression"),
    "breast_cancer": _sklearn("load_breast_cancer"),
    "digits": _sklearn("load_digits", columns=16),
    "seattle_weather": _seattle_weather,
    "cars": _csv("cars", "Origin"),  # vega_datasets' cars, integer codes with gaps (tests/data/make_tables.py)
    "fair": _fair,
    "randhie": _randhie,
}
#: tables split by time as well: infer on the oldest 70 %, check the newest 30 % (``<table>@time`` in ``--tables``)
TIME_COLUMNS = {"seattle_weather": "date"}


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
    """Same columns and values (as text where a fault changed a column's dtype); column by column, so a
    100,000-row batch is not turned into text whole."""
    if list(a.columns) != list(b.columns):
        return False
    return all(a[c].equals(b[c]) or (a[c].dtype != b[c].dtype and a[c].astype(str).equals(b[c].astype(str)))
               for c in a.columns)


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
              faults: tuple[str, ...] = FAULTS, time_column: str | None = None) -> list[dict]:
    """Rows of outcomes for one split. With ``time_column`` the split is by time (the oldest 70 % train, the
    newest 30 % hold out, the same for every seed) and a batch is a run of consecutive rows of the newest
    30 % (what a deployed monitor sees: the last days), starting where the seed says; a batch longer than
    the holdout resamples it (for validate and monitor alike: the newest period is the population)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    if time_column is not None:
        order = np.argsort(frame[time_column].to_numpy(), kind="stable")
    cut = int(round(0.7 * len(frame)))
    train, holdout = frame.iloc[order[:cut]].reset_index(drop=True), frame.iloc[order[cut:]].reset_index(drop=True)
    s = setup(train, label, folder)
    rows = []
    for size in sizes:
        held, population = _batches(frame, holdout, size, rng, time_column is not None)
        later = np.random.default_rng([seed, size])
        for fault in FAULTS:
            # drawn for every fault: a subset sees the same batches
            fault_seed = int((later if fault in LATER else rng).integers(2**32))
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
            if "monitor" in outcome:  # both ran (a fault can be a no-op on one of the two batches only)
                rows.append({"table": name, "split": "time" if time_column else "random", "seed": seed,
                             "batch": size, "fault": fault, **outcome})
    return rows


def _batches(frame: pd.DataFrame, holdout: pd.DataFrame, size: int, rng, by_time: bool):
    """(batch for validate, batch for monitor) of ``size`` rows (see the module docstring and ``one_split``)."""
    small = size <= len(holdout)
    pick = rng.integers(2**32)
    if by_time:
        if not small:
            held = holdout.sample(size, replace=True, random_state=pick % 2**32)
            return held, held
        start = int(pick % (len(holdout) - size + 1))
        held = holdout.iloc[start:start + size].reset_index(drop=True)
        return held, held
    held = holdout.sample(size, replace=not small, random_state=pick % 2**32)
    population = held if small else frame.sample(size, replace=True, random_state=(pick + 1) % 2**32)
    return held, population


# -- the table -------------------------------------------------------------------------------------

def summarise(results: list[dict], sizes: list[int], by_table: bool = False) -> list[dict]:
    """One row per (split kind, fault, batch size): random splits and time-ordered ones apart; with
    ``by_table``, one per table too."""
    groups = defaultdict(list)
    for r in results:
        groups[(r.get("split", "random"), r["table"] if by_table else "", r["fault"], r["batch"])].append(r)
    out = []
    for split in ("random", "time"):
        for table in sorted({k[1] for k in groups}):
            for fault in FAULTS:
                for size in sizes:
                    runs = groups.get((split, table, fault, size))
                    if runs:
                        where = {"split": split} | ({"table": table} if by_table else {})
                        out.append(where | _rates(fault, size, runs))
    return out


def _rates(fault: str, size: int, runs: list[dict]) -> dict:
    rate = lambda key: sum(r[key] for r in runs) / len(runs)  # noqa: E731
    either = sum(r["validate"] or r["monitor"] for r in runs) / len(runs)
    kind = "quiet" if fault in QUIET else ("schema" if fault in SCHEMA else "drift")
    return {"fault": fault, "kind": kind, "batch": size, "runs": len(runs), "validate": rate("validate"),
            "monitor": rate("monitor"), "drift_alarm": rate("drift"), "any": either,
            "tables": len({r["table"] for r in runs})}


def print_table(summary: list[dict]) -> None:
    print(f"{'split':<6} {'fault':<20} {'kind':<7} {'batch':>6} {'runs':>5} {'validate':>9} {'monitor':>8} "
          f"{'drift':>7} {'any':>7}   (quiet: false-alarm rate; schema/drift: catch rate)")
    for r in summary:
        print(f"{r['split']:<6} {r['fault']:<20} {r['kind']:<7} {r['batch']:>6} {r['runs']:>5} "
              f"{r['validate']:>9.1%} {r['monitor']:>8.1%} {r['drift_alarm']:>7.1%} {r['any']:>7.1%}")


def read_runs(paths: list[str]) -> list[dict]:
    """Runs written by ``--runs-csv`` (several chunks of one benchmark, merged)."""
    flags = ("validate", "monitor", "drift")
    out = []
    for path in paths:
        with open(path, newline="") as handle:
            for r in csv.DictReader(handle):
                r["batch"], r["seed"] = int(r["batch"]), int(r["seed"])
                out.append(r | {k: r[k] == "True" for k in flags if k in r})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=50)
    parser.add_argument("--first-split", type=int, default=0, help="run splits first..first+splits-1 (chunks)")
    parser.add_argument("--from-runs", help="comma-separated --runs-csv files: summarise them instead of running")
    parser.add_argument("--tables", default=",".join(list(TABLES) + [f"{t}@time" for t in TIME_COLUMNS]))
    parser.add_argument("--batches", default="30,100,1000")
    parser.add_argument("--csv", default=str(ROOT / "benchmarks" / "results" / "detection.csv"))
    parser.add_argument("--runs-csv", default=None, help="also write one line per run (table, seed, fault, batch)")
    parser.add_argument("--by-table-csv", default=None, help="also write the table per (real) table")
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
    if args.from_runs:
        results = read_runs(args.from_runs.split(","))
        sizes = sorted({r["batch"] for r in results})
    else:
        sizes = [int(x) for x in args.batches.split(",")]
        results = run_tables(args.tables.split(","), range(args.first_split, args.first_split + args.splits), sizes)
    if args.runs_csv:
        _write(Path(args.runs_csv), results)
    summary = summarise(results, sizes)
    print_table(summary)
    _write(Path(args.csv), summary)
    if args.by_table_csv:
        _write(Path(args.by_table_csv), summarise(results, sizes, by_table=True))
    return 0


def run_tables(names: list[str], splits: range, sizes: list[int]) -> list[dict]:
    """``name`` is a table of TABLES, or ``name@time`` for its time-ordered split."""
    results = []
    start = time.perf_counter()
    for name in names:
        table, _, by = name.partition("@")
        frame, label = TABLES[table]()
        time_column = TIME_COLUMNS[table] if by == "time" else None
        for split in splits:
            with tempfile.TemporaryDirectory() as tmp:
                results += one_split(table, frame, label, 1000 + split, sizes, Path(tmp), time_column=time_column)
        print(f"# {name}: splits {splits.start}-{splits.stop - 1}, batches {sizes}, "
              f"{time.perf_counter() - start:.0f}s", file=sys.stderr)
    return results


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(main())
