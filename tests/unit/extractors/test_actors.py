"""actors.v1: gazetteer aliases, context patterns for unknown groups, attribution grades."""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.pipeline import Lemmatizer

import extractors.actors
from extractors.actors import canonical_actor, english_words, extract_actors
from pipeline.normalize import _actors as _record_actors


def _actors(parse, text: str) -> dict[str, str]:
    """value -> strongest attribution over the article's mentions."""
    order = ("suspected", "claimed", "confirmed")
    out: dict[str, str] = {}
    for m in extract_actors(*parse(text)):
        grade = str(m.attrs["attribution"])
        if order.index(grade) >= order.index(out.get(m.value, "suspected")):
            out[m.value] = grade
    return out


def test_actors_module_registers_versioned_name() -> None:
    assert extractors.actors.NAME in extractors.EXTRACTORS


def test_actors_english_words_are_those_of_the_pipelines_lemmatizer(nlp: Language) -> None:
    """The extractor reads the model's lemma index from its package, not from the loaded pipeline."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)
    index = lemmatizer.lookups.get_table("lemma_index")
    words = {word.lower() for pos in index for word in index[pos]} | set(nlp.Defaults.stop_words)
    assert english_words() == words
    assert {"attack", "bank", "the"} <= english_words() and "velmora" not in english_words()


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Researchers tied the intrusion at Halvorsen Freight to Fancy Bear.", "APT28"),
        ("Researchers tied the intrusion at Halvorsen Freight to APT28.", "APT28"),
        ("The breach at Brightwell Labs was the work of Sofacy, analysts said.", "APT28"),
        ("LAPSUS$ posted screenshots from Norvale Systems on Telegram.", "LAPSUS$"),
        ("Microsoft tracks the group behind the Norvale Systems breach as DEV-0537.", "LAPSUS$"),
    ],
)
def test_actors_aliases_map_to_one_canonical_name(parse, text: str, canonical: str) -> None:
    assert canonical in _actors(parse, text)


def test_actors_canonical_actor_lists_galaxy_aliases(parse) -> None:
    mentions = extract_actors(
        *parse("Investigators blamed Fancy Bear for the intrusion at Halvorsen Freight.")
    )
    assert mentions and "Fancy Bear" in mentions[0].attrs["aliases"]
    assert mentions[0].attrs["kind"] == "group"
    assert canonical_actor("fancy bear")[0] == "APT28"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("A hacking group called Orchid Spider breached Zentrix Ltd last week.", "Orchid Spider"),
        ("The attack on Zentrix was claimed by a group known as Velvet Heron.", "Velvet Heron"),
        ("The Garnet Lynx gang leaked files stolen from Zentrix.", "Garnet Lynx"),
        ("A seller going by the handle Quartz77 offered the Zentrix database.", "Quartz77"),
        ("Crimson Marten claimed responsibility for the outage at Zentrix.", "Crimson Marten"),
        ("The ransomware gang Umber Wasp encrypted the hospital's servers.", "Umber Wasp"),
        (
            'Its members call themselves the "Slate Harrier," and they want $75,000 from Zentrix.',
            "Slate Harrier",
        ),
    ],
)
def test_actors_unknown_groups_found_by_pattern(parse, text: str, name: str) -> None:
    assert name in _actors(parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "Hackers stole customer records from Zentrix Ltd last week.",
        "The attackers and cybercriminals behind the breach remain unknown, the group said.",
        "Russia denied any role in the attack on Zentrix.",
        "Security researcher Dana Whitfield, an ethical hacker, found the exposed database.",
        "Quillmark Mobile Threat Team said the culprit was a misconfigured server.",
    ],
)
def test_actors_generic_words_and_countries_are_not_actors(parse, text: str) -> None:
    assert _actors(parse, text) == {}


def test_actors_claimed_and_suspected_in_one_sentence(parse) -> None:
    text = (
        "While a group calling itself Velvet Heron claimed responsibility, analysts think that "
        "a group known as Orchid Spider is the likely culprit."
    )
    assert _actors(parse, text) == {"Velvet Heron": "claimed", "Orchid Spider": "suspected"}


@pytest.mark.parametrize(
    ("text", "name", "grade"),
    [
        (
            "Federal prosecutors indicted two members of the Garnet Lynx gang on Tuesday.",
            "Garnet Lynx",
            "confirmed",
        ),
        ("Zentrix confirmed that Crimson Marten was behind the attack.", "Crimson Marten", "confirmed"),
        ("Crimson Marten took credit for the Zentrix breach on its leak site.", "Crimson Marten", "claimed"),
        ("Analysts believe the Zentrix breach bears the hallmarks of APT28.", "APT28", "suspected"),
        ("The Zentrix breach was the work of APT28.", "APT28", "suspected"),
    ],
)
def test_actors_attribution_grades(parse, text: str, name: str, grade: str) -> None:
    assert _actors(parse, text) == {name: grade}


def test_actors_negated_confirmation_is_not_confirmed(parse) -> None:
    text = "Zentrix has not confirmed that Crimson Marten was behind the attack."
    assert _actors(parse, text).get("Crimson Marten") != "confirmed"


def test_actors_person_charged_with_hacking_is_an_individual(parse) -> None:
    mentions = extract_actors(*parse("Tomas Varga was charged with hacking into the servers of Zentrix Ltd."))
    assert [(m.value, m.attrs["attribution"], m.attrs["kind"]) for m in mentions] == [
        ("Tomas Varga", "confirmed", "individual")
    ]


def test_actors_ransomware_family_alone_is_not_an_actor(parse) -> None:
    assert _actors(parse, "WannaCry encrypted files on thousands of computers at Zentrix.") == {}
    assert "LockBit" in _actors(parse, "The LockBit gang listed Zentrix on its leak site.")


def test_actors_mentions_carry_spans_and_sentence(parse) -> None:
    doc, article = parse("Investigators said little. A hacking group called Orchid Spider breached Zentrix.")
    (m,) = extract_actors(doc, article)
    assert article.text[m.start : m.end] == "Orchid Spider"
    assert m.sentence.startswith("A hacking group called Orchid Spider")
    assert m.extractor == "actors.v1"


def test_actors_record_names_actor_as_the_article_does(parse) -> None:
    text = (
        "Investigators tied the Halvorsen Freight breach to Fancy Bear. The group, also tracked as "
        "APT28, used stolen passwords. Fancy Bear has denied nothing."
    )
    ((actor, _),) = _record_actors(extract_actors(*parse(text)))
    assert actor.name == "Fancy Bear"
    assert "APT28" in actor.aliases and "Sofacy" in actor.aliases


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Hacker Steals 300 GB From Zentrix Servers", "Zentrix said the intrusion began in May."),
        ("Zentrix hacked again, 2 million accounts exposed", "Zentrix said the intrusion began in May."),
    ],
)
def test_actors_headline_words_are_not_names(parse, title: str, body: str) -> None:
    doc, article = parse(f"{title}\n{body}", title=title)
    assert extract_actors(doc, article) == []


def test_actors_headline_keeps_names_found_in_the_body(parse) -> None:
    title = "Velvet Heron Gang Leaks Zentrix Files"
    text = f"{title}\nA hacking group called Velvet Heron leaked the files on Monday."
    assert "Velvet Heron" in _actors(parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "Security firm Brightwell Labs, which followed the campaign, claimed the crew rented a botnet.",
        "That is why the chief of cybersecurity firm Norvale Group warns against paying hackers.",
        "The ransomware was dubbed Pebblecrush. Once installed, Pebblecrush stole contacts from phones.",
    ],
)
def test_actors_firms_and_programs_are_not_actors(parse, text: str) -> None:
    assert _actors(parse, text) == {}


def test_actors_program_name_is_an_actor_where_its_people_are_named(parse) -> None:
    text = (
        "Zentrix was hit by a ransomware strain named Pebblecrush. The Pebblecrush gang demanded 50 Bitcoin."
    )
    assert "Pebblecrush" in _actors(parse, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Investigators believe Iranian hackers broke into the Zentrix network in May.", "Iranian hackers"),
        ("North Korean hackers are suspected of breaching Zentrix.", "North Korean hackers"),
        (
            "A Beijing-based hacking crew has compromised Zentrix and two other firms.",
            "Beijing-based hacking crew",
        ),
        ("The Zentrix breach was allegedly carried out by Moscow-backed hackers.", "Moscow-backed hackers"),
        ("Prosecutors charged a Latvian man over the phishing scheme against Zentrix.", "Latvian man"),
        ("Officials accused Iran of hacking the Zentrix mail servers.", "Iran"),
        ("The White House blamed North Korea for the ransomware attack on Zentrix.", "North Korea"),
        (
            "The Zentrix intrusion was backed by the Russian government, the report says.",
            "Russian government",
        ),
    ],
)
def test_actors_described_and_state_actors(parse, text: str, name: str) -> None:
    assert name in _actors(parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "The film features interviews with Finnish hackers, students and analysts.",
        "The stolen tools may be used by American hackers, analyst Marta Ellison said.",
        "Zentrix and other Russian hackers' targets were named in the report.",
        "A Russian crew known as Orchid Spider phished Zentrix staff.",
        "The phones were handed out by the Peruvian government to reporters.",
        "Zentrix sold licences to a U.S. group that advises farmers.",
    ],
)
def test_actors_origin_words_outside_a_doer_role_are_not_actors(parse, text: str) -> None:
    found = _actors(parse, text)
    assert not [
        name for name in found if name.split()[0] in ("Finnish", "American", "Russian", "Peruvian", "U.S.")
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('A hacker using the pseudonym "Paris" leaked the files and demanded $3m.', "Paris"),
        ('A hacker crew calling itself "Garnet Lynx Hackers" claimed the breach.', "Garnet Lynx Hackers"),
        ("Investigators linked the wipes to an attacker identified as Qu4rtz.", "Qu4rtz"),
        (
            "The defendants, Tomas Varga, 41, and Ilse Marek, 29, are accused of writing the malware.",
            "Ilse Marek",
        ),
        ("Tomas Varga and Ilse Marek are accused of using ransomware against Zentrix.", "Tomas Varga"),
    ],
)
def test_actors_handles_and_defendants(parse, text: str, name: str) -> None:
    assert name in _actors(parse, text)


def test_actors_capitalised_common_word_is_no_doer(parse) -> None:
    text = "Malware dupes users into granting permissions. The malware then steals passwords."
    assert _actors(parse, text) == {}


def test_actors_name_keeps_its_closing_parenthesis(parse) -> None:
    doc, article = parse(
        "The hacktivist group NoName057(16) claimed the outage at the Orlen Vale council portal."
    )
    found = extract_actors(doc, article)
    assert [(m.value, m.text) for m in found] == [("NoName057(16)", "NoName057(16)")]
    assert article.text[found[0].start : found[0].end] == "NoName057(16)"


def test_actors_listed_after_a_plural_actor_noun(parse) -> None:
    text = (
        "Ransomware gangs such as Quillmark and Harrow Spider hit three hospitals in March. "
        "Security firms such as Corvane and Larchmont Labs tracked the attacks."
    )
    actors = _actors(parse, text)
    assert {"Quillmark", "Harrow Spider"} <= set(actors)
    assert not {"Corvane", "Larchmont Labs"} & set(actors)


def test_actors_named_by_the_doer_of_a_naming_verb(parse) -> None:
    text = (
        "Police said the blackmailer wrote to the publisher twice last month, using the fake name of "
        "Ivo Kestrin, and demanded 50 bitcoin from Orchard Press."
    )
    assert "Ivo Kestrin" in _actors(parse, text)


def test_actors_doer_of_a_deed_after_a_passive_verb_but_not_a_tool(parse) -> None:
    actors = _actors(parse, "Quillmark Brigade was seen stealing files from the ministry's servers.")
    assert "Quillmark Brigade" in actors
    tool = _actors(parse, "Brambleworm was used to infiltrate the servers of several hospitals.")
    assert "Brambleworm" not in tool


def test_actors_possessive_inside_an_organisation_name_is_kept(parse) -> None:
    actors = _actors(parse, "The Veloria People's Army was caught hacking into the ministry's computers.")
    assert "Veloria People's Army" in actors
