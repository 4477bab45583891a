"""`specgen monitor` on batches that carry per-request timings, and the alert rules that watch them.

The penguins example with latency and QPS targets in ``performance`` and a
request-time column in ``monitoring.serving``: the compiled rules pass
``promtool check`` and their own ``promtool test``; a batch of slow requests
raises the p99 alarm (exit 1) and exports the quantile gauges the rules read;
a fast batch raises none; a batch without the columns exports no timing gauge.
"""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.helpers import run, run_cli

PERF = "performance:                      # deployment tests"
TARGETS = "performance:\n  latency_ms: {p50: 20, p99: 50}\n  throughput: {min_qps: 10}\n"
SERVING = "  serving: {timestamp_column: requested_at}\n  bins: 5\n"


@pytest.fixture(scope="module")
def example(compiled_examples, tmp_path_factory) -> Path:
    from tests.helpers import copy_example

    target = copy_example(compiled_examples, "penguins", tmp_path_factory.mktemp("timings"))
    spec = target / "spec.yaml"
    text = spec.read_text()
    assert PERF in text and "  bins: 5\n" in text
    spec.write_text(text.replace(PERF, TARGETS.rstrip("\n") + "  # deployment tests", 1)
                    .replace("  bins: 5\n", SERVING, 1))
    run_cli("compile", spec, expect=0)
    return target


def _batch(example: Path, name: str, latency_ms: float, seconds_apart: float | None) -> Path:
    frame = pl.read_csv(example / "data" / "serving.csv", null_values="NA")
    n = frame.height
    latency = [latency_ms * (1 + (i % 10) / 10) for i in range(n)]
    if seconds_apart is not None:
        frame = frame.with_columns(pl.Series("latency_ms", latency),
                                   pl.Series("requested_at", [1_700_000_000 + i * seconds_apart for i in range(n)]))
    path = example / "data" / name
    frame.write_csv(path)
    return path


def _monitor(example: Path, batch: Path) -> tuple[int, dict, str]:
    metrics = batch.with_suffix(".prom")
    result = run_cli("monitor", example / "spec.yaml", "--current", batch, "--metrics-out", metrics,
                     "--format", "json", in_process=True)
    return result.returncode, json.loads(result.stdout), metrics.read_text()


def test_rules_pass_promtool(example, promtool):
    generated = example / "generated" / "penguins"
    rules = (generated / "penguins_alerts.yml").read_text()
    assert "PenguinsServingLatencyP99High" in rules and "PenguinsServingQpsBelowTarget" in rules
    assert 'specgen_penguins_serving_latency_ms{quantile=\\"0.99\\"} > 50' in rules  # YAML-escaped
    for args in (("check", "rules", "penguins_alerts.yml"), ("test", "rules", "penguins_alerts_test.yml")):
        done = run(promtool, *args, cwd=generated)
        assert done.returncode == 0, done.output


def test_slow_requests_raise_the_p99_alarm(example):
    code, report, metrics = _monitor(example, _batch(example, "slow.csv", 80.0, 0.05))
    assert code == 1, report
    assert any(a.startswith("serving latency: p99") and "> target 50 ms" in a for a in report["alarms"]), report
    assert 'specgen_penguins_serving_latency_ms{quantile="0.99"} 15' in metrics  # 80 ms * 1.9, the slowest tenth
    assert "specgen_penguins_serving_qps 20" in metrics


def test_fast_requests_raise_no_timing_alarm(example):
    code, report, metrics = _monitor(example, _batch(example, "fast.csv", 5.0, 0.02))
    assert not any(a.startswith("serving") for a in report["alarms"]), report
    assert report["serving"]["latency_ms"]["p50"] < 20 and report["serving"]["qps"] > 10
    assert 'specgen_penguins_serving_latency_ms{quantile="0.5"}' in metrics


def test_slow_traffic_raises_the_qps_alarm(example):
    code, report, _ = _monitor(example, _batch(example, "sparse.csv", 5.0, 1.0))
    assert code == 1 and any(a.startswith("serving throughput") for a in report["alarms"]), report


def test_batch_without_timings_exports_no_timing_gauge(example):
    code, report, metrics = _monitor(example, _batch(example, "plain.csv", 0, None))
    assert report["serving"] is None and "serving_latency_ms" not in metrics, report
