"""The data cache's key for DataFrame arguments: the same content, the same key; any change, another."""

import pandas as pd

from essdash.ui.cache import _fingerprint


def test_a_frame_s_key_follows_its_content():
    frame = pd.DataFrame({"code": ["59350", "59512"], "projets": [12, 0], "taux": [1.5, float("nan")]})
    assert _fingerprint(frame) == _fingerprint(frame.copy())
    changed = frame.copy()
    changed.loc[1, "projets"] = 1
    assert _fingerprint(changed) != _fingerprint(frame)
    assert _fingerprint(frame.rename(columns={"taux": "rate"})) != _fingerprint(frame)
    assert _fingerprint(frame.astype({"projets": float})) != _fingerprint(frame)
