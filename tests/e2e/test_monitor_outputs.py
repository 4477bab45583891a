"""Where `specgen monitor` sends its metrics: a file that cannot be written never loses the report."""
from __future__ import annotations

import json

from tests.helpers import run_cli


def test_missing_metrics_folder_prints_the_report_then_exits_2(penguins, tmp_path):
    """Regression: SG302 used to be raised before anything was printed, losing the whole report."""
    target = tmp_path / "no" / "such" / "folder" / "penguins.prom"
    args = ("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv",
            "--metrics-out", target)
    result = run_cli(*args, "--format", "json", in_process=True, expect=2)
    report = json.loads(result.stdout)  # the whole report, still valid JSON on stdout
    assert report["name"] == "penguins" and report["rows"] > 0
    assert "SG302" in result.stderr and f"{target.parent} does not exist" in result.stderr, result.stderr
    text = run_cli(*args, in_process=True, expect=2)
    assert "penguins" in text.stdout and text.stdout.strip(), text.output
    assert not target.parent.exists()
    run_cli(*args[:-1], tmp_path / "penguins.prom", in_process=True, expect=0)  # a folder that exists: exit 0
    assert "specgen_penguins_last_success_timestamp_seconds" in (tmp_path / "penguins.prom").read_text()
