"""training/category_probe.py: the e5 feature probe's pieces on the tiny test encoder (no real cache needed)."""
import numpy as np
import pytest

from tests.conftest import _authored

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def probe_parts(tiny_model_dir):
    from training.category_probe import E5Features, fit_classifiers
    from training.data import taxonomy_categories
    from training.lexical import statement_examples

    texts, labels, _ = statement_examples(_authored(120))
    features = E5Features(tiny_model_dir.parents[1] / "base", layers=1)
    cats = sorted({c for ls in labels for c in ls})
    return features, cats, fit_classifiers(features, cats, texts, labels), texts, taxonomy_categories()


class _Lexical:
    def __init__(self, categories):
        self.categories, self.blend = categories, 0.2

    def predict_proba(self, texts):
        return np.full((len(texts), len(self.categories)), 0.25, dtype=np.float32)


def test_features_keep_input_order(probe_parts):
    features, *_ , texts, _ = probe_parts
    sample = [texts[3], texts[0], texts[7]]
    together = features(sample)
    one_by_one = np.vstack([features([t]) for t in sample])
    assert together.shape == (3, features.model.config.hidden_size)
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_blend_share_zero_is_the_lexical_model_and_share_mixes(probe_parts):
    from training.category_probe import ProbeBlend

    features, cats, classifiers, texts, _ = probe_parts
    lexical = _Lexical(cats)
    sample = texts[:5]
    assert np.array_equal(ProbeBlend(lexical, features, classifiers, 0.0).predict_proba(sample), lexical.predict_proba(sample))
    mixed = ProbeBlend(lexical, features, classifiers, 0.5).predict_proba(sample)
    probe = np.stack([c.predict_proba(features(sample))[:, 1] for c in classifiers], axis=1)
    assert mixed.shape == (5, len(cats))
    assert np.allclose(mixed, 0.5 * 0.25 + 0.5 * probe, atol=1e-6)


def test_a_category_with_one_class_is_refused(probe_parts):
    from training.category_probe import fit_classifiers

    features, _, _, texts, _ = probe_parts
    with pytest.raises(ValueError, match="P99"):
        fit_classifiers(features, ["P99"], texts[:4], [["P01"]] * 4)
