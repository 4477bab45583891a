"""specgen.report's building blocks without a browser: bins and categories as drawn, the model panel,
and the example of docs/report.md (the API other commands call)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from specgen.report import ModelPanel, live_page, render_report
from specgen.report.collect import MAX_CATEGORIES, OTHER, _shares
from specgen.runtime.drift import NULL_KEY, Histogram
from specgen.runtime.live.canary import CanaryResult
from specgen.runtime.live.outcomes import OutcomeWindow
from specgen.runtime.live.quality import GroupQuality
from specgen.runtime.live.report import Alarm, LiveReport
from tests.helpers import ROOT


def _plots(page: str) -> list:
    return json.loads(re.search(r'id="specgen-plots">(.*?)</script>', page, re.S).group(1))["plots"]


def test_numeric_bars_are_the_baseline_bins_with_tails_only_when_used():
    reference = Histogram((0.0, 1.0, 2.0, 4.0), (0, 5, 3, 2, 0), nulls=0)
    current = Histogram((0.0, 1.0, 2.0, 4.0), (1, 2, 2, 2, 3), nulls=2)
    labels, ref, cur = _shares(reference, current)
    assert labels == ("< 0", "[0, 1)", "[1, 2)", "[2, 4]", "> 4", "(null)")
    assert ref == (0.0, 0.5, 0.3, 0.2, 0.0, 0.0)
    assert cur == (round(1 / 12, 6), round(2 / 12, 6), round(2 / 12, 6), round(2 / 12, 6), 0.25, round(2 / 12, 6))
    labels, _, cur = _shares(reference, None)
    assert labels == ("[0, 1)", "[1, 2)", "[2, 4]") and cur == ()


def test_many_categories_keep_the_commonest_and_one_other_bar():
    reference = {f"c{i:03}": 100 - i for i in range(50)} | {NULL_KEY: 7}
    current = {"c000": 10, "new": 5}
    labels, ref, cur = _shares(reference, current)
    assert len(labels) == MAX_CATEGORIES + 1 and labels[-1] == OTHER and labels[0] == "c000"
    assert abs(sum(ref) - 1) < 1e-5 and abs(sum(cur) - 1) < 1e-5
    assert cur[0] == round(10 / 15, 6) and cur[-1] == round(5 / 15, 6)  # a new category falls in "other" here
    labels, _, cur = _shares({"a": 3, NULL_KEY: 1}, {"b": 1, NULL_KEY: 1})
    assert labels == ("a", "(null)", "b") and cur == (0.0, 0.5, 0.5)


def test_model_panel_draws_the_age_against_its_limit():
    panel = ModelPanel((("age", "9.00 days (limit 7.00 days)"),), age_days=9.0, max_age_days=7.0)
    assert panel.too_old
    page = render_report("model", [panel])
    (plot_id, figure), = _plots(page)
    assert plot_id == "plot-1" and 'id="plot-1"' in page
    assert figure["data"][0]["x"] == [9.0] and figure["layout"]["shapes"][0]["x0"] == 7.0


def test_the_documented_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "docs" / "report.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/report.md", "exec"), {})
    page = Path(tmp_path / "live.html").read_text()
    assert "rmse 4.2 &gt; 4.0" in page and '<tr class="bad"><td>rmse</td>' in page
    assert "1 failed check(s)" in page


def test_live_page_shows_hostile_names_as_text_and_highlights_alarms():
    evil = "<script>alert(1)</script>"
    window = ("2026-03-02T00:00:00", "2026-03-03T00:00:00")
    quality = GroupQuality(*window, slice=evil, rows=10, labelled=8, coverage=0.8, mature=True,
                           delay_median_seconds=7200.0, delay_p90_seconds=9000.0, late_labels=1,
                           metrics={f"<b>{evil}</b>": 0.5}, bias=0.01)
    canary = CanaryResult("hold", f"too few labelled rows to tell: {evil}", "v1", f"<img src=x onerror={evil}>", 1,
                          [{"slice": evil, "metric": "accuracy", "test": "two-proportion z-test", "stable": 0.9,
                            "canary": 0.8, "n_stable": 8, "n_canary": 2, "drop": 0.1, "max_drop": 0.03,
                            "p_value": 0.2, "level": 0.01, "worse": False}], [])
    report = LiveReport("svc", "2026-03-03T00:00:00", 86400, {"prediction_rows": 10, "orphan_labels": 1,
                                                              "orphan_label_keys": [evil]},
                        quality=[quality], outcomes=[OutcomeWindow(evil, window[0], 3, 1.5, "above the maximum 1")],
                        canary=canary, alarms=[Alarm(window[0], evil, f"<b>{evil}</b>", 0.5, f"{evil} is low"),
                                               Alarm(window[0], "(all)", f"outcome:{evil}", 1.5, "outcome high")])
    page = live_page(report)
    assert "<script>" not in page and "<img" not in page and "<b>" not in page  # no plots: no script at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<p class="verdict bad">canary: HOLD; 2 alarm(s)</p>' in page
    assert re.search(r'<tr class="bad"><td>2026-03-02T00:00:00</td><td>&lt;script&gt;', page)  # the metric alarm
    assert page.index("<h2>Canary: hold</h2>") < page.index("<h2>Alarms</h2>")


def test_a_tied_values_own_bin_reads_as_the_value():
    import math

    from specgen.report.collect import _bin_labels

    edges = (0.0, math.nextafter(0.0, 1.0), 0.016, 0.5, math.nextafter(1.0, 0.0), 1.0)
    assert _bin_labels(edges) == ["= 0", "(0, 0.016)", "[0.016, 0.5)", "[0.5, 1)", "= 1"]
    assert _bin_labels((0.0, 1.0, 2.0)) == ["[0, 1)", "[1, 2]"]
