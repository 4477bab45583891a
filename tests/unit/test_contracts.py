"""specgen.runtime.contracts: frozen, standard library only, rendered as code that rebuilds them, one definition
per shared name."""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import specgen.runtime.contracts as contracts
from specgen.compiler.contract_code import class_names
from specgen.compiler.render import py_literal
from specgen.runtime.contracts.features import TransformOutput
from specgen.runtime.contracts.model import Bound, Entrypoints, Metric, ModelSetup, SliceFilter, Split

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(f"{contracts.__name__}.{m.name}" for m in pkgutil.iter_modules(contracts.__path__))


def _classes():
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if dataclasses.is_dataclass(value) and value.__module__ == name:
                yield value


def test_every_contract_is_a_frozen_dataclass():
    found = list(_classes())
    assert {"ModelSetup", "Metric", "Bound", "FeaturesSetup", "TransformOutput", "PredictionsSetup",
            "PredictionColumn", "SliceFilter"} <= {c.__name__ for c in found}
    for cls in found:
        assert cls.__dataclass_params__.frozen, cls
    with pytest.raises(dataclasses.FrozenInstanceError):
        Bound(min=0.8, max=None).min = 0.1


def test_contracts_import_only_the_standard_library():
    code = ("import sys, specgen.runtime; before = set(sys.modules); " + "; ".join(f"import {m}" for m in MODULES) +
            "; print(sorted(set(sys.modules) - before))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    added = eval(result.stdout)
    # other runtime modules (the check catalogue) are fine as long as nothing third-party comes along
    outside = [m for m in added if not m.startswith("specgen.runtime.") and m.split(".")[0].lstrip("_") not in
               sys.stdlib_module_names and m.split(".")[0] not in sys.stdlib_module_names]
    assert outside == [], outside
    assert set(MODULES) <= set(added)  # the check saw them load


SETUP = ModelSetup(
    name="toy", task="classification", label="y", features=("x", "c"), dtypes={"x": "float", "c": "category:str"},
    training_data="../../t.csv", evaluation_data="../../e.csv", paths=("../..",), seed=7,
    entrypoints=Entrypoints(train="m:train", load=None, predict=None, adapter="m:adapt"),
    split=Split(key=("id",), salt="toy:model-eval", eval_fraction=0.3, rotate_daily=False), runs=2, mean_of=3,
    slices={"b": SliceFilter(where=None, column="c", value=("b", "c")), "q": SliceFilter(where="x > 1", column=None,
                                                                                          value=None)},
    artifact=None)


@pytest.mark.parametrize("value", [
    SETUP,
    Metric(name="f1", kwargs={"average": "macro"}, entrypoint=None, greater_is_better=True),
    (Bound(min=None, max=0.3), TransformOutput(name="it's \"x\"", kind="clip", min=0.0, max=1.0, buckets=None,
                                               tolerance=None)),
], ids=["setup", "metric", "nested"])
def test_rendered_contracts_rebuild_the_same_objects(value):
    text = py_literal(value)
    namespace = {}
    exec(f"from specgen.runtime.contracts.model import *\nfrom specgen.runtime.contracts.features import *\n"
         f"result = {text}", namespace)
    assert namespace["result"] == value


def test_class_names_lists_every_contract_inside():
    assert class_names(SETUP) == "Entrypoints, ModelSetup, SliceFilter, Split"
    assert class_names((Metric(name="a", kwargs={}, entrypoint=None, greater_is_better=True), 0.1), None) == "Metric"


def test_py_refuses_other_dataclasses():
    @dataclasses.dataclass(frozen=True)
    class Other:
        a: int

    with pytest.raises(TypeError, match="cannot render Other"):
        py_literal(Other(1))


@pytest.mark.parametrize("name", ["PREDICTION_OUTPUT", "PROBA_PREFIX"])
def test_shared_constants_are_defined_once(name):
    """The runtime and the compiler modules of these contracts take them from contracts.constants."""
    owned = [*sorted((ROOT / "specgen" / "runtime").rglob("*.py")),
             ROOT / "specgen" / "compiler" / "model_plan.py", ROOT / "specgen" / "compiler" / "transforms_plan.py"]
    defining = [p.relative_to(ROOT).as_posix() for p in owned
                if re.search(rf"^{name}\s*=", p.read_text(encoding="utf-8"), re.M)]
    assert defining == ["specgen/runtime/contracts/constants.py"], defining
    from specgen.runtime import model_outputs
    from specgen.runtime.contracts import constants

    assert getattr(model_outputs, name) is getattr(constants, name)
