"""The Spark engine: the checks as Spark aggregations, merged on the driver (``--engine spark``).

pyspark is an optional extra, imported only here. The master comes from ``--spark-master``,
else ``SPECGEN_SPARK_MASTER``, else ``local[*]``; any Spark setting can be given as
``--spark-conf key=value`` (or ``SPECGEN_SPARK_CONF="k=v,k=v"``). An active SparkSession (a
notebook's, a test fixture's) is reused as it is.

Row numbers in examples are positions in the order Spark reads the input (the order of
``monotonically_increasing_id``: by partition, then within it), which for one file is file
order; ``monotonic`` compares each value with the previous non-null one in that order (a
window over the whole input: one partition, so it is the one check that does not scale out).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl

from ...errors import DataError, SpecgenError
from .query import N_EXAMPLES, Query, grouped, judged, plain

__all__ = ["session", "read", "SparkQuery", "DEFAULT_CONF"]

#: settings a specgen session starts with (``--spark-conf`` overrides them)
DEFAULT_CONF = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                "spark.sql.session.timeZone": "UTC", "spark.sql.shuffle.partitions": "8",
                "spark.sql.ansi.enabled": "false",
                # one aggregate query holds a count per bin and feature: above 100 fields Spark turned
                # whole-stage code generation off and ran it interpreted, 2-4x slower (scale.md)
                "spark.sql.codegen.maxFields": "2000"}
#: Spark's own log: errors only (its INFO lines would bury specgen's report on stderr)
_LOG4J = "rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\nappender.console.type = Console\n" \
         "appender.console.name = console\nappender.console.target = SYSTEM_ERR\n" \
         "appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %p %c: %m%n\n"
_ID = "__specgen_row_id"
_LOW_BITS = (1 << 33) - 1  # monotonically_increasing_id: partition id << 33 | position in it


def _unavailable(why: str) -> SpecgenError:
    return SpecgenError(f"--engine spark: {why} [SG210]", "SG210")


def session(master: str | None = None, conf: dict[str, str] | None = None):
    """A SparkSession, or SG210 saying what is missing (pyspark, Java) or why Spark did not start."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise _unavailable("pyspark is not installed; pip install 'specgen[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None and master is None and not conf:
        return active
    if not _java():
        raise _unavailable("Java is not installed (Spark needs Java 17 or later on PATH or in JAVA_HOME)")
    builder = SparkSession.builder.appName("specgen").master(
        master or os.environ.get("SPECGEN_SPARK_MASTER") or "local[*]")
    quiet = {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{_log4j_file()}"}
    for key, value in {**DEFAULT_CONF, **quiet, **_env_conf(), **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own types (Py4JError, PySparkRuntimeError, ...)
        raise _unavailable(f"Spark did not start: {' '.join(str(exc).split())[:300]}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _log4j_file() -> Path:
    import tempfile

    path = Path(tempfile.gettempdir()) / "specgen-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        path.write_text(_LOG4J)
    return path


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(home and Path(home, "bin", "java").exists()) or shutil.which("java") is not None


def _env_conf() -> dict[str, str]:
    pairs = [p for p in os.environ.get("SPECGEN_SPARK_CONF", "").split(",") if p.strip()]
    return parse_conf(pairs)


def parse_conf(pairs) -> dict[str, str]:
    """``["k=v", ...]`` -> ``{k: v}``; SG104 for a pair without ``=``."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SpecgenError(f"--spark-conf {pair!r}: expected key=value [SG104]", "SG104")
        out[key.strip()] = value.strip()
    return out


def read(spark, source: str | Path, dtypes: dict[str, str] | None = None):
    """A DataFrame of ``source``: ``table:NAME`` (a catalog table), or Parquet/CSV paths (a file,
    a directory, Hive partitions, a glob), CSV with a header, text columns kept text."""
    text = str(source)
    if text.startswith("table:"):
        return _analysed(lambda: spark.table(text[len("table:"):]), text)
    fmt = _format(text)
    if fmt == "parquet":
        return _analysed(lambda: spark.read.parquet(text), text)
    frame = _analysed(lambda: spark.read.csv(text, header=True, inferSchema=True, mode="FAILFAST"), text)
    texts = [c for c in frame.columns if (dtypes or {}).get(c) in ("category:str", "string")]
    return frame.select(*[_col(c).cast("string").alias(c) if c in texts else _col(c) for c in frame.columns])


def _format(text: str) -> str:
    path = Path(text)
    if path.suffix.lower() in (".parquet", ".pq"):
        return "parquet"
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.is_dir():
        found = {p.suffix.lower() for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))}
        return "csv" if found == {".csv"} else "parquet"
    raise DataError(f"{text}: unsupported data format {path.suffix or '(no extension)'!r}; use .csv, "
                    ".parquet, a directory of them, or table:NAME [SG202]", "SG202")


def _analysed(make, text: str):
    try:
        return make()
    except Exception as exc:  # pyspark's AnalysisException and friends
        message = " ".join(str(exc).split())
        if "PATH_NOT_FOUND" in message or "TABLE_OR_VIEW_NOT_FOUND" in message:
            raise DataError(f"{text}: data not found [SG201]", "SG201") from None
        raise DataError(f"{text}: Spark cannot read it: {message[:300]} [SG202]", "SG202") from None


def _col(name: str):
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")  # a name is data: quoted, never parsed


def _read_error(exc: Exception) -> DataError:
    """Spark's reason for a failed job (a malformed CSV row under FAILFAST, a file gone), without a traceback."""
    first = " ".join(str(exc).split())[:300]
    return DataError(f"Spark cannot read the data: {first} [SG202]", "SG202")


def polars_dtype(spark_type) -> pl.DataType:
    """The polars dtype the checks read for a Spark type (the same rules as a Parquet file's)."""
    from pyspark.sql import types as T

    simple = {T.LongType: pl.Int64, T.IntegerType: pl.Int32, T.ShortType: pl.Int16, T.ByteType: pl.Int8,
              T.DoubleType: pl.Float64, T.FloatType: pl.Float32, T.DecimalType: pl.Float64,
              T.StringType: pl.String, T.BooleanType: pl.Boolean, T.DateType: pl.Date,
              T.TimestampType: pl.Datetime("us"), T.TimestampNTZType: pl.Datetime("us"), T.NullType: pl.Null,
              T.BinaryType: pl.Binary}
    for spark_class, dtype in simple.items():
        if isinstance(spark_type, spark_class):
            return dtype() if isinstance(dtype, type) else dtype
    return pl.List(pl.String) if isinstance(spark_type, T.ArrayType) else pl.Object()


class SparkQuery(Query):
    """A DataFrame under check; expressions are pyspark Columns."""

    def __init__(self, frame):
        from pyspark.sql import functions as F

        self.schema = {f.name: polars_dtype(f.dataType) for f in frame.schema.fields}
        self.frame = frame.withColumn(_ID, F.monotonically_increasing_id())
        self.extras: dict[str, object] = {}  # window columns the checks ask for, computed before aggregating
        self._offsets: dict[int, int] | None = None

    @property
    def projected(self):
        if not self.extras:
            return self.frame
        return self.frame.select("*", *[e.alias(a) for a, e in self.extras.items()])

    def _extra(self, expr):
        from pyspark.sql import functions as F

        alias = f"__specgen_x{len(self.extras)}"
        self.extras[alias] = expr
        return F.col(alias)

    # -- expressions
    def value(self, column):
        from pyspark.sql import functions as F

        dtype, x = self.schema[column], _col(column)
        if dtype.is_float():
            x = F.when(F.isnan(x), F.lit(None)).otherwise(x)  # NaN is null, as everywhere in specgen
        if dtype == pl.Date:
            x = x.cast("timestamp")
        return x

    def false(self):
        from pyspark.sql import functions as F

        return F.lit(False)

    def is_null(self, x):
        return x.isNull()

    def is_not_null(self, x):
        return x.isNotNull()

    def is_in(self, x, values):
        return x.isin(list(values))

    def full_match(self, x, pattern):
        return x.rlike(f"^(?:{pattern})$")

    def length(self, x):
        from pyspark.sql import functions as F

        return F.char_length(x)

    def fractional(self, x):
        return x % 1 != 0

    def previous_non_null(self, x):
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        order = Window.orderBy(_ID).rowsBetween(Window.unboundedPreceding, -1)
        return self._extra(F.last(x, ignorenulls=True).over(order))

    def is_duplicated(self, x):
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        return self._extra(F.count(F.lit(1)).over(Window.partitionBy(x))) > 1

    # -- aggregates
    def rows_expr(self):
        from pyspark.sql import functions as F

        return F.count(F.lit(1))

    def count_if(self, mask):
        from pyspark.sql import functions as F

        return F.count(F.when(mask, F.lit(1)))  # a null mask is not counted

    def null_count(self, x):
        return self.count_if(x.isNull())

    def count(self, x):
        from pyspark.sql import functions as F

        return F.count(x)

    def count_distinct(self, x):
        from pyspark.sql import functions as F

        return F.count_distinct(x)

    def ratio(self, a, b):
        return a / b

    def min(self, x):
        from pyspark.sql import functions as F

        return F.min(x)

    def max(self, x):
        from pyspark.sql import functions as F

        return F.max(x)

    def mean(self, x):
        from pyspark.sql import functions as F

        return F.avg(x)

    def std(self, x):
        from pyspark.sql import functions as F

        return F.stddev_samp(x)

    def quantile(self, x, q):
        from pyspark.sql import functions as F

        return F.percentile(x, F.lit(float(q)))  # exact, linear interpolation (as polars' "linear")

    # -- monitor
    def text(self, x):
        return x.cast("string")

    def as_float(self, x):
        return x.cast("double")

    def is_whole(self, x):
        from pyspark.sql import functions as F

        return (x == F.floor(x)) & (F.abs(x) < float(2**53))

    def as_integer(self, x):
        return x.cast("long")

    def when(self, mask, x, otherwise=None):
        from pyspark.sql import functions as F

        return F.when(mask, x).otherwise(F.lit(otherwise))

    def sum(self, x):
        from pyspark.sql import functions as F

        return F.sum(x)

    def group_counts(self, named, where=None):
        """Rows per value of each expression in one job (grouping sets, a set per expression); nulls not counted."""
        from pyspark.sql import functions as F

        frame = self.projected if where is None else self.projected.where(where)
        aliases = [alias for alias, _ in named]
        frame = frame.select(*[expr.alias(alias) for alias, expr in named])
        rows = self._collect(lambda: frame.groupingSets([[a] for a in aliases], *aliases)
                             .agg(F.count(F.lit(1))).collect())
        return grouped(named, rows)

    def frames(self, columns, rows):
        """The rows on the driver, ``rows`` at a time: Spark sends one partition at a time
        (``toLocalIterator`` without prefetch), so the driver holds a partition and a chunk, never the table."""
        chunk: list = []
        stream = self.frame.select(*[_col(c) for c in columns]).toLocalIterator(prefetchPartitions=False)
        try:  # the consumer's own failures (the model's) never enter here: only reading the rows
            for row in stream:
                chunk.append(tuple(plain(v) for v in row))
                if len(chunk) >= rows:
                    yield self._chunk(chunk, columns)
                    chunk = []
        except Exception as exc:
            raise _read_error(exc) from None
        if chunk:
            yield self._chunk(chunk, columns)

    def _chunk(self, rows, names):
        schema = {c: (None if self.schema[c] == pl.Object or isinstance(self.schema[c], pl.List) else self.schema[c])
                  for c in names}
        return pl.DataFrame({c: pl.Series(c, [r[j] for r in rows], dtype=schema[c], strict=False)
                             for j, c in enumerate(names)})

    def _collect(self, run):
        try:
            return run()
        except Exception as exc:  # a malformed CSV row (FAILFAST), a file gone: Spark's reason, no traceback
            raise _read_error(exc) from None

    # -- queries
    def aggregate(self, named):
        row = self._collect(lambda: self.projected.agg(*[expr.alias(alias) for alias, expr in named]).collect()[0])
        return {alias: judged(row[i]) for i, (alias, _) in enumerate(named)}

    def value_counts(self, x, name, text=True):
        value = x.cast("string") if text else x
        counts = self.projected.where(x.isNotNull()).groupBy(value.alias("value")).count().collect()
        return [{name: r[0], "count": int(r[1])} for r in counts]

    def finite(self, x):
        from pyspark.sql import functions as F

        return F.when(F.abs(x) == float("inf"), F.lit(None)).otherwise(x)

    def sample(self, columns, size, seed):
        rows = self.rows or self.frame.count()
        frame = self.frame.select(*[_col(c) for c in columns])
        if rows > size:
            frame = frame.sample(fraction=min(1.0, 1.2 * size / rows), seed=seed).limit(size)
        return frame.collect()

    def distinct_rows(self, columns):
        return self.frame.select(*[_col(c) for c in columns]).distinct().count()

    def duplicated_rows(self, columns):
        from pyspark.sql import functions as F

        groups = self.frame.groupBy(*[_col(c) for c in columns]).count().where(F.col("count") > 1)
        return int(groups.agg(F.sum("count")).collect()[0][0] or 0)

    def examples(self, columns, mask):
        from pyspark.sql import functions as F

        bad = self.projected.withColumn("__specgen_bad", mask).where(F.col("__specgen_bad"))
        count = bad.count()
        rows = bad.select(*[_col(c) for c in columns], _ID).orderBy(_ID).limit(N_EXAMPLES).collect()
        values = [plain(r[0]) if len(columns) == 1 else tuple(plain(v) for v in r[:-1]) for r in rows]
        return count, tuple(zip(self._row_numbers([r[-1] for r in rows]), values))

    def _row_numbers(self, ids: list[int]) -> list[int]:
        """Positions in read order from Spark's ids (partition << 33 | offset): rows of earlier partitions
        are counted once, by one small aggregation."""
        from pyspark.sql import functions as F

        if self._offsets is None and ids:
            counts = sorted(self.frame.groupBy(F.shiftright(F.col(_ID), 33).alias("p")).count().collect())
            self._offsets, total = {}, 0
            for partition, n in counts:
                self._offsets[int(partition)] = total
                total += int(n)
        return [self._offsets.get(i >> 33, 0) + (i & _LOW_BITS) for i in ids]
