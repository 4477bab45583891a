"""The ``values`` check: with an ``unseen_rate`` (the binomial rule, every form of the check agreeing on it),
and an int category on whole floats."""
from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy.stats import binom

from specgen.runtime import engine, polars_checks, stats
from specgen.runtime.checks import Check
from specgen.runtime.checks.kinds.values import KIND as VALUES
from specgen.runtime.checks.kinds.values import isin_within

RATE = 0.0035
CHECK = Check("values", "c", {"values": [3, 4, 5, 6, 8], "unseen_rate": RATE})
STRICT = Check("values", "c", {"values": [3, 4, 5, 6, 8]})


@pytest.mark.parametrize("n,p", [(30, RATE), (1000, RATE), (1_000_000, RATE), (50, 0.5), (7, 0.99), (200, 1e-9)])
def test_binomial_tail_is_scipys(n, p):
    for k in sorted({0, 1, 2, 3, 5, int(n * p), int(n * p) + 1, int(n * p * 2) + 4, n - 1, n}):
        assert stats.binomial_tail(k, n, p) == pytest.approx(binom.sf(k - 1, n, p), rel=1e-9, abs=1e-300), (k, n, p)


def test_binomial_tail_far_in_the_tail_is_zero_quickly():
    assert stats.binomial_tail(1000, 1_000_000, 1e-6) == 0.0
    assert stats.binomial_tail(5, 4, 0.5) == 0.0 and stats.binomial_tail(0, 4, 0.5) == 1.0


def _frame(unlisted: int, rows: int) -> pl.DataFrame:
    return pl.DataFrame({"c": [7] * unlisted + [4] * (rows - unlisted)})


# (unlisted rows, rows, fails): at rate 0.0035 and 0.001, 2 of 30 is chance (p = 0.005), 3 of 30 is not
CASES = [(0, 30, False), (1, 30, False), (2, 30, False), (3, 30, True), (1, 1000, False), (12, 1000, True),
         (5, 100, True)]


@pytest.mark.parametrize("unlisted,rows,fails", CASES)
def test_polars_engine_pandera_function_and_pandera_polars_agree(unlisted, rows, fails):
    frame = _frame(unlisted, rows)
    [*failures] = engine.run_checks(frame, [CHECK])
    assert bool(failures) == fails
    if fails:
        assert failures[0].failing_rows == unlisted and failures[0].examples[0] == (0, 7)
    answer = isin_within(frame.to_pandas()["c"], [3, 4, 5, 6, 8], RATE)
    assert isinstance(answer, pd.Series) and list(~answer) == ([True] * unlisted + [False] * (rows - unlisted)
                                                              if fails else [False] * rows)

    class Data:
        lazyframe = frame.lazy()

    holds = polars_checks.holds(Data, "values", "c", dict(CHECK.params)).collect()["holds"]
    assert (~holds).sum() == (unlisted if fails else 0)


def test_without_a_rate_every_unlisted_row_fails_as_before():
    assert [f.failing_rows for f in engine.run_checks(_frame(1, 1000), [STRICT])] == [1]
    assert VALUES.field_args(STRICT) == (("isin", [3, 4, 5, 6, 8]),)
    assert VALUES.negatives(STRICT, "category:int") == [("unseen", "set_first", 9)]
    assert VALUES.describe(STRICT) == "x in {3, 4, 5, 6, 8}"


def test_a_rate_changes_the_pandera_form_and_the_negative_case():
    assert VALUES.field_args(CHECK) == (("isin_within", {"values": [3, 4, 5, 6, 8], "unseen_rate": RATE}),)
    assert VALUES.negatives(CHECK, "category:int") == [("unseen", "set_all", 9)]  # one row may be chance
    assert "rate 0.0035" in VALUES.describe(CHECK)


def test_nulls_are_neither_listed_nor_counted():
    frame = pl.DataFrame({"c": [7, 7, 7] + [None] * 997}, schema={"c": pl.Int64})
    [failure] = engine.run_checks(frame, [CHECK])  # 3 of 3 present rows: not chance
    assert failure.observed.startswith("3 of 3 rows unlisted")
    assert not engine.run_checks(pl.DataFrame({"c": [7] + [4] * 29 + [None] * 10}), [CHECK])
    assert np.all(isin_within(pd.Series([7] + [4] * 29, dtype="Int64"), [3, 4, 5, 6, 8], RATE))


def test_an_int_category_on_whole_floats_is_checked_not_a_crash():
    """pandas writes an int column with nulls as floats; the dtype check takes whole floats as ints, and the
    values check compared them with polars' is_in, which refused Float64 against ints (SG202, exit 2)."""
    frame = pl.DataFrame({"c": [4.0, None, 8.0, 7.0]})
    [failure] = engine.run_checks(frame, [STRICT])
    assert (failure.failing_rows, failure.examples) == (1, ((3, 7.0),))
    assert not engine.run_checks(frame.head(3), [STRICT])


def test_pandas_shares_count_whole_floats_as_their_ints():
    from specgen.runtime.checks.kinds.shares import shares_within

    floats = pd.Series([1.0, 2.0, np.nan, 2.0, 2.5])  # an int column pandas wrote with a missing value, and 2.5
    assert stats.shares(floats) == {"2": 0.5, "1": 0.25, "2.5": 0.25}
    assert shares_within(floats, {"1": 0.25, "2": 0.5}, 0.01) and not shares_within(floats, {"1": 0.5}, 0.01)
