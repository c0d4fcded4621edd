"""The map (issue #15, point 4), in headless Chromium: one projection over Natural Earth
outlines, every twinned city labelled with no two labels overlapping, twinning arcs clear of the
cities they do not join, twinned regions drawn with their outlines, zoom and pan by buttons,
keyboard, wheel and drag; and the locator map of entity pages. Screenshots: test-artifacts/map-*.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask import Flask, render_template_string
from helpers import LiveServer, shot, wait_until

from kg.web import cartography as carto
from kg.web import maps

#: How far (SVG units) an arc must pass from the centre of a city it does not join: the dot's
#: radius and two units more.
MARGIN = maps.CITY_RADIUS + 2

TWINNED_CITIES = ["Maizuru", "Nagoya", "Nara", "Rishtan", "Samarkand", "Tashkent"]


@pytest.fixture()
def page(browser_page: Any, server: LiveServer) -> Any:
    response = browser_page.goto(server.url + "/map")
    assert response.status == 200
    return browser_page


def viewbox(page: Any) -> list[float]:
    return [float(v) for v in page.locator("svg#map").get_attribute("viewBox").split()]


def test_outlines_on_one_projection(page: Any) -> None:
    """Country outlines are drawn, the graph's four countries shaded apart and named; no panels."""
    shot(page, "map-whole")
    assert page.locator("svg.map .land path").count() >= 15
    ours = page.locator("svg.map .land path.ours")
    assert sorted(p.text_content() for p in ours.all()) == [
        "Japan",
        "Kazakhstan",
        "Kyrgyzstan",
        "Uzbekistan",
    ]
    names = sorted(t.text_content() for t in page.locator("svg.map text.country-name").all())
    assert names == ["Japan", "Kazakhstan", "Kyrgyzstan", "Uzbekistan"]
    assert page.locator("svg.map .panel").count() == 0
    assert page.requested_hosts == {"127.0.0.1"}


LABEL_BOXES = """() => [...document.querySelectorAll('svg.map text')].map(t => {
  const b = t.getBBox(); return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height];
})"""


def label_clashes(page: Any) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap, and labels that stick out of the map."""
    boxes = page.evaluate(LABEL_BOXES)
    width, height = viewbox(page)[2:]
    outside = [
        (b[0], "outside") for b in boxes if b[1] < 0 or b[2] < 0 or b[3] > width or b[4] > height
    ]
    return outside + [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]


def test_labels_do_not_overlap_and_every_twinned_city_is_labelled(page: Any) -> None:
    assert label_clashes(page) == []
    labels = {t.text_content() for t in page.locator("svg.map text.city-label").all()}
    assert set(TWINNED_CITIES) <= labels
    assert {"Tokyo", "Bukhara", "Kawasaki", "Nagoya"} <= labels  # the missing labels


@pytest.mark.parametrize("language", ["ja", "ru", "uz"])
def test_labels_do_not_overlap_in_other_languages(
    browser_page: Any, server: LiveServer, language: str
) -> None:
    """Names in the reader's language (wider Japanese characters, longer Russian names)."""
    browser_page.set_extra_http_headers({"Accept-Language": language})
    browser_page.goto(server.url + "/map")
    assert browser_page.locator(f"svg.map text.city-label[lang={language}]").count() > 0
    assert label_clashes(browser_page) == []
    shot(browser_page, f"map-labels-{language}")


def test_every_city_keeps_its_tooltip_and_link(page: Any) -> None:
    cities = page.locator("svg.map circle.city")
    assert cities.count() >= 20
    for city in cities.all():
        assert city.locator("title").text_content()
        assert city.evaluate("c => c.closest('a').getAttribute('href')").startswith("/city/")


ARC_CLEARANCE = """() => {
  const cities = [...document.querySelectorAll('svg.map circle.city')]
    .map(c => [c.cx.baseVal.value, c.cy.baseVal.value, c.querySelector('title').textContent]);
  return [...document.querySelectorAll('svg.map path.twinning')].map(path => {
    const length = path.getTotalLength();
    const start = path.getPointAtLength(0), end = path.getPointAtLength(length);
    // the ends: the cities (or regions' marks) whose dot the arc starts and ends on
    const near = (p) => cities.filter(c => Math.hypot(c[0] - p.x, c[1] - p.y) < 0.1);
    const ends = new Set([...near(start), ...near(end)].map(c => c[2]));
    let least = Infinity, closest = null;
    for (let s = 0; s <= length; s += 0.5) {
      const p = path.getPointAtLength(s);
      // the arc's ends lie under its end dots, hidden: measure what shows
      if (Math.hypot(p.x - start.x, p.y - start.y) < %(r)s) continue;
      if (Math.hypot(p.x - end.x, p.y - end.y) < %(r)s) continue;
      for (const c of cities) {
        if (ends.has(c[2])) continue;
        const d = Math.hypot(c[0] - p.x, c[1] - p.y);
        if (d < least) { least = d; closest = c[2]; }
      }
    }
    return [path.querySelector('title').textContent, least, closest, [...ends]];
  });
}"""


def test_arcs_clear_every_other_city(page: Any) -> None:
    arcs = page.evaluate(ARC_CLEARANCE % {"r": maps.CITY_RADIUS})
    assert len(arcs) == 4
    too_close = [(title, round(d, 1), city) for title, d, city, _ in arcs if d <= MARGIN]
    assert too_close == []
    ends = {title: sorted(e) for title, _, _, e in arcs}
    assert ends["Tashkent – Nagoya (2019)"] == ["Nagoya, Japan", "Tashkent, Uzbekistan"]
    assert ends["Samarkand region – Nara prefecture (2021)"] == []  # ends on regions, not cities


def test_region_twinning_is_drawn_with_its_regions(page: Any) -> None:
    regions = page.locator("svg.map path.region")
    assert sorted(r.locator("title").text_content().split(" (")[0] for r in regions.all()) == [
        "Nara prefecture",
        "Samarkand region",
    ]
    assert page.locator("svg.map path.region-twinning").count() == 1
    labels = {t.text_content() for t in page.locator("svg.map text.region-label").all()}
    assert labels == {"Nara prefecture", "Samarkand region"}
    # the arc ends on the regions' marks, and each mark lies inside its region's outline
    placed = page.evaluate(
        """() => {
          const arc = document.querySelector('svg.map path.region-twinning');
          const svg = arc.ownerSVGElement, length = arc.getTotalLength();
          const ends = [arc.getPointAtLength(0), arc.getPointAtLength(length)];
          return [...document.querySelectorAll('svg.map rect.region-mark')].map(mark => {
            const x = mark.x.baseVal.value + mark.width.baseVal.value / 2;
            const y = mark.y.baseVal.value + mark.height.baseVal.value / 2;
            const q = svg.createSVGPoint(); q.x = x; q.y = y;
            const region = [...document.querySelectorAll('svg.map path.region')]
              .filter(r => r.isPointInFill(q)).map(r => r.querySelector('title').textContent);
            const reach = Math.min(...ends.map(p => Math.hypot(p.x - x, p.y - y)));
            return [mark.querySelector('title').textContent, region, reach];
          });
        }"""
    )
    for name, region, reach in placed:
        assert region and region[0].startswith(name)
        assert reach < 0.1
    assert "Not drawn" not in page.locator("main").inner_text()
    shot(page, "map-regions")


def test_zoom_and_pan_by_buttons(page: Any) -> None:
    whole = viewbox(page)
    page.get_by_role("button", name="Zoom in").click()
    zoomed = viewbox(page)
    assert zoomed[2] == pytest.approx(whole[2] / 1.5, rel=0.01)
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom out").click()
    assert viewbox(page)[2] == pytest.approx(zoomed[2], rel=0.01)
    page.get_by_role("button", name="Reset zoom").click()
    assert viewbox(page) == whole


def test_zoom_and_pan_by_keyboard(page: Any) -> None:
    whole = viewbox(page)
    page.locator("svg#map").focus()
    page.keyboard.press("+")
    page.keyboard.press("+")
    zoomed = viewbox(page)
    assert zoomed[2] < whole[2] / 2
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    panned = viewbox(page)
    assert panned[0] > zoomed[0] and panned[1] > zoomed[1]
    page.keyboard.press("-")
    assert viewbox(page)[2] > panned[2]
    shot(page, "map-keyboard-zoom")
    page.keyboard.press("0")
    assert viewbox(page) == whole


#: The labels shown in the map's box on screen, with their boxes on screen.
SHOWN_LABELS = """() => {
  const frame = document.getElementById('map').getBoundingClientRect();
  return [...document.querySelectorAll('svg.map text')]
    .filter(t => t.getAttribute('visibility') !== 'hidden')
    .map(t => { const b = t.getBoundingClientRect();
                return [t.textContent, b.left, b.top, b.right, b.bottom]; })
    .filter(b => b[1] >= frame.left && b[3] <= frame.right
                 && b[2] >= frame.top && b[4] <= frame.bottom);
}"""


def test_zoomed_in_japan_shows_close_cities_apart(page: Any) -> None:
    """Osaka and Nara, whose dots overlap on the whole map, come apart once zoomed in: the
    map grows, the dots do not."""

    def on_screen(name: str) -> dict[str, float]:
        box: dict[str, float] = page.locator(
            f"svg.map a[href='/city/{name}'] circle"
        ).bounding_box()
        return box

    before, whole = on_screen("nara"), viewbox(page)
    assert abs(before["x"] - on_screen("osaka")["x"]) < before["width"]  # overlapping dots
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    for _ in range(8):
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(50)
    nara, osaka = on_screen("nara"), on_screen("osaka")
    assert viewbox(page)[2] < whole[2] / 4
    assert nara["width"] == pytest.approx(before["width"], rel=0.05)  # dots keep their size
    assert abs(nara["x"] - osaka["x"]) > 2 * nara["width"]  # and come apart
    # the labels, placed again for the zoomed view, still do not overlap on screen
    shown = page.evaluate(SHOWN_LABELS)
    clashes = [
        (a[0], b[0])
        for i, a in enumerate(shown)
        for b in shown[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]
    assert clashes == []
    assert {"Nara", "Osaka", "Maizuru", "Nagoya"} <= {label[0] for label in shown}
    shot(page, "map-japan-zoomed")


def test_zoom_by_wheel_and_pan_by_drag(page: Any) -> None:
    whole = viewbox(page)
    box = page.locator("svg#map").bounding_box()
    # an empty stretch of sea/land between the two regions, away from any link
    x, y = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.85
    page.mouse.move(x, y)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"document.getElementById('map').viewBox.baseVal.width < {whole[2]}")
    zoomed = viewbox(page)
    page.mouse.down()
    page.mouse.move(x - 120, y - 60, steps=6)
    page.mouse.up()
    dragged = viewbox(page)
    assert dragged[0] > zoomed[0] and dragged[1] > zoomed[1]
    assert page.url.endswith("/map")  # a drag is not a click on what lies under it


def test_the_wheel_scrolls_the_page_at_the_end_of_the_zoom(page: Any) -> None:
    """Zoomed all the way out, the wheel over the map scrolls the page, as elsewhere: the map
    once swallowed it."""
    page.set_viewport_size({"width": 1280, "height": 720})
    whole = viewbox(page)
    box = page.locator("svg#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)
    page.mouse.wheel(0, 300)
    # polled here: wait_for_function evaluates a string, which the page's CSP forbids
    wait_until(lambda: page.evaluate("window.scrollY") > 0, seconds=5)
    assert viewbox(page) == whole


def test_a_place_reached_by_tab_is_brought_into_view(page: Any) -> None:
    """Zoomed in on one corner, Tab to a place elsewhere: the view moves to it, so the focus
    ring is on the map, not off it."""
    page.locator("svg#map").focus()
    for _ in range(4):
        page.keyboard.press("+")
    page.keyboard.press("0")  # back to the whole map, then into the far west only
    for _ in range(4):
        page.keyboard.press("+")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    for _ in range(12):
        page.keyboard.press("Tab")
        inside = page.evaluate(
            """() => { const a = document.activeElement; const svg = document.getElementById('map');
              if (!svg.contains(a)) return null;
              const b = a.getBBox(), v = svg.viewBox.baseVal;
              const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
              return cx >= v.x && cx <= v.x + v.width && cy >= v.y && cy <= v.y + v.height; }"""
        )
        if inside is None:
            continue
        assert inside, page.evaluate("document.activeElement.getAttribute('href')")


def test_map_page_is_accessible_and_small(page: Any, server: LiveServer) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    weight = page.evaluate(
        "() => performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).reduce((n, e) => n + e.transferSize, 0)"
    )
    assert 0 < weight < 300_000
    assert page.requested_hosts == {"127.0.0.1"}


# ---------------------------------------------------------------- the locator map


def test_locator_centres_the_point_in_its_country() -> None:
    data = maps.locator(41.26465, 69.21627, "Tashkent")
    assert (data["width"], data["height"]) == ("300", "200")
    assert (float(data["x"]), float(data["y"])) == pytest.approx((150, 100), abs=0.5)
    homes = [c["name"] for c in data["countries"] if c["home"]]
    assert homes == ["Uzbekistan"]
    assert {"Kazakhstan", "Kyrgyzstan", "Tajikistan"} <= {c["name"] for c in data["countries"]}


@pytest.mark.parametrize(
    ("lat", "long"),
    [
        pytest.param(91.0, 0.0, id="north-of-the-pole"),
        pytest.param(0.0, 181.0, id="east-of-the-antimeridian"),
        pytest.param(math.nan, 10.0, id="nan"),
    ],
)
def test_locator_refuses_what_is_not_a_coordinate(lat: float, long: float) -> None:
    with pytest.raises(ValueError, match="not a coordinate"):
        maps.locator(lat, long, "nowhere")


def test_locator_macro_draws_the_point(app: Flask, browser_page: Any) -> None:
    """The macro, rendered through the app, shows the outlines and the point in Chromium."""
    with app.test_request_context():
        svg = render_template_string(
            '{% import "_locator.html" as l %}{{ l.locator(data) }}',
            data=maps.locator(34.68505, 135.80485, "Nara"),
        )
    with app.open_resource("static/map.css") as css:
        style = css.read().decode()
    browser_page.set_content(f"<!doctype html><style>{style}</style><main>{svg}</main>")
    assert browser_page.locator("svg.locator .land path").count() >= 3
    assert browser_page.locator("svg.locator .land path.home").count() == 1
    assert browser_page.locator("svg.locator text").text_content() == "Nara"
    assert browser_page.locator("svg.locator").get_attribute("aria-label") == "Map: where Nara lies"
    shot(browser_page, "map-locator-nara")


# ---------------------------------------------------------------- the geometry, without a browser


def test_a_dot_on_the_straight_line_is_cleared() -> None:
    """Between two dots with a third right on the chord (Almaty between Tashkent and Nagoya
    on the old map), the arc bends around it by the margin, and stays in bounds."""
    start, end, between = (100.0, 200.0), (900.0, 200.0), [(500.0, 200.0), (300.0, 190.0)]
    arc, room = carto.bend(start, end, between, 6.0, (0, 0, 1000, 400), 3.5)
    assert room > 6.0
    curve = carto.bezier(arc)
    assert min(math.dist(p, dot) for p in curve for dot in between) > 6.0
    assert all(0 <= x <= 1000 and 0 <= y <= 400 for x, y in curve)
    assert (arc[0], arc[3]) == (start, end)  # drawn centre to centre


def test_labels_of_a_dense_cluster_do_not_overlap() -> None:
    """Five dots within 4 units (Tokyo, Minato, Meguro, Kawasaki, Yokohama): five labels."""
    dots = [(500.0, 200.0), (502.0, 201.0), (499.0, 202.0), (501.0, 204.0), (498.0, 205.0)]
    taken = [carto.dot_box(x, y, 3.5) for x, y in dots]
    labels = [
        carto.place_label(x, y, f"City {i}", 12.0, 3.5, taken, (0, 0, 1000, 400))
        for i, (x, y) in enumerate(dots)
    ]
    boxes = [label.box for label in labels if label is not None]
    assert len(boxes) == 5
    assert not any(carto.overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert any(label is not None and label.leader for label in labels)  # some need a leader


def test_projection_keeps_east_and_north() -> None:
    project = carto.conic()
    tashkent, nagoya, astana = project(69.2, 41.3), project(136.9, 35.2), project(71.4, 51.2)
    assert tashkent[0] < nagoya[0]  # east is right
    assert astana[1] < tashkent[1]  # north is up (SVG y grows down)
