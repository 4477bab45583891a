"""Pushing monitor metrics through prometheus_client: grouping keys, basic auth, TLS, the exposition format.

A real HTTP(S) server on loopback (tests/gateway.py) records every PUT (path, headers, body).
"""
from __future__ import annotations

import base64
import shutil
import ssl
import subprocess

import pytest
from prometheus_client import generate_latest, push_to_gateway
from prometheus_client.parser import text_string_to_metric_families

from specgen.api import monitor
from specgen.runtime import exposition
from tests.gateway import Gateway
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def report(compiled_examples):
    spec = compiled_examples / "penguins"
    return monitor(spec / "spec.yaml", spec / "data" / "serving.csv", model_trained_at=1700000000.5, now=1700086400.0)


def _monitor(penguins, gateway_url, *extra):
    return run_cli("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                   "--format", "json", "--pushgateway", gateway_url, *extra, in_process=True)


def test_two_replicas_push_to_two_groups(penguins, tmp_path, no_proxy):
    secret = tmp_path / "push.auth"
    secret.write_text("ann:hunter2\n", encoding="utf-8")
    with Gateway() as gateway:
        for replica in ("replica-1", "replica-2"):
            result = _monitor(penguins, gateway.url, "--pushgateway-grouping", f"instance={replica}",
                              "--pushgateway-auth-file", secret)
            assert result.returncode == 0, result.output
    paths = [path for _, path, _, _ in gateway.requests]
    assert paths == ["/metrics/job/specgen_penguins/instance/replica-1",
                     "/metrics/job/specgen_penguins/instance/replica-2"]
    for method, _, headers, body in gateway.requests:
        assert method == "PUT" and headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:hunter2").decode()
        assert b"specgen_penguins_last_success_timestamp_seconds" in body


def test_grouping_paths_match_prometheus_client(report, no_proxy):
    """Our URL for a grouping key is the one prometheus_client's push_to_gateway builds (base64 for '/' and '')."""
    grouping = {"instance": "host/a b", "zone": "", "shard": "7"}
    with Gateway() as gateway:
        exposition.push(gateway.url, "specgen_penguins", exposition.exposition(report), grouping=grouping)
        push_to_gateway(gateway.url, "specgen_penguins", exposition.registry(report), grouping_key=grouping)
    (_, ours, _, body), (_, theirs, _, their_body) = gateway.requests
    assert ours == theirs, (ours, theirs)
    assert ours.startswith("/metrics/job/specgen_penguins/instance@base64/")
    assert _samples(body.decode()) == _samples(their_body.decode())  # same metrics, specgen's number format


def _samples(text: str) -> set:
    return {(s.name, tuple(sorted(s.labels.items())), s.value) for f in text_string_to_metric_families(text)
            for s in f.samples}


def test_exposition_is_prometheus_client_families_in_the_existing_format(report):
    text = exposition.exposition(report)
    assert _samples(text) == _samples(generate_latest(exposition.registry(report)).decode())
    assert "specgen_penguins_model_trained_timestamp_seconds 1700000000.5\n" in text  # no 1.7e+09
    assert "specgen_penguins_alarms 0\n" in text  # whole numbers stay whole: unchanged for existing users
    assert [f.name for f in exposition.families(report)] == sorted(f.name for f in exposition.families(report))


@pytest.mark.parametrize("bad", ["job=x", "1abc=x", "instance", "__name__=x"])
def test_bad_grouping_key_is_an_error_before_the_run(penguins, bad, no_proxy):
    result = _monitor(penguins, "http://127.0.0.1:9", "--pushgateway-grouping", bad)
    assert result.returncode == 2 and "SG307" in result.stderr and result.stdout == "", result.output


def test_push_options_need_a_pushgateway(penguins):
    result = run_cli("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
                     "--pushgateway-grouping", "instance=a", in_process=True)
    assert result.returncode == 2 and "--pushgateway-grouping needs --pushgateway" in result.output


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 made with the openssl CLI (PEM cert, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def _tls_server(cert, key, client_cert: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if client_cert:  # mutual TLS: the same self-signed certificate is the client's
        context.load_verify_locations(cert)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def test_tls_with_a_ca_file(penguins, certificate, no_proxy):
    cert, key = certificate
    with Gateway(tls=_tls_server(cert, key, client_cert=False)) as gateway:
        unverified = _monitor(penguins, gateway.url)
        trusted = _monitor(penguins, gateway.url, "--pushgateway-ca-file", cert)
    assert unverified.returncode == 2 and "SG307" in unverified.stderr
    assert "CERTIFICATE_VERIFY_FAILED" in unverified.stderr, unverified.stderr
    assert trusted.returncode == 0, trusted.output
    assert [path for _, path, _, _ in gateway.requests] == ["/metrics/job/specgen_penguins"]


def test_mutual_tls_with_a_client_certificate(penguins, certificate, no_proxy):
    cert, key = certificate
    with Gateway(tls=_tls_server(cert, key, client_cert=True)) as gateway:
        anonymous = _monitor(penguins, gateway.url, "--pushgateway-ca-file", cert)
        mutual = _monitor(penguins, gateway.url, "--pushgateway-ca-file", cert, "--pushgateway-cert-file", cert,
                          "--pushgateway-key-file", key, "--pushgateway-grouping", "instance=tls")
    assert anonymous.returncode == 2 and "SG307" in anonymous.stderr, anonymous.output
    assert mutual.returncode == 0, mutual.output
    assert [path for _, path, _, _ in gateway.requests] == ["/metrics/job/specgen_penguins/instance/tls"]
