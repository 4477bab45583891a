"""specgen: one YAML spec per model -> pandera schemas, pytest suites and monitors."""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import DataError, SpecError, SpecgenError, WriteError  # noqa: E402

__all__ = ["__version__", "SpecgenError", "SpecError", "DataError", "WriteError",
           "compile_spec", "baseline_spec", "validate_data", "load_spec", "build_plan"]


def __getattr__(name):
    # The library functions import pydantic/jinja2; load them only when asked for.
    if name in ("compile_spec", "baseline_spec", "validate_data", "load_spec", "build_plan"):
        from . import api
        return getattr(api, name)
    raise AttributeError(name)
