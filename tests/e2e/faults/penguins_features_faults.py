"""Broken penguin feature code: each version must make the generated feature suite fail, naming the feature.

Copied next to the example's spec in a temporary directory and selected with
SPECGEN_TRANSFORM_TRAINING / SPECGEN_TRANSFORM_SERVING (the spec stays unchanged).
"""
import penguins_features as pf


def serving_forgets_to_clip(frame):
    """The online path was rewritten and lost the clipping of body mass."""
    out = pf.transform_serving(frame)
    mass = frame["body_mass_g"].astype(float).fillna(pf.load_stats()["body_mass_median"])
    out["body_mass_clipped"] = mass.to_numpy()
    return out


def serving_stale_mean(frame):
    """The online path reads statistics of an older data snapshot: another bill-length mean."""
    stats = {**pf.load_stats(), "bill_length_mean": 42.0}
    return pf.pd.DataFrame([pf.features_for_request(row, stats) for row in frame.to_dict("records")],
                           index=frame.index)


def training_two_ones(frame):
    """A one-hot row with two ones: Biscoe penguins are also marked Dream."""
    out = pf.transform(frame)
    out.loc[out["island_Biscoe"] == 1, "island_Dream"] = 1
    return out


def training_wrong_mean(frame):
    """The z-score uses a hard-coded mean instead of the training data's."""
    out = pf.transform(frame)
    stats = pf.fit(frame)
    bill = frame["bill_length_mm"].astype(float).fillna(stats["bill_length_mean"])
    out["bill_length_z"] = (bill - 40.0) / stats["bill_length_std"]
    return out
