"""The CLI's outermost layer: a bug exits 2 with one line, never 1 (which reads as "checks failed",
"alarm" or "stale" in cron and CI), and shows its traceback only under ``specgen --debug``."""
from __future__ import annotations

import subprocess
import sys

import pytest

from specgen import api
from specgen.cli import main
from specgen.compiler import jsonschema
from specgen.report import batch as report_batch

from tests.helpers import child_env as env

from .helpers import PENGUINS

LINE = "specgen: internal error (RuntimeError: injected\nfailure); please report; rerun with --debug"


def _boom(*args, **kwargs):
    raise RuntimeError("injected\nfailure")


def _main(*argv) -> int:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    return info.value.code


COMMANDS = {
    "compile": (api, "compile_spec", ["compile", PENGUINS]),
    "compile --check": (api, "compile_spec", ["compile", "--check", PENGUINS]),
    "validate": (api, "build_plan", ["validate", PENGUINS, PENGUINS.parent / "data" / "train.csv"]),
    "monitor": (api, "monitor", ["monitor", PENGUINS, "--current", PENGUINS]),
    "infer": (api, "infer_spec", ["infer", "x.csv"]),
    "schema": (jsonschema, "dumps", ["schema"]),
    "report": (report_batch, "load", ["report", PENGUINS, "--current", PENGUINS, "-o", "r.html"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_internal_error_exits_2_with_one_line(command, monkeypatch, capsys, tmp_path):
    module, name, argv = COMMANDS[command]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(module, name, _boom)
    assert _main(*argv) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert err.strip().splitlines() == [LINE.replace("\n", " ") + " for the traceback"], err


@pytest.mark.parametrize("exc", [KeyError("k"), AttributeError("a"), ValueError("v"), OSError(5, "io")])
def test_every_exception_type_exits_2(exc, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr(api, "compile_spec", fail)
    assert _main("compile", PENGUINS) == 2
    assert f"internal error ({type(exc).__name__}" in capsys.readouterr().err


def test_debug_shows_the_traceback(monkeypatch, capsys):
    monkeypatch.setattr(api, "compile_spec", _boom)
    assert _main("--debug", "compile", PENGUINS) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "_boom" in err
    assert "specgen: internal error (RuntimeError" in err


def test_user_errors_and_verdicts_keep_their_codes(capsys, tmp_path):
    assert _main("compile", tmp_path / "missing.yaml") == 2  # SpecgenError: still its own message
    assert "internal error" not in capsys.readouterr().err
    assert _main("--help") == 0
    assert _main("no-such-command") == 2  # click usage error


def test_real_entrypoint_exits_2(tmp_path):
    """Through ``python -m``-style startup (the console script calls the same ``main``)."""
    code = ("import specgen.api as a\n"
            "def boom(*x, **k): raise ZeroDivisionError('injected')\n"
            "a.compile_spec = boom\n"
            "from specgen.cli import main\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code, "compile", str(PENGUINS)], capture_output=True,
                          text=True, env=env(), timeout=60, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("specgen: internal error (ZeroDivisionError: injected); please report; "
                                   "rerun with --debug for the traceback")


def test_ctrl_c_is_not_a_verdict(monkeypatch, capsys):
    """Click's default turned Ctrl-C into exit 1 ("checks failed"/"alarm"); now 130 as for SIGINT."""
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "compile_spec", interrupted)
    assert _main("compile", PENGUINS) == 130
    assert "Aborted!" in capsys.readouterr().err


def test_click_exits_keep_their_codes(capsys):
    assert _main("--version") == 0 and "specgen" in capsys.readouterr().out
    assert _main("compile") == 2  # missing argument
    assert "Missing argument" in capsys.readouterr().err


def test_sigint_exits_130(tmp_path):
    """A real Ctrl-C (SIGINT) while a command runs: 130, never 1."""
    import signal
    import time

    code = ("import time, specgen.api as a\n"
            "def slow(*x, **k):\n    print('started', flush=True); time.sleep(60)\n"
            "a.compile_spec = slow\n"
            "from specgen.cli import main\nmain()\n")
    proc = subprocess.Popen([sys.executable, "-c", code, "compile", str(PENGUINS)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env(), cwd=tmp_path)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Aborted!" in err and "Traceback" not in err, err
