"""``specgen monitor`` after ``compile -o DIR`` finds the config compile wrote (issue 12: it said
"monitoring config not found; run specgen compile" although compile had run)."""
from __future__ import annotations

import shutil

from tests.helpers import run_cli


def test_monitor_finds_the_config_compiled_with_an_out_dir(penguins):
    spec = penguins / "spec.yaml"
    shutil.rmtree(penguins / "generated")
    run_cli("compile", spec, "-o", penguins / "build", expect=0)
    found = run_cli("monitor", spec, "--current", penguins / "data" / "serving.csv", "--format", "json")
    assert found.returncode == 0, found.output[-3000:]
    assert '"ok": true' in found.stdout


def test_a_config_out_of_reach_is_an_error_naming_the_config_option(penguins, tmp_path):
    """With the spec's baseline at hand monitor runs ad hoc (the numbers the config out of reach would
    give: tests/e2e/test_monitor_adhoc.py); without it the error names --config among the ways out."""
    spec = penguins / "spec.yaml"
    shutil.rmtree(penguins / "generated")
    run_cli("compile", spec, "-o", tmp_path / "elsewhere", expect=0)
    adhoc = run_cli("monitor", spec, "--current", penguins / "data" / "serving.csv", expect=0)
    assert "monitoring config: ad hoc: built from" in adhoc.output
    (penguins / "penguins_baseline.json").unlink()
    lost = run_cli("monitor", spec, "--current", penguins / "data" / "serving.csv", expect=2)
    assert "monitoring config not found" in lost.output and "[SG305]" in lost.output, lost.output
    assert "if you compiled with -o DIR, pass --config DIR/penguins/penguins_monitoring.yaml" in lost.output
    config = tmp_path / "elsewhere" / "penguins" / "penguins_monitoring.yaml"
    run_cli("monitor", spec, "--current", penguins / "data" / "serving.csv", "--config", config, expect=0)
