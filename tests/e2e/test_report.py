"""`specgen report` and `--html` on validate/monitor, end to end on the penguins example: the page's
content, escaping, determinism, self-containment and errors. (The browser checks: test_report_browser.py.)"""
from __future__ import annotations

import html
import json
import re

import pytest

from specgen.report import Distribution, Distributions, FailedChecks, Finding, render_report
from tests.helpers import copy_example, run_cli
from tests.report_cases import (HOSTILE_CATEGORY_FEATURE, HOSTILE_VALUES, drifted_penguins, hostile_project,
                                labelled_penguins)

PLOTLY_BANNER = "* plotly.js v"


@pytest.fixture(scope="module")
def penguins_pages(compiled_examples, tmp_path_factory):
    """The penguins example's clean and drifted batches through `specgen report` (run once)."""
    folder = copy_example(compiled_examples, "penguins", tmp_path_factory.mktemp("report"))
    drifted_penguins(folder / "data" / "serving.csv", folder / "data" / "drifted.csv")
    spec = folder / "spec.yaml"
    clean = run_cli("report", spec, "--current", folder / "data" / "serving.csv", "-o", folder / "clean.html",
                    in_process=True)
    drifted = run_cli("report", spec, "--current", folder / "data" / "drifted.csv", "-o", folder / "drifted.html",
                      in_process=True)
    return {"folder": folder, "clean": clean, "drifted": drifted,
            "clean_html": (folder / "clean.html").read_text(), "drifted_html": (folder / "drifted.html").read_text()}


def test_clean_batch_passes_and_the_page_says_so(penguins_pages):
    assert penguins_pages["clean"].returncode == 0, penguins_pages["clean"].output
    page = penguins_pages["clean_html"]
    assert '<p class="verdict good">OK</p>' in page
    assert "All 52 checks passed." in page  # 40 schema checks + 8 drift + 4 prediction drift verdicts
    assert page.count('class="card status-ok"') >= 10


def test_drifted_batch_fails_with_failed_checks_first(penguins_pages):
    result, page = penguins_pages["drifted"], penguins_pages["drifted_html"]
    assert result.returncode == 1, result.output
    assert "5 failed check(s)" in result.output  # validate's; then monitor's drift alarms
    failed = page.index('id="failed-checks"')
    assert failed < page.index('class="distributions"')
    table = page[failed:page.index("</section>", failed)]
    # validate's failures with their example rows, then monitor's alarms with measure, limit, p-value
    assert "<td>range</td>" in table and "<code>row 3: 99999</code>" in table
    assert "bill_length_mm</td><td>mean</td>" in table
    assert re.search(r"<td>drift</td><td class=\"name\">bill_length_mm</td><td>psi</td><td>psi [\d.]+ &gt; limit "
                     r"[\d.]+ \(set by \w+\); p-value [\d.e-]+</td>", table)
    # the alarming feature's card: measure, threshold, p-value and false-alarm rate
    card = page[page.index('<article class="card status-alarm">'):]
    card = card[:card.index("</article>")]
    assert "psi = <b>" in card and "limit" in card and "p-value" in card and "false-alarm rate ≤ 0.00013" in card


def test_histograms_use_the_baselines_bins(penguins_pages):
    """The numeric bars are the baseline's bins (the edges monitor counted on), in the plot data."""
    page = penguins_pages["drifted_html"]
    baseline = json.loads((penguins_pages["folder"] / "penguins_baseline.json").read_text())
    plots = json.loads(re.search(r'<script type="application/json" id="specgen-plots">(.*?)</script>', page,
                                 re.S).group(1))
    edges = baseline["features"]["bill_length_mm"]["edges"]
    interior = [f"[{_g(a)}, {_g(b)})" for a, b in zip(edges[:-2], edges[1:-1])]
    interior.append(f"[{_g(edges[-2])}, {_g(edges[-1])}]")
    labels = [p[1]["data"][0]["x"] for p in plots["plots"]]
    assert any(all(x in ls for x in interior) and "&gt; " + _g(edges[-1]) in ls for ls in labels), interior


def _g(x):
    return f"{x:.4g}"


def test_page_is_self_contained_with_plotly_inlined_once(penguins_pages):
    page = penguins_pages["drifted_html"]
    assert page.count(PLOTLY_BANNER) == 1
    outside = re.sub(r"<script>/\*\*\n\* plotly\.js v.*?</script>", "", page, flags=re.S)
    assert "Plotly" not in outside.split('id="specgen-plots"')[0]  # the library text is gone: one copy
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", outside), "an external asset"
    assert "<link" not in outside and "@import" not in outside


def test_same_inputs_same_bytes(penguins_pages, tmp_path):
    """Run again in fresh processes under two hash seeds: byte-identical pages, plot ids numbered."""
    folder = penguins_pages["folder"]
    pages = []
    for seed in ("0", "1"):
        out = tmp_path / f"page{seed}.html"
        run_cli("report", "spec.yaml", "--current", "data/drifted.csv", "-o", out, cwd=folder,
                env={"PYTHONHASHSEED": seed}, expect=1)
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    ids = re.findall(rb'class="plot" id="([^"]+)"', pages[0])
    assert ids == [f"plot-{i}".encode() for i in range(1, len(ids) + 1)] and len(ids) >= 12
    ours = re.sub(rb"<script>/\*\*\n\* plotly\.js v.*?</script>", b"", pages[0], flags=re.S)
    assert not re.search(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", ours)  # no random (uuid) div ids


def test_html_on_validate_and_monitor_adds_a_page_and_keeps_the_output(penguins_pages, tmp_path):
    folder = penguins_pages["folder"]
    spec, data = folder / "spec.yaml", folder / "data" / "drifted.csv"
    plain = run_cli("validate", spec, data, "--env", "serving", in_process=True)
    with_page = run_cli("validate", spec, data, "--env", "serving", "--html", tmp_path / "v.html", in_process=True)
    assert (plain.returncode, plain.stdout) == (with_page.returncode, with_page.stdout) == (1, with_page.stdout)
    page = (tmp_path / "v.html").read_text()
    assert "5 of " in page and "<code>row 3: 99999</code>" in page
    # the data on the baseline's bins, drawn but not judged (no measure: drift is monitor's verdict)
    assert page.index('id="failed-checks"') < page.index("Distributions: training baseline vs this data")
    assert page.count('<article class="card status-drawn">') == 8 and "psi =" not in page
    assert page.count('class="plot" id="plot-') == 8 and page.count(PLOTLY_BANNER) == 1
    plain = run_cli("monitor", spec, "--current", data, "--format", "json", in_process=True)
    with_page = run_cli("monitor", spec, "--current", data, "--format", "json", "--html", tmp_path / "m.html",
                        in_process=True)
    assert plain.returncode == with_page.returncode == 1
    assert json.loads(plain.stdout) == json.loads(with_page.stdout)
    page = (tmp_path / "m.html").read_text()
    assert page.index('id="failed-checks"') < page.index("Drift: reference vs this batch")
    assert "Prediction drift" in page and page.count(PLOTLY_BANNER) == 1


def test_spec_without_monitoring_reports_validate_alone(compiled_examples, tmp_path):
    folder = copy_example(compiled_examples, "diabetes", tmp_path)
    data = sorted((folder / "data").glob("*.csv"))[0]
    result = run_cli("report", folder / "spec.yaml", "--current", data, "--env", "training", "-o",
                     tmp_path / "d.html", "--format", "json", in_process=True)
    assert result.returncode in (0, 1), result.output
    assert json.loads(result.stdout)["monitor"] is None
    page = (tmp_path / "d.html").read_text()
    assert 'id="failed-checks"' in page and "Drift" not in page and PLOTLY_BANNER not in page


def test_score_card_is_drawn_when_given(penguins_pages, tmp_path):
    score = {"score": 2.5, "sections": {"data": 3, "model": {"score": 2.5}},
             "tests": [{"id": "D1", "title": "Feature expectations are captured in a schema", "status": "covered",
                        "evidence": ["test_penguins_data.py::test_range[bill_length_mm]"]},
                       {"id": "M7", "title": "<i>ad hoc</i> {{ x }}", "status": "manual", "evidence": ""}]}
    (tmp_path / "score.json").write_text(json.dumps(score))
    folder = penguins_pages["folder"]
    run_cli("report", folder / "spec.yaml", "--current", folder / "data" / "serving.csv", "--score",
            tmp_path / "score.json", "-o", tmp_path / "s.html", in_process=True, expect=0)
    page = (tmp_path / "s.html").read_text()
    assert "<h2>ML Test Score: 2.5</h2>" in page and "test_penguins_data.py::test_range[bill_length_mm]" in page
    assert "&lt;i&gt;ad hoc&lt;/i&gt; {{ x }}" in page
    (tmp_path / "bad.json").write_text("[1, 2")
    bad = run_cli("report", folder / "spec.yaml", "--current", folder / "data" / "serving.csv", "--score",
                  tmp_path / "bad.json", "-o", tmp_path / "b.html")
    assert bad.returncode == 2 and "not a readable JSON file" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "b.html").exists()


def test_unwritable_page_is_a_write_error(penguins_pages, tmp_path):
    folder = penguins_pages["folder"]
    result = run_cli("report", folder / "spec.yaml", "--current", folder / "data" / "serving.csv", "-o",
                     tmp_path / "missing" / "r.html")
    assert result.returncode == 2 and "[SG302]" in result.stderr and "Traceback" not in result.output


def test_hostile_names_render_as_text(tmp_path):
    """Feature names and category values from the spec and the data never become markup or template code."""
    spec, batch = hostile_project(tmp_path / "hostile")
    run_cli("baseline", spec, expect=0, in_process=True)
    run_cli("compile", spec, expect=0, in_process=True)
    run_cli("report", spec, "--current", batch, "-o", tmp_path / "h.html", expect=1, in_process=True)
    page = (tmp_path / "h.html").read_text()
    body = page.split("<script>/**")[0]  # the page before plotly.js
    assert "<script>alert(1)</script>" not in page
    assert "onerror=alert" not in body.replace("&lt;img src=x onerror=alert(2)&gt;", "") and "<img" not in body
    assert '<span class="name">&lt;script&gt;alert(1)&lt;/script&gt;</span>' in body
    assert f'<span class="name">{HOSTILE_CATEGORY_FEATURE}</span>' in body  # rendered as data, not evaluated
    plots = re.search(r'id="specgen-plots">(.*?)</script>', page, re.S).group(1)
    assert "<" not in plots  # plotly's JSON escapes it: the data cannot end its <script> element
    labels = {x for p in json.loads(plots)["plots"] for x in p[1]["data"][0]["x"]}
    assert {"&lt;b&gt;bold&lt;/b&gt;", "&lt;img src=x onerror=alert(2)&gt;"} <= labels  # plotly shows them as text
    assert {html.escape(v) for v in HOSTILE_VALUES} == {"&lt;b&gt;bold&lt;/b&gt;", "&lt;img src=x onerror=alert(2)&gt;"}


def test_render_report_escapes_everything_given_to_it():
    """The function other commands call (e.g. `specgen live`): every string is text, output is stable."""
    evil = "</td><script>alert(3)</script>{{ 7*7 }}{% raw %}"
    sections = [FailedChecks((Finding(evil, evil, evil, evil, (evil,)),), 1),
                Distributions(evil, (Distribution(evil, "categorical", (evil, "b"), (0.5, 0.5), (0.25, 0.75),
                                                  "alarm", evil, evil, evil),), evil)]
    page = render_report(evil, sections, facts=[(evil, evil)])
    assert "<script>alert(3)" not in page and "49" not in page.split("<script>/**")[0]
    assert page.count("&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;{{ 7*7 }}{% raw %}") >= 9
    assert page == render_report(evil, sections, facts=[(evil, evil)])


def test_slice_quality_on_a_labelled_batch(penguins_pages, tmp_path):
    """A batch carrying labels and predictions gets the slice table (label and prediction columns are
    allowed, as monitor allows them); a slice below its bound is a failed check."""
    folder = penguins_pages["folder"]
    serving = folder / "data" / "serving.csv"
    good = labelled_penguins(folder, serving, tmp_path / "good.csv")
    result = run_cli("report", folder / "spec.yaml", "--current", good, "-o", tmp_path / "good.html",
                     "--format", "json", in_process=True)
    assert result.returncode == 0, result.output
    slices = {(r["slice"], r["metric"]): r for r in json.loads(result.stdout)["slices"]}
    assert slices[("dream", "accuracy")]["status"] == "ok" and int(slices[("dream", "accuracy")]["rows"]) >= 20
    page = (tmp_path / "good.html").read_text()
    assert "Slice quality on this batch" in page and "All " in page
    bad = labelled_penguins(folder, serving, tmp_path / "bad.csv", wrong_dream=True)
    result = run_cli("report", folder / "spec.yaml", "--current", bad, "-o", tmp_path / "bad.html", in_process=True)
    assert result.returncode == 1 and "1 failing slice metric(s)" in result.output, result.output
    page = (tmp_path / "bad.html").read_text()
    failed = page[page.index('id="failed-checks"'):page.index("</section>")]
    assert re.search(r'<td>slice</td><td class="name">dream</td><td>accuracy</td><td>accuracy 0(\.\d+)? fails: '
                     r"below the minimum 0.85", failed), failed
    assert '<tr class="bad"><td>dream</td>' in page


def test_model_too_old_is_a_failed_check_with_its_age_drawn(compiled_examples, tmp_path):
    folder = copy_example(compiled_examples, "penguins", tmp_path)
    spec = folder / "spec.yaml"
    dynamic = "training: {mode: dynamic, max_model_age: 7d}"
    spec.write_text(spec.read_text().replace("training: {mode: static}", dynamic))
    run_cli("compile", spec, expect=0, in_process=True)
    result = run_cli("report", spec, "--current", folder / "data" / "serving.csv", "--model-trained-at",
                     "2000-01-01T00:00:00Z", "-o", tmp_path / "age.html", in_process=True)
    assert result.returncode == 1, result.output
    page = (tmp_path / "age.html").read_text()
    failed = page[page.index('id="failed-checks"'):page.index("</section>")]
    assert re.search(r'<td>model age</td><td class="name">model</td><td>max_model_age</td><td>\d+\.\d\d days &gt; '
                     r"7.00 days</td>", failed), failed
    model = page[page.index('<section class="model">'):]
    assert "(limit 7.00 days)" in model and 'class="plot age"' in model


def test_current_takes_the_same_input_forms_as_monitor(penguins_pages, tmp_path):
    """A glob (like monitor's --current) gives the same verdicts as the file it matches."""
    folder = penguins_pages["folder"]
    spec, data = folder / "spec.yaml", folder / "data"
    one = json.loads(run_cli("report", spec, "--current", data / "drifted.csv", "-o", tmp_path / "a.html",
                             "--format", "json", in_process=True, expect=1).stdout)
    glob = json.loads(run_cli("report", spec, "--current", f"{data}/drift*.csv", "-o", tmp_path / "b.html",
                              "--format", "json", in_process=True, expect=1).stdout)
    assert {**glob["validate"], "data": None} == {**one["validate"], "data": None}  # all but the input's name
    assert glob["monitor"]["alarms"] == one["monitor"]["alarms"] and one["monitor"]["alarms"]
