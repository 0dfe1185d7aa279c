"""The second signal of the safeguarding detector: a text classifier trained on our corpus.

Word and character n-grams (so text-speak and slips still count) with a logistic
regression, trained in a few seconds the first time it is needed (then kept: built.py),
never downloaded (corpus/tuning.tsv is the corpus written apart from the detector;
corpus/chat.tsv holds messages from our own conversations, so that a plain "stop" or a
typed answer is known to be everyday). It votes beside the harm concepts (detector.py).
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from bot.safeguarding import concepts
from bot.safeguarding.built import built
from bot.safeguarding.concepts import normalise

CORPUS = Path(__file__).with_name("corpus")  # *.tsv: label, category, message
SURE = 0.97  # immediate danger on its own, in a message of a few words
CONFIDENT = 0.8  # on its own, worth asking ("Are you safe right now?")
LEANS = 0.35  # with a harm term found near a person, immediate danger
ASKS = 0.2  # with a harm term found near a person, worth asking; below, a concern
UNSURE = 0.6  # on its own, a concern for the chair
HINTS = 0.1  # below, words that are only a concern are an answer (judge.py)
FEWEST_WORDS = 3  # shorter messages are left to the harm concepts ("kms" is one)


def read(path: Path) -> list[tuple[str, str, str]]:
    """label, category, message per line; lines starting with # are comments. A corpus in
    context (label, audience, question, register, message) gives label, register, message;
    its `unsure` lines teach nothing either way."""
    with open(path, encoding="utf-8", newline="") as file:
        rows = [row for row in csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
                if row and not row[0].startswith("#")]  # fmt: skip
    return [
        (row[0], row[-2], row[-1]) if len(row) == 5 else tuple(row)
        for row in rows
        if len(row) in (3, 5) and row[0] in ("immediate", "everyday")
    ]


def build():
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        ),
        # A tight tolerance: the same corpus gives the same model in Rasa's environment and
        # the product's, whatever their scikit-learn (they differed by up to 0.07 at 1e-4).
        LogisticRegression(C=16, max_iter=20000, tol=1e-8, class_weight="balanced"),
    )


def training() -> list[tuple[str, str, str]]:
    return [row for path in sorted(CORPUS.glob("*.tsv")) for row in read(path)]


def train():
    rows = training()
    trained = build()
    texts = [normalise(text) for _, _, text in rows]
    trained.fit(texts, [label == "immediate" for label, _, _ in rows])
    return trained


@lru_cache(maxsize=1)
def model():
    """Trained once (and kept for the next process: built.py)."""
    # normalise() reads concepts/spelling.yml: the concept files are inputs too
    inputs = [*CORPUS.glob("*.tsv"), *concepts.FOLDER.rglob("*.yml"), Path(__file__),
              Path(concepts.__file__)]  # fmt: skip
    return built("classifier", train, inputs)


@lru_cache(maxsize=1)
def _weights() -> tuple[list, list, float]:
    """The trained pipeline taken apart: each vectorizer with its share of the regression's
    weights. One message at a time through the whole pipeline spends most of its time in
    the pipeline's checks; this is the same arithmetic without them (and is tested to agree)."""
    union, regression = model().steps[0][1], model().steps[-1][1]
    vectorizers = [vectorizer for _, vectorizer in union.transformer_list]
    weights, start = [], 0
    for vectorizer in vectorizers:
        end = start + len(vectorizer.vocabulary_)
        weights.append(regression.coef_[0][start:end])
        start = end
    return vectorizers, weights, float(regression.intercept_[0])


def probabilities(texts: list[str]) -> list[float]:
    """How likely each message is a disclosure of danger now, 0 to 1 (several at once cost
    little more than one: a long message is judged with each of its sentences)."""
    vectorizers, weights, intercept = _weights()
    normalised = [normalise(text) for text in texts]
    scores = intercept + sum(
        vectorizer.transform(normalised) @ weight
        for vectorizer, weight in zip(vectorizers, weights)
    )
    return [1.0 / (1.0 + math.exp(-float(score))) for score in scores]


def probability(text: str) -> float:
    return probabilities([text])[0]
