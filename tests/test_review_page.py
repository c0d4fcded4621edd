"""The review flow of the curator's assistant (issue 14): an article pasted or uploaded is
drafted, reviewed fact by fact, and the accepted facts are stored as a submission. A real
server on loopback; the page in headless Chromium."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests
from helpers import LiveServer, shot
from rdflib import Dataset, Graph

from kg.graph.dataset import union
from kg.graph.support import check_support, unexplained

ALICE = {"Authorization": "Bearer tok-alice"}
BOB = {"Authorization": "Bearer tok-bob"}
LIMIT = 20_000
SUBMISSION_GRAPH = "https://w3id.org/cakg/graph/submission/"
RULE_CURATOR = "https://w3id.org/cakg/vocab/derivation-rule/curator-reading"

#: A small article in general English, written for these tests (not from the five documents).
ARTICLE = """Film and music link Tashkent and Osaka

A Japanese film week was held in Tashkent on March 3–7, 2025. Audiences watched films.

A jazz concert took place in Almaty on April 12, 2024.

The organisers plan to hold a calligraphy exhibition in Samarkand in 2026.
"""
#: Another, for a second curator at the same time.
OTHER = """Theatre in Bishkek

A puppet theatre festival was held in Bishkek on June 5–9, 2023. Families came every evening.
"""


@pytest.fixture(scope="module")
def reviewing(make_server: Callable[..., LiveServer], tmp_path_factory: Any) -> LiveServer:
    """A server of its own: curators, a var folder, and a small article limit."""
    return make_server(
        CURATOR_TOKENS="alice=tok-alice bob=tok-bob",
        VAR_DIR=tmp_path_factory.mktemp("review-var"),
        WRITE_RATE_PER_MINUTE=1000,
        EXTRACT_MAX_BYTES=LIMIT,
    )


def draft(
    server: LiveServer, text: str, who: dict[str, str] = ALICE, **fields: str
) -> dict[str, Any]:
    r = requests.post(
        server.url + "/curate/review", data={"text": text, **fields}, headers=who, timeout=120
    )
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    assert r.headers["Location"] == answer["location"]
    return answer


def ask(server: LiveServer, query: str) -> bool:
    r = requests.post(
        server.endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def labelled(label: str) -> str:
    return f"ASK {{ ?fact rdfs:label {json.dumps(label)}@en ; kg:evidence ?e }}"


# ---------------------------------------------------------------- the API


def test_drafting_and_submitting_need_a_curator(reviewing: LiveServer) -> None:
    url = reviewing.url + "/curate/review"
    assert requests.post(url, data={"text": ARTICLE}, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert requests.post(url, data={"text": ARTICLE}, headers=wrong, timeout=30).status_code == 403
    made = draft(reviewing, ARTICLE)
    submit = reviewing.url + made["location"] + "/submit"
    assert requests.post(submit, json={"facts": [{"index": 0}]}, timeout=30).status_code == 401


def test_only_the_curator_who_drafted_it_reads_or_submits_a_draft(reviewing: LiveServer) -> None:
    made = draft(reviewing, ARTICLE)
    base = reviewing.url + made["location"]
    for path in ("/page", "/review.json"):
        assert requests.get(base + path, timeout=30).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert requests.get(base + path, headers=wrong, timeout=30).status_code == 403
        other = requests.get(base + path, headers=BOB, timeout=30)
        assert other.status_code == 403
        assert "another curator" in other.json()["message"]
        assert "Tashkent" not in other.text  # nothing of the draft
        assert requests.get(base + path, headers=ALICE, timeout=30).status_code == 200
    data = requests.get(base + "/review.json", headers=ALICE, timeout=30).json()
    assert data["curator"] == "alice" and data["review"]["facts"]
    # the page a link opens holds nothing of the draft: it asks for it with the token
    shell = requests.get(base, timeout=30)
    assert shell.status_code == 200 and "Tashkent" not in shell.text
    refused = requests.post(
        base + "/submit", json={"facts": [{"index": 0}]}, headers=BOB, timeout=30
    )
    assert refused.status_code == 403


def test_a_draft_is_submitted_once(reviewing: LiveServer) -> None:
    made = draft(reviewing, OTHER)
    submit = reviewing.url + made["location"] + "/submit"
    first = requests.post(submit, json={"facts": [{"index": 0}]}, headers=ALICE, timeout=120)
    assert first.status_code == 201, first.text
    again = requests.post(submit, json={"facts": [{"index": 0}]}, headers=ALICE, timeout=120)
    assert again.status_code == 409
    assert first.json()["location"] in again.json()["message"]
    page = requests.get(reviewing.url + made["location"] + "/page", headers=ALICE, timeout=30)
    assert "submitted already" in page.text


def test_bad_input_is_refused_in_one_line(reviewing: LiveServer) -> None:
    url = reviewing.url + "/curate/review"
    cases = [
        ({"text": "   "}, None),
        ({"text": ARTICLE, "date": "2025-13-01"}, None),
        ({}, ("scan.pdf", b"%PDF-1.7\n\x00\x01\x02binary", "application/pdf")),
    ]
    for data, upload in cases:
        files = {"file": upload} if upload else None
        r = requests.post(url, data=data, files=files, headers=ALICE, timeout=60)
        assert r.status_code == 400, r.text
        message = r.json()["message"]
        assert message and "\n" not in message
    assert (
        "calendar date"
        in requests.post(
            url, data={"text": ARTICLE, "date": "2025-13-01"}, headers=ALICE, timeout=60
        ).json()["message"]
    )


def test_an_article_over_the_limit_is_413(reviewing: LiveServer) -> None:
    r = requests.post(
        reviewing.url + "/curate/review",
        data={"text": "word " * (LIMIT // 5 + 1)},
        headers=ALICE,
        timeout=60,
    )
    assert r.status_code == 413
    assert "EXTRACT_MAX_BYTES" in r.json()["message"]


def test_a_draft_has_mentions_and_facts_and_is_not_in_the_graph(reviewing: LiveServer) -> None:
    made = draft(reviewing, ARTICLE, date="2025-03-10", title="Film and music")
    assert made["facts"] >= 3
    page = requests.get(reviewing.url + made["location"] + "/page", headers=ALICE, timeout=30)
    assert page.status_code == 200
    assert page.text.count('class="mention"') >= 3  # linked names, as links
    assert 'href="/city/tashkent"' in page.text
    assert page.text.count('<mark class="evidence"') >= 3
    assert "Accept fact 1" in page.text
    assert not ask(reviewing, labelled("Film and music"))  # drafted, not in the graph
    unknown = requests.get(reviewing.url + "/curate/review/" + "0" * 32, timeout=30)
    assert unknown.status_code == 404


def test_an_edit_that_cannot_be_taken_is_400(reviewing: LiveServer) -> None:
    made = draft(reviewing, ARTICLE)
    submit = reviewing.url + made["location"] + "/submit"
    for decisions in (
        {"facts": [{"index": 0, "date": "March 2025"}]},
        {"facts": [{"index": 0, "status": "https://example.org/done"}]},
        {"facts": [{"index": 0, "fields": {"location": ["javascript:alert(1)"]}}]},
        {"facts": [{"index": 0, "fields": {"eventType": "https://example.org/party"}}]},
        {"facts": [{"index": 0, "fields": "location"}]},
        {"facts": [{"index": 0, "fields": {"eventType": ["not", "a", "concept"]}}]},
        {"facts": [{"index": 99}]},
        {"facts": []},
    ):
        r = requests.post(submit, json=decisions, headers=ALICE, timeout=60)
        assert r.status_code == 400, (decisions, r.text)
        assert "\n" not in r.json()["message"]


def test_two_curators_submit_two_drafts_at_once(reviewing: LiveServer) -> None:
    drafts = [draft(reviewing, ARTICLE, ALICE), draft(reviewing, OTHER, BOB)]
    answers: list[requests.Response] = []

    def submit(made: dict[str, Any], who: dict[str, str]) -> None:
        url = reviewing.url + made["location"] + "/submit"
        answers.append(requests.post(url, json={"facts": [{"index": 0}]}, headers=who, timeout=120))

    threads = [
        threading.Thread(target=submit, args=(made, who))
        for made, who in zip(drafts, (ALICE, BOB), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    stored = [a.json() for a in answers]
    assert stored[0]["id"] != stored[1]["id"]
    assert {s["curator"] for s in stored} == {"alice", "bob"}
    for answer in stored:
        iri = answer["iris"]["0"]
        assert ask(reviewing, f"ASK {{ <{iri}> kg:evidence/kg:source <{answer['document']}> }}")
        # provenance names the document
        assert answer["source"] == answer["document"]


# ---------------------------------------------------------------- the page in a browser


def open_draft(browser: Any, server: LiveServer, name: str) -> tuple[Any, Any]:
    """Paste the article into the form and land on its draft's page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    assert page.goto(server.url + "/curate/review").status == 200
    page.fill("#text", ARTICLE)
    page.fill("#date", "2025-03-10")
    page.fill("#token", "tok-alice")
    page.click("#make-draft")
    page.wait_for_selector(".fact-card", timeout=120_000)
    shot(page, f"review-{name}")
    return context, page


def axe_passes(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_paste_accept_reject_edit_and_submit(
    browser: Any, reviewing: LiveServer, dataset: Dataset
) -> None:
    context, page = open_draft(browser, reviewing, "draft")
    assert page.locator("mark.evidence").count() >= 3
    assert page.locator("#article a.mention").count() >= 3
    axe_passes(page)
    first = page.locator("#fact-1 .fact-label").inner_text()
    rejected = page.locator("#fact-3 .fact-label").inner_text()
    page.click("text=Accept fact 1")
    page.click("text=Edit fact 1")
    page.fill("#f1-date", "2025-03")  # the quote states March 2025: no mark
    page.click("text=Reject fact 3")
    page.click("text=Edit fact 2")
    page.fill("#f2-label", "Jazz evening in Almaty, reviewed")
    # the place is picked by its name, never its IRI; its IRI is kept behind the name
    place = page.locator("#f2-location-1")
    assert place.input_value() == "Almaty"
    samarkand = page.locator("#entities-place option[data-iri$='/city/samarkand']")
    place.fill(samarkand.get_attribute("value"))
    assert not place.input_value().startswith("http")
    assert place.get_attribute("data-iri").endswith("/city/samarkand")
    # the event type is a choice among its scheme's concepts, by their names
    page.select_option("#f2-eventType", label="festival")
    page.fill("#f2-date", "2024-04-13")  # a day the quote does not state
    page.click("text=Accept fact 2")
    assert page.locator("#fact-1 .state-text").inner_text() == "accepted"
    assert page.locator("#fact-3 .state-text").inner_text() == "rejected"
    shot(page, "review-decided")
    page.click("#submit-facts")
    page.wait_for_selector("#status:has-text('Stored as')", timeout=120_000)
    shot(page, "review-submitted")
    assert ask(reviewing, labelled(first))
    assert ask(reviewing, labelled("Jazz evening in Almaty, reviewed"))
    assert not ask(reviewing, labelled(rejected))
    jazz = '?f rdfs:label "Jazz evening in Almaty, reviewed"@en'
    assert ask(
        reviewing, f"ASK {{ {jazz} ; kg:location city:samarkand ; kg:eventType etype:festival }}"
    )
    # what the curator gave and the quote does not state is marked as her reading
    for prop, value in (("kg:date", None), ("kg:location", "city:samarkand")):
        derived = f"kg:derivedProperty {prop} ; kg:rule rule:curator-reading"
        if value:
            derived += f" ; kg:derivedValue {value}"
        assert ask(reviewing, f"ASK {{ {jazz} ; kg:derivation [ {derived} ] }}"), prop
    assert ask(reviewing, f'ASK {{ {jazz} ; kg:date "2024-04-13"^^xsd:date }}')
    # a date the quote states is the text's, not marked
    stated = f"?f rdfs:label {json.dumps(first)}@en"
    assert ask(reviewing, f'ASK {{ {stated} ; kg:date "2025-03"^^xsd:gYearMonth }}')
    assert not ask(reviewing, f"ASK {{ {stated} ; kg:derivation ?d }}")
    link = page.locator("#status a").get_attribute("href")
    assert link.startswith("/submissions/")
    # the build's evidence-support check finds every value the quotes do not name explained
    submitted = Graph().parse(
        data=requests.get(
            reviewing.url + "/rdf-graphs",
            params={"graph": SUBMISSION_GRAPH + link.rsplit("/", 1)[1]},
            headers={"Accept": "text/turtle"},
            timeout=30,
        ).text,
        format="turtle",
    )
    found = check_support(submitted, union(dataset) + submitted)
    assert [u for u in found if u.rule == RULE_CURATOR] and not unexplained(found), found
    # the fact's own page, at once
    fact_page = page.locator("#fact-2 .problems a").get_attribute("href")
    assert page.goto(reviewing.url + fact_page).status == 200
    assert page.locator("h1").inner_text() == "Jazz evening in Almaty, reviewed"
    context.close()


def test_a_violation_is_shown_next_to_its_fact(browser: Any, reviewing: LiveServer) -> None:
    before = len(requests.get(reviewing.url + "/submissions", timeout=30).json()["submissions"])
    context, page = open_draft(browser, reviewing, "violation")
    page.click("text=Accept fact 1")
    page.click("text=Edit fact 2")
    page.select_option("#f2-status", label="planned")  # a concert that happened cannot be planned
    page.click("text=Accept fact 2")
    page.click("#submit-facts")
    page.wait_for_selector("#fact-2 .violations li", timeout=120_000)
    shot(page, "review-violation")
    assert "status" in page.locator("#fact-2 .violations").inner_text().lower()
    assert page.locator("#fact-1 .violations").count() == 0
    assert "Not stored" in page.locator("#status").inner_text()
    after = len(requests.get(reviewing.url + "/submissions", timeout=30).json()["submissions"])
    assert after == before  # nothing stored
    context.close()


def test_a_fact_is_accepted_with_the_keyboard_alone(browser: Any, reviewing: LiveServer) -> None:
    context, page = open_draft(browser, reviewing, "keyboard")
    page.locator("h1").focus()
    for _ in range(200):  # Tab through the page to the first Accept button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Accept fact 1":
            break
    else:
        raise AssertionError("Tab never reached the Accept button")
    page.keyboard.press("Enter")
    assert page.locator("#fact-1 .state-text").inner_text() == "accepted"
    assert page.locator("#fact-1 .accept").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Tab")  # the next stop is the same fact's Reject button
    assert page.evaluate("document.activeElement.textContent") == "Reject fact 1"
    page.keyboard.press("Space")
    assert page.locator("#fact-1 .state-text").inner_text() == "rejected"
    shot(page, "review-keyboard")
    context.close()


def test_another_curator_is_told_the_draft_is_not_hers(browser: Any, reviewing: LiveServer) -> None:
    made = draft(reviewing, ARTICLE)
    context = browser.new_context()
    page = context.new_page()
    assert page.goto(reviewing.url + made["location"]).status == 200
    assert page.locator(".fact-card").count() == 0  # nothing without a token
    page.fill("#token", "tok-bob")
    page.click("#open-draft")
    page.wait_for_selector("#problem:not([hidden])")
    assert "another curator" in page.locator("#problem").inner_text()
    assert page.locator(".fact-card").count() == 0
    axe_passes(page)
    shot(page, "review-not-yours")
    page.fill("#token", "tok-alice")
    page.click("#open-draft")
    page.wait_for_selector(".fact-card")
    assert page.locator("#problem").is_hidden()
    # the draft is open: nothing asks for the token any more
    assert page.locator("#open-form").is_hidden() and page.locator("#open-help").is_hidden()
    context.close()


def test_a_name_not_in_the_list_is_not_submitted(browser: Any, reviewing: LiveServer) -> None:
    context, page = open_draft(browser, reviewing, "unknown-name")
    page.click("text=Edit fact 2")
    page.fill("#f2-location-1", "Atlantis")
    assert page.locator("#f2-location-1").get_attribute("aria-invalid") == "true"
    page.click("text=Accept fact 2")
    page.click("#submit-facts")
    assert "no name in the list" in page.locator("#status").inner_text()
    assert page.evaluate("document.activeElement.id") == "f2-location-1"
    shot(page, "review-unknown-name")
    context.close()


def test_a_bad_paste_keeps_the_text_and_shows_the_message(
    browser: Any, reviewing: LiveServer
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(reviewing.url + "/curate/review")
    page.fill("#text", ARTICLE)
    page.fill("#date", "10 March")
    page.fill("#token", "tok-alice")
    page.click("#make-draft")
    page.wait_for_selector("#problem:not([hidden])")
    assert "calendar date" in page.locator("#problem").inner_text()
    assert page.input_value("#text") == ARTICLE  # nothing lost
    axe_passes(page)
    shot(page, "review-bad-input")
    context.close()
