"""``specgen live``: the library call behind the command (the CLI holds no logic)."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path

from .errors import SpecgenError

__all__ = ["live", "live_settings", "parse_moment", "write_sample"]


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 date or time (UTC when it has no zone) or Unix seconds, as naive UTC: the rule every
    command taking an instant follows (``runtime.timezones.parse_instant``)."""
    from .runtime.timezones import parse_instant

    try:
        return parse_instant(text)
    except ValueError:
        raise SpecgenError(f"{text!r} is neither an ISO 8601 date or time nor Unix seconds [SG104]", "SG104") from None


def live_settings(spec_path, window: str | None = None):
    """The spec's resolved ``LiveConfig`` (``window``: the --window override), as ``live`` runs it."""
    from .api import load_spec
    from .compiler.live_plan import live_config
    from .compiler.spec import parse_duration

    _, spec = load_spec(spec_path)
    if spec.live is None:
        raise SpecgenError(f"{spec_path}: the spec has no live section (see the README: live model quality) "
                           "[SG230]", "SG230")
    config = live_config(spec)
    if window is not None:
        try:
            config = replace(config, window_seconds=parse_duration(window))
        except ValueError as exc:
            raise SpecgenError(f"--window: {exc} [SG104]", "SG104") from None
    return config


def live(spec_path: str | Path, predictions: str, labels: str | None = None, *, outcomes: str | None = None,
         window: str | None = None, as_of: str | None = None, metrics_out: str | Path | None = None,
         sample_out: str | Path | None = None, sample_day: str | None = None):
    """Run the live report (and write the Prometheus file and the labelling sample when asked)."""
    from contextlib import ExitStack

    from .runtime.exposition import write_textfile
    from .runtime.live import run_live
    from .runtime.live.exposition import live_exposition
    from .runtime.sources import open_source

    config = live_settings(spec_path, window)
    if labels is None and config.labels is not None:
        raise SpecgenError("the spec declares live.labels: give --labels SOURCE [SG104]", "SG104")
    with ExitStack() as stack:
        open_ = lambda where: stack.enter_context(open_source(where)) if where is not None else None
        pred_source, label_source = open_(predictions), open_(labels if config.labels is not None else None)
        outcome_source = open_(outcomes) if config.outcomes else None
        report = run_live(config, pred_source, label_source, outcome_source,
                          parse_moment(as_of) if as_of is not None else None)
        if sample_out is not None:
            report.sample = write_sample(config, pred_source, sample_out, sample_day, report.as_of)
    if metrics_out is not None:
        try:
            write_textfile(metrics_out, live_exposition(report, time.time()))
        except OSError as exc:
            raise SpecgenError(f"{metrics_out}: cannot write metrics: {exc.strerror} [SG302]", "SG302") from None
    return report


def write_sample(config, source, out: str | Path, day: str | None, as_of: str) -> dict:
    """The day's labelling sample to ``out`` (.csv or .jsonl); the day defaults to the day of the newest
    prediction before as-of."""
    from .runtime.live import daily_sample
    from .runtime.live.logs import time_range

    if config.sampling is None:
        raise SpecgenError("--sample-out needs a live.sampling section in the spec [SG230]", "SG230")
    out = Path(out)
    if out.suffix.lower() not in (".csv", ".jsonl"):
        raise SpecgenError(f"{out}: the sample is written as .csv or .jsonl [SG104]", "SG104")
    if day is not None:
        moment = parse_moment(day)
    else:
        moment = min(parse_moment(as_of) - dt.timedelta(microseconds=1), time_range(source, config.predictions)[1])
    midnight = dt.datetime(moment.year, moment.month, moment.day)
    frame = daily_sample(config, source, midnight)
    try:
        if out.suffix.lower() == ".csv":
            frame.write_csv(out)
        else:
            frame.write_ndjson(out)
    except OSError as exc:
        raise SpecgenError(f"{out}: cannot write the sample: {exc.strerror} [SG302]", "SG302") from None
    return {"day": midnight.date().isoformat(), "rows": frame.height, "file": str(out),
            "strata": dict(sorted(frame.group_by("stratum").len().iter_rows()))}
