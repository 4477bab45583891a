"""S6/H2: the user's code (serving model import/load/adapter/predict) is contained.

Before: ``sys.exit(0)`` in the model made ``monitor`` (and ``compile --check``)
exit 0 with no report, ``KeyboardInterrupt`` printed ``Aborted!`` and exited 1,
a printing model corrupted ``--format json`` and a hanging one hung forever.
Now each is SG306, exit 2, and the model's output shows only in the error."""
from __future__ import annotations

import functools

import json
import shutil
import sys
import time
from pathlib import Path

import pytest

from specgen.runtime.usercode import UserCodeError, call_user, default_timeout

from tests.helpers import run_cli

from .helpers import PENGUINS

invoke = functools.partial(run_cli, in_process=True)  # the one CLI helper, without process start-up


# -- call_user itself ----------------------------------------------------------------------------

def _raise(exc):
    raise exc


@pytest.mark.parametrize("exc, words", [
    (SystemExit(0), "called sys.exit(0)"),
    (SystemExit("bye"), "called sys.exit('bye')"),
    (KeyboardInterrupt(), "raised KeyboardInterrupt"),
    (ValueError("bad\nthing"), "failed: ValueError: bad thing"),
    (GeneratorExit(), "failed: GeneratorExit"),
])
def test_every_exit_of_user_code_is_an_error(exc, words):
    with pytest.raises(UserCodeError) as info:
        call_user(_raise, exc, what="model.load")
    text = str(info.value)
    assert text.startswith(f"model.load {words}") and text.endswith("[SG306]") and info.value.code == "SG306"


def test_output_is_captured_and_shown_only_on_error(capsys):
    def chatty(x):
        print("hello from the model")
        print("warning", file=sys.stderr)
        return x * 2

    assert call_user(chatty, 21, what="model.predict") == 42
    assert capsys.readouterr() == ("", "")

    def fails():
        print("about to fail")
        raise RuntimeError("boom")

    with pytest.raises(UserCodeError) as info:
        call_user(fails, what="model.predict")
    assert capsys.readouterr() == ("", "")
    assert "model.predict failed: RuntimeError: boom [SG306]\n  its output:\n    about to fail" == str(info.value)


def test_captured_output_is_bounded():
    def floods():
        for _ in range(1000):
            print("x" * 10_000)
        raise RuntimeError("after the flood")

    with pytest.raises(UserCodeError) as info:
        call_user(floods, what="model.predict")
    assert len(str(info.value)) < 5000 and "more characters" in str(info.value)


def test_a_hang_times_out():
    start = time.monotonic()
    with pytest.raises(UserCodeError, match=r"model.load did not finish within 0.3 s"):
        call_user(time.sleep, 30, what="model.load", timeout=0.3)
    assert time.monotonic() - start < 5


def test_a_hang_that_swallows_exceptions_times_out():
    def stubborn():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                time.sleep(0.01)
            except BaseException:  # noqa: BLE001 -- the point: user code may swallow everything
                pass

    with default_timeout(0.3), pytest.raises(UserCodeError, match="within 0.3 s"):
        call_user(stubborn, what="model.predict")


# -- through the CLI -----------------------------------------------------------------------------

MODELS = '''
import sys, time
import penguins_model

def exits():
    sys.exit(0)

def interrupts():
    raise KeyboardInterrupt

def hangs():
    time.sleep(60)

class Chatty:
    def __init__(self, inner, exit_in_predict=False):
        self.inner, self.exit_in_predict = inner, exit_in_predict
        self.classes_ = inner.classes_
    def predict(self, X):
        print("predicting", len(X), "rows")
        if self.exit_in_predict:
            sys.exit(3)
        return self.inner.predict(X)
    def predict_proba(self, X):
        print("probabilities too")
        return self.inner.predict_proba(X)

def chatty():
    print("loading the model")
    return Chatty(penguins_model.load())

def exits_in_predict():
    return Chatty(penguins_model.load(), exit_in_predict=True)
'''


@pytest.fixture(scope="module")
def penguins(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("usercode") / "penguins"
    shutil.copytree(PENGUINS.parent, dest, ignore=shutil.ignore_patterns("__pycache__", "generated"))
    proc = invoke("compile", dest / "spec.yaml")
    assert proc.returncode == 0, proc.stderr
    (dest / "hostile_models.py").write_text(MODELS, encoding="utf-8")
    (dest / "exits_on_import.py").write_text("import sys\nprint('importing')\nsys.exit(0)\n", encoding="utf-8")
    return dest


def _monitor(penguins: Path, *extra):
    return invoke("monitor", penguins / "spec.yaml", "--current", penguins / "data" / "serving.csv", *extra)


@pytest.mark.parametrize("load, words", [
    ("hostile_models:exits", "model.load called sys.exit(0)"),
    ("sys:exit", "model.load called sys.exit(None)"),
    ("hostile_models:interrupts", "model.load raised KeyboardInterrupt"),
    ("exits_on_import:load", "model.load (import) called sys.exit(0)"),
    ("hostile_models:exits_in_predict", "model.predict called sys.exit(3)"),
])
def test_monitor_contains_the_model(penguins, monkeypatch, load, words):
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", load)
    proc = _monitor(penguins, "--format", "json")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in proc.stderr and "[SG306]" in proc.stderr, proc.stderr
    assert proc.stdout == "" and "Aborted" not in proc.stderr


def test_monitor_json_stays_clean_when_the_model_prints(penguins, monkeypatch):
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "hostile_models:chatty")
    proc = _monitor(penguins, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)  # was: "loading the model" ... before the JSON
    assert report["prediction_source"] == "model"
    assert "predicting" not in proc.stdout + proc.stderr


def test_monitor_model_timeout(penguins, monkeypatch):
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "hostile_models:hangs")
    start = time.monotonic()
    proc = _monitor(penguins, "--model-timeout", "1")
    assert proc.returncode == 2 and "model.load did not finish within 1 s" in proc.stderr, proc.stderr
    assert time.monotonic() - start < 30


def test_model_timeout_must_be_positive(penguins):
    assert _monitor(penguins, "--model-timeout", "0").returncode == 2


def test_baseline_check_contains_the_model(penguins, monkeypatch):
    """``model: {load: "sys:exit"}`` made ``compile --check`` exit 0, with nothing checked; compile no
    longer runs the model (it reads the committed baseline), `specgen baseline --check` does."""
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "sys:exit")
    proc = invoke("baseline", "--check", penguins / "spec.yaml")
    assert proc.returncode == 2 and "called sys.exit(None)" in proc.stderr and "[SG306]" in proc.stderr, \
        proc.stdout + proc.stderr
    assert invoke("compile", "--check", penguins / "spec.yaml").returncode == 0  # runs no user code


def test_baseline_model_timeout(penguins, monkeypatch):
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "hostile_models:hangs")
    proc = invoke("baseline", "--check", "--model-timeout", "1", penguins / "spec.yaml")
    assert proc.returncode == 2 and "model.load did not finish within 1 s" in proc.stderr, proc.stderr


def test_regression_model_returning_text_is_a_model_error():
    """C9: a regressor whose predict returns strings crashed the cast to float (a traceback, exit 1)."""
    import polars as pl

    from specgen.runtime.adapter import Model
    from specgen.runtime.model_outputs import ModelError, outputs

    class Texty:
        def predict(self, X):
            return ["high"] * len(X)

    with pytest.raises(ModelError, match="non-numeric values") as caught:
        outputs(Model(Texty()), pl.DataFrame({"x": [1.0, 2.0]}), ["x"], "regression")
    assert caught.value.code == "SG306"
