"""Deterministic, platform-independent hash-based splitting and sampling.

Used by generated test suites to carve reproducible evaluation samples out of
a data set: each row's *invariant key* (e.g. ``customer_id``) is hashed with a
salt -- and optionally a date, so that each day tests a fresh but
reproducible sample -- into a number in [0, 1).  A row is selected when its
bucket is below the requested fraction.  Because the bucket depends only on
the row's key values, salt and date, the split is

* deterministic across processes, machines and Python versions (SHA-256, not
  Python's randomised ``hash()``),
* independent of row order and of the other rows in the frame,
* stable under growth: the rows selected at fraction f are a subset of the
  rows selected at any larger fraction.

Only numpy and hashlib are imported; pandas and polars frames are handled by
duck typing.

Hash specification (version "specgen-hash-v1")
----------------------------------------------
Each field is encoded as a netstring of its UTF-8 bytes::

    NS(x) = <decimal byte length of utf8(x)> ":" utf8(x) ","

and the message is::

    NS("specgen-hash-v1") NS(salt) NS(date or "") NS(tok_1) ... NS(tok_k)

where ``tok_i`` is the canonical token of the i-th key value (below) and
``date`` is the ISO date ``YYYY-MM-DD`` (``""`` when no date is given; an
empty string is not a valid date, so this is unambiguous).  Netstrings are
self-delimiting, so no choice of salt or key values can make two different
keys produce the same message.  Then::

    bucket = (first 8 bytes of SHA-256(message), big-endian uint64 >> 11) / 2**53

which is exactly representable as a float64 and lies in [0, 1) (keeping only
53 bits avoids a rounding up to 1.0).  The recipe can be reproduced in any
language or SQL engine that has SHA-256.

Canonical tokens
----------------
========================================  ==========================================
value                                     token
========================================  ==========================================
None, NaN, pandas NA / NaT, numpy NaT     ``n:``  (all missing values are equal)
bool, numpy.bool_                         ``b:true`` / ``b:false``  (NOT equal to 1/0)
int, numpy integer                        ``i:<decimal>``
float / numpy floating, integral, finite  ``i:<decimal>``  -- 3.0 hashes like 3, -0.0 like 0
float, otherwise                          ``f:<repr(float(x))>``, e.g. ``f:0.1``, ``f:inf``
decimal.Decimal                           as the int (if integral) or float(x) token
str (incl. numpy.str_)                    ``s:<the string>``  -- "3" differs from 3
datetime.datetime, pandas Timestamp,      ``t:YYYY-MM-DDTHH:MM:SS.fffffffff`` (always 9
numpy.datetime64                          fractional digits; tz-aware values are
                                          converted to UTC and get a ``Z`` suffix)
datetime.date (not datetime)              ``d:YYYY-MM-DD``  (differs from midnight datetime)
========================================  ==========================================

Integral floats hash like ints on purpose: pandas turns an integer column
that contains a missing value into float64 (3 -> 3.0), and that must not
reshuffle the split or make pandas disagree with polars (which keeps Int64).
Floats are hashed by their float64 value, so a float32 0.1 (= 0.10000000149...)
differs from a float64 0.1.  Other types raise ``TypeError``.

Missing keys
------------
``bucket`` always hashes a missing value as the token ``n:``, so rows whose
key is missing are still deterministic: with a single key column they all land
in the *same* bucket (all selected or none).  ``split_mask`` / ``sample`` take
``nulls=``:

* ``"hash"`` (default) -- treat missing as an ordinary value, as above;
* ``"exclude"`` -- a row with a missing value in any key column is never
  selected (mask False; it always falls in the complement ``~mask``);
* ``"raise"`` -- raise ``ValueError`` if any key value is missing.

NaN counts as missing in both pandas and polars (polars itself distinguishes
NaN from null; here they hash the same so the two libraries agree).
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import hashlib
import math
import numbers
from typing import Any, Iterable, Sequence

import numpy as np

__all__ = ["HASH_VERSION", "bucket", "buckets", "split_mask", "sample", "canonical_token"]

HASH_VERSION = "specgen-hash-v1"
_NULL_POLICIES = ("hash", "exclude", "raise")
_TWO_POW_M53 = 2.0**-53


# ---------------------------------------------------------------------------
# canonical encoding
# ---------------------------------------------------------------------------


def _netstring(text: str) -> bytes:
    b = text.encode("utf-8", "surrogatepass")
    return b"%d:%s," % (len(b), b)


def _is_missing_scalar(v: Any) -> bool:
    if v is None:
        return True
    name = type(v).__name__
    if name in ("NAType", "NaTType"):
        return True
    if isinstance(v, float) and v != v:
        return True
    if isinstance(v, np.floating) and np.isnan(v):
        return True
    if isinstance(v, np.datetime64) and np.isnat(v):
        return True
    if isinstance(v, _decimal.Decimal) and v.is_nan():
        return True
    return False


def _float_token(x: float) -> str:
    if x != x:
        return "n:"
    if math.isfinite(x) and x == math.floor(x):
        return "i:" + str(int(x))
    return "f:" + repr(x)


def _datetime_token(v: _dt.datetime) -> str:
    suffix = ""
    if v.tzinfo is not None and v.utcoffset() is not None:
        v = v.astimezone(_dt.timezone.utc)
        suffix = "Z"
    frac = v.microsecond * 1000 + int(getattr(v, "nanosecond", 0) or 0)
    # explicit zero padding: strftime("%Y") does not pad years < 1000 on glibc
    return (
        f"t:{v.year:04d}-{v.month:02d}-{v.day:02d}T"
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{frac:09d}{suffix}"
    )


def _date_token(v: _dt.date) -> str:
    return f"d:{v.year:04d}-{v.month:02d}-{v.day:02d}"


def canonical_token(value: Any) -> str:
    """The canonical token of one key value (see the module docstring)."""
    t = type(value)
    if t is str:
        return "s:" + value
    if t is int:
        return "i:" + str(value)
    if t is float:
        return _float_token(value)
    if t is bool:
        return "b:true" if value else "b:false"
    if _is_missing_scalar(value):
        return "n:"
    if isinstance(value, (str, np.str_)):
        return "s:" + str(value)
    if isinstance(value, (bool, np.bool_)):
        return "b:true" if bool(value) else "b:false"
    if isinstance(value, (numbers.Integral, np.integer)):
        return "i:" + str(int(value))
    if isinstance(value, _decimal.Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return "i:" + str(int(value))
        return _float_token(float(value))
    if isinstance(value, (float, np.floating)):
        return _float_token(float(value))
    if isinstance(value, np.datetime64):
        return "t:" + str(np.datetime_as_string(value, unit="ns"))
    if isinstance(value, _dt.datetime):
        return _datetime_token(value)
    if isinstance(value, _dt.date):
        return _date_token(value)
    raise TypeError(
        f"unsupported key value type {t.__module__}.{t.__qualname__} ({value!r}); "
        "supported: str, int, float, bool, Decimal, date, datetime/Timestamp, "
        "numpy.datetime64 and missing values"
    )


_NULL_FIELD = _netstring("n:")


def _field(value: Any) -> bytes:
    tok = canonical_token(value)
    if tok == "n:":
        return _NULL_FIELD  # identity lets callers spot missing values cheaply
    return _netstring(tok)


def _canonical_date(date: Any) -> str:
    if date is None:
        return ""
    if isinstance(date, _dt.datetime) or type(date).__name__ == "Timestamp":
        raise TypeError(f"date must be a date or an ISO date string, not a datetime ({date!r})")
    if isinstance(date, _dt.date):
        return date.isoformat()
    if isinstance(date, str):
        try:
            return _dt.date.fromisoformat(date.strip()).isoformat()
        except ValueError:
            raise ValueError(f"date must be an ISO date like '2024-05-31', got {date!r}") from None
    raise TypeError(f"date must be None, a str or a datetime.date, got {type(date).__name__}")


def _prefix(salt: str, date: Any) -> bytes:
    if not isinstance(salt, str):
        raise TypeError(f"salt must be a str, got {type(salt).__name__}")
    return _netstring(HASH_VERSION) + _netstring(salt) + _netstring(_canonical_date(date))


def _bucket_from_digest(digest: bytes) -> float:
    return (int.from_bytes(digest[:8], "big") >> 11) * _TWO_POW_M53


def bucket(key_values: tuple, salt: str, date: str | _dt.date | None = None) -> float:
    """Hash bucket in [0, 1) of one key (a tuple of values, one per key column).

    ``date`` (ISO string or ``datetime.date``) is mixed into the hash so a
    different date gives an independent sample; ``"20240531"`` and
    ``"2024-05-31"`` are the same date.
    """
    if not isinstance(key_values, (tuple, list)):
        raise TypeError(
            f"key_values must be a tuple of key values, got {type(key_values).__name__}; "
            "wrap a single value as (value,)"
        )
    if len(key_values) == 0:
        raise ValueError("key_values must contain at least one value")
    msg = _prefix(salt, date) + b"".join(_field(v) for v in key_values)
    return _bucket_from_digest(hashlib.sha256(msg).digest())


# ---------------------------------------------------------------------------
# frames (pandas / polars, duck-typed)
# ---------------------------------------------------------------------------


def _key_columns(key_columns: str | Sequence[str]) -> list[str]:
    cols = [key_columns] if isinstance(key_columns, str) else list(key_columns)
    if not cols:
        raise ValueError("key_columns must name at least one column")
    return cols


def _frame_len(frame: Any) -> int:
    try:
        return len(frame)
    except TypeError:
        raise TypeError(
            f"expected a pandas or polars DataFrame, got {type(frame).__name__} "
            "(collect() a polars LazyFrame first)"
        ) from None


def _column_values(frame: Any, name: str) -> list[Any]:
    if name not in list(frame.columns):
        raise KeyError(f"key column {name!r} not in frame columns {list(frame.columns)}")
    col = frame[name]
    to_list = getattr(col, "to_list", None)
    return to_list() if callable(to_list) else list(col)


def _fields_for_values(values: Iterable[Any]) -> list[bytes]:
    # Fast paths for the common homogeneous types; anything else goes through
    # _field (same tokens, the property tests check this).
    out = []
    append = out.append
    ns = _netstring
    null = _NULL_FIELD
    for v in values:
        t = type(v)
        if t is int:
            append(ns("i:%d" % v))
        elif t is str:
            append(ns("s:" + v))
        elif t is float and v == v:
            append(ns(_float_token(v)))
        elif v is None:
            append(null)
        else:
            append(_field(v))
    return out


def _validate_nulls(nulls: str) -> None:
    if nulls not in _NULL_POLICIES:
        raise ValueError(f"nulls must be one of {list(_NULL_POLICIES)}, got {nulls!r}")


def _hash_frame(
    frame: Any, key_columns: str | Sequence[str], salt: str, date: Any
) -> tuple[np.ndarray, np.ndarray]:
    """(buckets float64[n], has_missing_key bool[n])."""
    cols = _key_columns(key_columns)
    prefix = _prefix(salt, date)
    n = _frame_len(frame)
    per_col = [_fields_for_values(_column_values(frame, c)) for c in cols]
    for c, f in zip(cols, per_col):
        if len(f) != n:
            raise ValueError(f"column {c!r} has {len(f)} values, frame has {n} rows")
    missing = np.zeros(n, dtype=bool)
    for f in per_col:
        missing |= np.fromiter((x is _NULL_FIELD for x in f), dtype=bool, count=n)
    msgs = per_col[0] if len(per_col) == 1 else list(map(b"".join, zip(*per_col)))

    base = hashlib.sha256(prefix)
    copy = base.copy

    def digest8(m: bytes) -> bytes:
        h = copy()
        h.update(m)
        return h.digest()[:8]

    raw = np.frombuffer(b"".join(map(digest8, msgs)), dtype=">u8").astype(np.uint64)
    return (raw >> np.uint64(11)).astype(np.float64) * _TWO_POW_M53, missing


def buckets(
    frame: Any,
    key_columns: str | Sequence[str],
    salt: str,
    date: str | _dt.date | None = None,
) -> np.ndarray:
    """Per-row ``bucket`` values (float64 array), identical to calling :func:`bucket` per row."""
    return _hash_frame(frame, key_columns, salt, date)[0]


def _check_fraction(fraction: Any) -> float:
    if isinstance(fraction, (bool, np.bool_)) or not isinstance(fraction, numbers.Real):
        raise TypeError(f"fraction must be a real number in [0, 1], got {fraction!r}")
    f = float(fraction)
    if not (0.0 <= f <= 1.0):
        raise ValueError(f"fraction must be in [0, 1], got {fraction!r}")
    return f


def _apply_nulls(missing: np.ndarray, nulls: str, cols: Sequence[str]) -> None:
    if nulls == "raise" and missing.any():
        raise ValueError(
            f"{int(missing.sum())} row(s) have a missing value in key columns {list(cols)} "
            f"(first at position {int(np.argmax(missing))})"
        )


def split_mask(
    frame: Any,
    key_columns: str | Sequence[str],
    salt: str,
    fraction: float,
    date: str | _dt.date | None = None,
    *,
    nulls: str = "hash",
) -> np.ndarray:
    """Boolean numpy mask, True where ``bucket(row key, salt, date) < fraction``.

    Works on pandas and polars DataFrames.  fraction=0 selects nothing,
    fraction=1 everything.  See the module docstring for ``nulls``.
    """
    f = _check_fraction(fraction)
    _validate_nulls(nulls)
    b, missing = _hash_frame(frame, key_columns, salt, date)
    _apply_nulls(missing, nulls, _key_columns(key_columns))
    mask = b < f
    if nulls == "exclude":
        mask &= ~missing
    return mask


def _take(frame: Any, mask: np.ndarray) -> Any:
    if hasattr(frame, "iloc"):  # pandas: keep the original index
        return frame.iloc[np.flatnonzero(mask)]
    return frame.filter(mask)  # polars accepts a numpy bool array


def sample(
    frame: Any,
    key_columns: str | Sequence[str],
    salt: str,
    n_or_fraction: int | float,
    date: str | _dt.date | None = None,
    *,
    nulls: str = "hash",
) -> Any:
    """Deterministic sample of ``frame`` (same type), rows in their original order.

    * float ``n_or_fraction`` in [0, 1]: the rows of ``split_mask(...)``
      (so ``1.0`` means all rows, while the int ``1`` means one row);
    * int ``n_or_fraction``: exactly n rows -- those with the n smallest
      buckets (the same rows a threshold would pick, so the sample of n is
      contained in the sample of n + 1).  Rows with equal buckets (duplicate
      keys) are tie-broken by row position, the only way row order can
      matter.  n larger than the number of eligible rows raises ValueError.

    With ``nulls="exclude"`` rows with a missing key value are never sampled.
    """
    _validate_nulls(nulls)
    if isinstance(n_or_fraction, (bool, np.bool_)):
        raise TypeError("n_or_fraction must be an int (row count) or a float (fraction), not bool")
    if isinstance(n_or_fraction, (numbers.Integral, np.integer)):
        n = int(n_or_fraction)
        if n < 0:
            raise ValueError(f"sample size must be >= 0, got {n}")
        b, missing = _hash_frame(frame, key_columns, salt, date)
        _apply_nulls(missing, nulls, _key_columns(key_columns))
        eligible = np.flatnonzero(~missing) if nulls == "exclude" else np.arange(b.shape[0])
        if n > eligible.shape[0]:
            raise ValueError(
                f"cannot sample {n} rows from {eligible.shape[0]} eligible rows"
            )
        chosen = eligible[np.argsort(b[eligible], kind="stable")[:n]]
        mask = np.zeros(b.shape[0], dtype=bool)
        mask[chosen] = True
        return _take(frame, mask)
    if isinstance(n_or_fraction, numbers.Real):
        return _take(
            frame, split_mask(frame, key_columns, salt, n_or_fraction, date, nulls=nulls)
        )
    raise TypeError(f"n_or_fraction must be an int or a float, got {n_or_fraction!r}")
