"""The write stage under hostile file systems: modes (S5), two specs in one folder (D1),
concurrent compiles (D2), FIFOs (H3) and unusable ``-o`` (C8)."""
from __future__ import annotations

import functools

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from specgen.compiler.write import _atomic_write

from tests.helpers import child_env as env, run_cli

invoke = functools.partial(run_cli, in_process=True)  # the one CLI helper, without process start-up

SPEC = ("spec_version: 1\nname: tiny\ndescription: {description}\ndata: {{training: t.csv, label: y}}\n"
        "features:\n  x: {{dtype: float, range: [0, 1]}}\n")


def _spec(folder: Path, description: str = "first") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "s.yaml"
    path.write_text(SPEC.format(description=description), encoding="utf-8")
    return path


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def umask():
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


# -- S5: modes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_respect_the_umask(tmp_path, umask, mask, mode):
    """Was 0600 whatever the umask (mkstemp): Prometheus could not read the rules."""
    umask(mask)
    spec = _spec(tmp_path)
    assert invoke("compile", spec, "-o", tmp_path / "out").returncode == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out" / "tiny").iterdir()}
    assert modes and set(modes.values()) == {mode}, {k: oct(v) for k, v in modes.items()}
    target = tmp_path / "inferred.yaml"  # infer writes its spec through the same function
    _atomic_write(target, "x: 1\n")
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_an_updated_file_keeps_its_mode(tmp_path, umask):
    spec = _spec(tmp_path)
    assert invoke("compile", spec, "-o", tmp_path / "out").returncode == 0
    readme = tmp_path / "out" / "tiny" / "README.md"
    readme.chmod(0o640)
    _spec(tmp_path, "second")
    proc = invoke("compile", spec, "-o", tmp_path / "out")
    assert proc.returncode == 0 and "update" in proc.stdout, proc.stdout + proc.stderr
    assert "second" in readme.read_text(encoding="utf-8") and stat.S_IMODE(readme.stat().st_mode) == 0o640


# -- D1: two specs, one name, one -o --------------------------------------------------------------

def test_a_second_spec_with_the_same_name_is_refused(tmp_path):
    """Was: the second silently replaced the first (and deleted its monitoring files), exit 0."""
    first, second = _spec(tmp_path / "a"), _spec(tmp_path / "b", "another model")
    out = tmp_path / "out"
    assert invoke("compile", first, "-o", out).returncode == 0
    before = _tree(out)
    proc = invoke("compile", second, "-o", out)
    assert proc.returncode == 2 and "[SG301]" in proc.stderr, proc.stdout + proc.stderr
    assert "generated from ../../a/s.yaml, not from ../../b/s.yaml" in proc.stderr, proc.stderr
    assert _tree(out) == before
    check = invoke("compile", "--check", second, "-o", out)
    assert check.returncode == 1 and "generated from ../../a/s.yaml" in check.stdout, check.stdout
    assert invoke("compile", "--check", first, "-o", out).returncode == 0
    link = tmp_path / "link"  # one spec reached through a symlink is the same spec
    link.symlink_to(tmp_path / "a")
    assert invoke("compile", "--check", link / "s.yaml", "-o", out).returncode == 1  # header text differs
    assert invoke("compile", link / "s.yaml", "-o", out).returncode == 0
    forced = invoke("compile", "--force", second, "-o", out)  # the documented way to take the folder over
    assert forced.returncode == 0 and "another model" in (out / "tiny" / "README.md").read_text(encoding="utf-8")


def test_another_specs_extra_files_are_never_deleted(tmp_path):
    first, second = _spec(tmp_path / "a"), _spec(tmp_path / "b")
    out = tmp_path / "out"
    assert invoke("compile", first, "-o", out).returncode == 0
    extra = out / "tiny" / "tiny_monitoring.yaml"  # as if the first spec had monitoring
    header = (out / "tiny" / "README.md").read_text(encoding="utf-8").split("\n")[0].replace("<!-- ", "# ")
    body = "x: 1\n"
    import hashlib

    extra.write_text(header.replace(" -->", "") + "\n# specgen: spec-sha256=0 body-sha256="
                     + hashlib.sha256(body.encode()).hexdigest() + "\n" + body, encoding="utf-8")
    for name in ("README.md", "conftest.py", "test_tiny_data.py", "tiny_schema.py"):
        (out / "tiny" / name).unlink()
    proc = invoke("compile", second, "-o", out)
    assert proc.returncode == 2 and "tiny_monitoring.yaml: generated from ../../a/s.yaml" in proc.stderr, \
        proc.stdout + proc.stderr
    assert extra.exists()
    assert invoke("compile", "--force", second, "-o", out).returncode == 0 and extra.exists()


# -- D2: concurrent compiles ---------------------------------------------------------------------

def test_concurrent_compiles_of_one_spec_all_succeed(tmp_path):
    """Was: 1-3 of 10 pairs failed (one run deleted the other's in-flight temp file)."""
    spec, out = _spec(tmp_path), tmp_path / "out"
    failures = []
    for i in range(10):
        _spec(tmp_path, f"version {i}")  # every pair rewrites every file
        pair = [subprocess.Popen([sys.executable, "-m", "specgen", "compile", str(spec), "-o", str(out)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
                for _ in range(2)]
        for proc in pair:
            stdout, stderr = proc.communicate(timeout=120)
            if proc.returncode != 0:
                failures.append((i, proc.returncode, stderr))
    assert failures == []
    assert invoke("compile", "--check", spec, "-o", out).returncode == 0
    assert not [p for p in (out / "tiny").iterdir() if p.name.endswith(".tmp")]


def test_a_compile_waits_for_the_folder_lock(tmp_path):
    """Deterministic half of D2: while another writer holds the folder, a compile neither writes nor
    removes that writer's in-flight temp file; it proceeds once the lock is released."""
    import fcntl
    import time

    spec, out = _spec(tmp_path), tmp_path / "out"
    assert invoke("compile", spec, "-o", out).returncode == 0
    _spec(tmp_path, "second")
    folder = out / "tiny"
    in_flight = folder / ".README.md.abc123.tmp"
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        in_flight.write_text("half-written", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "specgen", "compile", str(spec), "-o", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
        time.sleep(3)
        assert proc.poll() is None, proc.communicate()  # waiting for the lock
        assert in_flight.read_text(encoding="utf-8") == "half-written"
        assert "second" not in (folder / "README.md").read_text(encoding="utf-8")
        in_flight.unlink()  # the other writer finishes
    finally:
        os.close(fd)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "second" in (folder / "README.md").read_text(encoding="utf-8")


# -- H3: non-regular files -----------------------------------------------------------------------

@pytest.mark.parametrize("mode", [[], ["--check"], ["--dry-run"], ["--force"]])
def test_a_fifo_where_a_file_should_be_is_an_error_not_a_hang(tmp_path, mode):
    spec, out = _spec(tmp_path), tmp_path / "out"
    (out / "tiny").mkdir(parents=True)
    os.mkfifo(out / "tiny" / "README.md")
    proc = run_cli("compile", spec, "-o", out, *mode, timeout=60)  # hung forever before
    assert "README.md" in proc.stdout + proc.stderr and "not a regular file" in proc.stdout + proc.stderr, \
        proc.stdout + proc.stderr
    assert proc.returncode == (1 if mode == ["--check"] else 0 if mode == ["--dry-run"] else 2), proc.stderr
    assert stat.S_ISFIFO(os.lstat(out / "tiny" / "README.md").st_mode)  # never replaced, never opened


def test_a_directory_where_a_file_should_be_is_a_conflict(tmp_path):
    spec, out = _spec(tmp_path), tmp_path / "out"
    (out / "tiny" / "README.md").mkdir(parents=True)
    proc = invoke("compile", spec, "-o", out)
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and "[SG301]" in proc.stderr


# -- C8: unusable -o -----------------------------------------------------------------------------

@pytest.mark.parametrize("check", [[], ["--check"]])
def test_unusable_output_folder_is_a_clear_error(tmp_path, check):
    spec = _spec(tmp_path)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for out, words in ((tmp_path / ("x" * 300), "File name too long"),
                       (tmp_path / "file" / "below", "Not a directory")):
        proc = invoke("compile", *check, spec, "-o", out)
        assert proc.returncode == 2 and words in proc.stderr and "[SG302]" in proc.stderr, proc.stderr


def test_unsearchable_output_folder_is_a_clear_error(tmp_path, monkeypatch):
    """Root ignores permissions: simulate EACCES where the writer first touches the folder."""
    spec, out = _spec(tmp_path), tmp_path / "out"
    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path).startswith(str(out)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    proc = invoke("compile", "--check", spec, "-o", out)
    assert proc.returncode == 2 and "Permission denied [SG302]" in proc.stderr, proc.stderr
