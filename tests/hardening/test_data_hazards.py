"""Data hazards for ``specgen validate`` on the penguins spec, through the real CLI:
unreadable data exits 2 with one line naming the file; readable but wrong data
exits 1 naming the failing check; never a traceback."""
from __future__ import annotations

import os
import shutil

import polars as pl
import pytest

from specgen.errors import DataError
from specgen.runtime import io

from tests.helpers import run_cli

from .helpers import PENGUINS

TRAIN = PENGUINS.parent / "data" / "train.csv"
HEADER = TRAIN.read_text(encoding="utf-8").splitlines()[0]
LINES = TRAIN.read_text(encoding="utf-8").splitlines()


def _csv(lines) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parquet(path, change):
    change(pl.read_csv(TRAIN)).write_parquet(path)


#: name -> (file name, writer(path), expected exit code, text the message must contain)
CASES = {
    "empty": ("batch.csv", lambda p: p.write_bytes(b""), 2, "empty"),
    "header_only": ("batch.csv", lambda p: p.write_bytes(_csv([HEADER])), 2, "no data rows"),
    "blank_lines_only": ("batch.csv", lambda p: p.write_bytes(b"\n\n\n"), 2, "SG20"),
    "ragged_long_row": ("batch.csv", lambda p: p.write_bytes(_csv(LINES[:60] + [LINES[60] + ",extra,more"])),
                        2, "line 61 has 11 fields, the header has 9"),
    "ragged_short_row": ("batch.csv", lambda p: p.write_bytes(_csv(LINES[:60] + ["999,Adelie,Dream"])), 1,
                         "not_null"),
    "wrong_delimiter": ("batch.csv", lambda p: p.write_bytes(_csv(line.replace(",", ";") for line in LINES)), 1,
                        "present"),
    "mixed_types": ("batch.csv", lambda p: p.write_bytes(_csv(LINES[:80] + ["999,Adelie,Dream,abc,18,181,3750,"
                                                                             "male,2007"])), 1, "bill_length_mm: dtype"),
    "repeated_column": ("batch.csv", lambda p: p.write_bytes(_csv([HEADER.replace("island", "species")] + LINES[1:])),
                        2, "duplicate"),
    "unterminated_quote": ("batch.csv", lambda p: p.write_bytes(_csv(LINES[:5] + ['1,"Adelie,Dream'])), 2,
                           "cannot parse csv"),
    "not_utf8": ("batch.csv", lambda p: p.write_bytes(_csv(LINES[:50]).replace(b"Dream", b"Dr\xe9am")), 2,
                 "invalid utf-8"),
    "binary_garbage": ("batch.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), 2, "SG20"),
    "bom": ("batch.csv", lambda p: p.write_bytes(b"\xef\xbb\xbf" + TRAIN.read_bytes()), 0, "ok"),
    "crlf": ("batch.csv", lambda p: p.write_bytes(TRAIN.read_bytes().replace(b"\n", b"\r\n")), 0, "ok"),
    "wrong_extension": ("batch.json", lambda p: p.write_bytes(b"{}"), 2, "unsupported data format"),
    "missing": ("batch.csv", lambda p: None, 2, "not found"),
    "directory": ("batch.csv", lambda p: p.mkdir(), 2, "directory"),
    "parquet_type_mismatch": ("batch.parquet", lambda p: _parquet(p, lambda f: f.with_columns(
        pl.col("year").cast(pl.String))), 1, "year: dtype"),
    "parquet_missing_column": ("batch.parquet", lambda p: _parquet(p, lambda f: f.drop("island")), 1,
                               "island: present"),
    "parquet_extra_column": ("batch.parquet", lambda p: _parquet(p, lambda f: f.with_columns(pl.lit(1).alias("z"))),
                             1, "extra_columns"),
    "parquet_garbage": ("batch.parquet", lambda p: p.write_bytes(b"PAR1 not really parquet PAR1"), 2,
                        "cannot parse parquet"),
    "parquet_is_csv": ("batch.parquet", lambda p: p.write_bytes(TRAIN.read_bytes()), 2, "cannot parse parquet"),
}


#: run through a real subprocess too (slower); the rest go through click's runner in-process
SUBPROCESS = {"header_only", "ragged_long_row", "parquet_type_mismatch", "mixed_types"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_data_hazard_via_cli(tmp_path, name):
    filename, make, code, needle = CASES[name]
    path = tmp_path / filename
    make(path)
    proc = run_cli("validate", PENGUINS, path, in_process=name not in SUBPROCESS)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    if code == 2:
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert str(path) in lines[0] and "[SG2" in lines[0] and needle in lines[0], lines[0]
    else:
        assert str(path) in proc.stdout and needle in proc.stdout, proc.stdout


def test_unreadable_file_via_cli(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading")
    path = tmp_path / "batch.csv"
    shutil.copy(TRAIN, path)
    path.chmod(0)
    try:
        proc = run_cli("validate", PENGUINS, path)
    finally:
        path.chmod(0o644)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert str(path) in proc.stderr and "[SG201]" in proc.stderr, proc.stderr


@pytest.mark.parametrize("exc", [FileNotFoundError, PermissionError])
def test_file_vanishes_or_locks_mid_read(tmp_path, monkeypatch, exc):
    """The file exists when checked, then is deleted (or its permissions change) before polars reads it."""
    path = tmp_path / "batch.csv"
    shutil.copy(TRAIN, path)
    real = pl.read_csv

    def vanishing(source, *args, **kwargs):
        if exc is FileNotFoundError:
            os.unlink(source)  # really gone: polars raises its own error
            return real(source, *args, **kwargs)
        raise exc(13, "Permission denied", str(source))

    monkeypatch.setattr(io.pl, "read_csv", vanishing)
    with pytest.raises(DataError) as info:
        io.read_polars(path, {})
    assert str(path) in str(info.value) and info.value.code == "SG201", info.value


def test_unreadable_file_in_process(tmp_path, monkeypatch):
    """What chmod 000 does for a non-root user, simulated for root: open() raises PermissionError."""
    path = tmp_path / "batch.csv"
    shutil.copy(TRAIN, path)
    monkeypatch.setattr(io.pl, "read_csv", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(DataError) as info:
        io.read_polars(path, {})
    assert info.value.code == "SG201" and str(path) in str(info.value)
