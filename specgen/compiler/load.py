"""Load stage: YAML text -> plain data plus the source position of every key.

Only this module (and ``write``) touch the disk. The loader is PyYAML's safe
loader, walked node by node so that we can record positions, reject duplicate
keys (PyYAML silently keeps the last one) and bound alias expansion
(a "billion laughs" spec is rejected after a fixed node budget).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, SpecError

__all__ = ["RawSpec", "load", "loads", "MAX_NODES"]

#: Upper bound on nodes visited while expanding aliases; real specs use a few thousand.
MAX_NODES = 200_000

Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class RawSpec:
    """What the user wrote: data, where each key came from, and the file's hash."""

    path: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(repr=False)
    sha256: str
    text: str = field(repr=False)

    def position(self, path: Path_) -> tuple[int | None, int | None]:
        """Line/column of ``path`` or of its nearest ancestor that exists."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (None, None))


def load(path: str | Path) -> RawSpec:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _error(path, None, "spec file not found", "SG001") from None
    except IsADirectoryError:
        raise _error(path, None, "is a directory, expected a YAML spec file", "SG001") from None
    except OSError as exc:
        raise _error(path, None, f"cannot read spec file: {exc.strerror}", "SG001") from None
    return loads(raw, path)


def loads(raw: bytes | str, path: str | Path = "<spec>") -> RawSpec:
    path = Path(path)
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")  # tolerate a BOM, reject other encodings
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise _error(path, line, f"not valid UTF-8 (byte {exc.start})", "SG001") from None
    else:
        text = raw.removeprefix("\ufeff")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        msg = f"invalid YAML: {exc.problem or exc.context}"
        raise SpecError([Diagnostic(str(path), line, col, "", msg, "SG002")]) from None
    except yaml.YAMLError as exc:
        raise _error(path, None, f"invalid YAML: {exc}", "SG002") from None
    if node is None:
        raise _error(path, 1, "spec is empty; expected a mapping with spec_version, name, data, features", "SG005")
    walker = _Walker(path)
    data = walker.build(node, ())
    if walker.diagnostics:
        raise SpecError(walker.diagnostics)
    if not isinstance(data, dict):
        raise _error(path, node.start_mark.line + 1, "spec must be a mapping of keys to values", "SG005")
    return RawSpec(path=path, data=data, positions=walker.positions, sha256=digest, text=text)


class _Walker:
    """Builds Python values from YAML nodes, recording positions and problems."""

    def __init__(self, path: Path):
        self.path = path
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.visited = 0
        self.constructor = yaml.SafeLoader("")  # used only to construct scalars

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise _error(self.path, node.start_mark.line + 1,
                         f"spec expands to more than {MAX_NODES} nodes (alias bomb?)", "SG004")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self._note(node, path, f"cannot read value: {getattr(exc, 'problem', exc)}", "SG002")
            return None

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._note(key_node, path, "YAML merge keys (<<) are not supported; write the keys out", "SG004")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._note(key_node, path, "mapping keys must be plain scalars", "SG004")
                continue
            key = self.constructor.construct_object(key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                key = str(key)
            key_path = path + (key,)
            if key in out:
                first = self.positions.get(key_path, (None, None))[0]
                self._note(key_node, key_path, f"duplicate key {key!r} (first defined on line {first})", "SG003")
                continue
            self.positions[key_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, key_path)
        return out

    def _note(self, node: yaml.Node, path: Path_, message: str, code: str) -> None:
        self.diagnostics.append(Diagnostic(
            str(self.path), node.start_mark.line + 1, node.start_mark.column + 1,
            format_path(path), message, code))


def format_path(path: Path_) -> str:
    """``('features', 'a b', 'range', 0)`` -> ``features.'a b'.range[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = str(part)
            if not text.replace("_", "").isalnum() or not text.isascii():
                text = repr(text)
            out += ("." if out else "") + text
    return out


def _error(path: Path, line: int | None, message: str, code: str) -> SpecError:
    return SpecError([Diagnostic(str(path), line, None, "", message, code)])
