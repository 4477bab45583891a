"""The pre-commit hooks and the GitHub Actions example: valid YAML, and their commands really work."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import sys

import pytest
import yaml

from tests.helpers import ROOT, run, run_cli

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"


def _hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text())}


def test_hooks_file_declares_a_check_and_a_regenerate_hook():
    hooks = _hooks()
    assert set(hooks) == {"specgen-check", "specgen-compile"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["require_serial"] is True
        files = re.compile(hook["files"])
        assert files.search("examples/penguins/spec.yaml") and files.search("models/fares.yml")
        assert files.search("examples/penguins/generated/penguins/test_penguins_data.py")
        assert not files.search("src/model.py")
    assert hooks["specgen-check"]["entry"] == "specgen compile --check"
    assert hooks["specgen-compile"]["entry"] == "specgen compile"


def _hook(hook_id: str, spec, expect: int):
    """The hook's entry with the spec as its args, as pre-commit runs it (pass_filenames: false)."""
    program, *args = shlex.split(_hooks()[hook_id]["entry"])
    assert program == "specgen"
    return run_cli(*args, spec, expect=expect)


def test_check_hook_passes_when_fresh_fails_when_stale_and_compile_hook_fixes_it(penguins):
    spec = penguins / "spec.yaml"
    _hook("specgen-check", spec, expect=0)
    spec.write_text(spec.read_text().replace("range: [2007, 2009]", "range: [2007, 2010]"))
    assert "out of date" in _hook("specgen-check", spec, expect=1).stderr
    _hook("specgen-compile", spec, expect=0)
    _hook("specgen-check", spec, expect=0)


def _workflow_steps() -> tuple[dict, list[dict]]:
    doc = yaml.safe_load(WORKFLOW.read_text())
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert "pull_request" in triggers
    (job,) = doc["jobs"].values()
    return doc["env"], job["steps"]


def test_workflow_example_is_valid_and_not_active_here():
    assert not (ROOT / ".github" / "workflows").exists() or not any((ROOT / ".github" / "workflows").iterdir())
    env, steps = _workflow_steps()
    runs = "\n".join(step.get("run", "") for step in steps)
    for command in ("specgen compile --check $SPECS", "python -m pytest -q $GENERATED", "promtool test rules",
                    "specgen score"):
        assert command in runs, command
    assert {"SPECS", "GENERATED", "SPECGEN"} <= set(env)


def test_workflow_check_and_promtool_steps_run_on_an_example(penguins, promtool):
    """The workflow's own shell for `compile --check` and promtool, on the penguins example."""
    _, steps = _workflow_steps()
    wanted = [s["run"] for s in steps if "run" in s and ("compile --check" in s["run"] or "test rules" in s["run"])]
    assert len(wanted) == 2
    bin_dir = penguins / "bin"
    bin_dir.mkdir()
    shutil.copy(promtool, bin_dir / "promtool")
    (bin_dir / "specgen").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m specgen "$@"\n')  # the console script
    (bin_dir / "specgen").chmod(0o755)
    env = {"SPECS": "spec.yaml", "GENERATED": "generated/penguins", "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    for script in wanted:
        result = run("bash", "-euo", "pipefail", "-c", script, cwd=penguins, env=env)
        assert result.returncode == 0, result.output
    assert "SUCCESS" in result.output  # promtool test rules ran the generated cases


@pytest.mark.parametrize("path", [".pre-commit-hooks.yaml", "docs/ci/github-actions.yml"])
def test_readme_points_to_the_ci_files(path):
    assert path in (ROOT / "README.md").read_text()
