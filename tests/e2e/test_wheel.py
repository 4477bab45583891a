"""A built, non-editable wheel carries the templates and compiles from them."""
from __future__ import annotations

import sys
import zipfile

import pytest

from tests.helpers import EXAMPLES, ROOT, run


@pytest.mark.slow  # builds and installs a wheel with pip (~15-20 s); `make test-slow`
def test_wheel_ships_templates_and_compiles(tmp_path):
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT),
                timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("specgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "specgen/templates/schema.py.jinja" in names and "specgen/templates/test_data.py.jinja" in names
    assert {"specgen/report/templates/page.html.jinja", "specgen/report/templates/draw.js"} <= set(names)
    site = tmp_path / "site"  # a real (non-editable) install of the wheel, on its own
    installed = run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel))
    assert installed.returncode == 0, installed.stderr[-2000:]
    code = ("import specgen, sys; from specgen.compiler.render import _builtin_dir; "
            "assert specgen.__file__.startswith(sys.argv[1]), specgen.__file__; "
            "assert str(_builtin_dir()).startswith(sys.argv[1]), _builtin_dir(); "
            "from specgen.api import compile_spec; r = compile_spec(sys.argv[2], sys.argv[3]); "
            "print(sorted({f.status for f in r.files}), sorted(f.path.name for f in r.files))")
    result = run(sys.executable, "-c", code, str(site), str(EXAMPLES / "penguins" / "spec.yaml"), str(tmp_path / "out"),
                 env={"PYTHONPATH": str(site)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    committed = sorted(p.name for p in (EXAMPLES / "penguins" / "generated" / "penguins").iterdir() if p.is_file())
    assert result.stdout.strip() == f"['create'] {committed}"
