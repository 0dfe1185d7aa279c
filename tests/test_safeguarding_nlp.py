"""The rule layer reads a message with spaCy (bot/safeguarding/nlp.py): a blank English
pipeline with our text-speak, the sentencizer and the lookup lemmatizer, nothing
downloaded; the concept files' terms are matched with its PhraseMatcher and Matcher."""

from __future__ import annotations

from bot.safeguarding import concepts, detector, nlp
from bot.safeguarding.detector import IMMEDIATE


def test_the_pipeline_is_blank_english_with_the_sentencizer_and_the_lookup_lemmatizer():
    pipeline = nlp.pipeline(concepts._variants())
    assert pipeline.lang == "en"
    assert pipeline.pipe_names == ["sentencizer", "lemmatizer"]
    assert pipeline.get_pipe("lemmatizer").mode == "lookup"
    assert [token.lemma_ for token in pipeline("he took it and threw it")] == [
        "he", "take", "it", "and", "throw", "it",
    ]  # fmt: skip


def test_a_long_answer_is_split_into_sentences_and_the_buried_disclosure_stands_out():
    text = (
        "Good things are my cat Biscuit, drawing and my friend Ruby who sits with me at "
        "lunch. I am trying out for the netball team on Friday! We went to the beach in the "
        "summer and it was really fun.\nMum hasnt woken up since yesterday and there is no "
        "food left"
    )
    sentences = concepts.read(text).sentences
    assert len(sentences) == 4
    assert sentences[-1] == "Mum hasnt woken up since yesterday and there is no food left"
    assert detector.assess(text).tier == IMMEDIATE
    # the cheerful sentences alone raise nothing
    assert detector.assess(" ".join(sentences[:3])) is None


def test_sentences_keep_the_words_as_typed():
    assert concepts.read("He's 2. Nursery says it's a phase").sentences == (
        "He's 2.",
        "Nursery says it's a phase",
    )


def test_text_speak_is_a_tokenizer_special_case():
    tokens = nlp.pipeline(concepts._variants())("my bf hittin' me")
    assert [(token.text, token.norm_) for token in tokens] == [
        ("my", "my"), ("bf", "boyfriend"), ("hittin", "hitting"), ("'", "'"), ("me", "me"),
    ]  # fmt: skip
    reading = concepts.read("my bf hittin' me")
    assert reading.words == ("my", "boyfriend", "hitting", "me")
    assert reading.stems == ("my", "boyfriend", "hit", "me")
    assert detector.assess("my bf keeps hittin me").tier == IMMEDIATE


def test_words_and_clauses_are_read_as_before():
    reading = concepts.read("Mum's boyfriend, he *hits* me but not today")
    assert reading.words == ("mums", "boyfriend", "he", "hits", "me", "not", "today")
    assert reading.clauses == (0, 0, 1, 1, 1, 2, 2)  # at the comma and at "but"


def test_an_irregular_inflection_matches_its_term_by_its_lemma():
    assert concepts.stem("bent") == "bent"  # Snowball alone cannot see "bend" in it
    hits = concepts.assess("dad bent my fingers back till one broke")
    assert "bend ... finger ... back" in {hit.term for hit in hits}
    assert detector.assess("dad bent my fingers back till one broke").tier == IMMEDIATE
    reading = concepts.read("he beat me while i was breastfeeding")
    assert (reading.stems[-1], reading.lemmas[-1]) == ("breastfeed", "breastfe")
    hits = concepts.assess("he beat me while i was breastfeeding")
    assert "while ... breastfeed" in {hit.term for hit in hits}
    # the blunt table only for danger terms: "knew" is not "know", "froze" not "freezing"
    assert not concepts.assess("nobody knew who should have the kids")
    assert not concepts.assess("i just froze and cried")
    assert concepts.signs("we met this evening")["recent"]  # "evening" is not "even"
    assert concepts.read("we met this evening").lemmas[-1] == "evening"


def test_a_term_with_a_gap_matches_up_to_four_other_words_between():
    term = "bend ... finger ... back"
    assert term in {hit.term for hit in concepts.assess("he bent all my fingers back")}
    far = "he bent one two three four five of my fingers back"
    assert term not in {hit.term for hit in concepts.assess(far)}
    # a gapped match is as short as it can be, and says where it ends
    (hit,) = [hit for hit in concepts.assess("he bent my fingers back") if hit.term == term]
    assert (hit.start, hit.end) == (1, 5)


def test_a_slip_in_a_long_harm_word_is_still_mended():
    assert concepts.stem_of("strangeling") == concepts.stem("strangeled")
    hits = concepts.assess("dad is strangeling mum")
    assert hits and {hit.tier for hit in hits} == {"danger"}


def test_the_words_spacy_remembers_stay_bounded_in_a_long_running_server(monkeypatch):
    """spaCy keeps every word it reads; past MAX_STRINGS the pipeline and the matchers are
    made afresh, and still find what they found before."""
    monkeypatch.setattr(concepts, "MAX_STRINGS", 4_000)
    for number in range(3_000):  # two new words each: 6,000 in all
        concepts.assess(f"an answer with the word zqx{number} and nothing else {number}")
    pipeline = nlp.pipeline(concepts._variants())
    assert len(pipeline.vocab.strings) <= 4_000 + 10
    matchers = concepts.matchers()
    assert len(matchers.vocab.strings) <= matchers.words_at_start + 4_000 + 10
    assert [hit.term for hit in concepts.assess("he is strangling mum")]
