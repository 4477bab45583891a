"""``specgen monitor`` against damaged configs and hostile batches (issue 16: W1, C5, C1/C10, W7, C12).

Before: an edited threshold (``1e9``, ``.nan``) in ``<name>_monitoring.yaml`` silenced every alarm
(exit 0); a damaged config crashed; text in a numeric column crashed bin counting.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from specgen.errors import DataError
from tests.helpers import run_cli, run_pytest

CONFIG = Path("generated") / "penguins" / "penguins_monitoring.yaml"


def _monitor(penguins: Path, current: Path | None = None, *extra) -> object:
    current = current or penguins / "data" / "serving.csv"
    return run_cli("monitor", penguins / "spec.yaml", "--current", current, *extra, in_process=True)


def _edit(penguins: Path, old: str, new: str, *, rehash: bool) -> None:
    """Replace ``old`` in the config body; ``rehash``: fix the header's hash too (a forged file)."""
    path = penguins / CONFIG
    head1, head2, body = path.read_text(encoding="utf-8").split("\n", 2)
    assert old in body, old
    body = body.replace(old, new, 1)
    if rehash:
        old_hash = head2.split("body-sha256=")[1].split()[0]
        head2 = head2.replace(old_hash, hashlib.sha256(body.encode("utf-8")).hexdigest())
    path.write_text("\n".join([head1, head2, body]), encoding="utf-8")


def _drifted(penguins: Path) -> Path:
    """A batch that alarms: every bill length doubled."""
    frame = pl.read_csv(penguins / "data" / "serving.csv")
    path = penguins / "drifted.csv"
    frame.with_columns(pl.col("bill_length_mm") * 2).write_csv(path)
    return path


# -- W1: a hand-edited config is refused --------------------------------------------------------------

@pytest.mark.parametrize("new", ["threshold: 1e9", "threshold: .nan"])
def test_edited_threshold_is_refused(penguins, new):
    assert _monitor(penguins, _drifted(penguins)).returncode == 1  # it alarms as compiled
    _edit(penguins, "threshold: 0.3", new, rehash=False)
    proc = _monitor(penguins, _drifted(penguins))
    assert proc.returncode == 2, proc.output
    assert "edited by hand" in proc.stderr and "[SG309]" in proc.stderr and "recompile" in proc.stderr


@pytest.mark.parametrize("old, new, words", [
    ("threshold: 0.3", "threshold: 1e999", "not a finite positive number"),
    ("threshold: 0.3", "threshold: .nan", "not a finite positive number"),
    ("threshold: 0.3", "threshold: 0", "not a finite positive number"),
    ("threshold: 0.3", "threshold: -1", "not a finite positive number"),
    ('metric: "psi"', 'metric: "psii"', "unknown measure 'psii'"),
    ('"counts": [0, 50, 52, 51, 50, 52, 0]', '"counts": [0, 50, 52, 51, 50, 52]', "6 counts for 6 edges"),
    ('"counts": [0, 50, 52, 51, 50, 52, 0]', '"counts": [0, -50, 52, 51, 50, 52, 0]', "non-negative integers"),
    ('"counts": [0, 50, 52, 51, 50, 52, 0]', '"counts": [0, 50.5, 52, 51, 50, 52, 0]', "non-negative integers"),
    ('"counts": {"Biscoe": 130,', '"counts": {"Biscoe": "many",', "non-negative integer"),
    ('"tie_edges": [2007.0000000000002,', '"tie_edges": [2006.5,', "tie_edges: not a list of inner edges"),
    ('"sums": [1820.1, 2084.3,', '"sums": [2084.3,', "sums: not a list of 5 finite numbers"),
    ('"sums": [1820.1,', '"sums": [.nan,', "sums: not a list of 5 finite numbers"),
    ('"spreads": [1.3543249,', '"spreads": [-1.3543249,', "spreads: not a list of 5 finite non-negative"),
    ('"spreads": [1.3543249,', '"spreads": ["wide",', "spreads: not a list of 5 finite non-negative"),
])
def test_unsound_config_is_refused_even_with_a_matching_hash(penguins, old, new, words):
    _edit(penguins, old, new, rehash=True)
    proc = _monitor(penguins)
    assert proc.returncode == 2, proc.output
    assert "damaged monitoring config" in proc.stderr and words in proc.stderr and "[SG305]" in proc.stderr


# -- C5: a damaged config is one clear error ----------------------------------------------------------

def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _latin1(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"Biscoe", b"Bisc\xf6e"))


@pytest.mark.parametrize("damage, code", [
    (_truncate, "SG309"),
    (_latin1, "SG305"),
    (lambda p: p.write_text("", encoding="utf-8"), "SG305"),
    (lambda p: p.write_text("format: [\n", encoding="utf-8"), "SG305"),
])
def test_damaged_config_is_one_clear_error(penguins, damage, code):
    damage(penguins / CONFIG)
    proc = _monitor(penguins)
    assert proc.returncode == 2, proc.output
    assert f"[{code}]" in proc.stderr and "penguins_monitoring.yaml" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.output


@pytest.mark.parametrize("old, new", [
    ("stale_after_seconds: 86400\n", ""),  # a missing key
    ("stale_after_seconds: 86400", "stale_after_seconds: soon"),  # a wrong type
    ('bins: 5', 'bins: [5]'),
    ('drift: {metric: "psi", threshold: 0.3}', 'drift: 0.3'),
    ("rows: 256", "rows: -256"),
    ('"std": 5.5372822,', '"std": 5.5372822, "edges": "x",'),  # a duplicate key: the last one wins
])
def test_damaged_config_with_a_matching_hash_is_one_clear_error(penguins, old, new):
    _edit(penguins, old, new, rehash=True)
    proc = _monitor(penguins)
    assert proc.returncode == 2, proc.output
    assert "damaged monitoring config" in proc.stderr and "[SG305]" in proc.stderr
    assert "internal error" not in proc.stderr



# -- C1/C10: a column of the wrong type is a schema alarm, not a crash ---------------------------------

def _with_text(penguins: Path, name: str = "text.csv") -> Path:
    """The serving batch with text in two rows of the numeric ``bill_length_mm`` (read as String)."""
    frame = pl.read_csv(penguins / "data" / "serving.csv")
    values = frame["bill_length_mm"].cast(pl.String).to_list()
    values[2], values[5] = "abc", "n.a."
    path = penguins / name
    frame.with_columns(pl.Series("bill_length_mm", values)).write_csv(path)
    return path


def _report(penguins: Path, current: Path, *extra) -> tuple[object, dict]:
    metrics = penguins / "metrics.prom"
    proc = _monitor(penguins, current, "--format", "json", "--metrics-out", metrics, *extra)
    assert proc.returncode == 1, proc.output
    assert metrics.is_file() and "specgen_penguins_" in metrics.read_text(encoding="utf-8")
    return proc, json.loads(proc.stdout)


def _by_feature(results: list[dict]) -> dict:
    return {r["feature"]: r for r in results}


def _not_comparable(result: dict, words: str) -> None:
    assert result["value"] is None and result["alarm"], result
    assert result["note"].startswith("not comparable") and words in result["note"], result


def test_text_in_a_numeric_column_is_a_dtype_alarm_not_a_crash(penguins):
    proc, report = _report(penguins, _with_text(penguins))
    assert any("bill_length_mm: dtype failed" in a for a in report["alarms"]), report["alarms"]
    drift = _by_feature(report["drift"])
    _not_comparable(drift["bill_length_mm"], "String")
    why = "psi: not comparable (the column holds String, not numeric values)"
    assert f"drift: bill_length_mm ({why})" in report["alarms"]
    assert drift["bill_depth_mm"]["value"] is not None and not drift["bill_depth_mm"]["alarm"]
    # the model cannot take text where it expects numbers: not run, said why, not an SG306 exit 2
    notes = {r["note"] for r in report["prediction_drift"]}
    assert notes == {"absent: the model was not run: the batch fails the schema's type checks on bill_length_mm"}


def test_text_in_a_serving_feature_log_is_not_comparable(penguins):
    log = _with_text(penguins, "log.csv")
    proc, report = _report(penguins, penguins / "data" / "serving.csv", "--serving-features", log)
    skew = _by_feature(report["skew"])
    _not_comparable(skew["bill_length_mm"], "String")
    assert skew["bill_depth_mm"]["value"] is not None


@pytest.mark.parametrize("column, value", [
    ("bill_depth_mm", pl.Series("bill_depth_mm", [[1.0, 2.0]] * 88)),  # a numeric feature as a list
    ("island", pl.Series("island", [{"name": "Biscoe"}] * 88)),  # a categorical feature as a struct
])
def test_a_parquet_list_or_struct_column_is_not_comparable(penguins, column, value):
    frame = pl.read_csv(penguins / "data" / "serving.csv")
    assert frame.height == 88
    path = penguins / "nested.parquet"
    frame.with_columns(value).write_parquet(path)
    proc, report = _report(penguins, path)
    assert any(f"{column}: dtype failed" in a for a in report["alarms"]), report["alarms"]
    _not_comparable(_by_feature(report["drift"])[column], "")


# -- W7: an empty and a one-row batch ------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_empty_batch_is_a_data_error_as_in_validate(penguins, suffix):
    path = penguins / f"empty{suffix}"
    frame = pl.read_csv(penguins / "data" / "serving.csv").head(0)
    frame.write_csv(path) if suffix == ".csv" else frame.write_parquet(path)
    proc = _monitor(penguins, path)
    assert proc.returncode == 2 and "[SG203]" in proc.stderr, proc.output
    validate = run_cli("validate", penguins / "spec.yaml", path, "--env", "serving", in_process=True)
    assert validate.returncode == 2 and "[SG203]" in validate.stderr, validate.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_one_row_batch_raises_no_drift_alarm_storm(penguins, suffix):
    path = penguins / f"one{suffix}"
    frame = pl.read_csv(penguins / "data" / "serving.csv").head(1)
    frame.write_csv(path) if suffix == ".csv" else frame.write_parquet(path)
    proc = _monitor(penguins, path, "--format", "json", "--serving-features", path)
    assert proc.returncode == 1, proc.output  # the schema's rows check: 1 < 50
    report = json.loads(proc.stdout)
    assert report["alarms"] == ["schema: dataset: rows failed (expected 50 <= rows <= 1000000); observed 1 rows"]
    results = report["drift"] + report["skew"] + report["prediction_drift"]
    assert len(results) == 8 + 8 + 4  # 7 features and the label (monitored like a feature), 4 outputs
    for result in results:
        assert result["note"].startswith("too few rows to judge (1 row; needs at least"), result
        assert result["value"] is None and not result["alarm"]


def test_a_batch_with_as_many_rows_as_bins_is_judged(penguins):
    path = penguins / "five.csv"
    pl.read_csv(penguins / "data" / "serving.csv").head(5).write_csv(path)
    report = json.loads(_monitor(penguins, path, "--format", "json").stdout)
    numeric = [r for r in report["drift"] if r["kind"] == "numeric"]
    assert numeric and all(r["value"] is not None for r in numeric), numeric  # bins: 5


# -- C12: integers beyond int64 -----------------------------------------------------------------------

BIG_SPEC = ("spec_version: 1\nname: big\ndata: {training: t.csv, key: [id]}\n"
            "features:\n  id: {dtype: int, unique: true}\n  x: {dtype: float}\n")


def _big_ids(tmp_path: Path, first: int) -> Path:
    (tmp_path / "spec.yaml").write_text(BIG_SPEC, encoding="utf-8")
    rows = "".join(f"{first + i * 7919},{i / 3}\n" for i in range(60))
    (tmp_path / "t.csv").write_text("id,x\n" + rows, encoding="utf-8")
    return tmp_path / "spec.yaml"


def test_ids_beyond_int64_get_one_verdict_from_both_engines(tmp_path):
    """Was: validate ok (Int128) while every generated test errored (ArrowInvalid '_pli128')."""
    spec = _big_ids(tmp_path, 2 ** 63 + 5)
    run_cli("validate", spec, tmp_path / "t.csv", in_process=True, expect=0)
    run_cli("compile", spec, in_process=True, expect=0)
    result = run_pytest(tmp_path / "generated" / "big")
    assert result.returncode == 0 and not result.failed, result.output[-3000:]
    assert "_pli128" not in result.output


def test_ids_that_fit_no_64_bit_type_are_a_data_error_naming_the_column(tmp_path):
    spec = _big_ids(tmp_path, -(2 ** 63) - 5)
    proc = run_cli("validate", spec, tmp_path / "t.csv", in_process=True)
    assert proc.returncode == 2 and "[SG202]" in proc.stderr and "'id'" in proc.stderr, proc.output
    assert "beyond 64 bits" in proc.stderr
    from specgen.runtime.io import read_pandas  # what the generated suite reads with
    with pytest.raises(DataError, match=r"column 'id' holds integers beyond 64 bits"):
        read_pandas(tmp_path / "t.csv")


def test_an_empty_csv_column_counts_as_nulls_like_a_null_parquet_column(penguins):
    """A CSV column with no values reads as text: its drift is that of all nulls, not "not comparable"."""
    frame = pl.read_csv(penguins / "data" / "serving.csv")
    frame = frame.with_columns(pl.lit(None, pl.Float64).alias("bill_length_mm"))
    frame.write_csv(penguins / "nulls.csv")
    frame.write_parquet(penguins / "nulls.parquet")
    csv = _by_feature(_report(penguins, penguins / "nulls.csv")[1]["drift"])["bill_length_mm"]
    parquet = _by_feature(_report(penguins, penguins / "nulls.parquet")[1]["drift"])["bill_length_mm"]
    assert csv["null_ratio"] == parquet["null_ratio"] == 1.0 and csv["value"] == parquet["value"], (csv, parquet)


def test_text_in_a_reference_file_is_a_data_error(penguins):
    """Was: ``--reference`` with text in a numeric feature crashed (InvalidOperationError, 'internal error')."""
    proc = _monitor(penguins, None, "--reference", _with_text(penguins))
    assert proc.returncode == 2, proc.output
    assert "monitored feature 'bill_length_mm' holds String values, not numeric values" in proc.stderr
    assert "[SG202]" in proc.stderr and "text.csv" in proc.stderr
