"""specgen.infer: margin policy, YAML scalars, and drafts that load as valid specs."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
import yaml

from specgen.compiler.load import load
from specgen.compiler.validate import validate
from specgen.infer import infer
from specgen.infer import policy
from specgen.infer.emit import scalar


@pytest.mark.parametrize("lo, hi, integer, expected", [
    (32.1, 59.6, False, (25, 67)),        # 25 % of the 27.5 span each side, rounded outward to 1
    (2700, 6300, True, (1800, 7200)),
    (0.5, 100, True, (0, 130)),           # never negative: the floor stays at 0
    (-5.0, 5.0, False, (-8, 8)),          # seen negative: no clamp
    (7, 7, True, (5, 9)),                 # constant: 25 % of the value
    (0, 0, True, (0, 1)),
    (0.0012, 0.0034, False, (0.0006, 0.004)),
])
def test_numeric_range(lo, hi, integer, expected):
    assert policy.numeric_range(lo, hi, integer) == expected


def test_range_catches_gross_errors_but_not_the_observed_values():
    lo, hi = policy.numeric_range(32.1, 59.6, False)
    assert lo < 32.1 and 59.6 < hi
    assert not lo <= 59.6 * 1000 <= hi and not lo <= -32.1 <= hi


def test_mean_band():
    lo, hi = policy.mean_band(4200.0, 800.0)
    assert lo <= 4200 - 1600 and hi >= 4200 + 1600 and not lo <= 4.2 <= hi  # g -> kg fails
    assert policy.mean_band(5.0, 0.0) is None


@pytest.mark.parametrize("nulls, rows, limit", [
    (0, 240, 0.14),    # never null in 240 rows: the rate is below 3/240 (rule of three); 4 of 30 rows
    (0, 1000, 0.1),
    (8, 240, 0.24),
    (30, 300, 0.37),
    (100, 100, 1.0),   # always null: nullable
])
def test_max_null_fraction(nulls, rows, limit):
    assert policy.max_null_fraction(nulls, rows) == limit


def test_max_null_fraction_holds_30_row_batches_and_fails_a_surge():
    rng = np.random.default_rng(0)
    for rate in (0.0, 0.01, 0.03, 0.1, 0.3):
        seen = rng.random(300) < rate
        limit = policy.max_null_fraction(int(seen.sum()), 300)
        batches = rng.random((2000, 30)) < rate
        assert (batches.mean(axis=1) <= limit).all(), rate
        assert limit < 0.5 or rate >= 0.3  # a surge to half the rows fails


def test_is_category():
    assert policy.is_category(3, 100, 20)
    assert not policy.is_category(21, 1000, 20)  # over the threshold
    assert not policy.is_category(6, 10, 20)     # values barely repeat: an id or free text


@pytest.mark.parametrize("value", ["yes", "No", "1.0", "null", "", "a: b", "#x", " lead", "[1]", "é", "1e5",
                                   0.1, 1e-05, 1e20, -0.0, 3, True, None])
def test_scalars_read_back_as_written(value):
    assert yaml.safe_load(f"k: {scalar(value)}")["k"] == value


def _frame(n: int = 300) -> pl.DataFrame:
    i = pl.int_range(n, eager=True)
    return pl.DataFrame({
        "id": i,
        "yes": (i % 3).cast(pl.String).replace({"0": "yes", "1": "no", "2": "1.0"}),  # names YAML misreads
        "weight kg": (i * 0.37 % 50 + 10).cast(pl.Float64),
        "flag": i % 2 == 0,
        "when": pl.Series([dt.datetime(2024, 1, 1) + dt.timedelta(hours=int(k)) for k in range(n)]),
        "comment": "note " + i.cast(pl.String),
        "empty": pl.Series([None] * n, dtype=pl.String),
        "rare": pl.Series(["common"] * (n - 1) + ["odd"]),
        "count": (i % 7),
    }).with_columns(pl.when(i % 10 == 0).then(None).otherwise(pl.col("weight kg")).alias("weight kg"))


def test_draft_loads_as_a_valid_spec(tmp_path):
    data = tmp_path / "table.parquet"
    _frame().write_parquet(data)
    spec_path = tmp_path / "spec.yaml"
    result = infer([str(data)], spec_path, label="count", key=["id"], name="demo")
    spec_path.write_text(result.spec_text)
    spec = validate(load(spec_path))
    dtypes = {name: f.dtype for name, f in spec.all_columns.items()}
    # count (0..6, each seen ~43 times) is a set of integer codes: a code never seen fails
    assert dtypes == {"yes": "category", "weight kg": "float", "flag": "bool", "when": "datetime",
                      "comment": "string", "empty": "string", "rare": "category", "count": "category", "id": "int"}
    assert spec.columns["count"].values == [0, 1, 2, 3, 4, 5, 6]
    assert "Good-Turing chance of a code never seen (codes seen once / rows): 0, at most 0.01" in result.spec_text
    assert spec.columns["count"].unseen_rate == 0  # every code seen often: any unlisted code fails
    assert spec.features["yes"].values == ["1.0", "no", "yes"]  # strings, not a float and booleans
    assert spec.features["weight kg"].max_null_fraction == 0.37  # 10 % of 300 rows: a 30-row batch may show 33 %
    assert spec.columns["id"].unique and spec.data.key == ["id"] and spec.data.label == "count"
    assert "rare (< 1% of rows)" in result.spec_text and "odd (1 rows)" in result.spec_text
    # "odd" seen once in 300 rows: fresh rows hold a value never seen about 1 time in 300 (Good-Turing), so a
    # strict set would fail a clean batch of a few hundred rows about half the time; the rate tolerates that
    assert spec.features["rare"].unseen_rate == 0.0034 and spec.features["yes"].unseen_rate == 0
    assert "Good-Turing chance of a value never seen (values seen once / rows): 0.0033" in result.spec_text
    assert "yaml-language-server" not in result.spec_text  # no schema file above tmp_path: no modeline to none
    assert "from 300 rows of 1 file:\n#   table.parquet\n" in result.spec_text
    assert spec.monitoring is not None and spec.monitoring.alpha == 0.001  # infer -> baseline -> monitor


def test_infer_writes_the_baseline_of_its_draft(tmp_path):
    """The committed-baseline format (``specgen baseline``), for the draft with default monitoring."""
    from specgen.api import infer_spec

    data = tmp_path / "table.parquet"
    _frame().write_parquet(data)
    written = infer_spec([str(data)], tmp_path / "spec.yaml", label="count", key=["id"], name="demo")
    assert written == [tmp_path / "spec.yaml", tmp_path / "demo_baseline.json"]
    baseline = json.loads(written[1].read_text())
    assert baseline["header"]["format"] == "specgen-baseline/1" and baseline["rows"] == 300
    weight = baseline["features"]["weight kg"]
    assert len(weight["edges"]) == 11 and sum(weight["counts"]) + weight["nulls"] == 300 and weight["nulls"] == 30
    assert baseline["features"]["yes"] == {"counts": {"1.0": 100, "no": 100, "yes": 100}, "nulls": 0}
    # features with a distribution and the label (label shift, when a batch carries it): no key, no free
    # text; a time stamp as its hour of day and weekday (runtime.time_bins)
    assert sorted(baseline["features"]) == ["count", "flag", "rare", "weight kg", "when:hour", "when:weekday", "yes"]


def test_category_threshold(tmp_path):
    data = tmp_path / "t.parquet"
    _frame().write_parquet(data)
    text = infer([str(data)], tmp_path / "s.yaml", category_threshold=2).spec_text
    assert "  yes:\n" not in text and "\"yes\":\n    dtype: string" in text.replace("'", "\"")


def test_sample_is_seeded_and_glob_reads_every_file(tmp_path):
    frame = _frame(1000)
    frame.head(600).write_parquet(tmp_path / "part-0.parquet")
    frame.tail(400).write_parquet(tmp_path / "part-1.parquet")
    pattern = str(tmp_path / "part-*.parquet")
    full = infer([pattern], tmp_path / "s.yaml")
    assert full.table.rows == 1000 and "2 files:" in full.spec_text and "Key candidates" in full.spec_text
    a = infer([pattern], tmp_path / "s.yaml", sample=100, seed=7)
    b = infer([pattern], tmp_path / "s.yaml", sample=100, seed=7)
    c = infer([pattern], tmp_path / "s.yaml", sample=100, seed=8)
    assert a.spec_text == b.spec_text and a.spec_text != c.spec_text
    assert a.table.rows == 100 and "a sample of 100 of 1000 rows (seed 7)" in a.spec_text
    assert "seeds: {global: 7}" in a.spec_text


SOURCES = {
    "normal": lambda rng, n: rng.normal(50, 10, n),
    "lognormal": lambda rng, n: rng.lognormal(3, 1, n),
    "exponential": lambda rng, n: rng.exponential(2, n),
    "uniform": lambda rng, n: rng.uniform(10, 20, n),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize("n", [60, 300])
def test_tail_range_holds_fresh_samples_and_fails_unit_changes(source, n):
    """The range from n values holds 2 n fresh values of the same source (a batch twice the training
    data, 4.7 times a 30 % holdout), every time over 20 seeds; x1000 of a typical value is outside it."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        seen = SOURCES[source](rng, n)
        lo, hi = policy.tail_range(seen, float(seen.min()), float(seen.max()), False)
        fresh = SOURCES[source](rng, 2 * n)
        assert lo <= fresh.min() and fresh.max() <= hi, (seed, lo, hi, fresh.min(), fresh.max())
        typical = float(np.quantile(seen, 0.75))  # heavy tails from 60 rows: x1000 of a median value can fit
        assert not lo <= typical * 1000 <= hi


def test_tail_range_falls_back_on_few_values_or_ties():
    assert policy.tail_range(np.array([1.0, 2.0, 3.0]), 1.0, 3.0, False) == (0, 5)  # the span on each side
    ties = np.array([0.0] * 1257 + [1.0])  # seen non-zero once: the next may well be 2
    assert policy.tail_range(ties, 0.0, 1.0, False) == (0, 2)
    lo, hi = policy.tail_range(np.arange(100), 0, 99, True)
    assert isinstance(lo, int) and isinstance(hi, int) and lo == 0 and hi > 99


def test_integer_codes():
    assert policy.integer_codes(np.array([1, 1, 2, 2, 7, 7, 7]), 20) == [1, 2, 7]
    assert policy.integer_codes(np.array([1, 1, 2, 2, 3]), 20) is None  # 3 seen once in 5: many codes may be missing
    # one code seen once in 200 rows: Good-Turing puts 0.5 % of rows on codes never seen, still a set of codes
    assert policy.integer_codes(np.array([1] * 120 + [2] * 79 + [3]), 20) == [1, 2, 3]
    assert policy.integer_codes(np.array([1] * 97 + [2, 3, 4]), 20) is None  # 3 % of rows seen once: a range
    assert policy.integer_codes(np.repeat(np.arange(30), 5), 20) is None  # over the category threshold
    assert policy.good_turing_unseen([5, 1, 1, 3]) == 0.2


def test_mean_band_stays_inside_the_range():
    assert policy.mean_band(1.0, 3.0, (0, 10)) == (0, 7)
    lo, hi = policy.mean_band(4200.0, 800.0, (None, None))
    assert lo < 4200 < hi
