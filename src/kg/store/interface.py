"""What the web layer may ask of a store, embedded or remote, typed once.

:class:`Store` is the one interface the pages, VoID, describe, the endpoint and curation
use; :class:`EmbeddedStore <kg.store.embedded.EmbeddedStore>` and
:class:`RemoteStore <kg.store.remote.RemoteStore>` implement it. The read helpers
(:meth:`~StoreQueries.select`, :meth:`~StoreQueries.ask`, :meth:`~StoreQueries.construct`,
:meth:`~StoreQueries.describe`) are written once in :class:`StoreQueries`, on top of the
store's engine, and return plain Python values or rdflib graphs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import NotFound
from ..namespaces import bind_prefixes
from .engine import Answer, QueryJob, own_job
from .submissions import Submission

Row = dict[str, str]


@dataclass(frozen=True)
class Inventory:
    """What the served dataset is at one moment, read at once: on a remote store each look at
    the version is a round trip, so a request that needs two of these reads them together."""

    version: str  # a hash that changes with the data (build and submissions)
    modified: datetime
    graphs: frozenset[str]  # the named graphs of the served dataset
    triples: int  # in the RDF merge: a triple two graphs state counts once, as VoID counts
    quads: int  # the statements of every graph: that triple counts twice


#: A resource, its blank nodes two levels down and the labels of what it points to (with the
#: names in other languages that pages choose from): what it says itself. Evidence and roles
#: are IRIs (issue 13) but shown as a blank node would be: their quote and selectors come along.
OWN_TEMPLATE = """
  ?x ?p ?o . ?o ?bp ?bo . ?bo ?bp2 ?bo2 .
  ?o ?olp ?ol . ?bo rdfs:label ?bol . ?bo2 rdfs:label ?bol2 ."""
OWN_PATTERN = """
  { ?x ?p ?o . OPTIONAL { VALUES ?olp { rdfs:label skos:prefLabel kg:roleName } ?o ?olp ?ol } }
  UNION
  { ?x ?p ?o . FILTER(isBlank(?o) || ?p IN (kg:evidence, kg:role))
    ?o ?bp ?bo . OPTIONAL { ?bo rdfs:label ?bol }
    OPTIONAL { FILTER(isBlank(?bo) || ?bp = kg:evidence)
      ?bo ?bp2 ?bo2 . OPTIONAL { ?bo2 rdfs:label ?bol2 } } }"""
#: What the resource says itself, without what points to it: an HTML page fetches that apart,
#: a few of each kind (a country has 20,000 at 1M quads).
OWN = "CONSTRUCT {" + OWN_TEMPLATE + "\n} WHERE {" + OWN_PATTERN + "\n}\n"
#: What it says itself and what points to it, with the names and classes of those: what a
#: dereferenced IRI answers (bounded by the engine's limits on a result, not by a count).
DESCRIBE = (
    "CONSTRUCT {"
    + OWN_TEMPLATE
    + "\n  ?s ?ip ?x . ?s ?slp ?sl . ?s a ?st .\n} WHERE {"
    + OWN_PATTERN
    + """
  UNION
  { ?s ?ip ?x . FILTER isIRI(?s)
    OPTIONAL { VALUES ?slp { rdfs:label skos:prefLabel kg:roleName } ?s ?slp ?sl }
    OPTIONAL { ?s a ?st } }
}
"""
)


@dataclass(frozen=True)
class Processes:
    """How the local query processes are made and how they fared, for /health and /metrics."""

    kind: str  # "forked" from a fork server, "spawned" each with its load, "none" (remote)
    restarts: int = 0  # replaced after dying or overrunning the deadline
    retired: int = 0  # forked ones replaced for the memory they no longer share
    server_starts: int = 0  # fork servers started, each loading the dataset
    server_mb: int = 0  # the running fork server's size
    budget_mb: int = 0  # the private memory it lets each process gather; 0: no limit
    merging: bool = False  # KSM merges the pages they copied back with the fork server's


class QueryEngine(Protocol):
    """What evaluates a job: the local query pool, or the remote store's endpoint."""

    @property
    def size(self) -> int:
        """How many local query processes answer (0 for a remote store)."""
        ...

    @property
    def confinement(self) -> str:
        """What query evaluation is confined to here (see sandbox.py), for /health."""
        ...

    @property
    def recent_crashes(self) -> int:
        """Query processes that died while answering in the last minute (0 for a remote)."""
        ...

    @property
    def ready(self) -> int:
        """Local query processes ready for a job; a replaced one is not until it has loaded."""
        ...

    @property
    def processes(self) -> Processes:
        """How the local query processes are made and how they fared."""
        ...

    def run(self, job: QueryJob, timeout: float) -> Answer: ...

    def work_seconds(self) -> float:
        """How long the last job this thread ran was evaluated, not counting any wait for a
        free process: what a client's query budget is charged."""
        ...


class Submissions(Protocol):
    """Accepted submissions, each a named graph with its provenance."""

    def new_id(self) -> str: ...

    def ids(self) -> list[str]: ...

    def describe(self, submission_id: str) -> Submission: ...

    def content(self, submission_id: str) -> Graph: ...

    def describers(self, subjects: frozenset[str]) -> list[tuple[str, str, str]]:
        """(submission, curator, subject) for each submission describing one of `subjects`."""
        ...

    def write(self, submission_id: str, data: bytes) -> None:
        """Store a submission prepared by :func:`kg.store.submissions.prepare`."""
        ...

    def remove(self, submission_id: str) -> bool: ...


class Store(Protocol):
    """The served dataset: read it, describe it, and record curators' writes."""

    @property
    def engine(self) -> QueryEngine:
        """What runs queries: the local query pool, or the remote endpoint."""
        ...

    @property
    def submissions(self) -> Submissions: ...

    @property
    def quarantined(self) -> list[str]:
        """Submissions set aside at start because the engine could not load them."""
        ...

    @property
    def write_lock(self) -> AbstractContextManager[Any]:
        """Held while a write is validated and committed: one writer at a time (in a remote
        store, across every copy of the service)."""
        ...

    @property
    def timeout(self) -> float:
        """The default deadline of the read helpers, in seconds."""
        ...

    @property
    def version(self) -> str:
        """A hash that changes with the data (build and submissions)."""
        ...

    @property
    def modified(self) -> datetime: ...

    @property
    def graphs(self) -> frozenset[str]:
        """The named graphs of the served dataset."""
        ...

    @property
    def triples(self) -> int: ...

    def inventory(self) -> Inventory:
        """Version, modification time, graphs and size, read together."""
        ...

    def start(self) -> None: ...

    def close(self) -> None: ...

    def select(self, query: str, timeout: float | None = None) -> list[Row]: ...

    def ask(self, query: str, timeout: float | None = None) -> bool: ...

    def construct(self, query: str, timeout: float | None = None) -> Graph: ...

    def construct_ntriples(self, query: str, timeout: float | None = None) -> bytes: ...

    def describe(self, iri: str) -> Graph: ...

    def describe_ntriples(self, iri: str) -> bytes: ...

    def named_graph(self, name: str) -> Graph: ...

    def named_graph_ntriples(self, name: str) -> bytes: ...

    def graph(self) -> Graph:
        """The whole dataset as one rdflib graph: the context additions are validated in."""
        ...

    def quads(self) -> list[ox.Quad]:
        """Every quad served, in memory (for validation; the dumps read :meth:`nquads`)."""
        ...

    def nquads(self, scratch: Path) -> list[Path]:
        """N-Quads files that together hold every quad served, for the dumps' writing process
        (kg.store.dumps): the store's own files, or files it writes into `scratch`, a folder
        removed once the dumps are written."""
        ...

    def added(self, submission_id: str) -> None: ...

    def removed(self, content: Graph) -> None: ...


class StoreQueries:
    """The read helpers of :class:`Store`, written once over ``self.engine``."""

    engine: QueryEngine
    timeout: float

    def _run(self, query: str, timeout: float | None, whole_store: bool = False) -> bytes:
        job = own_job(query, whole_store)
        return self.engine.run(job, self.timeout if timeout is None else timeout).body

    def select(
        self, query: str, timeout: float | None = None, *, whole_store: bool = False
    ) -> list[Row]:
        """Rows of a SELECT as ``{variable: lexical value}``; unbound variables are left out.
        `whole_store`: over the store as it is, with the service's own graphs."""
        data = json.loads(self._run(query, timeout, whole_store))
        return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]

    def ask(self, query: str, timeout: float | None = None, *, whole_store: bool = False) -> bool:
        return bool(json.loads(self._run(query, timeout, whole_store))["boolean"])

    def construct(self, query: str, timeout: float | None = None) -> Graph:
        """The graph a CONSTRUCT or DESCRIBE answers, with the project's prefixes bound."""
        return ntriples_graph(self.construct_ntriples(query, timeout))

    def construct_ntriples(self, query: str, timeout: float | None = None) -> bytes:
        """The N-Triples a CONSTRUCT or DESCRIBE answers, as the engine wrote them: what a
        large description is rewritten from in native code, never becoming an rdflib graph
        (parsing 57,000 triples into one took 2.3 s of the web process)."""
        return self._run(query, timeout)

    def describe(self, iri: str) -> Graph:
        """What the store knows about a resource (an empty graph if nothing)."""
        return ntriples_graph(self.describe_ntriples(iri))

    def describe_ntriples(self, iri: str) -> bytes:
        """:meth:`describe` as N-Triples (nothing if nothing is known)."""
        return self.construct_ntriples(DESCRIBE.replace("?x", sparql_iri(iri)))

    def named_graph(self, name: str) -> Graph:
        """The triples of one named graph (empty if there is no such graph)."""
        return ntriples_graph(self.named_graph_ntriples(name))

    def named_graph_ntriples(self, name: str) -> bytes:
        """:meth:`named_graph` as N-Triples (nothing if there is no such graph)."""
        return self.construct_ntriples(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(name)} {{ ?s ?p ?o }} }}"
        )


def ntriples_graph(data: bytes) -> Graph:
    """N-Triples as an rdflib graph, with the project's prefixes bound."""
    graph = bind_prefixes(Graph())
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def valid_iri(text: str) -> str | None:
    """The text if the engine reads it as an IRI, else None: a request's own URL (its Host
    header is the client's to choose) becomes a query's base only so."""
    try:
        return ox.NamedNode(text).value
    except ValueError:
        return None


def sparql_iri(iri: str) -> str:
    """An IRI written for SPARQL text, as the engine's own IRI parser reads it: text from a
    request path is never pasted into a query as it came (issue 11, finding 8)."""
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        raise NotFound(f"{iri} is not an IRI ({exc})") from None


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_triple(statement: ox.Quad | ox.Triple) -> tuple[Node, Node, Node]:
    """An Oxigraph statement's triple in rdflib's terms."""

    def term(t: Any) -> Node:
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == _XSD_STRING:  # a simple literal, as rdflib's parsers read it:
            return Literal(t.value)  # with the datatype written out, it equalled no parsed one
        return Literal(t.value, datatype=URIRef(t.datatype.value))

    return term(statement.subject), term(statement.predicate), term(statement.object)


def rdflib_merge(quads: Iterable[ox.Quad]) -> Graph:
    """The RDF merge of quads (each triple once, graph names dropped) as an rdflib graph."""
    graph = bind_prefixes(Graph())
    for triple in {q.triple for q in quads}:
        graph.add(rdflib_triple(triple))
    return graph
