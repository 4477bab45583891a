"""What a data argument names: one file, a glob, a directory (Hive partitions included), a
compressed CSV, or ``-`` (standard input) -> the plain files to read, in a fixed order.

* A glob matches files (sorted); none is SG204.
* A directory is walked recursively (sorted); hidden and ``_``-prefixed files (``_SUCCESS``,
  ``.crc``) are skipped. A path component ``key=value`` below it is a Hive partition: ``key``
  becomes a column holding ``value`` for every row of the files beneath, typed as Int64 when
  every value of that key is an integer, as Date when every one is an ISO date, else as text
  (``__HIVE_DEFAULT_PARTITION__`` is null). A column the file itself holds wins.
* ``.csv.gz`` and ``.csv.zst`` are decompressed as a stream into a temporary file (memory stays
  bounded; the disk holds one plain copy), which the CSV reader then chunks as any other.
* ``-`` copies standard input, as a stream, into a temporary file; its format is sniffed from
  its first bytes (Parquet's ``PAR1``, gzip, zstd, else CSV). Standard input is read once per
  process, however many times the file is scanned.

Temporary files live in one directory removed when the process exits. Every input of one
argument must share one format and one set of columns (``check_columns``: SG206 names the files).
"""
from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError

__all__ = ["Inputs", "resolve", "EXTENSIONS", "check_columns", "partition_types", "HIVE_NULL"]

#: the suffixes read, longest first -> (format, compression)
EXTENSIONS = {".csv.gz": ("csv", "gz"), ".csv.zst": ("csv", "zst"), ".csv": ("csv", None),
              ".parquet": ("parquet", None), ".pq": ("parquet", None)}
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_HIVE = re.compile(r"^([^=]+)=(.*)$")
_INT = re.compile(r"^[-+]?\d{1,18}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MATERIALIZED: dict[str, Path] = {}  # "-" or a compressed file -> its plain temporary copy
_TMP: list[str] = []


@dataclass(frozen=True)
class Inputs:
    """``files``: plain files to read, in order; ``shown``: the name to print for each (the original);
    ``partitions``: per file, the Hive ``key -> value`` pairs of its directories."""

    argument: str
    fmt: str
    files: tuple[Path, ...]
    shown: tuple[str, ...]
    partitions: tuple[tuple[tuple[str, str], ...], ...]

    @property
    def single(self) -> bool:
        """One plain file without partitions: the readers' own single-file path applies."""
        return len(self.files) == 1 and not self.partitions[0]


def resolve(data: str | Path) -> Inputs:
    """The files ``data`` names (see the module's docstring), or a DataError saying why there are none."""
    argument = str(data)
    if argument == "-":
        plain = _stdin()
        return Inputs(argument, _format_of(plain), (plain,), ("<stdin>",), ((),))
    path = Path(argument)
    if glob.has_magic(argument) and not path.exists():
        found = [Path(m) for m in sorted(glob.glob(argument, recursive=True)) if Path(m).is_file()]
        if not found:
            raise DataError(f"{argument}: no files match [SG204]", "SG204")
        return _inputs(argument, found, [()] * len(found))
    if path.is_dir():
        found, parts = _walk(path)
        return _inputs(argument, found, parts)
    return _inputs(argument, [path], [()])


def _inputs(argument: str, paths: list[Path], parts: list[tuple]) -> Inputs:
    kinds = [_extension(p) for p in paths]
    formats = sorted({fmt for fmt, _ in kinds})
    if len(formats) > 1:
        raise DataError(f"{argument}: inputs mix CSV and Parquet ({_examples(paths, kinds)}); read one format "
                        "at a time [SG204]", "SG204")
    files = tuple(_plain(p, compression) for p, (_, compression) in zip(paths, kinds))
    return Inputs(argument, formats[0], files, tuple(str(p) for p in paths), tuple(parts))


def _examples(paths: list[Path], kinds: list[tuple]) -> str:
    first = {}
    for path, (fmt, _) in zip(paths, kinds):
        first.setdefault(fmt, path)
    return ", ".join(f"{fmt}: {path}" for fmt, path in sorted(first.items()))


def _extension(path: Path) -> tuple[str, str | None]:
    name = path.name.lower()
    for suffix, kind in EXTENSIONS.items():
        if name.endswith(suffix):
            return kind
    raise DataError(f"{path}: unsupported data format {path.suffix or '(no extension)'!r}; use .csv, .csv.gz, "
                    ".csv.zst or .parquet (or a directory or glob of them) [SG202]", "SG202")


def _walk(root: Path) -> tuple[list[Path], list[tuple]]:
    files, parts = [], []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            if name.startswith((".", "_")):
                continue
            path = Path(folder) / name
            files.append(path)
            parts.append(_partition(path.relative_to(root)))
    if not files:
        raise DataError(f"{root}: directory holds no data files [SG204]", "SG204")
    return files, parts


def _partition(relative: Path) -> tuple[tuple[str, str], ...]:
    pairs = (_HIVE.match(part) for part in relative.parts[:-1])
    return tuple((m.group(1), m.group(2)) for m in pairs if m)


def partition_types(inputs: Inputs) -> dict[str, str]:
    """key -> ``int`` | ``date`` | ``string``: the narrowest type every value of the key fits."""
    values: dict[str, list[str]] = {}
    for pairs in inputs.partitions:
        for key, value in pairs:
            values.setdefault(key, []).append(value)
    out = {}
    for key, seen in values.items():
        real = [v for v in seen if v != HIVE_NULL]
        out[key] = ("int" if real and all(_INT.match(v) for v in real)
                    else "date" if real and all(_DATE.match(v) for v in real) else "string")
    return out


def check_columns(inputs: Inputs, columns: list[list[str]]) -> None:
    """Every file of one input must hold the columns of the first (in any order): SG206 otherwise."""
    first = columns[0]
    for shown, names in zip(inputs.shown[1:], columns[1:]):
        if set(names) != set(first):
            missing, extra = sorted(set(first) - set(names)), sorted(set(names) - set(first))
            diff = "; ".join(f"{what} {cols}" for what, cols in (("lacks", missing), ("adds", extra)) if cols)
            raise DataError(f"{inputs.argument}: files hold different columns: {shown} {diff} compared with "
                            f"{inputs.shown[0]}; read them separately or make them agree [SG206]", "SG206")


def _plain(path: Path, compression: str | None) -> Path:
    if compression is None:
        return path
    key = str(path.resolve()) if path.exists() else str(path)
    if key not in _MATERIALIZED:
        try:
            with _open_compressed(path, compression) as source:
                _MATERIALIZED[key] = _spool(source, ".csv")
        except FileNotFoundError:
            raise DataError(f"{path}: data file not found [SG201]", "SG201") from None
        except (OSError, EOFError, ValueError) as exc:  # zstandard's errors are ValueError subclasses
            raise DataError(f"{path}: cannot decompress {compression} data: {exc} [SG202]", "SG202") from None
    return _MATERIALIZED[key]


def _open_compressed(path: Path, compression: str):
    if compression == "gz":
        import gzip

        return gzip.open(path, "rb")
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a core dependency
        raise DataError(f"{path}: reading .zst needs the zstandard package (pip install zstandard) [SG202]",
                        "SG202") from None
    return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)


def _stdin() -> Path:
    if "-" not in _MATERIALIZED:
        raw = _spool(sys.stdin.buffer, "")
        with open(raw, "rb") as handle:
            head = handle.read(4)
        if head[:2] == b"\x1f\x8b" or head == b"\x28\xb5\x2f\xfd":
            with _open_compressed(raw, "gz" if head[:2] == b"\x1f\x8b" else "zst") as source:
                _MATERIALIZED["-"] = _spool(source, ".csv")
        else:
            _MATERIALIZED["-"] = raw.rename(raw.with_suffix(".parquet" if head == b"PAR1" else ".csv"))
    return _MATERIALIZED["-"]


def _format_of(path: Path) -> str:
    return "parquet" if path.suffix == ".parquet" else "csv"


def _spool(source, suffix: str) -> Path:
    """Copy a byte stream into a new temporary file, 1 MiB at a time."""
    handle, name = tempfile.mkstemp(suffix=suffix, dir=_tmpdir())
    with os.fdopen(handle, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return Path(name)


def _tmpdir() -> str:
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="specgen-input-"))
        atexit.register(shutil.rmtree, _TMP[0], True)
    return _TMP[0]
