"""Names both sides of the compiler/runtime line use; each is defined here only."""
from __future__ import annotations

__all__ = ["PREDICTION_OUTPUT", "PROBA_PREFIX", "TRAINING", "SERVING"]

#: the model-output column holding what ``predict`` returns (monitoring, prediction drift)
PREDICTION_OUTPUT = "prediction"
#: prefix of the model-output columns holding ``predict_proba`` per class: ``proba:<class>``
PROBA_PREFIX = "proba:"
#: the two environments (data files) and transform paths
TRAINING = "training"
SERVING = "serving"
