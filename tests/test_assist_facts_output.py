"""The draft's two outputs, draft.ttl and review.json, are written from one minting of the
facts' IRIs and one build of each fact's triples (issue #14): the review's IRIs and Turtle are
the draft's own, and building them once gives what building them twice gave.

The article is written for this test, not taken from the five source documents.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic

from kg.assist.draft import fact_graphs, to_graph, to_review_json
from kg.assist.extract import extract
from kg.assist.linking import Linker
from kg.assist.text import read_source

ARTICLE = """A festival of folk dance was held in Bukhara on 14–16 May 2024.
More than 2,000 visitors attended the festival. The festival of folk dance will be held again
in Samarkand next year. A second festival of folk dance was held in Khiva in 2023.
"""


def drafted(graph: Graph) -> Any:
    source = read_source(ARTICLE.encode(), "dance.txt", max_bytes=1 << 20)
    return extract(source, graph, linker=Linker.from_graph(graph), date="2024-06-01")


def test_the_review_shows_the_draft_s_own_iris_and_turtle(graph: Graph) -> None:
    draft = drafted(graph)
    facts = [f for f in draft.review["facts"] if f["iri"]]
    assert len({f["iri"] for f in facts}) == len(facts) > 2  # two festivals: two IRIs
    subjects = {str(s) for s in draft.graph.subjects()}
    for fact in facts:
        assert fact["iri"] in subjects
        own = Graph().parse(data=fact["turtle"], format="turtle")
        # every triple of the review's Turtle without a blank node is in draft.ttl
        for triple in own:
            if not any(t.n3().startswith("_:") for t in triple):
                assert triple in draft.graph, triple


def test_one_build_of_the_facts_gives_what_two_gave(graph: Graph) -> None:
    draft = drafted(graph)
    existing = {str(s) for s in graph.subjects()}
    args = (draft.candidates, draft.document, draft.text)
    facts = fact_graphs(*args, existing)
    once = to_graph(*args, mentions=draft.mentions, facts=facts)
    twice = to_graph(*args, mentions=draft.mentions, existing=existing)
    assert isomorphic(once, twice)
    review_once = to_review_json(
        draft.candidates, draft.mentions, draft.text, draft.document, facts=facts
    )
    review_twice = to_review_json(
        draft.candidates, draft.mentions, draft.text, draft.document, existing=existing
    )
    for first, second in zip(review_once["facts"], review_twice["facts"], strict=True):
        turtle = (first.pop("turtle"), second.pop("turtle"))
        assert first == second
        graphs = [Graph().parse(data=t, format="turtle") for t in turtle]
        assert to_isomorphic(graphs[0]) == to_isomorphic(graphs[1])
