"""Historical events, programmes, and agreements the text states without a signing verb
(issue #14; docs/modelling.md, "Historical events, sports events, facilities and programmes").

- the establishment of diplomatic relations and a disaster are a kg:HistoricalEvent that
  happened (its kg:eventType etype:diplomatic-relations or etype:disaster), never a plan: an
  anniversary, "since" or "after" it says it took place; "plan to establish relations" is not
  one; the year of an "Nth anniversary" in year Y is Y − N, marked rule:anniversary;
- a programme of one organisation ("the training programmes of X", "X funds a grant
  programme") is a kg:Programme with who runs or funds it, and no kg:party;
- an agreement in force ("under the memorandum between X and Y", "the agreement on … provides")
  is a kg:Agreement that happened; a draft one is not.

Every sentence is written for the test, not taken from the five source documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from test_assist_facts import BASE, DOCUMENT, STATUS, draft, graph_names, local

from kg.assist.draft import to_graph
from kg.assist.facts import Candidate
from kg.graph.parsing import parse_file
from kg.graph.validate import validate
from kg.namespaces import KG

ETYPE = BASE + "vocab/event-type/"
ROLE = "https://w3id.org/cakg/vocab/participation-role/"


@pytest.fixture(scope="module")
def names(graph: Graph) -> list[tuple[str, str, str, str]]:
    return graph_names(graph)


def of_class(candidates: list[Candidate], cls: str) -> list[Candidate]:
    return [c for c in candidates if c.cls == cls]


# ---------------------------------------------------------------- historical events


def test_diplomatic_relations_established_in_a_year(names: Any) -> None:
    text = "Diplomatic relations between Kyrgyzstan and Japan were established in 1993."
    (event,) = of_class(draft(text, names, "2025-01-01"), "HistoricalEvent")
    assert event.fields["eventType"] == [ETYPE + "diplomatic-relations"]
    assert event.status == STATUS + "happened"
    assert {local(c) for c in event.fields["participatingCountry"]} == {"kg", "jp"}
    assert [(d.start, d.derived) for d in event.dates] == [("1993", False)]


def test_since_the_establishment_says_it_happened(names: Any) -> None:
    text = (
        "Since the establishment of diplomatic relations between Uzbekistan and Japan in 1994, "
        "trade has grown steadily."
    )
    (event,) = of_class(draft(text, names), "HistoricalEvent")
    assert event.status == STATUS + "happened"
    assert [d.start for d in event.dates] == ["1994"]


def test_an_anniversary_dates_the_establishment_and_plans_the_celebration(names: Any) -> None:
    text = (
        "The 30th anniversary of the establishment of diplomatic relations between Kazakhstan "
        "and Japan will be celebrated with a concert in Almaty in 2024."
    )
    drafted = draft(text, names, "2023-01-01")
    (event,) = of_class(drafted, "HistoricalEvent")
    assert event.status == STATUS + "happened"
    (date,) = event.dates
    assert (date.start, date.derived, date.rule) == ("1994", True, "anniversary")
    # the celebration is still a plan: the anniversary does not make it happen
    assert not of_class(drafted, "CulturalEvent")
    assert of_class(drafted, "Plan")
    turtle = to_graph([event], DOCUMENT, text)
    (subject,) = turtle.subjects(KG.eventType, None)
    assert turtle.value(subject, KG.date) == Literal("1994", datatype=XSD.gYear)
    assert str(turtle.value(subject, KG.dateDerivedBy)).endswith("derivation-rule/anniversary")


def test_a_plan_to_establish_relations_is_no_historical_event(names: Any) -> None:
    text = "Kyrgyzstan and Japan plan to establish diplomatic relations next year."
    drafted = draft(text, names, "2025-01-01")
    assert not of_class(drafted, "HistoricalEvent")
    assert all(c.status != STATUS + "happened" for c in drafted if c.status)


def test_a_disaster_that_struck(names: Any) -> None:
    text = "In 1966 an earthquake struck Tashkent, destroying much of the old city."
    (event,) = of_class(draft(text, names, "2025-01-01"), "HistoricalEvent")
    assert event.fields["eventType"] == [ETYPE + "disaster"]
    assert event.status == STATUS + "happened"
    assert [local(p) for p in event.fields["location"]] == ["tashkent"]
    assert [d.start for d in event.dates] == ["1966"]


@pytest.mark.parametrize(
    "text",
    [
        "The two countries will cooperate on disaster risk reduction and earthquake prevention.",
        "A flood of visitors came to Khiva in 2019.",
        "An earthquake-resistant theatre opened in Tashkent in 2020.",
    ],
)
def test_not_a_disaster(text: str, names: Any) -> None:
    assert not of_class(draft(text, names, "2025-01-01"), "HistoricalEvent")


# ---------------------------------------------------------------- programmes


def test_the_programmes_of_an_agency(names: Any) -> None:
    text = (
        "Young engineers train in Nagoya under the exchange programmes of the Japan "
        "International Cooperation Agency."
    )
    (programme,) = of_class(draft(text, names, "2025-01-01"), "Programme")
    assert programme.status == STATUS + "happened"
    assert [local(a) for a in programme.fields["participation/organiser"]] == ["jica"]
    assert "party" not in programme.fields
    assert not of_class(draft(text, names), "Agreement")


def test_a_named_grant_programme_and_its_funder(names: Any) -> None:
    text = (
        "The Silk Road Fellowship Programme (a grant programme of the Government of Japan) "
        "has supported 120 researchers since 2005."
    )
    (programme,) = of_class(draft(text, names), "Programme")
    assert programme.label == "Silk Road Fellowship Programme"
    assert [local(a) for a in programme.fields["participation/funder"]] == ["government-of-japan"]


def test_a_list_of_programmes_is_one_programme_an_organisation(names: Any) -> None:
    text = (
        "Cooperation is carried out through programmes of the Japan Foundation and the Japan "
        "International Cooperation Agency."
    )
    programmes = of_class(draft(text, names), "Programme")
    organisers = [local(p.fields["participation/organiser"][0]) for p in programmes]
    assert sorted(organisers) == ["japan-foundation", "jica"]


def test_a_programme_to_be_launched_is_a_plan(names: Any) -> None:
    text = "The Japan Foundation will launch a programme of language courses in Almaty."
    drafted = draft(text, names, "2025-01-01")
    assert not of_class(drafted, "Programme")
    assert all(c.status != STATUS + "happened" for c in drafted if c.status)


# ---------------------------------------------------------------- agreements without a verb


def test_under_the_memorandum_between(names: Any) -> None:
    text = "Under the memorandum between Uzbekistan and Japan, twenty students study in Nagoya."
    (agreement,) = of_class(draft(text, names, "2025-01-01"), "Agreement")
    assert agreement.status == STATUS + "happened"
    assert {local(p) for p in agreement.fields["party"]} == {"uz", "jp"}
    assert local(agreement.fields["agreementType"][0]) == "cooperation-agreement"


def test_the_agreement_provides(names: Any) -> None:
    text = (
        "The agreement on cultural cooperation between Kazakhstan and Japan provides for "
        "annual exchanges of artists."
    )
    (agreement,) = of_class(draft(text, names, "2025-01-01"), "Agreement")
    assert agreement.status == STATUS + "happened"
    assert agreement.label.startswith("Agreement on cultural cooperation")


def test_joint_projects_with_two_agencies(names: Any) -> None:
    text = (
        "Joint projects with the Japan International Cooperation Agency and the Japan "
        "Foundation cover health and education."
    )
    (agreement,) = of_class(draft(text, names, "2025-01-01"), "Agreement")
    assert local(agreement.fields["agreementType"][0]) == "programme"
    assert {local(p) for p in agreement.fields["participation/partner"]} == {
        "jica",
        "japan-foundation",
    }


def test_a_jointly_implemented_programme_exists_whatever_is_proposed_for_it(
    names: Any,
) -> None:
    text = (
        "The proposal to expand the jointly implemented “Green Valleys” programme of "
        "Kazakhstan and Japan won support."
    )
    drafted = draft(text, names, "2025-01-01")
    (agreement,) = of_class(drafted, "Agreement")
    assert agreement.label.startswith("Green Valleys")
    assert agreement.status == STATUS + "happened"
    (plan,) = of_class(drafted, "Plan")
    assert local(plan.status) == "proposed"


def test_a_draft_agreement_is_not_concluded(names: Any) -> None:
    text = "A draft agreement on cultural cooperation between Kyrgyzstan and Japan is discussed."
    drafted = draft(text, names, "2025-01-01")
    assert not of_class(drafted, "Agreement")


def test_the_new_classes_pass_the_shapes(
    names: Any, settings: dict[str, Any], shapes: Graph, tmp_path: Path
) -> None:
    text = (
        "Diplomatic relations between Kyrgyzstan and Japan were established in 1993. "
        "Young engineers train in Nagoya under the exchange programmes of the Japan "
        "International Cooperation Agency. Under the memorandum between Uzbekistan and Japan, "
        "twenty students study in Nagoya."
    )
    drafted = [c for c in draft(text, names, "2025-01-01") if c.complete]
    assert {"HistoricalEvent", "Programme", "Agreement"} <= {c.cls for c in drafted}
    context = Graph()
    for path in (
        settings["ONTOLOGY_DIR"] / "cakg.ttl",
        settings["DATA_DIR"] / "places.ttl",
        settings["DATA_DIR"] / "documents.ttl",
        settings["DATA_DIR"] / "001_827a15a1c1169bd2.ttl",  # the agencies and their labels
        settings["DATA_DIR"] / "002_4637cb8ccaca7e8e.ttl",
    ):
        context += parse_file(path)
    (tmp_path / "article.txt").write_text(text, "utf-8")
    document = URIRef(DOCUMENT)
    context.add((document, RDF.type, KG.Document))
    context.add((document, RDFS.label, Literal("Article under review", lang="en")))
    context.add((document, KG.fileName, Literal("article.txt")))
    # the article's text beside the documents' own: a quote whose text is missing is refused
    graph = context + to_graph(drafted, DOCUMENT, text)
    report = validate(graph, shapes, tmp_path, settings["DATA_DIR"])
    violations = [r for r in report.results if r.severity == "Violation"]
    assert not violations, report.to_text()
