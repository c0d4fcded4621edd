"""Evaluate SPARQL with Oxigraph and write the answer within the row and byte limits.

A :class:`QueryJob` says what to run and how to answer; :func:`evaluate` runs it on an
Oxigraph store and writes an :class:`Answer`. The limits are checked while Oxigraph writes,
so no answer is ever silently cut short. Where the evaluation runs (a killable process) is
:mod:`.pool`'s concern; the remote store reuses the writers for what its store sends.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from .. import formats
from ..errors import NotAcceptable, QueryRefused, QuerySyntaxError, ResultTooLarge
from ..namespaces import BASE, PREFIXES
from .guard import check, unbound_prefix

RESULT_FORMATS = {
    formats.SPARQL_JSON: ox.QueryResultsFormat.JSON,
    formats.SPARQL_XML: ox.QueryResultsFormat.XML,
    formats.CSV: ox.QueryResultsFormat.CSV,
    formats.TSV: ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    formats.TURTLE: ox.RdfFormat.TURTLE,
    formats.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    formats.JSONLD: ox.RdfFormat.JSON_LD,
    formats.RDFXML: ox.RdfFormat.RDF_XML,
    formats.TRIG: ox.RdfFormat.TRIG,
    formats.NQUADS: ox.RdfFormat.N_QUADS,
}
_POSITION = re.compile(r"error at (\d+):(\d+)")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")

#: What the web layer asks for when it reads answers itself (pages, VoID, describe).
PLAIN = {"solutions": formats.SPARQL_JSON, "graph": formats.NTRIPLES}


def answer_kind(form: str | None) -> str:
    """Tell a graph-returning query from one returning solutions or a boolean, by its form."""
    # a query with no form is treated as solutions: the engine reports what is wrong with it
    return "graph" if form in GRAPH_FORMS else "solutions"


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate, with the answer's format and limits."""

    query: str
    # the media type of the answer per kind: {"solutions": …, "graph": …}
    accept: dict[str, str] = field(default_factory=lambda: dict(PLAIN))
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 100_000
    max_bytes: int = 50_000_000
    generation: int = 0  # the version of the submissions the answer must reflect
    names_graphs: bool = True  # False lets a query process answer from the merge alone
    #: False where every pattern is in a GRAPH block: the named graphs answer it, no merge
    reads_default: bool = True
    #: the query has a FROM or FROM NAMED of its own (the guard tells)
    states_dataset: bool = False
    #: the service's own bookkeeping: the whole store as it is, its own graphs included
    whole_store: bool = False
    #: what relative IRIs in the query resolve against: the endpoint's own IRI
    base_iri: str | None = None


#: How deep the service's own queries may nest: ours, so only a bound for the guard's scan.
OWN_QUERY_DEPTH = 256


def own_job(query: str, whole_store: bool = False) -> QueryJob:
    """A job for one of the service's own queries (pages, counts), routed as the endpoint
    routes an analyst's: by what the guard reads of it."""
    try:
        shape = check(query, max_depth=OWN_QUERY_DEPTH, local_graph_prefixes=(BASE,))
    except QueryRefused:  # not ours to refuse: the engine says what is wrong with it
        return QueryJob(query, whole_store=whole_store)
    return QueryJob(
        query,
        names_graphs=shape.names_graphs,
        states_dataset=shape.dataset,
        reads_default=shape.reads_default,
        whole_store=whole_store,
    )


@dataclass(frozen=True)
class Answer:
    """A written answer: its media type, body, the kind of result and how many rows."""

    media_type: str
    body: bytes
    kind: str
    rows: int


class Limit(Exception):
    """Raised from inside Oxigraph's writer to stop it at a limit."""


class BoundedWriter(io.RawIOBase):
    """A sink that counts lines and bytes as Oxigraph writes, and stops it past a limit."""

    def __init__(self, max_lines: int, max_bytes: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.max_lines = max_lines
        self.max_bytes = max_bytes

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        if self.lines > self.max_lines or self.size > self.max_bytes:
            raise Limit()
        self.chunks.append(chunk)
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def evaluate(store: ox.Store, job: QueryJob) -> Answer:
    """Run a query on a store and write its answer; raise HttpError for the client's mistakes."""
    default_graph, named_graphs = protocol_dataset(job)
    try:
        result = store.query(
            job.query,
            base_iri=job.base_iri,
            prefixes=PREFIXES,
            use_default_graph_as_union=False,  # the default graph holds the merge
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
    except SyntaxError as exc:
        raise syntax_error(job.query, str(exc)) from None
    return write_result(result, job)


def protocol_dataset(
    job: QueryJob,
) -> tuple[
    list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None,
    list[ox.NamedNode | ox.BlankNode] | None,
]:
    """(default graphs, named graphs) the protocol names (default-graph-uri, named-graph-uri),
    if it names a dataset: then it is the whole dataset, so a list it leaves out is empty
    (SPARQL 1.1 Protocol, 2.1.4), not "every graph" as the engine's API reads None."""
    if not job.default_graphs and not job.named_graphs:
        return None, None
    return [ox.NamedNode(g) for g in job.default_graphs], [
        ox.NamedNode(g) for g in job.named_graphs
    ]


#: An update's first word, past the prologue and comments: what a query may not begin with.
_UPDATE = re.compile(
    r"(?:\s|#[^\n]*\n|(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)


def syntax_error(query: str, text: str) -> QuerySyntaxError:
    """One line a person can act on, from Oxigraph's message (which may run over lines)."""
    unbound = unbound_prefix(query, PREFIXES)
    if unbound:  # Oxigraph says only what it expected instead, if anything
        prefix, line, column = unbound
        return QuerySyntaxError(
            f'the query does not parse: prefix "{prefix}:" is not bound '
            f"(declare it: PREFIX {prefix}: <…>)",
            line=line,
            column=column,
        )
    match = _POSITION.search(text)
    found_line, found_column = (int(match[1]), int(match[2])) if match else (None, None)
    if _UPDATE.match(query):  # Oxigraph said "expected CONSTRUCT", or the like
        return QuerySyntaxError(
            "the query does not parse: this is SPARQL Update, and this endpoint answers "
            "queries only (SELECT, ASK, CONSTRUCT, DESCRIBE); the data is changed by curators "
            "through /submissions",
            line=found_line,
            column=found_column,
        )
    detail = " ".join(_POSITION.sub("", text).lstrip(": ").split()) or "invalid query"
    if len(detail) > 240:  # Oxigraph lists every character class it expected
        detail = detail[:240].rsplit(",", 1)[0] + ", …"
    return QuerySyntaxError(
        f"the query does not parse: {detail}", line=found_line, column=found_column
    )


def write_result(
    result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples, job: QueryJob
) -> Answer:
    """Write a query's result in the format the client asked for, within the job's limits."""
    if isinstance(result, ox.QueryBoolean):
        media = job.accept["solutions"]
        return Answer(media, result.serialize(format=RESULT_FORMATS[media]) or b"", "boolean", 1)
    if isinstance(result, ox.QuerySolutions):
        return _write_solutions(result, job)
    return _write_graph(result, job)


def _write_solutions(result: ox.QuerySolutions, job: QueryJob) -> Answer:
    # TSV has one line per row (newlines in values are escaped), so counting lines while
    # Oxigraph writes it counts rows exactly; other formats are converted from it.
    sink = BoundedWriter(job.max_rows + 1, job.max_bytes)
    try:
        result.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    except Limit:
        raise too_large(sink, job) from None
    return solutions_from_tsv(sink, job)


def solutions_from_tsv(sink: BoundedWriter, job: QueryJob) -> Answer:
    """Write rows counted and held as TSV in the format the client asked for."""
    rows = max(0, sink.lines - 1)
    media = job.accept["solutions"]
    body = sink.getvalue()
    if media != formats.TSV:
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
        body = parsed.serialize(format=RESULT_FORMATS[media]) or b""
    if len(body) > job.max_bytes:
        raise too_large(sink, job)
    return Answer(media, body, "solutions", rows)


def _write_graph(result: ox.QueryTriples, job: QueryJob) -> Answer:
    sink = BoundedWriter(job.max_rows, job.max_bytes)
    try:
        result.serialize(sink, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    except Limit:
        raise too_large(sink, job) from None
    return graph_from_ntriples(sink, job)


def graph_from_ntriples(sink: BoundedWriter, job: QueryJob) -> Answer:
    """Write triples counted and held as N-Triples in the format the client asked for."""
    media = job.accept["graph"]
    body = sink.getvalue()
    if media != formats.NTRIPLES:
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        prefixes = used_prefixes(triples) if media in (formats.TURTLE, formats.TRIG) else None
        try:
            body = ox.serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes) or b""
        except (OSError, ValueError) as exc:  # JSON-LD has no RDF 1.2 triple terms, say
            raise NotAcceptable(
                f"the answer cannot be written as {media}: {exc}; ask for N-Triples or Turtle",
                allowed=(formats.NTRIPLES, formats.TURTLE),
            ) from None
    if len(body) > job.max_bytes:
        raise too_large(sink, job)
    return Answer(media, body, "graph", sink.lines)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Literals Turtle writes bare (``1``, ``1.5``, ``1e0``, ``true``), by their lexical form in
#: Turtle's grammar: these need no ``xsd:``. https://www.w3.org/TR/turtle/#abbrev
_NATIVE = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}
#: Datatypes Turtle never writes: plain and language-tagged strings.
_IMPLICIT = (_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The predeclared prefixes the triples' Turtle will use: declaring all of them put 33
    unused ``@prefix`` lines before a 5-triple answer (issue 15)."""
    iris: set[str] = set()
    for triple in triples:
        _collect(triple, iris)
    return {
        name: namespace
        for name, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }


def _collect(triple: ox.Triple, iris: set[str]) -> None:
    """Add the IRIs Turtle writes as names: rdf:type as a predicate is written ``a``, and a
    literal's datatype only where the literal is not written bare."""
    if triple.predicate.value != _RDF_TYPE:
        iris.add(triple.predicate.value)
    for term in (triple.subject, triple.object):
        if isinstance(term, ox.NamedNode):
            iris.add(term.value)
        elif isinstance(term, ox.Literal):
            datatype = term.datatype.value
            native = _NATIVE.get(datatype)
            if datatype not in _IMPLICIT and not (native and native.fullmatch(term.value)):
                iris.add(datatype)
        elif isinstance(term, ox.Triple):  # RDF-star: a quoted triple
            _collect(term, iris)


def too_large(sink: BoundedWriter, job: QueryJob) -> ResultTooLarge:
    if sink.lines > job.max_rows:
        return ResultTooLarge(
            f"the result has more than {job.max_rows} rows (the server's limit); "
            "add a LIMIT or narrow the query"
        )
    return ResultTooLarge(
        f"the result is larger than {job.max_bytes} bytes (the server's limit); "
        "add a LIMIT or select fewer variables"
    )
