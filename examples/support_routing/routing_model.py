"""The support_routing example's model: the majority team per (channel, long ticket) in the training data."""
from __future__ import annotations

import numpy as np
import pandas as pd

LONG = 150  # words


def _keys(frame: pd.DataFrame):
    return list(zip(frame["channel"].astype(str), frame["words"] > LONG))


class Router:
    def __init__(self, table: dict, default: str, confidence: dict):
        self.table, self.default = table, default
        # the router's weights: the share of training tickets behind each rule (the numerical-stability tests
        # read coef_)
        self.coef_ = np.array([confidence[k] for k in sorted(confidence, key=str)], dtype=float)

    def predict(self, frame: pd.DataFrame):
        return pd.Series([self.table.get(k, self.default) for k in _keys(frame)], index=frame.index)


def train(frame: pd.DataFrame, seed: int = 0) -> Router:
    keyed = pd.DataFrame({"key": _keys(frame), "team": frame["team"].astype(str)})
    grouped = keyed.groupby("key")["team"]
    majority = grouped.agg(lambda s: s.mode().iloc[0])
    share = grouped.agg(lambda s: float((s == s.mode().iloc[0]).mean()))
    return Router(dict(majority.items()), keyed["team"].mode().iloc[0], dict(share.items()))
