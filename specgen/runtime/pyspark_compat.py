"""Lets ``pandera.pyspark`` import where ``pyspark.pandas`` cannot (pandas 3 with pyspark 4.x).

pandera.pyspark validates ``pyspark.sql`` DataFrames; it imports ``pyspark.pandas`` (the pandas API
on Spark) only to recognise that other kind of frame. pyspark 4.x's ``pyspark.pandas`` fails to import
under pandas 3 (it imports pandas internals that moved). When it fails, a stand-in module is put in its
place whose classes nothing is an instance of, so pandera.pyspark works on ``pyspark.sql`` frames and
the pandas API on Spark stays unavailable (as it already was). With an older pandas nothing changes.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import sys
import types

__all__ = ["PANDAS_ON_SPARK"]


def _stand_in() -> None:
    for name in [m for m in sys.modules if m == "pyspark.pandas" or m.startswith("pyspark.pandas.")]:
        del sys.modules[name]  # the half-imported package
    classes: dict[str, type] = {}

    def class_named(name: str) -> type:
        if name.startswith("__"):  # the module protocol (__file__, ...): absent, as on any module; tools that
            raise AttributeError(name)  # walk sys.modules (hypothesis) read __file__ as a path
        return classes.setdefault(name, type(name, (), {}))

    module = types.ModuleType("pyspark.pandas", "stand-in: pyspark.pandas does not import here")
    module.__path__ = []
    module.__getattr__ = class_named
    extensions = types.ModuleType("pyspark.pandas.extensions")
    for name in ("register_dataframe_accessor", "register_series_accessor", "register_index_accessor"):
        setattr(extensions, name, lambda _name: (lambda cls: cls))
    module.extensions = extensions
    sys.modules["pyspark.pandas"], sys.modules["pyspark.pandas.extensions"] = module, extensions


def _reprobe() -> None:
    """pandera modules imported before the stand-in saw no pyspark.pandas and left out what
    pandera.pyspark imports from them (``pandera.typing.pyspark.DataFrame``): import them again."""
    typing_module = sys.modules.get("pandera.typing.pyspark")
    if typing_module is not None and not hasattr(typing_module, "DataFrame"):
        importlib.reload(typing_module)


def _connect_or_import_error() -> None:
    """pyspark.sql.connect ends the process (SystemExit 0, "Skipping doctests") when its grpc
    dependencies are missing and ``__main__`` has no file (an xdist worker, ``python -c``): turn that
    into the ImportError pandera.pyspark expects of an absent Spark Connect."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            import pyspark.sql.connect.dataframe  # noqa: F401
    except SystemExit:
        for name in [m for m in sys.modules if m.startswith("pyspark.sql.connect")]:
            del sys.modules[name]
        sys.modules["pyspark.sql.connect"] = None  # type: ignore[assignment]  # import -> ImportError
    except ImportError:
        pass


_connect_or_import_error()
from . import pandas_on_spark  # noqa: E402  (after the guard above: importing pyspark.pandas may reach Spark Connect)

PANDAS_ON_SPARK = pandas_on_spark.PANDAS_ON_SPARK
if not PANDAS_ON_SPARK:
    _stand_in()
    _reprobe()
