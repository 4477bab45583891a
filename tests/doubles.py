"""Test doubles shared by specgen's unit tests and the fault modules the e2e tests copy next to an example.

The fault modules run inside a generated suite's pytest process; they import from here through the
repository on PYTHONPATH (``tests.helpers.child_env`` puts it first).
"""
from __future__ import annotations

__all__ = ["ForwardsProba"]


class ForwardsProba:
    """A model adapter that forwards ``predict_proba`` whether or not the wrapped model has one (a
    regressor has none: calling it raises AttributeError), as a careless adapter would. ``parameters``:
    the weights of the last step of a wrapped sklearn pipeline (asked only by the stability tests)."""

    def __init__(self, model):
        self.model = model

    def predict(self, X):
        return self.model.predict(X)

    def predict_proba(self, X):
        return self.model.predict_proba(X)

    def parameters(self):
        last = self.model[-1]
        return [last.coef_, last.intercept_]
