"""Many-file inputs (runtime.inputs + runtime.io): globs, directories with Hive partitions,
.csv.gz/.csv.zst, and the errors for what cannot be read."""
from __future__ import annotations

import datetime as dt
import gzip

import polars as pl
import pytest
import zstandard

from specgen.errors import DataError
from specgen.runtime import inputs, io
from specgen.runtime.summary import iter_chunks

FRAME = pl.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "z"]})


def _hive(root, fmt="parquet"):
    """root/year=2024/month=01/part.<fmt> (rows 0-1) and root/year=2024/month=02/part (rows 2-3)."""
    for month, rows in (("01", FRAME[:2]), ("02", FRAME[2:])):
        folder = root / "year=2024" / f"month={month}"
        folder.mkdir(parents=True)
        (rows.write_parquet if fmt == "parquet" else rows.write_csv)(folder / f"part.{fmt}")
    (root / "_SUCCESS").write_text("")
    (root / ".part.crc").write_text("")
    return root


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_hive_directory_adds_typed_partition_columns(tmp_path, fmt):
    root = _hive(tmp_path / "data", fmt)
    frame = io.read_polars(root)
    assert frame.columns == ["a", "b", "year", "month"]
    assert frame.schema["year"] == pl.Int64 and frame.schema["month"] == pl.Int64  # "01" is the integer 1
    assert frame["month"].to_list() == [1, 1, 2, 2] and frame["a"].to_list() == [1, 2, 3, 4]
    assert io.checked_scan(root, {}, lambda lazy: lazy.collect()).equals(frame)
    chunks = list(iter_chunks(root, {}, chunk_rows=1))
    assert len(chunks) == 4 and pl.concat(chunks).equals(frame)


def test_partition_values_typed_as_dates_text_and_null(tmp_path):
    for day, region in (("2024-01-31", "eu"), ("2024-02-01", inputs.HIVE_NULL)):
        folder = tmp_path / f"day={day}" / f"region={region}"
        folder.mkdir(parents=True)
        FRAME[:1].write_parquet(folder / "p.parquet")
    frame = io.read_polars(tmp_path)
    assert frame.schema["day"] == pl.Date and frame["day"].to_list() == [dt.date(2024, 1, 31), dt.date(2024, 2, 1)]
    assert frame.schema["region"] == pl.String and frame["region"].to_list() == ["eu", None]


def test_a_column_the_file_holds_wins_over_its_partition_key(tmp_path):
    folder = tmp_path / "a=99"
    folder.mkdir()
    FRAME.write_parquet(folder / "p.parquet")
    assert io.read_polars(tmp_path)["a"].to_list() == [1, 2, 3, 4]


def test_glob_reads_matches_in_sorted_order(tmp_path):
    FRAME[2:].write_csv(tmp_path / "b.csv")
    FRAME[:2].write_csv(tmp_path / "a.csv")
    assert io.read_polars(tmp_path / "*.csv")["a"].to_list() == [1, 2, 3, 4]


@pytest.mark.parametrize("suffix, compress", [(".csv.gz", gzip.compress),
                                              (".csv.zst", lambda b: zstandard.ZstdCompressor().compress(b))])
def test_compressed_csv_reads_as_the_plain_file(tmp_path, suffix, compress):
    plain = tmp_path / "plain.csv"
    FRAME.write_csv(plain)
    packed = tmp_path / f"data{suffix}"
    packed.write_bytes(compress(plain.read_bytes()))
    assert io.read_polars(packed).equals(io.read_polars(plain))
    assert pl.concat(iter_chunks(packed, {}, chunk_rows=3)).equals(io.read_polars(plain))
    assert inputs.resolve(packed).shown == (str(packed),)


def test_a_corrupt_compressed_file_is_a_data_error(tmp_path):
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(DataError, match=r"cannot decompress gz data.*\[SG202\]"):
        io.read_polars(bad)


def test_empty_glob_and_empty_directory_are_sg204(tmp_path):
    with pytest.raises(DataError, match=r"no files match \[SG204\]"):
        io.read_polars(tmp_path / "*.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"directory holds no data files \[SG204\]"):
        io.read_polars(tmp_path / "empty")


def test_mixed_schemas_name_the_files(tmp_path):
    FRAME.write_parquet(tmp_path / "a.parquet")
    FRAME.drop("b").with_columns(c=1).write_parquet(tmp_path / "b.parquet")
    for read in (io.read_polars, lambda p: list(iter_chunks(p, {}))):
        with pytest.raises(DataError) as caught:
            read(tmp_path)
        message = str(caught.value)
        assert caught.value.code == "SG206"
        assert "b.parquet lacks ['b']; adds ['c'] compared with" in message and "a.parquet" in message


def test_mixed_formats_and_unknown_extension(tmp_path):
    FRAME.write_parquet(tmp_path / "a.parquet")
    FRAME.write_csv(tmp_path / "b.csv")
    with pytest.raises(DataError, match=r"mix CSV and Parquet.*\[SG204\]"):
        io.read_polars(tmp_path)
    (tmp_path / "c.json").write_text("{}")
    with pytest.raises(DataError, match=r"c\.json: unsupported data format '\.json'.*\[SG202\]"):
        io.read_polars(tmp_path / "c.json")


@pytest.mark.parametrize("pack", ["parquet", "csv", "gz", "zst"])
def test_stdin_is_sniffed_and_read_once(tmp_path, monkeypatch, pack):
    import io as stdio
    import types

    FRAME.write_parquet(tmp_path / "f.parquet")
    FRAME.write_csv(tmp_path / "f.csv")
    raw = (tmp_path / ("f.parquet" if pack == "parquet" else "f.csv")).read_bytes()
    raw = {"gz": gzip.compress, "zst": zstandard.ZstdCompressor().compress}.get(pack, lambda b: b)(raw)
    monkeypatch.setattr(inputs, "_MATERIALIZED", {})
    monkeypatch.setattr("sys.stdin", types.SimpleNamespace(buffer=stdio.BytesIO(raw)))
    assert io.read_polars("-").equals(FRAME)
    assert io.read_polars("-").equals(FRAME)  # the copy, not an exhausted stream
    assert inputs.resolve("-").shown == ("<stdin>",)
