"""The template sandbox: templates (built-in and ``--templates``) see plain data only, at bounded cost.

Jinja's own ``SandboxedEnvironment`` blocks ``_private`` attributes but lets a
template call any public method of any object it reaches, so a ``pathlib.Path``
in the plan (``plan.out_dir``) read and wrote any file. Here the rule is a
whitelist, generic over the plan's shape (other modules add fields freely):

* specgen's own objects (classes defined in ``specgen.*``): public dataclass or
  named-tuple fields, properties, methods and instance attributes;
* plain values (str, int, float, bool, None, list, tuple, dict, datetime) with a
  few side-effect-free methods each (``_PLAIN_METHODS``); paths arrive as str;
* Jinja's loop/macro/block objects; no other globals than a bounded ``range``.

Any other object (a Path, a module, a function, a class) can be rendered as text
but none of its attributes can be read or called. Cost is bounded: ``range`` and
filters refuse huge counts, ``*``/``**``/``%`` refuse huge results, the output of
one template is capped, and rendering in the main thread has a time limit.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import functools
import inspect
import numbers
import pathlib
import signal
import threading
import types

import jinja2
import jinja2.runtime
import jinja2.sandbox
from jinja2.exceptions import SecurityError

__all__ = ["Sandbox", "time_limit", "MAX_RANGE", "MAX_OUTPUT_CHARS", "MAX_SECONDS", "TemplateTimeout"]

MAX_RANGE = 10_000  #: most items one ``range()`` may produce
MAX_ARGUMENT = 10_000  #: largest int a filter accepts (widths, counts: ``center(10**9)``)
MAX_SIZE = 10_000_000  #: longest str/list an operator or call may build or pass
MAX_OUTPUT_CHARS = 50_000_000  #: longest text one template may render
MAX_SECONDS = 60.0  #: wall-clock limit for rendering all files of one spec

_PLAIN_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({"lower", "upper", "title", "capitalize", "strip", "lstrip", "rstrip", "startswith",
                    "endswith", "split", "rsplit", "splitlines", "count", "find", "rfind", "isdigit",
                    "isidentifier", "isalpha", "isalnum"}),
    dict: frozenset({"items", "keys", "values", "get"}),
    types.MappingProxyType: frozenset({"items", "keys", "values", "get"}),
    list: frozenset({"count", "index"}),
    tuple: frozenset({"count", "index"}),
}
#: values an attribute may yield (iterating or printing them cannot touch the system); numbers.Number
#: covers numpy scalars in baselines
_PLAIN_VALUES = (str, numbers.Number, type(None), list, tuple, dict, set, frozenset, types.MappingProxyType,
                 dt.datetime, dt.date, dt.time, dt.timedelta, enum.Enum)
_JINJA_OBJECTS = (jinja2.runtime.LoopContext, jinja2.runtime.Macro, jinja2.runtime.BlockReference,
                  jinja2.runtime.TemplateReference)
#: filters user templates may use, besides specgen's own (all get their int arguments bounded)
_FILTERS = frozenset({"join", "length", "count", "lower", "upper", "title", "capitalize", "trim", "default",
                      "d", "first", "last", "sort", "dictsort", "list", "map", "select", "reject",
                      "selectattr", "rejectattr", "unique", "items", "min", "max", "sum", "round", "int",
                      "float", "string", "abs", "reverse", "tojson", "groupby", "attr", "batch", "e",
                      "escape", "safe"})


class TemplateTimeout(Exception):
    """Rendering ran past ``MAX_SECONDS``."""


@functools.lru_cache(maxsize=None)
def _is_specgen(cls: type) -> bool:
    return (getattr(cls, "__module__", None) or "").split(".")[0] == "specgen"


def _defined_by_specgen(cls: type, attr: str) -> bool:
    """``attr`` is a field, property or method that specgen's own code defines on ``cls``."""
    if dataclasses.is_dataclass(cls) and attr in {f.name for f in dataclasses.fields(cls)}:
        return True
    if attr in getattr(cls, "_fields", ()):  # NamedTuple
        return True
    try:
        member = inspect.getattr_static(cls, attr)
    except AttributeError:
        return False
    for name in ("fget", "func", "__func__"):  # property, cached_property, static/classmethod
        member = getattr(member, name, member)
    return callable(member) and _is_specgen(member)


def _safe_value(value) -> bool:
    """What an attribute may hand to a template: plain data, specgen objects, safe methods."""
    if isinstance(value, (*_PLAIN_VALUES, pathlib.PurePath, *_JINJA_OBJECTS)):  # paths reach templates as str
        return True
    if isinstance(value, (types.MethodType, types.BuiltinMethodType)):
        return _safe_member(getattr(value, "__self__", None), value.__name__)
    if isinstance(value, (types.FunctionType, type, types.ModuleType)):
        return False
    return _is_specgen(type(value))


def _safe_member(obj, attr: str) -> bool:
    """May a template read ``obj.attr``? (The value it yields is checked separately.)"""
    verdict = _class_verdict(type(obj), attr)
    if verdict is None:  # a specgen object's plain instance attribute
        return attr in getattr(obj, "__dict__", {})
    return verdict


@functools.lru_cache(maxsize=None)  # decided once per class and name: rendering a wide plan stays fast
def _class_verdict(cls: type, attr: str) -> bool | None:
    if attr.startswith("_"):
        return False
    if issubclass(cls, enum.Enum):
        return attr in ("name", "value")
    for kind, names in _PLAIN_METHODS.items():
        if issubclass(cls, kind):
            return attr in names
    if issubclass(cls, _JINJA_OBJECTS):
        return True
    if not _is_specgen(cls):
        return False
    return True if _defined_by_specgen(cls, attr) else None


def _check_size(value):
    if isinstance(value, (str, list, tuple, dict)) and len(value) > MAX_SIZE:
        raise SecurityError(f"value of {len(value):,} items exceeds the template limit of {MAX_SIZE:,}")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * MAX_RANGE:
        raise SecurityError("integer too large for a template")
    return value


def _as_text(value):
    """A path as its text: a template may print it, never open it."""
    return str(value) if isinstance(value, pathlib.PurePath) else value


def _bounded_range(*args):
    bounds = range(*args)
    if len(bounds) > MAX_RANGE:
        raise SecurityError(f"range() of {len(bounds):,} items exceeds the template limit of {MAX_RANGE:,}")
    return bounds


def _bounded_filter(function):
    """``function`` refusing huge int arguments (after its value, and its environment/context if passed)."""
    skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(function)  # keeps ``jinja_pass_arg``: Jinja still passes what the filter asks for
    def bounded(*args, **kwargs):
        for arg in (*args[skip:], *kwargs.values()):
            if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_ARGUMENT:
                raise SecurityError(f"filter argument {arg} exceeds the template limit of {MAX_ARGUMENT:,}")
        return function(*args, **kwargs)
    return bounded


class Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Whitelisting sandbox; see the module docstring for the rules."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options):
        super().__init__(**options)
        self.globals.clear()  # no cycler/joiner/namespace/lipsum/dict: templates need none of them
        self.globals["range"] = _bounded_range
        self.filters = {name: _bounded_filter(f) for name, f in self.filters.items() if name in _FILTERS}

    def add_filters(self, **filters) -> None:
        """specgen's own filters: plain data in, text out, no size arguments."""
        self.filters.update(filters)

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        return (super().is_safe_attribute(obj, attr, value) and _safe_member(obj, attr)
                and _safe_value(value))

    def getattr(self, obj, attribute):
        return _as_text(super().getattr(obj, attribute))

    def getitem(self, obj, argument):
        return _as_text(super().getitem(obj, argument))

    def is_safe_callable(self, obj) -> bool:
        if not super().is_safe_callable(obj):
            return False
        if obj is _bounded_range or isinstance(obj, (jinja2.runtime.Macro, jinja2.runtime.BlockReference)):
            return True
        owner = getattr(obj, "__self__", None)
        return (isinstance(obj, (types.MethodType, types.BuiltinMethodType)) and owner is not None
                and not isinstance(owner, types.ModuleType) and _safe_member(owner, obj.__name__))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja's signature)
        for arg in (*args, *kwargs.values()):
            _check_size(arg)  # a recursive macro doubling a string stops here
        return _as_text(_check_size(super().call(__context, __obj, *args, **kwargs)))

    def call_binop(self, context, operator: str, left, right):
        if operator == "%" and isinstance(left, str):
            raise SecurityError("'%' string formatting is not allowed in templates; use filters")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise SecurityError(f"exponent {right} exceeds the template limit of 64")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and len(seq) * count > MAX_SIZE:
                    raise SecurityError(f"'*' would build {len(seq) * count:,} items (template limit {MAX_SIZE:,})")
        return _check_size(super().call_binop(context, operator, left, right))


def render_bounded(template: jinja2.Template, **context) -> str:
    """Render, refusing output past ``MAX_OUTPUT_CHARS`` as it is produced."""
    parts, size = [], 0
    for chunk in template.generate(**context):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"template output exceeds the limit of {MAX_OUTPUT_CHARS:,} characters")
        parts.append(chunk)
    return "".join(parts)


@contextlib.contextmanager
def time_limit(seconds: float | None = None):
    """Interrupt Python code running past ``seconds`` (SIGALRM: main thread on POSIX only).

    A signal, not a watchdog thread: a thread cannot stop a loop in the main
    thread, while the alarm's handler raises inside it at the next bytecode.
    Elsewhere (other threads, Windows) rendering runs unbounded in time; the
    other limits still hold.
    """
    seconds = MAX_SECONDS if seconds is None else seconds
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # never steal an alarm someone set
        yield
        return

    def expired(signum, frame):
        raise TemplateTimeout(f"rendering took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
