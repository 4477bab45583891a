"""specgen live on the support_routing example: late labels, slices, bias, canary verdicts, the labelling
sample, real-world metrics, Prometheus output; the same report from Parquet, DuckDB and PostgreSQL."""
from __future__ import annotations

import importlib.util
import re
import json
from datetime import datetime, timedelta

import polars as pl
import pytest

from specgen.api_live import live
from tests.helpers import EXAMPLES, run, run_cli
from tests.postgres import load_frame

SPEC = EXAMPLES / "support_routing" / "spec.yaml"
#: a smaller log than the example's default: enough canary rows in every slice to decide, cheap to build
DAYS, PER_DAY = 14, 3000


def _generator():
    spec = importlib.util.spec_from_file_location("make_logs", EXAMPLES / "support_routing" / "make_logs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_logs = _generator()


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """The example's log (canary worse on German tickets) as Parquet files and a DuckDB file."""
    out = tmp_path_factory.mktemp("live_logs")
    make_logs.write(make_logs.simulate(7, DAYS, PER_DAY), out, duckdb_file=True)
    return out


def _live_json(*args, expect):
    result = run_cli("live", SPEC, *args, "--format", "json", in_process=True, expect=expect)
    return json.loads(result.stdout)


def _parquet(logs):
    return ["--predictions", logs / "predictions.parquet", "--labels", logs / "labels.parquet",
            "--outcomes", logs / "outcomes.parquet"]


def test_the_canary_regression_on_one_slice_is_rolled_back(logs, tmp_path):
    prom = tmp_path / "live.prom"
    report = _live_json(*_parquet(logs), "--metrics-out", prom, expect=1)
    canary = report["canary"]
    assert canary["verdict"] == "roll back"
    worse = [(t["slice"], t["metric"]) for t in canary["tests"] if t["worse"]]
    assert worse == [("german", "accuracy")], canary["tests"]  # found on the slice, not overall
    german = next(t for t in canary["tests"] if t["slice"] == "german")
    assert german["canary"] < german["stable"] - 0.15 and german["p_value"] < german["level"]
    assert "specgen_support_routing_live_canary_verdict -1" in prom.read_text()


def test_bias_coverage_and_delay_are_reported_per_window_and_slice(logs):
    report = _live_json(*_parquet(logs), expect=1)
    slices = {q["slice"] for q in report["quality"]}
    assert slices == {"(all)", "german", "mobile"}
    for q in report["quality"]:
        assert set(q["class_bias"]) == {"account", "billing", "technical"}
        assert abs(sum(q["class_bias"].values())) < 1e-9  # shares of the same rows: the biases cancel
        assert 0.7 < q["coverage"] < 0.95 and 20 * 3600 < q["delay_median_seconds"] < 45 * 3600
    assert report["join"]["orphan_labels"] == 0 and report["join"]["duplicate_labels"] == 0


def test_a_biased_slice_raises_a_bias_alarm_on_that_slice_only(logs, tmp_path):
    frame = pl.read_parquet(logs / "predictions.parquet")
    mobile = (pl.col("channel") == "mobile") & (pl.col("ticket_id") % 3 == 0)
    frame.with_columns(pl.when(mobile).then(pl.lit("billing")).otherwise(pl.col("predicted_team"))
                       .alias("predicted_team")).write_parquet(tmp_path / "predictions.parquet")
    report = _live_json("--predictions", tmp_path / "predictions.parquet", "--labels", logs / "labels.parquet",
                        expect=1)
    bias = [a for a in report["alarms"] if a["what"] == "bias"]
    assert {a["slice"] for a in bias} == {"mobile"}, report["alarms"]  # (misrouting also costs accuracy)
    assert len(bias) == DAYS and all(abs(a["value"]) > 0.15 for a in bias)  # every day
    quality = [q for q in report["quality"] if q["slice"] == "mobile"]
    assert all(q["class_bias"]["billing"] > 0.15 for q in quality)  # too much "billing" predicted on mobile


def test_late_duplicate_and_orphan_labels_are_counted_never_dropped(logs, tmp_path):
    labels = pl.read_parquet(logs / "labels.parquet")
    first = labels.head(3)
    orphans = pl.DataFrame({"ticket_id": [10**9, 10**9 + 1], "labelled_at": [labels["labelled_at"][0]] * 2,
                            "team": ["billing", "account"]})
    pl.concat([labels, first, orphans]).write_parquet(tmp_path / "labels.parquet")
    as_of = "2026-03-10T00:00:00"
    report = _live_json("--predictions", logs / "predictions.parquet", "--labels", tmp_path / "labels.parquet",
                        "--as-of", as_of, expect=3)
    assert report["canary"]["verdict"] == "hold"  # one day of canary before as-of: too few labels to tell
    join = report["join"]
    assert join["duplicate_labels"] == 3 and sorted(join["duplicate_label_keys"]) == sorted(first["ticket_id"])
    assert join["orphan_labels"] == 2 and join["orphan_label_keys"] == [10**9, 10**9 + 1]
    late = labels.filter(pl.col("labelled_at") >= datetime.fromisoformat(as_of)).height
    assert join["labels_after_as_of"] == late  # labels not yet arrived at as-of
    young = [q for q in report["quality"] if q["slice"] == "(all)" and q["window_start"] >= "2026-03-06"]
    assert young and all(not q["mature"] for q in young)  # coverage of young windows is not judged
    assert young[-1]["coverage"] < 0.5  # the last day's labels have mostly not arrived


def test_as_of_in_unix_seconds_is_the_same_instant_as_iso(logs):
    """--as-of reads a time as every command does (``timezones.parse_instant``): Unix seconds were refused."""
    args = ["--predictions", logs / "predictions.parquet", "--labels", logs / "labels.parquet"]
    iso = _live_json(*args, "--as-of", "2026-03-10T00:00:00", expect=3)
    seconds = _live_json(*args, "--as-of", "1773100800", expect=3)  # 2026-03-10T00:00:00Z
    assert iso["as_of"] == "2026-03-10T00:00:00" and seconds == iso


def test_an_equal_canary_is_promoted_on_20_seeded_days(tmp_path):
    """No false alarm: 20 seeds, each a simulated canary day of 10,000 tickets (10% canary), as good as stable."""
    verdicts = []
    for seed in range(20):
        out = tmp_path / str(seed)
        make_logs.write(make_logs.simulate(seed, days=2, per_day=5000, canary_from=0,
                                           canary_german_accuracy=None), out)
        report = live(SPEC, str(out / "predictions.parquet"), str(out / "labels.parquet"))
        verdicts.append(report.canary.verdict)
    assert verdicts == ["promote"] * 20


def test_the_same_report_from_parquet_duckdb_and_postgresql(logs, postgres_url):
    frames = {name: pl.read_parquet(logs / f"{name}.parquet") for name in ("predictions", "labels", "outcomes")}
    for name, frame in frames.items():
        load_frame(postgres_url, name, frame)
    reports = {}
    for kind, where in (("parquet", None), ("duckdb", f"duckdb://{logs / 'logs.duckdb'}"), ("postgres", postgres_url)):
        sources = [str(logs / f"{n}.parquet") for n in frames] if where is None else [where] * 3
        report = live(SPEC, sources[0], sources[1], outcomes=sources[2], sample_out=logs / f"{kind}.csv",
                      sample_day="2026-03-12")
        report.sample["file"] = None
        sample = (logs / f"{kind}.csv").read_text()
        reports[kind] = json.dumps(report.as_dict(), sort_keys=True, default=str) + sample
    assert reports["duckdb"] == reports["parquet"]
    assert reports["postgres"] == reports["parquet"]


def test_the_daily_sample_is_deterministic_stratified_and_rotates(logs, tmp_path):
    def sample(day: str, name: str):
        out = tmp_path / name
        run_cli("live", SPEC, *_parquet(logs), "--sample-out", out, "--sample-day", day, in_process=True, expect=1)
        return pl.read_csv(out) if out.suffix == ".csv" else pl.read_ndjson(out)

    first, again = sample("2026-03-10", "a.csv"), sample("2026-03-10", "b.jsonl")
    assert first["ticket_id"].to_list() == again["ticket_id"].to_list()  # same day: same rows
    assert first.height == 200 and first["ticket_id"].n_unique() == 200
    strata = dict(first.group_by("stratum").len().iter_rows())
    assert strata["german"] >= 25  # rare slice (6% of traffic) oversampled to the minimum
    assert set(first["stratum"]) == {"german", "mobile", "(other)"}
    served = first["served_at"].str.to_datetime()
    assert served.min() >= datetime(2026, 3, 10) and served.max() < datetime(2026, 3, 11)
    nxt = sample("2026-03-11", "c.csv")
    assert not set(nxt["ticket_id"]) & set(first["ticket_id"])  # rotates daily


def test_a_request_served_again_is_never_sampled_twice(logs, tmp_path):
    predictions = pl.read_parquet(logs / "predictions.parquet")
    day1 = predictions.filter(pl.col("served_at").dt.date() == datetime(2026, 3, 10).date())
    again = day1.with_columns(pl.col("served_at") + timedelta(days=1))  # every ticket of day 1 served again
    pl.concat([predictions, again]).sort("served_at").write_parquet(tmp_path / "predictions.parquet")
    args = ["--predictions", tmp_path / "predictions.parquet", "--labels", logs / "labels.parquet"]
    picked = {}
    for day in ("2026-03-10", "2026-03-11"):
        run_cli("live", SPEC, *args, "--sample-out", tmp_path / f"{day}.csv", "--sample-day", day, in_process=True)
        picked[day] = set(pl.read_csv(tmp_path / f"{day}.csv")["ticket_id"])
    assert len(picked["2026-03-10"]) == 200 and len(picked["2026-03-11"]) == 200
    assert not picked["2026-03-10"] & picked["2026-03-11"]
    assert not picked["2026-03-11"] & set(day1["ticket_id"])  # first seen the day before: not eligible


def test_real_world_metrics_alarm_next_to_the_model_metrics(logs, tmp_path):
    outcomes = pl.read_parquet(logs / "outcomes.parquet")
    outcomes.with_columns(pl.when(pl.int_range(pl.len()) == 5).then(0.2).otherwise(pl.col("reopen_rate"))
                          .alias("reopen_rate")).write_parquet(tmp_path / "outcomes.parquet")
    report = _live_json("--predictions", logs / "predictions.parquet", "--labels", logs / "labels.parquet",
                        "--outcomes", tmp_path / "outcomes.parquet", expect=1)
    assert [(a["what"], a["window_start"][:10]) for a in report["alarms"]] == [("outcome:reopen_rate", "2026-03-07")]
    assert len(report["outcomes"]) == DAYS


def test_metrics_file_passes_promtool(logs, tmp_path, promtool):
    prom = tmp_path / "live.prom"
    run_cli("live", SPEC, *_parquet(logs), "--metrics-out", prom, in_process=True, expect=1)
    text = prom.read_text()
    assert 'specgen_support_routing_live_metric{metric="accuracy",slice="german"}' in text
    assert 'specgen_support_routing_live_prediction_class_bias{class="billing",slice="mobile"}' in text
    checked = run(promtool, "check", "metrics", stdin=text)
    assert checked.returncode == 0, checked.output


def test_user_errors_exit_2(tmp_path, logs):
    no_live = EXAMPLES / "diabetes" / "spec.yaml"
    result = run_cli("live", no_live, "--predictions", logs / "predictions.parquet", in_process=True, expect=2)
    assert "SG230" in result.stderr
    result = run_cli("live", SPEC, "--predictions", "postgresql://u:hunter2@127.0.0.1:1/db", "--labels",
                     logs / "labels.parquet", in_process=True, expect=2)
    assert "SG220" in result.stderr and "hunter2" not in result.output
    typo = tmp_path / "spec.yaml"
    typo.write_text(SPEC.read_text().replace("  window: 1d", "  windw: 1d"))
    result = run_cli("live", typo, "--predictions", logs / "predictions.parquet", in_process=True, expect=2)
    assert "did you mean 'window'" in result.stderr


def test_live_alert_rules_pass_promtool_and_read_exported_series(logs, tmp_path, promtool):
    generated = EXAMPLES / "support_routing" / "generated" / "support_routing"
    for command in (("check", "rules", "support_routing_live_alerts.yml"),
                    ("test", "rules", "support_routing_live_alerts_test.yml")):
        checked = run(promtool, *command, cwd=generated)
        assert checked.returncode == 0, checked.output
    prom = tmp_path / "live.prom"
    run_cli("live", SPEC, *_parquet(logs), "--metrics-out", prom, in_process=True, expect=1)
    exported = set(re.findall(r"^(specgen_\w+)", prom.read_text(), re.M))
    rules = (generated / "support_routing_live_alerts.yml").read_text()
    used = set(re.findall(r"specgen_support_routing_\w+", rules))
    assert used and used <= exported, used - exported  # every rule reads a series specgen live writes


def test_hostile_column_and_table_names_stay_names(logs, tmp_path):
    """Spec names become quoted identifiers in DuckDB's SQL: a name full of SQL reads as a name."""
    import duckdb

    from specgen.runtime.sources import quote_identifier
    column, table = 'team"; DROP TABLE labels; --', "pre'dictions; --"
    db = tmp_path / "logs.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(f"CREATE TABLE {quote_identifier(table)} AS SELECT *, predicted_team AS {quote_identifier(column)}"
                    " FROM read_parquet(?)", [str(logs / "predictions.parquet")])
        con.execute("CREATE TABLE labels AS SELECT * FROM read_parquet(?)", [str(logs / "labels.parquet")])
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text().replace("{table: predictions, timestamp: served_at, prediction: predicted_team",
                                    "{table: " + json.dumps(table) + ", timestamp: served_at, prediction: "
                                    + json.dumps(column))
    spec.write_text(text.replace("    reopen_rate:", "    reopen_ratex:").split("  outcomes:")[0])
    report = live(spec, f"duckdb://{db}", f"duckdb://{db}")
    assert report.canary.verdict == "roll back"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM labels").fetchone()[0] > 0


def test_live_spec_rules(tmp_path):
    cases = {"  canary: {stable: v41, canary: v42,": ("predictions: {table: predictions, timestamp: served_at, "
                                                      "prediction: predicted_team, version: model_version}",
                                                      "predictions: {table: predictions, timestamp: served_at, "
                                                      "prediction: predicted_team}", "set live.predictions.version"),
             "max_drop": ("max_drop: {accuracy: 0.03}", "max_drop: {rmse: 0.03}", "rmse")}
    for name, (old, new, message) in cases.items():
        spec = tmp_path / "spec.yaml"
        spec.write_text(SPEC.read_text().replace(old, new))
        result = run_cli("compile", spec, "-o", tmp_path / "out", in_process=True, expect=2)
        assert message in result.stderr and "SG103" in result.stderr, result.stderr


def test_html_page_shows_the_verdict_and_the_failing_slice_self_contained_and_deterministic(logs, tmp_path):
    pages = [tmp_path / "one.html", tmp_path / "two.html"]
    for page in pages:
        result = run_cli("live", SPEC, *_parquet(logs), "--html", page, in_process=True, expect=1)
        assert "ROLL BACK" in result.stdout  # the usual output is still printed
    html = pages[0].read_text(encoding="utf-8")
    assert pages[0].read_bytes() == pages[1].read_bytes()  # same logs, same bytes
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)  # nothing fetched
    assert '<p class="verdict bad">canary: ROLL BACK; 0 alarm(s)</p>' in html
    canary = html[html.index("<h2>Canary: roll back</h2>"):html.index("</section>", html.index("Canary: roll back"))]
    worse = re.findall(r'<tr class="bad"><td>(.*?)</td><td>(.*?)</td>', canary)
    assert worse == [("german", "accuracy")], canary  # the evidence row of the failing slice, highlighted
    assert "canary worse: german accuracy" in html
    assert html.index("Canary: roll back") < html.index("Metrics per window and slice")  # the verdict first
    for title in ("Bias and labels per window and slice", "Label join", "Real-world outcomes"):
        assert f"<h2>{title}</h2>" in html
    assert re.search(r"<td>german</td><td>accuracy</td><td>[0-9.]+</td><td>&gt;= 0.75</td>", html)  # its limit


def test_html_page_that_cannot_be_written_exits_2_after_the_report(logs, tmp_path):
    target = tmp_path / "no" / "such" / "live.html"
    result = run_cli("live", SPEC, *_parquet(logs), "--format", "json", "--html", target, in_process=True,
                     expect=2)
    assert json.loads(result.stdout)["canary"]["verdict"] == "roll back"  # the report, not lost
    assert "SG302" in result.stderr and not target.parent.exists()
