"""The W3C SPARQL 1.1 test suites for the Protocol, the Service Description and the Graph Store
HTTP Protocol, read from their manifests (tests/w3c/, vendored from w3c/rdf-tests) and sent to
the real server in every mode: embedded, and remote on `oxigraph serve` and on Virtuoso.

One test per manifest entry and mode. The graphs the suites name become curators' submission
graphs of ours, loaded through our own Graph Store protocol (tests/w3c/README.md says how). An
entry that cannot apply here is in SKIPS with its reason; every other entry runs, and one that
is neither run nor listed fails.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote_plus, urljoin, urlsplit
from urllib.request import url2pathname

import pytest
import requests
from helpers import LiveServer, in_modes, mode_settings
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result
from rdflib.term import Node

from kg.namespaces import SUBMISSION_GRAPHS

W3C = Path(__file__).parent / "w3c"
#: The suites, by the folder their manifest is in (upstream: sparql/sparql11/<folder>/).
SUITES = {
    "protocol": "protocol/manifest.ttl",
    "service-description": "service-description/manifest.ttl",
    "http-rdf-update": "http-rdf-update/manifest.ttl",
    "graph-store-protocol": "graph-store-protocol/manifest.ttl",
}

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

ENDPOINT = "/sparql"
GRAPH_STORE = "/rdf-graphs"
TOKEN = "tok-w3c"
WRITES = ("PUT", "POST", "DELETE", "PATCH")

# ---------------------------------------------------------------- what cannot apply here

UPDATE = (
    "SPARQL Update is not offered: /sparql is read-only (README, 'The SPARQL endpoint'; "
    "curators write through the Graph Store protocol), and this test needs its update to "
    "succeed. That updates are refused with a 4xx is what the bad_update_* tests check."
)
DIRECT = (
    "direct graph identification is not offered: the Graph Store names graphs by ?graph= only "
    "(README, 'Curation'), and the graph IRIs (https://w3id.org/cakg/graph/submission/<id>, "
    "served at /graph/submission/<id>) are read-only linked data. The indirect twin of this test "
    "in manifest-indirect.ttl runs."
)
DEFAULT_GRAPH = (
    "the default graph is the merge of every graph of the dataset and is not writable: only "
    "submission graphs are (README, 'Curation': PUT, POST and DELETE on submission graphs only)"
)

BLANK_ONLY = (
    "its graph describes blank nodes only ([] a foaf:Person …), and a curator's graph must "
    "name what it describes with IRIs (README, 'Curation': 422 empty_submission), so that it "
    "can be linked to, checked for collisions and reverted"
)

#: Manifest entries (suite/name) that cannot apply to this service, and why.
SKIPS: dict[str, str] = {
    "protocol/update_dataset_default_graph": UPDATE,
    "protocol/update_dataset_default_graphs": UPDATE,
    "protocol/update_dataset_named_graphs": UPDATE,
    "protocol/update_dataset_full": UPDATE,
    "protocol/update_post_form": UPDATE,
    "protocol/update_post_direct": UPDATE,
    "protocol/update_base_uri": UPDATE,
    "http-rdf-update/put__default_graph": DEFAULT_GRAPH,
    "http-rdf-update/get_of_put__default_graph": (
        "reads back what put__default_graph wrote, which is skipped: " + DEFAULT_GRAPH
    ),
    "http-rdf-update/delete__existing_graph": (
        "no entry of this (deprecated) manifest creates person/2.ttl, so the graph it deletes "
        "never exists on any server; graph-store-protocol/put_delete_get_delete_indirect "
        "creates it first and runs"
    ),
    "http-rdf-update/post__existing_graph": (
        "its Turtle body `<…/person/1> foaf:name \"Jane Doe\"` has no final '.', so a "
        "conforming server must refuse it; graph-store-protocol/ fixed it (w3c/rdf-tests#345) "
        "and post_get_post_get_indirect runs"
    ),
    "http-rdf-update/get_of_post__existing_graph": (
        'expects the graph put__initial_state wrote (v:fn "John Doe") although '
        'put__graph_already_in_store replaced it ("Jane Doe"), and follows the skipped '
        "post__existing_graph; graph-store-protocol/post_get_post_get_indirect runs instead"
    ),
    "http-rdf-update/post__multipart_formdata": (
        "neither Turtle part ends its statement with '.', so a conforming server must refuse "
        "them; graph-store-protocol/post_get_post_get_indirect has the fixed multipart request "
        "and runs"
    ),
    "http-rdf-update/get_of_post__multipart_formdata": (
        "reads back what the skipped post__existing_graph and post__multipart_formdata would "
        "have added; graph-store-protocol/post_get_post_get_indirect runs instead"
    ),
    "graph-store-protocol/put_get_repeat_direct": DIRECT,
    "graph-store-protocol/put_delete_get_delete_direct": DIRECT,
    "graph-store-protocol/post_get_post_get_direct": DIRECT,
    "graph-store-protocol/head_existing_direct": DIRECT,
    "graph-store-protocol/put_get_default": DEFAULT_GRAPH,
    "graph-store-protocol/put_delete_get_delete_indirect": BLANK_ONLY,
    "graph-store-protocol/post_get_new_graph": BLANK_ONLY,
    "http-rdf-update/post__create__new_graph": BLANK_ONLY,
    "http-rdf-update/get_of_post__create__new_graph": "reads what the skipped "
    "post__create__new_graph made: " + BLANK_ONLY,
    "http-rdf-update/get_of_post__after_noop": "reads what the skipped "
    "post__create__new_graph made: " + BLANK_ONLY,
    "graph-store-protocol/put_get_uri_pct_encoded_twice": (
        "it needs a second graph whose IRI, decoded once, still holds a percent-encoded octet "
        "(…/person/%31.ttl); a submission graph's id is letters, digits, '-' and '_' only, so no "
        "submission graph can stand for it. Decoding once is still checked: "
        "put_get_uri_pct_encoded_indirect runs"
    ),
}

# ---------------------------------------------------------------- graph names


def _encoded(text: str) -> str:
    return quote(text, safe="")


@dataclass(frozen=True)
class GraphNames:
    """The graphs a suite names, `prefix` + tail + `suffix`, and the submission graph each
    becomes, SUBMISSION_GRAPHS + `id_prefix` + tail: in plain and in percent-encoded text
    alike, the tail kept as written (its own percent-encoding is still the server's to decode)."""

    prefix: str
    suffix: str
    id_prefix: str

    def rename(self, text: str) -> str:
        for encode in (str, _encoded):
            pattern = (
                re.escape(encode(self.prefix)) + r"([\w%-]*?)" + re.escape(encode(self.suffix))
            )
            replacement = encode(SUBMISSION_GRAPHS + self.id_prefix) + r"\g<1>"
            text = re.sub(pattern, replacement, text)
        return text

    def rename_in_sparql(self, text: str) -> str:
        """Rename IRIs only where the query names a graph with them, never as subjects."""
        return GRAPH_KEYWORD.sub(
            lambda m: m.group(1) + "<" + self.rename(m.group(2)) + ">",
            text,
        )


GRAPH_KEYWORD = re.compile(
    r"(?i)\b((?:FROM\s+NAMED|FROM|GRAPH|USING\s+NAMED|USING|WITH)\s*)<([^<>\s]*)>"
)
#: Parameters whose values are graph IRIs, and those whose values are SPARQL text.
GRAPH_PARAMETERS = (
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
    "graph",
)
TEXT_PARAMETERS = ("query", "update")

PROTOCOL_GRAPHS = GraphNames("http://kasei.us/2009/09/sparql/data/data", ".rdf", "w3c-data")
GSP_GRAPHS = GraphNames("http://www.example/gsp/person/", ".ttl", "w3c-gsp-person-")
#: A default graph the protocol manifest names without data (tests/w3c/README.md).
DATA0 = ("http://kasei.us/2009/09/sparql/data/data0.rdf", W3C / "adapted" / "data0.nt")


def adapt_form(form: str, names: GraphNames) -> str:
    """An URL-encoded form or query string with its graph names renamed; other parameters,
    and parameters that name no graph of the suite, are left byte for byte as they were."""
    parts = []
    for part in form.split("&"):
        key, equals, value = part.partition("=")
        name = unquote_plus(key)
        if name in GRAPH_PARAMETERS:
            value = names.rename(value)
        elif name in TEXT_PARAMETERS:
            text = unquote_plus(value)
            renamed = names.rename_in_sparql(text)
            if renamed != text:
                value = _encoded(renamed)
        parts.append(key + equals + value)
    return "&".join(parts)


def adapt_path(path: str, names: GraphNames) -> str:
    base, question, query = path.partition("?")
    return base + question + adapt_form(query, names) if question else path


def adapt_body(body: str, content_type: str, names: GraphNames) -> str:
    media = media_type(content_type)
    if media == "application/x-www-form-urlencoded":
        return adapt_form(body, names)
    if media in ("application/sparql-query", "application/sparql-update"):
        return names.rename_in_sparql(body)
    return body


# ---------------------------------------------------------------- reading the manifests


@dataclass(frozen=True)
class Expected:
    """What a response must be: a status in one of `statuses`, and what else is given."""

    statuses: tuple[range, ...]
    format: str | None = None  # mf:expectedFormat: "boolean", "tabular" or "RDF"
    boolean: bool | None = None  # mf:expectedBoolean
    media_type: str | None = None  # the Content-Type an expected response gives
    body: str | None = None  # RDF the response must be isomorphic to, in `media_type`
    location: str | None = None  # the template variable the Location header fills


@dataclass(frozen=True)
class Step:
    """One request of a test, as the manifest writes it, and what its response must be."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    encoding: str
    expected: Expected

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")


@dataclass(frozen=True)
class Case:
    """A manifest entry."""

    suite: str
    name: str
    title: str
    steps: tuple[Step, ...] = ()
    graph_data: tuple[tuple[str, Path], ...] = ()
    unreadable: str | None = None  # why its requests could not be read: the test fails

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"


def _path_of(iri: Node | None) -> Path:
    assert iri is not None, "a file the manifest names is missing"
    return Path(url2pathname(urlsplit(str(iri)).path))


def manifest_entries(path: Path) -> list[tuple[Graph, Node]]:
    """The entries of a manifest and of the manifests it includes, in order."""
    graph = Graph().parse(path, format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest, any=False)
    assert manifest is not None, f"{path} has no mf:Manifest"
    found: list[tuple[Graph, Node]] = []
    entries = graph.value(manifest, MF.entries)
    if entries is not None:
        found += [(graph, entry) for entry in Collection(graph, entries)]
    included = graph.value(manifest, MF.include)
    if included is not None:
        for other in Collection(graph, included):
            found += manifest_entries(_path_of(other))
    return found


def status_range(iri: Node) -> range:
    """hts:StatusCode2xx and the like as a range, hts:NoContent and the like as its code."""
    name = str(iri).removeprefix(HTS)
    whole = re.fullmatch(r"StatusCode([1-5])xx", name)
    if whole:
        return range(int(whole.group(1)) * 100, int(whole.group(1)) * 100 + 100)
    for status in HTTPStatus:
        if status.name.replace("_", "").lower() == name.lower():
            return range(status.value, status.value + 1)
    raise ValueError(f"unknown status {iri}")


def read_headers(graph: Graph, headers: Node | None) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    return tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in Collection(graph, headers)
    )


def read_body(graph: Graph, body: Node | None) -> tuple[str | None, str]:
    if body is None:
        return None, "UTF-8"
    chars = graph.value(body, CNT.chars)
    encoding = graph.value(body, CNT.characterEncoding)
    return (str(chars) if chars is not None else None), str(encoding or "UTF-8")


def _python(value: Node | None) -> Any:
    return value.toPython() if isinstance(value, Literal) else value


def read_request(graph: Graph, request: Node) -> Step:
    body, encoding = read_body(graph, graph.value(request, HT.body))
    response = graph.value(request, HT.resp)
    assert response is not None, "an ht:Request without ht:resp"
    response_headers = dict(
        (k.lower(), v) for k, v in read_headers(graph, graph.value(response, HT.headers))
    )
    expected_body, _ = read_body(graph, graph.value(response, HT.body))
    statuses = [status_range(s) for s in graph.objects(response, MF.expectedStatus)]
    location = graph.value(response, MF.expectedLocation)
    expected_format = graph.value(response, MF.expectedFormat)
    return Step(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=read_headers(graph, graph.value(request, HT.headers)),
        body=body,
        encoding=encoding,
        expected=Expected(
            statuses=tuple(sorted(statuses, key=lambda r: r.start)),
            format=str(expected_format) if expected_format is not None else None,
            boolean=_python(graph.value(response, MF.expectedBoolean)),
            media_type=response_headers.get("content-type"),
            body=expected_body,
            location=str(location) if location is not None else None,
        ),
    )


def read_message(text: str) -> tuple[str, list[tuple[str, str]], str]:
    """The start line, headers and body of an HTTP message written as indented text."""
    lines = textwrap.dedent(text).strip("\n").split("\n")
    headers = []
    at = 1
    while at < len(lines) and lines[at].strip():
        name, _, value = lines[at].partition(":")
        headers.append((name.strip(), value.strip()))
        at += 1
    return lines[0].strip(), headers, "\n".join(lines[at + 1 :]).strip()


def read_text_step(comment: str) -> Step:
    """http-rdf-update: the request and response an rdfs:comment writes as text."""
    request, _, response = comment.partition("#### Response")
    start, headers, body = read_message(request.split("#### Request", 1)[1])
    method, target, _version = start.split()
    status, response_headers, expected_body = read_message(response)
    headers = [(k, v) for k, v in headers if k.lower() != "host"]  # the connection's own
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    if content_type.startswith("multipart/"):
        body = body.replace("\n", "\r\n") + "\r\n"  # HTTP's line ends, which text lost
    answer = {k.lower(): v for k, v in response_headers}
    location = answer.get("location")
    code = int(status.split()[0])
    return Step(
        method=method,
        path=target,
        headers=tuple(headers),
        body=body or None,
        encoding="UTF-8",
        expected=Expected(
            statuses=(range(code, code + 1),),
            media_type=answer.get("content-type"),
            body=expected_body or None,
            location=location if location and location.startswith("$") else None,
        ),
    )


def read_case(suite: str, graph: Graph, entry: Node) -> Case:
    name = str(entry).rpartition("#")[2]
    title = str(graph.value(entry, MF.name) or name)
    graph_data = tuple(
        (str(graph.value(data, RDFS.label)), _path_of(graph.value(data, UT.graph)))
        for data in graph.objects(entry, UT.graphData)
    )
    try:
        steps: tuple[Step, ...] = ()
        if suite == "http-rdf-update":
            texts = [str(c) for c in graph.objects(entry, RDFS.comment) if "#### Request" in str(c)]
            if len(texts) != 1:
                raise ValueError(f"{len(texts)} comments with a '#### Request'")
            steps = (read_text_step(texts[0]),)
        else:
            action = graph.value(entry, MF.action)
            requests_list = graph.value(action, HT.requests) if action is not None else None
            if requests_list is not None:
                steps = tuple(read_request(graph, r) for r in Collection(graph, requests_list))
        return Case(suite, name, title, steps, graph_data)
    except Exception as error:  # the test of this entry fails, saying why
        return Case(suite, name, title, graph_data=graph_data, unreadable=repr(error))


def read_cases() -> list[Case]:
    return [
        read_case(suite, graph, entry)
        for suite, manifest in SUITES.items()
        for graph, entry in manifest_entries(W3C / manifest)
    ]


CASES = read_cases()

# ---------------------------------------------------------------- the server in each mode


@dataclass
class Target:
    """Our server in one mode, with the graphs the protocol suite reads loaded."""

    mode: str
    server: LiveServer
    session: requests.Session
    #: the outcome of each http-rdf-update entry: the entries run once, in order, as one story
    rdf_update: dict[str, list[str]] | None = None
    host: str = field(init=False)

    def __post_init__(self) -> None:
        self.host = urlsplit(self.server.url).netloc

    @property
    def rdf_update_names(self) -> GraphNames:
        return GraphNames(
            f"http://{self.host}/rdf-graphs/person/", ".ttl", "w3c-rdf-update-person-"
        )


def load_protocol_data(target: Target) -> None:
    """Each data file of the protocol suite, unchanged, as the submission graph its graph name
    becomes, through our Graph Store protocol with a curator's token."""
    files = {label: path for case in CASES for label, path in case.graph_data}
    files[DATA0[0]] = DATA0[1]
    for label, path in sorted(files.items()):
        graph = PROTOCOL_GRAPHS.rename(label)
        r = target.session.put(
            f"{target.server.url}{GRAPH_STORE}?graph={_encoded(graph)}",
            data=path.read_bytes(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"},
            timeout=120,
        )
        assert r.status_code in (201, 204), (
            f"loading {path.name} as {graph}: {r.status_code} {r.text}"
        )


#: The embedded store here; each remote store in a file of its own
#: (test_w3c_protocol_<store>.py), so
#: that the parallel run takes the modes side by side.
pytest_generate_tests = in_modes("target", "embedded")


@pytest.fixture(scope="module")
def target(
    request: pytest.FixtureRequest,
    built: Path,
    make_server: Callable[..., LiveServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Target]:
    """Our server in each mode, once for the module: embedded, or in front of a real store."""
    mode = request.param
    settings: dict[str, Any] = {
        "CURATOR_TOKENS": f"w3c={TOKEN}",
        "VAR_DIR": tmp_path_factory.mktemp(f"w3c-var-{mode}"),
        "WRITE_RATE_PER_MINUTE": 1000,
        "QUERY_SECONDS_PER_MINUTE": 600,
        "FOREIGN_STATEMENTS": True,  # the suite's data (FOAF and the like) is not ours
    }
    with mode_settings(mode, built, tmp_path_factory) as store, requests.Session() as session:
        del session.headers["Accept"]  # only the manifest's headers say what is accepted
        server = make_server(**settings, **store)
        try:
            made = Target(mode, server, session)
            load_protocol_data(made)
            yield made
        finally:
            server.stop()


# ---------------------------------------------------------------- sending and checking

RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: What each mf:expectedFormat admits: SPARQL results for "boolean" and "tabular" (the
#: manifest's titles: XML or JSON; XML, JSON, CSV or TSV), and the RDF syntaxes its titles name
#: for "RDF" (RDF/XML, Turtle, N-Triples; RDFa is not read here).
FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": tuple(RESULT_FORMATS),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples"),
}
RDF_SYNTAXES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def charset(value: str) -> str | None:
    found = re.search(r";\s*charset\s*=\s*\"?([^\s;\"]+)", value, re.IGNORECASE)
    return found.group(1).lower() if found else None


def excerpt(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


@dataclass(frozen=True)
class Exchange:
    """A request as sent and the response it got."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    response: requests.Response

    def describe(self) -> str:
        sent = "".join(f"\n    {k}: {v}" for k, v in self.headers.items())
        if self.body:
            sent += "\n    " + excerpt(self.body.decode("utf-8", "replace")).replace("\n", "\n    ")
        r = self.response
        got = excerpt(r.text).replace("\n", "\n    ")
        return (
            f"  request: {self.method} {self.url}{sent}\n"
            f"  response: {r.status_code} {r.headers.get('Content-Type', '(no Content-Type)')}"
            + (f" Location: {r.headers['Location']}" if "Location" in r.headers else "")
            + (f"\n    {got}" if got else "")
        )


TEMPLATE = re.compile(r"\$[A-Z]+\$")


def substitute(text: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        text = text.replace(name, value)
    return text


def prepare(
    case: Case, step: Step, target: Target, variables: dict[str, str]
) -> tuple[str, dict[str, str], bytes | None]:
    """The URL, headers and body a step is sent with, adapted to our service
    (tests/w3c/README.md); a template variable no earlier step set is a KeyError."""
    path = substitute(step.path, variables)
    body = substitute(step.body, variables) if step.body is not None else None
    for text in (path, body or ""):
        unknown = TEMPLATE.search(text)
        if unknown:
            raise KeyError(f"{unknown.group()} is unknown: the step that sets it gave none")
    headers = dict(step.headers)
    if case.suite == "protocol":
        path = ENDPOINT + path.removeprefix("/sparql/")  # every path starts with /sparql/
        names = PROTOCOL_GRAPHS
    elif case.suite == "graph-store-protocol":
        path = GRAPH_STORE + path.removeprefix("/gsp")
        names = GSP_GRAPHS
    else:  # http-rdf-update: $GRAPHSTORE$ is our store's path; direct becomes indirect
        names = target.rdf_update_names
        if not urlsplit(path).scheme:
            path = "/" + path.lstrip("/")
            if path.startswith(GRAPH_STORE + "/"):
                path = f"{GRAPH_STORE}?graph={_encoded(f'http://{target.host}{path}')}"
    url = path if urlsplit(path).scheme else target.server.url + adapt_path(path, names)
    if body is not None:
        body = adapt_body(body, step.header("content-type"), names)
    if case.suite != "protocol" and step.method in WRITES:
        headers["Authorization"] = f"Bearer {TOKEN}"
    return url, headers, body.encode(step.encoding) if body is not None else None


def parse_rdf(response: requests.Response) -> tuple[Graph | None, str | None]:
    media = media_type(response.headers.get("Content-Type", ""))
    syntax = RDF_SYNTAXES.get(media)
    if syntax is None:
        return None, f"{media or 'no Content-Type'} is no RDF syntax"
    try:
        return Graph().parse(data=response.content, format=syntax), None
    except Exception as error:
        return None, f"the {media} body does not parse: {error!r}"


def check_results(expected: Expected, response: requests.Response) -> list[str]:
    """mf:expectedFormat and mf:expectedBoolean."""
    media = media_type(response.headers.get("Content-Type", ""))
    problems = []
    if expected.format is not None:
        admitted = FORMATS.get(expected.format)
        if admitted is None:
            return [f"unknown mf:expectedFormat {expected.format!r}"]
        if media not in admitted:
            problems.append(
                f"Content-Type {media or '(none)'}; expected format {expected.format!r}: "
                + ", ".join(admitted)
            )
        if expected.format == "RDF":
            _, problem = parse_rdf(response)
            return problems + ([problem] if problem else [])
    if media not in RESULT_FORMATS:
        return problems or [f"Content-Type {media or '(none)'} is no SPARQL results format"]
    try:
        result = Result.parse(io.BytesIO(response.content), format=RESULT_FORMATS[media])
    except Exception as error:
        return [*problems, f"the {media} body does not parse as SPARQL results: {error!r}"]
    kind = {"boolean": "ASK", "tabular": "SELECT"}.get(expected.format or "")
    if kind is not None and result.type != kind:
        problems.append(f"the results are {result.type}, expected {kind}")
    if expected.boolean is not None and (
        result.type != "ASK" or result.askAnswer is not expected.boolean
    ):
        answer = result.askAnswer if result.type == "ASK" else result.type
        problems.append(f"answer {answer}, expected mf:expectedBoolean {expected.boolean}")
    return problems


def ground(graph: Graph) -> list[str]:
    """The triples of a graph that have no blank node, as N-Triples lines."""
    return sorted(
        f"{s.n3()} {p.n3()} {o.n3()}"
        for s, p, o in graph
        if not any(isinstance(t, BNode) for t in (s, p, o))
    )


def check_response(expected: Expected, response: requests.Response) -> list[str]:
    """The status first; the rest only of a response with the right status."""
    if not any(response.status_code in r for r in expected.statuses):
        wanted = " or ".join(
            f"{r.start // 100}xx" if len(r) == 100 else str(r.start) for r in expected.statuses
        )
        return [f"status {response.status_code}, expected {wanted}"]
    problems = []
    if expected.format is not None or expected.boolean is not None:
        problems += check_results(expected, response)
    given = response.headers.get("Content-Type", "")
    if expected.media_type is not None:
        if media_type(given) != media_type(expected.media_type):
            problems.append(f"Content-Type {given or '(none)'}, expected {expected.media_type}")
        wanted_charset = charset(expected.media_type)
        if wanted_charset and charset(given) not in (None, wanted_charset):
            problems.append(f"Content-Type {given}, expected charset {wanted_charset}")
    if expected.body is not None and expected.media_type is not None:
        syntax = RDF_SYNTAXES[media_type(expected.media_type)]
        model = Graph().parse(data=expected.body, format=syntax)
        got, problem = parse_rdf(response)
        if problem:
            problems.append(problem)
        elif got is not None and not isomorphic(got, model):
            extra, missing = ground(got - model), ground(model - got)
            problems.append(
                f"the graph is not isomorphic to the expected one ({len(got)} triples, expected "
                f"{len(model)}); triples without blank nodes it has too many: {extra}, "
                f"too few: {missing}"
            )
    if expected.location is not None and "Location" not in response.headers:
        problems.append("no Location header")
    return problems


def run_steps(case: Case, target: Target, variables: dict[str, str]) -> list[str]:
    """Send a test's requests in order; each failing step with its request and response."""
    problems = []
    for number, step in enumerate(case.steps, 1):
        try:
            url, headers, body = prepare(case, step, target, variables)
        except KeyError as unknown:
            problems.append(f"step {number}: {step.method} {step.path}: not sent: {unknown}")
            continue
        response = target.session.request(
            step.method, url, headers=headers, data=body, allow_redirects=False, timeout=60
        )
        if step.expected.location is not None and "Location" in response.headers:
            variables[step.expected.location] = urljoin(url, response.headers["Location"])
        expected = step.expected
        if expected.body is not None:
            expected = replace(expected, body=substitute(expected.body, variables))
        found = check_response(expected, response)
        if found:
            exchange = Exchange(step.method, url, headers, body, response)
            problems.append(f"step {number}: " + "; ".join(found) + "\n" + exchange.describe())
    return problems


def clear_graphs(case: Case, target: Target, variables: dict[str, str]) -> None:
    """Delete the submission graphs a test names: it starts from an empty dataset."""
    for step in case.steps:
        try:
            url, _, _ = prepare(case, step, target, variables)
        except KeyError:
            continue
        for graph in parse_qs(urlsplit(url).query).get("graph", []):
            if graph.startswith(SUBMISSION_GRAPHS):
                target.session.delete(
                    f"{target.server.url}{GRAPH_STORE}?graph={_encoded(graph)}",
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    timeout=60,
                )


def rdf_update_outcomes(target: Target) -> dict[str, list[str]]:
    """http-rdf-update's entries depend on each other's writes: they run once per mode, in the
    manifest's order, skipped ones left out, and each test reports its own entry's outcome."""
    if target.rdf_update is None:
        variables = {"$HOST$": target.host, "$GRAPHSTORE$": GRAPH_STORE.lstrip("/")}
        story = [c for c in CASES if c.suite == "http-rdf-update" and c.id not in SKIPS]
        for case in story:
            clear_graphs(case, target, variables)
        target.rdf_update = {
            case.name: run_steps(case, target, variables) for case in story if not case.unreadable
        }
    return target.rdf_update


# ---------------------------------------------------------------- service description

SD_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8"


def sd_returns_rdf(graph: Graph, endpoint: str) -> list[str]:
    return []  # that it parsed is the test


def sd_has_endpoint_triple(graph: Graph, endpoint: str) -> list[str]:
    if (None, SD.endpoint, URIRef(endpoint)) in graph:
        return []
    said = sorted(str(o) for o in graph.objects(None, SD.endpoint))
    return [f"no `?service sd:endpoint <{endpoint}>` triple; sd:endpoint values: {said}"]


def sd_conforms_to_schema(graph: Graph, endpoint: str) -> list[str]:
    nameless = [
        g.n3() for g in graph.subjects(RDF.type, SD.NamedGraph) if not graph.value(g, SD.name)
    ]
    return [f"sd:NamedGraph without sd:name: {nameless}"] if nameless else []


#: The service description entries have no requests in their manifest: each is the check that
#: the W3C's validator makes (kasei/sparql11-sdvalidator) of the RDF a GET on the endpoint URL
#: returns; conforms-to-schema checks, as it does, that every sd:NamedGraph has an sd:name.
SD_CHECKS: dict[str, Callable[[Graph, str], list[str]]] = {
    "returns-rdf": sd_returns_rdf,
    "has-endpoint-triple": sd_has_endpoint_triple,
    "conforms-to-schema": sd_conforms_to_schema,
}


def run_service_description(case: Case, target: Target) -> list[str]:
    check = SD_CHECKS.get(case.name)
    if check is None:
        return [f"{case.id} has no check here and is not in SKIPS"]
    url = target.server.endpoint
    headers = {"Accept": SD_ACCEPT}
    response = target.session.get(url, headers=headers, timeout=60)
    exchange = Exchange("GET", url, headers, None, response)
    if not 200 <= response.status_code < 300:
        return [f"status {response.status_code}, expected 2xx\n" + exchange.describe()]
    graph, problem = parse_rdf(response)
    if problem or graph is None:
        return [f"{problem}\n" + exchange.describe()]
    return [f"{p}\n" + exchange.describe() for p in check(graph, url)]


# ---------------------------------------------------------------- the tests


def test_skips_name_manifest_entries() -> None:
    """Every skipped test is in a manifest (none is left over), and every entry has an id."""
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert sorted(set(SKIPS) - set(ids)) == []
    assert {case.suite for case in CASES} == set(SUITES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_w3c(target: Target, case: Case) -> None:
    if case.id in SKIPS:
        pytest.skip(SKIPS[case.id])
    if case.unreadable:
        pytest.fail(f"{case.id}: its requests could not be read: {case.unreadable}")
    if case.suite == "service-description":
        problems = run_service_description(case, target)
    elif case.suite == "http-rdf-update":
        problems = rdf_update_outcomes(target)[case.name]
    elif case.steps:
        variables: dict[str, str] = {}
        if case.suite == "graph-store-protocol":
            clear_graphs(case, target, variables)
        problems = run_steps(case, target, variables)
    else:
        problems = [f"{case.id} has no requests to run and is not in SKIPS"]
    assert not problems, f"{case.id} ({case.title}) in mode {target.mode}:\n" + "\n".join(problems)
