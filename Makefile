# Every target creates/uses the local virtualenv .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-perf test-long golden bench peers schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## compile the penguins example, run its generated suite, validate good and bad data
	bash scripts/demo.sh $(PY)

# Two xdist workers (the CI machine has two cores; TEST_WORKERS=0 runs in one process). loadfile sends each
# test file to one worker, so a module-scoped fixture (the e2e runs of generated suites) is built once.
# (Not loadgroup: with pytest 9 xdist_group marks are silently ignored, so modules would be split.)
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP)  ## the whole default test suite (what CI runs); installs chromium for the report's browser tests when it can
	bash scripts/install-chromium.sh >/dev/null
	$(PY) -m pytest -q -m "not slow and not perf" -p no:cacheprovider $(XDIST)

test-slow: $(STAMP)  ## only the tests marked slow (exit 5 "no tests" is not a failure)
	$(PY) -m pytest -q -m slow -p no:cacheprovider $(XDIST) || [ $$? -eq 5 ]

test-perf: $(STAMP)  ## the real performance gates: specgen's perf tests, then the examples' generated deployment suites
	SPECGEN_PERF=gate $(PY) -m pytest -q -m perf -p no:cacheprovider tests
	SPECGEN_PERF=gate $(PY) -m pytest -q -m perf -p no:cacheprovider \
		examples/penguins/generated/penguins/test_penguins_infrastructure.py \
		examples/diabetes/generated/diabetes/test_diabetes_infrastructure.py

test-long: $(STAMP)  ## the property and fuzz tests with 10x the generated cases (several minutes)
	SPECGEN_FUZZ_EXAMPLES=10 $(PY) -m pytest -q -p no:cacheprovider tests/hardening

golden: $(STAMP)  ## rewrite golden files after an intended change to generated output; review the diff
	$(PY) -m tests.golden.update
	$(PY) -m specgen compile examples/*/spec.yaml

schema: $(STAMP)  ## regenerate the published JSON Schema of the spec
	$(PY) -m specgen schema > specs/spec.schema.json

bench: $(STAMP)  ## benchmarks (print figures; not part of the test suite)
	$(PY) benchmarks/bench_validate.py
	$(PY) benchmarks/bench_compile.py
	$(PY) benchmarks/bench_monitor.py
	$(PY) benchmarks/bench_infer.py
	$(PY) benchmarks/bench_wide.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_live.py  # 10M logged predictions (generated once into benchmarks/data/)
	$(PY) benchmarks/bench_detection.py --splits 10  # 50 splits (the recorded table) take ~15 min

# The peer tools the benchmarks compare with, each in its own venv inside the ignored .cache/ (evidently
# 0.7.23 needs pandas < 3, which specgen's own venv does not have). bench_monitor.py looks there.
PEERS := .cache/peers
EVIDENTLY_VERSION := 0.7.23

peers: $(PEERS)/evidently/.installed  ## venvs of the peer tools for `make bench` (Evidently), under .cache/peers/

$(PEERS)/evidently/.installed:
	$(PYTHON) -m venv $(PEERS)/evidently
	$(PEERS)/evidently/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/evidently/bin/python -m pip install --quiet "evidently==$(EVIDENTLY_VERSION)" "pandas<3"
	touch $@

clean:
	rm -rf $(VENV) .cache dist build *.egg-info
