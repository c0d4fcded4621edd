"""The timeline page: cultural events by date and by the countries that took part, with the
plans for events kept apart from what happened (issue #15, point 5).

The axis is broken: years without events collapse into a marked gap, and each year is as
wide as its events need, so the years where most events are get most of the width; within a
year a dot sits at the date's own precision (day, month, or the middle for a year only).
Filters (`?country=uz&type=festival`) are a plain GET form: the page is drawn on the server,
so it works without script and its address is a permalink.
"""

from __future__ import annotations

import bisect
import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request, url_for
from rdflib import Literal
from rdflib.namespace import XSD

from ..errors import HttpError
from ..namespaces import KG
from ..store.interface import sparql_iri
from .describe import link_for, show_date
from .pages import (
    COUNTRY_PATH,
    conditional,
    html,
    item_list,
    named,
    page_items,
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
#: Events and plans of events (a plan with an event type: culture days, a visit …): what the
#: timeline shows; {narrow} is where the filters go.
SHOWN = (
    "VALUES ?class {{ kg:CulturalEvent kg:Plan }} ?e a ?class ; rdfs:label ?label . "
    "OPTIONAL {{ ?e kg:eventType ?type }} FILTER(?class = kg:CulturalEvent || BOUND(?type)) "
    "{narrow}"
)
#: Who took part or hosted: the countries the other pages name, a country stated as a
#: participant, and the country of an organization or person that took part (the Kyrgyz
#: organisers of events held in Japan).
TOOK_PART = f"{COUNTRY_PATH}|kg:participation/kg:agent/kg:country?"
#: One page of the shown things, each once, in the order of time (the undated last): a thing
#: typed a plan is drawn as a plan, never as an event; its earliest date by its lexical form,
#: at its precision. (Grouped in a subquery, ordered outside it: Virtuoso orders by no
#: aggregate's name.)
ITEMS = (
    "SELECT * WHERE {{ {{ SELECT ?e (MAX(STR(?class)) AS ?kind) (MIN(STR(?label)) AS ?name) "
    "(MIN(STR(?status)) AS ?st) (MIN(STR(?type)) AS ?ty) (MIN(STR(?when)) AS ?first) "
    "WHERE {{ {shown} OPTIONAL {{ ?e kg:status ?status }} "
    "OPTIONAL {{ {{ ?e kg:startDate ?when }} UNION {{ ?e kg:date ?when }} }} }} GROUP BY ?e }} }} "
    'ORDER BY (COALESCE(?first, "~")) ?name ?e LIMIT {limit} OFFSET {offset}'
)
#: The countries of the things of a page, asked of those things alone: asked with the
#: ordering, they made it four times as slow on a million triples.
COUNTRIES = (
    "SELECT ?e ?c WHERE {{ VALUES ?e {{ {things} }} ?e " + TOOK_PART + " ?c . ?c a kg:Country }}"
)
#: How many events and plans the filters leave.
COUNTS = (
    "SELECT ?kind (COUNT(?e) AS ?n) WHERE {{ {{ SELECT ?e (MAX(STR(?class)) AS ?kind) "
    "WHERE {{ {shown} }} GROUP BY ?e }} }} GROUP BY ?kind"
)
TYPES = (
    "SELECT DISTINCT ?t ?l WHERE { VALUES ?class { kg:CulturalEvent kg:Plan } ?e a ?class ; "
    "rdfs:label ?label ; kg:eventType ?t . ?t skos:prefLabel ?l "
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
    """What the filters may choose from: the countries (ordered, named in `language`) and the
    types of the things shown (not the types of history: a disaster …), each with its IRI;
    and how many events and plans there are in all."""
    rows = select(
        f"SELECT ?c ?name ?name_lang WHERE {{ ?c a kg:Country . {named('?c', 'name', language)} }}"
    )
    names = {local(r["c"]): (r["name"], r.get("name_lang", "")) for r in rows}
    order = [c for c in COUNTRY_ORDER if c in names] + sorted(set(names) - set(COUNTRY_ORDER))
    types = {local(r["t"]): (r["l"], r["t"]) for r in select(TYPES)}
    return {
        "countries": {c: names[c] for c in order},
        "country_iris": {local(r["c"]): r["c"] for r in rows},
        "types": {k: label for k, (label, _) in sorted(types.items(), key=lambda kv: kv[1])},
        "type_iris": {k: iri for k, (_, iri) in types.items()},
        "totals": counted(""),
    }


def narrowing(data: dict[str, Any], country: str, kind: str) -> str:
    """The filters as patterns (their values are the data's own IRIs: chosen() let no other
    through)."""
    parts = []
    if country:
        parts.append(
            f"FILTER EXISTS {{ ?e {TOOK_PART} {sparql_iri(data['country_iris'][country])} }}"
        )
    if kind:
        parts.append(f"FILTER EXISTS {{ ?e kg:eventType {sparql_iri(data['type_iris'][kind])} }}")
    return " ".join(parts)


def counted(narrow: str) -> tuple[int, int]:
    """How many events and plans the filters leave."""
    found = {
        r["kind"]: int(r["n"]) for r in select(COUNTS.format(shown=SHOWN.format(narrow=narrow)))
    }
    return found.get(str(KG.CulturalEvent), 0), found.get(str(KG.Plan), 0)


def read_items(narrow: str, rows: list[str], limit: int, offset: int) -> list[Item]:
    """One page of the events and plans the filters leave, in the order of time, each with its
    countries in the order of the rows (`rows`: the countries named, then NO_COUNTRY)."""
    query = ITEMS.format(shown=SHOWN.format(narrow=narrow), limit=limit, offset=offset)
    found = select(query)
    took_part: dict[str, set[str]] = defaultdict(set)
    if found:
        things = " ".join(sparql_iri(r["e"]) for r in found)
        for r in select(COUNTRIES.format(things=things)):
            took_part[r["e"]].add(local(r["c"]))
    rank = {c: k for k, c in enumerate(rows)}
    return [
        Item(
            r["e"],
            r["name"],
            link_for(r["e"]),
            r["kind"] == str(KG.Plan),
            local(r.get("st", "")),
            local(r.get("ty", "")),
            r.get("first", ""),
            sorted(took_part[r["e"]] & set(rank), key=lambda c: rank[c]) or [NO_COUNTRY],
        )
        for r in found
    ]


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
    taken: dict[int, list[float]] = defaultdict(list)  # each level's dots, sorted by x

    def free(x: float, level: int) -> bool:
        xs = taken[level]  # a dot closer than STEP lies just past x - STEP, if anywhere
        i = bisect.bisect_right(xs, x - STEP + 0.01)
        return i == len(xs) or xs[i] >= x + STEP - 0.01

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
        bisect.insort(taken[spot[1]], spot[0])
    return placed


# ----------------------------------------------------------------------------- the page


def timeline_data(data: dict[str, Any], country: str, kind: str, number: int) -> dict[str, Any]:
    """The drawing and the list of one page (PAGE_ITEMS things, in the order of time) of what
    the chosen country and event type ("" for all) leave."""
    counts = slice_counts(data, country, kind)
    most = page_items()
    every = [*data["countries"], NO_COUNTRY]
    shown = read_items(narrowing(data, country, kind), every, most, (number - 1) * most)
    names: dict[str, tuple[str, str]] = dict(data["countries"])
    names[NO_COUNTRY] = ("Country not stated", "")
    rows = [country] if country else [c for c in every if any(c in i.countries for i in shown)]
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
            "events": (counts[0], data["totals"][0]),
            "plans": (counts[1], data["totals"][1]),
        },
        "on_page": (len(happened), len(plans)),
        "paging": paging(country, kind, number, most, len(shown), sum(counts)),
        "countries": data["countries"],
        "names": names,
        "types": data["types"],
        "chosen": {"country": country, "type": kind},
    }


def slice_counts(data: dict[str, Any], country: str, kind: str) -> tuple[int, int]:
    """How many events and plans the filters leave (all of them without filters)."""
    if not (country or kind):
        totals: tuple[int, int] = data["totals"]
        return totals
    found: tuple[int, int] = cached(
        f"timeline-counts-{country}-{kind}", lambda: counted(narrowing(data, country, kind))
    )
    return found


def paging(country: str, kind: str, number: int, most: int, shown: int, total: int) -> Any:
    """Where this page is among the pages of the filtered timeline, and the links to the
    pages before and after it."""

    def href(n: int) -> str:
        args: dict[str, Any] = {
            "country": country or None,
            "type": kind or None,
            "page": n if n > 1 else None,
        }
        return url_for("timeline.timeline", **args)

    pages = pages_of(total, most)
    return {
        "number": number,
        "pages": pages,
        "first": (number - 1) * most + 1 if shown else 0,
        "last": (number - 1) * most + shown,
        "total": total,
        "earlier": href(number - 1) if number > 1 else None,
        "later": href(number + 1) if number < pages else None,
    }


def pages_of(total: int, most: int) -> int:
    return max(1, -(-total // most))


def chosen_page(pages: int) -> int:
    """The page asked for (?page=, 1 by default); one the timeline does not have is the
    reader's mistake, a 400 that says which there are."""
    values = request.args.getlist("page")
    if len(values) > 1:
        raise HttpError(f"choose one page, not {len(values)}")
    text = (values[0] if values else "") or "1"  # empty, as an empty filter is all: the first
    # a page number longer than the last one's is none (and int() refuses 4,300 digits)
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(pages))) or not (
        1 <= int(text) <= pages
    ):
        raise HttpError(f"there is no page {text[:20]!r} here; choose one of 1–{pages}")
    return int(text)


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
    # the catalogue the filters were checked against is the one used throughout: asked for
    # again, a submission in between could bring one without the chosen values (a KeyError)
    number = chosen_page(pages_of(sum(slice_counts(data, country, kind)), page_items()))
    # Only values the data has reach the key, so the cache stays bounded.
    page = cached(
        f"timeline-{language}-{country}-{kind}-{number}",
        lambda: timeline_data(data, country, kind, number),
    )
    response = html(
        "timeline.html",
        language,
        jsonld=timeline_jsonld(page["items"]),
        rdf_alternates=query_alternates(TIMELINE_DATA),
        **page,
    )
    if country or kind or number > 1:  # each filtered page is a page of its own, with its own tag
        version, _ = data_version()
        response.set_etag(f"timeline-{language}-{country}-{kind}-{number}-{version[:24]}")
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
