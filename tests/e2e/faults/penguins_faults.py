"""Broken penguin models: each one must make the generated model suite fail, naming why.

Copied next to the example's spec in a temporary directory and selected with
SPECGEN_MODEL_TRAIN / SPECGEN_MODEL_ADAPTER (the spec itself stays unchanged).
"""
import os

import numpy as np

import penguins_model as pm


def train_shuffled_labels(frame, seed):
    """Learns nothing: the labels are permuted before training."""
    frame = frame.copy()
    frame[pm.LABEL] = np.random.default_rng(seed).permutation(frame[pm.LABEL].to_numpy())
    return pm.train(frame, seed)


def train_blind_to_bill_length(frame, seed):
    """Still above the absolute floors, but much worse than the serving model."""
    frame = frame.copy()
    frame["bill_length_mm"] = 45.0
    return pm.train(frame, seed)


def train_ignores_seed(frame, seed):
    """Draws its own seed from the OS, so two trainings differ."""
    own_seed = int.from_bytes(os.urandom(4), "big")
    return pm.train(frame.sample(frac=0.6, random_state=own_seed), own_seed)


def train_nan_weight(frame, seed):
    model = pm.train(frame, seed)
    model[-1].coef_[0, 0] = np.nan
    return model


class PoorOnDream:
    """Adapter protocol: predicts Gentoo (never seen on Dream island) for every Dream penguin."""

    def __init__(self, model):
        self.model = model
        self.classes_ = model.classes_

    def _dream(self, X):
        return (X["island"] == "Dream").to_numpy()

    def predict(self, X):
        out = self.model.predict(X).astype(object)
        out[self._dream(X)] = "Gentoo"
        return out

    def predict_proba(self, X):
        out = self.model.predict_proba(X)
        out[self._dream(X)] = (np.asarray(self.classes_) == "Gentoo").astype(float)
        return out

    def parameters(self):
        return [self.model[-1].coef_, self.model[-1].intercept_]


def adapter_poor_on_dream(model):
    return PoorOnDream(model)


def train_majority_class(frame, seed):
    """No better than the trivial model: always the most frequent species, probabilities = class shares."""
    from sklearn.dummy import DummyClassifier

    return DummyClassifier(strategy="prior").fit(frame[pm.FEATURES], frame[pm.LABEL])


class WrongOnEveryNinthRow:
    """About 0.1 less accurate than the real model on any data: every 9th row (11 %) gets the next class."""

    def __init__(self, model):
        self.model = model
        self.classes_ = model.classes_

    def _every_ninth(self, X):
        return np.arange(len(X)) % 9 == 0

    def predict(self, X):
        out = self.model.predict(X).astype(object)
        classes = list(self.classes_)
        rows = self._every_ninth(X)
        out[rows] = [classes[(classes.index(v) + 1) % len(classes)] for v in out[rows]]
        return out

    def predict_proba(self, X):
        out = self.model.predict_proba(X)
        out[self._every_ninth(X)] = np.roll(out[self._every_ninth(X)], 1, axis=1)
        return out


def train_wrong_on_every_ninth_row(frame, seed):
    return WrongOnEveryNinthRow(pm.train(frame, seed))
