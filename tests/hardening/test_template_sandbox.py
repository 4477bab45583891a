"""S1: ``--templates`` run in a whitelisting sandbox: plain data only, no files, bounded cost.

Each payload below read or wrote files (or hung, or ate memory) before the
sandbox whitelisted attributes; now each is a located SG303 error, exit 2, and
nothing is read, written or printed."""
from __future__ import annotations

import functools

from pathlib import Path

import pytest

from specgen.compiler import sandbox
from specgen.compiler.render import environment

from tests.helpers import run_cli

invoke = functools.partial(run_cli, in_process=True)  # the one CLI helper, without process start-up

SPEC = "spec_version: 1\nname: tiny\ndata: {training: t.csv, label: y}\nfeatures:\n  x: {dtype: float, range: [0, 1]}\n"
SECRET = "s3cret-marker"

ESCAPES = {
    "read_text": "{{ plan.out_dir.joinpath(secret).read_text() }}",
    "write_text": "{{ plan.out_dir.joinpath(pwned).write_text('x') }}",
    "path_via_attr_filter": "{{ (plan|attr('out_dir'))|attr('write_text') }}",
    "globals_of_method": "{{ plan.dtypes.__func__.__globals__['os'].system('touch ' ~ pwned) }}",
    "globals_of_class": "{{ plan.__class__.__init__.__globals__['os'] }}",
    "cycler": "{{ cycler(1, 2).__init__.__globals__ }}",
    "cycler_plain": "{{ cycler(1, 2).next() }}",
    "joiner": "{{ joiner(',')() }}",
    "namespace": "{% set ns = namespace(a=1) %}{{ ns.a }}",
    "lipsum": "{{ lipsum(10**6) }}",
    "range_huge": "{% for i in range(10**9) %}{% endfor %}",
    "range_list": "{{ range(10**9)|list|length }}",
    "string_times": "{{ ('x' * 10**9)|length }}",
    "percent_format": "{{ '%0999999999d' % 1 }}",
    "power": "{{ 10 ** 100000 }}",
    "center": "{{ 'x'|center(10**9) }}",
    "str_format": "{{ '{0.__class__}'.format(plan) }}",
    "loop_internals": "{% for x in [1] %}{{ loop.__class__ }}{% endfor %}",
    "self_context": "{{ self._TemplateReference__context }}",
    "macro_doubling": "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}",
}


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp_path / "tpl").mkdir()
    return tmp_path


def _payload(project: Path, text: str) -> str:
    return (text.replace("secret", repr(str(project / "secret.txt")))
            .replace("pwned", repr(str(project / "pwned"))))


@pytest.mark.parametrize("mode", [[], ["--check"], ["--dry-run"]], ids=["write", "check", "dry-run"])
@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_escape_is_a_clear_template_error(project, name, mode):
    (project / "tpl" / "README.md.jinja").write_text(_payload(project, ESCAPES[name]), encoding="utf-8")
    proc = invoke("compile", "s.yaml", "-o", "out", "--templates", "tpl", *mode)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "tpl/README.md.jinja:1: template error" in proc.stderr and "[SG303]" in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert not (project / "pwned").exists() and not (project / "out").exists()


def test_paths_reach_templates_as_text_only(project):
    (project / "tpl" / "README.md.jinja").write_text("{{ plan.out_dir }}|{{ plan.out_dir.upper() }}\n",
                                                     encoding="utf-8")
    proc = invoke("compile", "s.yaml", "-o", "out", "--templates", "tpl")
    assert proc.returncode == 0, proc.stderr
    assert (project / "out/tiny/README.md").read_text(encoding="utf-8").endswith("out/tiny|OUT/TINY\n")


def test_a_path_anywhere_in_the_context_cannot_be_opened(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    env = environment()
    for text in ("{{ xs[0].read_text() }}", "{% for p in xs %}{{ p.read_text() }}{% endfor %}",
                 "{{ d.p.open().read() }}", "{{ (xs|first).read_text() }}",
                 "{{ (xs|map(attribute='parent')|first).read_text() }}"):
        with pytest.raises(Exception, match="unsafe|has no attribute") as info:
            env.from_string(text).render(xs=[secret], d={"p": secret})
        assert SECRET not in str(info.value)


def test_rendering_time_is_bounded(project, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 1.0)
    (project / "tpl" / "README.md.jinja").write_text(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
        "{% endfor %}{% endfor %}{% endfor %}", encoding="utf-8")
    proc = invoke("compile", "s.yaml", "-o", "out", "--templates", "tpl")
    assert proc.returncode == 2 and "longer than 1 s [SG303]" in proc.stderr, proc.stderr


def test_output_size_is_bounded(project, monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_OUTPUT_CHARS", 100_000)
    (project / "tpl" / "README.md.jinja").write_text(
        "{% for i in range(10000) %}{% for j in range(10000) %}xxxxxxxxxx{% endfor %}{% endfor %}",
        encoding="utf-8")
    proc = invoke("compile", "s.yaml", "-o", "out", "--templates", "tpl")
    assert proc.returncode == 2 and "exceeds the limit of 100,000 characters" in proc.stderr, proc.stderr


@pytest.mark.parametrize("text, error", [
    ("line one\n{{ 1 / 0 }}", "tpl/README.md.jinja:2: template error: ZeroDivisionError"),
    ("\n\n{{ plan.name + 1 }}", "tpl/README.md.jinja:3: template error: TypeError"),
    ("{{ [1][5] }}", "tpl/README.md.jinja:1: template error"),
    ("{% for %}", "tpl/README.md.jinja:1: template error"),
    ("{{ no_such_name }}", "tpl/README.md.jinja:1: template error: 'no_such_name' is undefined"),
])
def test_template_runtime_errors_are_located(project, text, error):
    """C6: a template's own runtime error names its file and line (was a traceback, exit 1)."""
    (project / "tpl" / "README.md.jinja").write_text(text, encoding="utf-8")
    proc = invoke("compile", "s.yaml", "-o", "out", "--templates", "tpl")
    assert proc.returncode == 2 and error in proc.stderr and "[SG303]" in proc.stderr, proc.stderr


def test_plain_template_features_still_work(project):
    """The sandbox is a whitelist, not a wall: loops, macros, filters, plan methods and str methods work."""
    (project / "tpl" / "README.md.jinja").write_text(
        "{% macro b(t) %}[{{ t }}]{% endmacro %}"
        "{% for c in plan.columns %}{{ loop.index }}{{ b(c.name.upper()) }}{% endfor %}"
        "{{ range(3)|list|join(',') }} {{ plan.dtypes()|dictsort|first|first }} {{ {'a': 1}.items()|list }}\n",
        encoding="utf-8")
    proc = invoke("compile", "s.yaml", "-o", "out", "--templates", "tpl")
    assert proc.returncode == 0, proc.stderr
    assert (project / "out/tiny/README.md").read_text(encoding="utf-8").endswith("1[X]2[Y]0,1,2 x [('a', 1)]\n")


def test_generic_over_the_plans_shape(tmp_path):
    """New plan fields need no sandbox edit when they hold plain data; other objects stay closed."""
    import dataclasses
    import types

    import numpy as np

    @dataclasses.dataclass(frozen=True)
    class Part:  # stands for any frozen plan/contract class another module adds
        counts: dict
        kinds: frozenset
        scale: object
        where: Path
        handle: object

        @property
        def total(self) -> int:
            return sum(self.counts.values())

        def twice(self, x):
            return 2 * x

    Part.__module__ = Part.total.fget.__module__ = Part.twice.__module__ = "specgen.compiler.some_new_plan"
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    with open(secret, encoding="utf-8") as handle:
        part = Part(types.MappingProxyType({"a": 1, "b": 2}), frozenset({"y", "x"}), np.float64(0.5), secret,
                    handle)
        env = environment()
        text = env.from_string("{{ p.counts.items()|list }} {{ p.kinds|sort }} {{ p.scale }} {{ p.total }} "
                               "{{ p.twice(3) }} {{ p.where.endswith('.txt') }}").render(p=part)
        assert text == "[('a', 1), ('b', 2)] ['x', 'y'] 0.5 3 6 True"
        for bad in ("{% for line in p.handle %}{{ line }}{% endfor %}", "{{ p.handle.read() }}",
                    "{{ p.twice.__func__ }}", "{{ p.__dict__ }}"):
            with pytest.raises(Exception, match="unsafe|undefined") as info:
                env.from_string(bad).render(p=part)
            assert SECRET not in str(info.value)
