"""A small, fixed-seed slice of benchmarks/bench_detection.py: infer on 70 % of a real table, then
validate and monitor the other 30 %, clean and with one fault injected.

Clean batches and negligible changes must raise nothing (validate or monitor); every schema fault
must be caught by one of them; on cars (integer codes with gaps) an absent code inside the gaps fails
validate only because integer columns of few codes are inferred as sets of values. The full benchmark (all tables, 50 splits, drift faults) is
``python benchmarks/bench_detection.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_detection as bench  # noqa: E402

QUIET = bench.QUIET  # clean, shifts of 0.02 std up and down, a share shift of 0.01
SCHEMA = ("outlier_x1000", "unit_x1000", "unit_div1000", "null_surge", "dropped_column", "number_to_text",
          "unseen_category", "unseen_code_outside")
SPLITS = {"penguins": (1000, 1001), "diabetes": (1000,), "wine": (1003,)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[dict]:
    out = []
    for name, seeds in SPLITS.items():
        frame, label = bench.TABLES[name]()
        for seed in seeds:
            folder = tmp_path_factory.mktemp(f"{name}{seed}")
            out += bench.one_split(name, frame, label, seed, [30, 100], folder, QUIET + SCHEMA)
    return out


def test_every_fault_ran(runs):
    ran = {r["fault"] for r in runs}
    assert ran == set(QUIET + SCHEMA), ran
    assert len(runs) > 60


def test_clean_batches_and_negligible_changes_raise_nothing(runs):
    alarms = [r for r in runs if r["fault"] in QUIET and (r["validate"] or r["monitor"])]
    assert alarms == []


def test_schema_faults_are_caught(runs):
    missed = [r for r in runs if r["fault"] in SCHEMA and not (r["validate"] or r["monitor"])]
    assert missed == []
    # validate alone catches all but /1000 (values near 0 stay in range; drift or the mean band see it)
    row_faults = [r for r in runs if r["fault"] in SCHEMA and r["fault"] != "unit_div1000"]
    assert all(r["validate"] for r in row_faults), [r for r in row_faults if not r["validate"]]


def test_a_negligible_shift_down_of_a_discrete_column_raises_nothing(tmp_path):
    """digits, split 1011, 1,000 rows: a 0.02-std shift down moved the pixel values sitting on quantile edges
    into the bins below, whose midpoints read them as moved half a bin: a Wasserstein alarm (0.23 against a
    floor of 0.18 on such a column). Each bin's mass now sits at its values' mean (``drift.Histogram.sums``)."""
    frame, label = bench.TABLES["digits"]()
    runs = bench.one_split("digits", frame, label, 1011, [1000], tmp_path, ("clean", "mean_shift_-0.02"))
    assert [r["fault"] for r in runs] == ["clean", "mean_shift_-0.02"]
    assert [r for r in runs if r["validate"] or r["monitor"]] == []


def _cars_runs(folder: Path, seed: int) -> list[dict]:
    frame, label = bench.TABLES["cars"]()  # tests/data/cars.csv: Cylinders 3, 4, 5, 6, 8 and Year 1970-1982 but 1981
    return bench.one_split("cars", frame, label, seed, [30, 100], folder, ("clean", "unseen_code_inside"))


@pytest.mark.parametrize("seed", [1000, 1001, 1008, 1017])
def test_an_unseen_integer_code_inside_the_gaps_is_caught(tmp_path, seed):
    """An integer column of few codes, a code never seen unlikely, becomes a set of values: a code absent from
    training inside the observed ones (7 cylinders, the year 1981) fails validate; the clean batch passes.
    In splits 1008 and 1017 training holds 5 cylinders once: the set carries Good-Turing's unseen_rate (the
    old rule, every code seen twice, made Cylinders a range there and missed 7 at 100 or 30 rows)."""
    runs = _cars_runs(tmp_path, seed)
    assert {(r["fault"], r["batch"]) for r in runs} == {(f, b) for f in ("clean", "unseen_code_inside")
                                                          for b in (30, 100)}
    assert [r for r in runs if r["fault"] == "clean" and (r["validate"] or r["monitor"])] == []
    assert all(r["validate"] for r in runs if r["fault"] == "unseen_code_inside"), runs


def test_without_integer_codes_the_gap_is_missed(tmp_path, monkeypatch):
    """The catch above is the integer-code inference's: inferred as a numeric range, the gap passes."""
    from specgen.infer import policy

    monkeypatch.setattr(policy, "integer_codes", lambda sample, threshold: None)
    runs = _cars_runs(tmp_path, 1000)
    inside = [r for r in runs if r["fault"] == "unseen_code_inside"]
    assert inside and not any(r["validate"] for r in inside), inside
