"""Decisions -> text: the spec YAML, with the observed statistics as comments.

The YAML is written by hand, not dumped, so that key order is fixed, comments
sit next to the feature they describe and the same input gives the same bytes.
Scalars still go through ``yaml.safe_dump`` so that names like ``yes`` or
``1.0`` are quoted exactly when YAML would misread them.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Column", "SpecDraft", "render_spec", "scalar"]


@dataclass(frozen=True)
class Column:
    name: str
    section: str  # features | columns
    body: tuple[tuple[str, Any], ...]  # ordered spec keys of this column
    comments: tuple[str, ...]


@dataclass(frozen=True)
class SpecDraft:
    name: str
    schema_ref: str | None  # None: no schema file to point at (``modeline.find_schema``)
    files: tuple[str, ...]  # relative to the spec's directory
    rows: int
    source_rows: int
    seed: int
    label: str | None
    key: tuple[str, ...]
    key_candidates: tuple[str, ...]
    baseline_file: str
    sampled: bool
    columns: tuple[Column, ...] = field(default=())
    training: str = ""  # data.training: the one input argument (a glob, a directory), else the first file
    training_source: dict | None = None  # data.training in a database: {sql|table, url|url_env} (db_source)
    training_comments: tuple[str, ...] = ()  # above data.training: e.g. which variable to export


def scalar(value: Any) -> str:
    """One YAML scalar, quoted only when plain style would change its meaning."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:  # PyYAML reads 1e-05 as a string: spell it out
            text = format(value, "f").rstrip("0")
            text = text + "0" if text.endswith(".") else text
        return text
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = yaml.safe_dump(str(value), default_flow_style=True, width=math.inf, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _comment(text: str) -> str:
    """``text`` made safe for a ``#`` comment line: every non-printable character (newline, CR, NEL,
    U+2028, NUL, BOM, ...) is written as its escape. File names, column names and category values reach
    the comments; a raw line break there would end the comment and inject YAML (a ``model:`` section)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _header(d: SpecDraft) -> list[str]:
    what = f"{d.rows} rows" if not d.sampled else f"a sample of {d.rows} of {d.source_rows} rows (seed {d.seed})"
    lines = _modeline(d.schema_ref)
    if d.training_source:  # a table or query: data.training names it (and its database) below
        kind = "query" if "sql" in d.training_source else "table"
        lines += [f"# Inferred by `specgen infer` from {what} of the {kind} named in data.training."]
    else:
        files = f"{len(d.files)} file{'s' if len(d.files) != 1 else ''}"
        lines += [f"# Inferred by `specgen infer` from {what} of {files}:"]
        lines += [f"#   {f}" for f in d.files]
    lines += ["# Review before committing: bounds are the observed values widened by the margin policy",
              "# (specgen/infer/policy.py); the observed statistics are in the comment above each column."]
    if d.key_candidates:
        lines.append(f"# Key candidates (unique, never null): {', '.join(d.key_candidates)}"
                     + ("" if d.key else " -- declare one with --key."))
    lines.append(f"# Baseline distributions for drift monitoring: {d.baseline_file}")
    return [_comment(line) for line in lines]


def _modeline(schema_ref: str | None) -> list[str]:
    if schema_ref is not None:
        return [f"# yaml-language-server: $schema={schema_ref}"]
    # no modeline text in the hint: an editor would read it as one, pointing at a missing file
    return ["# No spec.schema.json at or above this folder; for editor completion run",
            "# `specgen schema > spec.schema.json` here and `specgen infer --force` again (or add the modeline)."]


def render_spec(d: SpecDraft) -> str:
    lines = _header(d)
    lines += ["spec_version: 1", f"name: {d.name}", f"seeds: {{global: {d.seed}}}", "data:"]
    lines += [f"  # {_comment(text)}" for text in d.training_comments]
    where = _flow(d.training_source) if d.training_source else scalar(d.training or d.files[0])
    lines.append(f"  training: {where}")
    if len(d.files) > 1 and not d.training:
        lines[-1] += "  # the first input; the statistics cover all of them"
    if d.label is not None:
        lines.append(f"  label: {scalar(d.label)}")
    if d.key:
        lines.append(f"  key: {_flow(list(d.key))}")
    for section in ("features", "columns"):
        members = [c for c in d.columns if c.section == section]
        if members:
            lines.append(f"{section}:")
            for column in members:
                lines += _column(column)
    lines += ["dataset:", "  rows: [1, null]"]
    lines += _monitoring()
    return "\n".join(lines) + "\n"


def _monitoring() -> list[str]:
    """The default monitoring settings, spelled out so the draft shows what ``monitor`` compares."""
    from ..compiler.spec import Monitoring  # the defaults live with the spec model

    defaults = Monitoring()
    drift = {kind: {"metric": m.metric, "threshold": m.threshold}
             for kind, m in (("numeric", defaults.drift.numeric), ("categorical", defaults.drift.categorical))}
    return ["# Drift monitoring (`specgen monitor`, against the baseline file named above), default settings:",
            "# a feature alarms when its measure is above its threshold and above its noise floor, the",
            "# value a batch of that size with no drift exceeds with chance alpha (shared by the features).",
            "monitoring:", f"  drift: {_flow(drift)}", f"  alpha: {scalar(defaults.alpha)}"]


def _column(c: Column) -> list[str]:
    out = [f"  # {_comment(text)}" for text in c.comments]
    out.append(f"  {scalar(c.name)}:")
    out += [f"    {key}: {_flow(value)}" for key, value in c.body]
    return out
