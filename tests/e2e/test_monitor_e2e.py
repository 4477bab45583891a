"""End to end: compile monitoring outputs, check them with promtool, run `specgen monitor` on faults.

promtool comes from Debian's `prometheus` package via scripts/install-promtool.sh
(cached in .cache/promtool); if it cannot be installed the tests fail, never skip.
"""
from __future__ import annotations

import ast
import datetime as dt
import json
import re
import time
from pathlib import Path

import polars as pl
import pytest

from specgen.compiler.render import yaml_literal
from tests.gateway import Gateway, status
from tests.helpers import EXAMPLES, ROOT, run, run_cli

GENERATED = EXAMPLES / "penguins" / "generated" / "penguins"
HOSTILE_FEATURE = 'x"} or vector(1) #'
HOSTILE_CATEGORY = "cat\n- alert: Evil\u2028\u00e9\U0001f600"
#: a Go template: Prometheus expands rule labels and annotations, so this name would exfiltrate a series
HOSTILE_TEMPLATE = '{{ with query "up" }}{{ . | first | value }}{{ end }}'
#: the only template actions a rule label or annotation may hold (none carries spec text)
TEMPLATE_ACTIONS = {"{{ $labels.feature }}", "{{ $labels.class }}", "{{ $labels.output }}", "{{ $value }}",
                    '{{ printf "%.4g" $value }}', '{{ printf "%.0f" $value }}'}


def _specgen(*args) -> tuple[int, str]:
    """(exit code, output) of the CLI run in this process (``penguins``, ``promtool``: tests/conftest.py)."""
    result = run_cli(*args, in_process=True)
    return result.returncode, result.output


def _variant(penguins: Path, old: str, new: str, *, baseline: bool = False) -> Path:
    """The spec with ``old`` replaced, compiled; ``baseline``: the change needs a new baseline first."""
    spec = penguins / "spec.yaml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new))
    if baseline:
        code, out = _specgen("baseline", spec)
        assert code == 0, out
    code, out = _specgen("compile", spec)
    assert code == 0, out
    return spec


def _serving(penguins: Path, name: str, change) -> Path:
    frame = pl.read_csv(penguins / "data" / "serving.csv", null_values="NA")
    path = penguins / "data" / name
    change(frame).write_csv(path)
    return path


# -- the committed example's rules ---------------------------------------------------------------

def test_committed_rules_pass_promtool_check(promtool):
    done = run(promtool, "check", "rules", "penguins_alerts.yml", cwd=GENERATED)
    assert done.returncode == 0, done.stdout + done.stderr
    # drift (linf, psi) + skew (linf), one rule per measure over its features; schema, stale,
    # prediction drift (class, probabilities), per-class prediction bias
    assert "SUCCESS: 8 rules found" in done.stdout


def test_committed_rule_tests_pass_promtool_test(promtool):
    done = run(promtool, "test", "rules", "penguins_alerts_test.yml", cwd=GENERATED)
    assert done.returncode == 0, done.stdout + done.stderr


def test_rule_tests_catch_a_wrong_threshold(promtool, penguins):
    """The generated rule tests can fail: loosen one drift limit in the rules, or hold the measure to the
    spec's threshold alone (ignoring the exported noise floor), and they do."""
    out = penguins / "generated" / "penguins"
    rules = out / "penguins_alerts.yml"
    text = rules.read_text()
    limit = '{feature=\\"island\\"} > specgen_penguins_feature_drift_threshold{feature=\\"island\\"} or'
    assert limit in text
    for wrong in ('{feature=\\"island\\"} > 0.5 or', '{feature=\\"island\\"} > 0.1 or'):
        rules.write_text(text.replace(limit, wrong))
        done = run(promtool, "test", "rules", "penguins_alerts_test.yml", cwd=out)
        assert done.returncode != 0, wrong
        assert "PenguinsFeatureDrift" in done.stdout + done.stderr


# -- every alert kind, with hostile names --------------------------------------------------------

@pytest.fixture
def hostile(tmp_path) -> Path:
    import numpy as np

    rng = np.random.default_rng(0)
    n = 400
    (tmp_path / "data").mkdir()
    pl.DataFrame({
        HOSTILE_FEATURE: rng.normal(size=n),
        HOSTILE_CATEGORY: rng.choice(["a", "b'\"", "c"], n),
        HOSTILE_TEMPLATE: rng.normal(size=n),
        "y": rng.normal(size=n),
        "pred": rng.normal(size=n),
    }).write_parquet(tmp_path / "data" / "train.parquet")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "spec_version: 1\nname: hostile\n"
        "training: {mode: dynamic, max_model_age: 7d}\ninference: {mode: online}\n"
        "data: {training: data/train.parquet, label: y}\n"
        "features:\n"
        f"  {yaml_literal(HOSTILE_FEATURE)}: {{dtype: float}}\n"
        f"  {yaml_literal(HOSTILE_CATEGORY)}: {{dtype: category, values: [a, \"b'\\\"\", c],"
        " monitoring: {drift: {metric: psi, threshold: 0.3}}}\n"
        f"  {yaml_literal(HOSTILE_TEMPLATE)}: {{dtype: float}}\n"
        "columns:\n  pred: {dtype: float}\n"
        "monitoring:\n  drift: {numeric: {metric: psi, threshold: 0.2}}\n  prediction: {column: pred, max_bias: 0.5}\n"
        "  serving: {latency_p99_ms: 50, min_qps: 200}\n  alerts: {for: 5m, severity: page}\n")
    code, out = _specgen("baseline", spec)
    assert code == 0, out
    code, out = _specgen("compile", spec)
    assert code == 0, out
    return tmp_path


def test_all_alert_kinds_pass_promtool_with_hostile_names(promtool, hostile):
    out = hostile / "generated" / "hostile"
    check = run(promtool, "check", "rules", "hostile_alerts.yml", cwd=out)
    assert check.returncode == 0, check.stdout + check.stderr
    test = run(promtool, "test", "rules", "hostile_alerts_test.yml", cwd=out)
    assert test.returncode == 0, test.stdout + test.stderr
    text = (out / "hostile_alerts.yml").read_text()
    for alert in ("FeatureDrift", "FeatureSkew", "SchemaViolations", "MonitorStale", "ModelTooOld",
                  "NonFiniteOutputs", "PredictionBias", "LatencyP99High", "QpsLow"):
        assert f'alert: "Hostile{alert}"' in text
    assert "Evil" in text and "\n- alert: Evil" not in text  # the name stays inside its quoted scalar


def test_hostile_names_cannot_change_promql(hostile):
    import yaml

    rules = yaml.safe_load((hostile / "generated" / "hostile" / "hostile_alerts.yml").read_text())
    drift = [r for r in rules["groups"][0]["rules"] if r["alert"] == "HostileFeatureDrift"]
    assert [r["labels"]["metric"] for r in drift] == ["psi"]
    names = ['x\\"} or vector(1) #', "cat\\x0a- alert: Evil\\u2028\\u00e9\\U0001f600",
             '{{ with query \\"up\\" }}{{ . | first | value }}{{ end }}']
    assert drift[0]["expr"] == " or ".join(
        f'specgen_hostile_feature_drift_psi{{feature="{n}"}} > specgen_hostile_feature_drift_threshold{{feature="{n}"}}'
        for n in names)


def test_no_name_reaches_a_templated_rule_field(hostile):
    """Prometheus expands rule labels and annotations as Go templates at alert time: they hold no
    spec text, only the fixed actions that read the alert's own labels and value."""
    import re

    import yaml

    rules = yaml.safe_load((hostile / "generated" / "hostile" / "hostile_alerts.yml").read_text())
    fields = [v for r in rules["groups"][0]["rules"] for v in [*r["labels"].values(), *r["annotations"].values()]]
    assert len(fields) > 20
    for value in fields:
        assert not any(name in value for name in (HOSTILE_FEATURE, HOSTILE_CATEGORY, HOSTILE_TEMPLATE)), value
        assert set(re.findall(r"\{\{.*?\}\}", value)) <= TEMPLATE_ACTIONS, value
        assert "{{" not in re.sub(r"\{\{.*?\}\}", "", value), value


def test_exported_metrics_pass_promtool_check_metrics(promtool, hostile, tmp_path):
    prom = tmp_path / "out.prom"
    code, out = _specgen("monitor", hostile / "spec.yaml", "--current", hostile / "data" / "train.parquet",
                         "--serving-features", hostile / "data" / "train.parquet",
                         "--model-trained-at", str(time.time() - 86400), "--metrics-out", prom)
    assert code == 0, out
    text = prom.read_text()
    done = run(promtool, "check", "metrics", cwd=tmp_path, stdin=text)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("feature_drift_psi", "feature_skew_linf", "last_success_timestamp_seconds",
                 "model_trained_timestamp_seconds", "prediction_non_finite_values", "prediction_bias"):
        assert f"specgen_hostile_{name}" in text
    assert 'feature="x\\"} or vector(1) #"' in text


# -- specgen monitor on the penguins example ------------------------------------------------------

def test_clean_serving_batch_passes(penguins, tmp_path):
    prom = tmp_path / "penguins.prom"
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                         "--metrics-out", prom)
    assert code == 0, out
    assert "no alarm" in out
    assert "specgen_penguins_last_success_timestamp_seconds" in prom.read_text()


def test_mean_shift_inside_the_valid_range_alarms(penguins):
    shifted = _serving(penguins, "shifted.csv", lambda f: f.with_columns(pl.col("bill_depth_mm") + 2.5))
    # the schema alone cannot see it: the shifted batch is still inside the declared range
    code, out = _specgen("validate", penguins / "spec.yaml", shifted, "--env", "serving")
    assert code == 0, out
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", shifted, "--format", "json")
    assert code == 1, out
    report = json.loads(out)
    assert [r["feature"] for r in report["drift"] if r["alarm"]] == ["bill_depth_mm"]
    assert report["schema_failures"] == []


def test_category_frequency_shift_alarms(penguins):
    shifted = _serving(penguins, "islands.csv", lambda f: f.with_columns(
        pl.when(pl.col("island") == "Biscoe").then(pl.lit("Dream")).otherwise(pl.col("island")).alias("island")))
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", shifted)
    assert code == 1, out
    assert "ALARM drift: island (linf" in out


def test_serving_feature_log_with_another_transform_is_skew(penguins):
    log = _serving(penguins, "serving_log.csv", lambda f: f.with_columns(
        (pl.col("body_mass_g") * 1.1).round(0).cast(pl.Int64)))  # a wrong unit conversion at serving time
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                         "--serving-features", log, "--format", "json")
    assert code == 1, out
    report = json.loads(out)
    assert [r["feature"] for r in report["skew"] if r["alarm"]] == ["body_mass_g"]
    assert not any(r["alarm"] for r in report["drift"])


def test_model_older_than_its_limit_alarms(penguins, tmp_path):
    spec = _variant(penguins, "training: {mode: static}", "training: {mode: dynamic, max_model_age: 7d}")
    serving = penguins / "data" / "serving.csv"
    now = dt.datetime.now(dt.timezone.utc)
    old = (now - dt.timedelta(days=10)).isoformat()
    code, out = _specgen("monitor", spec, "--current", serving, "--model-trained-at", old)
    assert code == 1, out
    assert "ALARM model age" in out
    metadata = tmp_path / "model.json"
    metadata.write_text(json.dumps({"trained_at": (now - dt.timedelta(days=1)).timestamp()}))
    code, out = _specgen("monitor", spec, "--current", serving, "--model-trained-at", metadata)
    assert code == 0, out


def test_schema_violation_alarms(penguins):
    broken = _serving(penguins, "broken.csv", lambda f: f.with_columns(pl.lit("Atlantis").alias("island")))
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", broken, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert any(f["column"] == "island" and f["check"] == "values" for f in report["schema_failures"])


def test_reference_override(penguins):
    serving = penguins / "data" / "serving.csv"
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", serving, "--reference", serving,
                         "--format", "json")
    assert code == 0, out
    drift = json.loads(out)["drift"]
    # the batch against itself; the label (species) is monitored too, and the serving batch has none
    assert len(drift) == 8 and all(r["value"] == 0 for r in drift if r["feature"] != "species")
    species = next(r for r in drift if r["feature"] == "species")
    assert species["value"] is None and species["note"].startswith("absent") and not species["alarm"]


def test_chunked_parquet_gives_the_same_report(penguins, tmp_path):
    from specgen.api import monitor

    frame = pl.read_csv(penguins / "data" / "serving.csv", null_values="NA")
    parquet = tmp_path / "serving.parquet"
    frame.write_parquet(parquet, row_group_size=7)
    whole = monitor(penguins / "spec.yaml", parquet, now=0.0)
    chunked = monitor(penguins / "spec.yaml", parquet, chunk_rows=7, now=0.0)
    assert [r.as_dict() for r in chunked.drift] == [r.as_dict() for r in whole.drift]
    assert chunked.rows == whole.rows == frame.height


def test_errors_exit_2(penguins):
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "nope.csv")
    assert code == 2 and "SG201" in out
    spec = penguins / "spec.yaml"
    spec.write_text(spec.read_text().replace("threshold: 0.3", "threshold: 0.4"))  # not recompiled
    code, out = _specgen("monitor", spec, "--current", penguins / "data" / "serving.csv")
    assert code == 2 and "SG304" in out


def test_monitor_exit_code_in_a_real_process(penguins):
    done = run_cli("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv", cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_chunked_csv_gives_the_same_report(penguins):
    from specgen.api import build_plan, monitor
    from specgen.runtime.summary import iter_chunks

    csv = penguins / "data" / "serving.csv"
    sizes = [c.height for c in iter_chunks(csv, build_plan(penguins / "spec.yaml").dtypes(), 7)]
    assert len(sizes) > 5 and max(sizes) <= 7  # really read in pieces
    whole = monitor(penguins / "spec.yaml", csv, now=0.0)  # default chunk: the file in one piece
    chunked = monitor(penguins / "spec.yaml", csv, chunk_rows=7, now=0.0)
    assert whole.rows == chunked.rows == sum(sizes) == pl.read_csv(csv).height
    assert chunked.as_dict() == whole.as_dict()


def test_csv_chunks_keep_the_whole_file_types(tmp_path, monkeypatch):
    """A value after the inference window contradicts the guessed type: read again, as a whole read does."""
    from specgen.runtime import io
    from specgen.runtime.monitor import one_pass

    path = tmp_path / "late.csv"
    path.write_text("a,b\n" + "".join(f"{i},x\n" for i in range(50)) + "1.5,y\n")
    monkeypatch.setattr(io, "INFER_ROWS", 10)
    whole = io.read_polars(path, {})
    assert whole.schema["a"] == pl.Float64
    chunks = one_pass(path, {}, 4, list, lambda acc, chunk: acc.append(chunk))
    assert max(c.height for c in chunks) <= 4
    assert pl.concat(chunks).equals(whole)


# -- prediction drift and model identity ----------------------------------------------------------

SWAPPED_MODEL = '''
import numpy as np


class Always:
    """A broken release: calls every penguin a Gentoo."""
    classes_ = np.array(["Adelie", "Chinstrap", "Gentoo"])
    model_version = "swapped-1"

    def predict(self, X):
        return np.array(["Gentoo"] * len(X))

    def predict_proba(self, X):
        return np.tile([0.0, 0.0, 1.0], (len(X), 1))


def load():
    return Always()


def explode():
    raise RuntimeError("registry unreachable")
'''


def test_prediction_baseline_is_compiled_from_the_serving_model(penguins):
    import yaml

    config = yaml.safe_load((penguins / "generated" / "penguins" / "penguins_monitoring.yaml").read_text())
    drift = config["prediction_drift"]
    assert drift["source"] == "model"
    assert [o["name"] for o in drift["outputs"]] == ["prediction", "proba:Adelie", "proba:Chinstrap", "proba:Gentoo"]
    counts = drift["outputs"][0]["reference"]["counts"]
    assert sum(counts.values()) == config["baseline"]["rows"] and set(counts) == {"Adelie", "Chinstrap", "Gentoo"}


def test_clean_batch_exports_model_info_and_prediction_drift(promtool, penguins, tmp_path):
    prom = tmp_path / "penguins.prom"
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                         "--metrics-out", prom)
    assert code == 0, out
    assert "prediction drift (the serving model run on the batch)" in out
    text = prom.read_text()
    assert 'specgen_penguins_model_info{model_version="snapshot-300"} 1\n' in text
    assert 'specgen_penguins_prediction_drift_linf{output="prediction"}' in text
    assert 'specgen_penguins_prediction_drift_psi{output="proba:Gentoo"}' in text
    done = run(promtool, "check", "metrics", cwd=tmp_path, stdin=text)
    assert done.returncode == 0, done.stdout + done.stderr


def test_swapped_serving_model_is_prediction_drift(penguins, monkeypatch):
    """Same features, another model: only the model's outputs move, and the monitor says so."""
    (penguins / "swapped_model.py").write_text(SWAPPED_MODEL)
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "swapped_model:load")
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                         "--format", "json")
    assert code == 1, out
    report = json.loads(out)
    assert [a for a in report["alarms"] if not a.startswith("prediction drift: ")] == []
    assert "prediction drift: prediction (linf" in " ".join(report["alarms"])
    assert {r["feature"] for r in report["prediction_drift"] if r["alarm"]} >= {"prediction", "proba:Gentoo"}
    assert report["prediction_source"] == "model" and report["model_version"] == "swapped-1"
    assert not any(r["alarm"] for r in report["drift"])


def test_prediction_column_of_the_batch_is_used_without_loading_the_model(penguins, monkeypatch):
    spec = _variant(penguins, "prediction: {column: predicted_species,", "prediction: {column: predicted,",
                    baseline=True)
    from specgen.runtime import model_outputs

    model = model_outputs.load_model([penguins], {"load": "penguins_model:load"})
    predicted = lambda f: model_outputs.outputs(model, f, model.impl.feature_names_in_.tolist(),  # noqa: E731
                                                "classification")["prediction"]
    (penguins / "swapped_model.py").write_text(SWAPPED_MODEL)
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "swapped_model:explode")  # loading it would be an error
    clean = _serving(penguins, "clean_predictions.csv", lambda f: f.with_columns(predicted(f).alias("predicted")))
    code, out = _specgen("monitor", spec, "--current", clean, "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["prediction_source"] == "column" and report["schema_failures"] == []
    shifted = _serving(penguins, "gentoo_predictions.csv", lambda f: f.with_columns(pl.lit("Gentoo").alias("predicted")))
    code, out = _specgen("monitor", spec, "--current", shifted)
    assert code == 1, out
    assert "ALARM prediction drift: prediction (linf" in out
    # without the column the model must run, and a model that cannot load is an error (exit 2)
    code, out = _specgen("monitor", spec, "--current", penguins / "data" / "serving.csv")
    assert code == 2 and "SG306" in out and "registry unreachable" in out


# -- Pushgateway ----------------------------------------------------------------------------------

def test_metrics_are_pushed_to_the_pushgateway(penguins, tmp_path, no_proxy):
    prom = tmp_path / "penguins.prom"
    with Gateway() as gateway:
        code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                             "--metrics-out", prom, "--pushgateway", gateway.url + "/")
    assert code == 0, out
    assert len(gateway.requests) == 1
    method, path, headers, body = gateway.requests[0]
    assert (method, path) == ("PUT", "/metrics/job/specgen_penguins")
    assert headers.get("Content-Type", "").startswith("text/plain; version=0.0.4")
    assert body.decode() == prom.read_text()  # the same exposition as the textfile
    assert b"specgen_penguins_last_success_timestamp_seconds" in body


def test_pushgateway_errors_exit_2(penguins, no_proxy):
    serving = penguins / "data" / "serving.csv"
    with Gateway(status(400, b"push rejected: bad metric\n")) as gateway:
        code, out = _specgen("monitor", penguins / "spec.yaml", "--current", serving, "--pushgateway", gateway.url)
    assert code == 2 and "SG307" in out and "HTTP 400" in out and "push rejected: bad metric" in out
    # the stand-in is gone: nothing listens on its port any more
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", serving, "--pushgateway", gateway.url)
    assert code == 2 and "SG307" in out and "cannot reach the Pushgateway" in out
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", serving, "--pushgateway", "file:///etc/x")
    assert code == 2 and "SG307" in out and "must be http(s)" in out


def test_duplicate_keys_in_different_chunks_are_found(penguins, tmp_path):
    from specgen.api import monitor

    frame = pl.read_csv(penguins / "data" / "serving.csv", null_values="NA")
    first = frame.get_column("penguin_id")[0]
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 50).then(first).otherwise(pl.col("penguin_id"))
                               .alias("penguin_id"))
    parquet = tmp_path / "dupes.parquet"
    frame.write_parquet(parquet, row_group_size=7)
    whole = monitor(penguins / "spec.yaml", parquet, now=0.0)
    chunked = monitor(penguins / "spec.yaml", parquet, chunk_rows=7, now=0.0)  # rows 0 and 50: other chunks
    found = lambda report: sorted((f.check.column or "", f.check.kind, f.failing_rows)  # noqa: E731
                                  for f in report.schema_failures)
    assert ("penguin_id", "unique", 2) in found(whole)
    assert found(chunked) == found(whole)
    assert not chunked.ok and any("unique" in a for a in chunked.alarms)


# -- per-class prediction bias (a classifier, once labels arrive) ----------------------------------

def _labelled(penguins: Path, name: str, to_gentoo: int = 0) -> Path:
    """The serving batch with its labels (species, from the raw data: penguin_id is the raw row
    number) and the serving model's cached predictions; ``to_gentoo`` rows of the other species
    are then predicted as Gentoo (about 70% of them Adelie, 30% Chinstrap)."""
    raw = pl.read_csv(penguins / "data" / "penguins_raw.csv", null_values="NA")
    labels = raw.with_row_index("penguin_id", offset=1).select(pl.col("penguin_id").cast(pl.Int64), "species")
    predictions = pl.read_csv(penguins / "data" / "predictions.csv").select("penguin_id", "predicted_species")
    frame = (pl.read_csv(penguins / "data" / "serving.csv", null_values="NA")
             .join(labels, on="penguin_id", how="left").join(predictions, on="penguin_id", how="left"))
    assert frame["species"].null_count() == 0 and frame["predicted_species"].null_count() == 0
    adelie = frame.filter(pl.col("species") == "Adelie")["penguin_id"].head(to_gentoo * 7 // 10).to_list()
    chinstrap = frame.filter(pl.col("species") == "Chinstrap")["penguin_id"].head(to_gentoo - len(adelie)).to_list()
    frame = frame.with_columns(pl.when(pl.col("penguin_id").is_in(adelie + chinstrap)).then(pl.lit("Gentoo"))
                               .otherwise(pl.col("predicted_species")).alias("predicted_species"))
    path = penguins / "data" / name
    frame.write_csv(path)
    return path


def test_classifier_over_predicting_one_class_is_prediction_bias(promtool, penguins, tmp_path):
    batch = _labelled(penguins, "gentoo_heavy.csv", to_gentoo=10)  # Gentoo +10/88 over its label share
    prom = tmp_path / "penguins.prom"
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", batch, "--format", "json",
                         "--metrics-out", prom)
    assert code == 1, out
    report = json.loads(out)
    bias = [a for a in report["alarms"] if a.startswith("prediction bias")]
    assert len(bias) == 1 and bias[0].startswith("prediction bias: class 'Gentoo' +0.1136"), report["alarms"]
    assert report["alarms"] == bias  # nothing else moved enough to alarm: the bias alone is exit 1
    shares = report["prediction_class_bias"]
    assert set(shares) == {"Adelie", "Chinstrap", "Gentoo"} and abs(sum(shares.values())) < 1e-12
    assert all(abs(v) <= 0.1 for c, v in shares.items() if c != "Gentoo")
    text = prom.read_text()
    assert 'specgen_penguins_prediction_class_bias{class="Gentoo"} 0.1136' in text
    assert "specgen_penguins_prediction_bias " not in text  # the numeric gauge is for numeric predictions
    done = run(promtool, "check", "metrics", cwd=tmp_path, stdin=text)
    assert done.returncode == 0, done.stdout + done.stderr
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", batch)
    assert code == 1 and "ALARM prediction bias: class 'Gentoo' +0.1136 (predicted 43.18%, labelled 31.82%" in out


def test_class_bias_adds_up_over_chunks(penguins):
    from specgen.api import monitor

    batch = _labelled(penguins, "gentoo_heavy.csv", to_gentoo=10)
    whole = monitor(penguins / "spec.yaml", batch, now=0.0)
    chunked = monitor(penguins / "spec.yaml", batch, chunk_rows=7, now=0.0)
    assert whole.class_shares is not None and chunked.class_shares == whole.class_shares
    assert chunked.alarms == whole.alarms


def test_classifier_with_balanced_predictions_has_no_bias_alarm(promtool, penguins, tmp_path):
    batch = _labelled(penguins, "balanced.csv")  # the serving model's own predictions: 98% accurate
    prom = tmp_path / "penguins.prom"
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", batch, "--format", "json",
                         "--metrics-out", prom)
    assert code == 0, out
    report = json.loads(out)
    assert report["alarms"] == [] and report["prediction_source"] == "column"
    assert max(abs(v) for v in report["prediction_class_bias"].values()) < 0.05
    text = prom.read_text()
    for species in ("Adelie", "Chinstrap", "Gentoo"):
        assert f'specgen_penguins_prediction_class_bias{{class="{species}"}}' in text
    done = run(promtool, "check", "metrics", cwd=tmp_path, stdin=text)
    assert done.returncode == 0, done.stdout + done.stderr
    # the serving batch without labels: no bias to measure, and none is exported
    code, out = _specgen("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                         "--format", "json")
    assert code == 0 and json.loads(out)["prediction_class_bias"] is None


def test_class_bias_rule_tests_catch_a_wrong_threshold(promtool, penguins):
    """The generated class-bias cases can fail: a rule that ignores negative bias, or a looser limit."""
    out = penguins / "generated" / "penguins"
    rules = out / "penguins_alerts.yml"
    text = rules.read_text()
    expr = '"abs(specgen_penguins_prediction_class_bias) > 0.1"'
    assert expr in text
    rules.write_text(text.replace(expr, '"abs(specgen_penguins_prediction_class_bias) > 0.3"'))
    done = run(promtool, "test", "rules", "penguins_alerts_test.yml", cwd=out)
    assert done.returncode != 0 and "PenguinsPredictionBias" in done.stdout + done.stderr
    rules.write_text(text.replace(expr, '"specgen_penguins_prediction_class_bias > -1"'))
    done = run(promtool, "test", "rules", "penguins_alerts_test.yml", cwd=out)
    assert done.returncode != 0 and "PenguinsPredictionBias" in done.stdout + done.stderr


def test_hostile_class_names_reach_promql_and_metrics_escaped(promtool, tmp_path):
    """Class names from the spec are untrusted: escaped in the rule tests' selectors and the exposition;
    a value outside the declared classes is exported as the one bounded ``__other__`` class."""
    import numpy as np

    classes = [HOSTILE_CATEGORY, 'b"} or vector(1) #\\', "c"]
    rng = np.random.default_rng(0)
    n = 300
    (tmp_path / "data").mkdir()
    label = rng.choice(classes, n)
    pl.DataFrame({"x": rng.normal(size=n), "y": label, "pred": label}).write_parquet(tmp_path / "data" / "train.parquet")
    spec = tmp_path / "spec.yaml"
    values = ", ".join(yaml_literal(c) for c in classes)
    spec.write_text(
        "spec_version: 1\nname: hostile\ndata: {training: data/train.parquet, label: y}\n"
        f"features:\n  x: {{dtype: float}}\ncolumns:\n  y: {{dtype: category, values: [{values}]}}\n"
        "  pred: {dtype: string}\n"
        "monitoring:\n  prediction: {column: pred, max_bias: 0.1}\n")
    code, out = _specgen("baseline", spec)
    assert code == 0, out
    code, out = _specgen("compile", spec)
    assert code == 0, out
    generated = tmp_path / "generated" / "hostile"
    for args in (("check", "rules", "hostile_alerts.yml"), ("test", "rules", "hostile_alerts_test.yml")):
        done = run(promtool, *args, cwd=generated)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "NonFiniteOutputs" not in (generated / "hostile_alerts.yml").read_text()  # class labels are never NaN
    # predictions: every "c" becomes an undeclared class, every hostile one becomes "c"
    batch = tmp_path / "data" / "batch.parquet"
    pred = np.where(label == "c", "zebra", np.where(label == classes[0], "c", label))
    pl.DataFrame({"x": rng.normal(size=n), "y": label, "pred": pred}).write_parquet(batch)
    prom = tmp_path / "out.prom"
    code, out = _specgen("monitor", spec, "--current", batch, "--format", "json", "--metrics-out", prom)
    assert code == 1, out
    bias = json.loads(out)["prediction_class_bias"]
    assert set(bias) == {*classes, "__other__"} and bias["__other__"] > 0.1 and bias[classes[0]] < -0.1
    text = prom.read_text()
    done = run(promtool, "check", "metrics", cwd=tmp_path, stdin=text)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'class="b\\"} or vector(1) #\\\\"' in text and 'class="cat\\n- alert: Evil' in text


# -- every series an alert rule references is one `specgen monitor` exports -----------------------

_SELECTOR = re.compile(r'"(?:[^"\\]|\\.)*"|(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?')
_MATCHER = re.compile(r'\s*([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*,?')
_PROMQL_WORDS = {"or", "and", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                 "offset", "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
                 "quantile", "count_values"}  # operators, and aggregations (``sum by (le) (...)``)


def _selectors(expr: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(metric, [(label, op, value)]) for every series selector of a PromQL expression."""
    out = []
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping label lists
    for match in _SELECTOR.finditer(expr):
        name, braces = match.group(1), match.group(2)
        if name is None or name in _PROMQL_WORDS or expr[match.end():].lstrip().startswith("("):
            continue  # a string, a keyword or a function call
        inner = braces[1:-1] if braces else ""
        matchers = [(m.group(1), m.group(2), ast.literal_eval(m.group(3))) for m in _MATCHER.finditer(inner)]
        assert "".join(m.group(0) for m in _MATCHER.finditer(inner)) == inner, braces  # parsed in full
        out.append((name, matchers))
    return out


def _exported(text: str) -> list[tuple[str, dict[str, str]]]:
    """(metric, labels) of every sample of a text exposition."""
    unescape = lambda v: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)  # noqa: E731
    out = []
    for line in text.split("\n"):  # not splitlines(): a label value may hold U+2028
        if line and not line.startswith("#"):
            head = line.rsplit(" ", 1)[0]
            name, _, labels = head.partition("{")
            out.append((name, {k: unescape(v) for k, v in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels)}))
    return out


def _matches(sample: tuple[str, dict], selector: tuple[str, list]) -> bool:
    (name, labels), (wanted, matchers) = sample, selector
    if name != wanted:
        return False
    for label, op, value in matchers:
        have = labels.get(label, "")
        ok = {"=": have == value, "!=": have != value, "=~": re.fullmatch(value, have) is not None,
              "!~": re.fullmatch(value, have) is None}[op]
        if not ok:
            return False
    return True


def _assert_rules_use_exported_series(rules_file: Path, exported: list, application: set[str] = frozenset()):
    import yaml

    rules = yaml.safe_load(rules_file.read_text())["groups"][0]["rules"]
    checked = 0
    for rule in rules:
        for selector in _selectors(rule["expr"]):
            if selector[0] in application:  # the serving application's own metrics (latency, requests)
                continue
            assert any(_matches(s, selector) for s in exported), (rule["alert"], selector)
            checked += 1
    return checked


def test_every_series_an_alert_rule_references_is_exported(penguins, tmp_path):
    """Two batches: one without predictions (the model runs: class probabilities), one with the
    labels and cached predictions (per-class bias); the union is what monitor exports."""
    exported = []
    for name, batch in (("model", penguins / "data" / "serving.csv"), ("labelled", _labelled(penguins, "l.csv"))):
        prom = tmp_path / f"{name}.prom"
        code, out = _specgen("monitor", penguins / "spec.yaml", "--current", batch, "--serving-features", batch,
                             "--metrics-out", prom)
        assert code in (0, 1), out
        exported += _exported(prom.read_text())
    checked = _assert_rules_use_exported_series(penguins / "generated" / "penguins" / "penguins_alerts.yml", exported)
    # drift (measure and its limit) and skew per feature and the label; schema, stale, prediction
    # drift (2 x measure and limit), class bias
    assert checked == 8 * 2 + 8 + 1 + 1 + 2 * 2 + 1  # drift and skew also on the label (species)
    assert _selectors('a{x="1"} > 1 or abs(b) > 2') == [("a", [("x", "=", "1")]), ("b", [])]
    assert _selectors('sum by (le) (rate(c_bucket{le="+Inf"}[5m])) > 1.0e-05') == [("c_bucket", [("le", "=", "+Inf")])]


def test_every_series_a_hostile_alert_rule_references_is_exported(hostile, tmp_path):
    prom = tmp_path / "out.prom"
    code, out = _specgen("monitor", hostile / "spec.yaml", "--current", hostile / "data" / "train.parquet",
                         "--serving-features", hostile / "data" / "train.parquet",
                         "--model-trained-at", str(time.time() - 86400), "--metrics-out", prom)
    assert code == 0, out
    application = {"hostile_request_duration_seconds_bucket", "hostile_requests_total"}
    checked = _assert_rules_use_exported_series(hostile / "generated" / "hostile" / "hostile_alerts.yml",
                                                _exported(prom.read_text()), application)
    # drift (measure and its limit), skew per feature; schema, stale, age, non-finite, bias
    assert checked == 3 * 2 + 3 + 5
