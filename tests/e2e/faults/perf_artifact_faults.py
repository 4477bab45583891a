"""An artifact that needs a package the serving environment does not install.

``train_needs_yaml`` trains the example's model and wraps it in ``YamlConfigured``,
a class of this module, which imports PyYAML (installed where the tests run, not
in the serving packages scikit-learn and pandas). Unpickling the artifact
imports this module, so it fails in the serving environment with
``ModuleNotFoundError: No module named 'yaml'``.
"""
from __future__ import annotations

import yaml  # noqa: F401 -- the dependency the serving environment lacks

from perf_faults import _model_module


class YamlConfigured:
    def __init__(self, model):
        self.model = model
        self.config = yaml.safe_dump({"threshold": 0.5})

    def predict(self, X):
        return self.model.predict(X)

    def __getattr__(self, name):
        if name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)


def train_needs_yaml(frame, seed):
    return YamlConfigured(_model_module().train(frame, seed))
