"""The spec model: valid specs load; every error names file:line:col, key and code."""
from __future__ import annotations

import json
import textwrap

import pytest

from specgen.compiler.jsonschema import dumps
from specgen.compiler.load import load, loads
from specgen.compiler.validate import validate
from specgen.errors import SpecError

from tests.helpers import EXAMPLES, ROOT

BASE = """\
spec_version: 1
name: fares
data:
  training: data/train.csv
  label: fare
  key: [trip_id]
features:
  trip_miles: {dtype: float, range: [0, 200], max_null_fraction: 0.01}
  payment_type: {dtype: category, values: [cash, card, no_charge]}
  hour: {dtype: int, range: [0, 23]}
"""


def spec_from(text: str):
    return validate(loads(textwrap.dedent(text), "spec.yaml"))


def errors_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        spec_from(text)
    return [str(d) for d in info.value.diagnostics]


def test_valid_spec_loads_with_defaults():
    spec = spec_from(BASE)
    assert spec.name == "fares"
    assert spec.features["trip_miles"].allows_nulls
    assert not spec.features["hour"].allows_nulls
    assert spec.seeds.global_ == 0 and spec.dataset.extra_columns == "error"


def test_example_specs_validate():
    paths = sorted(EXAMPLES.glob("*/spec.yaml"))
    assert paths
    for path in paths:
        assert validate(load(path)).name == path.parent.name


def test_unknown_key_suggests_the_right_one_with_position():
    errs = errors_of(BASE.replace("max_null_fraction", "max_nul_fraction"))
    assert errs == ["spec.yaml:8:47: features.trip_miles.max_nul_fraction: unknown key 'max_nul_fraction'; "
                    "did you mean 'max_null_fraction'? [SG101]"]


def test_unknown_top_level_key():
    errs = errors_of(BASE + "seed: {global: 1}\n")
    assert errs == ["spec.yaml:11:1: seed: unknown key 'seed'; did you mean 'seeds'? [SG101]"]


def test_missing_required_key():
    errs = errors_of(BASE.replace("  training: data/train.csv\n", ""))
    assert len(errs) == 1 and errs[0].startswith("spec.yaml:3:1: data.training: missing required key 'training'")
    assert errs[0].endswith("[SG102]")


def test_reversed_range_is_a_contradiction():
    errs = errors_of(BASE.replace("range: [0, 23]", "range: [23, 0]"))
    assert errs == ["spec.yaml:10:22: features.hour.range: range: lower bound 23 is above upper bound 0 [SG103]"]


def test_default_outside_range():
    errs = errors_of(BASE.replace("range: [0, 23]", "range: [0, 23], default: 40"))
    assert errs == ["spec.yaml:10:3: features.hour: default 40 is outside range [0, 23] [SG103]"]


def test_label_that_is_also_a_feature():
    errs = errors_of(BASE + "  fare: {dtype: float}\n")
    assert errs == ["spec.yaml:11:3: features.fare: label 'fare' is also a feature; "
                    "a model must not take its label as input [SG103]"]


def test_wrong_dtype_name_suggests():
    errs = errors_of(BASE.replace("dtype: category", "dtype: categry"))
    assert errs == ["spec.yaml:9:18: features.payment_type.dtype: dtype 'categry' is not one of float, int, "
                    "category, bool, datetime, string; did you mean 'category'? [SG104]"]


def test_wrong_type_of_value():
    errs = errors_of(BASE.replace("max_null_fraction: 0.01", "max_null_fraction: lots"))
    assert len(errs) == 1 and errs[0].startswith("spec.yaml:8:47: features.trip_miles.max_null_fraction:")
    assert errs[0].endswith("[SG104]")


def test_all_errors_reported_at_once_in_file_order():
    text = (BASE.replace("range: [0, 23]", "range: [23, 0]").replace("max_null_fraction", "max_nul_fraction")
            + "  fare: {dtype: float}\nseed: 1\n")
    errs = errors_of(text)
    assert [e.split(":")[1] for e in errs] == ["8", "10", "11", "12"]


def test_unsupported_spec_version_and_bad_name():
    errs = errors_of(BASE.replace("spec_version: 1", "spec_version: 2").replace("name: fares", "name: Fares Model"))
    assert any("SG105" in e and e.startswith("spec.yaml:1:") for e in errs)
    assert any("SG106" in e and e.startswith("spec.yaml:2:") for e in errs)


def test_duplicate_keys_are_errors_not_last_wins():
    errs = errors_of(BASE + "  hour: {dtype: float}\n")
    assert errs == ["spec.yaml:11:3: features.hour: duplicate key 'hour' (first defined on line 10) [SG003]"]


def test_nullable_false_with_null_fraction_contradicts():
    errs = errors_of(BASE.replace("max_null_fraction: 0.01", "max_null_fraction: 0.01, nullable: false"))
    assert errs and "SG103" in errs[0] and "nullable is false" in errs[0]


def test_nan_and_inf_rejected_as_bounds():
    errs = errors_of(BASE.replace("range: [0, 200]", "range: [.nan, .inf]"))
    assert len(errs) == 2 and all("SG104" in e for e in errs)


def test_invalid_yaml_has_position():
    errs = errors_of(BASE + "  bad: [unclosed\n")
    assert errs[0].startswith("spec.yaml:") and errs[0].endswith("[SG002]")


def test_share_keys_must_be_known_values():
    errs = errors_of(BASE.replace("values: [cash, card, no_charge]",
                                  "values: [cash, card], distribution: {shares: {cahs: 0.5}}"))
    assert errs and "SG103" in errs[0] and "cahs" in errs[0]


def test_published_json_schema_is_current():
    committed = (ROOT / "specs" / "spec.schema.json").read_text()
    assert committed == dumps(), "specs/spec.schema.json is stale: run `make schema`"
    schema = json.loads(committed)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "prefixItems" not in committed and "$defs" not in committed


def test_example_specs_carry_the_modeline():
    for path in EXAMPLES.glob("*/spec.yaml"):
        assert path.read_text().startswith("# yaml-language-server: $schema="), path


def test_unquoted_yes_no_categories_are_rejected():
    errs = errors_of(BASE.replace("values: [cash, card, no_charge]", "values: [yes, no]"))
    assert len(errs) == 1 and "quote category names" in errs[0] and errs[0].startswith("spec.yaml:9:")


def test_monotonic_is_for_numbers_and_datetimes_with_one_spelling():
    spec = spec_from(BASE.replace("hour: {dtype: int, range: [0, 23]}",
                                  "hour: {dtype: int, range: [0, 23], monotonic: strictly_increasing}"))
    assert spec.features["hour"].monotonic == "strictly_increasing"
    errs = errors_of(BASE.replace("hour: {dtype: int, range: [0, 23]}", "hour: {dtype: int, monotonic: ascending}"))
    assert len(errs) == 1 and errs[0].startswith("spec.yaml:10:") and "features.hour" in errs[0]
    assert "'increasing'" in errs[0] and errs[0].endswith("[SG104]")
    errs = errors_of(BASE.replace("values: [cash, card, no_charge]}", "values: [cash, card], monotonic: increasing}"))
    assert errs and "unknown key 'monotonic'" in errs[0] and errs[0].endswith("[SG101]")


RELATIONS = BASE + """\
  "pick up": {dtype: datetime}
  drop_off: {dtype: datetime}
dataset:
  relations:
"""


@pytest.mark.parametrize("relation, expected", [
    ("trip_miles >= hour", ("trip_miles", ">=", "hour")),
    ("`pick up` < drop_off", ("pick up", "<", "drop_off")),
    ("  'pick up'<=drop_off ", ("pick up", "<=", "drop_off")),
    ('payment_type != "pick up"', ("payment_type", "!=", "pick up")),
])
def test_relation_grammar(relation, expected):
    from specgen.runtime.checks.kinds.relation import parse

    assert parse(relation) == expected


@pytest.mark.parametrize("relation, message", [
    ("trip_miles > ", "is not a relation 'column OP column'"),
    ("trip_miles => hour", "is not a relation 'column OP column'"),
    ("trip_miles > hour > 3", "is not a relation 'column OP column'"),
    ("__import__('os').system('x') > hour", "is not a relation 'column OP column'"),
    ("trip_miles + 1 > hour", "is not a relation 'column OP column'"),
    ("hour == hour", "compares 'hour' with itself"),
    ("trip_mile > hour", "names 'trip_mile', which is not declared in features or columns; did you mean 'trip_miles'?"),
    ("payment_type < hour", "cannot compare category:str with int"),
    ("payment_type < payment_type_2", "names 'payment_type_2'"),
    ("`pick up` > hour", "cannot compare datetime with int"),
])
def test_bad_relations_are_located_errors(relation, message):
    errs = errors_of(RELATIONS + f"    - {relation!r}\n")
    assert len(errs) == 1, errs
    assert errs[0].startswith("spec.yaml:15:7: dataset.relations[0]: ") and message in errs[0], errs
    assert errs[0].endswith("[SG107]")


def test_text_relations_allow_only_equality_and_a_relation_is_listed_once():
    text = BASE.replace("hour: {dtype: int, range: [0, 23]}", "hour: {dtype: int}\n  kind: {dtype: string}")
    spec = spec_from(text + "dataset:\n  relations: ['kind != payment_type']\n")
    assert spec.dataset.relations == ["kind != payment_type"]
    errs = errors_of(text + "dataset:\n  relations: ['kind < payment_type']\n")
    assert len(errs) == 1 and "< needs numbers or datetimes, not string; use == or !=" in errs[0]
    errs = errors_of(text + "dataset:\n  relations: ['hour < trip_miles', ' hour<trip_miles']\n")
    assert len(errs) == 1 and errs[0].startswith("spec.yaml:13:36: dataset.relations[1]:") and "twice" in errs[0]
