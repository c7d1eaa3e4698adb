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
