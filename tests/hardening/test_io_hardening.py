"""Issue 16, the I/O findings: infer's draft (S3, W3, C3, C11), the Pushgateway push (S4, H1, C7),
timestamps (W2), JSON output (W6/W7), 0-row Parquet and located spec errors (C4).
Each test failed before its fix."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import json
import math
import threading
import time

import numpy as np
import polars as pl
import pytest
import yaml

from specgen.api import infer_spec, load_spec, parse_timestamp
from specgen.errors import SpecError, SpecgenError
from specgen.infer import policy
from specgen.runtime import io
from specgen.runtime.exposition import PushError, push

from tests.gateway import Gateway
from tests.helpers import run_cli

from .helpers import PENGUINS, spec_error_located

HOSTILE_FILE = "a\nmodel:\n  load: os:system\n.csv"


def _invoke(*args):
    """The CLI in-process (the one helper); exceptions other than SystemExit surface as tracebacks."""
    return run_cli(*args, in_process=True)


def _draft(tmp_path, file_name: str, *, schema_ref: str = "spec.schema.json", values=("a", "b")) -> dict:
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    data = folder / file_name
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("x", "y")] + [(i, values[i % 2]) for i in range(8)])
    spec = folder / "s.yaml"
    infer_spec([str(data)], spec, name="s", schema_ref=schema_ref)
    return yaml.safe_load(spec.read_text(encoding="utf-8"))


def _shape(document) -> object:
    """The keys at every level (not the values): what an injection changes."""
    if isinstance(document, dict):
        return {k: _shape(v) for k, v in document.items()}
    return type(document).__name__


def test_s3_file_name_cannot_inject_yaml(tmp_path):
    benign = _draft(tmp_path, "a.csv")
    hostile = _draft(tmp_path, HOSTILE_FILE)
    assert "model" not in hostile
    assert _shape(hostile) == _shape(benign)
    assert hostile["data"]["training"] == HOSTILE_FILE


def test_s3_schema_ref_and_category_values_cannot_inject_yaml(tmp_path):
    benign = _draft(tmp_path, "a.csv")
    for line_break in ("\n", "\r", "\x85", "\u2028", "\u2029"):
        hostile = _draft(tmp_path, "a.csv", schema_ref=f"x{line_break}model: {{load: 'os:system'}}",
                         values=(f"p{line_break}model: 1", "q"))
        assert _shape(hostile) == _shape(benign), repr(line_break)


def test_s3_non_utf8_file_name_is_a_clear_error(tmp_path):
    import os

    name = os.fsdecode(b"b\xff.csv")
    (tmp_path / name).write_text("x\n1\n2\n", encoding="utf-8")
    proc = _invoke("infer", str(tmp_path / name), "-o", str(tmp_path / "s.yaml"))
    assert proc.returncode == 2 and "SG201" in proc.stderr, proc.stderr


# -- S4 / H1 / C7: the Pushgateway push ---------------------------------------------------------------

def _drip(handler, gateway):
    """Status and headers at once, then one body byte every 0.1 s (each read is quick, the whole never ends)."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(10**9))
    handler.end_headers()
    for _ in range(600):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


def _huge(handler, gateway):
    """A 64 MiB answer (the finding used 1 GiB: 1.2 GB RSS)."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(64 << 20))
    handler.end_headers()
    block = b"0" * (1 << 16)
    for _ in range(1024):
        handler.wfile.write(block)
        gateway.sent += len(block)


def _timed_push(url: str, **kwargs) -> tuple[float, object]:
    """Push from a thread; (seconds taken, the result or the exception); at most 10 s even if push hangs."""
    outcome = []

    def run():
        try:
            outcome.append(push(url, "job", "m 1\n", **kwargs))
        except Exception as exc:  # noqa: BLE001 -- the test inspects it
            outcome.append(exc)

    start = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    return time.monotonic() - start, (outcome[0] if outcome else None)


def test_s4_url_credentials_go_as_basic_auth_never_in_the_url(no_proxy):
    with Gateway() as gateway:
        shown = push(f"http://ann:s%40cret@127.0.0.1:{gateway.port}/", "job", "m 1\n")
    (_, path, headers, _), = gateway.requests
    assert path == "/metrics/job/job"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:s@cret").decode()
    assert "ann" not in headers["Host"] and "cret" not in shown and "ann" not in shown


def test_s4_credentials_are_redacted_in_every_message(no_proxy):
    with Gateway() as gateway:
        free_port = gateway.port  # nothing listens there once the stand-in is gone
    for url in (f"http://zqxuser:hunter2@127.0.0.1:{free_port}", "http://zqxuser:hunter2@host:abc",
                "http://zqxuser:hunter2@[::1", "ftp://zqxuser:hunter2@host", "http://zqxuser:hun/ter2@host",
                "http://zqxuser:hunter2@ho st"):
        with pytest.raises(PushError) as info:
            push(url, "job", "m 1\n", timeout=5)
        assert "hunter2" not in str(info.value) and "zqxuser" not in str(info.value), str(info.value)
        assert info.value.code == "SG307"


def test_s4_auth_file_from_the_cli(tmp_path, no_proxy):
    secret = tmp_path / "push.auth"
    secret.write_text("ann:hunter2\n", encoding="utf-8")
    serving = PENGUINS.parent / "data" / "serving.csv"
    with Gateway() as gateway:
        proc = _invoke("monitor", PENGUINS, "--current", serving, "--format", "json",
                      "--pushgateway", f"http://127.0.0.1:{gateway.port}", "--pushgateway-auth-file", secret)
    assert proc.returncode in (0, 1), proc.stderr
    (_, path, headers, _), = gateway.requests
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:hunter2").decode()
    proc = _invoke("monitor", PENGUINS, "--current", serving, "--pushgateway", "http://127.0.0.1:9",
                  "--pushgateway-auth-file", tmp_path / "missing")
    assert proc.returncode == 2 and "SG307" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_h1_slow_drip_answer_is_cut_at_the_deadline(no_proxy):
    with Gateway(_drip) as gateway:
        took, result = _timed_push(f"http://127.0.0.1:{gateway.port}", timeout=1.0)
    assert took < 5, f"push still running after {took:.1f} s"
    assert isinstance(result, PushError) and "within 1 s" in str(result), result


def test_h1_huge_answer_is_not_read(no_proxy):
    with Gateway(_huge) as gateway:
        took, result = _timed_push(f"http://127.0.0.1:{gateway.port}", timeout=8.0)
        time.sleep(0.2)  # the stand-in notices the hang-up
    assert isinstance(result, str), result
    assert gateway.sent < 16 << 20, f"the client read {gateway.sent >> 20} MiB of the answer"


@pytest.mark.parametrize("url", ["http://[::1", "http://host:abc", "http://host:99999", "http://ho st:9091",
                                 "http://host\n:9091", "http://host:9091/\x00", "http://", "localhost:9091"])
def test_c7_malformed_pushgateway_url_is_sg307(url):
    with pytest.raises(PushError) as info:
        push(url, "job", "m 1\n", timeout=2)
    assert info.value.code == "SG307" and "\n" not in str(info.value) and "\x00" not in str(info.value)


# -- W3 / C11: infer -> validate of the very file it was inferred from -----------------------------

def _infer_then_validate(tmp_path, frame: pl.DataFrame, suffix: str = ".csv") -> tuple[dict, str]:
    data = tmp_path / f"data{suffix}"
    frame.write_csv(data) if suffix == ".csv" else frame.write_parquet(data)
    spec = tmp_path / "s.yaml"
    proc = _invoke("infer", data, "-o", spec)
    assert proc.returncode == 0, proc.stderr
    proc = _invoke("validate", spec, data)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return yaml.safe_load(spec.read_text(encoding="utf-8")), proc.stdout


def test_w3_64_bit_ids_pass_their_own_draft(tmp_path):
    ids = [1441455612345678901 + i * 7919 for i in range(200)]
    draft, _ = _infer_then_validate(tmp_path, pl.DataFrame({"id": ids, "v": [float(i % 7) for i in range(200)]}))
    lo, hi = draft["features"]["id"]["range"]
    assert lo < min(ids) and max(ids) < hi  # was [1.44145561235e18, 1.44145561235e18]: zero width, above the data
    assert "distribution" not in draft["features"]["id"]  # distinct integers: no mean band


def test_w3_ints_at_the_int64_edges_pass_their_own_draft(tmp_path):
    frame = pl.DataFrame({"top": [2**63 - 1, 2**63 - 2, 2**63 - 5, 2**63 - 100],
                          "bottom": [-2**63, -2**63 + 5, -2**63 + 9, -2**63 + 100]})
    _infer_then_validate(tmp_path, frame, ".parquet")


def test_w3_integer_range_is_exact_and_outward():
    for lo, hi in [(1441455612345678901, 1441455612347254782), (2**62 + 1, 2**62 + 3), (7, 7), (-2**63, 0)]:
        low, high = policy.numeric_range(lo, hi, True)
        assert isinstance(low, int) and isinstance(high, int) and low < lo and hi < high
        assert float(low) == low and float(high) == high  # the spec reads bounds as floats: no rounding inward


def test_c11_infinite_columns_infer_and_validate(tmp_path):
    inf = float("inf")
    frame = pl.DataFrame({"all_inf": [inf] * 6, "some_inf": [1.0, 2.0, inf, 3.0, 4.0, 5.0],
                          "neg_inf": [-inf, 1.0, 2.0, 3.0, 4.0, 5.0], "x": [1, 2, 3, 4, 5, 6]})
    draft, _ = _infer_then_validate(tmp_path, frame)
    features = draft["features"]
    assert "range" not in features["all_inf"]
    assert features["some_inf"]["range"][1] is None and features["neg_inf"]["range"][0] is None


# -- W2: --model-trained-at ------------------------------------------------------------------------

@pytest.mark.parametrize("value, says", [("nan", "finite"), ("inf", "finite"), ("-inf", "finite"),
                                         ("1e400", "finite"), ("1700000000000", "milliseconds"),
                                         ("1700000000000.5", "1700000000"), ("2999-01-01T00:00:00Z", "future"),
                                         ("4102444800", "future")])
def test_w2_bad_training_times_are_refused(value, says):
    proc = _invoke("monitor", PENGUINS, "--current", PENGUINS.parent / "data" / "serving.csv",
                  "--model-trained-at", value)
    assert proc.returncode == 2 and "SG104" in proc.stderr and says in proc.stderr, proc.stderr


def test_w2_metadata_file_in_milliseconds_and_small_skew(tmp_path):
    meta = tmp_path / "model.json"
    meta.write_text('{"trained_at": 1700000000000}', encoding="utf-8")
    with pytest.raises(SpecgenError, match="milliseconds"):
        parse_timestamp(str(meta))
    assert parse_timestamp("1700000100", now=1_700_000_000.0) == 1_700_000_100.0  # 100 s ahead: clock skew
    assert parse_timestamp("2023-11-14T22:13:20Z", now=1_800_000_000.0) == 1_700_000_000.0


# -- W6/W7: strict JSON output; a 0-row Parquet is SG203 -----------------------------------------------

def _strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"bare {constant} in --format json output")
    return json.loads(text, parse_constant=refuse)


class _Document:
    """A report/result stand-in whose numbers could not be computed."""
    ok = False

    def as_dict(self):
        return {"value": math.nan, "measures": {"psi": math.inf, "linf": -math.inf}, "n": 3,
                "shares": [np.float32("nan"), np.float64(0.5)], "pair": (math.nan, 1.5)}


@pytest.mark.parametrize("command, function", [("validate", "validate_data"), ("monitor", "monitor")])
def test_w6_json_output_has_no_bare_nan(monkeypatch, command, function):
    monkeypatch.setattr(f"specgen.api.{function}", lambda *a, **k: _Document())
    args = ["--current", "x.csv"] if command == "monitor" else ["x.csv"]
    proc = _invoke(command, PENGUINS, *args, "--format", "json")
    document = _strict_json(proc.stdout)
    assert document == {"value": None, "measures": {"psi": None, "linf": None}, "n": 3,
                        "shares": [None, 0.5], "pair": [None, 1.5]}


def test_w7_zero_row_parquet_is_sg203_like_a_header_only_csv(tmp_path):
    frame = pl.read_csv(PENGUINS.parent / "data" / "serving.csv", null_values="NA").head(0)
    frame.write_parquet(tmp_path / "empty.parquet")
    (tmp_path / "empty.csv").write_text(",".join(frame.columns) + "\n", encoding="utf-8")
    for name in ("empty.csv", "empty.parquet"):
        proc = _invoke("validate", PENGUINS, tmp_path / name, "--env", "serving")
        assert proc.returncode == 2 and "SG203" in proc.stderr and "no data rows" in proc.stderr, proc.stdout


# -- C3: time-zone-aware datetimes (read as UTC; a naive bound means UTC) -----------------------------

def _aware(zone: str = "Europe/Berlin") -> pl.DataFrame:
    times = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=7 * i) for i in range(40)]
    return pl.DataFrame({"t": times, "x": [float(i) for i in range(40)]}).with_columns(
        pl.col("t").dt.replace_time_zone(zone))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_c3_aware_datetimes_infer_then_validate(tmp_path, suffix):
    frame = _aware()
    if suffix == ".csv":
        frame = frame.with_columns(pl.col("t").dt.to_string("%Y-%m-%dT%H:%M:%S%:z"))
    draft, _ = _infer_then_validate(tmp_path, frame, suffix)
    assert draft["features"]["t"]["dtype"] == "datetime"


def test_c3_bounds_compare_in_utc(tmp_path):
    data = tmp_path / "t.parquet"
    _aware().write_parquet(data)  # earliest: 2024-01-01 00:00 Berlin = 2023-12-31 23:00 UTC
    spec = tmp_path / "s.yaml"
    for bound, failing in [("2023-12-31T22:59:00", 0), ("2023-12-31T23:01:00", 1),  # naive: UTC
                           ("2024-01-01T00:01:00+01:00", 1), ("2023-12-31T18:01:00-05:00", 1),
                           ("2023-12-31T17:59:00-05:00", 0)]:
        spec.write_text(f"spec_version: 1\nname: s\ndata: {{training: t.parquet}}\nfeatures:\n"
                        f"  t: {{dtype: datetime, range: ['{bound}', null]}}\n  x: {{dtype: float}}\n",
                        encoding="utf-8")
        proc = _invoke("validate", spec, data, "--format", "json")
        failures = _strict_json(proc.stdout)["failures"]
        assert [f["failing_rows"] for f in failures] == ([failing] if failing else []), (bound, proc.stdout)


def test_c3_naive_utc_keeps_the_instant():
    frame = io.naive_utc(_aware("America/New_York"))
    assert frame.schema["t"] == pl.Datetime("us") and frame["t"][0] == dt.datetime(2024, 1, 1, 5)


# -- C4: spec values the engines cannot honour are located spec errors ------------------------------

@pytest.mark.parametrize("feature, code, says", [
    ("{dtype: category, values: [1, 2, 3, unknown]}", "SG103", "mixes numbers"),
    ("{dtype: datetime, range: [0, 1]}", "SG104", "dates or ISO 8601"),
    ("{dtype: datetime, range: ['1700000000', null]}", "SG104", "dates or ISO 8601"),
    ("{dtype: datetime, range: [1.5, null]}", "SG104", "dates or ISO 8601"),
    ("{dtype: float, range: [true, false]}", "SG104", "not a boolean"),
    ("{dtype: int, range: [false, true]}", "SG104", "not a boolean"),
    ("{dtype: float, distribution: {mean: [yes, 2]}}", "SG104", "not a boolean"),
])
def test_c4_unusable_bounds_and_values_are_located_errors(tmp_path, feature, code, says):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"spec_version: 1\nname: s\ndata: {{training: d.csv}}\nfeatures:\n  v: {feature}\n",
                    encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    spec_error_located(info.value, spec)
    assert any(d.code == code and says in d.message and d.line == 5 for d in info.value.diagnostics), str(info.value)


@pytest.mark.parametrize("feature", ["{dtype: category, values: ['1', '2', unknown]}",
                                     "{dtype: category, values: [1, 2, 3]}",
                                     "{dtype: datetime, range: [2024-01-01, '2024-02-01T00:00:00Z']}",
                                     "{dtype: float, range: [0, 1.5]}"])
def test_c4_well_typed_specs_still_load(tmp_path, feature):
    spec = tmp_path / "s.yaml"
    spec.write_text(f"spec_version: 1\nname: s\ndata: {{training: d.csv}}\nfeatures:\n  v: {feature}\n",
                    encoding="utf-8")
    load_spec(spec)


def test_c7_malformed_url_through_the_cli_exits_2():
    proc = _invoke("monitor", PENGUINS, "--current", PENGUINS.parent / "data" / "serving.csv",
                  "--pushgateway", "http://zqxuser:hunter2@[::1")
    assert proc.returncode == 2 and "SG307" in proc.stderr and "hunter2" not in proc.stderr, proc.stderr
