"""A remote store reached only through the W3C protocols, so that any number of stateless
copies of the server can stand in front of one triple store.

SPARQL 1.1 Query (https://www.w3.org/TR/sparql11-protocol/), Update
(https://www.w3.org/TR/sparql11-update/) and the Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/) at URLs the operator gives. Every query is
sent with its dataset, so that every store answers as the embedded one: the query's own FROM
and FROM NAMED (the store must honour them), else the protocol's, else ours: the RDF merge
of the data graphs, which every write keeps in a graph of its own, as the default graph, and
the data graphs as the named graphs. The service's own graphs (the merge, the version) are
never in a query's dataset. Nothing is kept in the server between requests but caches keyed
by a version triple that every writer moves on.
"""

from __future__ import annotations

import json
import logging
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
from rdflib import Graph, URIRef

from .. import formats
from ..config import ConfigError
from ..errors import Busy, HttpError, QuerySyntaxError, QueryTimeout
from ..graph.dataset import strip_provenance
from ..namespaces import DATASET, MERGE_GRAPH, PREFIXES, SERVICE_GRAPH
from .dumps import nquads_file
from .engine import (
    Answer,
    BoundedWriter,
    Limit,
    QueryJob,
    answer_kind,
    graph_from_ntriples,
    solutions_from_tsv,
    too_large,
    write_result,
)
from .guard import query_form
from .interface import Inventory, Processes, StoreQueries, rdflib_merge
from .submissions import (
    Submission,
    check_loadable,
    describe_graph,
    graph_iri,
    new_id,
)

SERVICE = str(SERVICE_GRAPH)  # compared with plain strings from results
MERGE = str(MERGE_GRAPH)
#: The service's own graphs in the store, never data.
OWN_GRAPHS = frozenset((SERVICE, MERGE))
#: A graph no one writes: a query FROM it must find nothing, or the store ignores FROM.
PROBE = MERGE + "/probe-never-written"
CHUNK = 1 << 16
log = logging.getLogger(__name__)


class StoreUnavailable(HttpError):
    status = 503
    code = "store_unavailable"


#: Virtuoso's SPARQL endpoint runs updates in autocommit mode without its transaction log: a
#: restart (SIGTERM, as a service manager stops it) lost acknowledged writes, half an event at a
#: time. `sql:log-enable 3` keeps autocommit and logs each transaction, so that a restart
#: replays it (https://docs.openlinksw.com/virtuoso/fn_log_enable/).
VIRTUOSO_UPDATE_PRAGMAS = "DEFINE sql:log-enable 3\n"


def _prologue(base_iri: str | None = None) -> str:
    """The predeclared prefixes, and the base the query's relative IRIs resolve against (ours,
    never the store's address); a BASE of the query's own comes later and wins."""
    base = f"BASE <{base_iri}>\n" if base_iri else ""
    return base + "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


#: A query that opens with a BASE of its own (after spaces and comments).
_OWN_BASE = re.compile(r"(?:[ \t\r\n]++|\#[^\r\n]*+)*+BASE[ \t\r\n]*+<[^<>]*+>", re.IGNORECASE)


def with_prologue(query: str, base_iri: str | None = None) -> str:
    """The query with our prologue: after its own opening BASE, if it has one, which then is
    the only base (Virtuoso 7 takes a BASE only at the start of the prologue)."""
    own = _OWN_BASE.match(query)
    if own is None:
        return _prologue(base_iri) + query
    return query[: own.end()] + "\n" + _prologue() + query[own.end() :]


class StoreFailed(HttpError):
    """The store failed on this query (its 500), which trying again will not mend."""

    status = 502
    code = "store_failed"


#: How much larger than our byte limit the store's JSON may be before we stop reading it:
#: JSON spells each term out at length, TSV (what the limit counts) does not.
JSON_OVERHEAD = 4


class RemoteEngine:
    """Runs jobs on the remote endpoint; answers are counted and limited as they arrive."""

    size = 0  # no local query processes
    confinement = "the remote store's own"  # no local evaluation to confine
    recent_crashes = 0  # no local query processes to die
    ready = 0
    processes = Processes("none")

    def __init__(
        self,
        session: requests.Session,
        query_url: str,
        results: str = "tsv",
        data_graphs: Callable[[], Iterable[str]] = frozenset,
    ) -> None:
        self.session = session
        self.query_url = query_url
        self.data_graphs = data_graphs
        # a store whose TSV is not W3C's (Virtuoso 7 quotes IRIs as strings) is asked for JSON
        self.results = formats.TSV if results == "tsv" else formats.SPARQL_JSON
        self._work = threading.local()

    def work_seconds(self) -> float:
        return float(getattr(self._work, "seconds", 0.0))

    def run(self, job: QueryJob, timeout: float) -> Answer:
        started = time.monotonic()
        try:
            return self._run(job, timeout)
        finally:
            self._work.seconds = time.monotonic() - started  # the store's work, and the way

    def _run(self, job: QueryJob, timeout: float) -> Answer:
        form = query_form(job.query)
        kind = answer_kind(form)
        accept = self.results if kind == "solutions" else formats.NTRIPLES
        if form == "ASK":
            accept = formats.SPARQL_JSON
        data: dict[str, Any] = {
            "query": with_prologue(job.query, job.base_iri),
            **self.dataset(job),
        }
        with self._request(
            "POST", self.query_url, timeout, data=data, headers={"Accept": accept}
        ) as response:
            try:
                return self._answer(response, form, kind, job)
            except (SyntaxError, ValueError) as exc:  # the store's answer, not the query
                raise StoreFailed(f"the store's answer could not be read: {exc}") from None

    def dataset(self, job: QueryJob) -> dict[str, list[str]]:
        """The dataset to send with a job: the protocol's, else none (the query names its own,
        or the service reads its bookkeeping), else the merge and the data graphs."""
        if job.default_graphs or job.named_graphs:  # a list left out is empty: as sent
            return {
                "default-graph-uri": list(job.default_graphs),
                "named-graph-uri": list(job.named_graphs),
            }
        if job.states_dataset or job.whole_store:
            return {}
        return {"default-graph-uri": [MERGE], "named-graph-uri": sorted(self.data_graphs())}

    def _answer(
        self, response: requests.Response, form: str | None, kind: str, job: QueryJob
    ) -> Answer:
        if form == "ASK" or (kind == "solutions" and self.results == formats.SPARQL_JSON):
            # JSON is read whole (within a looser byte limit); what is written from it meets
            # the same row and byte limits as any other answer
            body = _read(response, JSON_OVERHEAD * job.max_bytes, job).getvalue()
            result = _parse_json_results(body)
            return write_result(_as_boolean(result) if form == "ASK" else result, job)
        if kind == "solutions":
            return solutions_from_tsv(_read(response, job.max_bytes, job, job.max_rows + 1), job)
        return graph_from_ntriples(_read(response, job.max_bytes, job, job.max_rows), job)

    @contextmanager
    def _request(self, method: str, url: str, timeout: float, **kwargs: Any) -> Iterator[Any]:
        try:
            response = self.session.request(
                method, url, timeout=(3, timeout), stream=True, **kwargs
            )
        except requests.Timeout:
            raise QueryTimeout(
                f"the store did not answer within {timeout:g} s", retry_after=5
            ) from None
        except requests.ConnectionError:
            raise StoreUnavailable(
                "the triple store cannot be reached; try again shortly", retry_after=5
            ) from None
        try:
            if response.status_code == 400:
                raise QuerySyntaxError(f"the store refused the query: {response.text[:500]}")
            if response.status_code == 500:
                raise StoreFailed(f"the store failed on the query: {response.text[:500]}")
            if response.status_code > 500 or response.status_code in (401, 403, 404):
                raise StoreUnavailable(
                    f"the triple store answered {response.status_code}; try again shortly",
                    retry_after=5,
                )
            yield response
        finally:
            response.close()


def _read(
    response: requests.Response, max_bytes: int, job: QueryJob, max_lines: int = 1 << 62
) -> BoundedWriter:
    """The store's answer as it arrives, stopped at the first line or byte past a limit."""
    sink = BoundedWriter(max_lines, max_bytes)
    try:
        for chunk in response.iter_content(CHUNK):
            sink.write(chunk)
    except Limit:
        raise too_large(sink, job) from None
    return sink


def _parse_json_results(body: bytes) -> ox.QueryBoolean | ox.QuerySolutions:
    if b'"bnode"' in body:
        body = _plain_blank_nodes(body)
    return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)


_NOT_IN_BLANK_NODE_LABEL = re.compile(r"[^A-Za-z0-9_]")


def _plain_blank_nodes(body: bytes) -> bytes:
    """Virtuoso labels blank nodes `nodeID://b10001` in results, which is no blank node label
    (https://www.w3.org/TR/sparql11-results-json/#select-encode-terms); rename them alike."""
    data = json.loads(body)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = _NOT_IN_BLANK_NODE_LABEL.sub("_", term["value"])
    return json.dumps(data).encode()


def _as_boolean(result: ox.QueryBoolean | ox.QuerySolutions) -> ox.QueryBoolean:
    """Virtuoso 7 answers ASK as a table with a row for true and none for false
    (openlink/virtuoso-opensource#1016), so a table counts as that."""
    if isinstance(result, ox.QueryBoolean):
        return result
    value = any(True for _ in result)
    boolean = ox.parse_query_results(
        json.dumps({"head": {}, "boolean": value}).encode(), ox.QueryResultsFormat.JSON
    )
    assert isinstance(boolean, ox.QueryBoolean)
    return boolean


class RemoteSubmissions:
    """Submissions as named graphs of the remote store, written by the Graph Store protocol."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store

    def new_id(self) -> str:
        return new_id()

    def ids(self) -> list[str]:
        rows = self.store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a kg:Submission } } ORDER BY ?g",
            whole_store=True,  # what the store holds now, whatever this copy last read
        )
        prefix = graph_iri("")
        return [row["g"][len(prefix) :] for row in rows if row["g"].startswith(prefix)]

    def _graph(self, submission_id: str) -> Graph:
        text = self.store.gsp("GET", graph_iri(submission_id), accept="application/n-triples")
        graph = Graph()
        graph.parse(data=text, format="nt")
        return graph

    def describe(self, submission_id: str) -> Submission:
        return describe_graph(submission_id, self._graph(submission_id))

    def content(self, submission_id: str) -> Graph:
        return strip_provenance(URIRef(graph_iri(submission_id)), self._graph(submission_id))

    def describers(self, subjects: frozenset[str]) -> list[tuple[str, str, str]]:
        """(submission, curator, subject) for each submission describing one of `subjects`:
        a query per 500 subjects, however many submissions there are."""
        found = []
        ordered = sorted(subjects)
        for start in range(0, len(ordered), 500):
            values = " ".join(f"<{s}>" for s in ordered[start : start + 500])
            found += self.store.select(
                f"""SELECT DISTINCT ?g ?who ?s WHERE {{ VALUES ?s {{ {values} }}
                GRAPH ?g {{ ?s ?p ?o . ?g prov:wasAttributedTo ?a . ?a rdfs:label ?who }}
                FILTER (STRSTARTS(STR(?g), "{graph_iri("")}")) }}""",
                whole_store=True,
            )
        prefix = len(graph_iri(""))
        return sorted((row["g"][prefix:], row["who"], row["s"]) for row in found)

    def write(self, submission_id: str, data: bytes) -> None:
        """Store a prepared submission (N-Quads of its one graph) as that named graph, and
        its triples in the merge, in one update request: one transaction in the store."""
        check_loadable(data, "this submission")
        triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)]
        graph = graph_iri(submission_id)
        inserts = " ;\n".join(_inserts(graph, triples))
        self.store.update(f"{_forget(graph)} ;\n{inserts} ;\n{_merge(graph)} ;\n{_bump()}")

    def remove(self, submission_id: str) -> bool:
        self.store.update(f"{_forget(graph_iri(submission_id))} ;\n{_bump()}")
        return True


#: Triples per INSERT: Virtuoso 7 refuses a template of more than about 1,200 ("the length of
#: generated SQL text has exceeded 10000 lines of code"), and a submission may hold 10,000.
INSERT_CHUNK = 500


def _inserts(graph: str, triples: list[ox.Triple]) -> Iterator[str]:
    """Update operations that put `triples` into `graph`, at most INSERT_CHUNK triples each
    where blank nodes allow: a blank node is fresh in each operation, so each one goes with
    every statement it is in (its connected part of the graph), in one template (Virtuoso 7
    refuses blank nodes in INSERT DATA)."""
    parts = _blank_node_parts(triples)
    chunk: list[ox.Triple] = []
    for part in parts:
        if chunk and len(chunk) + len(part) > INSERT_CHUNK:
            yield _insert(graph, chunk)
            chunk = []
        chunk += part
    if chunk:
        yield _insert(graph, chunk)


def _insert(graph: str, triples: list[ox.Triple]) -> str:
    body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    return f"INSERT {{ GRAPH <{graph}> {{\n{body}}} }} WHERE {{}}"


def _blank_node_parts(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """The triples grouped so that triples sharing a blank node are in one group (union-find
    over blank nodes); a triple with none is a group of its own."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def blanks(triple: ox.Triple) -> list[str]:
        return [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]

    found = [(triple, blanks(triple)) for triple in triples]
    for _, nodes in found:
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
    groups: dict[str, list[ox.Triple]] = {}
    alone: list[list[ox.Triple]] = []
    for triple, nodes in found:
        if nodes:
            groups.setdefault(find(nodes[0]), []).append(triple)
        else:
            alone.append([triple])
    return [*groups.values(), *alone]


def _forget(graph: str) -> str:
    """Update text: drop a graph, and from the merge what no other data graph states."""
    return f"""DELETE {{ GRAPH <{MERGE}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }}
    FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }}
        FILTER (?other NOT IN (<{graph}>, <{MERGE}>, <{SERVICE}>)) }} }} ;
DROP SILENT GRAPH <{graph}>"""


def _merge(graph: str = "") -> str:
    """Update text: add a graph's triples to the merge (every data graph's, if none named)."""
    if graph:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        return f"INSERT {{ GRAPH <{MERGE}> {{ ?s ?p ?o }} }} WHERE {{ {where} }}"
    return f"""INSERT {{ GRAPH <{MERGE}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
    FILTER (?g NOT IN (<{MERGE}>, <{SERVICE}>)) }}"""


def _bump() -> str:
    """Update text: move the version on, so that every copy reads the store afresh."""
    token = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(6)}"
    # two operations, not DELETE/INSERT WHERE OPTIONAL, which Virtuoso 7 matches no row
    # with while there is no version yet
    return f"""DELETE WHERE {{ GRAPH <{SERVICE}> {{ <{DATASET}> kg:version ?v }} }} ;
INSERT DATA {{ GRAPH <{SERVICE}> {{ <{DATASET}> kg:version "{token}" }} }}"""


class WriteLease:
    """One writer at a time across every copy of the service: a lease kept in the store.

    Each copy's lock was its own, so two copies could each read a graph, validate and replace
    it, and the later write dropped the earlier one's triples (and was validated without them).
    A writer adds its token to the service graph and holds the lease when its token is the
    only one there; two that add theirs at once both see two, and both take theirs back and try
    again after a random pause. Only plain INSERT DATA, DELETE DATA and SELECT are sent, which
    every store runs alike. A copy that dies holding the lease leaves its token: one that has
    not changed for `stale_s` seconds (``WRITE_LEASE_S``) is removed by the next writer, which
    also gives up waiting (503) after that long."""

    def __init__(self, store: RemoteStore, stale_s: float) -> None:
        self.store = store
        self.stale_s = stale_s
        self._local = threading.Lock()  # this copy's writers take turns here first
        self._token: str | None = None

    def __enter__(self) -> WriteLease:
        if not self._local.acquire(timeout=self.stale_s):
            raise Busy("other writes are under way; try again", retry_after=5)
        try:
            self._token = self._take()
            self.store.refresh()  # validate against what the last writer left
        except BaseException:
            self._local.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._token is not None:
                self.store.update(_writer("DELETE DATA", self._token))
        finally:
            self._token = None
            self._local.release()

    def _take(self) -> str:
        token = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(6)}"
        seen: dict[str, float] = {}  # other writers' tokens, and when each was first seen
        give_up = time.monotonic() + self.stale_s + 5
        while True:
            self.store.update(_writer("INSERT DATA", token))
            writers = self._writers()
            if writers == {token}:
                return token
            self.store.update(_writer("DELETE DATA", token))
            now = time.monotonic()
            for other in writers - {token}:
                if now - seen.setdefault(other, now) > self.stale_s:
                    log.warning(
                        "broke the write lease of a copy that held it %.0f s", now - seen[other]
                    )
                    self.store.update(_writer("DELETE DATA", other))
            if now > give_up:
                raise Busy("another copy of the service holds the write lease", retry_after=5)
            time.sleep(random.uniform(0.02, 0.2))

    def _writers(self) -> set[str]:
        rows = self.store.select(
            f"SELECT ?w WHERE {{ GRAPH <{SERVICE}> {{ <{DATASET}> kg:writer ?w }} }}",
            whole_store=True,
        )
        return {row["w"] for row in rows}


def _writer(operation: str, token: str) -> str:
    return f'{operation} {{ GRAPH <{SERVICE}> {{ <{DATASET}> kg:writer "{token}" }} }}'


class RemoteStore(StoreQueries):
    """The :class:`~kg.store.interface.Store` over HTTP to a triple store."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        check_settings(config)
        self.config = config
        self.session = requests.Session()
        self.session.auth = _auth(config)
        #: requests sent to the store (kg_store_requests_total): what each of ours costs it
        self._sent = 0
        self._sent_lock = threading.Lock()
        self.session.hooks["response"].append(self._count)
        self._pragmas = ""  # what this store needs before an update; known from its answers
        self.query_url = str(config["STORE_URL"])
        self.update_url = str(config["STORE_UPDATE_URL"]) or self.query_url
        self.gsp_url = str(config["STORE_GSP_URL"])
        self.timeout = float(config["QUERY_TIMEOUT_S"])
        self.engine = RemoteEngine(
            self.session,
            self.query_url,
            str(config["STORE_RESULTS"]).lower(),
            data_graphs=lambda: self._cache.get("graphs", frozenset()),
        )
        self.submissions = RemoteSubmissions(self)
        self.quarantined: list[str] = []  # the store checks what it is sent
        self.write_lock = WriteLease(self, float(config["WRITE_LEASE_S"]))
        self._cache: dict[str, Any] = {"version": None}
        self._cache_lock = threading.Lock()

    # -- plumbing

    def _count(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        with self._sent_lock:
            self._sent += 1
        if "virtuoso" in response.headers.get("Server", "").lower():
            self._pragmas = VIRTUOSO_UPDATE_PRAGMAS

    def requests_sent(self) -> int:
        """Requests sent to the store so far (kg_store_requests_total)."""
        return self._sent

    def update(self, text: str, load: bool = False) -> None:
        timeout = float(self.config["STORE_LOAD_TIMEOUT_S"]) if load else self.timeout
        try:
            response = self.session.post(
                self.update_url,
                data={"update": self._pragmas + _prologue() + text},
                timeout=(3, timeout),
            )
        except requests.RequestException:
            raise StoreUnavailable("the triple store cannot be reached", retry_after=5) from None
        if response.status_code >= 300:
            log.error("the store refused an update: %s", response.text[:1000])
            raise StoreUnavailable(
                f"the store refused an update ({response.status_code})", retry_after=5
            )

    def gsp(
        self,
        method: str,
        graph: str,
        body: bytes | None = None,
        accept: str | None = None,
        timeout: float | None = None,
    ) -> str:
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        if accept:
            headers["Accept"] = accept
        try:
            response = self.session.request(
                method,
                self.gsp_url,
                params={"graph": graph},
                data=body,
                headers=headers,
                # urllib3 sends the body under the connect timeout: a bulk PUT needs it long
                timeout=(timeout, timeout) if timeout else (3, self.timeout),
            )
        except requests.RequestException:
            raise StoreUnavailable("the triple store cannot be reached", retry_after=5) from None
        if response.status_code >= 300 and not (method == "DELETE" and response.status_code == 404):
            raise StoreUnavailable(
                f"the store refused {method} ({response.status_code})", retry_after=5
            )
        return response.text

    # -- what the web layer reads

    def start(self) -> None:
        if not self.inventory().quads:
            return  # nothing loaded yet: `kg load` builds the merge
        if self.ask(f"ASK FROM <{PROBE}> {{ ?s ?p ?o }}", whole_store=True):
            raise ConfigError(
                "the store ignores the FROM of queries (Oxigraph: --union-default-graph): "
                "start it without that option; the server names every query's dataset itself "
                "(docs/remote-stores.md)"
            )
        if not self.ask(f"ASK {{ GRAPH <{MERGE}> {{ ?s ?p ?o }} }}", whole_store=True):
            self.update(f"{_merge()} ;\n{_bump()}")  # loaded by an older version: no merge yet
            self.refresh()

    def close(self) -> None:
        self.session.close()

    def _version_now(self) -> str:
        # MAX: writers racing through two copies may leave two versions until the next write
        rows = self.select(
            f"SELECT (MAX(STR(?v)) AS ?version) WHERE {{ GRAPH <{SERVICE}> "
            f"{{ <{DATASET}> kg:version ?v }} }}",
            whole_store=True,
        )
        return rows[0].get("version", "unversioned") if rows else "unversioned"

    def refresh(self) -> None:
        """Read the version, and the inventory if it moved (another copy may have written)."""
        version = self._version_now()
        with self._cache_lock:
            if version == self._cache["version"]:
                return
            rows = self.select(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                whole_store=True,
            )
            data = [r for r in rows if r["g"] not in OWN_GRAPHS]
            self._cache = {
                "version": version,
                "graphs": frozenset(r["g"] for r in data),
                "triples": sum(int(r["n"]) for r in rows if r["g"] == MERGE),
                "quads": sum(int(r["n"]) for r in data),
                "modified": datetime.now(UTC).replace(microsecond=0),
                "graph": None,
            }

    def inventory(self) -> Inventory:
        self.refresh()
        with self._cache_lock:
            cache = self._cache
        return Inventory(
            str(cache["version"]),
            cache["modified"],
            cache["graphs"],
            int(cache["triples"]),
            int(cache["quads"]),
        )

    @property
    def version(self) -> str:
        self.refresh()
        return str(self._cache["version"])

    @property
    def modified(self) -> datetime:
        self.refresh()
        modified: datetime = self._cache["modified"]
        return modified

    @property
    def graphs(self) -> frozenset[str]:
        self.refresh()
        graphs: frozenset[str] = self._cache["graphs"]
        return graphs

    @property
    def triples(self) -> int:
        self.refresh()
        return int(self._cache["triples"])

    def graph(self) -> Graph:
        """The whole dataset as one rdflib graph, for validating additions in context."""
        self.refresh()
        if self._cache.get("graph") is None:
            self._cache["graph"] = rdflib_merge(self.quads())  # quads() leaves out our own graph
        cached: Graph = self._cache["graph"]
        return cached

    def quads(self) -> list[ox.Quad]:
        """Every quad of the store, read with a standard query (for validation)."""
        return list(self._read_quads())

    def nquads(self, scratch: Path) -> list[Path]:
        """Every quad of the store in one N-Quads file written into `scratch`, for the dumps'
        writing process. The store's answer is held whole here for a moment, as every answer
        is (the engine counts it against the limits as it arrives); its quads are written out
        as they are read from it, never held as a list."""
        return [nquads_file(scratch, self._read_quads())]

    def _read_quads(self) -> Iterator[ox.Quad]:
        job = QueryJob(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            accept={"solutions": formats.TSV, "graph": formats.TURTLE},
            max_rows=50_000_000,
            max_bytes=10_000_000_000,
            whole_store=True,
        )
        body = self.engine.run(job, max(self.timeout, 120)).body
        results = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
        assert isinstance(results, ox.QuerySolutions)
        own = {ox.NamedNode(g) for g in OWN_GRAPHS}
        for row in results:
            if row["g"] not in own:
                yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    # -- after writes (each write has moved the version on in its own request)

    def added(self, submission_id: str) -> None:
        self.refresh()

    def removed(self, content: Graph) -> None:
        self.refresh()

    def load(self, dataset_quads: list[ox.Quad]) -> int:
        """Put a built dataset into the store, graph by graph (Graph Store PUT)."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in dataset_quads:
            by_graph.setdefault(str(quad.graph_name.value), []).append(quad.triple)  # type: ignore[union-attr]
        for name, triples in by_graph.items():
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            # a bulk load takes far longer than a query or a submission
            self.gsp("PUT", name, body=body, timeout=float(self.config["STORE_LOAD_TIMEOUT_S"]))
        self.update(f"DROP SILENT GRAPH <{MERGE}> ;\n{_merge()} ;\n{_bump()}", load=True)
        return sum(len(t) for t in by_graph.values())


CHOICES = {"STORE_AUTH": ("basic", "digest"), "STORE_RESULTS": ("tsv", "json")}


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse settings the remote store cannot work with, before anything starts."""
    for name, allowed in CHOICES.items():
        value = str(config[name]).lower()
        if value not in allowed:
            raise ConfigError(f"{name} must be {' or '.join(allowed)}, not {value!r}")


def _auth(config: Mapping[str, Any]) -> requests.auth.AuthBase | None:
    """Credentials for the store, by the scheme it asks for (Virtuoso's -auth endpoints: digest)."""
    user, password = str(config["STORE_USER"]), str(config["STORE_PASSWORD"])
    if not user:
        return None
    if str(config["STORE_AUTH"]).lower() == "digest":
        return requests.auth.HTTPDigestAuth(user, password)
    return requests.auth.HTTPBasicAuth(user, password)
