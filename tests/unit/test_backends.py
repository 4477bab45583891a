"""`backends: [pandas, polars, pyspark]`: a pandera schema module per backend, each reporting the same
failures as the plan (``specgen validate``) on the same corrupted data; the pyspark gaps are listed."""
from __future__ import annotations

import ast

import polars as pl
import pytest

from specgen.api import build_plan
from specgen.compiler.render import render
from specgen.runtime import engine, io, testing
from tests.helpers import EXAMPLES
from tests.unit.test_engines_agree import CASES, NEW_KINDS, NEW_KINDS_SPEC, TRAIN, _ordered

PENGUINS = (EXAMPLES / "penguins" / "spec.yaml").read_text(encoding="utf-8")
#: what the pyspark module cannot check on the penguins spec (see compiler/backends.py for why)
PYSPARK_GAPS = {("island", "shares"), ("bill_length_mm", "null_fraction"), ("bill_length_mm", "mean"),
                ("bill_length_mm", "std"), ("bill_length_mm", "quantiles"), ("bill_depth_mm", "null_fraction"),
                ("flipper_length_mm", "null_fraction"), ("body_mass_g", "null_fraction"),
                ("sex", "null_fraction"), ("penguin_id", "unique"), ("<dataset>", "rows"),
                ("<dataset>", "key_unique")}


def compile_backends(tmp_path, text: str, name: str):
    """The plan and the generated polars and pyspark modules (parsed, the polars one imported) of a spec."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace("data:\n  training: data/train.csv", f"data:\n  training: {TRAIN.as_posix()!r}")
                    .replace("serving: data/serving.csv", f"serving: {(TRAIN.parent / 'serving.csv').as_posix()!r}")
                    .replace("spec_version: 1\n", "spec_version: 1\nbackends: [pandas, polars, pyspark]\n", 1),
                    encoding="utf-8")
    plan = build_plan(spec, tmp_path)
    files = render(plan)
    paths = {}
    for backend in ("polars", "pyspark"):
        path = tmp_path / f"{plan.name}_schema_{backend}.py"
        path.write_text(files[path.name], encoding="utf-8")
        ast.parse(path.read_text(encoding="utf-8"))
        paths[backend] = path
    return plan, testing.load_module(paths["polars"], f"{name}_polars"), paths["pyspark"]


@pytest.fixture(scope="module")
def penguins(tmp_path_factory):
    return compile_backends(tmp_path_factory.mktemp("penguins_backends"), PENGUINS, "penguins_backends")


@pytest.fixture(scope="module")
def new_kinds(tmp_path_factory):
    return compile_backends(tmp_path_factory.mktemp("new_kinds_backends"), NEW_KINDS_SPEC, "new_kinds_backends")


def test_the_spec_names_its_backends_and_refuses_unknown_ones(tmp_path):
    from specgen.errors import SpecError

    plan, _, _ = compile_backends(tmp_path, PENGUINS, "penguins_backends_names")
    assert plan.backends == ("pandas", "polars", "pyspark")
    assert [m.backend for m in plan.backend_modules] == ["polars", "pyspark"]
    spec = tmp_path / "typo.yaml"
    spec.write_text(PENGUINS.replace("spec_version: 1\n", "spec_version: 1\nbackends: [pandas, polar]\n", 1))
    with pytest.raises(SpecError, match=r"backends\[1\]: backend 'polar' is not one of pandas, polars, pyspark; "
                                        r"did you mean 'polars'\?"):
        build_plan(spec, tmp_path)
    assert build_plan(EXAMPLES / "penguins" / "spec.yaml").backends == ("pandas",)  # the default


def test_polars_schema_has_real_dtypes(penguins):
    _, module, _ = penguins
    dtypes = {name: str(c.dtype) for name, c in module.TrainingSchema.to_schema().columns.items()}
    assert dtypes["bill_length_mm"] == "Float64" and dtypes["body_mass_g"] == "Int64"
    assert dtypes["island"] == "String"


@pytest.mark.parametrize("case", sorted(CASES))
def test_polars_schema_reports_what_the_plan_reports(tmp_path, penguins, case):
    plan, module, _ = penguins
    path = tmp_path / f"{case}.csv"
    CASES[case](pl.read_csv(TRAIN)).write_csv(path)
    frame = io.read_polars(path, plan.dtypes())
    ours = {f.check.key for f in engine.run_checks(frame, plan.checks("training"), "training")}
    assert set(testing.report(module.TrainingSchema, frame).failures) == ours
    assert (case == "clean") == (not ours)


@pytest.mark.parametrize("case", sorted(NEW_KINDS))
def test_polars_schema_agrees_on_order_and_relations(tmp_path, new_kinds, case):
    plan, module, _ = new_kinds
    transform, expected = NEW_KINDS[case]
    path = tmp_path / f"{case}.csv"
    transform(_ordered(pl.read_csv(TRAIN))).write_csv(path)
    frame = io.read_polars(path, plan.dtypes())
    assert set(testing.report(module.TrainingSchema, frame).failures) == expected


def test_pyspark_module_lists_its_gaps(penguins):
    """Parsed, not imported (no Spark needed): every check without a pandera.pyspark form is in GAPS,
    with its reason, and named in the module's comment."""
    _, _, path = penguins
    text = path.read_text(encoding="utf-8")
    gaps = {g.targets[0].id: g.value for g in ast.parse(text).body if isinstance(g, ast.Assign)}["GAPS"]
    listed = {(t.elts[1].value, t.elts[2].value) for t in gaps.elts if t.elts[0].value == "training"}
    assert listed == PYSPARK_GAPS
    for kind in {k for _t, k in PYSPARK_GAPS}:
        assert f"# - {kind}: " in text


def test_typed_backends_need_every_column_typed(tmp_path):
    """pandera.polars/pyspark models have no `Any` dtype: an undeclared key is a located spec error."""
    from specgen.errors import SpecError

    spec = tmp_path / "spec.yaml"
    spec.write_text("spec_version: 1\nname: t\nbackends: [pandas, polars]\n"
                    "data: {training: t.csv, key: [id]}\nfeatures:\n  x: {dtype: float}\n")
    with pytest.raises(SpecError, match=r"backends polars need a dtype for every column: declare 'id' under columns"):
        build_plan(spec, tmp_path)
    spec.write_text(spec.read_text().replace("backends: [pandas, polars]\n", ""))
    assert build_plan(spec, tmp_path).backends == ("pandas",)  # pandas alone takes it (Series[Any])


def test_backend_modules_are_deterministic_across_hash_seeds(tmp_path):
    from tests.helpers import ROOT, run_cli

    spec = ROOT / "tests" / "golden" / "all_dtypes" / "spec.yaml"
    outputs = []
    for seed in ("0", "1"):
        out = tmp_path / f"out{seed}"
        result = run_cli("compile", "-o", str(out), str(spec), env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in (out / "all_dtypes").glob("*_schema_*.py")})
    assert sorted(outputs[0]) == ["all_dtypes_schema_polars.py", "all_dtypes_schema_pyspark.py"]
    assert outputs[0] == outputs[1]
