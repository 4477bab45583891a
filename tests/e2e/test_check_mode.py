"""--check catches stale, hand-edited, missing and extra files; writes never clobber edits."""
from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from tests.helpers import run_cli


def _generated(penguins):
    return penguins / "generated" / "penguins"


def _snapshot(directory):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir()) if p.is_file()}


def test_check_passes_on_committed_output_and_writes_nothing(penguins):
    before = _snapshot(_generated(penguins))
    result = run_cli("compile", "--check", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _snapshot(_generated(penguins)) == before


def _stale(penguins):
    spec = penguins / "spec.yaml"
    spec.write_text(spec.read_text().replace("range: [2007, 2009]", "range: [2007, 2010]"))
    return "stale"


def _edited(penguins):
    path = _generated(penguins) / "penguins_schema.py"
    path.write_text(path.read_text().replace("le=2009", "le=3000"))
    return "edited"


def _missing(penguins):
    (_generated(penguins) / "conftest.py").unlink()
    return "missing"


def _extra(penguins):
    src = _generated(penguins) / "README.md"
    (_generated(penguins) / "OLD.md").write_text(src.read_text())
    return "extra"


@pytest.mark.parametrize("damage", [_stale, _edited, _missing, _extra], ids=lambda f: f.__name__[1:])
def test_check_reports_each_problem_and_exits_1(penguins, damage):
    status = damage(penguins)
    before = _snapshot(_generated(penguins))
    result = run_cli("compile", "--check", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 1
    assert any(line.split()[0] == status for line in result.stdout.splitlines() if line.strip()), result.stdout
    assert "out of date" in result.stderr
    assert _snapshot(_generated(penguins)) == before, "--check must never write"


def test_hand_edited_file_is_not_overwritten_without_force(penguins):
    _edited(penguins)
    path = _generated(penguins) / "penguins_schema.py"
    edited = path.read_bytes()
    result = run_cli("compile", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 2 and "[SG301]" in result.stderr and "edited by hand" in result.stderr
    assert path.read_bytes() == edited
    result = run_cli("compile", "--force", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 0 and b"le=3000" not in path.read_bytes()


def test_foreign_file_is_not_overwritten(penguins):
    path = _generated(penguins) / "conftest.py"
    path.write_text("# my own conftest\n")
    result = run_cli("compile", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 2 and "no header" in result.stderr
    assert path.read_text() == "# my own conftest\n"


def test_write_only_touches_changed_files_and_removes_extras(penguins):
    _stale(penguins)
    _extra(penguins)
    result = run_cli("compile", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 0, result.stderr
    assert "update" in result.stdout and "delete" in result.stdout
    assert not (_generated(penguins) / "OLD.md").exists()
    before = _snapshot(_generated(penguins))
    again = run_cli("compile", str(penguins / "spec.yaml"), in_process=True)
    assert again.returncode == 0 and set(line.split()[0] for line in again.stdout.splitlines()) == {"identical"}
    assert _snapshot(_generated(penguins)) == before  # identical files are not rewritten (mtimes kept)
    assert run_cli("compile", "--check", str(penguins / "spec.yaml"), in_process=True).returncode == 0


def test_dry_run_writes_nothing(penguins):
    _stale(penguins)
    before = _snapshot(_generated(penguins))
    result = run_cli("compile", "--dry-run", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 0 and "update" in result.stdout
    assert _snapshot(_generated(penguins)) == before


def test_output_is_deterministic_across_hash_seeds(penguins, tmp_path):
    outputs = []
    for seed in ("0", "1"):
        out = tmp_path / f"out{seed}"
        result = run_cli("compile", "-o", str(out), str(penguins / "spec.yaml"), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in (out / "penguins").iterdir()})
    assert outputs[0] == outputs[1]
    assert all(b"/tmp" not in text and os.fsencode(str(tmp_path)) not in text for text in outputs[0].values())


# -- compile is pure: the committed baseline, never the data or the model -------------------------

def test_check_passes_without_the_data_and_the_model(penguins):
    """A checkout holding only the spec, its committed baseline and the generated files (as a
    pre-commit hook or a CI job without the data has): compile --check reads nothing else."""
    kept = {"spec.yaml", "penguins_baseline.json", "generated"}
    for path in penguins.iterdir():
        if path.name not in kept:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert sorted(p.name for p in penguins.iterdir()) == sorted(kept)
    result = run_cli("compile", "--check", str(penguins / "spec.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {line.split()[0] for line in result.stdout.splitlines()} == {"identical"}


def _baseline_problem(penguins, status, *, files_current=True):
    spec = str(penguins / "spec.yaml")
    before = _snapshot(_generated(penguins))
    for args in (("--check",), ()):
        result = run_cli("compile", *args, spec)
        assert result.returncode == 1, result.stdout + result.stderr
        lines = [line.split() for line in result.stdout.splitlines()]
        assert [status, str(penguins / "penguins_baseline.json")] in [line[:2] for line in lines], result.stdout
        assert f"run: specgen baseline {spec}" in result.stderr
        if args:
            assert ("out of date" in result.stderr) != files_current, result.stderr
            assert _snapshot(_generated(penguins)) == before, "--check must never write"
    for name in ("penguins_monitoring.yaml", "penguins_alerts.yml", "penguins_alerts_test.yml"):
        assert before[name][0] == (_generated(penguins) / name).read_bytes()  # kept, never deleted


def test_missing_baseline_is_its_own_status(penguins):
    (penguins / "penguins_baseline.json").unlink()
    _baseline_problem(penguins, "no-baseline")


def test_baseline_older_than_the_spec_is_its_own_status(penguins):
    spec = penguins / "spec.yaml"
    spec.write_text(spec.read_text().replace("  bins: 5\n", "  bins: 6\n"))  # new bins need new statistics
    _baseline_problem(penguins, "old-baseline", files_current=False)
    result = run_cli("baseline", str(spec))
    assert result.returncode == 0 and result.stdout.split()[0] == "update", result.stdout + result.stderr
    assert run_cli("compile", str(spec)).returncode == 0
    assert run_cli("compile", "--check", str(spec)).returncode == 0


def test_threshold_change_keeps_the_baseline(penguins):
    """Only what the statistics depend on makes a baseline old: a threshold is compiled, not measured."""
    spec = penguins / "spec.yaml"
    spec.write_text(spec.read_text().replace("threshold: 0.3}", "threshold: 0.35}"))
    result = run_cli("compile", str(spec))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "update" in result.stdout and "baseline" not in result.stdout


def test_baseline_is_deterministic_and_committed(penguins):
    committed = (penguins / "penguins_baseline.json").read_bytes()
    for seed in ("0", "1"):
        result = run_cli("baseline", str(penguins / "spec.yaml"), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0 and result.stdout.split()[0] == "identical", result.stdout + result.stderr
    assert (penguins / "penguins_baseline.json").read_bytes() == committed
    header = json.loads(committed)["header"]
    assert header["format"] == "specgen-baseline/1" and header["data"]["path"] == "data/train.csv"
    assert header["data"]["sha256"] == hashlib.sha256((penguins / "data" / "train.csv").read_bytes()).hexdigest()


def test_baseline_check_sees_new_data(penguins):
    """compile cannot see the data; `specgen baseline --check` recomputes and exits 1 when it moved."""
    train = penguins / "data" / "train.csv"
    lines = train.read_text().splitlines(keepends=True)
    train.write_text("".join(lines[:-20]))  # 20 rows fewer
    result = run_cli("baseline", "--check", str(penguins / "spec.yaml"))
    assert result.returncode == 1 and result.stdout.split()[0] == "stale", result.stdout + result.stderr
    assert "run: specgen baseline" in result.stderr
    assert run_cli("compile", "--check", str(penguins / "spec.yaml")).returncode == 0  # compile never reads it


def test_baseline_of_a_spec_without_monitoring_is_unneeded():
    from tests.helpers import EXAMPLES

    spec = EXAMPLES / "diabetes" / "spec.yaml"
    result = run_cli("baseline", str(spec))
    assert result.returncode == 0 and result.stdout.split()[0] == "unneeded", result.stdout + result.stderr
    assert not (spec.parent / "diabetes_baseline.json").exists()


def _foreign(penguins):
    (_generated(penguins) / "conftest.py").write_text("# my own conftest\n")
    return "conflict"


@pytest.mark.parametrize("damage", [_stale, _edited, _missing, _extra, _foreign], ids=lambda f: f.__name__[1:])
def test_check_hint_is_a_command_that_fixes_it(penguins, damage):
    """Regression: the hint said plain `specgen compile`, which refuses a hand-edited file (SG301)."""
    needs_force = damage(penguins) in ("edited", "conflict")
    hint = run_cli("compile", "--check", str(penguins / "spec.yaml"), in_process=True, expect=1).stderr
    command = hint.split("run: ", 1)[1].split(" (", 1)[0].split()
    assert command[:2] == ["specgen", "compile"] and ("--force" in command) == needs_force, hint
    if needs_force:
        assert "overwrites those edits" in hint, hint
        assert ("conftest.py" in hint) != ("penguins_schema.py" in hint), hint  # names the edited file
    run_cli(*command[1:], in_process=True, expect=0)
    run_cli("compile", "--check", str(penguins / "spec.yaml"), in_process=True, expect=0)


def test_check_hint_keeps_the_output_folder(penguins, tmp_path):
    out = tmp_path / "build"
    run_cli("compile", "-o", str(out), str(penguins / "spec.yaml"), in_process=True, expect=0)
    (out / "penguins" / "conftest.py").unlink()
    hint = run_cli("compile", "--check", "-o", str(out), str(penguins / "spec.yaml"), in_process=True, expect=1).stderr
    assert f"run: specgen compile -o {out} " in hint, hint
