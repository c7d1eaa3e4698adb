"""The loaded spaCy pipeline: the pinned model plus our `line_breaks` component."""

from __future__ import annotations

from spacy.language import Language


def test_headline_without_full_stop_is_its_own_sentence(nlp: Language) -> None:
    doc = nlp("Quarrystone Bank Hit by Ransomware Gang\nQuarrystone Bank said on Monday that files were hit.")
    sents = [s.text.strip() for s in doc.sents]
    assert sents == [
        "Quarrystone Bank Hit by Ransomware Gang",
        "Quarrystone Bank said on Monday that files were hit.",
    ]
    assert doc[9].text == "said" and doc[9].dep_ == "ROOT"


def test_sentences_inside_a_paragraph_are_still_split_by_the_parser(nlp: Language) -> None:
    doc = nlp("Velmora Labs found the intrusion. It reset every password.\n\nRegulators were told.")
    assert [s.text.strip() for s in doc.sents] == [
        "Velmora Labs found the intrusion.",
        "It reset every password.",
        "Regulators were told.",
    ]


def test_line_breaks_runs_before_the_parser(nlp: Language) -> None:
    names = nlp.pipe_names
    assert names.index("line_breaks") < names.index("parser")


def test_indexed_attribute_ruler_annotates_as_the_models_ruler(nlp: Language) -> None:
    """Same part of speech, morphology and lemma on every token as spaCy's own ruler, over the
    ruler's exceptions ("not" -> PART, "there is", "gonna", "y'all", "ain't") and plain text."""
    text = (
        "Harbor Mutual said it was not breached, but there is evidence the gang is gonna leak files.\n"
        "Y'all ain't seen the worst: \"We're working with police,\" the CEO said on Tuesday, "
        "whether or not the 48,000 members' records were copied; let's see.\n  \n"
        "Velmora Labs isn't sure if the attackers, who'd used stolen VPN credentials, still have access."
    )
    assert "indexed_attribute_ruler" in nlp.pipe_names and "attribute_ruler" not in nlp.pipe_names
    fast = nlp(text)
    with nlp.select_pipes(disable=["indexed_attribute_ruler"]):
        nlp.enable_pipe("attribute_ruler")
        try:
            plain = nlp(text)
        finally:
            nlp.disable_pipe("attribute_ruler")
    attrs = [(t.text, t.pos_, str(t.morph), t.lemma_) for t in fast]
    assert attrs == [(t.text, t.pos_, str(t.morph), t.lemma_) for t in plain]
    assert {t.lower_: t.pos_ for t in fast}["not"] == "PART"


def test_line_breaks_keep_a_paragraphs_opening_name_in_its_sentence(nlp) -> None:
    doc = nlp("Quillmark hit\nQuillmark Digital has confirmed a breach of its payroll systems.\nMore soon.")
    sents = [s.text.strip() for s in doc.sents]
    assert sents == [
        "Quillmark hit",
        "Quillmark Digital has confirmed a breach of its payroll systems.",
        "More soon.",
    ]
