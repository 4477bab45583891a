"""specgen.infer streaming: mergeable accumulators, chunk-size invariance, the terminal-only progress bar."""
from __future__ import annotations

import importlib
import io

import numpy as np
import polars as pl
import pytest

from specgen.infer import infer, progress, read
from specgen.infer.sketch import CappedCounter, DistinctSketch, Moments, Systematic, UniqueHashes


def _chunks(series: pl.Series, size: int):
    return [series.slice(start, size) for start in range(0, series.len(), size)]


def test_moments_merged_over_chunks_match_one_pass():
    values = pl.Series(np.random.default_rng(1).normal(1e6, 3.0, 10_001))  # far from 0: naive sums cancel
    m = Moments()
    for part in _chunks(values, 999):
        m.add(part.len(), part.mean(), part.var(ddof=0) * part.len(), part.min(), part.max())
    assert m.count == values.len() and (m.min, m.max) == (values.min(), values.max())
    assert m.mean == pytest.approx(values.mean(), rel=1e-14) and m.std == pytest.approx(values.std(), rel=1e-9)
    assert Moments().std is None


def test_capped_counter_stops_past_the_cap():
    counter = CappedCounter(cap=3)
    counter.add(pl.Series(["b", "a", None, "b"]))
    counter.add(pl.Series(["c", "a"]))
    assert counter.pairs() == (("a", 2), ("b", 2), ("c", 1))
    counter.add(pl.Series(["d"]))
    assert counter.counts is None and counter.pairs() == ()


def test_distinct_sketch_exact_below_k_close_above():
    small, big = DistinctSketch(k=256), DistinctSketch(k=256)
    for part in _chunks(pl.Series([f"v{i % 200}" for i in range(5_000)]), 700):
        small.add(part)
    for part in _chunks(pl.Series([f"v{i}" for i in range(50_000)]), 7_000):
        big.add(part)
    assert small.estimate() == 200
    assert abs(big.estimate() - 50_000) < 50_000 * 4 / 256**0.5  # four standard errors


def test_unique_hashes_catch_repeats_across_chunks_and_nulls():
    unique, repeated, nullable = UniqueHashes(), UniqueHashes(), UniqueHashes()
    for part in _chunks(pl.Series(range(1_000)), 300):
        unique.add(part)
    for part in _chunks(pl.Series(list(range(500)) + [7]), 300):  # the repeat is in another chunk
        repeated.add(part)
    nullable.add(pl.Series([1, None]))
    assert unique.unique and not repeated.unique and not nullable.unique
    assert repeated.seen is None  # memory let go at the first repeat


def test_systematic_sample_is_gather_every_whatever_the_chunks():
    values = pl.Series(np.arange(1_003, dtype=float))
    sample = Systematic(rows=values.len(), size=100)
    start = 0
    for part in _chunks(values, 37):
        sample.add(part.gather_every(sample.step, offset=sample.offset(start)))
        start += part.len()
    assert np.array_equal(sample.values(), values.gather_every(sample.step).to_numpy())
    assert sample.values().size <= 100


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_output_does_not_depend_on_the_chunk_size(tmp_path, monkeypatch, suffix):
    n = 5_000
    rng = np.random.default_rng(3)
    frame = pl.DataFrame({
        "x": rng.normal(10, 2, n), "k": np.arange(n), "c": np.array(["p", "q", "r"])[rng.integers(0, 3, n)],
        "t": [f"w{v}" for v in rng.integers(0, 900, n)], "note": ["a,\"quoted\"\nline"] * n,
    }).with_columns(pl.when(pl.col("k") % 11 == 0).then(None).otherwise(pl.col("x")).alias("x"))
    data = tmp_path / f"t{suffix}"
    frame.write_csv(data) if suffix == ".csv" else frame.write_parquet(data)
    monkeypatch.setattr(importlib.import_module("specgen.infer.scan"), "SAMPLE_ROWS", 1_000)  # a sample step > 1 across chunks
    one = infer([str(data)], tmp_path / "s.yaml", sample=4_000, seed=2)
    monkeypatch.setattr(read, "CHUNK_VALUES", 5 * 97)
    monkeypatch.setattr(read, "CHUNK_FLOOR", 1)
    many = infer([str(data)], tmp_path / "s.yaml", sample=4_000, seed=2)
    assert one.spec_text == many.spec_text  # (the baseline is not the scan's: it reads data.training)
    assert "Key candidates (unique, never null): k" in one.spec_text
    assert "  t:\n    dtype: string" in one.spec_text  # 900 values: past the category counter's cap


def test_render():
    line = progress.render("specgen infer: 20 columns", 4_200_000, 10_000_000, "rows", 65.2, width=10)
    assert line == "specgen infer: 20 columns [####------]  42%  4,200,000 / 10,000,000 rows  1:05"
    assert progress.render("read", 3 * 2**20, 2**30, "bytes", 0, width=4) == \
        "read [----]   0%  3.0 MiB / 1.0 GiB  0:00"
    assert progress.render("x", 5, 0, "rows", 0, width=2).startswith("x [##] 100%")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream, env", [
    (io.StringIO(), {}),                     # a pipe or a file
    (_Terminal(), {"CI": "true"}),          # a CI log, even behind a pseudo-terminal
    (_Terminal(), {"TERM": "dumb"}),
])
def test_silent_off_a_terminal(stream, env):
    assert progress.terminal_progress(stream, env) is None


def test_cli_writes_no_progress_to_a_pipe(tmp_path):
    from click.testing import CliRunner

    from specgen.cli import cli

    data = tmp_path / "t.csv"
    data.write_text("a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(500)))
    result = CliRunner().invoke(cli, ["infer", str(data), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 0 and "wrote" in result.output
    assert "specgen infer:" not in result.output and "\r" not in result.output


def test_bar_on_a_terminal_after_the_delay():
    clock = iter([0.0, 0.1, 0.6, 0.65, 0.9, 1.0]).__next__
    stream = _Terminal()
    bar = progress.terminal_progress(stream, {})
    bar.clock = clock
    bar.start("read", 100)       # t=0
    bar.update(10)               # t=0.1: too early, nothing drawn
    assert stream.getvalue() == ""
    bar.update(60)               # t=0.6: drawn
    bar.update(70)               # t=0.65: within the redraw interval, skipped
    bar.update(90)               # t=0.9: drawn
    bar.finish()                 # t=1.0: completed and the line ended
    frames = stream.getvalue().split("\r")[1:]
    assert [f.split("]")[1].split("%")[0].strip() for f in frames] == ["60", "90", "100"]
    assert stream.getvalue().endswith("\n")
