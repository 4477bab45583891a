"""Render stage: Plan -> {relative path: text}, through Jinja2 templates.

One environment, built in one function: StrictUndefined, trailing newlines kept,
a user template directory first and the built-in templates as fallback, all
rendered in specgen's whitelisting sandbox (``sandbox.py``: plain data only,
bounded cost). Literals reach Python only through the ``py`` filter (a checked
``repr``) and Markdown only through ``md``. Any failure inside a template is an
SG303 error naming the template file and line.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from importlib import resources
from pathlib import Path

import jinja2

from ..errors import SpecgenError
from ..runtime.generated import HEADER_TAG
from .contract_code import fields, is_contract
from .plan import Plan
from .sandbox import Sandbox, TemplateTimeout, render_bounded, time_limit

__all__ = ["render", "environment", "py_literal", "yaml_literal", "HEADER_TAG", "header_lines", "TEMPLATES",
           "MODEL_TEMPLATES", "MONITORING_TEMPLATES", "FEATURE_TEMPLATES", "PREDICTION_TEMPLATES"]


#: output file (relative to the spec's output directory) -> template name
TEMPLATES = {
    "{name}_schema.py": "schema.py.jinja",
    "conftest.py": "conftest.py.jinja",
    "test_{name}_data.py": "test_data.py.jinja",
    "README.md": "README.md.jinja",
}

#: rendered only when the spec has a model section
MODEL_TEMPLATES = {
    "test_{name}_model.py": "test_model.py.jinja",
}

#: rendered only when the spec has a ``transforms:`` section
FEATURE_TEMPLATES = {
    "test_{name}_features.py": "test_features.py.jinja",
}

#: rendered only when the spec has a ``predictions:`` section (batch inference)
PREDICTION_TEMPLATES = {
    "test_{name}_predictions.py": "test_predictions.py.jinja",
}

#: rendered only when the spec has a ``monitoring:`` section
MONITORING_TEMPLATES = {
    "{name}_monitoring.yaml": "monitoring.yaml.jinja",
    "{name}_alerts.yml": "alerts.yml.jinja",
    "{name}_alerts_test.yml": "alerts_test.yml.jinja",
}

#: rendered only when the spec has a ``live:`` section: the same alert templates, on specgen live's gauges
LIVE_TEMPLATES = {
    "{name}_live_alerts.yml": "alerts.yml.jinja",
    "{name}_live_alerts_test.yml": "alerts_test.yml.jinja",
}


def _builtin_dir() -> Path:
    """Templates inside the installed wheel, else the repository's top-level ``templates/``."""
    packaged = Path(str(resources.files("specgen").joinpath("templates")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def environment(user_dir: str | Path | None = None) -> Sandbox:
    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None:
        if not Path(user_dir).is_dir():
            raise SpecgenError(f"{user_dir}: template directory not found [SG303]", "SG303")
        loaders.append(jinja2.FileSystemLoader(str(user_dir)))
    loaders.append(jinja2.FileSystemLoader(str(_builtin_dir())))
    env = Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # outputs are Python/Markdown/YAML: escaped per language by filters
    )
    env.add_filters(py=py_literal, md=md_text, comment=comment_text, yaml=yaml_literal)
    return env


def py_literal(value) -> str:
    """A Python literal for plain data; anything else is a bug in the planner."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"non-finite float {value!r} cannot be rendered")
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"datetime.datetime.fromisoformat({value.isoformat()!r})"
    if isinstance(value, (list, tuple)):
        items = ", ".join(py_literal(v) for v in value)
        if isinstance(value, tuple):
            return f"({items}{',' if len(value) == 1 else ''})"
        return f"[{items}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    if is_contract(value):  # a runtime contract: its constructor, every field by keyword
        return f"{type(value).__name__}(" + ", ".join(f"{k}={py_literal(v)}" for k, v in fields(value)) + ")"
    raise TypeError(f"cannot render {type(value).__name__} as a Python literal")


def yaml_literal(value) -> str:
    """A YAML flow literal for plain data; every string double-quoted with all specials escaped.

    Only printable ASCII is left as is, so a hostile name cannot end the scalar,
    start a comment or a new key, and Go's YAML parser (Prometheus) reads the
    same value as PyYAML.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"non-finite float {value!r} cannot be rendered")
        text = repr(value)
        if "e" in text and "." not in text:  # PyYAML (YAML 1.1) reads 1e-05 as a string
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    if isinstance(value, str):
        return _yaml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_string(str(k))}: {yaml_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot render {type(value).__name__} as a YAML literal")


#: text needing no escape: printable ASCII but for the quote and the backslash
_PLAIN_YAML = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")


def _yaml_string(text: str) -> str:
    if _PLAIN_YAML.fullmatch(text):  # nearly every name: skip the per-character loop (R2)
        return f'"{text}"'
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def md_text(value) -> str:
    """Inline Markdown text: backslash-escape markup characters and flatten newlines."""
    text = " ".join(str(value).split())
    out = []
    for ch in text:
        if ch in "\\`*_{}[]()#+-.!|<>~":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def comment_text(value) -> str:
    """Text safe inside a one-line ``#`` comment: no newlines or other line breaks."""
    return " ".join(str(value).split())


def header_lines(plan: Plan, prefix: str, suffix: str, body: str, generation: str = "") -> str:
    body_hash = hashlib.sha256(body.encode("utf-8")).hexdigest()
    # the spec's path is user text too: a newline in it would start a line of code after "# ",
    # and "-->" would end the Markdown comment early
    source = comment_text(plan.spec_rel)
    if suffix:
        source = source.replace("--", "-\u200b-")
    tag = f" generation={generation}" if generation else ""
    return (f"{prefix}{HEADER_TAG} from {source}. DO NOT EDIT.{suffix}\n"
            f"{prefix}specgen: spec-sha256={plan.spec_sha256} body-sha256={body_hash}{tag}{suffix}\n")


def generation_id(bodies: dict[str, str]) -> str:
    """One id for a whole compile (deterministic: a hash of every file's path and body), so the
    generated conftest can refuse a folder caught half-way through a recompile."""
    digest = hashlib.sha256()
    for path, body in sorted(bodies.items()):
        digest.update(f"{path}\0{body}\0".encode("utf-8"))
    return digest.hexdigest()[:16]


def render(plan: Plan, templates: str | Path | None = None, monitoring=None) -> dict[str, str]:
    """``monitoring`` (the ``MonitoringConfig`` built with the committed baseline) is needed when the
    plan has monitoring; without it the monitoring files are left out."""
    env = environment(templates)
    files = {}
    patterns = dict(TEMPLATES)
    if plan.model is not None:
        patterns.update(MODEL_TEMPLATES)
    if plan.features is not None:
        patterns.update(FEATURE_TEMPLATES)
    if plan.predictions is not None:
        patterns.update(PREDICTION_TEMPLATES)
    if plan.monitoring is not None and monitoring is not None:
        patterns.update(MONITORING_TEMPLATES)
    if plan.live_alerts is not None:
        patterns.update(LIVE_TEMPLATES)
    bodies = {}
    with time_limit():
        for pattern, template_name in patterns.items():
            mon = plan.live_alerts if pattern in LIVE_TEMPLATES else plan.monitoring
            bodies[pattern.format(name=plan.name)] = _render_one(env, template_name, plan=plan, mon=mon,
                                                                 config=monitoring)
    # the monitoring files follow the committed baseline and may be kept from an earlier compile
    # when it is missing: the id covers what the generated suite loads together
    monitoring_paths = {pattern.format(name=plan.name) for pattern in MONITORING_TEMPLATES}
    generation = generation_id({path: body for path, body in bodies.items() if path not in monitoring_paths})
    for path, body in bodies.items():
        prefix, suffix = ("<!-- ", " -->") if path.endswith(".md") else ("# ", "")
        files[path] = header_lines(plan, prefix, suffix, body, generation) + body
    return files


def _render_one(env: Sandbox, template_name: str, **context) -> str:
    """One template's text; any failure inside it (syntax, sandbox, limits, a runtime error) is SG303."""
    try:
        return render_bounded(env.get_template(template_name), **context)
    except SpecgenError:
        raise
    except (jinja2.TemplateError, TemplateTimeout, ArithmeticError, LookupError, TypeError, ValueError,
            RecursionError) as exc:
        where = _location(exc, template_name)
        text = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, jinja2.TemplateError):
            text = f"{type(exc).__name__}: {text}"
        raise SpecgenError(f"{where}: template error: {text} [SG303]", "SG303") from None


def _location(exc: BaseException, template_name: str) -> str:
    """``file:line`` of the template frame that failed (Jinja rewrites tracebacks to template lines)."""
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if lineno is None:
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith(".jinja"):
                filename, lineno = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    return f"{filename or template_name}:{lineno if lineno is not None else '?'}"
