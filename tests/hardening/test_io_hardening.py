"""Issue 16, the I/O findings: infer's draft (S3, W3, C3, C11), the Pushgateway push (S4, H1, C7),
timestamps (W2), JSON output (W6/W7), 0-row Parquet and located spec errors (C4).
Each test failed before its fix."""
from __future__ import annotations

import csv

import yaml

from specgen.api import infer_spec

from .helpers import invoke

HOSTILE_FILE = "a\nmodel:\n  load: os:system\n.csv"


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
    proc = invoke("infer", str(tmp_path / name), "-o", str(tmp_path / "s.yaml"))
    assert proc.returncode == 2 and "SG201" in proc.stderr, proc.stderr
