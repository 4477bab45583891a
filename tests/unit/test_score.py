"""``specgen score``: the ML Test Score card follows what the spec compiles to, and scores as the paper does."""
from __future__ import annotations

import json

import pytest
import yaml

from specgen.api import score_spec
from specgen.compiler.rubric import RUBRIC, RUBRIC_IDS, SECTIONS
from tests.helpers import EXAMPLES, run_cli

DIABETES = EXAMPLES / "diabetes" / "spec.yaml"
PENGUINS = EXAMPLES / "penguins" / "spec.yaml"


def _variant(tmp_path, source, edit, name="variant.yaml"):
    """A copy of an example spec next to it in ``tmp_path`` after ``edit(dict)`` (compile reads no data)."""
    data = yaml.safe_load(source.read_text())
    edit(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _without_model(data):
    for key in ("model", "slices", "predictions", "performance"):
        data.pop(key, None)


def test_rubric_has_the_28_tests_of_the_paper():
    assert len(RUBRIC) == 28 and len(set(RUBRIC_IDS)) == 28
    for section, prefix in zip(SECTIONS, ("D", "M", "I", "Mon")):
        ids = [t.id for t in RUBRIC if t.section == section]
        assert ids == [f"{prefix}{i}" for i in range(1, 8)]


def test_score_is_the_minimum_of_the_section_sums():
    card = score_spec(DIABETES)
    sums = {s.section: s.points for s in card.sections}
    for section in SECTIONS:
        assert sums[section] == sum(r.points for r in card.rows if r.section == section) <= 7
    assert card.score == min(sums.values())
    assert {r.status for r in card.rows} <= {"automated", "manual", "missing"}
    assert all(r.points == {"automated": 1, "manual": 0.5, "missing": 0}[r.status] for r in card.rows)


def test_a_spec_without_a_model_scores_lower(tmp_path):
    full = score_spec(DIABETES)
    bare = score_spec(_variant(tmp_path, DIABETES, _without_model))
    rows = {r.id: r for r in bare.rows}
    for rid in ("M5", "M6", "I1", "I2", "I4", "Mon4", "Mon5"):
        assert rows[rid].status == "missing" and not rows[rid].covered_by, rid
    assert {r.id: r.status for r in full.rows}["I1"] == "automated"
    assert bare.score < full.score
    assert sum(s.points for s in bare.sections) < sum(s.points for s in full.sections)


def test_coverage_follows_the_spec_not_a_fixed_list(tmp_path):
    """Dropping one option removes exactly the rubric test it covered (I4 needs the floor and max_drop)."""
    def no_gate(data):
        data["model"].pop("max_drop")
        data["model"].pop("beats_trivial")
    rows = {r.id: r for r in score_spec(_variant(tmp_path, DIABETES, no_gate)).rows}
    assert rows["I4"].status == "missing" and rows["M5"].status == "missing"
    assert rows["I1"].status == "automated"


def test_covering_items_name_generated_tests_and_alerts():
    rows = {r.id: r for r in score_spec(PENGUINS).rows}
    assert [c.id for c in rows["M5"].covered_by] == ["test_penguins_model.py::test_beats_trivial"]
    assert rows["M5"].covered_by[0].cases == 2
    assert "test_penguins_data.py::test_dataset[extra_columns]" in [c.id for c in rows["D4"].covered_by]
    assert [(c.id, c.kind) for c in rows["Mon7"].covered_by] == [("PenguinsPredictionBias", "alert")]
    assert rows["Mon4"].status == "missing"  # static training: no model-age test or alert


def test_manual_evidence_counts_half_a_point(tmp_path):
    def evidence(data):
        data["score"] = {"manual": {"D6": "new features ship in a day: see docs/onboarding.md",
                                    "D1": "also reviewed by hand"}}
    before = {r.id: r for r in score_spec(DIABETES).rows}
    rows = {r.id: r for r in score_spec(_variant(tmp_path, DIABETES, evidence)).rows}
    assert before["D6"].points == 0
    assert (rows["D6"].status, rows["D6"].points) == ("manual", 0.5)
    assert rows["D6"].evidence.startswith("new features ship")
    assert (rows["D1"].status, rows["D1"].points) == ("automated", 1)  # automated beats manual


def test_a_wrong_rubric_id_is_a_located_spec_error_with_a_suggestion(tmp_path):
    spec = _variant(tmp_path, DIABETES, lambda d: d.update(score={"manual": {"Mon8": "x", "M01": "y"}}))
    result = run_cli("score", spec, expect=2, in_process=True)
    assert "score.manual" in result.stderr and "SG101" in result.stderr
    assert "did you mean 'M1'" in result.stderr, result.stderr
    empty = _variant(tmp_path, DIABETES, lambda d: d.update(score={"manual": {"D5": "  "}}), "empty.yaml")
    assert "score.manual.D5" in run_cli("score", empty, expect=2, in_process=True).stderr


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_formats_exit_0(fmt):
    out = run_cli("score", PENGUINS, "--format", fmt, expect=0, in_process=True).stdout
    card = score_spec(PENGUINS)
    if fmt == "json":
        doc = json.loads(out)
        assert doc["score"] == card.score and len(doc["tests"]) == 28
        assert doc["tests"][0]["covered_by"][0]["id"] == "test_penguins_data.py::test_feature"
    elif fmt == "text":
        assert out.startswith(f"ML Test Score for penguins: {card.score_text} (")
        assert "Mon6  automated" in out and "D2    missing" in out
    else:
        assert "| D5 | The data pipeline has appropriate privacy controls | manual | 0.5 |" in out


def test_generated_readme_embeds_the_card():
    readme = (EXAMPLES / "penguins" / "generated" / "penguins" / "README.md").read_text()
    markdown = run_cli("score", PENGUINS, "--format", "markdown", expect=0, in_process=True).stdout
    assert markdown.strip() in readme


def test_evidence_is_untrusted_text_in_the_readme(tmp_path):
    from specgen.api import build_plan
    from specgen.compiler.render import render

    hostile = "see | col\n<script>alert(1)</script> `{{ 7*7 }}` [x](javascript:y)"
    spec = _variant(tmp_path, DIABETES, lambda d: d.update(score={"manual": {"D5": hostile}}))
    readme = render(build_plan(spec, tmp_path / "out"))["README.md"]
    row = next(line for line in readme.splitlines() if line.startswith("| D5 |"))
    assert row.count(" | ") == 4 and row.endswith(" |")  # one table row: the pipe and newline are escaped
    assert "<script>" not in readme and "49" not in row and "](javascript" not in row


def test_live_alerts_cover_canary_outcomes_and_live_quality(tmp_path):
    """specgen live's alert rules count: I6 from the canary verdict, M2 from real-world outcomes, Mon7 from
    per-slice live quality; each goes when its part of live: goes."""
    routing = EXAMPLES / "support_routing" / "spec.yaml"
    rows = {r.id: r for r in score_spec(routing).rows}
    assert {rows[i].status for i in ("I6", "M2", "Mon7")} == {"automated"}
    assert rows["I6"].covered_by and rows["I6"].covered_by[0].id == "SupportRoutingCanaryRollBack"

    def no_canary_no_outcomes(data):
        data["live"].pop("canary")
        data["live"].pop("outcomes")
    rows = {r.id: r for r in score_spec(_variant(tmp_path, routing, no_canary_no_outcomes)).rows}
    assert rows["I6"].status == "missing" and rows["M2"].status == "missing"
    assert rows["Mon7"].status == "automated"
