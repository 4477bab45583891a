"""The published JSON Schema is one standard tools accept: its patterns are ECMA-262, and every example
spec and every spec ``infer`` drafts validates against it (the declared draft, format checking on)."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import polars as pl
import pytest
import yaml
from jsonschema import FormatChecker
from jsonschema.validators import validator_for

from specgen.api import infer_spec
from specgen.compiler.jsonschema import ISO_DATETIME, dumps
from tests.helpers import EXAMPLES, ROOT

SCHEMA = json.loads((ROOT / "specs" / "spec.schema.json").read_text(encoding="utf-8"))
VALIDATOR = validator_for(SCHEMA)  # the draft the schema declares ($schema)
WRITTEN_SPECS = sorted([*EXAMPLES.glob("*/spec.yaml"), *(ROOT / "specs").glob("*.yaml"),
                        *(ROOT / "tests" / "golden").glob("*/spec.yaml")])
TABLES = sorted((ROOT / "tests" / "data").glob("*.csv"))
#: Python-only regular expression syntax an ECMA-262 engine rejects or reads differently
PYTHON_ONLY = re.compile(r"""\(\?P[<=]|\(\?[aiLmsux]+[):]|(?<!\\)(?:\\\\)*\\[AZ"'`]""")


def _patterns(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["pattern"]] if isinstance(node.get("pattern"), str) else []
        return own + [p for v in node.values() for p in _patterns(v)]
    if isinstance(node, list):
        return [p for v in node for p in _patterns(v)]
    return []


def _as_json(value):
    """A YAML document as a JSON validator sees it: dates and times as ISO text (as check-jsonschema reads YAML)."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _errors(spec_path) -> list[str]:
    instance = _as_json(yaml.safe_load(spec_path.read_text(encoding="utf-8")))
    validator = VALIDATOR(SCHEMA, format_checker=VALIDATOR.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def test_the_committed_schema_is_current_and_a_valid_schema_of_its_draft():
    assert json.loads(dumps()) == SCHEMA
    VALIDATOR.check_schema(SCHEMA)
    # the metaschema declares each pattern `format: regex`: with format checking on, each must compile
    VALIDATOR(VALIDATOR.META_SCHEMA, format_checker=VALIDATOR.FORMAT_CHECKER).validate(SCHEMA)


def test_no_pattern_uses_python_only_syntax():
    patterns = _patterns(SCHEMA)
    assert len(patterns) >= 5
    assert [p for p in patterns if PYTHON_ONLY.search(p)] == []
    assert PYTHON_ONLY.search(r"""^https?://[^\s\"'{}<>\\`]+$""")  # the escaped quote the schema once had


@pytest.mark.skipif(shutil.which("node") is None, reason="node (an ECMA-262 engine) is not installed")
def test_every_pattern_compiles_as_ecma_262():
    """Compiled by a real ECMA engine in unicode mode (as check-jsonschema's regress does), through
    jsonschema's own format check of the metaschema's `format: regex`."""
    patterns = sorted(set(_patterns(SCHEMA)) | {r"""^https?://[^\s\"'{}<>\\`]+$"""})
    script = ("const ps = JSON.parse(require('fs').readFileSync(0, 'utf8')); const out = {};"
              "for (const p of ps) { try { new RegExp(p, 'u'); out[p] = null; } catch (e) { out[p] = e.message; } }"
              "process.stdout.write(JSON.stringify(out));")
    result = subprocess.run(["node", "-e", script], input=json.dumps(patterns), capture_output=True, text=True,
                            check=True, timeout=60)
    ecma = json.loads(result.stdout)
    assert ecma[r"""^https?://[^\s\"'{}<>\\`]+$"""] is not None  # the engine rejects what check-jsonschema did
    checker = FormatChecker()

    @checker.checks("regex", raises=ValueError)
    def _ecma(pattern):
        if ecma.get(pattern) is not None:
            raise ValueError(ecma[pattern])
        return True

    VALIDATOR(VALIDATOR.META_SCHEMA, format_checker=checker).validate(SCHEMA)


@pytest.mark.parametrize("spec", WRITTEN_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_written_spec_validates(spec):
    assert _errors(spec) == []


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    """Specs ``infer`` drafts: on every table in tests/data, and on a table of dates and timestamps."""
    out = tmp_path_factory.mktemp("drafts")
    times = out / "times.parquet"
    days = [dt.date(2011, 4, 2) + dt.timedelta(days=i) for i in range(60)]
    pl.DataFrame({
        "day": days,
        "naive": [dt.datetime(2024, 1, 1, 12) + dt.timedelta(hours=i) for i in range(60)],
        "aware": [dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=i) for i in range(60)],
        "x": [float(i % 7) for i in range(60)],
    }).write_parquet(times)
    specs = []
    for table in [*TABLES, times]:
        spec = out / f"{table.stem}.yaml"
        infer_spec([str(table)], spec)
        specs.append(spec)
    return specs


def test_every_inferred_spec_validates(drafts):
    assert len(drafts) == len(TABLES) + 1
    for spec in drafts:
        assert _errors(spec) == [], spec.name
    draft = yaml.safe_load(drafts[-1].read_text(encoding="utf-8"))
    assert type(draft["features"]["day"]["range"][0]) is dt.date  # `range: [2011-04-02, ...]` was drafted
    # the bound is checked, not waved through (jsonschema checks no `format: date-time` without extras)
    draft["features"]["day"]["range"][0] = "yesterday"
    validator = VALIDATOR(SCHEMA, format_checker=VALIDATOR.FORMAT_CHECKER)
    assert any("yesterday" in e.message for e in validator.iter_errors(_as_json(draft)))


@pytest.mark.parametrize("text, ok", [("2011-04-02", True), ("2024-01-31T12:00:00Z", True),
                                      ("2024-01-31 12:00", True), ("2024-01-31T12:00:00.5+02:00", True),
                                      ("1700000000", False), ("2024-01-31T", False), ("yesterday", False)])
def test_datetime_bounds_accept_what_the_spec_model_accepts(text, ok):
    assert bool(re.fullmatch(ISO_DATETIME, text)) is ok
