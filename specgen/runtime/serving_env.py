"""A stand-in for the serving environment: only the serving distributions, in a fresh isolated process.

Building a clean virtualenv per test run would need the network (or minutes of
copying); instead this links the files of the named distributions, and of
everything they require (read from their installed metadata, markers
evaluated for this interpreter, extras left out), into one temporary
directory, and runs ``python -I -S`` with ``sys.path`` = the standard library +
that directory + the model code. ``-I`` drops PYTHONPATH, the user site and
the script's directory; ``-S`` drops site-packages. An artifact that imports
any other installed package fails here with ``ModuleNotFoundError``.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

__all__ = ["closure", "link_distributions", "stdlib_paths", "run_probe", "PROBE"]

PROBE = Path(__file__).with_name("perf_probe.py")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(names) -> tuple[list[metadata.Distribution], list[str]]:
    """(installed distributions of ``names`` and all they require, names not installed)."""
    seen: dict[str, metadata.Distribution] = {}
    missing: list[str] = []
    todo = list(names)
    while todo:
        name = _canonical(todo.pop())
        if name in seen or name in missing:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        seen[name] = dist
        todo += [req for req in (_requirement(text) for text in dist.requires or ()) if req]
    return sorted(seen.values(), key=lambda d: _canonical(d.metadata["Name"])), sorted(missing)


def _requirement(text: str) -> str | None:
    """The name a requirement line needs here, or None (an extra's, or a marker false on this interpreter)."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # no packaging: keep every non-extra requirement (over-inclusive, never too strict)
        if "extra ==" in text.replace('"', "").replace("'", ""):
            return None
        match = _NAME.match(text)
        return match.group(1) if match else None
    req = Requirement(text)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None
    return req.name


def link_distributions(dists, target: Path) -> list[str]:
    """Symlink every top-level file and directory the distributions installed into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    linked = []
    for dist in dists:
        base = Path(str(dist.locate_file("")))
        tops = {Path(str(f)).parts[0] for f in dist.files or () if Path(str(f)).parts and
                not str(f).startswith("..")}
        for top in sorted(tops):
            source = base / top
            link = target / top
            if source.exists() and not link.exists() and top != "__pycache__":
                link.symlink_to(source, target_is_directory=source.is_dir())
                linked.append(top)
    return linked


def stdlib_paths() -> list[str]:
    paths = sysconfig.get_paths()
    return [p for p in dict.fromkeys([paths["stdlib"], paths["platstdlib"],
                                      str(Path(paths["platstdlib"]) / "lib-dynload")]) if Path(p).is_dir()]


def run_probe(mode: str, config: dict, workdir: Path, *, isolated: bool, timeout: float,
              env: dict | None = None) -> dict:
    """Run ``perf_probe.py MODE`` in a fresh interpreter; its JSON result (``ok`` False on any failure)."""
    config_path = workdir / f"{mode}_config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    argv = [sys.executable] + (["-I", "-S"] if isolated else []) + [str(PROBE), mode, str(config_path)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, cwd=workdir)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"the fresh process did not finish within {timeout:g} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = " ".join((proc.stderr or proc.stdout).split())[-500:]
        return {"ok": False, "error": f"the fresh process exited {proc.returncode}: {tail}"}
