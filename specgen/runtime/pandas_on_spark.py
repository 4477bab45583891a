"""pandera's probe for the pandas API on Spark, made once, before pandera makes it (imported for that).

pandera (0.35) imports ``pyspark.pandas`` whenever pyspark is installed (``pandera.external_config``, run
by ``import pandera``, ``pandera.pandas`` and ``pandera.pyspark``) so that pyspark can patch pandas before
pandera defines its typing classes; it ignores an ImportError. Under pandas 3, pyspark 4.x's
``pyspark.pandas`` first warns "PySpark does not yet fully support pandas >= 3.0.0" (a FutureWarning),
then fails to import (it imports ``DateOffset`` from where pandas 3 removed it). The half-imported package
is thrown away, so pandera's next probe imports it and warns again: a generated suite printed the warning
twice about a package that never loaded, and under ``-W error::FutureWarning`` the warning was raised
where pandera catches only ImportError, so ``import pandera`` failed.

Importing this module imports ``pyspark.pandas`` once, holding back pyspark's warnings about the pandas
version during that import only (no filter stays behind). If the import fails, those warnings spoke of a
package that is not loaded and are dropped, and the failure is remembered: every later ``import
pyspark.pandas`` (pandera's probes, ``pyspark_compat``) raises the same ImportError at once, without
importing half of pyspark again. If it succeeds, every held warning is issued as it was, under the
user's filters. Any other warning is issued as it was in either case.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import re
import sys
import warnings

__all__ = ["PANDAS_ON_SPARK"]

#: pyspark's warning about an unsupported pandas version (pyspark.sql.pandas.utils)
_VERSION_WARNING = re.compile(r"PySpark does not yet fully support pandas")
_PACKAGE = "pyspark.pandas"


class _Unavailable(importlib.abc.MetaPathFinder):
    """Raises the remembered ImportError for ``pyspark.pandas`` and its modules."""

    def __init__(self, failure: ImportError):
        self.failure = failure

    def find_spec(self, name, path=None, target=None):
        if name == _PACKAGE or name.startswith(_PACKAGE + "."):
            raise ImportError(f"{_PACKAGE} cannot be imported here: {self.failure}", name=name)
        return None


def _is_version_warning(caught: warnings.WarningMessage) -> bool:
    return issubclass(caught.category, FutureWarning) and bool(_VERSION_WARNING.match(str(caught.message)))


def _probe() -> bool:
    """Whether ``pyspark.pandas`` imports here (False without pyspark)."""
    if _PACKAGE in sys.modules:
        return sys.modules[_PACKAGE] is not None
    if importlib.util.find_spec("pyspark") is None:
        return False
    failure = None
    with warnings.catch_warnings(record=True) as held:
        warnings.filterwarnings("always", message=_VERSION_WARNING.pattern, category=FutureWarning)
        try:
            importlib.import_module(_PACKAGE)
        except (ImportError, AttributeError) as exc:  # AttributeError: pandas internals gone (as pyspark_compat)
            failure = exc
    for caught in held:
        if failure is None or not _is_version_warning(caught):
            warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno,
                                   source=caught.source)
    if failure is None:
        return True
    for name in [m for m in sys.modules if m == _PACKAGE or m.startswith(_PACKAGE + ".")]:
        del sys.modules[name]  # the half-imported package
    sys.meta_path.insert(0, _Unavailable(ImportError(str(failure))))
    return False


#: whether the pandas API on Spark is importable in this process
PANDAS_ON_SPARK = _probe()
