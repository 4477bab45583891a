"""Cost (issue 16, R1-R4): huge specs are refused quickly and honestly; the per-feature steps are
linear (pinned by counting the operations that were quadratic, not by timing; the timings are in
benchmarks/bench_wide.py); failure examples are truncated."""
from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl
import pytest

from specgen.compiler import load as load_module
from specgen.compiler import plan as plan_module
from specgen.compiler.load import MAX_BYTES, MAX_NODES, loads
from specgen.compiler.validate import validate
from specgen.errors import SpecError
from specgen.runtime import baseline as runtime_baseline
from specgen.runtime import summary


def flat_spec(n: int, extra: str = "") -> bytes:
    lines = ["spec_version: 1", "name: wide", "data: {training: train.parquet, label: y}", "features:"]
    lines += [f"  f{i}: {{dtype: float, range: [0, 100]}}" for i in range(n)]
    return ("\n".join(lines) + "\n" + extra).encode()


def refused(data: bytes) -> tuple[SpecError, float]:
    start = time.perf_counter()
    with pytest.raises(SpecError) as info:
        loads(data, "spec.yaml")
    return info.value, time.perf_counter() - start


def test_flat_50000_feature_spec_refused_quickly_and_honestly():
    # R1: was "alias bomb?" after 44 s (two pure-Python passes over every event)
    error, elapsed = refused(flat_spec(50_000))
    text = str(error)
    assert [d.code for d in error.diagnostics] == ["SG004"]
    assert "alias" not in text
    assert f"more than {MAX_NODES:,} YAML nodes" in text and "lines" in text, text
    assert elapsed < 5, elapsed


@pytest.mark.parametrize("count", [300_000, 1_000_000])
def test_huge_category_list_refused_quickly(count):
    # R1: a 1M-value list took 164 s and 893 MB; it is now over the byte limit, 300k over the node limit
    values = ", ".join(f"v{i}" for i in range(count))
    data = b"spec_version: 1\nname: c\ndata: {training: t.csv}\nfeatures:\n  c: {dtype: category, values: [" \
        + values.encode() + b"]}\n"
    error, elapsed = refused(data)
    assert [d.code for d in error.diagnostics] == ["SG004"]
    expected = "more than the limit of 8.0 MiB" if len(data) > MAX_BYTES else f"more than {MAX_NODES:,} YAML nodes"
    assert expected in str(error), str(error)
    assert elapsed < 5, elapsed


def test_oversized_file_refused_before_parsing_says_both_sizes():
    data = b"a: " + b"x" * MAX_BYTES + b"\n"
    error, elapsed = refused(data)
    message = str(error)
    assert [d.code for d in error.diagnostics] == ["SG004"]
    assert "8.0 MiB" in message and "more than the limit of 8.0 MiB" in message, message
    assert elapsed < 1, elapsed


def test_node_limit_and_alias_guard_both_hold(monkeypatch):
    # a small limit: a flat spec above it is refused by the count as written, and an alias bomb
    # whose written form is under it is still refused by the expansion count
    monkeypatch.setattr(load_module, "MAX_NODES", 50)
    with pytest.raises(SpecError, match="more than 50 YAML nodes"):
        loads(flat_spec(10), "spec.yaml")
    bomb = b"a: &a [x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"
    with pytest.raises(SpecError, match="alias bomb"):
        loads(bomb, "spec.yaml")


def test_a_spec_at_the_limits_still_loads():
    raw = loads(flat_spec(2_000), "spec.yaml")
    assert len(raw.data["features"]) == 2_000


def test_schema_classes_do_not_compare_column_plans(monkeypatch):
    # R2: `c not in serving` compared frozen dataclasses field by field: n^2/2 __eq__ calls
    raw = loads(flat_spec(300), "spec.yaml")
    the_plan = plan_module.plan(validate(raw), raw, Path("out"))
    calls = []
    original = plan_module.ColumnPlan.__eq__
    monkeypatch.setattr(plan_module.ColumnPlan, "__eq__", lambda a, b: calls.append(1) or original(a, b))
    serving, training = the_plan.schema_classes
    assert len(serving.columns) == 300 and [c.name for c in training.columns] == ["y"]
    assert len(calls) < 300, len(calls)


def test_baseline_summarises_each_feature_on_its_own_column(monkeypatch):
    # R2: each feature's select ran on the whole frame (cost in its width): O(n^2) over a wide table
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({f"f{i}": rng.normal(size=50) for i in range(40)} | {"c": ["a", "b"] * 25})
    widths = []
    original = runtime_baseline.summarize_frame
    monkeypatch.setattr(runtime_baseline, "summarize_frame",
                        lambda frame, features: widths.append(frame.width) or original(frame, features))
    features = [SimpleNamespace(name=f"f{i}", kind="numeric", bins=5) for i in range(40)]
    features.append(SimpleNamespace(name="c", kind="categorical", bins=None))
    rows, entries = runtime_baseline.compute_frame(frame, features, "t")
    assert rows == 50 and len(entries) == 41
    assert set(widths) == {1}, widths


def test_summarize_frame_reads_the_schema_once(monkeypatch):
    # R2: DataFrame.schema builds a new mapping of every column on each call
    frame = pl.DataFrame({f"f{i}": [1.0, 2.0, None] for i in range(30)})
    calls = []
    original = pl.DataFrame.schema
    monkeypatch.setattr(pl.DataFrame, "schema", property(lambda self: calls.append(1) or original.fget(self)))
    out = summary.summarize_frame(frame, [summary.FeatureSpec(f"f{i}", "numeric", (0.5, 1.5, 2.5)) for i in range(30)])
    assert len(out) == 30 and out["f0"].nulls == 1
    assert len(calls) <= 2, len(calls)


def test_failure_examples_are_truncated_in_messages_and_json(tmp_path):
    # R4: five 5 MB cells printed whole (25 MB of output); now each example value is cut to
    # MAX_EXAMPLE_CHARS with a marker saying how long it was
    import json

    from specgen.api import validate_data
    from specgen.runtime.checks.base import MAX_EXAMPLE_CHARS

    big = 1_000_000
    pl.DataFrame({"s": ["ok", "x" * big, "y" * big, "ok", "z" * big]}).write_parquet(tmp_path / "t.parquet")
    (tmp_path / "spec.yaml").write_text("spec_version: 1\nname: t\ndata: {training: t.parquet}\n"
                                        "features:\n  s: {dtype: string, length: [1, 20]}\n")
    result = validate_data(tmp_path / "spec.yaml", tmp_path / "t.parquet")
    [failure] = result.failures
    assert failure.failing_rows == 3
    message = failure.message()
    assert len(message) < 2_000, len(message)
    assert message.count(f"... ({big:,} characters)") == 3, message
    assert "'" + "x" * MAX_EXAMPLE_CHARS + "'" in message  # the start of the value, quoted as before
    text = json.dumps(result.as_dict())
    assert len(text) < 2_000, len(text)
    values = [e["value"] for e in failure.as_dict()["examples"]]
    assert [e["row"] for e in failure.as_dict()["examples"]] == [1, 2, 4]
    assert values[0] == "x" * MAX_EXAMPLE_CHARS + f"... ({big:,} characters)"


def test_short_example_values_are_shown_whole():
    from specgen.runtime.checks.base import Check, Failure

    failure = Failure(Check("range", "a", {"min": 0, "max": 1}), 2, ((0, 5), (3, "text")))
    assert failure.message().endswith("e.g. row 0: 5, row 3: 'text'")
    assert failure.as_dict()["examples"] == [{"row": 0, "value": 5}, {"row": 3, "value": "text"}]


def _polars_inference(names: list[str], infer_rows: int | None) -> pl.Schema:
    """What infer used before R3: polars' inference with dates on every column."""
    return pl.scan_csv(names, infer_schema_length=infer_rows, try_parse_dates=True).collect_schema()


def _dated_table(path: Path, rows: int = 3_000) -> None:
    late = ["2021-03-04"] * (rows - 1) + ["n/a"]  # one non-date after the first DATE_SAMPLE rows
    pl.DataFrame({
        "day": [f"2020-01-{1 + i % 28:02d}" for i in range(rows)],
        "stamp": [f"2020-01-01T10:{i % 60:02d}:00" for i in range(rows)],
        "clock": [f"12:{i % 60:02d}:00" for i in range(rows)],
        "slashed": [None if i % 7 == 0 else f"{1 + i % 28}/02/2020" for i in range(rows)],
        "late_text": late,
        "qty": [f"{i} apples" for i in range(rows)],
        "name": [f"item {i}" for i in range(rows)],
        "x": [i * 0.5 for i in range(rows)],
        "blank": [None] * rows,
    }).write_csv(path)


@pytest.mark.parametrize("infer_rows", [100_000, 500, None])
def test_csv_schema_same_as_inferring_dates_everywhere(tmp_path, infer_rows):
    # R3: dates are parsed only where a column may hold them, with the same detection as before
    from specgen.infer.read import _csv_schema

    from tests.helpers import ROOT

    _dated_table(tmp_path / "a.csv")
    _dated_table(tmp_path / "b.csv", rows=50)
    (tmp_path / "e.csv").write_text('a,b,c\n2020-01-01,1, 2020-01-02\n"",2,\n2020-01-03,3,2020-01-04\n,4,\n')
    cases = [[str(tmp_path / "a.csv")], [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")], [str(tmp_path / "e.csv")]]
    cases += [[str(p)] for p in sorted((ROOT / "tests" / "data").glob("*.csv"))]
    assert len(cases) >= 7
    for names in cases:
        assert _csv_schema(names, infer_rows) == _polars_inference(names, infer_rows), names
    schema = _csv_schema(cases[0], infer_rows)
    assert schema["day"] == pl.Date and schema["clock"] == pl.Time and schema["slashed"] == pl.Date
    assert schema["late_text"] == (pl.String if infer_rows is None or infer_rows > 3_000 else pl.Date)


def test_dates_not_tried_on_text_columns(tmp_path, monkeypatch):
    # R3: polars' try_parse_dates on every text field made CSV inference ~12x slower
    from specgen.infer import read

    _dated_table(tmp_path / "a.csv")
    seen = []
    original = pl.scan_csv

    def scan_csv(source, **options):
        if options.get("try_parse_dates") and "schema" not in options:  # an inference with dates
            seen.extend(v for column in original(source, infer_schema=False).collect() for v in column)
            if hasattr(source, "seek"):
                source.seek(0)
        return original(source, **options)

    monkeypatch.setattr(pl, "scan_csv", scan_csv)
    schema = read._lazy([tmp_path / "a.csv"], 100_000).collect_schema()
    assert schema["stamp"] == pl.Datetime("us") and schema["name"] == pl.String
    assert schema["day"] == pl.Date and schema["clock"] == pl.Time and schema["qty"] == pl.String
    # runtime.csv_schema: dates are tried on one value per shape of the columns that may hold them (R3, and
    # one value per row of those cost ~13 us each: 7 s on 100,000 rows of one datetime column)
    assert seen and not {v for v in seen if v is not None and v.startswith("item") or v in ("0.5", "1.0")}, seen
    assert {"2020-01-01", "2020-01-01T10:00:00", "12:00:00", "2021-03-04"} <= set(seen)
    assert len(seen) < 20, seen  # of 3,000 rows x 7 columns
