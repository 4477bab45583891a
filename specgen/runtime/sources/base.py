"""The interface every source implements, and what they share: checking names, shaping frames."""
from __future__ import annotations

import difflib
from collections.abc import Iterator

import polars as pl
import polars.selectors as cs

from ...errors import DataError
from ..io import naive_utc
from .query import Measure, TableQuery, checked_name

__all__ = ["Source", "BATCH_ROWS"]

#: rows per batch when a source is read as a stream (bounded memory: one batch of the wanted columns)
BATCH_ROWS = 200_000


class Source:
    """A table of rows somewhere: read whole, in batches, or aggregated inside the engine.

    Subclasses implement ``_columns``, ``_batches`` and ``_aggregate``; this class checks every name the
    query uses against the table first, so a missing column is a DataError naming it (with a
    did-you-mean), never a driver's traceback. ``label`` is what messages call the source (passwords
    removed). Use a source as a context manager, or call ``close``.
    """

    label: str = "source"

    def columns(self, table: str | None = None) -> list[str]:
        """The table's column names, in order."""
        return self._columns(self._table(table))

    def read(self, query: TableQuery, keep_zones: bool = False) -> pl.DataFrame:
        """All matching rows as one polars frame (time-zone-aware datetimes as naive UTC; ``keep_zones``: as
        aware UTC, the instant and the fact that it is one kept)."""
        frames = list(self.batches(query, keep_zones=keep_zones))
        return pl.concat(frames, how="vertical_relaxed", rechunk=False) if len(frames) > 1 else frames[0]

    def batches(self, query: TableQuery, rows: int = BATCH_ROWS, keep_zones: bool = False) -> Iterator[pl.DataFrame]:
        """The matching rows, ``rows`` at a time (at least one frame, maybe empty, carrying the schema)."""
        self._check(query)
        shaped = _aware_utc if keep_zones else naive_utc
        empty = True
        for frame in self._batches(query, rows):
            empty = False
            yield shaped(frame)
        if empty:
            yield shaped(self._batches_empty(query))

    def aggregate(self, query: TableQuery, measures: tuple[Measure, ...], group_by: tuple[str, ...] = (),
                  bucket: str | None = None) -> pl.DataFrame:
        """Measures per group computed by the engine: only the groups leave it (see ``query.build_aggregate``)."""
        named = TableQuery(query.table, tuple(m.column for m in measures if m.column) + group_by,
                           query.time_column, query.start, query.end)
        self._check(named)
        for m in measures:
            checked_name(m.name, "output column")
        return naive_utc(self._aggregate(query, measures, group_by, bucket))

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- what a backend provides
    def _columns(self, table: str | None) -> list[str]:
        raise NotImplementedError

    def _batches(self, query: TableQuery, rows: int) -> Iterator[pl.DataFrame]:
        raise NotImplementedError

    def _batches_empty(self, query: TableQuery) -> pl.DataFrame:
        raise NotImplementedError

    def _aggregate(self, query, measures, group_by, bucket) -> pl.DataFrame:
        raise NotImplementedError

    def _table(self, table: str | None) -> str | None:
        return table

    # -- shared
    def _check(self, query: TableQuery) -> None:
        have = self.columns(query.table)
        for name in query.names():
            checked_name(name, "column")
            if name not in have:
                close = difflib.get_close_matches(name, have, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; it has {have[:20]}"
                raise DataError(f"{self.label}: column {name!r} is not in the table{hint} [SG221]", "SG221")


def _aware_utc(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(cs.datetime(time_zone="*").dt.convert_time_zone("UTC"))
