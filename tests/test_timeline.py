"""The timeline in Chromium (issue #15, point 5): readable where events are dense (a broken
axis that folds the empty years, dots at their dates within a year), filters by country and
event type that work without script and keep their state in the address, plans drawn apart
from what happened, the list below as the chart's accessible twin. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from helpers import LiveServer, shot

HTML = {"Accept": "text/html"}


@pytest.fixture()
def page(browser_page: Any) -> Any:
    return browser_page


def open_timeline(page: Any, server: LiveServer, query: str = "") -> Any:
    response = page.goto(server.url + "/timeline" + query)
    assert response.status == 200
    return page


def axis_extent(page: Any, selector: str) -> float:
    """The width on screen of the axis segments `selector` picks, from the first's left to
    the last's right."""
    boxes = [b.bounding_box() for b in page.locator(selector).all()]
    assert boxes, selector
    return max(b["x"] + b["width"] for b in boxes) - min(b["x"] for b in boxes)


def test_the_dense_years_get_most_of_the_axis(page: Any, server: LiveServer) -> None:
    """Most events happened in 2022–2025: on screen those four years take most of the width
    of the axis of what happened, and the empty years between are folded into marked gaps."""
    open_timeline(page, server)
    shot(page, "timeline-all")
    whole = axis_extent(
        page,
        "svg.timeline line.axis[data-band=happened]:not([data-year='']),"
        " svg.timeline rect.gap[data-band=happened]",
    )
    dense = axis_extent(
        page,
        ", ".join(
            f"svg.timeline line.axis[data-band=happened][data-year='{y}']"
            for y in (2022, 2023, 2024, 2025)
        ),
    )
    assert dense / whole > 0.5, (dense, whole)
    gaps = page.locator("svg.timeline text.gap-label").all_text_contents()
    assert "⋯ 2006–2010 ⋯" in gaps and "⋯ 2020–2021 ⋯" in gaps
    # No year of the happened band is drawn twice, and none without events is drawn at all.
    years = page.locator("svg.timeline line.axis[data-band=happened]").evaluate_all(
        "ls => ls.map(l => l.dataset.year).filter(y => y)"
    )
    assert len(years) == len(set(years)) and "2008" not in years and "2020" not in years


def test_within_a_year_dots_keep_the_order_of_their_dates(page: Any, server: LiveServer) -> None:
    """Days and months spread the dots of a year: the Lazgi festival (25 April 2024) is left of
    the Sharq taronalari (26 August 2024), both in Uzbekistan's row."""
    open_timeline(page, server, "?country=uz")

    def x(href: str) -> float:
        box = page.locator(f"svg.timeline a[href='{href}'] circle").first.bounding_box()
        return float(box["x"])

    assert x("/event/lazgi-festival-2024") < x("/event/sharq-taronalari-2024")
    assert x("/event/sharq-taronalari-2024") - x("/event/lazgi-festival-2024") > 40


def test_filter_by_country_shows_only_its_row_and_the_count(page: Any, server: LiveServer) -> None:
    """Without script: the form is a GET form whose Show button gives a permalink; the
    chosen country stays chosen, only its row is drawn, the count says how many of all."""
    page.context.set_extra_http_headers({})
    open_timeline(page, server)
    total = page.locator("svg.timeline circle.dot").count()
    page.locator("select[name=country]").select_option("kz")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/timeline?country=kz")  # the filters left at "all" left out
    shot(page, "timeline-kazakhstan")
    rows = page.locator("svg.timeline text.country").all_text_contents()
    assert rows == ["Kazakhstan"]
    assert page.locator("select[name=country]").input_value() == "kz"
    count = page.locator("#timeline-count").inner_text()
    shown = page.locator("svg.timeline circle.dot:not(.plan)").count()
    assert count.startswith(f"Showing {shown} of 58 events"), count
    assert 0 < page.locator("svg.timeline circle.dot").count() < total
    listed = page.locator("table.timeline-list tbody tr").all_inner_texts()
    assert listed and all("Kazakhstan" in row for row in listed)


def test_filters_work_without_script(browser: Any, server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/timeline")
    page.locator("select[name=type]").select_option("festival")
    page.locator("select[name=country]").select_option("uz")
    assert page.locator("#timeline-zoom").is_hidden()  # zoom needs script
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/timeline?country=uz&type=festival")
    assert page.locator("select[name=type]").input_value() == "festival"
    types = page.locator("table.timeline-list tbody td:nth-child(3)").all_inner_texts()
    assert types and set(types) == {"festival"}
    shot(page, "timeline-uz-festivals-no-script")
    context.close()


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("?country=atlantis", id="unknown-country"),
        pytest.param("?type=%3Cscript%3E", id="unknown-type"),
        pytest.param("?type=disaster", id="a-type-of-history-not-of-cultural-events"),
        pytest.param("?country=uz&country=jp", id="two-countries"),
        pytest.param("?country=%FF%FE&type=%00", id="not-utf8"),
        pytest.param("?type=" + "x" * 5000, id="long"),
    ],
)
def test_a_bad_filter_is_a_400_page(page: Any, server: LiveServer, query: str) -> None:
    response = page.goto(server.url + "/timeline" + query)
    assert response.status == 400
    assert response.headers["content-type"].startswith("text/html")
    assert page.locator("h1").inner_text().startswith("400")
    assert "choose" in page.locator("main").inner_text()
    shot(page, "timeline-400")
    as_json = requests.get(server.url + "/timeline" + query, timeout=30)
    assert as_json.status_code == 400 and as_json.json()["error"] == "bad_request"


def test_plans_are_drawn_apart_and_listed_as_plans(page: Any, server: LiveServer) -> None:
    """Plans are hollow dots in the band on the right, never on the axis of what happened,
    and the list says they are plans."""
    open_timeline(page, server)
    band = page.locator("svg.timeline rect.planned-band").bounding_box()
    plans = [c.bounding_box() for c in page.locator("svg.timeline circle.dot.plan").all()]
    assert len(plans) >= 10
    assert all(p["x"] >= band["x"] for p in plans)
    happened = [c.bounding_box() for c in page.locator("svg.timeline circle.dot:not(.plan)").all()]
    assert all(h["x"] + h["width"] <= band["x"] for h in happened)
    fill = page.locator("svg.timeline circle.dot.plan").first.evaluate(
        "c => getComputedStyle(c).fill"
    )
    assert fill == "rgb(255, 255, 255)"  # hollow
    title = page.locator("svg.timeline a[href='/plan/kyrgyz-film-days-2018'] title").first
    assert "planned" in title.text_content()
    row = page.locator("table.timeline-list tr", has_text="Kyrgyz films Days in Tokyo 2018")
    assert "Plan: planned" in row.first.inner_text()
    assert page.locator("table.timeline-list tr.plan").count() == len(
        {c.get_attribute("href") for c in page.locator("svg.timeline a:has(circle.plan)").all()}
    )


def test_keyboard_reaches_every_dot(page: Any, server: LiveServer) -> None:
    """Tab from the top of the page goes through every dot, each once, in the order drawn
    (what happened first, by date, then the plans)."""
    open_timeline(page, server)
    dots = page.locator("svg.timeline a").count()
    where = (
        "Array.from(document.querySelectorAll('svg.timeline a')).indexOf(document.activeElement)"
    )
    reached: list[int] = []
    for _ in range(dots + 40):
        page.keyboard.press("Tab")
        index = page.evaluate(where)
        if index >= 0:
            reached.append(index)
        elif reached:
            break  # past the chart
    assert reached == list(range(dots))
    page.keyboard.press("Shift+Tab")  # back onto the last plan: its ring shows
    shot(page, "timeline-focus")


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="all"),
        pytest.param("?country=jp&type=visit", id="filtered"),
        pytest.param("?type=lecture", id="one-of-each"),
        pytest.param("?country=kg&type=festival", id="nothing"),
    ],
)
def test_the_timeline_is_accessible_and_offline(page: Any, server: LiveServer, query: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    open_timeline(page, server, query)
    shot(page, "timeline-" + (query.strip("?").replace("&", "-").replace("=", "-") or "page"))
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert page.requested_hosts == {"127.0.0.1"}
    assert violations == []


def test_each_filter_is_a_page_of_its_own(server: LiveServer) -> None:
    """The cache keys the filters: two filters give two pages, the same filter the same."""

    def get(query: str) -> str:
        return requests.get(server.url + "/timeline" + query, headers=HTML, timeout=30).text

    uz, jp = get("?country=uz"), get("?country=jp")
    assert uz != jp and get("?country=uz") == uz
    tags = {
        requests.get(server.url + "/timeline" + q, headers=HTML, timeout=30).headers["ETag"]
        for q in ("", "?country=uz", "?country=jp", "?type=visit")
    }
    assert len(tags) == 4
    assert "Showing 58 of 58 events" in get("")


def test_zoom_widens_the_drawing(page: Any, server: LiveServer) -> None:
    """Zoom (script only: without it the buttons stay hidden) widens the drawing inside its
    scrolling figure; a dot is still reached and opened from the keyboard."""
    open_timeline(page, server)
    figure = page.locator("#timeline-figure")
    before = page.locator("svg.timeline").bounding_box()["width"]
    zoom_in = page.get_by_role("button", name="Zoom in")
    zoom_in.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    assert page.locator("#timeline-zoom-level").inner_text() == "200%"
    assert page.locator("svg.timeline").bounding_box()["width"] > 1.9 * before
    assert figure.evaluate("f => f.scrollWidth > f.clientWidth")
    shot(page, "timeline-zoomed")
    page.get_by_role("button", name="Zoom out").click()
    assert page.locator("#timeline-zoom-level").inner_text() == "150%"


def test_made_up_filters_do_not_grow_the_cache(app: Any, client: Any) -> None:
    """Only values the data has reach the page cache's key: a client making up countries
    gets 400s and leaves the cache as it was."""
    from kg.web.state import EXTENSION

    assert client.get("/timeline?country=uz").status_code == 200
    cache = app.extensions[EXTENSION].page_cache
    before = set(cache)
    statuses = {client.get(f"/timeline?country=x{n}&type=y{n}").status_code for n in range(50)}
    assert statuses == {400}
    assert set(cache) == before


def test_the_keyboard_moves_through_a_filter_without_loading_pages(
    page: Any, server: LiveServer
) -> None:
    """Arrow keys in a filter once loaded a page per step and dropped the focus (WCAG 3.2.2):
    a filter applies when Show is pressed."""
    open_timeline(page, server)
    page.locator("select[name=country]").focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == server.url + "/timeline"
    assert page.evaluate("document.activeElement.name") == "country"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the type filter, to Show
    page.keyboard.press("Enter")
    page.wait_for_url("**/timeline?country=*")


def test_zooming_to_the_end_by_keyboard_keeps_the_focus(page: Any, server: LiveServer) -> None:
    open_timeline(page, server)
    page.locator("#timeline-zoom button").first.focus()
    for _ in range(4):
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert page.evaluate("document.activeElement.closest('#timeline-zoom') !== null")
