"""One rule for an instant a user writes (``timezones.parse_instant``): ISO 8601 (naive = UTC) or Unix seconds,
the same in ``live --as-of``/``--sample-day``, ``--as-of``/$SPECGEN_AS_OF, ``--trained-at`` and a model's
``trained_at`` text."""
from __future__ import annotations

import datetime as dt

import pytest

from specgen.api import parse_timestamp
from specgen.api_live import parse_moment
from specgen.errors import SpecgenError
from specgen.runtime.adapter import Model
from specgen.runtime.timezones import parse_instant
from tests.helpers import EXAMPLES, run_cli

MARCH_10 = dt.datetime(2026, 3, 10)
MARCH_10_SECONDS = 1773100800  # 2026-03-10T00:00:00Z


def test_live_times_take_unix_seconds_as_every_other_command():
    assert parse_moment(str(MARCH_10_SECONDS)) == MARCH_10 == parse_moment("2026-03-10T00:00:00")
    assert parse_moment(f" {MARCH_10_SECONDS}.5 ") == MARCH_10 + dt.timedelta(seconds=0.5)
    assert parse_moment("2026-03-10T01:00:00+01:00") == MARCH_10 == parse_moment("2026-03-10T00:00:00z")
    with pytest.raises(SpecgenError, match="SG104"):
        parse_moment("next tuesday")


def test_eight_digits_that_form_a_date_are_the_basic_iso_date_everywhere():
    """``live --sample-day 20260310`` meant the day before one rule; now every command reads it so (it was
    Unix seconds in August 1970 for --as-of, $SPECGEN_AS_OF and --trained-at)."""
    assert parse_instant("20260310") == MARCH_10 == parse_moment("20260310")
    assert parse_timestamp("20260310", now=MARCH_10_SECONDS + 1.0) == MARCH_10_SECONDS
    assert parse_instant("20261399") == dt.datetime(1970, 1, 1) + dt.timedelta(seconds=20261399)  # no such date


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e20"])
def test_seconds_no_datetime_holds_are_a_value_error_not_a_crash(text):
    with pytest.raises(ValueError, match="out of the range"):
        parse_instant(text)
    with pytest.raises(SpecgenError, match="SG104"):
        parse_moment(text)


def test_as_of_beyond_any_datetime_is_a_usage_error_without_traceback():
    result = run_cli("validate", EXAMPLES / "penguins" / "spec.yaml", "--as-of", "1e20", in_process=True, expect=2)
    assert "neither ISO 8601 nor Unix seconds [SG207]" in result.output


def test_trained_at_reads_iso_text_by_the_rule():
    assert parse_timestamp("2026-03-10T00:00:00z", now=2e9) == MARCH_10_SECONDS  # a lowercase z is UTC too
    assert parse_timestamp("2026-03-10T01:00:00+01:00", now=2e9) == MARCH_10_SECONDS
    with pytest.raises(SpecgenError, match="milliseconds"):
        parse_timestamp(str(MARCH_10_SECONDS * 1000), now=2e9)  # a number is still judged as given


class _Trained:
    def __init__(self, trained_at):
        self.trained_at = trained_at

    def predict(self, X):
        return X


def test_a_models_trained_at_text_may_be_unix_seconds():
    assert Model(_Trained(str(MARCH_10_SECONDS))).trained_at() == MARCH_10_SECONDS
    assert Model(_Trained("2026-03-10T01:00:00+01:00")).trained_at() == MARCH_10_SECONDS
    with pytest.raises(ValueError, match="is not an ISO 8601 date/time"):
        Model(_Trained("last tuesday")).trained_at()
