"""Hypothesis strategies: valid specs with hostile names, rows drawn from a spec, and spec mutations.

A drawn spec is a plain dict (dumped to YAML by PyYAML, which quotes whatever it
must) plus everything needed to draw rows that satisfy it: every value lies inside
its range or set, nulls stay within their limits, unique columns stay unique and
distribution bounds are loose enough to hold on any such rows.
"""
from __future__ import annotations

import datetime as dt
import math
import random

import yaml
from hypothesis import strategies as st

#: Names that would break naive quoting, identifiers, Markdown or shells. The last
#: ones would create a file named PWNED_FILE in the working directory if executed.
PWNED_FILE = "specgen_pwned_marker"
HOSTILE_NAMES = [
    "plain", "with space", "dot.ted", "quote'single", 'quote"double', "back\\slash", "new\nline", "tab\tbed",
    "class", "def", "None", "True", "lambda", "match", "_", "__init__", "__class__", "validate", "Config",
    "3leading_digit", "123", "ünïcödé", "日本語", "emoji🐧", "-dash", "a-b", "#hash", "*star*", "`tick`",
    "| pipe |", "<script>x</script>", "{{ 7*7 }}", "{% raw %}", "${HOME}", "$(touch x)", "x; rm -rf y",
    "\"); import os #", "'); import os #", "\"\"\"", "'''", "\\", "a\r\nb", "]]", "%s%d",
    f"__import__('pathlib').Path('{PWNED_FILE}').touch()",
    f"\"); __import__('pathlib').Path('{PWNED_FILE}').touch() #",
    f"'\n__import__('pathlib').Path('{PWNED_FILE}').touch()\n'",
]

_NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\x85\u2028\u2029")
names = st.one_of(st.sampled_from(HOSTILE_NAMES),
                  st.text(_NAME_CHARS, min_size=1, max_size=20)).filter(lambda s: bool(s.strip()) and len(s) <= 200)
DTYPES = ("float", "int", "category", "bool", "datetime", "string")
N_MIN = 12


@st.composite
def _bounds(draw, lo_limit, hi_limit, integer):
    gen = st.integers(lo_limit, hi_limit) if integer else st.floats(lo_limit, hi_limit, allow_nan=False,
                                                                       allow_infinity=False)
    lo, hi = sorted([draw(gen), draw(gen)])
    return [draw(st.sampled_from([lo, None])) if draw(st.booleans()) else lo,
            draw(st.sampled_from([hi, None])) if draw(st.booleans()) else hi]


@st.composite
def _nulls(draw, out: dict) -> None:
    choice = draw(st.sampled_from(["none", "nullable", "fraction", "fraction0", "nullable_false"]))
    if choice == "nullable":
        out["nullable"] = True
    elif choice == "fraction":
        out["max_null_fraction"] = draw(st.sampled_from([0.1, 0.25, 0.5, 1.0]))
    elif choice == "fraction0":
        out["max_null_fraction"] = 0.0
    elif choice == "nullable_false":
        out["nullable"] = False


@st.composite
def feature(draw, dtype: str, unique_ok: bool = True) -> dict:
    out: dict = {"dtype": dtype}
    draw(_nulls(out))
    if draw(st.booleans()):
        out["description"] = draw(st.sampled_from(HOSTILE_NAMES))
    if dtype in ("float", "int"):
        integer = dtype == "int"
        big = draw(st.sampled_from([10, 1000, 10**6, 2**53 if integer else 1e300]))
        if draw(st.booleans()):
            out["range"] = draw(_bounds(-big, big, integer))
        lo, hi = _limits(out)
        room = hi - lo >= 2 * 40 and hi - lo > 1e-6 * max(abs(lo), abs(hi))  # 40 distinct values, even as floats
        if unique_ok and room and draw(st.booleans()):
            out["unique"] = True
        if draw(st.booleans()):
            out["default"] = lo if draw(st.booleans()) else hi
        if not integer and big <= 10**6 and draw(st.booleans()) and "range" in out and None not in out["range"]:
            width = hi - lo
            out["distribution"] = {"mean": [lo, hi], "std": [0, width if math.isfinite(width) else None],
                                   "quantiles": {draw(st.sampled_from([0.1, 0.5, 0.9])): [lo, hi]}}
    elif dtype == "category":
        if draw(st.booleans()):
            values = draw(st.lists(st.integers(-1000, 1000), min_size=1, max_size=5, unique=True))
        else:
            values = draw(st.lists(names, min_size=1, max_size=5, unique=True))
        out["values"] = values
        if draw(st.booleans()):
            out["default"] = draw(st.sampled_from(values))
        if draw(st.booleans()):
            weights = [draw(st.integers(1, 5)) for _ in values]
            out["distribution"] = {"shares": {str(v): math.floor(w / sum(weights) * 1e4) / 1e4
                                              for v, w in zip(values, weights)},
                                   "tolerance": draw(st.sampled_from([0.25, 0.5, 1.0]))}
    elif dtype == "datetime":
        if draw(st.booleans()):
            day = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3000)))
            out["range"] = [day, day + dt.timedelta(days=draw(st.integers(0, 400)))]
    elif dtype == "string":
        out["pattern"] = draw(st.sampled_from([None, r"[a-z]+[0-9]+", r"\w+", r".+", r"(?:[a-z]|\d)+"]))
        if out["pattern"] is None:
            del out["pattern"]
        if draw(st.booleans()):
            out["length"] = [draw(st.sampled_from([None, 0, 1, 2])), draw(st.sampled_from([None, 12, 40]))]
        if unique_ok and draw(st.booleans()):
            out["unique"] = True
    if draw(st.integers(0, 5)) == 0:
        out["environments"] = ["training"]
    return out


def _limits(f: dict):
    """The interval rows are drawn from: the range, an open end replaced by a finite one."""
    lo, hi = f.get("range") or [None, None]
    if lo is None and hi is None:
        return -100, 100
    if lo is None:  # scale the span with the bound, or 1e17 + 100 == 1e17
        return hi - max(100, abs(hi)), hi
    if hi is None:
        return lo, lo + max(100, abs(lo))
    return lo, hi


@st.composite
def specs(draw, max_features: int = 6) -> dict:
    """A valid spec (dict) and the row count to draw: {'spec': ..., 'rows': n, 'seed': s}."""
    feature_names = draw(st.lists(names, min_size=1, max_size=max_features, unique=True))
    features = {n: draw(feature(draw(st.sampled_from(DTYPES)))) for n in feature_names}
    taken = set(features)
    label = draw(names.filter(lambda n: n not in taken))
    key = draw(names.filter(lambda n: n not in taken and n != label))
    columns = {label: {"dtype": "category", "values": draw(st.lists(names, min_size=1, max_size=3, unique=True)),
                       "environments": ["training"]},
               key: {"dtype": "int", "range": [0, None], "unique": True}}
    n = draw(st.integers(N_MIN, 40))
    spec = {
        "spec_version": 1,
        "name": draw(st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)),
        "description": draw(st.sampled_from(HOSTILE_NAMES)),
        "seeds": {"global": draw(st.integers(0, 2**32 - 1)), "split_salt": draw(names)},
        "data": {"training": "data/train.csv", "label": label, "key": [key]},
        "features": features,
        "columns": columns,
        "dataset": {"rows": [draw(st.sampled_from([None, 1, n])), draw(st.sampled_from([None, n, 10**6]))],
                    "extra_columns": draw(st.sampled_from(["error", "ignore"]))},
    }
    if draw(st.booleans()):
        spec["data"]["serving"] = "data/serving.csv"
    return {"spec": spec, "rows": n, "seed": draw(st.integers(0, 2**31))}


def dump(spec: dict) -> str:
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=10**6)


# --- rows -------------------------------------------------------------------------------------------------

def rows(spec: dict, n: int, seed: int, environment: str = "training") -> dict[str, list]:
    """Column -> values satisfying every check the spec declares for ``environment``."""
    rnd = random.Random(seed)
    out = {}
    for name, f in {**spec["features"], **spec.get("columns", {})}.items():
        if environment in f.get("environments", ["training", "serving"]):
            out[name] = _column(f, n, rnd)
    return out


def _column(f: dict, n: int, rnd: random.Random) -> list:
    kind = f["dtype"]
    values = [_value(f, i, n, rnd) for i in range(n)]
    if kind == "category" and "distribution" in f:
        return _by_shares(f, n, rnd)  # no nulls: they would move the shares
    nulls = _null_count(f, n)
    for i in rnd.sample(range(n), nulls):
        values[i] = None
    return values


def _null_count(f: dict, n: int) -> int:
    if f.get("nullable") is False or ("max_null_fraction" not in f and not f.get("nullable")):
        return 0
    limit = f.get("max_null_fraction", 0.5)
    return min(int(limit * n), n - 2)  # keep two values: stats on an all-null column prove nothing


def _value(f: dict, i: int, n: int, rnd: random.Random):
    kind = f["dtype"]
    if kind in ("float", "int"):
        lo, hi = _limits(f)
        if f.get("unique"):
            return int(lo) + i if kind == "int" else lo + (hi - lo) * (i / n)
        if kind == "int":
            return rnd.randint(int(lo), int(hi))
        return rnd.uniform(lo, hi) if math.isfinite(hi - lo) else rnd.choice([lo, hi, lo / 2 + hi / 2])
    if kind == "category":
        return rnd.choice(f["values"])
    if kind == "bool":
        return rnd.random() < 0.5
    if kind == "datetime":
        lo, hi = f.get("range") or [dt.date(2021, 1, 1), dt.date(2021, 12, 31)]
        lo = dt.datetime.combine(lo, dt.time())
        hi = dt.datetime.combine(hi, dt.time())
        return lo + dt.timedelta(seconds=rnd.randint(0, int((hi - lo).total_seconds())))
    if kind == "string":
        lo, hi = f.get("length") or [None, None]
        word = "".join(rnd.choice("abcxyz") for _ in range(rnd.randint(1, 4)))
        text = f"{word}{i}"
        if lo is not None and len(text) < lo:
            text = "a" * (lo - len(text)) + text
        if hi is not None:
            text = text[-hi:] if len(text) > hi else text
        return text
    raise AssertionError(kind)


def _by_shares(f: dict, n: int, rnd: random.Random) -> list:
    """Category counts proportional to the declared shares (each off by < 1/n)."""
    shares = f["distribution"]["shares"]
    lookup = {str(v): v for v in f["values"]}
    out = []
    for label, share in shares.items():
        out += [lookup[label]] * round(share * n)
    while len(out) < n:
        out.append(lookup[max(shares, key=shares.get)])
    out = out[:n]
    rnd.shuffle(out)
    return out


# --- mutations ---------------------------------------------------------------------------------------------

WRONG = [None, "x", "", 0, -1, 1.5, 1e308, True, [], {}, [1, 2], {"a": 1}, "2020-01-01", [None, None], [3, 1]]
TYPOS = [lambda k: k[:-1], lambda k: k + "s", lambda k: k.upper(), lambda k: k[1:] + k[0], lambda k: "_" + k]


@st.composite
def mutated(draw) -> str:
    """Spec text after 1-3 random edits of the structure or of the text itself."""
    base = draw(specs(max_features=3))["spec"]
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 3)) == 0:
            return _text_edit(draw, dump(base))
        base = _tree_edit(draw, base)
    return dump(base) if not isinstance(base, str) else base


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _tree_edit(draw, spec):
    import copy

    spec = copy.deepcopy(spec)
    paths = [p for p in _paths(spec) if p]
    path = draw(st.sampled_from(paths))
    parent = spec
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    op = draw(st.sampled_from(["wrong", "delete", "typo", "swap", "dup_value"]))
    if op == "wrong":
        parent[last] = draw(st.sampled_from(WRONG))
    elif op == "delete":
        del parent[last]
    elif op == "typo" and isinstance(parent, dict) and isinstance(last, str) and last:
        parent[draw(st.sampled_from(TYPOS))(last)] = parent.pop(last)
    elif op == "swap" and isinstance(parent[last], list) and len(parent[last]) == 2:
        parent[last] = parent[last][::-1]
    elif op == "dup_value" and isinstance(parent[last], list) and parent[last]:
        parent[last] = parent[last] + parent[last][:1]
    return spec


def _text_edit(draw, text: str) -> str:
    lines = text.split("\n")
    op = draw(st.sampled_from(["delete_chars", "insert", "dup_line", "drop_line", "indent", "swap_lines"]))
    i = draw(st.integers(0, len(lines) - 1))
    if op == "delete_chars":
        a = draw(st.integers(0, len(text)))
        return text[:a] + text[a + draw(st.integers(1, 8)):]
    if op == "insert":
        a = draw(st.integers(0, len(text)))
        return text[:a] + draw(st.sampled_from([":", "-", " ", "\t", "[", "{", "&a", "*a", "!!", "'", '"', "\n",
                                                 "#", "? ", "<<: ", "%", "@", "\x00", "\ufeff"])) + text[a:]
    if op == "dup_line":
        lines.insert(i, lines[i])
    elif op == "drop_line":
        del lines[i]
    elif op == "indent":
        lines[i] = draw(st.sampled_from(["  ", " ", "\t"])) + lines[i]
    elif op == "swap_lines":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)
