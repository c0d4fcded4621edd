"""Issue 15, point 6: every error a browser can meet is an HTML page in the site's style with
a way back; programs still get the JSON (or the one line of text) they always got. A real
server on loopback, requests sent with the Accept header a browser sends, and one page in
headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask
from helpers import LiveServer, assert_error, shot
from rdflib import RDF, Graph, URIRef

from kg.graph.parsing import quiet_rdflib_deprecations

#: What Chromium sends when it navigates to a page.
#: The embedded descriptions name their vocabulary inline: no remote context is named.
SCHEMA_VOCAB = {"@vocab": "https://schema.org/"}
BROWSER = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
    "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
}
#: What a browser's page sends when it names only HTML (a link typed with `Accept: text/html`).
HTML_ONLY = {"Accept": "text/html,application/xhtml+xml"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: The request headers of programs, each of which must keep getting what it got before.
PROGRAMS: dict[str, dict[str, str]] = {
    "no-accept": {},
    "json": {"Accept": "application/json"},
    "text": {"Accept": "text/plain"},
}
LEAKS = ("Traceback", 'File "', ".py", "site-packages")


def assert_error_page(r: requests.Response, status: int, back: str = "/") -> str:
    """An HTML page of the site's, naming the status, with a link home and `back`, its
    schema.org description as a JSON-LD data block, and no internals."""
    assert r.status_code == status, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/html"), r.headers["Content-Type"]
    assert "Accept" in r.headers["Vary"]
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    text = r.text
    assert '<header class="site">' in text and 'href="/static/style.css' in text
    assert re.search(rf"<h1[^>]*>[^<]*{status}", text), text[:600]
    assert 'href="/"' in text and f'href="{back}"' in text
    assert not any(leak in text for leak in LEAKS), text
    described = json.loads(jsonld_block(text))
    assert described["@context"] == SCHEMA_VOCAB
    assert described["@type"] == "WebPage" and str(status) in described["name"]
    return text


def jsonld_block(text: str) -> str:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert match, "no JSON-LD data block"
    return match.group(1)


def assert_program_answers(
    send: Callable[[dict[str, str]], requests.Response], status: int, code: str
) -> None:
    """Programs get the JSON error (no Accept, JSON) or its one line of text, as before."""
    for name, headers in PROGRAMS.items():
        r = send(headers)
        if name == "text":
            assert r.status_code == status
            assert r.headers["Content-Type"].startswith("text/plain")
            assert r.text.startswith(f"{status} {code}: ") and r.text.count("\n") == 1
        else:
            assert_error(r, status, code)


# ---------------------------------------------------------------- each status


def test_404_unknown_path(server: LiveServer) -> None:
    r = requests.get(server.url + "/no/such/page", headers=BROWSER, timeout=30)
    text = assert_error_page(r, 404)
    assert "/no/such/page" in text
    assert_program_answers(
        lambda h: requests.get(server.url + "/no/such/page", headers=h, timeout=30),
        404,
        "not_found",
    )


def test_404_unknown_iri_is_the_same_page(server: LiveServer) -> None:
    r = requests.get(server.url + "/city/atlantis", headers=BROWSER, timeout=30)
    text = assert_error_page(r, 404)
    assert "https://w3id.org/cakg/city/atlantis" in text


def test_405_wrong_method(server: LiveServer) -> None:
    r = requests.post(server.url + "/curate", data={"a": "b"}, headers=BROWSER, timeout=30)
    assert_error_page(r, 405, back="/curate")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    r = requests.delete(server.endpoint, headers=BROWSER, timeout=30)
    assert_error_page(r, 405, back="/query")
    assert "POST" in r.headers["Allow"]
    assert_program_answers(
        lambda h: requests.post(server.url + "/curate", headers=h, timeout=30),
        405,
        "method_not_allowed",
    )


def test_406_results_a_browser_cannot_take(server: LiveServer) -> None:
    """A SELECT's results have no HTML form: a client naming only HTML gets the page, which
    names the formats offered."""
    query = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}
    r = requests.get(server.endpoint, params=query, headers=HTML_ONLY, timeout=30)
    text = assert_error_page(r, 406, back="/query")
    assert "text/csv" in text
    r = requests.get(server.endpoint, params=query, headers={"Accept": "image/png"}, timeout=30)
    assert_error(r, 406, "not_acceptable")


def test_400_query_error_leads_back_to_the_query_page(server: LiveServer) -> None:
    r = requests.get(
        server.endpoint, params={"query": "SELECT * WHERE { ?s zz:p ?o }"}, headers=BROWSER
    )
    text = assert_error_page(r, 400, back="/query")
    assert "line 1" in text
    assert_program_answers(
        lambda h: requests.get(
            server.endpoint, params={"query": "SELECT * WHERE { ?s zz:p ?o }"}, headers=h
        ),
        400,
        "syntax_error",
    )


def test_413_oversize_body(server: LiveServer) -> None:
    body = {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000}
    r = requests.post(server.endpoint, data=body, headers=BROWSER, timeout=30)
    assert_error_page(r, 413, back="/query")
    assert_program_answers(
        lambda h: requests.post(server.endpoint, data=body, headers=h, timeout=30),
        413,
        "too_large",
    )


def test_429_rate_limit(make_server: Callable[..., LiveServer]) -> None:
    limited = make_server(QUERY_SECONDS_PER_MINUTE=0.000001, QUERY_WORKERS=1)
    query = {"query": "ASK { ?s ?p ?o }"}
    first = requests.get(limited.endpoint, params=query, timeout=30)
    assert first.status_code == 200
    r = requests.get(limited.endpoint, params=query, headers=BROWSER, timeout=30)
    text = assert_error_page(r, 429, back="/query")
    assert int(r.headers["Retry-After"]) >= 1
    assert f"Try again in {r.headers['Retry-After']} second" in text
    assert_program_answers(
        lambda h: requests.get(limited.endpoint, params=query, headers=h, timeout=30),
        429,
        "too_many_requests",
    )


def test_503_query_deadline(server: LiveServer) -> None:
    params = {"query": RUNAWAY, "timeout": "0.5"}
    r = requests.get(server.endpoint, params=params, headers=BROWSER, timeout=60)
    text = assert_error_page(r, 503, back="/query")
    assert int(r.headers["Retry-After"]) >= 1
    assert f"Try again in {r.headers['Retry-After']} second" in text
    r = requests.get(server.endpoint, params=params, headers=PROGRAMS["json"], timeout=60)
    assert_error(r, 503, "timeout")
    assert "Retry-After" in r.headers


@pytest.fixture(scope="module")
def failing_app(make_app: Callable[..., Flask]) -> Flask:
    """An app whose one extra route fails as a bug would (no real request makes a 500)."""
    app = make_app()

    def fail() -> str:
        raise RuntimeError("secret internals at /home/kg/src/kg/web/x.py line 3")

    app.add_url_rule("/test-only-failure", "test_only_failure", fail)
    return app


def test_500_shows_no_internals(failing_app: Flask) -> None:
    client = failing_app.test_client()
    r = client.get("/test-only-failure", headers=BROWSER)
    assert r.status_code == 500 and r.mimetype == "text/html"
    text = r.get_data(as_text=True)
    assert "secret" not in text and "Traceback" not in text and ".py" not in text
    assert re.search(r"<h1[^>]*>[^<]*500", text) and 'href="/"' in text
    assert json.loads(jsonld_block(text))["@type"] == "WebPage"
    r = client.get("/test-only-failure", headers={"Accept": "application/json"})
    assert r.status_code == 500 and r.json == {
        "status": 500,
        "error": "server_error",
        "message": "the server failed; the error was logged",
    }


# ---------------------------------------------------------------- pages for search engines


@pytest.mark.parametrize("path", ["/", "/timeline", "/map"])
def test_pages_describe_themselves_and_link_their_rdf(server: LiveServer, path: str) -> None:
    r = requests.get(server.url + path, headers=BROWSER, timeout=30)
    assert r.status_code == 200
    described = json.loads(jsonld_block(r.text))
    assert described["@context"] == SCHEMA_VOCAB
    links = re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', r.text)
    types = {t for t, _ in links}
    assert {"text/turtle", "application/ld+json"} <= types, links
    downloads = [(d["encodingFormat"], d["contentUrl"]) for d in described.get("distribution", ())]
    assert downloads or path != "/"
    for media, href in links + downloads:
        answer = requests.get(server.url + href.replace("&amp;", "&"), timeout=60)
        assert answer.status_code == 200, (href, answer.text[:200])
        assert answer.headers["Content-Type"].startswith(media)


# ---------------------------------------------------------------- in Chromium


def axe_passes(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_an_error_page_in_chromium(browser_page: Any, server: LiveServer) -> None:
    """A shared link to a query that does not parse: the page is read, checked by axe-core,
    and left by keyboard for the query page; the JSON-LD block breaks no
    Content-Security-Policy and nothing remote is asked for."""
    violations: list[str] = []
    browser_page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    r = browser_page.goto(
        server.endpoint + "?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20zz%3Ap%20%3Fo%20%7D"
    )
    assert r.status == 400
    assert browser_page.locator("h1").inner_text().startswith("400")
    assert "zz:" in browser_page.locator("main").inner_text()
    axe_passes(browser_page)
    shot(browser_page, "error-400-query")
    # Tab from the top of the page until the link back to the query page has the focus.
    for _ in range(30):
        browser_page.keyboard.press("Tab")
        focused = browser_page.evaluate("document.activeElement.closest('main') !== null")
        if focused and browser_page.evaluate("document.activeElement.textContent").startswith(
            "Back to the query page"
        ):
            break
    else:
        pytest.fail("the way back is not reachable by keyboard")
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_url(server.url + "/query")
    assert violations == []
    assert browser_page.requested_hosts == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "Dataset"),
        ("/timeline", "ItemList"),
        ("/map", "ItemList"),
        ("/no/such/page", "WebPage"),
        ("/event/lazgi-festival-2022", "Event"),
        ("/city/khiva", "City"),
    ],
)
def test_a_pages_description_is_read_offline(server: LiveServer, path: str, kind: str) -> None:
    """The embedded JSON-LD names no remote context (the project is offline, and a reader
    must not fetch schema.org's to understand it): rdflib reads it as it is, and finds
    the page's schema.org type."""
    r = requests.get(server.url + path, headers=BROWSER, timeout=30)
    block = jsonld_block(r.text)
    with quiet_rdflib_deprecations():
        graph = Graph().parse(data=block, format="json-ld", base=server.url + path)
    assert (None, RDF.type, URIRef("https://schema.org/" + kind)) in graph, block[:300]


def test_an_entity_page_describes_its_entity_by_schema_org(server: LiveServer) -> None:
    r = requests.get(server.url + "/event/lazgi-festival-2022", headers=BROWSER, timeout=30)
    described = json.loads(jsonld_block(r.text))
    assert described["@id"] == "https://w3id.org/cakg/event/lazgi-festival-2022"
    assert described["startDate"] == "2022-04-25" and described["endDate"] == "2022-04-30"
    assert {"@id": "https://w3id.org/cakg/city/khiva"} in described["location"]


def test_a_post_only_route_read_with_get_is_405_not_404(server: LiveServer) -> None:
    """The linked-data catch-all answers every GET: a route that takes only other methods
    must still say which (405 with Allow), not that nothing is there."""
    r = requests.get(server.url + "/validate", headers=BROWSER, timeout=30)
    assert_error_page(r, 405, back="/curate")
    assert "POST" in r.headers["Allow"] and "GET" not in r.headers["Allow"]
    assert_program_answers(
        lambda h: requests.get(server.url + "/validate", headers=h, timeout=30),
        405,
        "method_not_allowed",
    )
