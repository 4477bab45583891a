"""One duration syntax for the spec, the plan and the runtime (``runtime.durations``)."""
from __future__ import annotations

import pytest

from specgen.compiler.spec import parse_duration as spec_parse
from specgen.runtime.durations import format_duration, parse_duration


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("30m", 1800), ("36h", 129600), ("7d", 604800),
                                           ("2w", 1209600)])
def test_parse_and_format_round_trip(text, seconds):
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


def test_format_picks_the_largest_exact_unit():
    assert [format_duration(s) for s in (86400, 90000, 61, 3600 * 24 * 14)] == ["1d", "25h", "61s", "2w"]


@pytest.mark.parametrize("text", ["7 d", "7D", "1.5h", "h", "", "-1d"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_the_spec_model_uses_the_runtime_definition():
    assert spec_parse is parse_duration
