"""Entity pages, Wikidata-class (issue #15, point 2), on real IRIs of the graph: key facts
first in a fixed order per class, dates at their precision, the derived year hidden, each
statement with its quotes, incoming links grouped, formats by name, identifiers named by
their source, coordinates in degrees. Read over HTTP and parsed with the standard library's
HTML parser; one Chromium test looks at the page as a visitor would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests
from helpers import LiveServer, shot

KG = "https://w3id.org/cakg/ontology#"
VOID_ELEMENTS = {"br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return " ".join(
            "".join(c if isinstance(c, str) else f" {c.text()} " for c in self.children).split()
        )

    def all(self, tag: str = "", cls: str = "") -> list[Element]:
        """Every descendant with the tag (any, if empty) and the class (any, if empty)."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if (not tag or child.tag == tag) and (
                    not cls or cls in child.attrs.get("class", "").split()
                ):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def page(server: LiveServer, path: str, language: str = "en") -> Element:
    response = requests.get(
        server.url + path,
        headers={"Accept": "text/html", "Accept-Language": language},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    builder = TreeBuilder()
    builder.feed(response.text)
    return builder.root


def statements(root: Element) -> list[Element]:
    """The statements of the page's own facts, in the order shown."""
    return root.all(cls="facts")[0].all(cls="statement")


def properties(root: Element) -> list[str]:
    return [s.attrs.get("data-property", "") for s in statements(root)]


def statement(root: Element, prop: str) -> Element:
    return next(s for s in statements(root) if s.attrs.get("data-property") == KG + prop)


def test_key_facts_come_first_in_a_fixed_order(server: LiveServer) -> None:
    shown = properties(page(server, "/event/lazgi-festival-2022"))
    order = [KG + p for p in ("status", "eventType", "startDate", "endDate", "location")]
    assert [p for p in shown if p in order] == order
    assert shown.index(KG + "status") <= 1  # status near the top, not buried
    assert shown.index(KG + "startDate") < shown.index(KG + "endDate")


def test_dates_at_their_precision_and_no_derived_year(server: LiveServer) -> None:
    root = page(server, "/event/lazgi-festival-2022")
    assert KG + "year" not in properties(root)
    assert "year" not in [dt.text() for dt in root.all("dt")]
    assert statement(root, "startDate").all(cls="value")[0].text() == "25 April 2022"
    month = page(server, "/event/aminov-and-the-soldier-premiere-2024")
    assert KG + "year" not in properties(month)
    assert "August 2024" in month.all(cls="summary")[0].text()


def test_summary_line_names_type_status_date_and_place(server: LiveServer) -> None:
    root = page(server, "/event/lazgi-festival-2022")
    assert root.all(cls="types")[0].text() == "Cultural event"
    summary = root.all(cls="summary")[0].text()
    assert summary == "happened · 25–30 April 2022 · Khiva"


def test_each_statement_has_its_quotes_beside_it(server: LiveServer) -> None:
    root = page(server, "/event/lazgi-festival-2022")
    quote = "held in Khiva on April 25–30, 2022"
    for prop in ("location", "startDate", "endDate", "participatingCountry"):
        quotes = [q.text() for q in statement(root, prop).all(cls="quote")]
        assert any(quote in q for q in quotes), (prop, quotes)
    # the derivation is the note of the statement it derives, not a statement of its own
    assert KG + "derivation" not in properties(root)
    assert "enclosing place" in statement(root, "country").text()


def test_a_document_lists_the_facts_that_cite_it(server: LiveServer) -> None:
    root = page(server, "/doc/000_74681c818d2b02ab")
    cited = next(s for s in root.all("section") if s.attrs.get("id") == "cited-by")
    assert cited.all("h2")[0].text() == "Cited by"
    links = {a.attrs["href"]: a.text() for a in cited.all("a")}
    assert links.get("/event/lazgi-festival-2022") == "“Lazgi” International Dance Festival 2022"
    assert any("held in Khiva on April 25–30, 2022" in q.text() for q in cited.all(cls="quote"))
    # the evidence nodes are not listed twice as "source of" and "hasSource of"
    assert "hasSource of" not in root.text() and "source of" not in root.text()


def test_incoming_links_are_grouped_by_property(server: LiveServer) -> None:
    root = page(server, "/city/tashkent")
    incoming = next(s for s in root.all("section") if s.attrs.get("id") == "incoming")
    headings = [h.text() for h in incoming.all("h3")]
    assert "Events held here" in headings and "Twinnings" in headings
    assert "location of" not in incoming.text()


def test_a_quote_lists_the_facts_it_supports(server: LiveServer) -> None:
    root = page(server, "/evidence/000_74681c818d2b02ab/1219-1337")
    incoming = next(s for s in root.all("section") if s.attrs.get("id") == "incoming")
    assert [h.text() for h in incoming.all("h3")] == ["Facts it supports"]
    assert incoming.all("a")[0].attrs["href"] == "/event/lazgi-festival-2022"


def test_formats_are_offered_by_name(server: LiveServer) -> None:
    formats = page(server, "/event/lazgi-festival-2022").all(cls="formats")[0]
    names = {a.text(): a.attrs["href"] for a in formats.all("a")}
    assert names["Turtle"] == "/event/lazgi-festival-2022.ttl"
    assert names["JSON-LD"] == "/event/lazgi-festival-2022.jsonld"
    assert names["N-Triples"] == "/event/lazgi-festival-2022.nt"
    assert names["RDF/XML"] == "/event/lazgi-festival-2022.rdf"
    assert "text/turtle" not in formats.text()


def test_identifiers_named_by_source_and_coordinates_in_degrees(server: LiveServer) -> None:
    root = page(server, "/city/tashkent")
    links = {a.text(): a.attrs["href"] for a in root.all("a")}
    assert links["GeoNames 1512569"] == "https://sws.geonames.org/1512569/"
    assert "1512569" not in links  # never the bare number
    text = root.all(cls="facts")[0].text()
    assert "41.26° N, 69.22° E" in text
    assert "41.26465" not in text


def test_a_person_keeps_roles_and_the_reader_language(server: LiveServer) -> None:
    root = page(server, "/country/jp", language="ja")
    assert root.all("h1")[0].text() == "日本"
    assert KG + "year" not in properties(page(server, "/person/o-nazarbekov"))


def test_entity_page_in_chromium(browser_page: Any, server: LiveServer) -> None:
    from test_review_page import axe_passes

    page_ = browser_page
    assert page_.goto(server.url + "/event/lazgi-festival-2022").status == 200
    shot(page_, "entity-event")
    axe_passes(page_)
    assert page_.requested_hosts == {"127.0.0.1"}
    # by keyboard: the first links of the facts are reached with Tab, and Enter follows one
    for _ in range(40):
        page_.keyboard.press("Tab")
        if page_.evaluate("document.activeElement.closest('dl.facts') !== null"):
            break
    else:
        raise AssertionError("Tab never reached the facts")
    target = page_.evaluate("document.activeElement.getAttribute('href')")
    page_.keyboard.press("Enter")
    page_.wait_for_url(server.url + target)
    assert page_.goto(server.url + "/doc/000_74681c818d2b02ab").status == 200
    shot(page_, "entity-document")
    axe_passes(page_)
    assert page_.goto(server.url + "/city/tashkent").status == 200
    shot(page_, "entity-city")
    axe_passes(page_)


def test_roles_are_named_by_their_role_name_not_their_iri(server: LiveServer) -> None:
    """A role has no rdfs:label: its kg:roleName names it where it is linked, never the slug
    of its IRI ("deputy-minister-of-culture-and-sports-2023-06")."""
    role = "/role/n-daueshov/deputy-minister-of-culture-and-sports-2023-06"
    for path in ("/country/kz", "/doc/000_74681c818d2b02ab"):
        links = [a for a in page(server, path).all("a") if a.attrs.get("href") == role]
        assert links, path
        assert {a.text() for a in links} == {"Deputy Minister of Culture and Sports"}, path


def test_a_place_with_coordinates_has_a_small_map(server: LiveServer) -> None:
    """Wherever coordinates exist, a locator map: outlines around the point, its country
    shaded, the point marked and named; no map where there are none."""
    root = page(server, "/city/tashkent")
    maps = root.all("svg", cls="locator")
    assert len(maps) == 1
    assert maps[0].attrs["aria-label"] == "Map: where Tashkent lies"
    assert len(maps[0].all("path")) >= 3 and len(maps[0].all("path", cls="home")) == 1
    assert maps[0].all("circle", cls="spot")
    assert not page(server, "/event/lazgi-festival-2022").all("svg", cls="locator")
