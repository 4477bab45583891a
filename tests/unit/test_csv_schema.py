"""runtime.csv_schema: CSV column types worked out per value shape read exactly as polars' own inference with
``try_parse_dates`` reads them (dates vs datetimes, naive vs offsets, mixed types -> text, a late contradicting
value -> inference from every row), through every reader of ``runtime.io``."""
from __future__ import annotations

import polars as pl
import pytest

from specgen.errors import DataError
from specgen.runtime import csv_schema, io

COLUMNS = {
    "offsets": ["2024-01-01T00:00:00+01:00", "2024-01-02T00:00:00-05:00", ""],  # aware: UTC
    "zulu": ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"],
    "two_formats": ["2024-01-01T00:00:00", "2024-01-02 00:00:00", "2024-01-03T01:00:00"],
    "fractions": ["2024-01-01T00:00:00.5", "2024-01-01T00:00:00.123456", ""],
    "minutes": ["2024-01-01 10:00", "2024-01-02 11:00", "2024-01-03 12:00"],
    "day_first": ["13/01/2024", "14/01/2024", "15/01/2024"],
    "padded": [" 2024-01-01", "2024-01-02", "2024-01-03"],
    "clock": ["10:00:00", "11:30:00", ""],
    "date_and_datetime": ["2024-01-01", "2024-01-01 10:00:00", "2024-01-02"],  # mixed: text
    "date_and_number": ["2024-01-01", "20240102", "2024-01-03"],
    "not_a_day": ["2024-01-01", "2024-13-45", "2024-01-03"],
    "aware_and_naive": ["2024-01-01T00:00:00+01:00", "2024-01-02T00:00:00", ""],
    "numbers_and_text": ["1", "2.5", "1a"],
    "empty": ["", "", ""],
    "words": ["red", "blue", "red"],
}


def _polars_reads(path, infer_rows):
    """What runtime.io read before: polars inferring dates on every value."""
    return pl.read_csv(path, try_parse_dates=True, infer_schema_length=infer_rows)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "t.csv"
    names = list(COLUMNS)
    lines = [",".join(names)] + [",".join(f'"{COLUMNS[n][i]}"' if "," in COLUMNS[n][i] else COLUMNS[n][i]
                                          for n in names) for i in range(3)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_reader_gets_polars_types_and_values(table):
    want = _polars_reads(table, io.INFER_ROWS)
    assert want.schema["offsets"] == pl.Datetime("us", "UTC") and want.schema["day_first"] == pl.Date
    assert want.schema["clock"] == pl.Time and want.schema["two_formats"] == pl.Datetime("us")
    assert {want.schema[n] for n in ("date_and_datetime", "date_and_number", "not_a_day", "aware_and_naive")} \
        == {pl.String}
    got = io.read_polars(table)
    assert got.schema == want.schema and got.equals(want)
    assert io.checked_scan(table, None, lambda lazy: lazy.collect()).equals(want)
    assert pl.concat(io.iter_csv(table, None, 2)).equals(want)
    from specgen.infer.read import _csv_schema

    assert _csv_schema([str(table)], io.INFER_ROWS) == want.schema


def test_declared_datetimes_read_as_the_data_says(table):
    """A declared datetime that holds a non-date stays text, so the dtype check names the column (as before)."""
    dtypes = {name: "datetime" for name in COLUMNS}
    assert io.read_polars(table, dtypes).schema == _polars_reads(table, io.INFER_ROWS).schema
    pandas = io.read_pandas(table, dtypes, {"minutes": "Europe/Berlin"})
    assert str(pandas["minutes"].dtype) == "datetime64[us, Europe/Berlin]"  # wall time in the declared zone
    assert pandas["minutes"].iloc[0].hour == 10 and str(pandas["offsets"].dtype).startswith("datetime64")


@pytest.mark.parametrize("late", ["n/a", "2024-01-01 10:00:00", "2024-99-01"])
def test_a_late_contradicting_value_makes_every_row_count(tmp_path, monkeypatch, late):
    monkeypatch.setattr(io, "INFER_ROWS", 50)
    path = tmp_path / "late.csv"
    path.write_text("day,n\n" + "".join(f"2024-01-{1 + i % 28:02d},{i}\n" for i in range(200)) + f"{late},200\n")
    assert pl.scan_csv(path, try_parse_dates=True, infer_schema_length=50).collect_schema()["day"] == pl.Date
    want = _polars_reads(path, None)
    assert want.schema["day"] == pl.String
    for got in (io.read_polars(path), io.checked_scan(path, None, lambda lazy: lazy.collect())):
        assert got.equals(want) and got.schema == want.schema
    try:  # as runtime.summary reads chunks: again from every row when chunks were already handed out
        chunks = pl.concat(io.iter_csv(path, None, 100))
    except io.InferenceTooShort:
        chunks = pl.concat(io.iter_csv(path, None, 100, infer_all=True))
    assert chunks.equals(want) and chunks.schema == want.schema


def test_day_first_after_year_first_is_still_a_parse_error(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("day\n2024-01-01\n13/01/2024\n")
    with pytest.raises(pl.exceptions.ComputeError):
        _polars_reads(path, None)
    with pytest.raises(DataError, match="SG202"):
        io.read_polars(path)


def test_many_shapes_fall_back_to_polars(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_schema, "MAX_SHAPES", 2)
    handed = []
    infers = csv_schema._polars_infers
    monkeypatch.setattr(csv_schema, "_polars_infers", lambda values: handed.append(values.to_list()) or infers(values))
    path = tmp_path / "shapes.csv"
    path.write_text("at\n2024-01-01T00:00:00.5\n2024-01-01T00:00:00.25\n2024-01-01T00:00:00.125\n2024-1-01\n")
    assert io.read_polars(path).equals(_polars_reads(path, None))
    assert handed and len(handed[0]) == 4  # the column's values went to polars whole (4 shapes > 2)
