"""Pages for people, in headless Chromium: labels not IRIs, evidence, dates at their
precision, alternates, the landing page, ontology docs, timeline and map; each page passes
axe-core's accessibility rules (headings, alt text, contrast, names) and loads nothing from
outside the server. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import LiveServer, cldr_country_name, shot

PAGES = [
    pytest.param("/", "landing", id="landing"),
    pytest.param("/event/lazgi-festival-2022", "event", id="event"),
    pytest.param("/person/o-nazarbekov", "person", id="person"),
    pytest.param("/city/samarkand", "city", id="city"),
    pytest.param("/doc/001_827a15a1c1169bd2", "document", id="document"),
    pytest.param("/ontology", "ontology", id="ontology"),
    pytest.param("/timeline", "timeline", id="timeline"),
    pytest.param("/map", "map", id="map"),
    pytest.param("/dumps/", "dumps", id="dumps"),
    pytest.param("/query", "query", id="query"),
]


@pytest.fixture()
def page(browser_page: Any) -> Any:
    """The browser's page, with every console error and failed request it meets recorded."""
    browser_page.errors = []
    browser_page.on(
        "console", lambda m: browser_page.errors.append(m.text) if m.type == "error" else None
    )
    browser_page.on(
        "response",
        lambda r: browser_page.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return browser_page


def open_page(page: Any, server: LiveServer, path: str) -> Any:
    response = page.goto(server.url + path)
    assert response.status == 200
    return page


@pytest.mark.parametrize(("path", "name"), PAGES)
def test_page_is_accessible_and_offline(
    page: Any, server: LiveServer, path: str, name: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    open_page(page, server, path)
    shot(page, f"page-{name}")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert page.locator("h1").count() == 1
    assert page.requested_hosts == {"127.0.0.1"}
    # nothing the page asks for fails (the browser's own /favicon.ico once got a 404)
    assert page.errors == []


def test_entity_page_uses_labels_and_shows_evidence(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/event/lazgi-festival-2022")
    assert page.locator("h1").inner_text() == "“Lazgi” International Dance Festival 2022"
    facts = page.locator("dl.facts").first.inner_text()
    assert "Khiva" in facts and "Kazakhstan" in facts
    assert "https://w3id.org/cakg/city/khiva" not in facts  # labels, not IRIs
    assert "25 April 2022" in facts and "30 April 2022" in facts  # dates as written
    quote = page.locator("figure.evidence blockquote").first.inner_text()
    assert "“Lazgi” International Dance Festival held in Khiva on April 25–30, 2022" in quote
    source = page.locator("figure.evidence figcaption a").first
    assert source.get_attribute("href") == "/doc/000_74681c818d2b02ab"
    page.click("dl.facts a >> text=Khiva")  # the link, not a quote that names Khiva
    assert page.url.endswith("/city/khiva")


def test_month_precision_is_kept(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/event/aminov-and-the-soldier-premiere-2024")
    facts = page.locator("dl.facts").first.inner_text()
    assert "August 2024" in facts
    assert "1 August" not in facts


def test_alternate_links_for_every_format(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/city/khiva")
    types = {link.get_attribute("type") for link in page.locator("link[rel=alternate]").all()}
    assert types >= {
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
    }


def test_landing_page_explains_and_lists(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/")
    text = page.locator("main").inner_text()
    for heading in (
        "What it holds",
        "Cultural events by year",
        "Countries",
        "Cities",
        "Agreements",
        "Twinnings",
        "Persons",
    ):
        assert heading in text
    counts = page.locator("table.counts").inner_text()
    assert "CityTwinning\t4" in counts
    for href in ("/query", "/dumps/", "/ontology", "/timeline", "/map", "/.well-known/void"):
        assert page.locator(f"main a[href='{href}']").count() >= 1


def test_ontology_documentation(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/ontology")
    for term in ("CulturalEvent", "CityTwinning", "Plan", "Statistic"):
        section = page.locator(f"section#{term}")
        assert section.count() == 1
        assert len(section.inner_text()) > 60  # label, definition
    page.locator("section#CityTwinning summary").click()
    assert "two distinct places" in page.locator("section#CityTwinning details").inner_text()
    assert page.locator("tr#twinnedPlace").count() == 1


def test_timeline_dots_open_events(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/timeline")
    dots = page.locator("svg.timeline circle.dot")
    assert dots.count() > 30
    assert [t.text_content() for t in page.locator("svg.timeline text.country").all()] == [
        "Uzbekistan",
        "Kazakhstan",
        "Kyrgyzstan",
        "Japan",
    ]
    page.locator("svg.timeline a").first.click()
    assert "/event/" in page.url


def test_map_draws_cities_and_twinnings(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/map")
    assert page.locator("svg.map circle.city").count() >= 20
    assert page.locator("svg.map path.twinning:not(.region-twinning)").count() == 3
    assert "Samarkand region – Nara prefecture" in page.locator("main").inner_text()


def test_keyboard_reaches_content(page: Any, server: LiveServer) -> None:
    open_page(page, server, "/city/khiva")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused


@pytest.mark.parametrize(
    ("locale", "language"),
    [pytest.param("ja-JP", "ja", id="ja-JP"), pytest.param("ru-RU", "ru", id="ru-RU")],
)
def test_a_browser_in_another_language_reads_the_names_in_it(
    browser: Any, server: LiveServer, locale: str, language: str
) -> None:
    """The browser's own Accept-Language (issue #13), with the name marked in its language."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        assert page.goto(server.url + "/country/kz").status == 200
        title = page.locator("h1")
        assert title.inner_text() == cldr_country_name("KZ", language)
        assert title.get_attribute("lang") == language
        shot(page, f"page-country-{language}")
        results = Axe().run(page)
        violations = results.response["violations"]
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()
    finally:
        context.close()
