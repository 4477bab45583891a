"""The live section resolved for the runtime: defaults, the columns slices read, window alignment."""
from __future__ import annotations

from datetime import datetime

import yaml

from specgen.api import load_spec
from specgen.compiler.live_plan import DEFAULT_MAX_DROP, live_config
from specgen.runtime.live import windows
from tests.helpers import EXAMPLES

SPEC = EXAMPLES / "support_routing" / "spec.yaml"


def _config(tmp_path, change=None):
    data = yaml.safe_load(SPEC.read_text())
    if change:
        change(data)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    return live_config(load_spec(path)[1])


def test_defaults_and_slice_columns(tmp_path):
    config = _config(tmp_path)
    assert config.predictions.key == ("ticket_id",) and config.labels.key == ("ticket_id",)
    assert config.predictions.extra == ("channel", "language")  # what the slices filter on
    assert [m.metric.name for m in config.metrics] == ["accuracy", "f1"]  # model.metrics
    assert config.canary.max_drop == {"accuracy": 0.03} and config.window_seconds == 86400
    assert config.sampling.salt == "support-routing-v1"  # seeds.split_salt

    def where_slices(data):
        data["slices"] = {"long_mobile": {"where": "words > 150 and `channel` == 'mobile'",
                                          "metrics": {"accuracy": {"min": 0.5}}}}
        data["live"]["canary"].pop("max_drop")
    config = _config(tmp_path, where_slices)
    assert config.predictions.extra == ("channel", "words")
    assert config.canary.max_drop == {"accuracy": DEFAULT_MAX_DROP}


def test_windows_align_to_the_epoch_and_stop_at_as_of():
    got = windows(datetime(2026, 3, 2, 13, 5), datetime(2026, 3, 4, 6), 86400)
    assert got == [(datetime(2026, 3, 2), datetime(2026, 3, 3)), (datetime(2026, 3, 3), datetime(2026, 3, 4)),
                   (datetime(2026, 3, 4), datetime(2026, 3, 4, 6))]
    assert windows(datetime(2026, 3, 2, 13, 5), datetime(2026, 3, 2, 14), 3600)[0][0] == datetime(2026, 3, 2, 13)
