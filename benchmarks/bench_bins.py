"""Ways of counting monitor's numeric bins in a pushdown engine, timed on the same data in one process.

What ``pushdown/monitor.py`` chose, and why, in ``benchmarks/results/scale.md``: DuckDB counts a
feature's bins with one ``histogram(x, boundaries)`` aggregate; PostgreSQL and Spark a ``count_if``
per edge (Spark with whole-stage code generation kept on: ``spark.sql.codegen.maxFields``). Each way
is run ``--rounds`` times, alternated, and each must give the same counts as the engine's own.

Usage: python benchmarks/bench_bins.py --engine duckdb|spark|postgres [--rows 2000000] [--rounds 2]
(the data: ``bench_scale.py``'s 10M-row files, written on first use; PostgreSQL loads the first
``--rows`` rows into a server started on a temporary directory, as the tests do)
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from bench_scale import write_files  # noqa: E402

from specgen.runtime.pushdown.monitor import summaries  # noqa: E402
from specgen.runtime.summary import FeatureSpec  # noqa: E402

NUMERIC = [f"f{i}" for i in range(10)] + [f"i{i}" for i in range(5)]


def _specs(frame) -> list[FeatureSpec]:
    """Decile edges of each numeric column (as ``specgen baseline`` stores them), and the categories."""
    specs = [FeatureSpec(c, "numeric", tuple(np.quantile(frame[c].drop_nulls().to_numpy().astype(float),
                                                         np.linspace(0, 1, 11)))) for c in NUMERIC]
    return specs + [FeatureSpec(f"c{i}", "categorical") for i in range(5)]


def _count_if(q, specs):
    """The generic way (``Query.bin_parts``): a count_if per edge in the one aggregate query."""
    from specgen.runtime.pushdown.query import Query

    named = [("__rows", q.rows_expr())]
    for i, f in enumerate(specs[:len(NUMERIC)]):
        named += Query.bin_parts(q, f"b{i}", q.value(f.name), f.edges)[0]
    row = q.aggregate(named)
    return [Query.bin_counts(q, f"b{i}", f.edges, row, {}) for i, f in enumerate(specs[:len(NUMERIC)])]


def _grouped_bin_index(q, specs):
    """A bin index per value (CASE over the edges), counted by GROUP BY GROUPING SETS (a set per feature)."""
    def index(x, edges):
        if hasattr(q, "frame"):  # Spark
            from pyspark.sql import functions as F

            out = F.when(x < float(edges[0]), 0)
            for j, e in enumerate(edges[1:-1], start=1):
                out = out.when(x < float(e), j)
            return out.when(x <= float(edges[-1]), len(edges) - 1).when(x.isNotNull(), len(edges))
        from specgen.runtime.pushdown.sql import S

        arms = [S(" WHEN ", x < float(e), f" THEN {j}") for j, e in enumerate(edges[:-1])]
        arms += [S(" WHEN ", x <= float(edges[-1]), f" THEN {len(edges) - 1}"),
                 S(" WHEN ", x, f" IS NOT NULL THEN {len(edges)}")]
        return S("(CASE", *arms, " END)")

    numeric = specs[:len(NUMERIC)]
    counts = q.group_counts([(f"b{i}", index(q.value(f.name), f.edges)) for i, f in enumerate(numeric)])
    return [tuple(counts[f"b{i}"].get(j, 0) for j in range(len(f.edges) + 1)) for i, f in enumerate(numeric)]


def _engine_way(q, specs):
    _, _, found, _ = summaries(q, specs[:len(NUMERIC)])
    return [found[c].counts for c in NUMERIC]


def _ways(engine: str, q) -> dict:
    ways = {"chosen (Query.bin_parts of this engine)": _engine_way, "count_if per edge": _count_if,
            "bin index + GROUPING SETS": _grouped_bin_index}
    if engine == "spark":
        spark = q.frame.sparkSession

        def no_codegen(q, specs):  # Spark's default limit: whole-stage codegen off above 100 fields
            spark.conf.set("spark.sql.codegen.maxFields", "100")
            try:
                return _count_if(q, specs)
            finally:
                spark.conf.set("spark.sql.codegen.maxFields", "2000")
        ways["count_if per edge, codegen off (maxFields 100)"] = no_codegen
    return ways


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("duckdb", "spark", "postgres"), required=True)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    import polars as pl

    folder = write_files(10_000_000, 20)
    files = sorted(folder.glob("part-*.parquet"))[:max(1, math.ceil(args.rows / 500_000))]
    frame = pl.read_parquet(files).head(args.rows)
    specs = _specs(frame)
    print(f"{frame.height:,} rows, {len(NUMERIC)} numeric features x 10 bins, engine {args.engine}", flush=True)
    if args.engine == "postgres":
        from tests.postgres import load_frame, postgres_server

        with postgres_server() as url:
            load_frame(url, "bins", frame)
            from specgen.runtime.pushdown import sql

            _run(args, sql.open_source(url, "bins"), specs)
        return
    import tempfile

    from specgen.runtime.pushdown.open import open_query

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bins.parquet")
        frame.write_parquet(path)
        _run(args, open_query(args.engine, path), specs)


def _run(args, q, specs) -> None:
    ways = _ways(args.engine, q)
    expected = None
    for _ in range(args.rounds):
        for name, way in ways.items():
            start = time.perf_counter()
            counts = way(q, specs)
            print(f"  {name:48} {time.perf_counter() - start:7.2f} s", flush=True)
            expected = counts if expected is None else expected
            if [tuple(c) for c in counts] != [tuple(c) for c in expected]:
                raise SystemExit(f"{name}: counts differ from the engine's own")
    print("every way gives the same counts")


if __name__ == "__main__":
    main()
