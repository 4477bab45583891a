"""Injection: names and strings from the spec (and the spec's own path) never execute
and never break out of their quoting, in every output kind present: Python and Markdown.

Each hostile string, if it ever ran as code, would create MARKER in the working
directory; the tests import the generated schema, run the generated suite and
assert the marker never appears."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from specgen import api
from specgen.compiler.render import md_text
from specgen.runtime import testing as sg

from tests.helpers import run_pytest

from . import strategies as S

MARKER = S.PWNED_FILE
CODE = f"__import__('pathlib').Path('{MARKER}').touch()"
HOSTILE = S.HOSTILE_NAMES + [
    f"x\n{CODE}\n#", f"x\r{CODE}\r#", f"x\u2028{CODE}", f"x\x0c{CODE}", f"{{{{ {CODE} }}}}", f"{{% {CODE} %}}",
    f"\\\n{CODE}", f"'''\n{CODE}\n'''", f'"""\n{CODE}\n"""', f"[a](javascript:{CODE})", "<!-- x -->", "--> <b>",
    f"`{CODE}`", f"${{{CODE}}}",
]


def hostile_spec() -> dict:
    features = {}
    for i, name in enumerate(HOSTILE):
        kind = ("category", "string", "float", "int", "bool")[i % 5]
        f: dict = {"dtype": kind, "description": name}
        if kind == "category":
            f["values"] = [name, f"{name}2", CODE]
            f["distribution"] = {"shares": {name: 0.4, CODE: 0.3}, "tolerance": 1.0}
        elif kind == "string":
            f["pattern"] = r"[a-z]+[0-9]+"
        features[name] = f
    return {"spec_version": 1, "name": "inject", "description": "\n".join(HOSTILE),
            "seeds": {"global": 1, "split_salt": CODE},
            "data": {"training": "data/t.csv", "label": f"label {CODE}", "key": [f"key {CODE}"]},
            "features": features, "columns": {f"key {CODE}": {"dtype": "int", "unique": True}}}


def rows(spec: dict, n: int = 20) -> dict:
    out = S.rows({**spec, "columns": spec["columns"]}, n, seed=1)
    out[spec["data"]["label"]] = [0, 1] * (n // 2)
    return out


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a hostile string that ran would create MARKER here
    spec = hostile_spec()
    folder = tmp_path / f"dir {CODE}"  # the spec's path is hostile too: it is named in every header
    folder.mkdir()
    (folder / "data").mkdir()
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    pl.DataFrame(rows(spec), strict=False).write_csv(folder / "data" / "t.csv")
    report = api.compile_spec(path)
    assert not Path(MARKER).exists()
    return tmp_path, spec, report.out_dir


def test_python_outputs_hold_names_only_as_string_constants(project):
    _root, spec, out = project
    for py in sorted(out.glob("*.py")):
        text = py.read_text(encoding="utf-8")
        tree = ast.parse(text)
        comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
        assert all(CODE not in line or line.startswith("# Code generated") for line in comments), py.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):  # no call was built from spec text
                assert CODE not in ast.unparse(node.func), f"{py.name}: {ast.unparse(node)[:200]}"
            if isinstance(node, (ast.Name, ast.FunctionDef)):  # identifiers come from naming.identifier only
                assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", getattr(node, "id", None) or node.name)
        constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        if py.name == "inject_schema.py":
            assert set(spec["features"]) <= constants  # every name survives, verbatim, as a literal
    assert not Path(MARKER).exists()


def test_generated_suite_runs_and_nothing_executes(project):
    root, _spec, out = project
    module = sg.load_module(out / "inject_schema.py", "_inject_schema")
    assert module.TrainingSchema is not None
    proc = run_pytest(out, cwd=root, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert not (root / MARKER).exists() and not (out / MARKER).exists()


def test_markdown_escapes_markup(project):
    _root, spec, out = project
    readme = (out / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert lines[0].startswith("<!-- ") and lines[0].endswith(" -->") and lines[0].count("-->") == 1
    assert lines[1].startswith("<!-- ") and lines[1].endswith(" -->")
    assert "<script>" not in readme and "<b>" not in readme and "<!-- x" not in readme
    table = [line for line in lines if line.startswith("| ") and "| feature |" in line]
    assert len(table) == len(spec["features"])
    for row in table:  # unescaped pipes delimit exactly five cells: nothing broke out of its cell
        assert len(re.findall(r"(?<!\\)\|", row)) == 6, row
    for line in lines:
        assert not re.match(r"#+ .*(import|script|pathlib)", line), line  # no heading injected
        assert "](javascript:" not in line


def test_md_text_round_trip_is_literal():
    for text in HOSTILE:
        escaped = md_text(text)
        assert "\n" not in escaped and "\r" not in escaped
        assert re.sub(r"\\(.)", r"\1", escaped) == " ".join(text.split())


def test_spec_path_cannot_inject_code_into_headers(tmp_path, monkeypatch):
    """The spec's file name reaches the header comment of every file."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / f"x\n{CODE}\n-->\n<script>.yaml"
    spec.write_text(yaml.safe_dump({"spec_version": 1, "name": "p", "data": {"training": "t.csv"},
                                    "features": {"a": {"dtype": "bool"}}}), encoding="utf-8")
    out = api.compile_spec(spec).out_dir
    for path in out.iterdir():
        head = path.read_text(encoding="utf-8").splitlines()[:2]
        assert all(CODE not in line or line.startswith(("# Code generated", "<!-- Code generated")) for line in
                   path.read_text(encoding="utf-8").splitlines()), path.name
        if path.suffix == ".md":
            inner = head[0][len("<!-- "):-len(" -->")]  # a well-formed comment: nothing closes it early
            assert head[0].endswith(" -->") and "--" not in inner, head[0]
    sg.load_module(out / "p_schema.py", "_p_schema_header")
    assert not Path(MARKER).exists()
    assert api.compile_spec(spec, check=True).problems == []  # the sanitized header still round-trips
