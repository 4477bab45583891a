"""A slice of rows: the filter the model tests and the prediction checks share."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SliceFilter"]


@dataclass(frozen=True)
class SliceFilter:
    """Rows selected by a pandas query (``where``), or by ``column`` equal to (one of) ``value``."""

    where: str | None
    column: str | None
    value: object

    def select(self, frame):
        """The rows of a pandas ``frame`` in the slice."""
        if self.where is not None:
            return frame.query(self.where, engine="python")
        values = list(self.value) if isinstance(self.value, (list, tuple)) else [self.value]
        return frame[frame[self.column].isin(values)]
