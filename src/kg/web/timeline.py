"""The timeline page: cultural events by date and by the countries that took part, with the
plans for events kept apart from what happened (issue #15, point 5).

The axis is broken: years without events collapse into a marked gap, and each year is as
wide as its events need, so the years where most events are get most of the width; within a
year a dot sits at the date's own precision (day, month, or the middle for a year only).
Filters (`?country=uz&type=festival`) are a plain GET form: the page is drawn on the server,
so it works without script and its address is a permalink.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request
from rdflib import Literal
from rdflib.namespace import XSD

from ..errors import HttpError
from .describe import link_for, show_date
from .pages import (
    COUNTRY_PATH,
    conditional,
    html,
    item_list,
    named,
    page_language,
    query_alternates,
    select,
)
from .state import cached, data_version

bp = Blueprint("timeline", __name__)

#: The timeline's data, for its RDF alternates.
TIMELINE_DATA = (
    "CONSTRUCT { ?e a ?class ; rdfs:label ?l ; kg:year ?y ; kg:status ?s ; kg:eventType ?t } "
    "WHERE { VALUES ?class { kg:CulturalEvent kg:Plan } ?e a ?class ; rdfs:label ?l ; "
    "kg:status ?s . OPTIONAL { ?e kg:year ?y } OPTIONAL { ?e kg:eventType ?t } }"
)
#: Events and plans of events (a plan with an event type: culture days, a visit …), each
#: with every country that took part or hosted it: the countries the other pages name, a
#: country stated as a participant, and the country of an organization or person that took
#: part (the Kyrgyz organisers of events held in Japan).
ITEMS = (
    "SELECT ?e ?class ?label ?status ?type ?start ?date ?c WHERE { "
    "VALUES ?class { kg:CulturalEvent kg:Plan } ?e a ?class ; rdfs:label ?label . "
    "OPTIONAL { ?e kg:status ?status } OPTIONAL { ?e kg:eventType ?type } "
    "OPTIONAL { ?e kg:startDate ?start } OPTIONAL { ?e kg:date ?date } "
    f"OPTIONAL {{ ?e {COUNTRY_PATH}|kg:participation/kg:agent/kg:country? ?c . ?c a kg:Country }} "
    "FILTER(?class = kg:CulturalEvent || BOUND(?type)) }"
)
TYPES = (
    "SELECT DISTINCT ?t ?l WHERE { ?e kg:eventType ?t . ?t skos:prefLabel ?l "
    "FILTER(LANGMATCHES(LANG(?l), 'en')) }"
)
COUNTRY_ORDER = ("uz", "kz", "kg", "jp")
NO_COUNTRY = ""

# The drawing's measures, in SVG units.
WIDTH, LEFT, TOP = 1200, 140, 44
GAP = 20  # a collapsed stretch of empty years
BAND_GAP = 40  # between what happened and the plans
YEAR_MIN = 28  # a year's least width: room for its label
STEP = 14  # between two dots' centres (radius 6)
LEVELS = 4  # dots stacked at one date before they spread sideways
UNDATED_GAP = 12
QUARTER_WIDTH = 120  # a year this wide shows where its quarters begin
QUARTERS = ((3, "Apr"), (6, "Jul"), (9, "Oct"))  # months before, and the name
#: Columns of a fixed width: an empty stretch is a sliver, the undated three dots abreast
#: (their dots stack higher: they are in no order of time to keep).
FIXED = {"gap": GAP, "undated": YEAR_MIN + 2 * STEP}


@dataclass
class Item:
    """An event or a plan of an event, as the page shows it."""

    iri: str
    label: str
    href: str
    plan: bool
    status: str  # the status concept's name: happened, planned, proposed …
    type: str  # the event type's local name ("" for none)
    when: str  # the start date's lexical form, at its precision ("" if the sources give none)
    countries: list[str] = field(default_factory=list)  # local names ("uz"); NO_COUNTRY

    @property
    def date_text(self) -> str:
        return show_date(literal_date(self.when)) if self.when else "date not stated"

    @property
    def year(self) -> int | None:
        return int(self.when[:4]) if self.when else None


@dataclass
class Column:
    """A stretch of the axis: a year, a gap of empty years, or the undated."""

    kind: str  # "year", "gap" or "undated"
    band: str  # "happened" or "planned"
    first: int = 0
    last: int = 0
    count: int = 0
    x: float = 0.0
    width: float = 0.0

    @property
    def label(self) -> str:
        if self.kind == "undated":
            return "no date"
        if self.kind == "gap":
            years = str(self.first) if self.first == self.last else f"{self.first}–{self.last}"
            return f"⋯ {years} ⋯"
        return str(self.first)

    @property
    def quarters(self) -> list[tuple[float, str]]:
        """Where April, July and October begin in a year wide enough to tell them apart."""
        if self.kind != "year" or self.width < QUARTER_WIDTH:
            return []
        inner = self.width - STEP
        return [(self.x + STEP / 2 + inner * m / 12, name) for m, name in QUARTERS]


@dataclass
class Dot:
    x: float
    y: float
    item: Item
    country: str  # the row's name
    country_lang: str = ""


def literal_date(text: str) -> Literal:
    """The date as a typed literal, its precision read from its lexical form."""
    kind = {10: XSD.date, 7: XSD.gYearMonth}.get(len(text), XSD.gYear)
    return Literal(text, datatype=kind)


def local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# ----------------------------------------------------------------------------- the data


def catalogue(language: str) -> dict[str, Any]:
    """Every event and plan of an event, the countries (ordered, named in `language`) and the
    event types: what the filters may choose from."""
    rows = select(
        f"SELECT ?c ?name ?name_lang WHERE {{ ?c a kg:Country . {named('?c', 'name', language)} }}"
    )
    names = {local(r["c"]): (r["name"], r.get("name_lang", "")) for r in rows}
    order = [c for c in COUNTRY_ORDER if c in names] + sorted(set(names) - set(COUNTRY_ORDER))
    items = read_items([*order, NO_COUNTRY])
    used = {i.type for i in items}  # not the types of history (a disaster …)
    types = {local(r["t"]): r["l"] for r in select(TYPES) if local(r["t"]) in used}
    return {
        "items": items,
        "countries": {c: names[c] for c in order},
        "types": dict(sorted(types.items(), key=lambda kv: kv[1])),
    }


def read_items(rows: list[str]) -> list[Item]:
    """The events and plans, each once with its earliest date and its countries in the order
    of the rows (`rows`: the countries named, then NO_COUNTRY), whatever order the store
    answers in; in the order of time."""
    items: dict[str, Item] = {}
    for r in select(ITEMS):
        when = min((v for v in (r.get("start"), r.get("date")) if v), default="")
        item = items.setdefault(
            r["e"],
            Item(
                r["e"],
                r["label"],
                link_for(r["e"]),
                r["class"].endswith("Plan"),
                local(r.get("status", "")),
                local(r.get("type", "")),
                when,
            ),
        )
        if when and (not item.when or when < item.when):
            item.when = when
        item.countries.append(local(r["c"]) if "c" in r else NO_COUNTRY)
    rank = {c: k for k, c in enumerate(rows)}
    for item in items.values():
        known = {c for c in item.countries if c in rank} - {NO_COUNTRY}
        item.countries = sorted(known, key=lambda c: rank[c]) or [NO_COUNTRY]
    return sorted(items.values(), key=lambda i: (i.when or "~", i.label, i.iri))


def chosen(name: str, allowed: Iterable[str]) -> str:
    """The filter's value from the query string ("" for all); a value the data does not have
    is the reader's mistake, answered with a 400 that lists the values there are."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise HttpError(f"choose one {name}, not {len(values)}")
    value = values[0] if values else ""
    allowed = list(allowed)
    if value and value not in allowed:
        raise HttpError(
            f"there is no {name} {value[:40]!r} here; choose one of {', '.join(allowed)}"
        )
    return value


# ----------------------------------------------------------------------------- the axis


def columns(items: list[Item], band: str) -> list[Column]:
    """The band's years with events, the empty stretches between them collapsed into gaps,
    and a column for the undated at the end."""
    counts: dict[int, int] = {}
    for item in items:
        if item.year is not None:
            counts[item.year] = counts.get(item.year, 0) + 1
    cols: list[Column] = []
    for year in sorted(counts):
        if cols and year > cols[-1].last + 1:
            cols.append(Column("gap", band, cols[-1].last + 1, year - 1))
        cols.append(Column("year", band, year, year, counts[year]))
    undated = sum(1 for i in items if i.year is None)
    if undated:
        cols.append(Column("undated", band, count=undated))
    return cols


def lay_out(cols: list[Column], x: float, width: float) -> None:
    """Give every column its x and width: gaps and the undated a fixed width, years a least
    width plus a share of the rest in proportion to their events beyond the first, so the
    years where most events are get most of the axis."""
    fixed = sum(FIXED.get(c.kind, YEAR_MIN) + space_before(cols, i) for i, c in enumerate(cols))
    extra = sum(weight(c) for c in cols if c.kind == "year")
    share = max(0.0, width - fixed) / extra if extra else 0.0
    for i, c in enumerate(cols):
        x += space_before(cols, i)
        c.x = x
        c.width = FIXED.get(c.kind, YEAR_MIN + share * weight(c))
        x += c.width


def weight(col: Column) -> float:
    """A year's claim on the width beyond its least: its events beyond the first, and a
    little for every year so that years of one event each still fill the axis."""
    return col.count - 1 + 0.25


def space_before(cols: list[Column], i: int) -> float:
    """The space between a band and the next, and before a band's undated."""
    if i and cols[i - 1].band != cols[i].band:
        return BAND_GAP
    return UNDATED_GAP if cols[i].kind == "undated" else 0.0


def fraction_of_year(when: str) -> float:
    """Where in its year a date falls, at its precision: a day's own place, a month's
    middle, the year's middle for a year only."""
    year = int(when[:4])
    if len(when) >= 10:
        days = 366 if calendar.isleap(year) else 365
        day = int(when[8:10]) + sum(
            calendar.monthrange(year, m)[1] for m in range(1, int(when[5:7]))
        )
        return (day - 0.5) / days
    if len(when) == 7:
        return (int(when[5:7]) - 0.5) / 12
    return 0.5


def ideal_x(item: Item, cols: list[Column]) -> tuple[float, Column]:
    band = "planned" if item.plan else "happened"
    for c in cols:
        if c.band != band:
            continue
        if (c.kind == "undated" and item.year is None) or (
            c.kind == "year" and c.first == item.year
        ):
            inner = max(0.0, c.width - STEP)
            at = fraction_of_year(item.when) if item.when else 0.5
            return c.x + STEP / 2 + inner * at, c
    raise ValueError(item.iri)  # every item has its column: columns() made them from the items


def pack(wanted: list[tuple[float, Column]]) -> list[tuple[float, int]]:
    """Place a row's dots: at its date if free, else stacked up to LEVELS, else moved
    sideways within its column by whole steps, else stacked higher; (x, level) each."""
    placed: list[tuple[float, int]] = []

    def free(x: float, level: int) -> bool:
        return all(abs(x - px) >= STEP - 0.01 for px, pl in placed if pl == level)

    for x, col in wanted:
        low, high = col.x + STEP / 2, col.x + col.width - STEP / 2
        spot = next(
            (
                (x + dx, level)
                for shift in range(0, 40)
                for dx in dict.fromkeys((shift * STEP, -shift * STEP))
                for level in range(LEVELS)
                if low - 0.01 <= x + dx <= high + 0.01 and free(x + dx, level)
            ),
            None,
        )
        if spot is None:
            spot = (x, next(lv for lv in range(LEVELS, 10_000) if free(x, lv)))
        placed.append(spot)
    return placed


# ----------------------------------------------------------------------------- the page


def timeline_data(language: str, country: str, kind: str) -> dict[str, Any]:
    """The drawing and the list for the chosen country and event type ("" for all)."""
    data = catalogue_cached(language)
    every: list[Item] = data["items"]
    shown = [
        i for i in every if (not country or country in i.countries) and (not kind or i.type == kind)
    ]
    names: dict[str, tuple[str, str]] = dict(data["countries"])
    names[NO_COUNTRY] = ("Country not stated", "")
    rows = [c for c in [*data["countries"], NO_COUNTRY] if any(c in i.countries for i in shown)]
    if country:
        rows = [country]
    happened = [i for i in shown if not i.plan]
    plans = [i for i in shown if i.plan]
    cols = columns(happened, "happened") + columns(plans, "planned")
    lay_out(cols, LEFT, WIDTH - LEFT - 12)
    dots, bands, y = draw_rows(rows, happened + plans, cols, names)
    dots.sort(key=lambda d: (d.item.plan, d.x))  # what happened first, in the order of time
    return {
        "dots": dots,
        "rows": bands,
        "columns": cols,
        "planned_x": next((c.x for c in cols if c.band == "planned"), None),
        "happened_span": span(cols, "happened"),
        "width": WIDTH,
        "axis_y": y,
        "height": y + 66,
        "items": shown,
        "counts": {
            "events": (len(happened), sum(1 for i in every if not i.plan)),
            "plans": (len(plans), sum(1 for i in every if i.plan)),
        },
        "countries": data["countries"],
        "names": names,
        "types": data["types"],
        "chosen": {"country": country, "type": kind},
    }


def draw_rows(
    rows: list[str], items: list[Item], cols: list[Column], names: dict[str, tuple[str, str]]
) -> tuple[list[Dot], list[dict[str, Any]], float]:
    """The dots of each country's row, the rows (each as high as its highest stack) and
    where the axis goes below them."""
    dots, bands, y = [], [], float(TOP)
    for row in rows:
        in_row = [i for i in items if row in i.countries]
        places = [ideal_x(i, cols) for i in in_row]
        order = sorted(range(len(in_row)), key=lambda k: places[k][0])
        spots = pack([places[k] for k in order])
        levels = max((lv for _, lv in spots), default=0) + 1
        height = max(2, levels) * STEP + 22
        for k, (x, level) in zip(order, spots, strict=True):
            dots.append(Dot(x, y + 18 + level * STEP, in_row[k], *names[row]))
        name, lang = names[row]
        bands.append({"code": row, "y": y, "height": height, "name": name, "lang": lang})
        y += height
    return dots, bands, y


def span(cols: list[Column], band: str) -> tuple[float, float] | None:
    dated = [c for c in cols if c.band == band and c.kind != "undated"]
    return (dated[0].x, dated[-1].x + dated[-1].width) if dated else None


def catalogue_cached(language: str) -> dict[str, Any]:
    data: dict[str, Any] = cached(f"timeline-catalogue-{language}", lambda: catalogue(language))
    return data


@bp.route("/timeline")
@conditional
def timeline() -> Response:
    language = page_language()
    data = catalogue_cached(language)
    country = chosen("country", data["countries"])
    kind = chosen("type", data["types"])
    # Only values the data has reach the key, so the cache stays bounded.
    page = cached(
        f"timeline-{language}-{country}-{kind}", lambda: timeline_data(language, country, kind)
    )
    response = html(
        "timeline.html",
        language,
        jsonld=timeline_jsonld(page["items"]),
        rdf_alternates=query_alternates(TIMELINE_DATA),
        **page,
    )
    if country or kind:  # each filtered page is a page of its own, with its own tag
        version, _ = data_version()
        response.set_etag(f"timeline-{language}-{country}-{kind}-{version[:24]}")
    return response


def timeline_jsonld(items: list[Item]) -> dict[str, Any]:
    """The events that happened, as schema.org Events (plans are not events yet)."""
    events = [
        {
            "@type": "Event",
            "name": i.label,
            "url": i.href,
            **({"startDate": i.when} if i.when else {}),
        }
        for i in items
        if not i.plan
    ]
    return item_list("Cultural events between Central Asia and Japan", events)
