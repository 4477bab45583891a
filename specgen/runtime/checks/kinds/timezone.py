"""``timezone``: a time-zone-aware datetime column is in the declared zone (``timezone:`` on the column).

Naive data carries no zone to contradict: it is read as wall time in the declared zone
(``runtime.timezones`` states the rule). Settled from the schema (polars) or the series'
zone, or the zone ``io.read_pandas`` noted before normalising (pandas).
"""
from __future__ import annotations

from ... import timezones
from ..base import Check, ColumnKind, Failure


def timezone_matches(series, zone: str) -> bool:
    return timezones.same_zone(timezones.source_zone(series), zone)


def claim_zone(frame, column, zone: str):
    """The frame as if its column had been written in ``zone`` (what a reader notes for aware data)."""
    frame.attrs = {**frame.attrs, timezones.SOURCE_ZONES: {**frame.attrs.get(timezones.SOURCE_ZONES, {}),
                                                           column: zone}}
    return frame


class Timezone(ColumnKind):
    name = "timezone"
    order = 25
    meaning = "time-zone-aware values are in the declared zone (naive values are read in it)"
    pandera_names = ("timezone_matches",)
    pandas_functions = {"timezone_matches": timezone_matches}
    mutations = {"claim_zone": claim_zone}
    per_chunk = True

    def build(self, source) -> list[Check]:
        zone = getattr(source.feature, "timezone", None)
        if zone is None:
            return []
        return [Check(self.name, source.name, {"timezone": zone}, source.environments)]

    def declared_zone(self, check):
        return check.params["timezone"]

    def describe(self, check):
        return f"time zone {check.params['timezone']}"

    def field_args(self, check):
        return (("timezone_matches", {"zone": check.params["timezone"]}),)

    def negatives(self, check, value_type):
        other = "Asia/Tokyo" if check.params["timezone"] != "Asia/Tokyo" else "America/New_York"
        return [("wrong_zone", "claim_zone", other)]

    def schema_failure(self, check, schema):
        dtype = schema[check.column]
        seen = getattr(dtype, "time_zone", None)
        if timezones.same_zone(seen, check.params["timezone"]):
            return None, False
        return Failure(check, None, observed=f"time zone {seen}"), False


KIND = Timezone()
