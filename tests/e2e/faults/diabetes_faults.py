"""Broken diabetes models for the end-to-end tests (see penguins_faults.py)."""
import datetime as dt

import diabetes_model as dm

from tests.doubles import ForwardsProba


def load_stale():
    """The serving model, last trained 30 days ago (the spec allows 7d)."""
    model = dm.load()
    model.trained_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    return model


def load_trained_at_iso_text():
    """The serving model with its training time as ISO 8601 text (an hour ago, +02:00): it was ignored."""
    model = dm.load()
    tz = dt.timezone(dt.timedelta(hours=2))
    model.trained_at = (dt.datetime.now(tz) - dt.timedelta(hours=1)).isoformat()
    return model


def load_stale_iso_text():
    model = dm.load()
    model.trained_at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)).isoformat()
    return model


def adapter_forwards_proba(model):
    return ForwardsProba(model)


class NanOnSomeRows(ForwardsProba):
    """Predicts NaN for every 25th row."""

    def predict(self, X):
        out = self.model.predict(X).astype(float)
        out[::25] = float("nan")
        return out


def adapter_nan_on_some_rows(model):
    return NanOnSomeRows(model)
