"""organizations.v1: names merged per article, document-level roles, industry from descriptors."""

from __future__ import annotations

import pytest

from extractors import EXTRACTORS
from extractors.organizations import EXTRACTOR, extract_organizations


def _orgs(parse, text: str, title: str | None = None) -> dict[str, dict]:
    doc, article = parse(text, title=title)
    found: dict[str, dict] = {}
    for m in extract_organizations(doc, article):
        assert m.label == "organization"
        assert article.text[m.start : m.end] == m.text
        assert m.text in m.sentence
        found.setdefault(m.value, m.attrs)
    return found


def _roles(parse, text: str, title: str | None = None) -> dict[str, str]:
    return {name: str(attrs["role"]) for name, attrs in _orgs(parse, text, title=title).items()}


def test_organizations_registered() -> None:
    assert EXTRACTORS[EXTRACTOR] is extract_organizations


def test_organizations_name_variants_merged(parse) -> None:
    text = (
        "Norrland Freight AB said on Monday that hackers had breached its booking systems. "
        "Norrland Freight notified customers on Tuesday. "
        "Norrland's chief executive apologised, and Norrland said the attack was contained."
    )
    orgs = _orgs(parse, text)
    assert list(orgs) == ["Norrland Freight"]
    assert orgs["Norrland Freight"]["mentions"] == 4
    assert orgs["Norrland Freight"]["role"] == "victim"


def test_organizations_vendor_and_customer(parse) -> None:
    text = (
        "Orchid Retail has suspended its contract with payroll vendor Tallyline after a breach at Tallyline "
        "exposed the salary records of thousands of workers. "
        "Tallyline confirmed the intrusion in a letter to clients."
    )
    orgs = _orgs(parse, text)
    assert orgs["Tallyline"]["role"] == "vendor"
    assert orgs["Tallyline"]["industry"] == "Payroll services"
    assert orgs["Orchid Retail"]["role"] == "customer"


@pytest.mark.parametrize(
    ("text", "victim", "bystander", "role"),
    [
        (
            "Brightwater Bank suffered a data breach that exposed customer records, "
            "according to researchers at Quillfeather Labs.",
            "Brightwater Bank",
            "Quillfeather Labs",
            "cited",
        ),
        (
            "Hackers stole patient files from Calloway Health Partners, the outlet Ravenpost first reported. "
            "The breach was first reported by Ravenpost.",
            "Calloway Health Partners",
            "Ravenpost",
            "cited",
        ),
        (
            "Hackers breached the network of Brightwater Bank last month. "
            "The hacking group Shadow Lantern claimed responsibility for the attack on Brightwater Bank.",
            "Brightwater Bank",
            "Shadow Lantern",
            "attacker",
        ),
    ],
)
def test_organizations_cited_and_attackers_are_not_victims(
    parse, text: str, victim: str, bystander: str, role: str
) -> None:
    orgs = _orgs(parse, text)
    assert orgs[victim]["role"] == "victim"
    assert orgs[bystander]["role"] == role


@pytest.mark.parametrize(
    ("text", "name", "industry"),
    [
        (
            "Hackers breached Norrland Freight, a Swedish logistics company, in March. "
            "Norrland Freight confirmed the breach.",
            "Norrland Freight",
            "Logistics",
        ),
        (
            "A breach at Tallyline, a grain brokerage firm, exposed shipping manifests. "
            "Tallyline confirmed the breach.",
            "Tallyline",
            "Grain brokerage",
        ),
        (
            "The social media giant Chatterbox suffered a breach that exposed user emails.",
            "Chatterbox",
            "Social media",
        ),
    ],
)
def test_organizations_industry_from_descriptor(parse, text: str, name: str, industry: str) -> None:
    assert _orgs(parse, text)[name]["industry"] == industry


def test_organizations_industry_from_gazetteer(parse) -> None:
    orgs = _orgs(parse, "Hackers breached Verizon's network and stole customer records.")
    assert orgs["Verizon"]["industry"] == "Telecommunications"
    assert orgs["Verizon"]["role"] == "victim"


def test_organizations_product_names_not_orgs(parse) -> None:
    text = (
        "Tallyline suffered a breach. Its files feed assistants like Alexa and Google Docs, "
        "and the attackers used Velvetcrane, an open-source proxy tool, to get in."
    )
    orgs = _orgs(parse, text)
    assert "Alexa" not in orgs
    assert "Google Docs" not in orgs
    assert "Velvetcrane" not in orgs
    assert orgs["Tallyline"]["role"] == "victim"


def test_organizations_short_form_coreference(parse) -> None:
    text = (
        "Calloway Health Partners disclosed a ransomware attack that encrypted its servers. "
        "Calloway said patient files may have been copied."
    )
    orgs = _orgs(parse, text)
    assert list(orgs) == ["Calloway Health Partners"]
    assert orgs["Calloway Health Partners"]["mentions"] == 2
    assert orgs["Calloway Health Partners"]["kind"] == "Organization"


def test_organizations_descriptor_resolves_to_head_name(parse) -> None:
    text = "Hackers breached Facebook parent Meta and stole internal documents, Meta confirmed."
    orgs = _orgs(parse, text)
    assert "Facebook" not in orgs
    assert orgs["Meta"]["role"] == "victim"


def test_organizations_no_orgs_in_plain_text(parse) -> None:
    assert _orgs(parse, "The weather was mild and nothing happened at all.") == {}


def test_organizations_speaker_of_a_breach_is_the_victim(parse) -> None:
    text = (
        "Quillfeather Savings Bank said on Monday that hackers broke into a file server and stole "
        "account numbers of 12,000 members. Quillfeather has hired a forensic firm."
    )
    assert _orgs(parse, text)["Quillfeather Savings Bank"]["role"] == "victim"


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        (
            "Attackers targeted Zentrix users with a phishing campaign last week.",
            "Zentrix users",
            "Individuals",
        ),
        ("Hackers breached quillmart.com and stole 40,000 passwords.", "quillmart.com", "Website"),
        ("The email account of Dana Whitlow was hacked in March.", "Dana Whitlow", "Individuals"),
        (
            "Researchers at Quillfeather Labs said Estonian banks were targeted by the campaign.",
            "Estonian banks",
            "Organization",
        ),
    ],
)
def test_organizations_struck_groups_sites_and_people(parse, text: str, name: str, kind: str) -> None:
    orgs = _orgs(parse, text)
    assert orgs[name]["role"] == "victim"
    assert orgs[name]["kind"] == kind
    assert all(attrs["role"] != "victim" for value, attrs in orgs.items() if value != name)


def test_organizations_place_hit_by_ransomware(parse) -> None:
    orgs = _orgs(parse, "The city of Tacoma was struck by ransomware on Thursday night.")
    assert orgs["Tacoma"]["role"] == "government"
    assert orgs["Tacoma"]["kind"] == "Government"


@pytest.mark.parametrize(
    "text",
    [
        "Zentrix users could be targeted by phishing emails, the company warned.",
        "Zentrix users were not affected by the breach.",
        "The email account of Dana Whitlow was not hacked, her lawyer said.",
    ],
)
def test_organizations_no_struck_party_without_an_actual_event(parse, text: str) -> None:
    orgs = _orgs(parse, text)
    assert not any(attrs["role"] == "victim" for attrs in orgs.values())


def test_organizations_malware_named_like_a_company_is_not_a_victim(parse) -> None:
    text = (
        "Grimlock is a ransomware strain that spreads through email. "
        "Grimlock encrypted the servers of Norrland Freight, which confirmed the attack."
    )
    orgs = _orgs(parse, text)
    assert orgs["Norrland Freight"]["role"] == "victim"
    assert orgs.get("Grimlock", {}).get("role") not in {"victim", "vendor", "customer", "government"}


def test_organizations_listed_victims(parse) -> None:
    text = (
        "The victims of the intrusion include Orchid Retail Inc. and Tallyline Corp., "
        "according to researchers at Quillfeather Labs."
    )
    orgs = _orgs(parse, text)
    assert orgs["Orchid Retail"]["role"] == "victim"
    assert orgs["Tallyline"]["role"] == "victim"
    assert orgs["Quillfeather Labs"]["role"] == "cited"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Last year the gang used ransomware to steal $3 million from Danish retailers.",
            "Danish retailers",
        ),
        ("Hackers leaked the personal details of 40,000 Zentrix customers on a forum.", "Zentrix customers"),
        ("The hacking campaign against Latvian banks began in March.", "Latvian banks"),
        ("The victims this time are Austrian gamers, whose logins are sold online.", "Austrian gamers"),
        ("Patient files belonging to Norwegian hospitals were dumped on a leak site.", "Norwegian hospitals"),
    ],
)
def test_organizations_struck_party_in_wider_slots(parse, text: str, name: str) -> None:
    assert _orgs(parse, text)[name]["role"] == "victim"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hackers said the Brightwater forum was hacked and 9,000 passwords were stolen.", "Brightwater"),
        (
            "Calloway Freight chose to pay the ransom after the attack encrypted its files.",
            "Calloway Freight",
        ),
    ],
)
def test_organizations_victim_through_head_noun_or_chosen_payment(parse, text: str, name: str) -> None:
    assert _orgs(parse, text)[name]["role"] == "victim"


def test_organizations_stolen_from_is_not_said_of_the_thief(parse) -> None:
    text = "Hackers could steal money from Danish retailers, researchers at Quillfeather Labs warned."
    orgs = _orgs(parse, text)
    assert not any(attrs["role"] == "victim" for attrs in orgs.values())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Brightwater Bank, which was breached in May, has notified its customers.", "Brightwater Bank"),
        ("A Vermont hospital was hit by ransomware on Monday.", "Vermont hospital"),
        (
            "Hackers locked up files at Calloway Regional Hospital with ransomware.",
            "Calloway Regional Hospital",
        ),
    ],
)
def test_organizations_victim_by_relative_clause_description_or_files(parse, text: str, name: str) -> None:
    assert _orgs(parse, text)[name]["role"] in {"victim", "government"}


def test_organizations_dateline_place_and_outlet_are_not_victims(parse) -> None:
    text = "SPRINGFIELD, IL (KXYZ) - Hackers breached the payment systems of Calloway Freight last week."
    orgs = _orgs(parse, text)
    assert orgs["Calloway Freight"]["role"] == "victim"
    assert not any(attrs["role"] == "victim" for value, attrs in orgs.items() if value != "Calloway Freight")


def test_organizations_counted_group_is_not_named(parse) -> None:
    orgs = _orgs(parse, "Dozen pharmacies lost their files to ransomware last year.")
    assert not any(attrs["role"] == "victim" for attrs in orgs.values())


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Ransomware has spread through clinics this year. "
            "One practice, Calloway Regional Hospital in Ohio, paid $40,000 to unlock its records.",
            "Calloway Regional Hospital",
        ),
        (
            "The ransomware demanded 30 bitcoin. Norrland Freight refused to pay the ransom, its chief said.",
            "Norrland Freight",
        ),
        (
            "Online lender Brightwater Loans is the latest firm to suffer a data breach.",
            "Brightwater Loans",
        ),
    ],
)
def test_organizations_ransom_payer_or_latest_victim(parse, text: str, name: str) -> None:
    assert _orgs(parse, text)[name]["role"] == "victim"


def test_organizations_payment_without_ransom_story_names_no_victim(parse) -> None:
    text = "Norrland Freight paid $40,000 for new servers. Hackers later breached a rival firm."
    assert _orgs(parse, text)["Norrland Freight"]["role"] != "victim"


def test_organizations_commentator_on_a_breach_is_not_its_victim(parse) -> None:
    text = (
        "Hackers breached the booking systems of Calloway Freight last week. "
        "Tallyline Networks said the attackers stole card numbers with a known tool."
    )
    orgs = _orgs(parse, text)
    assert orgs["Calloway Freight"]["role"] == "victim"
    assert orgs["Tallyline Networks"]["role"] != "victim"


def test_organizations_self_disclosure_is_a_victim(parse) -> None:
    text = (
        "Hackers breached the booking systems of Calloway Freight last week. "
        "Tallyline Networks said hackers had stolen its own card numbers."
    )
    assert _orgs(parse, text)["Tallyline Networks"]["role"] == "victim"


def test_organizations_headline_outlet_and_malware_appositive_are_not_victims(parse) -> None:
    text = (
        "Breach at Calloway Freight hits card payments | Daily Wirebeat |\n"
        "Hackers breached the payment systems of Calloway Freight. "
        "They used Brambleworm, a modular backdoor, to steal card data from the breached servers."
    )
    orgs = _orgs(parse, text)
    assert orgs["Calloway Freight"]["role"] == "victim"
    assert all(orgs[name]["role"] != "victim" for name in ("Daily Wirebeat", "Brambleworm") if name in orgs)


def test_organizations_town_of_name_is_a_party(parse) -> None:
    text = "The Town of Brambleford was hit by a ransomware attack over the long weekend."
    assert _orgs(parse, text)["Town of Brambleford"]["role"] in {"victim", "government"}


def test_organizations_headline_phrase_or_versioned_product_is_no_name(parse) -> None:
    text = (
        "Quillfeather Hacked Again\n"
        "Attackers exploited a flaw in Routerly 2.0 and breached the network of Calloway Freight. "
        "Routerly 2.0 was hacked in the attack on Calloway Freight."
    )
    orgs = _orgs(parse, text)
    assert "Quillfeather Hacked" not in orgs and "Routerly 2.0" not in orgs
    assert orgs["Calloway Freight"]["role"] == "victim"


def test_organizations_list_of_parties_that_admitted_breaches(parse) -> None:
    text = (
        "Chains that have reported card breaches this year include Calloway Hotels, "
        "Brightwater Bank and Norrland Inns."
    )
    orgs = _orgs(parse, text)
    assert orgs["Calloway Hotels"]["role"] == "victim"
    assert orgs["Norrland Inns"]["role"] == "victim"


def test_organizations_product_of_a_named_maker_stands_for_it(parse) -> None:
    text = (
        "Hackers breached Norrland Freight's Tallyline portal in May. "
        "Tallyline was compromised through a stolen password, and Tallyline stayed offline for days."
    )
    orgs = _orgs(parse, text)
    assert orgs["Norrland Freight"]["role"] == "victim"
    assert "Tallyline" not in orgs


def test_organizations_machines_named_by_owner(parse) -> None:
    text = "Last week the Quillfeather Council servers were hacked and encrypted by ransomware."
    assert _orgs(parse, text)["Quillfeather Council"]["role"] in {"victim", "government"}


def test_organizations_speaker_acting_in_its_report_is_not_the_victim(parse) -> None:
    text = (
        "Hackers breached the booking systems of Calloway Freight last week. "
        "Tallyline Networks said it had spotted the stolen card numbers on a criminal forum."
    )
    assert _orgs(parse, text)["Tallyline Networks"]["role"] != "victim"


def test_organizations_speaker_that_suffered_is_the_victim(parse) -> None:
    text = (
        "Hackers breached the booking systems of Calloway Freight last week. "
        "Tallyline Networks said it had suffered a similar breach in May."
    )
    assert _orgs(parse, text)["Tallyline Networks"]["role"] == "victim"


def test_organizations_software_named_by_its_kind_is_no_party(parse) -> None:
    text = "Attackers hacked Brambleford Media Player installs, and Brambleford Media Player was breached."
    orgs = _orgs(parse, text)
    assert "Brambleford Media Player" not in orgs


def test_organizations_descriptor_head_outweighs_a_person_tag_on_a_one_word_name(parse) -> None:
    text = (
        "An unprotected database belonging to online travel booking firm Voyantra exposed about "
        "3.1 million booking records. Independent researcher Tobias Lindqvist-Hale found it in May."
    )
    orgs = _orgs(parse, text)
    assert "Voyantra" in orgs  # the model tags it PERSON
    assert "Tobias Lindqvist-Hale" not in orgs and "Lindqvist-Hale" not in orgs


def test_organizations_victim_of_another_incident_is_background(parse) -> None:
    text = (
        "Harrowgate Water said on Monday that hackers had breached its billing systems and stolen customer "
        "records. The same group was blamed for the breach of Pellam Energy. Harrowgate Water said it "
        "had reset all passwords."
    )
    roles = _roles(parse, text)
    assert roles.get("Harrowgate Water") == "victim"
    assert roles.get("Pellam Energy") != "victim"


def test_organizations_only_victim_after_a_background_cue_is_kept(parse) -> None:
    text = (
        "The gang, which was blamed for the attack on Pellam Energy, breached the utility's billing "
        "systems last month and stole customer records, Pellam Energy said on Monday."
    )
    assert _orgs(parse, text)["Pellam Energy"]["role"] == "victim"


@pytest.mark.parametrize(
    ("name", "kind", "industry"),
    [
        ("Ashford Federal Bank", "Company", "Banking"),
        ("Kestrel Motors", "Company", "Automotive"),
        ("Department of Motor Vehicles", "Government", "Unknown"),
    ],
)
def test_organizations_kind_and_industry_from_the_name_itself(
    parse, name: str, kind: str, industry: str
) -> None:
    text = f"{name} said on Friday that hackers had breached its systems and stolen customer records."
    attrs = _orgs(parse, text)[name]
    assert (attrs["kind"], attrs["industry"]) == (kind, industry)


def test_organizations_capitalised_descriptor_is_not_part_of_the_name(parse) -> None:
    text = (
        "Retailer Orchid & Vale has halted its contract with payroll provider Tallyline after attackers "
        "broke into Tallyline's systems. Orchid & Vale said its own systems were not affected."
    )
    orgs = _orgs(parse, text)
    assert "Retailer Orchid & Vale" not in orgs
    assert orgs["Orchid & Vale"]["mentions"] == 2


def test_organizations_untagged_names_listed_with_an_organisation(parse) -> None:
    text = (
        "Hackers stole customer records from Pellam Energy and Orchard Press last week. "
        "Both companies said they had reset staff passwords."
    )
    roles = _roles(parse, text)
    assert roles == {"Pellam Energy": "victim", "Orchard Press": "victim"}


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Hackers broke into the networks of Pellam Energy and stole customer data.", "victim"),
        ("Hackers stole the customer records of Pellam Energy over the weekend.", "victim"),
        ("Hackers could break into the networks of Pellam Energy, researchers warned.", "other"),
    ],
)
def test_organizations_owner_of_the_systems_broken_into(parse, text: str, role: str) -> None:
    found = _orgs(parse, text + " The company is investigating.")
    assert found["Pellam Energy"]["role"] == role


def test_organizations_descriptor_before_a_name_is_no_party_of_its_own(parse) -> None:
    text = (
        "Mortgage lender Lendora is the newest well-known brand to suffer a serious data breach: on Sunday "
        "it admitted that intruders may have reached customers' account details."
    )
    roles = _roles(parse, text)
    assert roles == {"Lendora": "victim"}


def test_organizations_appositive_names_the_company_and_the_headline_describes_it(parse) -> None:
    title = "Construction firm loses $2.4 million after email scammers hijack finance inboxes"
    text = (
        f"{title}\n"
        "Basaltridge Builders, a commercial construction company based in Tampa, wired $2.4 million to "
        "criminals after scammers broke into an employee's email account, the company confirmed.\n"
        "Basaltridge said a forensic review found that the attackers accessed the mailboxes of two "
        "employees in its finance department."
    )
    roles = _roles(parse, text, title=title)
    assert roles == {"Basaltridge Builders": "victim"}


def test_organizations_outlet_between_headline_separators_is_not_a_victim(parse) -> None:
    text = (
        "Tollgate Savings customers hit by phishing attack | Harbourline | The first stop for money news\n"
        "Phishers targeted customers of Tollgate Savings with fake login pages, the bank said."
    )
    roles = _roles(parse, text)
    assert roles["Tollgate Savings"] == "victim"
    assert roles.get("Harbourline") not in {"victim", "government"}


def test_organizations_security_descriptor_makes_a_cited_expert(parse) -> None:
    text = (
        "Hackers stole customer records from Pellam Energy in March. "
        '"The attackers had been inside for weeks," said the CTO of security ratings firm Quorvex. '
        "The breach was spotted by incident response (IR) firm Corvane Labs during an audit."
    )
    roles = _roles(parse, text)
    assert roles["Pellam Energy"] == "victim"
    assert roles["Quorvex"] == "cited"
    assert roles["Corvane Labs"] == "cited"
    assert "IR" not in roles  # the acronym of "incident response", no organisation


def test_organizations_person_appositive_and_role_title_are_no_organisation(parse) -> None:
    text = (
        "Hackers breached the Fernhollow Forum and stole 200,000 accounts. "
        '"Change your passwords now," Silver Mantis Rider, a Fernhollow Forum moderator, told reporters. '
        "The breach was confirmed in a post by Fernhollow CISO Dana Whitcombe."
    )
    roles = _roles(parse, text)
    assert "Silver Mantis Rider" not in {name for name, role in roles.items() if role == "victim"}
    assert not any(name.endswith("CISO") for name in roles)


def test_organizations_name_cut_after_a_connector_runs_on(parse) -> None:
    text = "A ransomware attack hit the Institute for Coastal and Marine Studies on Monday, staff said."
    names = set(_orgs(parse, text))
    assert not any(name.endswith((" and", " for")) for name in names)


def test_organizations_headline_and_body_spelling_of_a_group_are_one_party(parse) -> None:
    text = (
        "1 Million Voltmail Users Impacted by Phishing Attack | Harbourline |\n"
        "A phishing attack hit Voltmail users on Wednesday. "
        "Attackers targeted Voltmail users with fake invoices."
    )
    groups = [name for name in _orgs(parse, text) if name.lower() == "voltmail users"]
    assert groups == ["Voltmail users"]


def test_organizations_operating_system_struck_is_no_party(parse) -> None:
    text = (
        "Ransomware hit Pellam Energy on Monday. Kesterel, a ransomware strain, is also capable of "
        "infecting Solaris machines."
    )
    roles = _roles(parse, text)
    assert roles["Pellam Energy"] == "victim"
    assert "Solaris" not in roles


def test_organizations_county_medical_center_is_an_institution(parse) -> None:
    orgs = _orgs(parse, "Hackers breached the Dunmore County Medical Center and stole patient records.")
    assert orgs["Dunmore County Medical Center"]["kind"] == "Organization"


def test_organizations_victim_of_an_earlier_attack_is_background(parse) -> None:
    text = (
        "The Quillmark group hit Harrowgate Council with ransomware this week, the council said. "
        "The last time Quillmark struck, it had attacked Pellam Energy."
    )
    roles = _roles(parse, text)
    assert roles["Harrowgate Council"] in {"victim", "government"}
    assert roles.get("Pellam Energy") not in {"victim", "government", "vendor"}


def test_organizations_owner_of_what_was_taken_is_the_victim(parse) -> None:
    text = (
        "A hacking group leaked Orchard Press's unreleased manuscripts online on Friday. "
        "The group also posted Orchard Press's contracts."
    )
    assert _roles(parse, text)["Orchard Press"] == "victim"


def test_organizations_thing_of_a_named_organisation_is_not_a_second_one(parse) -> None:
    text = (
        "Hackers broke into Quarrion and hijacked Quarrion’s Kubernetes cluster to run a botnet, "
        "Quarrion said."
    )
    names = set(_orgs(parse, text))
    assert "Quarrion" in names
    assert not any("Kubernetes" in name for name in names)


def test_organizations_state_after_a_city_is_no_second_party(parse) -> None:
    text = (
        "Ransomware locked city workers out of their systems in Millbrook, Ore., on Monday. "
        "Traffic lights in Hallam, Victoria were also affected by the ransomware."
    )
    names = set(_orgs(parse, text))
    assert "Ore" not in names
    assert "Victoria" not in names


def test_organizations_listed_pair_and_sentence_initial_common_word(parse) -> None:
    text = (
        "Voting equipment stolen\n"
        "State officials said the voting machines were taken from a warehouse. "
        "ORCHID and Pellam have admitted they lost $4 million to an invoice scam."
    )
    names = set(_orgs(parse, text))
    assert "State" not in names
    assert "ORCHID and Pellam" not in names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The breach occurred at Pellam Energy in March, when hackers stole payroll files.", "Pellam Energy"),
        ("Victims of the ransomware attacks have included Orchard Press, its owner said.", "Orchard Press"),
        (
            "Police tied the card theft to a hacking spree on Velmora Inns and two other chains.",
            "Velmora Inns",
        ),
        (
            "Hackers hit the city's transit network with ransomware on Monday. Harrowgate Transit "
            "Authority employees worked on paper for a third day after the ransomware attack, "
            "the agency said.",
            "Harrowgate Transit Authority",
        ),
    ],
)
def test_organizations_more_victim_slots(parse, text: str, name: str) -> None:
    assert _roles(parse, text)[name] in {"victim", "government"}


def test_organizations_investigator_at_work_is_not_a_victim(parse) -> None:
    text = (
        "Ransomware locks Harrowgate Hospital records; FBI investigating\n"
        "Hackers locked the computer systems of Harrowgate Hospital last week. "
        "The FBI is investigating the ransomware attack, a spokesman said."
    )
    roles = _roles(parse, text)
    assert roles["Harrowgate Hospital"] == "victim"
    assert roles["FBI"] == "cited"


@pytest.mark.parametrize(
    "text",
    [
        "Harlow Dental reports a data breach affecting 4,000 patients.",
        "Harlow Dental discloses a ransomware attack on its scheduling servers.",
    ],
)
def test_a_party_reporting_its_own_incident_in_the_present_is_the_victim(parse, text: str) -> None:
    assert _orgs(parse, text)["Harlow Dental"]["role"] == "victim"


def test_a_security_firm_reporting_an_attack_on_others_is_not_the_victim(parse) -> None:
    found = _orgs(
        parse, "Veltrix Labs reports an attack on three regional banks. The banks are investigating."
    )
    assert found.get("Veltrix Labs", {}).get("role") != "victim"


def test_the_lead_subject_is_the_victim_when_the_grammar_finds_none(parse) -> None:
    found = _orgs(parse, "Pellmark Outfitters discloses that its online shop was hacked for two months.")
    assert found["Pellmark Outfitters"]["role"] == "victim"


def test_the_lead_subject_is_not_taken_when_it_attacks(parse) -> None:
    found = _orgs(parse, "Grimlock Crew hacked the payroll portal of a small insurer in March.")
    assert found.get("Grimlock Crew", {}).get("role") != "victim"


def test_an_acronym_defined_for_a_term_is_never_an_organisation(parse) -> None:
    text = (
        "The covered entity (CE), Brindle Family Clinic, reported that a laptop with patient records was "
        "stolen from a car. The CE notified 900 patients and the CE offered credit monitoring."
    )
    found = _orgs(parse, text)
    assert "CE" not in found
    assert found["Brindle Family Clinic"]["role"] == "victim"


@pytest.mark.parametrize(
    ("text", "name", "term"),
    [
        (
            "The business associate (BA), Tessaly Billing Services, mailed letters to 3,400 patients. "
            "Hackers had breached the BA's billing server in March.",
            "Tessaly Billing Services",
            "BA",
        ),
        (
            "The retailer, Brightwater Stores, said its stores stayed open. "
            "Hackers stole card numbers from the retailer's checkout systems last month.",
            "Brightwater Stores",
            "retailer",
        ),
        (
            "Its payroll provider (the Provider), Quillon Pay, mailed letters to staff. "
            "Intruders hacked the Provider's file servers in June.",
            "Quillon Pay",
            "Provider",
        ),
        (
            "Ostrander Vision Partners, the covered entity (CE), mailed letters to 800 patients. "
            "An intruder compromised the CE's scheduling server in May.",
            "Ostrander Vision Partners",
            "CE",
        ),
    ],
)
def test_a_name_in_apposition_to_a_term_takes_over_the_terms_role(
    parse, text: str, name: str, term: str
) -> None:
    doc, article = parse(text)
    found = extract_organizations(doc, article)
    named = [m for m in found if m.value == name]
    assert named and all(m.attrs["role"] == "victim" for m in named)
    assert term in {m.text for m in named}  # the term's later use is an occurrence of the name
    assert all(m.value != term for m in found)


def test_a_term_defined_for_two_names_is_credited_to_neither(parse) -> None:
    text = (
        "The vendor, Pellucid Systems, supplied the portal. The vendor, Corvane Data, hosted it. "
        "Hackers breached the vendor's database."
    )
    doc, article = parse(text)
    assert not [m for m in extract_organizations(doc, article) if m.text == "vendor"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "The covered entity (CE), Marwick Eye Clinic, reported that paper charts were lost during an "
            "office move. The CE has revised its policies.",
            "Marwick Eye Clinic",
        ),
        (
            "The covered entity (CE), Yarrow Clinic, lost two flash drives holding patient files during a "
            "move. The CE notified 700 patients.",
            "Yarrow Clinic",
        ),
    ],
)
def test_a_briefs_lead_subject_that_reports_a_loss_is_its_victim(parse, text: str, name: str) -> None:
    found = _orgs(parse, text)
    assert found[name]["role"] == "victim"
    assert "CE" not in found


def test_what_a_party_does_in_response_to_its_breach_is_no_attack(parse) -> None:
    text = (
        "The covered entity (CE), Dunmore Hearing Center, discovered that a laptop holding patient files was "
        "stolen from a car. The CE posted a notice on its website. Following the theft, the CE encrypted "
        "all of its laptops."
    )
    assert _orgs(parse, text)["Dunmore Hearing Center"]["role"] == "victim"


def test_an_acronym_used_as_a_term_is_the_named_party(parse) -> None:
    text = (
        "Patient charts could not be found by the CE, Tollan Ridge Hospital, after a move. The CE said "
        "the charts may have been stolen, and the CE notified the patients of the breach."
    )
    found = _orgs(parse, text)
    assert "CE" not in found
    assert found["Tollan Ridge Hospital"]["role"] == "victim"
    assert found["Tollan Ridge Hospital"]["mentions"] >= 3
