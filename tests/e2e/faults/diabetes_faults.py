"""Broken diabetes models for the end-to-end tests (see penguins_faults.py)."""
import datetime as dt

import diabetes_model as dm


def load_stale():
    """The serving model, last trained 30 days ago (the spec allows 7d)."""
    model = dm.load()
    model.trained_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    return model
