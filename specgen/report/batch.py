"""What ``specgen report`` computes from a batch beyond validate and monitor: validate's checks with the
label and prediction columns allowed (as monitor allows them: labels join a batch later), and the
quality of the spec's slices on a batch that carries both the label and the model's prediction.

The spec is loaded and planned once (``load``) and handed to both."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .sections import Distributions, Table

__all__ = ["Loaded", "load", "validate_batch", "slice_quality", "data_distributions"]


@dataclass(frozen=True)
class Loaded:
    path: Path
    spec: object  # compiler.spec.Spec
    plan: object  # compiler.plan.Plan

    @property
    def label(self) -> str | None:
        return self.spec.data.label

    @property
    def prediction(self) -> str | None:
        prediction = self.spec.monitoring.prediction if self.spec.monitoring is not None else None
        return prediction.column if prediction is not None else None

    @property
    def monitored(self) -> bool:
        return self.spec.monitoring is not None


def load(spec_path: str | Path) -> Loaded:
    from ..api import default_out_dir, load_spec
    from ..compiler.plan import plan

    raw, spec = load_spec(spec_path)
    return Loaded(Path(spec_path), spec, plan(spec, raw, default_out_dir(raw.path, spec)))


def validate_batch(loaded: Loaded, data_path: str | Path, environment: str):
    """``api.validate_data``, but a batch may carry the label and the monitored prediction column."""
    from ..api import ValidationResult
    from ..runtime import engine, io
    from ..runtime.checks import registry

    allowed = [n for n in (loaded.label, loaded.prediction) if n is not None]
    checks = [registry.get(c.kind).allow_columns(c, allowed) for c in loaded.plan.checks(environment)]
    failures = io.checked_scan(data_path, loaded.plan.dtypes(),
                               lambda frame: engine.run_checks(frame, checks, environment))
    return ValidationResult(str(loaded.path), str(data_path), environment, failures.rows, len(checks), list(failures))


def slice_quality(loaded: Loaded, data_path: str | Path) -> Table | None:
    """Each slice metric of the spec on the batch's labelled predictions; None when the spec has no slice
    metrics or the batch lacks the label or the prediction column. Metrics that need scores or
    probabilities (roc_auc, log_loss) and user metrics are left to the generated model tests."""
    from ..runtime import io

    model, label, prediction = loaded.plan.model, loaded.label, loaded.prediction
    if model is None or not model.slice_metrics or label is None or prediction is None:
        return None
    frame = io.read_polars(data_path, loaded.plan.dtypes())
    if label not in frame.columns or prediction not in frame.columns:
        return None
    frame = frame.to_pandas()
    rows = [_slice_row(model.setup.slices[name].select(frame), label, prediction, name, metric, bound, min_rows)
            for name, metric, bound, min_rows in (p.values for p in model.slice_metrics)]
    return Table("Slice quality on this batch's labelled predictions",
                 ("slice", "rows", "min rows", "metric", "value", "bound", "status"),
                 tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                 f"Rows with both {label} and {prediction}; metrics of scores or probabilities are checked by the "
                 "generated model tests.")


def _slice_row(part, label: str, prediction: str, name: str, metric, bound, min_rows: int):
    from ..runtime import metrics

    part = part[part[label].notna() & part[prediction].notna()]
    bounds = " ".join(x for x in (f">= {bound.min:g}" if bound.min is not None else "",
                                  f"<= {bound.max:g}" if bound.max is not None else "") if x)
    head = (name, f"{len(part):,}", str(min_rows), metric.name)
    info = metrics.METRICS.get(metric.name)
    if metric.entrypoint is not None or info is None or info.input != "labels":
        return head + ("", bounds, "not computed (needs scores)"), False
    if len(part) < min_rows:
        return head + ("", bounds, "too few rows"), False
    value = metrics.compute(metric.name, part[label].to_numpy(), y_pred=part[prediction].to_numpy(), **metric.kwargs)
    problem = bound.problem(value)
    return head + (f"{value:.4g}", bounds, f"fails: {problem}" if problem else "ok"), problem is not None


def data_distributions(loaded: Loaded, data_path) -> Distributions | None:
    """``validate --html``: the data against the training baseline, on the bins of the compiled monitoring
    config (None without one). Drawn, not judged: drift verdicts are ``specgen monitor``'s. ``data_path``:
    a file, or a function yielding frames (a table or query in a database: ``own_data.report_rows``)."""
    from ..api import default_out_dir
    from ..runtime import baseline as baseline_mod
    from ..runtime import monitor
    from ..runtime.summary import CHUNK_ROWS, merge_summaries, summarize_frame
    from . import collect

    path = default_out_dir(loaded.path, loaded.spec) / f"{loaded.spec.name}_monitoring.yaml"
    if not loaded.monitored or not path.is_file():  # not compiled yet: the page shows the checks alone
        return None
    config = monitor.load_config(path)
    specs = baseline_mod.feature_specs(config.features)

    def add(totals: dict, chunk) -> None:
        for name, summary in summarize_frame(chunk, specs).items():
            totals[name] = summary if name not in totals else merge_summaries(totals[name], summary)

    if callable(data_path):
        current: dict = {}
        for chunk in data_path():
            add(current, chunk)
    else:
        current = monitor.one_pass(data_path, config.dtypes, CHUNK_ROWS, dict, add)
    shown = {f.name: (baseline_mod.to_summary(f.kind, f.reference), current.get(f.name)) for f in config.features}
    return Distributions("Distributions: training baseline vs this data",
                         collect.drawn_distributions(config.features, shown),
                         "Shares of rows per bin of the training baseline or per category. Drawn, not judged: "
                         "specgen monitor (or specgen report) measures drift against its limits.")
