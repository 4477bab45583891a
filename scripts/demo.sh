#!/usr/bin/env bash
# The main job end to end on the penguins example: baseline, compile, run the generated
# suite, validate good data (exit 0) and deliberately broken data (exit 1), monitor, report, score, infer.
set -euo pipefail
PY=${1:-.venv/bin/python}
EX=examples/penguins
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "0. the baseline: training statistics (and the serving model's outputs) -> $EX/penguins_baseline.json"
# the one step that reads the data and runs the model; its output is committed, so compile never does
"$PY" -m specgen baseline "$EX/spec.yaml"

step "1. compile $EX/spec.yaml -> $EX/generated/penguins/ (reads the spec and the baseline only)"
"$PY" -m specgen compile "$EX/spec.yaml"

step "2. run the generated pytest suite on the training data"
"$PY" -m pytest -q -p no:cacheprovider "$EX/generated/penguins"

step "3. validate the serving batch (expect: ok, exit 0)"
"$PY" -m specgen validate "$EX/spec.yaml" "$EX/data/serving.csv" --env serving

step "4. break the data: an out-of-range mass, an unseen island, a null species"
"$PY" - "$EX/data/train.csv" "$TMP/broken.csv" <<'PYEOF'
import sys, polars as pl
df = pl.read_csv(sys.argv[1])
df = df.with_columns(
    pl.when(pl.int_range(pl.len()) == 3).then(99999).otherwise(pl.col("body_mass_g")).alias("body_mass_g"),
    pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("Atlantis")).otherwise(pl.col("island")).alias("island"),
    pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("species")).alias("species"),
)
df.write_csv(sys.argv[2])
PYEOF

step "5. validate the broken data (expect: 3 failures, exit 1)"
set +e
"$PY" -m specgen validate "$EX/spec.yaml" "$TMP/broken.csv"
code=$?
set -e
echo "exit code: $code"
[ "$code" -eq 1 ] || { echo "demo: expected exit 1 from validate on broken data"; exit 1; }

step "6. the generated suite on the broken data fails, naming the columns"
set +e
SPECGEN_TRAINING_DATA="$TMP/broken.csv" "$PY" -m pytest -q -p no:cacheprovider "$EX/generated/penguins" 2>&1 | grep -E "^(FAILED|[0-9]+ (passed|failed))"
set -e

step "7. monitor a serving batch against the training baseline (expect: no alarm, exit 0)"
"$PY" -m specgen monitor "$EX/spec.yaml" --current "$EX/data/serving.csv" --metrics-out "$TMP/batch.prom"
echo "Prometheus metrics written: $(grep -c '^specgen_' "$TMP/batch.prom") samples"

step "8. a batch whose bill depth drifted by +2.5 mm (still inside the valid range): drift alarm, exit 1"
"$PY" - "$EX/data/serving.csv" "$TMP/drifted.csv" <<'PYEOF'
import sys, polars as pl
pl.read_csv(sys.argv[1]).with_columns(pl.col("bill_depth_mm") + 2.5).write_csv(sys.argv[2])
PYEOF
set +e
"$PY" -m specgen monitor "$EX/spec.yaml" --current "$TMP/drifted.csv" > "$TMP/monitor.txt"
code=$?
set -e
head -6 "$TMP/monitor.txt"
echo "exit code: $code"
[ "$code" -eq 1 ] || { echo "demo: expected exit 1 from monitor on a drifted batch"; exit 1; }

step "8b. the same drifted batch as one self-contained HTML page (failed checks first, distributions drawn)"
set +e
mkdir -p .cache/demo  # kept after the demo (gitignored)
"$PY" -m specgen report "$EX/spec.yaml" --current "$TMP/drifted.csv" -o .cache/demo/report.html
code=$?
set -e
[ "$code" -eq 1 ] || { echo "demo: expected exit 1 from report on a drifted batch"; exit 1; }
echo "open .cache/demo/report.html in a browser (it needs no network)"

step "8c. the ML Test Score of the spec: which of the rubric's 28 tests the generated files cover"
"$PY" -m specgen score "$EX/spec.yaml" | head -3

step "9. draft a spec from raw data with specgen infer"
"$PY" -m specgen infer "$EX/data/train.csv" --label species --key penguin_id -o "$TMP/drafted.yaml"
sed -n '1,25p' "$TMP/drafted.yaml"

step "10. CI guard: generated files are up to date, in a checkout without the data or the model"
mkdir -p "$TMP/checkout"
cp -r "$EX/spec.yaml" "$EX/penguins_baseline.json" "$EX/generated" "$TMP/checkout/"
"$PY" -m specgen compile --check "$TMP/checkout/spec.yaml"
echo
echo "demo: done"
