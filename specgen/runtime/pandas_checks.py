"""Pass/fail functions that generated pandera schemas call from their check methods.

Each is defined in its check kind's module (``checks/kinds/<name>.py``) and
gathered here, so a generated schema imports one module and calls
``checks.<function>``. The statistics live in ``stats``, shared with the rest
of the runtime.
"""
from __future__ import annotations

from .checks.registry import pandas_functions as _functions

globals().update(_functions())
__all__ = sorted(_functions())
