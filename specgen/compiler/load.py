"""Load stage: YAML text -> plain data plus the source position of every key.

Only this module, ``baseline`` (the committed baseline file) and ``write`` touch the disk. The loader is PyYAML's safe
loader, walked node by node so that we can record positions, reject duplicate
keys (PyYAML silently keeps the last one) and bound alias expansion
(a "billion laughs" spec is rejected after a fixed node budget).

Size limits, checked cheapest first so a huge spec is refused in about a second
(R1): ``MAX_BYTES`` on the file's bytes before anything is parsed, then
``MAX_NODES`` on the YAML events of one pass with libyaml (no objects built),
then ``MAX_NODES`` again after alias expansion (the billion-laughs guard).
The events pass uses libyaml when PyYAML has it; composing (and every YAML
error message) is the pure-Python parser's, so results do not depend on the build.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, SpecError

__all__ = ["RawSpec", "load", "loads", "MAX_BYTES", "MAX_NODES", "MAX_DEPTH"]

#: Upper bound on a spec file's size; a 5,000-feature spec is about 250 KB.
MAX_BYTES = 8 * 2**20
#: Upper bound on YAML nodes, as written and after expanding aliases; real specs
#: use a few thousand, a flat feature costs about 10 (so about 20,000 features).
MAX_NODES = 200_000
#: libyaml's parser when PyYAML was built with it (about 10x faster), for the limits pass only.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Upper bound on nesting; real specs nest about 5 deep, and deeper input would
#: exhaust Python's stack in the recursive YAML composer and in pydantic.
MAX_DEPTH = 64
#: Errors PyYAML's scalar constructors raise on values they cannot build
#: (a 2020-13-45 timestamp, an int of more than 4300 digits).
_SCALAR_ERRORS = (yaml.YAMLError, ValueError, OverflowError)

Path_ = tuple[Any, ...]
#: The only tags a spec may carry (explicitly or resolved): plain JSON-like data and timestamps.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str", "int", "float", "bool", "null",
                                                          "timestamp"))


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
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise _error(path, None, f"spec is {_megabytes(size)}, more than the limit of {_megabytes(MAX_BYTES)} "
                     "(specgen.compiler.load.MAX_BYTES)", "SG004")
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
        node = _compose(text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        msg = f"invalid YAML: {exc.problem or exc.context}"
        if col is not None and col > 1024 and ("mapping values" in msg or "expected ':'" in msg):
            # PyYAML's limit on a plain (implicit) key
            msg += " (a key longer than 1024 characters; names may have at most 200)"
        raise SpecError([Diagnostic(str(path), line, col, "", msg, "SG002")]) from None
    except yaml.reader.ReaderError as exc:  # a control character: not a MarkedYAMLError, so no mark
        line = text[: exc.position].count("\n") + 1
        raise _error(path, line, f"invalid YAML: character {exc.character!r} is not allowed in YAML text",
                     "SG002") from None
    except yaml.YAMLError as exc:
        raise _error(path, None, f"invalid YAML: {exc}", "SG002") from None
    except RecursionError:
        raise _error(path, None, f"spec is nested too deeply (more than {MAX_DEPTH} levels)", "SG004") from None
    if node is None:
        raise _error(path, 1, "spec is empty; expected a mapping with spec_version, name, data, features", "SG005")
    _check_size(node, path)
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
        if self.visited > MAX_NODES:  # _check_size makes this unreachable; kept as a backstop
            raise _error(self.path, node.start_mark.line + 1,
                         f"spec expands to more than {MAX_NODES} nodes (alias bomb?)", "SG004")
        if len(path) > MAX_DEPTH:
            raise _error(self.path, node.start_mark.line + 1,
                         f"spec is nested too deeply (more than {MAX_DEPTH} levels)", "SG004")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _PLAIN_TAGS:  # !!python/..., !!binary, !!set: never data a spec needs
            self._note(node, path, f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed", "SG004")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node, deep=True)
        except _SCALAR_ERRORS as exc:
            self._note(node, path, f"cannot read value: {_reason(exc)}", "SG002")
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
            try:
                key = self.constructor.construct_object(key_node)
            except _SCALAR_ERRORS as exc:
                self._note(key_node, path, f"cannot read key: {_reason(exc)}", "SG002")
                continue
            if key is None:  # `null:` or `~:` would otherwise become a column named "None"
                self._note(key_node, path, "key is null; quote it if you mean the text 'null'", "SG104")
                continue
            if isinstance(key, bool):  # YAML 1.1 reads `yes:`/`on:` as True; as a name the text is meant
                key = key_node.value
            if not isinstance(key, (str, int, float)):
                key = str(key)  # dates: keep the ISO text the user wrote
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


def _compose(text: str, path: Path) -> yaml.Node | None:
    """The node graph, composed by the pure-Python parser: it is the one whose acceptance and
    messages the spec format was written against (libyaml accepts a tab after a colon, say).
    The limits are checked first with libyaml when it reads the text, else with the same parser."""
    try:
        _prescan(text, path, _FAST_LOADER)
    except yaml.YAMLError:
        _prescan(text, path, yaml.SafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _prescan(text: str, path: Path, loader) -> None:
    """Reject deep nesting before the (recursive) composer meets it, and too many nodes before
    any is built; the event parser is iterative, so this costs one pass and no stack."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _error(path, event.start_mark.line + 1,
                             f"spec is nested too deeply (more than {MAX_DEPTH} levels)", "SG004")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            continue
        elif not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            continue
        nodes += 1
        if nodes > MAX_NODES:  # no line: the whole file is the problem, not where the count ran out
            size = _megabytes(len(text.encode("utf-8", "surrogatepass")))
            raise _error(path, None,
                         f"spec has more than {MAX_NODES:,} YAML nodes (keys, values, list items), the limit "
                         f"(specgen.compiler.load.MAX_NODES); the file is {size} with {text.count(chr(10)):,} lines",
                         "SG004")


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size:,} bytes"


def _check_size(root: yaml.Node, path: Path) -> None:
    """Reject alias bombs before building anything: count expanded nodes on the
    composed graph (each distinct node once, memoised), so a billion-laughs spec
    costs a few hundred node visits and no memory, not MAX_NODES objects."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    # iterative post-order walk: the graph may be as deep as the composer allowed
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if not done:
            if key in active:
                raise _error(path, node.start_mark.line + 1, "recursive YAML alias (an anchor refers to itself)",
                             "SG004")
            active.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in active and id(child) not in sizes:
                    raise _error(path, child.start_mark.line + 1,
                                 "recursive YAML alias (an anchor refers to itself)", "SG004")
                stack.append((child, False))
            continue
        active.discard(key)
        sizes[key] = 1 + sum(sizes[id(c)] for c in children)
        if sizes[key] > MAX_NODES:
            raise _error(path, node.start_mark.line + 1,
                         f"spec expands to more than {MAX_NODES} nodes through aliases (alias bomb?)", "SG004")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


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


def _reason(exc: Exception) -> str:
    # first clause only: Python's int-size error goes on to advise calling sys.set_int_max_str_digits
    return str(getattr(exc, "problem", None) or exc).split(";")[0]


def _error(path: Path, line: int | None, message: str, code: str) -> SpecError:
    return SpecError([Diagnostic(str(path), line, None, "", message, code)])
