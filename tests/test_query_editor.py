"""The query page as a YASGUI-class editor (issue 15, point 1), in headless Chromium: highlighting,
completion from the ontology, keyboard use, permalinks, labelled/sortable/paged results, charts,
downloads in the answer's own formats, and errors marked in the editor.

Screenshots go to test-artifacts/ (query-*.png).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
from helpers import LiveServer, shot
from playwright.sync_api import expect

STATIC = Path(__file__).parents[1] / "src" / "kg" / "web" / "static"
CITIES = "SELECT ?city WHERE { ?city a kg:City } ORDER BY ?city LIMIT 5"
VISITORS = (
    "SELECT ?year ?visitors WHERE { ?stat kg:measure measure:japanese-visitors ; "
    "kg:year ?year ; kg:value ?visitors } ORDER BY ?year"
)
PER_COUNTRY = (
    "SELECT ?country (COUNT(?e) AS ?events) WHERE { ?e a kg:CulturalEvent ; kg:country ?country }"
    " GROUP BY ?country ORDER BY ?country"
)
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 120"
COUNTRIES = "CONSTRUCT { ?c a kg:Country } WHERE { ?c a kg:Country }"


@pytest.fixture()
def page(browser_page: Any, server: LiveServer) -> Any:
    browser_page.goto(server.url + "/query")
    browser_page.wait_for_selector(".CodeMirror")
    return browser_page


def set_query(page: Any, text: str) -> None:
    """Put a query in the editor (CodeMirror keeps its instance on its wrapper element)."""
    page.evaluate("t => document.querySelector('.CodeMirror').CodeMirror.setValue(t)", text)


def editor_text(page: Any) -> str:
    return str(page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def run(page: Any, text: str, wait: str = "#results table") -> None:
    set_query(page, text)
    page.click("#run")
    page.wait_for_selector(wait)


def axe_serious(page: Any) -> list[Any]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


# ---------------------------------------------------------------- the editor


def test_the_query_is_highlighted(page: Any) -> None:
    keywords = page.locator(".CodeMirror .cm-keyword").all_inner_texts()
    assert "SELECT" in [k.upper() for k in keywords]
    assert page.locator(".CodeMirror .cm-comment").count() >= 1  # the "# Q:" line
    assert page.locator(".CodeMirror .cm-atom, .CodeMirror .cm-variable-2").count() >= 1
    shot(page, "query-editor-highlighting")


def test_the_completion_terms_come_from_the_server(page: Any) -> None:
    data = json.loads(page.locator("#editor-data").text_content())
    assert ["kg:City", "City", "class"] in data["terms"]
    assert any(t[0] == "kg:twinnedPlace" and t[2] == "property" for t in data["terms"])
    assert data["prefixes"]["kg"] == "https://w3id.org/cakg/ontology#"
    assert data["base"] == "https://w3id.org/cakg/"
    assert "kg:City" not in (STATIC / "query.js").read_text("utf-8")  # not hard-coded


def test_typing_a_prefixed_name_offers_the_ontology_terms(page: Any) -> None:
    set_query(page, "SELECT * WHERE {\n  ?x a \n}")
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.type("kg:Ci")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "kg:City — City (class)" in hints.inner_text()
    shot(page, "query-editor-completion")
    assert axe_serious(page) == []  # the open list too
    page.keyboard.press("Enter")
    assert "?x a kg:City" in editor_text(page)


def test_ctrl_space_completes_prefixes_and_labels(page: Any) -> None:
    set_query(page, "ge")
    page.click(".CodeMirror-code")
    page.keyboard.press("End")
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>" in hints.inner_text()
    page.keyboard.press("Escape")
    set_query(page, "SELECT * { ?e kg:twin")
    page.keyboard.press("End")
    page.keyboard.press("Control+Space")
    page.locator(".CodeMirror-hints").wait_for()
    page.keyboard.press("Enter")
    assert editor_text(page).startswith("SELECT * { ?e kg:twinnedPlace")


def test_tab_indents_and_escape_then_tab_leaves(page: Any) -> None:
    set_query(page, "SELECT")
    page.click(".CodeMirror-code")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert editor_text(page).startswith("  SELECT") or editor_text(page).startswith("\tSELECT")
    assert page.evaluate("document.activeElement.closest('.CodeMirror') !== null")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "run"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('.CodeMirror') !== null")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#error:not([hidden]), #results table")
    help_line = page.locator("#query-help").inner_text()
    assert "Escape, then Tab" in help_line and "Ctrl+Enter" in help_line


def test_without_script_the_form_still_posts(browser: Any, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server.url + "/query?query=" + quote(CITIES))
        assert page.locator("textarea#query").is_visible()
        assert page.input_value("#query") == CITIES
        with page.expect_download() as info:  # a browser's Accept gets SPARQL XML
            page.click("#run")
        assert info.value.url == server.url + "/sparql"
        assert "https://w3id.org/cakg/city/" in Path(info.value.path()).read_text("utf-8")
    finally:
        context.close()


# ---------------------------------------------------------------- permalinks


def test_a_query_link_opens_and_runs_its_query(browser_page: Any, server: LiveServer) -> None:
    browser_page.goto(server.url + "/query?query=" + quote(VISITORS))
    browser_page.wait_for_selector("#results table")
    assert editor_text(browser_page) == VISITORS
    assert browser_page.locator("#results tbody tr").count() == 6
    shot(browser_page, "query-permalink")


def test_copy_link_puts_the_permalink_in_the_clipboard_and_address_bar(
    page: Any, server: LiveServer
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    set_query(page, CITIES)
    page.click("#copy-link")
    expect(page.locator("#status")).to_contain_text("copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    assert urlsplit(copied).path == "/query" and copied.startswith(server.url)
    again = requests.get(copied, timeout=30)
    assert again.status_code == 200 and ">" + CITIES.replace(">", "&gt;") + "<" in again.text


def test_an_example_can_be_opened_by_its_id(server: LiveServer) -> None:
    r = requests.get(server.url + "/query?example=03-japanese-visitors-per-year", timeout=30)
    assert r.status_code == 200 and "How many Japanese citizens" in r.text
    bad = requests.get(
        server.url + "/query?example=nope", headers={"Accept": "application/json"}, timeout=30
    )
    assert bad.status_code == 400 and "nope" in bad.json()["message"]
    listed = requests.get(server.url + "/query/examples.json", timeout=30).json()
    assert len(listed) >= 30 and listed[0]["query"].startswith("# Q:")


# ---------------------------------------------------------------- results


def test_iris_show_labels_and_link_to_local_pages(page: Any) -> None:
    run(page, CITIES)
    expect(page.locator("#results td a").first).not_to_contain_text("city:")  # labelled
    links = page.locator("#results td a")
    assert links.count() == 5
    first = links.first
    assert first.get_attribute("href").startswith("/city/")
    assert first.get_attribute("title").startswith("https://w3id.org/cakg/city/")
    assert "https://" not in page.locator("#results").inner_text()
    shot(page, "query-results-labels")


def test_numbers_are_right_aligned_and_columns_sort(page: Any) -> None:
    run(page, PER_COUNTRY)
    # waited for: the table is drawn again when the labels' query answers (CI: a cell read
    # in between was detached, and its computed alignment empty)
    cell = page.locator("#results tbody tr").first.locator("td").nth(1)
    expect(cell).to_have_css("text-align", "right")
    header = page.locator("#results th").nth(1)
    expect(header.locator("button")).to_have_css("text-align", "right")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [int(v) for v in page.locator("#results tbody td.num").all_inner_texts()]
    assert values == sorted(values)
    page.locator("#results th").nth(1).locator("button").click()
    assert page.locator("#results th").nth(1).get_attribute("aria-sort") == "descending"
    values = [int(v) for v in page.locator("#results tbody td.num").all_inner_texts()]
    assert values == sorted(values, reverse=True)
    assert page.evaluate("document.activeElement.closest('th').getAttribute('aria-sort')")
    shot(page, "query-results-sorted")


def test_long_results_are_paged(page: Any) -> None:
    run(page, MANY)
    assert page.locator("#results tbody tr").count() == 50
    pager = page.locator(".pager")
    assert "Rows 1–50 of 120" in pager.inner_text()
    assert page.locator(".pager .page-previous").is_disabled()
    page.click(".pager .page-next")
    assert "Rows 51–100 of 120" in page.locator(".pager").inner_text()
    page.click(".pager .page-next")
    assert page.locator("#results tbody tr").count() == 20
    assert page.locator(".pager .page-next").is_disabled()
    shot(page, "query-results-paged")


def test_a_yearly_series_is_drawn_as_a_line(page: Any) -> None:
    run(page, VISITORS)
    page.click("#views button[data-view=chart]")
    chart = page.locator("#results figure.chart svg.line-chart")
    chart.wait_for()
    assert chart.locator("circle.point").count() == 6
    assert chart.locator("polyline.series").count() == 1
    assert "2019" in chart.text_content() and "2024" in chart.text_content()
    assert page.locator("#views button[data-view=chart]").get_attribute("aria-pressed") == "true"
    assert axe_serious(page) == []
    shot(page, "query-chart-line")
    page.click("#views button[data-view=table]")
    page.wait_for_selector("#results table")


def test_counts_per_country_are_drawn_as_bars(page: Any) -> None:
    run(page, PER_COUNTRY)
    page.click("#views button[data-view=chart]")
    bars = page.locator("#results svg.bar-chart rect.bar")
    bars.first.wait_for()
    assert bars.count() >= 3  # a bar per country
    expect(page.locator("#results svg")).to_contain_text("Japan")  # labels, not IRIs
    shot(page, "query-chart-bars")


def test_no_chart_is_offered_without_numbers(page: Any) -> None:
    run(page, CITIES)
    assert page.locator("#views").is_hidden()


# ---------------------------------------------------------------- downloads

SOLUTION_FORMATS = [
    pytest.param("json", "application/sparql-results+json", id="select-json"),
    pytest.param("xml", "application/sparql-results+xml", id="select-xml"),
    pytest.param("csv", "text/csv", id="select-csv"),
    pytest.param("tsv", "text/tab-separated-values", id="select-tsv"),
]
GRAPH_FORMATS = [
    pytest.param("turtle", "text/turtle", id="construct-turtle"),
    pytest.param("nt", "application/n-triples", id="construct-ntriples"),
    pytest.param("json-ld", "application/ld+json", id="construct-jsonld"),
    pytest.param("rdfxml", "application/rdf+xml", id="construct-rdfxml"),
]


def download_href(page: Any, server: LiveServer, name: str) -> str:
    link = page.locator(f"p.downloads:not([hidden]) a.download[data-format='{name}']")
    assert link.is_visible()
    return server.url + link.get_attribute("href")


@pytest.mark.parametrize(("name", "media"), SOLUTION_FORMATS)
def test_select_downloads_are_in_their_format(
    page: Any, server: LiveServer, name: str, media: str
) -> None:
    run(page, CITIES)
    offered = page.locator("p.downloads:not([hidden]) a.download").all_inner_texts()
    assert offered == ["JSON", "XML", "CSV", "TSV"]
    r = requests.get(download_href(page, server, name), headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media


@pytest.mark.parametrize(("name", "media"), GRAPH_FORMATS)
def test_construct_downloads_are_in_their_format(
    page: Any, server: LiveServer, name: str, media: str
) -> None:
    run(page, COUNTRIES, wait="#results pre")
    offered = page.locator("p.downloads:not([hidden]) a.download").all_inner_texts()
    assert offered == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML"]
    r = requests.get(download_href(page, server, name), headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media


def test_ask_downloads_are_in_their_format(page: Any, server: LiveServer) -> None:
    run(page, "ASK { ?c a kg:Country }", wait="#results p.boolean")
    r = requests.get(download_href(page, server, "json"), timeout=30)
    assert r.json() == {"head": {}, "boolean": True}


# ---------------------------------------------------------------- errors


def test_an_error_replaces_the_results_and_is_marked_in_the_editor(page: Any) -> None:
    run(page, CITIES)
    set_query(page, "SELECT *\nWHERE { ?s ?p }")
    page.click("#run")
    page.locator("#error").wait_for(state="visible")
    assert page.locator("#results table").count() == 0
    assert page.locator("#results-section").is_hidden()
    assert "line 2" in page.locator("#error").inner_text()
    line = page.locator(".CodeMirror-code > div").nth(1)
    assert line.locator(".query-error-line").count() == 1
    assert line.locator(".query-error-marker").inner_text() == "!"
    assert page.locator(".query-error-line").count() == 1
    shot(page, "query-error-marked")
    page.click(".CodeMirror-code")  # (a space on the focused Run button would run it again)
    page.keyboard.type(" ")  # editing clears the mark
    assert page.locator(".query-error-line").count() == 0


# ---------------------------------------------------------------- the page as a whole


def test_the_page_with_results_is_accessible_and_offline(page: Any) -> None:
    run(page, PER_COUNTRY)
    assert axe_serious(page) == []
    run(page, MANY)
    assert axe_serious(page) == []
    assert page.requested_hosts == {"127.0.0.1"}
    shot(page, "query-page-accessible")


def test_the_editor_bundle_is_vendored_with_its_licence() -> None:
    vendor = STATIC / "vendor" / "editor"
    assert (vendor / "LICENSE-codemirror").read_text("utf-8").startswith("MIT License")
    assert (vendor / "codemirror.min.js").stat().st_size < 200_000
    build = Path(__file__).parents[1] / "frontend" / "editor"
    assert {"package.json", "package-lock.json", "build.sh", "entry.js"} <= {
        p.name for p in build.iterdir()
    }


# ---------------------------------------------------------------- review findings (issue 15)

SLOW = "SELECT (COUNT(*) AS ?slow) WHERE { ?a a ?c . ?d a ?f }"  # about a second


def test_a_later_run_is_not_replaced_by_an_earlier_slow_answer(
    page: Any, server: LiveServer
) -> None:
    ended: list[str] = []

    def note(request: Any) -> None:
        if request.method == "POST" and "slow" in (request.post_data or ""):
            ended.append(request.url)

    page.on("requestfinished", note)
    page.on("requestfailed", note)
    set_query(page, SLOW)
    page.click("#run")
    run(page, "ASK { ?s ?p ?o }", wait="#results p.boolean, #error:not([hidden])")
    for _ in range(100):  # until the slow query's request has ended, answered or aborted
        if ended:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)  # time for a late answer to be (wrongly) drawn
    assert ended
    assert "slow" not in page.locator("#results").inner_text()
    assert "ASK" in editor_text(page)
    if page.locator("#results p.boolean").count():  # the answer shown is the ASK's
        assert "row" not in page.locator("#status").inner_text()
        href = download_href(page, server, "json")
        assert "ASK" in requests.utils.unquote(href) and "slow" not in href


def test_the_server_chooses_the_kind_of_answer(page: Any, server: LiveServer) -> None:
    construct = (
        "PREFIX ex: <http://example.org/ns#> CONSTRUCT { ?s ex:p ?o } WHERE { ?s kg:year ?o }"
        " LIMIT 2"
    )  # one line: a '#' in an IRI is no comment
    run(page, construct, wait="#results pre, #error:not([hidden])")
    assert page.locator("#error").is_hidden()
    assert "http://example.org/ns#p" in page.locator("#results pre").inner_text()
    offered = page.locator("p.downloads:not([hidden]) a.download").all_inner_texts()
    assert offered == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML"]
    r = requests.get(download_href(page, server, "nt"), timeout=30)
    assert r.status_code == 200 and "<http://example.org/ns#p>" in r.text
    run(page, 'SELECT ?x WHERE { BIND("CONSTRUCT" AS ?x) }')
    offered = page.locator("p.downloads:not([hidden]) a.download").all_inner_texts()
    assert offered == ["JSON", "XML", "CSV", "TSV"]
    assert "isGraphQuery" not in (STATIC / "query.js").read_text("utf-8")


def x_labels_overlap(page: Any) -> bool:
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll('svg.line-chart text.x-label'))
        .map(t => { const b = t.getBBox(); return [b.x, b.x + b.width]; })"""
    )
    boxes.sort()
    return any(a[1] > b[0] for a, b in zip(boxes, boxes[1:], strict=False))


def test_dates_of_mixed_precision_are_bars_and_full_dates_a_line_in_time(page: Any) -> None:
    run(page, "SELECT ?d (COUNT(*) AS ?n) WHERE { ?e kg:date ?d } GROUP BY ?d ORDER BY ?d")
    rows = page.locator("#results tbody tr").count()
    page.click("#views button[data-view=chart]")
    page.wait_for_selector("#results figure.chart")
    assert page.locator("svg.line-chart").count() == 0  # 2023, 2023-03: not one time axis
    assert page.locator("svg.bar-chart rect.bar").count() == rows
    shot(page, "query-chart-mixed-dates")
    days = " ".join(f'"2024-{m:02}-{d:02}"^^xsd:date' for m in range(1, 13) for d in (1, 2, 20))
    run(page, f"SELECT ?d ?n WHERE {{ VALUES ?d {{ {days} }} BIND(MONTH(?d) AS ?n) }} ORDER BY ?d")
    page.click("#views button[data-view=chart]")
    chart = page.locator("#results svg.line-chart")
    chart.wait_for()
    xs = [
        float(x)
        for x in chart.locator("circle.point").evaluate_all(
            "cs => cs.map(c => c.getAttribute('cx'))"
        )
    ]
    assert len(xs) == 36 and xs == sorted(xs)
    assert xs[1] - xs[0] < (xs[2] - xs[1]) / 10  # a day apart, then 18 days: real time
    assert chart.locator("text.x-label").count() >= 3
    assert not x_labels_overlap(page)
    shot(page, "query-chart-dates-line")


def test_back_after_a_run_shows_that_query(page: Any) -> None:
    page.select_option("#examples", "12-twinnings-2019")
    expect(page.locator(".CodeMirror")).to_contain_text("2019")
    query = editor_text(page)
    page.click("#run")
    page.wait_for_selector("#results table a")
    assert "query=" in page.url
    page.locator("#results a").first.click()
    page.wait_for_load_state()
    page.go_back()
    page.wait_for_selector(".CodeMirror")
    expect(page.locator("#results table")).to_be_visible()
    assert editor_text(page) == query
    assert page.input_value("#examples") in ("", "12-twinnings-2019")
    assert page.get_attribute("#examples", "autocomplete") == "off"
    set_query(page, CITIES)  # the picker does not claim another query is example 12
    assert page.input_value("#examples") == ""


def test_an_error_after_astral_characters_is_marked_where_it_is(page: Any) -> None:
    marked = []
    for text in ("aaaa", "😀😀😀😀"):
        set_query(page, f'SELECT * WHERE {{ ?s ?p "{text}" . ?s ?p ?o ) }}')
        page.click("#run")
        page.locator(".query-error-at").wait_for()
        marked.append(
            page.evaluate(
                """() => { const cm = document.querySelector('.CodeMirror').CodeMirror;
                const m = cm.getAllMarks()[0].find();
                return [cm.getRange(m.from, m.to), [...cm.getLine(0).slice(m.from.ch)].length]; }"""
            )
        )
    assert marked[0] == marked[1]  # the same character, counted from the line's end


def test_variables_named_like_object_members_sort(page: Any) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    run(
        page,
        "SELECT ?x ?constructor WHERE { VALUES ?x {1 2} "
        "OPTIONAL { ?x <http://nothing/> ?constructor } }",
    )
    page.locator("#results th").nth(1).locator("button").click()
    assert page.locator("#results th").nth(1).get_attribute("aria-sort") == "ascending"
    assert page.locator("#results tbody tr").count() == 2
    assert errors == []


def test_an_empty_example_choice_shows_the_page(server: LiveServer) -> None:
    r = requests.get(server.url + "/query?example=", timeout=30)
    assert r.status_code == 200 and 'id="query-form"' in r.text


def test_a_link_with_a_very_long_line_opens_as_plain_text(
    browser_page: Any, server: LiveServer
) -> None:
    """CodeMirror 5 takes seconds over a 30,000-character word (10 s measured): such a query
    stays in the textarea, and still runs. (No time is asserted: machines differ.)"""
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # " + "x" * 30_000
    browser_page.goto(server.url + "/query?query=" + quote(text))
    browser_page.wait_for_selector("#results table")
    assert browser_page.locator(".CodeMirror").count() == 0
    assert browser_page.input_value("#query") == text
    assert "plain text" in browser_page.locator("#query-help").inner_text()


def test_a_run_waits_for_the_slot_of_the_query_it_replaced(page: Any) -> None:
    """The server still runs an aborted query: a client with all its places taken gets 429
    (Retry-After: 1). The page waits and asks again, rather than show the refusal."""
    set_query(page, SLOW)
    page.click("#run")
    set_query(page, SLOW + " LIMIT 1")  # the test server allows two queries per client
    page.click("#run")
    run(page, "ASK { ?s ?p ?o }", wait="#results p.boolean, #error:not([hidden])")
    assert page.locator("#error").is_hidden(), page.locator("#error").inner_text()
    assert "yes" in page.locator("#results p.boolean").inner_text()
