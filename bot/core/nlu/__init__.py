"""Small text classifiers for the runtime: features of folded text, a linear model, its artefact.

Shared by the safety check (message → risk category) and search (question → topic). Training
happens elsewhere (``bot/tools``, with scikit-learn); the runtime only needs numpy:

    spec = FeatureSpec(char_ngrams=(2, 5), word_ngrams=(1, 2), aliases={"ko": "khong"})
    model = LinearModel.load(path)          # bot.core.nlu.artefact format, < 2 s, no downloads
    model.proba("em bi danh")              # {"none": 0.03, "violence": 0.91, ...}
    model.explain("em bi danh", "violence") # the features that pushed the score, for editors

``featurize`` is the one definition of a text's features: the trainer and the runtime both call
it, so the weights learnt offline are applied to exactly the same features at run time.
"""

from bot.core.nlu.artefact import ArtefactError, load_model, save_model
from bot.core.nlu.features import FeatureSpec, featurize, normalise
from bot.core.nlu.model import Contribution, LinearModel

__all__ = [
    "ArtefactError",
    "Contribution",
    "FeatureSpec",
    "LinearModel",
    "featurize",
    "load_model",
    "normalise",
    "save_model",
]
