"""One column's statistics -> its spec entry and its comments (the monitoring baseline is ``specgen baseline``'s)."""
from __future__ import annotations

import numpy as np

from . import policy
from .emit import Column
from .scan import ColumnStats

__all__ = ["decide"]


def _g(value) -> str:
    """Compact number for comments."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.4g}" if value is not None else "-"


def _nulls(s: ColumnStats, role: str) -> tuple[list[tuple[str, object]], str]:
    said = "never null" if s.nulls == 0 else f"nulls {s.nulls} of {s.rows} ({s.null_fraction:.2%})"
    if s.nulls == 0 and role == "key":
        return [], said
    limit = policy.max_null_fraction(s.nulls, s.rows)
    return ([("max_null_fraction", limit)] if limit < 1 else [("nullable", True)]), said


def decide(s: ColumnStats, role: str, threshold: int) -> Column:
    """``role``: feature | label | key."""
    section = "features" if role == "feature" else "columns"
    nulls, null_text = _nulls(s, role)
    if s.kind == "null":
        return Column(s.name, section, (("dtype", "string"), ("nullable", True)),
                      ("always null in the input: set its dtype by hand",))
    if s.kind == "int" and role != "key" and not s.unique:
        codes = policy.integer_codes(s.sample, threshold) if s.sample is not None else None
        if codes is not None:
            return _codes(s, section, role, codes, nulls, null_text)
    if s.kind in ("int", "float"):
        return _numeric(s, section, role, nulls, null_text)
    if s.kind == "datetime":
        floor = policy.date_floor(s.min, s.max)
        zone = (("timezone", s.zone),) if s.zone else ()  # naive bounds are wall time in it
        return Column(s.name, section, (("dtype", "datetime"), *zone, *nulls, ("range", [floor, None])),
                      (f"datetime: earliest {s.min}, latest {s.max}, {null_text}",))
    if s.kind == "bool":
        return _categorical(s, section, role, nulls, null_text, dtype="bool")
    if role != "key" and policy.is_category(s.distinct, s.present, threshold) and s.counts:
        return _categorical(s, section, role, nulls, null_text, dtype="category")
    body = [("dtype", "string"), *nulls] + ([("unique", True)] if role == "key" else [])
    lengths = f", length {s.length[0]}..{s.length[1]}" if s.length else ""
    return Column(s.name, section, tuple(body),
                  (f"string: ~{s.distinct} distinct{lengths}, {null_text}",))


def _numeric(s: ColumnStats, section: str, role: str, nulls, null_text) -> Column:
    integer = s.kind == "int"
    body: list[tuple[str, object]] = [("dtype", s.kind), *nulls]
    if role == "key":  # ids grow: keep only the floor, and demand uniqueness
        lo, _ = policy.numeric_range(s.min, s.max, integer)
        body += ([("range", [lo, None])] if lo is not None else []) + [("unique", True)]
    else:
        lo, hi = policy.tail_range(s.sample, s.min, s.max, integer)
        if (lo, hi) != (None, None):
            body.append(("range", [lo, hi]))
        # the mean of distinct integers (ids, sequence numbers) says nothing about a batch
        band = None if integer and s.unique else policy.mean_band(s.mean, s.std, (lo, hi))
        if band is not None:
            body.append(("distribution", {"mean": list(band)}))
    finite = s.sample[np.isfinite(s.sample)] if s.sample is not None else np.empty(0)
    if not finite.size and role == "feature":
        body.append(("monitoring", {"enabled": False}))  # no finite value to bin: no drift baseline
    q = np.quantile(finite, [0.05, 0.5, 0.95]) if finite.size else [None] * 3
    comment = (f"{s.kind}: min {_g(s.min)}, max {_g(s.max)}, mean {_g(s.mean)}, std {_g(s.std)}, "
               f"p5/p50/p95 {_g(q[0])}/{_g(q[1])}/{_g(q[2])}, {null_text}")
    return Column(s.name, section, tuple(body), (comment,))


def _codes(s: ColumnStats, section: str, role: str, codes: list[int], nulls, null_text) -> Column:
    """An integer column of few codes, a code never seen unlikely: a set of values, kept as integers."""
    values, counts = np.unique(s.sample[np.isfinite(s.sample)], return_counts=True)
    top = ", ".join(f"{int(v)} {n / counts.sum():.0%}" for v, n in sorted(zip(values, counts), key=lambda p: -p[1])[:5])
    unseen, rate = _unseen_rate(counts)
    said = (f"int codes: {len(codes)} values, top {top}, {null_text}",
            f"Good-Turing chance of a code never seen (codes seen once / rows): {unseen:.2g}, at most "
            f"{policy.CODE_UNSEEN:g}, so declared as values")
    if rate:
        comments = (*said, _UNSEEN_SAID)
        body = (("dtype", "category"), *nulls, ("values", codes), ("unseen_rate", rate))
    else:
        comments = (*said, "an unseen code fails; use a range if other codes are valid")
        body = (("dtype", "category"), *nulls, ("values", codes))
    return Column(s.name, section, body, comments)


_UNSEEN_SAID = ("unseen_rate is that chance: more unlisted rows than it explains fail (chance below 0.001 on clean "
                "data); set it to 0 if no other value is valid")


def _unseen_rate(counts) -> tuple[float, float]:
    """(Good-Turing's chance that a row holds a value never seen, the ``unseen_rate`` written: that chance to
    two digits, rounded up, as a rate too low alarms; 0 when no value was seen once)."""
    unseen = policy.good_turing_unseen(counts)
    return unseen, (policy.round_up(unseen, policy.step_of(unseen) / 10) if unseen else 0)


def _categorical(s: ColumnStats, section: str, role: str, nulls, null_text, dtype: str) -> Column:
    present = max(1, s.present)
    body: list[tuple[str, object]] = [("dtype", dtype), *nulls]
    top = ", ".join(f"{v} {n / present:.0%}" for v, n in s.counts[:5])
    more = f" (+{len(s.counts) - 5} more)" if len(s.counts) > 5 else ""
    comments = [f"{dtype}: {len(s.counts)} values, top {top}{more}, {null_text}"]
    if dtype == "category":
        body.append(("values", [v for v, _ in s.counts]))
        unseen, rate = _unseen_rate([n for _, n in s.counts])
        if rate:  # values seen once: fresh rows hold values never seen about that often (Good-Turing)
            body.append(("unseen_rate", rate))
            comments += [f"Good-Turing chance of a value never seen (values seen once / rows): {unseen:.2g}",
                         _UNSEEN_SAID]
    rare = [f"{v} ({n} rows)" for v, n in s.counts if n / present < policy.RARE_SHARE]
    if rare:
        comments.append(f"rare (< {policy.RARE_SHARE:.0%} of rows), check before keeping: {', '.join(rare)}")
    return Column(s.name, section, tuple(body), tuple(comments))
