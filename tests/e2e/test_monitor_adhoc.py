"""``specgen monitor SPEC --reference DATA --current DATA`` with no compile step (ad hoc), and skew on the label.

Ad hoc must give the numbers of the compiled path (``specgen baseline`` + ``compile`` + ``monitor``) on
the same reference, through every output (JSON, text, ``--metrics-out``, ``--html``), and say which
config it used. The penguins example is used as committed: a classifier with a serving model (so
prediction drift runs the model in both paths), a label, integer and categorical features.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.helpers import ROOT, run_cli


def _monitor(spec: Path, *args, expect: int | None = None) -> tuple[int, str]:
    result = run_cli("monitor", spec, *args, in_process=True, expect=expect)
    return result.returncode, result.output


@pytest.fixture
def bare(penguins: Path) -> Path:
    """The penguins example as a user has it before any compile: spec, data, model code; no generated/
    folder and no baseline file."""
    shutil.rmtree(penguins / "generated")
    (penguins / "penguins_baseline.json").unlink()
    return penguins


@pytest.fixture(scope="module")
def compiled_run(compiled_examples, tmp_path_factory) -> dict:
    """The compiled path on a private copy: specgen baseline (of data/train.csv) + compile + monitor,
    JSON and metrics of the committed serving batch."""
    from tests.helpers import copy_example

    copy = copy_example(compiled_examples, "penguins", tmp_path_factory.mktemp("compiled"))
    run_cli("baseline", copy / "spec.yaml", in_process=True, expect=0)
    run_cli("compile", copy / "spec.yaml", in_process=True, expect=0)
    prom = copy / "batch.prom"
    _, out = _monitor(copy / "spec.yaml", "--current", copy / "data" / "serving.csv", "--format", "json",
                      "--metrics-out", prom)
    return {"json": json.loads(out), "prom": prom.read_text(), "root": copy}


def _numbers(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "config_used"}


def _series(prom: str) -> list[str]:
    """The exposition without its clock (the run's completion time)."""
    return [line for line in prom.splitlines() if "last_success_timestamp_seconds" not in line]


def test_adhoc_equals_the_compiled_path_number_for_number(bare, compiled_run, tmp_path):
    spec, serving = bare / "spec.yaml", bare / "data" / "serving.csv"
    prom, html = tmp_path / "adhoc.prom", tmp_path / "adhoc.html"
    code, out = _monitor(spec, "--reference", bare / "data" / "train.csv", "--current", serving, "--format", "json",
                         "--metrics-out", prom, "--html", html)
    report = json.loads(out)
    assert report["config_used"] == f"ad hoc: built from {spec} and --reference {bare / 'data' / 'train.csv'}"
    assert compiled_run["json"]["config_used"].startswith("compiled: ")
    assert _numbers(report) == _numbers(compiled_run["json"])
    assert code == (0 if report["ok"] else 1)
    # the run compared something real: every feature, the label absent from the batch, the model's outputs
    assert len(report["drift"]) == 8 and report["prediction_source"] == "model"
    assert sum(r["value"] is not None for r in report["drift"]) == 7 and len(report["prediction_drift"]) == 4
    assert _series(prom.read_text()) == _series(compiled_run["prom"])
    assert "ad hoc: built from" in html.read_text() and "bill_length_mm" in html.read_text()
    assert not (bare / "generated").exists() and not (bare / "penguins_baseline.json").exists()  # nothing written


def test_infer_then_monitor_with_no_compile_step_in_real_processes(tmp_path):
    """The issue's reproduction (it was SG305 "monitoring config not found"): infer on a reference, then
    monitor a batch against it; a random split is quiet (exit 0), the rows ordered by species alarm (exit 1)."""
    frame = pl.read_csv(ROOT / "tests" / "data" / "penguins.csv", null_values="NA")
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=0)
    for name, part in (("ref", shuffled[:240]), ("cur", shuffled[240:]), ("ordered", frame[240:])):
        part.write_csv(tmp_path / f"{name}.csv")
    run_cli("infer", tmp_path / "ref.csv", "-o", tmp_path / "spec.yaml", in_process=True, expect=0)
    quiet = run_cli("monitor", "spec.yaml", "--reference", "ref.csv", "--current", "cur.csv", cwd=tmp_path, expect=0)
    assert "monitoring config: ad hoc: built from spec.yaml and --reference ref.csv" in quiet.stdout
    drifted = run_cli("monitor", "spec.yaml", "--reference", "ref.csv", "--current", "ordered.csv", cwd=tmp_path,
                      expect=1)
    assert "ALARM drift: species" in drifted.stdout


def test_the_config_built_in_memory_is_the_one_compile_writes(compiled_examples, tmp_path):
    """Equal as loaded by monitor (``runtime.monitor.load_config``): thresholds, references, the serving
    checks with their parameters in stored form (datetime bounds too), dtypes, the model reference."""
    from specgen.monitor_adhoc import build
    from specgen.runtime.monitor import load_config

    penguins = compiled_examples / "penguins"
    built = build(penguins / "spec.yaml", None, tmp_path)
    assert built.config == load_config(penguins / "generated" / "penguins" / "penguins_monitoring.yaml")
    data = tmp_path / "daily.csv"  # dates and a zoned time stamp: tagged bounds, hour/weekday features
    data.write_text("day,stamp,x,k\n" + "".join(f"2024-01-{d:02d},2024-01-01T{d:02d}:00:00+02:00,{d * 1.5},"
                                                f"{'ab'[d % 2]}\n" for d in range(1, 25)))
    spec = tmp_path / "daily.yaml"
    run_cli("infer", data, "-o", spec, in_process=True, expect=0)
    run_cli("compile", spec, in_process=True, expect=0)
    built = build(spec, None, tmp_path)
    assert any(f.time_bins for f in built.config.features)
    assert built.config == load_config(tmp_path / "generated" / "daily" / "daily_monitoring.yaml")


def test_adhoc_text_output_names_the_config(bare):
    spec = bare / "spec.yaml"
    code, out = _monitor(spec, "--reference", bare / "data" / "train.csv", "--current", bare / "data" / "serving.csv")
    assert out.splitlines()[1] == f"  monitoring config: ad hoc: built from {spec} and --reference " \
                                  f"{bare / 'data' / 'train.csv'}"
    assert "drift vs baseline" in out and code in (0, 1)


def test_adhoc_drifted_batch_alarms(bare):
    drifted = bare / "data" / "heavier.csv"
    frame = pl.read_csv(bare / "data" / "serving.csv", null_values="NA")
    frame.with_columns((pl.col("body_mass_g") * 1.25).round(0).cast(pl.Int64)).write_csv(drifted)
    code, out = _monitor(bare / "spec.yaml", "--reference", bare / "data" / "train.csv", "--current", drifted,
                         "--format", "json")
    assert code == 1, out
    report = json.loads(out)
    assert "drift: body_mass_g" in " ".join(report["alarms"])
    assert [r["feature"] for r in report["drift"] if r["alarm"]] == ["body_mass_g"]
    # the reference is what is compared with, not data.training: the batch against itself is quiet
    _, out = _monitor(bare / "spec.yaml", "--reference", drifted, "--current", drifted, "--format", "json")
    quiet = {r["feature"]: r for r in json.loads(out)["drift"]}
    assert quiet["body_mass_g"]["value"] == 0 and not any(r["alarm"] for r in quiet.values()), out


def test_adhoc_with_the_committed_baseline_and_no_reference(penguins, compiled_run):
    """No compiled config, no --reference: the spec's own <name>_baseline.json (what infer and
    specgen baseline write) when it is current for the spec."""
    shutil.rmtree(penguins / "generated")
    spec = penguins / "spec.yaml"
    code, out = _monitor(spec, "--current", penguins / "data" / "serving.csv", "--format", "json")
    report = json.loads(out)
    assert report["config_used"] == f"ad hoc: built from {spec} and its baseline {penguins / 'penguins_baseline.json'}"
    assert _numbers(report) == _numbers(compiled_run["json"])


def test_no_config_no_reference_no_baseline_says_both_ways_out(bare):
    code, out = _monitor(bare / "spec.yaml", "--current", bare / "data" / "serving.csv")
    assert code == 2 and "[SG305]" in out and "Traceback" not in out
    assert "--reference DATA" in out and "specgen compile" in out and "specgen baseline" in out


def test_stale_committed_baseline_is_refused(penguins):
    shutil.rmtree(penguins / "generated")
    spec = penguins / "spec.yaml"
    spec.write_text(spec.read_text().replace("bins: 5", "bins: 6"))  # a monitored setting the baseline depends on
    code, out = _monitor(spec, "--current", penguins / "data" / "serving.csv")
    assert code == 2 and "out-of-date baseline" in out and "--reference DATA" in out


@pytest.mark.parametrize("make, named", [
    (lambda d: d / "nowhere.csv", ["nowhere.csv", "not found"]),
    (lambda d: _written(d / "no_bills.csv", pl.read_csv(d / "train.csv", null_values="NA").drop("bill_length_mm")),
     ["no_bills.csv", "bill_length_mm", "missing"]),
    (lambda d: _written(d / "text.csv", pl.read_csv(d / "train.csv", null_values="NA").with_columns(
        pl.lit("heavy").alias("body_mass_g"))), ["text.csv", "body_mass_g"]),
], ids=["missing file", "missing feature", "text in a number"])
def test_bad_reference_is_exit_2_naming_the_file(bare, make, named):
    reference = make(bare / "data")
    code, out = _monitor(bare / "spec.yaml", "--reference", reference, "--current", bare / "data" / "serving.csv")
    assert code == 2, out
    assert all(word in out for word in named) and "Traceback" not in out, out


def _written(path: Path, frame: pl.DataFrame) -> Path:
    frame.write_csv(path)
    return path


def test_reference_without_the_label_monitors_the_features(bare):
    """An Evidently-style reference (a serving log: no label): the features are compared, the label is
    not (it has no reference), and the output says so."""
    code, out = _monitor(bare / "spec.yaml", "--reference", bare / "data" / "serving.csv",
                         "--current", bare / "data" / "serving.csv", "--format", "json")
    report = json.loads(out)
    assert report["config_used"].endswith("(the label 'species' is not in it: not monitored)")
    assert sorted(r["feature"] for r in report["drift"]) == ["bill_depth_mm", "bill_length_mm", "body_mass_g",
                                                             "flipper_length_mm", "island", "sex", "year"]
    assert not any(r["alarm"] for r in report["drift"])  # the batch against itself


# -- skew and the label: a serving-features log is written before labels exist -------------------

def _labelled_batch(penguins: Path, name: str, relabel: int = 0) -> Path:
    """The serving batch with its labels (species from the raw data; penguin_id is the raw row number);
    ``relabel``: that many Adelie rows labelled Gentoo instead."""
    raw = pl.read_csv(penguins / "data" / "penguins_raw.csv", null_values="NA")
    labels = raw.with_row_index("penguin_id", offset=1).select(pl.col("penguin_id").cast(pl.Int64), "species")
    frame = pl.read_csv(penguins / "data" / "serving.csv", null_values="NA").join(labels, on="penguin_id", how="left")
    assert frame["species"].null_count() == 0
    moved = frame.filter(pl.col("species") == "Adelie")["penguin_id"].head(relabel)
    frame = frame.with_columns(pl.when(pl.col("penguin_id").is_in(moved.implode())).then(pl.lit("Gentoo"))
                               .otherwise(pl.col("species")).alias("species"))
    path = penguins / "data" / name
    frame.write_csv(path)
    return path


def _skew_of(report: dict) -> dict:
    return {r["feature"]: r for r in report["skew"]}


def test_skew_without_the_label_in_the_serving_log_neither_alarms_nor_claims_it(penguins, tmp_path):
    batch, log = _labelled_batch(penguins, "labelled.csv"), penguins / "data" / "serving.csv"
    prom = tmp_path / "m.prom"
    code, out = _monitor(penguins / "spec.yaml", "--current", batch, "--serving-features", log, "--format", "json",
                         "--metrics-out", prom)
    skew = _skew_of(json.loads(out))
    assert code == 0, out
    label = skew["species"]
    assert label["value"] is None and not label["alarm"] and label["measures"] == {}
    assert label["note"] == "absent from the serving log: the label is compared only when both sides carry it"
    assert all(r["value"] == 0 for name, r in skew.items() if name != "species")  # the features: same rows
    skew_series = [line for line in prom.read_text().splitlines() if line.startswith("specgen_penguins_feature_skew_")]
    assert any('{feature="bill_length_mm"}' in line for line in skew_series)
    assert not any('{feature="species"}' in line for line in skew_series)  # no value claimed for the label
    _, text = _monitor(penguins / "spec.yaml", "--current", batch, "--serving-features", log)
    row = next(line for line in text.splitlines() if line.strip().startswith("species") and "serving log" in line)
    assert "not compared" in row and " ok " not in row


def test_skew_compares_the_label_when_the_serving_log_carries_it(penguins):
    batch = _labelled_batch(penguins, "labelled.csv")
    same = _labelled_batch(penguins, "log_same.csv")
    code, out = _monitor(penguins / "spec.yaml", "--current", batch, "--serving-features", same, "--format", "json")
    assert code == 0 and _skew_of(json.loads(out))["species"]["value"] == 0, out
    relabelled = _labelled_batch(penguins, "log_relabelled.csv", relabel=10)  # ~11 % of rows: linf ~0.11 > 0.05
    code, out = _monitor(penguins / "spec.yaml", "--current", batch, "--serving-features", relabelled,
                         "--format", "json")
    report = json.loads(out)
    assert code == 1, out
    assert [name for name, r in _skew_of(report).items() if r["alarm"]] == ["species"]
    assert _skew_of(report)["species"]["value"] == pytest.approx(10 / 88, abs=1e-9)
