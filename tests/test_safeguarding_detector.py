"""The safeguarding detector's rules: harm concepts as data, lowered only by what makes a
message everyday. (Recall and false alarms are measured on corpora written apart from the
detector: tests/test_safeguarding_corpus.py.)"""

from __future__ import annotations

import shutil

import pytest

from bot.safeguarding import classifier, concepts, detector
from bot.safeguarding.concepts import normalise
from bot.safeguarding.detector import CONCERN, IMMEDIATE, assess
from bot.safeguarding.judge import CHECK, Context, judge


@pytest.mark.parametrize(
    "text",
    [
        "my brother forces me to have sex with him",
        "he put his hands round my throat",
        "mum beat me again",
        "i have been saving up my tablets",
        "im not safe at home",
        "dad is strangeling mum",  # a slip in a long word
        "/inform@1 my dad hits me right now",
    ],
)
def test_danger_now_interrupts(text):
    assert assess(text).tier == IMMEDIATE


@pytest.mark.parametrize(
    "text",
    [
        "he doesnt hit us any more",
        "he used to hit me when i was little",
        "i do not want to kill myself",
        "this toothache is killing me",
        "i hit my elbow on the table",
    ],
)
def test_harm_that_is_negated_over_or_not_done_by_a_person_is_a_concern(text):
    assert assess(text).tier == CONCERN


@pytest.mark.parametrize(
    "text",
    [
        "I could kill for a pizza",
        "I feel safe now",
        "7",
        "Partly",
        "stop",
        "Send my answers",
        "my worry is my spelling test on friday",  # "spelling" is never mended to "swelling"
    ],
)
def test_idioms_and_ordinary_replies_raise_nothing(text):
    assert assess(text) is None


def test_a_word_added_to_a_concepts_file_is_found_without_code(tmp_path, monkeypatch):
    folder = tmp_path / "concepts"
    shutil.copytree(concepts.FOLDER, folder)
    harm = folder / "harm" / "neglect.yml"
    text = "we live on the zorbleflap"
    assert not concepts.assess(text)
    harm.write_text(harm.read_text().replace("danger:\n", "danger:\n  - zorbleflap\n", 1))
    monkeypatch.setattr(concepts, "lexicon", lambda: concepts.load(folder))
    concepts.stem_of.cache_clear()
    concepts._known.cache_clear()
    try:
        assert [hit.tier for hit in concepts.assess(text)] == ["danger"]
    finally:
        concepts.stem_of.cache_clear()
        concepts._known.cache_clear()


def test_a_mistake_in_a_concepts_file_is_named(tmp_path):
    folder = tmp_path / "concepts"
    shutil.copytree(concepts.FOLDER, folder)
    (folder / "harm" / "violence.yml").write_text("about: x\ndanger: [hit]\nsometimes: [kick]\n")
    with pytest.raises(concepts.ConceptsError, match="violence.yml: unknown section sometimes"):
        concepts.load(folder)
    (folder / "harm" / "violence.yml").write_text("about: x\ndanger: ['... hit']\n")
    with pytest.raises(concepts.ConceptsError, match="must start and end with a word"):
        concepts.load(folder)


def test_the_classifiers_quick_arithmetic_agrees_with_its_pipeline():
    """classifier.probability skips the pipeline's per-call checks, nothing else."""
    rows = classifier.training()[::40]
    texts = [text for _, _, text in rows] + ["", "ok", "he hit me", "x" * 5000]
    expected = classifier.model().predict_proba([normalise(text) for text in texts])[:, 1]
    for text, probability in zip(texts, expected):
        assert classifier.probability(text) == pytest.approx(probability, abs=1e-9)


def leaning(chance):
    """The classifier's vote, fixed: what the rule layer adds is what is tested."""
    return lambda texts: [chance] * len(texts)


def test_a_sign_of_now_with_no_harm_word_is_asked_about_when_the_classifier_leans():
    words = "Right now dad is really angry and he has got a bat"
    found = detector.assess(words, leaning(0.3))
    assert (found.tier, found.kind) == (detector.UNSURE, detector.SIGN_OF_NOW)
    assert judge(found, Context("young_person")) == CHECK
    assert detector.assess(words, leaning(0.05)) is None  # no lean: an answer
    assert detector.assess("We are going to the park right now", leaning(0.05)) is None


def test_a_report_said_to_be_wrong_is_a_dispute_and_things_going_wrong_are_not():
    assert concepts.signs("The report is wrong about the dates")["disputed"]
    assert not concepts.signs("It's going wrong now, he is smashing the house up")["disputed"]


def test_a_sign_of_now_inside_an_idiom_is_none():
    assert not concepts.signs("they bring it up like it was yesterday")["recent"]
    assert concepts.signs("he hit me yesterday")["recent"]


def test_a_lone_surrogate_is_read_not_raised():
    found = assess("he hit me \udcff", leaning(0.9))
    assert found is not None and found.tier == IMMEDIATE


def test_where_there_is_no_question_a_sign_of_now_alone_is_noted_not_helped():
    from bot.dialogue.safety import needs_help

    sign = detector.Finding(detector.UNSURE, detector.SIGN_OF_NOW, "heading for bed now")
    assert not needs_help(CHECK, sign)
    assert needs_help(CHECK, detector.Finding(detector.UNSURE, "violence", "he hits me"))
