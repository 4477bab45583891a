"""Fuzzing the two readers of untrusted input: the YAML loader and the data readers
behind ``specgen validate``. Only SpecgenError subclasses may escape.

Bounded by default (derandomized, a few hundred cases, a few seconds); scale with
SPECGEN_FUZZ_EXAMPLES=<factor> and add SPECGEN_FUZZ_RANDOM=1 for fresh inputs.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from specgen.api import build_plan
from specgen.compiler.load import loads
from specgen.compiler.validate import validate
from specgen.errors import SpecError, SpecgenError
from specgen.runtime import engine, io

from .helpers import PENGUINS, PENGUINS_TEXT, spec_error_located

SCALE = float(os.environ.get("SPECGEN_FUZZ_EXAMPLES", "1"))
_COUNTS: dict[str, int] = {}


def budget(n: int) -> settings:
    phases = tuple(Phase) if os.environ.get("SPECGEN_FUZZ_SHRINK") else (Phase.explicit, Phase.generate)
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, phases=phases, database=None,
                    derandomize=not os.environ.get("SPECGEN_FUZZ_RANDOM"), suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nfuzz cases run: " + ", ".join(f"{k}={v}" for k, v in sorted(_COUNTS.items())))


def count(name):
    _COUNTS[name] = _COUNTS.get(name, 0) + 1


YAML_TOKENS = ["\n", " ", "  ", "\t", ":", ": ", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "<<: ", "!!str ",
               "!!python/name:os.system ", "? ", "|", ">", "'", '"', "#", "---\n", "...\n", "%YAML 1.1\n",
               ".nan", ".inf", "-.inf", "~", "null", "yes", "0x1F", "1e400", "2020-13-45", "9" * 30, "\ufeff",
               "\x00", "\x85", "\u2028", "\\", "key", "features", "dtype", "range", "values", "spec_version"]


def _spliced(draw):
    """Penguins text with random spans replaced by YAML tokens or raw bytes."""
    text = PENGUINS_TEXT
    for _ in range(draw(st.integers(1, 4))):
        a = draw(st.integers(0, len(text)))
        b = min(len(text), a + draw(st.integers(0, 20)))
        text = text[:a] + "".join(draw(st.lists(st.sampled_from(YAML_TOKENS), max_size=4))) + text[b:]
    return text


yaml_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join),
    st.composite(lambda draw: _spliced(draw))(),
)
yaml_bytes = st.one_of(st.binary(max_size=200), yaml_text.map(lambda t: t.encode("utf-8", "surrogatepass")))


@given(data=st.one_of(yaml_text, yaml_bytes))
@budget(400)
def test_loader_fuzz(data):
    count("yaml_loads")
    try:
        raw = loads(data, "fuzz.yaml")
        validate(raw)
    except SpecError as exc:
        if exc.diagnostics[0].code not in ("SG002",) or exc.diagnostics[0].line is not None:
            spec_error_located(exc, "fuzz.yaml")
        else:  # a few PyYAML errors (e.g. bad escapes in the reader) carry no mark
            assert "[SG002]" in str(exc)


# --- data readers -----------------------------------------------------------------------------------------

_PLAN = build_plan(PENGUINS)
_CHECKS = {e: _PLAN.checks(e) for e in ("training", "serving")}
HEADER = "penguin_id,species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year"
CELLS = ["", "1", "-1", "39.1", "1e308", "-1e400", "nan", "NaN", "inf", "NA", "null", "Adelie", "Dream", "male",
         "2007", "2007-01-01", "2020-13-45T00:00", "true", "FALSE", '"', '""', '"a,b"', '"x\ny"', "\t", " ",
         "9" * 40, "0x10", "١٢٣", "é", "\x00", "\\", ";", "1,5", "'"]


@st.composite
def csv_bytes(draw):
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))
    header = HEADER if draw(st.booleans()) else ",".join(draw(st.lists(st.sampled_from(
        HEADER.split(",") + ["", "x", "island", '"q"', "a b"]), max_size=10)))
    lines = [header]
    width = header.count(",") + 1
    for _ in range(draw(st.integers(0, 12))):
        n = width if draw(st.integers(0, 3)) else draw(st.integers(0, width + 2))
        lines.append(",".join(draw(st.lists(st.sampled_from(CELLS), min_size=n, max_size=n))))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(lines).encode("utf-8") + draw(st.sampled_from([b"", b"\n", b"\xff", b"\xef\xbb\xbf"]))


@given(data=csv_bytes(), environment=st.sampled_from(["training", "serving"]))
@budget(250)
def test_csv_reader_and_engine_fuzz(tmp_path_factory, data, environment):
    count("csv_validate")
    path = tmp_path_factory.mktemp("csv") / "batch.csv"
    path.write_bytes(data)
    try:
        frame = io.read_polars(path, _PLAN.dtypes())
    except SpecgenError as exc:
        assert str(path) in str(exc) and "[SG2" in str(exc), exc
        return
    failures = engine.run_checks(frame, _CHECKS[environment], environment)
    for failure in failures:
        assert failure.message()  # every failure renders its message


@given(data=st.binary(max_size=400))
@budget(60)
def test_parquet_reader_fuzz(tmp_path_factory, data):
    count("parquet_bytes")
    path = tmp_path_factory.mktemp("pq") / "batch.parquet"
    path.write_bytes(b"PAR1" + data + b"PAR1" if data[:1] != b"\x00" else data)
    try:
        frame = io.read_polars(path, _PLAN.dtypes())
    except SpecgenError as exc:
        assert "[SG20" in str(exc)
        return
    engine.run_checks(frame, _CHECKS["training"], "training")
