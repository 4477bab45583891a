"""Live model quality (``specgen live``): prediction logs joined to late labels, per window and slice;
canary vs stable; the daily human-label sample; real-world metrics. Reads any ``runtime.sources`` source."""
from .canary import HOLD, PROMOTE, ROLL_BACK, VERDICT_VALUES, CanaryResult
from .report import Alarm, LiveReport
from .run import default_as_of, run_live, windows
from .sample import allocate, daily_sample

__all__ = ["run_live", "daily_sample", "allocate", "windows", "default_as_of", "LiveReport", "Alarm",
           "CanaryResult", "PROMOTE", "HOLD", "ROLL_BACK", "VERDICT_VALUES"]
