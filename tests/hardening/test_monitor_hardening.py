"""``specgen monitor`` against damaged configs and hostile batches (issue 16: W1, C5, C1/C10, W7, C12).

Before: an edited threshold (``1e9``, ``.nan``) in ``<name>_monitoring.yaml`` silenced every alarm
(exit 0); a damaged config crashed; text in a numeric column crashed bin counting.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from tests.helpers import run_cli

CONFIG = Path("generated") / "penguins" / "penguins_monitoring.yaml"


def _monitor(penguins: Path, current: Path | None = None, *extra) -> object:
    current = current or penguins / "data" / "serving.csv"
    return run_cli("monitor", penguins / "spec.yaml", "--current", current, *extra, in_process=True)


def _edit(penguins: Path, old: str, new: str, *, rehash: bool) -> None:
    """Replace ``old`` in the config body; ``rehash``: fix the header's hash too (a forged file)."""
    path = penguins / CONFIG
    head1, head2, body = path.read_text(encoding="utf-8").split("\n", 2)
    assert old in body, old
    body = body.replace(old, new, 1)
    if rehash:
        old_hash = head2.split("body-sha256=")[1].split()[0]
        head2 = head2.replace(old_hash, hashlib.sha256(body.encode("utf-8")).hexdigest())
    path.write_text("\n".join([head1, head2, body]), encoding="utf-8")


def _drifted(penguins: Path) -> Path:
    """A batch that alarms: every bill length doubled."""
    frame = pl.read_csv(penguins / "data" / "serving.csv")
    path = penguins / "drifted.csv"
    frame.with_columns(pl.col("bill_length_mm") * 2).write_csv(path)
    return path


# -- W1: a hand-edited config is refused --------------------------------------------------------------

@pytest.mark.parametrize("new", ["threshold: 1e9", "threshold: .nan"])
def test_edited_threshold_is_refused(penguins, new):
    assert _monitor(penguins, _drifted(penguins)).returncode == 1  # it alarms as compiled
    _edit(penguins, "threshold: 0.3", new, rehash=False)
    proc = _monitor(penguins, _drifted(penguins))
    assert proc.returncode == 2, proc.output
    assert "edited by hand" in proc.stderr and "[SG309]" in proc.stderr and "recompile" in proc.stderr


@pytest.mark.parametrize("old, new, words", [
    ("threshold: 0.3", "threshold: 1e999", "not a finite positive number"),
    ("threshold: 0.3", "threshold: .nan", "not a finite positive number"),
    ("threshold: 0.3", "threshold: 0", "not a finite positive number"),
    ("threshold: 0.3", "threshold: -1", "not a finite positive number"),
    ('metric: "psi"', 'metric: "psii"', "unknown measure 'psii'"),
    ('"counts": [0, 50, 52, 51, 50, 52, 0]', '"counts": [0, 50, 52, 51, 50, 52]', "6 counts for 6 edges"),
    ('"counts": [0, 50, 52, 51, 50, 52, 0]', '"counts": [0, -50, 52, 51, 50, 52, 0]', "non-negative integers"),
    ('"counts": [0, 50, 52, 51, 50, 52, 0]', '"counts": [0, 50.5, 52, 51, 50, 52, 0]', "non-negative integers"),
    ('"counts": {"Biscoe": 130,', '"counts": {"Biscoe": "many",', "non-negative integer"),
])
def test_unsound_config_is_refused_even_with_a_matching_hash(penguins, old, new, words):
    _edit(penguins, old, new, rehash=True)
    proc = _monitor(penguins)
    assert proc.returncode == 2, proc.output
    assert "damaged monitoring config" in proc.stderr and words in proc.stderr and "[SG305]" in proc.stderr


# -- C5: a damaged config is one clear error ----------------------------------------------------------

def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _latin1(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"Biscoe", b"Bisc\xf6e"))


@pytest.mark.parametrize("damage, code", [
    (_truncate, "SG309"),
    (_latin1, "SG305"),
    (lambda p: p.write_text("", encoding="utf-8"), "SG305"),
    (lambda p: p.write_text("format: [\n", encoding="utf-8"), "SG305"),
])
def test_damaged_config_is_one_clear_error(penguins, damage, code):
    damage(penguins / CONFIG)
    proc = _monitor(penguins)
    assert proc.returncode == 2, proc.output
    assert f"[{code}]" in proc.stderr and "penguins_monitoring.yaml" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.output


@pytest.mark.parametrize("old, new", [
    ("stale_after_seconds: 86400\n", ""),  # a missing key
    ("stale_after_seconds: 86400", "stale_after_seconds: soon"),  # a wrong type
    ('bins: 5', 'bins: [5]'),
    ('drift: {metric: "psi", threshold: 0.3}', 'drift: 0.3'),
    ("rows: 256", "rows: -256"),
    ('"std": 5.5372822}', '"std": 5.5372822, "edges": "x"}'),  # a duplicate key: the last one wins
])
def test_damaged_config_with_a_matching_hash_is_one_clear_error(penguins, old, new):
    _edit(penguins, old, new, rehash=True)
    proc = _monitor(penguins)
    assert proc.returncode == 2, proc.output
    assert "damaged monitoring config" in proc.stderr and "[SG305]" in proc.stderr
    assert "internal error" not in proc.stderr

