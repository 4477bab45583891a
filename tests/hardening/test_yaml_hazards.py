"""YAML hazards: every hostile spec either loads as intended or fails with a
located SpecError (file:line + SG code), and the CLI exits 2 without a traceback."""
from __future__ import annotations

import shutil
import time
import tracemalloc

import pytest

from specgen.compiler.load import MAX_DEPTH, loads
from specgen.compiler.validate import validate
from specgen.errors import SpecError

from tests.helpers import EXAMPLES

from .helpers import PENGUINS_TEXT, assert_user_error, run_cli, spec_error_located

BASE = PENGUINS_TEXT.replace("../../specs/spec.schema.json", "spec.schema.json")


def sub(old: str, new: str) -> bytes:
    assert old in BASE, old
    return BASE.replace(old, new, 1).encode("utf-8")


def laughs(levels: int = 9, width: int = 9) -> bytes:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return ("\n".join(lines) + "\n").encode()


#: name -> (spec bytes, expected): "ok", or (SG code, line of the first diagnostic or None = any line)
HAZARDS = {
    "duplicate_top_key": (BASE.encode() + b"name: other\n", ("SG003", BASE.count("\n") + 1)),
    "duplicate_feature": (sub("  year:", "  sex: {dtype: bool}\n  year:"), ("SG003", 29)),
    "duplicate_in_flow": (sub("range: [2007, 2009]}", "range: [2007, 2009], dtype: float}"), ("SG003", 29)),
    "billion_laughs": (laughs(), ("SG004", None)),
    "recursive_alias": (b"a: &a [1, *a]\n", ("SG004", 1)),
    "merge_key": (sub("  bill_depth_mm: {dtype: float,", "  bill_depth_mm: {<<: {x: 1}, dtype: float,"),
                  ("SG004", 25)),
    "nan_bound": (sub("range: [25, 70]", "range: [.nan, 70]"), ("SG104", 22)),
    "inf_bound": (sub("range: [25, 70]", "range: [25, .inf]"), ("SG104", 22)),
    "nan_default": (sub("range: [10, 25],", "range: [10, 25], default: .NaN,"), ("SG104", 25)),
    "inf_share": (sub("Dream: 0.36", "Dream: -.inf"), ("SG104", 19)),
    "float_overflow": (sub("range: [25, 70]", "range: [25, 1e400]"), ("SG104", 22)),
    "tab_indent": (sub("  bill_depth_mm:", "\tbill_depth_mm:"), ("SG002", 25)),
    "tab_after_colon": (sub("name: penguins", "name:\tpenguins"), ("SG002", 3)),
    "bom": (b"\xef\xbb\xbf" + BASE.encode(), "ok"),
    "latin1_bytes": (sub("Biscoe, Dream", "Bisc\u00e9, Dream").replace("é".encode(), b"\xe9"), ("SG001", 18)),
    "utf16": (BASE.encode("utf-16"), ("SG001", 1)),
    "nul_byte": (sub("name: penguins", "name: pen\x00guins"), ("SG002", 3)),
    "empty": (b"", ("SG005", 1)),
    "only_comments": (b"# nothing here\n\n", ("SG005", 1)),
    "top_level_list": (b"- spec_version: 1\n- name: x\n", ("SG005", 1)),
    "top_level_scalar": (b"penguins\n", ("SG005", 1)),
    "features_is_list": (sub("features:\n  island:", "features:\n  - island\nother_features:\n  island:"),
                         ("SG104", 15)),
    "range_is_mapping": (sub("range: [25, 70]", "range: {min: 25, max: 70}"), ("SG104", 22)),
    "huge_int_bound": (sub("range: [160, 240]", "range: [160, 1" + "0" * 400 + "]"), ("SG104", 26)),
    "huge_int_5000_digits": (sub("global: 1234", "global: 1" + "0" * 5000), ("SG002", 7)),
    "huge_seed": (sub("global: 1234", "global: 99999999999999999999"), ("SG104", 7)),
    "negative_seed": (sub("global: 1234", "global: -1"), ("SG104", 7)),
    "long_name_ok": (sub("  year:", "  " + "y" * 200 + ":"), "ok"),
    "long_name_201": (sub("  year:", "  " + "y" * 201 + ":"), ("SG106", 15)),
    "long_name_5000": (sub("  year:", "  " + "y" * 5000 + ":"), ("SG002", 29)),
    "long_model_name": (sub("name: penguins", "name: " + "p" * 64), ("SG106", 3)),
    "int_key": (sub("  year:", "  2007:"), ("SG104", 29)),
    "bool_key": (sub("  year:", "  yes:"), "ok"),  # YAML 1.1 bool as a key: the text is the name
    "true_key": (sub("  year:", "  true:"), "ok"),
    "null_key": (sub("  year:", "  ~:"), ("SG104", 29)),
    "complex_key": (sub("  year:", "  ? [a, b]\n  :"), ("SG004", 29)),
    "python_tag": (sub("name: penguins", "name: !!python/object/apply:os.system [touch pwned]"), ("SG004", 3)),
    "binary_tag": (sub("name: penguins", "name: !!binary cGVuZ3VpbnM="), ("SG004", 3)),
    "set_tag": (sub("values: [female, male]", "values: !!set {female, male}"), ("SG004", 28)),
    "custom_tag": (sub("name: penguins", "name: !shell penguins"), ("SG004", 3)),
    "bad_timestamp": (sub("description: >", "seed_date: 2020-13-45\ndescription: >"), ("SG002", 4)),
    "deep_nesting": (b"a: " + b"[" * 500 + b"]" * 500 + b"\n", ("SG004", 1)),
    "depth_limit_ok": (sub("description: >", "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
                           + "\ndescription: >"), ("SG101", 4)),
    "two_documents": (BASE.encode() + b"---\nname: x\n", ("SG002", BASE.count("\n") + 1)),
}


def _load(data: bytes, name: str = "spec.yaml"):
    return validate(loads(data, name))


@pytest.mark.parametrize("name", sorted(HAZARDS))
def test_hazard_in_process(name):
    data, expected = HAZARDS[name]
    if expected == "ok":
        spec = _load(data)
        assert spec.name.startswith("p")
        if name in ("bool_key", "true_key"):
            assert set(spec.features) >= {"yes" if name == "bool_key" else "true"}
        return
    with pytest.raises(SpecError) as info:
        _load(data)
    spec_error_located(info.value, "spec.yaml")
    code, line = expected
    first = info.value.diagnostics[0]
    assert first.code == code, str(info.value)
    if line is not None:
        assert first.line == line, str(info.value)


def test_very_long_key_says_why():
    with pytest.raises(SpecError) as info:
        _load(HAZARDS["long_name_5000"][0])
    assert "longer than 1024" in str(info.value), str(info.value)


def test_duplicate_key_names_both_lines():
    with pytest.raises(SpecError) as info:
        _load(HAZARDS["duplicate_feature"][0])
    text = str(info.value)
    assert "spec.yaml:29:3" in text and "first defined on line 28" in text, text


def test_duplicate_keys_collects_every_one():
    data = b"spec_version: 1\nname: a\nname: b\ndata: {training: t.csv}\ndata: {training: u.csv}\n"
    with pytest.raises(SpecError) as info:
        loads(data, "spec.yaml")
    assert [(d.line, d.code) for d in info.value.diagnostics] == [(3, "SG003"), (5, "SG003")]


def test_billion_laughs_rejected_fast_with_small_memory():
    data = laughs(levels=10, width=10)  # 10**10 leaves if expanded
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(SpecError) as info:
        loads(data, "bomb.yaml")
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"billion laughs: rejected in {elapsed * 1000:.1f} ms, peak {peak / 1024:.0f} KiB traced")
    assert "alias bomb" in str(info.value)
    # generous ceilings (CI noise); before the fix this took ~0.7 s and ~45 MB
    assert peak < 5 * 1024 * 1024, peak
    assert elapsed < 0.5, elapsed


def test_aliases_within_budget_still_load():
    data = sub("features:\n", "x-defaults: &f {dtype: float, range: [0, 1]}\nfeatures:\n  z: *f\n")
    with pytest.raises(SpecError) as info:  # the extension key is unknown; the alias itself is fine
        _load(data)
    assert [d.code for d in info.value.diagnostics] == ["SG101"]


@pytest.mark.parametrize("name", ["duplicate_feature", "billion_laughs", "nan_bound", "tab_indent", "latin1_bytes",
                                  "empty", "top_level_list", "huge_int_5000_digits", "long_name_5000", "null_key",
                                  "deep_nesting", "python_tag"])
def test_hazard_via_cli(tmp_path, name):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(HAZARDS[name][0])
    proc = run_cli("compile", spec)
    assert_user_error(proc, spec)
    assert not (tmp_path / "generated").exists()
    assert not (tmp_path / "pwned").exists()


def test_bom_spec_compiles_via_cli(tmp_path):
    shutil.copy(EXAMPLES / "penguins" / "penguins_baseline.json", tmp_path)  # compile reads it, never the data
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(HAZARDS["bom"][0])
    proc = run_cli("compile", spec, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "generated" / "penguins" / "penguins_schema.py").is_file()


def test_unreadable_and_missing_spec_via_cli(tmp_path):
    assert_user_error(run_cli("compile", tmp_path / "nope.yaml"), tmp_path / "nope.yaml", line=False)
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    err = assert_user_error(run_cli("compile", folder), folder, line=False)  # ours, not click's usage text
    assert len(err.strip().splitlines()) == 2 and "is a directory" in err, err
