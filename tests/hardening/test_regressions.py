"""One regression test per defect the hardening tests found (the README catalogues the codes)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

from specgen.compiler.load import loads
from specgen.compiler.negatives import negatives_for
from specgen.compiler.render import environment
from specgen.errors import CODES, DataError, SpecError
from specgen.runtime import io, stats
from specgen.runtime.checks import Check
from specgen.runtime.testing import mutate

from tests.helpers import run_cli

from .helpers import REPO


def _codes(text: str) -> set[str]:
    return set(re.findall(r"SG\d{3}", text))


def test_every_code_is_catalogued_with_a_fix():
    doc = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (SG\d{3}) \| [^|]+ \| ([^|]+) \|$", doc, re.M)}
    assert set(rows) == set(CODES), set(CODES) ^ set(rows)
    used = set().union(*(_codes(p.read_text(encoding="utf-8")) for p in (REPO / "specgen").rglob("*.py")))
    assert used - {"SG000"} <= set(CODES), used - set(CODES)


@pytest.mark.parametrize("text, code", [
    ("a: 1" + "0" * 5000 + "\n", "SG002"),  # int too long for Python's str->int limit (was ValueError)
    ("a: 2020-13-45\n", "SG002"),  # impossible date (was ValueError)
    ("2020-02-30: x\n", "SG002"),  # ... as a key
    ("a: " + "[" * 300 + "]" * 300 + "\n", "SG004"),  # deep nesting (was RecursionError)
    ("a: &a [1, *a]\n", "SG004"),  # recursive alias
    ("~: 1\n", "SG104"),  # null key (became a column named 'None')
    ("a: !!python/object/apply:os.system [ls]\n", "SG004"),  # tag on a collection was silently dropped
    ("a: b\x00\n", "SG002"),  # reader error had no line
])
def test_loader_defects(text, code):
    with pytest.raises(SpecError) as info:
        loads(text, "s.yaml")
    assert info.value.diagnostics[0].code == code and info.value.diagnostics[0].line is not None, str(info.value)


def test_yaml_bool_key_is_its_text():
    assert loads("on: 1\nyes: 2\n", "s.yaml").data == {"on": 1, "yes": 2}


def test_csv_header_with_quotes_reads_verbatim(tmp_path):
    path = tmp_path / "q.csv"
    pl.DataFrame({'say "hi"': [1, 2], '"lead': ["a", "b"]}).write_csv(path)  # polars 2.1 read back 'say ""hi""'
    frame = io.read_polars(path, {'"lead': "string"})
    assert frame.columns == ['say "hi"', '"lead'] and frame.schema['"lead'] == pl.String


def test_header_only_csv_is_empty_not_all_text(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_polars(path, {})
    assert info.value.code == "SG203"


def test_nullable_bool_column_passes_its_dtype_check():
    assert stats.dtype_matches(pd.Series([True, None, False], dtype=object), "bool")
    assert not stats.dtype_matches(pd.Series([True, "x"], dtype=object), "bool")


def test_duplicate_negative_copies_a_real_value_not_a_null():
    frame = pd.DataFrame({"s": [None, "a", "b"]})
    assert mutate(frame, "s", "copy_first")["s"].dropna().duplicated().any()
    assert mutate(pd.DataFrame({"x": [None, 1.0, 2.0]}), "x", "set_all_first")["x"].nunique() == 1


def test_mean_negative_lies_clearly_outside_the_bound():
    hi = 9.484961287906643  # n copies of nextafter(hi) averaged back to hi
    (negative,) = negatives_for(Check("mean", "x", {"min": None, "max": hi}), "float")
    assert pd.Series([negative.value] * 33).mean() > hi


def test_seed_outside_numpy_range_is_a_spec_error(tmp_path):
    spec = (REPO / "examples/penguins/spec.yaml").read_text(encoding="utf-8").replace("global: 1234", "global: -1")
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    proc = run_cli("compile", path, in_process=True)
    assert proc.returncode == 2 and "seeds.global" in proc.stderr and "[SG104]" in proc.stderr, proc.stderr


def test_user_templates_are_sandboxed(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "README.md.jinja").write_text(
        "{{ plan.__class__.__init__.__globals__['os'].system('touch pwned') }}", encoding="utf-8")
    env = environment(tmp_path / "tpl")
    with pytest.raises(Exception) as info:
        env.get_template("README.md.jinja").render(plan=Path("x"))
    assert "unsafe" in str(info.value) or "undefined" in str(info.value).lower()
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
