"""Write stage: the only place that writes generated files.

Each file is written atomically (temp file + rename) and only when its content
changes. A file that lacks specgen's header, or whose body no longer matches
the hash in its header (someone edited it), is a conflict: nothing is written
unless ``force``. So is a generated file whose header names another spec (two
specs with one ``name`` under one ``-o``) and anything that is not a regular
file (never opened: a FIFO would hang the read). ``check`` writes nothing and
reports what is out of date.

New files get the mode the umask allows (as ``open`` would), updated files keep
theirs. A write holds an exclusive ``flock`` on the output folder, so two
compiles of one spec take turns instead of deleting each other's temp files.
"""
from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WriteError
from ..runtime.generated import HEADER_TAG, body_state

__all__ = ["FileStatus", "WriteReport", "write", "inspect"]

_SOURCE = re.compile(re.escape(HEADER_TAG) + r" from (.*)\. DO NOT EDIT\.")
_MAX_READ = 256 * 1024 * 1024  #: a bigger file where a generated one should be is not ours
_IGNORED = {"__pycache__", ".pytest_cache"}
#: ``_atomic_write``'s temp files; a run killed mid-write leaves them behind.
_TEMP = re.compile(r"^\..+\.[^.]+\.tmp$")


@dataclass(frozen=True)
class FileStatus:
    path: Path
    status: str  # create identical update delete | conflict | missing stale edited extra
    reason: str = ""


@dataclass
class WriteReport:
    out_dir: Path
    files: list[FileStatus] = field(default_factory=list)
    written: bool = False

    @property
    def problems(self) -> list[FileStatus]:
        """Files that make ``--check`` fail."""
        return [f for f in self.files if f.status != "identical"]

    def as_dict(self) -> dict:
        return {"out_dir": str(self.out_dir), "written": self.written,
                "files": [{"path": str(f.path), "status": f.status, "reason": f.reason} for f in self.files]}


def inspect(path: Path) -> str:
    """``absent``, ``special`` (not a regular file), ``foreign`` (no header), ``edited`` (body differs
    from its hash) or ``generated``."""
    return _read(path)[0]


def _read(path: Path) -> tuple[str, str | None]:
    """(state as in ``inspect``, text when it is a readable regular file).

    Opened non-blocking and checked with ``fstat`` before reading: a FIFO, device
    or directory is never read. An error other than "absent" (no permission on
    ``-o``, a name too long) is an error, not a foreign file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return "absent", None
    except IsADirectoryError:
        return "special", None
    except OSError as exc:
        raise _error(exc, path, "cannot read") from None
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if regular and info.st_size <= _MAX_READ:
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read()
    finally:
        os.close(fd)
    if not regular:
        return "special", None
    if info.st_size > _MAX_READ:
        return "foreign", None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "foreign", None
    return body_state(text), text


def _source(text: str) -> str | None:
    """The spec a generated file's header names."""
    match = _SOURCE.search(text.split("\n", 1)[0])
    return match.group(1) if match else None


def _same_spec(folder: Path, a: str | None, b: str | None) -> bool:
    """Headers name the spec relative to the folder: equal text, or one file reached by two paths."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    return os.path.realpath(folder / a) == os.path.realpath(folder / b)


def _error(exc: OSError, path: Path, doing: str) -> WriteError:
    return WriteError(f"{exc.filename or path}: {doing}: {exc.strerror or exc} [SG302]", "SG302")


def write(files: dict[str, str], out_dir: Path, *, check: bool = False, dry_run: bool = False,
          force: bool = False, keep: set[str] = frozenset()) -> WriteReport:
    """``keep``: generated files not rendered this time that must stay (not reported as extra)."""
    if check or dry_run:
        return _plan_writes(files, out_dir, check, force, keep)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(exc, out_dir, "cannot write") from None
    with _locked(out_dir):  # statuses are decided and acted on by one run at a time
        report = _plan_writes(files, out_dir, check, force, keep)
        conflicts = [f for f in report.files if f.status == "conflict"]
        if conflicts:
            lines = "\n".join(f"  {f.path}: {f.reason}" for f in conflicts)
            raise WriteError(f"refusing to overwrite files not written by specgen for this spec (use --force):"
                             f"\n{lines} [SG301]", "SG301")
        try:
            for f in report.files:
                if f.status in ("create", "update", "overwrite"):
                    _atomic_write(f.path, files[str(f.path.relative_to(out_dir))])
                elif f.status == "delete":
                    f.path.unlink()
            _remove_stale_temps(out_dir, set(files))
        except OSError as exc:
            raise _error(exc, out_dir, "cannot write") from None
    report.written = True
    return report


def _plan_writes(files: dict[str, str], out_dir: Path, check: bool, force: bool,
                 keep: set[str] = frozenset()) -> WriteReport:
    report = WriteReport(out_dir)
    for rel, text in sorted(files.items()):
        report.files.append(_status(out_dir / rel, text, check, force))
    source = _source(next(iter(files.values()), ""))
    for extra, other in _extras(out_dir, set(files) | set(keep)):
        if not _same_spec(out_dir, other, source):  # never ours to delete (--force leaves it alone)
            if check or not force:
                report.files.append(FileStatus(extra, "conflict", f"generated from {other}, not from {source}"))
        else:
            report.files.append(FileStatus(extra, "extra" if check else "delete",
                                           "generated by specgen but no longer produced by the spec"))
    return report


@contextlib.contextmanager
def _locked(out_dir: Path):
    """An exclusive ``flock`` on the folder itself (no lock file to commit); a no-op without ``fcntl``."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        fd = os.open(out_dir, os.O_RDONLY)
    except OSError as exc:
        raise _error(exc, out_dir, "cannot open") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some NFS): write as before, unlocked
            pass
        yield
    finally:
        os.close(fd)  # releases the lock


def _status(path: Path, text: str, check: bool, force: bool) -> FileStatus:
    state, current = _read(path)
    if state == "absent":
        return FileStatus(path, "missing" if check else "create")
    if state == "special":
        return FileStatus(path, "conflict", "not a regular file (a directory, FIFO or device); remove it")
    if current == text:
        return FileStatus(path, "identical")
    if state in ("generated", "edited") and not _same_spec(path.parent, _source(current), _source(text)):
        reason = (f"generated from {_source(current)}, not from {_source(text)} (another spec with this name? "
                  "if the spec moved, use --force)")
        return FileStatus(path, "conflict" if check or not force else "overwrite", reason)
    if state == "generated":
        return FileStatus(path, "stale" if check else "update", "spec or templates changed")
    reason = "edited by hand" if state == "edited" else "not generated by specgen (no header)"
    if check:
        return FileStatus(path, "edited" if state == "edited" else "conflict", reason)
    return FileStatus(path, "overwrite" if force else "conflict", reason)


def _extras(out_dir: Path, produced: set[str]) -> list[tuple[Path, str | None]]:
    """(file, the spec its header names) for each generated file the spec no longer produces."""
    if not out_dir.is_dir():
        return []
    out = []
    for path in sorted(out_dir.iterdir()):
        if path.name in _IGNORED or path.name in produced or _TEMP.match(path.name):
            continue
        state, text = _read(path)
        if state == "generated":
            out.append((path, _source(text)))
    return out


def _remove_stale_temps(out_dir: Path, produced: set[str]) -> None:
    """Temp files of our own outputs left by a killed run (complete or not): never output, never kept."""
    for path in out_dir.iterdir():
        if _TEMP.match(path.name) and any(path.name.startswith(f".{name}.") for name in produced):
            path.unlink(missing_ok=True)


def _atomic_write(path: Path, text: str) -> None:
    """Write to a temp file in the same directory, fsync, then rename over the target.

    The temp file gets the target's mode when it exists, else what the umask
    allows (``mkstemp`` alone gives 0600: Prometheus could not read the rules).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode):
            return stat.S_IMODE(info.st_mode)
    except OSError:
        pass
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask (read by setting it, so restored at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
