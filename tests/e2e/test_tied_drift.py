"""Drift of a column that is mostly one value (zeros), through the CLI: infer, then ad hoc monitor.

Quantile edges collapse on a tied value, so before tie bins a column that is 83 % zeros and 12 % ones
(statsmodels' randhie ``physlm``, rebuilt here) had the single bin [0, 1]: a unit change or a 1-std
shift inside it read Wasserstein 0.0. Now the tie has a bin of its own and a ladder of finer bins
beside it (``drift.tie_edges``): those faults alarm, while a clean batch and a 0.02-std move stay
quiet, for Wasserstein and (on the bins with the ladder merged away) for PSI.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import run_cli

ROWS = 6000


def _table(rng, n: int) -> pd.DataFrame:
    tied = rng.choice([0.0, 1.0, np.nan], size=n, p=[0.83, 0.12, 0.05])
    tied[np.isnan(tied)] = rng.uniform(0.02, 0.2, int(np.isnan(tied).sum()))
    return pd.DataFrame({"tied": tied, "smooth": rng.normal(10.0, 2.0, n)})


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("tied")
    rng = np.random.default_rng(11)
    _table(rng, ROWS).to_csv(folder / "train.csv", index=False)
    spec = folder / "spec.yaml"
    run_cli("infer", folder / "train.csv", "-o", spec, in_process=True, expect=0)
    return spec, folder / "train.csv", _table(rng, 1000)


def _drift(setup, batch: pd.DataFrame, *extra) -> dict:
    spec, train, _ = setup
    current = spec.parent / "current.csv"
    batch.to_csv(current, index=False)
    out = run_cli("monitor", spec, "--reference", train, "--current", current, "--format", "json", *extra,
                  in_process=True)
    assert out.returncode in (0, 1), out.output
    return {r["feature"]: r for r in json.loads(out.output)["drift"]}


def _faulted(batch: pd.DataFrame, column: str, fault: str, top: float) -> pd.DataFrame:
    """``batch`` with ``fault`` on ``column``: clean, div1000 (a unit change), or shift_D (D std, kept in [0, top])."""
    batch = batch.copy()
    std = float(batch[column].std())
    if fault == "div1000":
        batch[column] = batch[column] / 1000
    elif fault.startswith("shift"):
        batch[column] = (batch[column] + float(fault.split("_")[1]) * std).clip(0.0, top)
    return batch


def test_the_reference_gives_the_tie_bins(setup):
    spec, train, _ = setup
    run_cli("baseline", spec, in_process=True, expect=0)
    (stored,) = spec.parent.glob("*_baseline.json")
    features = json.loads(stored.read_text())["features"]
    tied = features["tied"]
    assert tied["edges"][:2] == [0.0, float(np.nextafter(0.0, 1.0))] and tied["counts"][1] > 4000  # the zeros
    assert tied["edges"][-2:] == [float(np.nextafter(1.0, 0.0)), 1.0]  # the ones: the top bin is closed
    assert set(tied["tie_edges"]) < set(tied["edges"]) and len(tied["tie_edges"]) > 4  # and the ladder
    assert "tie_edges" not in features["smooth"]


@pytest.mark.parametrize("fault, alarm", [("clean", False), ("shift_0.02", False), ("div1000", True),
                                          ("shift_1", True)])
def test_faults_on_a_tied_column(setup, fault, alarm):
    result = _drift(setup, _faulted(setup[2], "tied", fault, 1.0))["tied"]
    assert result["alarm"] is alarm, result


def test_share_measures_do_not_call_a_small_move_off_the_tie_new_bins(setup):
    spec = setup[0]
    text = spec.read_text()
    default = "drift: {numeric: {metric: wasserstein_normalized, threshold: 0.1}"
    assert default in text
    spec.write_text(text.replace(default, "drift: {numeric: {metric: psi, threshold: 0.2}"))
    try:
        batch = setup[2].copy()
        batch["tied"] = (batch["tied"] + 0.02 * float(batch["tied"].std())).clip(0.0, 1.0)
        result = _drift(setup, batch)["tied"]
        assert result["metric"] == "psi" and result["value"] < 0.05 and not result["alarm"], result
    finally:
        spec.write_text(text)


def _pixels(rng, n: int) -> pd.DataFrame:
    """A column like digits' pixels: whole values 1..16 on 3 % of rows, zeros elsewhere."""
    pixel = np.where(rng.random(n) < 0.97, 0.0, rng.integers(1, 17, n).astype(float))
    return pd.DataFrame({"pixel": pixel, "smooth": rng.normal(10.0, 2.0, n)})


@pytest.fixture(scope="module")
def pixels(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("pixels")
    rng = np.random.default_rng(5)
    _pixels(rng, 1258).to_csv(folder / "train.csv", index=False)  # digits' 70 %
    spec = folder / "spec.yaml"
    run_cli("infer", folder / "train.csv", "-o", spec, in_process=True, expect=0)
    return spec, folder / "train.csv", _pixels(rng, 1000)


@pytest.mark.parametrize("fault, alarm", [("clean", False), ("shift_0.02", False), ("shift_-0.02", False),
                                          ("shift_0.04", False), ("div1000", True)])
def test_a_unit_change_collapsing_the_few_values_onto_the_zeros_is_seen(pixels, fault, alarm):
    """/1000 moves the 3 % of non-zero values to 0.001-0.016: Wasserstein 0.1-0.2, over the practical 0.1 but
    under its noise floor (~0.25 at 1,000 rows: a column whose few non-zero values come and go), so it was
    missed. Every one of them lands in the zeros' window (a step of 0.05 std each side), which the reference
    and a clean batch fill with 97 %: that share test (p ~ 1e-8) makes it an alarm. A shift under a step
    moves no value into or out of the window: quiet."""
    result = _drift(pixels, _faulted(pixels[2], "pixel", fault, 16.0))["pixel"]
    assert result["alarm"] is alarm, result
    if alarm:
        assert result["noise_floor"] is None and result["threshold"] == result["practical_threshold"] == 0.1
        assert result["value"] < 0.3 and result["p_value"] < 1e-5, result


def _counts(rng, n: int) -> pd.DataFrame:
    """A column of whole values 0..16 (digits' ``pixel_1_4``, randhie's visit counts): its quantile edges are
    values of the data, and a value on an edge starts the bin above it."""
    return pd.DataFrame({"count": rng.binomial(16, 0.35, n).astype(float), "smooth": rng.normal(10.0, 2.0, n)})


@pytest.fixture(scope="module")
def counts(tmp_path_factory) -> tuple[Path, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("counts")
    rng = np.random.default_rng(8)
    _counts(rng, 1258).to_csv(folder / "train.csv", index=False)
    spec = folder / "spec.yaml"
    run_cli("infer", folder / "train.csv", "-o", spec, in_process=True, expect=0)
    return spec, folder / "train.csv", _counts(rng, 1000)


@pytest.mark.parametrize("fault, alarm", [("clean", False), ("shift_-0.02", False), ("shift_-0.04", False),
                                          ("shift_0.02", False), ("shift_0.04", False), ("shift_0.5", True),
                                          ("shift_-0.5", True)])
def test_a_small_shift_down_of_whole_values_stays_quiet(counts, fault, alarm):
    """Moved down a hair, the values on each edge fall into the bin below. Each bin's mass sat at its
    midpoint, so they read as moved half a bin: Wasserstein ~0.2 for a 0.04-std shift, an alarm at 1,000
    rows. At the mean of each bin's values (``drift.Histogram.sums``) it reads as the shift it is."""
    result = _drift(counts, _faulted(counts[2], "count", fault, 16.0))["count"]
    assert result["alarm"] is alarm, result
    if not alarm:  # a clean batch reads ~0.08 (the batch is a sample); at midpoints a shift down read 0.30
        assert result["value"] < 0.13, result
