"""Write a realistic, deterministic prediction log for the support_routing example.

A ticket router (three teams) serves every ticket; from ``--canary-from`` on, a canary model (v42) takes
``--canary-share`` of the traffic next to the stable one (v41). Agents correct the routing later: a
label arrives 2 hours to 6 days after the prediction (log-normal delay), and some tickets are never
labelled. The canary is as good as stable everywhere except on German tickets, where it routes far
worse (``--canary-german-accuracy``; pass ``--equal`` for a canary as good as stable). A daily
real-world metric, the share of tickets reopened by the customer, rises with misrouted tickets.

    python make_logs.py OUT_DIR [--days 14] [--per-day 4000] [--seed 7] [--equal] [--duckdb] [--train CSV]

writes OUT_DIR/predictions.parquet, labels.parquet, outcomes.parquet (and, with --duckdb, the same three
tables in OUT_DIR/logs.duckdb). ``simulate`` is the same thing as a function (tests, benchmarks).
"""
from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

TEAMS = np.array(["account", "billing", "technical"])
START = datetime(2026, 3, 2)
STABLE, CANARY = "v41", "v42"
#: chance that a model routes a ticket right, by language (the canary's German figure is an argument)
ACCURACY = {"en": 0.91, "fr": 0.88, "de": 0.86}


def simulate(seed: int = 7, days: int = 14, per_day: int = 4000, canary_from: int = 7, canary_share: float = 0.1,
             canary_german_accuracy: float | None = 0.6, start: datetime = START) -> dict[str, pl.DataFrame]:
    """{"predictions", "labels", "outcomes"} frames; ``canary_german_accuracy=None``: canary equals stable."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    day = np.repeat(np.arange(days), per_day)
    served = np.datetime64(start, "us") + (day * 86400 + rng.integers(0, 86400, n)) * np.timedelta64(1, "s")
    language = rng.choice(["en", "fr", "de"], n, p=[0.8, 0.14, 0.06])
    channel = rng.choice(["web", "mobile", "email"], n, p=[0.55, 0.3, 0.15])
    words = np.clip(rng.lognormal(4, 0.8, n).astype(int), 1, 5000)
    # the team follows from the ticket (channel, length) but for 10% of tickets
    by_channel = np.select([channel == "web", channel == "mobile"], [1, 2], 0)
    team = TEAMS[np.where(rng.random(n) < 0.9, np.where(words > 150, 2, by_channel), rng.integers(0, 3, n))]
    canary = (day >= canary_from) & (rng.random(n) < canary_share)
    right = rng.random(n) < np.vectorize(ACCURACY.get)(language)
    if canary_german_accuracy is not None:
        german = canary & (language == "de")
        right[german] = rng.random(int(german.sum())) < canary_german_accuracy
    wrong = TEAMS[(np.searchsorted(TEAMS, team) + rng.integers(1, 3, n)) % 3]
    predicted = np.where(right, team, wrong)
    order = np.argsort(served, kind="stable")
    predictions = pl.DataFrame({
        "ticket_id": np.arange(1, n + 1)[order], "served_at": served[order], "channel": channel[order],
        "language": language[order], "words": words[order], "predicted_team": predicted[order],
        "model_version": np.where(canary, CANARY, STABLE)[order]})
    labelled = rng.random(n) < 0.85
    delay = np.clip(rng.lognormal(np.log(30 * 3600), 0.8, n), 2 * 3600, 6 * 86400).astype(np.int64)
    labels = pl.DataFrame({"ticket_id": np.arange(1, n + 1)[labelled],
                           "labelled_at": (served + delay * np.timedelta64(1, "s"))[labelled],
                           "team": team[labelled]}).sort("labelled_at", "ticket_id")
    misrouted = pl.DataFrame({"day": day, "wrong": ~right}).group_by("day").agg(pl.col("wrong").mean()).sort("day")
    outcomes = pl.DataFrame({
        "day": [start + timedelta(days=int(d)) for d in misrouted["day"]],
        "reopen_rate": (0.04 + 0.5 * misrouted["wrong"].to_numpy() + rng.normal(0, 0.004, len(misrouted))).round(4)})
    return {"predictions": predictions, "labels": labels, "outcomes": outcomes}


def training_rows(seed: int = 3, rows: int = 2000) -> pl.DataFrame:
    """The labelled history the model was trained on (data/train.csv): the log's columns and the true team."""
    log = simulate(seed, days=1, per_day=rows, canary_from=1)
    teams = log["labels"].select("ticket_id", "team")
    return (log["predictions"].select("ticket_id", "channel", "language", "words").join(teams, on="ticket_id")
            .sort("ticket_id"))


def write(frames: dict[str, pl.DataFrame], out: Path, duckdb_file: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.write_parquet(out / f"{name}.parquet")
    if duckdb_file:
        import duckdb
        path = out / "logs.duckdb"
        path.unlink(missing_ok=True)
        with duckdb.connect(str(path)) as con:
            for name in frames:
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(out / f'{name}.parquet')])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--per-day", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--equal", action="store_true", help="a canary as good as stable")
    parser.add_argument("--duckdb", action="store_true", help="also write the tables to OUT/logs.duckdb")
    parser.add_argument("--train", type=Path, help="also write the training rows (CSV) here")
    args = parser.parse_args()
    frames = simulate(args.seed, args.days, args.per_day, canary_german_accuracy=None if args.equal else 0.6)
    write(frames, args.out, args.duckdb)
    if args.train is not None:
        training_rows().write_csv(args.train)
    print(f"wrote {', '.join(f'{k}: {v.height} rows' for k, v in frames.items())} to {args.out}")


if __name__ == "__main__":
    main()
