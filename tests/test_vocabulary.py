"""Every statement of an addition falls under the shapes (the write-path review of issue 16):
a subject with no type needed no evidence, a property outside the vocabulary was taken
unchecked, and rdflib rewrote an ill-typed literal before anyone saw it. Each test failed first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from helpers import PREFIXES, QUOTE, event

from kg.cli import main

TOKENS = "alice=tok-alice"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@pytest.fixture(scope="module")
def client(make_app: Callable[..., Flask], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One app for the module: what its tests store are events of their own names. Its many
    anonymous validations come from one address: the budget is raised, as for queries."""
    var = tmp_path_factory.mktemp("var")
    app = make_app(
        CURATOR_TOKENS=TOKENS,
        WRITE_RATE_PER_MINUTE=1000,
        VALIDATION_SECONDS_PER_MINUTE=10_000,
        VAR_DIR=var,
    )
    return app.test_client()


def report(client: Any, turtle: str) -> dict[str, Any]:
    response = client.post(
        "/validate",
        data=turtle.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json
    return result


def violations(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in result["results"] if r["severity"] == "Violation"]


def test_the_plain_event_still_conforms(client: Any) -> None:
    """The baseline the other tests change one thing of."""
    assert report(client, event("baseline"))["conforms"]


def test_a_subject_with_no_type_is_refused(client: Any) -> None:
    """`<x> <p> "a"` about a thing of no class fell under no shape, so it needed no evidence."""
    result = report(client, PREFIXES + '<https://example.org/x> kg:note "a" .\n')
    assert not result["conforms"]
    found = [r for r in violations(result) if r["focus_node"] == "https://example.org/x"]
    assert found and "type" in found[0]["message"]


def test_a_subject_of_a_class_no_shape_checks_is_refused(client: Any) -> None:
    """A class the ontology has but no shape targets (kg:Submission, the service's own record
    of a submission) checks nothing."""
    turtle = PREFIXES + '<https://w3id.org/cakg/event/x> a kg:Submission ; rdfs:label "X"@en .\n'
    result = report(client, turtle)
    assert not result["conforms"]
    assert any("no shape checks a kg:Submission" in r["message"] for r in violations(result))


def test_a_property_outside_the_vocabulary_is_refused(client: Any) -> None:
    """An rdfs:comment on an event is a claim no quote supports and no shape reads."""
    turtle = event("commented").replace(
        "kg:eventType", 'rdfs:comment "the biggest festival ever" ;\n    kg:eventType'
    )
    result = report(client, turtle)
    assert not result["conforms"]
    paths = {r["path"] for r in violations(result)}
    assert "http://www.w3.org/2000/01/rdf-schema#comment" in paths


def test_a_misspelt_property_is_named(client: Any) -> None:
    turtle = event("misspelt").replace("kg:location", "kg:locaton")
    result = report(client, turtle)
    assert not result["conforms"]
    found = [r for r in violations(result) if r["path"] and r["path"].endswith("#locaton")]
    assert found and "vocabulary" in found[0]["message"]


def test_an_unknown_class_is_refused(client: Any) -> None:
    turtle = event("typo").replace("a kg:CulturalEvent", "a kg:CulturalEvent, kg:CulturalEvnt")
    result = report(client, turtle)
    assert not result["conforms"]
    assert any(r["value"] and r["value"].endswith("#CulturalEvnt") for r in violations(result))


def test_an_addition_cannot_extend_the_vocabulary_itself(client: Any) -> None:
    """Declaring a property in the addition does not make it part of the vocabulary."""
    turtle = (
        event("declared").replace("kg:eventType", "kg:mood kg:happy ;\n    kg:eventType")
        + "kg:mood a <http://www.w3.org/2002/07/owl#ObjectProperty> .\n"
    )
    result = report(client, turtle)
    assert not result["conforms"]
    assert any(r["path"] and r["path"].endswith("#mood") for r in violations(result))


def test_a_statement_about_the_ontology_is_refused(client: Any) -> None:
    """A submission may not relabel or re-parent the ontology's terms."""
    turtle = PREFIXES + "kg:CulturalEvent rdfs:subClassOf kg:Plan .\n"
    assert not report(client, turtle)["conforms"]


def test_new_facts_about_a_stored_node_use_its_stored_type(client: Any) -> None:
    """Adding to a node the graph already has needs no second `a`: its type is known. (What
    is added needs evidence of its own: a test of test_curation.py.)"""
    stored = client.post(
        "/submissions",
        data=event("known").encode(),
        headers={"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"},
    )
    assert stored.status_code == 201, stored.text
    more = PREFIXES + (
        '<https://w3id.org/cakg/event/known> rdfs:label "Bekannt"@de ; kg:evidence [ a '
        f'kg:Evidence ; kg:source doc:000_74681c818d2b02ab ; kg:quote "{QUOTE}" ] .\n'
    )
    assert report(client, more)["conforms"]


def test_an_ill_typed_literal_is_refused_as_it_was_sent(client: Any) -> None:
    """rdflib turned `"yes"^^xsd:boolean` into `"false"` as it parsed: what was stored was not
    what the curator sent. It is refused, quoting what was sent, in a process that has
    validated before (pySHACL sets rdflib's switch back after each validation)."""
    assert report(client, event("before"))["conforms"]
    turtle = event("boolean").replace(
        "kg:eventType", f'kg:note "yes"^^<{XSD_BOOLEAN}> ;\n    kg:eventType'
    )
    result = report(client, turtle)
    assert not result["conforms"]
    found = [r for r in violations(result) if r["value"] == "yes"]
    assert found and "xsd:boolean" in found[0]["message"]


@pytest.mark.parametrize("value", ["2024-13", "2024-00", "24-05", "2024-5", "02024-05"])
def test_an_impossible_month_is_refused(client: Any, value: str) -> None:
    turtle = event("month").replace('"2024"^^xsd:gYear', f'"{value}"^^xsd:gYearMonth')
    result = report(client, turtle)
    assert not result["conforms"], value


@pytest.mark.parametrize("value", ["2024-12", "2024-01"])
def test_a_real_month_is_accepted(client: Any, value: str) -> None:
    turtle = event("month").replace('"2024"^^xsd:gYear', f'"{value}"^^xsd:gYearMonth')
    assert report(client, turtle)["conforms"], value


def test_a_literal_is_stored_as_it_was_sent(client: Any) -> None:
    """A valid literal keeps its form: rdflib wrote `"2024-05-01Z"^^xsd:date` back without its
    time zone, another term with another value."""
    turtle = event("lexical").replace('"2024"^^xsd:gYear', '"2024-05-01Z"^^xsd:date')
    stored = client.post(
        "/submissions",
        data=turtle.encode(),
        headers={"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"},
    )
    assert stored.status_code == 201, stored.text
    graph = client.get(stored.headers["Location"], headers={"Accept": "application/n-triples"})
    assert '"2024-05-01Z"^^<http://www.w3.org/2001/XMLSchema#date>' in graph.text


def test_kg_validate_refuses_a_statement_no_shape_reaches(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The command line judges an addition as the server does."""
    addition = tmp_path / "addition.ttl"
    addition.write_text(PREFIXES + '<https://example.org/x> kg:note "a" .\n', "utf-8")
    result = runner.invoke(main, ["validate", str(addition)])
    assert result.exit_code == 1, result.output
    assert "Violation: https://example.org/x" in result.output
    assert "kg:note is not a property of the vocabulary" in result.output


def test_the_build_refuses_a_data_file_with_a_misspelt_property(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for path in settings["DATA_DIR"].iterdir():
        if path.is_file():
            (data / path.name).write_bytes(path.read_bytes())
    facts = data / "000_74681c818d2b02ab.ttl"
    facts.write_text(facts.read_text("utf-8").replace("kg:location", "kg:locaton", 1), "utf-8")
    monkeypatch.setenv("KG_DATA_DIR", str(data))
    monkeypatch.setenv("KG_BUILD_DIR", str(tmp_path / "build"))
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1, result.output
    assert "kg:locaton is not a property of the vocabulary" in result.output
    assert not (tmp_path / "build" / "cakg.nq").exists()


def test_an_operator_may_take_other_vocabularies_but_not_misspellings(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """FOREIGN_STATEMENTS: a host of other data takes FOAF about anything; a misspelt kg: term
    and an ill-typed literal are refused all the same."""
    client = make_app(FOREIGN_STATEMENTS=True, VAR_DIR=tmp_path).test_client()
    foaf = "<http://example.org/alice> a <http://xmlns.com/foaf/0.1/Person> ;\n"
    assert report(client, foaf + '    <http://xmlns.com/foaf/0.1/name> "Alice" .\n')["conforms"]
    misspelt = report(client, event("misspelt").replace("kg:location", "kg:locaton"))
    assert any(r["path"] and r["path"].endswith("#locaton") for r in violations(misspelt))
    ill_typed = report(client, foaf + f'    <http://example.org/p> "yes"^^<{XSD_BOOLEAN}> .\n')
    assert [r["value"] for r in violations(ill_typed)] == ["yes"]
