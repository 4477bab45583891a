"""The performance section: spec errors, per-mode defaults in the plan, and the runtime pieces the
generated deployment tests use (calibration units, the serving-environment closure, pipeline
stage checks, timeouts on a hanging predict). The suites themselves run in tests/e2e/test_perf_e2e.py."""
from __future__ import annotations

import ast
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from specgen.api import build_plan, load_spec
from specgen.compiler.render import render
from specgen.errors import SpecError
from specgen.runtime import perf, perf_baseline, pipeline_checks, serving_env
from specgen.runtime.adapter import Model
from specgen.runtime.contracts.model import Entrypoints, ModelSetup, SmokeColumn, Split
from specgen.runtime.contracts.perf import LatencyGate, MemoryGate, PerfSetup, PipelineGate, TrainingGate

BASE = """\
spec_version: 1
name: toy
training: {mode: %s}
inference: {mode: %s}
data: {training: train.csv, label: y, key: [id]}
features:
  x: {dtype: float, range: [0, 1]}
columns:
  y: {dtype: float}
model:
  task: regression
  train: toy_model:train
  metrics: {rmse: {max: 1}}
"""


def _spec(tmp_path, body: str, training="static", inference="batch") -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(BASE % (training, inference) + body)
    return path


def _errors(path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return [str(d) for d in info.value.diagnostics]


@pytest.mark.parametrize("body, expected", [
    ("performance: {latncy_ms: {p99: 5}}\n", "unknown key 'latncy_ms'; did you mean 'latency_ms'? [SG101]"),
    ("performance: {memory: {max_mbs: 5}}\n", "did you mean 'max_mb'?"),
    ("performance: {latency_ms: {p50: 50, p99: 10}}\n", "latency_ms.p50 50 is above p99 10 [SG103]"),
    ("performance: {latency_ms: {p99: -1}}\n", "greater than 0"),
    ("performance: {max_regression: 0.5}\n", "greater than or equal to 1"),
    ("performance: {compatibility: {serving_packages: ['os; rm']}}\n", "String should match pattern"),
    ("performance: {pipeline: {entrypoint: 'a:b', stages: {f: {expect: transform_outputs}}}}\n",
     "transform_outputs needs a transforms section"),
    ("performance: {pipeline: {entrypoint: 'a:b', stages: {f: {expect: schema}}}}\n", "'training_schema'"),
])
def test_performance_mistakes_are_reported(tmp_path, body, expected):
    errors = _errors(_spec(tmp_path, body))
    assert any(expected in e for e in errors), errors


def test_performance_needs_a_model(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text((BASE % ("static", "batch")).split("model:")[0] + "performance: {}\n")
    assert any("performance tests measure a model: add a model section" in e for e in _errors(path))


def test_online_defaults_gate_latency_and_qps(tmp_path):
    setup = build_plan(_spec(tmp_path, "performance: {}\n", "dynamic", "online")).perf.setup
    assert setup.latency == LatencyGate(p50=50.0, p95=100.0, p99=200.0, calls=200)
    assert setup.throughput.min_qps == 20.0 and setup.batch is None
    assert setup.training.min_rows_per_second == 100.0  # dynamic training: retrained on a schedule


def test_batch_defaults_gate_rows_per_second(tmp_path):
    the_plan = build_plan(_spec(tmp_path, "performance: {latency_ms: {p99: 30}}\n"))
    setup = the_plan.perf.setup
    assert setup.batch.min_rows_per_second == 1000.0 and setup.throughput is None
    assert setup.latency.p99 == 30 and setup.latency.p50 is None  # given: only what the spec names
    assert setup.training.min_rows_per_second is None  # static training: only the recorded-baseline gate
    assert [p.id for p in the_plan.perf.latency] == ["p99"]
    assert [p.id for p in the_plan.perf.recorded] == ["latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
                                                       "batch_rows_per_second", "training_rows_per_second"]


def test_generated_infrastructure_module_parses_and_is_marked(tmp_path):
    body = ("performance:\n  compatibility: {serving_packages: [scikit-learn], previous_artifact: m/old.pkl}\n"
            "  pipeline: {entrypoint: 'toy_pipe:run', stages: {raw: {expect: training_schema}}}\n")
    files = render(build_plan(_spec(tmp_path, body, "dynamic", "online")))
    text = files["test_toy_infrastructure.py"]
    tree = ast.parse(text)
    tests = sorted(n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_"))
    assert tests == ["test_latency", "test_memory_leak", "test_memory_peak", "test_pipeline_stage", "test_rollback",
                     "test_serving_environment", "test_throughput", "test_training_speed", "test_training_step",
                     "test_vs_recorded"]
    assert "pytestmark = pytest.mark.perf" in text and "previous_artifact='../../m/old.pkl'" in text
    assert "addinivalue_line(\"markers\", \"perf:" in files["conftest.py"]


def test_no_performance_section_no_infrastructure_module(tmp_path):
    assert "test_toy_infrastructure.py" not in render(build_plan(_spec(tmp_path, "")))


def test_figures_in_calibration_units_cancel_machine_speed():
    # a machine twice as slow: latencies double, rates halve, the calibration time doubles
    assert perf_baseline.normalise("latency_p99_ms", 20.0, 0.02) == pytest.approx(
        perf_baseline.normalise("latency_p99_ms", 10.0, 0.01))
    assert perf_baseline.normalise("qps", 50.0, 0.02) == pytest.approx(perf_baseline.normalise("qps", 100.0, 0.01))
    assert perf_baseline.calibrate(repeats=1) > 0


def test_recorded_baseline_round_trips(tmp_path):
    path = tmp_path / "toy_perf.json"
    path.write_text(perf_baseline.baseline_text("toy", {"qps": 100.0}, 0.01, {}))
    body = perf_baseline.read_baseline(path)
    assert body["normalised"]["qps"] == 1.0 and body["machine"]["cpus"]
    assert perf_baseline.read_baseline(tmp_path / "none.json") is None
    path.write_text("{}")
    with pytest.raises(AssertionError, match="not a format-1 performance baseline"):
        perf_baseline.read_baseline(path)


def test_serving_closure_follows_requirements():
    dists, missing = serving_env.closure(["scikit-learn", "no-such-dist-xyz"])
    names = {d.metadata["Name"].lower() for d in dists}
    assert {"scikit-learn", "numpy", "scipy", "joblib", "threadpoolctl"} <= names
    assert "pyyaml" not in names and "pandera" not in names
    assert missing == ["no-such-dist-xyz"]


def test_serving_environment_lacks_other_packages(tmp_path):
    dists, _ = serving_env.closure(["numpy"])
    site = tmp_path / "site"
    serving_env.link_distributions(dists, site)
    artifact = tmp_path / "a.pkl"
    artifact.write_bytes(b"cyaml\nYAMLError\n.")  # a pickle that needs PyYAML
    config = {"artifact": str(artifact), "columns": ["x"], "rows": [[1.0]], "sys_path": [str(site)]
              + serving_env.stdlib_paths()}
    result = serving_env.run_probe("serve", config, tmp_path, isolated=True, timeout=60)
    assert result["ok"] is False and "No module named 'yaml'" in result["error"], result


GATE = PipelineGate(entrypoint="m:f", salt="s", fraction=0.5, rotate_daily=False, stages=(),
                    transform_outputs=("island_*", "z"), metrics=("accuracy", "f1"))


@pytest.mark.parametrize("output, expect, words", [
    (pd.DataFrame({"island_a": [1], "y": [2]}), "transform_outputs", "no column for transform output(s) ['z']"),
    ({"accuracy": 0.9}, "metrics", "missing metric(s) ['f1']"),
    ({"accuracy": 0.9, "f1": float("nan")}, "metrics", "non-finite metric(s) ['f1']"),
    (42, "training_schema", "expected a DataFrame or a data file, got int"),
])
def test_pipeline_stage_problems(output, expect, words):
    assert words in pipeline_checks.problem(output, expect, GATE, {})


def test_pipeline_stage_file(tmp_path):
    empty = tmp_path / "m.pkl"
    empty.write_bytes(b"")
    assert "is empty" in pipeline_checks.problem(empty, "file", GATE, {})
    empty.write_bytes(b"x")
    assert pipeline_checks.problem(str(empty), "file", GATE, {}) is None
    metrics = tmp_path / "m.json"
    metrics.write_text(json.dumps({"accuracy": 1, "f1": 0.5}))
    assert pipeline_checks.problem(metrics, "metrics", GATE, {}) is None


class _Hangs:
    def predict(self, X):
        time.sleep(60)


def test_hanging_predict_fails_within_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv(perf.ENV_MODE, "gate")
    setup = ModelSetup(name="toy", task="regression", label="y", features=("x",), dtypes={}, training_data="t.csv",
                       paths=(), entrypoints=Entrypoints(train="m:t", load=None, predict=None, adapter=None), seed=1,
                       split=Split(key=("x",), salt="s", eval_fraction=0.5, rotate_daily=False), runs=2, mean_of=1,
                       evaluation_data=None, slices={},
                       artifact=None)
    gate = PerfSetup(name="toy", inference_mode="online", baseline_file="toy_perf.json", max_regression=1.5,
                     timeout_seconds=1.0, latency=LatencyGate(p50=None, p95=None, p99=10.0, calls=20), batch=None,
                     throughput=None, memory=MemoryGate(max_mb=1, max_growth_mb=1, batches=3, rows=2),
                     training=TrainingGate(min_rows_per_second=None, runs=1, train_step=None), pipeline=None,
                     compatibility=None)
    session = perf.Session(setup, gate, tmp_path / "test_toy.py")
    session.__dict__.update(candidate=Model(_Hangs()), X=pd.DataFrame({"x": np.arange(3.0)}))
    start = time.monotonic()
    with pytest.raises(AssertionError, match="single-row predict calls did not finish within 1 s"):
        perf.check_latency(session, "p99", 10.0)
    assert time.monotonic() - start < 10
    session.close()


def test_smoke_mode_relaxes_and_unknown_mode_is_refused(monkeypatch):
    monkeypatch.delenv(perf.ENV_MODE, raising=False)
    assert perf.scale().absolute == 5.0 and perf.scale().ratio == 10.0 and perf.scale().calls(200) == 40
    monkeypatch.setenv(perf.ENV_MODE, "fast")
    with pytest.raises(AssertionError, match="use gate"):
        perf.scale()


def test_perf_record_without_a_performance_section_is_sg310(tmp_path):
    from tests.helpers import run_cli

    result = run_cli("perf", "record", _spec(tmp_path, ""), in_process=True)
    assert result.returncode == 2 and "has no performance section" in result.output and "[SG310]" in result.output
    assert "Traceback" not in result.output


def _session(tmp_path, **perf_overrides) -> perf.Session:
    setup = ModelSetup(name="toy", task="regression", label="y", features=("x",), dtypes={}, training_data="t.csv",
                       paths=(), entrypoints=Entrypoints(train="m:t", load=None, predict=None, adapter=None), seed=1,
                       split=Split(key=("x",), salt="s", eval_fraction=0.5, rotate_daily=False), runs=2, mean_of=1,
                       evaluation_data=None, slices={},
                       artifact=None)
    fields = dict(name="toy", inference_mode="online", baseline_file="toy_perf.json", max_regression=1.5,
                  timeout_seconds=30.0, latency=None, batch=None, throughput=None,
                  memory=MemoryGate(max_mb=1, max_growth_mb=1, batches=3, rows=2),
                  training=TrainingGate(min_rows_per_second=None, runs=1, train_step=None), pipeline=None,
                  compatibility=None)
    return perf.Session(setup, PerfSetup(**{**fields, **perf_overrides}), tmp_path / "test_toy.py")


SMOKE = (SmokeColumn(name="x", dtype="float", min=0.0, max=1.0, values=None, unique=False),
         SmokeColumn(name="y", dtype="float", min=0.0, max=1.0, values=None, unique=False))


def test_training_step_uses_partial_fit(tmp_path):
    from sklearn.linear_model import SGDRegressor

    session = _session(tmp_path)
    model = SGDRegressor(random_state=0).fit(pd.DataFrame({"x": np.arange(4.0)}), np.arange(4.0))
    session.__dict__["candidate"] = Model(model)
    perf.check_training_step(session, SMOKE, rows=8)  # passes: one partial_fit step, finite predictions
    session.close()


def test_training_step_entrypoint_that_breaks_the_model_fails(tmp_path, monkeypatch):
    import sys
    import types

    module = types.ModuleType("toy_steps")
    module.nan_step = lambda model, X, y: types.SimpleNamespace(predict=lambda X: np.full(len(X), np.nan))
    monkeypatch.setitem(sys.modules, "toy_steps", module)
    session = _session(tmp_path, training=TrainingGate(min_rows_per_second=None, runs=1,
                                                       train_step="toy_steps:nan_step"))
    session.__dict__["candidate"] = Model(object())
    with pytest.raises(AssertionError, match="after train_step toy_steps:nan_step on 8 schema rows: 8 non-finite"):
        perf.check_training_step(session, SMOKE, rows=8)
    session.close()


@pytest.fixture
def endpoint():
    """A predict endpoint on loopback (a thread of this process); ``delay`` slows each answer."""
    import http.server
    import threading

    state = {"delay": 0.0, "requests": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["requests"] += 1
            time.sleep(state["delay"])
            answer = json.dumps({"predictions": [0.0] * len(body["rows"])}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/predict", state
    server.shutdown()
    server.server_close()


def test_throughput_against_a_loopback_endpoint(tmp_path, endpoint, monkeypatch):
    from specgen.runtime.contracts.perf import ThroughputGate

    monkeypatch.setenv(perf.ENV_MODE, "gate")
    url, state = endpoint
    session = _session(tmp_path, throughput=ThroughputGate(callers=2, seconds=0.5, min_qps=5.0, url=url))
    session.__dict__["X"] = pd.DataFrame({"x": np.arange(3.0)})
    perf.check_throughput(session, 5.0)
    assert state["requests"] >= 3
    session.figures.pop("qps")
    state["delay"] = 0.5  # 2 callers x 2 answers/s = 4 QPS < 5
    with pytest.raises(AssertionError, match=r"throughput of http://127\.0\.0\.1:\d+/predict [\d.]+ queries/s"):
        perf.check_throughput(session, 5.0)
    session.close()


def test_throughput_url_must_be_loopback(tmp_path):
    errors = _errors(_spec(tmp_path, "performance: {throughput: {url: 'http://example.org/predict'}}\n"))
    assert any("performance.throughput.url: String should match pattern" in e for e in errors), errors


def test_latency_quantiles_come_from_timings_quantiles(monkeypatch):
    """One source for a latency quantile: ``check_latency`` measures the quantile ``QUANTILES`` gives a name (it
    parsed the name's digits: a p999 for 99.9% asked numpy for the 999th percentile and crashed), and the
    recorded figures are one per name, as ``specgen monitor`` exports them."""
    from types import SimpleNamespace

    from specgen.runtime.contracts.perf import PERF_FIGURES
    from specgen.runtime.contracts.timings import QUANTILES

    assert [f for f in PERF_FIGURES if f.startswith("latency_")] == [f"latency_{q}_ms" for q in QUANTILES]
    monkeypatch.setenv(perf.ENV_MODE, "gate")
    monkeypatch.setitem(QUANTILES, "p999", 0.999)
    session = SimpleNamespace(scale=perf.scale(), latencies=np.arange(1001.0))  # ms: quantile q is 1000 q
    perf.check_latency(session, "p999", 999.0)
    perf.check_latency(session, "p50", 500.0)
    with pytest.raises(AssertionError, match="serving latency p999 999.00 ms over 1001 warm single-row"):
        perf.check_latency(session, "p999", 998.0)


def test_every_latency_quantile_has_its_spec_and_gate_fields():
    """A name added to ``timings.QUANTILES`` needs a hand-written field in the spec's ``Latency``, the
    contract's ``LatencyGate`` and perf_plan's online defaults (fields derived from QUANTILES would make
    the spec model unreadable): this fails until all four agree, in QUANTILES' ascending order, which
    ``Latency``'s order check walks."""
    import dataclasses

    from specgen.compiler.perf_plan import DEFAULTS
    from specgen.compiler.spec.performance import Latency
    from specgen.runtime.contracts.timings import QUANTILES

    names = list(QUANTILES)
    assert list(QUANTILES.values()) == sorted(QUANTILES.values())
    assert [n for n in Latency.model_fields if n != "calls"] == names
    assert [f.name for f in dataclasses.fields(LatencyGate) if f.name != "calls"] == names
    assert [n for n in DEFAULTS["latency"] if n != "calls"] == names
