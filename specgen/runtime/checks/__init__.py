"""The check catalogue: every data check kind declared once, in its own module (``kinds/``).

``Check`` and ``Failure`` are the records the compiler's plan, the generated
pandera schema and the polars engine share; ``registry`` finds the kinds.
"""
from __future__ import annotations

from .base import DATASET, Check, Failure, Kind
from .registry import all_kinds, get, kind_of_pandera_check

__all__ = ["Check", "Failure", "Kind", "DATASET", "all_kinds", "get", "kind_of_pandera_check"]
