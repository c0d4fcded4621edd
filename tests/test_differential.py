"""Differential test: the same query gives the same rows in every mode.

A corpus of queries (the competency questions, the benchmark mix, and queries generated from
the data: a few shapes for every predicate of ``cakg.nq``, the dataset clauses and the
protocol's datasets, relative IRIs, DESCRIBE) is asked of every mode through HTTP: the
embedded server, and the remote mode on Oxigraph and on Virtuoso. Each answer is compared with
a reference evaluated here, independently of the project's code: a pyoxigraph store holding
the graphs of ``cakg.nq`` as its named graphs and their RDF merge (each triple once) as its
default graph, which is what every mode promises (README.md, "The SPARQL endpoint";
docs/remote-stores.md):

- the default graph is the RDF merge of the data graphs;
- ``GRAPH ?g`` ranges over the data graphs only, never a bookkeeping graph of the service;
- ``FROM``/``FROM NAMED`` and ``default-graph-uri``/``named-graph-uri`` make the dataset as
  SPARQL 1.1 says: a default graph that is the merge of the graphs named, and only the named
  graphs named (none if only ``FROM`` is given; an empty default graph if only ``FROM NAMED``
  is), the protocol's dataset winning over the query's;
- relative IRIs resolve against the endpoint's own IRI (each server's address is replaced by
  ``PLACEHOLDER`` before comparing).

Rows are compared as multisets (and, under an ``ORDER BY`` of projected variables, the
sequence of their sort keys too); blank nodes count as equal to each other; literals are
compared term for term (``"a"`` and ``"a"^^xsd:string`` are the same RDF term). A difference
a store cannot avoid is listed in ``KNOWN``, with the reason; a listed difference must still
be observed (a stale entry fails), every other difference fails.
"""

from __future__ import annotations

import fnmatch
import json
import random
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from helpers import (
    BASE,
    KG,
    MODES,
    QUESTIONS,
    ROOT,
    XSD,
    XSD_INTEGER,
    LiveServer,
    mode_settings,
    prefixed,
)

#: Each server's own address (scheme, host and port) becomes this before comparing.
PLACEHOLDER = "http://endpoint.invalid"
#: The endpoint's IRI the reference resolves relative IRIs against, as servers do theirs.
ENDPOINT_IRI = PLACEHOLDER + "/sparql"
#: Every generated SELECT gets this LIMIT: more than any of their answers has rows (checked).
LIMIT = 10_000
SEED = 20_240_611
#: Shapes each predicate gets besides the base ones, taken in turn from rotating_shapes().
EXTRA_SHAPES = 4

BENCH_QUERIES = sorted((ROOT / "bench" / "queries").glob("*.rq"))
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SERVICE_VERSION = KG + "version"  # what the service's bookkeeping graph states
SPARQL_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


# ---------------------------------------------------------------- the corpus

#: (default graphs, named graphs) of a query's RDF dataset, as SPARQL 1.1 makes it
Dataset = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Query:
    """One query of the corpus: its text, and the dataset the protocol request gives."""

    id: str
    category: str
    text: str
    default_graph_uri: tuple[str, ...] = ()
    named_graph_uri: tuple[str, ...] = ()
    #: the RDF dataset per SPARQL 1.1 (the protocol's, else the query's FROM / FROM NAMED);
    #: None: the service's own (the merge as default graph, every data graph named)
    dataset: Dataset | None = None


def query(
    id: str,
    category: str,
    text: str,
    from_: tuple[str, ...] = (),
    from_named: tuple[str, ...] = (),
    default_graph_uri: tuple[str, ...] = (),
    named_graph_uri: tuple[str, ...] = (),
) -> Query:
    """A query whose text holds ``%DATASET%`` where its FROM / FROM NAMED clauses go, and
    ``%LIMIT%`` where its LIMIT goes."""
    clauses = "".join(f"FROM <{g}>\n" for g in from_)
    clauses += "".join(f"FROM NAMED <{g}>\n" for g in from_named)
    text = text.replace("%DATASET%", clauses).replace("%LIMIT%", f"LIMIT {LIMIT}")
    dataset: Dataset | None = None
    if default_graph_uri or named_graph_uri:  # the protocol's dataset wins (Protocol 2.1.4)
        dataset = (default_graph_uri, named_graph_uri)
    elif from_ or from_named:
        dataset = (from_, from_named)
    return Query(id, category, text, default_graph_uri, named_graph_uri, dataset)


def short(iri: str) -> str:
    """An IRI in query ids and messages: prefixed, else its last path segment."""
    return prefixed(iri) or iri.rsplit("/", 1)[-1]


def value(term: Any) -> str:
    """The IRI, label or lexical form of a term (of a quad's subject or graph name, say)."""
    return str(term.value)


def kind(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return "iri"
    if isinstance(term, ox.BlankNode):
        return "bnode"
    return "literal"


@dataclass(frozen=True)
class Predicate:
    """What the corpus needs to know of one predicate of the data."""

    iri: str
    graphs: tuple[str, ...]  # the graphs that state it
    objects: frozenset[str]  # kinds of its objects: iri, bnode, literal
    subjects: frozenset[str]
    start: str | None  # its smallest IRI subject
    follow: str | None  # the predicate most often stated of its objects
    pair: tuple[str, str] | None  # two graphs stating it, sharing the most of its triples
    other: str | None  # a graph that does not state it

    @property
    def name(self) -> str:
        return short(self.iri)


def predicates(quads: list[ox.Quad]) -> list[Predicate]:
    """Every predicate of the data, sorted, with what the shapes need; nothing here depends
    on blank node labels, so the corpus is the same for every build of the same data."""
    graphs = sorted({value(q.graph_name) for q in quads})
    by_predicate: dict[str, list[ox.Quad]] = {}
    out_of: dict[Any, Counter[str]] = {}
    for q in quads:
        by_predicate.setdefault(q.predicate.value, []).append(q)
        out_of.setdefault(q.subject, Counter())[q.predicate.value] += 1
    found = []
    for iri, stated in sorted(by_predicate.items()):
        in_graphs = sorted({value(q.graph_name) for q in stated})
        iri_subjects = sorted(value(q.subject) for q in stated if kind(q.subject) == "iri")
        follows: Counter[str] = Counter()
        for q in stated:
            if kind(q.object) != "literal":
                follows.update(out_of.get(q.object, Counter()))
        follow = min(follows, key=lambda p: (-follows[p], p)) if follows else None
        triples = {g: {q.triple for q in stated if value(q.graph_name) == g} for g in in_graphs}
        pairs = sorted(
            combinations(in_graphs, 2), key=lambda p: -len(triples[p[0]] & triples[p[1]])
        )
        others = [g for g in graphs if g not in in_graphs]
        found.append(
            Predicate(
                iri=iri,
                graphs=tuple(in_graphs),
                objects=frozenset(kind(q.object) for q in stated),
                subjects=frozenset(kind(q.subject) for q in stated),
                start=iri_subjects[0] if iri_subjects else None,
                follow=follow,
                pair=pairs[0] if pairs else None,
                other=others[0] if others else None,
            )
        )
    return found


Shape = Callable[[Predicate], Query | None]

#: What a shape asks of one predicate: its triples, its quads (GRAPH ?g), whether it is
#: stated, and its triples as a graph. FROM / FROM NAMED clauses go where %DATASET% stands.
TRIPLES = "SELECT ?s ?o %DATASET%WHERE {{ ?s <{iri}> ?o }} %LIMIT%"
QUADS = "SELECT ?g ?s ?o %DATASET%WHERE {{ GRAPH ?g {{ ?s <{iri}> ?o }} }} %LIMIT%"
STATED = "ASK %DATASET%{{ ?s <{iri}> ?o }}"
GRAPH = "CONSTRUCT {{ ?s <{iri}> ?o }} %DATASET%WHERE {{ ?s <{iri}> ?o }}"

#: Which graphs of a predicate a dataset names; None: the predicate has no such graphs.
Graphs = Callable[[Predicate], tuple[str, ...] | None]


def first(p: Predicate) -> tuple[str, ...]:
    return p.graphs[:1]


def last(p: Predicate) -> tuple[str, ...]:
    return p.graphs[-1:]


def two(p: Predicate) -> tuple[str, ...] | None:
    return p.pair


def other(p: Predicate) -> tuple[str, ...] | None:
    return None if p.other is None else (p.other,)


#: Shapes that differ only in the dataset they ask of: their text, category, and the graphs
#: each part of the dataset names (the keyword arguments of `query`: from_, from_named,
#: default_graph_uri, named_graph_uri).
DATASET_SHAPES: dict[str, tuple[str, str, dict[str, Graphs]]] = {
    "ask": (STATED, "ask", {}),
    "ask-from-other": (STATED, "ask", {"from_": other}),
    "construct": (GRAPH, "construct", {}),
    "construct-from": (GRAPH, "construct", {"from_": last}),
    "from": (TRIPLES, "dataset-clause", {"from_": first}),
    "from-two": (TRIPLES, "dataset-clause", {"from_": two}),
    "from-named": (QUADS, "dataset-clause", {"from_named": last}),
    # SPARQL: FROM alone leaves no named graphs
    "from-then-graph": (QUADS, "dataset-clause", {"from_": first}),
    # SPARQL: FROM NAMED alone leaves the default graph empty
    "from-named-then-default": (TRIPLES, "dataset-clause", {"from_named": first}),
    "protocol-default": (TRIPLES, "protocol", {"default_graph_uri": first}),
    "protocol-default-two": (TRIPLES, "protocol", {"default_graph_uri": two}),
    "protocol-named": (QUADS, "protocol", {"named_graph_uri": last}),
    # the protocol's dataset: no named graph given, none
    "protocol-default-then-graph": (QUADS, "protocol", {"default_graph_uri": first}),
    # the protocol's dataset: no default graph given, empty
    "protocol-named-then-default": (TRIPLES, "protocol", {"named_graph_uri": first}),
    "protocol-overrides-from": (
        TRIPLES,
        "protocol",
        {"from_": other, "default_graph_uri": first},
    ),
}


def dataset_shape(name: str, text: str, category: str, graphs: dict[str, Graphs]) -> Shape:
    """The shape `name` of DATASET_SHAPES; None for a predicate that lacks its graphs."""

    def build(p: Predicate) -> Query | None:
        picked = {part: pick(p) for part, pick in graphs.items()}
        dataset = {part: named for part, named in picked.items() if named is not None}
        if len(dataset) < len(picked):
            return None
        return query(f"{p.name}/{name}", category, text.format(iri=p.iri), **dataset)

    return build


#: The text a shape asks of a predicate; None where the shape does not apply to it.
TextOf = Callable[[Predicate], str | None]


def registering(shapes: dict[str, Shape]) -> Callable[[str, str], Callable[[TextOf], TextOf]]:
    """A decorator `@shape(name, category)` that adds to `shapes` the shape whose text the
    function it decorates gives: the query `<predicate>/<name>`, or None where no text."""

    def shape(name: str, category: str) -> Callable[[TextOf], TextOf]:
        def register(text_of: TextOf) -> TextOf:
            def build(p: Predicate) -> Query | None:
                text = text_of(p)
                return None if text is None else query(f"{p.name}/{name}", category, text)

            shapes[name] = build
            return text_of

        return register

    return shape


def pattern_shapes() -> dict[str, Shape]:
    """Shapes every predicate gets."""
    shapes: dict[str, Shape] = {}
    shape = registering(shapes)

    @shape("plain", "pattern")
    def _(p: Predicate) -> str:
        return TRIPLES.format(iri=p.iri)

    @shape("distinct", "pattern")
    def _(p: Predicate) -> str:
        return f"SELECT DISTINCT ?s WHERE {{ ?s <{p.iri}> ?o }} %LIMIT%"

    @shape("count", "aggregate")
    def _(p: Predicate) -> str:
        return (
            "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) "
            f"(COUNT(DISTINCT ?o) AS ?objects) WHERE {{ ?s <{p.iri}> ?o }} %LIMIT%"
        )

    @shape("graph-all", "graph")
    def _(p: Predicate) -> str:
        return QUADS.format(iri=p.iri)

    return shapes


def rotating_shapes() -> dict[str, Shape]:
    """Shapes the predicates take in turn, EXTRA_SHAPES each, skipping those that do not
    apply; None where a shape does not apply to a predicate."""
    shapes: dict[str, Shape] = {
        name: dataset_shape(name, *spec) for name, spec in DATASET_SHAPES.items()
    }
    shape = registering(shapes)

    @shape("group-by-graph", "aggregate")
    def _(p: Predicate) -> str:
        return (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{p.iri}> ?o }} }} "
            "GROUP BY ?g %LIMIT%"
        )

    @shape("group-by-object", "aggregate")
    def _(p: Predicate) -> str:
        return (
            f"SELECT ?o (COUNT(?s) AS ?n) (SAMPLE(isLiteral(?o)) AS ?literal) "
            f"WHERE {{ ?s <{p.iri}> ?o }} GROUP BY ?o %LIMIT%"
        )

    @shape("filter", "filter")
    def _(p: Predicate) -> str:
        if "literal" in p.objects:
            test = 'isLiteral(?o) && (LANG(?o) != "" || STRLEN(STR(?o)) > 8)'
        elif "iri" in p.objects:
            test = f'isIRI(?o) && STRSTARTS(STR(?o), "{BASE}")'
        else:
            test = "isBlank(?o)"
        return f"SELECT ?s ?o WHERE {{ ?s <{p.iri}> ?o FILTER ({test}) }} %LIMIT%"

    @shape("optional", "optional")
    def _(p: Predicate) -> str:
        return (
            f"SELECT ?s ?o ?label WHERE {{ ?s <{p.iri}> ?o "
            f"OPTIONAL {{ ?o <{RDFS_LABEL}> ?label }} }} %LIMIT%"
        )

    @shape("path-plus", "path")
    def _(p: Predicate) -> str | None:
        if p.objects == {"literal"}:
            return None
        return f"SELECT ?s ?o WHERE {{ ?s <{p.iri}>+ ?o }} %LIMIT%"

    @shape("path-star", "path")
    def _(p: Predicate) -> str | None:
        if p.start is None:
            return None
        return f"SELECT ?o WHERE {{ <{p.start}> <{p.iri}>* ?o }} %LIMIT%"

    @shape("path-inverse", "path")
    def _(p: Predicate) -> str:
        return f"SELECT ?o ?s WHERE {{ ?o ^<{p.iri}> ?s }} %LIMIT%"

    @shape("path-sequence", "path")
    def _(p: Predicate) -> str | None:
        if p.follow is None:
            return None
        return f"SELECT ?s ?x WHERE {{ ?s <{p.iri}>/<{p.follow}> ?x }} %LIMIT%"

    @shape("ordered", "pattern")
    def _(p: Predicate) -> str | None:
        if "bnode" in p.objects | p.subjects:
            return None
        # SPARQL leaves the order of two literals with language tags undefined (15.1), so
        # the tag is a key of its own: "Алматы"@kk and "Алматы"@ru sort the same everywhere
        return (
            "SELECT ?s ?o (STR(?o) AS ?text) (LANG(?o) AS ?lang) WHERE { ?s <"
            + p.iri
            + "> ?o } ORDER BY ?s ?text ?lang ?o LIMIT 25"
        )

    return shapes


def generated(quads: list[ox.Quad]) -> list[Query]:
    """A few shapes for every predicate: the base ones, then EXTRA_SHAPES of the rotating
    ones, taken in a seeded order from a seeded start, so each shape meets many predicates."""
    base = pattern_shapes()
    rotating = rotating_shapes()
    order = sorted(rotating)
    random.Random(SEED).shuffle(order)
    queries: list[Query] = []
    for i, p in enumerate(predicates(quads)):
        for build in base.values():
            made = build(p)
            assert made is not None  # every predicate has the base shapes
            queries.append(made)
        taken = 0
        for step in range(len(order)):
            if taken == EXTRA_SHAPES:
                break
            made = rotating[order[(i * EXTRA_SHAPES + step) % len(order)]](p)
            if made is not None:
                queries.append(made)
                taken += 1
    return queries


def relative_iris(quads: list[ox.Quad]) -> list[Query]:
    """Relative IRIs resolve against the endpoint's own IRI; a BASE of the query's wins."""
    ours = sorted(
        value(q.subject)
        for q in quads
        if q.predicate.value == RDFS_LABEL
        and kind(q.subject) == "iri"
        and value(q.subject).startswith(BASE)
        and "#" not in value(q.subject)
    )[0][len(BASE) :]
    label = f"<{RDFS_LABEL}>"
    texts = {
        "str": "SELECT (STR(<x>) AS ?i) {}",
        "fragment": "SELECT (STR(<#here>) AS ?i) {}",
        "parent": "SELECT (STR(<../up/there>) AS ?i) {}",
        "absolute-path": "SELECT (STR(</root>) AS ?i) {}",
        "iri-function": 'SELECT (IRI("made") AS ?i) {}',
        "datatype": 'SELECT (STRDT("1", <own-type>) AS ?l) {}',
        "values": "SELECT ?x WHERE { VALUES ?x { <a> <b/c> } }",
        "in-pattern": "SELECT ?p ?o WHERE { <x> ?p ?o } LIMIT 10",
        "construct": f"CONSTRUCT {{ <s> <p> ?o }} WHERE {{ <{BASE}{ours}> {label} ?o }}",
        "construct-predicate": f"CONSTRUCT {{ ?s <related> ?o }} WHERE {{ ?s <{KG}partner> ?o }}",
        "own-base": f"BASE <{BASE}> SELECT ?p ?o WHERE {{ <{ours}> ?p ?o }} LIMIT {LIMIT}",
        "own-base-str": f"BASE <{BASE}> SELECT (STR(<x>) AS ?i) {{}}",
        "ask": 'ASK { FILTER (isIRI(<a/b>) && STRENDS(STR(<a/b>), "/a/b")) }',
    }
    return [query(f"relative/{name}", "relative", text) for name, text in sorted(texts.items())]


def dataset_wide() -> list[Query]:
    """What the dataset holds as a whole: its graphs, its counts, no bookkeeping of ours."""
    texts = {
        "graphs": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        "empty-graph-pattern": "SELECT ?g WHERE { GRAPH ?g { } }",
        "triples-per-graph": (
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        ),
        "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "distinct-triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT * { ?s ?p ?o } }",
        "predicates": f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} GROUP BY ?p LIMIT {LIMIT}",
        "version": f"SELECT ?s ?v WHERE {{ ?s <{SERVICE_VERSION}> ?v }}",
        "ask-version": f"ASK {{ GRAPH ?g {{ ?s <{SERVICE_VERSION}> ?v }} }}",
        "subjects-in-two-graphs": (
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } "
            "GRAPH ?b { ?s ?q ?x } FILTER (STR(?a) < STR(?b)) }"
        ),
        "same-triple-in-two-graphs": (
            "SELECT ?s ?p ?o ?a ?b WHERE { GRAPH ?a { ?s ?p ?o } GRAPH ?b { ?s ?p ?o } "
            f"FILTER (STR(?a) < STR(?b)) }} LIMIT {LIMIT}"
        ),
    }
    return [query(f"dataset/{name}", "dataset", text) for name, text in sorted(texts.items())]


def describes(quads: list[ox.Quad]) -> list[Query]:
    """DESCRIBE a few resources: one with evidence (blank nodes), a place, a class."""
    subjects: dict[str, str] = {}
    for predicate in (
        KG + "evidence",
        KG + "country",
        "http://www.w3.org/2000/01/rdf-schema#subClassOf",
    ):
        subjects[short(predicate)] = sorted(
            value(q.subject)
            for q in quads
            if q.predicate.value == predicate and kind(q.subject) == "iri"
        )[0]
    return [
        query(f"describe/{name}", "describe", f"DESCRIBE <{iri}>")
        for name, iri in sorted(subjects.items())
    ]


def files() -> list[Query]:
    """The competency questions and the benchmark mix, as they are."""
    cq = [query(f"cq/{p.stem}", "cq", p.read_text("utf-8")) for p in QUESTIONS]
    bench = [query(f"bench/{p.stem}", "bench", p.read_text("utf-8")) for p in BENCH_QUERIES]
    return cq + bench


def corpus(quads: list[ox.Quad]) -> list[Query]:
    """The whole corpus, sorted by id (ids are unique)."""
    made = files() + generated(quads) + relative_iris(quads) + dataset_wide()
    made += describes(quads)
    return sorted(made, key=lambda q: q.id)


def read_quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


@cache
def collected_corpus() -> list[Query]:
    """The corpus at collection time, when fixtures have not run yet: from a build of the
    same data in a folder of its own (the `built` fixture's, checked to give the same)."""
    from kg import config
    from kg.graph.dataset import assemble, write

    settings = config.load({})
    with tempfile.TemporaryDirectory() as folder:
        dataset = assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"], settings["SHAPES_DIR"])
        write(dataset, Path(folder))
        return corpus(read_quads(Path(folder) / "cakg.nq"))


CORPUS = collected_corpus()


# ---------------------------------------------------------------- answers, normalised

#: A term: ("iri", value), ("bnode", label), ("literal", lexical form, datatype, language)
Term = tuple[str, ...]
Row = tuple[Term | None, ...]


@dataclass
class Answer:
    kind: str  # boolean, solutions, graph, error
    variables: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None
    error: str = ""


def own(value: str, address: str | None) -> str:
    return value.replace(address, PLACEHOLDER) if address else value


def literal(value: str, datatype: str | None, language: str | None) -> Term:
    if language:
        return ("literal", value, RDF_LANG_STRING, language.lower())
    return ("literal", value, datatype or XSD_STRING, "")


def from_json(term: dict[str, str], address: str | None) -> Term:
    """A term of SPARQL JSON results (https://www.w3.org/TR/sparql11-results-json/)."""
    if term["type"] == "uri":
        return ("iri", own(term["value"], address))
    if term["type"] == "bnode":
        return ("bnode", term["value"])
    datatype = term.get("datatype")
    return literal(
        own(term["value"], address),
        own(datatype, address) if datatype else None,
        term.get("xml:lang"),
    )


def from_oxigraph(term: Any, address: str | None = None) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", own(term.value, address))
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    assert isinstance(term, ox.Literal), term
    return literal(own(term.value, address), own(term.datatype.value, address), term.language)


def triples_answer(triples: Any, address: str | None = None) -> Answer:
    """A graph: a set of triples (any repetition in the serialization counts once)."""
    rows = {
        (
            from_oxigraph(t.subject, address),
            from_oxigraph(t.predicate, address),
            from_oxigraph(t.object, address),
        )
        for t in triples
    }
    return Answer("graph", ("subject", "predicate", "object"), sorted(rows))


# ---------------------------------------------------------------- the reference


class Reference:
    """SPARQL over the quads of cakg.nq, as the spec and our promise say, with pyoxigraph
    alone: the named graphs are exactly the graphs of cakg.nq, the default graph is the RDF
    merge (each triple once) of the graphs the dataset takes it from. Like every Oxigraph
    store it keeps numbers and booleans in canonical form (``"1"^^xsd:positiveInteger`` is
    stored as ``"1"^^xsd:integer``), as the embedded server and `oxigraph serve` do too."""

    def __init__(self, quads: list[ox.Quad]) -> None:
        self.quads = quads
        self.graphs = sorted({value(q.graph_name) for q in quads})
        self._stores: dict[tuple[str, ...] | None, ox.Store] = {}

    def store(self, default: tuple[str, ...] | None) -> ox.Store:
        """A store with every graph named and, as its default graph, the merge of `default`
        (None: of all graphs). Oxigraph's own multi-graph default graph (FROM twice, several
        default graphs given) repeats a triple once per graph, so the merge is made here."""
        key = None if default is None else tuple(sorted(set(default)))
        if key not in self._stores:
            store = ox.Store()
            store.bulk_extend(self.quads)
            merged = {q.triple for q in self.quads if key is None or value(q.graph_name) in key}
            store.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in merged
            )
            self._stores[key] = store
        return self._stores[key]

    def answer(self, q: Query) -> Answer:
        if q.dataset is None:
            result = self.store(None).query(q.text, base_iri=ENDPOINT_IRI)
        else:
            default, named = q.dataset
            result = self.store(default).query(
                q.text,
                base_iri=ENDPOINT_IRI,
                default_graph=[ox.DefaultGraph()],
                named_graphs=[ox.NamedNode(g) for g in named],
            )
        if isinstance(result, ox.QueryBoolean):
            return Answer("boolean", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = tuple(v.value for v in result.variables)
            rows = [
                tuple(None if s[n] is None else from_oxigraph(s[n]) for n in names) for s in result
            ]
            return Answer("solutions", names, rows)
        return triples_answer(result)


# ---------------------------------------------------------------- asking a mode


@dataclass(frozen=True)
class Mode:
    name: str
    server: LiveServer
    client: requests.Session = field(default_factory=requests.Session)  # one, kept alive


def ask(mode: Mode, q: Query, graph: bool) -> Answer:
    """Ask the mode's endpoint as any client would: the protocol's POST form."""
    data = [("query", q.text)]
    data += [("default-graph-uri", g) for g in q.default_graph_uri]
    data += [("named-graph-uri", g) for g in q.named_graph_uri]
    r = mode.client.post(
        mode.server.endpoint,
        data=data,
        headers={"Accept": NTRIPLES if graph else SPARQL_JSON},
        timeout=60,
    )
    address = mode.server.url
    if r.status_code != 200:
        return Answer("error", error=f"HTTP {r.status_code}: {r.text[:400]}")
    if graph:
        return triples_answer(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES), address)
    body = json.loads(r.content)
    if "boolean" in body:
        return Answer("boolean", boolean=bool(body["boolean"]))
    names = tuple(body["head"]["vars"])
    rows = [
        tuple(from_json(b[n], address) if n in b else None for n in names)
        for b in body["results"]["bindings"]
    ]
    return Answer("solutions", names, rows)


# ---------------------------------------------------------------- comparing


def blank(row: Row) -> Row:
    """Blank nodes count as equal to each other."""
    return tuple(("bnode",) if t is not None and t[0] == "bnode" else t for t in row)


def show(row: Row) -> str:
    def one(t: Term | None) -> str:
        if t is None:
            return "UNDEF"
        if t[0] == "iri":
            return f"<{t[1]}>"
        if t[0] == "bnode":
            return "[]"
        if t[3]:
            return f"{json.dumps(t[1], ensure_ascii=False)}@{t[3]}"
        if t[2] == XSD_STRING:
            return json.dumps(t[1], ensure_ascii=False)
        return f"{json.dumps(t[1], ensure_ascii=False)}^^<{short(t[2])}>"

    return " ".join(one(t) for t in row)


_COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)
_IRI_OR_STRING = re.compile(r'<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'")
_KEY = re.compile(r"(?:ASC|DESC)?\s*\(\s*\?(\w+)\s*\)|\?(\w+)", re.IGNORECASE)


def order_keys(text: str) -> tuple[str, ...] | None:
    """The variables the outermost ORDER BY sorts on, if it sorts on variables only."""
    plain = _IRI_OR_STRING.sub("<>", _COMMENT.sub("", text))
    depth, at = 0, -1
    for i, c in enumerate(plain):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0 and plain[i : i + 5].upper() == "ORDER":
            at = i
    if at < 0:
        return None
    match = re.match(r"ORDER\s+BY\s+(.*?)\s*(?:LIMIT|OFFSET|VALUES|$)", plain[at:], re.I | re.S)
    if match is None:
        return None
    keys = match[1]
    found = [(m[1] or m[2]) for m in _KEY.finditer(keys)]
    if _KEY.sub("", keys).strip():  # an expression: no check of the order
        return None
    return tuple(found)


def differences(q: Query, expected: Answer, actual: Answer) -> list[str]:
    """Every way `actual` differs from `expected`, one line each (none: the same)."""
    if actual.kind == "error":
        return [actual.error]
    if actual.kind != expected.kind:
        return [f"a {actual.kind} answer, expected a {expected.kind} answer"]
    if expected.kind == "boolean":
        if actual.boolean != expected.boolean:
            return [f"ASK answered {actual.boolean}, expected {expected.boolean}"]
        return []
    lines = []
    if actual.variables != expected.variables:
        lines.append(f"variables {actual.variables}, expected {expected.variables}")
    want = Counter(blank(r) for r in expected.rows)
    got = Counter(blank(r) for r in actual.rows)
    if want != got:
        lines.append(f"{sum(got.values())} rows, expected {sum(want.values())}")
        for label, rows in (("missing", want - got), ("extra", got - want)):
            for row, n in sorted(rows.items(), key=lambda item: show(item[0]))[:8]:
                lines.append(f"  {label} {'×' + str(n) + ' ' if n > 1 else ''}{show(row)}")
            if len(rows) > 8:
                lines.append(f"  … {len(rows) - 8} more {label} rows")
    keys = order_keys(q.text)
    if not lines and keys and set(keys) <= set(expected.variables):
        at = [expected.variables.index(k) for k in keys]
        order = [tuple(blank(r)[i] for i in at) for r in expected.rows]
        if [tuple(blank(r)[i] for i in at) for r in actual.rows] != order:
            lines.append(f"the same rows in another order (ORDER BY {' '.join(keys)})")
    return lines


# ---------------------------------------------------------------- what a store cannot avoid

Mend = Callable[[Answer, Answer], tuple[Answer, Answer]]


@dataclass(frozen=True)
class Known:
    """A difference a store cannot avoid, and how to check that it is still just that.

    - `error`: the store refuses the query; the mode's answer is an error saying this.
    - `instead`: the store evaluates with other semantics; the mode's answer must equal the
      reference's under those (computed by this function).
    - `mend`: the store spells terms otherwise; (mode's answer, expected answer) are both
      read by value where it does, and must then be equal.
    - none of these: the answers may differ in any way (only that they differ is checked).
    A listed difference must be observed: an entry whose answers agree fails as stale."""

    reason: str
    error: str | None = None
    instead: Callable[[Reference, Query], Answer] | None = None
    mend: Mend | None = None

    @property
    def spelling(self) -> bool:
        """Only a way of reading values back (a store's spelling of the same values)."""
        return self.mend is not None and self.error is None and self.instead is None

    @property
    def checked(self) -> bool:
        return self.error is not None or self.instead is not None or self.mend is not None


def _terms(answer: Answer, change: Callable[[Term, int], Term]) -> Answer:
    rows = [
        tuple(None if t is None else change(t, i) for i, t in enumerate(r)) for r in answer.rows
    ]
    return Answer(answer.kind, answer.variables, rows, answer.boolean, answer.error)


def booleans_by_value(actual: Answer, expected: Answer) -> tuple[Answer, Answer]:
    """Virtuoso's 1 and 0 read back as booleans: xsd:integer ones in the columns where the
    reference has booleans, and the lexical forms 1 and 0 of xsd:boolean anywhere."""
    columns = {
        i
        for row in expected.rows
        for i, t in enumerate(row)
        if t is not None and t[0] == "literal" and t[2] == XSD_BOOLEAN
    }
    words = {"1": "true", "0": "false"}

    def change(t: Term, i: int) -> Term:
        if t[0] == "literal" and t[1] in words:
            if t[2] == XSD_BOOLEAN or (t[2] == XSD_INTEGER and i in columns):
                return ("literal", words[t[1]], XSD_BOOLEAN, "")
        return t

    return _terms(actual, change), expected


INTEGERS = {
    XSD + name
    for name in (
        "integer decimal long int short byte nonNegativeInteger positiveInteger "
        "nonPositiveInteger negativeInteger unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}


def numbers_by_value(actual: Answer, expected: Answer) -> tuple[Answer, Answer]:
    """Integers and decimals read as numbers, whatever their datatype among those."""

    def change(t: Term, i: int) -> Term:
        if t[0] == "literal" and t[2] in INTEGERS:
            return ("number", str(Decimal(t[1]).normalize()))
        return t

    return _terms(actual, change), _terms(expected, change)


def all_graphs_named(reference: Reference, q: Query) -> Answer:
    """The answer if the dataset's named graphs were every graph, whatever the query or the
    protocol names (the default graph staying as SPARQL makes it)."""
    assert q.dataset is not None
    return reference.answer(replace(q, dataset=(q.dataset[0], tuple(reference.graphs))))


def graph_by_graph(reference: Reference, q: Query) -> Answer:
    """The answer if a default graph of several graphs were their union, not their merge:
    for the one triple pattern of the from-two and protocol-default-two shapes, the answers
    of each graph alone, one after the other."""
    assert q.dataset is not None
    answers = [
        reference.answer(replace(q, dataset=((graph,), q.dataset[1]))) for graph in q.dataset[0]
    ]
    first = answers[0]
    rows = [row for answer in answers for row in answer.rows]
    return Answer(first.kind, first.variables, rows, first.boolean, first.error)


def unobservable(entry: Known, reference: Reference, q: Query, expected: Answer) -> bool:
    """Whether the other semantics of a listed difference give this query the reference's
    answer (two graphs that share no triple have the same union and merge)."""
    return entry.instead is not None and not differences(q, expected, entry.instead(reference, q))


#: The graph in which a remote store keeps the RDF merge (docs/remote-stores.md).
MERGE_GRAPH = "https://w3id.org/cakg/graph/merge"


def all_store_graphs_named(reference: Reference, q: Query) -> Answer:
    """As `all_graphs_named`, with the remote store's merge graph named too."""
    merge = ox.NamedNode(MERGE_GRAPH)
    extra = [
        ox.Quad(t.subject, t.predicate, t.object, merge)
        for t in {x.triple for x in reference.quads}
    ]
    return all_graphs_named(Reference(reference.quads + extra), q)


VIRTUOSO_BOOLEANS = (
    "Virtuoso has no boolean type: EXISTS, comparisons and xsd:boolean values come back as "
    "1 and 0 (xsd:integer, or xsd:boolean spelt 1; openlink/virtuoso-opensource#251; "
    "docs/remote-stores.md)"
)
VIRTUOSO_NUMBERS = (
    "Virtuoso keeps the datatype xsd:positiveInteger, which Oxigraph (the reference) stores as "
    "xsd:integer, and gives integers past 32 bits as xsd:decimal: the same numbers"
)

#: Virtuoso spells these values otherwise; compared by value, only where listed below
SPELLINGS = Known(
    f"{VIRTUOSO_BOOLEANS}; {VIRTUOSO_NUMBERS}",
    mend=lambda actual, expected: numbers_by_value(*booleans_by_value(actual, expected)),
)

#: {(mode, query id or fnmatch pattern): what differs and why}. Each entry must still be
#: observed in every query it names; the data's xsd:boolean, xsd:positiveInteger and large
#: xsd:integer values are listed query by query for that reason.
KNOWN: dict[tuple[str, str], Known] = {
    # a way of reading values back, not a claim that each query differs: see the test
    ("virtuoso", "*"): SPELLINGS,
    ("virtuoso", "*/path-plus"): Known(
        "Virtuoso 7 evaluates a one-or-more path only from a given start: with both ends "
        "variables it fails (its TR... error, our 502)",
        error="transitive start not given",
    ),
    ("virtuoso", "*/from-then-graph"): Known(
        "Virtuoso's GRAPH ?g ranges over every graph of the store (the service's merge among "
        "them) when the query has FROM and no FROM NAMED, where SPARQL 1.1 (13.2) leaves no "
        "named graph",
        instead=all_store_graphs_named,
    ),
    ("virtuoso", "*/protocol-default-then-graph"): Known(
        "Virtuoso's GRAPH ?g ranges over every graph of the store (the service's merge among "
        "them) when default-graph-uri is given and no named-graph-uri, where the SPARQL 1.1 "
        "Protocol's dataset has no named graph",
        instead=all_store_graphs_named,
    ),
    ("virtuoso", "relative/iri-function"): Known(
        'Virtuoso 7 does not resolve IRI("made") against the base: it answers the relative '
        "IRI, which is no RDF term (our 502)",
        error="No scheme found",
    ),
    **{
        (mode, pattern): Known(
            "a default graph made of several graphs (FROM twice, or default-graph-uri twice) "
            "is read as their union, a triple once per graph that states it, not as the RDF "
            "merge (SPARQL 1.1, 13.2): Oxigraph 0.5 and Virtuoso 7 alike; queries that name "
            "no graph get the merge, which the service keeps",
            instead=graph_by_graph,
        )
        for mode in ("embedded", "oxigraph", "virtuoso")
        for pattern in ("*/from-two", "*/protocol-default-two")
    },
    ("virtuoso", "dataset/empty-graph-pattern"): Known(
        "Virtuoso answers GRAPH ?g {} with one row instead of one per graph"
    ),
    **{
        ("virtuoso", f"describe/{p}"): Known(
            "DESCRIBE is Virtuoso's own description, not Oxigraph's (docs/remote-stores.md)"
        )
        for p in ("kg:country", "kg:evidence")
    },
}


def known(mode: str, query_id: str) -> list[Known]:
    return [
        entry
        for (name, pattern), entry in KNOWN.items()
        if name == mode and fnmatch.fnmatchcase(query_id, pattern)
    ]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def quads(built: Path) -> list[ox.Quad]:
    return read_quads(built / "cakg.nq")


@pytest.fixture(scope="module")
def reference(quads: list[ox.Quad]) -> Reference:
    return Reference(quads)


#: what each server is started with: no per-client budget to run out of in the corpus
SERVER_SETTINGS = {"QUERY_SECONDS_PER_MINUTE": 0, "MAX_CONCURRENT_PER_CLIENT": 8}


@pytest.fixture(scope="module", params=MODES)
def mode(
    request: pytest.FixtureRequest,
    built: Path,
    make_server: Callable[..., LiveServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Mode]:
    """Each mode in turn: the embedded server, then `kg serve` in front of each real store."""
    name = str(request.param)
    with mode_settings(name, built, tmp_path_factory) as store:
        made = Mode(name, make_server(**store, **SERVER_SETTINGS))
        try:
            yield made
        finally:
            made.client.close()


# ---------------------------------------------------------------- the tests


def test_the_corpus_is_large_sorted_and_from_the_built_dataset(quads: list[ox.Quad]) -> None:
    assert len(CORPUS) >= 200
    ids = [q.id for q in CORPUS]
    assert ids == sorted(set(ids))
    assert corpus(quads) == CORPUS  # the collection-time build gave the same corpus
    for q in CORPUS:  # whatever names graphs, the dataset SPARQL makes of it is worked out here
        names_graphs = re.search(r"\bFROM\b", q.text) or q.default_graph_uri or q.named_graph_uri
        assert (q.dataset is not None) == bool(names_graphs), q.id


def test_the_reference_follows_the_spec(quads: list[ox.Quad], reference: Reference) -> None:
    """The reference itself: the merge counts each triple once, FROM alone leaves no named
    graph, FROM NAMED alone an empty default graph, the protocol's dataset wins."""
    triples = {q.triple for q in quads}
    count = reference.answer(query("t", "t", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    assert count.rows == [(("literal", str(len(triples)), XSD_INTEGER, ""),)]
    graphs = reference.answer(query("t", "t", "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"))
    assert sorted(r[0][1] for r in graphs.rows if r[0]) == reference.graphs
    empty = [q for q in CORPUS if q.id.endswith(("-then-graph", "-then-default"))]
    assert empty and all(reference.answer(q).rows == [] for q in empty)
    for q in CORPUS:
        if q.id.endswith(("/from-two", "/protocol-default-two")):
            assert q.dataset is not None
            pair = set(q.dataset[0])
            predicate = re.findall(r"<([^>]+)>", q.text.split("WHERE")[1])[0]
            stated = {
                x.triple
                for x in quads
                if x.predicate.value == predicate and value(x.graph_name) in pair
            }
            assert len(reference.answer(q).rows) == len(stated), q.id


def test_every_known_difference_names_queries_of_the_corpus() -> None:
    for name, pattern in KNOWN:
        assert name in MODES
        assert any(fnmatch.fnmatchcase(q.id, pattern) for q in CORPUS), (name, pattern)


@pytest.mark.parametrize("q", CORPUS, ids=lambda q: q.id)
def test_same_answer_as_the_reference(mode: Mode, reference: Reference, q: Query) -> None:
    expected = reference.answer(q)
    if expected.kind == "solutions" and f"LIMIT {LIMIT}" in q.text:
        assert len(expected.rows) < LIMIT, "the LIMIT cuts the answer: raise it"
    actual = ask(mode, q, graph=expected.kind == "graph")
    found = differences(q, expected, actual)
    listed = known(mode.name, q.id)
    if not listed:
        assert not found, f"{mode.name} differs from the reference:\n" + "\n".join(found)
        return
    reasons = "; ".join(entry.reason for entry in listed)
    if not found and all(
        entry.spelling or unobservable(entry, reference, q, expected) for entry in listed
    ):
        return  # values a store spells otherwise, or semantics that agree, on this query
    assert found, f"stale KNOWN entry, the answers agree now: {reasons}"
    if not all(entry.checked for entry in listed):
        return  # a difference of any kind is known here
    for entry in listed:
        if entry.error is not None:
            assert actual.kind == "error" and entry.error in actual.error, (reasons, found)
            return
    for entry in listed:
        if entry.instead is not None:
            expected = entry.instead(reference, q)
    for entry in listed:
        if entry.mend is not None:
            actual, expected = entry.mend(actual, expected)
    left = differences(q, expected, actual)
    assert not left, f"{mode.name} differs beyond what is known ({reasons}):\n" + "\n".join(left)
