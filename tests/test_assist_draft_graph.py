"""The draft's graph (issue 14): a new entity named several ways in one article (its full
name, a shorter one, its head noun) is described once, so that the draft keeps the shapes'
one label per language; the other names become alternative labels. The whole pipeline over the
built graph, as `kg extract` runs it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import draft_article
from rdflib import RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from kg.assist.extract import Draft
from kg.graph.dataset import load_built, union
from kg.graph.validate import load_shapes, validate
from kg.namespaces import KG

#: Written for this test, in general English (not from the five documents).
ARTICLE = (
    "Puppets from the mountains\n\n"
    "The Kochkor Mountain Puppet Theatre toured Osaka in June 2025. The Mountain Puppet "
    "Theatre showed three plays there. The theatre was founded by local teachers.\n"
)


@pytest.fixture(scope="module")
def drafted(built: Path) -> Draft:
    made: Draft = draft_article(built, ARTICLE, date="2025-07-01")
    return made


def test_a_new_entity_named_three_ways_has_one_label(drafted: Draft) -> None:
    new = {m.iri for m in drafted.mentions if m.new and m.iri and "theatre" in m.iri}
    assert len(new) == 1, new  # one theatre, one IRI
    (theatre,) = new
    assert len([m for m in drafted.mentions if m.iri == theatre]) >= 2
    per_subject = Counter(
        (s, o.language)
        for s, o in drafted.graph.subject_objects(RDFS.label)
        if isinstance(o, Literal)
    )
    assert all(n == 1 for n in per_subject.values()), per_subject.most_common(3)
    subject = URIRef(theatre)
    assert str(drafted.graph.value(subject, RDFS.label)) == "Kochkor Mountain Puppet Theatre"
    others = {str(o) for o in drafted.graph.objects(subject, SKOS.altLabel)}
    assert "Mountain Puppet Theatre" in others
    assert "theatre" not in {o.lower() for o in others}  # a head noun is no name


def test_the_draft_conforms_to_the_shapes(
    drafted: Draft, built: Path, settings: dict[str, Any], tmp_path: Path
) -> None:
    """As `kg validate draft.ttl` checks it: with the graph it adds to, and its text beside."""
    dataset = load_built(built)
    assert dataset is not None
    (tmp_path / drafted.record.file_name).write_text(drafted.text, "utf-8")
    shapes = load_shapes(Path(settings["SHAPES_DIR"]))
    report = validate(union(dataset) + drafted.graph, shapes, Path(settings["DATA_DIR"]), tmp_path)
    assert report.conforms, [(r.focus_node, r.path, r.message) for r in report.results]


def test_the_embassy_that_published_the_article_is_the_embassy_it_names(built: Path) -> None:
    """`kg extract --publisher org:…`: "the Embassy" that no earlier name explains is the
    publishing embassy."""
    text = "Tea in Tokyo\n\nThe Embassy held a tea ceremony in Tokyo on 3 March 2025.\n"
    drafted = draft_article(built, text, publisher="org:embassy-of-uzbekistan-in-japan")
    iris = {m.iri for m in drafted.mentions if "embassy" in m.text.lower()}
    assert iris == {"https://w3id.org/cakg/org/embassy-of-uzbekistan-in-japan"}, [
        (m.text, m.iri) for m in drafted.mentions
    ]


#: A new theatre first named in a sentence that states no fact the assistant drafts.
NAMED_TWICE = (
    "News\n\nThe Kochkor Puppet Theatre is in Kochkor. "
    "The Kochkor Puppet Theatre toured Osaka in June 2025.\n"
)


@pytest.mark.parametrize(
    "article", [ARTICLE, NAMED_TWICE], ids=["theatre", "named-first-in-no-fact"]
)
def test_every_drafted_quote_points_at_one_passage(built: Path, article: str) -> None:
    """A new thing first named in no drafted fact was quoted by its bare name, which the article
    may hold many times: a quote that points at no one passage, which the gate refuses."""
    drafted = draft_article(built, article, date="2025-07-01")
    quotes = {str(q) for q in drafted.graph.objects(None, URIRef(KG + "quote"))}
    assert quotes
    assert {q: drafted.text.count(q) for q in quotes if drafted.text.count(q) != 1} == {}
