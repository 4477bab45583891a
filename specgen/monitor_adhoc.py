"""``specgen monitor`` with no compiled config: the config built in memory from the spec (ad hoc).

``compile`` writes ``<name>_monitoring.yaml`` from the spec's plan and the committed baseline;
here the same two functions build the same contract (``compiler.monitoring.monitoring_config``)
without writing anything, the baseline coming from

* ``--reference DATA``: computed from that data as ``specgen baseline`` computes it from
  ``data.training`` (``compiler.baseline.compute``: the same quantile edges, counts and, with a
  model, training-time predictions), so the numbers equal those of compile + baseline + monitor;
* else the spec's committed ``<name>_baseline.json`` (what ``infer`` and ``specgen baseline`` write),
  when it is current for the spec.

Neither: SG305, naming both ways out. This module imports the compiler (pydantic, jinja2 stay out of
the compiled path: ``api.monitor`` imports it only when no compiled config is found).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError

__all__ = ["AdHoc", "build"]


@dataclass(frozen=True)
class AdHoc:
    """The config ``runtime.monitor.run`` takes, the folder its model paths are relative to, and what
    it was built from."""

    config: object  # runtime.contracts.monitoring.MonitoringConfig
    folder: Path
    used: str


def build(spec_path: Path, reference: str | Path | None, looked_at: Path) -> AdHoc:
    """The monitoring config of ``spec_path`` with the baseline of ``reference`` (or of the committed
    baseline file). ``looked_at``: where the compiled config was expected (for the error)."""
    from .api import default_out_dir, load_spec
    from .compiler import baseline as baseline_mod
    from .compiler.monitoring import monitoring_config
    from .compiler.plan import plan

    raw, spec = load_spec(spec_path)
    the_plan = plan(spec, raw, default_out_dir(raw.path, spec))  # model paths as compile (no -o) writes them
    if the_plan.monitoring is None:
        raise DataError(f"{spec_path}: the spec has no monitoring section; add `monitoring:` [SG305]", "SG305")
    if reference is not None:
        the_plan, dropped = _without_absent_label(the_plan, reference)
        stored = _baseline(baseline_mod.compute(spec, the_plan, data=reference))
        used = f"ad hoc: built from {spec_path} and --reference {reference}" + dropped
    else:
        where = baseline_mod.baseline_path(spec_path, spec.name)
        stored = baseline_mod.read(where)
        state = baseline_mod.freshness(stored, spec, the_plan)
        if state != "current":
            raise _no_baseline(spec_path, spec.name, looked_at, where, state)
        used = f"ad hoc: built from {spec_path} and its baseline {where}"
    config = _as_stored(monitoring_config(the_plan, stored))
    _check(config, reference)
    return AdHoc(config, the_plan.out_dir, used)


def _as_stored(config):
    """The config as monitor loads it from the file compile writes: check parameters in their stored
    form (lists, not tuples; ``contracts.monitoring.encode_params``), so both paths run the same checks."""
    from .runtime.checks import Check
    from .runtime.contracts.monitoring import decode_params

    checks = tuple(Check(c["kind"], c["column"], decode_params(c["params"]), tuple(c["environments"]))
                   for c in config.check_data)
    return dataclasses.replace(config, checks=checks)


def _baseline(document: dict):
    from .compiler.baseline import Baseline

    header = document["header"]
    return Baseline(header["inputs_sha256"], header["data"]["sha256"], document["rows"], document["features"],
                    document["prediction"])


def _without_absent_label(the_plan, reference):
    """A reference without the label (a serving log, Evidently-style) compares the features alone:
    the label has no reference to drift from (a compiled config keeps the training one)."""
    from .runtime import io

    label, mon = the_plan.label, the_plan.monitoring
    if label is None or all(f.name != label for f in mon.features):
        return the_plan, ""
    if label in io.scan_polars(reference, the_plan.dtypes()).collect_schema().names():
        return the_plan, ""
    features = tuple(f for f in mon.features if f.name != label)
    return dataclasses.replace(the_plan, monitoring=dataclasses.replace(mon, features=features)), \
        f" (the label {label!r} is not in it: not monitored)"


def _check(config, reference) -> None:
    from .runtime.contracts.monitoring import problems

    found = problems(config)
    if found:  # e.g. a reference whose values give no usable bins
        source = f"--reference {reference}" if reference is not None else "the baseline"
        raise DataError(f"{source}: cannot monitor with it: {'; '.join(found[:5])} [SG305]", "SG305")


def _no_baseline(spec_path: Path, name: str, looked_at: Path, where: Path, state: str) -> DataError:
    """Every way out: ad hoc with --reference, compile (after baseline), or --config for a config elsewhere."""
    why = "no" if state == "missing" else "an out-of-date"
    return DataError(
        f"{looked_at}: monitoring config not found (nor any {name}_monitoring.yaml generated from {spec_path.name} "
        f"below {spec_path.parent}), and {why} baseline {where} to build one from; monitor ad hoc against "
        f"reference data: specgen monitor {spec_path} --reference DATA --current ..., or compile: specgen baseline "
        f"{spec_path} && specgen compile {spec_path}, or, if you compiled with -o DIR, pass "
        f"--config DIR/{name}/{name}_monitoring.yaml [SG305]", "SG305")
