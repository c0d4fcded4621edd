"""Provenance you can see (issue #15, point 3): a document's page shows its text with every
quote the graph cites it by highlighted at the evidence's offsets, beside it the facts each
quote supports, and a fact's quotes link to their place in the text. Checked against the
graph itself, through the endpoint, on a real server; one test looks in Chromium."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
import requests
from helpers import ROOT, LiveServer, shot

BASE = "https://w3id.org/cakg/"
DOCUMENTS = sorted(p.stem for p in (ROOT / "data").glob("*.txt"))
#: Every quote of a document, by its offsets, with the facts citing it (as describe does:
#: the fact's own evidence, or a blank node's of it).
QUOTES = """
SELECT ?start ?end ?quote ?fact WHERE {
  ?ev oa:hasSource <%s> ; kg:quote ?quote ; oa:hasSelector ?sel .
  ?sel oa:start ?start ; oa:end ?end .
  OPTIONAL {
    { ?fact kg:evidence ?ev } UNION { ?fact ?p ?node . ?node kg:evidence ?ev FILTER isBlank(?node) }
    FILTER isIRI(?fact)
  }
}"""


class TextReader(HTMLParser):
    """Reads the document's text as shown (its numbers left out) and where each quote's
    anchor and number stand in it, and the list of quotes beside it."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.depth = 0  # inside the text's element, how deep
        self.in_number = False
        self.starts: dict[str, int] = {}  # anchor id -> offset
        self.ends: dict[str, int] = {}  # entry id -> offset of the number after the quote
        self.marked: list[tuple[int, int]] = []
        self.mark_from: int | None = None
        self.entry: str | None = None
        self.supports: dict[str, set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.depth:
            self.depth += tag != "span"  # anchors are empty spans, closed at once
            if a.get("class") == "anchor":
                self.starts[a["id"]] = len(self.text)
            elif a.get("class") == "qref":
                self.ends[a["href"][1:]] = len(self.text)
                self.in_number = True
            elif tag == "mark":
                self.mark_from = len(self.text)
        elif a.get("class") == "document-text":
            self.depth = 1
        elif tag == "li" and a.get("id", "").startswith("quote-"):
            self.entry = a["id"]
            self.supports[self.entry] = set()
        elif (
            tag == "a" and self.entry and a.get("href", "").startswith("/") and "#" not in a["href"]
        ):
            if not a["href"].startswith("/evidence/"):
                self.supports[self.entry].add(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag != "span":
            self.depth -= 1
            if tag == "a":
                self.in_number = False
            if tag == "mark" and self.mark_from is not None:
                self.marked.append((self.mark_from, len(self.text)))
        if tag == "ol":
            self.entry = None

    def handle_data(self, data: str) -> None:
        if self.depth and not self.in_number:
            self.text += data


def read(server: LiveServer, document: str) -> TextReader:
    response = requests.get(f"{server.url}/doc/{document}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    reader = TextReader()
    reader.feed(response.text)
    return reader


def quotes(server: LiveServer, document: str) -> dict[tuple[int, int], tuple[str, set[str]]]:
    response = requests.post(
        server.url + "/sparql",
        data={"query": QUOTES % (BASE + "doc/" + document)},
        headers={"Accept": "application/sparql-results+json"},
    )
    found: dict[tuple[int, int], tuple[str, set[str]]] = {}
    for row in response.json()["results"]["bindings"]:
        key = (int(row["start"]["value"]), int(row["end"]["value"]))
        _, facts = found.setdefault(key, (row["quote"]["value"], set()))
        if "fact" in row:
            facts.add("/" + row["fact"]["value"][len(BASE) :])
    return found


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_text_is_shown_whole_with_every_quote_at_its_offsets(
    server: LiveServer, document: str
) -> None:
    shown = read(server, document)
    assert shown.text == (ROOT / "data" / f"{document}.txt").read_text("utf-8")
    expected = quotes(server, document)
    assert expected, "every source document is cited"
    placed = {
        (shown.starts[f"q-{s}-{e}"], shown.ends[f"quote-{s}-{e}"])
        for s, e in expected
        if f"q-{s}-{e}" in shown.starts
    }
    assert placed == set(expected)  # each quote's anchor at its start, its number at its end
    for (start, end), (quote, _) in expected.items():
        assert shown.text[start:end] == quote
        # every character of it is highlighted
        assert all(any(a <= i < b for a, b in shown.marked) for i in range(start, end))


@pytest.mark.parametrize("document", DOCUMENTS[:2])
def test_each_quote_lists_the_facts_it_supports(server: LiveServer, document: str) -> None:
    shown = read(server, document)
    expected = quotes(server, document)
    assert {f"quote-{s}-{e}": facts for (s, e), (_, facts) in expected.items()} == shown.supports


def test_a_facts_quote_links_to_its_place_in_the_text(server: LiveServer) -> None:
    page = requests.get(server.url + "/event/lazgi-festival-2022", headers={"Accept": "text/html"})
    links = {
        href
        for href in _hrefs(page.text)
        if href.startswith("/doc/") and "#q-" in href  # "in the text"
    }
    assert links
    for link in links:
        path, anchor = link.split("#")
        assert (
            f'id="{anchor}"'
            in requests.get(server.url + path, headers={"Accept": "text/html"}).text
        )


def test_a_quote_page_links_to_its_place_in_the_text(server: LiveServer) -> None:
    (start, end), _ = next(iter(quotes(server, DOCUMENTS[0]).items()))
    page = requests.get(
        f"{server.url}/evidence/{DOCUMENTS[0]}/{start}-{end}", headers={"Accept": "text/html"}
    )
    assert f"/doc/{DOCUMENTS[0]}#q-{start}-{end}" in _hrefs(page.text)


def test_provenance_in_chromium(browser_page: Any, server: LiveServer) -> None:
    from test_review_page import axe_passes

    page = browser_page
    assert page.goto(server.url + "/event/lazgi-festival-2022").status == 200
    page.locator("a.in-text").first.click()
    page.wait_for_url("**/doc/**#q-*")
    anchor = page.evaluate("location.hash")
    # the quote is on screen, outlined as the target
    assert page.evaluate(
        f"""(() => {{
          const m = document.querySelector('{anchor} + mark'), r = m.getBoundingClientRect();
          const box = m.closest('.document-text').getBoundingClientRect();
          return r.top >= box.top && r.bottom <= box.bottom
            && getComputedStyle(m).outlineStyle === 'solid'; }})()"""
    )
    shot(page, "provenance-document")
    # a quote sharing its start with another, and overlapping others, is outlined whole:
    # once only the first run of it was, or none (the reviewer's #q-879-1171, #q-879-1022)
    for target in ("q-879-1171", "q-879-1022"):
        page.goto(f"{server.url}/doc/000_74681c818d2b02ab#{target}")
        outlined = page.evaluate(
            """() => Array.from(document.querySelectorAll('.document-text mark'))
                 .filter(m => getComputedStyle(m).outlineStyle === 'solid')
                 .map(m => m.textContent).join('')"""
        )
        start, end = (int(n) for n in target[2:].split("-"))
        text = (ROOT / "data" / "000_74681c818d2b02ab.txt").read_text("utf-8")
        assert outlined == text[start:end], target
    axe_passes(page)
    # from the number after a quote to the facts it supports, by keyboard
    number = page.locator("a.qref").first
    number.focus()
    page.keyboard.press("Enter")
    entry = page.evaluate("location.hash")
    assert entry.startswith("#quote-")
    assert page.locator(f"{entry} ul.supports a").count() >= 1
    assert page.requested_hosts == {"127.0.0.1"}


def _hrefs(html: str) -> set[str]:
    class Links(HTMLParser):
        found: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found.add(dict(attrs).get("href") or "")

    links = Links()
    links.found = set()
    links.feed(html)
    return links.found
