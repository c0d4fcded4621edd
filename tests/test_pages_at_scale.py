"""Pages over more data than they show at once (the benchmark's generated graph): each lists
or draws at most PAGE_ITEMS things, says how many there are, and links the rest; a page's
queries share one deadline (PAGE_TIMEOUT_S)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import LiveServer, bindings

PAGE_ITEMS = 200  # the default


def count(server: LiveServer, query: str) -> int:
    """Rows the query has, asked of the endpoint."""
    return len(bindings(server, query))


def test_the_home_page_lists_a_page_of_each_and_links_the_rest(large_server: LiveServer) -> None:
    page = requests.get(large_server.url + "/", timeout=60)
    assert page.status_code == 200
    persons = re.search(
        r'id="list-5">Persons</h2>\s*<ul class="columns">(.*?)</ul>', page.text, re.S
    )
    assert persons is not None
    assert persons.group(1).count("<li>") == PAGE_ITEMS
    rest = re.search(r'The first 200 of (\d+) persons:\s*<a href="([^"]+)">', page.text)
    assert rest is not None, "the page says how many persons there are"
    total, link = int(rest.group(1)), rest.group(2).replace("&amp;", "&")
    assert total > PAGE_ITEMS
    (query,) = parse_qs(urlsplit(link).query)["query"]
    assert count(large_server, query) == total  # the link lists every one
    events = re.search(r"The first 200 of (\d+) events:", page.text)
    assert events is not None
    assert int(events.group(1)) == count(
        large_server,
        "SELECT DISTINCT ?e WHERE { ?e a <https://w3id.org/cakg/ontology#CulturalEvent> }",
    )
    assert len(page.content) < 300_000


def test_the_project_graph_is_listed_whole(server: LiveServer) -> None:
    """Fewer things than PAGE_ITEMS: every one is listed and no 'first … of' is said."""
    page = requests.get(server.url + "/", timeout=60)
    assert "The first" not in page.text
    assert "Abduaziz" in page.text


@pytest.mark.parametrize("path", ["/", "/timeline", "/map"])
def test_a_page_past_its_deadline_is_a_503_that_names_the_setting(
    make_server: Callable[..., LiveServer], path: str
) -> None:
    slow = make_server(PAGE_TIMEOUT_S=0.000001)
    answer = requests.get(slow.url + path, headers={"Accept": "application/json"}, timeout=60)
    assert answer.status_code == 503
    assert "PAGE_TIMEOUT_S" in answer.json()["message"]
    assert answer.headers["Retry-After"]


def timeline_page(server: LiveServer, path: str) -> tuple[str, list[str]]:
    """A page of the timeline and the events and plans its list links, in order."""
    page = requests.get(server.url + path, timeout=60)
    assert page.status_code == 200, page.text[:300]
    table = page.text.split('<table class="timeline-list">', 1)[1].split("</table>", 1)[0]
    return page.text, re.findall(r'<a href="(/(?:event|plan)/[^"]+)"', table)


@pytest.mark.parametrize("filters", ["", "country=kz", "type=concert"])
def test_the_timeline_pages_through_every_event_once(
    large_server: LiveServer, filters: str
) -> None:
    """Each page draws and lists PAGE_ITEMS things at most, in the order of time; following
    'Later' from the first page visits each event and plan of the filters exactly once."""
    seen: list[str] = []
    path: str | None = "/timeline" + (f"?{filters}" if filters else "")
    pages = 0
    while path:
        text, listed = timeline_page(large_server, path.replace("&amp;", "&"))
        assert 0 < len(listed) <= PAGE_ITEMS
        assert text.count('<circle cx="') >= len(listed)  # a dot per country it is drawn in
        seen += listed
        pages += 1
        later = re.search(r'<a href="([^"]+)" rel="next">', text)
        path = later.group(1) if later else None
    assert len(seen) == len(set(seen))
    narrow = {
        "": "",
        "country=kz": "FILTER EXISTS { ?e (kg:participatingCountry|kg:country|kg:location/"
        "kg:country|kg:location/kg:inCity/kg:country|kg:participation/kg:agent/kg:country?) "
        "<https://w3id.org/cakg/country/kz> }",
        "type=concert": "?e kg:eventType <https://w3id.org/cakg/vocab/event-type/concert>",
    }[filters]
    expected = count(
        large_server,
        "PREFIX kg: <https://w3id.org/cakg/ontology#> PREFIX rdfs: "
        "<http://www.w3.org/2000/01/rdf-schema#> SELECT DISTINCT ?e WHERE { "
        "VALUES ?class { kg:CulturalEvent kg:Plan } ?e a ?class ; rdfs:label ?l . "
        "OPTIONAL { ?e kg:eventType ?t } FILTER(?class = kg:CulturalEvent || BOUND(?t)) "
        f"{narrow} }}",
    )
    assert len(seen) == expected
    assert pages == -(-expected // PAGE_ITEMS)
    assert pages > 1 or filters  # all of them take several pages


@pytest.mark.parametrize("page", ["0", "99", "x", "1&page=2", "%C2%B2", "1" * 5000])
def test_a_page_the_timeline_has_not_is_a_400(large_server: LiveServer, page: str) -> None:
    answer = requests.get(
        f"{large_server.url}/timeline?page={page}",
        headers={"Accept": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 400
    assert "page" in answer.json()["message"]


def page_builds(server: LiveServer) -> float:
    metrics = requests.get(server.url + "/metrics", timeout=30).text
    found = re.search(r"^kg_page_builds_total (\S+)$", metrics, re.M)
    assert found is not None, "/metrics counts the pages' data gathered"
    return float(found.group(1))


def test_readers_of_a_page_being_gathered_wait_for_it(
    make_server: Callable[..., LiveServer],
) -> None:
    """Twelve readers arriving at once at a page whose data is not cached: one gathers it, the
    others wait for it and get the same page, rather than each running its queries (on a
    large graph the query processes would be full, and the readers refused)."""
    fresh = make_server(MAX_CONCURRENT_PER_CLIENT=16, QUERY_SECONDS_PER_MINUTE=600)
    before = page_builds(fresh)
    with ThreadPoolExecutor(12) as pool:
        pages = list(
            pool.map(
                lambda _: requests.get(fresh.url + "/timeline?country=kz", timeout=60), range(12)
            )
        )
    assert {p.status_code for p in pages} == {200}
    assert len({p.text for p in pages}) == 1
    # the timeline's filters, its counts and the page: each gathered once
    assert page_builds(fresh) - before == 3


def test_an_empty_page_is_the_first_as_an_empty_filter_is_all(large_server: LiveServer) -> None:
    """`?country=` means every country; `?page=` was a 400 ("there is no page ''")."""
    first = requests.get(large_server.url + "/timeline", timeout=60)
    empty = requests.get(large_server.url + "/timeline?page=&country=", timeout=60)
    assert empty.status_code == 200
    assert empty.text == first.text


def test_a_paged_timeline_does_not_say_it_shows_everything(large_server: LiveServer) -> None:
    """The count line said "Showing 1376 of 1376 events" above a page of 200 (a review)."""
    page = requests.get(large_server.url + "/timeline", timeout=60).text
    count = re.search(r'id="timeline-count">([^<]*)<', page)
    assert count is not None
    assert not count.group(1).startswith("Showing"), count.group(1)
    assert "match" in count.group(1) and "this page shows 1–200" in count.group(1)


def test_a_capped_landing_page_lists_the_earliest_events_first(
    make_server: Callable[..., LiveServer],
) -> None:
    """Capped at 3, the events by year listed three undated events: an unbound year sorts
    first in SPARQL, and LIMIT kept those (a review). The undated come last, as uncapped."""
    capped = make_server(PAGE_ITEMS=3)
    page = requests.get(capped.url + "/", timeout=60).text
    section = page.split('id="events-heading"', 1)[1].split("</section>", 1)[0]
    years = re.findall(r"<h3>([^<]+)</h3>", section)
    assert years and years[0] != "undated" and years == sorted(years)


def listed_all(server: LiveServer, page: str, what: str) -> tuple[int, int]:
    """The total a capped list states on `page`, and the rows of the query it links."""
    text = requests.get(server.url + page, timeout=60).text
    linked = re.search(rf'<a href="([^"]+)">[Ll]ist all (\d+) {what}', text)
    stated = re.search(rf'of (\d+) {what}:\s*<a href="([^"]+)">', text)
    assert linked or stated, f"{page} links all its {what}"
    link, total = linked.groups() if linked else reversed(stated.groups())  # type: ignore[union-attr]
    link = link.replace("&amp;", "&")
    (query,) = parse_qs(urlsplit(link).query)["query"]
    prefixes = "PREFIX kg: <https://w3id.org/cakg/ontology#> "
    return int(total), count(server, query if "PREFIX" in query else prefixes + query)


def test_a_thing_with_two_labels_is_listed_and_drawn_once(built: Path, tmp_path: Path) -> None:
    """A label per language is valid ("Tashkent"@en, "Ташкент"@ru): the landing page's and
    the map's "list all" queries gave a row per label, more than the totals they stated, and
    the map drew Tashkent twice (a review)."""
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    extra = [
        f'<https://w3id.org/cakg/city/tashkent> {label} "Ташкент"@ru',
        f'<https://w3id.org/cakg/event/lazgi-festival-2022> {label} "Лазги"@ru',
        f'<https://w3id.org/cakg/twinning/samarkand-nara> {label} "Самарканд – Нара"@ru',
        # counted, but with no name no page can list it (a review)
        "<https://w3id.org/cakg/city/unnamed> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        " <https://w3id.org/cakg/ontology#City>",
    ]
    build = tmp_path / "build"
    build.mkdir()
    graph = "<https://w3id.org/cakg/graph/001_827a15a1c1169bd2>"
    (build / "cakg.nq").write_text(
        (built / "cakg.nq").read_text() + "".join(f"{line} {graph} .\n" for line in extra)
    )
    server = LiveServer(build, tmp_path, PAGE_ITEMS=3, QUERY_TIMEOUT_S=4)
    try:
        for page, what in (
            ("/", "cities"),
            ("/", "events"),
            ("/map", "cities"),
            ("/map", "twinnings"),
        ):
            total, rows = listed_all(server, page, what)
            assert rows == total, (page, what)
        drawn = re.findall(
            r'<a href="(/city/[^"]+)"><circle', requests.get(server.url + "/map", timeout=60).text
        )
        assert drawn and len(drawn) == len(set(drawn)) <= 3
    finally:
        server.stop()


def test_a_reader_waiting_for_a_page_keeps_to_its_own_deadline(
    make_app: Callable[..., Any],
) -> None:
    """A reader waiting for a page another gathers waited a whole PAGE_TIMEOUT_S of its own
    for each of the page's parts (a review): it keeps to what is left of its deadline."""
    from flask import g

    from kg.web.state import PageTimeout, cached

    app = make_app(PAGE_TIMEOUT_S=5)
    started = threading.Event()

    def slow() -> str:
        started.set()
        time.sleep(2)
        return "page"

    with app.test_request_context("/"):
        gatherer = threading.Thread(target=lambda: app_cached(app, slow))
        gatherer.start()
        started.wait(5)
        g.page_deadline = time.monotonic() + 0.2  # this reader has 0.2 s left
        with pytest.raises(PageTimeout):
            cached("slow-part", slow)
        gatherer.join()


def app_cached(app: Any, build: Callable[[], str]) -> None:
    from kg.web.state import cached

    with app.test_request_context("/"):
        cached("slow-part", build)
