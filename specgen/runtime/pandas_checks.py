"""The checks generated pandera schemas use, registered with pandera's extension API.

Each function is defined in its check kind's module (``checks/kinds/<name>.py``)
and registered here with ``pandera.extensions.register_check_method`` when this
module is imported: a generated schema names it like a built-in check
(``pa.Field(mean_between={"lo": 40.0, "hi": 48.0})``, or a ``Config`` entry for a
dataframe check), so ``Schema.to_schema().to_yaml()``/``to_json()`` keep it with
its statistics, and ``DataFrameSchema.from_yaml`` rebuilds it once this module is
imported. The functions stay importable here by name too.
"""
from __future__ import annotations

import inspect
from functools import partial

from .checks.registry import all_kinds as _all_kinds
from .checks.registry import pandas_functions as _functions

globals().update(_functions())
__all__ = sorted(_functions())


def _register() -> None:
    import pandas as pd
    from pandera import extensions
    from pandera.api.checks import Check

    for kind in _all_kinds():
        for name, function in kind.pandas_functions.items():
            if name in Check.REGISTERED_CUSTOM_CHECKS:
                continue  # registered already (this module was imported under another name)
            statistics = list(inspect.signature(function).parameters)[1:]
            supported = pd.DataFrame if kind.level == "dataset" else pd.Series
            extensions.register_check_method(function, statistics=statistics, supported_types=supported)
            if name in kind.keeps_nulls:
                Check.REGISTERED_CUSTOM_CHECKS[name] = partial(_keeping_nulls, Check.REGISTERED_CUSTOM_CHECKS[name])


def _keeping_nulls(make_check, *args, **kwargs):
    """pandera drops nulls before a Series check when ``ignore_na`` (a ``Field``'s default, passed to
    every check it builds): a null share must count them, so this check always sees them."""
    kwargs["ignore_na"] = False
    return make_check(*args, **kwargs)


_register()


def _integer_dtype():
    """``Integer``: pandas' nullable Int64, also taking UInt64 (a pandera dtype, registered with its engine).

    specgen reads a column of integers beyond int64 (none negative) as uint64 (``runtime.io``): such ids
    are ints to ``specgen validate``, and coercing them to Int64 would fail. Everything else coerces to
    Int64 as pandera's own ``pd.Int64Dtype`` does (4000.5 and "12 mm" fail)."""
    from pandera import dtypes
    from pandera.engines import pandas_engine

    @pandas_engine.Engine.register_dtype
    @dtypes.immutable
    class Integer(pandas_engine.INT64):
        def coerce(self, data_container):
            if str(data_container.dtype) in ("uint64", "UInt64"):
                return data_container.astype("UInt64")
            try:
                return super().coerce(data_container)
            except (TypeError, ValueError, OverflowError):
                try:  # whole numbers beyond int64, e.g. uint64 ids that a null turned into float64
                    return data_container.astype("UInt64")
                except (TypeError, ValueError, OverflowError):
                    pass
                raise

        def check(self, pandera_dtype, data_container=None):
            return str(pandera_dtype) == "UInt64" or super().check(pandera_dtype, data_container)

    return Integer


Integer = _integer_dtype()


def _zoned_datetime_dtype():
    """``DateTimeTZ``: time-zone-aware datetimes of a column with a declared ``timezone`` (pandera's
    ``DateTime`` with ``tz``, registered with its engine), at any resolution.

    pandera's own tz-aware ``DateTime`` demands one unit (``datetime64[ns, tz]``), while Parquet files
    and pandas 3 give microseconds or milliseconds as often as nanoseconds: the unit says nothing about
    the data. The zone must agree with the declared one by ``runtime.timezones``' rule (the same zone, or
    UTC: an unambiguous instant); naive datetimes fail (``io.read_pandas`` reads a zoned column's naive
    values as wall time in its zone, so the data it reads are aware). Not coerced, like every datetime.
    Its text (a failure's "expected ...", ``to_yaml``) is pandera's, ``datetime64[ns, <zone>]``, so that
    ``from_yaml`` reads it back (as pandera's own dtype, which demands nanoseconds)."""
    from pandera import dtypes
    from pandera.engines import pandas_engine

    from .timezones import same_zone

    @pandas_engine.Engine.register_dtype
    @dtypes.immutable(init=True)
    class DateTimeTZ(pandas_engine.DateTime):
        def check(self, pandera_dtype, data_container=None):
            import pandas as pd

            seen = getattr(pandera_dtype, "type", None)
            return (isinstance(seen, pd.DatetimeTZDtype) and self.tz is not None
                    and same_zone(str(seen.tz), str(self.tz)))

    return DateTimeTZ


DateTimeTZ = _zoned_datetime_dtype()
