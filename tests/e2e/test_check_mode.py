"""--check catches stale, hand-edited, missing and extra files; writes never clobber edits."""
from __future__ import annotations

import os

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
