"""Entity pages over more data than they show at once (the benchmark's generated graph): every
list a page of an IRI shows (what points to it, under each heading; the facts citing a
document; what a named graph describes) shows at most PAGE_ITEMS, says how many there are in
all, and links the query listing them all, which lists that many, the page's first; the
RDF of the same IRI is still the whole description. An entity page's queries share the page's
deadline (PAGE_TIMEOUT_S). Pages are read over HTTP and their lists found with the standard
library's HTML parser."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import LiveServer
from rdflib import Graph, URIRef

BASE = "https://w3id.org/cakg/"
KG = BASE + "ontology#"
JP = BASE + "country/jp"
DOCUMENT = "doc/903_c35d1f9ae1982a9a"  # a generated document, cited by hundreds of facts
PAGE_ITEMS = 200  # the default
CAP = 20  # the capped server's
#: Lists a page shows the first PAGE_ITEMS of, by the class of their <ul>.
LISTS = {"incoming", "cited-by", "contents"}
VOID_ELEMENTS = {"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area"}


@dataclass
class Listed:
    """A list on a page: the first link of each item, and what it says of the rest."""

    kind: str
    hrefs: list[str | None] = field(default_factory=list)
    more: str = ""  # "The first 20 of 360 facts citing it: list all 360 on the query page."
    link: str = ""  # the query page's link listing them all

    @property
    def said(self) -> tuple[int, int]:
        """(shown, total) as the list says them."""
        found = re.match(r"The first (\d+) of (\d+)", self.more)
        assert found is not None, self.more
        return int(found[1]), int(found[2])

    @property
    def query(self) -> str:
        (query,) = parse_qs(urlsplit(self.link).query)["query"]
        return query


class ListFinder(HTMLParser):
    """The capped lists of a page, each item's first link and what the list says after it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, Listed | None]] = []
        self.lists: list[Listed] = []
        self.item: list[str | None] | None = None  # the open item's first link, once found
        self.in_more = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {k: v or "" for k, v in attrs}
        classes = set(given.get("class", "").split())
        opened: Listed | None = None
        if tag == "ul" and classes & LISTS:
            opened = Listed(next(iter(classes & LISTS)))
            self.lists.append(opened)
        elif tag == "li" and self.stack and self.stack[-1][1] is not None:
            self.stack[-1][1].hrefs.append(None)
            self.item = self.stack[-1][1].hrefs
        elif tag == "a" and self.item is not None and self.item[-1] is None:
            self.item[-1] = given.get("href")
        elif tag == "p" and "more" in classes and self.lists:
            self.in_more = True
        elif tag == "a" and self.in_more:
            self.lists[-1].link = given["href"]
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, opened))

    def handle_endtag(self, tag: str) -> None:
        opened = [i for i, (name, _) in enumerate(self.stack) if name == tag]
        if not opened:
            return
        closed = self.stack[opened[-1] :]  # with any element left open inside it
        del self.stack[opened[-1] :]
        if any(listed is not None for _, listed in closed):
            self.item = None
        if tag == "p":
            self.in_more = False

    def handle_data(self, data: str) -> None:
        if self.in_more:
            self.lists[-1].more += data


def page_lists(server: LiveServer, path: str) -> list[Listed]:
    """The capped lists of an HTML page, which must be under 300 KB."""
    answer = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=60)
    assert answer.status_code == 200, (path, answer.text[:500])
    assert len(answer.content) < 300_000, (path, len(answer.content))
    finder = ListFinder()
    finder.feed(answer.text)
    return finder.lists


def rows(server: LiveServer, query: str) -> tuple[list[str], list[dict[str, str]]]:
    """The variables and rows of a SELECT, asked of the endpoint."""
    answer = requests.post(
        server.endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:500]
    data = answer.json()
    found = [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]
    return data["head"]["vars"], found


def count(server: LiveServer, query: str) -> int:
    """The one number a COUNT query answers."""
    names, found = rows(server, query)
    return int(found[0][names[0]])


def local(iri: str) -> str:
    return "/" + iri[len(BASE) :]


def check_lists(server: LiveServer, path: str, cap: int) -> list[Listed]:
    """Each list of the page shows at most `cap` things; one that shows fewer than there are
    says how many, and its link lists that many, the first `cap` of them those shown."""
    lists = page_lists(server, path)
    for listed in lists:
        assert len(listed.hrefs) <= cap, (path, listed.kind, len(listed.hrefs))
        if not listed.link:
            continue
        shown, total = listed.said
        assert shown == len(listed.hrefs) == cap, (path, listed.kind)
        names, found = rows(server, listed.query)
        assert len(found) == total > cap, (path, listed.kind, total)  # one row each
        first = {local(row[names[0]]) for row in found[:cap]}
        assert set(listed.hrefs) == first, (path, listed.kind)  # the page's are its first
    return lists


def capped_list(lists: list[Listed], kind: str) -> Listed:
    """The page's list of `kind` that says there are more (the test would prove nothing
    without one)."""
    found = [listed for listed in lists if listed.kind == kind and listed.link]
    assert found, f"no {kind} list is capped"
    return found[0]


@pytest.fixture(scope="module")
def capped(generated_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`kg serve` over the generated data, showing 20 of each list."""
    server = LiveServer(
        generated_build, tmp_path_factory.mktemp("capped-logs"), PAGE_ITEMS=CAP, QUERY_TIMEOUT_S=4
    )
    yield server
    server.stop()


# ---------------------------------------------------------------- the default: PAGE_ITEMS = 200


def test_a_countrys_page_lists_200_of_each_heading_and_links_the_rest(
    large_server: LiveServer,
) -> None:
    """Japan has hundreds of events in it and taking part, on the generated data: the page
    showed every one (260 KB at 100k quads, 1.5 MB at 1M)."""
    lists = check_lists(large_server, "/country/jp", PAGE_ITEMS)
    for prop in ("country", "participatingCountry"):
        listed = next(x for x in lists if x.link and f"<{KG}{prop}>" in x.query)
        true = count(
            large_server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s kg:{prop} <{JP}> }}"
        )
        assert listed.said == (PAGE_ITEMS, true), prop


@pytest.mark.parametrize(
    "path",
    [
        "/country/kz",
        "/city/ci-00000",
        "/person/pe-000000",
        "/event/ev-000042",
        f"/{DOCUMENT}",
        "/graph/903_c35d1f9ae1982a9a",
        "/graph/gazetteer",
        "/vocab/status/happened",
    ],
)
def test_every_page_of_the_generated_data_is_bounded(large_server: LiveServer, path: str) -> None:
    check_lists(large_server, path, PAGE_ITEMS)


def test_the_rdf_of_an_iri_is_still_its_whole_description(large_server: LiveServer) -> None:
    """Only the page is capped: the Turtle of the same IRI has every link to it (within the
    server's limits on a result, as a query's)."""
    answer = requests.get(large_server.url + "/country/jp", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.text, format="turtle")
    linked = set(graph.subjects(URIRef(KG + "country"), URIRef(JP)))
    true = count(
        large_server, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s kg:country <{JP}> }}"
    )
    assert len(linked) == true > PAGE_ITEMS


# ---------------------------------------------------------------- a server showing 20 of each


def test_a_citys_events_are_capped_and_counted(capped: LiveServer) -> None:
    city = BASE + "city/ci-00000"
    held = next(
        listed
        for listed in check_lists(capped, "/city/ci-00000", CAP)
        if listed.kind == "incoming" and listed.link and "location" in listed.query
    )
    true = count(capped, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e kg:location <{city}> }}")
    assert held.said == (CAP, true)


def test_a_persons_events_are_capped_and_counted(capped: LiveServer) -> None:
    person = BASE + "person/pe-000000"
    took_part = capped_list(check_lists(capped, "/person/pe-000000", CAP), "incoming")
    true = count(
        capped, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e kg:participant <{person}> }}"
    )
    assert took_part.said == (CAP, true)


def test_a_documents_citing_facts_are_capped_and_counted(capped: LiveServer) -> None:
    """A generated document is cited by hundreds of facts (12,000 at 1M quads)."""
    cited = capped_list(check_lists(capped, f"/{DOCUMENT}", CAP), "cited-by")
    true = count(
        capped,
        "SELECT (COUNT(DISTINCT ?fact) AS ?n) WHERE { "
        f"?ev kg:source <{BASE}{DOCUMENT}> . "
        "{ ?fact kg:evidence ?ev } UNION { ?fact ?via ?node . ?node kg:evidence ?ev "
        "FILTER isBlank(?node) } FILTER isIRI(?fact) }",
    )
    assert cited.said == (CAP, true)
    assert "facts citing it" in cited.more


def test_a_named_graphs_contents_are_capped_and_counted(capped: LiveServer) -> None:
    """A document's graph holds 200,000 triples at 1M quads: its page fetched them all."""
    graph = BASE + "graph/903_c35d1f9ae1982a9a"
    answer = requests.get(
        capped.url + "/graph/903_c35d1f9ae1982a9a", headers={"Accept": "text/html"}
    )
    contents = capped_list(check_lists(capped, "/graph/903_c35d1f9ae1982a9a", CAP), "contents")
    things = count(
        capped,
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
        f"FILTER(isIRI(?s) && ?s != <{graph}>) }}",
    )
    statements = count(
        capped, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    )
    assert contents.said == (CAP, things)
    assert f"{statements} statements about {things} things" in answer.text


def test_a_list_of_a_concept_is_capped(capped: LiveServer) -> None:
    """Every fact that happened points to its status: the largest list of the data."""
    facts = capped_list(check_lists(capped, "/vocab/status/happened", CAP), "incoming")
    true = count(
        capped,
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s kg:status <{BASE}vocab/status/happened> }}",
    )
    assert facts.said == (CAP, true)


# ---------------------------------------------------------------- the project's own graph


@pytest.fixture(scope="module")
def three(make_server: Callable[..., LiveServer]) -> LiveServer:
    """A server over the project's graph showing three of each list."""
    return make_server(PAGE_ITEMS=3)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/city/tashkent", "incoming"),
        ("/country/uz", "incoming"),
        ("/doc/000_74681c818d2b02ab", "cited-by"),
        ("/graph/000_74681c818d2b02ab", "contents"),  # quotes among them, listed last
        ("/shapes", "contents"),
    ],
)
def test_the_project_graphs_lists_are_capped_too(three: LiveServer, path: str, kind: str) -> None:
    capped_list(check_lists(three, path, 3), kind)


def test_a_list_no_longer_than_the_cap_says_nothing_more(three: LiveServer) -> None:
    """A quote supports one fact: listed whole, with no 'first … of'."""
    lists = page_lists(three, "/evidence/000_74681c818d2b02ab/1219-1337")
    assert [len(listed.hrefs) for listed in lists] == [1]
    assert not lists[0].link


# ---------------------------------------------------------------- the page's deadline


@pytest.fixture(scope="module")
def slow(make_server: Callable[..., LiveServer]) -> LiveServer:
    """A server whose pages have no time to gather their data."""
    return make_server(PAGE_TIMEOUT_S=0.000001)


@pytest.mark.parametrize(
    "path",
    ["/country/uz.html", "/doc/000_74681c818d2b02ab.html", "/graph/000_74681c818d2b02ab.html"],
)
def test_an_entity_page_past_its_deadline_is_a_503_that_names_the_setting(
    slow: LiveServer, path: str
) -> None:
    answer = requests.get(slow.url + path, headers={"Accept": "application/json"}, timeout=60)
    assert answer.status_code == 503
    assert "PAGE_TIMEOUT_S" in answer.json()["message"]
    assert answer.headers["Retry-After"]
